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

import torch
from torch import Tensor


def _moments(x: Tensor, state: tuple) -> tuple[Tensor, Tensor, int]:
    return state if state else (torch.zeros_like(x), torch.zeros_like(x), 0)


def adam(x: Tensor, g: Tensor, state: tuple = (), *, lr: float, beta1: float = 0.9, beta2: float = 0.999,
         eps: float = 1e-6) -> tuple[Tensor, tuple]:
    """One Adam step (formulas in the module docstring). state = (v, s, t); () on the first step."""
    v, s, t = _moments(x, state)
    t += 1
    v = beta1 * v + (1 - beta1) * g
    s = beta2 * s + (1 - beta2) * g * g
    v_hat, s_hat = v / (1 - beta1 ** t), s / (1 - beta2 ** t)
    return x - lr * v_hat / (s_hat.sqrt() + eps), (v, s, t)


def yogi(x: Tensor, g: Tensor, state: tuple = (), *, lr: float, beta1: float = 0.9, beta2: float = 0.999,
         eps: float = 1e-3) -> tuple[Tensor, tuple]:
    """One Yogi step: Adam with s_t = s_{t−1} + (1 − β₂) g_t² ⊙ sgn(g_t² − s_{t−1}). state = (v, s, t)."""
    v, s, t = _moments(x, state)
    t += 1
    v = beta1 * v + (1 - beta1) * g
    g2 = g * g
    s = s + (1 - beta2) * g2 * torch.sign(g2 - s)
    v_hat, s_hat = v / (1 - beta1 ** t), s / (1 - beta2 ** t)
    return x - lr * v_hat / (s_hat.sqrt() + eps), (v, s, t)


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
