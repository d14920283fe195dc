"""Home: what the app is, search, progress, coverage."""

import streamlit as st

from ui.home import coverage_table, progress_summary, search_box
from ui.i18n import t
from ui.shell import route_through_app

route_through_app()  # a fresh server's first request may reach this page without app.py
st.title(t("home_title"))
st.markdown(t("home_intro"))
search_box()
progress_summary()
coverage_table()
