import shutil

import pytest

from kiosk.config import load_config
from kiosk.web import create_app
from tests.helpers.facts import TODAY
from tests.helpers.kiosk_client import place_card


@pytest.fixture(scope="session")
def demo_db(demo_county):
    return demo_county


@pytest.fixture
def app(demo_db):
    config = load_config({"db_path": demo_db, "demo": True, "today": TODAY, "reader": "virtual"}, environ={})
    return create_app(config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def place(client):
    """Place demo card N through the demo panel's endpoint, and open the session like the browser does."""

    def placing(position, follow=True):
        place_card(client, position)
        if follow:
            return client.get("/session/open", follow_redirects=True)
        return None

    return placing


@pytest.fixture
def own_app(demo_county, tmp_path):
    """A kiosk on its own copy of the demo county: this test files a complaint."""
    shutil.copy(demo_county, tmp_path / "kiosk.db")
    return create_app(
        load_config(
            {"db_path": tmp_path / "kiosk.db", "demo": True, "today": TODAY, "reader": "virtual"}, environ={}
        )
    )


@pytest.fixture
def printing_app(demo_db, tmp_path):
    """A kiosk on its own copy of the demo store with the dummy printer: what it prints is `last_slip`."""
    import shutil

    shutil.copy(demo_db, tmp_path / "kiosk.db")  # complaints are written: not into the shared demo store
    return create_app(
        load_config(
            {
                "db_path": tmp_path / "kiosk.db",
                "demo": True,
                "today": TODAY,
                "reader": "virtual",
                "printer": "dummy",
            },
            environ={},
        )
    )
