"""Section 11.9 (Adadelta): ρ on the book's quadratic, Adadelta without g'_t, the hidden learning rate ε, and a
comparison with AdaGrad and RMSProp. Every answer comes from seeded, deterministic runs of d2lcore.optim."""

from __future__ import annotations

import math
from functools import lru_cache

import torch

from d2lcore.optim.adadelta import adadelta, adadelta_without_rescaled
from d2lcore.optim.adagrad import adagrad
from d2lcore.optim.momentum import ill_conditioned_quadratic
from d2lcore.optim.rmsprop import rmsprop
from d2lcore.optim.trajectory import trajectory
from solutions import Solution, explain, solver

X0 = torch.tensor([-5.0, -2.0], dtype=torch.float64)  # the book's start on f = 0.1 x₁² + 2 x₂²
RHOS = (0.5, 0.9, 0.99, 0.999)
EPS = 1e-5
COMPARE = {"adagrad": (adagrad, {"lr": 0.4}), "rmsprop": (rmsprop, {"lr": 0.4, "gamma": 0.9}),
           "adadelta": (adadelta, {"rho": 0.9})}


def rho_losses(rhos=RHOS, steps: int = 200, eps: float = EPS) -> dict[float, torch.Tensor]:
    """f(x_t), t = 0..steps, of Adadelta (η = 1) on 0.1 x₁² + 2 x₂² from (−5, −2), per ρ."""
    f = ill_conditioned_quadratic()
    return {rho: f.f(trajectory(adadelta, f.grad, X0, steps, rho=rho, eps=eps)) for rho in rhos}


def first_step(rho: float, g: float, eps: float = EPS) -> float:
    """|x_1 − x_0| along one coordinate: s_1 = (1 − ρ) g², Δx_0 = 0 ⇒ |g'_1| = √ε |g| / √((1 − ρ) g² + ε)."""
    return math.sqrt(eps) * abs(g) / math.sqrt((1 - rho) * g * g + eps)


@solver("11.9.1")
def solve_11_9_1(seed: int = 0) -> Solution:
    losses = rho_losses()
    final = {rho: float(v[-1]) for rho, v in losses.items()}
    best = min(final, key=final.get)
    g2 = float(ill_conditioned_quadratic().grad(X0)[1])  # ∂f/∂x₂ at the start: 4 · (−2) = −8
    x1 = trajectory(adadelta, ill_conditioned_quadratic().grad, X0, 1, rho=0.99, eps=EPS)[1]
    step = abs(float(x1[1] - X0[1]))
    values = {f"f{str(r).replace('.', '')}": f"{v:.3g}" for r, v in final.items()}
    values |= {"best": best, "step": f"{step:.4f}", "g2": f"{g2:g}"}
    return Solution(answer={"bestRho": str(best), "step1": step}, explanation=explain("11.9.1", **values),
                    data={"final": final})


@solver("11.9.2")
def solve_11_9_2(seed: int = 0) -> Solution:
    f = ill_conditioned_quadratic()
    a = trajectory(adadelta, f.grad, X0, 300)
    b = trajectory(adadelta_without_rescaled, f.grad, X0, 300)
    gap = float((a - b).abs().max())
    _, state = adadelta(X0, f.grad(X0))
    same = "same" if gap < 1e-9 else "different"
    return Solution(answer={"buffers": float(len(state)), "same": same},
                    explanation=explain("11.9.2", gap=f"{gap:.1e}", buffers=len(state)))


@lru_cache(maxsize=64)
def adadelta_path(scale: float, rho: float = 0.9, eps: float = EPS, tol: float = 0.1, max_steps: int = 20_000
                  ) -> tuple[float, ...]:
    """x_0 = 0, x_1, … of Adadelta (η = 1) on f(x) = ½ (x − a)², ∇f = x − a, until |x_t − a| < tol · a or max_steps
    (a single number: the rule steps in Python floats)."""
    x, state, xs = 0.0, (), [0.0]
    while len(xs) <= max_steps and abs(x - scale) >= tol * scale:
        x, state = adadelta(x, x - scale, state, rho=rho, eps=eps)
        xs.append(x)
    return tuple(xs)


def steps_to_reach(scale: float, rho: float = 0.9, eps: float = EPS, tol: float = 0.1, max_steps: int = 20_000
                   ) -> int:
    """First t with |x_t − a| < tol · a for Adadelta (η = 1) on f(x) = ½ (x − a)² from x_0 = 0 (max_steps if never)."""
    return min(len(adadelta_path(scale, rho, eps, tol, max_steps)) - 1, max_steps)


@solver("11.9.3")
def solve_11_9_3(seed: int = 0) -> Solution:
    scales = (1.0, 10.0, 100.0)
    steps = {a: steps_to_reach(a) for a in scales}
    small_eps = steps_to_reach(1.0, eps=1e-9)
    values = {"s1": steps[1.0], "s10": steps[10.0], "s100": steps[100.0], "small": small_eps}
    return Solution(answer={"needsLr": "yes", "steps": float(steps[10.0])}, explanation=explain("11.9.3", **values),
                    data={"steps": steps})


def compare_runs(steps: int = 600) -> dict[str, torch.Tensor]:
    """f(x_t) of AdaGrad (η = 0.4), RMSProp (η = 0.4, γ = 0.9) and Adadelta (ρ = 0.9) from (−5, −2)."""
    f = ill_conditioned_quadratic()
    return {name: f.f(trajectory(update, f.grad, X0, steps, **hyper)) for name, (update, hyper) in COMPARE.items()}


def first_below(losses: torch.Tensor, level: float) -> int | None:
    hit = (losses < level).nonzero()
    return int(hit[0]) if len(hit) else None


@solver("11.9.4")
def solve_11_9_4(seed: int = 0) -> Solution:
    runs = compare_runs()
    reach = {name: first_below(v, 1e-2) for name, v in runs.items()}
    first = min((n for n in reach if reach[n] is not None), key=lambda n: reach[n])
    stalled = [n for n, v in runs.items() if float(v[-100:].max()) > 1e-2]
    values = {f"t{n}": reach[n] for n in runs} | {f"f{n}": f"{float(v[-1]):.2g}" for n, v in runs.items()}
    return Solution(answer={"first": first, "stalls": stalled[0] if len(stalled) == 1 else "none"},
                    explanation=explain("11.9.4", **values), data={"reach": reach})
