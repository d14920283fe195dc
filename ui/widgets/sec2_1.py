"""Section 2.1 widgets: element-wise comparison (2.1.1), the broadcasting explorer (2.1.2) and, as the section
demo, where `Y = Y + X`, `Y[:] = Y + X` and `Y += X` put their result."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import streamlit as st
import torch

from d2lcore import tensors
from ui.i18n import t
from ui.widgets import initial_value

OPS = {"eq": "==", "lt": "<", "gt": ">", "le": "<=", "ge": ">=", "ne": "!="}
MAX_AXES, MAX_SIZE = 4, 6
_SHAPE_WORD = re.compile(rf"^[1-{MAX_SIZE}](x[1-{MAX_SIZE}]){{0,{MAX_AXES - 1}}}$")


def _frame(T: torch.Tensor) -> pd.DataFrame:
    return pd.DataFrame(T.tolist(), columns=[str(j) for j in range(T.shape[1])])


def comparison(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Two editable 3 × 4 tensors and an operator → the bool mask X op Y (exercise 2.1.1)."""
    op_name = initial_value(initial, "op", "lt")
    op_name = op_name if op_name in OPS else "lt"
    c1, c2 = st.columns(2)
    c1.markdown("`X`")
    X_df = c1.data_editor(_frame(tensors.book_X()), key=f"{key}-X", hide_index=True, num_rows="fixed")
    c2.markdown("`Y`")
    Y_df = c2.data_editor(_frame(tensors.book_Y()), key=f"{key}-Y", hide_index=True, num_rows="fixed")
    op_name = st.radio(t("w2_1_op"), list(OPS), index=list(OPS).index(op_name), format_func=lambda o: f"X {OPS[o]} Y",
                       horizontal=True, key=f"{key}-op")
    X = torch.tensor(X_df.to_numpy(dtype="float32"))
    Y = torch.tensor(Y_df.to_numpy(dtype="float32"))
    mask = tensors.compare(X, Y, OPS[op_name])
    st.markdown(t("w2_1_mask", op=OPS[op_name]))
    st.dataframe(_frame(mask), hide_index=True)
    m1, m2, m3 = st.columns(3)
    m1.metric("dtype", str(mask.dtype))
    m2.metric(t("w2_1_true_count"), int(mask.sum()))
    m3.metric("shape", str(tuple(mask.shape)))
    st.caption(t("w2_1_mask_caption", equal=int(tensors.compare(X, Y, "==").sum())))
    if torch.isnan(X).any() or torch.isnan(Y).any():
        st.info(t("w2_1_nan"))
    return {"op": op_name}


def _shape_from_link(initial: dict[str, Any], name: str, default: tensors.Shape) -> tensors.Shape:
    """A shape from a share link: '2x1x4', a single size such as 3, or 's' for a scalar; else the default."""
    value = initial.get(name)
    if value == "s":
        return ()
    if isinstance(value, int) and 1 <= value <= MAX_SIZE:
        return (value,)
    if isinstance(value, str) and _SHAPE_WORD.match(value):
        return tuple(int(s) for s in value.split("x"))
    return default


def _shape_to_link(shape: tensors.Shape) -> str:
    return "x".join(str(s) for s in shape) or "s"


def shape_picker(key: str, label: str, default: tensors.Shape) -> tensors.Shape:
    """Number of axes (0–4), then one size (1–6) per axis."""
    cols = st.columns(MAX_AXES + 1)
    ndim = cols[0].number_input(t("w2_1_ndim", name=label), 0, MAX_AXES, len(default), key=f"{key}-n")
    return tuple(
        int(cols[k + 1].number_input(t("w2_1_size", k=k), 1, MAX_SIZE, default[k] if k < len(default) else 1,
                                     key=f"{key}-{k}"))
        for k in range(int(ndim))
    )


def _alignment_frame(a: tensors.Shape, b: tensors.Shape) -> pd.DataFrame:
    pairs = tensors.align_shapes(a, b)
    cell = lambda s: "·" if s is None else str(s)  # noqa: E731 - "·" marks a missing axis
    columns = [str(k - len(pairs)) for k in range(len(pairs))]  # dims counted from the right
    rows = {"A": [cell(m) for m, _ in pairs], "B": [cell(n) for _, n in pairs],
            "A + B": ["✗" if r is None else str(r) for r in (tensors.broadcast_axis(m, n) for m, n in pairs)]}
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns)


def broadcasting(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Two shapes → the right-aligned axes, the result shape and the expanded operands, or torch's error (2.1.2)."""
    a = shape_picker(f"{key}-a", "A", _shape_from_link(initial, "a", (3, 1)))
    b = shape_picker(f"{key}-b", "B", _shape_from_link(initial, "b", (1, 2)))
    st.caption(t("w2_1_code", a=str(a), b=str(b)))
    if a or b:
        st.dataframe(_alignment_frame(a, b))
    total, error = tensors.add_numbered(a, b)
    if error:
        st.error(t("w2_1_error", error=error))
        return {"a": _shape_to_link(a), "b": _shape_to_link(b)}
    st.success(t("w2_1_result", shape=str(list(total.shape))))
    A, B = tensors.expanded_operands(a, b)
    c1, c2, c3 = st.columns(3)
    c1.markdown(t("w2_1_expanded", name="A", stride=str(A.stride())))
    c1.code(str(A), language=None)
    c2.markdown(t("w2_1_expanded", name="B", stride=str(B.stride())))
    c2.code(str(B), language=None)
    c3.markdown("`A + B`")
    c3.code(str(total), language=None)
    st.caption(t("w2_1_expand_caption"))
    return {"a": _shape_to_link(a), "b": _shape_to_link(b)}


SHAPES = {"3x4": (3, 4), "1x4": (1, 4), "3x1": (3, 1)}


def section_demo(key: str) -> None:
    """Which of Y = Y + X, Y[:] = Y + X, Y += X keeps Y's memory (data_ptr) and what an alias Z = Y sees."""
    c1, c2 = st.columns(2)
    y_shape = c1.selectbox(t("w2_1_mem_y"), list(SHAPES), key=f"{key}-y", format_func=lambda s: s.replace("x", " × "))
    x_shape = c2.selectbox(t("w2_1_mem_x"), list(SHAPES), key=f"{key}-x", format_func=lambda s: s.replace("x", " × "))
    Y = torch.ones(SHAPES[y_shape])
    X = tensors.numbered(SHAPES[x_shape]).float()
    rows = []
    for statement in tensors.ASSIGNMENTS:
        out = tensors.assign_sum(statement, X, Y)
        rows.append({
            t("w2_1_mem_statement"): statement,
            t("w2_1_mem_shape"): "—" if out.Y is None else str(tuple(out.Y.shape)),
            t("w2_1_mem_ptr"): f"{out.ptr_before:#x} → {out.ptr_after:#x}",
            t("w2_1_mem_same"): "—" if out.error else (t("w2_1_yes") if out.same_memory else t("w2_1_no")),
            t("w2_1_mem_alias"): "—" if out.error else (t("w2_1_yes") if out.alias_updated else t("w2_1_no")),
            t("w2_1_mem_error"): out.error or "",
        })
    st.markdown(t("w2_1_mem_intro"))
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    st.caption(t("w2_1_mem_caption"))
