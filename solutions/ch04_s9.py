"""Section 4.9 (环境和分布偏移 Environment and distribution shift): a covariate-shift detector (a logistic
discriminator) and a corrector (importance-weighted least squares) on generated 2-D Gaussians whose densities are
known, so the answers are exact and the simulations can be held against them."""

from __future__ import annotations

from functools import cache

import numpy as np

from d2lcore import shift
from solutions import Solution, explain, solver, variant

NOISE = 0.5  # y = x1² + ε, ε ~ N(0, NOISE²)


@solver("4.9.1")
def solve_4_9_1(seed: int = 0) -> Solution:
    return Solution(answer={}, explanation=explain("4.9.1"))


@variant("4.9.2")
def variant_4_9_2(seed: int) -> dict:
    """The target mean (delta, 0) (seed 0: delta = 1.5)."""
    return {"delta": 1.5 if seed == 0 else float(np.random.default_rng(seed).choice([0.5, 1.0, 2.0, 2.5]))}


@solver("4.9.2")
def solve_4_9_2(seed: int = 0, delta: float = 1.5) -> Solution:
    """log β from the two densities (sympy); the best discriminator accuracy Φ(δ/2); a trained detector."""
    model, acc = shift.covariate_discriminator(2000, (delta, 0.0), seed)
    best = shift.bayes_discriminator_accuracy(delta)
    values = {"delta": delta, "best": f"{best:.3f}", "acc": f"{acc:.3f}", "w1": f"{float(model.w[0]):.2f}",
              "w2": f"{float(model.w[1]):.2f}", "b": f"{model.b:.2f}", "half": f"{delta**2 / 2:g}"}
    answer = {"logratio": shift.log_density_ratio_expr((delta, 0.0)), "acc": best}
    return Solution(answer=answer, explanation=explain("4.9.2", **values), data=values)


@variant("4.9.3")
def variant_4_9_3(seed: int) -> dict:
    """The shift m of the target N((m, 0), I) (seed 0: m = 1)."""
    return {"m": 1.0 if seed == 0 else float(np.random.default_rng(seed).choice([0.5, 1.5, 2.0]))}


@cache
def risks(m: float) -> tuple[float, float]:
    """The exact target risks of the unweighted and of the correctly weighted linear fit (infinite data)."""
    return shift.linear_fit_risk(0.0, m, NOISE), shift.linear_fit_risk(m, m, NOISE)


@solver("4.9.3")
def solve_4_9_3(seed: int = 0, m: float = 1.0) -> Solution:
    """Limits from sympy; one seeded run of the corrector with 2,000 source and target points for the text."""
    plain, weighted = risks(m)
    run = shift.covariate_shift_correction(2000, (m, 0.0), NOISE, seed)
    values = {"m": m, "plain": f"{plain:.4g}", "weighted": f"{weighted:.4g}", "runPlain": f"{run.plain_risk:.3f}",
              "runWeighted": f"{run.weighted_risk:.3f}", "runOracle": f"{run.oracle_risk:.3f}",
              "noise2": f"{NOISE**2:g}"}
    answer = {"plain": plain, "weighted": weighted, "better": "weighted" if weighted < plain else "plain"}
    return Solution(answer=answer, explanation=explain("4.9.3", **values), data=values)


@solver("4.9.4")
def solve_4_9_4(seed: int = 0) -> Solution:
    return Solution(answer={}, explanation=explain("4.9.4"))
