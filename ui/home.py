"""Home page parts: search over all exercises, session progress, coverage per chapter."""

from __future__ import annotations

import streamlit as st

from exercises import outline, registry
from exercises import progress as prog
from exercises.coverage import coverage
from ui.i18n import lang, pick, t
from ui.shell import chapter_page_path
from ui.state import current_progress


def search_box() -> None:
    query = st.text_input(t("search_label"), key="home-search", placeholder=t("search_placeholder"), max_chars=200)
    if not query.strip():
        return
    hits = registry.search(query)
    live_ids = {ex.id for ex in registry.all()}
    coming = [i for i in outline.catalog() if i not in live_ids and i.startswith(query.strip())][:20]
    if not hits and not coming:
        st.info(t("search_none"))
        return
    for ex in hits:
        st.page_link("pages/exercise.py", label=f"{ex.id} · {pick(ex.title)}", icon="🎯",
                     query_params={"id": ex.id, "lang": lang()})
    if coming:
        st.caption(t("search_coming", ids=", ".join(coming)))


def progress_summary() -> None:
    progress = current_progress()
    c1, c2, c3 = st.columns(3)
    c1.metric(t("metric_solved"), len(prog.solved_ids(progress)))
    c2.metric(t("metric_answered"), len(progress["exercises"]))
    c3.metric(t("metric_live"), len(registry.all()))


def coverage_table() -> None:
    st.subheader(t("coverage_heading"))
    cols = st.columns([3, 1, 1, 1, 1, 1])
    for col, key in zip(cols, ("cov_chapter", "cov_catalogued", "cov_live", "cov_widget", "cov_machine",
                               "cov_conceptual"), strict=True):
        col.markdown(f"**{t(key)}**")
    for row in coverage():
        ch = outline.chapter(row.chapter)
        cols = st.columns([3, 1, 1, 1, 1, 1])
        status = "✅" if row.done else ("🟡" if row.live else "🚧")
        cols[0].page_link(chapter_page_path(row.chapter), label=f"{status} {row.chapter}. {pick(ch.title)}")
        for col, value in zip(cols[1:], (row.catalogued, row.live, row.with_widget, row.machine_verified,
                                         row.conceptual), strict=True):
            col.write(value)
