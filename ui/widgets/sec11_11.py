"""Section 11.11 widgets: the schedule designer (the section demo: pick and chain schedules, see η_t, train a small
network with it live against a constant rate), the constant-rate sweep (11.11.1), the polynomial exponent (11.11.2),
cosine vs step vs constant on the small data (11.11.3), the warm-up length (11.11.4) and SGLD (11.11.5)."""

from __future__ import annotations

import statistics
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import torch

from d2lcore import schedules as S
from d2lcore.sgld import ks_distance, sgld
from solutions import ch11_s11 as sol
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import dataset_source, initial_value

DECAYS = ["constant", "factor", "multifactor", "polynomial", "cosine"]
BASE_LRS = [0.1, 0.3, 0.5, 1.0, 1.3, 2.0]


def _pick(options: list, value: Any, default: Any) -> Any:
    return value if value in options else default


# --- training, cached per configuration (plain data), with a progress bar ------------------------------------------

@st.cache_data(max_entries=48, show_spinner=False)
def _train(frozen: tuple, seed: int, epochs: int, n_train: int) -> dict[str, list]:
    """One seeded run (the progress bar lives in here, so a cached result costs nothing)."""
    bar = st.progress(0.0, text=f"0 / {epochs}")
    config = {**sol.SMALL, "epochs": epochs, "n_train": n_train}
    run = S.ScheduleRun(spec=frozen, seed=seed, **config)
    out = S.train_with_schedule(run, progress=lambda e, n: bar.progress(e / n, text=f"{e} / {n}"))
    bar.empty()
    return out


def train_runs(specs: dict[str, dict[str, Any]], seeds=(0,), epochs: int = sol.EPOCHS,
               n_train: int = sol.SMALL["n_train"]) -> dict[str, list[dict[str, list]]]:
    """Every spec × seed inside one st.status box (instant when cached)."""
    with st.status(t("w11_11_training", runs=len(specs) * len(seeds), epochs=epochs), expanded=False) as status:
        out = {name: [_train(S.freeze(spec), s, epochs, n_train) for s in seeds] for name, spec in specs.items()}
        seconds = sum(r["seconds"][0] for runs in out.values() for r in runs)
        status.update(label=t("w11_11_trained", seconds=f"{seconds:.1f}"), state="complete")
    return out


def curves_chart(runs: dict[str, list[dict[str, list]]], key: str = "train_loss", title: str = "") -> alt.Chart:
    """Mean over seeds of `key` per epoch, one line per run name."""
    rows = [{"epoch": e, "run": name, "value": statistics.fmean(r[key][i] for r in rs)}
            for name, rs in runs.items() for i, e in enumerate(rs[0]["epoch"])]
    frame = pd.DataFrame(rows)
    y = alt.Y("value:Q", title=title, scale=alt.Scale(type="log") if key == "train_loss" else alt.Scale(zero=False))
    return alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("epoch:Q", title=t("w11_11_epoch")), y=y,
        color=alt.Color("run:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["run:N", "epoch:Q", alt.Tooltip("value:Q", format=".4f")]).properties(height=240)


def rates_chart(specs: dict[str, dict[str, Any]], steps: int) -> alt.Chart:
    """η_t of each spec (rate used in epoch t + 1), from schedule_values."""
    frame = pd.DataFrame([{"epoch": i + 1, "schedule": name, "lr": v} for name, spec in specs.items()
                          for i, v in enumerate(S.schedule_values(spec, steps))])
    return alt.Chart(frame).mark_line(point=True, interpolate="step-after").encode(
        x=alt.X("epoch:Q", title=t("w11_11_epoch")), y=alt.Y("lr:Q", title="η"),
        color=alt.Color("schedule:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["schedule:N", "epoch:Q", alt.Tooltip("lr:Q", format=".4f")]).properties(height=200)


def _finals(runs: dict[str, list[dict[str, list]]]) -> None:
    cols = st.columns(len(runs))
    for col, (name, rs) in zip(cols, runs.items(), strict=True):
        col.metric(t("w11_11_final_loss", name=name), f"{statistics.fmean(r['train_loss'][-1] for r in rs):.4f}",
                   help=t("w11_11_final_acc", acc=f"{statistics.fmean(r['test_acc'][-1] for r in rs):.3f}"))


def _dataset_caption(runs: dict[str, list[dict[str, list]]], n_train: int) -> None:
    name = next(iter(runs.values()))[0]["name"][0]
    st.caption(t("w11_11_dataset", name=name, n=n_train, source=dataset_source(name)))


# --- the schedule designer (section demo) ----------------------------------------------------------------------------

def build_spec(decay: str, base_lr: float, epochs: int, warmup: int, gamma: float = 0.5, step: int = 3,
               power: float = 1.0) -> dict[str, Any]:
    """The designer's spec: a decay schedule over the epochs after a linear warm-up of `warmup` epochs (a chain)."""
    rest = max(epochs - warmup, 1)
    decay_spec: dict[str, Any] = {
        "constant": {"name": "constant", "base_lr": base_lr},
        "factor": {"name": "factor", "base_lr": base_lr, "factor": gamma, "step_size": step},
        "multifactor": {"name": "multifactor", "base_lr": base_lr, "factor": gamma,
                        "milestones": [max(rest // 2, 1), max(3 * rest // 4, 2)]},
        "polynomial": {"name": "polynomial", "base_lr": base_lr, "total": rest, "power": power},
        "cosine": {"name": "cosine", "base_lr": base_lr, "total": rest},
    }[decay]
    if warmup == 0:
        return decay_spec
    warm = {"name": "warmup", "base_lr": base_lr, "warmup": warmup, "start_lr": 0.05 * base_lr}
    return {"name": "chain", "parts": [warm, decay_spec], "milestones": [warmup]}


def schedule_designer(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Pick a decay, its parameters and a warm-up; see η_t (checked against torch) and train with it live."""
    c = st.columns(3)
    decay = c[0].selectbox(t("w11_11_decay"), DECAYS, DECAYS.index(_pick(DECAYS, initial.get("decay"), "cosine")),
                           format_func=translated("w11_11_decay_"), key=f"{key}-decay")
    base = c[1].select_slider(t("w11_11_base_lr"), BASE_LRS, _pick(BASE_LRS, initial.get("lr"), 1.0),
                              key=f"{key}-lr")
    epochs = c[2].slider(t("w11_11_epochs"), 4, 16, initial_value(initial, "epochs", 8, 4, 16), 1,
                         key=f"{key}-epochs")
    c = st.columns(3)
    warmup = c[0].slider(t("w11_11_warmup"), 0, 6, initial_value(initial, "warmup", 0, 0, 6), 1,
                         key=f"{key}-warmup")
    gamma = c[1].select_slider(t("w11_11_gamma"), [0.1, 0.3, 0.5, 0.7, 0.9],
                               _pick([0.1, 0.3, 0.5, 0.7, 0.9], initial.get("gamma"), 0.5), key=f"{key}-gamma",
                               disabled=decay not in ("factor", "multifactor"))
    power = c[2].select_slider(t("w11_11_power"), [0.5, 1.0, 2.0, 4.0],
                               _pick([0.5, 1.0, 2.0, 4.0], initial.get("power"), 1.0), key=f"{key}-power",
                               disabled=decay != "polynomial")
    warmup = min(int(warmup), int(epochs) - 1)
    spec = build_spec(decay, float(base), int(epochs), warmup, float(gamma), 3, float(power))
    baseline = {"name": "constant", "base_lr": float(base)}
    mine, const = t("w11_11_yours"), t("w11_11_constant", lr=f"{base:g}")
    st.altair_chart(rates_chart({mine: spec, const: baseline}, int(epochs)), width="stretch")
    gap = max(abs(a - b) for a, b in zip(S.schedule_values(spec, int(epochs)), S.torch_rates(spec, int(epochs)),
                                         strict=True))
    st.caption(t("w11_11_torch_check", gap=f"{gap:.1e}"))
    runs = train_runs({mine: spec, const: baseline}, epochs=int(epochs))
    c = st.columns(2)
    c[0].altair_chart(curves_chart(runs, "train_loss", t("w11_11_train_loss")), width="stretch")
    c[1].altair_chart(curves_chart(runs, "test_acc", t("w11_11_test_acc")), width="stretch")
    _finals(runs)
    _dataset_caption(runs, sol.SMALL["n_train"])
    return {"decay": decay, "lr": float(base), "epochs": int(epochs), "warmup": warmup, "gamma": float(gamma),
            "power": float(power)}


# --- exercise widgets ------------------------------------------------------------------------------------------------

def constant_sweep(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """A constant η against its neighbours in the sweep (exercise 11.11.1)."""
    lrs = list(sol.CONSTANT_LRS)
    lr = st.select_slider(t("w11_11_base_lr"), lrs, _pick(lrs, initial.get("lr"), 1.0), key=f"{key}-lr")
    i = lrs.index(lr)
    shown = lrs[max(i - 1, 0): i + 2]
    runs = train_runs({f"η = {v:g}": sol.constant(v) for v in shown}, seeds=sol.SEEDS)
    c = st.columns(2)
    c[0].altair_chart(curves_chart(runs, "train_loss", t("w11_11_train_loss")), width="stretch")
    c[1].altair_chart(curves_chart(runs, "test_acc", t("w11_11_test_acc")), width="stretch")
    _finals(runs)
    _dataset_caption(runs, sol.SMALL["n_train"])
    return {"lr": float(lr)}


def poly_power(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Polynomial decay (1 − t/T)^p for the learner's p against p = 1 (exercise 11.11.2)."""
    powers = list(sol.POWERS)
    p = st.select_slider(t("w11_11_power"), powers, _pick(powers, initial.get("power"), 4.0), key=f"{key}-power")
    specs = {f"p = {v:g}": sol.polynomial(v) for v in dict.fromkeys([1.0, float(p)])}
    st.altair_chart(rates_chart({f"p = {v:g}": sol.polynomial(v) for v in powers}, sol.EPOCHS), width="stretch")
    runs = train_runs(specs, seeds=sol.SEEDS)
    st.altair_chart(curves_chart(runs, "train_loss", t("w11_11_train_loss")), width="stretch")
    _finals(runs)
    return {"power": float(p)}


def schedule_compare(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Cosine, step and constant on the small data for one seed, and the spread over seeds (exercise 11.11.3)."""
    st.info(t("w11_11_reduced"))
    seed = st.select_slider(t("w11_11_seed"), [0, 1, 2], _pick([0, 1, 2], initial.get("seed"), 0), key=f"{key}-seed")
    runs = train_runs(sol.COMPARED, seeds=(int(seed),))
    st.altair_chart(rates_chart(sol.COMPARED, sol.EPOCHS), width="stretch")
    c = st.columns(2)
    c[0].altair_chart(curves_chart(runs, "train_loss", t("w11_11_train_loss")), width="stretch")
    c[1].altair_chart(curves_chart(runs, "test_acc", t("w11_11_test_acc")), width="stretch")
    _finals(runs)
    return {"seed": int(seed)}


def warmup_length(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Linear warm-up over w epochs at a high rate against no warm-up, two seeds (exercise 11.11.4)."""
    c = st.columns(2)
    w = c[0].slider(t("w11_11_warmup"), 1, 6, initial_value(initial, "warmup", 2, 1, 6), 1, key=f"{key}-warmup")
    lrs = [1.0, sol.WARMUP_LR, 2.0]
    lr = c[1].select_slider(t("w11_11_base_lr"), lrs, _pick(lrs, initial.get("lr"), sol.WARMUP_LR), key=f"{key}-lr")
    specs = {t("w11_11_no_warmup"): sol.warmup(0, float(lr)),
             t("w11_11_with_warmup", w=int(w)): sol.warmup(int(w), float(lr))}
    st.altair_chart(rates_chart(specs, sol.EPOCHS), width="stretch")
    runs = train_runs(specs, seeds=sol.WARMUP_SEEDS)
    st.altair_chart(curves_chart(runs, "train_loss", t("w11_11_train_loss")), width="stretch")
    _finals(runs)
    return {"warmup": int(w), "lr": float(lr)}


@st.cache_data(max_entries=32, show_spinner=False)
def _sgld(step_size: float, noise_scale: float, inject: bool) -> dict[str, Any]:
    s = sgld(sol.TARGET, chains=sol.SGLD["chains"], steps=sol.SGLD["steps"], burn_in=sol.SGLD["burn_in"],
             step_size=step_size, noise_scale=noise_scale, inject_noise=inject)
    counts, edges = np.histogram(s.numpy(), bins=60, range=(-5, 5))
    density = counts / (len(s) * (edges[1] - edges[0]))
    return {"left": edges[:-1].tolist(), "right": edges[1:].tolist(), "density": density.tolist(),
            "ks": ks_distance(s, sol.TARGET), "positive": float((s.numpy() > 0).mean())}


def sgld_sampler(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """SGLD histogram against the bimodal density; step size, noise scale (temperature) and noise on/off (11.11.5)."""
    c = st.columns(3)
    steps = [0.01, 0.05, 0.1, 0.3, 0.8]
    eps = c[0].select_slider(t("w11_11_step_size"), steps, _pick(steps, initial.get("eps"), 0.1), key=f"{key}-eps")
    scales = [0.5, 1.0, 1.5]
    scale = c[1].select_slider(t("w11_11_noise_scale"), scales, _pick(scales, initial.get("scale"), 1.0),
                               key=f"{key}-scale")
    inject = c[2].toggle(t("w11_11_inject"), bool(initial.get("inject", True)), key=f"{key}-inject")
    r = _sgld(float(eps), float(scale), bool(inject))
    x = torch.linspace(-5, 5, 300, dtype=torch.float64)
    curve = pd.DataFrame({"x": x.numpy(), "p": sol.TARGET.pdf(x).numpy()})
    bars = alt.Chart(pd.DataFrame(r)).mark_rect(opacity=0.5, color="#4c78a8").encode(
        x=alt.X("left:Q", title="θ"), x2="right:Q", y=alt.Y("density:Q", title=t("w11_11_density")))
    line = alt.Chart(curve).mark_line(color="#d62728").encode(x="x:Q", y="p:Q")
    st.altair_chart(alt.layer(bars, line).properties(height=260), width="stretch")
    k = st.columns(2)
    k[0].metric(t("w11_11_ks"), f"{r['ks']:.3f}")
    k[1].metric(t("w11_11_positive"), f"{r['positive']:.3f}")
    return {"eps": float(eps), "scale": float(scale), "inject": bool(inject)}


DEMO_TRAINS = True  # the section demo trains models (cached per setting, with progress)


def section_demo(key: str) -> None:
    st.caption(t("w11_11_demo_intro"))
    schedule_designer(key, {})
