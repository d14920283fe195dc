"""Section 11.5 widgets: a batch-size × learning-rate grid against epochs and wall-clock time (section demo and
11.5.1), minibatches drawn with and without replacement (11.5.2) and the evil genie's duplicated data (11.5.3).
Every training run is cached per configuration and returns plain data; a progress bar counts the runs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from d2lcore.optim import gd, minibatch
from solutions.ch11_s5 import duplicate, updates_per_epoch
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import initial_value

BATCHES = [1, 5, 10, 50, 100, 500, 1500]
LRS = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 1.0]


def _pick(options: list, value: Any, default: Any) -> Any:
    return value if value in options else default


@st.cache_data(max_entries=4, show_spinner=False)
def _floor(data_seed: int = 0) -> float:
    return minibatch.least_squares_loss(minibatch.get_data_ch11(seed=data_seed))


@st.cache_data(max_entries=64, show_spinner=False)
def train_cached(batch_size: int, lr: float, epochs: int, seed: int = 0, with_replacement: bool = False,
                 duplicated: bool = False) -> dict[str, list[float]]:
    """One train_ch11 run with plain SGD on the section's data (or its duplicate), as plain lists."""
    data = minibatch.get_data_ch11()
    data = duplicate(data) if duplicated else data
    every = max(len(data) // 10, batch_size)
    df = minibatch.train_ch11(gd.sgd, {"lr": lr}, data, batch_size, epochs, seed=seed,
                              with_replacement=with_replacement, eval_every=every)
    return {c: df[c].tolist() for c in df.columns}


def run_all(configs: list[dict[str, Any]]) -> list[dict[str, list[float]]]:
    """train_cached for every configuration under one progress bar (instant when cached)."""
    bar = st.progress(0.0, text=t("w11_5_training", runs=len(configs)))
    out = []
    for i, config in enumerate(configs):
        out.append(train_cached(**config))
        bar.progress((i + 1) / len(configs), text=t("w11_5_training", runs=len(configs)))
    bar.empty()
    return out


def _curves(frame: pd.DataFrame, x: str, x_title: str, floor: float) -> alt.LayerChart:
    frame = frame[np.isfinite(frame.loss) & (frame.loss < 2.0)]
    lines = alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=12)).encode(
        x=alt.X(f"{x}:Q", title=x_title), y=alt.Y("loss:Q", title=t("w11_5_loss"), scale=alt.Scale(type="log")),
        color=alt.Color("run:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["run:N", alt.Tooltip(f"{x}:Q", format=".3g"), alt.Tooltip("loss:Q", format=".4f")])
    rule = alt.Chart(pd.DataFrame({"loss": [floor]})).mark_rule(strokeDash=[4, 4], color="#888").encode(y="loss:Q")
    return (lines + rule).properties(height=280)


def grid(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Batch sizes × learning rates → loss against epochs or seconds, and a table of time per epoch (11.5.1)."""
    c1, c2 = st.columns(2)
    batches = c1.multiselect(t("w11_5_batches"), BATCHES, [b for b in initial.get("batches", [10, 100, 1500])
                                                           if b in BATCHES] or [10], key=f"{key}-batches")
    lrs = c2.multiselect(t("w11_5_lrs"), LRS, [r for r in initial.get("lrs", [0.05, 0.4]) if r in LRS] or [0.05],
                         key=f"{key}-lrs")
    c3, c4 = st.columns(2)
    epochs = c3.slider(t("w11_5_epochs"), 1, 5, initial_value(initial, "epochs", 2, 1, 5), key=f"{key}-epochs")
    axis = c4.radio(t("w11_5_axis"), ["epoch", "seconds"], ["epoch", "seconds"].index(initial.get("axis", "epoch"))
                    if initial.get("axis") in ("epoch", "seconds") else 0, format_func=translated("w11_5_axis_"),
                    horizontal=True, key=f"{key}-axis")
    configs = [{"batch_size": int(b), "lr": float(r), "epochs": int(epochs)} for b in sorted(batches) for r in lrs]
    if configs:
        results = run_all(configs)
        frames, rows = [], []
        for config, res in zip(configs, results, strict=True):
            name = f"B = {config['batch_size']}, η = {config['lr']:g}"
            frames.append(pd.DataFrame({**res, "run": name}))
            rows.append({t("w11_5_run"): name, t("w11_5_updates"): updates_per_epoch(1500, config["batch_size"]),
                         t("w11_5_final"): res["loss"][-1],
                         t("w11_5_ms_epoch"): 1e3 * res["seconds"][-1] / int(epochs)})
        st.altair_chart(_curves(pd.concat(frames), axis, t(f"w11_5_axis_{axis}"), _floor()), width="stretch")
        st.dataframe(pd.DataFrame(rows), hide_index=True)
        st.caption(t("w11_5_grid_caption", floor=f"{_floor():.4f}"))
    return {"batches": [int(b) for b in batches], "lrs": [float(r) for r in lrs], "epochs": int(epochs),
            "axis": axis}


def replacement(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Batch size, η, epochs and seeds → mean excess loss with and without replacement (11.5.2)."""
    c1, c2 = st.columns(2)
    batch = c1.select_slider(t("w11_5_batch"), BATCHES[:-1], _pick(BATCHES[:-1], initial.get("batch"), 10),
                             key=f"{key}-batch")
    lr = c2.select_slider(t("w11_5_lr"), LRS[:-1], _pick(LRS[:-1], initial.get("lr"), 0.02), key=f"{key}-lr")
    c3, c4 = st.columns(2)
    epochs = c3.slider(t("w11_5_epochs"), 1, 5, initial_value(initial, "epochs", 3, 1, 5), key=f"{key}-epochs")
    seeds = c4.slider(t("w11_5_seeds"), 2, 10, initial_value(initial, "seeds", 4, 2, 10), key=f"{key}-seeds")
    configs = [{"batch_size": int(batch), "lr": float(lr), "epochs": int(epochs), "seed": s,
                "with_replacement": mode == "with"} for mode in ("without", "with") for s in range(int(seeds))]
    results = run_all(configs)
    floor = _floor()
    curves, finals = {}, {}
    for mode in ("without", "with"):
        runs = [r for c, r in zip(configs, results, strict=True) if c["with_replacement"] == (mode == "with")]
        length = min(len(r["loss"]) for r in runs)
        excess = np.mean([np.asarray(r["loss"][:length]) - floor for r in runs], axis=0)
        curves[mode] = pd.DataFrame({"epoch": runs[0]["epoch"][:length], "loss": excess,
                                     "run": t(f"w11_5_mode_{mode}")})
        finals[mode] = float(excess[-max(1, length // 4):].mean())
    chart = alt.Chart(pd.concat(curves.values())).mark_line().encode(
        x=alt.X("epoch:Q", title=t("w11_5_axis_epoch")),
        y=alt.Y("loss:Q", title=t("w11_5_excess"), scale=alt.Scale(type="log")),
        color=alt.Color("run:N", title=None, legend=alt.Legend(orient="bottom"))).properties(height=260)
    st.altair_chart(chart, width="stretch")
    m = st.columns(2)
    for col, mode in zip(m, ("without", "with"), strict=True):
        col.metric(t(f"w11_5_mode_{mode}"), f"{finals[mode]:.2e}")
    st.caption(t("w11_5_repl_caption"))
    return {"batch": int(batch), "lr": float(lr), "epochs": int(epochs), "seeds": int(seeds)}


def genie(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Original against duplicated data for full-batch GD and minibatch SGD, loss against epoch (11.5.3)."""
    c1, c2, c3 = st.columns(3)
    dup = c1.toggle(t("w11_5_duplicate"), bool(initial.get("dup", True)), key=f"{key}-dup")
    batch = c2.select_slider(t("w11_5_batch"), [1, 10, 100], _pick([1, 10, 100], initial.get("batch"), 10),
                             key=f"{key}-batch")
    epochs = c3.slider(t("w11_5_epochs"), 1, 4, initial_value(initial, "epochs", 2, 1, 4), key=f"{key}-epochs")
    lr_sgd = {1: 0.005, 10: 0.05, 100: 0.4}[int(batch)]
    configs = [{"batch_size": 1500, "lr": 1.0, "epochs": int(epochs)},
               {"batch_size": int(batch), "lr": lr_sgd, "epochs": int(epochs)}]
    if dup:
        configs += [{"batch_size": 3000, "lr": 1.0, "epochs": int(epochs), "duplicated": True},
                    {"batch_size": int(batch), "lr": lr_sgd, "epochs": int(epochs), "duplicated": True}]
    results = run_all(configs)
    frames = []
    for config, res in zip(configs, results, strict=True):
        kind = "gd" if config["batch_size"] >= 1500 else "sgd"
        data = "dup" if config.get("duplicated") else "orig"
        frames.append(pd.DataFrame({**res, "run": t(f"w11_5_genie_{kind}_{data}", B=int(batch))}))
    st.altair_chart(_curves(pd.concat(frames), "epoch", t("w11_5_axis_epoch"), _floor()), width="stretch")
    m = st.columns(3)
    m[0].metric(t("w11_5_updates_orig"), str(updates_per_epoch(1500, int(batch))))
    m[1].metric(t("w11_5_updates_dup"), str(updates_per_epoch(3000, int(batch))))
    m[2].metric(t("w11_5_genie_final", epochs=int(epochs)), f"{results[-1]['loss'][-1]:.4f}")
    if dup:
        gap = float(np.max(np.abs(np.asarray(results[0]["loss"]) - np.asarray(results[2]["loss"]))))
        st.caption(t("w11_5_genie_caption", gap=f"{gap:.1e}"))
    return {"dup": bool(dup), "batch": int(batch), "epochs": int(epochs)}


DEMO_TRAINS = True  # the section demo trains models (cached per setting, with progress)


def section_demo(key: str) -> None:
    """The batch-size grid with the book's four batch sizes at two learning rates."""
    st.caption(t("w11_5_demo_intro"))
    st.caption(t("w11_5_data_note"))
    grid(key, {"batches": [1, 10, 100, 1500], "lrs": [0.05]})
