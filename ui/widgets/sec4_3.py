"""Section 4.3 widgets: the concise MLP trained live (section demo), depth × learning rate (4.3.1), activation
functions (4.3.2) and weight initialisations (4.3.3). Runs are cached per configuration (ui.widgets.sec4_2)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from solutions.ch04_s3 import ACTIVATIONS, CONCISE, DEPTH_RATES, DEPTHS, INITS, init_config
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import initial_value
from ui.widgets.sec4_2 import curves_chart, dataset_caption, metrics_row, run_many, run_one

DEMO = replace(CONCISE, dataset="auto", n_train=2000, n_test=500)  # Fashion-MNIST when cached, else the digits
INIT_NAMES = list(INITS)


def _bars(labels: list[str], accs: list[float], chosen: str, title: str) -> alt.Chart:
    frame = pd.DataFrame({"name": labels, "acc": accs, "chosen": [n == chosen for n in labels]})
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("name:N", title=title, sort=labels), y=alt.Y("acc:Q", title=t("w4_2_test_acc"),
                                                             scale=alt.Scale(domain=[0, 1])),
        color=alt.condition("datum.chosen", alt.value("#d62728"), alt.value("#4c78a8")),
        tooltip=["name:N", alt.Tooltip("acc:Q", format=".3f")]).properties(height=200)


DEMO_TRAINS = True  # the section demo trains models (cached per setting, with progress)


def section_demo(key: str) -> None:
    """The concise model with the learner's depth, activation, initialisation and learning rate."""
    c1, c2, c3, c4 = st.columns(4)
    depth = c1.slider(t("w4_2_layers"), 1, 3, 1, key=f"{key}-layers")
    act = c2.selectbox(t("w4_2_activation"), ACTIVATIONS, key=f"{key}-act", format_func=translated("w4_1_act_"))
    init = c3.selectbox(t("w4_3_init"), INIT_NAMES, key=f"{key}-init", format_func=translated("w4_3_init_"))
    lr = c4.select_slider(t("w4_2_lr"), [0.03, 0.1, 0.3, 0.5, 1.0], 0.1, key=f"{key}-lr")
    config = replace(init_config(str(init), int(depth)), activation=str(act), lr=float(lr), dataset="auto",
                     n_train=DEMO.n_train, n_test=DEMO.n_test)
    result = run_one(config)
    dataset_caption(result)
    metrics_row(result)
    st.altair_chart(curves_chart(result["history"]), width="stretch")
    st.caption(t("w4_3_demo_caption"))


def depth_and_rate(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """1–3 hidden layers × learning rate 0.1 / 0.5: the six runs as a heatmap, the chosen one's curves."""
    c1, c2 = st.columns(2)
    depth = c1.slider(t("w4_2_layers"), 1, 3, initial_value(initial, "layers", 2, 1, 3), key=f"{key}-layers")
    lr0 = initial.get("lr", 0.1)
    lr = c2.radio(t("w4_2_lr"), DEPTH_RATES, index=DEPTH_RATES.index(lr0) if lr0 in DEPTH_RATES else 0,
                  horizontal=True, key=f"{key}-lr")
    grid = [(d, r) for d in DEPTHS for r in DEPTH_RATES]
    results = run_many([replace(CONCISE, hidden=(256,) * d, lr=r) for d, r in grid])
    result = results[grid.index((int(depth), float(lr)))]
    dataset_caption(result)
    metrics_row(result)
    frame = pd.DataFrame([{"layers": str(d), "lr": str(r), "acc": res["acc"]}
                          for (d, r), res in zip(grid, results, strict=True)])
    heat = alt.Chart(frame).mark_rect().encode(
        x=alt.X("lr:O", title=t("w4_2_lr")), y=alt.Y("layers:O", title=t("w4_2_layers")),
        color=alt.Color("acc:Q", title=t("w4_2_test_acc"), scale=alt.Scale(domain=[0, 1], scheme="viridis")))
    text = alt.Chart(frame).mark_text(fontSize=16, color="white").encode(
        x="lr:O", y="layers:O", text=alt.Text("acc:Q", format=".3f"))
    st.altair_chart((heat + text).properties(height=200), width="stretch")
    st.altair_chart(curves_chart(result["history"]), width="stretch")
    return {"layers": int(depth), "lr": float(lr)}


def activations(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Every activation at the book's settings; the chosen one's curves."""
    act0 = initial.get("act", "sigmoid")
    act = st.selectbox(t("w4_2_activation"), ACTIVATIONS, index=ACTIVATIONS.index(act0) if act0 in ACTIVATIONS
                       else 1, key=f"{key}-act", format_func=translated("w4_1_act_"))
    results = run_many([replace(CONCISE, activation=a) for a in ACTIVATIONS])
    result = results[ACTIVATIONS.index(act)]
    dataset_caption(result)
    metrics_row(result)
    label = translated("w4_1_act_")
    st.altair_chart(_bars([label(a) for a in ACTIVATIONS], [r["acc"] for r in results], label(act),
                          t("w4_2_activation")), width="stretch")
    st.altair_chart(curves_chart(result["history"]), width="stretch")
    return {"act": str(act)}


def initialisation(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Five initialisations with one or two hidden layers: accuracies and the chosen run's loss curve."""
    c1, c2 = st.columns(2)
    init0 = initial.get("init", "normal")
    init = c1.selectbox(t("w4_3_init"), INIT_NAMES, index=INIT_NAMES.index(init0) if init0 in INIT_NAMES else 0,
                        key=f"{key}-init", format_func=translated("w4_3_init_"))
    depth = c2.radio(t("w4_2_layers"), [1, 2], index=initial_value(initial, "layers", 2, 1, 2) - 1, horizontal=True,
                     key=f"{key}-layers")
    results = run_many([init_config(name, int(depth)) for name in INIT_NAMES])
    result = results[INIT_NAMES.index(init)]
    dataset_caption(result)
    metrics_row(result)
    label = translated("w4_3_init_")
    st.altair_chart(_bars([label(n) for n in INIT_NAMES], [r["acc"] for r in results], label(init),
                          t("w4_3_init")), width="stretch")
    st.altair_chart(curves_chart(result["history"]), width="stretch")
    return {"init": str(init), "layers": int(depth)}
