"""The training loop of chapter 3 (zh-v2 §3.6.6, used again in §3.7 and later): one engine for classification and
regression, returning a History that pages plot. No plotting here, nothing global set in torch.

Per minibatch:  ŷ = net(X),  l = loss(ŷ, y),  ∇ of the minibatch loss,  one optimizer step.
The running loss and correct-count stay on the device and are read once per epoch (no `.item()` per minibatch).
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

Updater = torch.optim.Optimizer | Callable[[int], None]


@dataclass
class History:
    """One entry per epoch; train_acc / test_acc / test_loss are NaN where they do not apply (regression: no
    accuracy; no test set: no test figures)."""

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    examples_per_s: list[float] = field(default_factory=list)
    seconds: float = 0.0


def correct_count(y_hat: Tensor, y: Tensor) -> Tensor:
    """Σ_i 1[argmax_j ŷ_ij = y_i] as a 0-d tensor on ŷ's device (ŷ of shape (n,) holds predicted labels already)."""
    if y_hat.ndim > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    return (y_hat.reshape(y.shape).to(y.dtype) == y).sum()


def accuracy(y_hat: Tensor, y: Tensor) -> float:
    """Share of correct predictions: (1/n) Σ_i 1[argmax_j ŷ_ij = y_i]   (zh-v2 §3.6.5)."""
    return float(correct_count(y_hat, y)) / len(y)


@contextlib.contextmanager
def _evaluating(model: Callable[[Tensor], Tensor]) -> Iterator[None]:
    """No gradients, and eval mode for an nn.Module (restored afterwards if it was training)."""
    was_training = isinstance(model, nn.Module) and model.training
    if isinstance(model, nn.Module):
        model.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        if was_training:
            model.train()


def evaluate_accuracy(model: Callable[[Tensor], Tensor], data_iter: Iterable) -> float:
    """Accuracy of model over every example of data_iter, without gradients (eval mode for nn.Modules)."""
    correct, n = None, 0
    with _evaluating(model):
        for X, y in data_iter:
            c = correct_count(model(X), y)
            correct = c if correct is None else correct + c
            n += len(y)
    return float(correct) / n if n else math.nan


def evaluate_loss(model: Callable[[Tensor], Tensor], loss: Callable[[Tensor, Tensor], Tensor],
                  data_iter: Iterable) -> float:
    """Mean loss (1/n) Σ_i l(ŷ_i, y_i) over every example of data_iter, without gradients."""
    total, n = None, 0
    with _evaluating(model):
        for X, y in data_iter:
            losses = loss(model(X), y)
            l_sum = losses.sum() if losses.ndim > 0 else losses * X.shape[0]
            total = l_sum if total is None else total + l_sum
            n += X.shape[0]
    return float(total) / n if n else math.nan


def train_epoch(model, loss, optimizer: Updater, train_iter: Iterable, task: str = "classification"
                ) -> tuple[float, float, int]:
    """One pass over train_iter. Returns (mean loss, training accuracy or NaN, number of examples).

    Per minibatch only what training needs plus one argmax: the detached losses, predictions and labels are kept on
    the device and reduced once at the end of the epoch, so the device is read once per epoch, not per minibatch.
    """
    if isinstance(model, nn.Module):
        model.train()
    torch_optimizer = isinstance(optimizer, torch.optim.Optimizer)
    classify = task == "classification"
    losses, counts, preds, labels = [], [], [], []
    for X, y in train_iter:
        y_hat = model(X)
        l = loss(y_hat, y)  # noqa: E741 (the book's symbol) — per-example (reduction="none") or a 0-d mean
        n = X.shape[0]
        if torch_optimizer:
            optimizer.zero_grad(set_to_none=True)
            (l.mean() if l.ndim else l).backward()  # the minibatch mean: the step does not grow with the batch size
            optimizer.step()
        else:
            (l.sum() if l.ndim else l * n).backward()  # the book's sgd divides by the batch size, zeroes the grads
            optimizer(n)
        losses.append(l.detach())
        counts.append(n)
        if classify:
            preds.append(y_hat.argmax(dim=1) if y_hat.ndim > 1 and y_hat.shape[1] > 1 else y_hat.detach())
            labels.append(y)
    n = sum(counts)
    if n == 0:
        return math.nan, math.nan, 0
    if losses[0].ndim:  # per-example losses: Σ over every example of the epoch
        loss_sum = torch.cat([l.reshape(-1) for l in losses]).sum()  # noqa: E741
    else:  # minibatch means: Σ_b n_b · mean_b
        loss_sum = (torch.stack(losses) * torch.tensor(counts, device=losses[0].device)).sum()
    totals = [loss_sum.float()]
    if classify:
        y_hat, y = torch.cat(preds), torch.cat(labels)
        totals.append((y_hat.reshape(y.shape).to(y.dtype) == y).sum().float())
    totals = torch.stack(totals).tolist()  # the one read of the device per epoch
    return totals[0] / n, (totals[1] / n if classify else math.nan), n


def train(model, loss, optimizer: Updater, train_iter: Iterable, test_iter: Iterable | None = None, epochs: int = 1,
          *, task: str = "classification", callback: Callable[[int, History], None] | None = None) -> History:
    """Train for `epochs` passes over train_iter (the book's train_ch3, without the plot).

    loss returns per-example losses (reduction="none") or their mean; optimizer is a torch optimizer or the book's
    `updater(batch_size)`. After each epoch the History gains mean training loss, training and test accuracy
    (classification), mean test loss and examples per second of the training pass; then callback(epoch, history).
    """
    if task not in ("classification", "regression"):
        raise ValueError(f"task must be 'classification' or 'regression', not {task!r}")
    history = History()
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        train_loss, train_acc, n = train_epoch(model, loss, optimizer, train_iter, task)
        seconds = time.perf_counter() - t0
        test_acc = test_loss = math.nan
        if test_iter is not None:
            test_loss = evaluate_loss(model, loss, test_iter)
            if task == "classification":
                test_acc = evaluate_accuracy(model, test_iter)
        history.epoch.append(epoch)
        history.train_loss.append(train_loss)
        history.train_acc.append(train_acc)
        history.test_acc.append(test_acc)
        history.test_loss.append(test_loss)
        history.examples_per_s.append(n / seconds if seconds > 0 else math.inf)
        history.seconds = time.perf_counter() - start
        if callback is not None:
            callback(epoch, history)
    return history
