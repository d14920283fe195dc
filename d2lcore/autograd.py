"""Automatic differentiation (zh-v2 §2.5 自动微分): gradients through a recorded computational graph (计算图).

torch records every operation on a tensor with requires_grad=True; backward() walks that graph from the output back
to the leaves and adds ∂output/∂leaf into leaf.grad. Everything here runs in float64 unless a caller says otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp
import torch
from torch import Tensor

from d2lcore.calculus import Function1D, derivative, grid, x


def autograd_derivative(f: Callable[[Tensor], Tensor], xs: Tensor | np.ndarray | Sequence[float]) -> Tensor:
    """f'(xᵢ) for every point xᵢ of xs, for an elementwise f:  ∂/∂xᵢ Σⱼ f(xⱼ) = f'(xᵢ).

    Summing first turns the vector output into the scalar that backward() needs (§2.5.2); because f acts on each
    element separately, the gradient of the sum holds each point's own derivative.
    """
    t = torch.as_tensor(np.asarray(xs, dtype=np.float64)).clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(t).sum(), t)
    return grad.detach()


def autograd_vs_sympy(fn: Function1D, n: int = 201) -> dict[str, np.ndarray | float]:
    """Autograd derivative of fn's torch function against sympy's derivative of its expression on a grid.

    max_abs_diff = maxᵢ |autograd f'(xᵢ) − sympy f'(xᵢ)|, ≈ 1e-15 in float64: both are exact up to rounding.
    """
    xs = grid(fn.domain, n, fn.pole)
    auto = autograd_derivative(fn.torch_fn, xs).numpy()
    exact = np.broadcast_to(sp.lambdify(x, derivative(fn.expr), "numpy")(xs), xs.shape).astype(float)
    f = fn.torch_fn(torch.as_tensor(xs)).numpy()
    return {"x": xs, "f": f, "autograd": auto, "sympy": exact, "max_abs_diff": float(np.max(np.abs(auto - exact)))}


# --- backward twice (exercise 2.5.2) --------------------------------------------------------------------------------

@dataclass(frozen=True)
class BackwardStep:
    grad: list[float] | None  # x.grad after this call, or None when the call raised
    error: str | None  # the RuntimeError's message, exactly as torch words it


def backward_twice(retain_graph: bool, x0: Sequence[float] = (0.0, 1.0, 2.0, 3.0), calls: int = 2,
                   zero_grad: bool = False) -> list[BackwardStep]:
    """y = 2 xᵀx (the book's example, ∇y = 4x); call y.backward(retain_graph=…) `calls` times on the same y.

    Without retain_graph, the first call frees the values the graph saved (here x for the product), so the second
    call raises. With it, each call ADDS 4x into x.grad: after k calls x.grad = 4kx, unless x.grad is zeroed between.
    """
    X = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    y = 2 * torch.dot(X, X)
    steps = []
    for i in range(calls):
        if zero_grad and i > 0 and X.grad is not None:
            X.grad.zero_()
        try:
            y.backward(retain_graph=retain_graph)
        except RuntimeError as err:
            steps.append(BackwardStep(None, str(err)))
            continue
        steps.append(BackwardStep(X.grad.tolist(), None))
    return steps


# --- gradients through Python control flow (exercise 2.5.3) ---------------------------------------------------------

def control_flow_f(a: Tensor) -> Tensor:
    """The book's f: b = 2a, doubled while ‖b‖ < 1000; then c = b if Σb > 0 else 100b.

    For a given a the loop runs k times, so f(a) = s · a with s = 2^(k+1) or 100 · 2^(k+1): piecewise linear, and
    the gradient of Σ f(a) is s in every coordinate, i.e. ∂f(a)ᵢ/∂aᵢ = f(a)ᵢ / aᵢ.
    """
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    return b if b.sum() > 0 else 100 * b


def control_flow_steps(a: Sequence[float] | np.ndarray) -> int:
    """k, the number of loop iterations of control_flow_f: the smallest k ≥ 0 with 2^(k+1) ‖a‖ ≥ 1000."""
    norm, k = float(np.linalg.norm(a)), 0
    while 2 ** (k + 1) * norm < 1000:
        k += 1
    return k


def control_flow_scale(a: Sequence[float] | np.ndarray) -> float:
    """s with f(a) = s · a, derived without autograd: s = 2^(k+1) if Σa > 0, else 100 · 2^(k+1)."""
    return 2.0 ** (control_flow_steps(a) + 1) * (1 if float(np.sum(a)) > 0 else 100)


def control_flow_grad(a: Sequence[float] | np.ndarray) -> dict[str, object]:
    """Differentiate d = f(a) for a vector or matrix a.

    d.backward() on a non-scalar d raises (torch needs the vector v of a vector-Jacobian product vᵀJ); d.sum()
    .backward(), the same as d.backward(torch.ones_like(d)), gives a.grad = Σᵢ ∂dᵢ/∂a = s · 1.
    """
    A = torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)
    d = control_flow_f(A)
    error = None
    try:
        d.backward(retain_graph=True)  # fine for a scalar (or one-element) d, raises otherwise
    except RuntimeError as err:
        error = str(err)
    A.grad = None  # a successful call above filled a.grad; start again so that it is not counted twice
    d.sum().backward()
    return {"d": d.detach().numpy(), "grad": A.grad.numpy(), "error": error,
            "ratio": (d.detach() / A.detach()).numpy()}


# --- your own control flow (exercise 2.5.4) -------------------------------------------------------------------------

def triple_then_branch(x: Tensor, limit: float = 10.0, max_steps: int = 60) -> Tensor:
    """y = 3ᵏ x with the smallest k ≥ 0 such that |y| ≥ limit; then g = y² if y > 0, else g = −y.

    On each piece k and the branch are constants, so g'(x) = 2 · 9ᵏ · x for x > 0 and −3ᵏ for x < 0; g jumps where
    k changes (|x| = limit / 3ᵏ), and there the derivative autograd reports is that of one piece only.
    """
    y = x
    for _ in range(max_steps):  # a bounded while-loop: x = 0 would never reach the limit
        if y.abs() >= limit:
            break
        y = 3 * y
    return y * y if y > 0 else -y


def triple_steps(x0: float, limit: float = 10.0) -> int:
    """k of triple_then_branch, counted without torch."""
    k = 0
    while abs(x0) * 3**k < limit:
        k += 1
    return k


def clipped(x: Tensor) -> Tensor:
    """A clip written with if/else: x for |x| ≤ 1, else sign(x) — continuous, derivative jumps from 1 to 0."""
    return x if x.abs() <= 1 else torch.sign(x) * torch.ones_like(x)


def staircase(x: Tensor) -> Tensor:
    """x + the number of times the loop subtracts 1 before x < 1 (for x ≥ 0): jumps at integers, slope 1 between."""
    y, steps = x, 0
    while y >= 1 and steps < 20:
        y, steps = y - 1, steps + 1
    return x + steps


def relu_if(x: Tensor) -> Tensor:
    """ReLU with an if: x for x > 0, else 0 · x (kept in the graph, so autograd returns 0 there)."""
    return x if x > 0 else 0 * x


CONTROL_FLOW: dict[str, tuple[Callable[[Tensor], Tensor], tuple[float, float]]] = {
    "triple_then_branch": (triple_then_branch, (-4.0, 4.0)),
    "relu_if": (relu_if, (-2.0, 2.0)),
    "clipped": (clipped, (-2.5, 2.5)),
    "staircase": (staircase, (0.0, 4.0)),
}


def pointwise_autograd(f: Callable[[Tensor], Tensor], xs: np.ndarray) -> np.ndarray:
    """f'(xᵢ) by one backward pass per point: control flow branches on a scalar, so f cannot take the whole grid."""
    out = []
    for xi in xs:
        t = torch.tensor(float(xi), dtype=torch.float64, requires_grad=True)
        f(t).backward()
        out.append(t.grad.item())
    return np.array(out)


def pointwise_values(f: Callable[[Tensor], Tensor], xs: np.ndarray) -> np.ndarray:
    return np.array([f(torch.tensor(float(xi), dtype=torch.float64)).item() for xi in xs])


# --- the cost of second derivatives (exercise 2.5.1) ----------------------------------------------------------------

def two_layer(w: Tensor, A: Tensor) -> Tensor:
    """l(w) = Σᵢ tanh((A w)ᵢ)², a small network-like scalar function of n parameters."""
    return (torch.tanh(A @ w) ** 2).sum()


def graph_size(t: Tensor) -> int:
    """Number of nodes of the backward graph behind t (reachable grad_fn objects): a count of the recorded ops."""
    seen, stack = set(), [t.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        stack.extend(nxt for nxt, _ in node.next_functions)
    return len(seen)


def derivative_graph_sizes(n: int = 8, seed: int = 0) -> dict[str, int]:
    """Ops recorded for l(w), and for its gradient built with create_graph=True (needed for any second derivative)."""
    g = torch.Generator().manual_seed(seed)
    A = torch.randn(n, n, dtype=torch.float64, generator=g)
    w = torch.randn(n, dtype=torch.float64, generator=g, requires_grad=True)
    loss = two_layer(w, A)
    (grad,) = torch.autograd.grad(loss, w, create_graph=True)
    return {"forward": graph_size(loss), "gradient": graph_size(grad)}


def derivative_costs(n: int, repeats: int = 5, seed: int = 0, hessian: bool = True) -> dict[str, float]:
    """Seconds (best of `repeats`, all variants timed in turn inside each repeat) for l(w) with n parameters:

    forward: l(w);  first: ∇l (one backward);  hvp: ∇(∇l · v), a Hessian-vector product (a backward through the
    backward, create_graph=True);  hessian: the full n × n Hessian (n such backward passes).
    """
    g = torch.Generator().manual_seed(seed)
    A = torch.randn(n, n, dtype=torch.float64, generator=g) / n**0.5
    w = torch.randn(n, dtype=torch.float64, generator=g, requires_grad=True)
    v = torch.randn(n, dtype=torch.float64, generator=g)

    def first() -> None:
        torch.autograd.grad(two_layer(w, A), w)

    def hvp() -> None:
        (grad,) = torch.autograd.grad(two_layer(w, A), w, create_graph=True)
        torch.autograd.grad(grad @ v, w)

    jobs: dict[str, Callable[[], object]] = {"forward": lambda: two_layer(w, A), "first": first, "hvp": hvp}
    if hessian:
        jobs["hessian"] = lambda: torch.autograd.functional.hessian(lambda p: two_layer(p, A), w.detach())
    best = dict.fromkeys(jobs, float("inf"))
    for _ in range(repeats):
        for name, job in jobs.items():
            start = time.perf_counter()
            job()
            best[name] = min(best[name], time.perf_counter() - start)
    return best
