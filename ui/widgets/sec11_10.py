"""Section 11.10 widgets: Adam, Yogi and RMSProp on the shared objectives (11.10.1, also the section demo), the
bias correction rewritten away (11.10.2), constant versus decaying rate on a noisy quadratic (11.10.3) and Reddi et
al.'s problem where Adam goes to the worst point (11.10.4)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import torch

from d2lcore.optim.adam import adam, unbiased_moments, yogi
from d2lcore.optim.momentum import ill_conditioned_quadratic
from d2lcore.optim.objectives import rosenbrock
from solutions.ch11_s10 import REDDI, X0, noisy_runs_batch, optimizer_paths, plateau, reddi_paths
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import initial_value
from ui.widgets.optim_plot import contour_chart, loss_chart

LRS = [0.001, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0]
BETA1 = [0.0, 0.5, 0.9, 0.99]
BETA2 = [0.9, 0.99, 0.999, 0.9999]
EPSILONS = [1e-8, 1e-6, 1e-3, 1e-1]
OBJECTIVES = ["quadratic", "rotated", "rosenbrock"]
STARTS = {"quadratic": X0, "rotated": torch.tensor([-4.0, 1.0], dtype=torch.float64),
          "rosenbrock": torch.tensor([-1.5, 2.0], dtype=torch.float64)}


def _pick(options: list, value: Any, default: Any) -> Any:
    return value if value in options else default


def _objective(name: str):
    if name == "rosenbrock":
        return rosenbrock()
    return ill_conditioned_quadratic(rotated=name == "rotated")


@st.cache_data(max_entries=64, show_spinner=False)
def _paths(objective: str, steps: int, lr: float, beta1: float, beta2: float, eps: float) -> dict[str, Any]:
    f = _objective(objective)
    paths = optimizer_paths(f, STARTS[objective], steps, lr, beta1, beta2, eps)
    return {name: {"path": p.numpy(), "f": f.f(p).numpy()} for name, p in paths.items()}


def lr_explorer(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Adam, Yogi and RMSProp (γ = β₂) with the learner's η, β₁, β₂, ε on a chosen objective (exercise 11.10.1)."""
    c = st.columns(3)
    objective = c[0].selectbox(t("w11_10_objective"), OBJECTIVES, OBJECTIVES.index(
        _pick(OBJECTIVES, initial.get("objective"), "quadratic")), format_func=translated("w11_10_obj_"),
        key=f"{key}-objective")
    lr = c[1].select_slider(t("w11_10_lr"), LRS, _pick(LRS, initial.get("lr"), 0.1), key=f"{key}-lr")
    steps = c[2].slider(t("w11_10_steps"), 20, 400, initial_value(initial, "steps", 100, 20, 400), 20,
                        key=f"{key}-steps")
    c = st.columns(3)
    beta1 = c[0].select_slider("β₁", BETA1, _pick(BETA1, initial.get("beta1"), 0.9), key=f"{key}-beta1")
    beta2 = c[1].select_slider("β₂", BETA2, _pick(BETA2, initial.get("beta2"), 0.999), key=f"{key}-beta2")
    eps = c[2].select_slider("ε", EPSILONS, _pick(EPSILONS, initial.get("eps"), 1e-6), format_func=lambda e: f"{e:.0e}",
                             key=f"{key}-eps")
    runs = _paths(objective, int(steps), float(lr), float(beta1), float(beta2), float(eps))
    names = {"adam": "Adam", "yogi": "Yogi", "rmsprop": t("w11_10_rmsprop")}
    f = _objective(objective)
    st.altair_chart(contour_chart(f, {names[k]: v["path"] for k, v in runs.items()}), width="stretch")
    st.altair_chart(loss_chart({names[k]: v["f"] for k, v in runs.items()}, log=True), width="stretch")
    k = st.columns(3)
    for col, (name, v) in zip(k, runs.items(), strict=True):
        col.metric(t("w11_10_final_of", name=names[name]), f"{v['f'][-1]:.3g}")
    st.caption(t("w11_10_step_caption", step=f"{abs(runs['adam']['path'][1] - runs['adam']['path'][0]).max():.4f}",
                 lr=f"{lr:g}"))
    return {"objective": objective, "lr": float(lr), "steps": int(steps), "beta1": float(beta1),
            "beta2": float(beta2), "eps": float(eps)}


def bias_rewrite(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Bias-corrected leaky average, the rewritten rule with α_t and the uncorrected average (exercise 11.10.2)."""
    c = st.columns(2)
    betas = [*BETA1[1:], 0.999]
    beta = c[0].select_slider("β", betas, _pick(betas, initial.get("beta"), 0.9),
                              key=f"{key}-beta")
    steps = c[1].slider(t("w11_10_steps"), 10, 200, initial_value(initial, "steps", 50, 10, 200), 10,
                        key=f"{key}-steps")
    g = 2.0 + torch.randn(int(steps), generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    corrected, rewritten = unbiased_moments(g, float(beta))
    tt = torch.arange(1, int(steps) + 1, dtype=torch.float64)
    raw = corrected * (1 - float(beta) ** tt)
    frame = pd.DataFrame({"t": tt.numpy(), t("w11_10_corrected"): corrected.numpy(),
                          t("w11_10_rewritten"): rewritten.numpy(), t("w11_10_uncorrected"): raw.numpy(),
                          "g": g.numpy()}).melt("t", var_name="series", value_name="value")
    chart = alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=12)).encode(
        x=alt.X("t:Q", title="t"), y=alt.Y("value:Q", title=None),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
        strokeDash=alt.StrokeDash("series:N", legend=None),
        tooltip=["series:N", "t:Q", alt.Tooltip("value:Q", format=".4f")]).properties(height=280)
    st.altair_chart(chart, width="stretch")
    k = st.columns(2)
    k[0].metric(t("w11_10_gap"), f"{float((corrected - rewritten).abs().max()):.1e}")
    k[1].metric(t("w11_10_alpha_t", t=int(steps)), f"{(1 - beta) / (1 - beta ** int(steps)):.4f}")
    return {"beta": float(beta), "steps": int(steps)}


NOISY_STEPS = 1000  # the longest run the steps slider asks for: shorter runs are its prefixes


@st.cache_data(max_entries=8, show_spinner=False)
def _noisy(lr: float) -> dict[str, np.ndarray]:
    """Both settings for NOISY_STEPS steps in one batch: a run of fewer steps is a prefix of it (the same noise and
    the same η_t at every step), so moving the steps slider costs nothing."""
    runs = noisy_runs_batch(((lr, False), (lr, True)), NOISY_STEPS).numpy()
    return {"constant": runs[:, 0], "decayed": runs[:, 1]}


def noisy_decay(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Adam with a constant and a decaying rate on a noisy quadratic, 200 chains (exercise 11.10.3)."""
    c = st.columns(2)
    options = LRS[2:6]
    lr = c[0].select_slider(t("w11_10_lr"), options, _pick(options, initial.get("lr"), 0.1), key=f"{key}-lr")
    steps = c[1].slider(t("w11_10_steps"), 200, NOISY_STEPS, initial_value(initial, "steps", 600, 200, NOISY_STEPS),
                        100, key=f"{key}-steps")
    runs = {name: v[: int(steps) + 1] for name, v in _noisy(float(lr)).items()}
    labels = {"constant": t("w11_10_constant", lr=f"{lr:g}"), "decayed": t("w11_10_decayed", lr=f"{lr:g}")}
    st.altair_chart(loss_chart({labels[k]: v for k, v in runs.items()}, log=True, y_title=t("w11_10_mean_f")),
                    width="stretch")
    k = st.columns(2)
    for col, (name, v) in zip(k, runs.items(), strict=True):
        col.metric(t("w11_10_plateau_of", name=labels[name]), f"{plateau(torch.from_numpy(v)):.3g}")
    return {"lr": float(lr), "steps": int(steps)}


@st.cache_data(max_entries=16, show_spinner=False)
def _reddi(C: float, beta2: float, lr: float) -> dict[str, list[float]]:
    hyper = {"lr": lr, "beta1": REDDI["beta1"], "beta2": beta2, "eps": REDDI["eps"]}
    return {"Adam": reddi_paths(adam, C=C, **hyper).mean(-1).tolist(),
            "Yogi": reddi_paths(yogi, C=C, **hyper).mean(-1).tolist()}


def reddi_problem(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Mean x_t over 100 gradient sequences of Adam and Yogi on Reddi et al.'s problem (exercise 11.10.4)."""
    c = st.columns(3)
    C = c[0].slider("C", 3.0, 10.0, initial_value(initial, "C", REDDI["C"], 3.0, 10.0), 1.0, key=f"{key}-C")
    beta2 = c[1].select_slider("β₂", ["1/(1+C²)", 0.9, 0.99, 0.999],
                               _pick(["1/(1+C²)", 0.9, 0.99, 0.999], initial.get("beta2"), "1/(1+C²)"),
                               key=f"{key}-beta2")
    lr = c[2].select_slider(t("w11_10_lr"), [0.001, 0.01, 0.1], _pick([0.001, 0.01, 0.1], initial.get("lr"), 0.01),
                            key=f"{key}-lr")
    b2 = 1 / (1 + C * C) if beta2 == "1/(1+C²)" else float(beta2)
    runs = _reddi(float(C), b2, float(lr))
    st.altair_chart(loss_chart(runs, y_title=t("w11_10_mean_x")), width="stretch")
    k = st.columns(2)
    for col, (name, v) in zip(k, runs.items(), strict=True):
        col.metric(t("w11_10_final_x", name=name), f"{v[-1]:+.3f}")
    st.caption(t("w11_10_reddi_caption", C=f"{C:g}", slope=f"{(C - 2) / 3:.2f}"))
    return {"C": float(C), "beta2": beta2, "lr": float(lr)}


def section_demo(key: str) -> None:
    st.caption(t("w11_10_demo_intro"))
    lr_explorer(key, {})
