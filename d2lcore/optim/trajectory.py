"""Run an update rule of d2lcore.optim for a number of steps and keep every iterate (zh-v2 §11.3–11.4).

x0 may hold a batch of starting points (k, d) or the same point repeated for k seeds: every step updates all at once.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

Update = Callable[..., tuple[Tensor, tuple]]
Grad = Callable[[Tensor], Tensor]


def trajectory(update: Update, grad: Grad, x0: Tensor, steps: int, **hyper) -> Tensor:
    """x_{t+1}, s_{t+1} = update(x_t, ∇f(x_t), s_t, **hyper).

    Returns [x_0, …, x_steps] stacked: shape (steps+1, *x0.shape).
    """
    xs, x, state = [x0], x0, ()
    for _ in range(steps):
        x, state = update(x, grad(x), state, **hyper)
        xs.append(x)
    return torch.stack(xs)


def linear_trajectory(M: Tensor, x0: Tensor, steps: int) -> Tensor:
    """x_t = Mᵗ x_0 for t = 0, …, steps: the iterates of an update that is linear in x, such as GD on a quadratic
    ½xᵀAx (M = I − ηA) or diagonal preconditioning (M = I − η diag(A)⁻¹A)   (zh-v2 §11.3.3).

    Built by doubling instead of stepping: with the first n iterates known, the next n are (Mⁿ x_0, …, Mⁿ x_{n−1}),
    one batched product, and Mⁿ squares to M²ⁿ. So 2,000 steps take 11 products instead of 2,000 Python-level
    updates. Returns the same shape as `trajectory`: (steps+1, *x0.shape).
    """
    xs, P = x0.unsqueeze(0), M.to(x0.dtype)  # xs = (x_0, …, x_{n−1}), P = Mⁿ
    while len(xs) <= steps:
        xs = torch.cat([xs, xs @ P.T])  # x_{n+i} = Mⁿ x_i
        P = P @ P
    return xs[: steps + 1]


def stochastic_trajectory(update: Update, grad: Grad, x0: Tensor, steps: int, noise_std: float,
                          generator: torch.Generator, lr_schedule: Callable[[int], float | Tensor] | None = None,
                          **hyper) -> Tensor:
    """SGD on a noisy gradient (zh-v2 §11.4.1): g_t = ∇f(x_t) + σ ε_t, ε_t ~ N(0, I), and step t = 1, 2, … uses
    η_t = η · schedule(t) (the book's `lr()` multiplier: constant 1, exponential e^{−0.1t}, polynomial (1+0.1t)^{−½}).

    Noise is drawn from `generator` with x0's shape, so a batch x0 of shape (k, d) runs k independent chains.
    Returns shape (steps+1, *x0.shape).
    """
    xs, x, state = [x0], x0, ()
    lr = hyper.pop("lr")
    for t in range(1, steps + 1):
        eps = torch.randn(x.shape, generator=generator, dtype=x.dtype)
        eta = lr * (lr_schedule(t) if lr_schedule is not None else 1.0)
        x, state = update(x, grad(x) + noise_std * eps, state, lr=eta, **hyper)
        xs.append(x)
    return torch.stack(xs)
