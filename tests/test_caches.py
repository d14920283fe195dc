"""Every Streamlit cache is bounded: a hosted app serves many sessions for weeks on ~1 GB of memory."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [*sorted(p for d in ("ui", "pages") for p in (ROOT / d).rglob("*.py")), ROOT / "app.py"]


def cache_decorators(path: Path) -> list[tuple[int, ast.expr]]:
    """(line, decorator) for every @st.cache_data / @st.cache_resource (bare or called) in the file."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        for deco in getattr(node, "decorator_list", []):
            target = deco.func if isinstance(deco, ast.Call) else deco
            if isinstance(target, ast.Attribute) and target.attr in ("cache_data", "cache_resource"):
                out.append((deco.lineno, deco))
    return out


def unbounded(path: Path) -> list[int]:
    return [line for line, deco in cache_decorators(path)
            if not (isinstance(deco, ast.Call) and {k.arg for k in deco.keywords} & {"max_entries", "ttl"})]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_streamlit_cache_is_bounded(path):
    assert unbounded(path) == [], f"{path.name}: caches without max_entries/ttl at lines {unbounded(path)}"


def test_the_cache_check_sees_the_caches():
    assert sum(len(cache_decorators(p)) for p in SOURCES) >= 20


@pytest.mark.parametrize(("source", "lines"), [
    ("@st.cache_data\ndef f(): pass\n", [1]),
    ("@st.cache_data(show_spinner=False)\ndef f(): pass\n", [1]),
    ("@st.cache_resource(max_entries=2)\ndef f(): pass\n", []),
    ("@st.cache_data(ttl=60)\ndef f(): pass\n", []),
])
def test_the_cache_check_flags_unbounded_caches(tmp_path, source, lines):
    (tmp_path / "m.py").write_text(source)
    assert unbounded(tmp_path / "m.py") == lines
