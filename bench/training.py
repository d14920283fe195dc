"""Training throughput (examples per second) of one epoch: our engine `d2lcore.train` against the book's own loop.

Data: 60,000 random 784-pixel images with 10 classes, minibatches of 256, SGD with lr 0.1, cross-entropy with
reduction="none"; three models: softmax regression (784 → 10), the MLP of §4.2 (784 → 256 → 10) and LeNet of §6.6
(the same pixels as 1×28×28 images). Two CPU threads.
- reference: `train_epoch_ch3` of the book's package d2l 0.17.6 fed by the book's `load_array` — the loop as the
  book runs it (install it with `bash scripts/bench-env.sh`; it is not a dependency of the app).
- `*_loop`: the book's loop fed by our loader, which isolates the cost of the loop's bookkeeping.
- `*_vs_plain`: a plain torch loop over our loader with no bookkeeping at all (what the engine can at best reach).
All sides train a copy of the same initial model on the same tensors. Timed runs are fifths of an epoch (47
minibatches, the loader cycling through its shuffled epochs), interleaved across sides; each figure is a side's
fastest run, which keeps the figures steady on a busy machine.
"""

from __future__ import annotations

import copy
import itertools
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import torch
from torch import nn

from d2lcore import data, train
from d2lcore.cnn import lenet

N, D, Q, BATCH, LR = 60_000, 784, 10, 256, 0.1
CHUNK = 47  # minibatches per timed run: 47 × 256 = 12,032 examples, a fifth of an epoch
BENCH_DIR = Path(os.environ.get("D2L_BENCH_DIR") or Path.home() / ".cache" / "d2l-explorer" / "bench-env")


def book_d2l():
    """The book's d2l.torch module from the private benchmark directory, or None when it is not installed."""
    if BENCH_DIR.is_dir() and str(BENCH_DIR) not in sys.path:
        sys.path.append(str(BENCH_DIR))  # last, so the app's own numpy/torch win over any copy in there
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        from d2l import torch as d2l
    except ImportError:
        return None
    return d2l


def models() -> dict[str, tuple[nn.Module, bool]]:
    """name → (initial model, whether it takes 1×28×28 images rather than 784-vectors)."""
    torch.manual_seed(0)
    return {"softmax": (nn.Linear(D, Q), False),
            "mlp": (nn.Sequential(nn.Linear(D, 256), nn.ReLU(), nn.Linear(256, Q)), False),
            "lenet": (lenet(), True)}


# LeNet is ~20× slower per example than the MLP on a CPU: fewer timed rounds keep the benchmark in minutes.
ROUNDS = {"lenet": 5}


def plain_epoch(net: nn.Module, loss, optimizer, train_iter) -> None:
    """The least a training epoch can do: forward, mean loss, backward, step."""
    for X, y in train_iter:
        optimizer.zero_grad(set_to_none=True)
        loss(net(X), y).mean().backward()
        optimizer.step()


def forever(loader) -> Iterator:
    """The loader's minibatches, epoch after epoch (each epoch reshuffled as the loader does)."""
    while True:
        yield from loader


def chunk_runner(epoch: Callable, net0: nn.Module, loader) -> Callable[[], object]:
    """epoch(net, optimizer, minibatches) over the next CHUNK minibatches of the loader, on its own copy of net0."""
    net = copy.deepcopy(net0)
    optimizer = torch.optim.SGD(net.parameters(), lr=LR)
    stream = forever(loader)
    return lambda: epoch(net, optimizer, itertools.islice(stream, CHUNK))


def examples_per_s(sides: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Examples per second of each side: one warm-up chunk each, then `rounds` rounds that time every side in turn
    (interleaved, so a busy moment of the machine hits all sides alike); each side's fastest chunk counts."""
    for run_chunk in sides.values():
        run_chunk()
    best = dict.fromkeys(sides, float("inf"))
    for _ in range(rounds):
        for name, run_chunk in sides.items():
            start = time.perf_counter()
            run_chunk()
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: CHUNK * BATCH / seconds for name, seconds in best.items()}


def line(name: str, ours: float, reference: float) -> str:
    return f"{name}: ours={ours:,.0f} ex/s reference={reference:,.0f} ex/s ratio={ours / reference:.2f}"


def run(rounds: int = 25) -> Iterator[str]:
    threads = torch.get_num_threads()
    torch.set_num_threads(2)  # this benchmark process only: the app sets nothing global in torch
    try:
        g = torch.Generator().manual_seed(0)
        vectors, y = torch.rand(N, D, generator=g), torch.randint(0, Q, (N,), generator=g)
        loss = nn.CrossEntropyLoss(reduction="none")
        d2l = book_d2l()
        if d2l is None:
            yield "train_epoch: skipped the book's loop: d2l not installed, run `bash scripts/bench-env.sh`"
        for name, (net0, images) in models().items():
            X = vectors.reshape(N, 1, 28, 28) if images else vectors
            ours_iter = data.load_array((X, y), BATCH)
            sides = {"ours": chunk_runner(lambda net, opt, it: train.train_epoch(net, loss, opt, it), net0, ours_iter),
                     "plain": chunk_runner(lambda net, opt, it: plain_epoch(net, loss, opt, it), net0, ours_iter)}
            if d2l is not None:
                book = d2l.train_epoch_ch3
                sides["book"] = chunk_runner(lambda net, opt, it, book=book: book(net, it, loss, opt), net0,
                                             d2l.load_array((X, y), BATCH))
                sides["book_loop"] = chunk_runner(lambda net, opt, it, book=book: book(net, it, loss, opt), net0,
                                                  ours_iter)
            speed = examples_per_s(sides, ROUNDS.get(name, rounds))
            if d2l is not None:
                yield line(f"train_epoch_{name}", speed["ours"], speed["book"])
                yield line(f"train_epoch_{name}_loop", speed["ours"], speed["book_loop"])
            yield line(f"train_epoch_{name}_vs_plain", speed["ours"], speed["plain"])
    finally:
        torch.set_num_threads(threads)


if __name__ == "__main__":
    for text in run():
        print(text, flush=True)
