"""Section 11.3 (梯度下降 Gradient descent): learning rate and stability, bisection line search, ill-conditioning,
diagonal preconditioning with signed and absolute curvature, and what a rotation does to it."""

from __future__ import annotations

import math

import numpy as np
import sympy
import torch

from d2lcore.optim import gd, objectives
from d2lcore.optim.trajectory import trajectory
from solutions import Solution, explain, solver, variant

SHRINK = 1e-3  # "converged": ‖x_t‖ ≤ 10⁻³ ‖x_0‖


@variant("11.3.1")
def variant_11_3_1(seed: int) -> dict:
    """f(x) = (λ/2)x² with x₀ = 10 (seed 0: the book's f = x², i.e. λ = 2, and η = 0.2)."""
    if seed == 0:
        return {"lam": 2.0, "eta": 0.2}
    rng = np.random.default_rng(seed)
    lam = float(rng.choice([0.5, 4.0, 5.0]))
    return {"lam": lam, "eta": float(rng.choice([0.1, 0.2, 0.3])) / lam}


@solver("11.3.1")
def solve_11_3_1(seed: int = 0, lam: float = 2.0, eta: float = 0.2) -> Solution:
    """x_{t+1} = (1 − ηλ) x_t: stable iff |1 − ηλ| < 1 ⇔ η < 2/λ; one step iff η = 1/λ (sympy), x₁₀ by running GD."""
    e = sympy.Symbol("eta", positive=True)
    eta_max = max(float(s) for s in sympy.solve(sympy.Eq(sympy.Abs(1 - e * lam), 1), e))
    eta_one = float(sympy.solve(1 - e * lam, e)[0])
    f = objectives.quadratic(1.0)  # ∇ of ½x² on each coordinate = x; scale by λ through the gradient
    xs = trajectory(gd.gd, lambda x: lam * f.grad(x), torch.tensor([10.0, 0.0], dtype=torch.float64), 10, lr=eta)
    x10 = float(xs[-1, 0])
    return Solution(answer={"etaMax": eta_max, "etaOne": eta_one, "x10": x10},
                    explanation=explain("11.3.1", lam=f"{lam:g}", eta=f"{eta:g}", etaMax=f"{eta_max:g}",
                                        etaOne=f"{eta_one:g}", x10=f"{x10:.6g}", factor=f"{1 - eta * lam:g}"))


def log_objective_prime(x: float) -> float:
    """f(x) = log(eˣ + e^{−2x−3}),  f'(x) = (eˣ − 2e^{−2x−3}) / (eˣ + e^{−2x−3})."""
    a, b = math.exp(x), math.exp(-2 * x - 3)
    return (a - 2 * b) / (a + b)


@solver("11.3.2a")
def solve_11_3_2a(seed: int = 0) -> Solution:
    """The first bisection step for f(x) = log(eˣ + e^{−2x−3}) on [−2, 2]: the sign of f'(0) picks the half."""
    slope = log_objective_prime(0.0)
    return Solution(answer={"need": "sign", "half": "left" if slope > 0 else "right"},
                    explanation=explain("11.3.2a", slope=f"{slope:.4f}", half="[−2, 0]" if slope > 0 else "[0, 2]"))


@variant("11.3.2b")
def variant_11_3_2b(seed: int) -> dict:
    """Interval [a, b] and tolerance (seed 0: [−2, 2], 10⁻⁶)."""
    if seed == 0:
        return {"a": -2.0, "b": 2.0, "tol": 1e-6}
    rng = np.random.default_rng(seed)
    return {"a": float(-rng.integers(1, 5)), "b": float(rng.integers(1, 9)), "tol": float(rng.choice([1e-3, 1e-4,
                                                                                                      1e-8]))}


@solver("11.3.2b")
def solve_11_3_2b(seed: int = 0, a: float = -2.0, b: float = 2.0, tol: float = 1e-6) -> Solution:
    """Width after k steps L/2^k (sympy form); steps to tol counted by running the bisection."""
    k, L = sympy.symbols("k L", positive=True)
    width = L / 2**k
    steps = len(gd.bisection(log_objective_prime, a, b, tol)) - 1
    return Solution(answer={"width": width, "steps": steps},
                    explanation=explain("11.3.2b", a=f"{a:g}", b=f"{b:g}", tol=f"{tol:g}", steps=steps,
                                        L=f"{b - a:g}"))


@solver("11.3.2c")
def solve_11_3_2c(seed: int = 0) -> Solution:
    """Bisection on [−2, 2] to 10⁻¹⁰ for f(x) = log(eˣ + e^{−2x−3})."""
    lo, hi = gd.bisection(log_objective_prime, -2.0, 2.0, 1e-10)[-1]
    x_star = (lo + hi) / 2
    f_min = math.log(math.exp(x_star) + math.exp(-2 * x_star - 3))
    return Solution(answer={"xstar": x_star, "fmin": f_min},
                    explanation=explain("11.3.2c", xstar=f"{x_star:.6f}", fmin=f"{f_min:.6f}"))


@variant("11.3.3")
def variant_11_3_3(seed: int) -> dict:
    """Condition number κ of f = ½(x₁² + κx₂²) (seed 0: κ = 100)."""
    return {"kappa": 100.0 if seed == 0 else float(np.random.default_rng(seed).choice([10, 20, 50, 200, 1000]))}


def optimal_rate(kappa: float) -> tuple[float, float]:
    """η* = argmin_η max(|1 − η|, |1 − ηκ|) = 2/(1 + κ) (sympy: the two contraction factors are equal there), and the
    contraction factor max|1 − η*λ| = (κ − 1)/(κ + 1)."""
    e = sympy.Symbol("eta", positive=True)
    eta = float(sympy.solve(sympy.Eq(1 - e, e * kappa - 1), e)[0])
    return eta, max(abs(1 - eta), abs(1 - eta * kappa))


@solver("11.3.3")
def solve_11_3_3(seed: int = 0, kappa: float = 100.0) -> Solution:
    """Best fixed η and the steps GD needs with it, counted on a trajectory from (1, 1)."""
    eta, rate = optimal_rate(kappa)
    obj = objectives.quadratic(kappa)
    xs = trajectory(gd.gd, obj.grad, torch.ones(2, dtype=torch.float64), 20000, lr=eta)
    steps = gd.steps_to_shrink(xs, SHRINK)
    return Solution(answer={"etaOpt": eta, "rate": rate, "steps": steps},
                    explanation=explain("11.3.3", kappa=f"{kappa:g}", eta=f"{eta:.6g}", rate=f"{rate:.6g}",
                                        steps=steps))


@variant("11.3.4a")
def variant_11_3_4a(seed: int) -> dict:
    """A = [[a11, a12], [a12, a22]] ≻ 0 and x₀ (seed 0: [[2, 1], [1, 8]], x₀ = (1, 1))."""
    if seed == 0:
        return {"a11": 2.0, "a12": 1.0, "a22": 8.0, "x1": 1.0, "x2": 1.0}
    rng = np.random.default_rng(seed)
    a11, a22 = float(rng.integers(1, 5)), float(rng.integers(6, 20))
    return {"a11": a11, "a12": float(rng.integers(-2, 3) or 1), "a22": a22, "x1": float(rng.integers(-3, 4) or 2),
            "x2": float(rng.integers(-3, 4) or -1)}


@solver("11.3.4a")
def solve_11_3_4a(seed: int = 0, a11: float = 2.0, a12: float = 1.0, a22: float = 8.0, x1: float = 1.0,
                  x2: float = 1.0) -> Solution:
    """One step x − η g / diag(H) with η = 1 on f = ½xᵀAx."""
    A = torch.tensor([[a11, a12], [a12, a22]], dtype=torch.float64)
    x = torch.tensor([x1, x2], dtype=torch.float64)
    step, _ = gd.preconditioned_gd(x, A @ x, lr=1.0, diag=gd.hessian_diag(lambda z: A)(x))
    return Solution(answer={"xnew": step.tolist()},
                    explanation=explain("11.3.4a", xnew=f"({step[0]:.4g}, {step[1]:.4g})", a11=f"{a11:g}",
                                        a22=f"{a22:g}"))


@variant("11.3.4b")
def variant_11_3_4b(seed: int) -> dict:
    """Start x₀ of f(x) = x cos(x/2) in a concave region (seed 0: x₀ = 2)."""
    return {"x0": 2.0 if seed == 0 else float(np.random.default_rng(seed).choice([1.5, 2.5, 3.0]))}


@solver("11.3.4b")
def solve_11_3_4b(seed: int = 0, x0: float = 2.0) -> Solution:
    """One preconditioned step (η = 1) with the signed and with the absolute second derivative."""
    obj = objectives.xcos(0.5)
    x = torch.tensor([x0], dtype=torch.float64)
    signed, _ = gd.preconditioned_gd(x, obj.grad(x), lr=1.0, diag=gd.hessian_diag(obj.hessian)(x))
    absolute, _ = gd.preconditioned_gd(x, obj.grad(x), lr=1.0, diag=gd.hessian_diag(obj.hessian, True)(x))
    f = [float(obj.f(v)) for v in (x, signed, absolute)]
    return Solution(answer={"xsigned": float(signed[0]), "xabs": float(absolute[0]),
                            "downhill": "abs" if f[2] < f[0] <= f[1] else "signed"},
                    explanation=explain("11.3.4b", x0=f"{x0:g}", h=f"{float(obj.hessian(x)[0, 0]):.4f}",
                                        xs=f"{float(signed[0]):.4f}", xa=f"{float(absolute[0]):.4f}",
                                        f0=f"{f[0]:.4f}", fs=f"{f[1]:.4f}", fa=f"{f[2]:.4f}"))


def preconditioned_steps(kappa: float, angle: float, lr: float = 1.0) -> int:
    """Steps of diag(H)-preconditioned GD on ½xᵀR diag(1, κ)Rᵀx to shrink ‖x‖ by 10³ from R·(1, 1)."""
    obj = objectives.quadratic(kappa, angle)
    x0 = objectives.rotation(angle) @ torch.ones(2, dtype=torch.float64)
    xs = trajectory(gd.preconditioned_gd, obj.grad, x0, 20000, lr=lr, diag=gd.hessian_diag(obj.hessian))
    return gd.steps_to_shrink(xs, SHRINK)


@solver("11.3.4c")
def solve_11_3_4c(seed: int = 0, kappa: float = 100.0) -> Solution:
    """The slow problem of 11.3.3: best-η GD against diagonal preconditioning (η = 1)."""
    gd_steps = solve_11_3_3(seed, kappa).answer["steps"]
    pre = preconditioned_steps(kappa, 0.0)
    return Solution(answer={"stepsGD": gd_steps, "stepsPre": pre},
                    explanation=explain("11.3.4c", kappa=f"{kappa:g}", gd=gd_steps, pre=pre))


variant("11.3.4c")(variant_11_3_3)


@solver("11.3.5")
def solve_11_3_5(seed: int = 0, kappa: float = 100.0) -> Solution:
    """Rotate by 45°: diagonal preconditioning (η = 1) against Newton (η = 1), steps counted on trajectories."""
    pre = preconditioned_steps(kappa, 45.0)
    obj = objectives.quadratic(kappa, 45.0)
    x0 = objectives.rotation(45.0) @ torch.ones(2, dtype=torch.float64)
    newton = gd.steps_to_shrink(trajectory(gd.newton, obj.grad, x0, 5, lr=1.0, hessian=obj.hessian), SHRINK)
    gd_steps = solve_11_3_3(seed, kappa).answer["steps"]
    return Solution(answer={"stepsRot": pre, "stepsNewton": newton, "helps": "no" if pre >= gd_steps else "yes"},
                    explanation=explain("11.3.5", kappa=f"{kappa:g}", pre=pre, newton=newton, gd=gd_steps,
                                        d=f"{(1 + kappa) / 2:g}"))


variant("11.3.5")(variant_11_3_3)
