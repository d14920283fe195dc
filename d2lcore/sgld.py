"""Stochastic gradient Langevin dynamics (Welling & Teh, 2011; exercise 11.11.5): SGD plus Gaussian noise of
variance equal to the step size samples from p(θ) instead of finding its mode.

    θ_{t+1} = θ_t + (ε/2) ĝ(θ_t) + √ε ξ_t,    ξ_t ~ N(0, 1),   ĝ = ∇ log p(θ) (+ gradient noise from minibatches)

Without the √ε ξ_t term this is gradient ascent on log p (descent on −log p), which stops at a mode; with it, for a
small ε, the iterates are (approximately, with an O(ε) bias) distributed as p. Welling & Teh let ε_t → 0 so that the
bias vanishes and the minibatch noise (of order ε_t) becomes negligible next to the injected noise (of order √ε_t).

The target here is a 1-D Gaussian mixture p(θ) = Σ_k w_k N(θ; μ_k, σ_k²) (bimodal with the default parameters).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass(frozen=True)
class Mixture:
    """p(θ) = Σ_k w_k N(θ; μ_k, σ_k²)."""

    weights: tuple[float, ...] = (0.3, 0.7)
    means: tuple[float, ...] = (-1.4, 1.4)
    stds: tuple[float, ...] = (0.8, 0.8)

    def _params(self, theta: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        kw = {"dtype": theta.dtype}
        return torch.tensor(self.weights, **kw), torch.tensor(self.means, **kw), torch.tensor(self.stds, **kw)

    def log_components(self, theta: Tensor) -> Tensor:
        """log(w_k N(θ; μ_k, σ_k²)) of shape (..., K)."""
        w, mu, sd = self._params(theta)
        z = (theta.unsqueeze(-1) - mu) / sd
        return w.log() - 0.5 * z**2 - sd.log() - 0.5 * math.log(2 * math.pi)

    def log_pdf(self, theta: Tensor) -> Tensor:
        return torch.logsumexp(self.log_components(theta), dim=-1)

    def pdf(self, theta: Tensor) -> Tensor:
        return self.log_pdf(theta).exp()

    def grad_log_pdf(self, theta: Tensor) -> Tensor:
        """∇ log p(θ) = Σ_k r_k(θ) (μ_k − θ)/σ_k²,  r_k = w_k N_k / p (the responsibilities)."""
        _, mu, sd = self._params(theta)
        r = torch.softmax(self.log_components(theta), dim=-1)
        return (r * (mu - theta.unsqueeze(-1)) / sd**2).sum(-1)

    def cdf(self, theta: Tensor) -> Tensor:
        """F(θ) = Σ_k w_k Φ((θ − μ_k)/σ_k)."""
        w, mu, sd = self._params(theta)
        return (w * 0.5 * (1 + torch.erf((theta.unsqueeze(-1) - mu) / (sd * math.sqrt(2))))).sum(-1)

    def mean(self) -> float:
        """E θ = Σ_k w_k μ_k."""
        return sum(w * m for w, m in zip(self.weights, self.means, strict=True))

    def variance(self) -> float:
        """Var θ = Σ_k w_k (σ_k² + μ_k²) − (E θ)²."""
        second = sum(w * (s * s + m * m) for w, m, s in zip(self.weights, self.means, self.stds, strict=True))
        return second - self.mean() ** 2


def sgld(target: Mixture, chains: int = 400, steps: int = 1500, step_size: float = 0.1, *, burn_in: int = 300,
         grad_noise: float = 0.0, inject_noise: bool = True, noise_scale: float = 1.0, seed: int = 0,
         start_std: float = 3.0) -> Tensor:
    """Run `chains` SGLD chains in parallel from θ_0 ~ N(0, start_std²); return the iterates after burn-in, flattened.

    ĝ = ∇ log p + grad_noise · N(0, 1) imitates a minibatch gradient. inject_noise=False gives plain stochastic
    gradient ascent on log p. noise_scale multiplies the injected noise (1 = the correct √ε; other values sample the
    tempered density p^{1/noise_scale²}).
    """
    g = torch.Generator().manual_seed(seed)
    theta = start_std * torch.randn(chains, generator=g, dtype=torch.float64)
    kept = []
    for t in range(steps):
        grad = target.grad_log_pdf(theta)
        if grad_noise > 0:
            grad = grad + grad_noise * torch.randn(chains, generator=g, dtype=torch.float64)
        theta = theta + 0.5 * step_size * grad
        if inject_noise:
            theta = theta + noise_scale * math.sqrt(step_size) * torch.randn(chains, generator=g, dtype=torch.float64)
        if t >= burn_in:
            kept.append(theta)
    return torch.cat(kept)


def ks_distance(samples: Tensor, target: Mixture) -> float:
    """Kolmogorov–Smirnov distance sup_θ |F_n(θ) − F(θ)| between the empirical CDF of samples and the target's."""
    x, _ = torch.sort(samples)
    n = x.numel()
    F = target.cdf(x)
    upper = torch.arange(1, n + 1, dtype=x.dtype) / n - F
    lower = F - torch.arange(0, n, dtype=x.dtype) / n
    return float(torch.maximum(upper, lower).max())
