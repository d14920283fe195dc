"""Section 11.10 (Adam): the learning rate on the book's quadratic, the bias correction rewritten away, why the rate
must decay on a noisy problem, and Reddi et al.'s (2018) problem where Adam goes to the worst point and Yogi does
not. Every answer comes from seeded, deterministic runs of d2lcore.optim."""

from __future__ import annotations

import numpy as np
import sympy as sp
import torch

from d2lcore.optim.adam import adam, yogi
from d2lcore.optim.momentum import ill_conditioned_quadratic
from d2lcore.optim.rmsprop import rmsprop
from d2lcore.optim.trajectory import trajectory
from solutions import Solution, explain, solver

X0 = torch.tensor([-5.0, -2.0], dtype=torch.float64)  # the book's start on f = 0.1 x₁² + 2 x₂²
LRS = (0.01, 0.1, 0.5, 1.0)
STEPS = 100
OPTIMIZERS = {"adam": adam, "yogi": yogi, "rmsprop": rmsprop}


def optimizer_paths(objective, x0: torch.Tensor, steps: int, lr: float, beta1: float = 0.9, beta2: float = 0.999,
                    eps: float = 1e-6) -> dict[str, torch.Tensor]:
    """Iterates (steps+1, 2) of Adam, Yogi (same β₁, β₂, ε) and RMSProp (γ = β₂, i.e. Adam without momentum and
    without bias correction) from x0 on an Objective2D.

    The three runs advance together: row k of X (3, 2) is optimizer k's iterate, one ∇f(X) call per step serves all
    three (the gradient of a batch is the batch of gradients), then each rule updates its own row — the same
    iterates as three separate `trajectory` runs.
    """
    rules = {"adam": (adam, {"lr": lr, "beta1": beta1, "beta2": beta2, "eps": eps}),
             "yogi": (yogi, {"lr": lr, "beta1": beta1, "beta2": beta2, "eps": eps}),
             "rmsprop": (rmsprop, {"lr": lr, "gamma": beta2, "eps": eps})}
    X = x0.expand(len(rules), *x0.shape)  # (3, 2)
    states: list[tuple] = [()] * len(rules)
    xs = [X]
    for _ in range(steps):
        rows = []
        for k, ((rule, hyper), x, g) in enumerate(zip(rules.values(), X.unbind(0), objective.grad(X).unbind(0),
                                                      strict=True)):
            x, states[k] = rule(x, g, states[k], **hyper)
            rows.append(x)
        X = torch.stack(rows)
        xs.append(X)
    paths = torch.stack(xs)  # (steps+1, 3, 2)
    return {name: paths[:, k].contiguous() for k, name in enumerate(rules)}


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


def noisy_runs_batch(configs: tuple[tuple[float, bool], ...], steps: int = 600, chains: int = 200, seed: int = 0,
                     noise: float = NOISE) -> torch.Tensor:
    """f(x_t) averaged over `chains` seeded chains of Adam on 0.1 x₁² + 2 x₂² with ∇f + σ ξ_t, ξ_t ~ N(0, I), from
    (−5, −2), for K settings (η, decay) at once; decay=True uses η_t = η / √(1 + t/20) (a slowly decaying rate).

    The K settings run as one (K, chains, 2) batch (one tensor operation per step for all of them) and share the noise:
    ξ_t of shape (chains, 2) is drawn from Generator(seed) once per step, the same draws a single setting makes alone.
    Returns shape (steps+1, K).
    """
    f = ill_conditioned_quadratic()
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(1, steps + 1, dtype=torch.float64)[:, None]  # (steps, 1)
    eta = torch.tensor([[e for e, _ in configs]], dtype=torch.float64)  # (1, K)
    decay = torch.tensor([[d for _, d in configs]])
    lrs = torch.where(decay, eta * (1 + t / 20) ** -0.5, eta)[..., None, None]  # (steps, K, 1, 1): η_t per setting
    x, state = X0.expand(len(configs), chains, 2), ()
    xs = [x]
    for i in range(steps):
        xi = torch.randn(chains, 2, generator=g, dtype=torch.float64)  # shared by the K settings
        x, state = adam(x, torch.add(f.grad(x), xi, alpha=noise), state, lr=lrs[i])
        xs.append(x)
    return f.f(torch.stack(xs)).mean(-1)


def noisy_runs(lr: float = 0.1, steps: int = 600, chains: int = 200, decay: bool = False, seed: int = 0,
               noise: float = NOISE) -> torch.Tensor:
    """f(x_t) averaged over `chains` seeded chains of Adam (one setting of noisy_runs_batch), shape (steps+1,)."""
    return noisy_runs_batch(((lr, decay),), steps, chains, seed, noise)[:, 0]


def plateau(losses: torch.Tensor, last: int = 100) -> float:
    """Mean of f over the last `last` steps."""
    return float(losses[-last:].mean())


@solver("11.10.3")
def solve_11_10_3(seed: int = 0) -> Solution:
    runs = noisy_runs_batch(((0.1, False), (0.05, False), (0.1, True)))
    const, half, decayed = (plateau(runs[:, k]) for k in range(3))
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
    big = torch.rand(steps, chains, generator=g, dtype=torch.float64) < 1 / 3  # the same draws as one row per step
    grads = np.where(big.numpy(), C, -1.0)  # (steps, chains); the rules run on numpy arrays (a step is 100 numbers)
    x, state = np.zeros(chains), ()
    xs = [x]
    for grad in grads:
        x, state = update(x, grad, state, **hyper)
        xs.append(np.clip(x, -1, 1, out=x))  # projection onto the feasible set (x is the rule's fresh output)
    return torch.from_numpy(np.stack(xs))


@solver("11.10.4")
def solve_11_10_4(seed: int = 0) -> Solution:
    hyper = {k: v for k, v in REDDI.items() if k != "C"}
    xa = float(reddi_paths(adam, C=REDDI["C"], **hyper)[-1].mean())
    xy = float(reddi_paths(yogi, C=REDDI["C"], **hyper)[-1].mean())
    values = {"xa": f"{xa:.3f}", "xy": f"{xy:.3f}"}
    return Solution(answer={"adamX": xa, "yogiX": xy}, explanation=explain("11.10.4", **values))
