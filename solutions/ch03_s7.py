"""Section 3.7 (softmax回归的简洁实现 Concise softmax regression): hyperparameters and the number of updates, and
what more epochs do on a small training set. Answers come from seeded runs on the digits subset."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from d2lcore import softmax_regression as sr
from solutions import Solution, explain, solver

# The exercise runs: always the digits (the answers must not depend on what a machine has cached).
HYPER = sr.SoftmaxConfig(batch_size=32, lr=0.1, epochs=10, n_train=1200, n_test=400, dataset="digits")
OVERFIT = sr.SoftmaxConfig(batch_size=10, lr=1.0, epochs=200, n_train=100, n_test=400, dataset="digits")
BOOK = {"n": 60_000, "batch": 256, "epochs": 10}  # Fashion-MNIST's training set and the book's defaults


@cache
def run(config: sr.SoftmaxConfig):
    """One seeded run (deterministic, so each configuration is trained once per process)."""
    return sr.train_softmax_regression(config)


@solver("3.7.1")
def solve_3_7_1(seed: int = 0) -> Solution:
    """Updates of the book's run; the effect of the batch size at a fixed lr and epochs; the test accuracy at the
    exercise's setting."""
    updates = sr.updates_per_run(BOOK["n"], BOOK["batch"], BOOK["epochs"])
    small, large = run(HYPER), run(replace(HYPER, batch_size=256))
    effect = "lower" if small.train_loss[-1] < 0.9 * large.train_loss[-1] else (
        "higher" if small.train_loss[-1] > 1.1 * large.train_loss[-1] else "same")
    values = {"updates": f"{updates:,}", "u256": sr.updates_per_run(HYPER.n_train, 256, HYPER.epochs),
              "u32": sr.updates_per_run(HYPER.n_train, 32, HYPER.epochs), "loss256": f"{large.train_loss[-1]:.3f}",
              "loss32": f"{small.train_loss[-1]:.3f}", "acc": f"{small.test_acc[-1]:.3f}",
              "acc256": f"{large.test_acc[-1]:.3f}"}
    answer = {"updates": float(updates), "batchEffect": effect, "acc": small.test_acc[-1]}
    return Solution(answer=answer, explanation=explain("3.7.1", **values), data=values)


def overfit_summary(test_loss: list[float], train_loss: list[float]) -> dict[str, float]:
    """Where the test loss is lowest, and how the final losses compare with that epoch."""
    best = sr.early_stopping_epoch(test_loss)
    return {"best": best, "min": test_loss[best - 1], "final": test_loss[-1],
            "rise": test_loss[-1] / test_loss[best - 1] - 1,
            "trainAtBest": train_loss[best - 1], "trainFinal": train_loss[-1]}


@solver("3.7.2")
def solve_3_7_2(seed: int = 0) -> Solution:
    """A long run on 100 training digits: the test loss passes a minimum and rises while the training loss falls."""
    h = run(OVERFIT)
    s = overfit_summary(h.test_loss, h.train_loss)
    trend = "rises" if s["rise"] > 0.02 else ("falls" if s["best"] == len(h.epoch) else "flat")
    why = "overfit" if s["trainFinal"] < s["trainAtBest"] else "diverge"
    values = {"best": s["best"], "min": f"{s['min']:.3f}", "final": f"{s['final']:.3f}",
              "rise": f"{100 * s['rise']:.1f}",
              "trainFinal": f"{s['trainFinal']:.4f}", "trainAcc": f"{h.train_acc[-1]:.3f}",
              "testAccBest": f"{h.test_acc[s['best'] - 1]:.3f}", "testAcc": f"{h.test_acc[-1]:.3f}",
              "epochs": OVERFIT.epochs, "n": OVERFIT.n_train}
    answer = {"trend": trend, "why": why, "rise": s["rise"]}
    return Solution(answer=answer, explanation=explain("3.7.2", **values), data=values)
