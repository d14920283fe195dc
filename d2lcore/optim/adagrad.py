"""AdaGrad (zh-v2 §11.7): a per-coordinate learning rate that shrinks with the accumulated squared gradient.

    s_t = s_{t−1} + g_t²,           x_t = x_{t−1} − η / √(s_t + ε) ⊙ g_t

The book puts ε inside the square root; torch.optim.Adagrad computes x − η g / (√s + ε), ε outside. The two agree
when ε → 0 (they differ by O(ε/√s)); with the defaults (book 1e-6, torch 1e-10) the difference is tiny once s is
not tiny. Being coordinate-wise, AdaGrad is not rotation invariant: its trajectory on a rotated problem is not the
rotated trajectory.
"""

from __future__ import annotations

import torch
from torch import Tensor


def adagrad(x: Tensor, g: Tensor, state: tuple = (), *, lr: float, eps: float = 1e-6) -> tuple[Tensor, tuple]:
    """s ← s + g²,  x ← x − η g / √(s + ε)   (zh-v2 §11.7.4). state = (s,); () on the first step (s = 0)."""
    (s,) = state if state else (torch.zeros_like(x),)
    s = s + g * g
    return x - lr * g / torch.sqrt(s + eps), (s,)


def adagrad_power(x: Tensor, g: Tensor, state: tuple = (), *, lr: float, power: float = 0.5,
                  eps: float = 1e-6) -> tuple[Tensor, tuple]:
    """A gentler AdaGrad: x ← x − η g / (s + ε)^p with p < ½ (p = ½ is AdaGrad). With a constant gradient the
    effective rate falls like t^(−p) instead of t^(−½)."""
    (s,) = state if state else (torch.zeros_like(x),)
    s = s + g * g
    return x - lr * g / (s + eps) ** power, (s,)


def effective_rate(gradients: Tensor, lr: float, power: float = 0.5, eps: float = 1e-6) -> Tensor:
    """η_t = η / (Σ_{τ≤t} g_τ² + ε)^p for a sequence of gradients of shape (T, ...): the per-coordinate rate."""
    return lr / (torch.cumsum(gradients * gradients, dim=0) + eps) ** power
