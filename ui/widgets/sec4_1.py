"""Section 4.1 widgets: activation functions and their derivatives (section demo, 4.1.1), a random ReLU network on
one input with its exact kinks (4.1.2), tanh against the rescaled sigmoid (4.1.3), and a nonlinearity across the
minibatch (4.1.4). All analytic: numpy/torch on a grid, sympy derivatives cached per activation."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import sympy
import torch

from d2lcore import mlp
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import initial_value

X_GRID = np.linspace(-4, 4, 401)
SYM_X = sympy.Symbol("x")


@st.cache_data(max_entries=16, show_spinner=False)
def _activation_frame(name: str, alpha: float) -> pd.DataFrame:
    """The activation and its sympy derivative on X_GRID (NaN at the kink of relu/prelu)."""
    f = sympy.lambdify(SYM_X, mlp.activation_expr(name, SYM_X, alpha), "numpy")
    d = sympy.lambdify(SYM_X, mlp.activation_derivative_expr(name, SYM_X, alpha), "numpy")
    with np.errstate(divide="ignore", invalid="ignore"):
        y, dy = np.broadcast_to(f(X_GRID), X_GRID.shape), np.broadcast_to(d(X_GRID), X_GRID.shape)
    return pd.DataFrame({"x": X_GRID, "f": y.astype(float), "df": dy.astype(float)})


def _lines(frame: pd.DataFrame, series: dict[str, str], height: int = 260) -> alt.Chart:
    long = frame.melt("x", list(series), var_name="col", value_name="value").dropna()
    long["series"] = long["col"].map(series)
    return alt.Chart(long).mark_line().encode(
        x=alt.X("x:Q", title="x"), y=alt.Y("value:Q", title=None),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
        strokeDash=alt.StrokeDash("series:N", legend=None),
        tooltip=["series:N", alt.Tooltip("x:Q", format=".2f"), alt.Tooltip("value:Q", format=".4f")],
    ).properties(height=height)


def _activation_plot(key: str, name: str, alpha: float) -> None:
    frame = _activation_frame(name, alpha)
    st.altair_chart(_lines(frame, {"f": t("w4_1_function"), "df": t("w4_1_derivative")}), width="stretch")
    expr = mlp.activation_derivative_expr(name, SYM_X, sympy.Symbol("a") if name == "prelu" else None)
    st.latex(r"\frac{d}{dx}\,\mathrm{" + name + r"}(x) = " + sympy.latex(expr))


def section_demo(key: str) -> None:
    """Pick an activation; see it and its derivative (derived by sympy), with α for pReLU."""
    c1, c2 = st.columns([2, 3])
    name = c1.radio(t("w4_1_activation"), list(mlp.ACTIVATIONS[:4]), horizontal=True, key=f"{key}-act",
                    format_func=translated("w4_1_act_"))
    alpha = c2.slider(t("w4_1_alpha"), -1.0, 1.0, 0.25, 0.05, key=f"{key}-alpha", disabled=name != "prelu")
    _activation_plot(key, name, float(alpha))
    st.caption(t("w4_1_demo_caption"))


# --- 4.1.1 ---------------------------------------------------------------------------------------------------------


def prelu_derivative(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """pReLU and its derivative for the learner's α, with autograd's gradient at one point as a check."""
    c1, c2 = st.columns(2)
    alpha = c1.slider(t("w4_1_alpha"), -1.0, 1.0, initial_value(initial, "alpha", 0.25, -1.0, 1.0), 0.05,
                      key=f"{key}-alpha")
    x0 = c2.slider(t("w4_1_point"), -3.0, 3.0, initial_value(initial, "x0", -1.0, -3.0, 3.0), 0.1, key=f"{key}-x0")
    _activation_plot(key, "prelu", float(alpha))
    x = torch.tensor(float(x0), dtype=torch.float64, requires_grad=True)
    mlp.prelu(x, float(alpha)).backward()
    k = st.columns(3)
    k[0].metric(t("w4_1_value_at"), f"{float(mlp.prelu(x.detach(), float(alpha))):.4g}")
    k[1].metric(t("w4_1_autograd_at"), f"{float(x.grad):.4g}")
    k[2].metric(t("w4_1_slopes"), f"{1:g} / {float(alpha):g}")
    if x0 == 0:
        st.caption(t("w4_1_at_zero"))
    return {"alpha": float(alpha), "x0": float(x0)}


# --- 4.1.2 ---------------------------------------------------------------------------------------------------------


@st.cache_data(max_entries=64, show_spinner=False)
def _pieces(width: int, depth: int, seed: int, activation: str) -> dict[str, Any]:
    net = mlp.random_relu_net_1d(width, depth, torch.Generator().manual_seed(seed), activation)
    pl, f = mlp.piecewise_linear_form(net), mlp.net_1d(net)
    result = mlp.check_kinks(pl, f, -4.0, 4.0, 40001)
    kinks = result.exact
    return {"x": X_GRID.tolist(), "y": f(X_GRID).tolist(), "kx": kinks.tolist(), "ky": pl(kinks).tolist(),
            "total": len(pl.kinks()), "inside": len(kinks), "flags": len(result.flagged),
            "unexplained": result.unexplained, "missed": result.missed}


def relu_pieces(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """A random ReLU / pReLU network ℝ → ℝ: its output, its exact kinks, and the numerical check."""
    c1, c2, c3, c4 = st.columns(4)
    width = c1.slider(t("w4_1_width"), 1, 32, initial_value(initial, "width", 8, 1, 32), key=f"{key}-width")
    depth = c2.slider(t("w4_1_depth"), 1, 4, initial_value(initial, "depth", 2, 1, 4), key=f"{key}-depth")
    seed = c3.number_input(t("w4_1_seed"), 0, 9999, initial_value(initial, "seed", 0, 0, 9999), key=f"{key}-seed")
    act0 = initial.get("act", "relu")
    act = c4.radio(t("w4_1_activation"), ["relu", "prelu"], index=1 if act0 == "prelu" else 0, horizontal=True,
                   key=f"{key}-act", format_func=translated("w4_1_act_"))
    r = _pieces(int(width), int(depth), int(seed), str(act))
    line = alt.Chart(pd.DataFrame({"x": r["x"], "y": r["y"]})).mark_line().encode(
        x=alt.X("x:Q", title="x"), y=alt.Y("y:Q", title=t("w4_1_output")))
    dots = alt.Chart(pd.DataFrame({"x": r["kx"], "y": r["ky"]})).mark_point(
        color="#d62728", size=60, filled=True).encode(x="x:Q", y="y:Q", tooltip=[alt.Tooltip("x:Q", format=".4f")])
    st.altair_chart((line + dots).properties(height=280), width="stretch")
    k = st.columns(3)
    k[0].metric(t("w4_1_kinks_total"), r["total"])
    k[1].metric(t("w4_1_kinks_inside"), r["inside"])
    k[2].metric(t("w4_1_pieces_bound"), f"{int(width) + 1}" if int(depth) == 1 else "—")
    ok = r["unexplained"] == 0 and r["missed"] == 0
    (st.success if ok else st.warning)(t("w4_1_kink_check", flags=r["flags"], unexplained=r["unexplained"],
                                         missed=r["missed"]))
    return {"width": int(width), "depth": int(depth), "seed": int(seed), "act": str(act)}


# --- 4.1.3 ---------------------------------------------------------------------------------------------------------


def tanh_sigmoid(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """tanh(x) + 1 against c·sigmoid(k·x): the curves coincide exactly for c = 2, k = 2."""
    c1, c2 = st.columns(2)
    c = c1.slider(t("w4_1_outer"), 0.5, 3.0, initial_value(initial, "c", 2.0, 0.5, 3.0), 0.25, key=f"{key}-c")
    k = c2.slider(t("w4_1_inner"), 0.5, 3.0, initial_value(initial, "k", 1.0, 0.5, 3.0), 0.25, key=f"{key}-k")
    x = torch.tensor(X_GRID)
    lhs, rhs = mlp.tanh(x) + 1, c * mlp.sigmoid(k * x)
    frame = pd.DataFrame({"x": X_GRID, "lhs": lhs.numpy(), "rhs": rhs.numpy()})
    st.altair_chart(_lines(frame, {"lhs": "tanh(x) + 1", "rhs": f"{c:g}·sigmoid({k:g}x)"}), width="stretch")
    gap = float((lhs - rhs).abs().max())
    st.metric(t("w4_1_max_gap"), f"{gap:.2e}")
    lhs_s, rhs_s = mlp.tanh_sigmoid_identity(SYM_X)
    st.latex(r"\tanh(x) + 1 = " + sympy.latex(lhs_s) + r",\qquad 2\,\mathrm{sigmoid}(2x) = " + sympy.latex(rhs_s))
    return {"c": float(c), "k": float(k)}


# --- 4.1.4 ---------------------------------------------------------------------------------------------------------


def batch_nonlinearity(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """One fixed example in several random minibatches: its output under ReLU and under a softmax over the batch."""
    c1, c2 = st.columns(2)
    batch = c1.slider(t("w4_1_batch"), 1, 64, initial_value(initial, "batch", 16, 1, 64), key=f"{key}-batch")
    seed = c2.number_input(t("w4_1_seed"), 0, 9999, initial_value(initial, "seed", 0, 0, 9999), key=f"{key}-seed")
    g = torch.Generator().manual_seed(int(seed))
    x0 = torch.randn(1, 5, generator=g, dtype=torch.float64)
    rows = []
    for b in range(6):
        others = torch.randn(int(batch) - 1, 5, generator=g, dtype=torch.float64)
        H = torch.cat([x0, others])
        rows += [{"batch": b + 1, "unit": j + 1, "kind": t(f"w4_1_kind_{kind}"), "value": float(v)}
                 for kind, out in (("relu", mlp.relu(H)[0]), ("softmax", mlp.batchwise_softmax(H)[0]))
                 for j, v in enumerate(out)]
    frame = pd.DataFrame(rows)
    chart = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("batch:O", title=t("w4_1_which_batch")), y=alt.Y("value:Q", title=t("w4_1_output_of_x")),
        color=alt.Color("unit:N", title=t("w4_1_unit")), tooltip=["unit:N", alt.Tooltip("value:Q", format=".4f")]
    ).properties(height=180).facet(row=alt.Row("kind:N", title=None)).resolve_scale(y="independent")
    st.altair_chart(chart, width="stretch")
    spread = frame.groupby(["kind", "unit"])["value"].agg(lambda v: v.max() - v.min()).groupby("kind").max()
    k = st.columns(2)
    k[0].metric(t("w4_1_change_relu"), f"{spread[t('w4_1_kind_relu')]:.3g}")
    k[1].metric(t("w4_1_change_softmax"), f"{spread[t('w4_1_kind_softmax')]:.3g}")
    if int(batch) == 1:
        st.warning(t("w4_1_batch_one"))
    return {"batch": int(batch), "seed": int(seed)}
