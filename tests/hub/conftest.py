import pytest

from kiosk.demo_data import ensure_demo
from kiosk.store import open_store
from tests.conftest import TODAY


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory, rulebook):
    """The demo county as a roster store (built once)."""
    path = tmp_path_factory.mktemp("roster") / "county.db"
    store = open_store(path)
    ensure_demo(store, rulebook, today=TODAY)
    store.close()
    return path
