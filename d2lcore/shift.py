"""Distribution shift (zh-v2 §4.9): a detector and a corrector for covariate shift, and label-shift correction with
a confusion matrix, on generated 2-D data whose true densities are known.

Covariate shift: training inputs from the source q(x), test inputs from the target p(x), p(y | x) unchanged. The
risk under p is E_q[β(x) l(f(x), y)] with β(x) = p(x) / q(x), and a logistic classifier that tells target (z = 1)
from source (z = −1) samples of equal size learns the logit h(x) = log β(x), so β(x) = exp(h(x)).
Label shift: p(x | y) unchanged, the label prior moves; with C_ij = P(ŷ = i | y = j) on the source and
ν = the mean prediction on the target, the target prior solves C p(y) = ν.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import sympy
import torch
from sympy import stats
from torch import Tensor

# --- covariate shift on two Gaussians ---------------------------------------------------------------------------------


def gaussian_samples(n: int, mean: tuple[float, float], generator: torch.Generator) -> Tensor:
    """n points of N(mean, I₂), float64.   # (n, 2)"""
    return torch.randn(n, 2, generator=generator, dtype=torch.float64) + torch.tensor(mean, dtype=torch.float64)


def log_density_ratio(X: Tensor, mu: tuple[float, float]) -> Tensor:
    """log β(x) = log N(x; μ, I) − log N(x; 0, I) = μᵀx − ‖μ‖² / 2   (target N(μ, I), source N(0, I))."""
    m = torch.tensor(mu, dtype=X.dtype)
    return X @ m - 0.5 * (m @ m)


def log_density_ratio_expr(mu: tuple[float, float]) -> sympy.Expr:
    """The same ratio in sympy, from the two densities (not from the closed form): symbols x1, x2."""
    x1, x2 = sympy.symbols("x1 x2")
    m1, m2 = (sympy.nsimplify(v) for v in mu)
    log_p = -((x1 - m1) ** 2 + (x2 - m2) ** 2) / 2
    log_q = -(x1**2 + x2**2) / 2
    return sympy.expand(log_p - log_q)  # the normalising constants cancel


@dataclass
class Logistic:
    """h(x) = wᵀx + b; P(target | x) = sigmoid(h(x))."""

    w: Tensor
    b: float

    def logit(self, X: Tensor) -> Tensor:
        return X @ self.w + self.b


def fit_logistic(X: Tensor, z: Tensor, steps: int = 50) -> Logistic:
    """Maximum likelihood logistic regression (labels z ∈ {0, 1}) by L-BFGS on the mean log loss
    (1/n) Σ log(1 + exp(−(2z − 1) h(x)))."""
    params = torch.zeros(X.shape[1] + 1, dtype=X.dtype, requires_grad=True)
    optimizer = torch.optim.LBFGS([params], max_iter=steps, line_search_fn="strong_wolfe")
    sign = 2 * z.to(X.dtype) - 1

    def closure() -> Tensor:
        optimizer.zero_grad()
        h = X @ params[:-1] + params[-1]
        loss = torch.nn.functional.softplus(-sign * h).mean()
        loss.backward()
        return loss

    optimizer.step(closure)
    p = params.detach()
    return Logistic(w=p[:-1], b=float(p[-1]))


def covariate_discriminator(n: int, mu: tuple[float, float], seed: int = 0) -> tuple[Logistic, float]:
    """A covariate-shift detector: fit the logistic discriminator on n source (z = 0) and n target (z = 1) points,
    return it and its accuracy on a fresh held-out set of the same size. Accuracy ≈ 0.5 means no detectable shift."""
    g = torch.Generator().manual_seed(seed)
    X = torch.cat([gaussian_samples(n, (0.0, 0.0), g), gaussian_samples(n, mu, g)])
    z = torch.cat([torch.zeros(n), torch.ones(n)])
    model = fit_logistic(X, z)
    X_test = torch.cat([gaussian_samples(n, (0.0, 0.0), g), gaussian_samples(n, mu, g)])
    accuracy = float(((model.logit(X_test) > 0).to(z.dtype) == z).double().mean())
    return model, accuracy


def bayes_discriminator_accuracy(distance: float) -> float:
    """The best accuracy for telling N(0, I) from N(μ, I) at equal priors: Φ(‖μ‖ / 2) (threshold at the midpoint)."""
    return 0.5 * (1 + math.erf(distance / 2 / math.sqrt(2)))


# --- the corrector: importance-weighted least squares --------------------------------------------------------------


def regression_target(X: Tensor, noise: float, generator: torch.Generator) -> Tensor:
    """y = x₁² + ε, ε ~ N(0, noise²): a curve a linear model fits only locally, so where it is fitted matters."""
    return X[:, 0] ** 2 + noise * torch.randn(len(X), generator=generator, dtype=X.dtype)


def weighted_least_squares(X: Tensor, y: Tensor, beta: Tensor | None = None) -> Tensor:
    """argmin_c Σ_i β_i (y_i − c₀ − c₁ x_i1 − c₂ x_i2)²  (β = 1: ordinary least squares). Returns c (3,)."""
    Phi = torch.cat([torch.ones(len(X), 1, dtype=X.dtype), X], dim=1)  # (n, 3)
    r = torch.ones_like(y) if beta is None else beta.sqrt()
    return torch.linalg.lstsq(Phi * r[:, None], y * r).solution


def squared_risk(c: Tensor, X: Tensor, y: Tensor) -> float:
    """(1/n) Σ (y_i − c₀ − c₁ x_i1 − c₂ x_i2)²."""
    return float(((y - c[0] - X @ c[1:]) ** 2).mean())


@cache
def linear_fit_risk_expr() -> sympy.Expr:
    """E_p[(x² − c₀ − c₁ x)²] of the best linear fit for x ~ N(a, 1), evaluated on x ~ N(m, 1), in the symbols a
    (fit_mean) and m (test_mean), without the noise (sympy: normal equations of the fit, then the expectation under
    the test law). Simplifies to (m − a)⁴ + 4(m − a)² + 2: the best line is c₁ = 2a, c₀ = 1 − a², so the residual is
    (x − a)² − 1. Derived once per process (about a second), then only substituted into."""
    a, m, c0, c1 = sympy.symbols("a m c0 c1", real=True)
    xf = stats.Normal("xf", a, 1)
    fit_risk = stats.E(sympy.expand((xf**2 - c0 - c1 * xf) ** 2))
    coef = sympy.solve([sympy.diff(fit_risk, c0), sympy.diff(fit_risk, c1)], [c0, c1])
    xt = stats.Normal("xt", m, 1)
    return sympy.expand(stats.E(sympy.expand((xt**2 - coef[c0] - coef[c1] * xt) ** 2)))


def linear_fit_risk(fit_mean: float, test_mean: float, noise: float) -> float:
    """Exact target risk E_p[(y − c₀ − c₁ x)²] of the best linear fit for x ~ N(fit_mean, 1), evaluated on
    x ~ N(test_mean, 1), y = x² + ε: linear_fit_risk_expr at (fit_mean, test_mean), plus noise².
    fit_mean = test_mean gives the corrected limit 2 + noise²; fit_mean = 0, test_mean = m gives m⁴ + 4m² + 2 + σ²."""
    a, m = sympy.symbols("a m", real=True)
    values = {a: sympy.nsimplify(fit_mean), m: sympy.nsimplify(test_mean)}  # exact rationals: an exact number
    return float(linear_fit_risk_expr().xreplace(values)) + noise**2


@dataclass
class CovariateCorrection:
    plain_risk: float  # target risk of the unweighted fit
    weighted_risk: float  # target risk of the fit weighted by the estimated β
    oracle_risk: float  # target risk of the fit weighted by the true β
    beta_log_error: float  # RMS of log β̂ − log β on the source points
    plain: Tensor
    weighted: Tensor


def covariate_shift_correction(n: int, mu: tuple[float, float], noise: float = 0.5, seed: int = 0,
                               n_test: int = 20_000) -> CovariateCorrection:
    """Fit y ≈ c₀ + cᵀx on n labelled source points, unweighted and weighted by β̂(x) = exp(h(x)) from a logistic
    discriminator trained on those points against n unlabelled target points; risks on n_test target points."""
    g = torch.Generator().manual_seed(seed)
    Xs, Xt = gaussian_samples(n, (0.0, 0.0), g), gaussian_samples(n, mu, g)
    ys = regression_target(Xs, noise, g)
    disc = fit_logistic(torch.cat([Xs, Xt]), torch.cat([torch.zeros(n), torch.ones(n)]))
    beta_hat = disc.logit(Xs).exp()
    beta_true = log_density_ratio(Xs, mu).exp()
    X_test = gaussian_samples(n_test, mu, g)
    y_test = regression_target(X_test, noise, g)
    plain, weighted = weighted_least_squares(Xs, ys), weighted_least_squares(Xs, ys, beta_hat)
    oracle = weighted_least_squares(Xs, ys, beta_true)
    error = float(((disc.logit(Xs) - log_density_ratio(Xs, mu)) ** 2).mean().sqrt())
    return CovariateCorrection(squared_risk(plain, X_test, y_test), squared_risk(weighted, X_test, y_test),
                               squared_risk(oracle, X_test, y_test), error, plain, weighted)


# --- label shift ------------------------------------------------------------------------------------------------------

CLASS_MEANS = ((0.0, 0.0), (2.0, 0.0), (1.0, 1.7))  # three classes, N(mean, I₂) each, overlapping


def label_shift_samples(n: int, prior: Tensor, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    """n points: y ~ Categorical(prior), x | y ~ N(CLASS_MEANS[y], I₂). Returns X (n, 2) and y (n,)."""
    y = torch.multinomial(prior.double(), n, replacement=True, generator=generator)
    means = torch.tensor(CLASS_MEANS, dtype=torch.float64)
    return means[y] + torch.randn(n, 2, generator=generator, dtype=torch.float64), y


def nearest_mean_classifier(X: Tensor, y: Tensor, k: int) -> Tensor:
    """The class means estimated on (X, y); predict with argmin_j ‖x − m_j‖.   # (k, 2)"""
    return torch.stack([X[y == j].mean(dim=0) for j in range(k)])


def predict_nearest(means: Tensor, X: Tensor) -> Tensor:
    return torch.cdist(X, means).argmin(dim=1)


def conditional_confusion(y: Tensor, y_hat: Tensor, k: int) -> Tensor:
    """C_ij = P(ŷ = i | y = j), estimated on labelled source data: columns sum to 1.   # (k, k)"""
    counts = torch.zeros(k, k, dtype=torch.float64)
    counts.index_put_((y_hat, y), torch.ones(len(y), dtype=torch.float64), accumulate=True)
    return counts / counts.sum(dim=0, keepdim=True)


def estimate_target_prior(C: Tensor, nu: Tensor) -> Tensor:
    """Solve C p = ν for the target label distribution p (ν_i = share of target predictions equal to i)."""
    return torch.linalg.solve(C, nu)


@dataclass
class LabelShiftResult:
    confusion: Tensor  # (k, k), C_ij = P(ŷ = i | y = j) on the source validation set
    nu: Tensor  # (k,) mean prediction on the target
    estimate: Tensor  # (k,) solution of C p = ν
    weights: Tensor  # (k,) β(y) = p̂_target(y) / p_source(y)
    true_target: Tensor  # (k,)


def label_shift_correction(source_prior: tuple[float, ...], target_prior: tuple[float, ...], n: int = 5000,
                           seed: int = 0) -> LabelShiftResult:
    """Train the classifier on n source points, estimate C on n fresh source points, predict n unlabelled target
    points, solve C p = ν. The target labels are used by nobody (they only exist to be compared with)."""
    g = torch.Generator().manual_seed(seed)
    ps, pt = torch.tensor(source_prior, dtype=torch.float64), torch.tensor(target_prior, dtype=torch.float64)
    k = len(ps)
    X, y = label_shift_samples(n, ps, g)
    means = nearest_mean_classifier(X, y, k)
    X_val, y_val = label_shift_samples(n, ps, g)
    C = conditional_confusion(y_val, predict_nearest(means, X_val), k)
    X_target, _ = label_shift_samples(n, pt, g)
    nu = torch.bincount(predict_nearest(means, X_target), minlength=k).double() / n
    p_hat = estimate_target_prior(C, nu)
    return LabelShiftResult(C, nu, p_hat, p_hat / ps, pt)
