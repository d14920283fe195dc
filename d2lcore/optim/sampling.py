"""Batch-size-1 SGD on linear regression with examples drawn with or without replacement (zh-v2 §11.4, exercise 11.4.3).

Many independent runs advance together: one vectorised update per step for all runs (numpy, whose per-call overhead
is a fraction of torch's on arrays of a few hundred numbers; a step is inherently sequential, so that overhead is the
cost). The visiting order of every run is drawn up front by `epoch_orders`.
"""

from __future__ import annotations

import numpy as np
from torch import Tensor


def epoch_orders(n: int, epochs: int, runs: int, with_replacement: bool, rng: np.random.Generator) -> np.ndarray:
    """Indices of the examples each run visits, shape (runs, epochs, n).

    Without replacement every (run, epoch) row is a fresh uniform permutation of 0 … n−1 (random reshuffling); with
    replacement every entry is an independent uniform draw from 0 … n−1 (so a row misses about n(1 − 1/n)ⁿ ≈ n/e).
    """
    if with_replacement:
        return rng.integers(0, n, (runs, epochs, n))
    return rng.permuted(np.broadcast_to(np.arange(n), (runs, epochs, n)), axis=-1)


def single_example_sgd(X: Tensor | np.ndarray, y: Tensor | np.ndarray, orders: Tensor | np.ndarray,
                       lr: float) -> np.ndarray:
    """Loss ½·mean((Xw + b − y)²) on the whole set after every epoch of batch-size-1 SGD, for R runs at once.

    With a_i = (x_i, 1) and θ = (w, b), the step on example i is
        r = a_iᵀθ − y_i,    θ ← θ − η r a_i
    (∂/∂θ of ½(a_iᵀθ − y_i)²). Run k visits orders[k, e, 0], …, orders[k, e, n−1] in epoch e; every run starts at
    θ = 0. X: (n, d), y: (n,) or (n, 1), orders: (R, E, n) integer indices. Returns shape (E + 1, R).
    """
    X, y, orders = (np.asarray(v) for v in (X, y, orders))
    n, d = X.shape
    # augmented rows: c_i = (x_i, 1, y_i) with θ̃ = (w, b, −1) gives r = c_iᵀθ̃ in one product, and the update moves
    # only (w, b): θ̃ ← θ̃ − r·η(x_i, 1, 0)
    C = np.concatenate([X, np.ones((n, 1)), y.reshape(n, 1)], 1).astype(np.float64)  # (n, d+2)
    B = lr * np.concatenate([X, np.ones((n, 1)), np.zeros((n, 1))], 1).astype(np.float64)  # (n, d+2)
    R = orders.shape[0]
    theta = np.zeros((R, d + 2))  # (R, d+2): one θ̃ = (w, b, −1) per run
    theta[:, -1] = -1.0

    G = C.T @ C / n  # (d+2, d+2): ½·mean_i (c_iᵀθ̃)² = ½ θ̃ᵀ G θ̃, no (R, n) residual matrix needed

    def loss() -> np.ndarray:
        return 0.5 * np.vecdot(theta @ G, theta)  # (R,)

    out = [loss()]
    for steps in np.ascontiguousarray(orders.transpose(1, 2, 0)):  # (n, R) per epoch: the example of each run
        for i in steps:
            r = np.vecdot(C.take(i, axis=0), theta)  # (R,) residual a_iᵀθ − y_i of each run's example
            theta -= r[:, None] * B.take(i, axis=0)
        out.append(loss())
    return np.stack(out)
