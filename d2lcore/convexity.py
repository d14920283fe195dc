"""Chapter 11.1–11.2 (优化和深度学习 Optimisation and deep learning; 凸性 Convexity).

11.1: the symmetry of hidden units (d! equivalent networks), critical points of 1-D functions (local minimum,
maximum, saddle), eigenvalue signs of random symmetric matrices (why high-dimensional critical points are mostly
saddles), and how a perturbation grows at the saddle of x² − y².
11.2: convex sets and functions — the segment test of a set, Jensen gaps, L_p balls, max/min of convex functions,
the Hessian of log-sum-exp, projections onto affine sets, the mean-value form of Taylor's theorem, the proximal
operator of the L1 norm and the sort-based projection onto the L1 ball, and the non-expansiveness of projections.
All functions are pure (torch / sympy / numpy); batch dimensions come first, coordinates last.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp
import torch
from torch import Tensor

from d2lcore.linalg import lp_norm
from d2lcore.optim.objectives import Objective2D

# ---------------------------------------------------------------- 11.1: symmetries and critical points


def mlp_forward(X: Tensor, W1: Tensor, b1: Tensor, w2: Tensor, b2: float) -> Tensor:
    """o = w2ᵀ tanh(W1 x + b1) + b2 for every row x of X: one hidden layer of width d = len(b1), one output."""
    return torch.tanh(X @ W1.T + b1) @ w2 + b2


def permute_hidden_units(W1: Tensor, b1: Tensor, w2: Tensor, perm: Sequence[int]) -> tuple[Tensor, Tensor, Tensor]:
    """Relabel the hidden units by `perm`: rows of W1, entries of b1 and of w2 move together."""
    idx = torch.as_tensor(list(perm))
    return W1[idx], b1[idx], w2[idx]


def equivalent_networks(d: int, signs: bool = False, n_inputs: int = 3, seed: int = 0) -> tuple[int, int]:
    """Apply every relabelling of the hidden units of a random width-d tanh network (and, with `signs`, every sign
    flip of a unit's incoming weights, bias and outgoing weight: tanh(−z) = −tanh(z)) and run it on random inputs.

    Returns (how many of the d! (· 2^d) variants give the same outputs to 1e-12, how many distinct parameter vectors
    they are). Both are d! (resp. d!·2^d) when the hidden units are pairwise different, true with probability 1.
    """
    g = torch.Generator().manual_seed(seed)
    W1 = torch.randn(d, n_inputs, generator=g, dtype=torch.float64)
    b1, w2, b2 = torch.randn(d, generator=g, dtype=torch.float64), torch.randn(d, generator=g, dtype=torch.float64), 0.3
    X = torch.randn(50, n_inputs, generator=g, dtype=torch.float64)
    perms = torch.tensor(list(itertools.permutations(range(d))))  # (P, d)
    s = torch.tensor(list(itertools.product([1.0, -1.0], repeat=d)) if signs else [[1.0] * d], dtype=torch.float64)
    S, P = len(s), len(perms)
    W1p = W1[perms][None] * s[:, None, :, None]  # (S, P, d, n_inputs)
    b1p, w2p = b1[perms][None] * s[:, None], w2[perms][None] * s[:, None]  # (S, P, d)
    o = torch.tanh(torch.einsum("bi,spji->spbj", X, W1p) + b1p[:, :, None]) @ w2p[..., None] + b2  # (S, P, 50, 1)
    same = (o[..., 0] - mlp_forward(X, W1, b1, w2, b2)).abs().amax(dim=-1) <= 1e-12  # (S, P)
    params = torch.cat([W1p.reshape(S * P, -1), b1p.reshape(S * P, -1), w2p.reshape(S * P, -1)], dim=1)
    return int(same.sum()), len(torch.unique(params, dim=0))


def classify_critical_points(f: sp.Expr, x: sp.Symbol) -> list[tuple[sp.Expr, str]]:
    """Real solutions of f'(x) = 0, each labelled by the first non-vanishing derivative f⁽ᵏ⁾ (k ≥ 2) there:

    k even and f⁽ᵏ⁾ > 0 → "minimum", k even and < 0 → "maximum", k odd → "saddle" (an inflection with f' = 0,
    like x = 0 for x³). Only for functions whose critical points sympy can solve for exactly.
    """
    points = sp.solveset(sp.diff(f, x), x, domain=sp.S.Reals)
    out = []
    for p in sorted(points, key=lambda v: float(v)):
        for k in range(2, 12):
            v = sp.simplify(sp.diff(f, x, k).subs(x, p))
            if v != 0:
                out.append((p, "saddle" if k % 2 else ("minimum" if v > 0 else "maximum")))
                break
    return out


def hessian_eigenvalues(f: sp.Expr, xs: Sequence[sp.Symbol], point: Sequence[float]) -> list[float]:
    """Eigenvalues (ascending) of the Hessian ∇²f at `point`: all > 0 minimum, all < 0 maximum, mixed signs saddle."""
    H = sp.hessian(f, list(xs)).subs(dict(zip(xs, point, strict=True)))
    return sorted(float(sp.re(v)) for v in H.eigenvals(multiple=True))


def random_symmetric(n: int, batch: int, entries: str, generator: torch.Generator) -> Tensor:
    """A batch (batch, n, n) of symmetric matrices M_ij = M_ji with i.i.d. entries on and above the diagonal.

    entries: "goe" (diagonal N(0, 1), off-diagonal N(0, ½): M = (A + Aᵀ)/2 for Gaussian A), "gauss" (all N(0, 1)),
    "uniform" (U[−1, 1]), "rademacher" (±1), "ternary" ({−1, 0, 1}), "sparse" (0 w.p. 0.9, else ±1). Every one is
    symmetric about 0, so M and −M have the same distribution.
    """
    shape = (batch, n, n)
    if entries == "goe":
        A = torch.randn(shape, generator=generator, dtype=torch.float64)
        return (A + A.transpose(-1, -2)) / 2
    if entries == "gauss":
        A = torch.randn(shape, generator=generator, dtype=torch.float64)
    elif entries == "uniform":
        A = 2 * torch.rand(shape, generator=generator, dtype=torch.float64) - 1
    elif entries == "rademacher":
        A = 2.0 * torch.randint(0, 2, shape, generator=generator, dtype=torch.float64) - 1
    elif entries == "ternary":
        A = torch.randint(-1, 2, shape, generator=generator, dtype=torch.float64)
    elif entries == "sparse":
        sign = 2.0 * torch.randint(0, 2, shape, generator=generator, dtype=torch.float64) - 1
        A = sign * (torch.rand(shape, generator=generator, dtype=torch.float64) < 0.1)
    else:
        raise ValueError(f"unknown entry distribution {entries!r}")
    upper = torch.triu(A)
    return upper + torch.triu(A, 1).transpose(-1, -2)  # mirror the strict upper triangle


ENTRY_KINDS = ("goe", "gauss", "uniform", "rademacher", "ternary", "sparse")


def eigenvalue_sign_fractions(M: Tensor, tol: float = 1e-9) -> dict[str, float]:
    """Fractions of all eigenvalues of the batch M that are > tol, < −tol and |λ| ≤ tol, and the fraction of
    matrices whose eigenvalues are all > tol (positive definite: a minimum if M were a Hessian)."""
    lam = torch.linalg.eigvalsh(M)  # (batch, n), ascending
    return {"pos": float((lam > tol).double().mean()), "neg": float((lam < -tol).double().mean()),
            "zero": float((lam.abs() <= tol).double().mean()), "posdef": float((lam[:, 0] > tol).double().mean())}


def goe2_positive_definite_probability() -> sp.Expr:
    """P(λ1 > 0, λ2 > 0) for the 2 × 2 Gaussian orthogonal ensemble, exactly.

    The joint eigenvalue density is ∝ |λ1 − λ2| exp(−(λ1² + λ2²)/2). In polar coordinates the radial integral is the
    same on every ray and cancels, so P = ∫_0^{π/2} |cos θ − sin θ| dθ / ∫_0^{2π} |cos θ − sin θ| dθ = (2 − √2)/4,
    well below the 1/4 that two independent fair signs would give: eigenvalues repel.
    """
    th = sp.Symbol("theta", real=True)
    # cos θ − sin θ = √2 cos(θ + π/4): on [0, π/2] it changes sign at π/4 (symmetric about it); over a full turn
    # |√2 cos| is two half-periods on which cos keeps its sign
    quarter = 2 * sp.integrate(sp.cos(th) - sp.sin(th), (th, 0, sp.pi / 4))
    full = 2 * sp.integrate(sp.sqrt(2) * sp.cos(th), (th, -sp.pi / 2, sp.pi / 2))
    return sp.radsimp(sp.simplify(quarter / full))


def exact_zero_eigenvalue_fraction(values: Sequence[int]) -> sp.Rational:
    """P(λ = 0) for a uniformly chosen eigenvalue of [[a, b], [b, c]] with a, b, c i.i.d. uniform on `values`.

    Enumerates every matrix exactly. The eigenvalues are the roots of λ² − (a + c)λ + (ac − b²), so λ = 0 is a root of
    multiplicity 2 when ac − b² = 0 and a + c = 0 (only the zero matrix), of multiplicity 1 when only ac − b² = 0.
    """
    zeros = total = 0
    for a, b, c in itertools.product(values, repeat=3):
        det, trace = a * c - b * b, a + c
        zeros += 0 if det != 0 else (2 if trace == 0 else 1)
        total += 2
    return sp.Rational(zeros, total)


def first_escape(path: Tensor, radius: float = 1.0) -> Tensor:
    """For a trajectory of shape (steps+1, ..., 2): the first step t with |y_t| > radius, per chain (−1 if never).

    On f = x² − y² gradient descent multiplies y by (1 + 2η) each step, so from y0 ≠ 0 the escape takes
    ⌈log(radius/|y0|) / log(1 + 2η)⌉ steps, while x shrinks by (1 − 2η): the saddle attracts along x only.
    """
    out = path[..., 1].abs() > radius  # (steps+1, ...)
    t = torch.arange(len(path)).reshape(-1, *([1] * (out.dim() - 1))).expand_as(out)
    first = torch.where(out, t, torch.full_like(t, len(path))).amin(dim=0)
    return torch.where(first < len(path), first, torch.full_like(first, -1))


def cube() -> Objective2D:
    """f(x) = x³ as a 1-D objective (shapes (..., 1)): f'(0) = f''(0) = 0 but 0 is no extremum (a saddle point)."""
    return Objective2D("x³", lambda x: (x**3)[..., 0], lambda x: 3 * x**2, lambda x: (6 * x).unsqueeze(-1),
                       (-1.5, 1.5), (-1.5, 1.5), torch.zeros(1, dtype=torch.float64))


# ---------------------------------------------------------------- 11.2: convex sets


def segment_violation_rate(inside: Callable[[Tensor], Tensor], P: Tensor, Q: Tensor, n_t: int = 64) -> float:
    """Fraction of pairs (p, q) whose segment {λp + (1 − λ)q : λ ∈ [0, 1]} leaves the set (checked at n_t points).

    `inside` maps points (..., 2) to booleans. P, Q: (k, 2). A convex set gives 0 for every choice of pairs.
    """
    lam = torch.linspace(0, 1, n_t, dtype=P.dtype).reshape(1, -1, 1)
    Z = lam * P[:, None, :] + (1 - lam) * Q[:, None, :]  # (k, n_t, 2)
    return float((~inside(Z)).any(dim=1).double().mean()) if len(P) else 0.0


def holed_square_inside(Z: Tensor, centre: tuple[float, float] = (0.5, 0.2), r: float = 0.1) -> Tensor:
    """[0, 1]² minus the open disk of radius r around `centre`: not convex, yet no segment between two of its four
    corners meets the hole (the corners are its only vertices)."""
    box = ((Z >= 0) & (Z <= 1)).all(dim=-1)
    c = torch.tensor(centre, dtype=Z.dtype)
    return box & ((Z - c).norm(dim=-1) >= r)


def _square_inside(Z: Tensor) -> Tensor:
    return ((Z >= -1e-12) & (Z <= 1 + 1e-12)).all(dim=-1)


def _polygon_boundary(V: Tensor, n: int) -> Tensor:
    """n points spread evenly (by arc length) along the closed polygon with vertices V (k, 2)."""
    E = torch.roll(V, -1, 0) - V
    cum = torch.cat([torch.zeros(1, dtype=V.dtype), E.norm(dim=-1).cumsum(0)])
    s = torch.linspace(0, float(cum[-1]), n + 1, dtype=V.dtype)[:-1]
    i = (torch.searchsorted(cum, s, right=True) - 1).clamp(0, len(V) - 1)
    frac = ((s - cum[i]) / (cum[i + 1] - cum[i]))[:, None]
    return V[i] + frac * E[i]


def _circle(c: tuple[float, float], r: float, n: int) -> Tensor:
    th = torch.linspace(0, 2 * math.pi, n + 1, dtype=torch.float64)[:-1]
    return torch.stack([c[0] + r * th.cos(), c[1] + r * th.sin()], dim=-1)


SQUARE = torch.tensor([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]], dtype=torch.float64)
L_SHAPE = torch.tensor([[0.0, 0.0], [1.0, 0.0], [1.0, 0.5], [0.5, 0.5], [0.5, 1.0], [0.0, 1.0]], dtype=torch.float64)


@dataclass(frozen=True)
class Shape2D:
    """A set in [0, 1]² for the segment test: membership, boundary sampler and vertices (corners)."""

    inside: Callable[[Tensor], Tensor]  # (..., 2) → bool (...)
    boundary: Callable[[int], Tensor]  # n → (≈n, 2) points on the boundary
    vertices: Tensor  # (k, 2), possibly empty


SHAPES: dict[str, Shape2D] = {
    "square": Shape2D(_square_inside, lambda n: _polygon_boundary(SQUARE, n), SQUARE),
    "lshape": Shape2D(lambda Z: _square_inside(Z) & ~((Z[..., 0] > 0.5 + 1e-12) & (Z[..., 1] > 0.5 + 1e-12)),
                      lambda n: _polygon_boundary(L_SHAPE, n), L_SHAPE),
    "holed": Shape2D(lambda Z: _square_inside(Z) & holed_square_inside(Z.clamp(0, 1)),
                     lambda n: torch.cat([_polygon_boundary(SQUARE, n - n // 4), _circle((0.5, 0.2), 0.1, n // 4)]),
                     SQUARE),
    "disk": Shape2D(lambda Z: (Z - 0.5).norm(dim=-1) <= 0.5 + 1e-12, lambda n: _circle((0.5, 0.5), 0.5, n),
                    torch.zeros(0, 2, dtype=torch.float64)),
}


def segment_tests(shape: Shape2D, n: int = 200, seed: int = 0) -> dict[str, float]:
    """Violation rates of the segment test with n random pairs of points of the set, of boundary points, and all
    pairs of vertices. A convex set scores 0 everywhere; a non-convex one is caught by the first two tests, but by
    the vertex test only when its non-convexity shows at a corner (a polygon), not for a hole or a curved dent."""
    g = torch.Generator().manual_seed(seed)
    pts = torch.rand(8 * n, 2, generator=g, dtype=torch.float64)
    pts = pts[shape.inside(pts)][: 2 * n]
    B = shape.boundary(2 * n)
    B = B[torch.randperm(len(B), generator=g)]
    V = shape.vertices
    i, j = torch.triu_indices(len(V), len(V), 1) if len(V) else (torch.zeros(0, dtype=torch.long),) * 2
    half = len(pts) // 2
    return {"random": segment_violation_rate(shape.inside, pts[:half], pts[half: 2 * half]),
            "boundary": segment_violation_rate(shape.inside, B[: len(B) // 2], B[len(B) // 2: 2 * (len(B) // 2)]),
            "vertex": segment_violation_rate(shape.inside, V[i], V[j])}


def lp_ball_midpoint_norm(p: float) -> float:
    """‖(e1 + e2)/2‖_p = 2^(1/p − 1), computed with d2lcore.linalg.lp_norm: > 1 for p < 1, so the midpoint of two
    points of the unit ball lies outside it."""
    return float(lp_norm(torch.tensor([0.5, 0.5], dtype=torch.float64), p))


def worst_lp_midpoint(p: float, n_angles: int = 181) -> tuple[Tensor, Tensor, float]:
    """Search all pairs of boundary points of the 2-D unit L_p ball for the midpoint with the largest ‖·‖_p.

    Boundary points u/‖u‖_p for u on the unit circle at n_angles angles; returns (x, y, ‖(x + y)/2‖_p). The ball is
    convex iff the largest value is ≤ 1 (up to rounding); for p < 1 the search finds the pair e1, e2 (or a symmetric
    copy), for p ≥ 1 nothing above 1.
    """
    th = torch.linspace(0, 2 * math.pi, n_angles, dtype=torch.float64)[:-1]
    U = torch.stack([th.cos(), th.sin()], dim=-1)
    B = U / lp_norm(U, p, dim=-1)[:, None]  # (k, 2) points with ‖b‖_p = 1
    mid = lp_norm((B[:, None, :] + B[None, :, :]) / 2, p, dim=-1)  # (k, k)
    i, j = divmod(int(mid.argmax()), len(B))
    return B[i], B[j], float(mid[i, j])


def project_affine(A: Tensor, b: Tensor, x: Tensor) -> Tensor:
    """Proj onto {z : A z = b} (A full row rank): x − Aᵀ(AAᵀ)⁻¹(Ax − b), for x of shape (..., n)."""
    r = x @ A.T - b  # (..., m) residual
    return x - torch.linalg.solve(A @ A.T, r.unsqueeze(-1)).squeeze(-1) @ A


def nullspace_projector(W: sp.Matrix) -> sp.Matrix:
    """M = I − Wᵀ(WWᵀ)⁻¹W, exact: x ↦ Mx is the projection onto {x : Wx = 0} (W with full row rank).

    M is symmetric and idempotent (M² = M), WM = 0, and x − Mx lies in the row space of W, orthogonal to the set.
    """
    return sp.eye(W.cols) - W.T * (W * W.T).inv() * W


def affine_combination_image(W: sp.Matrix, b: sp.Matrix) -> sp.Expr:
    """W(λx + (1 − λ)y) − b for a generic pair x, y with Wx = Wy = b, simplified (0 means the set is convex).

    x and y are written as x_p + N s, x_p + N t with x_p a particular solution and N a basis of the null space.
    """
    lam = sp.Symbol("lam")
    xp = W.pinv() * b
    N = W.nullspace()
    s = sp.Matrix(sp.symbols(f"s0:{len(N)}")) if N else sp.zeros(0, 1)
    t = sp.Matrix(sp.symbols(f"t0:{len(N)}")) if N else sp.zeros(0, 1)
    basis = sp.Matrix.hstack(*N) if N else sp.zeros(W.cols, 0)
    x, y = xp + basis * s, xp + basis * t
    return sp.simplify(W * (lam * x + (1 - lam) * y) - b)


# ---------------------------------------------------------------- 11.2: convex functions


def jensen_gap(f: Callable[[Tensor], Tensor], X: Tensor) -> float:
    """E[f(X)] − f(E[X]) over the samples X: ≥ 0 for convex f (Jensen's inequality)."""
    return float(f(X).mean() - f(X.mean()))


def midpoint_gaps(f: Callable[[Tensor], Tensor], x: Tensor, y: Tensor, lam: Tensor) -> Tensor:
    """λ f(x) + (1 − λ) f(y) − f(λx + (1 − λ)y) on a batch of triples: every entry ≥ 0 iff f passes the test."""
    return lam * f(x) + (1 - lam) * f(y) - f(lam * x + (1 - lam) * y)


def second_difference_min(values: np.ndarray) -> float:
    """min_i (v_{i+1} − 2 v_i + v_{i−1}) of a function sampled on an even grid: < 0 somewhere means not convex."""
    return float(np.min(values[2:] - 2 * values[1:-1] + values[:-2]))


def logsumexp_hessian(d: int) -> tuple[sp.Matrix, list[sp.Symbol]]:
    """∇² log Σ_i exp(x_i) = diag(p) − p pᵀ with p = softmax(x), built by sympy differentiation in d variables."""
    xs = list(sp.symbols(f"x1:{d + 1}"))
    f = sp.log(sum(sp.exp(v) for v in xs))
    return sp.hessian(f, xs).applyfunc(sp.simplify), xs


def logsumexp_hessian_eigenvalues(x: Tensor) -> Tensor:
    """Eigenvalues of diag(p) − ppᵀ, p = softmax(x), for a batch x (..., d): all ≥ 0, the smallest 0 (direction 1)."""
    p = torch.softmax(x, dim=-1)
    H = torch.diag_embed(p) - p[..., :, None] * p[..., None, :]
    return torch.linalg.eigvalsh(H)


def taylor_xi(f: sp.Expr, x: sp.Symbol, x0: float, eps: float) -> float:
    """The ξ ∈ [0, ε] with f(x0 + ε) = f(x0) + ε f'(x0) + ½ε² f''(x0 + ξ) (Lagrange form of the remainder).

    Solves ½ε² f''(x0 + ξ) = f(x0 + ε) − f(x0) − ε f'(x0) by bisection; assumes f'' is monotone on [x0, x0 + ε]
    so that ξ is unique.
    """
    rest = float(f.subs(x, x0 + eps) - f.subs(x, x0) - eps * sp.diff(f, x).subs(x, x0))
    f2 = sp.lambdify(x, sp.diff(f, x, 2), "math")

    def h(xi: float) -> float:
        return 0.5 * eps**2 * f2(x0 + xi) - rest

    lo, hi = 0.0, eps
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if (h(mid) > 0) == (h(lo) > 0) else (lo, mid)
    return (lo + hi) / 2


# ---------------------------------------------------------------- 11.2: L1 prox and projections


def l1_prox(w: Tensor, lam: float) -> Tensor:
    """argmin_w' ‖w − w'‖₂² + λ‖w'‖₁ = sign(w) · max(|w| − λ/2, 0) (soft thresholding at λ/2, coordinate-wise).

    Without a ½ in front of the squared distance the threshold is λ/2; with ½‖w − w'‖² it would be λ.
    """
    return w.sign() * (w.abs() - lam / 2).clamp_min(0)


def l1_ball_threshold(w: Tensor, radius: float = 1.0) -> Tensor:
    """θ with Σ_i max(|w_i| − θ, 0) = radius, by sorting (Duchi et al. 2008); 0 where ‖w‖₁ ≤ radius.

    u = |w| sorted descending, c_j = Σ_{i ≤ j} u_i; ρ = max{j : u_j > (c_j − radius)/j}; θ = (c_ρ − radius)/ρ.
    Batched over the leading dimensions of w (..., d); returns shape (...).
    """
    u = w.abs().sort(dim=-1, descending=True).values
    c = u.cumsum(-1)
    j = torch.arange(1, u.shape[-1] + 1, dtype=u.dtype)
    rho = ((u > (c - radius) / j) * j).amax(dim=-1, keepdim=True)  # (..., 1), ≥ 1 whenever ‖w‖₁ > radius
    theta = ((c.gather(-1, (rho.long() - 1).clamp_min(0)) - radius) / rho.clamp_min(1)).squeeze(-1)
    return torch.where(u.sum(-1) > radius, theta, torch.zeros_like(theta))


def project_l1_ball(w: Tensor, radius: float = 1.0) -> Tensor:
    """Proj onto {v : ‖v‖₁ ≤ radius}: soft thresholding of w at θ = l1_ball_threshold(w, radius), batched."""
    theta = l1_ball_threshold(w, radius).unsqueeze(-1)
    return w.sign() * (w.abs() - theta).clamp_min(0)


def project_l2_ball(x: Tensor, radius: float = 1.0) -> Tensor:
    """Proj onto {v : ‖v‖₂ ≤ radius}: x · min(1, radius/‖x‖₂), for x (..., n)."""
    n = x.norm(dim=-1, keepdim=True)
    return x * torch.clamp(radius / n.clamp_min(1e-300), max=1.0)


def project_box(x: Tensor, low: float = -1.0, high: float = 1.0) -> Tensor:
    """Proj onto the box [low, high]ⁿ: clip every coordinate."""
    return x.clamp(low, high)


def project_circle(x: Tensor, radius: float = 1.0) -> Tensor:
    """A nearest point of the (non-convex) circle {v : ‖v‖₂ = radius}: x · radius/‖x‖₂ (x ≠ 0)."""
    return x * radius / x.norm(dim=-1, keepdim=True).clamp_min(1e-300)


PROJECTIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "l2ball": project_l2_ball, "box": project_box, "l1ball": project_l1_ball, "circle": project_circle,
}
