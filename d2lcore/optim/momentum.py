"""Momentum (zh-v2 §11.6): the leaky-averaged gradient, its stability region and the section's ill-conditioned
objective f(x) = 0.1 x₁² + 2 x₂².

    v_t = β v_{t−1} + g_t,          x_t = x_{t−1} − η v_t

This is torch.optim.SGD(lr=η, momentum=β) exactly (dampening 0, no Nesterov): torch starts its buffer at v_1 = g_1,
which is β·0 + g_1. On f = λx²/2 the pair (v, x) evolves linearly,

    [v_t, x_t]ᵀ = M [v_{t−1}, x_{t−1}]ᵀ,   M = [[β, λ], [−ηβ, 1 − ηλ]],   tr M = 1 + β − ηλ,   det M = β,

so the iteration converges iff both eigenvalues of M lie inside the unit circle: 0 ≤ β < 1 and 0 < ηλ < 2 + 2β.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from d2lcore.optim.objectives import Objective2D, quadratic_form


def momentum(x: Tensor, g: Tensor, state: tuple = (), *, lr: float, beta: float) -> tuple[Tensor, tuple]:
    """v ← β v + g,  x ← x − η v   (zh-v2 §11.6.2). state = (v,); () on the first step (v = 0)."""
    (v,) = state if state else (torch.zeros_like(x),)
    v = beta * v + g
    return x - lr * v, (v,)


def iteration_matrix(lr: float, beta: float, lam: float) -> np.ndarray:
    """M = [[β, λ], [−ηβ, 1 − ηλ]]: one momentum step on f = λx²/2 for the state (v, x)."""
    return np.array([[beta, lam], [-lr * beta, 1.0 - lr * lam]], dtype=np.float64)


def spectral_radius(eta_lam: np.ndarray | float, beta: np.ndarray | float) -> np.ndarray:
    """max |z| over the roots of z² − (1 + β − ηλ) z + β = 0 (the eigenvalues of M), vectorised over a grid."""
    p = 1.0 + np.asarray(beta, dtype=np.float64) - np.asarray(eta_lam, dtype=np.float64)
    q = np.asarray(beta, dtype=np.float64) + 0j
    root = np.sqrt(p * p - 4 * q)  # complex square root: covers the oscillating (complex-root) case
    return np.maximum(np.abs((p + root) / 2), np.abs((p - root) / 2))


def momentum_stable(lr: float, beta: float, lam: float) -> bool:
    """|eigenvalues of M| < 1  ⇔  0 < ηλ < 2 + 2β (for 0 ≤ β < 1)."""
    return bool(np.max(np.abs(np.linalg.eigvals(iteration_matrix(lr, beta, lam)))) < 1.0)


def effective_lr(lr: float, beta: float) -> float:
    """η Σ_{τ≥0} β^τ = η / (1 − β): the step a constant gradient eventually gets."""
    return lr / (1.0 - beta)


def ill_conditioned_quadratic(a: float = 0.1, b: float = 2.0, rotated: bool = False) -> Objective2D:
    """f(x) = a x₁² + b x₂²  (zh-v2 §11.6.1, a = 0.1, b = 2: Hessian diag(0.2, 4), condition number 20); with
    `rotated`, the exercises' f(x) = a (x₁ + x₂)² + b (x₁ − x₂)² = xᵀ A x, A = [[a + b, a − b], [a − b, a + b]].

    The rotated form is a 45° rotation *and* a scaling by 2: x₁ + x₂ = √2 u, so its Hessian 2A has eigenvalues
    4a and 4b, twice those of the original.
    """
    A = [[a + b, a - b], [a - b, a + b]] if rotated else [[a, 0.0], [0.0, b]]
    name = f"{a:g}(x₁+x₂)² + {b:g}(x₁−x₂)²" if rotated else f"{a:g}x₁² + {b:g}x₂²"
    return quadratic_form(2 * torch.tensor(A, dtype=torch.float64), name, (-5.5, 2.0), (-3.0, 3.0))
