"""Section 11.8 (RMSProp算法 RMSProp): γ = 1, RMSProp on the rotated quadratic, the learning rate and γ on the
section-11.5 regression data (seeded runs of train_ch11)."""

from __future__ import annotations

import math
from functools import cache

import torch

from d2lcore.optim.gd import gd
from d2lcore.optim.minibatch import get_data_ch11, least_squares_loss, train_ch11
from d2lcore.optim.momentum import ill_conditioned_quadratic
from d2lcore.optim.rmsprop import rmsprop, rmsprop_scheduled
from d2lcore.optim.trajectory import trajectory
from solutions import Solution, explain, solver
from solutions.ch11_s7 import X0, rotation_answer

BOOK = {"lr": 0.4, "gamma": 0.9, "eps": 1e-6, "steps": 20}  # the section's 2-D demo
TRAIN = {"batch_size": 10, "epochs": 2}
RATES = (0.0001, 0.001, 0.01, 0.1, 1.0)
GAMMAS = (0.5, 0.9, 0.99)


@solver("11.8.1")
def solve_11_8_1(seed: int = 0) -> Solution:
    """γ = 1: s stays at its initial 0, so every step is x − η g/√ε, gradient descent with rate η/√ε."""
    f = ill_conditioned_quadratic()
    x0 = torch.tensor(X0, dtype=torch.float64)
    xs = trajectory(rmsprop, f.grad, x0, 3, lr=BOOK["lr"], gamma=1.0, eps=BOOK["eps"])
    rate = BOOK["lr"] / math.sqrt(BOOK["eps"])
    outcome = "diverges" if float(f.f(xs[-1])) > 1e3 * float(f.f(x0)) else "converges"
    values = {"rate": f"{rate:g}", "f3": f"{float(f.f(xs[-1])):.3g}", "lr": BOOK["lr"], "eps": f"{BOOK['eps']:g}"}
    return Solution(answer={"rate": rate, "outcome": outcome}, explanation=explain("11.8.1", **values), data=values)


@solver("11.8.2")
def solve_11_8_2(seed: int = 0) -> Solution:
    """RMSProp (η = 0.4, γ = 0.9, 20 steps from (−5, −2)) on the original and the rotated function."""
    return rotation_answer("11.8.2", rmsprop, BOOK["steps"], lr=BOOK["lr"], gamma=BOOK["gamma"])


@cache
def final_loss(lr: float, gamma: float, seed: int = 0, scheduled: bool = False) -> float:
    """Loss on the whole regression set after TRAIN's epochs of minibatch RMSProp (seeded)."""
    data = get_data_ch11(seed=seed)
    if scheduled:
        frame = train_ch11(rmsprop_scheduled, {"lr": lr, "gamma_start": 0.9, "gamma_end": 0.999, "ramp": 300}, data,
                           TRAIN["batch_size"], TRAIN["epochs"], seed=seed)
    else:
        frame = train_ch11(rmsprop, {"lr": lr, "gamma": gamma}, data, TRAIN["batch_size"], TRAIN["epochs"], seed=seed)
    return float(frame.loss.iloc[-1])


@solver("11.8.3")
def solve_11_8_3(seed: int = 0) -> Solution:
    """Sweep η over RATES with γ = 0.9: the best rate and its final loss."""
    losses = {lr: final_loss(lr, 0.9) for lr in RATES}
    best = min(losses, key=losses.get)
    floor = least_squares_loss(get_data_ch11())
    values = {"table": " · ".join(f"η = {lr:g}: {v:.4f}" for lr, v in losses.items()), "best": f"{best:g}",
              "loss": f"{losses[best]:.4f}", "floor": f"{floor:.4f}"}
    return Solution(answer={"best": f"{best:g}", "loss": losses[best]}, explanation=explain("11.8.3", **values),
                    data={**values, "losses": losses})


@solver("11.8.4")
def solve_11_8_4(seed: int = 0) -> Solution:
    """Final loss for γ in GAMMAS at η = 0.01 and for a γ ramped from 0.9 to 0.999: the relative spread."""
    losses = {g: final_loss(0.01, g) for g in GAMMAS}
    spread = max(losses.values()) / min(losses.values()) - 1
    ramp = final_loss(0.01, 0.9, scheduled=True)
    late = final_loss(0.01, 0.999)
    sensitive = "little" if spread < 0.05 else "very"
    values = {"table": " · ".join(f"γ = {g:g}: {v:.4f}" for g, v in losses.items()), "spread": f"{100 * spread:.2f}",
              "ramp": f"{ramp:.4f}", "late": f"{late:.4f}"}
    return Solution(answer={"spread": spread, "sensitive": sensitive}, explanation=explain("11.8.4", **values),
                    data=values)


def gd_equivalent(gamma_one_steps: int = 3) -> tuple[torch.Tensor, torch.Tensor]:
    """RMSProp with γ = 1 and gradient descent with η/√ε, side by side from the book's start (for the tests)."""
    f = ill_conditioned_quadratic()
    x0 = torch.tensor(X0, dtype=torch.float64)
    a = trajectory(rmsprop, f.grad, x0, gamma_one_steps, lr=BOOK["lr"], gamma=1.0, eps=BOOK["eps"])
    b = trajectory(gd, f.grad, x0, gamma_one_steps, lr=BOOK["lr"] / math.sqrt(BOOK["eps"]))
    return a, b
