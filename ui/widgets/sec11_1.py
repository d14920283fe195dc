"""Section 11.1 widgets: relabelled hidden units (11.1.1), eigenvalues of random symmetric matrices (11.1.2a/b),
ill-conditioning (11.1.3), a ball on the saddle x² − y² with gradient noise (11.1.4a/b), and the section demo:
gradient descent at local minima and saddle points of x·cos(πx) and x³."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import torch

from d2lcore import convexity as cx
from d2lcore.optim.gd import gd, sgd
from d2lcore.optim.objectives import quadratic, saddle, xcos
from d2lcore.optim.trajectory import stochastic_trajectory, trajectory
from solutions.ch11_s1 import descent_path, eigen_sample, first_below, posdef_by_size
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import initial_value
from ui.widgets.optim_plot import contour_chart, curve_chart


def _option(initial: dict[str, Any], name: str, default: Any, options: list[Any]) -> Any:
    """A select_slider start value: the shared link's value when it is one of the options, else the default."""
    value = initial_value(initial, name, default)
    return value if value in options else default


# --- 11.1.1: relabelling hidden units ------------------------------------------------------------------------------


def hidden_permutation(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """A random width-d tanh network on 1-D inputs and the same network with its hidden units relabelled."""
    c1, c2 = st.columns(2)
    d = c1.slider(t("w11_1_width"), 2, 6, initial_value(initial, "d", 4, 2, 6), key=f"{key}-d")
    perm_seed = c2.slider(t("w11_1_perm_seed"), 0, 50, initial_value(initial, "perm", 1, 0, 50), key=f"{key}-perm")
    g = torch.Generator().manual_seed(0)
    W1, b1 = torch.randn(d, 1, generator=g, dtype=torch.float64), torch.randn(d, generator=g, dtype=torch.float64)
    w2 = torch.randn(d, generator=g, dtype=torch.float64)
    perm = torch.randperm(d, generator=torch.Generator().manual_seed(int(perm_seed))).tolist()
    P1, p1, p2 = cx.permute_hidden_units(W1, b1, w2, perm)
    x = torch.linspace(-3, 3, 121, dtype=torch.float64).unsqueeze(-1)
    o, o_perm = cx.mlp_forward(x, W1, b1, w2, 0.0), cx.mlp_forward(x, P1, p1, p2, 0.0)
    label = translated("w11_1_net_")
    frame = pd.concat([pd.DataFrame({"x": x[:, 0].numpy(), "o": v.numpy(), "net": label(k)})
                       for k, v in (("original", o), ("permuted", o_perm))])
    st.altair_chart(alt.Chart(frame).mark_line(strokeWidth=2).encode(
        x="x:Q", y=alt.Y("o:Q", title=t("w11_1_output")),
        color=alt.Color("net:N", title=None, legend=alt.Legend(orient="bottom")),
        strokeDash=alt.StrokeDash("net:N", legend=None)).properties(height=220), width="stretch")
    k1, k2, k3 = st.columns(3)
    k1.metric(t("w11_1_max_diff"), f"{float((o - o_perm).abs().max()):.1e}")
    k2.metric(t("w11_1_perm"), str([i + 1 for i in perm]))
    k3.metric("d!", f"{math.factorial(d)}")
    st.dataframe(pd.DataFrame({t("w11_1_unit"): range(1, d + 1), "W1": W1[:, 0].numpy(), "W1 (π)": P1[:, 0].numpy(),
                               "w2": w2.numpy(), "w2 (π)": p2.numpy()}).round(3), hide_index=True)
    return {"d": int(d), "perm": int(perm_seed)}


# --- 11.1.2a/b: eigenvalues of random symmetric matrices -----------------------------------------------------------


EIGENVALUES = 4000  # eigenvalues per histogram: max(EIGENVALUES // n, 100) matrices of size n
POSDEF_BATCH = 2000  # matrices per size in the P(all λ > 0) curve


@st.cache_data(max_entries=64, show_spinner=False)
def _eigen_stats(entries: str, n: int) -> tuple[pd.DataFrame, dict[str, float], int]:
    """Histogram and sign fractions of the eigenvalues of max(4000 // n, 100) random symmetric n × n matrices."""
    batch = max(EIGENVALUES // n, 100)
    lam, fractions = eigen_sample(n, batch, entries)  # (batch, n)
    counts, edges = np.histogram(lam.reshape(-1).numpy(), bins=41)
    hist = pd.DataFrame({"lo": edges[:-1], "hi": edges[1:], "share": counts / counts.sum()})
    return hist, fractions, batch


@st.cache_data(max_entries=8, show_spinner=False)
def _posdef_curve(entries: str) -> pd.DataFrame:
    """P(all λ > 0) for n = 1 … 8 (2000 matrices) and the coin-flip 2⁻ⁿ, long format; depends only on entries."""
    simulated = posdef_by_size(entries, 8, POSDEF_BATCH)
    return pd.DataFrame([{"n": k, "what": what, "p": p} for k, sim in simulated.items()
                         for what, p in (("simulated", sim), ("coin", 2.0**-k))])


def eigen_histogram(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Histogram of the eigenvalues for a chosen entry distribution and size; P(λ > 0), P(λ = 0), P(minimum)."""
    c1, c2 = st.columns(2)
    kinds = list(cx.ENTRY_KINDS)
    start = initial.get("entries") if initial.get("entries") in kinds else "goe"
    entries = c1.selectbox(t("w11_1_entries"), kinds, kinds.index(start), format_func=translated("w11_1_entries_"),
                           key=f"{key}-entries")
    n = c2.slider(t("w11_1_size"), 2, 40, initial_value(initial, "n", 10, 2, 40), key=f"{key}-n")
    hist, frac, batch = _eigen_stats(entries, int(n))
    st.altair_chart(alt.Chart(hist).mark_rect(opacity=0.8).encode(
        x=alt.X("lo:Q", title="λ"), x2="hi:Q", y=alt.Y("share:Q", title=t("w11_1_share"))).properties(height=200),
        width="stretch")
    k1, k2, k3, k4 = st.columns(4)
    k1.metric("P(λ > 0)", f"{frac['pos']:.3f}")
    k2.metric("P(λ < 0)", f"{frac['neg']:.3f}")
    k3.metric("P(λ = 0)", f"{frac['zero']:.3f}")
    k4.metric(t("w11_1_posdef"), f"{frac['posdef']:.3g}")
    long = _posdef_curve(entries).assign(what=lambda d: d["what"].map(translated("w11_1_pd_")))
    st.altair_chart(alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("n:O", title=t("w11_1_size")), y=alt.Y("p:Q", title=t("w11_1_posdef"), scale=alt.Scale(type="symlog",
                                                                                                      constant=1e-3)),
        color=alt.Color("what:N", title=None, legend=alt.Legend(orient="bottom"))).properties(height=200),
        width="stretch")
    st.caption(t("w11_1_eigen_caption", batch=batch, n=int(n), count=batch * int(n), per_size=POSDEF_BATCH))
    return {"entries": entries, "n": int(n)}


# --- 11.1.3: ill-conditioning --------------------------------------------------------------------------------------


@st.cache_data(max_entries=64, show_spinner=False)
def _descent(kappa: float, frac: float, steps: int = 3000) -> tuple[np.ndarray, int]:
    """The first 60 iterates and the first step with f < 10⁻⁶ within 3000 steps (−1: never)."""
    path = descent_path(kappa, frac, steps)
    return path[:60].numpy(), first_below(quadratic(kappa, angle=30.0).f(path))


def ill_conditioning(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Gradient descent on a quadratic with curvatures 1 and κ, learning rate a fraction of the stability limit 2/κ."""
    c1, c2 = st.columns(2)
    kappas = [1, 2, 5, 10, 20, 50, 100]
    kappa = c1.select_slider(t("w11_1_kappa"), kappas, _option(initial, "kappa", 10, kappas), key=f"{key}-kappa")
    frac = c2.slider(t("w11_1_lr_fraction"), 0.05, 1.05, initial_value(initial, "frac", 0.5, 0.05, 1.05), 0.05,
                     key=f"{key}-frac")
    obj = quadratic(float(kappa), angle=30.0)
    path, steps = _descent(float(kappa), float(frac))
    st.altair_chart(contour_chart(obj, {t("w11_1_gd"): path[:60]}, height=300), width="stretch")
    k1, k2 = st.columns(2)
    k1.metric(t("w11_1_lr"), f"{float(frac) * 2 / kappa:.3g}")
    k2.metric(t("w11_1_steps_tol"), str(steps) if steps >= 0 else t("w11_1_never"))
    st.caption(t("w11_1_cond_caption"))
    return {"kappa": int(kappa), "frac": float(frac)}


# --- 11.1.4a/b: a ball on a saddle ---------------------------------------------------------------------------------


def saddle_ball(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Gradient descent on x² − y² from (1, 10^e) (or exactly (1, 0)) with optional gradient noise, 8 chains."""
    c1, c2, c3 = st.columns(3)
    lr = c1.slider(t("w11_1_lr"), 0.01, 0.4, initial_value(initial, "lr", 0.1, 0.01, 0.4), 0.01, key=f"{key}-lr")
    expo = c2.slider(t("w11_1_offset"), -12, 0, initial_value(initial, "expo", -6, -12, 0), key=f"{key}-expo")
    noises = [0.0, 0.001, 0.01, 0.1, 0.5]
    noise = c3.select_slider(t("w11_1_noise"), noises, _option(initial, "noise", 0.0, noises), key=f"{key}-noise")
    exact = st.toggle(t("w11_1_exact"), bool(initial.get("exact", False)), key=f"{key}-exact")
    obj = saddle()
    y0 = 0.0 if exact else 10.0**expo
    x0 = torch.tensor([1.0, y0], dtype=torch.float64).expand(8, 2)
    g = torch.Generator().manual_seed(0)
    path = stochastic_trajectory(sgd, obj.grad, x0, 200, float(noise), g, lr=float(lr))
    escape = cx.first_escape(path)
    shown = {t("w11_1_chain", i=i + 1): path[: (int(e) + 1 if e >= 0 else None), i] for i, e in
             enumerate(escape[:4])}
    st.altair_chart(contour_chart(obj, shown, height=300), width="stretch")
    k1, k2, k3 = st.columns(3)
    k1.metric(t("w11_1_growth"), f"{1 + 2 * float(lr):g}")
    k2.metric(t("w11_1_escaped"), f"{int((escape >= 0).sum())}/8")
    k3.metric(t("w11_1_first_escape"), str(int(escape[escape >= 0].min())) if (escape >= 0).any() else "—")
    st.caption(t("w11_1_saddle_caption"))
    return {"lr": float(lr), "expo": int(expo), "noise": float(noise), "exact": bool(exact)}


# --- section demo: minima and saddles in 1-D -----------------------------------------------------------------------


def section_demo(key: str) -> None:
    """Gradient descent on x·cos(πx) (local and global minima) or x³ (a saddle point at 0) from a chosen start."""
    st.caption(t("w11_1_demo_intro"))
    c1, c2, c3 = st.columns(3)
    which = c1.radio(t("w11_1_function"), ["xcos", "cube"], format_func=translated("w11_1_fn_"), key=f"{key}-fn",
                     horizontal=True)
    x0 = c2.slider(t("w11_1_start"), -1.0, 2.0, 1.2, 0.05, key=f"{key}-x0")
    lr = c3.slider(t("w11_1_lr"), 0.01, 0.3, 0.05, 0.01, key=f"{key}-lr")
    obj = xcos(math.pi) if which == "xcos" else cx.cube()
    path = trajectory(gd, obj.grad, torch.tensor([float(x0)], dtype=torch.float64), 60, lr=float(lr))
    end = path[-1]
    st.altair_chart(curve_chart(obj, {"GD": path[:, 0].numpy()}, height=240), width="stretch")
    k1, k2, k3 = st.columns(3)
    k1.metric(t("w11_1_end"), f"{float(end[0]):.4f}")
    k2.metric("f′(x)", f"{float(obj.grad(end)[0]):.2e}")
    k3.metric("f″(x)", f"{float(obj.hessian(end)[0, 0]):.3f}")
    st.caption(t("w11_1_demo_caption"))
