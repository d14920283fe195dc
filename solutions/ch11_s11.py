"""Section 11.11 (learning-rate schedules): seeded training experiments on the digits (a small MLP trained by
minibatch SGD with a schedule stepped per epoch, d2lcore.schedules.train_with_schedule) and SGLD on a bimodal
target. Every answer is computed by running the experiment; runs are cached per configuration in this process."""

from __future__ import annotations

import statistics
from functools import cache
from itertools import pairwise
from typing import Any

import torch

from d2lcore import schedules as S
from d2lcore.sgld import Mixture, ks_distance, sgld
from solutions import Solution, explain, solver

# one small, fast configuration for every experiment of the section (digits: the answers must not depend on caches)
EPOCHS = 8
SMALL = {"epochs": EPOCHS, "n_train": 480, "n_test": 300, "hidden": 32, "batch_size": 32, "dataset": "digits"}
SEEDS = (0,)  # the sweeps of 11.11.1–11.11.2 (other seeds check the claims in the tests)
WARMUP_SEEDS = (0, 1)
CONSTANT_LRS = (0.03, 0.1, 0.3, 1.0, 2.0)
POWERS = (0.5, 1.0, 2.0, 4.0)
BASE_LR = 1.0
WARMUPS = (0, 2, 4)
WARMUP_LR = 1.3


@cache
def _run(frozen: tuple, seed: int) -> dict[str, list[float]]:
    return S.train_with_schedule(S.ScheduleRun(spec=frozen, seed=seed, **SMALL))


def run(spec: dict[str, Any], seed: int = 0) -> dict[str, list[float]]:
    """One seeded run of the section's small configuration with schedule `spec` (cached per spec and seed)."""
    return _run(S.freeze(spec), seed)


def final_mean(spec: dict[str, Any], key: str = "train_loss", seeds=SEEDS) -> float:
    """The last epoch's `key`, averaged over seeds."""
    return statistics.fmean(run(spec, s)[key][-1] for s in seeds)


def constant(lr: float) -> dict[str, Any]:
    return {"name": "constant", "base_lr": lr}


def polynomial(power: float, lr: float = BASE_LR) -> dict[str, Any]:
    return {"name": "polynomial", "base_lr": lr, "total": EPOCHS, "power": power}


def warmup(w: int, lr: float = WARMUP_LR) -> dict[str, Any]:
    """Linear warm-up from 5% of η over w epochs (w = 0: the constant rate)."""
    return {"name": "warmup", "base_lr": lr, "warmup": w, "start_lr": 0.05 * lr} if w else constant(lr)


COMPARED = {"cosine": {"name": "cosine", "base_lr": BASE_LR, "total": EPOCHS},
            "step": {"name": "factor", "base_lr": BASE_LR, "factor": 0.5, "step_size": 3},
            "constant": constant(BASE_LR)}


def fmt(v: float) -> str:
    return f"{v:.3f}"


@solver("11.11.1")
def solve_11_11_1(seed: int = 0) -> Solution:
    loss = {lr: final_mean(constant(lr)) for lr in CONSTANT_LRS}
    acc = {lr: final_mean(constant(lr), "test_acc") for lr in CONSTANT_LRS}
    best = min(loss, key=loss.get)
    values = {f"l{i}": fmt(loss[lr]) for i, lr in enumerate(CONSTANT_LRS)}
    values |= {f"a{i}": fmt(acc[lr]) for i, lr in enumerate(CONSTANT_LRS)} | {"best": f"{best:g}"}
    return Solution(answer={"bestLr": f"{best:g}", "bestAcc": acc[best]}, explanation=explain("11.11.1", **values),
                    data={"loss": loss, "acc": acc})


@solver("11.11.2")
def solve_11_11_2(seed: int = 0) -> Solution:
    loss = {p: final_mean(polynomial(p)) for p in POWERS}
    ordered = [loss[p] for p in POWERS]
    trend = ("rises" if all(a < b for a, b in pairwise(ordered)) else
             "falls" if all(a > b for a, b in pairwise(ordered)) else "mixed")
    values = {f"l{i}": f"{loss[p]:.4f}" for i, p in enumerate(POWERS)}
    return Solution(answer={"trend": trend, "loss1": loss[1.0]}, explanation=explain("11.11.2", **values),
                    data={"loss": loss})


def compare_schedules(seeds=(0, 1, 2)) -> dict[str, list[float]]:
    """Final test accuracy per compared schedule and seed."""
    return {name: [run(spec, s)["test_acc"][-1] for s in seeds] for name, spec in COMPARED.items()}


def verdict(accs: dict[str, list[float]]) -> str:
    """'noise' when the spread of the mean accuracies is below twice the standard error of a mean (pooled over
    schedules), else the name of the best schedule."""
    means = {k: statistics.fmean(v) for k, v in accs.items()}
    n = len(next(iter(accs.values())))
    pooled = statistics.fmean(statistics.variance(v) for v in accs.values()) ** 0.5
    spread = max(means.values()) - min(means.values())
    return "noise" if spread < 2 * pooled / n**0.5 * 2**0.5 else max(means, key=means.get)


@solver("11.11.3")
def solve_11_11_3(seed: int = 0) -> Solution:
    accs = compare_schedules()
    means = {k: statistics.fmean(v) for k, v in accs.items()}
    values = {f"a{k}": fmt(v) for k, v in means.items()}
    values |= {f"s{k}": fmt(statistics.stdev(v)) for k, v in accs.items()}
    return Solution(answer={"small": verdict(accs)}, explanation=explain("11.11.3", **values), data={"accs": accs})


@solver("11.11.4")
def solve_11_11_4(seed: int = 0) -> Solution:
    loss = {w: final_mean(warmup(w), seeds=WARMUP_SEEDS) for w in WARMUPS}
    best = min(loss, key=loss.get)
    ref = final_mean(constant(1.0))  # the best constant rate of 11.11.1 (seed 0)
    values = {f"l{w}": fmt(v) for w, v in loss.items()} | {"best": best, "ref": fmt(ref)}
    return Solution(answer={"bestWarmup": str(best)}, explanation=explain("11.11.4", **values), data={"loss": loss})


TARGET = Mixture()
SGLD = {"chains": 200, "steps": 1000, "burn_in": 200, "step_size": 0.1}


@cache
def sgld_samples(step_size: float = 0.1, inject_noise: bool = True, noise_scale: float = 1.0, seed: int = 0
                 ) -> torch.Tensor:
    """SGLD samples of the section's bimodal mixture (200 chains, 1000 steps, 200 burn-in)."""
    return sgld(TARGET, chains=SGLD["chains"], steps=SGLD["steps"], burn_in=SGLD["burn_in"], step_size=step_size,
                inject_noise=inject_noise, noise_scale=noise_scale, seed=seed)


@solver("11.11.5")
def solve_11_11_5(seed: int = 0) -> Solution:
    s = sgld_samples()
    right = float((s > 0).double().mean())
    exact = 1 - float(TARGET.cdf(torch.zeros(1, dtype=torch.float64)))
    ks = ks_distance(s, TARGET)
    ks_opt = ks_distance(sgld_samples(inject_noise=False), TARGET)
    values = {"right": fmt(right), "exact": fmt(exact), "ks": fmt(ks), "ksopt": fmt(ks_opt)}
    return Solution(answer={"right": right, "noNoise": "modes"}, explanation=explain("11.11.5", **values),
                    data={"ks": ks, "ks_opt": ks_opt})
