"""Section 4.5 widgets: the book's weight-decay experiment (d = 200, 20 training examples). The λ sweep (4.5.1),
choosing λ on a validation set (4.5.2), L1 against L2 (4.5.3), prior against penalty (4.5.6) and the section demo
(training curves with and without weight decay). Every training run is cached per configuration."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import sympy

from d2lcore import capacity as cap
from solutions import ch04_s5 as s5
from solutions.ch04_s5 import BOOK, LAMS, RIDGE_LAMS
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import initial_value


@st.cache_data(max_entries=64, show_spinner=False)
def _run(lam: float, penalty: str = "l2", seed: int = 0, epochs: int = 100, track: int = 0) -> dict:
    """One seeded run of the book's training (its scratch route, as the solutions run it); plain data only."""
    r = cap.weight_decay_sweep(replace(BOOK, lam=lam, penalty=penalty, seed=seed, epochs=epochs), [lam], track)[0]
    return {"train": r.train_loss, "test": r.test_loss, "norm": float(r.w.norm()), "zeros": int((r.w == 0).sum()),
            "w": r.w.tolist(), "trace": r.trace, "train_curve": r.history.train_loss,
            "test_curve": r.history.test_loss}


@st.cache_data(max_entries=16, show_spinner=False)
def _sweep(seed: int, lam: float) -> dict[str, list[float]]:
    """The λ grid of 4.5.1 and the chosen λ after it, trained together in one batched run (as cheap as one λ)."""
    return s5.lambda_sweep(seed, (*LAMS, lam))


def _log_lambda(key: str, initial: dict[str, Any], default: float) -> float:
    """A log10 λ slider (with λ = 0 at its left end)."""
    value = st.slider(t("w4_5_log_lambda"), -1.5, 2.0, initial_value(initial, "logLam", default, -1.5, 2.0), 0.25,
                      key=f"{key}-loglam")
    return float(value)


# --- 4.5.1: the λ sweep ----------------------------------------------------------------------------------------------

def lambda_sweep(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Training and test loss and ‖w‖ against λ, and the run at the chosen λ (exercise 4.5.1)."""
    c1, c2 = st.columns([3, 1])
    with c1:
        log_lam = _log_lambda(key, initial, float(np.log10(3.0)))
    seed = c2.number_input(t("w4_5_seed"), 0, 99, initial_value(initial, "seed", 0, 0, 99), key=f"{key}-seed")
    lam = 0.0 if log_lam <= -1.5 else 10**log_lam
    with st.spinner(t("w4_5_training")):
        both = _sweep(int(seed), lam)
    sweep = {k: v[:-1] for k, v in both.items()}  # the grid LAMS
    chosen = {k: v[-1] for k, v in both.items()}  # the slider's λ
    rows = [{"lam": lam_i, "value": v, "series": t(name)} for name, col in
            [("w4_5_train_loss", "train"), ("w4_5_test_loss", "test"), ("w4_5_norm", "norm")]
            for lam_i, v in zip(sweep["lam"], sweep[col], strict=True) if lam_i > 0]
    chart = alt.Chart(pd.DataFrame(rows)).mark_line(point=True).encode(
        x=alt.X("lam:Q", title="λ", scale=alt.Scale(type="log")),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(type="log")),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["series:N", "lam:Q", alt.Tooltip("value:Q", format=".4g")])
    rule = alt.Chart(pd.DataFrame({"lam": [max(lam, 0.1)]})).mark_rule(strokeDash=[5, 4], color="#d62728").encode(
        x="lam:Q")
    st.altair_chart((chart + rule).properties(height=280), width="stretch")
    k = st.columns(4)
    k[0].metric("λ", f"{lam:.3g}")
    k[1].metric(t("w4_5_train_loss"), f"{chosen['train']:.3g}")
    k[2].metric(t("w4_5_test_loss"), f"{chosen['test']:.3g}")
    k[3].metric(t("w4_5_norm"), f"{chosen['norm']:.3g}")
    st.caption(t("w4_5_sweep_caption", train0=f"{sweep['train'][0]:.2g}", test0=f"{sweep['test'][0]:.3g}",
                 norm0=f"{sweep['norm'][0]:.1f}"))
    return {"logLam": float(log_lam), "seed": int(seed)}


# --- 4.5.2: validation ------------------------------------------------------------------------------------------------

@st.cache_data(max_entries=16, show_spinner=False)
def _validation(n_val: int, reps: int, seed: int) -> dict[str, list]:
    return cap.validation_choice(list(RIDGE_LAMS), n_train=20, n_val=n_val, reps=reps, seed=seed)


def validation(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """The λ picked on a validation set against the best λ, over repeated fresh data (exercise 4.5.2)."""
    c1, c2, c3 = st.columns(3)
    n_val = c1.slider(t("w4_5_nval"), 5, 200, initial_value(initial, "nVal", 20, 5, 200), 5, key=f"{key}-nval")
    reps = c2.slider(t("w4_5_reps"), 10, 60, initial_value(initial, "reps", 30, 10, 60), 10, key=f"{key}-reps")
    seed = c3.number_input(t("w4_5_seed"), 0, 99, initial_value(initial, "seed", 0, 0, 99), key=f"{key}-seed")
    r = _validation(int(n_val), int(reps), int(seed))
    frame = pd.DataFrame({"log10λ": np.round(np.log10(r["picked"] + r["best"]), 2),
                          "which": [t("w4_5_picked")] * len(r["picked"]) + [t("w4_5_best")] * len(r["best"])})
    st.altair_chart(alt.Chart(frame).mark_bar(opacity=0.7).encode(
        x=alt.X("log10λ:O", title="log₁₀ λ"), y=alt.Y("count():Q", title=None), xOffset="which:N",
        color=alt.Color("which:N", title=None, legend=alt.Legend(orient="bottom"))).properties(height=220),
        width="stretch")
    share = float(np.mean(np.array(r["picked"]) == np.array(r["best"])))
    k = st.columns(3)
    k[0].metric(t("w4_5_share"), f"{share:.2f}")
    k[1].metric(t("w4_5_regret"), f"{100 * float(np.median(r['regret'])):.2f}%")
    k[2].metric(t("w4_5_worst"), f"{100 * float(max(r['regret'])):.1f}%")
    st.caption(t("w4_5_validation_caption"))
    return {"nVal": int(n_val), "reps": int(reps), "seed": int(seed)}


# --- 4.5.3: L1 against L2 ---------------------------------------------------------------------------------------------

def l1_vs_l2(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """How the weights evolve under L2, the L1 subgradient step and the L1 proximal step (exercise 4.5.3)."""
    options = ["l2", "l1", "l1prox"]
    c1, c2 = st.columns([1, 2])
    penalty = c1.radio(t("w4_5_penalty"), options, options.index(initial.get("penalty", "l1prox")
                                                                 if initial.get("penalty") in options else "l1prox"),
                       format_func=translated("w4_5_penalty_"), key=f"{key}-penalty")
    with c2:
        log_lam = st.slider(t("w4_5_log_lambda"), -1.0, 1.0, initial_value(initial, "logLam", 0.0, -1.0, 1.0), 0.25,
                            key=f"{key}-loglam")
    lam = 10 ** float(log_lam)
    with st.spinner(t("w4_5_training")):
        r = _run(lam, penalty, track=8)
    rows = [{"epoch": e + 1, "w": f"w{i + 1}", "value": v} for e, ws in enumerate(r["trace"]) for i, v in enumerate(ws)]
    st.altair_chart(alt.Chart(pd.DataFrame(rows)).mark_line().encode(
        x=alt.X("epoch:Q", title=t("w4_5_epoch")), y=alt.Y("value:Q", title=t("w4_5_weight")),
        color=alt.Color("w:N", title=None, legend=None)).properties(height=240), width="stretch")
    k = st.columns(3)
    k[0].metric(t("w4_5_zeros"), f"{r['zeros']} / {BOOK.d}")
    k[1].metric(t("w4_5_norm"), f"{r['norm']:.3g}")
    k[2].metric(t("w4_5_test_loss"), f"{r['test']:.3g}")
    st.caption(t("w4_5_l1_caption", step=f"{BOOK.lr * lam:.3g}"))
    return {"penalty": penalty, "logLam": float(log_lam)}


# --- 4.5.6: prior against penalty -----------------------------------------------------------------------------------

def prior_penalty(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """−log prior × σ²/n next to the penalty it gives; λ = σ²/(nτ²) from the sympy derivation (exercise 4.5.6)."""
    options = ["gaussian", "laplace"]
    c1, c2, c3 = st.columns(3)
    prior = c1.selectbox(t("w4_5_prior"), options, options.index(initial.get("prior", "gaussian")
                                                                 if initial.get("prior") in options else "gaussian"),
                         format_func=translated("w4_5_prior_"), key=f"{key}-prior")
    tau = c2.slider(t("w4_5_tau"), 0.005, 0.1, initial_value(initial, "tau", 0.01, 0.005, 0.1), 0.005,
                    key=f"{key}-tau")
    n = c3.slider(t("w4_5_n"), 5, 200, initial_value(initial, "n", 20, 5, 200), 5, key=f"{key}-n")
    sigma = BOOK.noise
    s, tau_s, n_s = sympy.symbols("sigma tau n", positive=True)
    lam = float(cap.map_penalty_weight(s, tau_s, n_s).subs({s: sigma, tau_s: tau, n_s: n}))
    w = np.linspace(-4 * tau, 4 * tau, 161)
    scale = sigma**2 / n  # the factor that turns −log posterior into the book's averaged loss
    if prior == "gaussian":
        neg_log = scale * (cap.gaussian_neg_log_prior(w, tau) - cap.gaussian_neg_log_prior(0.0, tau))
        penalty = lam / 2 * w**2
    else:  # Laplace with scale s = τ: −log p = |w|/τ + const ↔ λ₁|w| with λ₁ = σ²/(nτ)
        neg_log = scale * (cap.laplace_neg_log_prior(w, tau) - cap.laplace_neg_log_prior(0.0, tau))
        lam = sigma**2 / (n * tau)
        penalty = lam * np.abs(w)
    frame = pd.DataFrame({"w": np.concatenate([w, w]), "value": np.concatenate([neg_log, penalty]),
                          "curve": [t("w4_5_neglog")] * len(w) + [t(f"w4_5_pen_{prior}")] * len(w)})
    st.altair_chart(alt.Chart(frame).mark_line().encode(
        x="w:Q", y=alt.Y("value:Q", title=None), strokeDash="curve:N",
        color=alt.Color("curve:N", title=None, legend=alt.Legend(orient="bottom"))).properties(height=240),
        width="stretch")
    k = st.columns(2)
    k[0].metric("λ", f"{lam:.4g}")
    k[1].metric(t("w4_5_maxdiff"), f"{float(np.abs(neg_log - penalty).max()):.2e}")
    st.caption(t("w4_5_prior_caption"))
    return {"prior": prior, "tau": float(tau), "n": int(n)}


# --- section demo ----------------------------------------------------------------------------------------------------

def section_demo(key: str) -> None:
    """The book's figure: training and test loss per epoch without and with weight decay."""
    lam = st.select_slider(t("w4_5_demo_lambda"), [0.0, 1.0, 3.0, 10.0], 3.0, key=f"{key}-lam")
    with st.spinner(t("w4_5_training")):
        r = _run(float(lam))
    rows = [{"epoch": e + 1, "loss": v, "series": t(name)} for name, col in
            [("w4_5_train_objective", "train_curve"), ("w4_5_test_loss", "test_curve")] for e, v in enumerate(r[col])]
    st.altair_chart(alt.Chart(pd.DataFrame(rows)).mark_line().encode(
        x=alt.X("epoch:Q", title=t("w4_5_epoch")), y=alt.Y("loss:Q", title=None, scale=alt.Scale(type="log")),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom"))).properties(height=240),
        width="stretch")
    k = st.columns(3)
    k[0].metric(t("w4_5_train_loss"), f"{r['train']:.3g}")
    k[1].metric(t("w4_5_test_loss"), f"{r['test']:.3g}")
    k[2].metric(t("w4_5_norm"), f"{r['norm']:.3g}")
    st.caption(t("w4_5_demo_caption"))

