"""Softmax regression from scratch and concisely (zh-v2 §3.6, §3.7): where the naive softmax and cross-entropy break
in floating point, the two models, their training on a small image classification subset, prediction and errors,
and the decision and vocabulary questions of exercises 3.6.4–3.6.5.

The from-scratch model is ŷ = softmax(X W + b) with the loss −log ŷ_y; the concise model is nn.Linear with
nn.CrossEntropyLoss, which computes logsumexp(o) − o_y from the logits o and never forms ŷ.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.utils.data import TensorDataset

from d2lcore import data as d2ldata
from d2lcore import linear
from d2lcore.softmax import naive_cross_entropy, softmax, stable_cross_entropy, stable_softmax
from d2lcore.train import History, evaluate_loss, train

# --- where floating point breaks (exercises 3.6.1–3.6.3) ------------------------------------------------------------


def exp_overflow_threshold(dtype: torch.dtype = torch.float32) -> float:
    """The largest x with exp(x) finite in `dtype`, found by bisection on torch.exp itself (≈ ln(max) = 88.72 for
    float32, 709.78 for float64, 11.09 for float16)."""
    lo, hi = 0.0, 1.0
    while torch.isfinite(torch.exp(torch.tensor(hi, dtype=dtype))):
        lo, hi = hi, 2 * hi
    for _ in range(80):  # exp(lo) finite, exp(hi) = inf
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if torch.isfinite(torch.exp(torch.tensor(mid, dtype=dtype))) else (lo, mid)
    return lo


def smallest_positive(dtype: torch.dtype = torch.float32) -> float:
    """The smallest positive number of `dtype` (a subnormal): the next representable value after 0.

    A probability below about half of it rounds to exactly 0, and −log 0 = inf. 2⁻¹⁴⁹ ≈ 1.4·10⁻⁴⁵ for float32.
    """
    zero = torch.zeros((), dtype=dtype)
    return float(torch.nextafter(zero, torch.ones((), dtype=dtype)))


def exp_underflow_gap(dtype: torch.dtype = torch.float32) -> float:
    """The smallest g ≥ 0 with exp(−g) = 0 in `dtype`, by bisection (≈ 150·ln 2 = 103.97 for float32): a class whose
    logit lies more than g below the largest one gets probability exactly 0 from any softmax in that dtype."""
    lo, hi = 0.0, 1.0
    while torch.exp(torch.tensor(-hi, dtype=dtype)) > 0:
        lo, hi = hi, 2 * hi
    for _ in range(80):  # exp(−lo) > 0, exp(−hi) = 0
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if torch.exp(torch.tensor(-mid, dtype=dtype)) > 0 else (lo, mid)
    return hi


def softmax_outcome(p: Tensor) -> str:
    """Classify a computed probability vector: 'ok' (finite, sums to 1), 'allnan', 'nanzero' (nan where exp
    overflowed, 0 elsewhere) or 'broken' (anything else)."""
    nan = torch.isnan(p)
    if bool(nan.all()):
        return "allnan"
    if bool(nan.any()):
        return "nanzero" if bool((p[~nan] == 0).all()) else "broken"
    ok = bool(torch.isfinite(p).all()) and abs(float(p.double().sum()) - 1) < 1e-3
    return "ok" if ok else "broken"


def loss_outcome(value: float) -> str:
    """Classify a computed loss value: 'inf', 'nan' or 'finite'."""
    return "nan" if math.isnan(value) else "inf" if math.isinf(value) else "finite"


@dataclass(frozen=True)
class StabilityReport:
    """Every route from logits o (one example, label y) to probabilities and loss, in one dtype."""

    o: Tensor  # (q,) the logits
    y: int
    exp_naive: Tensor  # (q,) exp(o), may be inf or 0
    p_naive: Tensor  # (q,) exp(o) / Σ exp(o)
    p_stable: Tensor  # (q,) exp(o − max) / Σ exp(o − max)
    p_torch: Tensor  # (q,) torch.softmax
    ce_naive: float  # −log p_naive[y]: the book's softmax + cross_entropy
    ce_log_of_stable: float  # −log p_stable[y]: stable softmax, then the log (underflow → inf)
    ce_stable: float  # logsumexp(o) − o_y
    ce_torch: float  # F.cross_entropy(o, y)
    truth: float  # logsumexp(o) − o_y in float64 (the exact loss up to rounding)


def stability_report(o: Tensor | list[float], y: int, dtype: torch.dtype = torch.float32) -> StabilityReport:
    """Compute ŷ and l(ŷ, y) four ways for the logits o in `dtype`: naive, stable softmax then log, log-sum-exp,
    torch's F.cross_entropy; plus the float64 loss as the truth."""
    o = torch.as_tensor(o, dtype=dtype).reshape(-1)
    Y = torch.tensor([y])
    L = o.unsqueeze(0)  # (1, q): the logits of one example
    p_naive, p_stable = softmax(L)[0], stable_softmax(L)[0]
    return StabilityReport(
        o=o, y=y, exp_naive=torch.exp(o), p_naive=p_naive, p_stable=p_stable, p_torch=torch.softmax(L, dim=-1)[0],
        ce_naive=float(naive_cross_entropy(p_naive.unsqueeze(0), Y)[0]),
        ce_log_of_stable=float(naive_cross_entropy(p_stable.unsqueeze(0), Y)[0]),
        ce_stable=float(stable_cross_entropy(L, Y)[0]),
        ce_torch=float(F.cross_entropy(L, Y)),
        truth=float(stable_cross_entropy(L.double(), Y)[0]),
    )


BREAKDOWN = ("ok", "overflow", "underflow", "allzero")  # what goes wrong first in the naive softmax + log


def breakdown_grid(o: Tensor, y: int, scales: Tensor, shifts: Tensor, dtype: torch.dtype = torch.float32) -> Tensor:
    """For logits λ·o + c on a grid of scales λ (rows) and shifts c (columns), the index into BREAKDOWN of what
    the naive pipeline −log(exp(o_y) / Σ exp(o_k)) does: 'overflow' (some exp = inf → nan), 'allzero' (every exp
    underflows → 0/0 = nan), 'underflow' (ŷ_y = 0 → inf) or 'ok'. The stable log-sum-exp loss is finite everywhere.
    """
    L = (scales[:, None, None] * o.double()[None, None, :] + shifts[None, :, None]).to(dtype)  # (S, C, q)
    E = torch.exp(L)
    p_y = E[..., y] / E.sum(dim=-1)
    code = torch.zeros(L.shape[:2], dtype=torch.long)
    code[p_y == 0] = 1 + BREAKDOWN[1:].index("underflow")
    code[(E == 0).all(dim=-1)] = BREAKDOWN.index("allzero")
    code[torch.isinf(E).any(dim=-1)] = BREAKDOWN.index("overflow")
    return code


# --- the two models (§3.6.1–3.6.3, §3.7.1–3.7.2) -------------------------------------------------------------------


@dataclass
class ScratchSoftmaxRegression:
    """ŷ = softmax(X W + b) on flattened images: W (d, q), b (q,), both with requires_grad (zh-v2 §3.6.3)."""

    W: Tensor
    b: Tensor

    def __call__(self, X: Tensor) -> Tensor:
        return softmax(X.reshape(-1, self.W.shape[0]) @ self.W + self.b)  # (n, d) @ (d, q) → (n, q)

    def parameters(self) -> list[Tensor]:
        return [self.W, self.b]


def initial_weights(n_inputs: int, n_classes: int, generator: torch.Generator | None = None) -> Tensor:
    """W ~ N(0, 0.01²) of shape (d, q), the book's initialisation for both implementations."""
    return torch.normal(0.0, 0.01, size=(n_inputs, n_classes), generator=generator)


def softmax_regression_scratch(n_inputs: int, n_classes: int,
                               generator: torch.Generator | None = None) -> ScratchSoftmaxRegression:
    """The §3.6 model: W ~ N(0, 0.01²), b = 0."""
    W = initial_weights(n_inputs, n_classes, generator).requires_grad_(True)
    return ScratchSoftmaxRegression(W, torch.zeros(n_classes, requires_grad=True))


def softmax_regression_concise(n_inputs: int, n_classes: int, generator: torch.Generator | None = None) -> nn.Module:
    """The §3.7 model nn.Sequential(nn.Flatten(), nn.Linear(d, q)); it outputs logits, not probabilities.

    The weight is drawn exactly as in the scratch model (the same (d, q) draw, stored transposed as Linear's (q, d)),
    so with the same generator both start from the same point.
    """
    net = nn.Sequential(nn.Flatten(), nn.Linear(n_inputs, n_classes))
    with torch.no_grad():
        net[1].weight.copy_(initial_weights(n_inputs, n_classes, generator).T)
        net[1].bias.zero_()
    return net


def concise_loss() -> nn.Module:
    """nn.CrossEntropyLoss(reduction='none'): per-example logsumexp(o) − o_y from the logits (§3.7.2)."""
    return nn.CrossEntropyLoss(reduction="none")


def scratch_updater(params: list[Tensor], lr: float, weight_decay: float = 0.0) -> Callable[[int], None]:
    """The book's updater(batch_size) around minibatch SGD; with weight decay λ the step is η(∇Σl/|B| + λθ)."""

    def updater(batch_size: int) -> None:
        if weight_decay:
            for param in params:
                param.grad += batch_size * weight_decay * param.detach()  # sgd divides by batch_size again
        linear.sgd(params, lr, batch_size)

    return updater


# --- training on the image classification subset --------------------------------------------------------------------


@dataclass(frozen=True)
class SoftmaxConfig:
    """One training run. dataset 'auto' takes Fashion-MNIST when it is in the cache, else the digits; 'digits'
    always takes the digits (exercise answers must not depend on what a machine has cached)."""

    implementation: str = "concise"  # "scratch" (§3.6) or "concise" (§3.7)
    batch_size: int = 256
    lr: float = 0.1
    epochs: int = 10
    n_train: int = 1200
    n_test: int = 400
    weight_decay: float = 0.0
    seed: int = 0
    dataset: str = "auto"


@dataclass
class SoftmaxFit:
    model: Callable[[Tensor], Tensor]
    history: History
    data: d2ldata.ImageData
    val_loss: list[float] = field(default_factory=list)  # per epoch, when a validation set was given


def load_data(config: SoftmaxConfig) -> d2ldata.ImageData:
    return d2ldata.load_image_classification(config.n_train, config.n_test, config.seed, dataset=config.dataset)


def fit_softmax_regression(config: SoftmaxConfig, data: d2ldata.ImageData | None = None,
                           callback: Callable[[int, History], None] | None = None,
                           validation: TensorDataset | None = None) -> SoftmaxFit:
    """Train the scratch or the concise model with minibatch SGD (the book's train_ch3 on our engine); with a
    validation set, also record its mean loss after every epoch."""
    data = data if data is not None else load_data(config)
    g = torch.Generator().manual_seed(config.seed)
    if config.implementation == "scratch":
        model = softmax_regression_scratch(data.n_inputs, data.n_classes, g)
        loss, optimizer = naive_cross_entropy, scratch_updater(model.parameters(), config.lr, config.weight_decay)
    elif config.implementation == "concise":
        model = softmax_regression_concise(data.n_inputs, data.n_classes, g)
        loss = concise_loss()
        optimizer = torch.optim.SGD(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    else:
        raise ValueError(f"implementation must be 'scratch' or 'concise', not {config.implementation!r}")
    val_loss: list[float] = []

    def after_epoch(epoch: int, history: History) -> None:
        if validation is not None:
            val_loss.append(evaluate_loss(model, loss, d2ldata.index_batches(validation, 1024, shuffle=False)))
        if callback is not None:
            callback(epoch, history)

    history = train(model, loss, optimizer, d2ldata.index_batches(data.train, config.batch_size, True, g),
                    d2ldata.index_batches(data.test, 1024, shuffle=False), config.epochs, callback=after_epoch)
    return SoftmaxFit(model, history, data, val_loss)


def train_softmax_regression(config: SoftmaxConfig, callback: Callable[[int, History], None] | None = None
                             ) -> History:
    """The History (loss, train/test accuracy per epoch) of one seeded run."""
    return fit_softmax_regression(config, callback=callback).history


def updates_per_run(n_train: int, batch_size: int, epochs: int) -> int:
    """Parameter updates in a run: ⌈n / B⌉ minibatches per epoch (the last one may be smaller) × epochs."""
    return math.ceil(n_train / batch_size) * epochs


# --- prediction and errors (§3.6.7) --------------------------------------------------------------------------------


@torch.no_grad()
def predict(model: Callable[[Tensor], Tensor], X: Tensor) -> Tensor:
    """ŷ = argmax_j of the model's output (probabilities or logits: the argmax is the same)."""
    return model(X).argmax(dim=-1)


def confusion_matrix(y: Tensor, y_pred: Tensor, n_classes: int) -> Tensor:
    """M[i, j] = number of examples of true class i predicted as class j; accuracy = trace(M) / n."""
    return torch.bincount(y * n_classes + y_pred, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


# --- overfitting with more epochs (exercise 3.7.2) ------------------------------------------------------------------


def early_stopping_epoch(val_loss: list[float]) -> int:
    """The epoch (1-based) with the lowest validation loss: stop there and keep those parameters."""
    return min(range(len(val_loss)), key=val_loss.__getitem__) + 1


# --- decisions with costs (exercise 3.6.4) and a huge vocabulary (exercise 3.6.5) ----------------------------------


def expected_costs(p: Tensor, cost: Tensor) -> Tensor:
    """R(a) = Σ_k C[a, k] · p_k: the expected cost of each action a when the true class is k with probability p_k.

    cost: (actions, classes); p: (classes,) or (n, classes) → (actions,) or (n, actions).
    """
    return p @ cost.T


def bayes_decision(p: Tensor, cost: Tensor) -> Tensor:
    """The action with the least expected cost, argmin_a Σ_k C[a, k] p_k. With the 0–1 cost (C = 1 − I) this is
    argmax_k p_k, the most likely label; asymmetric costs move the decision away from it."""
    return expected_costs(p, cost).argmin(dim=-1)


def treat_threshold(cost_fp: float, cost_fn: float) -> float:
    """Two actions (treat, send home) and two classes (ill, healthy): treat when P(ill) > C_FP / (C_FP + C_FN).

    Sending an ill patient home costs C_FN, treating a healthy one C_FP, right decisions cost 0; the threshold is
    where both expected costs are equal: (1 − p) C_FP = p C_FN.
    """
    return cost_fp / (cost_fp + cost_fn)


@dataclass(frozen=True)
class OutputLayerCost:
    params: int  # weights + biases of the d → V output layer
    full_macs: int  # multiply-adds per token for all V logits and the normaliser
    hierarchical_macs: int  # a binary tree over the vocabulary: ⌈log₂ V⌉ sigmoid decisions
    sampled_macs: int  # the true word and k sampled negatives (training only)


def output_layer_cost(V: int, d: int, k: int = 64) -> OutputLayerCost:
    """Cost of the softmax output layer over a vocabulary of V words from d features (exercise 3.6.5):
    full softmax d·V per token, hierarchical softmax d·⌈log₂ V⌉, sampled softmax d·(k + 1)."""
    return OutputLayerCost(params=(d + 1) * V, full_macs=d * V, hierarchical_macs=d * math.ceil(math.log2(V)),
                           sampled_macs=d * (k + 1))
