"""Section 11.5 (小批量随机梯度下降 Minibatch stochastic gradient descent): batch size and learning rate against
progress per epoch and per second, sampling with and without replacement, and a data set duplicated by an evil genie.

The book trains on the NASA airfoil self-noise data; here `d2lcore.optim.minibatch.get_data_ch11` generates an offline
stand-in of the same shape (1,500 × 5, standardised) and difficulty."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import torch
from torch.utils.data import TensorDataset

from d2lcore.optim import gd, minibatch
from solutions import Solution, explain, solver, variant

BOOK_RUNS = {1500: 1.0, 100: 0.4, 10: 0.05, 1: 0.005}  # batch size → the book's learning rate (zh-v2 §11.5.4)
N = 1500


def updates_per_epoch(n: int, batch_size: int) -> int:
    """One epoch = ⌈n / B⌉ minibatch updates (the last batch may be smaller)."""
    return math.ceil(n / batch_size)


def book_runs(epochs: int = 1, data_seed: int = 0) -> dict[int, pd.DataFrame]:
    """train_ch11 with plain SGD for every (batch size, learning rate) pair of the book, seed 0."""
    data = minibatch.get_data_ch11(seed=data_seed)
    minibatch.train_ch11(gd.sgd, {"lr": 1.0}, data, len(data), 1)  # warm-up: the first call pays one-off costs
    return {b: minibatch.train_ch11(gd.sgd, {"lr": lr}, data, b, epochs) for b, lr in BOOK_RUNS.items()}


@variant("11.5.1")
def variant_11_5_1(seed: int) -> dict:
    """Batch size B for the updates-per-epoch question (seed 0: 10)."""
    if seed == 0:
        return {"B": 10}
    return {"B": int(np.random.default_rng(seed).choice([7, 32, 64, 200]))}


@solver("11.5.1")
def solve_11_5_1(seed: int = 0, B: int = 10) -> Solution:
    """Updates per epoch by counting the minibatches of one epoch; after one epoch of each of the book's settings,
    the one furthest from the least-squares floor and the one whose epoch takes longest (measured)."""
    data = minibatch.get_data_ch11()
    counted = len(torch.arange(N).split(B))
    runs = book_runs()
    floor = minibatch.least_squares_loss(data)
    excess = {b: float(df.loss.iloc[-1]) - floor for b, df in runs.items()}
    seconds = {b: float(df.seconds.iloc[-1]) for b, df in runs.items()}
    worst, slowest = max(excess, key=excess.get), max(seconds, key=seconds.get)
    table = ", ".join(f"B = {b}: {excess[b]:.3g} / {1e3 * seconds[b]:.3g} ms" for b in runs)
    return Solution(answer={"updates": counted, "worst": str(worst), "slowest": str(slowest)},
                    explanation=explain("11.5.1", B=B, updates=counted, table=table))


def replacement_excess(lr: float = 0.02, batch_size: int = 10, epochs: int = 3, seeds: int = 10, data_seed: int = 0
                       ) -> dict[str, float]:
    """Mean over seeds of the excess loss (loss − floor) averaged over the last 8 evaluations, minibatch SGD with
    and without replacement."""
    data = minibatch.get_data_ch11(seed=data_seed)
    floor = minibatch.least_squares_loss(data)
    out = {}
    for mode in ("without", "with"):
        runs = [minibatch.train_ch11(gd.sgd, {"lr": lr}, data, batch_size, epochs, seed=s,
                                     with_replacement=mode == "with") for s in range(seeds)]
        out[mode] = float(np.mean([df.loss.iloc[-8:].mean() - floor for df in runs]))
    return out


@solver("11.5.2")
def solve_11_5_2(seed: int = 0) -> Solution:
    """Fraction never drawn in one with-replacement epoch, by simulating 2,000 epochs' index draws; which mode ends
    lower, by running 10 seeds of each."""
    gen = torch.Generator().manual_seed(seed)
    draws = torch.randint(0, N, (2000, updates_per_epoch(N, 10) * 10), generator=gen)
    seen = torch.zeros(2000, N, dtype=torch.bool).scatter_(1, draws, True)
    unseen = float(1 - seen.float().mean())
    ex = replacement_excess()
    better = "without" if ex["without"] < ex["with"] else "with"
    return Solution(answer={"unseen": unseen, "better": better},
                    explanation=explain("11.5.2", unseen=f"{unseen:.4f}", exWithout=f"{ex['without']:.2e}",
                                        exWith=f"{ex['with']:.2e}"))


def duplicate(data: TensorDataset) -> TensorDataset:
    """The evil genie: every example twice (2n rows)."""
    return TensorDataset(*(torch.cat([t, t]) for t in data.tensors))


@solver("11.5.3")
def solve_11_5_3(seed: int = 0) -> Solution:
    """Run full-batch GD (B = n resp. 2n, lr 1) for five epochs and one epoch of minibatch SGD (B = 10, lr 0.05) on
    both data sets: the largest gap between the GD losses, and the ratio of SGD updates per epoch (counted)."""
    data = minibatch.get_data_ch11()
    gd_losses, sgd_updates = {}, {}
    for name, d in (("original", data), ("duplicated", duplicate(data))):
        df = minibatch.train_ch11(gd.sgd, {"lr": 1.0}, d, len(d), 5, eval_every=len(d))
        gd_losses[name] = df.loss.to_numpy()
        df = minibatch.train_ch11(gd.sgd, {"lr": 0.05}, d, 10, 1, seed=seed, eval_every=10)
        sgd_updates[name] = len(df) - 1  # one evaluation after every update of 10 examples
    gap = float(np.abs(gd_losses["original"] - gd_losses["duplicated"]).max())
    ratio = sgd_updates["duplicated"] / sgd_updates["original"]
    return Solution(answer={"gd": "same" if gap < 1e-5 else "changed", "sgd": "double" if ratio > 1.5 else "same",
                            "ratio": ratio},
                    explanation=explain("11.5.3", gap=f"{gap:.1e}", ratio=f"{ratio:g}"))
