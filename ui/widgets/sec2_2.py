"""Section 2.2 widgets: the preprocessing pipeline on an editable table (section demo), dropping the most-missing
column before or after preprocessing (2.2.1), and converting the result to tensors (2.2.2)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
import torch

from d2lcore import preprocessing as pp
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import initial_value

ALLEYS = ["Pave", "Grvl"]


def _editor(key: str, raw: pd.DataFrame, rows: str = "fixed") -> pd.DataFrame:
    """The raw table as an editable grid: NumRooms and Price numbers, Alley one of the known kinds or empty."""
    config = {
        "NumRooms": st.column_config.NumberColumn(min_value=0, max_value=20, step=1),
        "Alley": st.column_config.SelectboxColumn(options=ALLEYS),
        "Price": st.column_config.NumberColumn(min_value=0, step=1000),
    }
    return st.data_editor(raw, key=key, num_rows=rows, column_config=config, hide_index=True)


def _missing_chart(raw: pd.DataFrame) -> alt.Chart:
    counts = pp.missing_counts(raw)
    data = alt.Data(values=[{"column": str(c), "missing": int(n)} for c, n in counts.items()])
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("missing:Q", title=t("w2_2_missing"), axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("column:N", title=None, sort=list(map(str, counts.index))),
    ).properties(height=30 * len(counts) + 20)


def _seed_input(key: str, initial: dict[str, Any]) -> int:
    return int(st.number_input(t("w2_2_seed"), 0, 999, initial_value(initial, "seed", 0, 0, 999), key=f"{key}-seed",
                               help=t("w2_2_seed_help")))


def _labelled(raw: pd.DataFrame) -> pd.DataFrame:
    kept = pp.drop_unlabelled(raw)
    if len(kept) < len(raw):
        st.warning(t("w2_2_unlabelled", n=len(raw) - len(kept)))
    return kept


def drop_column(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Missing values per column, and the column dropped on the raw table vs after preprocessing (2.2.1)."""
    seed = _seed_input(key, initial)
    raw = _labelled(_editor(f"{key}-table-{seed}", pp.read_table(pp.house_table(seed))))
    st.altair_chart(_missing_chart(raw), width="stretch")
    order = initial_value(initial, "order", "raw")
    order = st.radio(t("w2_2_order"), ["raw", "late"], index=["raw", "late"].index(order) if order in ("raw", "late")
                     else 0, format_func=translated("w2_2_order_"), horizontal=True, key=f"{key}-order")
    if order == "raw":
        kept, name = pp.drop_most_missing_column(raw)
        inputs, _ = pp.preprocess(kept)
    else:
        preprocessed, _ = pp.preprocess(raw)
        st.dataframe(pp.missing_counts(preprocessed).rename(t("w2_2_missing")).to_frame().T)
        inputs, name = pp.drop_most_missing_column(preprocessed)
        st.warning(t("w2_2_late_warning", name=name))
    X = pp.to_tensor(inputs)
    st.markdown(t("w2_2_dropped", name=name, shape=str(tuple(X.shape)), columns=", ".join(inputs.columns)))
    st.dataframe(inputs, hide_index=True)
    return {"seed": seed, "order": order}


METHODS = {
    "to_numpy": "torch.tensor(inputs.to_numpy(dtype=float))",
    "astype": "torch.tensor(inputs.astype(float).values)",
    "values": "torch.tensor(inputs.values)",
}


def convert(inputs: pd.DataFrame, method: str) -> torch.Tensor:
    """One of METHODS; 'values' is the pre-pandas-2 recipe and raises on bool indicator columns."""
    if method == "to_numpy":
        return pp.to_tensor(inputs)
    if method == "astype":
        return torch.tensor(inputs.astype(float).values)
    return torch.tensor(inputs.values)


def conversion(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """The dtypes of the preprocessed table before and after conversion, and the tensors (2.2.2)."""
    seed = _seed_input(key, initial)
    inputs, outputs = pp.preprocess(pp.read_table(pp.house_table(seed)))
    method = initial_value(initial, "method", "to_numpy")
    method = st.radio(t("w2_2_method"), list(METHODS), index=list(METHODS).index(method) if method in METHODS else 0,
                      format_func=METHODS.__getitem__, key=f"{key}-method")
    single = st.toggle(t("w2_2_float32"), initial_value(initial, "f32", 0, 0, 1) == 1, key=f"{key}-f32")
    try:
        X = convert(inputs, method)
    except (TypeError, ValueError) as err:
        X, error = None, f"{type(err).__name__}: {err}"
    else:
        error = None
        X = X.to(torch.float32) if single else X
    dtypes = pd.DataFrame({
        t("w2_2_pandas_dtype"): inputs.dtypes.astype(str),
        t("w2_2_tensor_dtype"): [str(X.dtype) if X is not None else "—"] * inputs.shape[1],
    })
    st.dataframe(dtypes)
    st.caption(t("w2_2_values_dtype", dtype=str(inputs.values.dtype)))
    if error:
        st.error(t("w2_2_convert_error", error=error))
    else:
        y = pp.to_tensor(outputs)
        y = y.to(torch.float32) if single else y
        c1, c2 = st.columns([3, 2])
        c1.markdown(t("w2_2_tensor", name="X", shape=str(tuple(X.shape)), dtype=str(X.dtype)))
        c1.code(str(X), language=None)
        c2.markdown(t("w2_2_tensor", name="y", shape=str(tuple(y.shape)), dtype=str(y.dtype)))
        c2.code(str(y), language=None)
    return {"seed": seed, "method": method, "f32": int(single)}


def section_demo(key: str) -> None:
    """Edit the raw table; every step of the pipeline is recomputed, pandas ≥ 2 pitfalls shown where they bite."""
    st.markdown(t("w2_2_demo_intro"))
    raw = _labelled(_editor(f"{key}-table", pp.read_table(pp.HOUSE_TINY_CSV), rows="dynamic"))
    inputs, outputs = pp.split_inputs_outputs(raw)
    st.markdown(t("w2_2_step_missing"))
    st.dataframe(pp.missing_counts(raw).rename(t("w2_2_missing")).to_frame().T)
    st.markdown(t("w2_2_step_mean"))
    error = pp.plain_mean_error(inputs)
    if error:
        st.caption(t("w2_2_mean_error", error=error))
    st.dataframe(inputs.mean(numeric_only=True).rename("mean").to_frame().T)
    imputed = pp.impute_numeric_mean(inputs)
    if imputed.select_dtypes("number").isna().any().any():
        st.warning(t("w2_2_all_missing"))
    st.markdown(t("w2_2_step_onehot"))
    encoded = pp.one_hot(imputed)
    st.dataframe(encoded, hide_index=True)
    st.markdown(t("w2_2_step_tensor"))
    X, y = pp.to_tensor(encoded), pp.to_tensor(outputs)
    c1, c2 = st.columns([3, 2])
    c1.code(f"X = {X}", language=None)
    c2.code(f"y = {y}", language=None)
