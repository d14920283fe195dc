"""Section 4.7 widgets: gradient shapes (4.7.1), the computational graph with a bias and its values and gradients
(4.7.2a, section demo), hand-derived backpropagation against autograd (4.7.2b), memory of training and prediction
(4.7.3), second derivatives (4.7.4) and splitting a training step over devices (4.7.5)."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st
import torch

from d2lcore import backprop as bp
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import initial_value

SCALAR_FUNCTIONS = {  # name → f(X), a scalar function of a matrix
    "sumsq": lambda X: (X**2).sum(),
    "logsumexp": lambda X: torch.logsumexp(X @ X.T, dim=(0, 1)),
    "norm": lambda X: torch.linalg.matrix_norm(X),
}


def _pick(options: list | tuple, value: Any, default: Any) -> Any:
    return value if value in options else default


# --- 4.7.1: the shape of a gradient ---------------------------------------------------------------------------------


def gradient_shape(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Autograd on a scalar function of an n×m matrix: X.grad has X's shape (exercise 4.7.1)."""
    c1, c2, c3 = st.columns(3)
    n = c1.slider("n", 1, 8, initial_value(initial, "n", 3, 1, 8), key=f"{key}-n")
    m = c2.slider("m", 1, 8, initial_value(initial, "m", 4, 1, 8), key=f"{key}-m")
    name = c3.selectbox(t("w4_7_function"), list(SCALAR_FUNCTIONS), format_func=translated("w4_7_f_"),
                        index=list(SCALAR_FUNCTIONS).index(_pick(SCALAR_FUNCTIONS, initial.get("f"), "logsumexp")),
                        key=f"{key}-f")
    X = torch.randn(n, m, generator=torch.Generator().manual_seed(0), dtype=torch.float64, requires_grad=True)
    f = SCALAR_FUNCTIONS[name](X)
    f.backward()
    k = st.columns(3)
    k[0].metric(t("w4_7_f_value"), f"{float(f.detach()):.4f}")
    k[1].metric(t("w4_7_x_shape"), str(tuple(X.shape)))
    k[2].metric(t("w4_7_grad_shape"), str(tuple(X.grad.shape)))
    st.dataframe(pd.DataFrame(X.grad.numpy(), columns=[f"j={j + 1}" for j in range(m)],
                              index=[f"i={i + 1}" for i in range(n)]).style.format("{:.4f}"))
    st.caption(t("w4_7_shape_caption"))
    return {"n": int(n), "m": int(m), "f": name}


# --- 4.7.2a / section demo: the computational graph -----------------------------------------------------------------


def _network_controls(key: str, initial: dict[str, Any]) -> tuple[bp.OneHiddenLayer, int]:
    """Example number (0: the exercise's numbers), activation and loss → the example network."""
    c1, c2, c3 = st.columns(3)
    example = c1.number_input(t("w4_7_example"), 0, 99, initial_value(initial, "example", 0, 0, 99),
                              key=f"{key}-example")
    act = c2.selectbox(t("w4_7_activation"), bp.ACTIVATIONS, format_func=translated("w4_7_act_"),
                       index=bp.ACTIVATIONS.index(_pick(bp.ACTIVATIONS, initial.get("act"), "relu")),
                       key=f"{key}-act")
    loss = c3.selectbox(t("w4_7_loss"), bp.LOSSES, format_func=translated("w4_7_loss_"),
                        index=bp.LOSSES.index(_pick(bp.LOSSES, initial.get("loss"), "squared")), key=f"{key}-loss")
    net = bp.example_network(int(example), act, loss)
    if loss == "cross_entropy":  # a class index instead of a target vector
        net = replace(net, y=torch.tensor(int(example) % net.W2.shape[0]))
    return net, int(example)


def _graph_view(key: str, net: bp.OneHiddenLayer, initial: dict[str, Any]) -> dict[str, Any]:
    c1, c2, c3 = st.columns(3)
    values = c1.toggle(t("w4_7_show_values"), initial_value(initial, "values", True), key=f"{key}-values")
    grads = c2.toggle(t("w4_7_show_grads"), initial_value(initial, "grads", True), key=f"{key}-grads")
    nodes = ["none", "x", "W1", "b", "z", "h", "W2", "o"]
    highlight = c3.selectbox(t("w4_7_highlight"), nodes, index=nodes.index(_pick(nodes, initial.get("hl"), "b")),
                             format_func=lambda v: t("w4_7_hl_none") if v == "none" else v, key=f"{key}-hl")
    st.graphviz_chart(bp.graph_dot(net, values, grads, None if highlight == "none" else highlight), width="stretch")
    return {"values": bool(values), "grads": bool(grads), "hl": highlight}


def graph(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """The graph of J with the hidden-layer bias, forward values and ∂J/∂(·) on every variable (exercise 4.7.2a)."""
    net, example = _network_controls(key, initial)
    view = _graph_view(key, net, initial)
    st.caption(t("w4_7_graph_caption"))
    return {"example": example, "act": net.activation, "loss": net.loss, **view}


# --- 4.7.2b: hand-derived backpropagation against autograd ----------------------------------------------------------


def _fmt(x: torch.Tensor) -> str:
    return str([round(v, 4) for v in x.reshape(-1).tolist()]) if x.ndim < 2 else str(
        [[round(v, 4) for v in row] for row in x.tolist()])


def gradient_table(net: bp.OneHiddenLayer) -> tuple[pd.DataFrame, float]:
    hand, auto = bp.backward(net), bp.autograd_gradients(net)
    shapes = {"o": net.W2.shape[:1], "W2": net.W2.shape, "h": net.b.shape, "z": net.b.shape, "b": net.b.shape,
              "W1": net.W1.shape}
    rows = [{t("w4_7_col_var"): f"∂J/∂{k}", t("w4_7_col_hand"): _fmt(hand[k] + 0.0),
             t("w4_7_col_auto"): _fmt(auto[k]), t("w4_7_col_shape"): str(tuple(hand[k].shape)),
             t("w4_7_col_diff"): f"{float((hand[k] - auto[k]).abs().max()):.1e}",
             "✓": "✓" if tuple(hand[k].shape) == tuple(shapes[k]) else "✗"} for k in hand]
    worst = max(float((hand[k] - auto[k]).abs().max()) for k in hand)
    return pd.DataFrame(rows), worst


def backprop_check(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """The backward equations evaluated by hand (d2lcore.backprop) next to torch.autograd, float64 (4.7.2b)."""
    net, example = _network_controls(key, initial)
    values = bp.forward(net)
    k = st.columns(4)
    k[0].metric("z", _fmt(values["z"]))
    k[1].metric("h", _fmt(values["h"]))
    k[2].metric("o", _fmt(values["o"]))
    k[3].metric("J", f"{float(values['J']):.4f}")
    frame, worst = gradient_table(net)
    st.dataframe(frame, hide_index=True)
    st.metric(t("w4_7_max_diff"), f"{worst:.1e}")
    st.caption(t("w4_7_backprop_caption"))
    return {"example": example, "act": net.activation, "loss": net.loss}


# --- 4.7.3: memory of training and prediction -------------------------------------------------------------------------


@st.cache_data(max_entries=32, show_spinner=False)
def _autograd_saved(d: int, h: int, q: int, n: int) -> int:
    return bp.autograd_saved_floats(d, h, q, n)


def memory(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Numbers kept by a training step against prediction, and what autograd really saves (exercise 4.7.3)."""
    c = st.columns(4)
    d = c[0].select_slider("d", [64, 100, 256, 784, 1024, 3072], _pick([64, 100, 256, 784, 1024, 3072],
                                                                        initial.get("d"), 784), key=f"{key}-d")
    h = c[1].select_slider("h", [32, 64, 128, 256, 512, 1024], _pick([32, 64, 128, 256, 512, 1024],
                                                                      initial.get("h"), 256), key=f"{key}-h")
    q = c[2].select_slider("q", [2, 10, 100, 1000], _pick([2, 10, 100, 1000], initial.get("q"), 10), key=f"{key}-q")
    n = c[3].select_slider("n", [1, 16, 64, 256, 1024, 4096], _pick([1, 16, 64, 256, 1024, 4096],
                                                                     initial.get("n"), 256), key=f"{key}-n")
    tr, pr = bp.training_floats(d, h, q, n), bp.prediction_floats(d, h, q, n)
    rows = [(t("w4_7_mem_params"), tr["parameters"], pr["parameters"]), (t("w4_7_mem_grads"), tr["gradients"], 0),
            ("X (n·d)", tr["X"], 0), ("H (n·h)", tr["H"], 0), ("log-softmax (n·q)", tr["log_softmax"], 0),
            (t("w4_7_mem_live"), 0, pr["activations"])]
    frame = pd.DataFrame([{t("w4_7_col_item"): name, t("w4_7_col_train"): a, t("w4_7_col_predict"): b}
                          for name, a, b in rows])
    st.dataframe(frame, hide_index=True)
    k = st.columns(4)
    k[0].metric(t("w4_7_train_total"), f"{tr['total']:,}")
    k[1].metric(t("w4_7_predict_total"), f"{pr['total']:,}")
    k[2].metric(t("w4_7_ratio"), f"{tr['total'] / pr['total']:.2f}×")
    saved = _autograd_saved(d, h, q, n) if d * n <= 2**22 else None
    k[3].metric(t("w4_7_autograd_saved"), f"{saved:,}" if saved is not None else "—")
    st.caption(t("w4_7_memory_caption", mib_train=f"{4 * tr['total'] / 2**20:.2f}",
                 mib_predict=f"{4 * pr['total'] / 2**20:.2f}", saved=f"{tr['X'] + tr['H'] + tr['log_softmax']:,}"))
    return {"d": d, "h": h, "q": q, "n": n}


# --- 4.7.4: second derivatives --------------------------------------------------------------------------------------


@st.cache_data(max_entries=16, show_spinner=False)
def _hessian_timing(hidden: int) -> dict[str, float]:
    """A small MLP (4 → hidden → 3, tanh) on 8 examples: time one gradient, one Hessian-vector product and the full
    Hessian by double backpropagation; the Hessian's symmetry error."""
    g = torch.Generator().manual_seed(0)
    d, q = 4, 3
    X, y = torch.randn(8, d, generator=g, dtype=torch.float64), torch.randint(0, q, (8,), generator=g)
    P = bp.parameter_count(d, hidden, q)
    theta0 = 0.5 * torch.randn(P, generator=g, dtype=torch.float64)

    def J(theta: torch.Tensor) -> torch.Tensor:
        W1 = theta[: hidden * d].reshape(hidden, d)
        b = theta[hidden * d: hidden * d + hidden]
        W2 = theta[hidden * d + hidden:].reshape(q, hidden)
        return torch.nn.functional.cross_entropy(torch.tanh(X @ W1.T + b) @ W2.T, y)

    theta = theta0.clone().requires_grad_(True)
    t0 = time.perf_counter()
    for _ in range(20):
        torch.autograd.grad(J(theta), theta)
    grad_s = (time.perf_counter() - t0) / 20
    v = torch.randn(P, generator=g, dtype=torch.float64)
    t0 = time.perf_counter()
    for _ in range(20):
        (gr,) = torch.autograd.grad(J(theta), theta, create_graph=True)
        torch.autograd.grad(gr @ v, theta)
    hvp_s = (time.perf_counter() - t0) / 20
    t0 = time.perf_counter()
    H = bp.hessian_by_autograd(J, theta0)
    full_s = time.perf_counter() - t0
    return {"P": P, "grad": grad_s, "hvp": hvp_s, "full": full_s, "sym": float((H - H.T).abs().max())}


def second_derivatives(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Size of the Hessian of an MLP and the measured cost of a Hessian-vector product and a full Hessian (4.7.4)."""
    widths = [64, 128, 256, 512, 1024, 4096]
    width = st.select_slider(t("w4_7_hidden_784"), widths, _pick(widths, initial.get("width"), 256),
                             key=f"{key}-width")
    P = bp.parameter_count(784, width, 10)
    size = bp.hessian_size(P)
    k = st.columns(3)
    k[0].metric(t("w4_7_params"), f"{P:,}")
    k[1].metric(t("w4_7_hessian_entries"), f"{size['entries']:.3g}")
    k[2].metric(t("w4_7_hessian_gb"), f"{size['bytes'] / 1e9:,.0f}")
    small = [4, 8, 16, 32]
    hidden = st.select_slider(t("w4_7_small_hidden"), small, _pick(small, initial.get("small"), 8),
                              key=f"{key}-small")
    r = _hessian_timing(int(hidden))
    k = st.columns(4)
    k[0].metric(t("w4_7_small_params"), f"{r['P']}")
    k[1].metric(t("w4_7_hvp_ratio"), f"{r['hvp'] / r['grad']:.1f}×")
    k[2].metric(t("w4_7_full_ratio"), f"{r['full'] / r['grad']:.0f}×")
    k[3].metric(t("w4_7_symmetry"), f"{r['sym']:.1e}")
    st.caption(t("w4_7_hessian_caption"))
    return {"width": int(width), "small": int(hidden)}


# --- 4.7.5: splitting over devices ----------------------------------------------------------------------------------


def partition(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Per-device numbers of a training step: k devices holding consecutive layers, against one device with a
    minibatch k times smaller (exercises 4.7.5a, 4.7.5b)."""
    c = st.columns(4)
    k = c[0].slider(t("w4_7_devices"), 1, 8, initial_value(initial, "k", 2, 1, 8), key=f"{key}-k")
    depth = c[1].slider(t("w4_7_depth"), 1, 12, initial_value(initial, "depth", 6, 1, 12), key=f"{key}-depth")
    widths = [256, 1024, 4096]
    width = c[2].select_slider("h", widths, _pick(widths, initial.get("h"), 1024), key=f"{key}-h")
    batches = [64, 256, 1024, 4096]
    n = c[3].select_slider("n", batches, _pick(batches, initial.get("n"), 1024), key=f"{key}-n")
    layers = bp.layer_memory(784, [width] * depth, 10, n)
    split = bp.pipeline_split(layers, k)
    small = sum(r["parameters"] + r["gradients"] + r["saved"] for r in bp.layer_memory(784, [width] * depth, 10,
                                                                                         max(1, n // k)))
    rows = [{"device": f"{t('w4_7_split')} · GPU {i + 1}", "MiB": 4 * v / 2**20} for i, v in enumerate(split)]
    rows.append({"device": t("w4_7_smaller_batch", n=max(1, n // k)), "MiB": 4 * small / 2**20})
    chart = alt.Chart(pd.DataFrame(rows)).mark_bar().encode(
        x=alt.X("MiB:Q", title=t("w4_7_mib_per_device")), y=alt.Y("device:N", title=None, sort=None),
        tooltip=["device:N", alt.Tooltip("MiB:Q", format=".1f")]).properties(height=28 * len(rows) + 40)
    st.altair_chart(chart, width="stretch")
    params = sum(2 * r["parameters"] for r in layers)
    m = st.columns(3)
    m[0].metric(t("w4_7_largest_split"), f"{4 * max(split) / 2**20:.1f} MiB")
    m[1].metric(t("w4_7_small_batch_total"), f"{4 * small / 2**20:.1f} MiB")
    m[2].metric(t("w4_7_param_floor"), f"{4 * params / 2**20:.1f} MiB")
    st.caption(t("w4_7_partition_caption"))
    return {"k": int(k), "depth": int(depth), "h": int(width), "n": int(n)}


# --- section demo ---------------------------------------------------------------------------------------------------


def section_demo(key: str) -> None:
    """The graph of the section's network with a bias, forward values and gradients, checked against autograd."""
    st.caption(t("w4_7_demo_intro"))
    net, _ = _network_controls(key, {})
    _graph_view(key, net, {})
    frame, worst = gradient_table(net)
    with st.expander(t("w4_7_demo_table")):
        st.dataframe(frame, hide_index=True)
    st.metric(t("w4_7_max_diff"), f"{worst:.1e}")
