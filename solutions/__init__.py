"""Reference solutions: `solve(id, seed=0, **params)` → `Solution(answer, explanation)`.

Each chapter module (`solutions/ch02.py`, …) registers one solve function per exercise id with `@solver("2.6.2")`.
Chapter modules are imported on first use, so solving a chapter-1 exercise never imports torch.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from exercises import registry


@dataclass(frozen=True)
class Solution:
    answer: dict[str, Any]  # field name → canonical value
    explanation: dict[str, str]  # {"en": Markdown, "zh": Markdown}
    data: dict[str, Any] = field(default_factory=dict)  # extra computed values a page may chart


SolveFn = Callable[..., Solution]
_SOLVERS: dict[str, SolveFn] = {}


def solver(exercise_id: str) -> Callable[[SolveFn], SolveFn]:
    """Register the decorated function as the solve function of `exercise_id`."""

    def register(fn: SolveFn) -> SolveFn:
        if exercise_id in _SOLVERS:
            raise ValueError(f"exercise {exercise_id} has two solve functions")
        _SOLVERS[exercise_id] = fn
        return fn

    return register


def solve_function(exercise_id: str) -> SolveFn:
    """The function that computes the reference solution of `exercise_id` (its source is shown to learners)."""
    ex = registry.get(exercise_id)  # KeyError for unknown ids
    importlib.import_module(f"solutions.ch{ex.chapter:02d}")
    try:
        return _SOLVERS[ex.id]
    except KeyError:
        raise KeyError(f"exercise {ex.id} has no solve function in solutions/ch{ex.chapter:02d}.py") from None


def solve(exercise_id: str, seed: int = 0, **params: Any) -> Solution:
    return solve_function(exercise_id)(seed=seed, **params)


def explain(exercise_id: str, **values: Any) -> dict[str, str]:
    """The exercise's explanation text (en, zh) with computed `values` filled into its `{placeholders}`."""
    text = registry.get(exercise_id).solution
    return {lang: body.format(**values) if values else body for lang, body in text.items()}
