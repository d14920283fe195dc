"""The exercise card: statement, widget, answer box, pitfalls, solution reveal (with its source), share link."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import streamlit as st

from exercises import links
from exercises import progress as prog
from exercises.schema import Exercise
from ui.i18n import lang, pick, t
from ui.state import current_progress, save_progress


def exercise_card(ex: Exercise, *, seed: int = 0, params: dict[str, Any] | None = None, base_url: str = "",
                  on_seed_change: Callable[[int], None] | None = None, on_demand: bool = False) -> None:
    """One exercise. `on_demand` (chapter pages, which show many cards): the widget waits for the learner's click, so
    that opening a chapter runs its section demos but not dozens of exercise widgets (and never trains models)."""
    from solutions import has_variants, prompt, variant_params

    with st.container(border=True):
        st.markdown(f"#### {ex.id} · {pick(ex.title)}")
        st.caption(" · ".join([t(f"verify_{ex.verify}"), t("section_label", section=ex.section)]))
        if has_variants(ex.id):
            seed = variant_picker(ex, seed, on_seed_change)
        st.markdown(prompt(ex.id, lang(), seed))
        if ex.widget:
            widget_slot(ex, seed, {**variant_params(ex.id, seed), **(params or {})}, base_url, on_demand=on_demand)
        answer_box(ex, seed)
        if ex.pitfalls:
            with st.expander(t("pitfalls_heading")):
                for p in ex.pitfalls:
                    st.markdown(f"- {pick(p.text)}")
        solution_reveal(ex, seed)
        if not ex.widget:
            share_link(ex, seed, {}, base_url)


def variant_picker(ex: Exercise, seed: int, on_change: Callable[[int], None] | None) -> int:
    """Seed 0 is the book's own numbers; any other seed is a variant with its own numbers and its own answer."""
    key, origin = f"seed-{ex.id}", f"seed-{ex.id}-origin"
    if st.session_state.get(origin) != seed:  # a new seed from the link wins over the one in the box
        st.session_state[key] = st.session_state[origin] = seed
    chosen = int(st.number_input(t("variant_seed"), 0, 9999, key=key, help=t("variant_help")))
    if on_change is not None and chosen != seed:
        on_change(chosen)
    return chosen


def widget_slot(ex: Exercise, seed: int, initial: dict[str, Any], base_url: str, on_demand: bool = False) -> None:
    with st.container(border=True):
        st.markdown(f"**{t('widget_heading')}**")
        _widget_fragment(ex, seed, initial, base_url, on_demand)


@st.fragment
def _widget_fragment(ex: Exercise, seed: int, initial: dict[str, Any], base_url: str, on_demand: bool = False) -> None:
    """Moving a control reruns only this fragment (the widget and its share link), not the whole page. On demand:
    a Run button first (inside the fragment, so the click reruns only this card's widget); once clicked, the widget
    stays on for the session."""
    from ui.widgets import resolve

    started = f"run-{ex.id}"
    if on_demand and not st.session_state.get(started):
        if ex.trains:
            st.caption(t("widget_trains_note"))
        st.button(t("widget_run" if ex.trains else "widget_open"), key=f"{started}-button", on_click=_start,
                  args=(started,))
        return

    values = resolve(ex.widget)(f"w-{ex.id}", initial) or {}
    share_link(ex, seed, values, base_url)


def _start(flag: str) -> None:
    st.session_state[flag] = True


def answer_box(ex: Exercise, seed: int) -> None:
    if any(f.kind != "text" for f in ex.fields):
        checked_answer_box(ex, seed)
    else:
        open_answer_box(ex, seed)


PLACEHOLDERS = {"expr": "answer_hint_expr", "number": "answer_hint_number", "vector": "answer_hint_vector",
                "matrix": "answer_hint_matrix", "shape": "answer_hint_shape"}


def checked_answer_box(ex: Exercise, seed: int) -> None:
    """One input per field inside a form (typing does not rerun the page); Check scores it with exercises.check."""
    saved = current_progress()["exercises"].get(ex.id, {})
    previous = saved.get("answers", {}) if saved.get("seed", 0) == seed else {}
    with st.form(f"answer-{ex.id}", border=False):
        answers: dict[str, Any] = {}
        for f in ex.fields:
            key, label = f"ans-{ex.id}-{f.name}", pick(f.label)
            if f.kind == "choice":
                values = [c.value for c in f.choices]
                labels = {c.value: pick(c.label) for c in f.choices}
                old = previous.get(f.name)
                answers[f.name] = st.radio(label, values, index=values.index(old) if old in values else None,
                                           format_func=labels.__getitem__, key=key)
            elif f.kind == "text":
                answers[f.name] = st.text_area(label, value=str(previous.get(f.name, "")), key=key,
                                               max_chars=prog.MAX_ANSWER_CHARS, height=90)
            else:
                symbols = ", ".join(f.symbols)
                answers[f.name] = st.text_input(label, value=str(previous.get(f.name, "")), key=key, max_chars=1000,
                                                placeholder=t(PLACEHOLDERS[f.kind], symbols=symbols))
        submitted = st.form_submit_button(t("check_answer"), type="primary")
    if submitted:
        from exercises.check import check

        verdict = check(ex.id, {k: v for k, v in answers.items() if v is not None}, seed)
        st.session_state[f"verdict-{ex.id}"] = (seed, verdict)
        stored = {k: v for k, v in answers.items() if v not in (None, "")}
        progress = prog.record_answers(current_progress(), ex.id, stored, seed)
        save_progress(prog.record_result(progress, ex.id, verdict.score))
    shown = st.session_state.get(f"verdict-{ex.id}")
    if shown is not None and shown[0] == seed:
        show_verdict(ex, shown[1])


STATUS_ICONS = {"correct": "✅", "wrong": "❌", "missing": "⬜", "malformed": "⚠️", "too_complex": "⚠️", "stored": "📝"}


def show_verdict(ex: Exercise, verdict) -> None:
    for f in ex.fields:
        r = verdict.fields.get(f.name)
        if r is None:
            continue
        cols = st.columns([1, 2])
        cols[0].markdown(f"{STATUS_ICONS.get(r.status, '')} **{pick(f.label)}**")
        with cols[1]:
            st.markdown(r.message[lang()])
            if r.latex and f.kind in ("expr", "vector", "matrix"):
                st.caption(t("read_as"))
                st.latex(r.latex)
    if verdict.correct:
        st.success(verdict.feedback[lang()], icon="🎉")
    else:
        st.warning(verdict.feedback[lang()])


def open_answer_box(ex: Exercise, seed: int) -> None:
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
