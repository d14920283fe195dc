"""Section 4.4 widgets: the book's cubic with 1/i! features. Exact least-squares fits next to SGD (4.4.1), capacity
curves against the degree (4.4.2a/b) and the training-set size (4.4.2c), the normalisation (4.4.3), the noise floor
(4.4.4) and the section demo (underfitting, a good fit, overfitting)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import torch

from d2lcore import capacity as cap
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import initial_value

NOISES = [0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0]
RATES = [1e-6, 1e-4, 0.001, 0.003, 0.01, 0.03, 0.1]
EXACT_EPOCHS = 400  # the epochs slider's end in 4.4.1 (one cached run of this length serves every position)
NORM_EPOCHS = 200  # the same in 4.4.3


def _pick(options: list, value: Any, default: Any) -> Any:
    return value if value in options else default


@st.cache_data(max_entries=32, show_spinner=False)
def _sgd_path(n_train: int, noise: float, n_features: int, scaling: str, lr: float, epochs: int, seed: int) -> dict:
    """The book's SGD run for `epochs` epochs, cached per configuration; plain lists only. Its first k epochs are
    exactly a k-epoch run, so an epochs slider reads a prefix of the longest run and never trains again."""
    data = cap.polynomial_data(n_train, 100, noise, seed)
    run = cap.sgd_polynomial_path(data, n_features, scaling, lr, epochs, seed=seed)
    return {"w": run.w.tolist(), "train": run.train_loss, "test": run.test_loss}


def _sgd(n_train: int, noise: float, n_features: int, scaling: str, lr: float, epochs: int, max_epochs: int,
         seed: int) -> dict:
    """The first `epochs` epochs of the `max_epochs` run: the weights after them and their losses."""
    with st.spinner(t("w4_4_training")):
        run = _sgd_path(n_train, noise, n_features, scaling, lr, max_epochs, seed)
    return {"w": run["w"][epochs], "train": run["train"][:epochs], "test": run["test"][:epochs]}


# --- 4.4.1: exact solution next to SGD ------------------------------------------------------------------------------

def exact_fit(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Normal equations, torch.linalg.lstsq and the book's SGD on the four cubic features (exercise 4.4.1)."""
    c1, c2, c3 = st.columns(3)
    n = c1.slider(t("w4_4_ntrain"), 10, 100, initial_value(initial, "n", 100, 10, 100), 10, key=f"{key}-n")
    noise = c2.select_slider(t("w4_4_noise"), NOISES, _pick(NOISES, initial.get("noise"), 0.1), key=f"{key}-noise")
    epochs = c3.slider(t("w4_4_epochs"), 0, EXACT_EPOCHS, initial_value(initial, "epochs", 400, 0, EXACT_EPOCHS), 50,
                       key=f"{key}-epochs")
    data = cap.polynomial_data(n, 100, float(noise), 0)
    Phi = cap.polynomial_features(data.x_train, 4)
    w_ne = cap.normal_equations(Phi, data.y_train)
    w_ls = torch.linalg.lstsq(Phi, data.y_train.reshape(-1, 1)).solution.reshape(-1)
    sgd = _sgd(n, float(noise), 4, "normalised", 0.01, int(epochs), EXACT_EPOCHS, 0)
    rows = {t("w4_4_true"): list(cap.TRUE_POLY), t("w4_4_normal_eq"): w_ne.tolist(),
            "torch.linalg.lstsq": w_ls.tolist(), t("w4_4_sgd", epochs=epochs): sgd["w"]}
    st.dataframe(pd.DataFrame(rows, index=["w0", "w1", "w2", "w3"]).T.style.format("{:.4f}"), width="stretch")
    k = st.columns(3)
    k[0].metric(t("w4_4_exact_loss"), f"{cap.mse(Phi @ w_ne, data.y_train):.4f}")
    k[1].metric(t("w4_4_sgd_loss"), f"{cap.mse(Phi @ torch.tensor(sgd['w'], dtype=torch.float64), data.y_train):.4f}")
    k[2].metric(t("w4_4_max_gap"), f"{float((w_ne - torch.tensor(sgd['w'], dtype=torch.float64)).abs().max()):.3g}")
    st.caption(t("w4_4_exact_caption"))
    return {"n": int(n), "noise": float(noise), "epochs": int(epochs)}


# --- 4.4.2a/b: capacity against the degree --------------------------------------------------------------------------

def _fit_chart(data: cap.PolyData, degree: int, w: torch.Tensor) -> alt.Chart:
    grid = torch.linspace(-3, 3, 200, dtype=torch.float64)
    curve = pd.DataFrame({"x": grid.tolist(), t("w4_4_fit", degree=degree):
                          (cap.polynomial_features(grid, degree + 1) @ w).tolist(),
                          t("w4_4_true"): (cap.polynomial_features(grid) @ cap.true_poly_weights()).tolist()})
    lines = alt.Chart(curve.melt("x", var_name="series", value_name="y")).mark_line().encode(
        x="x:Q", y=alt.Y("y:Q", scale=alt.Scale(domain=[-15, 25], clamp=True)),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")))
    points = alt.Chart(pd.DataFrame({"x": data.x_train.tolist(), "y": data.y_train.tolist()})).mark_circle(
        size=18, color="#444").encode(x="x:Q", y="y:Q")
    return (points + lines).properties(height=260)


def _loss_chart(frame: pd.DataFrame, x: str, x_title: str, marker: float | None = None, log_x: bool = False,
                floor: float | None = None) -> alt.Chart:
    long = frame.melt(x, var_name="series", value_name="loss")
    long = long[long["loss"] > 0]
    chart = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X(f"{x}:Q", title=x_title, scale=alt.Scale(type="log" if log_x else "linear")),
        y=alt.Y("loss:Q", title=t("w4_4_mse"), scale=alt.Scale(type="log")),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["series:N", f"{x}:Q", alt.Tooltip("loss:Q", format=".4g")])
    layers = [chart]
    if marker is not None:
        layers.append(alt.Chart(pd.DataFrame({x: [marker]})).mark_rule(strokeDash=[5, 4], color="#d62728").encode(
            x=f"{x}:Q"))
    if floor is not None and floor > 0:
        layers.append(alt.Chart(pd.DataFrame({"loss": [floor]})).mark_rule(color="#2ca02c").encode(y="loss:Q"))
    return alt.layer(*layers).properties(height=260)


def capacity(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Degree and training-set size: the fitted curve and training/test MSE against the degree (4.4.2a, 4.4.2b)."""
    c1, c2, c3 = st.columns(3)
    degree = c1.slider(t("w4_4_degree"), 0, 19, initial_value(initial, "degree", 3, 0, 19), key=f"{key}-degree")
    n = c2.slider(t("w4_4_ntrain"), 5, 100, initial_value(initial, "n", 100, 5, 100), 5, key=f"{key}-n")
    seed = c3.number_input(t("w4_4_seed"), 0, 999, initial_value(initial, "seed", 0, 0, 999), key=f"{key}-seed")
    data = cap.polynomial_data(n, 100, 0.1, int(seed))
    w = cap.least_squares(cap.polynomial_features(data.x_train, degree + 1), data.y_train)
    curves = cap.losses_by_degree(data)
    st.altair_chart(_fit_chart(data, degree, w), width="stretch")
    frame = pd.DataFrame({"degree": curves["degree"], t("w4_4_train_loss"): curves["train"],
                          t("w4_4_test_loss"): curves["test"]})
    st.altair_chart(_loss_chart(frame, "degree", t("w4_4_degree"), degree, floor=0.01), width="stretch")
    k = st.columns(3)
    k[0].metric(t("w4_4_train_loss"), f"{curves['train'][degree]:.4g}")
    k[1].metric(t("w4_4_test_loss"), f"{curves['test'][degree]:.4g}")
    k[2].metric(t("w4_4_best_degree"), f"{int(np.argmin(curves['test']))}")
    st.caption(t("w4_4_capacity_caption", n=n, zero=n - 1))
    return {"degree": int(degree), "n": int(n), "seed": int(seed)}


# --- 4.4.2c: against the training-set size --------------------------------------------------------------------------

@st.cache_data(max_entries=32, show_spinner=False)
def _size_curves(degree: int, noise: float, seeds: int) -> dict[str, list[float]]:
    sizes = [5, 10, 20, 40, 80, 160, 320]
    runs = [cap.losses_by_size(degree, sizes, noise, seed=s) for s in range(seeds)]
    return {"n": sizes, "train": np.mean([r["train"] for r in runs], axis=0).tolist(),
            "test": np.median([r["test"] for r in runs], axis=0).tolist()}


def training_size(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Training and test MSE against the number of training points, with σ²(n − p)/n overlaid (exercise 4.4.2c)."""
    c1, c2 = st.columns(2)
    degree = c1.slider(t("w4_4_degree"), 0, 19, initial_value(initial, "degree", 3, 0, 19), key=f"{key}-degree")
    noise = c2.select_slider(t("w4_4_noise"), NOISES[1:], _pick(NOISES, initial.get("noise"), 0.1),
                             key=f"{key}-noise")
    curves = _size_curves(int(degree), float(noise), 20)
    p = degree + 1
    formula = [noise**2 * (n - p) / n if n > p else 0.0 for n in curves["n"]]
    frame = pd.DataFrame({"n": curves["n"], t("w4_4_train_loss"): curves["train"],
                          t("w4_4_test_loss"): curves["test"], t("w4_4_formula"): formula})
    st.altair_chart(_loss_chart(frame, "n", t("w4_4_ntrain"), log_x=True, floor=noise**2), width="stretch")
    k = st.columns(3)
    k[0].metric(t("w4_4_train_loss") + " (n = 320)", f"{curves['train'][-1]:.4g}")
    k[1].metric(t("w4_4_test_loss") + " (n = 320)", f"{curves['test'][-1]:.4g}")
    k[2].metric("σ²", f"{noise**2:.4g}")
    st.caption(t("w4_4_size_caption"))
    return {"degree": int(degree), "noise": float(noise)}


# --- 4.4.3: the normalisation ----------------------------------------------------------------------------------------

def normalisation(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """SGD on normalised, raw and standardised features; the stability bound of each (exercise 4.4.3)."""
    options = ["normalised", "raw", "standardised"]
    c1, c2, c3 = st.columns(3)
    scaling = c1.radio(t("w4_4_scaling"), options, options.index(_pick(options, initial.get("scaling"), "normalised")),
                       format_func=translated("w4_4_scaling_"), key=f"{key}-scaling")
    lr = c2.select_slider(t("w4_4_lr"), RATES, _pick(RATES, initial.get("lr"), 0.01), key=f"{key}-lr")
    epochs = c3.slider(t("w4_4_epochs"), 5, NORM_EPOCHS, initial_value(initial, "epochs", 50, 5, NORM_EPOCHS), 5,
                       key=f"{key}-epochs")
    data = cap.polynomial_data(seed=0)
    raw = cap.polynomial_features(data.x_train, normalise=False)
    Phi = {"normalised": cap.polynomial_features(data.x_train), "raw": raw,
           "standardised": cap.standardise(raw)}[scaling]
    bound = cap.gd_stability_bound(Phi)
    run = _sgd(100, 0.1, 20, scaling, float(lr), int(epochs), NORM_EPOCHS, 0)
    losses = [v if np.isfinite(v) else None for v in run["train"]]
    k = st.columns(3)
    k[0].metric(t("w4_4_biggest"), f"{float(Phi.abs().max()):.3g}")
    k[1].metric(t("w4_4_bound"), f"{bound:.3g}")
    final = run["train"][-1]
    k[2].metric(t("w4_4_final_train"), f"{final:.4g}" if np.isfinite(final) else t("w4_4_diverged"))
    frame = pd.DataFrame({"epoch": range(1, len(losses) + 1), "loss": losses}).dropna()
    if len(frame):
        st.altair_chart(alt.Chart(frame).mark_line().encode(
            x=alt.X("epoch:Q", title=t("w4_4_epochs")),
            y=alt.Y("loss:Q", title=t("w4_4_mse"), scale=alt.Scale(type="log"))).properties(height=220),
            width="stretch")
    if lr >= bound:
        # an explicit icon: Streamlit skips scanning the text for a leading emoji (a 50 ms regex on first use)
        st.warning(t("w4_4_unstable", lr=lr, bound=f"{bound:.3g}"), icon=":material/warning:")
    st.caption(t("w4_4_norm_caption"))
    return {"scaling": scaling, "lr": float(lr), "epochs": int(epochs)}


# --- 4.4.4: the noise floor ------------------------------------------------------------------------------------------

@st.cache_data(max_entries=32, show_spinner=False)
def _floor_runs(sigma: float, n_test: int, seeds: int) -> dict[str, list[float]]:
    true_model = [cap.noise_floor(sigma, n_test, seed=s) for s in range(seeds)]
    fitted = [cap.poly_losses(cap.polynomial_data(100, n_test, sigma, seed=s), 3)[1] for s in range(seeds)]
    return {"true": true_model, "fitted": fitted}


def noise_floor(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Test MSE of the true cubic and of the fitted cubic on 20 test sets, against σ² (exercise 4.4.4)."""
    c1, c2 = st.columns(2)
    sigma = c1.select_slider(t("w4_4_noise"), NOISES, _pick(NOISES, initial.get("sigma"), 0.1), key=f"{key}-sigma")
    sizes = [100, 1000, 10000]
    n_test = c2.select_slider(t("w4_4_ntest"), sizes, _pick(sizes, initial.get("nTest"), 1000), key=f"{key}-ntest")
    runs = _floor_runs(float(sigma), int(n_test), 20)
    var = float(sigma) ** 2
    band = 2 * var * np.sqrt(2 / n_test)  # ±2 standard errors of a mean of n_test values σ²χ²₁
    frame = pd.DataFrame({"seed": list(range(20)) * 2, "mse": runs["true"] + runs["fitted"],
                          "model": [t("w4_4_true")] * 20 + [t("w4_4_fitted")] * 20})
    points = alt.Chart(frame).mark_circle(size=50).encode(
        x=alt.X("seed:O", title=t("w4_4_seed")), y=alt.Y("mse:Q", title=t("w4_4_mse")),
        color=alt.Color("model:N", title=None, legend=alt.Legend(orient="bottom")))
    rule = alt.Chart(pd.DataFrame({"mse": [var]})).mark_rule(color="#2ca02c").encode(y="mse:Q")
    area = alt.Chart(pd.DataFrame({"lo": [var - band], "hi": [var + band]})).mark_rect(opacity=0.15,
                                                                                        color="#2ca02c").encode(
        y="lo:Q", y2="hi:Q")
    st.altair_chart((area + rule + points).properties(height=240), width="stretch")
    k = st.columns(3)
    k[0].metric("σ²", f"{var:.4g}")
    k[1].metric(t("w4_4_true_mean"), f"{np.mean(runs['true']):.4g}")
    k[2].metric(t("w4_4_fitted_mean"), f"{np.mean(runs['fitted']):.4g}")
    st.caption(t("w4_4_floor_caption"))
    return {"sigma": float(sigma), "nTest": int(n_test)}


# --- section demo ----------------------------------------------------------------------------------------------------

def section_demo(key: str) -> None:
    """The book's three fits: a line (underfitting), the cubic (right), 20 features on 10 points (overfitting)."""
    cases = {"under": (1, 100), "right": (3, 100), "over": (19, 10)}
    case = st.radio(t("w4_4_case"), list(cases), 1, format_func=translated("w4_4_case_"), horizontal=True,
                    key=f"{key}-case")
    degree, n = cases[case]
    data = cap.polynomial_data(n, 100, 0.1, 0)
    train_loss, test_loss = cap.poly_losses(data, degree)
    w = cap.least_squares(cap.polynomial_features(data.x_train, degree + 1), data.y_train)
    st.altair_chart(_fit_chart(data, degree, w), width="stretch")
    k = st.columns(2)
    k[0].metric(t("w4_4_train_loss"), f"{train_loss:.4g}")
    k[1].metric(t("w4_4_test_loss"), f"{test_loss:.4g}")
    st.caption(t("w4_4_demo_caption"))
