"""Section 11.10 (Adam): the learning rate on the book's quadratic, the bias correction rewritten away, why the rate
must decay on a noisy problem, and Reddi et al.'s (2018) problem where Adam goes to the worst point and Yogi does
not. Every answer comes from seeded, deterministic runs of d2lcore.optim."""

from __future__ import annotations

import sympy as sp
import torch

from d2lcore.optim.adam import adam, yogi
from d2lcore.optim.momentum import ill_conditioned_quadratic
from d2lcore.optim.rmsprop import rmsprop
from d2lcore.optim.trajectory import stochastic_trajectory, trajectory
from solutions import Solution, explain, solver

X0 = torch.tensor([-5.0, -2.0], dtype=torch.float64)  # the book's start on f = 0.1 x₁² + 2 x₂²
LRS = (0.01, 0.1, 0.5, 1.0)
STEPS = 100
OPTIMIZERS = {"adam": adam, "yogi": yogi, "rmsprop": rmsprop}


def optimizer_paths(objective, x0: torch.Tensor, steps: int, lr: float, beta1: float = 0.9, beta2: float = 0.999,
                    eps: float = 1e-6) -> dict[str, torch.Tensor]:
    """Iterates (steps+1, 2) of Adam, Yogi (same β₁, β₂, ε) and RMSProp (γ = β₂, i.e. Adam without momentum and
    without bias correction) from x0 on an Objective2D."""
    hyper = {"lr": lr, "beta1": beta1, "beta2": beta2, "eps": eps}
    return {"adam": trajectory(adam, objective.grad, x0, steps, **hyper),
            "yogi": trajectory(yogi, objective.grad, x0, steps, **hyper),
            "rmsprop": trajectory(rmsprop, objective.grad, x0, steps, lr=lr, gamma=beta2, eps=eps)}


def lr_losses(lrs=LRS, steps: int = STEPS) -> dict[float, torch.Tensor]:
    """f(x_t), t = 0..steps, of Adam (β₁ = 0.9, β₂ = 0.999) on 0.1 x₁² + 2 x₂² from (−5, −2), per η."""
    f = ill_conditioned_quadratic()
    return {lr: f.f(trajectory(adam, f.grad, X0, steps, lr=lr)) for lr in lrs}


@solver("11.10.1")
def solve_11_10_1(seed: int = 0) -> Solution:
    losses = lr_losses()
    final = {lr: float(v[-1]) for lr, v in losses.items()}
    best = min(final, key=final.get)
    f = ill_conditioned_quadratic()
    x1 = trajectory(adam, f.grad, X0, 1, lr=0.1)[1]
    step = abs(float(x1[1] - X0[1]))
    g2 = float(f.grad(X0)[1])
    values = {f"f{str(lr).replace('.', '')}": f"{v:.3g}" for lr, v in final.items()}
    values |= {"best": f"{best:g}", "step": f"{step:.4f}", "g2": f"{g2:g}", "sgd": f"{0.1 * abs(g2):g}"}
    return Solution(answer={"bestLr": f"{best:g}", "step1": step}, explanation=explain("11.10.1", **values),
                    data={"final": final})


def correction_weights_sum() -> sp.Expr:
    """Σ_{i=1}^{t} (1 − β) β^{t−i}: the total weight of the gradients in v_t (from v_0 = 0), in closed form."""
    beta, t, i = sp.symbols("b t i", positive=True)
    return sp.simplify(sp.summation((1 - beta) * beta ** (t - i), (i, 1, t)))


@solver("11.10.2")
def solve_11_10_2(seed: int = 0) -> Solution:
    b, t = sp.Symbol("b"), sp.Symbol("t")
    total = correction_weights_sum().subs({sp.Symbol("b", positive=True): b, sp.Symbol("t", positive=True): t})
    alpha = sp.simplify((1 - b) / total)  # weight of the new gradient once the weights are normalised to sum to 1
    alpha1 = float(alpha.subs({b: sp.Rational(9, 10), t: 1}))
    return Solution(answer={"alpha": alpha, "alpha1": alpha1},
                    explanation=explain("11.10.2", total=sp.latex(total), alpha=sp.latex(alpha)))


NOISE = 1.0  # σ of the gradient noise in 11.10.3


def noisy_runs(lr: float = 0.1, steps: int = 600, chains: int = 200, decay: bool = False, seed: int = 0,
               noise: float = NOISE) -> torch.Tensor:
    """f(x_t) averaged over `chains` seeded chains of Adam on 0.1 x₁² + 2 x₂² with ∇f + σ ξ, ξ ~ N(0, I), from
    (−5, −2); decay=True uses η_t = η / √(1 + t/20) (a slowly decaying rate)."""
    f = ill_conditioned_quadratic()
    g = torch.Generator().manual_seed(seed)
    x0 = X0.expand(chains, 2).clone()
    schedule = (lambda t: (1 + t / 20) ** -0.5) if decay else None
    xs = stochastic_trajectory(adam, f.grad, x0, steps, noise, g, lr_schedule=schedule, lr=lr)
    return f.f(xs).mean(-1)


def plateau(losses: torch.Tensor, last: int = 100) -> float:
    """Mean of f over the last `last` steps."""
    return float(losses[-last:].mean())


@solver("11.10.3")
def solve_11_10_3(seed: int = 0) -> Solution:
    const, half, decayed = plateau(noisy_runs(0.1)), plateau(noisy_runs(0.05)), plateau(noisy_runs(0.1, decay=True))
    lower = "decayed" if decayed < const else "constant"
    values = {"const": f"{const:.3g}", "half": f"{half:.3g}", "decayed": f"{decayed:.3g}",
              "ratio": f"{const / half:.1f}"}
    return Solution(answer={"plateau": const, "lower": lower, "why": "step"},
                    explanation=explain("11.10.3", **values),
                    data={"constant": const, "half": half, "decayed": decayed})


REDDI = {"C": 5.0, "lr": 0.01, "beta1": 0.0, "beta2": 1 / 26, "eps": 1e-8}


def reddi_paths(update, steps: int = 1000, chains: int = 100, C: float = 5.0, seed: int = 0,
                **hyper) -> torch.Tensor:
    """Reddi et al. (2018): f_t(x) = C x with probability 1/3, else −x, on x ∈ [−1, 1]; the expected loss
    (C − 2)/3 · x is minimised at x = −1 (for C > 2). Projected runs of `update` from x = 0 for `chains` seeded
    gradient sequences; returns x_t of shape (steps+1, chains)."""
    g = torch.Generator().manual_seed(seed)
    x, state, xs = torch.zeros(chains, dtype=torch.float64), (), []
    xs.append(x)
    for _ in range(steps):
        big = torch.rand(chains, generator=g, dtype=torch.float64) < 1 / 3
        grad = torch.where(big, C, -1.0).to(torch.float64)
        x, state = update(x, grad, state, **hyper)
        x = x.clamp(-1, 1)  # projection onto the feasible set
        xs.append(x)
    return torch.stack(xs)


@solver("11.10.4")
def solve_11_10_4(seed: int = 0) -> Solution:
    hyper = {k: v for k, v in REDDI.items() if k != "C"}
    xa = float(reddi_paths(adam, C=REDDI["C"], **hyper)[-1].mean())
    xy = float(reddi_paths(yogi, C=REDDI["C"], **hyper)[-1].mean())
    values = {"xa": f"{xa:.3f}", "xy": f"{xy:.3f}"}
    return Solution(answer={"adamX": xa, "yogiX": xy}, explanation=explain("11.10.4", **values))
