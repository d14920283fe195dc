"""Section 11.4 (随机梯度下降 Stochastic gradient descent): learning-rate schedules under gradient noise, noise as a
random data point, sampling with and without replacement, per-coordinate scaling, and x²(1 + sin x)'s minima."""

from __future__ import annotations

import math

import numpy as np
import sympy
import torch
from torch import Tensor

from d2lcore.optim import minibatch, sampling
from solutions import Solution, explain, solver, variant

CURVATURE = (2.0, 4.0)  # f(x) = x₁² + 2x₂²: ∇f = (2x₁, 4x₂), Hessian diag(2, 4)
START = (-5.0, -2.0)  # the book's train_2d starting point
SCHEDULES = ("constant", "inverse", "exponential", "polynomial")
MODES = ("without", "with")  # sampling of exercise 11.4.3


def book_grad(x: Tensor) -> Tensor:
    """∇f for f(x) = x₁² + 2x₂² on a batch (..., 2): (2x₁, 4x₂)."""
    return x * _H.to(x.dtype)


_H = torch.tensor(CURVATURE, dtype=torch.float64)


def schedule_multiplier(name: str, t: int | Tensor) -> float | Tensor:
    """The book's lr() multipliers at step t = 1, 2, …: constant 1, 1/t, exponential e^{−0.1t}, polynomial
    (1 + 0.1t)^{−½}."""
    t = torch.as_tensor(t, dtype=torch.float64)
    value = {"constant": torch.ones_like(t), "inverse": 1.0 / t, "exponential": torch.exp(-0.1 * t),
             "polynomial": (1 + 0.1 * t) ** -0.5}[name]
    return value


def schedule_distances(lr: float, steps: int, seeds: int, names: tuple[str, ...] = SCHEDULES, sigma: float = 1.0,
                       seed: int = 0) -> dict[str, Tensor]:
    """SGD x ← x − η_t(∇f(x) + σε_t) on f = x₁² + 2x₂² from (−5, −2), all schedules × seeds at once.

    With ∇f = h ⊙ x (h = (2, 4)) one step is linear in x:  x_t = (1 − η_t h) ⊙ x_{t−1} − η_t σ ε_t,  so a step is
    two numpy operations on the (schedules, seeds, 2) batch. Every schedule sees the same noise ε_t (common random
    numbers: the schedules differ only in η_t, so their curves differ only by what the schedule does); ε is drawn from
    numpy's Generator(seed). Returns per schedule the mean squared distance E‖x_t‖² over seeds, shape (steps+1,).
    """
    eps = np.random.default_rng(seed).standard_normal((steps, 1, seeds, 2))  # (steps, 1, seeds, 2), shared
    t = np.arange(1, steps + 1)
    eta = lr * np.stack([np.asarray(schedule_multiplier(n, torch.from_numpy(t))) for n in names], 1)  # (steps, S)
    a = 1 - eta[:, :, None, None] * np.array(CURVATURE)  # (steps, S, 1, 2): 1 − η_t h
    b = -sigma * eta[:, :, None, None]  # (steps, S, 1, 1): −η_t σ
    x = np.broadcast_to(np.array(START), (len(names), seeds, 2))
    msd = np.empty((steps + 1, len(names)))
    msd[0] = (x**2).sum(-1).mean(-1)
    for i in range(steps):
        x = a[i] * x + b[i] * eps[i]
        msd[i + 1] = np.einsum("ksj,ksj->k", x, x) / seeds
    return {n: torch.from_numpy(msd[:, k]) for k, n in enumerate(names)}


def stationary_msd(lr: float, sigma: float = 1.0, curvatures: tuple[float, ...] = CURVATURE) -> float:
    """Constant-rate SGD on Σ hᵢxᵢ²/2-type quadratics: xᵢ ← (1 − ηhᵢ)xᵢ − ησεᵢ has the stationary variance
    η²σ²/(1 − (1 − ηhᵢ)²), so E‖x‖² → Σᵢ η²σ²/(1 − (1 − ηhᵢ)²) (needs |1 − ηhᵢ| < 1)."""
    return float(sum(lr**2 * sigma**2 / (1 - (1 - lr * h) ** 2) for h in curvatures))


@variant("11.4.1")
def variant_11_4_1(seed: int) -> dict:
    """The constant rate η (seed 0: the book's 0.1)."""
    if seed == 0:
        return {"eta": 0.1}
    return {"eta": float(np.random.default_rng(seed).choice([0.05, 0.08, 0.15, 0.2]))}


@solver("11.4.1")
def solve_11_4_1(seed: int = 0, eta: float = 0.1) -> Solution:
    """Stationary E‖x‖² from the closed form; the schedule closest to the optimum after 1000 steps by running
    200 seeded chains per schedule."""
    msd = stationary_msd(eta)
    small = float(sum(eta / (2 * h) for h in CURVATURE))
    final = {n: float(d[-100:].mean()) for n, d in schedule_distances(eta, 1000, 200).items()}
    best = min(final, key=final.get)
    table = ", ".join(f"{n}: {v:.3g}" for n, v in final.items())
    return Solution(answer={"msd": msd, "best": best},
                    explanation=explain("11.4.1", eta=f"{eta:g}", msd=f"{msd:.4f}", small=f"{small:.4f}",
                                        table=table))


@solver("11.4.2")
def solve_11_4_2(seed: int = 0) -> Solution:
    """∇_w of (x₁ − w₁)² + 2(x₂ − w₂)² (sympy) and the std σᵢ of xᵢ that makes each gradient's noise N(0, 1):
    the noise term is cᵢxᵢ, so Var = cᵢ²σᵢ² = 1."""
    w1, w2, x1, x2 = sympy.symbols("w1 w2 x1 x2")
    loss = (x1 - w1) ** 2 + 2 * (x2 - w2) ** 2
    g1, g2 = sympy.diff(loss, w1), sympy.diff(loss, w2)
    s = sympy.Symbol("s", positive=True)
    sigmas = [float(sympy.solve(sympy.Eq(sympy.diff(g, x) ** 2 * s**2, 1), s)[0]) for g, x in ((g1, x1), (g2, x2))]
    return Solution(answer={"g1": sympy.expand(g1), "g2": sympy.expand(g2), "s1": sigmas[0], "s2": sigmas[1]},
                    explanation=explain("11.4.2", s1=f"{sigmas[0]:g}", s2=f"{sigmas[1]:g}"))


def coverage(n: int) -> float:
    """Fraction of n examples drawn at least once by n draws with replacement: 1 − (1 − 1/n)ⁿ → 1 − 1/e."""
    return 1 - (1 - 1 / n) ** n


def sampling_excess(n: int, lr: float, epochs: int, seeds: int, data_seed: int = 0, seed: int = 1234
                    ) -> dict[str, Tensor]:
    """Mean over `seeds` runs of the excess loss (loss − least-squares floor) after every epoch of batch-size-1 SGD,
    with and without replacement, on the section-11.5 regression data with n examples. Both samplings run as one
    batch of 2·seeds runs (d2lcore.optim.sampling.single_example_sgd); the orders come from numpy's Generator(seed)."""
    data = minibatch.get_data_ch11(n=n, seed=data_seed, dtype=torch.float64)
    floor = minibatch.least_squares_loss(data)
    rng = np.random.default_rng(seed)
    orders = np.concatenate([sampling.epoch_orders(n, epochs, seeds, mode == "with", rng) for mode in MODES])
    excess = sampling.single_example_sgd(*data.tensors, orders, lr) - floor  # (epochs+1, 2·seeds)
    return {mode: torch.from_numpy(excess[:, k * seeds:(k + 1) * seeds].mean(1)) for k, mode in enumerate(MODES)}


@variant("11.4.3")
def variant_11_4_3(seed: int) -> dict:
    """The number of examples n in the coverage question (seed 0: 10)."""
    if seed == 0:
        return {"n": 10}
    return {"n": int(np.random.default_rng(seed).choice([5, 8, 20, 30]))}


@solver("11.4.3")
def solve_11_4_3(seed: int = 0, n: int = 10) -> Solution:
    """Coverage for n (closed form) and its limit (sympy); which sampling ends lower, by running 100 seeded runs of
    each mode for 5 epochs on 200 examples."""
    m = sympy.Symbol("m", positive=True)
    limit = float(sympy.limit(1 - (1 - 1 / m) ** m, m, sympy.oo))
    ex = sampling_excess(200, 0.01, 5, 100)
    better = "without" if float(ex["without"][-1]) < float(ex["with"][-1]) else "with"
    return Solution(answer={"cov": coverage(n), "limit": limit, "better": better},
                    explanation=explain("11.4.3", n=n, cov=f"{coverage(n):.4f}", limit=f"{limit:.4f}",
                                        exWithout=f"{float(ex['without'][-1]):.2e}",
                                        exWith=f"{float(ex['with'][-1]):.2e}"))


@solver("11.4.4")
def solve_11_4_4(seed: int = 0) -> Solution:
    """Conceptual: per-coordinate step sizes."""
    return Solution(answer={}, explanation=explain("11.4.4"))


def minima_f(x: np.ndarray, eps: float = 0.0) -> np.ndarray:
    """f(x) = x²(1 + sin x) + ε sin(√2 x) (ε = 0: the book's function)."""
    return x**2 * (1 + np.sin(x)) + eps * np.sin(math.sqrt(2) * x)


def minima_fprime(x: np.ndarray, eps: float = 0.0) -> np.ndarray:
    """f'(x) = x(2(1 + sin x) + x cos x) + √2 ε cos(√2 x)."""
    return x * (2 * (1 + np.sin(x)) + x * np.cos(x)) + math.sqrt(2) * eps * np.cos(math.sqrt(2) * x)


def local_minima(low: float, high: float, eps: float = 0.0, grid: int = 200_001) -> np.ndarray:
    """The local minima of f on [low, high]: grid points where f' changes sign from − to +, refined by bisection
    (60 halvings) on f'."""
    x = np.linspace(low, high, grid)
    d = minima_fprime(x, eps)
    idx = np.nonzero((d[:-1] < 0) & (d[1:] >= 0))[0]
    a, b = x[idx], x[idx + 1]
    for _ in range(60):
        m = (a + b) / 2
        right = minima_fprime(m, eps) >= 0
        a, b = np.where(right, a, m), np.where(right, m, b)
    return (a + b) / 2


@variant("11.4.5")
def variant_11_4_5(seed: int) -> dict:
    """Half-width L of the interval [−L, L] (seed 0: 10)."""
    if seed == 0:
        return {"L": 10}
    return {"L": int(np.random.default_rng(seed).choice([6, 15, 20, 30]))}


@solver("11.4.5")
def solve_11_4_5(seed: int = 0, L: int = 10) -> Solution:
    """Count the minima on [−L, L] with the grid/bisection search; their largest f value; the minima repeat with
    period 2π forever (f(3π/2 + 2πk) = 0 for every integer k, and f ≥ 0), so there are infinitely many."""
    xs = local_minima(-L, L)
    fmax = float(np.abs(minima_f(xs)).max())
    listed = ", ".join(f"{v:.4f}" for v in xs)
    return Solution(answer={"count": "infinite", "nint": len(xs), "fmin": fmax, "modify": "distinct"},
                    explanation=explain("11.4.5", L=L, nint=len(xs), listed=listed))
