"""Section 2.3 (线性代数 Linear algebra).

Transposes are proved with sympy; len, reductions and norms are found by running torch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import sympy as sp
import torch

from d2lcore import linalg
from solutions import Solution, explain, solver, variant


def _shape_text(shape: tuple[int, ...]) -> str:
    return str(tuple(int(d) for d in shape))


@solver("2.3.1")
def solve_2_3_1(seed: int = 0) -> Solution:
    """((Aᵀ)ᵀ)_ij = (Aᵀ)_ji = a_ij for a symbolic m×n MatrixSymbol A."""
    (A,) = linalg.matrix_symbols("A")
    entry_t, entry_tt = linalg.generic_entry(A.T), linalg.generic_entry(A.T.T)
    E = linalg.entry_matrix("a", 2, 3)
    example = r" \quad ".join(sp.latex(M) for M in (E, E.T, E.T.T))
    return Solution(answer={"entryT": entry_t, "entryTT": entry_tt},
                    explanation=explain("2.3.1", entry_t=entry_t, entry_tt=entry_tt, example=example))


@solver("2.3.2")
def solve_2_3_2(seed: int = 0) -> Solution:
    """(Aᵀ + Bᵀ)_ij = a_ji + b_ji = ((A + B)ᵀ)_ij for symbolic m×n MatrixSymbols A, B."""
    A, B = linalg.matrix_symbols("A", "B")
    lhs, rhs = linalg.generic_entry(A.T + B.T), linalg.generic_entry((A + B).T)
    return Solution(answer={"lhs": lhs, "rhs": rhs},
                    explanation=explain("2.3.2", lhs=lhs, rhs=rhs, difference=sp.simplify(lhs - rhs)))


@solver("2.3.3")
def solve_2_3_3(seed: int = 0) -> Solution:
    """S = A + Aᵀ: s_ij = a_ij + a_ji and s_ji = a_ji + a_ij, so S is symmetric for every square A."""
    (A,) = linalg.matrix_symbols("A", square=True)
    S = A + A.T
    sij, sji = linalg.generic_entry(S, "i", "j"), linalg.generic_entry(S, "j", "i")
    symmetric = sp.simplify(sij - sji) == 0
    gen = torch.Generator().manual_seed(seed)
    R = torch.randn(4, 4, generator=gen, dtype=torch.float64)
    _, nonsquare_error = linalg.attempt(lambda M: M + M.T, torch.randn(2, 3, generator=gen))
    values = {"sij": sij, "sji": sji, "difference": sp.simplify(sij - sji),
              "nonsquare_error": nonsquare_error, "defect": linalg.symmetry_defect(R + R.T)}
    return Solution(answer={"symmetric": "yes" if symmetric else "no", "sij": sij, "sji": sji},
                    explanation=explain("2.3.3", **values))


def _random_shape(rng: np.random.Generator, min_axes: int, max_axes: int) -> tuple[int, ...]:
    """A shape with min_axes…max_axes axes of length 2…6 whose first length differs from the number of axes
    and from the last length, so that len(X), X.ndim and X.shape[-1] tell different stories."""
    while True:
        shape = tuple(int(d) for d in rng.integers(2, 7, size=int(rng.integers(min_axes, max_axes + 1))))
        if shape[0] not in (len(shape), shape[-1]):
            return shape


@variant("2.3.4")
def variant_2_3_4(seed: int) -> dict[str, Any]:
    return {"shape": (2, 3, 4)} if seed == 0 else {"shape": _random_shape(np.random.default_rng(seed), 3, 4)}


@solver("2.3.4")
def solve_2_3_4(seed: int = 0, shape: tuple[int, ...] = (2, 3, 4)) -> Solution:
    """len(X) for X = arange(n).reshape(shape), found by running len on the tensor."""
    X = torch.arange(math.prod(shape)).reshape(shape)
    values = {"length": len(X), "slice_shape": _shape_text(X[0].shape), "numel": X.numel(), "ndim": X.ndim}
    return Solution(answer={"length": len(X)}, explanation=explain("2.3.4", **values), data=values)


@variant("2.3.5")
def variant_2_3_5(seed: int) -> dict[str, Any]:
    return {"shape": (2, 3, 4)} if seed == 0 else {"shape": _random_shape(np.random.default_rng(seed), 2, 5)}


@solver("2.3.5")
def solve_2_3_5(seed: int = 0, shape: tuple[int, ...] = (2, 3, 4)) -> Solution:
    """Which axis len measures: compare len(X) with every axis length over many shapes, then run the 0-d case."""
    rng = np.random.default_rng(seed + 1)
    probes = [_random_shape(rng, 1, 5) for _ in range(50)]
    rules = {"first": lambda s: s[0], "last": lambda s: s[-1], "longest": max, "ndim": len, "numel": math.prod}
    axis = next(name for name, rule in rules.items() if all(linalg.tensor_len(s) == rule(s) for s in probes))
    _, zerod_error = linalg.attempt(linalg.tensor_len, ())
    scalar = "error" if zerod_error else "zero"
    X = torch.zeros(shape)
    values = {"shape": _shape_text(shape), "length": len(X), "ndim": X.ndim, "numel": X.numel(),
              "zerod_error": zerod_error}
    return Solution(answer={"axis": axis, "length": len(X), "scalar": scalar},
                    explanation=explain("2.3.5", **values), data=values)


@variant("2.3.6")
def variant_2_3_6(seed: int) -> dict[str, Any]:
    """Seed 0: the section's 5×4 matrix (an error). Odd seeds: a square n×n matrix, where the division runs
    silently and gives the wrong numbers. Even seeds: another non-square m×n matrix."""
    if seed == 0:
        return {"m": 5, "n": 4}
    rng = np.random.default_rng(seed)
    if seed % 2:
        n = int(rng.integers(2, 7))
        return {"m": n, "n": n}
    m, n = (int(v) for v in rng.choice(np.arange(2, 8), size=2, replace=False))
    return {"m": m, "n": n}


_OUTCOME = {
    "error": ("it raises a RuntimeError.", "报 RuntimeError 错误。"),
    "correct": ("each row is divided by its own sum.", "每一行除以该行之和。"),
    "wrong_values": ("it runs without an error, but the numbers are wrong.", "不报错，但得到的数值是错的。"),
    "wrong_shape": ("it runs, but the result has another shape.", "不报错，但结果的形状变了。"),
}


@solver("2.3.6")
def solve_2_3_6(seed: int = 0, m: int = 5, n: int = 4) -> Solution:
    """Run A / A.sum(axis=1) on A = arange(m·n).reshape(m, n) and classify what happens; then the keepdims fix."""
    A = linalg.section_matrix(m, n)
    outcome = linalg.division_outcome(A)
    _, error = linalg.attempt(linalg.divide_by_row_sums, A, keepdims=False)
    fixed = linalg.divide_by_row_sums(A, keepdims=True)
    sum_shape, keep_shape = tuple(A.sum(dim=1).shape), tuple(A.sum(dim=1, keepdim=True).shape)
    if outcome == "error":
        reason_en = f"here {n} ≠ {m}, so torch stops with\n\n`{error}`"
        reason_zh = f"这里 {n} ≠ {m}，所以 torch 报错：\n\n`{error}`"
    else:
        reason_en = (f"here {n} = {m}, so the shapes broadcast and **no error warns you**: entry (i, j) is divided by "
                     f"the sum of row **j**, not of row i. The rows of the result do not sum to 1.")
        reason_zh = (f"这里 {n} = {m}，形状可以广播，因此**没有任何报错提醒你**："
                     f"第 (i, j) 个元素被除以第 **j** 行之和，而不是第 i 行之和。结果的各行之和并不为 1。")
    values = {
        "m": m, "n": n, "sum_shape": _shape_text(sum_shape), "keep_shape": _shape_text(keep_shape),
        "outcome_en": _OUTCOME[outcome][0], "outcome_zh": _OUTCOME[outcome][1],
        "reason_en": reason_en, "reason_zh": reason_zh, "error": error or "",
        "row_sum_error": f"{float((fixed.sum(dim=1) - 1).abs().max()):.1e}",
        "first_row": "[" + ", ".join(f"{v:.4f}" for v in fixed[0].tolist()) + "]",
    }
    return Solution(answer={"outcome": outcome, "sumshape": sum_shape, "keepshape": keep_shape},
                    explanation=explain("2.3.6", **values), data=values)


@variant("2.3.7")
def variant_2_3_7(seed: int) -> dict[str, Any]:
    if seed == 0:
        return {"shape": (2, 3, 4)}
    rng = np.random.default_rng(seed)
    return {"shape": tuple(int(d) for d in rng.choice(np.arange(2, 8), size=3, replace=False))}


@solver("2.3.7")
def solve_2_3_7(seed: int = 0, shape: tuple[int, ...] = (2, 3, 4)) -> Solution:
    """Shapes of X.sum(axis=k) (and with keepdims) for k = 0, 1, 2, found by summing a tensor of that shape."""
    X = torch.ones(shape)
    answer = {f"s{k}": tuple(X.sum(dim=k).shape) for k in range(3)}
    keep = {f"k{k}": _shape_text(tuple(X.sum(dim=k, keepdim=True).shape)) for k in range(3)}
    values = {**{name: _shape_text(s) for name, s in answer.items()}, **keep}
    return Solution(answer=answer, explanation=explain("2.3.7", **values), data=values)


@variant("2.3.8")
def variant_2_3_8(seed: int) -> dict[str, Any]:
    if seed == 0:
        return {"shape": (2, 3, 4), "numel": 24}
    rng = np.random.default_rng(seed)
    shape = (2, 3, 4)
    while shape == (2, 3, 4):  # a variant that differs from the book's tensor
        shape = tuple(int(d) for d in rng.integers(2, 5, size=int(rng.integers(3, 5))))
    return {"shape": shape, "numel": math.prod(shape)}


@solver("2.3.8")
def solve_2_3_8(seed: int = 0, shape: tuple[int, ...] = (2, 3, 4), numel: int = 24) -> Solution:
    """torch.linalg.norm(X) on X = arange(n).reshape(shape): identify what it computes among the candidate norms,
    then run it with ord=2 to see whether ord is accepted for ≥ 3 axes."""
    X = torch.arange(numel, dtype=torch.float32).reshape(shape)
    out = torch.linalg.norm(X)
    candidates = {  # what it could be; the first whose shape and value match is the answer
        "flat2": linalg.flat_l2(X),
        "permatrix": torch.linalg.matrix_norm(X),
        "l1": linalg.lp_norm(X, 1),
    }
    computes = next((name for name, c in candidates.items()
                     if c.shape == out.shape and torch.allclose(c, out, rtol=1e-6)), "error")
    _, ord_error = linalg.attempt(torch.linalg.norm, X, ord=2)
    per_matrix = candidates["permatrix"].reshape(-1)
    values = {
        "shape": _shape_text(shape), "numel": numel, "value": f"{float(out):.4f}",
        "by_hand": f"√{int((X.double() ** 2).sum())} = {math.sqrt(float((X.double() ** 2).sum())):.4f}",
        "l1": f"{float(candidates['l1']):.0f}", "linf": f"{float(linalg.lp_norm(X, math.inf)):.0f}",
        "per_matrix": "[" + ", ".join(f"{v:.2f}" for v in per_matrix[:6].tolist())
                      + (", …" if per_matrix.numel() > 6 else "") + "]",
        "ord_error": ord_error or "",
    }
    return Solution(answer={"computes": computes, "value": float(out), "withord": "error" if ord_error else "same"},
                    explanation=explain("2.3.8", **values), data=values)
