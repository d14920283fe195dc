"""Adam and Yogi (zh-v2 §11.10).

Adam, with t counted from 1:
    v_t = β₁ v_{t−1} + (1 − β₁) g_t,        s_t = β₂ s_{t−1} + (1 − β₂) g_t²
    v̂_t = v_t / (1 − β₁ᵗ),                  ŝ_t = s_t / (1 − β₂ᵗ)          (bias correction)
    x_t = x_{t−1} − η v̂_t / (√ŝ_t + ε)

torch.optim.Adam computes the same expression (ε outside the square root, added after the bias correction of s):
it matches step for step; only the default ε differs (the book 1e-6, torch 1e-8).

Yogi (Zaheer et al., 2018) replaces the second-moment update by an additive one whose size does not grow with s:
    s_t = s_{t−1} + (1 − β₂) g_t² ⊙ sgn(g_t² − s_{t−1})
(same bias correction and step as Adam; the book uses ε = 1e-3). torch has no Yogi.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

Array = Tensor | np.ndarray  # torch tensors, or numpy arrays (cheaper per call for a few hundred numbers)


def _moments(x: Array, state: tuple) -> tuple[Array, Array, int]:
    if state:
        return state
    zeros = torch.zeros_like if isinstance(x, Tensor) else np.zeros_like
    return zeros(x), zeros(x), 0


def _lerp(a: Array, b: Array, w: float) -> Array:
    """a + w (b − a) = (1 − w) a + w b: the leaky average β a + (1 − β) b with w = 1 − β."""
    return torch.lerp(a, b, w) if isinstance(a, Tensor) else a + w * (b - a)


def _step(x: Array, v: Array, s: Array, t: int, lr: float | Tensor, beta1: float, beta2: float, eps: float) -> Array:
    """x − η v̂ / (√ŝ + ε) with v̂ = v / (1 − β₁ᵗ), ŝ = s / (1 − β₂ᵗ), in as few operations as possible (a step on a
    handful of numbers costs what its number of operations costs). η may be a tensor (one rate per chain)."""
    if isinstance(x, np.ndarray):
        return x - lr / (1 - beta1**t) * v / (np.sqrt(s / (1 - beta2**t)) + eps)
    denom = (s / (1 - beta2**t)).sqrt_().add_(eps)  # √ŝ + ε (a fresh tensor: updating it in place mutates no input)
    if isinstance(lr, Tensor):
        return x - lr / (1 - beta1**t) * v / denom
    return torch.addcdiv(x, v, denom, value=-lr / (1 - beta1**t))


def adam(x: Array, g: Array, state: tuple = (), *, lr: float | Tensor, beta1: float = 0.9, beta2: float = 0.999,
         eps: float = 1e-6) -> tuple[Array, tuple]:
    """One Adam step (formulas in the module docstring). state = (v, s, t); () on the first step.

    The leaky averages are written as lerps: β v + (1 − β) g = v + (1 − β)(g − v).
    """
    v, s, t = _moments(x, state)
    v = _lerp(v, g, 1 - beta1)
    s = _lerp(s, g * g, 1 - beta2)
    return _step(x, v, s, t + 1, lr, beta1, beta2, eps), (v, s, t + 1)


def yogi(x: Array, g: Array, state: tuple = (), *, lr: float | Tensor, beta1: float = 0.9, beta2: float = 0.999,
         eps: float = 1e-3) -> tuple[Array, tuple]:
    """One Yogi step: Adam with s_t = s_{t−1} + (1 − β₂) g_t² ⊙ sgn(g_t² − s_{t−1}). state = (v, s, t)."""
    v, s, t = _moments(x, state)
    v = _lerp(v, g, 1 - beta1)
    g2 = g * g
    if isinstance(s, Tensor):
        s = torch.addcmul(s, g2, torch.sign(g2 - s), value=1 - beta2)
    else:
        s = s + (1 - beta2) * g2 * np.sign(g2 - s)
    return _step(x, v, s, t + 1, lr, beta1, beta2, eps), (v, s, t + 1)


def unbiased_moments(g: Tensor, beta: float = 0.9) -> tuple[Tensor, Tensor]:
    """Exercise 11.10.2: the leaky average with and without bias correction, for a sequence g of shape (T, ...).

    Bias-corrected:  v_t = β v_{t−1} + (1 − β) g_t from v_0 = 0, then v̂_t = v_t / (1 − βᵗ).
    Rewritten (no correction needed): v̂_t = v̂_{t−1} + α_t (g_t − v̂_{t−1}) with α_t = (1 − β) / (1 − βᵗ), i.e. a
    weighted mean whose weights already sum to 1 (α_1 = 1, so v̂_1 = g_1). Returns (corrected, rewritten).
    """
    v = torch.zeros_like(g[0])
    w = torch.zeros_like(g[0])
    corrected, rewritten = [], []
    for t in range(1, g.shape[0] + 1):
        v = beta * v + (1 - beta) * g[t - 1]
        corrected.append(v / (1 - beta ** t))
        alpha = (1 - beta) / (1 - beta ** t)
        w = w + alpha * (g[t - 1] - w)
        rewritten.append(w)
    return torch.stack(corrected), torch.stack(rewritten)
