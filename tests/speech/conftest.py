"""Voice packs written on the fly: tones for clips, so a test can tell a clip from synthesis."""

import pytest

from tests.helpers.audio import write_tone_pack


@pytest.fixture
def make_pack(tmp_path):
    def making(codes=("dibao",), missing=(), keys=None, seconds=0.2):
        return write_tone_pack(tmp_path / "pack", codes, missing, keys, seconds)

    return making
