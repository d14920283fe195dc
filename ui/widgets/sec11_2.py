"""Section 11.2 widgets: the segment test of convexity (11.2.1a/b), L_p balls (11.2.2), max and min of convex
functions (11.2.3), the log-sum-exp Hessian (11.2.4), projection onto a line (11.2.5/6), the Lagrange remainder
(11.2.7), the L1 prox and L1-ball projection (11.2.8a/b), non-expansive projections (11.2.9), and the section demo:
Jensen's gap."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import sympy as sp
import torch

from d2lcore import convexity as cx
from d2lcore.linalg import lp_norm
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import initial_value


def _pick(initial: dict[str, Any], name: str, default: str, options: list[str]) -> int:
    value = initial.get(name)
    return options.index(value) if value in options else options.index(default)


def _points(frame: pd.DataFrame, size: int = 60) -> alt.Chart:
    return alt.Chart(frame).mark_point(filled=True, size=size).encode(
        x="x:Q", y="y:Q", color=alt.Color("what:N", title=None, legend=alt.Legend(orient="bottom")))


def _square(chart: alt.Chart, lim: float) -> alt.Chart:
    scale = alt.Scale(domain=[-lim, lim], nice=False)
    return chart.encode(x=alt.X("x:Q", scale=scale), y=alt.Y("y:Q", scale=scale))


# --- 11.2.1a/b: segment test ---------------------------------------------------------------------------------------


@st.cache_data(max_entries=16, show_spinner=False)
def _segment_tests(shape: str) -> dict[str, float]:
    return cx.segment_tests(cx.SHAPES[shape])


def segment_test(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """One of four shapes and the violation rates of the random-pair, boundary-pair and vertex-pair tests."""
    names = list(cx.SHAPES)
    shape = st.radio(t("w11_2_shape"), names, _pick(initial, "shape", "holed", names), horizontal=True,
                     format_func=translated("w11_2_shape_"), key=f"{key}-shape")
    s = cx.SHAPES[shape]
    grid = torch.stack(torch.meshgrid(torch.linspace(0, 1, 60, dtype=torch.float64),
                                      torch.linspace(0, 1, 60, dtype=torch.float64), indexing="xy"), -1).reshape(-1, 2)
    inside = grid[s.inside(grid)].numpy()
    V = s.vertices.numpy()
    cells = alt.Chart(pd.DataFrame(inside, columns=["x", "y"])).mark_square(size=30, color="#9ecae1").encode(
        x=alt.X("x:Q", scale=alt.Scale(domain=[-0.05, 1.05])), y=alt.Y("y:Q", scale=alt.Scale(domain=[-0.05, 1.05])))
    verts = alt.Chart(pd.DataFrame(V, columns=["x", "y"])).mark_point(filled=True, size=90, color="#d62728").encode(
        x="x:Q", y="y:Q")
    st.altair_chart((cells + verts).properties(height=280), width="stretch")
    rates = _segment_tests(shape)
    cols = st.columns(3)
    for col, test in zip(cols, ("random", "boundary", "vertex"), strict=True):
        col.metric(t(f"w11_2_test_{test}"), f"{100 * rates[test]:.0f}%")
    st.caption(t("w11_2_segment_caption"))
    return {"shape": shape}


# --- 11.2.2: L_p balls ---------------------------------------------------------------------------------------------


def lp_ball(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """The 2-D unit L_p ball for any p > 0 and the pair of its boundary points whose midpoint lies farthest out."""
    p = st.slider("p", 0.2, 4.0, initial_value(initial, "p", 0.5, 0.2, 4.0), 0.05, key=f"{key}-p")
    th = torch.linspace(0, 2 * math.pi, 361, dtype=torch.float64)
    U = torch.stack([th.cos(), th.sin()], -1)
    B = U / lp_norm(U, float(p), dim=-1)[:, None]
    x, y, worst = cx.worst_lp_midpoint(float(p))
    mid = (x + y) / 2
    ball = alt.Chart(pd.DataFrame({"x": B[:, 0], "y": B[:, 1], "i": range(len(B))})).mark_line(color="#1f77b4").encode(
        order="i:Q")
    seg = pd.DataFrame({"x": [float(x[0]), float(y[0])], "y": [float(x[1]), float(y[1])]})
    pts = pd.DataFrame({"x": [float(x[0]), float(y[0]), float(mid[0])], "y": [float(x[1]), float(y[1]), float(mid[1])],
                        "what": [t("w11_2_pair")] * 2 + [t("w11_2_midpoint")]})
    chart = _square(ball, 1.3) + _square(alt.Chart(seg).mark_line(color="#d62728", strokeDash=[4, 3]), 1.3) + \
        _square(_points(pts), 1.3)
    st.altair_chart(chart.properties(height=320, width=320), width="content")
    k1, k2 = st.columns(2)
    k1.metric(t("w11_2_worst_mid"), f"{worst:.4f}")
    k2.metric(t("w11_2_convex"), t("w11_2_yes") if worst <= 1 + 1e-9 else t("w11_2_no"))
    return {"p": float(p)}


# --- 11.2.3: max and min -------------------------------------------------------------------------------------------

FUNCTIONS = {"sq_right": lambda x: (x - 1) ** 2, "sq_left": lambda x: (x + 1) ** 2, "abs": np.abs,
             "exp": np.exp, "quartic": lambda x: x**4 / 4, "linear": lambda x: 0.5 * x + 1, "sq_up": lambda x: x**2 + 1}


def max_min(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Two convex functions, their pointwise max and min, and a convexity check by second differences."""
    names = list(FUNCTIONS)
    c1, c2 = st.columns(2)
    label = translated("w11_2_fn_")
    f = c1.selectbox("f", names, _pick(initial, "f", "sq_right", names), format_func=label, key=f"{key}-f")
    g = c2.selectbox("g", names, _pick(initial, "g", "sq_left", names), format_func=label, key=f"{key}-g")
    x = np.linspace(-2.5, 2.5, 401)
    curves = {"f": FUNCTIONS[f](x), "g": FUNCTIONS[g](x)}
    curves["max"], curves["min"] = np.maximum(curves["f"], curves["g"]), np.minimum(curves["f"], curves["g"])
    frame = pd.concat([pd.DataFrame({"x": x, "value": v, "curve": k}) for k, v in curves.items()])
    st.altair_chart(alt.Chart(frame).mark_line(strokeWidth=2).encode(
        x="x:Q", y=alt.Y("value:Q", scale=alt.Scale(domain=[-0.5, 6], clamp=True), title=None),
        color=alt.Color("curve:N", title=None, legend=alt.Legend(orient="bottom")),
        strokeDash=alt.condition(alt.datum.curve == "min", alt.value([6, 3]), alt.value([1, 0]))
    ).properties(height=260), width="stretch")
    k1, k2 = st.columns(2)
    for col, name in ((k1, "max"), (k2, "min")):
        ok = cx.second_difference_min(curves[name]) >= -1e-9
        col.metric(t("w11_2_is_convex", name=name), t("w11_2_yes") if ok else t("w11_2_no"))
    st.caption(t("w11_2_maxmin_caption"))
    return {"f": f, "g": g}


# --- 11.2.4: log-sum-exp -------------------------------------------------------------------------------------------


def lse_hessian(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """log(e^{x1} + e^{x2}) as a heat map; the Hessian at a point by autograd and its eigenvalues."""
    c1, c2 = st.columns(2)
    x1 = c1.slider("x₁", -3.0, 3.0, initial_value(initial, "x1", 1.0, -3.0, 3.0), 0.1, key=f"{key}-x1")
    x2 = c2.slider("x₂", -3.0, 3.0, initial_value(initial, "x2", 0.0, -3.0, 3.0), 0.1, key=f"{key}-x2")
    g = torch.linspace(-3, 3, 31, dtype=torch.float64)
    X1, X2 = torch.meshgrid(g, g, indexing="xy")
    F = torch.logsumexp(torch.stack([X1, X2], -1), dim=-1)
    heat = alt.Chart(pd.DataFrame({"x1": X1.reshape(-1), "x2": X2.reshape(-1), "f": F.reshape(-1)})).mark_rect().encode(
        x=alt.X("x1:O", title="x₁", axis=alt.Axis(values=[-3.0, 0.0, 3.0])),
        y=alt.Y("x2:O", title="x₂", sort="descending", axis=alt.Axis(values=[-3.0, 0.0, 3.0])),
        color=alt.Color("f:Q", scale=alt.Scale(scheme="viridis"), title="f"))
    st.altair_chart(heat.properties(height=260), width="stretch")
    point = torch.tensor([float(x1), float(x2)], dtype=torch.float64)
    H = torch.autograd.functional.hessian(lambda z: torch.logsumexp(z, 0), point)
    lam = torch.linalg.eigvalsh(H)
    k1, k2, k3 = st.columns(3)
    k1.metric("λ_min", f"{float(lam[0]):.2e}")
    k2.metric("λ_max", f"{float(lam[1]):.4f}")
    k3.metric("2·p₁·p₂", f"{2 * float(torch.softmax(point, 0).prod()):.4f}")
    st.caption(t("w11_2_lse_caption"))
    return {"x1": float(x1), "x2": float(x2)}


# --- 11.2.5/6: projection onto a line ------------------------------------------------------------------------------


def affine_projection(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Project points onto the line {x : wᵀx = b} in 2-D; for b = 0 the map is x ↦ Mx, for b ≠ 0 it is affine."""
    c1, c2 = st.columns(2)
    angle = c1.slider(t("w11_2_angle"), 0, 180, initial_value(initial, "angle", 30, 0, 180), 5, key=f"{key}-angle")
    b = c2.slider("b", -1.5, 1.5, initial_value(initial, "b", 0.0, -1.5, 1.5), 0.1, key=f"{key}-b")
    a = math.radians(angle)
    W = torch.tensor([[math.cos(a), math.sin(a)]], dtype=torch.float64)
    bt = torch.tensor([float(b)], dtype=torch.float64)
    X = 2 * torch.rand(8, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64) - 1
    P = cx.project_affine(W, bt, X)
    d = torch.tensor([-math.sin(a), math.cos(a)], dtype=torch.float64)
    line = torch.stack([W[0] * float(b) + s * d for s in (-3.0, 3.0)])
    rules = pd.DataFrame({"x": X[:, 0], "y": X[:, 1], "x2": P[:, 0], "y2": P[:, 1]})
    pts = pd.concat([pd.DataFrame({"x": X[:, 0], "y": X[:, 1], "what": t("w11_2_points")}),
                     pd.DataFrame({"x": P[:, 0], "y": P[:, 1], "what": t("w11_2_projections")})])
    lim = 2.0
    chart = _square(alt.Chart(pd.DataFrame({"x": line[:, 0], "y": line[:, 1]})).mark_line(color="#444"), lim) + \
        _square(alt.Chart(rules).mark_rule(color="#aaa"), lim).encode(x2="x2:Q", y2="y2:Q") + _square(_points(pts), lim)
    st.altair_chart(chart.properties(height=320, width=320), width="content")
    x, y = X[0], X[1]
    lin = float((cx.project_affine(W, bt, x + y) - cx.project_affine(W, bt, x) - cx.project_affine(W, bt, y)).norm())
    M = torch.eye(2, dtype=torch.float64) - W.T @ torch.linalg.solve(W @ W.T, W)
    k1, k2 = st.columns(2)
    k1.metric(t("w11_2_linearity"), f"{lin:.2e}")
    k2.metric(t("w11_2_on_line"), f"{float((P @ W.T - bt).abs().max()):.1e}")
    st.dataframe(pd.DataFrame(M.numpy(), columns=["M·,1", "M·,2"]).round(4), hide_index=True)
    st.caption(t("w11_2_affine_caption"))
    return {"angle": int(angle), "b": float(b)}


# --- 11.2.7: the Lagrange remainder --------------------------------------------------------------------------------


def taylor_xi(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """f'' on [x, x + ε] and the level 2(f(x + ε) − f(x) − εf'(x))/ε² that it reaches at x + ξ."""
    from solutions.ch11_s2 import TAYLOR, taylor_function

    names = list(TAYLOR)
    c1, c2 = st.columns(2)
    name = c1.radio(t("w11_2_function"), names, _pick(initial, "f", "exp", names), horizontal=True,
                    format_func=translated("w11_2_taylor_"), key=f"{key}-f")
    eps = c2.slider("ε", 0.1, 3.0, initial_value(initial, "eps", 1.0, 0.1, 3.0), 0.1, key=f"{key}-eps")
    x = sp.Symbol("x")
    f, x0 = taylor_function(name), TAYLOR[name][1]
    xi = cx.taylor_xi(f, x, x0, float(eps))
    f2 = sp.lambdify(x, sp.diff(f, x, 2), "numpy")
    grid = np.linspace(x0, x0 + float(eps), 200)
    level = float(f2(x0 + xi))
    curve = alt.Chart(pd.DataFrame({"x": grid, "f2": f2(grid)})).mark_line().encode(x="x:Q", y=alt.Y("f2:Q",
                                                                                                   title="f″(x)"))
    rule = alt.Chart(pd.DataFrame({"f2": [level]})).mark_rule(color="#d62728", strokeDash=[4, 3]).encode(y="f2:Q")
    dot = alt.Chart(pd.DataFrame({"x": [x0 + xi], "f2": [level]})).mark_point(
        filled=True, size=90, color="#d62728").encode(x="x:Q", y="f2:Q")
    st.altair_chart((curve + rule + dot).properties(height=240), width="stretch")
    k1, k2 = st.columns(2)
    k1.metric("ξ", f"{xi:.4f}")
    k2.metric("ξ / ε", f"{xi / float(eps):.3f}")
    st.caption(t("w11_2_taylor_caption"))
    return {"f": name, "eps": float(eps)}


# --- 11.2.8a/b: L1 prox and projection -----------------------------------------------------------------------------


def l1_projection(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """w in 2-D, the path of the soft-thresholded w′(λ), the chosen λ, and the projection onto the L1 ball."""
    c1, c2, c3 = st.columns(3)
    w1 = c1.slider("w₁", -2.0, 2.0, initial_value(initial, "w1", 1.5, -2.0, 2.0), 0.05, key=f"{key}-w1")
    w2 = c2.slider("w₂", -2.0, 2.0, initial_value(initial, "w2", -0.7, -2.0, 2.0), 0.05, key=f"{key}-w2")
    lam = c3.slider("λ", 0.0, 4.0, initial_value(initial, "lam", 1.0, 0.0, 4.0), 0.05, key=f"{key}-lam")
    w = torch.tensor([float(w1), float(w2)], dtype=torch.float64)
    lams = torch.linspace(0, 4, 81, dtype=torch.float64)
    path = cx.l1_prox(w.expand(81, 2), lams[:, None])
    theta = float(cx.l1_ball_threshold(w))
    wp, proj = cx.l1_prox(w, float(lam)), cx.project_l1_ball(w)
    diamond = pd.DataFrame({"x": [1, 0, -1, 0, 1], "y": [0, 1, 0, -1, 0], "i": range(5)})
    pts = pd.DataFrame({"x": [w1, float(wp[0]), float(proj[0])], "y": [w2, float(wp[1]), float(proj[1])],
                        "what": ["w", t("w11_2_prox"), t("w11_2_proj")]})
    lim = 2.1
    chart = _square(alt.Chart(diamond).mark_line(color="#444").encode(order="i:Q"), lim) + \
        _square(alt.Chart(pd.DataFrame({"x": path[:, 0], "y": path[:, 1]})).mark_line(color="#aaa",
                                                                                      strokeDash=[4, 3]), lim) + \
        _square(_points(pts, 90), lim)
    st.altair_chart(chart.properties(height=320, width=320), width="content")
    k1, k2, k3 = st.columns(3)
    k1.metric("‖w′(λ)‖₁", f"{float(wp.abs().sum()):.3f}")
    k2.metric("θ", f"{theta:.3f}")
    k3.metric(t("w11_2_lam_star"), f"{2 * theta:.3f}")
    st.caption(t("w11_2_l1_caption"))
    return {"w1": float(w1), "w2": float(w2), "lam": float(lam)}


# --- 11.2.9: non-expansive projections -----------------------------------------------------------------------------

CIRCLE = [(math.cos(a), math.sin(a)) for a in np.linspace(0, 2 * math.pi, 73)]
SET_OUTLINES = {"l2ball": CIRCLE, "box": [(1, 1), (-1, 1), (-1, -1), (1, -1), (1, 1)],
                "l1ball": [(1, 0), (0, 1), (-1, 0), (0, -1), (1, 0)], "circle": CIRCLE}


def nonexpansive(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Two points and their projections onto a chosen set; ‖Px − Py‖ against ‖x − y‖."""
    names = list(cx.PROJECTIONS)
    which = st.radio(t("w11_2_set"), names, _pick(initial, "set", "l2ball", names), horizontal=True,
                     format_func=translated("w11_2_set_"), key=f"{key}-set")
    cols = st.columns(4)
    start = {"x1": 3.0, "x2": 0.0, "y1": 0.0, "y2": 2.0}
    v = {k: cols[i].slider(k, -3.0, 3.0, initial_value(initial, k, d, -3.0, 3.0), 0.05, key=f"{key}-{k}")
         for i, (k, d) in enumerate(start.items())}
    X = torch.tensor([[v["x1"], v["x2"]], [v["y1"], v["y2"]]], dtype=torch.float64)
    P = cx.PROJECTIONS[which](X)
    outline = pd.DataFrame(SET_OUTLINES[which], columns=["x", "y"]).assign(i=lambda d: range(len(d)))
    pts = pd.DataFrame({"x": torch.cat([X[:, 0], P[:, 0]]), "y": torch.cat([X[:, 1], P[:, 1]]),
                        "what": [t("w11_2_points")] * 2 + [t("w11_2_projections")] * 2})
    rules = pd.DataFrame({"x": X[:, 0], "y": X[:, 1], "x2": P[:, 0], "y2": P[:, 1]})
    lim = 3.2
    chart = _square(alt.Chart(outline).mark_line(color="#444").encode(order="i:Q"), lim) + \
        _square(alt.Chart(rules).mark_rule(color="#aaa"), lim).encode(x2="x2:Q", y2="y2:Q") + _square(_points(pts), lim)
    st.altair_chart(chart.properties(height=320, width=320), width="content")
    before, after = float((X[0] - X[1]).norm()), float((P[0] - P[1]).norm())
    k1, k2, k3 = st.columns(3)
    k1.metric("‖x − y‖", f"{before:.4f}")
    k2.metric("‖Px − Py‖", f"{after:.4f}")
    k3.metric(t("w11_2_ratio"), f"{after / before:.3f}" if before > 0 else "—")
    st.caption(t("w11_2_nonexp_caption"))
    return {"set": which, **v}


# --- section demo: Jensen's gap ------------------------------------------------------------------------------------

JENSEN = {"square": (lambda x: x**2, lambda m, s: s**2), "exp": (np.exp, lambda m, s: math.exp(m) * (math.exp(s**2 / 2)
                                                                                                     - 1)),
          "abs": (np.abs, None)}


def section_demo(key: str) -> None:
    """E[f(X)] − f(E[X]) for X ~ N(μ, σ²): sampled, and in closed form where there is one."""
    st.caption(t("w11_2_demo_intro"))
    c1, c2, c3 = st.columns(3)
    names = list(JENSEN)
    name = c1.radio(t("w11_2_function"), names, format_func=translated("w11_2_jensen_"), key=f"{key}-f",
                    horizontal=True)
    mu = c2.slider("μ", -1.5, 1.5, 0.0, 0.1, key=f"{key}-mu")
    sigma = c3.slider("σ", 0.0, 1.5, 0.8, 0.1, key=f"{key}-sigma")
    f, exact = JENSEN[name]
    X = mu + sigma * np.random.default_rng(0).standard_normal(20_000)
    gap = cx.jensen_gap(lambda z: torch.as_tensor(f(np.asarray(z))), torch.from_numpy(X))
    grid = np.linspace(-3, 3, 200)
    pts = pd.DataFrame({"x": [X.mean(), X.mean()], "y": [f(X.mean()), f(X).mean()],
                        "what": [t("w11_2_f_of_mean"), t("w11_2_mean_of_f")]})
    st.altair_chart((alt.Chart(pd.DataFrame({"x": grid, "y": f(grid)})).mark_line(color="#888").encode(
        x="x:Q", y=alt.Y("y:Q", scale=alt.Scale(domain=[0, 6], clamp=True), title="f(x)")) + _points(pts, 90)
    ).properties(height=240), width="stretch")
    k1, k2 = st.columns(2)
    k1.metric(t("w11_2_gap_sampled"), f"{gap:.4f}")
    k2.metric(t("w11_2_gap_exact"), f"{exact(mu, sigma):.4f}" if exact else "—")
