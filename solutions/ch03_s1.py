"""Section 3.1 (线性回归 Linear regression): the mean as a least-squares fit, the matrix form, gradient and closed
form of least squares, the Laplace noise model and SGD for the absolute loss."""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
import torch

from d2lcore import linear
from solutions import Solution, explain, solver, variant


def _tex_vector(v: list[float]) -> str:
    return r"\begin{bmatrix}" + r"\\ ".join(f"{x:g}" for x in v) + r"\end{bmatrix}"


def _tex_matrix(M: list[list[float]]) -> str:
    return r"\begin{bmatrix}" + r"\\ ".join(" & ".join(f"{x:g}" for x in row) for row in M) + r"\end{bmatrix}"


# --- 3.1.1: the constant that minimises the squared error ----------------------------------------------------------

@variant("3.1.1a")
def variant_3_1_1a(seed: int) -> dict:
    """Seed 0: five fixed numbers whose mean (4) and median (3) differ; other seeds: five random integers."""
    xs = [1, 2, 3, 4, 10] if seed == 0 else sorted(int(v) for v in np.random.default_rng(seed).integers(-5, 20, 5))
    if seed and np.median(xs) == np.mean(xs):
        xs[-1] += 7  # keep mean ≠ median so the two answers can be told apart
    return {"xs": xs, "xsText": ", ".join(map(str, xs))}


@solver("3.1.1a")
def solve_3_1_1a(seed: int = 0, xs: list[int] | None = None, xsText: str = "") -> Solution:
    """b* from d/db Σ (x_i − b)² = 0, solved by sympy for three symbols, then for the learner's numbers."""
    xs = xs or [1, 2, 3, 4, 10]
    b = sp.Symbol("b")
    x = sp.symbols("x1 x2 x3")
    (b_star,) = sp.solve(sp.diff(sum((xi - b) ** 2 for xi in x), b), b)
    (b_num,) = sp.solve(sp.diff(sum((sp.Integer(v) - b) ** 2 for v in xs), b), b)
    values = {"bstar": sp.latex(b_star), "xsText": xsText or ", ".join(map(str, xs)), "bnum": f"{float(b_num):g}",
              "median": f"{float(np.median(xs)):g}", "second": 2 * len(xs)}
    return Solution(answer={"bexpr": b_star, "bnum": float(b_num)}, explanation=explain("3.1.1a", **values))


@solver("3.1.1b")
def solve_3_1_1b(seed: int = 0) -> Solution:
    """−log N(x; b, s²) by sympy; the Gaussian maximum-likelihood b found numerically equals the least-squares b."""
    x, b, s = sp.symbols("x b s", real=True)
    density = sp.exp(-((x - b) ** 2) / (2 * s**2)) / (sp.sqrt(2 * sp.pi) * s)
    nll = sp.expand_log(-sp.log(density), force=True)
    xs = torch.tensor([1.0, 2.0, 3.0, 4.0, 10.0], dtype=torch.float64)
    grid = torch.linspace(0, 12, 12001, dtype=torch.float64)
    log_lik = torch.distributions.Normal(grid[:, None], 1.5).log_prob(xs).sum(dim=1)
    sq_err = ((xs - grid[:, None]) ** 2).sum(dim=1)
    same = abs(float(grid[log_lik.argmax()] - grid[sq_err.argmin()])) < 1e-9
    answer = {"nll": sp.simplify(nll).subs({x: sp.Symbol("x"), b: sp.Symbol("b"), s: sp.Symbol("s")}),
              "relation": "mle" if same else "unrelated"}
    bhat = float(grid[log_lik.argmax()])
    return Solution(answer=answer, explanation=explain("3.1.1b", nll=sp.latex(nll), bhat=f"{bhat:g}"))


# --- 3.1.2: least squares in matrix form ---------------------------------------------------------------------------

BOOK_X, BOOK_Y = [[1, 2], [2, 0], [0, 1]], [3, 2, 1]


@variant("3.1.2a")
@variant("3.1.2b")
@variant("3.1.2c")
def variant_3_1_2(seed: int) -> dict:
    """A 3 × 2 design X and targets y in small integers; seed 0 gives w* = [1, 1]. X always has rank 2."""
    if seed == 0:
        X, y = BOOK_X, BOOK_Y
    else:
        rng = np.random.default_rng(seed)
        while True:
            X = rng.integers(-3, 4, (3, 2)).tolist()
            if abs(np.linalg.det(np.array(X).T @ np.array(X))) >= 4:
                break
        y = rng.integers(-4, 5, 3).tolist()
    return {"X": X, "y": y, "Xtex": _tex_matrix(X), "ytex": _tex_vector(y)}


def _least_squares_sympy(X: list[list[int]], y: list[int]) -> tuple[sp.Expr, list[sp.Expr], list[sp.Rational]]:
    """L(w1, w2) = (y − Xw)ᵀ(y − Xw), its gradient by sympy.diff and the exact root of the gradient."""
    w = sp.Matrix(sp.symbols("w1 w2"))
    r = sp.Matrix(y) - sp.Matrix(X) * w
    L = sp.expand((r.T * r)[0])
    grad = [sp.expand(sp.diff(L, wi)) for wi in w]
    root = sp.solve(grad, list(w), dict=True)[0]
    return L, grad, [root[wi] for wi in w]


def _matching_formula(candidates: dict, reference: np.ndarray) -> str:
    """The value of the one candidate formula that runs (right shapes, invertible) and gives `reference`."""
    hits = []
    for name, formula in candidates.items():
        try:
            value = np.asarray(formula(), dtype=float)
        except (ValueError, np.linalg.LinAlgError):  # a shape mismatch or a singular matrix: not a solution
            continue
        if value.shape == reference.shape and np.allclose(value, reference):
            hits.append(name)
    if len(hits) != 1:
        raise RuntimeError(f"expected exactly one matching formula, got {hits}")
    return hits[0]


@solver("3.1.2a")
def solve_3_1_2a(seed: int = 0, X: list | None = None, y: list | None = None, Xtex: str = "",
                 ytex: str = "") -> Solution:
    """The loss as an expression in w1, w2, and which matrix form equals Σ_i (y_i − x_iᵀw)² at a random w."""
    X, y = X or BOOK_X, y or BOOK_Y
    L, _, _ = _least_squares_sympy(X, y)
    Xn, yn = np.array(X, float), np.array(y, float)
    w = np.random.default_rng(seed).normal(size=2)
    r = yn - Xn @ w
    form = _matching_formula({"norm": lambda: r @ r, "outer": lambda: np.outer(r, r), "xty": lambda: np.sum(
        (Xn.T @ yn - w) ** 2)}, np.array(sum((yi - xi @ w) ** 2 for xi, yi in zip(Xn, yn, strict=True))))
    return Solution(answer={"loss": L, "form": form}, explanation=explain("3.1.2a", L=sp.latex(L), Xtex=Xtex or
                                                                           _tex_matrix(X), ytex=ytex or _tex_vector(y)))


@solver("3.1.2b")
def solve_3_1_2b(seed: int = 0, X: list | None = None, y: list | None = None, Xtex: str = "",
                 ytex: str = "") -> Solution:
    """∂L/∂w1 and ∂L/∂w2 by sympy; the matrix formula picked by comparing candidates with those derivatives."""
    X, y = X or BOOK_X, y or BOOK_Y
    _, grad, _ = _least_squares_sympy(X, y)
    Xn, yn = np.array(X, float), np.array(y, float)
    w = np.random.default_rng(seed).normal(size=2)
    at_w = np.array([float(g.subs({"w1": w[0], "w2": w[1]})) for g in grad])
    form = _matching_formula({"xt": lambda: 2 * Xn.T @ (Xn @ w - yn), "x": lambda: 2 * Xn @ (Xn @ w - yn),
                              "residual": lambda: 2 * (Xn @ w - yn), "xty": lambda: -2 * Xn.T @ yn}, at_w)
    values = {"g1": sp.latex(grad[0]), "g2": sp.latex(grad[1]), "Xtex": Xtex or _tex_matrix(X),
              "ytex": ytex or _tex_vector(y)}
    return Solution(answer={"g1": grad[0], "g2": grad[1], "form": form}, explanation=explain("3.1.2b", **values))


@solver("3.1.2c")
def solve_3_1_2c(seed: int = 0, X: list | None = None, y: list | None = None, Xtex: str = "",
                 ytex: str = "") -> Solution:
    """w* as the exact root of the sympy gradient; the matrix formula picked by comparing candidates with it."""
    X, y = X or BOOK_X, y or BOOK_Y
    _, _, root = _least_squares_sympy(X, y)
    Xn, yn = np.array(X, float), np.array(y, float)
    w_star = np.array([float(v) for v in root])
    form = _matching_formula({"normal": lambda: np.linalg.solve(Xn.T @ Xn, Xn.T @ yn),
                              "inverse": lambda: np.linalg.solve(Xn, yn),
                              "swapped": lambda: np.linalg.solve(Xn @ Xn.T, Xn.T @ yn),
                              "xty": lambda: Xn.T @ yn}, w_star)
    values = {"wstar": sp.latex(sp.Matrix(root).T), "Xtex": Xtex or _tex_matrix(X), "ytex": ytex or _tex_vector(y),
              "XtX": sp.latex(sp.Matrix(X).T * sp.Matrix(X)), "Xty": sp.latex(sp.Matrix(X).T * sp.Matrix(y))}
    return Solution(answer={"wstar": w_star.tolist(), "form": form}, explanation=explain("3.1.2c", **values))


@solver("3.1.2d")
def solve_3_1_2d(seed: int = 0) -> Solution:
    """Conceptual; the explanation quotes κ(XᵀX) for two correlated features at ρ = 0, 0.9 and 0.999."""
    g = torch.Generator().manual_seed(seed)
    kappa = {rho: linear.condition_number(linear.correlated_features(1000, rho, g)) for rho in (0.0, 0.9, 0.999)}
    values = {"k0": f"{kappa[0.0]:.2f}", "k9": f"{kappa[0.9]:.1f}", "k999": f"{kappa[0.999]:.0f}"}
    return Solution(answer={}, explanation=explain("3.1.2d", **values))


# --- 3.1.3: Laplace noise ------------------------------------------------------------------------------------------

@variant("3.1.3a")
def variant_3_1_3a(seed: int) -> dict:
    """Four points (x, y) and a candidate (w, b); seed 0 uses fixed numbers."""
    if seed == 0:
        pts, w, b = [(0, 1), (1, 2), (2, 6), (3, 7)], 2.0, 0.5
    else:
        rng = np.random.default_rng(seed)
        pts = [(int(x), int(y)) for x, y in zip(range(4), rng.integers(-3, 9, 4), strict=True)]
        w, b = float(rng.integers(-2, 4)), float(rng.integers(-2, 3)) + 0.5
    return {"pts": pts, "ptsText": ", ".join(f"({x}, {y})" for x, y in pts), "w": w, "b": b}


@solver("3.1.3a")
def solve_3_1_3a(seed: int = 0, pts: list | None = None, ptsText: str = "", w: float = 2.0,
                 b: float = 0.5) -> Solution:
    """−log of ½ exp(−|y − wx − b|) by sympy; the data's NLL by d2lcore.linear.laplace_nll; the distribution's
    name found by matching ½ exp(−|ε|) with torch's log-densities."""
    pts = pts or [(0, 1), (1, 2), (2, 6), (3, 7)]
    y_, x_, w_, b_ = sp.symbols("y x w b", real=True)
    nll1 = -sp.log(sp.Rational(1, 2) * sp.exp(-sp.Abs(y_ - w_ * x_ - b_)))
    nll1 = sp.expand_log(sp.simplify(nll1), force=True).subs({s: sp.Symbol(s.name) for s in (y_, x_, w_, b_)})
    X = torch.tensor([p[0] for p in pts], dtype=torch.float64)
    Y = torch.tensor([p[1] for p in pts], dtype=torch.float64)
    nll_data = float(linear.laplace_nll(w * X + b, Y))
    eps = torch.linspace(-3, 3, 61, dtype=torch.float64)
    target = torch.log(0.5 * torch.exp(-eps.abs()))
    dists = {"laplace": torch.distributions.Laplace(0.0, 1.0), "gaussian": torch.distributions.Normal(0.0, 1.0),
             "exponential": torch.distributions.Exponential(1.0)}
    name = [k for k, d in dists.items() if d.support.check(eps).all() and torch.allclose(d.log_prob(eps), target)]
    values = {"nll1": sp.latex(nll1), "nllData": f"{nll_data:.4f}", "n": len(pts), "w": w, "b": b,
              "ptsText": ptsText, "absSum": f"{nll_data - len(pts) * math.log(2):g}"}
    return Solution(answer={"nll1": nll1, "nllData": nll_data, "name": name[0]},
                    explanation=explain("3.1.3a", **values))


@solver("3.1.3b")
def solve_3_1_3b(seed: int = 0) -> Solution:
    """Conceptual; the explanation quotes the grid minimiser of Σ|x_i − b| next to the median."""
    xs = torch.tensor([1.0, 2.0, 3.0, 4.0, 10.0], dtype=torch.float64)
    grid = torch.linspace(0, 12, 1201, dtype=torch.float64)
    l1 = (xs - grid[:, None]).abs().sum(dim=1)
    return Solution(answer={}, explanation=explain("3.1.3b", argmin=f"{float(grid[l1.argmin()]):g}",
                                                   median=f"{float(xs.median()):g}"))


@variant("3.1.3c")
def variant_3_1_3c(seed: int) -> dict:
    """Five targets and the current b; seed 0 fixed."""
    if seed == 0:
        ys, b0 = [1, 2, 3, 4, 10], 3.5
    else:
        rng = np.random.default_rng(seed)
        ys = sorted(int(v) for v in rng.integers(-5, 15, 5))
        b0 = float(rng.integers(-5, 15)) + 0.5  # never equal to a target
    return {"ys": ys, "ysText": ", ".join(map(str, ys)), "b0": b0}


@solver("3.1.3c")
def solve_3_1_3c(seed: int = 0, ys: list | None = None, ysText: str = "", b0: float = 3.5) -> Solution:
    """The subgradient of the mean absolute loss by autograd; what goes wrong and the fix read off simulations of
    constant-rate and decaying-rate sign SGD (d2lcore.linear.location_sgd)."""
    ys = ys or [1, 2, 3, 4, 10]
    b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)
    Y = torch.tensor(ys, dtype=torch.float64)
    (Y - b).abs().mean().backward()
    gb = float(b.grad)
    g = torch.Generator().manual_seed(seed)
    median, lr, steps = float(Y.median()), 0.5, 4000
    late = {d: linear.location_sgd(Y, lr, steps, b0=b0, decay=d, generator=g)[-500:] for d in (False, True)}
    spread = {d: float((p - median).abs().max()) for d, p in late.items()}
    problem = "oscillate" if spread[False] > lr / 2 else "converges"
    fix = "decay" if spread[True] < spread[False] / 5 else "none"
    values = {"gb": f"{gb:g}", "b0": b0, "ysText": ysText, "median": f"{median:g}", "lr": lr,
              "spreadConst": f"{spread[False]:.3f}", "spreadDecay": f"{spread[True]:.3f}", "steps": steps}
    return Solution(answer={"gb": gb, "problem": problem, "fix": fix}, explanation=explain("3.1.3c", **values))
