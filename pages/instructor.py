"""Instructor tools: problem sets, seeded variants, batch grading."""

import streamlit as st

from ui.i18n import t

st.title(t("instructor_title"))
st.markdown(t("instructor_body"))
