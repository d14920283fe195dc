"""Section 3.2 widgets: initialisations and learning rates of the from-scratch model (3.2.1, 3.2.6, the section
demo), Ohm's and Planck's laws fitted with autograd (3.2.2, 3.2.3), the reshape in squared_loss (3.2.5) and the last
minibatch of data_iter (3.2.7)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import torch

from d2lcore import linear
from d2lcore.data import data_iter
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import initial_value

LOSS_CAP = 1e6  # a diverged run is stopped there and drawn up to the cap

LR_OPTIONS = [0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 1.5, 2.0, 3.0]
BATCH_OPTIONS = [1, 2, 5, 10, 20, 50, 100]

def _option(initial: dict[str, Any], name: str, default: Any, options: list[Any]) -> Any:
    """A select_slider start value: the shared link's value when it is one of the options, else the default."""
    value = initial_value(initial, name, default)
    return value if value in options else default


@st.cache_data(max_entries=64, show_spinner=False)
def _run(lr: float, batch_size: int, epochs: int, init: str, seed: int = 0) -> dict[str, Any]:
    X, y = linear.book_data(seed=seed)
    run = linear.train_linreg_scratch(X, y, lr=lr, batch_size=batch_size, epochs=epochs, init=init, seed=seed,
                                      cap=LOSS_CAP)
    return {"loss": run.step_loss, "epoch_loss": run.epoch_loss, "diverged": run.diverged, "w": run.w.tolist(),
            "b": float(run.b)}


def _loss_chart(curves: dict[str, list[float]], title: str) -> alt.Chart:
    frames = []
    for name, loss in curves.items():
        values = np.nan_to_num(np.clip(np.array(loss), 1e-8, LOSS_CAP), nan=LOSS_CAP)  # cap inf/nan of a divergence
        frames.append(pd.DataFrame({"step": np.arange(len(values)), "loss": values, "run": name}))
    return alt.Chart(pd.concat(frames)).mark_line(strokeWidth=1.5).encode(
        x=alt.X("step:Q", title=t("w3_2_axis_step")),
        y=alt.Y("loss:Q", title=title, scale=alt.Scale(type="log")),
        color=alt.Color("run:N", title=None, legend=alt.Legend(orient="bottom"))).properties(height=260)


def _runs_with_progress(configs: dict[str, tuple[float, int, int, str]]) -> dict[str, dict[str, Any]]:
    """Run (or fetch from the cache) each configuration, advancing a progress bar."""
    bar = st.progress(0.0, text=t("w3_2_training"))
    results = {}
    for i, (name, cfg) in enumerate(configs.items()):
        results[name] = _run(*cfg)
        bar.progress((i + 1) / len(configs), text=t("w3_2_training"))
    bar.empty()
    return results


def _summary(results: dict[str, dict[str, Any]]) -> None:
    rows = [{t("w3_2_col_run"): name, t("w3_2_col_loss"): (t("w3_2_diverged") if r["diverged"]
                                                          else f"{r['epoch_loss'][-1]:.2e}"),
             "w": "—" if r["diverged"] else ", ".join(f"{v:.4f}" for v in r["w"]),
             "b": "—" if r["diverged"] else f"{r['b']:.4f}"} for name, r in results.items()]
    st.dataframe(pd.DataFrame(rows), hide_index=True)


# --- the section demo and 3.2.1: initialisation --------------------------------------------------------------------

def _training_demo(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    c1, c2, c3 = st.columns(3)
    lr = c1.select_slider(t("w3_2_lr"), LR_OPTIONS, _option(initial, "lr", 0.03, LR_OPTIONS), key=f"{key}-lr")
    batch = c2.select_slider(t("w3_2_batch"), BATCH_OPTIONS, _option(initial, "batch", 10, BATCH_OPTIONS),
                             key=f"{key}-batch")
    epochs = c3.slider(t("w3_2_epochs"), 1, 10, initial_value(initial, "epochs", 3, 1, 10), key=f"{key}-epochs")
    inits = ["normal", "zeros", "large"]
    results = _runs_with_progress({t(f"w3_2_init_{i}"): (float(lr), int(batch), int(epochs), i) for i in inits})
    st.altair_chart(_loss_chart({k: r["loss"] for k, r in results.items()}, t("w3_2_axis_loss")), width="stretch")
    _summary(results)
    return {"lr": float(lr), "batch": int(batch), "epochs": int(epochs)}


DEMO_TRAINS = True  # the section demo trains models (cached per setting, with progress)


def section_demo(key: str) -> None:
    """The from-scratch loop with three initialisations; learning rate, batch size and epochs are live."""
    st.caption(t("w3_2_demo_intro"))
    _training_demo(key, {})


def initialisation(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Zero, small normal and large normal initial weights: loss per step of the book's setup (exercise 3.2.1)."""
    options = ["zeros", "normal", "large"]
    start = initial_value(initial, "init", "zeros")
    init = st.radio(t("w3_2_init"), options, options.index(start) if start in options else 0, horizontal=True,
                    format_func=translated("w3_2_init_"), key=f"{key}-init")
    results = _runs_with_progress({t(f"w3_2_init_{init}"): (0.03, 10, 3, init)})
    (res,) = results.values()
    st.altair_chart(_loss_chart({k: r["loss"] for k, r in results.items()}, t("w3_2_axis_loss")), width="stretch")
    k1, k2 = st.columns(2)
    k1.metric(t("w3_2_loss_start"), f"{res['loss'][0]:.3g}")
    k2.metric(t("w3_2_loss_end"), f"{res['epoch_loss'][-1]:.3g}")
    _summary(results)
    return {"init": init}


# --- 3.2.6: learning rates -----------------------------------------------------------------------------------------

def learning_rates(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Loss curves for a log-spaced learning rate against the book's 0.03; divergence capped and flagged (3.2.6)."""
    log_lr = st.slider(t("w3_2_log_lr"), -3.0, 1.0, initial_value(initial, "loglr", -0.5, -3.0, 1.0), 0.1,
                       key=f"{key}-loglr")
    lr = float(round(10**log_lr, 4))
    results = _runs_with_progress({"η = 0.03": (0.03, 10, 3, "normal"), f"η = {lr:g}": (lr, 10, 3, "normal")})
    st.altair_chart(_loss_chart({k: r["loss"] for k, r in results.items()}, t("w3_2_axis_loss")), width="stretch")
    X, _ = linear.book_data()
    A = linear.add_bias_column(X.double())
    limit = 2 / float(torch.linalg.eigvalsh(A.T @ A / len(A))[-1])
    k1, k2 = st.columns(2)
    k1.metric(t("w3_2_lr"), f"{lr:g}")
    k2.metric(t("w3_2_limit"), f"{limit:.3f}")
    if results[f"η = {lr:g}"]["diverged"]:
        st.error(t("w3_2_diverged_msg", lr=f"{lr:g}"))
    _summary(results)
    return {"loglr": float(log_lr)}


# --- 3.2.2: Ohm's law ----------------------------------------------------------------------------------------------

def ohm(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Noisy V = R·I measurements; R fitted by autograd gradient descent and by the closed form (exercise 3.2.2)."""
    c1, c2, c3 = st.columns(3)
    R = c1.slider(t("w3_2_R"), 1.0, 100.0, initial_value(initial, "R", 10.0, 1.0, 100.0), 0.5, key=f"{key}-R")
    noise = c2.slider(t("w3_2_noise_pct"), 0.0, 20.0, initial_value(initial, "noise", 2.0, 0.0, 20.0), 0.5,
                      key=f"{key}-noise")
    seed = c3.number_input(t("w3_2_seed"), 0, 9999, initial_value(initial, "seed", 0, 0, 9999), key=f"{key}-seed")
    rng = np.random.default_rng(int(seed))
    current = np.linspace(0.1, 0.8, 8)
    voltage = R * current + rng.normal(0, noise / 100 * R, 8)
    I_t, V_t = torch.tensor(current), torch.tensor(voltage)
    R_gd = linear.fit_resistance(I_t, V_t)
    R_closed = float((V_t @ I_t) / (I_t @ I_t))
    pts = pd.DataFrame({"I": current, "V": voltage})
    line = pd.DataFrame({"I": [0.0, 0.85], "V": [0.0, 0.85 * R_gd]})
    chart = alt.Chart(pts).mark_circle(size=70).encode(x=alt.X("I:Q", title="I (A)"), y=alt.Y("V:Q", title="V (V)")) \
        + alt.Chart(line).mark_line(color="#d62728").encode(x="I:Q", y="V:Q")
    st.altair_chart(chart.properties(height=240), width="stretch")
    k1, k2, k3 = st.columns(3)
    k1.metric(t("w3_2_R_gd"), f"{R_gd:.3f} Ω")
    k2.metric(t("w3_2_R_closed"), f"{R_closed:.3f} Ω")
    k3.metric(t("w3_2_R_true"), f"{R:.1f} Ω")
    return {"R": float(R), "noise": float(noise), "seed": int(seed)}


# --- 3.2.3: Planck's law -------------------------------------------------------------------------------------------

@st.cache_data(max_entries=64, show_spinner=False)
def _planck_fit(T: float, noise: float, seed: int) -> tuple[pd.DataFrame, float, float]:
    g = torch.Generator().manual_seed(seed)
    lam = torch.linspace(0.3, 3.0, 10, dtype=torch.float64) * 1e-6
    B = linear.planck(lam, T) * (1 + noise / 100 * torch.randn(10, generator=g, dtype=torch.float64))
    B = B.clamp_min(1e-6 * float(B.max()))  # keep samples positive for the log-fit at very high noise
    T_fit = linear.fit_temperature(lam, B)
    fine = torch.linspace(0.2, 3.2, 121, dtype=torch.float64) * 1e-6
    frame = pd.concat([
        pd.DataFrame({"λ (µm)": lam.numpy() * 1e6, "B": B.numpy() / 1e12, "what": "data"}),
        pd.DataFrame({"λ (µm)": fine.numpy() * 1e6, "B": linear.planck(fine, T_fit).numpy() / 1e12, "what": "fit"})])
    return frame, T_fit, linear.wien_temperature(lam, B)


def planck(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """A noisy black-body spectrum at temperature T, and T recovered by gradient descent on log B (3.2.3)."""
    c1, c2, c3 = st.columns(3)
    T = c1.slider(t("w3_2_T"), 2000, 10000, initial_value(initial, "T", 5000, 2000, 10000), 100, key=f"{key}-T")
    noise = c2.slider(t("w3_2_noise_pct"), 0.0, 20.0, initial_value(initial, "noise", 3.0, 0.0, 20.0), 0.5,
                      key=f"{key}-noise")
    seed = c3.number_input(t("w3_2_seed"), 0, 9999, initial_value(initial, "seed", 0, 0, 9999), key=f"{key}-seed")
    frame, T_fit, T_wien = _planck_fit(float(T), float(noise), int(seed))
    frame["what"] = frame["what"].map({"data": t("w3_2_spectrum"), "fit": t("w3_2_fit")})
    data = frame[frame["what"] == t("w3_2_spectrum")]
    fit = frame[frame["what"] == t("w3_2_fit")]
    y = alt.Y("B:Q", title=t("w3_2_axis_B"))
    chart = alt.Chart(fit).mark_line(color="#d62728").encode(x=alt.X("λ (µm):Q"), y=y) + \
        alt.Chart(data).mark_circle(size=70).encode(x="λ (µm):Q", y=y)
    st.altair_chart(chart.properties(height=240), width="stretch")
    k1, k2, k3 = st.columns(3)
    k1.metric(t("w3_2_T_fit"), f"{T_fit:.0f} K")
    k2.metric(t("w3_2_T_wien"), f"{T_wien:.0f} K")
    k3.metric(t("w3_2_T_true"), f"{T} K")
    return {"T": int(T), "noise": float(noise), "seed": int(seed)}


# --- 3.2.5: the reshape pitfall ------------------------------------------------------------------------------------

def reshape_pitfall(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """squared_loss with and without the reshape on ŷ (n, 1) and y (n,): shapes and values (exercise 3.2.5)."""
    c1, c2 = st.columns(2)
    n = c1.slider("n", 2, 8, initial_value(initial, "n", 4, 2, 8), key=f"{key}-n")
    reshape = c2.toggle(t("w3_2_reshape"), bool(initial.get("reshape", False)), key=f"{key}-reshape")
    X, y = linear.book_data(num_examples=int(n))
    w = torch.tensor([[2.0], [-3.4]])
    y_hat = linear.linreg(X, w, 4.2)  # (n, 1)
    y_flat = y.reshape(-1)  # (n,): labels as they come from a file
    loss = linear.squared_loss(y_hat, y_flat) if reshape else linear.squared_loss_without_reshape(y_hat, y_flat)
    k1, k2, k3 = st.columns(3)
    k1.metric(t("w3_2_shape_loss"), str(tuple(loss.shape)))
    k2.metric(t("w3_2_numbers"), f"{loss.numel()}")
    k3.metric(t("w3_2_mean_loss"), f"{float(loss.mean()):.4g}")
    st.dataframe(pd.DataFrame(loss.numpy()).round(4), hide_index=True)
    st.caption(t("w3_2_reshape_caption"))
    return {"n": int(n), "reshape": bool(reshape)}


# --- 3.2.7: the last minibatch -------------------------------------------------------------------------------------

def last_batch(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """The minibatches data_iter yields for n examples and a batch size, and the book's sgd step scale (3.2.7)."""
    c1, c2 = st.columns(2)
    n = c1.slider(t("w3_2_n"), 1, 200, initial_value(initial, "n", 100, 1, 200), key=f"{key}-n")
    B = c2.slider(t("w3_2_batch"), 1, 64, initial_value(initial, "B", 30, 1, 64), key=f"{key}-B")
    X, y = torch.arange(int(n), dtype=torch.float32)[:, None], torch.zeros(int(n), 1)
    batches = [Xb.reshape(-1).int().tolist() for Xb, _ in data_iter(int(B), X, y, torch.Generator().manual_seed(0))]
    sizes = pd.DataFrame({"batch": np.arange(1, len(batches) + 1), "size": [len(b) for b in batches],
                          "scale": [len(b) / int(B) for b in batches]})
    bars = alt.Chart(sizes).mark_bar().encode(x=alt.X("batch:O", title=t("w3_2_axis_batch")),
                                              y=alt.Y("size:Q", title=t("w3_2_axis_size")),
                                              color=alt.condition(alt.datum.size < int(B), alt.value("#d62728"),
                                                                  alt.value("#1f77b4")))
    st.altair_chart(bars.properties(height=200), width="stretch")
    k1, k2, k3 = st.columns(3)
    k1.metric(t("w3_2_n_batches"), f"{len(batches)}")
    k2.metric(t("w3_2_last_size"), f"{len(batches[-1])}")
    k3.metric(t("w3_2_last_scale"), f"{len(batches[-1]) / int(B):.4f}")
    st.caption(t("w3_2_last_caption"))
    return {"n": int(n), "B": int(B)}
