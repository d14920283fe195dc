"""Section 3.3 (线性回归的简洁实现 Concise linear regression): sum versus mean loss and the learning rate, the Huber
loss against torch's HuberLoss and SmoothL1Loss, and where the gradients of nn.Linear live."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from d2lcore import linear
from solutions import Solution, explain, solver, variant


@variant("3.3.1")
def variant_3_3_1(seed: int) -> dict:
    """The batch size (seed 0: the book's 10)."""
    return {"B": 10 if seed == 0 else int(np.random.default_rng(seed).choice([4, 8, 16, 20, 25, 32, 50, 64]))}


def lr_factor_mean_vs_sum(B: int, seed: int = 0) -> float:
    """The factor k with which lr·k on the mean loss reproduces the update of lr on the summed loss.

    Both losses are differentiated by autograd on the same minibatch; the update direction is the same, so k is
    the ratio of the two gradients' lengths (the tests then replay whole trainings step for step).
    """
    g = torch.Generator().manual_seed(seed)
    X, y = torch.randn(B, 2, generator=g, dtype=torch.float64), torch.randn(B, 1, generator=g, dtype=torch.float64)
    grads = {}
    for reduction in ("sum", "mean"):
        net = nn.Linear(2, 1).double()
        with torch.no_grad():
            net.weight.fill_(0.5)
            net.bias.fill_(-0.2)
        nn.MSELoss(reduction=reduction)(net(X), y).backward()
        grads[reduction] = torch.cat([net.weight.grad.reshape(-1), net.bias.grad])
    return float(grads["sum"].norm() / grads["mean"].norm())


@solver("3.3.1")
def solve_3_3_1(seed: int = 0, B: int = 10) -> Solution:
    """k = ‖∇ sum‖ / ‖∇ mean‖ measured with autograd; k > 1 means the learning rate must be multiplied."""
    k = lr_factor_mean_vs_sum(B, seed)
    values = {"B": B, "k": f"{k:g}", "lrSum": 0.03, "lrMean": f"{0.03 * k:g}"}
    return Solution(answer={"factor": k, "direction": "multiply" if k > 1 else "divide"},
                    explanation=explain("3.3.1", **values))


@variant("3.3.2")
def variant_3_3_2(seed: int) -> dict:
    """σ and two residuals, one beyond σ and one inside (seed 0: σ = 2, r = 3 and 0.5)."""
    if seed == 0:
        return {"sigma": 2.0, "rBig": 3.0, "rSmall": 0.5}
    rng = np.random.default_rng(seed)
    sigma = float(rng.choice([0.5, 1.5, 2.0, 2.5, 3.0, 4.0]))
    return {"sigma": sigma, "rBig": round(sigma * float(rng.uniform(1.5, 4)), 1),
            "rSmall": round(sigma * float(rng.uniform(0.1, 0.8)), 2)}


@solver("3.3.2")
def solve_3_3_2(seed: int = 0, sigma: float = 2.0, rBig: float = 3.0, rSmall: float = 0.5) -> Solution:
    """The book's Huber loss by d2lcore.linear.huber; which torch loss equals it and by what factor the other
    differs, found by running both on a grid of residuals."""
    r = torch.linspace(-5 * sigma, 5 * sigma, 201, dtype=torch.float64)
    zero = torch.zeros_like(r)
    book = linear.huber(zero, r, sigma)
    torch_losses = {"smoothl1": nn.SmoothL1Loss(reduction="none", beta=sigma)(zero, r),
                    "huber": nn.HuberLoss(reduction="none", delta=sigma)(zero, r),
                    "mse": nn.MSELoss(reduction="none")(zero, r) / 2}
    same = [name for name, v in torch_losses.items() if torch.allclose(v, book)]
    nonzero = book > 0
    ratio = float((torch_losses["huber"][nonzero] / book[nonzero]).mean())  # the tests check it is constant
    big = float(linear.huber(torch.zeros(1, dtype=torch.float64), torch.tensor([rBig], dtype=torch.float64), sigma))
    small = float(linear.huber(torch.zeros(1, dtype=torch.float64), torch.tensor([rSmall], dtype=torch.float64), sigma))
    values = {"sigma": sigma, "rBig": rBig, "rSmall": rSmall, "big": f"{big:g}", "small": f"{small:g}",
              "ratio": f"{ratio:g}", "bigHuber": f"{ratio * big:g}"}
    answer = {"torchLoss": same[0], "ratio": ratio, "big": big, "small": small}
    return Solution(answer=answer, explanation=explain("3.3.2", **values))


@variant("3.3.3")
def variant_3_3_3(seed: int) -> dict:
    """A minibatch of three examples and the current parameters of nn.Linear(2, 1)."""
    if seed == 0:
        X, y, w, b = [[1.0, 2.0], [0.0, -1.0], [2.0, 1.0]], [3.0, -1.0, 2.0], [0.5, 0.5], 0.0
    else:
        rng = np.random.default_rng(seed)
        X = rng.integers(-2, 3, (3, 2)).astype(float).tolist()
        y = rng.integers(-3, 4, 3).astype(float).tolist()
        w, b = (rng.integers(-2, 3, 2) / 2).tolist(), float(rng.integers(-2, 3) / 2)
    rows = r"\\ ".join(" & ".join(f"{v:g}" for v in row) for row in X)
    return {"X": X, "y": y, "w": w, "b": b, "Xtex": r"\begin{bmatrix}" + rows + r"\end{bmatrix}",
            "ytex": "[" + ", ".join(f"{v:g}" for v in y) + "]", "wtex": "[" + ", ".join(f"{v:g}" for v in w) + "]"}


@solver("3.3.3")
def solve_3_3_3(seed: int = 0, X: list | None = None, y: list | None = None, w: list | None = None, b: float = 0.0,
                Xtex: str = "", ytex: str = "", wtex: str = "") -> Solution:
    """One backward pass of nn.MSELoss through nn.Sequential(nn.Linear(2, 1)); read net[0].weight.grad, .bias.grad."""
    p = variant_3_3_3(0) if X is None else {"X": X, "y": y, "w": w, "b": b}
    net = nn.Sequential(nn.Linear(2, 1)).double()
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([p["w"]], dtype=torch.float64))
        net[0].bias.fill_(p["b"])
    Xt = torch.tensor(p["X"], dtype=torch.float64)
    yt = torch.tensor(p["y"], dtype=torch.float64).reshape(-1, 1)
    nn.MSELoss()(net(Xt), yt).backward()
    gw, gb = net[0].weight.grad.reshape(-1).tolist(), float(net[0].bias.grad)
    values = {"gw": ", ".join(f"{v:g}" for v in gw), "gb": f"{gb:g}", "Xtex": Xtex, "ytex": ytex, "wtex": wtex,
              "b": p["b"]}
    return Solution(answer={"access": "grad", "gw": gw, "gb": gb}, explanation=explain("3.3.3", **values))
