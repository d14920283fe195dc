"""Section 4.4 (模型选择、欠拟合和过拟合 Model selection, underfitting and overfitting): the book's cubic with 1/i!
features. Exact least-squares fits, capacity curves against the degree and the training-set size, what the
normalisation does to SGD, and the noise floor. Every number comes from seeded runs of d2lcore.capacity."""

from __future__ import annotations

import itertools

import numpy as np
import sympy
import torch

from d2lcore import capacity as cap
from solutions import Solution, explain, solver, variant

CURVE_SEEDS = range(20)  # data sets summarised (mean or median) in the capacity curves
SIZES = [5, 10, 20, 40, 80, 160, 320]


def _fmt_vector(w: torch.Tensor) -> str:
    return "(" + ", ".join(f"{float(v):.3f}" for v in w) + ")"


@solver("4.4.1")
def solve_4_4_1(seed: int = 0) -> Solution:
    """ŵ = (ΦᵀΦ)⁻¹Φᵀy on the four features 1, x, x²/2!, x³/3! of the seeded training set, and its training MSE."""
    data = cap.polynomial_data(seed=seed)
    Phi = cap.polynomial_features(data.x_train, 4)  # (100, 4)
    w = cap.normal_equations(Phi, data.y_train)
    train_loss = cap.mse(Phi @ w, data.y_train)
    raw = w / torch.exp(torch.lgamma(torch.arange(4.0, dtype=torch.float64) + 1))  # coefficients of xⁱ
    values = {"w": _fmt_vector(w), "raw": _fmt_vector(raw), "loss": f"{train_loss:.4f}",
              "expected": f"{float(cap.expected_train_mse(100, 4, 0.1)):.4f}"}
    return Solution(answer={"w": [float(v) for v in w], "loss": train_loss}, explanation=explain("4.4.1", **values),
                    data=values)


def interpolation_degree(x: torch.Tensor) -> int:
    """Smallest degree whose least-squares fit passes through every training point: (number of distinct x) − 1.

    With n distinct points the n × n Vandermonde matrix [x_kⁱ] (i < n) is invertible, so n coefficients fit any
    labels; with n − 1 coefficients noisy labels are not matched in general.
    """
    return len(torch.unique(x)) - 1


def median_curves() -> dict[str, list[float]]:
    """Training and test MSE of the exact fit against the degree, the median over 20 seeded data sets (a mean
    would be ruled by the one draw whose degree-19 fit explodes on a far-out test point)."""
    curves = [cap.losses_by_degree(cap.polynomial_data(seed=s)) for s in CURVE_SEEDS]
    return {"degree": curves[0]["degree"], "train": np.median([c["train"] for c in curves], axis=0).tolist(),
            "test": np.median([c["test"] for c in curves], axis=0).tolist()}


@solver("4.4.2a")
def solve_4_4_2a(seed: int = 0) -> Solution:
    """The training loss of nested models never rises with the degree; interpolation needs degree n − 1."""
    curve = cap.losses_by_degree(cap.polynomial_data(seed=seed))
    train = curve["train"]
    rises = any(b > a * (1 + 1e-9) for a, b in itertools.pairwise(train))
    data = cap.polynomial_data(seed=seed)
    degree = interpolation_degree(data.x_train)
    values = {"t0": f"{train[0]:.2f}", "t3": f"{train[3]:.4f}", "t19": f"{train[-1]:.4f}", "degree": degree,
              "n": len(data.x_train)}
    return Solution(answer={"trend": "rises" if rises else "falls", "degreeZero": float(degree)},
                    explanation=explain("4.4.2a", **values), data=values)


@solver("4.4.2b")
def solve_4_4_2b(seed: int = 0) -> Solution:
    """The test MSE against the degree, median over 20 data sets: down to the true degree, then up (a U)."""
    curve = median_curves()
    test = curve["test"]
    best = int(np.argmin(test))
    shape = "u" if test[-1] > 2 * test[best] and test[0] > 2 * test[best] else "down"
    values = {"best": best, "tBest": f"{test[best]:.4f}", "t0": f"{test[0]:.2f}", "t19": f"{test[-1]:.3g}",
              "t10": f"{test[10]:.4f}"}
    return Solution(answer={"shape": shape, "bestDegree": float(best)}, explanation=explain("4.4.2b", **values),
                    data=values)


@solver("4.4.2c")
def solve_4_4_2c(seed: int = 0) -> Solution:
    """Training and test MSE of the cubic fit against the training-set size (mean over 20 seeds), and
    E[training MSE] = σ²(n − p)/n."""
    runs = [cap.losses_by_size(3, SIZES, seed=s) for s in CURVE_SEEDS]
    train = np.mean([r["train"] for r in runs], axis=0)
    test = np.median([r["test"] for r in runs], axis=0)
    n, p, sigma = sympy.symbols("n p sigma", positive=True)
    formula = cap.expected_train_mse(n, p, sigma)
    formula = formula.subs({s: sympy.Symbol(s.name) for s in (n, p, sigma)})  # the checker's plain symbols
    values = {"trainSmall": f"{train[1]:.4f}", "trainLarge": f"{train[-1]:.4f}", "testSmall": f"{test[1]:.4f}",
              "testLarge": f"{test[-1]:.4f}", "formula": sympy.latex(formula)}
    answer = {"trainTrend": "rises" if train[-1] > train[1] else "falls",
              "testTrend": "falls" if test[-1] < test[1] else "rises", "trainLoss": formula}
    return Solution(answer=answer, explanation=explain("4.4.2c", **values), data=values)


@solver("4.4.3")
def solve_4_4_3(seed: int = 0) -> Solution:
    """Without 1/i! the features reach ~10⁹: the gradient-descent stability bound η < n/λ_max(ΦᵀΦ) falls far below
    the book's 0.01, and SGD overflows. Standardising the columns restores a usable bound."""
    data = cap.polynomial_data(seed=seed)
    raw = cap.polynomial_features(data.x_train, normalise=False)
    bounds = {"normalised": cap.gd_stability_bound(cap.polynomial_features(data.x_train)),
              "raw": cap.gd_stability_bound(raw), "standardised": cap.gd_stability_bound(cap.standardise(raw))}
    _, history = cap.sgd_polynomial(data, scaling="raw", epochs=3, seed=seed)
    diverges = not np.isfinite(history.train_loss[-1])
    std = {lr: cap.sgd_polynomial(data, scaling="standardised", lr=lr, epochs=30, seed=seed)[1].train_loss
           for lr in (0.01, 0.003)}
    rescue = np.isfinite(std[0.003][-1]) and std[0.003][-1] < std[0.003][0]
    values = {"biggest": f"{float(raw.abs().max()):.3g}", "raw": f"{bounds['raw']:.2g}",
              "log": f"{np.log10(bounds['raw']):.1f}", "normalised": f"{bounds['normalised']:.2f}",
              "standardised": f"{bounds['standardised']:.3f}", "std01": f"{std[0.01][-1]:.3g}",
              "std003": f"{std[0.003][-1]:.3g}"}
    answer = {"outcome": "diverges" if diverges else "slower", "log10lr": float(np.log10(bounds["raw"])),
              "fix": "rescale" if rescue else "more"}
    return Solution(answer=answer, explanation=explain("4.4.3", **values), data=values)


@variant("4.4.4")
def variant_4_4_4(seed: int) -> dict:
    """The noise level σ (seed 0: the book's 0.1)."""
    return {"sigma": 0.1 if seed == 0 else float(np.random.default_rng(seed).choice([0.05, 0.2, 0.3, 0.5, 1.0]))}


@solver("4.4.4")
def solve_4_4_4(seed: int = 0, sigma: float = 0.1) -> Solution:
    """The test MSE of the true cubic on 100,000 fresh points: the floor σ² that no model can beat."""
    floor = cap.noise_floor(sigma, seed=seed)
    fitted = cap.poly_losses(cap.polynomial_data(noise=sigma, seed=seed), 3)[1]
    values = {"sigma": sigma, "var": f"{sigma**2:g}", "floor": f"{floor:.4g}", "fitted": f"{fitted:.4g}"}
    return Solution(answer={"possible": "no", "floor": floor}, explanation=explain("4.4.4", **values), data=values)
