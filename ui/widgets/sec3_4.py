"""Section 3.4 widgets: logits → probabilities, gradient and Hessian (3.4.1a, section demo), sampled one-hot labels
(3.4.1b), codes for equally likely classes (3.4.2a–b), and RealSoftMax / soft-min as smooth max and min (3.4.3)."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
import torch

from d2lcore import softmax
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import initial_value

BOOK_LOGITS = (2.0, 1.0, 0.1)
LAMBDAS = [0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]
SAMPLE_SIZES = [100, 1_000, 10_000, 100_000]
MAX_LOGITS = 8


def parse_numbers(text: str, low: int = 2, high: int = MAX_LOGITS) -> list[float] | None:
    """'2, 1, 0.1' → [2.0, 1.0, 0.1]; None unless it is low..high finite numbers separated by commas or spaces."""
    parts = [p for p in re.split(r"[,\s;]+", text.strip()) if p]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        return None
    ok = low <= len(values) <= high and all(math.isfinite(v) and abs(v) <= 1e4 for v in values)
    return values if ok else None


def _heatmap(M: np.ndarray, title: str, scale: float | None = None) -> alt.Chart:
    """A q×q matrix as coloured cells with the values written in (diverging colours centred at 0)."""
    q = M.shape[0]
    rows = [{"i": i + 1, "j": j + 1, "value": float(M[i, j])} for i in range(q) for j in range(q)]
    data = pd.DataFrame(rows)
    top = scale if scale is not None else max(float(np.abs(M).max()), 1e-12)
    base = alt.Chart(data).encode(x=alt.X("j:O", title="j"), y=alt.Y("i:O", title="i"))
    cells = base.mark_rect().encode(color=alt.Color("value:Q", scale=alt.Scale(scheme="redblue", domain=[-top, top],
                                                                               reverse=True), legend=None),
                                    tooltip=["i:O", "j:O", alt.Tooltip("value:Q", format=".4f")])
    text = base.mark_text(fontSize=12).encode(text=alt.Text("value:Q", format=".3f"))
    return (cells + text).properties(title=title, height=alt.Step(40), width=alt.Step(56))


def _render_logits(o: torch.Tensor, y: int) -> None:
    """Probabilities, loss, gradient p − y and Hessian diag(p) − p pᵀ of the logits o for true class y (0-based)."""
    q = o.shape[0]
    p = softmax.stable_softmax(o)
    grad = softmax.softmax_ce_gradient(o, y)
    H = softmax.softmax_ce_hessian(o)
    loss = float(softmax.stable_cross_entropy(o[None], torch.tensor([y]))[0])
    classes = [str(j + 1) for j in range(q)]
    frame = pd.DataFrame({"class": classes, "p": p.numpy(), "gradient": grad.numpy(),
                          "true": [t("w3_4_true") if j == y else "" for j in range(q)]})
    bars = alt.Chart(frame).mark_bar().encode(
        x=alt.X("class:N", title=t("w3_4_axis_class"), sort=classes),
        y=alt.Y("p:Q", title=t("w3_4_axis_p"), scale=alt.Scale(domain=[0, 1])),
        color=alt.condition(alt.datum.true != "", alt.value("#d62728"), alt.value("#1f77b4")),
        tooltip=["class:N", alt.Tooltip("p:Q", format=".4f"), alt.Tooltip("gradient:Q", format=".4f")])
    grad_bars = alt.Chart(frame).mark_bar(color="#ff7f0e").encode(
        x=alt.X("class:N", title=t("w3_4_axis_class"), sort=classes),
        y=alt.Y("gradient:Q", title=t("w3_4_axis_grad"), scale=alt.Scale(domain=[-1, 1])),
        tooltip=["class:N", alt.Tooltip("gradient:Q", format=".4f")])
    c1, c2 = st.columns(2)
    c1.altair_chart(bars.properties(height=220, title=t("w3_4_probs_title")), width="stretch")
    c2.altair_chart(grad_bars.properties(height=220, title=t("w3_4_grad_title")), width="stretch")
    m1, m2, m3 = st.columns(3)
    m1.metric(t("w3_4_loss"), f"{loss:.4f}")
    m2.metric(t("w3_4_ptrue"), f"{float(p[y]):.4f}")
    m3.metric(t("w3_4_rowsum"), f"{float(H.sum(dim=1).abs().max()):.1e}", help=t("w3_4_rowsum_help"))
    st.altair_chart(_heatmap(H.numpy(), t("w3_4_hessian_title")), width="content")
    st.caption(t("w3_4_hessian_caption"))


def _logit_sliders(key: str, initial: dict[str, Any]) -> tuple[torch.Tensor, dict[str, float]]:
    cols = st.columns(3)
    values = {}
    for j, col in enumerate(cols):
        name = f"o{j + 1}"
        values[name] = float(col.slider(name, -5.0, 5.0, initial_value(initial, name, BOOK_LOGITS[j], -5.0, 5.0), 0.1,
                                        key=f"{key}-{name}"))
    return torch.tensor(list(values.values()), dtype=torch.float64), values


def logit_hessian(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Three logits and a true class → probabilities, gradient p − y and the Hessian heatmap (exercise 3.4.1a)."""
    o, values = _logit_sliders(key, initial)
    label = st.radio(t("w3_4_label"), [1, 2, 3], index=initial_value(initial, "label", 1, 1, 3) - 1, horizontal=True,
                     key=f"{key}-label")
    _render_logits(o, int(label) - 1)
    return {**values, "label": int(label)}


def section_demo(key: str) -> None:
    """Editable logits and a chosen label: softmax, the loss, its gradient and its Hessian, live."""
    st.caption(t("w3_4_demo_intro"))
    c1, c2 = st.columns([3, 1])
    text = c1.text_input(t("w3_4_logits"), "2, 1, 0.1", key=f"{key}-logits")
    o_list = parse_numbers(text)
    if o_list is None:
        st.warning(t("w3_4_logits_bad", high=MAX_LOGITS))
        o_list = list(BOOK_LOGITS)
    q = len(o_list)
    label = c2.selectbox(t("w3_4_label"), list(range(1, q + 1)), key=f"{key}-label-{q}")
    o = torch.tensor(o_list, dtype=torch.float64)
    if not bool(torch.isfinite(softmax.softmax(o)).all()):  # exp overflowed in the naive version
        st.info(t("w3_4_naive_overflow"))
    _render_logits(o, int(label) - 1)


# --- 3.4.1b: one-hot samples ----------------------------------------------------------------------------------------

@st.cache_data(max_entries=64, show_spinner=False)
def _sample_covariance(o: tuple[float, ...], n: int, seed: int) -> np.ndarray:
    p = softmax.stable_softmax(torch.tensor(o, dtype=torch.float64))
    return softmax.sample_one_hot_covariance(p, n, torch.Generator().manual_seed(seed)).numpy()


def one_hot_samples(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """n one-hot labels drawn from softmax(o): their sample covariance next to the Hessian (exercise 3.4.1b)."""
    o, values = _logit_sliders(key, initial)
    c1, c2 = st.columns(2)
    start_n = int(initial["n"]) if initial.get("n") in SAMPLE_SIZES else 10_000
    n = c1.select_slider(t("w3_4_samples"), SAMPLE_SIZES, value=start_n, format_func=lambda k: f"{k:,}",
                         key=f"{key}-n")
    seed = c2.number_input(t("w3_4_seed"), 0, 9999, initial_value(initial, "seed", 0, 0, 9999), key=f"{key}-seed")
    S = _sample_covariance(tuple(values.values()), int(n), int(seed))
    H = softmax.softmax_ce_hessian(o).numpy()
    top = max(float(np.abs(H).max()), float(np.abs(S).max()), 1e-12)
    c1, c2 = st.columns(2)
    c1.altair_chart(_heatmap(S, t("w3_4_sample_cov", n=f"{int(n):,}"), top), width="content")
    c2.altair_chart(_heatmap(H, t("w3_4_hessian_title"), top), width="content")
    m1, m2 = st.columns(2)
    m1.metric(t("w3_4_maxdiff"), f"{float(np.abs(S - H).max()):.4f}")
    m2.metric(t("w3_4_noise"), f"{1 / math.sqrt(int(n)):.4f}", help=t("w3_4_noise_help"))
    return {**values, "n": int(n), "seed": int(seed)}


# --- 3.4.2: codes for equally likely classes ------------------------------------------------------------------------

def uniform_code(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """m equally likely classes: entropy in bits or nats, the fixed-length and the Huffman code (exercise 3.4.2a)."""
    c1, c2 = st.columns([2, 1])
    m = int(c1.slider(t("w3_4_m"), 2, 16, initial_value(initial, "m", 3, 2, 16), key=f"{key}-m"))
    units = ["bits", "nats"]
    unit = c2.radio(t("w3_4_unit"), units, index=units.index(initial.get("unit", "bits")) if initial.get("unit")
                    in units else 0, format_func=translated("w3_4_unit_"), horizontal=True, key=f"{key}-unit")
    p = torch.full((m,), 1 / m, dtype=torch.float64)
    H_bits = float(softmax.entropy(p, base=2))
    fixed = softmax.fixed_length_code_bits(m)
    lengths = softmax.huffman_code_lengths([1 / m] * m)
    q_code = torch.tensor([2.0**-length for length in lengths], dtype=torch.float64)  # the code's implied model
    avg = float(softmax.cross_entropy_dist(p, q_code, base=2))  # = Σ p_j l_j
    k1, k2, k3, k4 = st.columns(4)
    k1.metric(t("w3_4_entropy"), f"{H_bits:.4f} bit" if unit == "bits" else f"{float(softmax.entropy(p)):.4f} nat")
    k2.metric(t("w3_4_fixed"), f"{fixed} bit")
    k3.metric(t("w3_4_huffman"), f"{avg:.4f} bit")
    k4.metric(t("w3_4_waste"), f"{fixed - H_bits:.4f} bit")
    words = softmax.prefix_codewords(lengths)
    st.dataframe(pd.DataFrame({t("w3_4_col_class"): range(1, m + 1), t("w3_4_col_word"): words,
                               t("w3_4_col_len"): lengths, "q = 2^(−l)": q_code.numpy().round(4)}), hide_index=True)
    st.caption(t("w3_4_code_caption"))
    return {"m": m, "unit": unit}


def block_codes(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Bits per symbol when k symbols are coded jointly, against the entropy log₂ m (exercise 3.4.2b)."""
    c1, c2 = st.columns(2)
    m = int(c1.slider(t("w3_4_m"), 2, 10, initial_value(initial, "m", 3, 2, 10), key=f"{key}-m"))
    kmax = int(c2.slider(t("w3_4_kmax"), 1, 30, initial_value(initial, "kmax", 20, 1, 30), key=f"{key}-kmax"))
    ks = range(1, kmax + 1)
    H_bits = math.log2(m)
    frame = pd.DataFrame(
        [{"k": k, "code": t("w3_4_series_fixed"), "bits": softmax.block_code_bits_per_symbol(m, k)} for k in ks]
        + [{"k": k, "code": t("w3_4_series_huffman"), "bits": float(softmax.block_prefix_code_bits_per_symbol(m, k))}
           for k in ks]
        + [{"k": k, "code": t("w3_4_series_bound"), "bits": H_bits + 1 / k} for k in ks])
    lines = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("k:Q", title=t("w3_4_axis_k")), y=alt.Y("bits:Q", title=t("w3_4_axis_bits"),
                                                     scale=alt.Scale(zero=False)),
        color=alt.Color("code:N", title=None), tooltip=["k:Q", "code:N", alt.Tooltip("bits:Q", format=".4f")])
    entropy_rule = alt.Chart(pd.DataFrame({"y": [H_bits]})).mark_rule(strokeDash=[6, 4], color="#000").encode(
        y="y:Q", tooltip=[alt.Tooltip("y:Q", title="log₂ m", format=".4f")])
    st.altair_chart((lines + entropy_rule).properties(height=280), width="stretch")
    best = softmax.best_block_length(m, kmax)
    k1, k2, k3 = st.columns(3)
    k1.metric(t("w3_4_best_k"), str(best))
    k2.metric(t("w3_4_best_bits"), f"{softmax.block_code_bits_per_symbol(m, best):.4f}")
    k3.metric("log₂ m", f"{H_bits:.4f}")
    st.caption(t("w3_4_block_caption", m=m, k5=m**5, b5=softmax.fixed_length_code_bits(m, 5)))
    return {"m": m, "kmax": kmax}


# --- 3.4.3: RealSoftMax and soft-min --------------------------------------------------------------------------------

def _lambda_slider(key: str, initial: dict[str, Any], default: float = 2.0) -> float:
    start = initial.get("lam", default)
    start = float(start) if isinstance(start, (int, float)) and float(start) in LAMBDAS else default
    return float(st.select_slider("λ", LAMBDAS, value=start, key=f"{key}-lam"))


def _pair(key: str, initial: dict[str, Any], show_min: bool) -> dict[str, Any]:
    c1, c2 = st.columns(2)
    a = float(c1.slider("a", -3.0, 3.0, initial_value(initial, "a", 1.0, -3.0, 3.0), 0.1, key=f"{key}-a"))
    b = float(c2.slider("b", -3.0, 3.0, initial_value(initial, "b", 0.5, -3.0, 3.0), 0.1, key=f"{key}-b"))
    lam = _lambda_slider(key, initial)
    grid = np.geomspace(0.1, 100, 120)
    v = torch.tensor([a, b], dtype=torch.float64)
    smooth_max = [float(softmax.real_softmax(v, float(g))) for g in grid]
    rows = [{"λ": g, "curve": t("w3_4_series_rsm"), "value": s} for g, s in zip(grid, smooth_max, strict=True)]
    rows += [{"λ": g, "curve": "max(a, b) + log(2)/λ", "value": max(a, b) + math.log(2) / g} for g in grid]
    rows += [{"λ": g, "curve": "max(a, b)", "value": max(a, b)} for g in grid]
    if show_min:
        rows += [{"λ": g, "curve": t("w3_4_series_softmin"), "value": float(softmax.soft_min(v, float(g)))}
                 for g in grid]
        rows += [{"λ": g, "curve": "min(a, b)", "value": min(a, b)} for g in grid]
    lines = alt.Chart(pd.DataFrame(rows)).mark_line().encode(
        x=alt.X("λ:Q", scale=alt.Scale(type="log")), y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
        color=alt.Color("curve:N", title=None), tooltip=["curve:N", alt.Tooltip("λ:Q", format=".3g"),
                                                         alt.Tooltip("value:Q", format=".4f")])
    now = alt.Chart(pd.DataFrame({"λ": [lam]})).mark_rule(color="#444").encode(x="λ:Q")
    st.altair_chart((lines + now).properties(height=260), width="stretch")
    value = float(softmax.real_softmax(v, lam))
    k = st.columns(4 if show_min else 3)
    k[0].metric(t("w3_4_rsm_value"), f"{value:.4f}")
    k[1].metric(t("w3_4_gap"), f"{value - max(a, b):.4f}")
    k[2].metric("log(2)/λ", f"{math.log(2) / lam:.4f}")
    if show_min:
        k[3].metric(t("w3_4_softmin_value"), f"{float(softmax.soft_min(v, lam)):.4f}")
    st.caption(t("w3_4_pair_caption"))
    return {"a": a, "b": b, "lam": lam}


def smooth_max_pair(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """a, b and λ: λ⁻¹ RealSoftMax(λa, λb) between max(a, b) and max(a, b) + log(2)/λ (exercises 3.4.3a–c)."""
    return _pair(key, initial, show_min=False)


def soft_min_pair(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """The same picture with the soft-min −λ⁻¹ log(e^{−λa} + e^{−λb}) below min(a, b) (exercise 3.4.3d)."""
    return _pair(key, initial, show_min=True)


def smooth_max_vector(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """n numbers and λ: smooth max and soft-min with the bounds ± log(n)/λ and the weights softmax(λv) (3.4.3e)."""
    start = initial.get("v")
    ok = isinstance(start, list) and 1 <= len(start) <= MAX_LOGITS and all(isinstance(x, (int, float)) for x in start)
    start_text = ", ".join(f"{x:g}" for x in start) if ok else "0, 1, 2, 3"
    text = st.text_input(t("w3_4_numbers"), start_text, key=f"{key}-v")
    values = parse_numbers(text, low=1)
    if values is None:
        st.warning(t("w3_4_numbers_bad", high=MAX_LOGITS))
        values = [0.0, 1.0, 2.0, 3.0]
    lam = _lambda_slider(key, initial, default=1.0)
    v = torch.tensor(values, dtype=torch.float64)
    n = len(values)
    smooth_max, smooth_min = float(softmax.real_softmax(v, lam)), float(softmax.soft_min(v, lam))
    weights = softmax.stable_softmax(lam * v).numpy()
    points = pd.DataFrame({"i": range(1, n + 1), "v": values, "weight": weights})
    dots = alt.Chart(points).mark_circle(size=90, color="#1f77b4").encode(
        x=alt.X("i:O", title="i"), y=alt.Y("v:Q", title=None, scale=alt.Scale(zero=False)),
        tooltip=["i:O", "v:Q", alt.Tooltip("weight:Q", format=".3f")])
    slack = math.log(n) / lam
    levels = pd.DataFrame({"level": [t("w3_4_series_rsm"), t("w3_4_series_softmin"), "max + log(n)/λ",
                                     "min − log(n)/λ"],
                           "y": [smooth_max, smooth_min, max(values) + slack, min(values) - slack]})
    rules = alt.Chart(levels).mark_rule(strokeDash=[5, 3]).encode(
        y="y:Q", color=alt.Color("level:N", title=None), tooltip=["level:N", alt.Tooltip("y:Q", format=".4f")])
    weight_bars = alt.Chart(points).mark_bar(color="#ff7f0e").encode(
        x=alt.X("i:O", title="i"), y=alt.Y("weight:Q", title=t("w3_4_axis_weight"), scale=alt.Scale(domain=[0, 1])))
    c1, c2 = st.columns(2)
    c1.altair_chart((dots + rules).properties(height=240), width="stretch")
    c2.altair_chart(weight_bars.properties(height=240), width="stretch")
    k1, k2, k3 = st.columns(3)
    k1.metric(t("w3_4_rsm_value"), f"{smooth_max:.4f}", delta=f"{smooth_max - max(values):+.4f}")
    k2.metric(t("w3_4_softmin_value"), f"{smooth_min:.4f}", delta=f"{smooth_min - min(values):+.4f}")
    k3.metric("log(n)/λ", f"{slack:.4f}")
    st.caption(t("w3_4_vector_caption"))
    return {"v": values, "lam": lam}
