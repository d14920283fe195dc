"""Session state: the learner's progress for this browser session."""

from __future__ import annotations

import streamlit as st

from exercises import progress as prog
from ui.i18n import lang


def current_progress() -> dict:
    if "progress" not in st.session_state:
        st.session_state["progress"] = prog.new_progress(lang())
    return st.session_state["progress"]


def save_progress(new: dict) -> None:
    new["lang"] = lang()
    st.session_state["progress"] = new
