"""Reference solutions: `solve(id, seed=0, **params)` → `Solution(answer, explanation)`.

Each exercise has one solve function, registered with `@solver("2.6.2")` in a module `solutions/chNN*.py` of its
chapter (one module per chapter or per section: `ch02_s3.py`). An exercise whose numbers vary per seed also has a
`@variant("2.6.4")` function: seed → the numbers of that variant, where seed 0 gives the book's own numbers.
Modules of a chapter are imported on first use, so solving a chapter-1 exercise never imports torch.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exercises import registry
from exercises.template import fill


@dataclass(frozen=True)
class Solution:
    answer: dict[str, Any]  # field name → canonical value (see exercises.check for the types)
    explanation: dict[str, str]  # {"en": Markdown, "zh": Markdown}
    data: dict[str, Any] = field(default_factory=dict)  # extra computed values a page may chart


SolveFn = Callable[..., Solution]
VariantFn = Callable[[int], dict[str, Any]]
_SOLVERS: dict[str, SolveFn] = {}
_VARIANTS: dict[str, VariantFn] = {}
_LOADED: set[int] = set()


def solver(exercise_id: str) -> Callable[[SolveFn], SolveFn]:
    """Register the decorated function as the solve function of `exercise_id`."""

    def register(fn: SolveFn) -> SolveFn:
        if exercise_id in _SOLVERS:
            raise ValueError(f"exercise {exercise_id} has two solve functions")
        _SOLVERS[exercise_id] = fn
        return fn

    return register


def variant(exercise_id: str) -> Callable[[VariantFn], VariantFn]:
    """Register fn(seed) → dict of the numbers that vary; fn(0) must return the book's own numbers."""

    def register(fn: VariantFn) -> VariantFn:
        if exercise_id in _VARIANTS:
            raise ValueError(f"exercise {exercise_id} has two variant functions")
        _VARIANTS[exercise_id] = fn
        return fn

    return register


def load_chapter(chapter: int) -> None:
    if chapter in _LOADED:
        return
    for path in sorted(Path(__file__).parent.glob(f"ch{chapter:02d}*.py")):
        importlib.import_module(f"solutions.{path.stem}")
    _LOADED.add(chapter)


def solve_function(exercise_id: str) -> SolveFn:
    """The function that computes the reference solution of `exercise_id` (its source is shown to learners)."""
    ex = registry.get(exercise_id)  # KeyError for unknown ids
    load_chapter(ex.chapter)
    try:
        return _SOLVERS[ex.id]
    except KeyError:
        raise KeyError(f"exercise {ex.id} has no solve function in solutions/ch{ex.chapter:02d}*.py") from None


def has_variants(exercise_id: str) -> bool:
    ex = registry.get(exercise_id)
    load_chapter(ex.chapter)
    return ex.id in _VARIANTS


def variant_params(exercise_id: str, seed: int = 0) -> dict[str, Any]:
    """The numbers of variant `seed` ({} for an exercise whose numbers never vary)."""
    ex = registry.get(exercise_id)
    load_chapter(ex.chapter)
    fn = _VARIANTS.get(ex.id)
    return dict(fn(seed)) if fn else {}


def solve(exercise_id: str, seed: int = 0, **params: Any) -> Solution:
    """Run the solve function with the variant's numbers (explicit `params` override them)."""
    return solve_function(exercise_id)(seed=seed, **{**variant_params(exercise_id, seed), **params})


def explain(exercise_id: str, **values: Any) -> dict[str, str]:
    """The exercise's explanation text (en, zh) with computed `values` filled into its `{{placeholders}}`."""
    text = registry.get(exercise_id).solution
    return {lang: fill(body, values) for lang, body in text.items()}


def prompt(exercise_id: str, lang: str, seed: int = 0) -> str:
    """The statement of variant `seed` in `lang`."""
    return fill(registry.get(exercise_id).prompt[lang], variant_params(exercise_id, seed))
