"""Chapter 1 widgets."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from d2lcore import intro
from ui.charts import alt
from ui.i18n import t
from ui.widgets import initial_value


@st.cache_data(max_entries=64)
def _threshold_experiment(n: int, gap: float, noise: float, seed: int, hand_t: float) -> dict[str, Any]:
    x, y = intro.two_class_data(n, gap, noise, seed)
    x_test, y_test = intro.two_class_data(2000, gap, noise, seed + 10_000)
    learned_t = intro.fit_threshold(x, y)
    return {
        "x": x, "y": y, "learned_t": learned_t,
        "hand_train": intro.error_rate(x, y, hand_t), "hand_test": intro.error_rate(x_test, y_test, hand_t),
        "learned_train": intro.error_rate(x, y, learned_t),
        "learned_test": intro.error_rate(x_test, y_test, learned_t),
        "bayes": intro.bayes_error(gap, noise),
    }


def learned_threshold(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Hand-set threshold vs a threshold learned from labelled examples (exercise 1.9.1)."""
    c1, c2, c3, c4 = st.columns(4)
    n = c1.slider(t("w01_n"), 5, 500, initial_value(initial, "n", 40, 5, 500), step=5, key=f"{key}-n")
    gap = c2.slider(t("w01_gap"), 0.0, 4.0, initial_value(initial, "gap", 1.5, 0.0, 4.0), 0.1, key=f"{key}-gap")
    noise = c3.slider(t("w01_noise"), 0.2, 3.0, initial_value(initial, "noise", 1.0, 0.2, 3.0), 0.1,
                      key=f"{key}-noise")
    seed = c4.number_input(t("w01_seed"), 0, 9999, initial_value(initial, "seed", 0, 0, 9999), key=f"{key}-seed")
    hand_t = st.slider(t("w01_hand"), -4.0, 4.0, initial_value(initial, "t", 1.0, -4.0, 4.0), 0.05, key=f"{key}-t")
    r = _threshold_experiment(int(n), float(gap), float(noise), int(seed), float(hand_t))

    points = pd.DataFrame({"x": r["x"], "cls": r["y"], "jitter": np.random.default_rng(0).uniform(0, 1, len(r["x"]))})
    dots = alt.Chart(points).mark_circle(size=45, opacity=0.7).encode(
        x=alt.X("x:Q", title="x", scale=alt.Scale(domain=[-6, 6])),
        y=alt.Y("jitter:Q", axis=None),
        color=alt.Color("cls:N", title=t("w01_class"), scale=alt.Scale(range=["#1f77b4", "#ff7f0e"])),
    )
    rules = alt.Chart(pd.DataFrame({"t": [hand_t, r["learned_t"]],
                                    "who": [t("w01_rule_hand"), t("w01_rule_learned")]})).mark_rule(
        strokeWidth=3).encode(x="t:Q", strokeDash=alt.StrokeDash("who:N", title=""), color=alt.value("#444"))
    st.altair_chart((dots + rules).properties(height=180), width="stretch")

    m1, m2, m3 = st.columns(3)
    m1.metric(t("w01_hand_err"), f"{r['hand_train']:.1%}", help=t("w01_test_help", test=f"{r['hand_test']:.1%}"))
    m2.metric(t("w01_learned_err"), f"{r['learned_train']:.1%}",
              delta=f"{(r['learned_train'] - r['hand_train']) * 100:+.1f} pp", delta_color="inverse",
              help=t("w01_test_help", test=f"{r['learned_test']:.1%}"))
    m3.metric(t("w01_bayes"), f"{r['bayes']:.1%}")
    st.caption(t("w01_caption", learned=f"{r['learned_t']:.2f}", hand_test=f"{r['hand_test']:.1%}",
                 learned_test=f"{r['learned_test']:.1%}"))
    return {"n": int(n), "gap": float(gap), "noise": float(noise), "seed": int(seed), "t": float(hand_t)}
