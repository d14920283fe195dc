"""Adadelta (zh-v2 §11.9): an adaptive method whose step size comes from the history of its own updates.

    s_t  = ρ s_{t−1} + (1 − ρ) g_t²                              (leaky average of squared gradients)
    g'_t = √(Δx_{t−1} + ε) / √(s_t + ε) ⊙ g_t                    (rescaled gradient)
    x_t  = x_{t−1} − η g'_t                                      (the book: η = 1, "no learning rate")
    Δx_t = ρ Δx_{t−1} + (1 − ρ) g'_t²                            (leaky average of squared updates)

This is exactly torch.optim.Adadelta(lr=η, rho=ρ, eps=ε) (ε inside both square roots in both).

The rules use only arithmetic and ** 0.5, so x and g may be tensors, numpy arrays or plain floats: a run on one
number steps in Python floats at a small fraction of the cost of torch's per-call overhead (exercise 11.9.3).
"""

from __future__ import annotations

from torch import Tensor


def adadelta(x: Tensor, g: Tensor, state: tuple = (), *, lr: float = 1.0, rho: float = 0.9,
             eps: float = 1e-5) -> tuple[Tensor, tuple]:
    """One Adadelta step (formulas in the module docstring). state = (s, Δx); () on the first step."""
    s, delta = state if state else (x * 0, x * 0)
    s = rho * s + (1 - rho) * g * g
    g_prime = (delta + eps) ** 0.5 / (s + eps) ** 0.5 * g
    delta = rho * delta + (1 - rho) * g_prime * g_prime
    return x - lr * g_prime, (s, delta)


def adadelta_without_rescaled(x: Tensor, g: Tensor, state: tuple = (), *, lr: float = 1.0, rho: float = 0.9,
                              eps: float = 1e-5) -> tuple[Tensor, tuple]:
    """Adadelta written without the intermediate g'_t (exercise 11.9.2): the state holds the update u = x_t − x_{t−1}
    of the previous step instead of nothing extra, and Δx is updated from the step actually taken:

        s_t = ρ s_{t−1} + (1 − ρ) g_t²,   x_t = x_{t−1} − η √(Δx_{t−1} + ε)/√(s_t + ε) ⊙ g_t,
        Δx_t = ρ Δx_{t−1} + (1 − ρ) ((x_t − x_{t−1}) / η)².

    Only two buffers of the size of x (s and Δx) and one temporary: the update is written into x in place in a real
    optimizer, and Δx is accumulated from the difference of the iterates. Same iterates as `adadelta`.
    """
    s, delta = state if state else (x * 0, x * 0)
    s = rho * s + (1 - rho) * g * g
    x_new = x - lr * ((delta + eps) / (s + eps)) ** 0.5 * g
    delta = rho * delta + (1 - rho) * ((x_new - x) / lr) ** 2
    return x_new, (s, delta)
