"""Section 2.1 (数据操作 data manipulation): element-wise comparison (2.1.1) and broadcasting (2.1.2)."""

from __future__ import annotations

import numpy as np
import torch

from d2lcore import tensors
from solutions import Solution, explain, solver, variant

BOOK_Y = [[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]]


def bmatrix(rows: list[list[float]]) -> str:
    """LaTeX for a matrix of small integers."""
    body = r" \\ ".join(" & ".join(f"{v:g}" for v in row) for row in rows)
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


@variant("2.1.1")
def variant_2_1_1(seed: int) -> dict:
    """Seed 0: the section's Y; other seeds: Y with entries drawn from {0, …, 11}, like X's."""
    if seed == 0:
        return {"Y": BOOK_Y}
    return {"Y": np.random.default_rng(seed).integers(0, 12, size=(3, 4)).tolist()}


@solver("2.1.1")
def solve_2_1_1(seed: int = 0, Y: list[list[int]] = BOOK_Y) -> Solution:
    """Run X < Y and X > Y in torch; the masks are bool tensors, reported as 0/1 matrices."""
    X = tensors.book_X()
    Y_t = torch.tensor(Y, dtype=torch.float32)
    lt, gt = tensors.compare(X, Y_t, "<"), tensors.compare(X, Y_t, ">")
    lt_rows, gt_rows = lt.float().tolist(), gt.float().tolist()
    dtype = str(lt.dtype).removeprefix("torch.")
    values = {
        "dtype": f"torch.{dtype}", "lt": bmatrix(lt_rows), "gt": bmatrix(gt_rows),
        "equal": int(tensors.compare(X, Y_t, "==").sum()), "countgt": int(gt.sum()),
    }
    return Solution(answer={"dtype": dtype, "lt": lt_rows, "gt": gt_rows}, explanation=explain("2.1.1", **values))


def alignment_table(a: tensors.Shape, b: tensors.Shape, names: tuple[str, str]) -> str:
    """Markdown table: the two shapes aligned on the right, one column per axis, and the broadcast size."""
    pairs = tensors.align_shapes(a, b)
    cell = lambda s: "·" if s is None else str(s)  # noqa: E731 - "·" marks a missing axis
    result = [tensors.broadcast_axis(m, n) for m, n in pairs]
    rows = [
        "| dim | " + " | ".join(str(k - len(pairs)) for k in range(len(pairs))) + " |",  # counted from the right
        "|---" * (len(pairs) + 1) + "|",
        f"| `{names[0]}` | " + " | ".join(cell(m) for m, _ in pairs) + " |",
        f"| `{names[1]}` | " + " | ".join(cell(n) for _, n in pairs) + " |",
        "| ⇒ | " + " | ".join("✗" if r is None else str(r) for r in result) + " |",
    ]
    return "\n".join(rows)


@variant("2.1.2")
def variant_2_1_2(seed: int) -> dict:
    """Seed 0: (2, 1, 4) + (3, 1) and (2, 3, 4) + (3, 4). Other seeds: a random 3-D result R; A is R with some
    axes set to 1, B the last two axes of R with the others set to 1 (both stretched); C is 3-D, D matches C's
    trailing axes or, half of the time, clashes with one of them."""
    if seed == 0:
        return {"a": (2, 1, 4), "b": (3, 1), "c": (2, 3, 4), "d": (3, 4)}
    rng = np.random.default_rng(seed)
    R = [int(s) for s in rng.integers(2, 6, size=3)]
    j = int(rng.integers(1, 3))  # A has size 1 on axis j (1 or 2), B on the other of its two axes
    a = tuple(1 if k == j else s for k, s in enumerate(R))
    b = tuple(s if k == j else 1 for k, s in enumerate(R) if k > 0)
    c = tuple(int(s) for s in rng.integers(2, 6, size=3))
    k = int(rng.integers(1, 3))  # D has the last k axes
    d = list(c[3 - k:])
    if rng.random() < 0.5:
        j = int(rng.integers(0, k))
        d[j] = d[j] + 1 if d[j] < 5 else d[j] - 1  # another size ≠ 1: a clash
    return {"a": a, "b": b, "c": c, "d": tuple(d)}


@solver("2.1.2")
def solve_2_1_2(seed: int = 0, a=(2, 1, 4), b=(3, 1), c=(2, 3, 4), d=(3, 4)) -> Solution:
    """broadcast_shape applies the right-aligned rule; the error text is the one torch raises for C + D."""
    shape = tensors.broadcast_shape(tuple(a), tuple(b))
    error = tensors.broadcast_error(tuple(c), tuple(d))
    cd = error if error else f"torch.Size({list(tensors.broadcast_shape(tuple(c), tuple(d)))})"
    values = {
        "a": tuple(a), "b": tuple(b), "c": tuple(c), "d": tuple(d), "shape": shape, "cd": cd,
        "tableab": alignment_table(tuple(a), tuple(b), ("A", "B")),
        "tablecd": alignment_table(tuple(c), tuple(d), ("C", "D")),
    }
    return Solution(answer={"shape": shape, "ok": "no" if error else "yes"}, explanation=explain("2.1.2", **values))
