"""Section 4.5 (权重衰减 Weight decay): the book's high-dimensional regression (d = 200, 20 training examples) under
a range of λ, choosing λ on a validation set, the L1 update, the Frobenius norm and the prior behind the penalty.
Numbers come from seeded runs of d2lcore.capacity; symbolic answers are derived with sympy."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import numpy as np
import sympy

from d2lcore import capacity as cap
from solutions import Solution, explain, solver, variant

LAMS = (0.0, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)  # the λ grid of 4.5.1 (the book shows 0 and 3)
RIDGE_LAMS = tuple(float(v) for v in np.logspace(-3, 2, 11))  # the validation grid of 4.5.2
VALIDATION = {"n_train": 20, "n_val": 20, "reps": 30}
BOOK = cap.WeightDecayConfig()


@cache
def run(config: cap.WeightDecayConfig) -> cap.WeightDecayRun:
    """One seeded training run of the book's scratch route (deterministic, so each configuration is trained once
    per process)."""
    return cap.weight_decay_sweep(config, [config.lam])[0]


def lambda_sweep(seed: int = 0, lams: tuple[float, ...] = LAMS) -> dict[str, list[float]]:
    """Training loss, test loss and ‖w‖ after the book's 100 epochs, for every λ (all λ in one batched run)."""
    runs = cap.weight_decay_sweep(replace(BOOK, seed=seed), lams)
    return {"lam": list(lams), "train": [r.train_loss for r in runs], "test": [r.test_loss for r in runs],
            "norm": [float(r.w.norm()) for r in runs]}


@solver("4.5.1")
def solve_4_5_1(seed: int = 0) -> Solution:
    """Sweep λ: the training loss rises, the test loss and ‖w‖ fall; ‖w‖ at the book's λ = 3."""
    s = lambda_sweep(seed)
    i3 = s["lam"].index(3.0)
    values = {"train0": f"{s['train'][0]:.2g}", "test0": f"{s['test'][0]:.3g}", "norm0": f"{s['norm'][0]:.2f}",
              "train3": f"{s['train'][i3]:.2g}", "test3": f"{s['test'][i3]:.3g}", "norm3": f"{s['norm'][i3]:.3f}",
              "train100": f"{s['train'][-1]:.3g}", "test100": f"{s['test'][-1]:.3g}",
              "shrink": f"{(1 - BOOK.lr * 3.0) ** (BOOK.epochs * BOOK.n_train // BOOK.batch_size):.3f}"}
    answer = {"metric": "loss", "trainTrend": "rises" if s["train"][-1] > s["train"][0] else "falls",
              "testTrend": "falls" if s["test"][-1] < s["test"][0] else "rises", "norm": s["norm"][i3]}
    return Solution(answer=answer, explanation=explain("4.5.1", **values), data=values)


@solver("4.5.2")
def solve_4_5_2(seed: int = 0) -> Solution:
    """λ picked on a validation set, 30 times with fresh data, against the λ with the lowest exact test loss."""
    r = cap.validation_choice(list(RIDGE_LAMS), **VALIDATION, seed=seed)
    share = float(np.mean(np.array(r["picked"]) == np.array(r["best"])))
    regret = float(np.median(r["regret"]))
    decades = np.log10(r["picked"])
    values = {"share": f"{share:.2f}", "regret": f"{100 * regret:.2f}", "worst": f"{100 * max(r['regret']):.1f}",
              "low": f"{10 ** decades.min():.3g}", "high": f"{10 ** decades.max():.3g}", "reps": VALIDATION["reps"]}
    answer = {"optimal": "no" if share < 0.9 else "yes", "share": share,
              "matters": "little" if regret < 0.05 else "much"}
    return Solution(answer=answer, explanation=explain("4.5.2", **values), data=values)


def l1_updates() -> dict[str, sympy.Expr]:
    """The SGD step on loss + λ|w| for w > 0 and w < 0 (d/dw λ|w| = ±λ), and the proximal step for v > 0.

    prox: argmin_u ½(u − v)² + ηλ|u|; for u > 0 the stationary point is u = v − ηλ, and it is valid only while
    it stays positive, otherwise u = 0.
    """
    w, eta, lam, g, v = sympy.symbols("w eta lam g v")
    wp, wn, u = sympy.Symbol("w", positive=True), sympy.Symbol("w", negative=True), sympy.Symbol("u", positive=True)
    step = {}
    for name, wsign in (("wPos", wp), ("wNeg", wn)):
        penalty_grad = sympy.diff(lam * sympy.Abs(wsign), wsign).subs(wsign, w)
        step[name] = w - eta * (g + penalty_grad)
    stationary = sympy.solve(sympy.diff((u - v) ** 2 / 2 + eta * lam * u, u), u)[0]
    step["prox"] = sympy.Max(stationary, 0)
    return step


@solver("4.5.3")
def solve_4_5_3(seed: int = 0) -> Solution:
    """Subgradient steps for both signs, the soft-threshold step, and which penalty gives exact zeros (by running)."""
    step = l1_updates()
    zeros = {p: int((run(replace(BOOK, lam=1.0, penalty=p, seed=seed)).w == 0).sum()) for p in ("l2", "l1", "l1prox")}
    sparse = "l1" if zeros["l1prox"] > 0 and zeros["l2"] == 0 else "l2" if zeros["l2"] > 0 else "none"
    values = {"wPos": sympy.latex(step["wPos"]), "wNeg": sympy.latex(step["wNeg"]), "prox": sympy.latex(step["prox"]),
              "zl2": zeros["l2"], "zl1": zeros["l1"], "zprox": zeros["l1prox"], "d": BOOK.d}
    answer = {**step, "sparse": sparse}
    return Solution(answer=answer, explanation=explain("4.5.3", **values), data=values)


@variant("4.5.4")
def variant_4_5_4(seed: int) -> dict:
    """A 2 × 3 integer matrix W (seed 0: a fixed example)."""
    rng = np.random.default_rng(seed)
    W = [[1, -2, 0], [3, 1, -1]] if seed == 0 else rng.integers(-4, 5, size=(2, 3)).tolist()
    rows = r" \\ ".join(" & ".join(str(v) for v in row) for row in W)
    return {"W": W, "Wtex": rf"\begin{{pmatrix}} {rows} \end{{pmatrix}}"}


@solver("4.5.4")
def solve_4_5_4(seed: int = 0, W: list | None = None, Wtex: str = "") -> Solution:
    """‖W‖_F² = tr(WᵀW), computed exactly with sympy for the variant's W."""
    M = sympy.Matrix(W if W is not None else [[1, -2, 0], [3, 1, -1]])
    fro2 = (M.T * M).trace()
    values = {"Wtex": Wtex, "WtW": sympy.latex(M.T * M), "fro2": int(fro2), "fro": sympy.latex(sympy.sqrt(fro2))}
    return Solution(answer={"identity": "trace", "fro2": float(fro2)}, explanation=explain("4.5.4", **values),
                    data=values)


@solver("4.5.5")
def solve_4_5_5(seed: int = 0) -> Solution:
    """Conceptual: the written solution lists the remedies."""
    return Solution(answer={}, explanation=explain("4.5.5"))


@solver("4.5.6")
def solve_4_5_6(seed: int = 0) -> Solution:
    """Gaussian prior ↔ L2, Laplace prior ↔ L1, and λ = σ²/(nτ²) from matching the MAP objective (sympy)."""
    sigma, tau, n = sympy.symbols("sigma tau n", positive=True)
    lam = cap.map_penalty_weight(sigma, tau, n)
    plain = {s: sympy.Symbol(s.name) for s in (sigma, tau, n)}  # the checker's symbols carry no assumptions
    values = {"lam": sympy.latex(lam), "example": f"{float(lam.subs({sigma: 0.01, tau: 0.01, n: 20})):g}"}
    return Solution(answer={"prior": "gaussian", "priorL1": "laplace", "lam": lam.subs(plain)},
                    explanation=explain("4.5.6", **values), data=values)
