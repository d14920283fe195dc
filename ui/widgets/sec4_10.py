"""Section 4.10 widgets: the data and its preprocessing (section demo), the Kaggle submission (4.10.1), log target
(4.10.2), mean imputation (4.10.3), K-fold tuning (4.10.4), the architecture (4.10.5) and standardisation (4.10.6).
Every K-fold run is cached per configuration; the Kaggle CSVs are used when they are in the cache directory."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from d2lcore import house
from solutions.ch04_s10 import LOG
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import initial_value

RATES = [0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.2, 0.5, 1.0, 5.0, 20.0]
DECAYS = [0.0, 0.001, 0.01, 0.1, 1.0]
WIDGET = replace(LOG, dataset="auto")  # widgets take the Kaggle files when a machine has them


def _pick(options: list, value: Any, default: Any) -> Any:
    return value if value in options else default


@st.cache_data(max_entries=2, show_spinner=False)
def _data(dataset: str) -> house.HouseData:
    return house.load_house_prices(dataset=dataset)


@st.cache_data(max_entries=48, show_spinner=False)
def _kfold(**config: Any) -> dict[str, Any]:
    cfg = house.HouseConfig(**{**config, "hidden": tuple(config["hidden"])})
    r = house.k_fold(cfg, _data(cfg.dataset))
    return {"train": r.train_log_rmse, "valid": r.valid_log_rmse, "curves": r.curves, "name": r.name}


def _run(config: house.HouseConfig) -> dict[str, Any]:
    with st.status(t("w4_10_training", k=config.k, epochs=config.epochs), expanded=False) as status:
        result = _kfold(**asdict(config))
        status.update(label=t("w4_10_trained"), state="complete")
    st.caption(t("w4_10_source_kaggle") if result["name"] == house.KAGGLE else t("w4_10_source_generated"))
    return result


def _curves_chart(result: dict[str, Any]) -> alt.Chart:
    curves = result["curves"]
    rows = []
    for part in ("train", "valid"):
        mean = np.mean([c[part] for c in curves], axis=0)
        rows += [{"epoch": e, "series": t(f"w4_10_series_{part}"), "value": float(v)}
                 for e, v in zip(curves[0]["epoch"], mean, strict=True)]
    return alt.Chart(pd.DataFrame(rows)).mark_line().encode(
        x=alt.X("epoch:Q", title=t("w4_10_axis_epoch")),
        y=alt.Y("value:Q", title=t("w4_10_axis_log_rmse"), scale=alt.Scale(type="log")),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom"))).properties(height=240)


def _summary(result: dict[str, Any]) -> None:
    k = st.columns(2)
    k[0].metric(t("w4_10_mean_train"), f"{np.mean(result['train']):.4f}")
    k[1].metric(t("w4_10_mean_valid"), f"{np.mean(result['valid']):.4f}")


def _lr(col, key: str, initial: dict[str, Any], default: float) -> float:
    return float(col.select_slider(t("w4_10_lr"), RATES, _pick(RATES, initial.get("lr"), default), key=key))


# --- 4.10.2: log target ---------------------------------------------------------------------------------------------


def log_target(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Raw price (the book) or log price as the target; validation log-RMSE per epoch (exercise 4.10.2)."""
    c1, c2, c3 = st.columns(3)
    log = c1.toggle(t("w4_10_log_target"), bool(initial.get("log", False)), key=f"{key}-log")
    lr = _lr(c2, f"{key}-lr-{log}", initial, LOG.lr if log else 5.0)
    epochs = c3.slider(t("w4_10_epochs"), 10, 100, initial_value(initial, "epochs", LOG.epochs, 10, 100), 10,
                       key=f"{key}-epochs")
    result = _run(replace(WIDGET, log_target=bool(log), lr=lr, epochs=int(epochs)))
    st.altair_chart(_curves_chart(result), width="stretch")
    _summary(result)
    return {"log": bool(log), "lr": lr, "epochs": int(epochs)}


# --- 4.10.3: mean imputation ------------------------------------------------------------------------------------------


@st.cache_data(max_entries=32, show_spinner=False)
def _imputation(mechanism: str, std: float, rate: float) -> dict[str, float]:
    s = house.mean_imputation_study(mechanism, std, rate)
    return {"bias": s.mean_bias, "variance": s.variance_ratio, "share": s.missing_share}


def imputation(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """MCAR / MAR / MNAR: the bias of the mean and the shrinking variance after mean imputation (exercise 4.10.3)."""
    c1, c2, c3 = st.columns(3)
    mechanism = c1.selectbox(t("w4_10_mechanism"), list(house.MECHANISMS), key=f"{key}-mech",
                             index=list(house.MECHANISMS).index(_pick(list(house.MECHANISMS),
                                                                      initial.get("mechanism"), "MNAR")),
                             format_func=translated("w4_10_mech_"))
    rate = c2.slider(t("w4_10_rate"), 0.05, 0.45, initial_value(initial, "rate", 0.18, 0.05, 0.45), 0.01,
                     key=f"{key}-rate")
    std = c3.slider("σ", 5.0, 40.0, initial_value(initial, "std", 22.0, 5.0, 40.0), 1.0, key=f"{key}-std")
    r = _imputation(str(mechanism), float(std), float(rate))
    k = st.columns(3)
    k[0].metric(t("w4_10_bias"), f"{r['bias']:+.3f}")
    k[1].metric(t("w4_10_var_ratio"), f"{r['variance']:.3f}")
    k[2].metric(t("w4_10_mnar_formula"), f"{house.mnar_mean_bias(float(std), float(rate)):+.3f}")
    st.caption(t("w4_10_imputation_caption", share=f"{r['share']:.3f}"))
    return {"mechanism": str(mechanism), "rate": float(rate), "std": float(std)}


# --- 4.10.4: K-fold ---------------------------------------------------------------------------------------------------


def kfold(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """K, learning rate and weight decay; training and validation log-RMSE of every fold (exercise 4.10.4)."""
    c1, c2, c3 = st.columns(3)
    k = c1.slider("K", 2, 10, initial_value(initial, "k", 5, 2, 10), key=f"{key}-k")
    lr = _lr(c2, f"{key}-lr", initial, LOG.lr)
    wd = c3.select_slider(t("w4_10_wd"), DECAYS, _pick(DECAYS, initial.get("wd"), 0.0), key=f"{key}-wd")
    result = _run(replace(WIDGET, k=int(k), lr=lr, weight_decay=float(wd)))
    rows = [{"fold": i + 1, "series": t(f"w4_10_series_{part}"), "value": v}
            for part in ("train", "valid") for i, v in enumerate(result[part])]
    st.altair_chart(alt.Chart(pd.DataFrame(rows)).mark_bar().encode(
        x=alt.X("fold:O", title=t("w4_10_axis_fold")), xOffset="series:N",
        y=alt.Y("value:Q", title=t("w4_10_axis_log_rmse")),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom"))).properties(height=220),
        width="stretch")
    _summary(result)
    return {"k": int(k), "lr": lr, "wd": float(wd)}


# --- 4.10.5: architecture ---------------------------------------------------------------------------------------------


def architecture(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Hidden layers, units, dropout and weight decay of the network (exercise 4.10.5)."""
    units_options, drops = [16, 32, 64, 128], [0.0, 0.1, 0.3, 0.5]
    c1, c2, c3, c4, c5 = st.columns(5)
    layers = c1.slider(t("w4_10_layers"), 0, 3, initial_value(initial, "layers", 1, 0, 3), key=f"{key}-layers")
    units = c2.select_slider(t("w4_10_units"), units_options, _pick(units_options, initial.get("units"), 32),
                             key=f"{key}-units", disabled=layers == 0)
    p = c3.select_slider(t("w4_10_dropout"), drops, _pick(drops, initial.get("p"), 0.0), key=f"{key}-p",
                         disabled=layers == 0)
    wd = c4.select_slider(t("w4_10_wd"), DECAYS, _pick(DECAYS, initial.get("wd"), 0.0), key=f"{key}-wd")
    lr = _lr(c5, f"{key}-lr", initial, 0.05)
    config = replace(WIDGET, hidden=(int(units),) * int(layers), dropout=float(p) if layers else 0.0,
                     weight_decay=float(wd), lr=lr)
    result = _run(config)
    st.altair_chart(_curves_chart(result), width="stretch")
    _summary(result)
    return {"layers": int(layers), "units": int(units), "p": float(p), "wd": float(wd), "lr": lr}


# --- 4.10.6: standardisation ------------------------------------------------------------------------------------------


def standardisation(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """The same run with and without standardising the numeric features (exercise 4.10.6)."""
    c1, c2 = st.columns(2)
    on = c1.toggle(t("w4_10_standardize"), bool(initial.get("on", True)), key=f"{key}-on")
    lr = _lr(c2, f"{key}-lr", initial, LOG.lr)
    result = _run(replace(WIDGET, standardize=bool(on), lr=lr))
    st.altair_chart(_curves_chart(result), width="stretch")
    _summary(result)
    return {"on": bool(on), "lr": lr}


# --- 4.10.1: submission -----------------------------------------------------------------------------------------------


@st.cache_data(max_entries=4, show_spinner=False)
def _submission(dataset: str) -> tuple[pd.DataFrame, float, str]:
    data = _data(dataset)
    frame, fit = house.fit_and_predict(replace(LOG, dataset=dataset), data)
    return frame, fit, data.name


def submission(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Train the log-price linear net on all training rows and offer submission.csv (exercise 4.10.1)."""
    frame, fit, name = _submission(WIDGET.dataset)
    st.caption(t("w4_10_source_kaggle") if name == house.KAGGLE else t("w4_10_source_generated"))
    st.metric(t("w4_10_fit"), f"{fit:.4f}")
    st.dataframe(frame.head(5), hide_index=True)
    st.download_button(t("w4_10_download_csv"), frame.to_csv(index=False), "submission.csv", "text/csv",
                       key=f"{key}-csv")
    return {}


# --- section demo: the data and its preprocessing ---------------------------------------------------------------------


def section_demo(key: str) -> None:
    """The table, its missing values, and the feature matrix after the book's preprocessing; fetch the Kaggle files."""
    data = _data(WIDGET.dataset)
    st.caption(t("w4_10_source_kaggle") if data.name == house.KAGGLE else t("w4_10_source_generated"))
    if data.name != house.KAGGLE and st.button(t("w4_10_fetch"), key=f"{key}-fetch"):
        try:
            for name in house.HOUSE_FILES:
                house.download(name)
            _data.clear()
            st.rerun()
        except (OSError, house.ChecksumError) as error:
            st.warning(t("w4_10_fetch_failed", error=str(error)[:200]))
    st.dataframe(data.train.head(5), hide_index=True)
    X, _, _, columns = house.preprocess(data.train, data.test)
    missing = data.train.isna().mean()
    k = st.columns(3)
    k[0].metric(t("w4_10_rows"), f"{len(data.train)} + {len(data.test)}")
    k[1].metric(t("w4_10_features"), f"{X.shape[1]}")
    k[2].metric(t("w4_10_missing_cols"), f"{int((missing > 0).sum())}")
    st.caption(t("w4_10_demo_caption", raw=data.train.shape[1] - 2, features=len(columns)))
