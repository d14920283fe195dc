"""About the app: what it does, how answers are verified, the data it uses."""

import streamlit as st

from ui.i18n import t

st.title(t("about_title"))
st.markdown(t("about_body"))
