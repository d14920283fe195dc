"""Section 11.2 (凸性 Convexity): the segment test of a set, L_p balls, max and min of convex functions, the Hessian
of log-sum-exp, affine sets and projections onto them, the Lagrange remainder, the L1 prox and L1-ball projection,
and why projections onto convex sets never increase distances."""

from __future__ import annotations

import numpy as np
import sympy as sp
import torch

from d2lcore import convexity as cx
from solutions import Solution, explain, solver, variant


def _segment_values() -> dict:
    rates = {name: cx.segment_tests(shape) for name, shape in cx.SHAPES.items()}
    return {f"{name}{test.capitalize()}": f"{100 * r:.0f}%"
            for name, tests in rates.items() for test, r in tests.items()}


@solver("11.2.1a")
def solve_11_2_1a(seed: int = 0) -> Solution:
    """The three segment tests (random pairs, boundary pairs, vertex pairs) run on four shapes."""
    return Solution(answer={}, explanation=explain("11.2.1a", **_segment_values()))


@solver("11.2.1b")
def solve_11_2_1b(seed: int = 0) -> Solution:
    """The same tests: the square with a hole passes the vertex test although it is not convex."""
    return Solution(answer={}, explanation=explain("11.2.1b", **_segment_values()))


@variant("11.2.2")
def variant_11_2_2(seed: int) -> dict:
    """The exponent p (seed 0: ½)."""
    return {"p": 0.5 if seed == 0 else float(np.random.default_rng(seed).choice([0.25, 2 / 3, 1.5, 3.0]))}


@solver("11.2.2")
def solve_11_2_2(seed: int = 0, p: float = 0.5) -> Solution:
    """‖(e1 + e2)/2‖_p with d2lcore.linalg.lp_norm, and convexity decided by searching every pair of boundary points
    of the 2-D unit ball for a midpoint outside it."""
    mid = cx.lp_ball_midpoint_norm(p)
    x, y, worst = cx.worst_lp_midpoint(p)
    convex = worst <= 1 + 1e-9
    values = {"p": f"{p:g}", "mid": f"{mid:.4f}", "worst": f"{worst:.4f}",
              "pair": f"({x[0]:.2f}, {x[1]:.2f}), ({y[0]:.2f}, {y[1]:.2f})"}
    return Solution(answer={"mid": mid, "convex": "yes" if convex else "no"}, explanation=explain("11.2.2", **values))


@variant("11.2.3")
def variant_11_2_3(seed: int) -> dict:
    """The shift a of f = (x − a)², g = (x + a)² (seed 0: 1)."""
    return {"a": 1 if seed == 0 else int(np.random.default_rng(seed).choice([2, 3, 4]))}


@solver("11.2.3")
def solve_11_2_3(seed: int = 0, a: int = 1) -> Solution:
    """The Jensen gap of h = min(f, g) between −a and a, by sympy; max(f, g) checked on random triples, and
    min(f, f + 1) = f shows that a min can still be convex."""
    x, lam = sp.Symbol("x"), sp.Symbol("lam")
    f, g = (x - a) ** 2, (x + a) ** 2
    h = sp.Min(f, g)
    gap = sp.simplify(lam * h.subs(x, -a) + (1 - lam) * h.subs(x, a) - h.subs(x, lam * (-a) + (1 - lam) * a))
    rng = torch.Generator().manual_seed(seed)
    u, v = (8 * torch.rand(2, 10_000, generator=rng, dtype=torch.float64) - 4)
    t = torch.rand(10_000, generator=rng, dtype=torch.float64)
    fn = sp.lambdify(x, f, "math")
    gn = sp.lambdify(x, g, "math")
    max_ok = bool((cx.midpoint_gaps(lambda z: torch.maximum(fn(z), gn(z)), u, v, t) >= -1e-9).all())
    min_same_ok = bool((cx.midpoint_gaps(lambda z: torch.minimum(fn(z), fn(z) + 1), u, v, t) >= -1e-9).all())
    half = gap.subs(lam, sp.Rational(1, 2))
    values = {"a": a, "half": str(half), "gap": sp.latex(gap), "a2": a * a}
    answer = {"gap": gap, "maxconvex": "yes" if max_ok else "no",
              "minconvex": "depends" if (min_same_ok and half < 0) else ("always" if min_same_ok else "never")}
    return Solution(answer=answer, explanation=explain("11.2.3", **values))


@variant("11.2.4")
def variant_11_2_4(seed: int) -> dict:
    """The point (x1, x2) (seed 0: (1, 0))."""
    if seed == 0:
        return {"x1": 1, "x2": 0}
    rng = np.random.default_rng(seed)
    x1, x2 = (int(v) for v in rng.choice([-2, -1, 0, 1, 2], size=2, replace=False))
    return {"x1": x1, "x2": x2}


@solver("11.2.4")
def solve_11_2_4(seed: int = 0, x1: int = 1, x2: int = 0) -> Solution:
    """The Hessian of log(e^{x1} + e^{x2}) by sympy, and its exact eigenvalues at the point."""
    H, xs = cx.logsumexp_hessian(2)
    Hp = H.subs({xs[0]: x1, xs[1]: x2})
    lam = sorted((sp.simplify(v) for v in Hp.eigenvals(multiple=True)), key=float)
    p1 = float(sp.exp(x1) / (sp.exp(x1) + sp.exp(x2)))
    values = {"x1": x1, "x2": x2, "p1": f"{p1:.4f}", "p2": f"{1 - p1:.4f}", "lmax": f"{float(lam[1]):.4f}"}
    answer = {"h11": H[0, 0], "h12": H[0, 1], "lmin": float(lam[0]), "lmax": float(lam[1])}
    return Solution(answer=answer, explanation=explain("11.2.4", **values))


AFFINE_W = [[[1, 2, 2]], [[1, -1, 0, 2]], [[1, 0, 1, 0, 1], [0, 1, 2, -1, 0]], [[1, 1, 0, 0], [0, 1, 1, 0],
                                                                                 [0, 0, 1, 1]]]


@variant("11.2.5")
def variant_11_2_5(seed: int) -> dict:
    """W and a point x0 of the set; b = W x0 ≠ 0 (seed 0: W = [1 2 2], b = 3)."""
    rng = np.random.default_rng(seed)
    W = AFFINE_W[0] if seed == 0 else AFFINE_W[int(rng.integers(1, len(AFFINE_W)))]
    x0 = [1, 0, 1] if seed == 0 else [int(v) for v in rng.integers(1, 3, len(W[0]))]
    b = (sp.Matrix(W) * sp.Matrix(x0)).T.tolist()[0]
    return {"W": W, "b": [int(v) for v in b], "Wtex": sp.latex(sp.Matrix(W)), "btex": sp.latex(sp.Matrix(b)),
            "n": len(W[0])}


@solver("11.2.5")
def solve_11_2_5(seed: int = 0, W: list | None = None, b: list | None = None, Wtex: str = "", btex: str = "",
                 n: int = 3) -> Solution:
    """W(λx + (1 − λ)y) − b for a generic pair of solutions, by sympy (it vanishes); the set's dimension n − rank W;
    whether 0 belongs to it (a subspace) or not (an affine set)."""
    W = sp.Matrix(W or AFFINE_W[0])
    b = sp.Matrix(b or [3])
    residual = cx.affine_combination_image(W, b)
    bs, lam = sp.Symbol("b"), sp.Symbol("lam")
    comb = sp.simplify(lam * bs + (1 - lam) * bs) if residual == sp.zeros(*residual.shape) else None
    dim = W.cols - W.rank()
    values = {"Wtex": Wtex, "btex": btex, "n": W.cols, "rank": W.rank(), "dim": dim}
    answer = {"comb": comb, "dim": float(dim), "kind": "affine" if any(v != 0 for v in b) else "subspace"}
    return Solution(answer=answer, explanation=explain("11.2.5", **values))


PROJECT_W = [[[1, 2, 2]], [[2, -1, 2]], [[1, 1, 0], [0, 1, 1]], [[1, 0, -1], [1, 1, 1]]]


@variant("11.2.6")
def variant_11_2_6(seed: int) -> dict:
    """W (seed 0: the row [1 2 2])."""
    W = PROJECT_W[0] if seed == 0 else PROJECT_W[int(np.random.default_rng(seed).integers(1, len(PROJECT_W)))]
    return {"W": W, "Wtex": sp.latex(sp.Matrix(W))}


@solver("11.2.6")
def solve_11_2_6(seed: int = 0, W: list | None = None, Wtex: str = "") -> Solution:
    """M = I − Wᵀ(WWᵀ)⁻¹W exactly with sympy; its rank is the dimension of the subspace."""
    M = cx.nullspace_projector(sp.Matrix(W or PROJECT_W[0]))
    values = {"Wtex": Wtex, "Mtex": sp.latex(M), "rank": M.rank()}
    return Solution(answer={"M": [[float(v) for v in row] for row in M.tolist()], "rank": float(M.rank())},
                    explanation=explain("11.2.6", **values))


TAYLOR = {"exp": (r"e^x", 0.0), "quartic": (r"x^4", 1.0), "neglog": (r"-\log x", 1.0)}


def taylor_function(name: str) -> sp.Expr:
    x = sp.Symbol("x")
    return {"exp": sp.exp(x), "quartic": x**4, "neglog": -sp.log(x)}[name]


@variant("11.2.7")
def variant_11_2_7(seed: int) -> dict:
    """The function, the point x and the step ε (seed 0: eˣ at x = 0, ε = 1)."""
    if seed == 0:
        name, eps = "exp", 1.0
    else:
        rng = np.random.default_rng(seed)
        name, eps = str(rng.choice(["quartic", "neglog", "exp"])), float(rng.choice([0.5, 1.5, 2.0]))
    return {"fname": name, "ftex": TAYLOR[name][0], "x0": TAYLOR[name][1], "eps": eps}


@solver("11.2.7")
def solve_11_2_7(seed: int = 0, fname: str = "exp", ftex: str = "", x0: float = 0.0, eps: float = 1.0) -> Solution:
    """ξ from ½ε² f''(x + ξ) = f(x + ε) − f(x) − ε f'(x), by bisection (f'' is monotone on the interval)."""
    xi = cx.taylor_xi(taylor_function(fname), sp.Symbol("x"), x0, eps)
    values = {"ftex": ftex, "x0": f"{x0:g}", "eps": f"{eps:g}", "xi": f"{xi:.4f}", "ratio": f"{xi / eps:.3f}"}
    return Solution(answer={"xi": xi, "quant": "some"}, explanation=explain("11.2.7", **values))


@variant("11.2.8a")
def variant_11_2_8a(seed: int) -> dict:
    """w with ‖w‖₁ > 1 and the penalty λ (seed 0: w = (1.5, −0.7, 0.3, 0.1), λ = 1)."""
    if seed == 0:
        w, lam = [1.5, -0.7, 0.3, 0.1], 1.0
    else:
        rng = np.random.default_rng(seed)
        w = (rng.choice([-1, 1], 4) * rng.integers(1, 16, 4) / 10).tolist()
        w, lam = (w if sum(abs(v) for v in w) > 1 else [2 * v for v in w]), float(rng.choice([0.4, 0.6, 1.2]))
    return {"w": w, "lam": lam, "wtex": ", ".join(f"{v:g}" for v in w)}


@solver("11.2.8a")
def solve_11_2_8a(seed: int = 0, w: list | None = None, lam: float = 1.0, wtex: str = "") -> Solution:
    """Soft thresholding at λ/2 (the objective has no ½ in front of the squared distance)."""
    wt = torch.tensor(w or [1.5, -0.7, 0.3, 0.1], dtype=torch.float64)
    wp = cx.l1_prox(wt, lam)
    values = {"w": ", ".join(f"{v:g}" for v in wt.tolist()), "lam": f"{lam:g}", "thr": f"{lam / 2:g}",
              "wp": ", ".join(f"{v:.4g}" for v in wp.tolist())}
    return Solution(answer={"thr": lam / 2, "wp": wp.tolist()}, explanation=explain("11.2.8a", **values))


@variant("11.2.8b")
def variant_11_2_8b(seed: int) -> dict:
    """w with ‖w‖₁ > 1 (seed 0: (1.5, −0.7, 0.3, 0.1))."""
    p = variant_11_2_8a(seed)
    return {"w": p["w"], "wtex": p["wtex"]}


@solver("11.2.8b")
def solve_11_2_8b(seed: int = 0, w: list | None = None, wtex: str = "") -> Solution:
    """θ by the sort-based rule; λ = 2θ gives the projection because prox_λ is soft thresholding at λ/2."""
    wt = torch.tensor(w or [1.5, -0.7, 0.3, 0.1], dtype=torch.float64)
    theta = float(cx.l1_ball_threshold(wt))
    proj = cx.project_l1_ball(wt)
    values = {"w": ", ".join(f"{v:g}" for v in wt.tolist()), "norm": f"{float(wt.abs().sum()):g}",
              "theta": f"{theta:.4g}", "lam": f"{2 * theta:.4g}", "proj": ", ".join(f"{v:.4g}" for v in proj.tolist()),
              "rho": int((proj != 0).sum())}
    return Solution(answer={"lam": 2 * theta, "proj": proj.tolist()}, explanation=explain("11.2.8b", **values))


@variant("11.2.9")
def variant_11_2_9(seed: int) -> dict:
    """x, y outside the unit disk and u, v close to its centre (seed 0: (3, 0), (0, 2), (0.1, 0), (−0.1, 0))."""
    if seed == 0:
        p = {"x": [3.0, 0.0], "y": [0.0, 2.0], "u": [0.1, 0.0], "v": [-0.1, 0.0]}
    else:
        rng = np.random.default_rng(seed)
        x, y = rng.integers(2, 5, 2) * rng.choice([-1, 1], 2), rng.integers(2, 5, 2) * np.array([1, -1])
        u = rng.integers(1, 4, 2) / 10
        p = {"x": x.astype(float).tolist(), "y": y.astype(float).tolist(), "u": u.tolist(), "v": (-u).tolist()}
    return {**p, **{f"{k}tex": "(" + ", ".join(f"{c:g}" for c in v) + ")" for k, v in p.items()}}


@solver("11.2.9")
def solve_11_2_9(seed: int = 0, x: list | None = None, y: list | None = None, u: list | None = None,
                 v: list | None = None, **tex: str) -> Solution:
    """Distances before and after projecting onto the unit disk (convex) and onto the unit circle (not convex)."""
    p = variant_11_2_9(0)
    X, Y, U, V = (torch.tensor(a if a is not None else p[k], dtype=torch.float64)
                  for a, k in ((x, "x"), (y, "y"), (u, "u"), (v, "v")))
    dist, pdist = float((X - Y).norm()), float((cx.project_l2_ball(X) - cx.project_l2_ball(Y)).norm())
    cdist = float((cx.project_circle(U) - cx.project_circle(V)).norm())
    values = {"x": _pt(X), "y": _pt(Y), "u": _pt(U), "v": _pt(V), "dist": f"{dist:.4f}", "pdist": f"{pdist:.4f}",
              "uv": f"{float((U - V).norm()):.4f}", "cdist": f"{cdist:.4f}"}
    return Solution(answer={"dist": dist, "pdist": pdist, "cdist": cdist}, explanation=explain("11.2.9", **values))


def _pt(z: torch.Tensor) -> str:
    return "(" + ", ".join(f"{float(c):g}" for c in z) + ")"
