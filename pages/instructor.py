"""Instructor tools: answer sheets with seeded variants, batch grading."""

import streamlit as st

from ui.i18n import t
from ui.instructor import class_grader, template_builder
from ui.shell import route_through_app

route_through_app()  # a fresh server's first request may reach this page without app.py
st.title(t("instructor_title"))
st.markdown(t("instructor_body"))
template_builder()
class_grader()
