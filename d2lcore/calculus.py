"""Calculus (zh-v2 §2.4 微积分): derivatives, tangent lines, gradients and the multivariate chain rule.

Every function has two independent implementations: a sympy expression (exact derivatives) and a torch function
(automatic differentiation, d2lcore.autograd). Central finite differences give a third, purely numeric, route.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp
import torch
from torch import Tensor

x = sp.Symbol("x")
x1, x2, x3 = sp.symbols("x1 x2 x3")
a, b = sp.symbols("a b")
y, z = sp.symbols("y z")


# --- functions of one variable (exercise 2.4.1, demos of §2.4 and §2.5) ---------------------------------------------

@dataclass(frozen=True)
class Function1D:
    """f: ℝ → ℝ as a sympy expression in x and, written separately, as a torch function (for autograd)."""

    latex: str
    expr: sp.Expr
    torch_fn: Callable[[Tensor], Tensor]
    domain: tuple[float, float]  # the plotted interval
    pole: float | None = None  # a point where f is undefined; grids keep away from it


FUNCTIONS_1D: dict[str, Function1D] = {
    "cubic_minus_reciprocal": Function1D(r"x^3 - \frac{1}{x}", x**3 - 1 / x, lambda t: t**3 - 1 / t, (-3.0, 3.0), 0.0),
    "sin": Function1D(r"\sin x", sp.sin(x), torch.sin, (-2 * np.pi, 2 * np.pi)),
    "gauss": Function1D(r"e^{-x^2}", sp.exp(-(x**2)), lambda t: torch.exp(-(t**2)), (-3.0, 3.0)),
    "log": Function1D(r"\log x", sp.log(x), torch.log, (0.0, 4.0), 0.0),
    "poly": Function1D(r"x^3 - 3x + 1", x**3 - 3 * x + 1, lambda t: t**3 - 3 * t + 1, (-2.5, 2.5)),
    "tanh": Function1D(r"\tanh x", sp.tanh(x), torch.tanh, (-3.0, 3.0)),
}


def derivative(expr: sp.Expr, var: sp.Symbol = x) -> sp.Expr:
    """f'(x) = lim_{h→0} (f(x + h) − f(x)) / h, computed exactly by sympy."""
    return sp.diff(expr, var)


def tangent_line(expr: sp.Expr, x0: float | sp.Rational, var: sp.Symbol = x) -> sp.Expr:
    """The tangent of y = f(x) at x₀:  y = f(x₀) + f'(x₀) · (x − x₀).

    x₀ is converted to an exact rational (1.5 → 3/2), so the line comes out with exact coefficients.
    """
    x0 = sp.Rational(str(x0)) if isinstance(x0, float) else sp.sympify(x0)
    return sp.expand(expr.subs(var, x0) + derivative(expr, var).subs(var, x0) * (var - x0))


def central_difference(f: Callable, x: float | np.ndarray | Tensor, h: float = 1e-5):
    """f'(x) ≈ (f(x + h) − f(x − h)) / (2h); the error is −h²/6 · f'''(ξ), i.e. O(h²) (forward differences: O(h))."""
    return (f(x + h) - f(x - h)) / (2 * h)


def grid(domain: tuple[float, float], n: int = 241, pole: float | None = None, gap: float = 0.15) -> np.ndarray:
    """n evenly spaced points of the closed domain, minus those within `gap` of the pole (x = 0 for 1/x or log x)."""
    xs = np.linspace(*domain, n)
    return xs if pole is None else xs[np.abs(xs - pole) >= gap]


def curve_and_tangent(fn: Function1D, x0: float, n: int = 241) -> dict[str, np.ndarray | float | sp.Expr]:
    """Values of f and of its tangent at x₀ on a plotting grid, plus the line and the slope f'(x₀)."""
    xs = grid(fn.domain, n, fn.pole)
    line = tangent_line(fn.expr, x0)
    f = sp.lambdify(x, fn.expr, "numpy")
    t = sp.lambdify(x, line, "numpy")
    return {"x": xs, "f": f(xs), "tangent": np.broadcast_to(t(xs), xs.shape).astype(float), "line": line,
            "slope": float(derivative(fn.expr).subs(x, sp.Rational(str(x0)))), "f0": float(fn.expr.subs(x, x0))}


# --- gradients (exercises 2.4.2 and 2.4.3) --------------------------------------------------------------------------

def gradient(expr: sp.Expr, symbols: Sequence[sp.Symbol]) -> list[sp.Expr]:
    """∇f(x) = [∂f/∂x₁, …, ∂f/∂xₙ]ᵀ — one partial derivative per variable, the others held fixed."""
    return [sp.diff(expr, s) for s in symbols]


def euclidean_norm(symbols: Sequence[sp.Symbol]) -> sp.Expr:
    """‖x‖₂ = sqrt(x₁² + … + xₙ²)."""
    return sp.sqrt(sum(s**2 for s in symbols))


def norm_gradient(n: int) -> list[sp.Expr]:
    """∇‖x‖₂ = x / ‖x‖₂ (defined for x ≠ 0), in the variables x1 … xn; note ∇‖x‖₂² = 2x is a different function."""
    symbols = sp.symbols(f"x1:{n + 1}")
    return gradient(euclidean_norm(symbols), symbols)


def numeric_gradient(f: Callable[[np.ndarray], float], point: Sequence[float], h: float = 1e-6) -> np.ndarray:
    """∂f/∂xᵢ ≈ (f(x + h eᵢ) − f(x − h eᵢ)) / (2h) for each unit vector eᵢ."""
    p = np.asarray(point, dtype=float)
    eye = np.eye(len(p))
    return np.array([central_difference(lambda s, e=e: f(p + s * e), 0.0, h) for e in eye])


@dataclass(frozen=True)
class Function2D:
    latex: str
    expr: sp.Expr  # in x1, x2
    box: tuple[float, float]  # both coordinates range over this interval


FUNCTIONS_2D: dict[str, Function2D] = {
    "book": Function2D(r"3x_1^2 + 5e^{x_2}", 3 * x1**2 + 5 * sp.exp(x2), (-1.5, 1.5)),
    "norm": Function2D(r"\|\mathbf{x}\|_2", euclidean_norm([x1, x2]), (-2.0, 2.0)),
    "squared_norm": Function2D(r"\|\mathbf{x}\|_2^2", x1**2 + x2**2, (-2.0, 2.0)),
    "quadratic": Function2D(r"x_1^2 + 3x_2^2 - x_1 x_2", x1**2 + 3 * x2**2 - x1 * x2, (-2.0, 2.0)),
}


def gradient_field(expr: sp.Expr, box: tuple[float, float], n: int = 10) -> dict[str, np.ndarray]:
    """f and ∇f at the n × n points of a grid over box²; an even n keeps the origin (where ‖x‖₂ has no gradient)
    off the grid. Returns flat arrays x1, x2, f, g1, g2 of length n²."""
    ticks = np.linspace(*box, n)
    X1, X2 = np.meshgrid(ticks, ticks)  # (n, n) each
    g = [sp.lambdify((x1, x2), gi, "numpy") for gi in gradient(expr, [x1, x2])]
    f = sp.lambdify((x1, x2), expr, "numpy")
    flat = lambda fn: np.broadcast_to(fn(X1, X2), X1.shape).astype(float).ravel()  # noqa: E731 - constants too
    return {"x1": X1.ravel(), "x2": X2.ravel(), "f": flat(f), "g1": flat(g[0]), "g2": flat(g[1])}


# --- the multivariate chain rule (exercise 2.4.4) -------------------------------------------------------------------

OUTER: dict[str, sp.Expr] = {  # u = f(x, y, z), keyed by how the prompt shows it
    "xy + z^2": x * y + z**2,
    "x^2 + yz": x**2 + y * z,
    "xyz": x * y * z,
    r"e^{x} + yz": sp.exp(x) + y * z,
    r"\sin x + y^2 z": sp.sin(x) + y**2 * z,
}
INNER: dict[str, sp.Expr] = {  # x(a, b), y(a, b), z(a, b)
    "a + b": a + b,
    "ab": a * b,
    "a - b": a - b,
    "a^2 b": a**2 * b,
    "ab^2": a * b**2,
    r"\sin a": sp.sin(a),
    r"\cos b": sp.cos(b),
    "e^{b}": sp.exp(b),
}


def chain_rule(f: sp.Expr, inner: dict[sp.Symbol, sp.Expr], wrt: sp.Symbol) -> sp.Expr:
    """∂u/∂a = ∂u/∂x · ∂x/∂a + ∂u/∂y · ∂y/∂a + ∂u/∂z · ∂z/∂a, each ∂u/∂v evaluated at (x(a,b), y(a,b), z(a,b))."""
    return sp.expand(sum(sp.diff(f, v).subs(inner, simultaneous=True) * sp.diff(inner[v], wrt) for v in inner))


def compose(f: sp.Expr, inner: dict[sp.Symbol, sp.Expr]) -> sp.Expr:
    """u(a, b) = f(x(a, b), y(a, b), z(a, b)) — the composite that direct differentiation works on."""
    return f.subs(inner, simultaneous=True)


def chain_rule_terms(f: sp.Expr, inner: dict[sp.Symbol, sp.Expr], wrt: sp.Symbol) -> list[tuple[sp.Expr, sp.Expr]]:
    """The pairs (∂u/∂v at v(a, b), ∂v/∂wrt) for v = x, y, z: one path of the dependency graph each."""
    return [(sp.diff(f, v).subs(inner, simultaneous=True), sp.diff(inner[v], wrt)) for v in inner]
