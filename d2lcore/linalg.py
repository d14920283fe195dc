"""Chapter 2.3 (线性代数 Linear algebra): norms, unit balls, reductions with and without keepdims, transposes.

Everything here is a pure function of tensors, shapes or sympy matrices. Tensors are treated as collections of
entries: `lp_norm(X, p)` of a matrix or a 3-D tensor is the norm of the vector of all its entries, which is what
`torch.linalg.norm(X)` computes when neither `ord` nor `dim` is given (exercise 2.3.8).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp
import torch
from sympy.matrices.expressions.matexpr import MatrixElement
from torch import Tensor

Shape = tuple[int, ...]


# ---------------------------------------------------------------- norms (§2.3.10)


def lp_norm(x: Tensor, p: float, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """‖x‖_p = (Σ_i |x_i|^p)^(1/p) for p > 0, and ‖x‖_∞ = max_i |x_i|.

    Over all entries when `dim` is None, else along `dim`. Computed as m · (Σ_i (|x_i|/m)^p)^(1/p) with
    m = max_i |x_i|, so large p neither overflows nor underflows and ‖x‖_p → ‖x‖_∞ as p grows.
    For p ≥ 1 this is a norm. For 0 < p < 1 the same formula is only a *quasi-norm*: it is non-negative,
    definite and absolutely homogeneous, but the triangle inequality fails (its unit ball is not convex);
    only the weaker ‖x + y‖_p ≤ 2^(1/p − 1) (‖x‖_p + ‖y‖_p) holds. p ≤ 0 raises ValueError.
    """
    if not p > 0:
        raise ValueError(f"p must be positive (p = inf for the max norm), got {p}")
    a = x.abs()
    if dim is None:
        a, dim = a.reshape(-1), 0
    m = a.amax(dim=dim, keepdim=True)  # the largest |x_i|
    if math.isinf(p):
        return m if keepdim else m.squeeze(dim)
    scale = torch.where(m > 0, m, torch.ones_like(m))  # an all-zero x has norm 0, not 0/0
    norm = m * ((a / scale) ** p).sum(dim=dim, keepdim=True) ** (1.0 / p)
    return norm if keepdim else norm.squeeze(dim)


def frobenius_norm(X: Tensor) -> Tensor:
    """‖X‖_F = √(Σ_i Σ_j x_ij²): the L2 norm of the matrix read as one long vector of its m·n entries."""
    if X.dim() != 2:
        raise ValueError(f"the Frobenius norm is defined for a matrix, got a tensor of shape {tuple(X.shape)}")
    return (X**2).sum().sqrt()


def is_norm(p: float) -> bool:
    """‖·‖_p satisfies the triangle inequality (is a norm) exactly when p ≥ 1 (Minkowski's inequality)."""
    return p >= 1


def triangle_gap(x: Tensor, y: Tensor, p: float) -> float:
    """‖x + y‖_p − (‖x‖_p + ‖y‖_p): ≤ 0 for every x, y when p ≥ 1; > 0 is a violation of the triangle inequality.

    For p < 1, x = e₁ and y = e₂ give ‖x + y‖_p = 2^(1/p) > 2 = ‖x‖_p + ‖y‖_p.
    """
    return float(lp_norm(x + y, p) - lp_norm(x, p) - lp_norm(y, p))


def unit_ball_boundary(p: float, n_points: int = 361) -> Tensor:
    """Points (n_points, 2) on the unit circle of ‖·‖_p in the plane: {u : ‖u‖_p = 1}.

    Each direction u(θ) = (cos θ, sin θ), θ ∈ [0, 2π], is scaled by 1 / ‖u(θ)‖_p, so the curve closes and works
    for every p > 0: a diamond for p = 1, the circle for p = 2, a square for p = ∞, and a star-shaped, non-convex
    curve for p < 1.
    """
    theta = torch.linspace(0.0, 2 * math.pi, n_points, dtype=torch.float64)
    u = torch.stack([theta.cos(), theta.sin()], dim=1)  # (n_points, 2), ‖u‖_2 = 1
    u = torch.where(u.abs() < 1e-12, 0.0, u)  # cos(π/2) ≈ 6e-17 would matter for small p: |6e-17|^0.3 ≈ 1e-5
    return u / lp_norm(u, p, dim=1, keepdim=True)


def l1_center(x: Tensor) -> Tensor:
    """argmin_c ‖x − c·1‖₁ = median(x): the constant that an L1 loss fits. One outlier moves it by at most one rank.

    For an even number of entries every c between the two middle values is a minimiser; this returns their mean.
    """
    xs = x.reshape(-1).sort().values
    n = xs.numel()
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def l2_center(x: Tensor) -> Tensor:
    """argmin_c ‖x − c·1‖₂ = mean(x): the constant that a squared loss fits. An outlier o shifts it by o/n."""
    return x.reshape(-1).mean()


def loss_share(x: Tensor, index: int, p: float) -> float:
    """|x_k|^p / Σ_i |x_i|^p: the fraction of the loss Σ_i |x_i|^p owed to entry k (e.g. an outlier).

    For an outlier o among errors of size about 1, the share tends to 1 like o² / (o² + n) with p = 2 (squared
    L2 loss), but only like |o| / (|o| + n) with p = 1: one bad point dominates a squared loss much sooner.
    """
    a = x.abs().reshape(-1) ** p
    return float(a[index] / a.sum())


# ---------------------------------------------------------------- reductions and broadcasting (§2.3.6, 2.3.7)


def reduced_shape(shape: Sequence[int], axis: int | Sequence[int] | None, keepdims: bool = False) -> Shape:
    """Shape after summing (or averaging) over `axis`: each reduced axis is dropped, or kept with length 1.

    axis None reduces over every axis: () or (1, 1, …).
    """
    n = len(shape)
    axes = set(range(n)) if axis is None else {a % n for a in ([axis] if isinstance(axis, int) else axis)}
    return tuple(1 if k in axes else d for k, d in enumerate(shape) if keepdims or k not in axes)


def reduction(X: Tensor, op: str, axis: int | Sequence[int] | None, keepdims: bool = False) -> Tensor:
    """X.sum(axis, keepdim) or X.mean(axis, keepdim); op is "sum" or "mean"."""
    fn = {"sum": torch.sum, "mean": torch.mean}[op]
    if axis is None:
        out = fn(X)
        return out.reshape((1,) * X.dim()) if keepdims else out
    return fn(X, dim=axis, keepdim=keepdims)


def broadcast_shape(a: Sequence[int], b: Sequence[int]) -> Shape:
    """The broadcasting rule (广播机制): align the shapes on the right, pad the shorter one with 1s; in each position
    the lengths must be equal or one of them 1, and the result takes the larger. Otherwise ValueError.
    """
    n = max(len(a), len(b))
    a_pad, b_pad = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    out = []
    for k, (da, db) in enumerate(zip(a_pad, b_pad, strict=True)):
        if da != db and 1 not in (da, db):
            raise ValueError(f"shapes {tuple(a)} and {tuple(b)} do not broadcast: {da} vs {db} at axis {k}")
        out.append(max(da, db) if 0 not in (da, db) else 0)
    return tuple(out)


def section_matrix(m: int = 5, n: int = 4) -> Tensor:
    """A = arange(m·n).reshape(m, n) as float32: the section's 5×4 matrix for m, n = 5, 4."""
    return torch.arange(m * n, dtype=torch.float32).reshape(m, n)


def divide_by_row_sums(A: Tensor, keepdims: bool) -> Tensor:
    """A / A.sum(axis=1, keepdims=keepdims). With keepdims the (m, 1) sums broadcast across each row, so every
    row sums to 1. Without it the sums have shape (m,), which broadcasting aligns with A's *last* axis (n):
    torch raises RuntimeError when m ≠ n (and neither is 1), and silently divides column j by the sum of row j
    when m = n.
    """
    return A / A.sum(dim=1, keepdim=keepdims)


def division_outcome(A: Tensor) -> str:
    """What `A / A.sum(axis=1)` does, found by running it: "error" (RuntimeError), "wrong_shape" (runs but the
    result's shape differs from A's), "wrong_values" (same shape, but not the row-normalised A), or "correct".
    """
    try:
        out = divide_by_row_sums(A, keepdims=False)
    except RuntimeError:
        return "error"
    if out.shape != A.shape:
        return "wrong_shape"
    right = divide_by_row_sums(A, keepdims=True)
    return "correct" if torch.allclose(out, right, equal_nan=True) else "wrong_values"


def tensor_len(shape: Sequence[int]) -> int:
    """len(X) for a tensor of this shape: shape[0], the length of axis 0. A 0-d tensor raises TypeError."""
    return len(torch.zeros(tuple(shape)))


def attempt(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, str | None]:
    """(fn(*args, **kwargs), None), or (None, "ErrorType: message") when it raises. Shows torch's own error text."""
    try:
        return fn(*args, **kwargs), None
    except (RuntimeError, TypeError, ValueError, IndexError) as err:
        return None, f"{type(err).__name__}: {err}"


def flat_l2(X: Tensor) -> Tensor:
    """√(Σ over all entries x²): what torch.linalg.norm(X) returns for any shape when ord and dim are not given."""
    return (X.double() ** 2).sum().sqrt().to(X.dtype)


# ---------------------------------------------------------------- transposes (§2.3.4, exercises 2.3.1–2.3.3)


def entry_matrix(name: str, m: int, n: int) -> sp.Matrix:
    """The m×n sympy matrix with entries name_{rc} (1-based), e.g. a_{12}: the book's notation for display."""
    return sp.Matrix(m, n, lambda r, c: sp.Symbol(f"{name}_{{{r + 1}{c + 1}}}"))


def generic_entry(M: sp.MatrixExpr, row: str = "i", col: str = "j") -> sp.Expr:
    """The (row, col) entry of a matrix expression in MatrixSymbols A, B, …, written with plain symbols:
    A[i, j] → aij, A[j, i] → aji, B[j, i] → bji. E.g. generic_entry((A + B).T) = aji + bji, since (Mᵀ)_ij = M_ji.
    """
    i, j = sp.symbols("i j", integer=True)
    index = {"i": i, "j": j}
    entry = M[index[row], index[col]]
    suffix = {(i, j): "ij", (j, i): "ji", (i, i): "ii", (j, j): "jj"}
    return entry.xreplace({e: sp.Symbol(e.parent.name.lower() + suffix[(e.i, e.j)])
                           for e in entry.atoms(MatrixElement)})


def matrix_symbols(*names: str, square: bool = False) -> tuple[sp.MatrixSymbol, ...]:
    """m×n (or n×n) MatrixSymbols of symbolic sizes: what is shown for them holds for every m and n."""
    m, n = sp.symbols("m n", integer=True, positive=True)
    return tuple(sp.MatrixSymbol(name, n if square else m, n) for name in names)


def symmetry_defect(S: Tensor) -> float:
    """max_ij |S_ij − S_ji|: zero exactly when S is symmetric (S = Sᵀ)."""
    return float((S - S.T).abs().max())
