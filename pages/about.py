"""About the app: what it does, how answers are verified, the data it uses."""

import streamlit as st

from ui.i18n import t
from ui.shell import route_through_app

route_through_app()  # a fresh server's first request may reach this page without app.py
st.title(t("about_title"))
st.markdown(t("about_body"))
