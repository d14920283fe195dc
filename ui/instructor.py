"""Instructor tools: a blank answer sheet with per-student variants, and grading a class's uploaded answers."""

from __future__ import annotations

import json

import streamlit as st

from exercises import grade, registry
from ui.i18n import lang, pick, t


def template_builder() -> None:
    st.subheader(t("inst_template_heading"))
    graded = [ex for ex in registry.all() if any(f.kind != "text" for f in ex.fields)]
    labels = {f"{ex.id} · {pick(ex.title)}": ex.id for ex in graded}
    chosen = st.multiselect(t("inst_pick_exercises"), list(labels), key="inst-exercises")
    roster = st.text_area(t("inst_roster"), key="inst-roster", placeholder="ana\nbo\n李雷", height=120)
    per_student = st.toggle(t("inst_per_student"), value=True, key="inst-variants", help=t("inst_per_student_help"))
    students = [s.strip() for s in roster.splitlines() if s.strip()][:2000]
    if not chosen or not students:
        st.caption(t("inst_template_hint"))
        return
    text = grade.template_csv(students, [labels[c] for c in chosen], per_student,
                              st.session_state.get("app_base", ""))
    st.download_button(t("inst_download_template"), text, file_name="answer-sheet.csv", mime="text/csv",
                       key="inst-template-download")
    st.caption(t("inst_template_rows", rows=text.count("\n") - 1, students=len(students)))


@st.cache_data(max_entries=8, show_spinner=False)
def _grade_upload(data: bytes, name: str, language: str) -> tuple[str, str, list[dict], list[dict]]:
    subs, errors = grade.read_submissions(data, name)
    graded = grade.grade(subs)
    results = grade.results_json(graded, errors, language)
    return (grade.scores_csv(graded), json.dumps(results, ensure_ascii=False, indent=2), grade.scores_rows(graded),
            results["skipped"])


def class_grader() -> None:
    st.subheader(t("inst_grade_heading"))
    st.markdown(t("inst_grade_help"))
    upload = st.file_uploader(t("inst_upload"), type=["csv", "json"], key="inst-upload")
    if upload is None:
        return
    try:
        scores_csv, results_json, rows, skipped = _grade_upload(upload.getvalue(), upload.name, lang())
    except grade.UnreadableInput as err:
        st.error(t("inst_unreadable", reason=str(err)), icon="⚠️")
        return
    totals = [r for r in rows if r["exercise"] == "TOTAL"]
    st.success(t("inst_graded", submissions=len(rows) - len(totals), students=len(totals), skipped=len(skipped)))
    st.dataframe(rows, hide_index=True, width="stretch")
    c1, c2 = st.columns(2)
    c1.download_button(t("inst_download_scores"), scores_csv, file_name="scores.csv", mime="text/csv",
                       key="inst-scores-download")
    c2.download_button(t("inst_download_results"), results_json, file_name="results.json", mime="application/json",
                       key="inst-results-download")
    if skipped:
        with st.expander(t("inst_skipped", n=len(skipped)), expanded=True):
            st.dataframe(skipped, hide_index=True, width="stretch")
