"""D2L Exercise Explorer — router only: pages, language, sidebar.  Run with `streamlit run app.py`."""

import streamlit as st

from exercises.links import app_base
from ui import i18n, shell

st.set_page_config(page_title="D2L Exercise Explorer", page_icon="📘", layout="wide")
i18n.sync_language()
page = st.navigation(shell.build_pages())
i18n.keep_language_in_url()
st.session_state["app_base"] = app_base(st.context.url, page.url_path)
shell.sidebar()
page.run()
