"""Forward propagation, backpropagation and computational graphs (zh-v2 §4.7): the section's one-hidden-layer network
with a hidden-layer bias, its hand-derived gradients, the graph drawn as Graphviz DOT, the memory that training keeps
for the backward pass against prediction, and the size and cost of second derivatives.

Forward (one example x ∈ ℝᵈ, column vectors as in the book):
    z = W⁽¹⁾x + b,   h = φ(z),   o = W⁽²⁾h,   L = l(o, y),   s = (λ/2)(‖W⁽¹⁾‖²_F + ‖W⁽²⁾‖²_F),   J = L + s
Backward (chain rule from J down, each gradient has the shape of its variable):
    ∂J/∂o = ∂l/∂o,   ∂J/∂W⁽²⁾ = (∂J/∂o) hᵀ + λW⁽²⁾,   ∂J/∂h = W⁽²⁾ᵀ ∂J/∂o,   ∂J/∂z = ∂J/∂h ⊙ φ'(z),
    ∂J/∂b = ∂J/∂z (the bias is not regularised),   ∂J/∂W⁽¹⁾ = (∂J/∂z) xᵀ + λW⁽¹⁾
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

from d2lcore.mlp import mlp_net

LOSSES = ("squared", "cross_entropy")
ACTIVATIONS = ("relu", "sigmoid", "tanh")

# --- the network, forward and backward -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OneHiddenLayer:
    """Parameters and data of one example: W1 (h×d), b (h), W2 (q×h), x (d), y (q for the squared loss, a class
    index for cross-entropy), λ, φ and l."""

    W1: Tensor
    b: Tensor
    W2: Tensor
    x: Tensor
    y: Tensor
    lam: float
    activation: str = "relu"
    loss: str = "squared"


def phi(z: Tensor, name: str) -> Tensor:
    """φ(z): relu max(z, 0), sigmoid 1/(1 + e^(−z)), tanh."""
    return {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}[name](z)


def phi_prime(z: Tensor, name: str) -> Tensor:
    """φ'(z) by hand: relu 1[z > 0], sigmoid σ(z)(1 − σ(z)), tanh 1 − tanh²(z)."""
    if name == "relu":
        return (z > 0).to(z.dtype)
    if name == "sigmoid":
        s = torch.sigmoid(z)
        return s * (1 - s)
    return 1 - torch.tanh(z) ** 2


def loss_value(o: Tensor, y: Tensor, name: str) -> Tensor:
    """l(o, y): squared ½‖o − y‖², or cross-entropy −log softmax(o)_y."""
    if name == "squared":
        return 0.5 * ((o - y) ** 2).sum()
    return -torch.log_softmax(o, dim=0)[int(y)]


def loss_grad(o: Tensor, y: Tensor, name: str) -> Tensor:
    """∂l/∂o by hand: squared o − y; cross-entropy softmax(o) − e_y."""
    if name == "squared":
        return o - y
    g = torch.softmax(o, dim=0).clone()
    g[int(y)] -= 1
    return g


def forward(net: OneHiddenLayer) -> dict[str, Tensor]:
    """Every intermediate value of the forward pass, in the order the graph computes them."""
    z = net.W1 @ net.x + net.b
    h = phi(z, net.activation)
    o = net.W2 @ h
    L = loss_value(o, net.y, net.loss)
    s = net.lam / 2 * ((net.W1**2).sum() + (net.W2**2).sum())
    return {"z": z, "h": h, "o": o, "L": L, "s": s, "J": L + s}


def backward(net: OneHiddenLayer, values: dict[str, Tensor] | None = None) -> dict[str, Tensor]:
    """The hand-derived gradients of J (module docstring), from J back to the parameters; each has its variable's
    shape."""
    v = forward(net) if values is None else values
    g_o = loss_grad(v["o"], net.y, net.loss)  # (q,)
    g_W2 = torch.outer(g_o, v["h"]) + net.lam * net.W2  # (q, h)
    g_h = net.W2.T @ g_o  # (h,)
    g_z = g_h * phi_prime(v["z"], net.activation)  # (h,)
    g_b = g_z  # (h,): z = W1 x + b, ∂z/∂b = I, and b is not in s
    g_W1 = torch.outer(g_z, net.x) + net.lam * net.W1  # (h, d)
    return {"o": g_o, "W2": g_W2, "h": g_h, "z": g_z, "b": g_b, "W1": g_W1}


def autograd_gradients(net: OneHiddenLayer) -> dict[str, Tensor]:
    """The same gradients by torch.autograd (retain_grad on the intermediates)."""
    leaves = {k: getattr(net, k).detach().clone().requires_grad_(True) for k in ("W1", "b", "W2")}
    z = leaves["W1"] @ net.x + leaves["b"]
    h = phi(z, net.activation)
    o = leaves["W2"] @ h
    for t in (z, h, o):
        t.retain_grad()
    J = loss_value(o, net.y, net.loss) + net.lam / 2 * ((leaves["W1"] ** 2).sum() + (leaves["W2"] ** 2).sum())
    J.backward()
    return {"o": o.grad, "W2": leaves["W2"].grad, "h": h.grad, "z": z.grad, "b": leaves["b"].grad,
            "W1": leaves["W1"].grad}


def example_network(seed: int = 0, activation: str = "relu", loss: str = "squared") -> OneHiddenLayer:
    """A small example to work by hand (float64): d = 2 inputs, 2 hidden units, q = 2 outputs. Seed 0 is fixed;
    other seeds draw halves in [−2, 2], redrawn until no |z_j| < 0.25 (ReLU is not differentiable at 0)."""
    if seed == 0:
        W1, b, W2 = [[0.5, -1.0], [1.0, 0.5]], [1.0, -1.0], [[1.0, -1.0], [2.0, 0.5]]
        x, y, lam = [1.0, 2.0], [0.0, 1.0], 0.1
    else:
        rng = np.random.default_rng(seed)
        while True:
            W1, b, W2 = (rng.integers(-4, 5, size) / 2 for size in ((2, 2), 2, (2, 2)))
            x, y = rng.integers(-2, 3, 2).astype(float), rng.integers(-2, 3, 2).astype(float)
            z = W1 @ x + b
            if np.all(np.abs(z) >= 0.25) and np.any(z > 0) and np.any(x != 0):
                break
        lam = float(rng.choice([0.1, 0.2, 0.5]))
    f64 = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    return OneHiddenLayer(f64(W1), f64(b), f64(W2), f64(x), f64(y), lam, activation, loss)


# --- the computational graph (Graphviz DOT) -------------------------------------------------------------------------

GRAPH_EDGES = [  # (from, to): variables are boxes, operators circles, as in the book's figure
    ("x", "mul1"), ("W1", "mul1"), ("mul1", "add_b"), ("b", "add_b"), ("add_b", "z"), ("z", "phi"), ("phi", "h"),
    ("h", "mul2"), ("W2", "mul2"), ("mul2", "o"), ("o", "loss"), ("y", "loss"), ("loss", "L"),
    ("W1", "norm"), ("W2", "norm"), ("norm", "s"), ("L", "plus"), ("s", "plus"), ("plus", "J"),
]
OPERATORS = {"mul1": "×", "add_b": "+", "phi": "φ", "mul2": "×", "loss": "l", "norm": "λ/2‖·‖²", "plus": "+"}


def _fmt(t: Tensor) -> str:
    a = t.detach().cpu().numpy()
    if a.ndim == 0:
        return f"{float(a):.4g}"
    if a.ndim == 1:
        return "[" + ", ".join(f"{v:.3g}" for v in a) + "]"
    return "[" + "; ".join(", ".join(f"{v:.3g}" for v in row) for row in a) + "]"


def graph_dot(net: OneHiddenLayer, show_values: bool = True, show_grads: bool = True,
              highlight: str | None = None) -> str:
    """The computational graph of J with the bias node, as DOT: each variable box shows its forward value and
    (red) ∂J/∂(variable); `highlight` fills one variable's box."""
    values = {**forward(net), "x": net.x, "W1": net.W1, "b": net.b, "W2": net.W2, "y": net.y}
    grads = backward(net)
    lines = ["digraph G {", "rankdir=LR; node [fontname=Helvetica, fontsize=11]; edge [color=gray40];"]
    for name, value in values.items():
        label = f"<b>{name}</b>"
        if show_values:
            label += f"<br/>{_fmt(value)}"
        if show_grads and name in grads:
            label += f'<br/><font color="#c0392b">∂J/∂{name} = {_fmt(grads[name])}</font>'
        style = ', style=filled, fillcolor="#fde9c9"' if name == highlight else ""
        lines.append(f'"{name}" [shape=box, label=<{label}>{style}];')
    for op, symbol in OPERATORS.items():
        lines.append(f'"{op}" [shape=circle, label="{symbol}", width=0.4, fixedsize=false];')
    for a, b in GRAPH_EDGES:
        lines.append(f'"{a}" -> "{b}";')
    lines.append("}")
    return "\n".join(lines)


# --- memory of training against prediction (exercise 4.7.3) -------------------------------------------------------


def parameter_count(d: int, h: int, q: int, bias: bool = True) -> int:
    """W⁽¹⁾ (h·d) + b (h) + W⁽²⁾ (q·h) entries."""
    return h * d + (h if bias else 0) + q * h


def training_floats(d: int, h: int, q: int, n: int) -> dict[str, int]:
    """What one training step on a minibatch of n keeps (in numbers): the parameters, one gradient per parameter, and
    the intermediates the backward pass reads: X (n·d, for ∂W⁽¹⁾), H (n·h, for ∂W⁽²⁾; ReLU's derivative 1[h > 0]
    needs only h) and the log-softmax output (n·q, for ∂l/∂o). The gradients of z, h, o are transient."""
    P = parameter_count(d, h, q)
    return {"parameters": P, "gradients": P, "X": n * d, "H": n * h, "log_softmax": n * q,
            "total": 2 * P + n * (d + h + q)}


def prediction_floats(d: int, h: int, q: int, n: int) -> dict[str, int]:
    """Prediction keeps the parameters and, at any moment, only one layer's input and output:
    peak = P + n·max(d + h, h + h, h + q)  (x → z, z → h, h → o; nothing is stored for a backward pass)."""
    P = parameter_count(d, h, q)
    peak = n * max(d + h, 2 * h, h + q)
    return {"parameters": P, "activations": peak, "total": P + peak}


def autograd_saved_floats(d: int, h: int, q: int, n: int, activation: str = "relu") -> int:
    """Numbers in the tensors autograd saves for backward when the real torch model (mlp_net with one hidden
    layer, cross-entropy) takes a training step, counting each storage once and leaving out the parameters (counted
    separately) and the integer labels."""
    g = torch.Generator().manual_seed(0)
    net = mlp_net(d, [h], q, activation=activation, generator=g)
    params = {p.untyped_storage().data_ptr() for p in net.parameters()}
    X, y = torch.randn(n, d, generator=g), torch.randint(0, q, (n,), generator=g)
    seen: dict[int, int] = {}

    def pack(t: Tensor) -> Tensor:
        ptr = t.untyped_storage().data_ptr()
        if t.is_floating_point() and t.numel() > 1 and ptr not in params:
            seen[ptr] = max(seen.get(ptr, 0), t.untyped_storage().nbytes() // t.element_size())
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        nn.functional.cross_entropy(net(X), y)
    return sum(seen.values())


# --- second derivatives (exercise 4.7.4) --------------------------------------------------------------------------


def hessian_size(n_params: int, bytes_per_number: int = 4) -> dict[str, float]:
    """The Hessian ∂²J/∂θ² of P parameters has P² entries (P(P+1)/2 distinct, it is symmetric)."""
    return {"entries": float(n_params) ** 2, "distinct": n_params * (n_params + 1) / 2,
            "bytes": float(n_params) ** 2 * bytes_per_number}


def hessian_by_autograd(f: Callable[[Tensor], Tensor], theta: Tensor) -> Tensor:
    """The full Hessian by double backpropagation: one gradient (create_graph=True), then one backward pass per
    parameter (P Hessian-vector products with unit vectors)."""
    theta = theta.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(theta), theta, create_graph=True)
    rows = [torch.autograd.grad(grad[i], theta, retain_graph=True)[0] for i in range(theta.numel())]
    return torch.stack(rows)


# --- splitting a training step over devices (exercise 4.7.5) -------------------------------------------------------


def layer_memory(d: int, widths: list[int], q: int, n: int) -> list[dict[str, int]]:
    """Per Linear layer (in → out) of an MLP d → widths → q: its parameters (in·out + out), their gradients, and the
    activations saved for its backward pass (its input, n·in; the last layer also the log-softmax output, n·q).
    Summed over the layers: 2P + n(d + Σ widths + q), as in `training_floats`."""
    sizes = [d, *widths, q]
    rows = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        params = a * b + b
        saved = n * a + (n * q if i == len(sizes) - 2 else 0)
        rows.append({"layer": i + 1, "parameters": params, "gradients": params, "saved": saved})
    return rows


def pipeline_split(layers: list[dict[str, int]], k: int) -> list[int]:
    """Numbers each of k devices holds when consecutive layers go to one device, split where the running total
    passes j/k of the whole (a balanced contiguous partition; a device may get no layer when k > layers)."""
    cost = [r["parameters"] + r["gradients"] + r["saved"] for r in layers]
    total, per_device, running = sum(cost), [0] * k, 0
    for c in cost:
        device = min(k - 1, int(k * (running + c / 2) / total))
        per_device[device] += c
        running += c
    return per_device
