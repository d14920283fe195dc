"""Gradient descent, SGD, Newton's method and diagonal preconditioning (zh-v2 §11.3–11.4) as pure update rules.

Contract of every update rule: `rule(x, g, state=(), *, lr, ...) -> (new_x, new_state)`; inputs are never mutated,
x and g have any shape (a batch of points (k, d) runs at once), `state == ()` means "first step".
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

MatrixOrFn = Tensor | Callable[[Tensor], Tensor]


def gd(x: Tensor, g: Tensor, state: tuple = (), *, lr: float) -> tuple[Tensor, tuple]:
    """x ← x − η ∇f(x)   (zh-v2 §11.3.1). Stateless; matches torch.optim.SGD(lr=η)."""
    return x - lr * g, state


def sgd(x: Tensor, g: Tensor, state: tuple = (), *, lr: float) -> tuple[Tensor, tuple]:
    """x ← x − η ∇f_i(x)   (zh-v2 §11.4.1): the same rule as `gd`, fed a stochastic gradient g."""
    return x - lr * g, state


def _at(value: MatrixOrFn, x: Tensor) -> Tensor:
    return value(x) if callable(value) else value.to(x.dtype)


def newton(x: Tensor, g: Tensor, state: tuple = (), *, lr: float = 1.0, hessian: MatrixOrFn) -> tuple[Tensor, tuple]:
    """x ← x − η H⁻¹ ∇f(x)   (zh-v2 §11.3.3), H = ∇²f(x) (a callable of x or a fixed (d, d) tensor).

    Solves H d = g instead of inverting H. Nothing forces H ≻ 0: where f is not convex (H has negative eigenvalues)
    the step points uphill along those directions.
    """
    H = _at(hessian, x)  # (..., d, d) or (d, d)
    H = H.expand(*x.shape[:-1], *H.shape[-2:]) if H.dim() == 2 else H
    d = torch.linalg.solve(H, g.unsqueeze(-1)).squeeze(-1)  # (..., d)
    return x - lr * d, state


def preconditioned_gd(x: Tensor, g: Tensor, state: tuple = (), *, lr: float,
                      diag: MatrixOrFn) -> tuple[Tensor, tuple]:
    """x ← x − η diag(H)⁻¹ ∇f(x)   (zh-v2 §11.3.3.3): each coordinate's step divided by its own curvature.

    `diag` is a (d,) tensor or a callable x → (..., d) (e.g. the Hessian's diagonal, or its absolute value). It undoes
    axis-aligned scaling exactly, but cannot undo a rotation: diag(A) of a rotated quadratic mixes both eigenvalues.
    """
    return x - lr * g / _at(diag, x), state


def hessian_diag(hessian: Callable[[Tensor], Tensor], absolute: bool = False) -> Callable[[Tensor], Tensor]:
    """x ↦ diag(∇²f(x)) (or |diag(∇²f(x))|), a preconditioner for `preconditioned_gd` (exercise 11.3.4)."""

    def diag(x: Tensor) -> Tensor:
        d = torch.diagonal(hessian(x), dim1=-2, dim2=-1)
        return d.abs() if absolute else d

    return diag


def bisection(fprime: Callable[[float], float], a: float, b: float, tol: float = 1e-8) -> list[tuple[float, float]]:
    """Line search by bisection on a convex f over [a, b] (exercise 11.3.2): with m = (a + b)/2, keep [a, m] if
    f'(m) > 0 (the minimum lies left of m), else [m, b]. The width halves every step: after k steps it is (b − a)/2^k,
    so reaching `tol` takes ⌈log₂((b − a)/tol)⌉ steps. Returns every interval, the first being [a, b].
    """
    intervals = [(a, b)]
    while b - a > tol:
        m = (a + b) / 2
        a, b = (a, m) if fprime(m) > 0 else (m, b)
        intervals.append((a, b))
    return intervals


def steps_to_shrink(xs: Tensor, factor: float = 1e-3) -> int:
    """The first t with ‖x_t‖ ≤ factor·‖x_0‖ along a trajectory (steps+1, d) toward the minimum 0; −1 if never."""
    ratio = xs.norm(dim=-1) / xs[0].norm()
    hit = torch.nonzero(ratio <= factor)
    return int(hit[0, 0]) if len(hit) else -1
