"""One exercise, opened by a link: /exercise?id=1.9.3&lang=zh."""

import streamlit as st

from ui.exercise_page import exercise_from_url
from ui.i18n import t
from ui.shell import route_through_app

route_through_app()  # a fresh server's first request may reach this page without app.py
st.title(t("exercise_page_title"))
exercise_from_url()
