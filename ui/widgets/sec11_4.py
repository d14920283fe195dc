"""Section 11.4 widgets: learning-rate schedules under gradient noise averaged over seeds (section demo and 11.4.1),
gradient noise as a random data point (11.4.2), sampling with and without replacement (11.4.3) and the local minima
of x²(1 + sin x) (11.4.5). All chains of a widget run at once as one batched tensor; results are cached per setting."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import torch

from d2lcore.optim.sampling import epoch_orders
from solutions.ch11_s4 import (
    SCHEDULES,
    coverage,
    local_minima,
    minima_f,
    sampling_excess,
    schedule_distances,
    stationary_msd,
)
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import initial_value
from ui.widgets.optim_plot import loss_chart

ETAS = [0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4]
SAMPLING_LRS = [0.002, 0.005, 0.01, 0.02, 0.05]


def _pick(options: list, value: Any, default: Any) -> Any:
    return value if value in options else default


@st.cache_data(max_entries=32, show_spinner=False)
def _distances(lr: float, steps: int, seeds: int, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    return {n: d.numpy() for n, d in schedule_distances(lr, steps, seeds, names).items()}


def schedules(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Schedules, η, steps and seeds → root-mean-square distance to the optimum against the step (11.4.1)."""
    chosen = st.multiselect(t("w11_4_schedules"), list(SCHEDULES),
                            [s for s in initial.get("schedules", list(SCHEDULES)) if s in SCHEDULES]
                            or list(SCHEDULES), format_func=translated("w11_4_sched_"), key=f"{key}-schedules")
    c1, c2, c3 = st.columns(3)
    lr = c1.select_slider(t("w11_4_eta"), ETAS, _pick(ETAS, initial.get("lr"), 0.1), key=f"{key}-lr")
    steps = c2.slider(t("w11_4_steps"), 50, 1000, initial_value(initial, "steps", 200, 50, 1000), 50,
                      key=f"{key}-steps")
    seeds = c3.slider(t("w11_4_seeds"), 10, 200, initial_value(initial, "seeds", 50, 10, 200), 10,
                      key=f"{key}-seeds")
    if chosen:
        msd = _distances(float(lr), int(steps), int(seeds), tuple(chosen))
        st.altair_chart(loss_chart({t(f"w11_4_sched_{n}"): np.sqrt(v) for n, v in msd.items()}, log=True,
                                   x_title=t("w11_4_step"), y_title=t("w11_4_rms")), width="stretch")
        predicted = stationary_msd(float(lr))
        m = st.columns(2)
        m[0].metric(t("w11_4_predicted"), f"{predicted:.4f}")
        if "constant" in msd:
            tail = msd["constant"][len(msd["constant"]) // 2:]
            m[1].metric(t("w11_4_measured"), f"{float(tail.mean()):.4f}")
        finals = ", ".join(f"{t(f'w11_4_sched_{n}')}: {float(v[-1]):.3g}" for n, v in msd.items())
        st.caption(t("w11_4_final", steps=int(steps), finals=finals))
    return {"schedules": list(chosen), "lr": float(lr), "steps": int(steps), "seeds": int(seeds)}


def noise_as_data(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """σ₁, σ₂ of the data point → measured std of the per-sample gradient noise and of E ℓ − f (11.4.2)."""
    c1, c2 = st.columns(2)
    s1 = c1.slider("σ₁", 0.05, 1.5, initial_value(initial, "s1", 1.0, 0.05, 1.5), 0.05, key=f"{key}-s1")
    s2 = c2.slider("σ₂", 0.05, 1.5, initial_value(initial, "s2", 1.0, 0.05, 1.5), 0.05, key=f"{key}-s2")
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(20000, 2, generator=gen, dtype=torch.float64) * torch.tensor([float(s1), float(s2)],
                                                                                    dtype=torch.float64)
    w = torch.tensor([1.0, -0.5], dtype=torch.float64)
    grads = torch.stack([2 * (w[0] - x[:, 0]), 4 * (w[1] - x[:, 1])], 1)  # per-sample ∇_w ℓ
    noise = grads - torch.tensor([2 * w[0], 4 * w[1]], dtype=torch.float64)
    m = st.columns(3)
    m[0].metric(t("w11_4_noise_std", i=1), f"{float(noise[:, 0].std()):.3f}")
    m[1].metric(t("w11_4_noise_std", i=2), f"{float(noise[:, 1].std()):.3f}")
    loss = ((x[:, 0] - w[0]) ** 2 + 2 * (x[:, 1] - w[1]) ** 2).mean() - (w[0] ** 2 + 2 * w[1] ** 2)
    m[2].metric(t("w11_4_offset"), f"{float(loss):.3f}")
    edges = np.linspace(-4, 4, 41)
    frame = pd.concat([pd.DataFrame({"coordinate": f"ε{i + 1}", "value": (edges[:-1] + edges[1:]) / 2,
                                     "density": np.histogram(noise[:, i].numpy(), edges, density=True)[0]})
                       for i in range(2)])
    normal = pd.DataFrame({"value": edges, "density": np.exp(-edges**2 / 2) / np.sqrt(2 * np.pi)})
    chart = alt.Chart(frame).mark_line().encode(x=alt.X("value:Q", title="ε"), y="density:Q",
                                                color=alt.Color("coordinate:N", title=None))
    ref = alt.Chart(normal).mark_line(strokeDash=[4, 4], color="#888").encode(x="value:Q", y="density:Q")
    st.altair_chart((chart + ref).properties(height=200), width="stretch")
    st.caption(t("w11_4_noise_caption", offset=f"{float(s1) ** 2 + 2 * float(s2) ** 2:.3f}"))
    return {"s1": float(s1), "s2": float(s2)}


@st.cache_data(max_entries=16, show_spinner=False)
def _sampling(n: int, lr: float, epochs: int, runs: int) -> dict[str, np.ndarray]:
    return {mode: v.numpy() for mode, v in sampling_excess(n, lr, epochs, runs).items()}


@st.cache_data(max_entries=16, show_spinner=False)
def _coverage_simulated(n: int, trials: int = 1000) -> float:
    """Fraction of the n examples drawn at least once by n draws with replacement, over 1000 simulated epochs."""
    draws = epoch_orders(n, 1, trials, True, np.random.default_rng(0))  # (trials, 1, n)
    seen = np.zeros((trials, n), dtype=bool)
    np.put_along_axis(seen, draws[:, 0], True, axis=1)
    return float(seen.mean())


def sampling(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """n, η, epochs, runs → mean excess loss per epoch with and without replacement; coverage simulated (11.4.3)."""
    c1, c2 = st.columns(2)
    n = c1.slider(t("w11_4_n"), 50, 400, initial_value(initial, "n", 200, 50, 400), 50, key=f"{key}-n")
    lr = c2.select_slider(t("w11_4_eta"), SAMPLING_LRS, _pick(SAMPLING_LRS, initial.get("lr"), 0.01),
                          key=f"{key}-lr")
    c3, c4 = st.columns(2)
    epochs = c3.slider(t("w11_4_epochs"), 1, 8, initial_value(initial, "epochs", 5, 1, 8), key=f"{key}-epochs")
    runs = c4.slider(t("w11_4_runs"), 10, 100, initial_value(initial, "runs", 50, 10, 100), 10, key=f"{key}-runs")
    with st.spinner(t("w11_4_running")):
        ex = _sampling(int(n), float(lr), int(epochs), int(runs))
    st.altair_chart(loss_chart({t(f"w11_4_mode_{m}"): v for m, v in ex.items()}, log=True,
                               x_title=t("w11_4_epoch"), y_title=t("w11_4_excess")), width="stretch")
    finals = st.columns(2)
    for col, mode in zip(finals, ("without", "with"), strict=True):
        col.metric(t("w11_4_final_excess", mode=t(f"w11_4_mode_{mode}")), f"{float(ex[mode][-1]):.3e}")
    m = st.columns(3)
    m[0].metric(t("w11_4_cov_sim"), f"{_coverage_simulated(int(n)):.4f}")
    m[1].metric(t("w11_4_cov_formula"), f"{coverage(int(n)):.4f}")
    m[2].metric("1 − 1/e", f"{1 - np.exp(-1):.4f}")
    return {"n": int(n), "lr": float(lr), "epochs": int(epochs), "runs": int(runs)}


def minima(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """f(x) = x²(1 + sin x) + ε sin(√2 x) on [−L, L] with its local minima marked (11.4.5)."""
    c1, c2 = st.columns(2)
    L = c1.slider("L", 5, 40, initial_value(initial, "L", 10, 5, 40), key=f"{key}-L")
    eps = c2.slider("ε", 0.0, 3.0, initial_value(initial, "eps", 0.0, 0.0, 3.0), 0.1, key=f"{key}-eps")
    xs = np.linspace(-L, L, 1500)
    mins = local_minima(-float(L), float(L), float(eps), grid=20_001)
    curve = pd.DataFrame({"x": xs, "f": minima_f(xs, float(eps))})
    points = pd.DataFrame({"x": mins, "f": minima_f(mins, float(eps))})
    chart = alt.Chart(curve).mark_line(color="#888").encode(x="x:Q", y=alt.Y("f:Q", title="f(x)"))
    dots = alt.Chart(points).mark_point(filled=True, size=60, color="#d62728").encode(
        x="x:Q", y="f:Q", tooltip=[alt.Tooltip("x:Q", format=".4f"), alt.Tooltip("f:Q", format=".4f")])
    st.altair_chart((chart + dots).properties(height=260), width="stretch")
    best = int(np.argmin(points.f)) if len(points) else 0
    m = st.columns(2)
    m[0].metric(t("w11_4_nmin"), str(len(mins)))
    if len(mins):
        m[1].metric(t("w11_4_lowest"), f"x = {mins[best]:.3f}, f = {points.f.iloc[best]:.4f}")
    st.caption(t("w11_4_minima_caption"))
    return {"L": int(L), "eps": float(eps)}


def section_demo(key: str) -> None:
    """The schedule comparison with its defaults."""
    st.caption(t("w11_4_demo_intro"))
    schedules(key, {})
