"""A chapter page: per section, the notes and the exercises (live cards, or the list of what is coming)."""

from __future__ import annotations

import streamlit as st

from exercises import outline, registry
from ui.card import exercise_card
from ui.i18n import lang, pick, t
from ui.notes import read_note


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
        coming = [e for e in section.exercises if e.id not in live]
        for entry in section.exercises:
            if entry.id in live:
                exercise_card(live[entry.id], base_url=base)
        if coming:
            st.markdown(f"**{t('coming_heading')}** 🚧")
            st.markdown("\n".join(f"- `{e.id}` — {t(f'verify_{e.verify}')} · {t(f'cost_{e.cpu_cost}')}"
                                  for e in coming))
