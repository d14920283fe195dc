"""Section 2.4 (微积分 Calculus): tangent line, two gradients and the chain rule, all derived by sympy.

Each explanation also reports how far sympy's answer is from autograd / finite differences at random points.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
import torch

from d2lcore import calculus
from d2lcore.autograd import autograd_derivative
from d2lcore.calculus import a, b, x, x1, x2, x3
from solutions import Solution, explain, solver, variant


def _max_gap(exprs: list[sp.Expr], symbols: list[sp.Symbol], torch_f, points: np.ndarray) -> float:
    """max over points and components of |sympy gradient − autograd gradient of torch_f|."""
    P = torch.tensor(points, dtype=torch.float64, requires_grad=True)  # (m, n)
    (auto,) = torch.autograd.grad(torch_f(P).sum(), P)
    exact = np.stack([np.broadcast_to(sp.lambdify(symbols, e, "numpy")(*points.T), len(points)) for e in exprs], 1)
    return float(np.max(np.abs(auto.numpy() - exact)))


@variant("2.4.1")
def variant_2_4_1(seed: int) -> dict:
    if seed == 0:
        return {"x0": 1}
    return {"x0": float(np.random.default_rng(seed).choice([-2.0, -1.5, -1.0, -0.5, 0.5, 1.5, 2.0, 2.5]))}


@solver("2.4.1")
def solve_2_4_1(seed: int = 0, x0: float = 1) -> Solution:
    """y = f(x₀) + f'(x₀)(x − x₀) for f(x) = x³ − 1/x; the slope is re-derived by autograd and finite differences."""
    fn = calculus.FUNCTIONS_1D["cubic_minus_reciprocal"]
    line = calculus.tangent_line(fn.expr, x0)
    x0_exact = sp.Rational(str(x0))
    slope = calculus.derivative(fn.expr).subs(x, x0_exact)
    auto = autograd_derivative(fn.torch_fn, [float(x0)]).item()
    fd = calculus.central_difference(lambda t: t**3 - 1 / t, float(x0))
    values = {"x0": x0, "f0": sp.latex(fn.expr.subs(x, x0_exact)), "slope": sp.latex(slope),
              "line": sp.latex(line), "auto": f"{auto:.10g}", "fd": f"{fd:.8g}"}
    return Solution(answer={"tangent": line}, explanation=explain("2.4.1", **values), data=values)


@variant("2.4.2")
def variant_2_4_2(seed: int) -> dict:
    if seed == 0:
        return {"c1": 3, "c2": 5}
    c1, c2 = np.random.default_rng(seed).integers(2, 10, size=2)
    return {"c1": int(c1), "c2": int(c2)}


@solver("2.4.2")
def solve_2_4_2(seed: int = 0, c1: int = 3, c2: int = 5) -> Solution:
    """∇(c₁x₁² + c₂e^{x₂}) = [2c₁x₁, c₂e^{x₂}]: one partial derivative per variable."""
    g1, g2 = calculus.gradient(c1 * x1**2 + c2 * sp.exp(x2), [x1, x2])
    points = np.random.default_rng(seed).uniform(-2, 2, size=(16, 2))
    gap = _max_gap([g1, g2], [x1, x2], lambda P: c1 * P[:, 0] ** 2 + c2 * torch.exp(P[:, 1]), points)
    values = {"g1": sp.latex(g1), "g2": sp.latex(g2), "maxdiff": f"{gap:.1e}"}
    return Solution(answer={"g1": g1, "g2": g2}, explanation=explain("2.4.2", **values), data=values)


@solver("2.4.3")
def solve_2_4_3(seed: int = 0) -> Solution:
    """∇‖x‖₂ = x / ‖x‖₂ in three variables, compared with autograd of torch.linalg.vector_norm."""
    g = calculus.norm_gradient(3)
    points = np.random.default_rng(seed).uniform(-2, 2, size=(16, 3))
    gap = _max_gap(g, [x1, x2, x3], lambda P: torch.linalg.vector_norm(P, dim=1), points)
    values = {"g1": sp.latex(g[0]), "maxdiff": f"{gap:.1e}"}
    return Solution(answer={"g1": g[0], "g2": g[1], "g3": g[2]}, explanation=explain("2.4.3", **values), data=values)


@variant("2.4.4")
def variant_2_4_4(seed: int) -> dict:
    if seed == 0:
        return {"f": "xy + z^2", "x": "a + b", "y": "ab", "z": r"\sin a"}
    rng = np.random.default_rng(seed)
    outer = list(calculus.OUTER)[rng.integers(len(calculus.OUTER))]
    inner = rng.choice(list(calculus.INNER), size=3, replace=False)
    return {"f": outer, "x": str(inner[0]), "y": str(inner[1]), "z": str(inner[2])}


@solver("2.4.4")
def solve_2_4_4(seed: int = 0, f: str = "xy + z^2", x: str = "a + b", y: str = "ab", z: str = r"\sin a") -> Solution:
    """∂u/∂a = Σ_{v∈{x,y,z}} ∂u/∂v · ∂v/∂a (likewise for b), for functions picked from fixed lists by name."""
    u = calculus.OUTER[f]
    inner = {calculus.x: calculus.INNER[x], calculus.y: calculus.INNER[y], calculus.z: calculus.INNER[z]}
    dua, dub = (calculus.chain_rule(u, inner, v) for v in (a, b))
    composite = sp.lambdify((a, b), calculus.compose(u, inner), "torch")
    points = np.random.default_rng(seed).uniform(-2, 2, size=(16, 2))
    gap = _max_gap([dua, dub], [a, b], lambda P: composite(P[:, 0], P[:, 1]), points)
    values = {"f": f, "x": x, "y": y, "z": z, "dua": sp.latex(dua), "dub": sp.latex(dub), "maxdiff": f"{gap:.1e}"}
    return Solution(answer={"dua": dua, "dub": dub}, explanation=explain("2.4.4", **values), data=values)
