"""Section 11.6 (动量法 Momentum): the stability bound on the book's ill-conditioned quadratic, per-coordinate decay
on f = ½ Σ λᵢ xᵢ², the minimum of a quadratic, and the noise floor of SGD with momentum (a seeded simulation)."""

from __future__ import annotations

import math

import numpy as np
import sympy
import torch

from d2lcore.optim.gd import sgd
from d2lcore.optim.momentum import ill_conditioned_quadratic, iteration_matrix, momentum, momentum_stable
from d2lcore.optim.trajectory import stochastic_trajectory
from solutions import Solution, explain, solver, variant

LAM_MAX = 4.0  # largest Hessian eigenvalue of 0.1 x₁² + 2 x₂²
NOISE = {"lr": 0.05, "beta": 0.9, "sigma": 1.0, "chains": 1000, "steps": 400, "burn": 100}


def momentum_bound_sympy() -> tuple[sympy.Expr, sympy.Expr]:
    """From the characteristic polynomial z² − (1 + β − ηλ) z + β of M = [[β, λ], [−ηβ, 1 − ηλ]]: a root crosses the
    unit circle at z = −1 when ηλ = 2 + 2β (at z = +1 only when ηλ = 0; |z| = 1 for complex roots when β = 1).
    Returns (the bound on η, the effective rate Σ_τ η β^τ)."""
    eta, beta, lam, tau = sympy.symbols("eta beta lam tau", positive=True)
    z = sympy.Symbol("z")
    M = sympy.Matrix([[beta, lam], [-eta * beta, 1 - eta * lam]])
    (bound,) = sympy.solve((M - z * sympy.eye(2)).det().subs(z, -1), eta)
    geometric = eta * sympy.summation(beta**tau, (tau, 0, sympy.oo)).args[0][0]  # the β < 1 branch
    return sympy.simplify(bound), sympy.simplify(geometric)


@variant("11.6.1")
def variant_11_6_1(seed: int) -> dict:
    """Learning rate and momentum (seed 0: the book's η = 0.6, β = 0.5)."""
    if seed == 0:
        return {"lr": 0.6, "beta": 0.5}
    rng = np.random.default_rng(seed)
    return {"lr": float(rng.choice([0.55, 0.6, 0.7, 0.8])), "beta": float(rng.choice([0.25, 0.5, 0.75, 0.9]))}


@solver("11.6.1")
def solve_11_6_1(seed: int = 0, lr: float = 0.6, beta: float = 0.5) -> Solution:
    """Stability of GD and of momentum from the eigenvalues of the iteration matrix on the stiff direction (λ = 4);
    the largest stable η and the effective rate from sympy."""
    bound, geometric = momentum_bound_sympy()
    b, e, lam = sympy.Symbol("beta", positive=True), sympy.Symbol("eta", positive=True), sympy.Symbol("lam",
                                                                                                    positive=True)
    lr_max = float(bound.subs({b: beta, lam: LAM_MAX}))
    eff = float(geometric.subs({e: lr, b: beta}))
    gd_ok, mom_ok = momentum_stable(lr, 0.0, LAM_MAX), momentum_stable(lr, beta, LAM_MAX)
    rho = float(np.max(np.abs(np.linalg.eigvals(iteration_matrix(lr, beta, LAM_MAX)))))
    answer = {"gd": "converges" if gd_ok else "diverges", "mom": "converges" if mom_ok else "diverges",
              "lrMax": lr_max, "effLr": eff}
    values = {"lr": lr, "beta": beta, "etaLam": f"{lr * LAM_MAX:g}", "gd": answer["gd"], "mom": answer["mom"],
              "lrMax": f"{lr_max:.4g}", "bound": sympy.latex(bound), "eff": f"{eff:.4g}", "rho": f"{rho:.3f}",
              "limit": f"{2 + 2 * beta:g}"}
    return Solution(answer=answer, explanation=explain("11.6.1", **values), data=values)


@variant("11.6.2")
def variant_11_6_2(seed: int) -> dict:
    """Dimension, learning rate and momentum (seed 0: d = 8, η = 1, β = 0.9)."""
    if seed == 0:
        return {"d": 8, "lr": 1.0, "beta": 0.9}
    rng = np.random.default_rng(seed)
    return {"d": int(rng.choice([6, 8, 10])), "lr": float(rng.choice([0.5, 1.0, 1.5])),
            "beta": float(rng.choice([0.5, 0.8, 0.9, 0.95]))}


def decay_rates(d: int, lr: float, beta: float) -> tuple[np.ndarray, np.ndarray]:
    """Per coordinate i = 1 … d (λᵢ = 2⁻ⁱ): GD's factor |1 − ηλᵢ| and momentum's spectral radius of M(η, β, λᵢ)."""
    lam = 2.0 ** -np.arange(1, d + 1)
    gd = np.abs(1 - lr * lam)
    mom = np.array([np.max(np.abs(np.linalg.eigvals(iteration_matrix(lr, beta, lam_i)))) for lam_i in lam])
    return gd, mom


@solver("11.6.2")
def solve_11_6_2(seed: int = 0, d: int = 8, lr: float = 1.0, beta: float = 0.9) -> Solution:
    """GD's closed form xᵢ(t) = (1 − ηλᵢ)ᵗ from sympy's rsolve; momentum's rate for the slowest coordinate from the
    eigenvalues of its 2×2 iteration matrix."""
    t, eta, lam = sympy.symbols("t eta lam")
    x = sympy.Function("x")
    closed = sympy.rsolve(x(t + 1) - (1 - eta * lam) * x(t), x(t), {x(0): 1})
    gd, mom = decay_rates(d, lr, beta)
    steps_gd, steps_mom = math.log(0.01) / math.log(gd[-1]), math.log(0.01) / math.log(mom[-1])
    answer = {"xt": closed, "rateMom": float(mom[-1])}
    values = {"d": d, "lr": lr, "beta": beta, "closed": sympy.latex(closed), "rateGd": f"{gd[-1]:.5f}",
              "rateMom": f"{mom[-1]:.5f}", "stepsGd": f"{steps_gd:.0f}", "stepsMom": f"{steps_mom:.0f}",
              "lamD": f"2^{{-{d}}}", "sqrtBeta": f"{math.sqrt(beta):.5f}"}
    return Solution(answer=answer, explanation=explain("11.6.2", **values), data=values)


@variant("11.6.3")
def variant_11_6_3(seed: int) -> dict:
    """A symmetric positive definite Q, c and b (seed 0: Q = [[2, 1], [1, 3]], c = (1, −1), b = 2)."""
    if seed == 0:
        return {"Q": [[2, 1], [1, 3]], "c": [1, -1], "b": 2}
    rng = np.random.default_rng(seed)
    a, d = int(rng.integers(2, 6)), int(rng.integers(2, 6))
    off = int(rng.integers(-1, 2))
    return {"Q": [[a, off], [off, d]], "c": [int(v) for v in rng.integers(-3, 4, 2)], "b": int(rng.integers(-3, 4))}


@solver("11.6.3")
def solve_11_6_3(seed: int = 0, Q: list | None = None, c: list | None = None, b: int = 2) -> Solution:
    """Set ∇h = Qx + c = 0 (sympy solve): x* = −Q⁻¹c, h* = b − ½ cᵀQ⁻¹c; in one dimension −c/q and b − c²/(2q)."""
    Q, c = Q or [[2, 1], [1, 3]], c or [1, -1]
    q, cs, bs = sympy.symbols("q c b")
    xs = sympy.Symbol("x")
    h1 = q * xs**2 / 2 + cs * xs + bs
    (x1,) = sympy.solve(sympy.diff(h1, xs), xs)
    Qm, cm = sympy.Matrix(Q), sympy.Matrix(c)
    xvec = sympy.symbols("x1 x2")
    X = sympy.Matrix(xvec)
    h = (X.T * Qm * X / 2 + X.T * cm)[0] + b
    sol = sympy.solve([sympy.diff(h, v) for v in xvec], xvec, dict=True)[0]
    xstar = [sol[v] for v in xvec]
    hmin = h.subs(sol)
    answer = {"xstar": x1, "hmin": sympy.simplify(h1.subs(xs, x1)), "xvec": [float(v) for v in xstar],
              "hval": float(hmin)}
    values = {"Q": sympy.latex(Qm), "c": sympy.latex(cm), "b": b, "xvec": sympy.latex(sympy.Matrix(xstar)),
              "hval": sympy.latex(hmin), "hvalFloat": f"{float(hmin):.4g}"}
    return Solution(answer=answer, explanation=explain("11.6.3", **values), data=values)


def noise_floor(lr: float, beta: float, sigma: float, chains: int, steps: int, burn: int, seed: int = 0) -> float:
    """Mean of f = 0.1 x₁² + 2 x₂² over steps > burn and `chains` parallel chains started at the minimum, with the
    gradient plus N(0, σ² I) noise (plain SGD when β = 0)."""
    f = ill_conditioned_quadratic()
    x0 = torch.zeros(chains, 2, dtype=torch.float64)
    gen = torch.Generator().manual_seed(seed)
    if beta == 0:
        xs = stochastic_trajectory(sgd, f.grad, x0, steps, sigma, gen, lr=lr)
    else:
        xs = stochastic_trajectory(momentum, f.grad, x0, steps, sigma, gen, lr=lr, beta=beta)
    return float(f.f(xs[burn:]).mean())


@solver("11.6.4")
def solve_11_6_4(seed: int = 0) -> Solution:
    """Seeded simulation: the noise floor of momentum against SGD at the same η and at the same η/(1 − β)."""
    p = NOISE
    base = dict(sigma=p["sigma"], chains=p["chains"], steps=p["steps"], burn=p["burn"], seed=seed)
    sgd_floor = noise_floor(p["lr"], 0.0, **base)
    mom_floor = noise_floor(p["lr"], p["beta"], **base)
    mom_eff = noise_floor(p["lr"] * (1 - p["beta"]), p["beta"], **base)
    ratio, eff_ratio = mom_floor / sgd_floor, mom_eff / sgd_floor
    same = "same" if abs(eff_ratio - 1) < 0.25 else ("higher" if eff_ratio > 1 else "lower")
    answer = {"ratio": ratio, "sameEff": same}
    values = {"sgd": f"{sgd_floor:.4f}", "mom": f"{mom_floor:.4f}", "ratio": f"{ratio:.2f}", "eff": f"{mom_eff:.4f}",
              "effRatio": f"{eff_ratio:.2f}", "lr": p["lr"], "beta": p["beta"], "sigma": p["sigma"],
              "lrEff": f"{p['lr'] * (1 - p['beta']):g}", "chains": p["chains"], "inv": f"{1 / (1 - p['beta']):g}"}
    return Solution(answer=answer, explanation=explain("11.6.4", **values), data=values)
