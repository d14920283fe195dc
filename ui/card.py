"""The exercise card: statement, widget, answer box, pitfalls, solution reveal (with its source), share link."""

from __future__ import annotations

import inspect
from typing import Any

import streamlit as st

from exercises import links
from exercises import progress as prog
from exercises.schema import Exercise
from ui.i18n import lang, pick, t
from ui.state import current_progress, save_progress


def exercise_card(ex: Exercise, *, seed: int = 0, params: dict[str, Any] | None = None, base_url: str = "") -> None:
    with st.container(border=True):
        st.markdown(f"#### {ex.id} · {pick(ex.title)}")
        st.caption(" · ".join([t(f"verify_{ex.verify}"), t("section_label", section=ex.section)]))
        st.markdown(pick(ex.prompt))
        values = widget_slot(ex, params or {})
        answer_box(ex, seed)
        if ex.pitfalls:
            with st.expander(t("pitfalls_heading")):
                for p in ex.pitfalls:
                    st.markdown(f"- {pick(p.text)}")
        solution_reveal(ex, seed)
        share_link(ex, seed, values, base_url)


def widget_slot(ex: Exercise, params: dict[str, Any]) -> dict[str, Any]:
    if ex.widget is None:
        return {}
    from ui.widgets import resolve

    with st.container(border=True):
        st.markdown(f"**{t('widget_heading')}**")
        return resolve(ex.widget)(f"w-{ex.id}", params) or {}


def answer_box(ex: Exercise, seed: int) -> None:
    """Open questions: the learner writes an answer, compares it with the reference and marks it done."""
    saved = current_progress()["exercises"].get(ex.id, {})
    text_fields = [f.name for f in ex.fields if f.kind == "text"] or ["text"]
    with st.form(f"answer-{ex.id}", border=False):
        answers = {}
        for name in text_fields:
            answers[name] = st.text_area(
                t("your_answer"), value=saved.get("answers", {}).get(name, ""), key=f"ans-{ex.id}-{name}",
                max_chars=prog.MAX_ANSWER_CHARS, height=120,
            )
        if st.form_submit_button(t("save_answer")):
            save_progress(prog.record_answers(current_progress(), ex.id, answers, seed))
            st.toast(t("answer_saved"))
    done = saved.get("result", {}).get("correct", False)
    if st.checkbox(t("self_check"), value=done, key=f"self-{ex.id}", help=t("self_check_help")) != done:
        save_progress(prog.record_result(current_progress(), ex.id, None, self_check=not done))
        st.rerun()


def solution_reveal(ex: Exercise, seed: int) -> None:
    if not st.toggle(t("show_solution"), key=f"sol-{ex.id}"):
        return
    from solutions import solve_function

    sol = _cached_solution(ex.id, seed)
    st.markdown(sol.explanation[lang()])
    with st.expander(t("solution_code")):
        st.code(inspect.getsource(solve_function(ex.id)), language="python")


@st.cache_data(max_entries=256, show_spinner=False)
def _cached_solution(exercise_id: str, seed: int):
    from solutions import solve

    return solve(exercise_id, seed=seed)


def share_link(ex: Exercise, seed: int, values: dict[str, Any], base_url: str) -> None:
    url = links.exercise_link(base_url, ex.id, lang(), seed, values)
    with st.expander(t("share_link")):
        st.caption(t("share_link_help"))
        st.code(url, language=None)
