"""Section 11.8 widgets: the leaky-average weights and RMSProp's trajectory (section demo), γ = 1 (11.8.1), the
rotated problem (11.8.2), and learning rate and γ on the regression data (11.8.3, 11.8.4), cached per run."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
import torch

from d2lcore.optim.minibatch import get_data_ch11, train_ch11
from d2lcore.optim.momentum import ill_conditioned_quadratic
from d2lcore.optim.rmsprop import leaky_weights, rmsprop, rmsprop_scheduled
from d2lcore.optim.trajectory import trajectory
from solutions.ch11_s8 import BOOK, TRAIN
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import initial_value
from ui.widgets.optim_plot import contour_chart
from ui.widgets.sec11_7 import rotation_compare

X0 = torch.tensor([-5.0, -2.0], dtype=torch.float64)
GAMMAS = {"g05": "0.5", "g09": "0.9", "g099": "0.99", "g0999": "0.999", "ramp": "ramp"}  # option → γ


def gamma_one(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """RMSProp on the book's quadratic with γ up to 1 (exercise 11.8.1)."""
    gamma = st.slider(t("w11_8_gamma"), 0.0, 1.0, initial_value(initial, "gamma", 1.0, 0.0, 1.0), 0.05,
                      key=f"{key}-gamma")
    f = ill_conditioned_quadratic()
    xs = trajectory(rmsprop, f.grad, X0, BOOK["steps"], lr=BOOK["lr"], gamma=gamma, eps=BOOK["eps"])
    st.altair_chart(contour_chart(f, {f"RMSProp γ = {gamma:g}": xs}), width="stretch")
    values = f.f(xs)
    k = st.columns(2)
    k[0].metric(t("w11_8_f_final"), f"{float(values[-1]):.4g}")
    k[1].metric(t("w11_8_f_max"), f"{float(values.max()):.4g}")
    if gamma == 1.0:
        st.warning(t("w11_8_gamma_one"), icon="⚠️")
    return {"gamma": float(gamma)}


def rotated_rmsprop(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """RMSProp, original against rotated (exercise 11.8.2)."""
    return rotation_compare(key, initial, rmsprop, BOOK["lr"], gamma=BOOK["gamma"])


@st.cache_data(max_entries=32, show_spinner=False)
def train_cached(lr: float, gamma: str, epochs: int) -> pd.DataFrame:
    """One seeded run of minibatch RMSProp on §11.5's regression data (γ a number or 'ramp' 0.9 → 0.999)."""
    data = get_data_ch11()
    if gamma == "ramp":
        return train_ch11(rmsprop_scheduled, {"lr": lr, "gamma_start": 0.9, "gamma_end": 0.999, "ramp": 300}, data,
                          TRAIN["batch_size"], epochs)
    return train_ch11(rmsprop, {"lr": lr, "gamma": float(gamma)}, data, TRAIN["batch_size"], epochs)


def _runs(configs: dict[str, tuple[float, str]], epochs: int) -> dict[str, pd.DataFrame]:
    bar = st.progress(0.0)
    out = {}
    for i, (name, (lr, gamma)) in enumerate(configs.items()):
        out[name] = train_cached(lr, gamma, epochs)
        bar.progress((i + 1) / len(configs), text=name)
    bar.empty()
    return out


def _curves(runs: dict[str, pd.DataFrame]) -> alt.Chart:
    frame = pd.concat([r.assign(run=name) for name, r in runs.items()], ignore_index=True)
    return alt.Chart(frame).mark_line().encode(
        x=alt.X("epoch:Q", title=t("w11_8_epoch")), y=alt.Y("loss:Q", scale=alt.Scale(type="log"),
                                                              title=t("w11_8_loss")),
        color=alt.Color("run:N", title=None, legend=alt.Legend(orient="bottom"))).properties(height=260)


def learning_rates(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Minibatch RMSProp with the learner's η against η/10 and 10η (exercise 11.8.3)."""
    rates = [0.0001, 0.001, 0.01, 0.1, 1.0]
    c1, c2 = st.columns(2)
    lr = c1.select_slider(t("w11_8_lr"), rates, initial.get("lr") if initial.get("lr") in rates else 0.01,
                          key=f"{key}-lr")
    epochs = c2.slider(t("w11_8_epochs"), 1, 5, initial_value(initial, "epochs", TRAIN["epochs"], 1, 5),
                       key=f"{key}-epochs")
    i = rates.index(lr)
    configs = {f"η = {r:g}": (r, "0.9") for r in rates[max(0, i - 1):i + 2]}
    runs = _runs(configs, int(epochs))
    st.caption(t("w11_8_data"))
    st.altair_chart(_curves(runs), width="stretch")
    st.metric(t("w11_8_final", lr=f"{lr:g}"), f"{runs[f'η = {lr:g}'].loss.iloc[-1]:.4f}")
    return {"lr": float(lr), "epochs": int(epochs)}


def gamma_sensitivity(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Final loss for several γ and a ramped γ at η = 0.01 (exercise 11.8.4)."""
    options = list(GAMMAS)
    chosen = st.multiselect(t("w11_8_gammas"), options, [g for g in initial.get("gammas", options) if g in GAMMAS]
                            or options, format_func=translated("w11_8_g_"), key=f"{key}-gammas")
    label = translated("w11_8_g_")
    runs = _runs({label(g): (0.01, GAMMAS[g]) for g in chosen}, TRAIN["epochs"])
    if runs:
        st.altair_chart(_curves(runs), width="stretch")
        finals = {name: r.loss.iloc[-1] for name, r in runs.items()}
        st.dataframe(pd.DataFrame({t("w11_8_run"): list(finals), t("w11_8_loss"): list(finals.values())}),
                     hide_index=True)
    return {"gammas": list(chosen)}


def section_demo(key: str) -> None:
    """The weights (1 − γ)γ^{t−τ} of the leaky average and their sum 1 − γᵗ; RMSProp's trajectory for that γ."""
    c1, c2 = st.columns(2)
    gamma = c1.slider(t("w11_8_gamma"), 0.5, 0.99, 0.9, 0.01, key=f"{key}-gamma")
    steps = c2.slider(t("w11_8_t"), 5, 60, 40, key=f"{key}-t")
    w = leaky_weights(gamma, steps)
    frame = pd.DataFrame({"tau": range(1, steps + 1), "w": w.numpy()})
    st.altair_chart(alt.Chart(frame).mark_bar().encode(x=alt.X("tau:O", title="τ"), y=alt.Y("w:Q",
                    title=t("w11_8_weight"))).properties(height=180), width="stretch")
    st.metric(t("w11_8_sum"), f"{float(w.sum()):.4f}", f"1 − γᵗ = {1 - gamma ** steps:.4f}", delta_color="off")
    f = ill_conditioned_quadratic()
    xs = trajectory(rmsprop, f.grad, X0, BOOK["steps"], lr=BOOK["lr"], gamma=gamma)
    st.altair_chart(contour_chart(f, {f"RMSProp γ = {gamma:g}": xs}, height=300), width="stretch")
    st.caption(t("w11_8_demo_caption"))
