"""RMSProp (zh-v2 §11.8): AdaGrad with a leaky average of the squared gradient instead of a sum.

    s_t = γ s_{t−1} + (1 − γ) g_t²,      x_t = x_{t−1} − η / √(s_t + ε) ⊙ g_t

Unrolled from s_0 = 0: s_t = (1 − γ) Σ_{τ=1}^{t} γ^{t−τ} g_τ², weights that sum to 1 − γ^t (→ 1; the average forgets
with time constant ≈ 1/(1 − γ)). torch.optim.RMSprop(alpha=γ) computes x − η g / (√s + ε): ε outside the root
(book ε = 1e-6 inside, torch 1e-8 outside); they agree as ε → 0. With γ = 1, s stays 0 and the step is η g / √ε.
"""

from __future__ import annotations

import torch
from torch import Tensor


def rmsprop(x: Tensor, g: Tensor, state: tuple = (), *, lr: float, gamma: float = 0.9,
            eps: float = 1e-6) -> tuple[Tensor, tuple]:
    """s ← γ s + (1 − γ) g²,  x ← x − η g / √(s + ε)   (zh-v2 §11.8.2). state = (s,); () on the first step."""
    (s,) = state if state else (torch.zeros_like(x),)
    s = gamma * s + (1 - gamma) * g * g
    return x - lr * g / torch.sqrt(s + eps), (s,)


def leaky_weights(gamma: float, t: int) -> Tensor:
    """w_τ = (1 − γ) γ^{t−τ}, τ = 1 … t: the weight of g_τ² in s_t (float64, oldest first); Σ w = 1 − γ^t."""
    tau = torch.arange(1, t + 1, dtype=torch.float64)
    return (1 - gamma) * gamma ** (t - tau)


def rmsprop_scheduled(x: Tensor, g: Tensor, state: tuple = (), *, lr: float, gamma_start: float = 0.9,
                      gamma_end: float = 0.999, ramp: int = 100, eps: float = 1e-6) -> tuple[Tensor, tuple]:
    """RMSProp whose γ_t moves linearly from γ_start to γ_end over the first `ramp` steps (then stays).
    state = (s, t)."""
    s, t = state if state else (torch.zeros_like(x), 0)
    t += 1
    gamma = gamma_start + (gamma_end - gamma_start) * min(t, ramp) / ramp
    s = gamma * s + (1 - gamma) * g * g
    return x - lr * g / torch.sqrt(s + eps), (s, t)
