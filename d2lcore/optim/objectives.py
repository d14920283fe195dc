"""Toy objectives of chapter 11 (zh-v2 §11.3–11.4): f, ∇f and the Hessian as functions of tensors of shape (..., d).

Every function works on a batch: x of shape (..., 2) gives f of shape (...), ∇f of shape (..., 2) and the Hessian of
shape (..., 2, 2), so many starting points (k, 2) or seeds run at once. The 1-D objective `xcos` uses (..., 1).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass(frozen=True)
class Objective2D:
    """A differentiable objective with its plotting window and its minimiser.

    `minimum` is the global minimiser inside the window; for the saddle x² − y², which has none, it is the
    stationary point (0, 0).
    """

    name: str
    f: Callable[[Tensor], Tensor]  # (..., d) → (...)
    grad: Callable[[Tensor], Tensor]  # (..., d) → (..., d)
    hessian: Callable[[Tensor], Tensor]  # (..., d) → (..., d, d)
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    minimum: Tensor  # (d,)


def rotation(angle: float) -> Tensor:
    """R(θ) = [[cos θ, −sin θ], [sin θ, cos θ]] with θ in degrees (float64)."""
    a = math.radians(angle)
    return torch.tensor([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]], dtype=torch.float64)


def quadratic_matrix(kappa: float = 10.0, angle: float = 0.0) -> Tensor:
    """A = R diag(1, κ) Rᵀ: eigenvalues 1 and κ (condition number κ), eigenvectors rotated by `angle` degrees."""
    R = rotation(angle)
    return R @ torch.diag(torch.tensor([1.0, float(kappa)], dtype=torch.float64)) @ R.T


def quadratic_form(H: Tensor, name: str, xlim: tuple[float, float] = (-3.0, 3.0),
                   ylim: tuple[float, float] = (-3.0, 3.0)) -> Objective2D:
    """f(x) = ½ xᵀ H x,  ∇f = H x,  Hessian H (symmetric 2×2; minimum at 0 when H is positive definite).

    H x is computed elementwise (x₁ H[:, 0] + x₂ H[:, 1]): a (…, 2) @ (2, 2) product is several times slower on a
    CPU in float64 for batches of starting points.
    """
    H = torch.as_tensor(H, dtype=torch.float64)

    def Hx(x: Tensor) -> Tensor:
        M = H.to(x.dtype)
        return x[..., :1] * M[:, 0] + x[..., 1:] * M[:, 1]

    def f(x: Tensor) -> Tensor:
        return 0.5 * (Hx(x) * x).sum(-1)

    def hessian(x: Tensor) -> Tensor:
        return H.to(x.dtype).expand(*x.shape[:-1], 2, 2)

    return Objective2D(name, f, Hx, hessian, xlim, ylim, torch.zeros(2, dtype=torch.float64))


def quadratic(kappa: float = 10.0, angle: float = 0.0) -> Objective2D:
    """f(x) = ½ xᵀ A x,  ∇f = A x,  H = A,  A = R(θ) diag(1, κ) R(θ)ᵀ   (minimum at 0).

    κ = 2, θ = 0 gives ½(x₁² + 2x₂²): half the book's f = x₁² + 2x₂² (same condition number 2).
    """
    return quadratic_form(quadratic_matrix(kappa, angle), f"quadratic(κ={kappa:g}, θ={angle:g}°)")


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Objective2D:
    """f(x, y) = (a − x)² + b (y − x²)²,  minimum at (a, a²).

    ∇f = (−2(a − x) − 4b x (y − x²),  2b (y − x²)),
    H = [[2 − 4b (y − x²) + 8b x², −4b x], [−4b x, 2b]].
    """

    def f(x: Tensor) -> Tensor:
        u, v = x[..., 0], x[..., 1]
        return (a - u) ** 2 + b * (v - u**2) ** 2

    def grad(x: Tensor) -> Tensor:
        u, v = x[..., 0], x[..., 1]
        return torch.stack([-2 * (a - u) - 4 * b * u * (v - u**2), 2 * b * (v - u**2)], dim=-1)

    def hessian(x: Tensor) -> Tensor:
        u, v = x[..., 0], x[..., 1]
        h11 = 2 - 4 * b * (v - u**2) + 8 * b * u**2
        h12 = -4 * b * u
        h22 = torch.full_like(u, 2 * b)
        return torch.stack([torch.stack([h11, h12], -1), torch.stack([h12, h22], -1)], -2)

    return Objective2D(f"rosenbrock(a={a:g}, b={b:g})", f, grad, hessian, (-2.0, 2.0), (-1.0, 3.0),
                       torch.tensor([a, a * a], dtype=torch.float64))


def saddle() -> Objective2D:
    """f(x, y) = x² − y²,  ∇f = (2x, −2y),  H = diag(2, −2): a saddle point at 0, unbounded below along y."""

    def f(x: Tensor) -> Tensor:
        return x[..., 0] ** 2 - x[..., 1] ** 2

    def grad(x: Tensor) -> Tensor:
        return torch.stack([2 * x[..., 0], -2 * x[..., 1]], dim=-1)

    def hessian(x: Tensor) -> Tensor:
        H = torch.diag(torch.tensor([2.0, -2.0], dtype=x.dtype))
        return H.expand(*x.shape[:-1], 2, 2)

    return Objective2D("saddle x² − y²", f, grad, hessian, (-2.0, 2.0), (-2.0, 2.0),
                       torch.zeros(2, dtype=torch.float64))


def xcos(c: float = 0.5) -> Objective2D:
    """f(x) = x cos(cx),  f'(x) = cos(cx) − c x sin(cx),  f''(x) = −2c sin(cx) − c² x cos(cx)   (zh-v2 §11.3.3).

    A 1-D objective (shapes (..., 1)) with many local minima; where f'' < 0, Newton's step goes uphill.
    `xlim` = [−2.5π/c, 2.5π/c]; `minimum` is the smallest local minimiser found there (grid + Newton refinement).
    """

    def f(x: Tensor) -> Tensor:
        return (x * torch.cos(c * x))[..., 0]

    def grad(x: Tensor) -> Tensor:
        return torch.cos(c * x) - c * x * torch.sin(c * x)

    def hessian(x: Tensor) -> Tensor:
        return (-2 * c * torch.sin(c * x) - c**2 * x * torch.cos(c * x)).unsqueeze(-1)

    half = 2.5 * math.pi / c
    grid = torch.linspace(-half, half, 4001, dtype=torch.float64).unsqueeze(-1)
    x = grid[f(grid).argmin()].clone()
    for _ in range(50):  # Newton on f' from the best grid point: f'' > 0 there
        x = x - grad(x) / hessian(x)[..., 0]
    return Objective2D(f"x·cos({c:g}x)", f, grad, hessian, (-half, half), (-half, half), x)


OBJECTIVES = {"quadratic": quadratic, "rosenbrock": rosenbrock, "saddle": saddle}
