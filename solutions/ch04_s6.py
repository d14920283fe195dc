"""Section 4.6 (暂退法 Dropout): experiments with the section's MLP on a seeded digits subset (the two dropout
probabilities, longer training, activation variances, dropout with weight decay, other noise) and the exact moments
behind them (sympy, and the covariance of DropConnect against dropout)."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import numpy as np
import sympy
import torch

from d2lcore import dropout as dp
from solutions import Solution, explain, solver, variant

# The runs of the exercises: always the digits (the answers must not depend on what a machine has cached).
# 200 training images, so that a 64 → 256 → 256 → 10 network can memorise them; torch's default initialisation and
# lr 0.1 keep the small-batch runs stable.
BASE = dp.DropoutConfig(p1=0.2, p2=0.5, epochs=40, lr=0.1, batch_size=32, n_train=200, n_test=None,
                        init="default", dataset="digits")
LONG_EPOCHS = 80  # exercise 4.6.2
WEIGHT_DECAY = 3e-3  # exercise 4.6.5
SMALL = 0.04  # a difference in test accuracy below 4 points (18 of the 449 test images) counts as "about the same"


@cache
def run(config: dp.DropoutConfig) -> dp.DropoutRun:
    """One seeded run (deterministic, so each configuration trains once per process)."""
    return dp.train_dropout_mlp(config)


def compare(a: float, b: float, tol: float) -> str:
    """'higher' / 'lower' / 'same' for a against b."""
    return "same" if abs(a - b) < tol else ("higher" if a > b else "lower")


def _f(x: float) -> str:
    return f"{x:.3f}"


@solver("4.6.1")
def solve_4_6_1(seed: int = 0) -> Solution:
    """The book's order (0.2 then 0.5) against the swapped one (0.5 then 0.2)."""
    book, swap = run(BASE), run(replace(BASE, p1=BASE.p2, p2=BASE.p1))
    acc_b, acc_s = book.history.test_acc[-1], swap.history.test_acc[-1]
    effect = "small" if abs(acc_s - acc_b) < SMALL else ("swapBetter" if acc_s > acc_b else "bookBetter")
    answer = {"accBook": acc_b, "accSwap": acc_s, "effect": effect}
    values = {"accBook": _f(acc_b), "accSwap": _f(acc_s), "lossBook": _f(book.history.test_loss[-1]),
              "lossSwap": _f(swap.history.test_loss[-1]), "gapBook": _f(book.gap), "gapSwap": _f(swap.gap),
              "trainBook": _f(book.train_acc_clean[-1]), "trainSwap": _f(swap.train_acc_clean[-1]),
              "epochs": BASE.epochs, "n": BASE.n_train}
    return Solution(answer=answer, explanation=explain("4.6.1", **values), data=values)


@solver("4.6.2")
def solve_4_6_2(seed: int = 0) -> Solution:
    """Both networks trained for LONG_EPOCHS epochs."""
    none, drop = run(replace(BASE, noise="none", epochs=LONG_EPOCHS)), run(replace(BASE, epochs=LONG_EPOCHS))
    answer = {"accNo": none.history.test_acc[-1], "accDrop": drop.history.test_acc[-1],
              "trainLoss": compare(drop.history.train_loss[-1], none.history.train_loss[-1],
                                   0.1 * none.history.train_loss[-1]),
              "gap": compare(drop.gap, none.gap, SMALL).replace("higher", "larger").replace("lower", "smaller")}
    values = {"epochs": LONG_EPOCHS, "accNo": _f(answer["accNo"]), "accDrop": _f(answer["accDrop"]),
              "lossNo": _f(none.history.train_loss[-1]), "lossDrop": _f(drop.history.train_loss[-1]),
              "cleanNo": _f(none.train_loss_clean[-1]), "cleanDrop": _f(drop.train_loss_clean[-1]),
              "testLossNo": _f(none.history.test_loss[-1]), "testLossDrop": _f(drop.history.test_loss[-1]),
              "gapNo": _f(none.gap), "gapDrop": _f(drop.gap), "trainNo": _f(none.train_acc_clean[-1]),
              "trainDrop": _f(drop.train_acc_clean[-1])}
    return Solution(answer=answer, explanation=explain("4.6.2", **values), data=values)


@solver("4.6.3")
def solve_4_6_3(seed: int = 0) -> Solution:
    """Var[h'] by sympy; per-layer variances over training with p = 0.5 in both layers and without dropout."""
    h, p = sympy.symbols("h p")
    _, var = dp.dropout_moments(h, p)
    none, drop = run(replace(BASE, noise="none")), run(replace(BASE, p1=0.5, p2=0.5))
    first, last = drop.var_h[0][1], drop.var_h[-1][1]
    answer = {"var": var, "trend": "grows" if last > 2 * first else ("shrinks" if last < first / 2 else "flat"),
              "compare": compare(drop.var_h[-1][1], none.var_h[-1][1], 0.1 * none.var_h[-1][1])}
    values = {"var": sympy.latex(var), "first": f"{first:.4f}", "last": f"{last:.4f}",
              "noneLast": f"{none.var_h[-1][1]:.4f}",
              "noisy": f"{drop.var_noisy[-1][1]:.4f}", "predicted": f"{drop.predicted[-1][1]:.4f}",
              "none1": f"{none.var_h[-1][0]:.4f}", "drop1": f"{drop.var_h[-1][0]:.4f}", "epochs": BASE.epochs}
    return Solution(answer=answer, explanation=explain("4.6.3", **values), data=values)


@solver("4.6.4")
def solve_4_6_4(seed: int = 0) -> Solution:
    return Solution(answer={}, explanation=explain("4.6.4"))


@solver("4.6.5")
def solve_4_6_5(seed: int = 0) -> Solution:
    """The 2 × 2 grid; the combined verdict compares the gains in test accuracy over the plain network."""
    acc = {(d, w): run(replace(BASE, noise="dropout" if d else "none",
                               weight_decay=WEIGHT_DECAY if w else 0.0)).history.test_acc[-1]
           for d in (False, True) for w in (False, True)}
    g_d, g_w, g_both = (acc[k] - acc[False, False] for k in ((True, False), (False, True), (True, True)))
    if max(g_d, g_w, g_both) < SMALL:
        combo = "neither"
    elif g_both >= g_d + g_w - SMALL / 2:
        combo = "add"
    elif g_both > max(g_d, g_w) - SMALL / 2:
        combo = "diminish"
    else:
        combo = "worse"
    answer = {"accNone": acc[False, False], "accDrop": acc[True, False], "accWd": acc[False, True],
              "accBoth": acc[True, True], "combo": combo}
    values = {k: _f(v) for k, v in answer.items() if k != "combo"} | {"wd": WEIGHT_DECAY}
    return Solution(answer=answer, explanation=explain("4.6.5", **values), data=values)


def connect_example(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, float]:
    """W (2×3), h (3) and p of exercise 4.6.6 (float64); seed 0 is fixed, other seeds draw halves."""
    if seed == 0:
        W, h, p = [[1.0, -1.0, 2.0], [0.5, 1.0, 1.0]], [1.0, 2.0, 0.5], 0.2
    else:
        rng = np.random.default_rng(seed)
        W, h = rng.integers(-4, 5, (2, 3)) / 2, rng.integers(1, 5, 3) / 2
        while abs(float((W[0] * W[1] * h**2).sum())) < 0.25:  # a visibly non-zero dropout covariance
            W = rng.integers(-4, 5, (2, 3)) / 2
        p = float(rng.choice([0.2, 0.25, 0.5]))
    return torch.tensor(W, dtype=torch.float64), torch.tensor(h, dtype=torch.float64), p


@variant("4.6.6")
def variant_4_6_6(seed: int) -> dict:
    W, h, p = connect_example(seed)
    W_tex = r"\begin{bmatrix}" + r"\\".join(" & ".join(f"{v:g}" for v in row) for row in W.tolist()) + \
        r"\end{bmatrix}"
    return {"W": W_tex, "h": "(" + ", ".join(f"{v:g}" for v in h.tolist()) + ")", "p": p}


@solver("4.6.6")
def solve_4_6_6(seed: int = 0, **shown: object) -> Solution:
    """Exact covariances of o = W h' (dropout) and o = W' h (DropConnect); the training run with DropConnect."""
    W, h, p = connect_example(seed)
    C_d, C_c = dp.pre_activation_covariance(W, h, p, "dropout"), dp.pre_activation_covariance(W, h, p, "dropconnect")
    connect, drop = run(replace(BASE, noise="dropconnect")), run(BASE)
    answer = {"varDrop": float(C_d[0, 0]), "covDrop": float(C_d[0, 1]), "varConnect": float(C_c[0, 0]),
              "covConnect": float(C_c[0, 1])}
    values = {k: f"{v:.4g}" for k, v in answer.items()} | {
        "accConnect": _f(connect.history.test_acc[-1]), "accDrop": _f(drop.history.test_acc[-1]),
        "gapConnect": _f(connect.gap), "gapDrop": _f(drop.gap), "p": p}
    return Solution(answer=answer, explanation=explain("4.6.6", **values), data=values)


def matching_sigma() -> sympy.Expr:
    """σ with Var[h(1 + σε)] = h²σ² equal to dropout's h²p/(1 − p): the positive root of σ² = p/(1 − p), by sympy."""
    p, s = sympy.symbols("p sigma")
    _, var = dp.dropout_moments(sympy.Integer(1), p)  # Var[h'] / h²
    roots = sympy.solve(sympy.Eq(s**2, var), s)
    return next(r for r in roots if r.subs(p, sympy.Rational(1, 2)) > 0)


@solver("4.6.7")
def solve_4_6_7(seed: int = 0) -> Solution:
    """σ that matches dropout's variance (sympy), and Gaussian noise against dropout in the same network."""
    sigma, p = matching_sigma(), sympy.Symbol("p")
    gauss, drop = run(replace(BASE, noise="gaussian")), run(BASE)
    acc_g, acc_d = gauss.history.test_acc[-1], drop.history.test_acc[-1]
    answer = {"sigma": sigma, "accGauss": acc_g, "compare": compare(acc_g, acc_d, SMALL)}
    values = {"sigma": sympy.latex(sympy.simplify(sigma)), "accGauss": _f(acc_g), "accDrop": _f(acc_d),
              "lossGauss": _f(gauss.history.test_loss[-1]), "lossDrop": _f(drop.history.test_loss[-1]),
              "sigmaHalf": f"{float(sigma.subs(p, 0.5)):.3f}", "sigmaBook": f"{float(sigma.subs(p, 0.2)):.3f}"}
    return Solution(answer=answer, explanation=explain("4.6.7", **values), data=values)
