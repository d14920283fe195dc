"""Minibatch SGD for linear regression from scratch on the section-11.5 regression data (zh-v2 §11.5).

The book uses the NASA airfoil self-noise data (1,503 examples, 5 features, downloaded). Nothing is downloaded here:
`get_data_ch11` generates a documented stand-in of the same shape and difficulty (see its docstring).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
import torch
from torch import Tensor
from torch.utils.data import TensorDataset

Update = Callable[..., tuple[Tensor, tuple]]

# correlation of the five generated features (two correlated pairs, like angle of attack ↔ displacement thickness
# and frequency ↔ chord length in the airfoil data) and the true weights before standardisation
FEATURE_CORR = np.array([[1.0, 0.0, -0.5, 0.0, 0.0],
                         [0.0, 1.0, 0.0, 0.0, 0.75],
                         [-0.5, 0.0, 1.0, 0.0, 0.0],
                         [0.0, 0.0, 0.0, 1.0, 0.0],
                         [0.0, 0.75, 0.0, 0.0, 1.0]])
TRUE_W = np.array([-0.8, -0.2, -0.6, 0.3, -0.5])


def get_data_ch11(n: int = 1500, seed: int = 0, noise: float = 1.0, dtype: torch.dtype = torch.float32
                  ) -> TensorDataset:
    """A 5-feature linear-regression set with the airfoil data's shape (n × 5) and difficulty.

    x ~ N(0, C) with C = FEATURE_CORR (correlated features make the problem ill-conditioned),
    y = x·w + ε with ε ~ N(0, noise²); then every column, y included, is standardised as the book does with the
    airfoil data. With the default noise a least-squares fit explains about half the variance of y, so the best
    attainable loss ½·mean((ŷ − y)²) is about 0.25 — close to the 0.24–0.25 the book reaches on the airfoil data.
    Returns TensorDataset(X (n, 5), y (n, 1)).
    """
    rng = np.random.default_rng(seed)
    X = rng.multivariate_normal(np.zeros(5), FEATURE_CORR, size=n)
    y = X @ TRUE_W + noise * rng.standard_normal(n)
    data = np.column_stack([X, y])
    data = (data - data.mean(0)) / data.std(0)
    t = torch.tensor(data, dtype=dtype)
    return TensorDataset(t[:, :5], t[:, 5:])


def squared_loss_grad(X: Tensor, y: Tensor, w: Tensor, b: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """l = ½·mean((Xw + b − y)²),  ∂l/∂w = Xᵀ(Xw + b − y)/B,  ∂l/∂b = mean(Xw + b − y). Returns (l, ∂w, ∂b)."""
    B = X.shape[0]
    r = X @ w + b - y  # (B, 1) residuals
    return 0.5 * (r**2).mean(), X.T @ r / B, r.mean(0)


def _batches(n: int, batch_size: int, with_replacement: bool, generator: torch.Generator) -> list[Tensor]:
    """One epoch = ⌈n / B⌉ minibatches: a shuffled partition (without replacement) or independent draws of B
    indices each from all n (with replacement: some examples are seen twice, about n/e never)."""
    if with_replacement:
        return [torch.randint(0, n, (batch_size,), generator=generator) for _ in range(math.ceil(n / batch_size))]
    return list(torch.randperm(n, generator=generator).split(batch_size))


def train_ch11(update: Update, hyper: dict, dataset: TensorDataset, batch_size: int, epochs: int, *, seed: int = 0,
               with_replacement: bool = False, eval_every: int = 200) -> pd.DataFrame:
    """Linear regression trained from scratch with any update rule of d2lcore.optim (zh-v2 §11.5.4 `train_ch11`).

    w ~ N(0, 0.01²), b = 0; each minibatch: (w, s_w) ← update(w, ∂w, s_w, **hyper), same for b. The loss on the
    whole data set is recorded at the start and whenever the number of examples seen passes a multiple of
    `eval_every` (and at the end). `seconds` counts only the time spent in updates, not in evaluation.
    Returns a DataFrame with columns epoch (fractional), examples_seen, seconds, loss.
    """
    X, y = dataset.tensors
    n, d = X.shape
    gen = torch.Generator().manual_seed(seed)
    w = 0.01 * torch.randn(d, 1, generator=gen, dtype=X.dtype)
    b = torch.zeros(1, dtype=X.dtype)
    s_w, s_b = (), ()
    rows, seen, seconds = [], 0, 0.0

    def record() -> None:
        rows.append({"epoch": seen / n, "examples_seen": seen, "seconds": seconds,
                     "loss": float(squared_loss_grad(X, y, w, b)[0])})

    record()
    for _ in range(epochs):
        for idx in _batches(n, batch_size, with_replacement, gen):
            start = time.perf_counter()
            _, g_w, g_b = squared_loss_grad(X[idx], y[idx], w, b)
            w, s_w = update(w, g_w, s_w, **hyper)
            b, s_b = update(b, g_b, s_b, **hyper)
            seconds += time.perf_counter() - start
            before, seen = seen, seen + len(idx)
            if seen // eval_every > before // eval_every:
                record()
    if rows[-1]["examples_seen"] != seen:
        record()
    return pd.DataFrame(rows)


def least_squares_loss(dataset: TensorDataset) -> float:
    """The smallest attainable loss ½·mean((Xw + b − y)²), from torch.linalg.lstsq on [X, 1] (a floor for plots)."""
    X, y = (t.double() for t in dataset.tensors)
    A = torch.cat([X, torch.ones(len(X), 1, dtype=X.dtype)], 1)
    theta = torch.linalg.lstsq(A, y).solution
    return float(0.5 * ((A @ theta - y) ** 2).mean())


def sgd_sampling_runs(dataset: TensorDataset, lr: float, epochs: int, seeds: int, with_replacement: bool
                      ) -> Tensor:
    """Single-example SGD (batch size 1) on linear regression, `seeds` independent runs at once (exercise 11.4.3).

    Without replacement every epoch visits a fresh permutation of the n examples; with replacement each step draws
    an index uniformly from all n. All runs start at w = 0, b = 0. Returns the loss ½·mean((Xw + b − y)²) on the
    whole set after every epoch: shape (epochs + 1, seeds).
    """
    X, y = dataset.tensors
    n, d = X.shape
    gen = torch.Generator().manual_seed(1234)
    w = torch.zeros(seeds, d, dtype=X.dtype)  # (S, d): one parameter vector per run
    b = torch.zeros(seeds, dtype=X.dtype)
    S = torch.arange(seeds)

    def loss() -> Tensor:
        return 0.5 * ((X @ w.T + b - y) ** 2).mean(0)  # (n, S) residuals → (S,)

    out = [loss()]
    for _ in range(epochs):
        if with_replacement:
            order = torch.randint(0, n, (seeds, n), generator=gen)
        else:
            order = torch.rand(seeds, n, generator=gen).argsort(dim=1)  # one permutation per run
        for t in range(n):
            idx = order[S, t]  # (S,)
            r = (X[idx] * w).sum(1) + b - y[idx, 0]  # (S,) residual of each run's example
            w = w - lr * r[:, None] * X[idx]
            b = b - lr * r
        out.append(loss())
    return torch.stack(out)
