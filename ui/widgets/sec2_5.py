"""Section 2.5 widgets: what autograd does, run live (exercises 2.5.1–2.5.5)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from d2lcore import autograd, calculus
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import initial_value

# --- autograd vs the exact derivative (2.5.5 and the section demo) --------------------------------------------------

@st.cache_data(max_entries=32)
def _autograd_vs_sympy(fn_key: str) -> dict[str, Any]:
    return autograd.autograd_vs_sympy(calculus.FUNCTIONS_1D[fn_key])


def _autograd_plot_ui(key: str, initial: dict[str, Any], default_fn: str) -> dict[str, Any]:
    names = list(calculus.FUNCTIONS_1D)
    start = initial.get("fn") if initial.get("fn") in names else default_fn
    fn_key = st.selectbox(t("w2_5_function"), names, index=names.index(start),
                          format_func=lambda k: f"f(x) = {calculus.FUNCTIONS_1D[k].latex}", key=f"{key}-fn")
    r = _autograd_vs_sympy(fn_key)
    pole = calculus.FUNCTIONS_1D[fn_key].pole
    side = np.where(r["x"] < pole, "left", "right") if pole is not None else "all"  # no line across a pole
    df = pd.concat([
        pd.DataFrame({"x": r["x"], "y": r["f"], "curve": "f(x)", "piece": side}),
        pd.DataFrame({"x": r["x"], "y": r["autograd"], "curve": t("w2_5_autograd_curve"), "piece": side}),
        pd.DataFrame({"x": r["x"], "y": r["sympy"], "curve": t("w2_5_sympy_curve"), "piece": side}),
    ])
    y_lo, y_hi = np.percentile(np.concatenate([r["f"], r["autograd"]]), [2, 98])
    pad = 0.1 * (y_hi - y_lo) + 0.2
    chart = alt.Chart(df).mark_line(clip=True).encode(
        x="x:Q", y=alt.Y("y:Q", title="y", scale=alt.Scale(domain=[y_lo - pad, y_hi + pad])),
        color=alt.Color("curve:N", title=""), detail="piece:N",
        strokeDash=alt.StrokeDash("curve:N", legend=None, scale=alt.Scale(range=[[1, 0], [1, 0], [5, 4]])),
    )
    st.altair_chart(chart.properties(height=300), width="stretch")
    st.metric(t("w2_5_maxdiff"), f"{r['max_abs_diff']:.2e}")
    st.caption(t("w2_5_maxdiff_help"))
    return {"fn": fn_key}


def autograd_plot_widget(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """sin x and its autograd derivative; the sympy derivative dashed on top as the check (exercise 2.5.5)."""
    return _autograd_plot_ui(key, initial, "sin")


# --- the cost of second derivatives (2.5.1) -------------------------------------------------------------------------

@st.cache_data(max_entries=16)
def _costs(n: int, hessian: bool) -> dict[str, float]:
    return autograd.derivative_costs(n, repeats=5, hessian=hessian)


def second_derivative_cost_widget(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Forward, gradient, Hessian-vector product and full Hessian timed side by side for n parameters (2.5.1)."""
    sizes = [16, 32, 64, 128, 256, 512]
    n = st.select_slider(t("w2_5_n"), sizes, value=int(initial["n"]) if initial.get("n") in sizes else 128,
                         key=f"{key}-n")
    hessian = n <= 256
    cost = _costs(int(n), hessian)
    rows = [{"job": t(f"w2_5_job_{name}"), "ratio": seconds / cost["first"]} for name, seconds in cost.items()]
    chart = alt.Chart(pd.DataFrame(rows)).mark_bar().encode(
        x=alt.X("ratio:Q", title=t("w2_5_ratio_axis"), scale=alt.Scale(type="log")),
        y=alt.Y("job:N", title="", sort=None), tooltip=["job", alt.Tooltip("ratio:Q", format=".2f")])
    st.altair_chart(chart.properties(height=160), width="stretch")
    sizes_graph = autograd.derivative_graph_sizes()
    c1, c2, c3 = st.columns(3)
    c1.metric(t("w2_5_hvp_ratio"), f"{cost['hvp'] / cost['first']:.1f}×")
    c2.metric(t("w2_5_hessian_ratio"), f"{cost['hessian'] / cost['first']:.0f}×" if hessian else "—")
    c3.metric(t("w2_5_graph_nodes"), f"{sizes_graph['forward']} → {sizes_graph['gradient']}")
    st.caption(t("w2_5_cost_caption") + ("" if hessian else " " + t("w2_5_no_hessian")))
    return {"n": int(n)}


# --- backward twice (2.5.2) -----------------------------------------------------------------------------------------

def backward_twice_widget(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """y = 2xᵀx, backward called 1–4 times, with or without retain_graph and zeroing (exercise 2.5.2)."""
    c1, c2, c3 = st.columns(3)
    calls = c1.slider(t("w2_5_calls"), 1, 4, initial_value(initial, "calls", 2, 1, 4), key=f"{key}-calls")
    retain = c2.toggle("retain_graph=True", value=bool(initial_value(initial, "retain", 0, 0, 1)), key=f"{key}-retain")
    zero = c3.toggle(t("w2_5_zero"), value=bool(initial_value(initial, "zero", 0, 0, 1)), key=f"{key}-zero")
    steps = autograd.backward_twice(bool(retain), calls=int(calls), zero_grad=bool(zero))
    zero_line = "    x.grad.zero_()  # " + t("w2_5_zero") + "\n" if zero else ""
    st.code("x = torch.arange(4.0, dtype=torch.float64, requires_grad=True)\ny = 2 * torch.dot(x, x)\n"
            f"for i in range({calls}):\n{zero_line}    y.backward(retain_graph={bool(retain)})", language="python")
    for i, step in enumerate(steps, start=1):
        if step.error is not None:
            st.error(f"{t('w2_5_call', i=i)}: RuntimeError: {step.error}")
        else:
            st.success(f"{t('w2_5_call', i=i)}: x.grad = {[round(g, 6) for g in step.grad]}")
    return {"calls": int(calls), "retain": int(retain), "zero": int(zero)}


# --- control flow with a vector input (2.5.3) -----------------------------------------------------------------------

SHAPES = {"scalar": (), "vector": (4,), "matrix": (2, 3)}


def control_flow_widget(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """The book's f(a) with a scalar, vector or matrix a: d.backward(), then d.sum().backward() (exercise 2.5.3)."""
    c1, c2 = st.columns([2, 1])
    names = list(SHAPES)
    start = initial.get("shape") if initial.get("shape") in names else "vector"
    shape = c1.radio(t("w2_5_shape"), names, index=names.index(start), horizontal=True,
                     format_func=translated("w2_5_shape_"), key=f"{key}-shape")
    seed = c2.number_input(t("w2_5_seed"), 0, 9999, initial_value(initial, "seed", 0, 0, 9999), key=f"{key}-seed")
    a = np.random.default_rng(int(seed)).normal(size=SHAPES[shape]).round(2)
    if np.any(a == 0):
        a = np.where(a == 0, 0.01, a)  # d / a needs a ≠ 0
    run = autograd.control_flow_grad(a)
    st.code(f"a = torch.tensor({a.tolist()}, dtype=torch.float64, requires_grad=True)\nd = f(a)", language="python")
    if run["error"]:
        st.error(f"d.backward() → RuntimeError: {run['error']}")
    else:
        st.success(t("w2_5_scalar_ok"))
    c1, c2, c3 = st.columns(3)
    c1.markdown(f"`d = f(a)`\n\n```\n{np.array2string(run['d'], precision=2)}\n```")
    c2.markdown(f"`a.grad` ({t('w2_5_after_sum')})\n\n```\n{np.array2string(run['grad'], precision=2)}\n```")
    c3.markdown(f"`d / a`\n\n```\n{np.array2string(run['ratio'], precision=2)}\n```")
    st.caption(t("w2_5_control_caption", k=autograd.control_flow_steps(a), s=f"{autograd.control_flow_scale(a):g}"))
    return {"shape": shape, "seed": int(seed)}


# --- your own control flow (2.5.4) ----------------------------------------------------------------------------------

@st.cache_data(max_entries=8)
def _control_flow_exact(name: str) -> dict[str, np.ndarray]:
    """g and its autograd derivative on the grid: they do not depend on h, so moving h does not recompute them."""
    f, domain = autograd.CONTROL_FLOW[name]
    xs = np.linspace(*domain, 321)
    return {"x": xs, "g": autograd.pointwise_values(f, xs), "autograd": autograd.pointwise_autograd(f, xs)}


@st.cache_data(max_entries=32)
def _control_flow_curves(name: str, h: float) -> dict[str, np.ndarray]:
    f, _ = autograd.CONTROL_FLOW[name]
    r = _control_flow_exact(name)
    xs = r["x"]
    fd = (autograd.pointwise_values(f, xs + h) - autograd.pointwise_values(f, xs - h)) / (2 * h)
    return {**r, "fd": fd}


def own_control_flow_widget(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Functions with if / while: autograd vs central differences on a grid; they part ways at the jumps (2.5.4)."""
    names = list(autograd.CONTROL_FLOW)
    start = initial.get("fn") if initial.get("fn") in names else names[0]
    c1, c2 = st.columns(2)
    name = c1.selectbox(t("w2_5_cf_function"), names, index=names.index(start),
                        format_func=translated("w2_5_cf_"), key=f"{key}-fn")
    steps = [1e-1, 1e-2, 1e-3, 1e-4]
    h = c2.select_slider(t("w2_5_h"), steps, value=initial.get("h") if initial.get("h") in steps else 1e-3,
                         format_func=lambda v: f"{v:g}", key=f"{key}-h")
    r = _control_flow_curves(name, float(h))
    gap = np.abs(r["autograd"] - r["fd"])
    df = pd.concat([pd.DataFrame({"x": r["x"], "y": r[c], "curve": t(f"w2_5_curve_{c}")})
                    for c in ("g", "autograd", "fd")])
    lo, hi = np.percentile(np.concatenate([r["g"], r["autograd"]]), [1, 99])
    pad = 0.1 * (hi - lo) + 0.5
    chart = alt.Chart(df).mark_line(clip=True, point=alt.OverlayMarkDef(size=6)).encode(
        x="x:Q", y=alt.Y("y:Q", title="", scale=alt.Scale(domain=[lo - pad, hi + pad])),
        color=alt.Color("curve:N", title=""))
    st.altair_chart(chart.properties(height=300), width="stretch")
    st.caption(t("w2_5_cf_caption", bad=int(np.sum(gap > 1e-3)), n=len(gap)))
    return {"fn": name, "h": float(h)}


def section_demo(key: str) -> None:
    """§2.5 live demo: the derivative by autograd against sympy's exact derivative, for a function you pick."""
    _autograd_plot_ui(key, {}, "gauss")
