"""Section 2.3 (线性代数 Linear algebra) widgets: transposes, len, keepdims, reductions, norms; the section demo."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import sympy as sp
import torch

from d2lcore import linalg
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import initial_value

P_VALUES = (0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 8.0, math.inf)
AXIS_CHOICES = ("all", "a0", "a1", "a2", "a01", "a02", "a12")  # "a12": axes 1 and 2; words survive share links


# ---------------------------------------------------------------- small views shared by several widgets


def _p_label(p: float) -> str:
    return "∞" if math.isinf(p) else f"{p:g}"


def _latex(M: torch.Tensor | sp.Matrix) -> str:
    return sp.latex(sp.Matrix(M.tolist()) if isinstance(M, torch.Tensor) else M)


def _heatmap(M: torch.Tensor, title: str, fmt: str = ".0f", scheme: str = "blues") -> alt.Chart:
    """An m×n matrix as coloured cells with their values written in."""
    rows, cols = M.shape
    df = pd.DataFrame([{"row": r, "col": c, "v": float(M[r, c])} for r in range(rows) for c in range(cols)])
    base = alt.Chart(df).encode(x=alt.X("col:O", title=None), y=alt.Y("row:O", title=None))
    cells = base.mark_rect().encode(color=alt.Color("v:Q", legend=None, scale=alt.Scale(scheme=scheme)))
    text = base.mark_text(fontSize=11).encode(text=alt.Text("v:Q", format=fmt))
    return (cells + text).properties(title=title, width=max(60, 34 * cols), height=max(40, 26 * rows))


def _shape_picker(key: str, initial: dict[str, Any], default: tuple[int, ...], min_axes: int = 0,
                  max_axes: int = 5, max_len: int = 6) -> tuple[int, ...]:
    """Number of axes, then the length of each axis."""
    k = st.slider(t("w2_3_n_axes"), min_axes, max_axes,
                  initial_value(initial, "k", len(default), min_axes, max_axes), key=f"{key}-k")
    cols = st.columns(max_axes)
    dims = []
    for a in range(k):
        start = default[a] if a < len(default) else 2
        dims.append(int(cols[a].number_input(t("w2_3_axis_len", a=a), 1, max_len,
                                             initial_value(initial, f"d{a}", start, 1, max_len), key=f"{key}-d{a}")))
    return tuple(dims)


def _shape_values(shape: tuple[int, ...]) -> dict[str, Any]:
    return {"k": len(shape), **{f"d{a}": d for a, d in enumerate(shape)}}


def _row_sums_view(key: str, m: int, n: int, keepdims: bool) -> None:
    """A / A.sum(axis=1[, keepdims]) for A = arange(m·n).reshape(m, n): the shapes lined up, then the result or
    torch's own error message."""
    A = linalg.section_matrix(m, n)
    s_shape = linalg.reduced_shape(A.shape, 1, keepdims)
    aligned = (1,) * (2 - len(s_shape)) + s_shape  # what broadcasting pairs with A, aligned on the right
    call = f"A.sum(axis=1{', keepdims=True' if keepdims else ''})"
    st.code(f"A{' ' * (len(call) - 1)}  shape {(m, n)}\n{call}  shape {s_shape}"
            f"  →  {t('w2_3_aligned')} {aligned}", language=None)
    out, err = linalg.attempt(linalg.divide_by_row_sums, A, keepdims)
    if err:
        st.error(f"`A / {call}` → {err}", icon="⛔")
        st.caption(t("w2_3_rule_fails", a=n, b=aligned[-1]))
        return
    row_sums = out.sum(dim=1) if out.dim() == 2 else out.sum()
    c1, c2 = st.columns([3, 2])
    c1.altair_chart(_heatmap(out, f"A / {call}  {tuple(out.shape)}", fmt=".2f"), width="content")
    c2.dataframe(pd.DataFrame({t("w2_3_row_sum"): [round(float(v), 4) for v in row_sums.reshape(-1)]}),
                 hide_index=False)
    if tuple(out.shape) != (m, n):
        st.warning(t("w2_3_silent_shape", shape=tuple(out.shape), m=m, n=n), icon="⚠️")
    elif not torch.allclose(row_sums, torch.ones_like(row_sums), equal_nan=False):
        st.warning(t("w2_3_silent_values"), icon="⚠️")
    else:
        st.success(t("w2_3_rows_ok"), icon="✅")


def _reduction_view(key: str, shape: tuple[int, ...], op: str, axis_text: str, keepdims: bool) -> None:
    """X = arange(n).reshape(shape); entries that end up in the same output cell share a colour."""
    X = torch.arange(math.prod(shape), dtype=torch.float32).reshape(shape)
    axis_arg = _axis_arg(axis_text)
    axis = None if axis_arg is None else (axis_arg,) if isinstance(axis_arg, int) else axis_arg
    Y = linalg.reduction(X, op, axis_arg, keepdims)
    kept = [d for d in range(len(shape)) if axis is not None and d not in axis]
    idx = np.indices(shape)  # (3, *shape): the index of every entry along every axis
    group = (np.ravel_multi_index(tuple(idx[d] for d in kept), tuple(shape[d] for d in kept))
             if kept else np.zeros(shape, dtype=int))
    df = pd.DataFrame([{"i0": i0, "i1": i1, "i2": i2, "v": float(X[i0, i1, i2]), "g": int(group[i0, i1, i2])}
                       for i0 in range(shape[0]) for i1 in range(shape[1]) for i2 in range(shape[2])])
    base = alt.Chart(df).encode(x=alt.X("i2:O", title=t("w2_3_axis_n", a=2)),
                                y=alt.Y("i1:O", title=t("w2_3_axis_n", a=1)))
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("g:N", legend=None, scale=alt.Scale(scheme="tableau20")))
    text = base.mark_text(fontSize=11).encode(text=alt.Text("v:Q", format=".0f"))
    picture = (cells + text).properties(width=32 * shape[2], height=26 * shape[1]).facet(
        column=alt.Column("i0:O", title=t("w2_3_axis_n", a=0)))
    st.altair_chart(picture, width="content")
    call = f"X.{op}({'' if axis is None else f'axis={axis_arg}'}{', keepdims=True' if keepdims else ''})"
    st.code(f">>> X.shape\n{tuple(X.shape)}\n>>> {call}.shape\n{tuple(Y.shape)}\n>>> {call}\n{Y}", language="python")
    st.caption(t("w2_3_same_colour", op=t(f"w2_3_op_{op}")))


# ---------------------------------------------------------------- exercise widgets


def transpose_twice(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """A, Aᵀ and (Aᵀ)ᵀ side by side for an m×n matrix; one entry followed through both transposes (2.3.1)."""
    c1, c2, c3 = st.columns(3)
    m = c1.slider(t("w2_3_rows"), 1, 5, initial_value(initial, "m", 2, 1, 5), key=f"{key}-m")
    n = c2.slider(t("w2_3_cols"), 1, 5, initial_value(initial, "n", 3, 1, 5), key=f"{key}-n")
    numbers = c3.toggle(t("w2_3_numbers"), initial_value(initial, "num", 0, 0, 1) == 1, key=f"{key}-num")
    A = (torch.randint(-9, 10, (m, n), generator=torch.Generator().manual_seed(m * 10 + n)) if numbers
         else linalg.entry_matrix("a", m, n))
    st.latex(rf"\underset{{{m}\times{n}}}{{\mathbf A = {_latex(A)}}} \quad "
             rf"\underset{{{n}\times{m}}}{{\mathbf A^\top = {_latex(A.T)}}} \quad "
             rf"\underset{{{m}\times{n}}}{{(\mathbf A^\top)^\top = {_latex(A.T.T)}}}")
    d1, d2 = st.columns(2)
    i = int(d1.number_input("i", 1, m, min(initial_value(initial, "i", 1, 1, 5), m), key=f"{key}-i"))
    j = int(d2.number_input("j", 1, n, min(initial_value(initial, "j", 2, 1, 5), n), key=f"{key}-j"))
    value = sp.latex(A[i - 1, j - 1]) if not numbers else str(int(A[i - 1, j - 1]))
    st.latex(rf"\big((\mathbf A^\top)^\top\big)_{{{i}{j}}} = (\mathbf A^\top)_{{{j}{i}}} = a_{{{i}{j}}} = {value}")
    gen = torch.Generator().manual_seed(0)
    same = all(torch.equal(R.T.T, R) for R in (torch.randn(m, n, generator=gen) for _ in range(100)))
    st.caption(t("w2_3_equal_random", m=m, n=n, ok="✅" if same else "❌"))
    return {"m": m, "n": n, "num": int(numbers), "i": i, "j": j}


def transpose_of_sum(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Aᵀ + Bᵀ next to (A + B)ᵀ for random integer matrices; for square ones also the product rule (2.3.2)."""
    c1, c2, c3 = st.columns(3)
    m = c1.slider(t("w2_3_rows"), 1, 5, initial_value(initial, "m", 2, 1, 5), key=f"{key}-m")
    n = c2.slider(t("w2_3_cols"), 1, 5, initial_value(initial, "n", 3, 1, 5), key=f"{key}-n")
    seed = int(c3.number_input(t("w2_3_seed"), 0, 9999, initial_value(initial, "seed", 0, 0, 9999), key=f"{key}-seed"))
    gen = torch.Generator().manual_seed(seed)
    A, B = (torch.randint(-5, 6, (m, n), generator=gen) for _ in range(2))
    st.latex(rf"\mathbf A = {_latex(A)} \quad \mathbf B = {_latex(B)}")
    st.latex(rf"\mathbf A^\top + \mathbf B^\top = {_latex(A.T + B.T)} \qquad "
             rf"(\mathbf A + \mathbf B)^\top = {_latex((A + B).T)}")
    equal = torch.equal(A.T + B.T, (A + B).T)
    st.caption(t("w2_3_sum_equal", ok="✅" if equal else "❌", shape=(n, m)))
    if m == n:
        wrong, right = (A @ B).T - A.T @ B.T, (A @ B).T - B.T @ A.T
        p1, p2 = st.columns(2)
        p1.metric(t("w2_3_prod_wrong"), int(wrong.abs().max()))
        p2.metric(t("w2_3_prod_right"), int(right.abs().max()))
    else:
        st.caption(t("w2_3_prod_square"))
    return {"m": m, "n": n, "seed": seed}


def symmetric_sum(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Heatmaps of a random A and of A + Aᵀ with the largest asymmetry |s_ij − s_ji|; non-square A fails (2.3.3)."""
    c1, c2, c3 = st.columns(3)
    m = c1.slider(t("w2_3_rows"), 1, 7, initial_value(initial, "m", 4, 1, 7), key=f"{key}-m")
    n = c2.slider(t("w2_3_cols"), 1, 7, initial_value(initial, "n", 4, 1, 7), key=f"{key}-n")
    seed = int(c3.number_input(t("w2_3_seed"), 0, 9999, initial_value(initial, "seed", 0, 0, 9999), key=f"{key}-seed"))
    A = torch.randint(-9, 10, (m, n), generator=torch.Generator().manual_seed(seed)).float()
    S, err = linalg.attempt(lambda M: M + M.T, A)
    if err:
        st.error(f"`A + A.T` → {err}", icon="⛔")
        st.caption(t("w2_3_not_square", m=m, n=n))
        return {"m": m, "n": n, "seed": seed}
    st.altair_chart(alt.hconcat(_heatmap(A, "A"), _heatmap(S, "A + Aᵀ", scheme="purples")), width="content")
    k1, k2 = st.columns(2)
    k1.metric(t("w2_3_asym", name="A"), f"{linalg.symmetry_defect(A):g}")
    k2.metric(t("w2_3_asym", name="A + Aᵀ"), f"{linalg.symmetry_defect(S):g}")
    return {"m": m, "n": n, "seed": seed}


def len_of_tensor(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Build a shape, see len(X) next to X.shape[0], X.ndim and X.numel() (2.3.4, 2.3.5)."""
    shape = _shape_picker(key, initial, (2, 3, 4))
    X = torch.zeros(shape)
    n, err = linalg.attempt(len, X)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("len(X)", "TypeError" if err else n)
    c2.metric("X.shape[0]", X.shape[0] if X.dim() else "—")
    c3.metric("X.ndim", X.ndim)
    c4.metric("X.numel()", X.numel())
    st.code(f">>> X = torch.zeros({', '.join(map(str, shape)) or '()'})\n>>> len(X)\n{err or n}\n"
            f">>> len(X.shape), X.numel()\n({X.ndim}, {X.numel()})", language="python")
    if err:
        st.warning(t("w2_3_len_scalar"), icon="⚠️")
    else:
        bars = pd.DataFrame([{"axis": f"{t('w2_3_axis_n', a=a)}", "length": d, "len": a == 0}
                             for a, d in enumerate(shape)])
        chart = alt.Chart(bars).mark_bar().encode(
            x=alt.X("length:Q", title=t("w2_3_length")), y=alt.Y("axis:N", title=None, sort=None),
            color=alt.condition("datum.len", alt.value("#d62728"), alt.value("#9ecae1")))
        st.altair_chart(chart.properties(height=28 * len(shape) + 20), width="stretch")
        st.caption(t("w2_3_len_caption", n=n))
    return _shape_values(shape)


def row_sums(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """A / A.sum(axis=1) for an m×n A, with or without keepdims: result or torch's error (2.3.6)."""
    c1, c2, c3 = st.columns(3)
    m = c1.slider(t("w2_3_rows"), 1, 8, initial_value(initial, "m", 5, 1, 8), key=f"{key}-m")
    n = c2.slider(t("w2_3_cols"), 2, 8, initial_value(initial, "n", 4, 2, 8), key=f"{key}-n")
    keepdims = c3.toggle("keepdims=True", initial_value(initial, "keep", 0, 0, 1) == 1, key=f"{key}-keep")
    _row_sums_view(key, m, n, keepdims)
    return {"m": m, "n": n, "keep": int(keepdims)}


def _reduction_controls(key: str, initial: dict[str, Any]) -> tuple[str, str, bool]:
    """sum or mean, the axes to reduce, keepdims."""
    c1, c2, c3 = st.columns(3)
    ops = ("sum", "mean")
    start_op, start_axis = initial_value(initial, "op", "sum"), initial_value(initial, "axis", "a0")
    op = c1.radio(t("w2_3_op"), ops, index=ops.index(start_op) if start_op in ops else 0,  # X.sum / X.mean
                  horizontal=True, key=f"{key}-op")
    axis = c2.selectbox(t("w2_3_axis"), AXIS_CHOICES,
                        index=AXIS_CHOICES.index(start_axis) if start_axis in AXIS_CHOICES else 1,
                        format_func=_axis_label, key=f"{key}-axis")
    keepdims = c3.toggle("keepdims=True", initial_value(initial, "keep", 0, 0, 1) == 1, key=f"{key}-keep")
    return op, axis, keepdims


def _axis_label(text: str) -> str:
    return t("w2_3_all_axes") if text == "all" else f"axis={_axis_arg(text)}"


def _shape_table(shape: tuple[int, ...]) -> pd.DataFrame:
    return pd.DataFrame([{"axis": _axis_label(a),
                          t("w2_3_shape"): str(linalg.reduced_shape(shape, _axis_arg(a), False)),
                          "keepdims=True": str(linalg.reduced_shape(shape, _axis_arg(a), True))}
                         for a in AXIS_CHOICES])


def _axis_arg(text: str) -> int | tuple[int, ...] | None:
    if text == "all":
        return None
    axes = tuple(int(a) for a in text[1:])
    return axes[0] if len(axes) == 1 else axes


def reduce_axes(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Sum or mean of a 3-axis tensor over the chosen axes, with the entries that merge coloured alike (2.3.7)."""
    c1, c2, c3 = st.columns(3)
    a = c1.slider(t("w2_3_axis_len", a=0), 1, 4, initial_value(initial, "a", 2, 1, 4), key=f"{key}-a")
    b = c2.slider(t("w2_3_axis_len", a=1), 1, 5, initial_value(initial, "b", 3, 1, 5), key=f"{key}-b")
    c = c3.slider(t("w2_3_axis_len", a=2), 1, 6, initial_value(initial, "c", 4, 1, 6), key=f"{key}-c")
    op, axis, keepdims = _reduction_controls(key, initial)
    _reduction_view(key, (a, b, c), op, axis, keepdims)
    with st.expander(t("w2_3_all_shapes")):
        st.dataframe(_shape_table((a, b, c)), hide_index=True)
    return {"a": a, "b": b, "c": c, "op": op, "axis": axis, "keep": int(keepdims)}


ORDS: dict[str, Any] = {"none": None, "o2": 2, "o1": 1, "oinf": math.inf, "fro": "fro", "nuc": "nuc"}
DIMS: dict[str, Any] = {"none": None, "last": -1, "last2": (-2, -1)}


def norm_of_tensor(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """torch.linalg.norm on a tensor of any shape next to √(Σ x²) by hand; try ord and dim (2.3.8)."""
    shape = _shape_picker(key, initial, (2, 3, 4), min_axes=1)
    c1, c2, c3 = st.columns(3)
    random = c1.toggle(t("w2_3_random_entries"), initial_value(initial, "rnd", 0, 0, 1) == 1, key=f"{key}-rnd")
    start_ord, start_dim = initial_value(initial, "ord", "none"), initial_value(initial, "dim", "none")
    ord_name = c2.selectbox("ord", list(ORDS), index=list(ORDS).index(start_ord) if start_ord in ORDS else 0,
                            format_func=lambda o: repr(ORDS[o]), key=f"{key}-ord")
    dim_name = c3.selectbox("dim", list(DIMS), index=list(DIMS).index(start_dim) if start_dim in DIMS else 0,
                            format_func=lambda d: repr(DIMS[d]), key=f"{key}-dim")
    X = (torch.randn(shape, generator=torch.Generator().manual_seed(0)) if random
         else torch.arange(math.prod(shape), dtype=torch.float32).reshape(shape))
    norm = torch.linalg.norm(X)
    m1, m2, m3 = st.columns(3)
    m1.metric("torch.linalg.norm(X)", f"{float(norm):.4f}")
    m2.metric("√(Σ x²)", f"{float(linalg.flat_l2(X)):.4f}")
    m3.metric("torch.linalg.matrix_norm(X)" if X.dim() >= 2 else "—",
              str([round(v, 2) for v in torch.linalg.matrix_norm(X).reshape(-1)[:4].tolist()]) if X.dim() >= 2
              else "—")
    out, err = linalg.attempt(torch.linalg.norm, X, ord=ORDS[ord_name], dim=DIMS[dim_name])
    call = f"torch.linalg.norm(X, ord={ORDS[ord_name]!r}, dim={DIMS[dim_name]!r})"
    st.code(f">>> X.shape\n{tuple(shape)}\n>>> {call}\n{err or out}", language="python")
    if err:
        st.error(err, icon="⛔")
    st.caption(t("w2_3_norm_caption", ok="✅" if torch.allclose(norm, linalg.flat_l2(X)) else "❌"))
    return {**_shape_values(shape), "rnd": int(random), "ord": ord_name, "dim": dim_name}


# ---------------------------------------------------------------- section demo


@st.cache_data(max_entries=16)
def _unit_ball(p: float) -> pd.DataFrame:
    xy = linalg.unit_ball_boundary(p, 721)
    return pd.DataFrame({"x": xy[:, 0].numpy(), "y": xy[:, 1].numpy(), "i": np.arange(len(xy))})


def _vector_norms_tab(key: str) -> None:
    d = st.slider(t("w2_3_dim"), 2, 6, 2, key=f"{key}-d")
    defaults = (3.0, -4.0, 1.0, 2.0, -1.0, 0.5)
    cols = st.columns(6)
    x = torch.tensor([float(cols[k].number_input(f"x{k + 1}", -100.0, 100.0, defaults[k], 0.5, key=f"{key}-x{k}"))
                      for k in range(d)], dtype=torch.float64)
    p = st.select_slider("p", P_VALUES, value=3.0, format_func=_p_label, key=f"{key}-p")
    rows = [(f"L{_p_label(q)}", q) for q in (1.0, 2.0, math.inf)] + [(f"L{_p_label(p)}  (p = {_p_label(p)})", p)]
    table = pd.DataFrame([{t("w2_3_norm"): name, "d2lcore.linalg.lp_norm": round(float(linalg.lp_norm(x, q)), 6),
                           "torch.linalg.vector_norm": round(float(torch.linalg.vector_norm(x, ord=q)), 6)}
                          for name, q in rows])
    st.dataframe(table, hide_index=True)
    if p < 1:
        st.warning(t("w2_3_quasi", p=_p_label(p)), icon="⚠️")
    ps = np.linspace(1, 20, 77)
    curve = pd.DataFrame({"p": ps, "norm": [float(linalg.lp_norm(x, float(q))) for q in ps]})
    line = alt.Chart(curve).mark_line().encode(x=alt.X("p:Q"), y=alt.Y("norm:Q", title="‖x‖_p"))
    inf_rule = alt.Chart(pd.DataFrame({"y": [float(linalg.lp_norm(x, math.inf))]})).mark_rule(
        strokeDash=[4, 4], color="#d62728").encode(y="y:Q")
    st.altair_chart((line + inf_rule).properties(height=200), width="stretch")
    st.caption(t("w2_3_p_to_inf"))


def _unit_ball_tab(key: str) -> None:
    p = st.select_slider("p", P_VALUES, value=0.5, format_func=_p_label, key=f"{key}-p")
    refs = pd.concat([_unit_ball(q).assign(p=f"p = {_p_label(q)}") for q in (1.0, 2.0, math.inf)])
    faint = alt.Chart(refs).mark_line(opacity=0.35, strokeDash=[3, 3]).encode(
        x="x:Q", y="y:Q", order="i:Q", color=alt.Color("p:N", title=None))
    ball = alt.Chart(_unit_ball(p)).mark_line(strokeWidth=3, color="#222").encode(
        x=alt.X("x:Q", scale=alt.Scale(domain=[-1.3, 1.3])), y=alt.Y("y:Q", scale=alt.Scale(domain=[-1.3, 1.3])),
        order="i:Q")
    mid = 0.5 * 2 ** (1 / p) if not math.isinf(p) else 0.5  # ‖(½, ½)‖_p, the midpoint of e₁ and e₂
    pts = pd.DataFrame([{"x": 1.0, "y": 0.0, "what": "e₁"}, {"x": 0.0, "y": 1.0, "what": "e₂"},
                        {"x": 0.5, "y": 0.5, "what": t("w2_3_midpoint")}])
    dots = alt.Chart(pts).mark_point(size=90, filled=True).encode(
        x="x:Q", y="y:Q", shape=alt.Shape("what:N", title=None),
        color=alt.value("#d62728" if mid > 1 else "#2ca02c"))
    st.altair_chart((faint + ball + dots).properties(width=360, height=360), width="content")
    e1, e2 = torch.tensor([1.0, 0.0], dtype=torch.float64), torch.tensor([0.0, 1.0], dtype=torch.float64)
    gap = linalg.triangle_gap(e1, e2, p)
    if linalg.is_norm(p):
        st.success(t("w2_3_is_norm", p=_p_label(p), mid=f"{mid:.3f}"), icon="✅")
    else:
        st.warning(t("w2_3_not_norm", p=_p_label(p), lhs=f"{2 ** (1 / p):.3f}", gap=f"{gap:.3f}",
                     mid=f"{mid:.3f}"), icon="⚠️")


@st.cache_data(max_entries=8)
def _outlier_shares(n: int, seed: int) -> pd.DataFrame:
    e = torch.from_numpy(np.random.default_rng(seed).normal(0, 1, n))
    sizes = np.linspace(0, 50, 101)
    return pd.DataFrame([{"o": float(o), "loss": name,
                          "share": linalg.loss_share(torch.cat([e, e.new_tensor([o])]), -1, q)}
                         for o in sizes for name, q in (("L1  Σ|e|", 1.0), ("L2²  Σe²", 2.0))])


def _outlier_tab(key: str) -> None:
    n, seed = 20, 0
    o = st.slider(t("w2_3_outlier"), 0.0, 50.0, 20.0, 0.5, key=f"{key}-out")
    e = torch.from_numpy(np.random.default_rng(seed).normal(0, 1, n))
    x = torch.cat([e, e.new_tensor([o])])
    mean_shift = float(linalg.l2_center(x) - linalg.l2_center(e))
    median_shift = float(linalg.l1_center(x) - linalg.l1_center(e))
    pts = pd.DataFrame({"x": x.numpy(), "y": 0.0, "outlier": [False] * n + [True]})
    dots = alt.Chart(pts).mark_circle(size=70, opacity=0.8).encode(
        x=alt.X("x:Q", title="e"), y=alt.Y("y:Q", axis=None),
        color=alt.condition("datum.outlier", alt.value("#d62728"), alt.value("#1f77b4")))
    fits = pd.DataFrame([{"c": float(linalg.l2_center(x)), "fit": t("w2_3_mean_fit")},
                         {"c": float(linalg.l1_center(x)), "fit": t("w2_3_median_fit")}])
    rules = alt.Chart(fits).mark_rule(strokeWidth=3).encode(
        x="c:Q", color=alt.Color("fit:N", title=None, scale=alt.Scale(range=["#ff7f0e", "#2ca02c"]),
                                 legend=alt.Legend(orient="bottom", labelLimit=400)))
    st.altair_chart((dots + rules).properties(height=120), width="stretch")
    k1, k2, k3, k4 = st.columns(4)
    k1.metric(t("w2_3_mean_shift"), f"{mean_shift:+.3f}")
    k2.metric(t("w2_3_median_shift"), f"{median_shift:+.3f}")
    k3.metric(t("w2_3_share", p="1"), f"{linalg.loss_share(x, -1, 1):.0%}")
    k4.metric(t("w2_3_share", p="2²"), f"{linalg.loss_share(x, -1, 2):.0%}")
    curves = alt.Chart(_outlier_shares(n, seed)).mark_line().encode(
        x=alt.X("o:Q", title=t("w2_3_outlier")), y=alt.Y("share:Q", title=t("w2_3_share_axis"),
                                                         axis=alt.Axis(format="%")),
        color=alt.Color("loss:N", title=None, scale=alt.Scale(range=["#2ca02c", "#ff7f0e"])))
    now = alt.Chart(pd.DataFrame({"o": [o]})).mark_rule(strokeDash=[4, 4]).encode(x="o:Q")
    st.altair_chart((curves + now).properties(height=220), width="stretch")
    st.caption(t("w2_3_outlier_caption", n=n))


def _frobenius_tab(key: str) -> None:
    c1, c2, c3 = st.columns(3)
    m = c1.slider(t("w2_3_rows"), 1, 9, 4, key=f"{key}-fm")
    n = c2.slider(t("w2_3_cols"), 1, 9, 9, key=f"{key}-fn")
    ones = c3.toggle(t("w2_3_all_ones"), True, key=f"{key}-ones")
    X = (torch.ones(m, n, dtype=torch.float64) if ones
         else torch.randint(-5, 6, (m, n), generator=torch.Generator().manual_seed(0)).double())
    st.altair_chart(_heatmap(X, f"X  {(m, n)}"), width="content")
    k1, k2, k3 = st.columns(3)
    k1.metric("d2lcore frobenius_norm(X)", f"{float(linalg.frobenius_norm(X)):.4f}")
    k2.metric("torch.linalg.matrix_norm(X)", f"{float(torch.linalg.matrix_norm(X)):.4f}")
    k3.metric("‖vec(X)‖₂", f"{float(linalg.lp_norm(X.reshape(-1), 2)):.4f}")
    if ones:
        st.caption(t("w2_3_fro_ones", m=m, n=n, v=f"{math.sqrt(m * n):.4f}"))


def _reductions_tab(key: str) -> None:
    op, axis, keepdims = _reduction_controls(key, {})
    _reduction_view(key, (2, 3, 4), op, axis, keepdims)
    st.dataframe(_shape_table((2, 3, 4)), hide_index=True)


def _keepdims_tab(key: str) -> None:
    keepdims = st.toggle("keepdims=True", False, key=f"{key}-keep")
    st.code("A = torch.arange(20, dtype=torch.float32).reshape(5, 4)", language="python")
    _row_sums_view(key, 5, 4, keepdims)


DEMO_VIEWS = {"norms": "_vector_norms_tab", "ball": "_unit_ball_tab", "outlier": "_outlier_tab",
              "fro": "_frobenius_tab", "reduce": "_reductions_tab", "keepdims": "_keepdims_tab"}
VIEW_KEYS = {"norms": "vec", "ball": "ball", "outlier": "outl", "fro": "fro", "reduce": "red", "keepdims": "keep"}


def section_demo(key: str) -> None:
    """Norms (vector, unit balls, outliers, Frobenius), reductions with an axis picker, and keepdims.

    One view at a time: only the chosen view runs, so moving a control stays fast.
    """
    view = st.radio(t("w2_3_view"), list(DEMO_VIEWS), format_func=translated("w2_3_tab_"), horizontal=True,
                    key=f"{key}-view", label_visibility="collapsed")
    globals()[DEMO_VIEWS[view]](f"{key}-{VIEW_KEYS[view]}")
