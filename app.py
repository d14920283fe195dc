"""D2L Exercise Explorer — router only: pages, language, sidebar.  Run with `streamlit run app.py`."""

import os

# One torch thread per session: on a shared 2-core host, sessions that each ask for every core slow each other down
# (measured with `python -m bench.load`). Set OMP_NUM_THREADS before starting the app to override.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import streamlit as st  # after the thread settings: nothing may import torch before them

from exercises.links import app_base
from ui import i18n, shell

st.set_page_config(page_title="D2L Exercise Explorer", page_icon="📘", layout="wide")
i18n.sync_language()
page = st.navigation(shell.build_pages())
i18n.keep_language_in_url()
st.session_state["app_base"] = app_base(st.context.url, page.url_path)
shell.sidebar()
page.run()
shell.freeze_imported_modules()
