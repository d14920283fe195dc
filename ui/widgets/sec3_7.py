"""Section 3.7 widgets: the concise model against the scratch one (section demo), hyperparameters (3.7.1) and
overfitting with more epochs on a small training set (3.7.2). Every run is cached per configuration."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from d2lcore import softmax_regression as sr
from solutions.ch03_s7 import HYPER, OVERFIT, overfit_summary
from ui.charts import alt
from ui.i18n import t
from ui.widgets import initial_value
from ui.widgets.sec3_6 import DEMO, bar_verdict, curves_chart, dataset_caption, run_with_progress

BATCHES = [8, 16, 32, 64, 128, 256, 512]
RATES = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]


def _pick(options: list, value: Any, default: Any) -> Any:
    return value if value in options else default


# --- 3.7.1: hyperparameters ----------------------------------------------------------------------------------------


def hyperparameters(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Batch size, learning rate and epochs of the concise model on the fixed digits subset (exercise 3.7.1)."""
    c1, c2, c3 = st.columns(3)
    batch = c1.select_slider(t("w3_7_batch"), BATCHES, _pick(BATCHES, initial.get("batch"), 256), key=f"{key}-batch")
    lr = c2.select_slider(t("w3_7_lr"), RATES, _pick(RATES, initial.get("lr"), 0.1), key=f"{key}-lr")
    epochs = c3.slider(t("w3_7_epochs"), 1, 50, initial_value(initial, "epochs", 10, 1, 50), key=f"{key}-epochs")
    config = replace(HYPER, batch_size=int(batch), lr=float(lr), epochs=int(epochs))
    result = run_with_progress(config)
    dataset_caption(result)
    h = result["history"]
    k = st.columns(4)
    k[0].metric(t("w3_7_updates"), f"{sr.updates_per_run(config.n_train, config.batch_size, config.epochs):,}")
    k[1].metric(t("w3_6_train_loss"), f"{h['train_loss'][-1]:.3f}")
    k[2].metric(t("w3_6_train_acc"), f"{h['train_acc'][-1]:.3f}")
    k[3].metric(t("w3_6_test_acc"), f"{h['test_acc'][-1]:.3f}")
    st.altair_chart(curves_chart(h), width="stretch")
    bar_verdict(result)
    return {"batch": int(batch), "lr": float(lr), "epochs": int(epochs)}


# --- 3.7.2: more epochs on a small training set ------------------------------------------------------------------


def _overfit_chart(h: dict[str, list[float]], best: int) -> alt.Chart:
    rows = []
    for name, series, panel in [("w3_6_train_loss", "train_loss", "loss"), ("w3_7_test_loss", "test_loss", "loss"),
                                ("w3_6_train_acc", "train_acc", "acc"), ("w3_6_test_acc", "test_acc", "acc")]:
        rows += [{"epoch": e, "series": t(name), "value": v, "panel": t(f"w3_7_panel_{panel}")}
                 for e, v in zip(h["epoch"], h[series], strict=True)]
    frame = pd.DataFrame(rows)
    base = alt.Chart(frame).mark_line().encode(
        x=alt.X("epoch:Q", title=t("w3_6_axis_epoch")), y=alt.Y("value:Q", title=None),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["series:N", "epoch:Q", alt.Tooltip("value:Q", format=".4f")])
    rule = alt.Chart(pd.DataFrame({"epoch": [best]})).mark_rule(strokeDash=[5, 4], color="#d62728").encode(
        x="epoch:Q")
    return alt.layer(base, rule, data=frame).properties(height=200).facet(
        row=alt.Row("panel:N", title=None)).resolve_scale(y="independent")


def overfitting(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Train and test loss and accuracy per epoch on a small training set, with weight decay (exercise 3.7.2)."""
    sizes, decays = [50, 100, 200, 400, 1000], [0.0, 0.001, 0.003, 0.01]
    c1, c2, c3 = st.columns(3)
    epochs = c1.slider(t("w3_7_epochs"), 10, 300, initial_value(initial, "epochs", OVERFIT.epochs, 10, 300), 10,
                       key=f"{key}-epochs")
    n = c2.select_slider(t("w3_7_ntrain"), sizes, _pick(sizes, initial.get("n"), OVERFIT.n_train), key=f"{key}-n")
    wd = c3.select_slider(t("w3_7_wd"), decays, _pick(decays, initial.get("wd"), 0.0), key=f"{key}-wd")
    config = replace(OVERFIT, epochs=int(epochs), n_train=int(n), weight_decay=float(wd))
    result = run_with_progress(config)
    dataset_caption(result)
    h = result["history"]
    s = overfit_summary(h["test_loss"], h["train_loss"])
    st.altair_chart(_overfit_chart(h, int(s["best"])), width="stretch")
    k = st.columns(4)
    k[0].metric(t("w3_7_best_epoch"), f"{s['best']}")
    k[1].metric(t("w3_7_min_loss"), f"{s['min']:.3f}")
    k[2].metric(t("w3_7_final_loss"), f"{s['final']:.3f}")
    k[3].metric(t("w3_7_rise"), f"{100 * s['rise']:.1f}%")
    gap = h["train_acc"][-1] - h["test_acc"][-1]
    st.caption(t("w3_7_overfit_caption", gap=f"{gap:.3f}", best=s["best"]))
    return {"epochs": int(epochs), "n": int(n), "wd": float(wd)}


# --- section demo: concise against scratch ----------------------------------------------------------------------------


DEMO_TRAINS = True  # the section demo trains models (cached per setting, with progress)


def section_demo(key: str) -> None:
    """The concise model (nn.Linear + nn.CrossEntropyLoss) and the scratch one, same start, same minibatches."""
    st.caption(t("w3_7_demo_intro"))
    concise = run_with_progress(replace(DEMO, implementation="concise"))
    scratch = run_with_progress(replace(DEMO, implementation="scratch"))
    dataset_caption(concise)
    extra = {t("w3_7_scratch_test_acc"): scratch["history"]["test_acc"]}
    st.altair_chart(curves_chart(concise["history"], extra), width="stretch")
    diff = max(abs(a - b) for a, b in zip(concise["history"]["train_loss"], scratch["history"]["train_loss"],
                                          strict=True))
    k = st.columns(3)
    k[0].metric(t("w3_7_concise_acc"), f"{concise['history']['test_acc'][-1]:.3f}")
    k[1].metric(t("w3_7_scratch_acc"), f"{scratch['history']['test_acc'][-1]:.3f}")
    k[2].metric(t("w3_7_max_diff"), f"{diff:.2e}")
    bar_verdict(concise)
    st.caption(t("w3_7_demo_caption"))
