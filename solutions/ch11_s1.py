"""Section 11.1 (优化和深度学习 Optimisation and deep learning): the d! relabellings of hidden units, eigenvalue
signs of random symmetric matrices, other challenges of optimisation, and a ball on the saddle x² − y²."""

from __future__ import annotations

import math

import numpy as np
import torch

from d2lcore import convexity as cx
from d2lcore.optim.gd import gd, sgd
from d2lcore.optim.objectives import quadratic, quadratic_matrix, saddle
from d2lcore.optim.trajectory import linear_trajectory, stochastic_trajectory, trajectory
from solutions import Solution, explain, solver, variant


@variant("11.1.1")
def variant_11_1_1(seed: int) -> dict:
    """The hidden width d (seed 0: 4)."""
    return {"d": 4 if seed == 0 else int(np.random.default_rng(seed).choice([3, 5]))}


@solver("11.1.1")
def solve_11_1_1(seed: int = 0, d: int = 4) -> Solution:
    """Run all relabellings (and sign flips, tanh being odd) of a random width-d network; count those that leave
    every output unchanged and are different parameter vectors."""
    same, distinct = cx.equivalent_networks(d, signs=False, seed=seed)
    same_s, distinct_s = cx.equivalent_networks(d, signs=True, seed=seed)
    values = {"d": d, "count": min(same, distinct), "countSigns": min(same_s, distinct_s)}
    return Solution(answer={"count": float(min(same, distinct)), "countSigns": float(min(same_s, distinct_s))},
                    explanation=explain("11.1.1", **values))


@variant("11.1.2a")
def variant_11_1_2a(seed: int) -> dict:
    """The matrix size n (seed 0: 10)."""
    return {"n": 10 if seed == 0 else int(np.random.default_rng(seed).choice([5, 20, 30]))}


@solver("11.1.2a")
def solve_11_1_2a(seed: int = 0, n: int = 10) -> Solution:
    """P(λ > 0) by simulating 2000 GOE matrices; P(2 × 2 matrix positive definite) exactly with sympy."""
    g = torch.Generator().manual_seed(seed)
    frac = cx.eigenvalue_sign_fractions(cx.random_symmetric(n, 2000, "goe", g))
    ppd = cx.goe2_positive_definite_probability()
    values = {"n": n, "ppos": f"{frac['pos']:.4f}", "ppd": f"{float(ppd):.4f}", "ppdTex": str(ppd),
              "posdef": f"{frac['posdef']:.2g}", "coin": f"{2.0 ** -n:.2g}"}
    answer = {"ppos": frac["pos"], "ppd": float(ppd), "reason": "flip"}
    return Solution(answer=answer, explanation=explain("11.1.2a", **values))


def eigen_sample(n: int, batch: int, entries: str, seed: int = 0) -> tuple[torch.Tensor, dict[str, float]]:
    """Eigenvalues (batch, n) of `batch` random symmetric n × n matrices and their sign fractions (11.1.2a/b widget).

    The fractions are cx.eigenvalue_sign_fractions of diag(λ₁ … λ_n) per matrix: a diagonal matrix has exactly its
    diagonal as eigenvalues, and LAPACK finds them without a second full decomposition of the sample.
    """
    lam = torch.linalg.eigvalsh(cx.random_symmetric(n, batch, entries, torch.Generator().manual_seed(seed)))
    return lam, cx.eigenvalue_sign_fractions(torch.diag_embed(lam))


def posdef_by_size(entries: str, max_n: int = 8, batch: int = 2000, seed: int = 1) -> dict[int, float]:
    """P(all eigenvalues > 0) of a random symmetric k × k matrix for k = 1 … max_n, by simulation (11.1.2a/b widget).

    One batch of max_n × max_n matrices serves every size: the leading k × k block of M has i.i.d. entries on and
    above its diagonal with the same distribution, so it is a random symmetric k × k matrix of the same kind (the
    sizes share samples; each estimate on its own is an ordinary Monte-Carlo estimate over `batch` matrices).
    """
    M = cx.random_symmetric(max_n, batch, entries, torch.Generator().manual_seed(seed))
    return {k: cx.eigenvalue_sign_fractions(M[:, :k, :k])["posdef"] for k in range(1, max_n + 1)}


@variant("11.1.2b")
def variant_11_1_2b(seed: int) -> dict:
    """The support of the entry distribution (seed 0: {−1, 0, 1})."""
    options = [[-1, 0, 1], [-1, 1], [-2, -1, 0, 1, 2], [-1, 0, 0, 1]]
    values = options[0] if seed == 0 else options[int(np.random.default_rng(seed).integers(1, len(options)))]
    return {"values": values, "valuesTex": r"\{" + ", ".join(str(v) for v in values) + r"\}"}


@solver("11.1.2b")
def solve_11_1_2b(seed: int = 0, values: list | None = None, valuesTex: str = "") -> Solution:
    """P(λ = 0) by enumerating every 2 × 2 matrix exactly; P(λ > 0) = (1 − P(λ = 0))/2 by the ± symmetry."""
    vals = values or [-1, 0, 1]
    pzero = cx.exact_zero_eigenvalue_fraction(vals)
    ppos = (1 - pzero) / 2
    v = {"valuesTex": valuesTex, "pzero": str(pzero), "ppos": str(ppos), "pzeroF": f"{float(pzero):.4f}",
         "pposF": f"{float(ppos):.4f}"}
    return Solution(answer={"pzero": float(pzero), "ppos": float(ppos), "reason": "atom"},
                    explanation=explain("11.1.2b", **v))


ILL_START = (2.0, 1.0)  # start of the ill-conditioning runs (exercise 11.1.3)


def descent_path(kappa: float, lr_fraction: float, steps: int) -> torch.Tensor:
    """Gradient descent on f = ½xᵀAx (eigenvalues 1 and κ, rotated 30°) from (2, 1) with η = lr_fraction · 2/κ.

    x_{t+1} = x_t − η A x_t = (I − ηA) x_t, so x_t = (I − ηA)ᵗ x_0: built by doubling (linear_trajectory), the same
    iterates as stepping `gd` up to rounding. Returns (steps+1, 2).
    """
    M = torch.eye(2, dtype=torch.float64) - lr_fraction * 2 / kappa * quadratic_matrix(kappa, angle=30.0)
    return linear_trajectory(M, torch.tensor(ILL_START, dtype=torch.float64), steps)


def first_below(f_path: torch.Tensor, tol: float = 1e-6) -> int:
    """The first step t with f(x_t) < tol; −1 if none."""
    below = (f_path < tol).nonzero()
    return int(below[0]) if len(below) else -1


def steps_to_tolerance(kappa: float, lr_fraction: float, tol: float = 1e-6, max_steps: int = 5000) -> int:
    """Gradient-descent steps on ½xᵀAx (eigenvalues 1 and κ, rotated 30°) from (2, 1) until f < tol, with
    η = lr_fraction · 2/κ; max_steps + 1 if it never gets there."""
    t = first_below(quadratic(kappa, angle=30.0).f(descent_path(kappa, lr_fraction, max_steps)), tol)
    return t if t >= 0 else max_steps + 1


@solver("11.1.3")
def solve_11_1_3(seed: int = 0) -> Solution:
    """The cost of ill-conditioning measured: steps of gradient descent for condition numbers 10 and 100."""
    values = {"k10": steps_to_tolerance(10, 0.5), "k100": steps_to_tolerance(100, 0.5)}
    return Solution(answer={}, explanation=explain("11.1.3", **values))


@variant("11.1.4a")
def variant_11_1_4a(seed: int) -> dict:
    """Learning rate η and the start offset y0 (seed 0: η = 0.1, y0 = 10⁻⁶)."""
    if seed == 0:
        return {"lr": 0.1, "y0": 1e-6}
    rng = np.random.default_rng(seed)
    return {"lr": float(rng.choice([0.05, 0.2, 0.25])), "y0": float(rng.choice([1e-3, 1e-4, 1e-8]))}


@solver("11.1.4a")
def solve_11_1_4a(seed: int = 0, lr: float = 0.1, y0: float = 1e-6) -> Solution:
    """Run gradient descent on x² − y² from (1, y0): the growth factor of y per step and the step of escape."""
    path = trajectory(gd, saddle().grad, torch.tensor([1.0, y0], dtype=torch.float64), 2000, lr=lr)
    growth = float(path[1, 1] / path[0, 1])
    steps = int(cx.first_escape(path))
    values = {"lr": lr, "y0": f"{y0:g}", "growth": f"{growth:g}", "shrink": f"{float(path[1, 0] / path[0, 0]):g}",
              "steps": steps, "xEnd": f"{float(path[steps, 0]):.2g}"}
    return Solution(answer={"growth": growth, "steps": float(steps)}, explanation=explain("11.1.4a", **values))


NOISE_RUNS, NOISE_STEPS, NOISE_STD, NOISE_LR = 200, 200, 0.01, 0.1


@solver("11.1.4b")
def solve_11_1_4b(seed: int = 0) -> Solution:
    """Plain gradient descent from (1, 0) (exactly on the saddle's attracting axis) against 200 runs of the same
    rule with gradient noise σ = 0.01: where plain GD ends and what fraction of noisy runs escape."""
    obj = saddle()
    x0 = torch.tensor([1.0, 0.0], dtype=torch.float64)
    plain = trajectory(gd, obj.grad, x0, NOISE_STEPS, lr=NOISE_LR)
    g = torch.Generator().manual_seed(seed)
    noisy = stochastic_trajectory(sgd, obj.grad, x0.expand(NOISE_RUNS, 2), NOISE_STEPS, NOISE_STD, g, lr=NOISE_LR)
    escape = cx.first_escape(noisy)
    fraction = float((escape >= 0).double().mean())
    stuck = bool(float(plain[-1].norm()) < 1e-6)
    predicted = math.log(1 / (NOISE_LR * NOISE_STD)) / math.log(1 + 2 * NOISE_LR)  # |y| ≈ ησ(1 + 2η)^t reaches 1
    values = {"end": f"{float(plain[-1].norm()):.1e}", "fraction": f"{fraction:.2f}", "runs": NOISE_RUNS,
              "steps": NOISE_STEPS, "median": f"{float(escape[escape >= 0].double().median()):.0f}",
              "sigma": NOISE_STD, "lr": NOISE_LR, "predicted": f"{predicted:.0f}"}
    return Solution(answer={"plain": "stuck" if stuck else "escapes", "fraction": fraction},
                    explanation=explain("11.1.4b", **values))
