"""Section 3.6 widgets: the softmax stability explorer (3.6.1–3.6.3 and the section demo), decisions with costs
(3.6.4), the output layer over a huge vocabulary (3.6.5), and the from-scratch training run of the section demo."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import torch

from d2lcore import softmax_regression as sr
from ui.charts import alt
from ui.i18n import t
from ui.widgets import dataset_source, initial_value

BOOK_LOGITS = {"o1": -20.0, "o2": 94.0, "o3": 95.0}
DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32, "float64": torch.float64}
# the training run of the demos: small enough for a few seconds on 2 cores, enough updates to pass the bar
DEMO = sr.SoftmaxConfig(batch_size=32, lr=0.1, epochs=10, n_train=1200, n_test=400)
BARS = {"Fashion-MNIST": (0.5, 0.7), "scikit-learn digits": (0.5, 0.85)}  # (train loss below, test acc above)


def _fmt(x: float) -> str:
    return "nan" if np.isnan(x) else ("inf" if np.isinf(x) else f"{x:.4g}")


# --- 3.6.1–3.6.3: the softmax stability explorer ------------------------------------------------------------------


@st.cache_data(max_entries=64, show_spinner=False)
def _breakdown_frame(o: tuple[float, ...], y: int, dtype: str, max_scale: float, max_shift: float) -> pd.DataFrame:
    scales = torch.linspace(0, max_scale, 41, dtype=torch.float64)
    shifts = torch.linspace(-max_shift, max_shift, 41, dtype=torch.float64)
    code = sr.breakdown_grid(torch.tensor(o), y, scales, shifts, DTYPES[dtype])  # (41, 41)
    S, C = torch.meshgrid(scales, shifts, indexing="ij")
    return pd.DataFrame({"scale": S.ravel().numpy(), "shift": C.ravel().numpy(),
                         "what": [sr.BREAKDOWN[int(k)] for k in code.ravel()]})


def _breakdown_chart(frame: pd.DataFrame, scale: float, shift: float) -> alt.Chart:
    labels = {k: t(f"w3_6_break_{k}") for k in sr.BREAKDOWN}
    frame = frame.assign(label=frame["what"].map(labels))
    step_x = float(np.diff(np.unique(frame["scale"]))[0])
    step_y = float(np.diff(np.unique(frame["shift"]))[0])
    frame = frame.assign(x2=frame["scale"] + step_x, y2=frame["shift"] + step_y)
    order = [labels[k] for k in sr.BREAKDOWN]
    cells = alt.Chart(frame).mark_rect().encode(
        x=alt.X("scale:Q", title=t("w3_6_axis_scale")), x2="x2:Q",
        y=alt.Y("shift:Q", title=t("w3_6_axis_shift")), y2="y2:Q",
        color=alt.Color("label:N", title=t("w3_6_legend"), sort=order,
                        scale=alt.Scale(domain=order, range=["#c7e9c0", "#fdae6b", "#9ecae1", "#d9d9d9"]),
                        legend=alt.Legend(orient="bottom", columns=2)),
        tooltip=["label:N", alt.Tooltip("scale:Q", format=".2f"), alt.Tooltip("shift:Q", format=".0f")])
    here = alt.Chart(pd.DataFrame({"scale": [scale + step_x / 2], "shift": [shift + step_y / 2]})).mark_point(
        shape="cross", size=220, color="#000", strokeWidth=3).encode(x="scale:Q", y="shift:Q")
    return (cells + here).properties(height=300)


def _stability_controls(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    c1, c2, c3, c4 = st.columns([3, 3, 2, 2])
    scale = c1.slider(t("w3_6_scale"), 0.0, 2.0, initial_value(initial, "scale", 1.0, 0.0, 2.0), 0.01,
                      help=t("w3_6_scale_help"), key=f"{key}-scale")
    shift = c2.slider(t("w3_6_shift"), -150.0, 150.0, initial_value(initial, "shift", 0.0, -150.0, 150.0), 1.0,
                      help=t("w3_6_shift_help"), key=f"{key}-shift")
    dtype0 = initial.get("dtype", "float32")
    dtype = c3.selectbox(t("w3_6_dtype"), list(DTYPES), index=list(DTYPES).index(dtype0) if dtype0 in DTYPES else 2,
                         key=f"{key}-dtype")
    y = c4.selectbox(t("w3_6_label"), [0, 1, 2], index=initial_value(initial, "y", 0, 0, 2), key=f"{key}-y")
    return {"scale": float(scale), "shift": float(shift), "dtype": str(dtype), "y": int(y)}


def _stability_explorer(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    o = tuple(float(initial_value(initial, name, BOOK_LOGITS[name], -1000.0, 1000.0)) for name in BOOK_LOGITS)
    st.markdown(t("w3_6_logits_base", o1=f"{o[0]:g}", o2=f"{o[1]:g}", o3=f"{o[2]:g}"))
    v = _stability_controls(key, initial)
    logits = [v["scale"] * x + v["shift"] for x in o]
    report = sr.stability_report(logits, v["y"], DTYPES[v["dtype"]])
    table = pd.DataFrame({
        t("w3_6_col_class"): [0, 1, 2],
        "o": [f"{float(x):.6g}" for x in report.o],
        "exp(o)": [_fmt(float(x)) for x in report.exp_naive],
        t("w3_6_col_naive"): [_fmt(float(x)) for x in report.p_naive],
        t("w3_6_col_stable"): [_fmt(float(x)) for x in report.p_stable],
        "torch.softmax": [_fmt(float(x)) for x in report.p_torch],
    })
    st.dataframe(table, hide_index=True)
    m = st.columns(4)
    m[0].metric(t("w3_6_ce_naive"), _fmt(report.ce_naive), help=t("w3_6_ce_naive_help"))
    m[1].metric(t("w3_6_ce_logstable"), _fmt(report.ce_log_of_stable), help=t("w3_6_ce_logstable_help"))
    m[2].metric(t("w3_6_ce_lse"), _fmt(report.ce_stable), help=t("w3_6_ce_lse_help"))
    m[3].metric("F.cross_entropy", _fmt(report.ce_torch))
    dtype = DTYPES[v["dtype"]]
    limits = {"over": f"{sr.exp_overflow_threshold(dtype):.2f}", "gap": f"{sr.exp_underflow_gap(dtype):.2f}",
              "tiny": f"{sr.smallest_positive(dtype):.3g}", "dtype": v["dtype"]}
    st.caption(t("w3_6_limits", **limits))
    frame = _breakdown_frame(o, v["y"], v["dtype"], 2.0, 150.0)
    st.altair_chart(_breakdown_chart(frame, v["scale"], v["shift"]), width="stretch")
    st.caption(t("w3_6_chart_caption", truth=f"{report.truth:.4f}"))
    return v


def softmax_stability(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Logits λ·o + c in any dtype: naive vs stable softmax and cross-entropy (exercises 3.6.1–3.6.3)."""
    return _stability_explorer(key, initial)


# --- training from scratch (section demo) -------------------------------------------------------------------------


@st.cache_data(max_entries=16, show_spinner=False)
def train_cached(implementation: str, batch_size: int, lr: float, epochs: int, n_train: int, n_test: int,
                 weight_decay: float, seed: int, dataset: str) -> dict[str, Any]:
    """One seeded run, kept per configuration: the History, the data set used, a few predictions and the
    confusion matrix of the test set (plain data, so it pickles). The progress bar is created in here, so a
    cached result replays it at 100%."""
    config = sr.SoftmaxConfig(implementation, batch_size, lr, epochs, n_train, n_test, weight_decay, seed, dataset)
    bar = st.progress(0.0, text=f"0 / {epochs}")
    fit = sr.fit_softmax_regression(config, callback=lambda e, h: bar.progress(e / epochs, text=f"{e} / {epochs}"))
    X, y = fit.data.test.tensors
    y_pred = sr.predict(fit.model, X)
    return {"history": asdict(fit.history), "name": fit.data.name, "source": fit.data.source,
            "n_train": len(fit.data.train), "n_test": len(fit.data.test), "classes": fit.data.classes,
            "images": X[:8, 0].numpy(), "true": y[:8].tolist(), "pred": y_pred[:8].tolist(),
            "confusion": sr.confusion_matrix(y, y_pred, fit.data.n_classes).numpy()}


def run_with_progress(config: sr.SoftmaxConfig) -> dict[str, Any]:
    """train_cached inside st.status with a progress bar per epoch (instant when the configuration is cached)."""
    with st.status(t("w3_6_training", epochs=config.epochs), expanded=False) as status:
        result = train_cached(**asdict(config))
        status.update(label=t("w3_6_trained", seconds=f"{result['history']['seconds']:.2f}"), state="complete")
    return result


def curves_chart(history: dict[str, list[float]], extra: dict[str, list[float]] | None = None) -> alt.Chart:
    """Training loss, training and test accuracy per epoch (the book's train_ch3 plot), optionally more series."""
    series = {t("w3_6_train_loss"): history["train_loss"], t("w3_6_train_acc"): history["train_acc"],
              t("w3_6_test_acc"): history["test_acc"], **(extra or {})}
    frame = pd.DataFrame([{"epoch": e, "series": name, "value": v} for name, values in series.items()
                          for e, v in zip(history["epoch"], values, strict=True)])
    return alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("epoch:Q", title=t("w3_6_axis_epoch")), y=alt.Y("value:Q", title=None),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
        strokeDash=alt.StrokeDash("series:N", legend=None),
        tooltip=["series:N", "epoch:Q", alt.Tooltip("value:Q", format=".4f")]).properties(height=260)


def bar_verdict(result: dict[str, Any]) -> None:
    """Does the run pass the book's bar (or our equivalent on the digits)?"""
    loss_max, acc_min = BARS.get(result["name"], (0.5, 0.7))
    loss, acc = result["history"]["train_loss"][-1], result["history"]["test_acc"][-1]
    ok = loss < loss_max and acc > acc_min
    text = t("w3_6_bar", loss=f"{loss:.3f}", acc=f"{acc:.3f}", loss_max=loss_max, acc_min=acc_min)
    (st.success if ok else st.warning)(text, icon="✅" if ok else "⚠️")


def dataset_caption(result: dict[str, Any]) -> None:
    st.caption(t("w3_6_dataset", name=result["name"], n_train=f"{result['n_train']:,}",
                 n_test=f"{result['n_test']:,}", source=dataset_source(result["name"])))


def _predictions(result: dict[str, Any]) -> None:
    st.markdown(t("w3_6_predict_heading"))
    cols = st.columns(8)
    for col, img, true, pred in zip(cols, result["images"], result["true"], result["pred"], strict=True):
        col.image(np.clip(img, 0, 1), width="stretch", clamp=True)
        mark = "✓" if true == pred else "✗"
        col.caption(f"{result['classes'][true]} → {result['classes'][pred]} {mark}")
    M = result["confusion"]
    classes = result["classes"]
    frame = pd.DataFrame([{"true": classes[i], "pred": classes[j], "n": int(M[i, j])}
                          for i in range(len(classes)) for j in range(len(classes))])
    heat = alt.Chart(frame).mark_rect().encode(
        x=alt.X("pred:N", sort=classes, title=t("w3_6_axis_pred")),
        y=alt.Y("true:N", sort=classes, title=t("w3_6_axis_true")),
        color=alt.Color("n:Q", scale=alt.Scale(scheme="blues", type="symlog"), legend=None),
        tooltip=["true:N", "pred:N", "n:Q"])
    text = alt.Chart(frame[frame.n > 0]).mark_text(fontSize=10).encode(x=alt.X("pred:N", sort=classes),
                                                                       y=alt.Y("true:N", sort=classes), text="n:Q")
    st.altair_chart((heat + text).properties(height=300), width="stretch")
    st.caption(t("w3_6_confusion_caption"))


def _scratch_training(key: str) -> None:
    st.markdown(t("w3_6_scratch_heading"))
    config = sr.SoftmaxConfig(**{**asdict(DEMO), "implementation": "scratch"})
    st.caption(t("w3_6_scratch_config", batch=config.batch_size, lr=config.lr, epochs=config.epochs))
    result = run_with_progress(config)
    dataset_caption(result)
    st.altair_chart(curves_chart(result["history"]), width="stretch")
    bar_verdict(result)
    _predictions(result)


DEMO_TRAINS = True  # the section demo trains models (cached per setting, with progress)


def section_demo(key: str) -> None:
    """The stability explorer on the book-sized logits, then softmax regression trained from scratch."""
    st.caption(t("w3_6_demo_intro"))
    _stability_explorer(f"{key}-stab", {})
    _scratch_training(key)


# --- 3.6.4: decisions with costs ------------------------------------------------------------------------------------

ACTIONS = ("treat", "home", "refer")


def decision_costs(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Expected cost of treating, sending home and referring, as a function of P(ill) (exercise 3.6.4)."""
    c1, c2, c3, c4 = st.columns(4)
    cfn = c1.slider(t("w3_6_cfn"), 1.0, 100.0, initial_value(initial, "cfn", 20.0, 1.0, 100.0), 1.0, key=f"{key}-cfn")
    cfp = c2.slider(t("w3_6_cfp"), 1.0, 100.0, initial_value(initial, "cfp", 1.0, 1.0, 100.0), 1.0, key=f"{key}-cfp")
    cref = c3.slider(t("w3_6_cref"), 0.0, 50.0, initial_value(initial, "cref", 3.0, 0.0, 50.0), 0.5,
                     key=f"{key}-cref")
    p = c4.slider(t("w3_6_pill"), 0.0, 1.0, initial_value(initial, "p", 0.2, 0.0, 1.0), 0.01, key=f"{key}-p")
    # C[action, truth], truth 0 = ill, 1 = healthy; referral: a fixed cost, the specialist decides correctly
    C = torch.tensor([[0.0, cfp], [cfn, 0.0], [cref, cref]], dtype=torch.float64)
    grid = torch.linspace(0, 1, 201, dtype=torch.float64)
    P = torch.stack([grid, 1 - grid], dim=1)  # (201, 2)
    R = sr.expected_costs(P, C)  # (201, 3)
    names = {a: t(f"w3_6_act_{a}") for a in ACTIONS}
    frame = pd.DataFrame([{"p": float(grid[i]), "action": names[a], "cost": float(R[i, k])}
                          for i in range(len(grid)) for k, a in enumerate(ACTIONS)])
    lines = alt.Chart(frame).mark_line(strokeWidth=2.5).encode(
        x=alt.X("p:Q", title=t("w3_6_axis_pill")), y=alt.Y("cost:Q", title=t("w3_6_axis_cost")),
        color=alt.Color("action:N", title=None, legend=alt.Legend(orient="bottom")))
    rules = [alt.Chart(pd.DataFrame({"p": [x]})).mark_rule(strokeDash=dash, color=color).encode(x="p:Q")
             for x, dash, color in [(p, [1, 0], "#000"), (0.5, [2, 3], "#888"),
                                    (sr.treat_threshold(cfp, cfn), [6, 4], "#d62728")]]
    st.altair_chart(alt.layer(lines, *rules).properties(height=240), width="stretch")
    here = torch.tensor([p, 1 - p], dtype=torch.float64)
    best = ACTIONS[int(sr.bayes_decision(here, C))]
    best_two = ACTIONS[int(sr.bayes_decision(here, C[:2]))]
    k1, k2, k3 = st.columns(3)
    k1.metric(t("w3_6_argmax"), names["treat"] if p > 0.5 else names["home"])
    k2.metric(t("w3_6_bayes2"), names[best_two], help=t("w3_6_threshold", th=f"{sr.treat_threshold(cfp, cfn):.3f}"))
    k3.metric(t("w3_6_bayes3"), names[best])
    st.caption(t("w3_6_costs_caption", th=f"{sr.treat_threshold(cfp, cfn):.3f}"))
    return {"cfn": float(cfn), "cfp": float(cfp), "cref": float(cref), "p": float(p)}


# --- 3.6.5: the output layer over a huge vocabulary -----------------------------------------------------------------

VOCABS = [1_000, 10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000]


def vocabulary_cost(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Parameters and multiply-adds per word of full, hierarchical and sampled softmax (exercise 3.6.5)."""
    c1, c2 = st.columns(2)
    V0 = initial_value(initial, "V", 100_000, 1_000, 3_000_000)
    V = c1.select_slider(t("w3_6_vocab"), VOCABS, V0 if V0 in VOCABS else 100_000, key=f"{key}-V")
    dims = [64, 128, 256, 512, 1024]
    d0 = initial_value(initial, "d", 512, 64, 1024)
    d = c2.select_slider(t("w3_6_features"), dims, d0 if d0 in dims else 512, key=f"{key}-d")
    c = sr.output_layer_cost(int(V), int(d))
    k = st.columns(4)
    k[0].metric(t("w3_6_params"), f"{c.params:,}")
    k[1].metric(t("w3_6_full"), f"{c.full_macs:,}")
    k[2].metric(t("w3_6_hier"), f"{c.hierarchical_macs:,}")
    k[3].metric(t("w3_6_sampled"), f"{c.sampled_macs:,}")
    st.caption(t("w3_6_vocab_caption", mb=f"{4 * c.params / 2**20:,.0f}"))
    return {"V": int(V), "d": int(d)}

