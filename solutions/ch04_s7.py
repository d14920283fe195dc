"""Section 4.7 (向前传播、反向传播和计算图 Forward propagation, backward propagation and computational graphs):
gradient shapes, the network with a hidden-layer bias (graph and hand-derived backpropagation), the memory of
training against prediction, second derivatives and splitting a graph over devices."""

from __future__ import annotations

import numpy as np
import torch

from d2lcore import backprop as bp
from solutions import Solution, explain, solver, variant

BOOK_SIZES = {"d": 784, "h": 256, "q": 10, "n": 256}  # Fashion-MNIST inputs, the book's hidden width, batch size


def _tex(t: torch.Tensor) -> str:
    """A vector or matrix as a LaTeX bmatrix (a vector as a column)."""
    a = t.detach().numpy()
    rows = a.reshape(-1, 1) if a.ndim == 1 else a
    return r"\begin{bmatrix}" + r"\\".join(" & ".join(f"{v:g}" for v in row) for row in rows) + r"\end{bmatrix}"


@variant("4.7.1")
def variant_4_7_1(seed: int) -> dict:
    """The shape of X (n ≠ m, so that a transposed answer is visibly wrong); seed 0: 3 × 4."""
    if seed == 0:
        return {"n": 3, "m": 4}
    n, m = np.random.default_rng(seed).choice(np.arange(2, 10), size=2, replace=False)
    return {"n": int(n), "m": int(m)}


@solver("4.7.1")
def solve_4_7_1(seed: int = 0, n: int = 3, m: int = 4) -> Solution:
    """Autograd on a scalar function of an n×m matrix: X.grad has X's shape."""
    X = torch.randn(n, m, generator=torch.Generator().manual_seed(seed), dtype=torch.float64, requires_grad=True)
    f = torch.logsumexp(X @ X.T, dim=(0, 1))  # any scalar function of X
    f.backward()
    shape = tuple(X.grad.shape)
    return Solution(answer={"shape": shape}, explanation=explain("4.7.1", n=n, m=m, shape=f"({shape[0]}, {shape[1]})"))


@solver("4.7.2a")
def solve_4_7_2a(seed: int = 0) -> Solution:
    """The graph of the network with a bias, as DOT (the widget draws it)."""
    net = bp.example_network(0)
    return Solution(answer={}, explanation=explain("4.7.2a"), data={"dot": bp.graph_dot(net)})


@variant("4.7.2b")
def variant_4_7_2b(seed: int) -> dict:
    """The example network's numbers, as LaTeX for the statement (seed 0: the fixed example)."""
    net = bp.example_network(seed)
    return {"W1": _tex(net.W1), "b": _tex(net.b), "W2": _tex(net.W2), "x": _tex(net.x), "y": _tex(net.y),
            "lam": net.lam}


@solver("4.7.2b")
def solve_4_7_2b(seed: int = 0, **shown: object) -> Solution:
    """Forward pass, then the hand-derived backward pass of d2lcore.backprop (checked against autograd)."""
    net = bp.example_network(seed)
    v, g = bp.forward(net), bp.backward(net)
    answer = {"go": g["o"].tolist(), "gb": (g["b"] + 0.0).tolist(), "gW1": g["W1"].tolist(), "gW2": g["W2"].tolist()}
    values = {"z": _tex(v["z"]), "h": _tex(v["h"]), "o": _tex(v["o"]), "J": f"{float(v['J']):.4g}",
              "go": _tex(g["o"]), "gh": _tex(g["h"]), "gz": _tex(g["z"] + 0.0), "gW1": _tex(g["W1"]),
              "gW2": _tex(g["W2"]), "mask": _tex(bp.phi_prime(v["z"], "relu")), "lam": net.lam}
    return Solution(answer=answer, explanation=explain("4.7.2b", **values), data=values)


@variant("4.7.3")
def variant_4_7_3(seed: int) -> dict:
    """Layer sizes and batch size (seed 0: the book's 784 → 256 → 10 with minibatches of 256); inputs at least as
    wide as the hidden layer, as in the book, so that x → z is the widest step of prediction."""
    if seed == 0:
        return dict(BOOK_SIZES)
    rng = np.random.default_rng(seed)
    return {"d": int(rng.choice([256, 784, 1024, 3072])), "h": int(rng.choice([32, 64, 128, 256])),
            "q": int(rng.choice([2, 10, 100])), "n": int(rng.choice([16, 64, 128, 512]))}


@solver("4.7.3")
def solve_4_7_3(seed: int = 0, d: int = 784, h: int = 256, q: int = 10, n: int = 256) -> Solution:
    """Numbers kept by a training step (parameters, gradients, saved X, H, log-softmax) against prediction
    (parameters and one layer's input and output at a time)."""
    tr, pr = bp.training_floats(d, h, q, n), bp.prediction_floats(d, h, q, n)
    mib = lambda k: f"{4 * k / 2**20:.2f}"  # noqa: E731 — float32 numbers → MiB
    values = {"d": d, "h": h, "q": q, "n": n, "P": f"{tr['parameters']:,}", "X": f"{tr['X']:,}",
              "H": f"{tr['H']:,}", "S": f"{tr['log_softmax']:,}", "train": f"{tr['total']:,}",
              "predict": f"{pr['total']:,}", "peak": f"{pr['activations']:,}", "trainMiB": mib(tr["total"]),
              "predictMiB": mib(pr["total"]), "ratio": f"{tr['total'] / pr['total']:.2f}"}
    answer = {"params": float(tr["parameters"]), "train": float(tr["total"]), "predict": float(pr["total"])}
    return Solution(answer=answer, explanation=explain("4.7.3", **values), data=values)


@solver("4.7.4")
def solve_4_7_4(seed: int = 0) -> Solution:
    """Hessian size of the book's MLP, computed from its parameter count."""
    P = bp.parameter_count(BOOK_SIZES["d"], BOOK_SIZES["h"], BOOK_SIZES["q"])
    size = bp.hessian_size(P)
    values = {"P": f"{P:,}", "entries": f"{size['entries']:.3g}", "GB": f"{size['bytes'] / 1e9:,.0f}"}
    return Solution(answer={}, explanation=explain("4.7.4", **values), data=values)


@solver("4.7.5a")
def solve_4_7_5a(seed: int = 0) -> Solution:
    return Solution(answer={}, explanation=explain("4.7.5a"))


@solver("4.7.5b")
def solve_4_7_5b(seed: int = 0) -> Solution:
    return Solution(answer={}, explanation=explain("4.7.5b"))
