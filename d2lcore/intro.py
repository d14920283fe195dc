"""Chapter 1: learning a decision rule from data instead of fixing it by hand (zh-v2 §1.2, exercise 1.9.1).

The smallest machine-learning problem: one feature x, two classes y ∈ {0, 1}, and the rule ŷ = [x > t].
A hand-written program fixes t; a learning program picks t from labelled examples by minimising the error rate.
"""

from __future__ import annotations

import math

import numpy as np


def two_class_data(n: int, gap: float, noise: float = 1.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n examples per class: x | y=0 ~ N(−gap/2, noise²), x | y=1 ~ N(+gap/2, noise²). Returns (x, y) shuffled."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(-gap / 2, noise, n), rng.normal(gap / 2, noise, n)])
    y = np.concatenate([np.zeros(n, dtype=np.int64), np.ones(n, dtype=np.int64)])
    order = rng.permutation(2 * n)
    return x[order], y[order]


def error_rate(x: np.ndarray, y: np.ndarray, t: float) -> float:
    """err(t) = (1/n) Σ_i [ [x_i > t] ≠ y_i ]   — the 0–1 loss averaged over the examples."""
    return float(np.mean((x > t).astype(np.int64) != y))


def fit_threshold(x: np.ndarray, y: np.ndarray) -> float:
    """t̂ = argmin_t err(t), searched over the midpoints between consecutive sorted x (and beyond both ends).

    With the examples sorted, putting t between x_(k) and x_(k+1) misclassifies the class-1 examples among the
    first k plus the class-0 examples among the rest, so all n+1 candidate errors come from two cumulative sums.
    """
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    ones_below = np.concatenate([[0], np.cumsum(ys)])  # class-1 examples at or below the cut
    zeros_above = np.concatenate([[0], np.cumsum((1 - ys)[::-1])])[::-1]  # class-0 examples above the cut
    errors = ones_below + zeros_above  # errors[k]: cut after the k smallest examples
    k = int(np.argmin(errors))
    if k == 0:
        return float(xs[0] - 1.0)
    if k == len(xs):
        return float(xs[-1] + 1.0)
    return float((xs[k - 1] + xs[k]) / 2)


def bayes_threshold(gap: float, noise: float = 1.0, prior_one: float = 0.5) -> float:
    """t* = σ² · ln(π₀ / π₁) / gap: where the two weighted class densities cross (equal variances σ² = noise²)."""
    return noise**2 * math.log((1 - prior_one) / prior_one) / gap


def bayes_error(gap: float, noise: float = 1.0) -> float:
    """Lowest possible error for equal priors: Φ(−gap / (2σ)) = ½ · erfc(gap / (2√2 σ))."""
    return 0.5 * math.erfc(gap / (2 * math.sqrt(2) * noise))
