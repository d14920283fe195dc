"""Section 11.7 (AdaGrad算法 AdaGrad): orthogonal changes of variables keep lengths, AdaGrad on a rotated quadratic,
Gershgorin discs before and after diagonal preconditioning, AdaGrad on a small deep network (reduced, digits) and
gentler decay of its learning rate."""

from __future__ import annotations

import math
import time
from functools import cache

import numpy as np
import sympy
import torch
from torch import nn

from d2lcore.data import load_array, load_image_classification
from d2lcore.optim.adagrad import adagrad
from d2lcore.optim.momentum import ill_conditioned_quadratic
from d2lcore.optim.trajectory import trajectory
from d2lcore.train import train
from solutions import Solution, explain, solver, variant

X0 = (-5.0, -2.0)  # the book's starting point
ROTATED = {"steps": 20, "lr": 0.4}
NET = {"lr": 0.1, "epochs": 8, "batch_size": 64, "n_train": 1200, "n_test": 400}


@solver("11.7.1")
def solve_11_7_1(seed: int = 0) -> Solution:
    """‖U(c − δ)‖² for the rotation U(θ) and c − δ = (a, b), simplified by sympy; UᵀU = I in general."""
    a, b, t = sympy.symbols("a b t", real=True)
    U = sympy.Matrix([[sympy.cos(t), -sympy.sin(t)], [sympy.sin(t), sympy.cos(t)]])
    d = sympy.Matrix([a, b])
    norm2 = sympy.simplify((U * d).dot(U * d))
    gram = sympy.simplify(U.T * U)
    answer = {"norm2": norm2}
    return Solution(answer=answer, explanation=explain("11.7.1", norm2=sympy.latex(norm2), gram=sympy.latex(gram)))


def rotation_runs(update, steps: int, **hyper) -> dict[str, torch.Tensor]:
    """Trajectories on 0.1x₁² + 2x₂² from x0, on the exercise's 0.1(x₁+x₂)² + 2(x₁−x₂)² from x0, and on the pure 45°
    rotation 0.05(x₁+x₂)² + (x₁−x₂)² started at the rotated x0 (same f(x0)), mapped back to the original coordinates."""
    x0 = torch.tensor(X0, dtype=torch.float64)
    R = torch.tensor([[1.0, 1.0], [1.0, -1.0]], dtype=torch.float64) / math.sqrt(2)  # u = R x, R = Rᵀ = R⁻¹
    orig, book, pure = (ill_conditioned_quadratic(), ill_conditioned_quadratic(rotated=True),
                        ill_conditioned_quadratic(0.05, 1.0, rotated=True))
    return {"original": trajectory(update, orig.grad, x0, steps, **hyper),
            "rotated": trajectory(update, book.grad, x0, steps, **hyper),
            "pure": trajectory(update, pure.grad, x0 @ R, steps, **hyper) @ R}


def rotation_answer(exercise_id: str, update, steps: int, **hyper) -> Solution:
    """Shared by 11.7.2 (AdaGrad) and 11.8.2 (RMSProp): Hessian eigenvalues of the rotated function, f after `steps`
    on the original and on the rotated function, and the pure rotation for comparison."""
    runs = rotation_runs(update, steps, **hyper)
    orig, book = ill_conditioned_quadratic(), ill_conditioned_quadratic(rotated=True)
    hess = torch.linalg.eigvalsh(book.hessian(torch.zeros(2, dtype=torch.float64))).tolist()
    f_orig, f_rot = float(orig.f(runs["original"][-1])), float(book.f(runs["rotated"][-1]))
    f_pure = float(orig.f(runs["pure"][-1]))  # the pure rotation's f equals orig.f at the mapped-back point
    behaves = "slower" if f_pure > 1.5 * f_orig else ("faster" if f_pure < f_orig / 1.5 else "same")
    answer = {"hess": hess, "fOrig": f_orig, "fRot": f_rot, "behaves": behaves}
    values = {"h1": f"{hess[0]:g}", "h2": f"{hess[1]:g}", "fOrig": f"{f_orig:.4g}", "fRot": f"{f_rot:.4g}",
              "fPure": f"{f_pure:.4g}", "f0": f"{float(orig.f(torch.tensor(X0, dtype=torch.float64))):g}",
              "f0rot": f"{float(book.f(torch.tensor(X0, dtype=torch.float64))):g}", "steps": steps,
              **{k: f"{v:g}" for k, v in hyper.items()}}
    return Solution(answer=answer, explanation=explain(exercise_id, **values), data=values)


@solver("11.7.2")
def solve_11_7_2(seed: int = 0) -> Solution:
    """AdaGrad (η = 0.4, 20 steps from (−5, −2)) on the original and the rotated function."""
    return rotation_answer("11.7.2", adagrad, ROTATED["steps"], lr=ROTATED["lr"])


@variant("11.7.3")
def variant_11_7_3(seed: int) -> dict:
    """A 3×3 matrix (seed 0 fixed; others random with one decimal)."""
    if seed == 0:
        return {"M": [[4.0, 1.0, -0.5], [0.5, -2.0, 0.5], [1.0, 1.5, 7.0]]}
    rng = np.random.default_rng(seed)
    M = np.round(rng.uniform(-1.5, 1.5, (3, 3)), 1)
    M[np.diag_indices(3)] = np.round(rng.uniform(-6, 8, 3), 1)
    return {"M": M.tolist()}


def gershgorin(M: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Centres M_jj and radii R_j = Σ_{k≠j} |M_jk| (row sums) of the Gershgorin discs."""
    return torch.diagonal(M), M.abs().sum(1) - torch.diagonal(M).abs()


def _fmt(values) -> str:
    return ", ".join(f"{float(v):.4g}" for v in values)


@solver("11.7.3")
def solve_11_7_3(seed: int = 0, M: list | None = None) -> Solution:
    """Disc radii from the rows of M; the bound max_j (M_jj + R_j) on the real parts of the eigenvalues."""
    Mt = torch.tensor(M or variant_11_7_3(0)["M"], dtype=torch.float64)
    centre, radius = gershgorin(Mt)
    bound = float((centre + radius).max())
    eig = torch.linalg.eigvals(Mt)
    values = {"M": sympy.latex(sympy.Matrix(Mt.tolist())), "centres": _fmt(centre), "radii": _fmt(radius),
              "bound": f"{bound:g}", "eig": ", ".join(f"{complex(z).real:.3f}{complex(z).imag:+.3f}i" for z in eig)}
    return Solution(answer={"radii": radius.tolist(), "bound": bound}, explanation=explain("11.7.3", **values),
                    data=values)


@variant("11.7.4")
def variant_11_7_4(seed: int) -> dict:
    """A symmetric positive definite 3×3 matrix with very different diagonal entries (seed 0 fixed)."""
    if seed == 0:
        return {"M": [[100.0, 6.0, 2.0], [6.0, 4.0, 0.5], [2.0, 0.5, 1.0]]}
    rng = np.random.default_rng(seed)
    D = np.diag(10.0 ** rng.uniform(-1, 2, 3))
    C = np.round(rng.uniform(-0.3, 0.3, (3, 3)), 2)
    C = np.triu(C, 1) + np.triu(C, 1).T + np.eye(3)  # correlations, diagonally dominant so SPD
    M = np.sqrt(D) @ C @ np.sqrt(D)
    return {"M": np.round(M, 3).tolist()}


def preconditioned(M: torch.Tensor) -> torch.Tensor:
    """diag(M)^{−1/2} M diag(M)^{−1/2}: entries M_jk / √(M_jj M_kk), unit diagonal."""
    d = torch.diagonal(M).rsqrt()
    return d[:, None] * M * d[None, :]


@solver("11.7.4")
def solve_11_7_4(seed: int = 0, M: list | None = None) -> Solution:
    """The preconditioned entry formula (sympy), centres 1, and the new radii for the variant's M."""
    Mjk, Mjj, Mkk = sympy.symbols("Mjk Mjj Mkk", positive=True)
    entry = Mjk * (1 / sympy.sqrt(Mjj)) * (1 / sympy.sqrt(Mkk))
    Mt = torch.tensor(M or variant_11_7_4(0)["M"], dtype=torch.float64)
    P = preconditioned(Mt)
    _, r_before = gershgorin(Mt)
    _, r_after = gershgorin(P)
    ev_before, ev_after = torch.linalg.eigvalsh(Mt), torch.linalg.eigvalsh(P)
    values = {"M": sympy.latex(sympy.Matrix(Mt.tolist())), "before": _fmt(r_before), "after": _fmt(r_after),
              "kBefore": f"{float(ev_before[-1] / ev_before[0]):.4g}",
              "kAfter": f"{float(ev_after[-1] / ev_after[0]):.4g}",
              "evAfter": _fmt(ev_after)}
    return Solution(answer={"entry": sympy.simplify(entry), "centre": 1.0, "radii": r_after.tolist()},
                    explanation=explain("11.7.4", **values), data=values)


def small_net(seed: int) -> nn.Module:
    """A small deep network for 8×8 digits, reduced from §6.6's LeNet so that a CPU run takes about a second: two
    hidden layers of 64 ReLU units, Kaiming-uniform weights drawn from a generator seeded with `seed`, zero biases."""
    gen = torch.Generator().manual_seed(seed)
    net = nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    with torch.no_grad():
        for p in net.parameters():
            if p.dim() > 1:
                bound = math.sqrt(6 / p.shape[1])
                p.copy_(torch.rand(p.shape, generator=gen, dtype=p.dtype) * 2 * bound - bound)
            else:
                p.zero_()
    return net


def train_net(optimizer: str, lr: float, epochs: int, batch_size: int, n_train: int, n_test: int, seed: int = 0,
                callback=None) -> dict:
    """One seeded run of the small network on the digits with torch's SGD or Adagrad (matches d2lcore's adagrad
    up to where ε sits). Returns the History as plain lists and the data set's name."""
    data = load_image_classification(n_train, n_test, seed, dataset="digits")
    net = small_net(seed)
    opt = {"sgd": torch.optim.SGD, "adagrad": torch.optim.Adagrad}[optimizer](net.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    train_iter = load_array(data.train.tensors, batch_size, True, generator=gen)
    test_iter = load_array(data.test.tensors, 256, False)
    start = time.perf_counter()
    h = train(net, nn.CrossEntropyLoss(), opt, train_iter, test_iter, epochs, callback=callback)
    return {"epoch": h.epoch, "train_loss": h.train_loss, "test_acc": h.test_acc, "name": data.name,
            "seconds": time.perf_counter() - start}


@cache
def net_run(optimizer: str, seed: int = 0) -> dict:
    return train_net(optimizer, seed=seed, **NET)


@solver("11.7.5")
def solve_11_7_5(seed: int = 0) -> Solution:
    """Seeded runs: SGD and AdaGrad with the same η = 0.1 on the small network (digits)."""
    sgd, ada = net_run("sgd"), net_run("adagrad")
    l_sgd, l_ada = sgd["train_loss"][-1], ada["train_loss"][-1]
    better = "adagrad" if l_ada < 0.5 * l_sgd else ("sgd" if l_sgd < 0.5 * l_ada else "same")
    values = {"sgdAcc": f"{sgd['test_acc'][-1]:.3f}", "adaAcc": f"{ada['test_acc'][-1]:.3f}",
              "sgdLoss": f"{sgd['train_loss'][-1]:.3f}", "adaLoss": f"{ada['train_loss'][-1]:.3f}", **NET}
    return Solution(answer={"better": better, "acc": ada["test_acc"][-1]}, explanation=explain("11.7.5", **values),
                    data=values)


@solver("11.7.6")
def solve_11_7_6(seed: int = 0) -> Solution:
    """Conceptual: the rate η/√(t g²) of AdaGrad under a constant gradient against t^(−p) and a leaky average."""
    return Solution(answer={}, explanation=explain("11.7.6"))
