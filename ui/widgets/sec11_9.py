"""Section 11.9 widgets: Adadelta's ρ (11.9.1, also the section demo), the rewrite without g′ (11.9.2), the hidden
learning rate ε (11.9.3) and the comparison with AdaGrad and RMSProp (11.9.4)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
import torch

from d2lcore.optim.adadelta import adadelta, adadelta_without_rescaled
from d2lcore.optim.momentum import ill_conditioned_quadratic
from d2lcore.optim.trajectory import trajectory
from solutions.ch11_s9 import X0, adadelta_path, compare_runs, first_below, rho_losses, steps_to_reach
from ui.i18n import t
from ui.widgets.optim_plot import contour_chart, loss_chart

RHOS = [0.0, 0.5, 0.9, 0.99, 0.999, 0.9999]
SCALES = [0.1, 1.0, 10.0, 100.0]
EPSILONS = [1e-7, 1e-6, 1e-5, 1e-4, 1e-3]


def _pick(options: list, value: Any, default: Any) -> Any:
    return value if value in options else default


MAX_STEPS = 400


@st.cache_data(max_entries=32, show_spinner=False)
def _rho_paths(rho: float) -> dict[str, Any]:
    """The longest run per ρ: a run of fewer steps is its prefix, so the steps slider only slices."""
    f = ill_conditioned_quadratic()
    xs = trajectory(adadelta, f.grad, X0, MAX_STEPS, rho=rho)
    return {"path": xs.numpy(), "f": f.f(xs).numpy(), "book": rho_losses((0.9,), MAX_STEPS)[0.9].numpy()}


def rho_slider(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Adadelta with the learner's ρ against the book's ρ = 0.9 (exercise 11.9.1)."""
    c1, c2 = st.columns(2)
    rho = c1.select_slider(t("w11_9_rho"), RHOS, _pick(RHOS, initial.get("rho"), 0.999), key=f"{key}-rho")
    steps = c2.slider(t("w11_9_steps"), 20, MAX_STEPS, 200, 20, key=f"{key}-steps")
    run = {k: v[: int(steps) + 1] for k, v in _rho_paths(float(rho)).items()}
    st.altair_chart(contour_chart(ill_conditioned_quadratic(), {f"ρ = {rho:g}": run["path"]}), width="stretch")
    st.altair_chart(loss_chart({f"ρ = {rho:g}": run["f"], "ρ = 0.9": run["book"]}, log=True), width="stretch")
    k = st.columns(2)
    k[0].metric(t("w11_9_final_f"), f"{run['f'][-1]:.3g}")
    k[1].metric(t("w11_9_first_step"), f"{abs(run['path'][1][1] - run['path'][0][1]):.4f}")
    return {"rho": float(rho)}


def no_rescaled(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Adadelta with and without the temporary g′ (exercise 11.9.2): same iterates."""
    rho = st.select_slider(t("w11_9_rho"), RHOS[1:], _pick(RHOS[1:], initial.get("rho"), 0.9), key=f"{key}-rho")
    f = ill_conditioned_quadratic()
    a = trajectory(adadelta, f.grad, X0, 300, rho=float(rho))
    b = trajectory(adadelta_without_rescaled, f.grad, X0, 300, rho=float(rho))
    st.altair_chart(contour_chart(f, {t("w11_9_with_g"): a, t("w11_9_without_g"): b}), width="stretch")
    st.metric(t("w11_9_gap"), f"{float((a - b).abs().max()):.1e}")
    return {"rho": float(rho)}


def hidden_rate(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Steps of Adadelta to reach ½(x − a)²'s minimum for several scales a and ε (exercise 11.9.3)."""
    c1, c2 = st.columns(2)
    scale = c1.select_slider(t("w11_9_scale"), SCALES, _pick(SCALES, initial.get("scale"), 10.0), key=f"{key}-scale")
    eps = c2.select_slider(t("w11_9_eps"), EPSILONS, _pick(EPSILONS, initial.get("eps"), 1e-5),
                           format_func=lambda e: f"{e:.0e}", key=f"{key}-eps")
    n = steps_to_reach(float(scale), eps=float(eps))
    xs = adadelta_path(float(scale), eps=float(eps))[:4001]
    st.altair_chart(loss_chart({"x_t / a": [v / scale for v in xs]}, y_title="x_t / a"), width="stretch")
    st.metric(t("w11_9_steps_needed"), f"{n:,}")
    st.caption(t("w11_9_scale_caption"))
    return {"scale": float(scale), "eps": float(eps)}


@st.cache_data(max_entries=1, show_spinner=False)
def _compare_runs() -> dict[str, torch.Tensor]:
    """The three 600-step runs, computed once: the steps slider only slices them."""
    return compare_runs()


def overlay(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """AdaGrad, RMSProp and Adadelta on the book's quadratic (exercise 11.9.4)."""
    steps = st.slider(t("w11_9_steps"), 50, 600, 600, 50, key=f"{key}-steps")
    runs = {name: v[: int(steps) + 1] for name, v in _compare_runs().items()}
    st.altair_chart(loss_chart(runs, log=True), width="stretch")
    k = st.columns(3)
    for col, (name, v) in zip(k, runs.items(), strict=True):
        col.metric(t("w11_9_final_of", name=name), f"{float(v[-1]):.2g}")
    st.dataframe(pd.DataFrame({"f < 1e-2": {n: first_below(v, 1e-2) for n, v in runs.items()}}))
    return {"steps": int(steps)}


def section_demo(key: str) -> None:
    st.caption(t("w11_9_demo_intro"))
    rho_slider(key, {})
