"""A chapter page: per section, the notes and the exercises (live cards, or the list of what is coming)."""

from __future__ import annotations

import importlib
from pathlib import Path

import streamlit as st

from exercises import outline, registry
from ui.card import exercise_card
from ui.i18n import lang, pick, t
from ui.notes import read_note

WIDGETS_DIR = Path(__file__).parent / "widgets"


def section_demo(section_id: str) -> None:
    """Run `section_demo(key)` from ui/widgets/sec<ch>_<sec>.py when the section has one (e.g. sec2_3.py)."""
    module = "sec" + section_id.replace(".", "_")
    if not (WIDGETS_DIR / f"{module}.py").exists():
        return
    demo = getattr(importlib.import_module(f"ui.widgets.{module}"), "section_demo", None)
    if demo is not None:
        with st.container(border=True):
            st.markdown(f"**{t('demo_heading')}**")
            st.fragment(demo)(f"demo-{section_id}")  # a control reruns only its demo


def render_chapter(number: int) -> None:
    ch = outline.chapter(number)
    live = {ex.id: ex for ex in registry.all() if ex.chapter == number}
    st.title(t("chapter_title", n=number, title=pick(ch.title)))
    total = len(ch.exercise_ids)
    if total and len(live) == total:
        st.caption(t("chapter_all_live", n=total))
    elif live:
        st.caption(t("chapter_some_live", live=len(live), n=total))
    else:
        st.info(t("chapter_coming", n=total), icon="🚧")
    base = st.session_state.get("app_base", "")
    for section in ch.sections:
        st.header(f"{section.id} {pick(section.title)}", anchor=f"s{section.id.replace('.', '-')}")
        note = read_note(section.id, lang())
        if note:
            st.markdown(note)
        section_demo(section.id)
        coming = [e for e in section.exercises if e.id not in live]
        for entry in section.exercises:
            if entry.id in live:
                exercise_card(live[entry.id], base_url=base, on_demand=True)
        if coming:
            st.markdown(f"**{t('coming_heading')}** 🚧")
            st.markdown("\n".join(f"- `{e.id}` — {t(f'verify_{e.verify}')} · {t(f'cost_{e.cpu_cost}')}"
                                  for e in coming))
