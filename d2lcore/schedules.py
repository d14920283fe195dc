"""Learning-rate schedules (zh-v2 §11.11), as closed forms η_t of the step (or epoch) count t = 0, 1, 2, …

Convention, the same as torch.optim.lr_scheduler: η_0 is the rate of the first epoch, and η_t is the rate after t
calls of scheduler.step(). A training loop that steps the scheduler once after every epoch therefore trains epoch
e = 1, 2, … with η_{e−1}. Every function accepts an int or a tensor of steps (vectorised).

    factor           η_t = max(η_min, η_0 · γ^⌊t / s⌋)                      StepLR(step_size=s, gamma=γ)
    multi-factor     η_t = η_0 · γ^{#{m ∈ milestones : m ≤ t}}               MultiStepLR(milestones, gamma=γ)
    polynomial       η_t = η_T + (η_0 − η_T) (1 − min(t, T)/T)^p            PolynomialLR(total_iters=T, power=p)
    cosine           η_t = η_T + (η_0 − η_T) (1 + cos(π min(t, T)/T)) / 2     CosineAnnealingLR(T_max=T, eta_min=η_T)
    warmup           η_t = η_s + (η_0 − η_s) · min(t, w)/w        LinearLR(start_factor=η_s/η_0, total_iters=w)
    cosine + warmup  warmup for t < w, then the cosine over the remaining T − w steps
                                                                             SequentialLR([LinearLR, CosineAnnealingLR])
Torch's PolynomialLR decays to 0 (η_T = 0) and its CosineAnnealingLR climbs again after T_max; here both stay at η_T.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

Step = int | Tensor


def _t(t: Step) -> Tensor:
    return torch.as_tensor(t, dtype=torch.float64)


def _out(t: Step, value: Tensor) -> float | Tensor:
    return float(value) if not isinstance(t, Tensor) else value


def factor_lr(t: Step, base_lr: float, factor: float = 0.9, step_size: int = 1, min_lr: float = 0.0) -> float | Tensor:
    """η_t = max(η_min, η_0 · γ^⌊t/s⌋): multiply by γ every s steps (the book's FactorScheduler has s = 1)."""
    tt = _t(t)
    return _out(t, torch.clamp(base_lr * factor ** torch.floor(tt / step_size), min=min_lr))


def multifactor_lr(t: Step, base_lr: float, milestones: list[int] | tuple[int, ...] = (15, 30),
                   factor: float = 0.5) -> float | Tensor:
    """η_t = η_0 · γ^k, k = number of milestones m with m ≤ t (the rate changes *at* step m, not after it)."""
    tt = _t(t)
    k = sum((tt >= m).to(torch.float64) for m in milestones) if milestones else torch.zeros_like(tt)
    return _out(t, base_lr * factor ** k)


def polynomial_lr(t: Step, base_lr: float, total: int, power: float = 1.0, final_lr: float = 0.0) -> float | Tensor:
    """η_t = η_T + (η_0 − η_T)(1 − min(t, T)/T)^p: p = 1 linear decay, p > 1 drops early, p < 1 holds on longer."""
    tt = torch.clamp(_t(t), max=total)
    return _out(t, final_lr + (base_lr - final_lr) * (1 - tt / total) ** power)


def cosine_lr(t: Step, base_lr: float, total: int, final_lr: float = 0.0) -> float | Tensor:
    """η_t = η_T + (η_0 − η_T)(1 + cos(π min(t, T)/T))/2 (Loshchilov & Hutter, 2017), constant η_T after T."""
    tt = torch.clamp(_t(t), max=total)
    return _out(t, final_lr + (base_lr - final_lr) * (1 + torch.cos(math.pi * tt / total)) / 2)


def warmup_lr(t: Step, base_lr: float, warmup: int, start_lr: float = 0.0) -> float | Tensor:
    """η_t = η_s + (η_0 − η_s) · min(t, w)/w: a linear ramp from η_s to η_0 over w steps, then η_0."""
    tt = _t(t)
    ramp = torch.clamp(tt / warmup, max=1.0) if warmup > 0 else torch.ones_like(tt)
    return _out(t, start_lr + (base_lr - start_lr) * ramp)


def cosine_warmup_lr(t: Step, base_lr: float, total: int, warmup: int, final_lr: float = 0.0,
                     start_lr: float = 0.0) -> float | Tensor:
    """The book's CosineScheduler with warm-up: warmup_lr for t < w, then cosine_lr(t − w) over T − w steps."""
    tt = _t(t)
    ramp = warmup_lr(tt, base_lr, warmup, start_lr)
    decay = cosine_lr(tt - warmup, base_lr, max(total - warmup, 1), final_lr)
    return _out(t, torch.where(tt < warmup, ramp, decay))


def constant_lr(t: Step, base_lr: float) -> float | Tensor:
    """η_t = η_0 (the baseline every schedule is compared with)."""
    return _out(t, torch.full_like(_t(t), base_lr))


SCHEDULES = {"constant": constant_lr, "factor": factor_lr, "multifactor": multifactor_lr,
             "polynomial": polynomial_lr, "cosine": cosine_lr, "warmup": warmup_lr, "cosine_warmup": cosine_warmup_lr}


def lr_at(spec: dict[str, Any], t: Step) -> float | Tensor:
    """The rate of a schedule spec at step t.

    A spec is {"name": one of SCHEDULES, **its keyword arguments} or a chain
    {"name": "chain", "parts": [spec, spec, …], "milestones": [m_1, …]}: part k runs from milestone m_k on, with its
    own step count restarting at 0 there (what torch's SequentialLR does).
    """
    if spec["name"] != "chain":
        kwargs = {k: v for k, v in spec.items() if k != "name"}
        return SCHEDULES[spec["name"]](t, **kwargs)
    tt = _t(t)
    starts = [0, *spec["milestones"]]
    out = torch.zeros_like(tt)
    for k, part in enumerate(spec["parts"]):
        active = tt >= starts[k]
        out = torch.where(active, torch.as_tensor(lr_at(part, tt - starts[k]), dtype=torch.float64), out)
    return _out(t, out)


def schedule_values(spec: dict[str, Any], steps: int) -> list[float]:
    """[η_0, η_1, …, η_{steps−1}] of a spec (see `lr_at`)."""
    return torch.as_tensor(lr_at(spec, torch.arange(steps)), dtype=torch.float64).tolist()


def torch_scheduler(spec: dict[str, Any], optimizer: torch.optim.Optimizer) -> torch.optim.lr_scheduler.LRScheduler:
    """The torch.optim.lr_scheduler equivalent of a spec (the optimizer's lr must equal the spec's base_lr).

    Used to step a real optimizer during training; the tests check both give the same η_t at every step.
    """
    from torch.optim import lr_scheduler as ls

    name = spec["name"]
    if name == "chain":
        parts = [torch_scheduler(p, optimizer) for p in spec["parts"]]
        return ls.SequentialLR(optimizer, parts, milestones=list(spec["milestones"]))
    base = spec["base_lr"]
    if name == "constant":
        return ls.ConstantLR(optimizer, factor=1.0, total_iters=0)
    if name == "factor":
        return ls.StepLR(optimizer, step_size=spec.get("step_size", 1), gamma=spec.get("factor", 0.9))
    if name == "multifactor":
        return ls.MultiStepLR(optimizer, milestones=list(spec.get("milestones", (15, 30))),
                              gamma=spec.get("factor", 0.5))
    if name == "polynomial":
        return ls.PolynomialLR(optimizer, total_iters=spec["total"], power=spec.get("power", 1.0))
    if name == "cosine":
        return ls.CosineAnnealingLR(optimizer, T_max=spec["total"], eta_min=spec.get("final_lr", 0.0))
    w = spec.get("warmup", 0)
    # LinearLR needs a start factor > 0: a warm-up from η_s = 0 starts at 1e-12 · η_0 instead (≈ 0).
    start = max(spec.get("start_lr", 0.0) / base, 1e-12)
    if name == "warmup":
        if w == 0:
            return ls.ConstantLR(optimizer, factor=1.0, total_iters=0)
        return ls.LinearLR(optimizer, start_factor=start, end_factor=1.0, total_iters=w)
    if name == "cosine_warmup":
        cosine = ls.CosineAnnealingLR(optimizer, T_max=spec["total"] - w, eta_min=spec.get("final_lr", 0.0))
        if w == 0:
            return cosine
        warm = ls.LinearLR(optimizer, start_factor=start, end_factor=1.0, total_iters=w)
        return ls.SequentialLR(optimizer, [warm, cosine], milestones=[w])
    raise ValueError(f"unknown schedule {name!r}")


def torch_rates(spec: dict[str, Any], steps: int) -> list[float]:
    """η_0 … η_{steps−1} as torch.optim.lr_scheduler gives them (an optimizer stepped `steps` times): the check of
    the closed forms."""
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base_lr(spec))
    sched = torch_scheduler(spec, opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


def base_lr(spec: dict[str, Any]) -> float:
    """η_0 of a spec (of its first part for a chain): the rate the optimizer must be created with."""
    return base_lr(spec["parts"][0]) if spec["name"] == "chain" else float(spec["base_lr"])


# --- training with a schedule (§11.11.1: a small network on the image data, the scheduler stepped per epoch) ------

@dataclass(frozen=True)
class ScheduleRun:
    """One seeded training run: an MLP (d → hidden → 10, ReLU) trained by minibatch SGD with the rate η_t of `spec`
    in epoch t + 1. dataset = "digits" always uses scikit-learn's digits; "auto" prefers Fashion-MNIST when cached."""

    spec: tuple = (("name", "constant"), ("base_lr", 0.3))  # a spec as sorted (key, value) pairs (hashable)
    epochs: int = 20
    batch_size: int = 64
    hidden: int = 64
    n_train: int = 1200
    n_test: int = 400
    seed: int = 0
    dataset: str = "digits"


def freeze(spec: dict[str, Any]) -> tuple:
    """A spec as a hashable tuple (for caching and for ScheduleRun); `thaw` inverts it."""
    def value(v: Any) -> Any:
        if isinstance(v, dict):
            return ("__spec__", freeze(v))
        if isinstance(v, (list, tuple)):
            return tuple(value(x) for x in v)
        return v
    return tuple(sorted((k, value(v)) for k, v in spec.items()))


def thaw(frozen: tuple) -> dict[str, Any]:
    def value(v: Any) -> Any:
        if isinstance(v, tuple) and len(v) == 2 and v[0] == "__spec__":
            return thaw(v[1])
        if isinstance(v, tuple):
            return [value(x) for x in v]
        return v
    return {k: value(v) for k, v in frozen}


def mlp(n_inputs: int, hidden: int, n_outputs: int, generator: torch.Generator) -> torch.nn.Sequential:
    """Flatten → Linear(d, h) → ReLU → Linear(h, q), initialised from `generator` (nothing global in torch).

    The layers are created without initialisation (nn.utils.skip_init) and then drawn like nn.Linear's default:
    W, b ~ U(−1/√fan_in, 1/√fan_in).
    """
    from torch import nn

    layers = [nn.utils.skip_init(nn.Linear, n_inputs, hidden), nn.utils.skip_init(nn.Linear, hidden, n_outputs)]
    with torch.no_grad():
        for layer in layers:
            bound = 1 / math.sqrt(layer.in_features)
            layer.weight.uniform_(-bound, bound, generator=generator)
            layer.bias.uniform_(-bound, bound, generator=generator)
    return nn.Sequential(nn.Flatten(), layers[0], nn.ReLU(), layers[1])


def train_with_schedule(run: ScheduleRun, progress: Any = None) -> dict[str, list[float]]:
    """Train with d2lcore.train.train; its per-epoch callback records η and calls scheduler.step().

    Returns per epoch: epoch, lr (the rate used in that epoch), train_loss, train_acc, test_acc, test_loss.
    `progress(epoch, epochs)` is called after each epoch (for a progress bar).
    """
    from torch import nn

    from d2lcore import data, train

    spec = thaw(run.spec)
    images = data.load_image_classification(run.n_train, run.n_test, seed=run.seed, dataset=run.dataset)
    generator = torch.Generator().manual_seed(run.seed)
    model = mlp(images.n_inputs, run.hidden, 10, generator)
    optimizer = torch.optim.SGD(model.parameters(), lr=base_lr(spec))
    scheduler = torch_scheduler(spec, optimizer)
    rates: list[float] = []

    def after_epoch(epoch: int, history: train.History) -> None:
        rates.append(optimizer.param_groups[0]["lr"])  # the rate this epoch was trained with
        scheduler.step()
        if progress is not None:
            progress(epoch, run.epochs)

    train_iter = data.index_batches(images.train, run.batch_size, True, generator)
    test_iter = data.index_batches(images.test, 512, False)
    h = train.train(model, nn.CrossEntropyLoss(), optimizer, train_iter, test_iter, run.epochs, callback=after_epoch)
    return {"epoch": h.epoch, "lr": rates, "train_loss": h.train_loss, "train_acc": h.train_acc,
            "test_acc": h.test_acc, "test_loss": h.test_loss, "seconds": [h.seconds], "name": [images.name]}
