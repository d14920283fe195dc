"""Section 4.2 widgets: the from-scratch MLP trained live (section demo), hidden units (4.2.1), more hidden layers
(4.2.2), the learning rate (4.2.3), a random search (4.2.4), depth × learning rate (4.2.5) and grid against random
search on a toy objective (4.2.6). Every training run is cached per configuration and returns plain data."""

from __future__ import annotations

import itertools
from dataclasses import asdict, replace
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from d2lcore import mlp
from solutions.ch04_s2 import RATES, SCRATCH, SEARCH_TRIALS, WIDTHS, run, search
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import dataset_source, initial_value

WIDTH_OPTIONS = [4, 8, 16, 32, 64, 128, 256, 512, 1024]
DEMO = replace(SCRATCH, dataset="auto", n_train=2000, n_test=500)  # Fashion-MNIST when cached, else the digits


def _pick(options: list, value: Any, default: Any) -> Any:
    return value if value in options else default


@st.cache_data(max_entries=128, show_spinner=False)
def train_cached(**config: Any) -> dict[str, Any]:
    """One seeded run of an MLPConfig (given as its fields), kept per configuration: plain data only. The progress
    bar is created in here, so a cached result replays it at 100%. Exercise configurations (the digits) share the
    runs of the reference solutions, so the widget shows exactly the numbers the checker uses."""
    config = mlp.MLPConfig(**{**config, "hidden": tuple(config["hidden"])})
    bar = st.progress(0.0, text=f"0 / {config.epochs}")
    if config.dataset == "digits":
        history, data = run(config), mlp.load_data(config)
        bar.progress(1.0, text=f"{config.epochs} / {config.epochs}")
        widths = [data.n_inputs, *config.hidden, data.n_classes]
        n_params = sum((n_in + 1) * n_out for n_in, n_out in itertools.pairwise(widths))
        n_params += len(config.hidden) if config.activation == "prelu" else 0
    else:
        fit = mlp.fit_mlp(config, callback=lambda e, h: bar.progress(e / config.epochs,
                                                                     text=f"{e} / {config.epochs}"))
        history, data, n_params = fit.history, fit.data, fit.n_params
    return {"history": asdict(history), "name": data.name, "n_train": len(data.train), "n_test": len(data.test),
            "n_params": n_params, "acc": mlp.final_test_accuracy(history)}


def run_one(config: mlp.MLPConfig) -> dict[str, Any]:
    """train_cached inside st.status (instant when the configuration is cached)."""
    with st.status(t("w4_2_training", epochs=config.epochs), expanded=False) as status:
        result = train_cached(**asdict(config))
        status.update(label=t("w4_2_trained", seconds=f"{result['history']['seconds']:.2f}"), state="complete")
    return result


def run_many(configs: list[mlp.MLPConfig]) -> list[dict[str, Any]]:
    """Several runs with one overall progress bar (runs already cached cost nothing)."""
    results = []
    with st.status(t("w4_2_sweeping", n=len(configs)), expanded=False) as status:
        bar = st.progress(0.0)
        for k, config in enumerate(configs):
            results.append(train_cached(**asdict(config)))
            bar.progress((k + 1) / len(configs), text=f"{k + 1} / {len(configs)}")
        status.update(label=t("w4_2_swept", n=len(configs)), state="complete")
    return results


def dataset_caption(result: dict[str, Any]) -> None:
    st.caption(t("w4_2_dataset", name=result["name"], n_train=f"{result['n_train']:,}",
                 n_test=f"{result['n_test']:,}", source=dataset_source(result["name"])))


def curves_chart(history: dict[str, list[float]]) -> alt.Chart:
    """Training loss, training and test accuracy per epoch."""
    series = {t("w4_2_train_loss"): history["train_loss"], t("w4_2_train_acc"): history["train_acc"],
              t("w4_2_test_acc"): history["test_acc"]}
    frame = pd.DataFrame([{"epoch": e, "series": name, "value": v} for name, values in series.items()
                          for e, v in zip(history["epoch"], values, strict=True) if np.isfinite(v)])
    return alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("epoch:Q", title=t("w4_2_epoch")), y=alt.Y("value:Q", title=None),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["series:N", "epoch:Q", alt.Tooltip("value:Q", format=".4f")]).properties(height=240)


def sweep_chart(xs: list[float], accs: list[float], title: str, chosen: float | None = None,
                log: bool = True) -> alt.Chart:
    frame = pd.DataFrame({"x": xs, "acc": accs})
    scale = alt.Scale(type="log") if log else alt.Scale()
    line = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("x:Q", title=title, scale=scale), y=alt.Y("acc:Q", title=t("w4_2_test_acc"),
                                                          scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("x:Q", title=title), alt.Tooltip("acc:Q", format=".3f")])
    if chosen is None:
        return line.properties(height=220)
    rule = alt.Chart(pd.DataFrame({"x": [chosen]})).mark_rule(strokeDash=[5, 4], color="#d62728").encode(x="x:Q")
    return (line + rule).properties(height=220)


def metrics_row(result: dict[str, Any]) -> None:
    h = result["history"]
    k = st.columns(4)
    k[0].metric(t("w4_2_train_loss"), f"{h['train_loss'][-1]:.3f}")
    k[1].metric(t("w4_2_train_acc"), f"{h['train_acc'][-1]:.3f}")
    k[2].metric(t("w4_2_test_acc"), f"{result['acc']:.3f}")
    k[3].metric(t("w4_2_params"), f"{result['n_params']:,}")


# --- section demo ----------------------------------------------------------------------------------------------------


DEMO_TRAINS = True  # the section demo trains models (cached per setting, with progress)


def section_demo(key: str) -> None:
    """Train the from-scratch MLP live with the learner's width, depth, learning rate, activation and epochs."""
    c1, c2, c3, c4, c5 = st.columns(5)
    width = c1.select_slider(t("w4_2_units"), WIDTH_OPTIONS, 256, key=f"{key}-units")
    depth = c2.slider(t("w4_2_layers"), 1, 3, 1, key=f"{key}-layers")
    lr = c3.select_slider(t("w4_2_lr"), [0.01, 0.03, 0.1, 0.3, 1.0], 0.1, key=f"{key}-lr")
    act = c4.selectbox(t("w4_2_activation"), ["relu", "sigmoid", "tanh"], key=f"{key}-act",
                       format_func=translated("w4_1_act_"))
    epochs = c5.slider(t("w4_2_epochs"), 1, 20, 10, key=f"{key}-epochs")
    config = replace(DEMO, hidden=(int(width),) * int(depth), lr=float(lr), activation=str(act), epochs=int(epochs))
    result = run_one(config)
    dataset_caption(result)
    metrics_row(result)
    st.altair_chart(curves_chart(result["history"]), width="stretch")
    st.caption(t("w4_2_demo_caption"))


# --- 4.2.1 -----------------------------------------------------------------------------------------------------------


def hidden_units(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Test accuracy against the width (4 … 1,024 units) and the run of the chosen width."""
    h = st.select_slider(t("w4_2_units"), WIDTH_OPTIONS, _pick(WIDTH_OPTIONS, initial.get("h"), 256),
                         key=f"{key}-units")
    sweep = run_many([replace(SCRATCH, hidden=(w,)) for w in WIDTHS])
    result = run_one(replace(SCRATCH, hidden=(int(h),)))
    dataset_caption(result)
    metrics_row(result)
    st.altair_chart(sweep_chart(WIDTHS, [r["acc"] for r in sweep], t("w4_2_units"), float(h)), width="stretch")
    st.altair_chart(curves_chart(result["history"]), width="stretch")
    return {"h": int(h)}


# --- 4.2.2 -----------------------------------------------------------------------------------------------------------


def more_layers(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """1–3 hidden layers of 256 units with the book's N(0, 0.01²) or a larger N(0, 0.1²) initialisation."""
    stds = [0.01, 0.1]
    c1, c2 = st.columns(2)
    depth = c1.slider(t("w4_2_layers"), 1, 3, initial_value(initial, "layers", 2, 1, 3), key=f"{key}-layers")
    std = c2.radio(t("w4_2_std"), stds, index=stds.index(_pick(stds, initial.get("std"), 0.01)), horizontal=True,
                   key=f"{key}-std")
    sweep = run_many([replace(SCRATCH, hidden=(256,) * d, std=float(std)) for d in (1, 2, 3)])
    result = sweep[int(depth) - 1]
    dataset_caption(result)
    metrics_row(result)
    st.altair_chart(sweep_chart([1, 2, 3], [r["acc"] for r in sweep], t("w4_2_layers"), float(depth), log=False),
                    width="stretch")
    st.altair_chart(curves_chart(result["history"]), width="stretch")
    if result["history"]["train_loss"][-1] > 0.8 * np.log(10):
        st.warning(t("w4_2_stuck", loss=f"{result['history']['train_loss'][-1]:.3f}"))
    return {"layers": int(depth), "std": float(std)}


# --- 4.2.3 -----------------------------------------------------------------------------------------------------------


def learning_rate(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """The learning-rate sweep at 10 epochs and the curves of the chosen rate."""
    lr = st.select_slider(t("w4_2_lr"), RATES, _pick(RATES, initial.get("lr"), 0.1), key=f"{key}-lr")
    sweep = run_many([replace(SCRATCH, lr=r) for r in RATES])
    result = sweep[RATES.index(lr)]
    dataset_caption(result)
    metrics_row(result)
    st.altair_chart(sweep_chart(RATES, [r["acc"] for r in sweep], t("w4_2_lr"), float(lr)), width="stretch")
    st.altair_chart(curves_chart(result["history"]), width="stretch")
    return {"lr": float(lr)}


# --- 4.2.4 -----------------------------------------------------------------------------------------------------------


@st.cache_data(max_entries=32, show_spinner=False)
def _search(n_trials: int, seed: int) -> list[dict[str, Any]]:
    bar = st.progress(0.0, text=f"0 / {n_trials}")
    if (n_trials, seed) == (SEARCH_TRIALS, 0):
        trials = list(search(0))  # the reference run of exercise 4.2.4
    else:
        trials = mlp.random_search(replace(SCRATCH, seed=seed), n_trials, seed, callback=lambda k, _: bar.progress(
            (k + 1) / n_trials, text=f"{k + 1} / {n_trials}"))
    return [{"lr": tr.config.lr, "epochs": tr.config.epochs, "layers": len(tr.config.hidden),
             "units": tr.config.hidden[0], "val": tr.val_acc, "test": tr.test_acc, "seconds": tr.seconds}
            for tr in trials]


def random_search(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """A seeded random search chosen on a validation split; the table of trials and the chosen one's test score."""
    c1, c2 = st.columns(2)
    n = c1.slider(t("w4_2_trials"), 2, 10, initial_value(initial, "n", SEARCH_TRIALS, 2, 10), key=f"{key}-n")
    seed = c2.number_input(t("w4_2_search_seed"), 0, 999, initial_value(initial, "seed", 0, 0, 999),
                           key=f"{key}-seed")
    with st.status(t("w4_2_searching", n=int(n)), expanded=False) as status:
        rows = _search(int(n), int(seed))
        status.update(label=t("w4_2_searched", seconds=f"{sum(r['seconds'] for r in rows):.1f}"), state="complete")
    frame = pd.DataFrame(rows)
    best = int(frame["val"].idxmax())
    st.dataframe(frame.drop(columns="seconds").style.highlight_max(subset=["val"], color="#c7e9c0")
                 .format({"val": "{:.3f}", "test": "{:.3f}", "lr": "{:.4g}"}), width="stretch")
    k = st.columns(3)
    k[0].metric(t("w4_2_best_val"), f"{frame['val'][best]:.3f}")
    k[1].metric(t("w4_2_best_test"), f"{frame['test'][best]:.3f}")
    k[2].metric(t("w4_2_stuck_count"), int((frame["val"] < 0.2).sum()))
    st.caption(t("w4_2_search_caption"))
    return {"n": int(n), "seed": int(seed)}


# --- 4.2.5 -----------------------------------------------------------------------------------------------------------


def interaction(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Test accuracy for 1–2 hidden layers × learning rate: the best learning rate depends on the depth."""
    wide = st.toggle(t("w4_2_more_rates"), initial.get("wide") is True, key=f"{key}-wide")
    rates = [0.03, 0.1, 0.5] if wide else [0.1, 0.5]
    grid = [(d, lr) for d in (1, 2) for lr in rates]
    results = run_many([replace(SCRATCH, hidden=(256,) * d, lr=lr) for d, lr in grid])
    frame = pd.DataFrame([{"layers": str(d), "lr": str(lr), "acc": r["acc"]}
                          for (d, lr), r in zip(grid, results, strict=True)])
    heat = alt.Chart(frame).mark_rect().encode(
        x=alt.X("lr:O", title=t("w4_2_lr")), y=alt.Y("layers:O", title=t("w4_2_layers")),
        color=alt.Color("acc:Q", title=t("w4_2_test_acc"), scale=alt.Scale(domain=[0, 1], scheme="viridis")))
    text = alt.Chart(frame).mark_text(fontSize=16, color="white").encode(
        x="lr:O", y="layers:O", text=alt.Text("acc:Q", format=".3f"))
    st.altair_chart((heat + text).properties(height=180), width="stretch")
    st.caption(t("w4_2_interaction_caption"))
    return {"wide": bool(wide)}


# --- 4.2.6 -----------------------------------------------------------------------------------------------------------


def grid_vs_random(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Grid against random search with the same budget on f(x, y) = exp(−60 (x − 0.77)²) + 0.05 y."""
    c1, c2 = st.columns(2)
    n = c1.slider(t("w4_2_budget"), 4, 64, initial_value(initial, "n", 16, 4, 64), key=f"{key}-n")
    seed = c2.number_input(t("w4_2_search_seed"), 0, 999, initial_value(initial, "seed", 0, 0, 999),
                           key=f"{key}-seed")
    grid, rand = mlp.grid_points(int(n)), mlp.random_points(int(n), int(seed))
    ticks = np.linspace(0, 1, 41)
    X, Y = np.meshgrid(ticks, ticks, indexing="ij")
    surface = pd.DataFrame({"x": X.ravel(), "y": Y.ravel(), "f": mlp.toy_objective(X, Y).ravel()})
    points = pd.DataFrame([{"x": p[0], "y": p[1], "search": t(f"w4_2_search_{name}")}
                           for name, pts in (("grid", grid), ("random", rand)) for p in pts])
    heat = alt.Chart(surface).mark_rect().encode(
        x=alt.X("x:Q", bin=alt.Bin(maxbins=40), title=t("w4_2_important")),
        y=alt.Y("y:Q", bin=alt.Bin(maxbins=40), title=t("w4_2_unimportant")),
        color=alt.Color("mean(f):Q", scale=alt.Scale(scheme="greys"), legend=None))
    dots = alt.Chart(points).mark_point(filled=True, size=70).encode(
        x="x:Q", y="y:Q", color=alt.Color("search:N", title=None, legend=alt.Legend(orient="bottom")),
        shape="search:N")
    st.altair_chart(alt.layer(heat, dots).properties(height=300), width="stretch")
    k = st.columns(3)
    k[0].metric(t("w4_2_best_grid"), f"{mlp.best_of(grid):.3f}")
    k[1].metric(t("w4_2_best_random"), f"{mlp.best_of(rand):.3f}")
    k[2].metric(t("w4_2_distinct"), f"{len(np.unique(grid[:, 0]))} / {len(rand)}")
    return {"n": int(n), "seed": int(seed)}
