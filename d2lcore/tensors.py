"""Chapter 2.1 (数据操作 data manipulation): broadcasting, element-wise comparison and where results are stored.

Pure torch functions behind the section's demos and exercises 2.1.1 and 2.1.2. Shapes are plain tuples of ints.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

Shape = tuple[int, ...]

COMPARISONS: dict[str, Callable[[Tensor, Tensor], Tensor]] = {
    "==": operator.eq, "<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge, "!=": operator.ne,
}


def book_X() -> Tensor:
    """X = arange(12) as a 3 × 4 float32 matrix, the section's first operand."""
    return torch.arange(12, dtype=torch.float32).reshape(3, 4)


def book_Y() -> Tensor:
    """Y, the section's second 3 × 4 float32 operand."""
    return torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])


def compare(X: Tensor, Y: Tensor, op: str) -> Tensor:
    """(X op Y)_ij = [x_ij op y_ij] for op in ==, <, >, <=, >=, != — a bool tensor of the broadcast shape."""
    if op not in COMPARISONS:
        raise ValueError(f"unknown comparison {op!r}; use one of {' '.join(COMPARISONS)}")
    return COMPARISONS[op](X, Y)


class BroadcastError(ValueError):
    """Two shapes that cannot be broadcast; the message is the one torch gives for `a + b`."""

    def __init__(self, dim: int, size_a: int, size_b: int) -> None:
        self.dim, self.size_a, self.size_b = dim, size_a, size_b
        super().__init__(f"The size of tensor a ({size_a}) must match the size of tensor b ({size_b}) "
                         f"at non-singleton dimension {dim}")


def align_shapes(a: Shape, b: Shape) -> list[tuple[int | None, int | None]]:
    """Pair the axes of a and b from the right; the shorter shape gets None (a missing axis) on the left."""
    n = max(len(a), len(b))
    padded_a = (None,) * (n - len(a)) + tuple(a)
    padded_b = (None,) * (n - len(b)) + tuple(b)
    return list(zip(padded_a, padded_b, strict=True))


def broadcast_axis(m: int | None, n: int | None) -> int | None:
    """One aligned axis: a missing axis counts as 1; sizes m and n combine to m if n ∈ {1, m}, to n if m = 1,
    else they clash (None)."""
    m, n = 1 if m is None else m, 1 if n is None else n
    if m == n or n == 1:
        return m
    if m == 1:
        return n
    return None


def broadcast_shape(a: Shape, b: Shape) -> Shape:
    """The shape of a ⊙ b under broadcasting (zh-v2 §2.1.3).

    Align the shapes from the right, treat missing leading axes as size 1, then per axis
    r_k = a_k if a_k = b_k,  r_k = b_k if a_k = 1,  r_k = a_k if b_k = 1;  any other pair is an error.
    Raises BroadcastError naming the rightmost clashing axis, as torch does.
    """
    result = []
    pairs = align_shapes(a, b)
    for dim in reversed(range(len(pairs))):
        m, n = pairs[dim]
        r = broadcast_axis(m, n)
        if r is None:
            raise BroadcastError(dim, m, n)
        result.append(r)
    return tuple(reversed(result))


def broadcast_error(a: Shape, b: Shape) -> str | None:
    """The message torch raises for `zeros(a) + zeros(b)`, or None when the shapes broadcast."""
    try:
        broadcast_shape(a, b)
    except BroadcastError as err:
        return str(err)
    return None


def numbered(shape: Shape, start: int = 0) -> Tensor:
    """A tensor of the given shape holding start, start+1, … (so every element can be traced after expanding)."""
    n = 1
    for size in shape:
        n *= size
    return torch.arange(start, start + n).reshape(shape)


def expanded_operands(a: Shape, b: Shape) -> tuple[Tensor, Tensor]:
    """A = 0, 1, … of shape a and B = 100, 101, … of shape b, both expanded to broadcast_shape(a, b).

    expand copies nothing: a stretched axis gets stride 0, so every position along it reads the same element.
    """
    r = broadcast_shape(a, b)
    return numbered(a).expand(r), numbered(b, start=100).expand(r)


def add_numbered(a: Shape, b: Shape) -> tuple[Tensor | None, str | None]:
    """Run numbered(a) + numbered(b, 100) in torch: (the sum, None), or (None, the message torch raises)."""
    try:
        return numbered(a) + numbered(b, start=100), None
    except RuntimeError as err:
        return None, str(err)


@dataclass(frozen=True)
class AssignmentOutcome:
    """What one way of writing Y ← Y + X did: the new Y (or torch's error), Y's data_ptr() before and after, and
    whether an alias Z (bound by `Z = Y` beforehand) now sees the new values."""

    statement: str
    Y: Tensor | None
    ptr_before: int
    ptr_after: int
    alias_updated: bool
    error: str | None = None

    @property
    def same_memory(self) -> bool:
        return self.ptr_before == self.ptr_after


ASSIGNMENTS = ("Y = Y + X", "Y[:] = Y + X", "Y += X")


def assign_sum(statement: str, X: Tensor, Y: Tensor) -> AssignmentOutcome:
    """Run one of ASSIGNMENTS on a copy of Y (§2.1.5 节省内存 saving memory).

    `Y = Y + X` builds a new tensor and rebinds the name; `Y[:] = Y + X` and `Y += X` write into Y's existing
    storage, which therefore cannot change shape: broadcasting may stretch X, never Y.
    """
    Y = Y.clone()
    Z = Y  # an alias: a second name for the same tensor object
    before = Y.data_ptr()
    try:
        if statement == "Y = Y + X":
            Y = Y + X
        elif statement == "Y[:] = Y + X":
            Y[:] = Y + X
        elif statement == "Y += X":
            Y += X
        else:
            raise ValueError(f"unknown statement {statement!r}; use one of {ASSIGNMENTS}")
    except RuntimeError as err:
        return AssignmentOutcome(statement, None, before, Y.data_ptr(), False, str(err))
    return AssignmentOutcome(statement, Y, before, Y.data_ptr(), alias_updated=Z is Y)
