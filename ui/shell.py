"""The app shell: the page list (stable url paths, titles in the current language) and the sidebar."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import streamlit as st

from exercises import outline
from exercises import progress as prog
from ui.i18n import lang, language_switch, pick, t
from ui.state import current_progress

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"


def chapter_page_path(number: int) -> str:
    return f"pages/ch{number:02d}.py"


def build_pages() -> dict[str, list[st.Page]]:
    home = st.Page("pages/home.py", title=t("nav_home"), icon="🏠", default=True)
    chapters = [
        st.Page(chapter_page_path(c.number), title=f"{c.number}. {pick(c.title)}", url_path=f"chapter-{c.number}")
        for c in outline.chapters()
    ]
    tools = [
        st.Page("pages/exercise.py", title=t("nav_exercise"), icon="🎯", url_path="exercise"),
        st.Page("pages/instructor.py", title=t("nav_instructor"), icon="🧑‍🏫", url_path="instructor"),
        st.Page("pages/about.py", title=t("nav_about"), icon="ℹ️", url_path="about"),
    ]
    return {"": [home], t("nav_chapters"): chapters, t("nav_tools"): tools}


def sidebar() -> None:
    with st.sidebar:
        language_switch()
        progress = current_progress()
        solved = prog.solved_ids(progress)
        st.caption(t("sidebar_progress", solved=len(solved), answered=len(progress["exercises"])))
        flash = st.session_state.pop("flash", None)
        if flash:
            st.success(t(flash[0], n=flash[1]))
        with st.expander(t("progress_heading"), expanded=flash is not None):
            st.download_button(
                t("export_progress"), data=prog.to_json(dict(progress, lang=lang())),
                file_name="d2l-progress.json", mime="application/json", key="export-progress",
            )
            upload = st.file_uploader(t("import_progress"), type=["json"], key="import-file")
            if upload is not None and st.button(t("import_button"), key="import-button"):
                import_progress(upload.getvalue())


def import_progress(data: bytes) -> bool:
    """Replace the session's progress with the file's, or say why not and change nothing."""
    try:
        new = prog.from_json(data)
    except prog.ProgressError as err:
        st.error(err.zh if lang() == "zh" else str(err), icon="⚠️")
        return False
    st.session_state["progress"] = new
    st.session_state["flash"] = ("import_ok", len(new["exercises"]))
    st.query_params["lang"] = new["lang"]  # the file's language; sync_language applies it on the rerun
    st.rerun()
    return True


_modules_seen = 0


def freeze_imported_modules() -> bool:
    """After a run that imported new modules (torch, sympy, a chapter's widgets…), move every object the collector
    tracks into its permanent generation (`gc.freeze`). Those modules live as long as the process, yet each full
    collection walked all of them: ~150 ms with the GIL held, at random moments of other sessions' runs. Objects of the
    run that is ending are frozen with them, once per import burst (a few dozen times per process at most). Returns
    whether it froze."""
    global _modules_seen
    if len(sys.modules) <= _modules_seen:
        return False
    _modules_seen = len(sys.modules)
    gc.freeze()
    return True


def route_through_app() -> None:
    """Make sure app.py routes this session. Streamlit gives a `pages/` folder next to the main script its legacy
    meaning until the first run of app.py has called st.navigation: on a fresh server whose first request is a link
    such as /exercise?id=…&lang=zh, it runs pages/exercise.py on its own, without the language, sidebar and links that
    app.py sets up. A page started that way, in a session app.py has never run in (app.py sets `app_base` on every
    run), turns the legacy routing off and reruns, and app.py takes over."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory and "app_base" not in st.session_state:
        PagesManager.uses_pages_directory = False
        st.rerun()
