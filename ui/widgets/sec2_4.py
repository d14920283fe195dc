"""Section 2.4 widgets: tangent lines, gradient fields and the chain rule (exercises 2.4.1–2.4.4)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import sympy as sp
import torch

from d2lcore import calculus
from d2lcore.autograd import autograd_derivative
from ui.charts import alt
from ui.i18n import t
from ui.widgets import initial_value

# --- tangent line (2.4.1) -------------------------------------------------------------------------------------------

@st.cache_data(max_entries=64)
def _tangent(fn_key: str, x0: float) -> dict[str, Any]:
    fn = calculus.FUNCTIONS_1D[fn_key]
    r = calculus.curve_and_tangent(fn, x0)
    return {"x": r["x"], "f": r["f"], "tangent": r["tangent"], "line": sp.latex(r["line"]), "slope": r["slope"],
            "f0": r["f0"], "auto": autograd_derivative(fn.torch_fn, [x0]).item(),
            "fd": float(calculus.central_difference(lambda v: fn.torch_fn(torch.tensor(v)).item(), x0))}


def _tangent_ui(key: str, initial: dict[str, Any], default_fn: str) -> dict[str, Any]:
    names = list(calculus.FUNCTIONS_1D)
    c1, c2 = st.columns([1, 2])
    start = initial.get("fn") if initial.get("fn") in names else default_fn
    fn_key = c1.selectbox(t("w2_4_function"), names, index=names.index(start),
                          format_func=lambda k: f"f(x) = {calculus.FUNCTIONS_1D[k].latex}", key=f"{key}-fn")
    fn = calculus.FUNCTIONS_1D[fn_key]
    x0 = c2.slider(t("w2_4_x0"), -3.0, 3.0, initial_value(initial, "x0", 1.0, -3.0, 3.0), 0.1, key=f"{key}-x0")
    if (fn.pole is not None and abs(x0 - fn.pole) < 0.15) or x0 < fn.domain[0]:
        st.warning(t("w2_4_pole", x0=f"{x0:g}"))
        return {"fn": fn_key, "x0": float(x0)}
    r = _tangent(fn_key, float(x0))
    side = np.where(r["x"] < (fn.pole if fn.pole is not None else -math.inf), "left", "right")
    df = pd.concat([
        pd.DataFrame({"x": r["x"], "y": r["f"], "curve": "f(x)", "piece": side}),
        pd.DataFrame({"x": r["x"], "y": r["tangent"], "curve": t("w2_4_tangent"), "piece": "line"}),
    ])
    y_lo, y_hi = np.percentile(r["f"], [3, 97])
    pad = 0.25 * (y_hi - y_lo) + 0.5
    lines = alt.Chart(df).mark_line(clip=True).encode(
        x=alt.X("x:Q"), y=alt.Y("y:Q", title="y", scale=alt.Scale(domain=[y_lo - pad, y_hi + pad])),
        color=alt.Color("curve:N", title=""), detail="piece:N",
    )
    point = alt.Chart(pd.DataFrame({"x": [x0], "y": [r["f0"]]})).mark_point(size=80, filled=True, color="black")
    st.altair_chart((lines + point).properties(height=300), width="stretch")
    st.latex(rf"y = {r['line']}")
    m1, m2, m3 = st.columns(3)
    m1.metric(t("w2_4_slope_sympy"), f"{r['slope']:.6g}")
    m2.metric(t("w2_4_slope_autograd"), f"{r['auto']:.6g}")
    m3.metric(t("w2_4_slope_fd"), f"{r['fd']:.6g}")
    return {"fn": fn_key, "x0": float(x0)}


def tangent_widget(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """f and its tangent at the learner's x₀ (exercise 2.4.1); x³ − 1/x first, other functions selectable."""
    return _tangent_ui(key, initial, "cubic_minus_reciprocal")


# --- gradient fields (2.4.2, 2.4.3) ---------------------------------------------------------------------------------

@st.cache_data(max_entries=64)
def _field(fn_key: str, n: int) -> dict[str, Any]:
    fn = calculus.FUNCTIONS_2D[fn_key]
    return {"arrows": calculus.gradient_field(fn.expr, fn.box, n),
            "surface": calculus.gradient_field(fn.expr, fn.box, 36),
            "grad": [sp.latex(g) for g in calculus.gradient(fn.expr, [calculus.x1, calculus.x2])]}


def _field_chart(fn_key: str, n: int, unit: bool) -> tuple[alt.Chart, np.ndarray]:
    """A heat map of f with gradient arrows (shafts as rules, heads as rotated triangles)."""
    r = _field(fn_key, n)
    lo, hi = calculus.FUNCTIONS_2D[fn_key].box
    A, S = r["arrows"], r["surface"]
    length = np.hypot(A["g1"], A["g2"])
    spacing = (hi - lo) / (n - 1)
    scale = 0.8 * spacing / np.where(length > 0, length, 1) if unit else 0.9 * spacing / max(length.max(), 1e-12)
    arrows = pd.DataFrame({"x1": A["x1"], "x2": A["x2"], "e1": A["x1"] + scale * A["g1"],
                           "e2": A["x2"] + scale * A["g2"], "norm": length,
                           "angle": 90 - np.degrees(np.arctan2(A["g2"], A["g1"]))})  # vega: degrees clockwise from up
    step = (hi - lo) / 35
    heat = alt.Chart(pd.DataFrame({"x1": S["x1"], "x2": S["x2"], "f": S["f"], "x1e": S["x1"] + step,
                                   "x2e": S["x2"] + step})).mark_rect(opacity=0.75).encode(
        x=alt.X("x1:Q", title="x₁", scale=alt.Scale(domain=[lo, hi + step])), x2="x1e:Q",
        y=alt.Y("x2:Q", title="x₂", scale=alt.Scale(domain=[lo, hi + step])), y2="x2e:Q",
        color=alt.Color("f:Q", title="f(x)", scale=alt.Scale(scheme="viridis")))
    shafts = alt.Chart(arrows).mark_rule(color="white", strokeWidth=1.6).encode(
        x="x1:Q", y="x2:Q", x2="e1:Q", y2="e2:Q", tooltip=["x1", "x2", "norm"])
    heads = alt.Chart(arrows).mark_point(shape="triangle", size=35, filled=True, color="white", opacity=1).encode(
        x="e1:Q", y="e2:Q", angle=alt.Angle("angle:Q", scale=None))
    return (heat + shafts + heads).properties(height=380, width=380), length


def _gradient_field_ui(key: str, initial: dict[str, Any], options: list[str], default_fn: str) -> dict[str, Any]:
    c1, c2, c3 = st.columns([2, 2, 1])
    fn_key = initial.get("fn") if initial.get("fn") in options else default_fn
    fn_key = c1.selectbox(t("w2_4_function2"), options, index=options.index(fn_key),
                          format_func=lambda k: f"f(x) = {calculus.FUNCTIONS_2D[k].latex}", key=f"{key}-fn")
    n = c2.slider(t("w2_4_grid"), 4, 16, initial_value(initial, "n", 10, 4, 16), 2, key=f"{key}-n")
    unit = c3.checkbox(t("w2_4_unit"), value=bool(initial_value(initial, "unit", 0, 0, 1)), key=f"{key}-unit")
    chart, length = _field_chart(fn_key, int(n), bool(unit))
    st.altair_chart(chart, width="content")
    g = _field(fn_key, int(n))["grad"]
    st.latex(rf"\nabla f = \begin{{bmatrix}} {g[0]} \\ {g[1]} \end{{bmatrix}}")
    st.caption(t("w2_4_lengths", lo=f"{length.min():.3g}", hi=f"{length.max():.3g}"))
    return {"fn": fn_key, "n": int(n), "unit": int(unit)}


def gradient_field_widget(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """∇(3x₁² + 5e^{x₂}) as arrows over a heat map of f (exercise 2.4.2)."""
    return _gradient_field_ui(key, initial, list(calculus.FUNCTIONS_2D), "book")


def norm_gradient_widget(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """∇‖x‖₂ (unit arrows) next to ∇‖x‖₂² = 2x (arrows growing with x) (exercise 2.4.3)."""
    return _gradient_field_ui(key, initial, ["norm", "squared_norm"], "norm")


# --- chain rule (2.4.4) ---------------------------------------------------------------------------------------------

@st.cache_data(max_entries=64)
def _chain(f: str, x: str, y: str, z: str, a0: float, b0: float) -> dict[str, Any]:
    u = calculus.OUTER[f]
    inner = {calculus.x: calculus.INNER[x], calculus.y: calculus.INNER[y], calculus.z: calculus.INNER[z]}
    composite = calculus.compose(u, inner)
    P = torch.tensor([a0, b0], dtype=torch.float64, requires_grad=True)
    sp.lambdify((calculus.a, calculus.b), composite, "torch")(P[0], P[1]).backward()
    rows = []
    for name, v, auto in (("a", calculus.a, P.grad[0].item()), ("b", calculus.b, P.grad[1].item())):
        rule = calculus.chain_rule(u, inner, v)
        direct = sp.diff(composite, v)
        at = {calculus.a: a0, calculus.b: b0}
        rows.append({"name": name, "terms": calculus.chain_rule_terms(u, inner, v), "rule": sp.latex(rule),
                     "values": (float(rule.subs(at)), float(direct.subs(at)), auto)})
    return {"rows": [{**r, "terms": [(sp.latex(p), sp.latex(q)) for p, q in r["terms"]]} for r in rows]}


def chain_rule_widget(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """u = f(x(a,b), y(a,b), z(a,b)) from fixed lists: chain-rule sum vs direct differentiation vs autograd (2.4.4)."""
    outer, inner = list(calculus.OUTER), list(calculus.INNER)
    defaults = {"f": "xy + z^2", "x": "a + b", "y": "ab", "z": r"\sin a"}
    cols = st.columns(4)
    chosen = {}
    for col, (name, pool) in zip(cols, [("f", outer), ("x", inner), ("y", inner), ("z", inner)], strict=True):
        start = initial.get(name) if initial.get(name) in pool else defaults[name]
        label = "u = f(x, y, z)" if name == "f" else f"{name}(a, b)"
        chosen[name] = col.selectbox(label, pool, index=pool.index(start), key=f"{key}-{name}")
    c1, c2 = st.columns(2)
    a0 = c1.slider("a", -2.0, 2.0, initial_value(initial, "a", 0.5, -2.0, 2.0), 0.1, key=f"{key}-a")
    b0 = c2.slider("b", -2.0, 2.0, initial_value(initial, "b", 1.0, -2.0, 2.0), 0.1, key=f"{key}-b")
    st.latex(rf"u = {chosen['f']},\quad x = {chosen['x']},\quad y = {chosen['y']},\quad z = {chosen['z']}")
    r = _chain(chosen["f"], chosen["x"], chosen["y"], chosen["z"], float(a0), float(b0))
    table = []
    for row in r["rows"]:
        terms = " + ".join(rf"\left({p}\right)\cdot\left({q}\right)" for p, q in row["terms"])
        st.latex(rf"\frac{{\partial u}}{{\partial {row['name']}}} = {terms} = {row['rule']}")
        rule, direct, auto = row["values"]
        table.append({t("w2_4_derivative"): f"∂u/∂{row['name']}", t("w2_4_chain_sum"): rule, t("w2_4_direct"): direct,
                      t("w2_4_autograd"): auto})
    st.caption(t("w2_4_chain_at", a=f"{a0:g}", b=f"{b0:g}"))
    st.dataframe(pd.DataFrame(table), hide_index=True)
    return {**chosen, "a": float(a0), "b": float(b0)}


def section_demo(key: str) -> None:
    """§2.4 live demo: a tangent line of any listed function, and the gradient field of a 2-D function."""
    st.markdown(f"**{t('w2_4_demo_tangent')}**")
    _tangent_ui(f"{key}-tan", {}, "cubic_minus_reciprocal")
    st.markdown(f"**{t('w2_4_demo_field')}**")
    _gradient_field_ui(f"{key}-grad", {}, list(calculus.FUNCTIONS_2D), "quadratic")
