"""The served app's settings that keep per-session server work small (measured with `python -m bench.load`)."""

import tomllib
from pathlib import Path

import pytest

CONFIG = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text("utf-8"))


@pytest.mark.parametrize("section,option,value", [
    ("server", "fileWatcherType", "none"),  # no source watcher registered per session
    ("server", "runOnSave", False),
    ("runner", "postScriptGC", False),      # no full gc.collect(2) holding the GIL after every rerun
    ("server", "headless", True),
])
def test_served_app_setting(section, option, value):
    assert CONFIG[section][option] == value
