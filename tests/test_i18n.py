"""Every interface text exists in both languages, and no cached computation freezes one language."""

import ast
from pathlib import Path

import pytest

from ui.i18n import strings

ROOT = Path(__file__).resolve().parents[1]
UI_FILES = sorted([*ROOT.glob("ui/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"])


def calls(path: Path, names: set[str]):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
            yield node


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_literal_text_key_exists(path):
    keys = {n.args[0].value for n in calls(path, {"t"}) if n.args and isinstance(n.args[0], ast.Constant)}
    prefixes = {n.args[0].value for n in calls(path, {"translated"}) if n.args and isinstance(n.args[0], ast.Constant)}
    assert keys <= set(strings()), sorted(keys - set(strings()))
    assert all(any(k.startswith(p) for k in strings()) for p in prefixes)


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_cached_functions_do_not_translate(path):
    """A cache is shared by both languages: translate after the cached call, never inside it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef) and any("cache" in ast.unparse(d) for d in fn.decorator_list):
            used = {n.func.id for n in ast.walk(fn) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
            assert not used & {"t", "pick", "translated", "lang"}, f"{fn.name} translates inside a cache"

