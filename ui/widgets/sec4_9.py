"""Section 4.9 widgets: label-shift correction with a confusion matrix (section demo), the covariate-shift detector
(4.9.2) and the importance-weighted corrector (4.9.3), all on generated 2-D Gaussians."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
import torch

from d2lcore import shift
from solutions.ch04_s9 import NOISE, risks
from ui.charts import alt
from ui.i18n import t
from ui.widgets import initial_value

SIZES = [200, 500, 1000, 2000, 5000]


def _pick(options: list, value: Any, default: Any) -> Any:
    return value if value in options else default


# --- 4.9.2: the detector ----------------------------------------------------------------------------------------------


@st.cache_data(max_entries=32, show_spinner=False)
def _detector(delta: float, n: int) -> dict[str, Any]:
    model, acc = shift.covariate_discriminator(n, (delta, 0.0))
    g = torch.Generator().manual_seed(1)
    Xs, Xt = shift.gaussian_samples(200, (0.0, 0.0), g), shift.gaussian_samples(200, (delta, 0.0), g)
    X = torch.cat([Xs, Xt])  # (400, 2)
    points = pd.DataFrame({"x1": X[:, 0].tolist(), "x2": X[:, 1].tolist(), "set": ["source"] * 200 + ["target"] * 200})
    return {"w": model.w.tolist(), "b": model.b, "acc": acc, "points": points}


def detector(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Source N(0, I) against target N((δ, 0), I): the discriminator's held-out accuracy and its logit (4.9.2)."""
    c1, c2 = st.columns(2)
    delta = c1.slider("δ", 0.0, 3.0, initial_value(initial, "delta", 1.5, 0.0, 3.0), 0.1, key=f"{key}-delta")
    n = c2.select_slider(t("w4_9_n"), SIZES, _pick(SIZES, initial.get("n"), 2000), key=f"{key}-n")
    r = _detector(float(delta), int(n))
    frame = r["points"].assign(label=r["points"]["set"].map({"source": t("w4_9_source"), "target": t("w4_9_target")}))
    st.altair_chart(alt.Chart(frame).mark_circle(opacity=0.5).encode(
        x="x1:Q", y="x2:Q", color=alt.Color("label:N", title=None, legend=alt.Legend(orient="bottom")))
        .properties(height=260), width="stretch")
    k = st.columns(3)
    k[0].metric(t("w4_9_heldout_acc"), f"{r['acc']:.3f}")
    k[1].metric(t("w4_9_bayes_acc"), f"{shift.bayes_discriminator_accuracy(float(delta)):.3f}")
    k[2].metric(t("w4_9_logit"), f"{r['w'][0]:.2f}·x1 {r['w'][1]:+.2f}·x2 {r['b']:+.2f}")
    st.caption(t("w4_9_true_logit", d=f"{delta:g}", half=f"{delta**2 / 2:.3g}"))
    return {"delta": float(delta), "n": int(n)}


# --- 4.9.3: the corrector ---------------------------------------------------------------------------------------------


@st.cache_data(max_entries=32, show_spinner=False)
def _corrector(m: float, n: int) -> dict[str, float]:
    r = shift.covariate_shift_correction(n, (m, 0.0), NOISE)
    return {"plain": r.plain_risk, "weighted": r.weighted_risk, "oracle": r.oracle_risk,
            "error": r.beta_log_error, "cPlain": r.plain.tolist(), "cWeighted": r.weighted.tolist()}


def corrector(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Unweighted and importance-weighted least squares; risks on the target against the exact limits (4.9.3)."""
    c1, c2 = st.columns(2)
    m = c1.slider("m", 0.0, 2.0, initial_value(initial, "m", 1.0, 0.0, 2.0), 0.25, key=f"{key}-m")
    n = c2.select_slider(t("w4_9_n"), SIZES, _pick(SIZES, initial.get("n"), 2000), key=f"{key}-n")
    r = _corrector(float(m), int(n))
    xs = [-3 + 0.1 * i for i in range(61)]
    rows = [{"x1": x, "series": t("w4_9_curve"), "y": x * x} for x in xs]
    rows += [{"x1": x, "series": t(f"w4_9_fit_{s}"), "y": r[c][0] + r[c][1] * x} for s, c in
             (("plain", "cPlain"), ("weighted", "cWeighted")) for x in xs]
    st.altair_chart(alt.Chart(pd.DataFrame(rows)).mark_line().encode(
        x="x1:Q", y=alt.Y("y:Q", title="y (x2 = 0)"),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom"))).properties(height=240),
        width="stretch")
    plain, weighted = risks(float(m))
    k = st.columns(4)
    k[0].metric(t("w4_9_risk_plain"), f"{r['plain']:.3f}")
    k[1].metric(t("w4_9_risk_weighted"), f"{r['weighted']:.3f}")
    k[2].metric(t("w4_9_risk_oracle"), f"{r['oracle']:.3f}")
    k[3].metric(t("w4_9_beta_error"), f"{r['error']:.3f}")
    st.caption(t("w4_9_limits", plain=f"{plain:.4g}", weighted=f"{weighted:.4g}"))
    return {"m": float(m), "n": int(n)}


# --- section demo: label shift ----------------------------------------------------------------------------------------


@st.cache_data(max_entries=32, show_spinner=False)
def _label_shift(p0: float, p1: float, n: int) -> dict[str, Any]:
    r = shift.label_shift_correction((1 / 3, 1 / 3, 1 / 3), (p0, p1, 1 - p0 - p1), n)
    return {"C": r.confusion.tolist(), "estimate": r.estimate.tolist(), "true": r.true_target.tolist(),
            "nu": r.nu.tolist(), "weights": r.weights.tolist()}


def section_demo(key: str) -> None:
    """Label shift: estimate the target label distribution from unlabelled target predictions by solving C p = ν."""
    st.caption(t("w4_9_demo_intro"))
    c1, c2, c3 = st.columns(3)
    p0 = c1.slider(t("w4_9_p0"), 0.05, 0.9, 0.6, 0.05, key=f"{key}-p0")
    p1 = c2.slider(t("w4_9_p1"), 0.05, 0.9, 0.3, 0.05, key=f"{key}-p1")
    n = c3.select_slider(t("w4_9_n"), SIZES, 5000, key=f"{key}-n")
    if p0 + p1 > 0.95:
        # an explicit icon: Streamlit skips scanning the text for a leading emoji (a 50 ms regex on first use)
        st.warning(t("w4_9_prior_warning"), icon=":material/warning:")
        p1 = round(0.95 - p0, 2)
    r = _label_shift(float(p0), float(p1), int(n))
    rows = [{"class": j, "series": t(f"w4_9_prior_{s}"), "p": r[s][j]} for s in ("true", "estimate", "nu")
            for j in range(3)]
    st.altair_chart(alt.Chart(pd.DataFrame(rows)).mark_bar().encode(
        x=alt.X("class:O", title=t("w4_9_class")), xOffset="series:N", y=alt.Y("p:Q", title=None),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom"))).properties(height=220),
        width="stretch")
    st.markdown(t("w4_9_confusion"))
    st.dataframe(pd.DataFrame(r["C"]).round(3), hide_index=False)
    err = max(abs(a - b) for a, b in zip(r["estimate"], r["true"], strict=True))
    k = st.columns(2)
    k[0].metric(t("w4_9_max_error"), f"{err:.3f}")
    k[1].metric(t("w4_9_weights"), ", ".join(f"{w:.2f}" for w in r["weights"]))
