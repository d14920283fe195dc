"""Answer checking and class grading.

check_answer: our safe checker (parse + numeric spot checks + time-bounded symbolic proof) per answer, against the
naive way (`sympy.simplify(sympify(a) - sympify(b)) == 0` on raw text, which is unsafe and unbounded) on the same
expression answers. grade_class: 200 students × 20 exercises through `exercises.grade`, against the bare `check`
calls it makes (the ratio is the cost of reading rows, validation and bookkeeping).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import random
import statistics
import time
from collections.abc import Iterator

import sympy

from exercises import grade, registry
from exercises.check import check, check_field, clear_caches, reference_answer
from solutions import solve


def _as_text(value) -> str:
    if isinstance(value, sympy.Basic):
        return str(value)
    if isinstance(value, list):
        return json.dumps(value)
    return str(value)


def _answers(ex, seed: int, rng: random.Random) -> dict[str, str]:
    """A plausible class: most answers right, some of the listed wrong answers."""
    answer = {k: _as_text(v) for k, v in solve(ex.id, seed=seed).answer.items()}
    if ex.wrong and rng.random() < 0.3:
        answer.update({k: _as_text(v) for k, v in rng.choice(ex.wrong).answer.items()})
    return answer


def _percentiles(samples: list[float]) -> tuple[float, float]:
    qs = statistics.quantiles(samples, n=20)
    return statistics.median(samples), qs[18]


def bench_check_answer() -> Iterator[str]:
    cases = []
    for ex in registry.all():
        for f in ex.fields:
            if f.kind == "expr":
                ref = reference_answer(ex.id, 0)[f.name]
                typed = [_as_text(ref)] + [str(w.answer[f.name]) for w in ex.wrong if f.name in w.answer]
                cases += [(f, ref, t) for t in typed]
    if not cases:
        yield "check_answer: skipped (no expression fields are live)"
        return
    ours, naive = [], []
    for f, ref, typed in cases:
        for _ in range(3):
            t0 = time.perf_counter()
            check_field(f, ref, typed)
            ours.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            with contextlib.suppress(Exception):
                sympy.simplify(sympy.sympify(typed.replace("^", "**")) - ref) == 0  # noqa: B015 - timed only
            naive.append(time.perf_counter() - t0)
    (o50, o95), (n50, n95) = _percentiles(ours), _percentiles(naive)
    yield (f"check_answer_p50: ours={o50 * 1e3:.1f}ms reference={n50 * 1e3:.1f}ms ratio={o50 / n50:.2f} "
           f"({len(cases)} expression answers, reference = unsafe sympify+simplify)")
    yield f"check_answer_p95: ours={o95 * 1e3:.1f}ms reference={n95 * 1e3:.1f}ms ratio={o95 / n95:.2f}"
    numbers = [(f, reference_answer(ex.id, 0)[f.name]) for ex in registry.all() for f in ex.fields
               if f.kind == "number"]
    times = []
    for f, ref in numbers * 5:
        t0 = time.perf_counter()
        check_field(f, ref, repr(float(ref) * 1.001))
        times.append(time.perf_counter() - t0)
    if len(times) > 20:
        p50, p95 = _percentiles(times)
        yield f"check_number_p50_p95: ours={p50 * 1e3:.2f}ms/{p95 * 1e3:.2f}ms ({len(times)} number answers)"


def bench_grade_class(students: int = 200, exercises: int = 20) -> Iterator[str]:
    pool = [ex for ex in registry.all() if any(f.kind != "text" for f in ex.fields)]
    chosen = pool[:exercises]
    if not chosen:
        yield "grade_class: skipped (no exercises with answer fields are live)"
        return
    rng = random.Random(0)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["student", "exercise", "field", "answer", "seed"])
    subs = []
    for s in range(students):
        for i, ex in enumerate(chosen):
            seed = grade.student_seed(f"s{s}", ex.id) % 5 if i % 2 else 0  # a few variants per exercise
            answers = _answers(ex, seed, rng)
            subs.append((ex.id, answers, seed))
            for name, value in answers.items():
                w.writerow([f"s{s}", ex.id, name, value, seed])
    data = buf.getvalue().encode()
    clear_caches()
    t0 = time.perf_counter()
    for exercise_id, answers, seed in subs:
        check(exercise_id, answers, seed)
    bare = time.perf_counter() - t0
    clear_caches()
    t0 = time.perf_counter()
    parsed, errors = grade.read_submissions(data, "class.csv")
    graded = grade.grade(parsed)
    grade.scores_csv(graded)
    grade.results_json(graded, errors)
    ours = time.perf_counter() - t0
    yield (f"grade_class: ours={ours:.2f}s reference={bare:.2f}s ratio={ours / bare:.2f} "
           f"({students} students × {len(chosen)} exercises, {len(graded)} submissions; "
           f"reference = the bare check calls, both from cold caches)")


def run() -> Iterator[str]:
    yield from bench_check_answer()
    yield from bench_grade_class()
