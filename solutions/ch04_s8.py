"""Section 4.8 (数值稳定性和模型初始化 Numerical stability and initialisation): symmetry that a constant start never
breaks, constant initialisation of softmax regression, products of random matrices and the variance-preserving
scales, and layer-wise adaptive rates. Training answers come from seeded runs on the digits subset."""

from __future__ import annotations

from functools import cache

import numpy as np
import sympy
import torch

from d2lcore import init as d2linit
from solutions import Solution, explain, solver, variant

SOFTMAX_RUN = {"epochs": 5, "lr": 0.1, "batch_size": 32, "n_train": 600, "n_test": 300}
MLP_HIDDEN = (32,)
CONSTANT = 0.1


@cache
def constant_runs(seed: int = 0) -> dict[str, list[float]]:
    """Test accuracy per epoch: softmax regression from all-c and from N(0, 0.01²) weights, an MLP from all-c."""
    return {"softmax_const": d2linit.constant_init_run(CONSTANT, seed=seed, **SOFTMAX_RUN).test_acc,
            "softmax_random": d2linit.constant_init_run(None, seed=seed, **SOFTMAX_RUN).test_acc,
            "mlp_const": d2linit.constant_init_run(CONSTANT, MLP_HIDDEN, seed=seed, **SOFTMAX_RUN).test_acc}


@solver("4.8.1")
def solve_4_8_1(seed: int = 0) -> Solution:
    """Conceptual; the demo's number: the spread of the hidden units after 50 steps from a constant start."""
    spread = max(d2linit.symmetry_run(steps=50))
    return Solution(answer={}, explanation=explain("4.8.1", spread=f"{spread:g}"))


@solver("4.8.2")
def solve_4_8_2(seed: int = 0) -> Solution:
    """Initial loss log q with equal weights; trained accuracies from a constant and a random start."""
    runs = constant_runs()
    loss0 = d2linit.initial_loss_constant(CONSTANT)
    gap = abs(runs["softmax_const"][-1] - runs["softmax_random"][-1])
    values = {"loss0": f"{loss0:.4f}", "accConst": f"{runs['softmax_const'][-1]:.3f}",
              "accRandom": f"{runs['softmax_random'][-1]:.3f}", "accMlp": f"{runs['mlp_const'][-1]:.3f}",
              "c": CONSTANT, "gap": f"{gap:.3f}"}
    answer = {"sameOk": "yes" if gap < 0.03 else "no", "loss0": loss0, "mlpOk": "no" if runs["mlp_const"][-1] < 0.5
              else "yes"}
    return Solution(answer=answer, explanation=explain("4.8.2", **values), data=values)


@variant("4.8.3")
def variant_4_8_3(seed: int) -> dict:
    """Width, weight std and depth of the product (seed 0: the book's 100 matrices of 4×4 with N(0, 1) entries)."""
    if seed == 0:
        return {"width": 4, "std": 1.0, "depth": 100}
    rng = np.random.default_rng(seed)
    return {"width": int(rng.choice([4, 8, 16, 64])), "std": float(rng.choice([0.1, 0.25, 0.5, 1.0])),
            "depth": int(rng.choice([10, 20, 50, 100]))}


@solver("4.8.3")
def solve_4_8_3(seed: int = 0, width: int = 4, std: float = 1.0, depth: int = 100) -> Solution:
    """κ(AB) ≤ κ(A) κ(B); the growth of E‖Mx‖² from the variance formula; the preserving σ² from sympy;
    the condition number at σ² = 1/n measured for depth 1 and 50."""
    growth = d2linit.squared_norm_growth_log10(width, std, depth)
    g = torch.Generator().manual_seed(seed)
    n = 16
    kappa1 = d2linit.condition_number_log10(d2linit.random_matrices(1, n, n**-0.5, g))
    kappa50 = d2linit.condition_number_log10(d2linit.random_matrices(50, n, n**-0.5, g))
    s2, s2relu = d2linit.preserving_variance("linear"), d2linit.preserving_variance("relu")
    sym = sympy.Symbol("n")
    answer = {"bound": "product", "logGrowth": growth, "sigma2": s2.subs(d2linit.n, sym),
              "sigma2relu": s2relu.subs(d2linit.n, sym), "spread": "grows" if kappa50 > kappa1 + 3 else "stays"}
    values = {"growth": f"{growth:.1f}", "factor": f"{width * std**2:g}", "kappa1": f"{kappa1:.1f}",
              "kappa50": f"{kappa50:.1f}", "width": width, "std": std, "depth": depth}
    return Solution(answer=answer, explanation=explain("4.8.3", **values), data=values)


@solver("4.8.4")
def solve_4_8_4(seed: int = 0) -> Solution:
    """Conceptual; the numbers: gradient norms of the first and last layer of a deep sigmoid net and LARS's rates."""
    s = d2linit.layer_gradient_norms(8, 64, "sigmoid", "xavier")
    rates = d2linit.lars_local_rates(s)
    values = {"first": f"{s.grad_norm[0]:.1e}", "last": f"{s.grad_norm[-1]:.1e}",
              "ratio": f"{rates[0] / rates[-1]:.0f}"}
    return Solution(answer={}, explanation=explain("4.8.4", **values), data=values)
