"""Section 4.3 (多层感知机的简洁实现 Concise MLP): depth with the learning rate, activation functions and weight
initialisations of the concise model (d2lcore.mlp.mlp_net), each answer from seeded runs on a fixed digits subset."""

from __future__ import annotations

from dataclasses import replace

from d2lcore import mlp
from solutions import Solution, explain, solver
from solutions.ch04_s2 import accuracy, learns, run

# nn.Sequential(Flatten, Linear(d, 256), ReLU, Linear(256, 10)), W ~ N(0, 0.01²) as the book's init_weights; batch
# 32 instead of 256 so that 1,000 digits give 320 updates in 10 epochs.
CONCISE = mlp.MLPConfig(implementation="concise", hidden=(256,), lr=0.1, epochs=10, batch_size=32, n_train=1000,
                        n_test=400, dataset="digits")
DEPTHS = [1, 2, 3]
DEPTH_RATES = [0.1, 0.5]
ACTIVATIONS = ["relu", "sigmoid", "tanh", "prelu", "leaky_relu", "gelu"]
INITS = {"normal": 0.01, "large": 1.0, "xavier": None, "kaiming": None, "default": None}  # name → std for N(0, std²)


def init_config(name: str, depth: int) -> mlp.MLPConfig:
    """The concise model with `depth` hidden layers of 256 units and the named initialisation."""
    init = "normal" if name in ("normal", "large") else name
    return replace(CONCISE, hidden=(256,) * depth, init=init, std=INITS[name] or CONCISE.std)


@solver("4.3.1")
def solve_4_3_1(seed: int = 0) -> Solution:
    """1–3 hidden layers of 256 units, each at lr 0.1 and 0.5; the best depth and whether 2 layers learn at 0.1."""
    acc = {(d, lr): accuracy(replace(CONCISE, hidden=(256,) * d, lr=lr)) for d in DEPTHS for lr in DEPTH_RATES}
    best_d, best_lr = max(acc, key=acc.get)
    two_slow = replace(CONCISE, hidden=(256, 256), lr=0.1)
    values = {"table": " · ".join(f"{d}×256 @ {lr:g}: {a:.3f}" for (d, lr), a in acc.items()),
              "bestD": best_d, "bestLr": f"{best_lr:g}", "accBest": f"{acc[best_d, best_lr]:.3f}",
              "a21": f"{acc[2, 0.1]:.3f}", "a25": f"{acc[2, 0.5]:.3f}", "a35": f"{acc[3, 0.5]:.3f}"}
    answer = {"depth": str(best_d), "twoAtBook": "trains" if learns(two_slow) else "stuck",
              "accBest": acc[best_d, best_lr]}
    return Solution(answer=answer, explanation=explain("4.3.1", **values), data={"acc": acc})


@solver("4.3.2")
def solve_4_3_2(seed: int = 0) -> Solution:
    """Every activation in the concise model at the book's settings; the worst one, its accuracy, and the first
    layer's gradient norm at initialisation that explains it."""
    acc = {a: accuracy(replace(CONCISE, activation=a)) for a in ACTIVATIONS}
    grad = {a: mlp.initial_gradient_norm(replace(CONCISE, activation=a)) for a in ACTIVATIONS}
    worst = min(acc, key=acc.get)
    others = [v for a, v in acc.items() if a != worst]
    values = {"table": " · ".join(f"{a}: {v:.3f}" for a, v in acc.items()), "worst": worst,
              "accWorst": f"{acc[worst]:.3f}", "gSigmoid": f"{grad['sigmoid']:.4f}", "gRelu": f"{grad['relu']:.4f}",
              "gTanh": f"{grad['tanh']:.4f}", "spread": f"{max(others) - min(others):.3f}"}
    return Solution(answer={"worst": worst, "accSigmoid": acc["sigmoid"]}, explanation=explain("4.3.2", **values),
                    data={"acc": acc, "grad": grad})


@solver("4.3.3")
def solve_4_3_3(seed: int = 0) -> Solution:
    """Five initialisations with one and with two hidden layers: which ones fail once the network is deeper."""
    acc = {(name, d): accuracy(init_config(name, d)) for name in INITS for d in (1, 2)}
    fails = {name: not learns(init_config(name, 2)) for name in INITS}
    values = {f"{name}{d}": f"{a:.3f}" for (name, d), a in acc.items()}
    values["loss_large2"] = f"{run(init_config('large', 2)).train_loss[-1]:.3f}"
    values["loss_normal2"] = f"{run(init_config('normal', 2)).train_loss[-1]:.3f}"
    answer = {"small": "fails" if fails["normal"] else "trains", "large": "fails" if fails["large"] else "trains",
              "accKaiming": acc["kaiming", 2]}
    return Solution(answer=answer, explanation=explain("4.3.3", **values), data={"acc": acc})
