"""Shared helpers for page tests: open the real app (app.py with st.navigation) on a page with query params."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def open_app(page: str | None = None, *, widgets_started: bool = True, **query: str) -> AppTest:
    """Run app.py, then switch to `page` (e.g. "pages/ch02.py"); `query` becomes the URL's query params.

    A chapter page starts its exercise widgets on the learner's click; `widgets_started` (the default) opens the page
    as if every widget had been started, so a test can move the widgets directly (the click itself is tested in
    test_pages.py)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()  # st.navigation registers the pages on the first run; switch_page needs them
    if widgets_started:
        from exercises import registry

        for ex in registry.all():
            at.session_state[f"run-{ex.id}"] = True
    if page:
        at.switch_page(page).run()
    return at


def all_text(at: AppTest) -> str:
    """Every text element of the page, joined (to assert that something is shown)."""
    kinds = ("markdown", "caption", "header", "subheader", "title", "info", "warning", "error", "success", "code",
             "latex", "text")
    return "\n".join(str(e.value) for kind in kinds for e in getattr(at, kind))


def metrics(at: AppTest) -> dict[str, str]:
    """label → value of the first metric with that label (on a chapter page the section demo comes first)."""
    found: dict[str, str] = {}
    for m in at.metric:
        found.setdefault(m.label, m.value)
    return found
