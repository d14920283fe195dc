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
