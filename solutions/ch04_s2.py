"""Section 4.2 (多层感知机的从零开始实现 MLP from scratch): the number of hidden units, more hidden layers, the
learning rate, a joint random search, and why several hyperparameters are hard. Every answer comes from seeded runs
of the from-scratch MLP (d2lcore.mlp.ScratchMLP on our training engine) on a fixed digits subset."""

from __future__ import annotations

import math
from dataclasses import replace
from functools import cache

import numpy as np

from d2lcore import mlp
from solutions import Solution, explain, solver, variant

# The book's run is 784-256-10 on 60,000 Fashion-MNIST images with batch 256; on 1,000 digits that would be only
# 40 updates, so the exercise runs use batch 32 (320 updates) and always the digits (answers must not depend on what
# a machine has cached).
SCRATCH = mlp.MLPConfig(implementation="scratch", hidden=(256,), lr=0.1, epochs=10, batch_size=32, n_train=1000,
                        n_test=400, dataset="digits")
WIDTHS = [4, 16, 64, 256, 1024]
DEPTHS = [1, 2, 3]
RATES = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0]
SEARCH_TRIALS = 6
CHANCE = math.log(10)  # the cross-entropy of a uniform guess over 10 classes


@cache
def run(config: mlp.MLPConfig) -> mlp.History:
    """One seeded run (deterministic, so each configuration is trained once per process)."""
    return mlp.fit_mlp(config).history


def accuracy(config: mlp.MLPConfig) -> float:
    return mlp.final_test_accuracy(run(config))


def learns(config: mlp.MLPConfig) -> bool:
    """The run gets clearly below the chance-level loss ln 10 (a stuck or diverged run does not)."""
    loss = run(config).train_loss[-1]
    return math.isfinite(loss) and loss < 0.8 * CHANCE


@variant("4.2.1")
def variant_4_2_1(seed: int) -> dict:
    """Which width's accuracy is asked (seed 0: the book's 256)."""
    return {"h": 256 if seed == 0 else int(np.random.default_rng(seed).choice([16, 64, 1024]))}


def width_trend(acc: dict[int, float]) -> str:
    """'plateau' when most of the gain from the narrowest to the widest layer is reached by 256 units."""
    gain, late = acc[WIDTHS[-1]] - acc[WIDTHS[0]], acc[WIDTHS[-1]] - acc[256]
    if gain < 0.05:
        return "none"
    return "plateau" if late < 0.25 * gain else "steady"


@solver("4.2.1")
def solve_4_2_1(seed: int = 0, h: int = 256) -> Solution:
    """Train the book's MLP with each width of WIDTHS; report the asked width's accuracy and the trend."""
    acc = {w: accuracy(replace(SCRATCH, hidden=(w,))) for w in WIDTHS}
    best = max(acc, key=acc.get)
    values = {"h": h, "acc": f"{acc[h]:.3f}", "best": best, "accBest": f"{acc[best]:.3f}",
              "table": " · ".join(f"{w}: {a:.3f}" for w, a in acc.items()), "acc4": f"{acc[4]:.3f}"}
    return Solution(answer={"acc": acc[h], "trend": width_trend(acc)}, explanation=explain("4.2.1", **values),
                    data={"acc": acc})


DEPTH_CONTROL_STD = 0.1  # the same deeper networks drawn with larger weights (about Kaiming's √(2/256) ≈ 0.09)


@solver("4.2.2")
def solve_4_2_2(seed: int = 0) -> Solution:
    """1, 2, 3 hidden layers of 256 units at the book's settings; then the deeper nets again with std 0.1."""
    acc = {d: accuracy(replace(SCRATCH, hidden=(256,) * d)) for d in DEPTHS}
    control = {d: accuracy(replace(SCRATCH, hidden=(256,) * d, std=DEPTH_CONTROL_STD)) for d in DEPTHS[1:]}
    effect = "worse" if acc[2] < acc[1] - 0.05 else ("better" if acc[2] > acc[1] + 0.02 else "same")
    why = "init" if effect == "worse" and control[2] > acc[1] - 0.05 else "capacity"
    values = {"acc1": f"{acc[1]:.3f}", "acc2": f"{acc[2]:.3f}", "acc3": f"{acc[3]:.3f}",
              "ctrl2": f"{control[2]:.3f}", "ctrl3": f"{control[3]:.3f}", "std": DEPTH_CONTROL_STD,
              "loss2": f"{run(replace(SCRATCH, hidden=(256, 256))).train_loss[-1]:.3f}", "chance": f"{CHANCE:.3f}"}
    return Solution(answer={"effect": effect, "acc2": acc[2], "why": why}, explanation=explain("4.2.2", **values),
                    data={"acc": acc, "control": control})


def lr_bucket(lr: float) -> str:
    return "small" if lr < 0.1 else ("book" if lr == 0.1 else ("large" if lr <= 1.0 else "huge"))


@solver("4.2.3")
def solve_4_2_3(seed: int = 0) -> Solution:
    """Sweep the learning rate over RATES at 10 epochs; the best, and what the largest rate does."""
    acc = {lr: accuracy(replace(SCRATCH, lr=lr)) for lr in RATES}
    best = max(acc, key=acc.get)
    huge = replace(SCRATCH, lr=RATES[-1])
    values = {"table": " · ".join(f"{lr:g}: {a:.3f}" for lr, a in acc.items()), "best": f"{best:g}",
              "accBest": f"{acc[best]:.3f}", "small": f"{acc[RATES[0]]:.3f}",
              "lossSmall": f"{run(replace(SCRATCH, lr=RATES[0])).train_loss[-1]:.3f}",
              "huge": f"{RATES[-1]:g}", "lossHuge": f"{run(huge).train_loss[-1]:.3f}", "chance": f"{CHANCE:.3f}"}
    answer = {"best": lr_bucket(best), "huge": "fails" if not learns(huge) else "trains", "accSmall": acc[RATES[0]]}
    return Solution(answer=answer, explanation=explain("4.2.3", **values), data={"acc": acc})


@cache
def search(seed: int = 0) -> tuple[mlp.Trial, ...]:
    return tuple(mlp.random_search(replace(SCRATCH, seed=seed), SEARCH_TRIALS, seed))


@solver("4.2.4")
def solve_4_2_4(seed: int = 0) -> Solution:
    """A seeded random search over lr, epochs, layers and units, chosen on a validation split; the chosen trial's
    test accuracy, how many trials stayed at chance, and how the validation score compares with the test score."""
    trials = search(0)
    best = mlp.best_trial(trials)
    stuck = sum(trial.val_acc < 0.2 for trial in trials)
    default = accuracy(SCRATCH)
    c = best.config
    values = {"n": SEARCH_TRIALS, "lr": f"{c.lr:g}", "epochs": c.epochs, "layers": len(c.hidden),
              "units": c.hidden[0], "val": f"{best.val_acc:.3f}", "test": f"{best.test_acc:.3f}", "stuck": stuck,
              "default": f"{default:.3f}"}
    answer = {"best": best.test_acc, "stuck": float(stuck),
              "optimism": "higher" if best.val_acc > best.test_acc else "lower"}
    return Solution(answer=answer, explanation=explain("4.2.4", **values))


@solver("4.2.5")
def solve_4_2_5(seed: int = 0) -> Solution:
    """Grid cost k^d for the four hyperparameters of 4.2.4, and the interaction seen in 4.2.2: the second hidden
    layer only trains with a larger learning rate."""
    per_run = float(np.mean([run(replace(SCRATCH, hidden=(w,))).seconds for w in WIDTHS]))
    grid = 5 ** 4
    interaction = {(d, lr): accuracy(replace(SCRATCH, hidden=(256,) * d, lr=lr)) for d in (1, 2) for lr in (0.1, 0.5)}
    values = {"grid": grid, "minutes": f"{grid * per_run / 60:.0f}", "perRun": f"{per_run:.1f}",
              "a11": f"{interaction[1, 0.1]:.3f}", "a15": f"{interaction[1, 0.5]:.3f}",
              "a21": f"{interaction[2, 0.1]:.3f}", "a25": f"{interaction[2, 0.5]:.3f}"}
    return Solution(answer={}, explanation=explain("4.2.5", **values), data=values)


@solver("4.2.6")
def solve_4_2_6(seed: int = 0, n: int = 16, repeats: int = 200) -> Solution:
    """Grid against random search with the same budget n on the toy objective, random search repeated."""
    grid = mlp.best_of(mlp.grid_points(n))
    rand = [mlp.best_of(mlp.random_points(n, s)) for s in range(repeats)]
    best = float(mlp.toy_objective(*(np.array([v]) for v in mlp.TOY_BEST))[0])
    values = {"n": n, "k": math.isqrt(n), "grid": f"{grid:.3f}", "random": f"{np.mean(rand):.3f}",
              "share": f"{100 * np.mean(np.array(rand) > grid):.0f}", "best": f"{best:.3f}", "repeats": repeats}
    return Solution(answer={}, explanation=explain("4.2.6", **values), data=values)
