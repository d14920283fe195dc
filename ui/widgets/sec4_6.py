"""Section 4.6 widgets: the distribution of one dropped-out activation against E = h and Var = h²p/(1 − p) (section
demo), the two dropout probabilities (4.6.1), longer training (4.6.2), activation variances over training (4.6.3),
dropout × weight decay (4.6.5), DropConnect (4.6.6) and Gaussian noise (4.6.7). Training runs are cached per
configuration and return plain data."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

import pandas as pd
import streamlit as st
import sympy
import torch

from d2lcore import dropout as dp
from solutions.ch04_s6 import BASE, LONG_EPOCHS, WEIGHT_DECAY, connect_example
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import dataset_source, initial_value

PROBS = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]


def _pick(options: list | tuple, value: Any, default: Any) -> Any:
    return value if value in options else default


def _p_slider(container: Any, label: str, key: str, initial: dict[str, Any], name: str, default: float) -> float:
    return float(container.select_slider(label, PROBS, _pick(PROBS, initial.get(name), default), key=f"{key}-{name}"))


# --- training runs (cached) -----------------------------------------------------------------------------------------


@st.cache_data(max_entries=48, show_spinner=False)
def train_cached(**config: Any) -> dict[str, Any]:
    """One seeded run as plain data; the progress bar lives in here, so a cached result shows it full."""
    cfg = dp.DropoutConfig(**{**config, "hidden": tuple(config["hidden"])})
    bar = st.progress(0.0, text=f"0 / {cfg.epochs}")
    run = dp.train_dropout_mlp(cfg, callback=lambda e, h: bar.progress(e / cfg.epochs, text=f"{e} / {cfg.epochs}"))
    return {"history": asdict(run.history), "var_h": run.var_h, "var_noisy": run.var_noisy,
            "predicted": run.predicted, "train_acc_clean": run.train_acc_clean,
            "train_loss_clean": run.train_loss_clean, "final_h": run.final_h, "gap": run.gap,
            "loss_gap": run.loss_gap, "name": run.name,
            "n_train": run.n_train, "n_test": run.n_test}


def run_many(configs: list[dp.DropoutConfig]) -> list[dict[str, Any]]:
    """Several cached runs inside one status box."""
    with st.status(t("w4_6_training", runs=len(configs)), expanded=False) as status:
        results = [train_cached(**asdict(c)) for c in configs]
        seconds = sum(r["history"]["seconds"] for r in results)
        status.update(label=t("w4_6_trained", runs=len(configs), seconds=f"{seconds:.1f}"), state="complete")
    return results


def dataset_caption(result: dict[str, Any]) -> None:
    st.caption(t("w4_6_dataset", name=result["name"], n_train=result["n_train"], n_test=result["n_test"],
                 source=dataset_source(result["name"])))


def curves(results: dict[str, dict[str, Any]], series: tuple[str, ...] = ("train_acc_clean", "test_acc")
           ) -> alt.Chart:
    """Accuracy (or loss) per epoch, one colour per run, one dash per series."""
    rows = []
    for label, r in results.items():
        h = r["history"]
        for s in series:
            values = r[s] if s in r else h[s]
            rows += [{"epoch": e, "run": label, "series": t(f"w4_6_series_{s}"), "value": v}
                     for e, v in zip(h["epoch"], values, strict=True)]
    return alt.Chart(pd.DataFrame(rows)).mark_line().encode(
        x=alt.X("epoch:Q", title=t("w4_6_axis_epoch")), y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
        color=alt.Color("run:N", title=None, legend=alt.Legend(orient="bottom")),
        strokeDash=alt.StrokeDash("series:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["run:N", "series:N", "epoch:Q", alt.Tooltip("value:Q", format=".4f")]).properties(height=260)


def _final_metrics(results: dict[str, dict[str, Any]]) -> None:
    cols = st.columns(len(results))
    for col, (label, r) in zip(cols, results.items(), strict=True):
        col.metric(t("w4_6_test_acc_of", run=label), f"{r['history']['test_acc'][-1]:.3f}",
                   help=t("w4_6_gap_help", gap=f"{r['gap']:.3f}", loss_gap=f"{r['loss_gap']:.3f}"))


# --- 4.6.1: the two dropout probabilities ------------------------------------------------------------------------


def two_probabilities(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """p₁ and p₂ of the two hidden layers against the book's order and the swapped one (exercise 4.6.1)."""
    c1, c2 = st.columns(2)
    p1 = _p_slider(c1, t("w4_6_p1"), key, initial, "p1", BASE.p1)
    p2 = _p_slider(c2, t("w4_6_p2"), key, initial, "p2", BASE.p2)
    configs = {t("w4_6_run_yours", p1=p1, p2=p2): replace(BASE, p1=p1, p2=p2),
               t("w4_6_run_swapped", p1=p2, p2=p1): replace(BASE, p1=p2, p2=p1)}
    results = dict(zip(configs, run_many(list(configs.values())), strict=True))
    dataset_caption(next(iter(results.values())))
    st.altair_chart(curves(results), width="stretch")
    _final_metrics(results)
    st.caption(t("w4_6_two_caption"))
    return {"p1": p1, "p2": p2}


# --- 4.6.2: more epochs ---------------------------------------------------------------------------------------------


def more_epochs(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """The same network with and without dropout, for as many epochs as chosen (exercise 4.6.2)."""
    epochs = st.slider(t("w4_6_epochs"), 10, 200, initial_value(initial, "epochs", LONG_EPOCHS, 10, 200), 10,
                       key=f"{key}-epochs")
    configs = {t("w4_6_run_none"): replace(BASE, noise="none", epochs=epochs),
               t("w4_6_run_dropout", p1=BASE.p1, p2=BASE.p2): replace(BASE, epochs=epochs)}
    results = dict(zip(configs, run_many(list(configs.values())), strict=True))
    dataset_caption(next(iter(results.values())))
    show = st.radio(t("w4_6_show"), ["acc", "loss"], format_func=translated("w4_6_show_"), horizontal=True,
                    key=f"{key}-show", index=["acc", "loss"].index(_pick(["acc", "loss"], initial.get("show"), "loss")))
    series = ("train_acc_clean", "test_acc") if show == "acc" else ("train_loss_clean", "test_loss")
    st.altair_chart(curves(results, series), width="stretch")
    _final_metrics(results)
    st.caption(t("w4_6_epochs_caption"))
    return {"epochs": int(epochs), "show": show}


# --- 4.6.3: activation variance over training ---------------------------------------------------------------------


def _variance_chart(results: dict[str, dict[str, Any]]) -> alt.Chart:
    rows = []
    for label, r in results.items():
        for name in ("var_h", "var_noisy", "predicted"):
            if name != "var_h" and r is results[t("w4_6_run_none")]:
                continue
            for e, per_layer in zip(r["history"]["epoch"], r[name], strict=True):
                rows += [{"epoch": e, "layer": t("w4_6_layer", l=k + 1), "run": label,
                          "series": t(f"w4_6_var_{name}"), "value": v} for k, v in enumerate(per_layer)]
    frame = pd.DataFrame(rows)
    return alt.Chart(frame).mark_line().encode(
        x=alt.X("epoch:Q", title=t("w4_6_axis_epoch")), y=alt.Y("value:Q", title=t("w4_6_axis_var")),
        color=alt.Color("run:N", title=None, legend=alt.Legend(orient="bottom")),
        strokeDash=alt.StrokeDash("series:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["run:N", "series:N", "epoch:Q", alt.Tooltip("value:Q", format=".4f")]).properties(
        height=200, width=260).facet(column=alt.Column("layer:N", title=None)).resolve_scale(y="independent")


def activation_variance(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Per hidden layer and epoch: Var(h) without noise, Var(h') with the masks on, and the prediction
    Var(h) + mean(h²)p/(1 − p), for a network trained with dropout p in both layers and one without (4.6.3)."""
    p = _p_slider(st, t("w4_6_p_both"), key, initial, "p", 0.5)
    configs = {t("w4_6_run_none"): replace(BASE, noise="none"),
               t("w4_6_run_dropout", p1=p, p2=p): replace(BASE, p1=p, p2=p)}
    results = dict(zip(configs, run_many(list(configs.values())), strict=True))
    dataset_caption(next(iter(results.values())))
    st.altair_chart(_variance_chart(results), width="stretch")
    none, drop = results.values()
    cols = st.columns(4)
    cols[0].metric(t("w4_6_var_none_l2"), f"{none['var_h'][-1][1]:.4f}")
    cols[1].metric(t("w4_6_var_drop_l2"), f"{drop['var_h'][-1][1]:.4f}")
    cols[2].metric(t("w4_6_var_noisy_l2"), f"{drop['var_noisy'][-1][1]:.4f}")
    cols[3].metric(t("w4_6_var_pred_l2"), f"{drop['predicted'][-1][1]:.4f}")
    st.caption(t("w4_6_variance_caption"))
    hist = pd.DataFrame([{"run": label, "h": v} for label, r in results.items() for v in r["final_h"][1] if v > 0])
    st.altair_chart(alt.Chart(hist).mark_bar(opacity=0.55).encode(
        x=alt.X("h:Q", bin=alt.Bin(maxbins=40), title=t("w4_6_hist_axis")),
        y=alt.Y("count():Q", stack=None, title=None),
        color=alt.Color("run:N", title=None, legend=alt.Legend(orient="bottom"))).properties(height=180),
        width="stretch")
    return {"p": p}


# --- 4.6.5: dropout and weight decay ------------------------------------------------------------------------------


def dropout_and_decay(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """The 2 × 2 grid: dropout off/on × weight decay off/on (exercise 4.6.5)."""
    decays = [1e-3, 3e-3, 1e-2, 3e-2]
    wd = float(st.select_slider(t("w4_6_wd"), decays, _pick(decays, initial.get("wd"), WEIGHT_DECAY), key=f"{key}-wd"))
    grid = {(d, w): replace(BASE, noise="dropout" if d else "none", weight_decay=wd if w else 0.0)
            for d in (False, True) for w in (False, True)}
    results = dict(zip(grid, run_many(list(grid.values())), strict=True))
    dataset_caption(next(iter(results.values())))
    frame = pd.DataFrame([{"dropout": t("w4_6_on" if d else "w4_6_off"), "decay": t("w4_6_on" if w else "w4_6_off"),
                           "acc": r["history"]["test_acc"][-1], "loss": r["history"]["test_loss"][-1]}
                          for (d, w), r in results.items()])
    base = alt.Chart(frame).encode(x=alt.X("decay:N", title=t("w4_6_axis_wd")),
                                   y=alt.Y("dropout:N", title=t("w4_6_axis_dropout")))
    heat = base.mark_rect().encode(color=alt.Color("loss:Q", title=t("w4_6_series_test_loss"),
                                                   scale=alt.Scale(scheme="blues", reverse=True)))
    text = base.mark_text(fontSize=14).encode(text=alt.Text("acc:Q", format=".3f"))
    st.altair_chart((heat + text).properties(height=180), width="stretch")
    st.caption(t("w4_6_grid_caption"))
    return {"wd": wd}


# --- 4.6.6 / 4.6.7: other noise ----------------------------------------------------------------------------------


def _noise_comparison(noises: list[str], key: str, initial: dict[str, Any]) -> None:
    configs = {t(f"w4_6_noise_{n}"): replace(BASE, noise=n) for n in noises}
    results = dict(zip(configs, run_many(list(configs.values())), strict=True))
    dataset_caption(next(iter(results.values())))
    st.altair_chart(curves(results, ("test_acc",)), width="stretch")
    _final_metrics(results)


def dropconnect(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Dropping activations or individual weights: the covariance of two pre-activations (exact and simulated),
    and the training curves (exercise 4.6.6)."""
    noise = st.radio(t("w4_6_drop_what"), ["dropout", "dropconnect"], format_func=translated("w4_6_noise_"),
                     index=["dropout", "dropconnect"].index(_pick(["dropout", "dropconnect"], initial.get("noise"),
                                                                  "dropout")), horizontal=True, key=f"{key}-noise")
    W, h, p = connect_example(0)
    exact = dp.pre_activation_covariance(W, h, p, noise)
    sim = _simulated_covariance(noise, p)
    c = st.columns(4)
    c[0].metric("Var[o₁]", f"{float(exact[0, 0]):.4f}", help=t("w4_6_simulated", v=f"{sim[0]:.4f}"))
    c[1].metric("Var[o₂]", f"{float(exact[1, 1]):.4f}", help=t("w4_6_simulated", v=f"{sim[1]:.4f}"))
    c[2].metric("Cov[o₁, o₂]", f"{float(exact[0, 1]):.4f}", help=t("w4_6_simulated", v=f"{sim[2]:.4f}"))
    c[3].metric(t("w4_6_simulated_cov"), f"{sim[2]:.4f}")
    st.caption(t("w4_6_connect_caption"))
    _noise_comparison(["none", "dropout", "dropconnect"], key, initial)
    return {"noise": noise}


@st.cache_data(max_entries=4, show_spinner=False)
def _simulated_covariance(noise: str, p: float) -> tuple[float, float, float]:
    W, h, _ = connect_example(0)
    C = dp.simulated_pre_activation_covariance(W, h, p, noise, 200_000, torch.Generator().manual_seed(1))
    return float(C[0, 0]), float(C[1, 1]), float(C[0, 1])


def gaussian_noise(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Multiplicative Gaussian noise with dropout's mean and variance against dropout (exercise 4.6.7)."""
    p = _p_slider(st, "p", key, initial, "p", 0.5)
    if p == 0:
        st.info(t("w4_6_p_zero"))
        return {"p": p}
    g = torch.Generator().manual_seed(0)
    h = torch.full((50_000,), 1.0, dtype=torch.float64)
    frame = pd.concat([pd.DataFrame({"value": dp.dropout_layer(h, p, g).numpy(), "noise": t("w4_6_noise_dropout")}),
                       pd.DataFrame({"value": dp.gaussian_noise_layer(h, p, g).numpy(),
                                     "noise": t("w4_6_noise_gaussian")})])
    st.altair_chart(alt.Chart(frame.sample(5000, random_state=0)).mark_bar(opacity=0.6).encode(
        x=alt.X("value:Q", bin=alt.Bin(maxbins=60), title="h' (h = 1)"), y=alt.Y("count():Q", stack=None, title=None),
        color=alt.Color("noise:N", title=None, legend=alt.Legend(orient="bottom"))).properties(height=180),
        width="stretch")
    stats = frame.groupby("noise")["value"].agg(["mean", "var"])
    st.dataframe(stats.style.format("{:.4f}"))
    st.caption(t("w4_6_gauss_caption", sigma=f"{(p / (1 - p)) ** 0.5:.3f}", var=f"{p / (1 - p):.3f}"))
    _noise_comparison(["none", "dropout", "gaussian"], key, initial)
    return {"p": p}


# --- section demo: the distribution of h' ------------------------------------------------------------------------


@st.cache_data(max_entries=8, show_spinner=False)
def _moments_latex() -> tuple[str, str]:
    mean, var = dp.dropout_moments()
    return sympy.latex(mean), sympy.latex(var)


def section_demo(key: str) -> None:
    """h' = m·h/(1 − p): its histogram, empirical mean and variance against E = h and Var = h²p/(1 − p), with a
    4-sigma band for the sample variance; nn.Dropout on the same input for comparison."""
    st.caption(t("w4_6_demo_intro"))
    c1, c2, c3 = st.columns(3)
    p = float(c1.slider("p", 0.0, 0.95, 0.5, 0.05, key=f"{key}-p"))
    h = float(c2.number_input("h", -5.0, 5.0, 1.5, 0.5, key=f"{key}-h"))
    n = int(c3.select_slider(t("w4_6_draws"), [100, 1000, 10_000, 100_000], 10_000, key=f"{key}-n"))
    mean_tex, var_tex = _moments_latex()
    st.latex(rf"E[h'] = {mean_tex}, \qquad \mathrm{{Var}}[h'] = {var_tex}")
    g = torch.Generator().manual_seed(0)
    ours = dp.sample_dropout(h, p, n, g)
    theirs = torch.nn.functional.dropout(torch.full((n,), h, dtype=torch.float64), p, training=True)
    var = h * h * p / (1 - p)
    band = dp.variance_band(var, n, dp.dropout_kurtosis(p)) if 0 < p < 1 else 0.0
    emp_var = float(ours.var(unbiased=False))
    k = st.columns(4)
    k[0].metric(t("w4_6_emp_mean"), f"{float(ours.mean()):.4f}", f"E = {h:.4f}", delta_color="off")
    k[1].metric(t("w4_6_emp_var"), f"{emp_var:.4f}", f"Var = {var:.4f}", delta_color="off")
    k[2].metric(t("w4_6_band"), f"± {band:.4f}")
    k[3].metric(t("w4_6_zero_frac"), f"{float((ours == 0).double().mean()):.3f}", f"p = {p:.2f}", delta_color="off")
    inside = abs(emp_var - var) <= band + 1e-12
    (st.success if inside else st.warning)(t("w4_6_in_band" if inside else "w4_6_out_band"))
    frame = pd.concat([pd.DataFrame({"value": ours.numpy(), "impl": "dropout_layer"}),
                       pd.DataFrame({"value": theirs.numpy(), "impl": "nn.functional.dropout"})])
    counts = frame.groupby(["impl", "value"]).size().reset_index(name="count")
    left, right = st.columns(2)
    left.altair_chart(alt.Chart(counts).mark_bar(size=18).encode(
        x=alt.X("value:Q", title="h'"), y=alt.Y("count:Q", title=None), xOffset="impl:N",
        color=alt.Color("impl:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["impl:N", "value:Q", "count:Q"]).properties(height=220), width="stretch")
    right.altair_chart(_variance_curve(h, p, emp_var, band), width="stretch")
    st.caption(t("w4_6_demo_caption"))


def _variance_curve(h: float, p: float, emp_var: float, band: float) -> alt.Chart:
    """Var[h'] = h²p/(1 − p) over p, with the sample variance of the current p and its band."""
    ps = [i / 100 for i in range(0, 96)]
    curve = alt.Chart(pd.DataFrame({"p": ps, "var": [h * h * q / (1 - q) for q in ps]})).mark_line().encode(
        x=alt.X("p:Q", title="p"), y=alt.Y("var:Q", title="Var[h']", scale=alt.Scale(type="symlog")))
    point = pd.DataFrame({"p": [p], "var": [emp_var], "low": [max(emp_var - band, 0.0)], "high": [emp_var + band]})
    dot = alt.Chart(point).mark_point(color="#d62728", size=80, filled=True).encode(
        x="p:Q", y="var:Q", tooltip=[alt.Tooltip("var:Q", format=".4f")])
    bar = alt.Chart(point).mark_rule(color="#d62728").encode(x="p:Q", y="low:Q", y2="high:Q")
    return (curve + bar + dot).properties(height=220)


