"""Section 3.1 widgets: the mean as a least-squares fit (3.1.1), least squares in matrix form, closed form versus
minibatch SGD and collinearity (3.1.2, also the section demo), Gaussian versus Laplace noise and SGD for the
absolute loss (3.1.3)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import torch

from d2lcore import linear
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import initial_value

BOOK_POINTS = [1.0, 2.0, 3.0, 4.0, 10.0]

LR_OPTIONS = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 1.5, 2.0, 3.0]
BATCH_OPTIONS = [1, 5, 10, 50, 100, 1000]
NOISE_OPTIONS = [0.01, 0.1, 0.5, 1.0]
LOCATION_LR_OPTIONS = [0.01, 0.03, 0.1, 0.3, 1.0]

def _option(initial: dict[str, Any], name: str, default: Any, options: list[Any]) -> Any:
    """A select_slider start value: the shared link's value when it is one of the options, else the default."""
    value = initial_value(initial, name, default)
    return value if value in options else default


def _points(key: str, initial: dict[str, Any]) -> list[float]:
    """Five sliders, one per point x1 … x5 (the points of exercises 3.1.1 and 3.1.3b)."""
    cols = st.columns(5)
    return [float(col.slider(f"x{i + 1}", -5.0, 20.0, initial_value(initial, f"x{i + 1}", BOOK_POINTS[i], -5.0, 20.0),
                             0.5, key=f"{key}-x{i + 1}")) for i, col in enumerate(cols)]


def _curve_chart(frame: pd.DataFrame, x: str, y: str, color: str, x_title: str, y_title: str,
                 marks: pd.DataFrame | None = None) -> alt.Chart:
    lines = alt.Chart(frame).mark_line(strokeWidth=2).encode(
        x=alt.X(f"{x}:Q", title=x_title), y=alt.Y(f"{y}:Q", title=y_title),
        color=alt.Color(f"{color}:N", title=None, legend=alt.Legend(orient="bottom")))
    if marks is None:
        return lines.properties(height=240)
    rules = alt.Chart(marks).mark_rule(strokeDash=[4, 4]).encode(x=f"{x}:Q", color=alt.Color(f"{color}:N"))
    return (lines + rules).properties(height=240)


# --- 3.1.1a / 3.1.1b / 3.1.3b: one-dimensional losses -------------------------------------------------------------

def mean_as_least_squares(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Σ (x_i − b)² as a function of b for five movable points; its minimum sits at the mean (exercise 3.1.1a)."""
    xs = _points(key, initial)
    x = np.array(xs)
    b = np.linspace(x.min() - 2, x.max() + 2, 241)
    frame = pd.DataFrame({"b": b, "loss": ((x[None, :] - b[:, None]) ** 2).sum(axis=1), "what": t("w3_1_sq_loss")})
    marks = pd.DataFrame({"b": [x.mean(), float(np.median(x))], "what": [t("w3_1_mean"), t("w3_1_median")]})
    st.altair_chart(_curve_chart(frame, "b", "loss", "what", "b", t("w3_1_axis_loss"), marks), width="stretch")
    c1, c2 = st.columns(2)
    c1.metric(t("w3_1_argmin"), f"{b[frame['loss'].argmin()]:.2f}")
    c2.metric(t("w3_1_mean"), f"{x.mean():.2f}")
    return {f"x{i + 1}": v for i, v in enumerate(xs)}


def gaussian_likelihood_overlay(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Gaussian log-likelihood of the points and minus the scaled squared error over b: same peak (3.1.1b)."""
    xs = _points(key, initial)
    s = st.slider(t("w3_1_sigma"), 0.3, 5.0, initial_value(initial, "s", 1.5, 0.3, 5.0), 0.1, key=f"{key}-s")
    x = torch.tensor(xs, dtype=torch.float64)
    b = torch.linspace(float(x.min()) - 2, float(x.max()) + 2, 241, dtype=torch.float64)
    log_lik = torch.distributions.Normal(b[:, None], float(s)).log_prob(x).sum(dim=1)
    sq = ((x - b[:, None]) ** 2).sum(dim=1)
    shifted = -sq / (2 * s**2) + float(log_lik.max() + sq.min() / (2 * s**2))  # same peak height, to overlay
    frame = pd.concat([
        pd.DataFrame({"b": b.numpy(), "value": log_lik.numpy(), "what": t("w3_1_loglik")}),
        pd.DataFrame({"b": b.numpy(), "value": shifted.numpy(), "what": t("w3_1_neg_sq")})])
    st.altair_chart(_curve_chart(frame, "b", "value", "what", "b", t("w3_1_axis_value")), width="stretch")
    c1, c2 = st.columns(2)
    c1.metric(t("w3_1_mle"), f"{float(b[log_lik.argmax()]):.2f}")
    c2.metric(t("w3_1_mean"), f"{float(x.mean()):.2f}")
    st.caption(t("w3_1_overlay_caption"))
    return {**{f"x{i + 1}": v for i, v in enumerate(xs)}, "s": float(s)}


def absolute_loss_curve(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Σ |x_i − b| (piecewise linear, flat or kinked at the median) next to Σ (x_i − b)² / scale (3.1.3b)."""
    xs = _points(key, initial)
    x = np.array(xs)
    b = np.linspace(x.min() - 2, x.max() + 2, 481)
    l1 = np.abs(x[None, :] - b[:, None]).sum(axis=1)
    l2 = ((x[None, :] - b[:, None]) ** 2).sum(axis=1)
    frame = pd.concat([pd.DataFrame({"b": b, "loss": l1, "what": t("w3_1_abs_loss")}),
                       pd.DataFrame({"b": b, "loss": l2 * l1.max() / l2.max(), "what": t("w3_1_sq_scaled")})])
    marks = pd.DataFrame({"b": [float(np.median(x)), x.mean()], "what": [t("w3_1_median"), t("w3_1_mean")]})
    st.altair_chart(_curve_chart(frame, "b", "loss", "what", "b", t("w3_1_axis_loss"), marks), width="stretch")
    c1, c2 = st.columns(2)
    c1.metric(t("w3_1_median"), f"{np.median(x):.2f}")
    c2.metric(t("w3_1_mean"), f"{x.mean():.2f}")
    st.caption(t("w3_1_abs_caption"))
    return {f"x{i + 1}": v for i, v in enumerate(xs)}


# --- 3.1.2a/b: the least-squares loss and its gradient -------------------------------------------------------------

def least_squares_surface(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """L(w) = ‖y − Xw‖² on a grid for the exercise's X, y; the gradient 2Xᵀ(Xw − y) against autograd at a point."""
    from solutions.ch03_s1 import BOOK_X, BOOK_Y

    X = torch.tensor(BOOK_X, dtype=torch.float64)
    y = torch.tensor(BOOK_Y, dtype=torch.float64)
    c1, c2 = st.columns(2)
    w1 = c1.slider("w1", -3.0, 3.0, initial_value(initial, "w1", 0.0, -3.0, 3.0), 0.1, key=f"{key}-w1")
    w2 = c2.slider("w2", -3.0, 3.0, initial_value(initial, "w2", 0.0, -3.0, 3.0), 0.1, key=f"{key}-w2")
    g1, g2 = np.meshgrid(np.linspace(-3, 3, 41), np.linspace(-3, 3, 41))
    W = torch.tensor(np.stack([g1.ravel(), g2.ravel()], axis=1))
    L = ((y[None, :] - W @ X.T) ** 2).sum(dim=1)  # (41², ): the loss at every grid point
    grid = pd.DataFrame({"w1": g1.ravel().round(2), "w2": g2.ravel().round(2), "L": np.log10(L.numpy() + 1e-3)})
    heat = alt.Chart(grid).mark_rect().encode(
        x=alt.X("w1:O", axis=None), y=alt.Y("w2:O", sort="descending", axis=None),
        color=alt.Color("L:Q", title="log₁₀ L", scale=alt.Scale(scheme="viridis")))
    w = torch.tensor([w1, w2], dtype=torch.float64, requires_grad=True)
    loss = linear.least_squares_loss(X, y, w)
    loss.backward()
    formula = linear.least_squares_gradient(X, y, w.detach())
    st.altair_chart(heat.properties(height=260, width=260), width="content")
    k1, k2, k3 = st.columns(3)
    k1.metric("L(w)", f"{float(loss.detach()):.3f}")
    k2.metric(t("w3_1_grad_formula"), f"[{formula[0]:.3f}, {formula[1]:.3f}]")
    k3.metric(t("w3_1_grad_autograd"), f"[{w.grad[0]:.3f}, {w.grad[1]:.3f}]")
    st.caption(t("w3_1_surface_caption", wstar=", ".join(f"{v:.3f}" for v in linear.lstsq_solution(X, y).tolist())))
    return {"w1": float(w1), "w2": float(w2)}


# --- 3.1.2c and the section demo: closed form versus minibatch SGD -------------------------------------------------

@st.cache_data(max_entries=64, show_spinner=False)
def _sgd_run(n: int, noise: float, lr: float, batch_size: int, epochs: int, init: str, seed: int) -> dict[str, Any]:
    X, y = linear.book_data(n, noise, seed)
    run = linear.train_linreg_scratch(X, y, lr=lr, batch_size=batch_size, epochs=epochs, init=init, seed=seed)
    closed = linear.closed_form_least_squares(linear.add_bias_column(X.double()), y.double())
    A = linear.add_bias_column(X.double())
    floor = float(((y.double().reshape(-1) - A @ closed) ** 2).mean() / 2)
    return {"loss": run.step_loss, "w": run.w.tolist(), "b": float(run.b), "diverged": run.diverged,
            "closed": closed.tolist(), "floor": floor}


def _sgd_controls(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    c1, c2, c3, c4 = st.columns(4)
    lr = c1.select_slider(t("w3_1_lr"), LR_OPTIONS, _option(initial, "lr", 0.03, LR_OPTIONS), key=f"{key}-lr")
    batch = c2.select_slider(t("w3_1_batch"), BATCH_OPTIONS, _option(initial, "batch", 10, BATCH_OPTIONS),
                             key=f"{key}-batch")
    options = ["normal", "zeros", "large"]
    init0 = initial_value(initial, "init", "normal")
    init = c3.selectbox(t("w3_1_init"), options, options.index(init0) if init0 in options else 0,
                        format_func=translated("w3_1_init_"), key=f"{key}-init")
    noise = c4.select_slider(t("w3_1_noise"), NOISE_OPTIONS, _option(initial, "noise", 0.01, NOISE_OPTIONS),
                             key=f"{key}-noise")
    return {"lr": float(lr), "batch": int(batch), "init": init, "noise": float(noise)}


def _closed_form_vs_sgd(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    p = _sgd_controls(key, initial)
    progress = st.progress(0.0, text=t("w3_1_training"))
    res = _sgd_run(1000, p["noise"], p["lr"], p["batch"], 3, p["init"], 0)
    progress.progress(1.0, text=t("w3_1_trained", steps=len(res["loss"]) - 1))
    loss = np.array(res["loss"])
    shown = np.clip(loss, 1e-8, 1e6)  # inf/nan of a diverged run are capped for the log-scale chart
    frame = pd.DataFrame({"step": np.arange(len(loss)), "loss": np.nan_to_num(shown, nan=1e6), "what": t("w3_1_sgd")})
    floor = pd.DataFrame({"loss": [res["floor"]], "what": [t("w3_1_closed")]})
    chart = alt.Chart(frame).mark_line().encode(
        x=alt.X("step:Q", title=t("w3_1_axis_step")),
        y=alt.Y("loss:Q", title=t("w3_1_axis_loss"), scale=alt.Scale(type="log")),
        color=alt.Color("what:N", title=None, legend=alt.Legend(orient="bottom")))
    rule = alt.Chart(floor).mark_rule(strokeDash=[6, 4]).encode(y="loss:Q", color="what:N")
    st.altair_chart((chart + rule).properties(height=240), width="stretch")
    if res["diverged"]:
        st.error(t("w3_1_diverged", steps=len(loss) - 1))
    rows = [{"": t("w3_1_true"), "w1": linear.TRUE_W[0], "w2": linear.TRUE_W[1], "b": linear.TRUE_B},
            {"": t("w3_1_closed"), "w1": res["closed"][0], "w2": res["closed"][1], "b": res["closed"][2]}]
    if not res["diverged"]:
        rows.append({"": t("w3_1_sgd"), "w1": res["w"][0], "w2": res["w"][1], "b": res["b"]})
    st.dataframe(pd.DataFrame(rows).round(4), hide_index=True)
    return p


def closed_form_vs_sgd(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """The book's data fitted by the normal equations and by minibatch SGD, loss per step (exercise 3.1.2c)."""
    return _closed_form_vs_sgd(key, initial)


def section_demo(key: str) -> None:
    """Closed form versus minibatch SGD with learning-rate, batch-size, initialisation and noise controls."""
    st.caption(t("w3_1_demo_intro"))
    _closed_form_vs_sgd(key, {})


# --- 3.1.2d: collinearity ------------------------------------------------------------------------------------------

@st.cache_data(max_entries=64, show_spinner=False)
def _collinear_fits(rho: float, noise: float, draws: int = 30, n: int = 100) -> tuple[float, np.ndarray]:
    g = torch.Generator().manual_seed(0)
    X = linear.correlated_features(n, rho, g)
    w_true = torch.tensor([1.0, 1.0], dtype=torch.float64)
    fits = [linear.closed_form_least_squares(X, X @ w_true + noise * torch.randn(n, generator=g, dtype=torch.float64))
            for _ in range(draws)]
    return linear.condition_number(X), torch.stack(fits).numpy()


def collinearity(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Two features with correlation ρ: κ(XᵀX) and the closed-form estimates over 30 noise draws (3.1.2d)."""
    c1, c2 = st.columns(2)
    rho = c1.slider("ρ", 0.0, 0.999, initial_value(initial, "rho", 0.9, 0.0, 0.999), 0.001, format="%.3f",
                    key=f"{key}-rho")
    noise = c2.slider(t("w3_1_noise"), 0.01, 1.0, initial_value(initial, "noise", 0.3, 0.01, 1.0), 0.01,
                      key=f"{key}-noise")
    kappa, fits = _collinear_fits(float(rho), float(noise))
    frame = pd.DataFrame({"w1": fits[:, 0], "w2": fits[:, 1]})
    pts = alt.Chart(frame).mark_circle(size=50, opacity=0.7).encode(
        x=alt.X("w1:Q", scale=alt.Scale(domain=[-4, 6], clamp=True)),
        y=alt.Y("w2:Q", scale=alt.Scale(domain=[-4, 6], clamp=True)))
    truth = alt.Chart(pd.DataFrame({"w1": [1.0], "w2": [1.0]})).mark_point(shape="cross", size=200, color="red")
    st.altair_chart((pts + truth.encode(x="w1:Q", y="w2:Q")).properties(height=260), width="stretch")
    k1, k2, k3 = st.columns(3)
    k1.metric(t("w3_1_kappa"), f"{kappa:,.1f}")
    k2.metric(t("w3_1_sd_w1"), f"{fits[:, 0].std():.3f}")
    k3.metric(t("w3_1_sd_sum"), f"{fits.sum(axis=1).std():.3f}")
    st.caption(t("w3_1_collinear_caption"))
    return {"rho": float(rho), "noise": float(noise)}


# --- 3.1.3a: Gaussian versus Laplace noise -------------------------------------------------------------------------

def noise_models(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Densities and per-example negative log-likelihoods of Gaussian and Laplace noise (exercise 3.1.3a)."""
    options = ["laplace", "gaussian"]
    start = initial_value(initial, "noise", "laplace")
    which = st.radio(t("w3_1_noise_model"), options, options.index(start) if start in options else 0, horizontal=True,
                     format_func=translated("w3_1_model_"), key=f"{key}-noise")
    eps = torch.linspace(-4, 4, 161, dtype=torch.float64)
    gauss, laplace = torch.distributions.Normal(0.0, 1.0), torch.distributions.Laplace(0.0, 1.0)
    frame = pd.concat([pd.DataFrame({"ε": eps.numpy(), "value": d.log_prob(eps).exp().numpy(),
                                     "what": t(f"w3_1_model_{name}")}) for name, d in
                       [("gaussian", gauss), ("laplace", laplace)]])
    st.altair_chart(_curve_chart(frame, "ε", "value", "what", "ε", "p(ε)"), width="stretch")
    r = eps
    per = {"laplace": r.abs() + np.log(2), "gaussian": r**2 / 2 + 0.5 * np.log(2 * np.pi)}[which]
    st.altair_chart(_curve_chart(pd.DataFrame({"r": r.numpy(), "nll": per.numpy(), "what": t(f"w3_1_model_{which}")}),
                                 "r", "nll", "what", t("w3_1_axis_residual"), "−log p"), width="stretch")
    st.caption(t(f"w3_1_nll_caption_{which}"))
    return {"noise": which}


# --- 3.1.3c: SGD for the absolute loss -----------------------------------------------------------------------------

@st.cache_data(max_entries=64, show_spinner=False)
def _location_paths(lr: float, decay: bool, full_batch: bool, steps: int, seed: int) -> pd.DataFrame:
    y = torch.tensor(BOOK_POINTS, dtype=torch.float64)
    frames = []
    for loss in ("absolute", "squared"):
        path = linear.location_sgd(y, lr, steps, b0=0.0, decay=decay, loss=loss, full_batch=full_batch,
                                   generator=torch.Generator().manual_seed(seed))
        frames.append(pd.DataFrame({"step": np.arange(1, steps + 1), "b": path.numpy(), "loss": loss}))
    return pd.concat(frames)  # language-neutral: the cache is shared by both languages


def absolute_loss_sgd(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Single-example SGD for ŷ = b under the absolute and the squared loss, constant or decaying rate (3.1.3c)."""
    c1, c2, c3 = st.columns(3)
    lr = c1.select_slider(t("w3_1_lr"), LOCATION_LR_OPTIONS, _option(initial, "lr", 0.3, LOCATION_LR_OPTIONS),
                          key=f"{key}-lr")
    decay = c2.toggle(t("w3_1_decay"), bool(initial.get("decay", False)), key=f"{key}-decay")
    full = c3.toggle(t("w3_1_full_batch"), bool(initial.get("full", True)), key=f"{key}-full")
    paths = _location_paths(float(lr), bool(decay), bool(full), 2000, 0)
    paths = paths.assign(what=paths["loss"].map(lambda loss: t(f"w3_1_{loss}")))
    marks = pd.DataFrame({"b": [3.0, 4.0], "what": [t("w3_1_median"), t("w3_1_mean")]})
    chart = alt.Chart(paths).mark_line(strokeWidth=1).encode(
        x=alt.X("step:Q", title=t("w3_1_axis_step")), y=alt.Y("b:Q", title="b"),
        color=alt.Color("what:N", title=None, legend=alt.Legend(orient="bottom")))
    rules = alt.Chart(marks).mark_rule(strokeDash=[4, 4]).encode(y="b:Q", color="what:N")
    st.altair_chart((chart + rules).properties(height=240), width="stretch")
    late = paths[paths.step > 1500]
    spread = late.groupby("loss")["b"].agg(lambda s: float(s.max() - s.min()))
    k1, k2 = st.columns(2)
    k1.metric(t("w3_1_spread_abs"), f"{spread['absolute']:.3f}")
    k2.metric(t("w3_1_spread_sq"), f"{spread['squared']:.3f}")
    st.caption(t("w3_1_location_caption"))
    return {"lr": float(lr), "decay": bool(decay), "full": bool(full)}
