"""Section 4.8 widgets: gradient norms per layer (section demo), symmetry under a constant start (4.8.1), constant
initialisation of softmax regression (4.8.2), products of random matrices (4.8.3) and LARS's rates (4.8.4)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import sympy
import torch

from d2lcore import init as d2linit
from solutions.ch04_s8 import CONSTANT, MLP_HIDDEN, SOFTMAX_RUN
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import initial_value

INITS = ["normal", "xavier", "kaiming"]
STDS = [0.001, 0.01, 0.1, 0.5, 1.0]


def _pick(options: list, value: Any, default: Any) -> Any:
    return value if value in options else default


# --- section demo: gradient norms per layer ---------------------------------------------------------------------------


@st.cache_data(max_entries=64, show_spinner=False)
def _layer_stats(depth: int, activation: str, init: str, std: float) -> dict[str, list[float]]:
    return asdict(d2linit.layer_gradient_norms(depth, 64, activation, init, std))


def _gradient_chart(stats: dict[str, list[float]]) -> alt.Chart:
    frame = pd.DataFrame({"layer": range(1, len(stats["grad_norm"]) + 1),
                          "log10": np.log10(np.maximum(stats["grad_norm"], 1e-300))})
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("layer:O", title=t("w4_8_axis_layer")), y=alt.Y("log10:Q", title=t("w4_8_axis_log_grad")),
        tooltip=["layer:O", alt.Tooltip("log10:Q", format=".2f")]).properties(height=240)


def _gradient_controls(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    c1, c2, c3, c4 = st.columns(4)
    depth = c1.slider(t("w4_8_depth"), 1, 30, initial_value(initial, "depth", 10, 1, 30), key=f"{key}-depth")
    act = c2.radio(t("w4_8_activation"), ["sigmoid", "relu", "tanh"], horizontal=True, key=f"{key}-act",
                   index=["sigmoid", "relu", "tanh"].index(_pick(["sigmoid", "relu", "tanh"],
                                                                 initial.get("act"), "sigmoid")))
    init = c3.radio(t("w4_8_init"), INITS, index=INITS.index(_pick(INITS, initial.get("init"), "normal")),
                    key=f"{key}-init", format_func=translated("w4_8_init_"))
    std = c4.select_slider(t("w4_8_std"), STDS, _pick(STDS, initial.get("std"), 0.01), key=f"{key}-std",
                           disabled=init != "normal")
    return {"depth": int(depth), "act": str(act), "init": str(init), "std": float(std)}


def section_demo(key: str) -> None:
    """Depth, activation and initialisation → ‖∂l/∂W⁽ˡ⁾‖ per layer; the Xavier and Kaiming variances from sympy."""
    st.caption(t("w4_8_demo_intro"))
    v = _gradient_controls(key, {})
    stats = _layer_stats(v["depth"], v["act"], v["init"], v["std"])
    st.altair_chart(_gradient_chart(stats), width="stretch")
    g = stats["grad_norm"]
    k = st.columns(3)
    k[0].metric(t("w4_8_first_grad"), f"{g[0]:.2e}")
    k[1].metric(t("w4_8_last_grad"), f"{g[-1]:.2e}")
    k[2].metric(t("w4_8_grad_ratio"), f"{np.log10(max(g[-1], 1e-300) / max(g[0], 1e-300)):.1f}")
    xavier, kaiming = _variances()
    st.markdown(t("w4_8_formulas", xavier=xavier, kaiming=kaiming))


@st.cache_data(max_entries=1, show_spinner=False)
def _variances() -> tuple[str, str]:
    return sympy.latex(d2linit.xavier_variance()), sympy.latex(d2linit.kaiming_variance())


# --- 4.8.1: symmetry --------------------------------------------------------------------------------------------------


@st.cache_data(max_entries=32, show_spinner=False)
def _symmetry(hidden: int, c: float, dropout: float) -> list[float]:
    return d2linit.symmetry_run(hidden, c, dropout)


def symmetry(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Hidden units from a constant start stay copies of each other; dropout breaks the tie (exercise 4.8.1)."""
    c1, c2, c3 = st.columns(3)
    hidden = c1.slider(t("w4_8_hidden"), 2, 32, initial_value(initial, "hidden", 8, 2, 32), key=f"{key}-hidden")
    c = c2.select_slider(t("w4_8_const"), [0.01, 0.1, 0.5, 1.0], _pick([0.01, 0.1, 0.5, 1.0], initial.get("c"), 0.1),
                         key=f"{key}-c")
    p = c3.select_slider(t("w4_8_dropout"), [0.0, 0.1, 0.5], _pick([0.0, 0.1, 0.5], initial.get("p"), 0.0),
                         key=f"{key}-p")
    spread = _symmetry(int(hidden), float(c), float(p))
    frame = pd.DataFrame({"step": range(1, len(spread) + 1), "spread": spread})
    st.altair_chart(alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("step:Q", title=t("w4_8_axis_step")), y=alt.Y("spread:Q", title=t("w4_8_axis_spread")))
        .properties(height=220), width="stretch")
    st.metric(t("w4_8_max_spread"), f"{max(spread):g}")
    st.caption(t("w4_8_symmetry_caption"))
    return {"hidden": int(hidden), "c": float(c), "p": float(p)}


# --- 4.8.2: constant initialisation ----------------------------------------------------------------------------------


@st.cache_data(max_entries=16, show_spinner=False)
def _constant_curves(c: float, model: str) -> dict[str, list[float]]:
    hidden = MLP_HIDDEN if model == "mlp" else ()
    const = d2linit.constant_init_run(c, hidden, **SOFTMAX_RUN)
    rand = d2linit.constant_init_run(None, hidden, **SOFTMAX_RUN)
    return {"epoch": const.epoch, "const": const.test_acc, "random": rand.test_acc}


def constant_init(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Test accuracy per epoch from all weights c against a random start, softmax regression or an MLP (4.8.2)."""
    values = [0.0, 0.01, 0.1, 0.5, 1.0]
    c1, c2 = st.columns(2)
    c = c1.select_slider(t("w4_8_const"), values, _pick(values, initial.get("c"), CONSTANT), key=f"{key}-c")
    model = c2.radio(t("w4_8_model"), ["softmax", "mlp"], horizontal=True, key=f"{key}-model",
                     index=1 if initial.get("model") == "mlp" else 0, format_func=translated("w4_8_model_"))
    with st.status(t("w4_8_training"), expanded=False) as status:
        curves = _constant_curves(float(c), str(model))
        status.update(label=t("w4_8_trained"), state="complete")
    st.caption(t("w4_8_digits_caption"))
    frame = pd.DataFrame([{"epoch": e, "series": t(f"w4_8_series_{s}"), "acc": a} for s in ("const", "random")
                          for e, a in zip(curves["epoch"], curves[s], strict=True)])
    st.altair_chart(alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("epoch:Q", title=t("w4_8_axis_epoch")), y=alt.Y("acc:Q", title=t("w4_8_axis_acc")),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom"))).properties(height=240),
        width="stretch")
    k = st.columns(2)
    k[0].metric(t("w4_8_acc_const"), f"{curves['const'][-1]:.3f}")
    k[1].metric(t("w4_8_acc_random"), f"{curves['random'][-1]:.3f}")
    return {"c": float(c), "model": str(model)}


# --- 4.8.3: products of random matrices ---------------------------------------------------------------------------


@st.cache_data(max_entries=32, show_spinner=False)
def _spread(depth: int, width: int, gain: float) -> pd.DataFrame:
    Ws = d2linit.random_matrices(depth, width, gain / width**0.5, torch.Generator().manual_seed(0))
    logs = d2linit.product_log_singular_values_path(Ws) / np.log(10)  # (depth, width), one pass over the product
    depths = sorted({1, *np.linspace(1, depth, 12, dtype=int).tolist()})
    rows = [{"depth": L, "series": series, "log10": float(logs[L - 1, i])} for L in depths
            for series, i in (("max", 0), ("min", -1))]
    return pd.DataFrame(rows)


def matrix_product(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """log10 of the largest and smallest singular value of W_L ⋯ W_1 against L (exercise 4.8.3)."""
    widths = [4, 8, 16, 64]
    c1, c2, c3 = st.columns(3)
    depth = c1.slider(t("w4_8_depth"), 1, 100, initial_value(initial, "depth", 50, 1, 100), key=f"{key}-depth")
    width = c2.select_slider(t("w4_8_width"), widths, _pick(widths, initial.get("width"), 16), key=f"{key}-width")
    gain = c3.slider(t("w4_8_gain"), 0.5, 2.0, initial_value(initial, "gain", 1.0, 0.5, 2.0), 0.05,
                     key=f"{key}-gain", help=t("w4_8_gain_help"))
    frame = _spread(int(depth), int(width), float(gain))
    frame = frame.assign(label=frame["series"].map({"max": t("w4_8_sigma_max"), "min": t("w4_8_sigma_min")}))
    st.altair_chart(alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("depth:Q", title=t("w4_8_axis_depth")), y=alt.Y("log10:Q", title=t("w4_8_axis_log_sv")),
        color=alt.Color("label:N", title=None, legend=alt.Legend(orient="bottom"))).properties(height=240),
        width="stretch")
    last = frame[frame["depth"] == frame["depth"].max()]
    kappa = float(last["log10"].max() - last["log10"].min())
    k = st.columns(2)
    k[0].metric(t("w4_8_log_kappa"), f"{kappa:.1f}")
    k[1].metric(t("w4_8_log_growth"), f"{d2linit.squared_norm_growth_log10(int(width), gain / width**0.5, depth):.1f}")
    return {"depth": int(depth), "width": int(width), "gain": float(gain)}


# --- 4.8.4: LARS ----------------------------------------------------------------------------------------------------


def lars(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Per layer: ‖W‖, ‖∂l/∂W‖ and the LARS learning rate η‖W‖/‖∂l/∂W‖ (exercise 4.8.4)."""
    v = _gradient_controls(key, {"init": "xavier", "depth": 8, **initial})
    stats = _layer_stats(v["depth"], v["act"], v["init"], v["std"])
    rates = d2linit.lars_local_rates(d2linit.LayerStats(**stats))
    st.dataframe(pd.DataFrame({t("w4_8_axis_layer"): range(1, len(rates) + 1),
                               t("w4_8_col_weight"): [f"{w:.3g}" for w in stats["weight_norm"]],
                               t("w4_8_col_grad"): [f"{g:.3g}" for g in stats["grad_norm"]],
                               t("w4_8_col_lars"): [f"{r:.3g}" for r in rates]}), hide_index=True)
    st.metric(t("w4_8_lars_ratio"), f"{rates[0] / rates[-1]:.3g}")
    return v
