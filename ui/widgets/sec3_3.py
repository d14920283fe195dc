"""Section 3.3 widgets: summed versus averaged loss and the learning rate (3.3.1, also the section demo), the Huber
loss against torch's HuberLoss and SmoothL1Loss (3.3.2), and the gradients of nn.Linear after one step (3.3.3)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import torch
from torch import nn

from d2lcore import linear
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import initial_value

PARAM_NAMES = ["w1", "w2", "b"]

LR_OPTIONS = [0.001, 0.003, 0.01, 0.03]
BATCH_OPTIONS = [2, 5, 10, 20, 50]
STEP_LR_OPTIONS = [0.01, 0.03, 0.1, 0.3]

def _option(initial: dict[str, Any], name: str, default: Any, options: list[Any]) -> Any:
    """A select_slider start value: the shared link's value when it is one of the options, else the default."""
    value = initial_value(initial, name, default)
    return value if value in options else default


# --- 3.3.1 and the section demo: sum versus mean -------------------------------------------------------------------

@st.cache_data(max_entries=64, show_spinner=False)
def _trajectory(lr: float, batch_size: int, reduction: str) -> np.ndarray:
    X, y = linear.book_data(num_examples=200)
    return linear.concise_trajectory(X.double(), y.double(), lr, batch_size, reduction, epochs=1, seed=0).numpy()


def _sum_vs_mean(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    c1, c2, c3 = st.columns(3)
    lr = c1.select_slider(t("w3_3_lr_sum"), LR_OPTIONS, _option(initial, "lr", 0.003, LR_OPTIONS),
                          key=f"{key}-lr")
    batch = c2.select_slider(t("w3_3_batch"), BATCH_OPTIONS, _option(initial, "batch", 10, BATCH_OPTIONS),
                             key=f"{key}-batch")
    scale = c3.toggle(t("w3_3_scale"), bool(initial.get("scale", True)), key=f"{key}-scale")
    lr_mean = float(lr) * int(batch) if scale else float(lr)
    bar = st.progress(0.0, text=t("w3_3_training"))
    runs = {}
    for i, (name, cfg) in enumerate({t("w3_3_run_sum", lr=f"{lr:g}"): (float(lr), "sum"),
                                     t("w3_3_run_mean", lr=f"{lr_mean:g}"): (lr_mean, "mean")}.items()):
        runs[name] = _trajectory(cfg[0], int(batch), cfg[1])
        bar.progress((i + 1) / 2, text=t("w3_3_training"))
    bar.empty()
    frames = [pd.DataFrame({"step": np.repeat(np.arange(len(p)), 3), "param": PARAM_NAMES * len(p),
                            "value": p.ravel(), "run": name}) for name, p in runs.items()]
    chart = alt.Chart(pd.concat(frames)).mark_line(strokeWidth=2).encode(
        x=alt.X("step:Q", title=t("w3_3_axis_step")), y=alt.Y("value:Q", title=t("w3_3_axis_param")),
        color=alt.Color("param:N", title=None), strokeDash=alt.StrokeDash("run:N", title=None,
                                                                          legend=alt.Legend(orient="bottom")))
    st.altair_chart(chart.properties(height=260), width="stretch")
    a, b = runs.values()
    k1, k2 = st.columns(2)
    k1.metric(t("w3_3_max_diff"), f"{np.abs(a - b).max():.2e}")
    k2.metric(t("w3_3_lr_mean"), f"{lr_mean:g}")
    st.caption(t("w3_3_sum_caption"))
    return {"lr": float(lr), "batch": int(batch), "scale": bool(scale)}


def sum_vs_mean(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Parameter trajectories with the summed loss at lr and the mean loss at lr or lr·|B| (exercise 3.3.1)."""
    return _sum_vs_mean(key, initial)


def section_demo(key: str) -> None:
    """nn.Linear + nn.MSELoss + torch.optim.SGD: summed versus averaged loss, replayed step for step."""
    st.caption(t("w3_3_demo_intro"))
    _sum_vs_mean(key, {})


# --- 3.3.2: Huber loss ---------------------------------------------------------------------------------------------

@st.cache_data(max_entries=64, show_spinner=False)
def _outlier_fits(sigma: float, outliers: int) -> tuple[pd.DataFrame, dict[str, tuple[float, float]]]:
    g = torch.Generator().manual_seed(0)
    x = torch.linspace(0, 1, 40, dtype=torch.float64)
    y = 2 * x + 1 + 0.1 * torch.randn(40, generator=g, dtype=torch.float64)
    if outliers:
        y[-outliers:] += 6.0  # gross errors at the right end
    fits = {"mse": linear.fit_line(x, y, nn.MSELoss(), lr=0.5, steps=1500),
            "smoothl1": linear.fit_line(x, y, nn.SmoothL1Loss(beta=sigma), lr=0.5, steps=1500)}
    return pd.DataFrame({"x": x.numpy(), "y": y.numpy()}), fits


def huber_loss(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """The book's Huber loss, torch's HuberLoss(δ=σ) and SmoothL1Loss(β=σ) for a σ slider; a fit with outliers."""
    c1, c2 = st.columns(2)
    sigma = c1.slider("σ", 0.1, 4.0, initial_value(initial, "sigma", 2.0, 0.1, 4.0), 0.1, key=f"{key}-sigma")
    outliers = c2.slider(t("w3_3_outliers"), 0, 8, initial_value(initial, "outliers", 4, 0, 8), key=f"{key}-outliers")
    r = torch.linspace(-5, 5, 201, dtype=torch.float64)
    zero = torch.zeros_like(r)
    curves = {"book": linear.huber(zero, r, float(sigma)),
              "smoothl1": nn.SmoothL1Loss(reduction="none", beta=float(sigma))(zero, r),
              "huber": nn.HuberLoss(reduction="none", delta=float(sigma))(zero, r),
              "squared": r**2 / 2, "absolute": r.abs()}
    label = translated("w3_3_curve_")
    frame = pd.concat([pd.DataFrame({"r": r.numpy(), "loss": v.numpy(), "what": label(k)}) for k, v in curves.items()])
    st.altair_chart(alt.Chart(frame).mark_line(strokeWidth=2).encode(
        x=alt.X("r:Q", title=t("w3_3_axis_residual")), y=alt.Y("loss:Q", title=t("w3_3_axis_loss"),
                                                                scale=alt.Scale(domain=[0, 6], clamp=True)),
        color=alt.Color("what:N", title=None, legend=alt.Legend(orient="bottom", columns=2)),
        strokeDash=alt.condition(alt.datum.what == label("smoothl1"), alt.value([6, 3]), alt.value([1, 0])),
    ).properties(height=260), width="stretch")
    same = bool(torch.allclose(curves["smoothl1"], curves["book"]))
    nonzero = curves["book"] > 0
    ratio = float((curves["huber"][nonzero] / curves["book"][nonzero]).mean())
    k1, k2 = st.columns(2)
    k1.metric(t("w3_3_same_smoothl1"), t("w3_3_yes") if same else t("w3_3_no"))
    k2.metric(t("w3_3_ratio"), f"{ratio:.3f}")
    points, fits = _outlier_fits(float(sigma), int(outliers))
    lines = pd.DataFrame([{"x": x0, "y": w * x0 + b, "fit": label(k)} for k, (w, b) in fits.items() for x0 in (0, 1)])
    st.altair_chart((alt.Chart(points).mark_circle(size=50, color="#444").encode(x="x:Q", y="y:Q") +
                     alt.Chart(lines).mark_line(strokeWidth=2).encode(x="x:Q", y="y:Q", color=alt.Color(
                         "fit:N", title=None, legend=alt.Legend(orient="bottom")))).properties(height=220),
                    width="stretch")
    st.caption(t("w3_3_fit_caption", mse=f"{fits['mse'][0]:.2f}", huber=f"{fits['smoothl1'][0]:.2f}"))
    return {"sigma": float(sigma), "outliers": int(outliers)}


# --- 3.3.3: gradients after one step -------------------------------------------------------------------------------

def one_step_gradients(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """One minibatch through nn.Linear + MSELoss: net[0].weight.grad and .bias.grad, then an SGD step (3.3.3)."""
    from solutions.ch03_s3 import variant_3_3_3

    c1, c2 = st.columns(2)
    lr = c1.select_slider(t("w3_3_lr"), STEP_LR_OPTIONS, _option(initial, "lr", 0.1, STEP_LR_OPTIONS),
                          key=f"{key}-lr")
    steps_key = f"{key}-steps"
    if c2.button(t("w3_3_one_step"), key=f"{key}-step"):
        st.session_state[steps_key] = st.session_state.get(steps_key, 0) + 1
    if c2.button(t("w3_3_reset"), key=f"{key}-reset"):
        st.session_state[steps_key] = 0
    steps = st.session_state.get(steps_key, 0)
    p = variant_3_3_3(0)
    X = torch.tensor(p["X"], dtype=torch.float64)
    y = torch.tensor(p["y"], dtype=torch.float64).reshape(-1, 1)
    net = nn.Sequential(nn.Linear(2, 1)).double()
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([p["w"]], dtype=torch.float64))
        net[0].bias.fill_(p["b"])
    trainer = torch.optim.SGD(net.parameters(), lr=float(lr))
    for _ in range(steps):  # replay the steps taken so far, then show the gradient at the current parameters
        trainer.zero_grad()
        nn.MSELoss()(net(X), y).backward()
        trainer.step()
    trainer.zero_grad()
    loss = nn.MSELoss()(net(X), y)
    loss.backward()
    layer = net[0]

    def shown(v: torch.Tensor) -> str:
        return str([round(x, 4) for x in v.detach().reshape(-1).tolist()])

    rows = [{"": "net[0].weight", t("w3_3_value"): shown(layer.weight), ".grad": shown(layer.weight.grad)},
            {"": "net[0].bias", t("w3_3_value"): shown(layer.bias), ".grad": shown(layer.bias.grad)}]
    k1, k2 = st.columns(2)
    k1.metric(t("w3_3_steps_taken"), f"{steps}")
    k2.metric(t("w3_3_loss_now"), f"{float(loss.detach()):.4f}")
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    st.caption(t("w3_3_grad_caption"))
    return {"lr": float(lr)}
