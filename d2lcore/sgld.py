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
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
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

    def grad_log_pdf_fn(self) -> Callable[[np.ndarray], np.ndarray]:
        """∇ log p for a float64 numpy θ of shape (chains,), constants computed once (for loops over many steps):
        with d_k = θ − μ_k, log(w_k N_k) = c_k − d_k²/(2σ_k²), c_k = log w_k − log σ_k − ½ log 2π, and
        ∇ log p = Σ_k r_k(θ)·(−d_k/σ_k²), r = softmax_k(log(w_k N_k)) (shifted by its max before exp).

        Plain numpy elementwise operations: no torch kernel here starts a thread pool (torch.softmax on a (chains, 2)
        tensor took milliseconds per call on a busy 2-core machine), and each costs about a microsecond.
        """
        w, mu, sd = (np.asarray(v, dtype=np.float64)[:, None] for v in (self.weights, self.means, self.stds))
        c = np.log(w) - np.log(sd) - 0.5 * math.log(2 * math.pi)  # (K, 1)
        half_prec, neg_prec = -0.5 / sd**2, -1 / sd**2  # (K, 1)

        def grad(theta: np.ndarray) -> np.ndarray:
            d = theta - mu  # (K, chains): components along the first axis, where numpy reduces fastest
            L = d * d * half_prec + c  # log(w_k N_k)
            L -= L.max(0)
            r = np.exp(L, out=L)  # unnormalised responsibilities
            return (r * d * neg_prec).sum(0) / r.sum(0)

        return grad

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
    theta = start_std * torch.randn(chains, generator=g, dtype=torch.float64).numpy()
    grad_log_pdf = target.grad_log_pdf_fn()
    kept = np.empty((max(steps - burn_in, 0), chains))
    for t in range(steps):  # numpy for the update (a step is a few hundred numbers), torch's generator for the noise
        grad = grad_log_pdf(theta)
        if grad_noise > 0:
            grad += grad_noise * torch.randn(chains, generator=g, dtype=torch.float64).numpy()
        theta = theta + 0.5 * step_size * grad
        if inject_noise:
            theta += noise_scale * math.sqrt(step_size) * torch.randn(chains, generator=g, dtype=torch.float64).numpy()
        if t >= burn_in:
            kept[t - burn_in] = theta
    return torch.from_numpy(kept.reshape(-1))


def ks_distance(samples: Tensor, target: Mixture) -> float:
    """Kolmogorov–Smirnov distance sup_θ |F_n(θ) − F(θ)| between the empirical CDF of samples and the target's.

    With x_(1) ≤ … ≤ x_(n) sorted and u_i = i/n − F(x_(i)): D = max_i max(u_i, 1/n − u_i) = max(max u, 1/n − min u),
    where F(x) = Σ_k w_k ½(1 + erf((x − μ_k)/(σ_k√2))) as in Mixture.cdf. Computed in numpy (its sort is an order of
    magnitude faster than torch.sort on the CPU, and its operations never start a thread pool); only erf is torch's.
    """
    x = np.sort(samples.detach().reshape(-1).cpu().numpy().astype(np.float64))
    n = x.size
    w, mu, sd = (np.asarray(v, dtype=np.float64) for v in (target.weights, target.means, target.stds))
    erf = torch.erf(torch.from_numpy((x[:, None] - mu) / (sd * math.sqrt(2)))).numpy()  # (n, K)
    F = (0.5 * w * (1 + erf)).sum(1)
    u = np.arange(1, n + 1) / n - F
    return float(max(u.max(), 1 / n - u.min()))
