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


def test_a_run_that_imports_modules_freezes_them_out_of_full_collections():
    """A fresh interpreter (gc.freeze is process-wide): chapter 2 imports torch and its widgets, and they are frozen;
    a second run that imports nothing freezes nothing."""
    import subprocess
    import sys

    code = ("import gc\nfrom streamlit.testing.v1 import AppTest\n"
            "at = AppTest.from_file('app.py', default_timeout=120).run()\n"
            "at.switch_page('pages/ch02.py').run()\nfrozen = gc.get_freeze_count()\n"
            "from ui.shell import freeze_imported_modules\n"
            "print(frozen > 100_000, 'torch' in __import__('sys').modules, freeze_imported_modules())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.split()[-3:] == ["True", "True", "False"], out.stderr[-2000:]
