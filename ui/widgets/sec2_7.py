"""Section 2.7 demo: a documentation viewer — type a torch name, see what help() and dir() would show.

The name is resolved by d2lcore.docs.resolve_torch_name (dotted identifiers walked from the torch module, never
eval'ed); this module only draws the result.
"""

from __future__ import annotations

import streamlit as st

from d2lcore import docs
from ui.i18n import t

EXAMPLES = ("torch.ones", "torch.nn.Linear", "torch.distributions", "torch.Tensor.reshape", "torch.nn.functional.relu")


@st.cache_data(max_entries=64, show_spinner=False)
def _lookup(name: str) -> tuple[docs.Description | None, str, list[str]]:
    """(description, "", []) on success, else (None, reason, suggestions)."""
    try:
        return docs.describe(docs.resolve_torch_name(name), name.strip()), "", []
    except docs.DocLookupError as err:
        return None, err.reason, err.suggestions


def _use(key: str, name: str) -> None:
    st.session_state[f"{key}-name"] = name


def _show(d: docs.Description, key: str) -> None:
    st.markdown(t("w2_7_kind", name=d.name, kind=t(f"w2_7_kind_{d.kind}")))
    if d.signature is not None:
        st.code(f"{d.name}{d.signature}", language="python")
    elif d.kind in ("function", "method"):
        st.caption(t("w2_7_nosig"))
    if d.value is not None:
        st.code(d.value, language=None)
    if d.doc:
        with st.expander(t("w2_7_doc"), expanded=True):
            st.code(d.doc, language=None, wrap_lines=True)
    else:
        st.caption(t("w2_7_nodoc"))
    if d.members:
        query = st.text_input(t("w2_7_filter"), key=f"{key}-filter", max_chars=60).strip().lower()
        shown = [m for m in d.members if query in m.lower()]
        st.markdown(t("w2_7_members", name=d.name, shown=len(shown), total=len(d.members)))
        st.code(", ".join(shown) or "—", language=None, wrap_lines=True)


def section_demo(key: str) -> None:
    """Type a name such as torch.nn.Linear: signature, docstring and the public names that dir() lists."""
    st.caption(t("w2_7_intro"))
    with st.container(horizontal=True):
        for example in EXAMPLES:
            st.button(example, key=f"{key}-ex-{example}", on_click=_use, args=(key, example), width="content")
    if f"{key}-name" not in st.session_state:
        st.session_state[f"{key}-name"] = EXAMPLES[0]
    name = st.text_input(t("w2_7_name"), key=f"{key}-name", max_chars=docs.MAX_NAME_LENGTH)
    description, reason, suggestions = _lookup(name)
    if description is not None:
        _show(description, key)
        return
    st.warning(t(f"w2_7_err_{reason}", name=name[:60]))
    if suggestions:
        st.markdown(t("w2_7_suggest"))
        with st.container(horizontal=True):
            for s in suggestions:
                st.button(s, key=f"{key}-sug-{s}", on_click=_use, args=(key, s), width="content")
