"""Answer checking: `check(id, submitted, seed=0) -> Verdict`, the same code for the answer box and for grading.

`submitted` maps field names to what a learner typed (strings) or to values (numbers, lists, sympy expressions).
The reference comes from `solve(id, seed)`. Each non-text field scores 0 or 1; the verdict's score is their mean.
`check` never raises: bad input scores 0 with a message that says what was expected, and no message ever contains
the reference answer.

Canonical reference values per field kind: expr → sympy expression in Symbol(name) of the declared symbols;
number → float; vector → list of floats; matrix → list of rows; shape → tuple of ints; choice → the choice's value.
"""

from __future__ import annotations

import math
import multiprocessing
import random
import sys
import tomllib
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import sympy

from exercises import parse, registry
from exercises.schema import Exercise, Field, Text

DEFAULT_RTOL, DEFAULT_ATOL = 1e-2, 1e-8  # numbers, vectors, matrices (PrairieLearn's defaults)
EXPR_RTOL, EXPR_ATOL = 1e-7, 1e-9  # expressions are compared as exact objects, evaluated in floating point
EXPR_POINTS = 16  # random points at which two expressions must agree
SYMBOLIC_TIMEOUT_S = 0.5  # the symbolic proof runs in a child process that is killed after this long
DEFAULT_DOMAIN = (-2.0, 2.0)


@dataclass(frozen=True)
class FieldResult:
    name: str
    kind: str
    score: float | None  # None for text fields, which are stored and never scored
    status: str  # correct | wrong | missing | malformed | too_complex | stored
    message: Text
    latex: str | None = None  # how an expression was read, to show the learner


@dataclass(frozen=True)
class Verdict:
    exercise_id: str
    score: float
    correct: bool
    fields: dict[str, FieldResult] = field(default_factory=dict)
    feedback: Text = field(default_factory=lambda: {"en": "", "zh": ""})


@cache
def _messages() -> dict[str, Text]:
    return tomllib.loads((Path(__file__).parent / "messages.toml").read_text(encoding="utf-8"))


def msg(key: str, **values: Any) -> Text:
    """Message `key` in both languages; a value may itself be an {"en", "zh"} text."""
    return {lang: text.format(**{k: v[lang] if isinstance(v, dict) else v for k, v in values.items()})
            for lang, text in _messages()[key].items()}


def _join(parts: list[Text]) -> Text:
    return {lang: " ".join(p[lang] for p in parts if p[lang]) for lang in ("en", "zh")}


def expected(f: Field) -> Text:
    """What a field asks for, in words ('an expression in a, b', 'a 2×3 matrix', …)."""
    if f.kind == "expr":
        return msg("expect_expr", symbols=", ".join(f.symbols))
    if f.kind == "vector":
        return msg("expect_vector", n=f.shape[0]) if f.shape else msg("expect_vector_any")
    if f.kind == "matrix":
        return msg("expect_matrix", rows=f.shape[0], cols=f.shape[1]) if f.shape else msg("expect_matrix_any")
    if f.kind == "choice":
        return msg("expect_choice", options=", ".join(c.value for c in f.choices))
    return msg(f"expect_{f.kind}")


# --- one field ------------------------------------------------------------------------------------------------


def check_field(f: Field, reference: Any, submitted: Any) -> FieldResult:
    """Score one field. Never raises."""
    if f.kind == "text":
        return FieldResult(f.name, f.kind, None, "stored", msg("stored"))
    if submitted is None or (isinstance(submitted, str) and not submitted.strip()):
        return FieldResult(f.name, f.kind, 0.0, "missing", msg("missing", expected=expected(f)))
    try:
        return _CHECKERS[f.kind](f, reference, submitted)
    except parse.TooComplex as err:
        reason = {"en": err.en, "zh": err.zh}
        return FieldResult(f.name, f.kind, 0.0, "too_complex", msg("too_complex", reason=reason))
    except parse.ParseError as err:
        reason = {"en": err.en, "zh": err.zh}
        return FieldResult(f.name, f.kind, 0.0, "malformed", msg("malformed", expected=expected(f), reason=reason))
    except (RecursionError, MemoryError, OverflowError):
        return FieldResult(f.name, f.kind, 0.0, "too_complex", msg("too_complex", reason=""))
    except Exception as err:  # a checker bug must not take the page or the grading run down
        return FieldResult(f.name, f.kind, 0.0, "malformed", msg("internal", reason=type(err).__name__))


def _ok(f: Field, status: str = "correct", message: Text | None = None, latex: str | None = None) -> FieldResult:
    return FieldResult(f.name, f.kind, 1.0, status, message or msg("correct"), latex)


def _no(f: Field, message: Text, latex: str | None = None) -> FieldResult:
    return FieldResult(f.name, f.kind, 0.0, "wrong", message, latex)


def _close(a: float, b: float, rtol: float, atol: float) -> bool:
    return abs(a - b) <= atol + rtol * abs(b)


def _number_hint(got: float, want: float, rtol: float, atol: float) -> Text:
    if want != 0 and _close(-got, want, rtol, atol):
        return msg("wrong_sign")
    if got != 0 and want != 0:
        ratio = abs(got / want)
        for k in (1, 2, 3):
            for factor in (10.0**k, 10.0**-k):
                if abs(ratio - factor) <= rtol * factor:
                    return msg("wrong_scale", factor=f"{factor:g}")
    if abs(got - want) <= 10 * (atol + rtol * abs(want)):
        return msg("wrong_close", rtol=rtol)
    return msg("wrong")


def check_number(f: Field, reference: Any, submitted: Any) -> FieldResult:
    want, got = parse.parse_number(reference), parse.parse_number(submitted)
    latex = None if isinstance(submitted, (int, float)) else f"{got:.6g}"
    if f.sigfigs is not None:
        if want == 0:
            ok = got == 0
        else:
            tol = 0.5 * 10 ** (math.floor(math.log10(abs(want))) - f.sigfigs + 1)
            ok = abs(got - want) <= tol * (1 + 1e-9)
        return _ok(f, latex=latex) if ok else _no(f, msg("wrong_sigfigs", sigfigs=f.sigfigs), latex)
    rtol = DEFAULT_RTOL if f.rtol is None else f.rtol
    atol = DEFAULT_ATOL if f.atol is None else f.atol
    if _close(got, want, rtol, atol):
        return _ok(f, latex=latex)
    return _no(f, _number_hint(got, want, rtol, atol), latex)


def _entries_wrong(got: list[float], want: list[float], f: Field) -> int:
    rtol = DEFAULT_RTOL if f.rtol is None else f.rtol
    atol = DEFAULT_ATOL if f.atol is None else f.atol
    return sum(not _close(g, w, rtol, atol) for g, w in zip(got, want, strict=True))


def _shape_text(shape: tuple[int, ...], kind: str) -> str:
    return "×".join(map(str, shape)) + (" matrix" if kind == "matrix" else " numbers")


def check_vector(f: Field, reference: Any, submitted: Any) -> FieldResult:
    want, got = parse.parse_vector(reference), parse.parse_vector(submitted)
    latex = r"\begin{bmatrix}" + " & ".join(f"{v:.4g}" for v in got[:50]) + r"\end{bmatrix}"
    if len(got) != len(want):
        return _no(f, msg("wrong_shape", expected_shape=f"{len(want)} numbers", got_shape=f"{len(got)}"), latex)
    wrong = _entries_wrong(got, want, f)
    return _ok(f, latex=latex) if wrong == 0 else _no(f, msg("wrong_entries", n=wrong, total=len(want)), latex)


def check_matrix(f: Field, reference: Any, submitted: Any) -> FieldResult:
    want, got = parse.parse_matrix(reference), parse.parse_matrix(submitted)
    latex = r"\begin{bmatrix}" + r"\\".join(" & ".join(f"{v:.4g}" for v in row[:20]) for row in got[:20]) + \
        r"\end{bmatrix}"
    want_shape, got_shape = (len(want), len(want[0])), (len(got), len(got[0]))
    if want_shape != got_shape:
        return _no(f, msg("wrong_shape", expected_shape=_shape_text(want_shape, "matrix"),
                          got_shape=_shape_text(got_shape, "matrix")), latex)
    wrong = _entries_wrong([v for r in got for v in r], [v for r in want for v in r], f)
    total = want_shape[0] * want_shape[1]
    return _ok(f, latex=latex) if wrong == 0 else _no(f, msg("wrong_entries", n=wrong, total=total), latex)


def check_shape(f: Field, reference: Any, submitted: Any) -> FieldResult:
    want, got = parse.parse_shape(reference), parse.parse_shape(submitted)
    shown = str(got) if len(got) != 1 else f"({got[0]},)"
    if got == want:
        return _ok(f, latex=shown)
    if len(got) != len(want):
        return _no(f, msg("wrong_shape", expected_shape=f"{len(want)} dimensions",
                          got_shape=f"{len(got)} ({shown})"), shown)
    return _no(f, msg("wrong_dims", n=sum(g != w for g, w in zip(got, want, strict=True)), total=len(want)), shown)


def _choice_value(f: Field, submitted: Any) -> str | None:
    text = str(submitted).strip().casefold()
    for c in f.choices:
        if text in (c.value.casefold(), c.label["en"].strip().casefold(), c.label["zh"].strip().casefold()):
            return c.value
    return None


def check_choice(f: Field, reference: Any, submitted: Any) -> FieldResult:
    got = _choice_value(f, submitted)
    if got is None:
        options = ", ".join(c.value for c in f.choices)
        return FieldResult(f.name, f.kind, 0.0, "malformed",
                           msg("unknown_choice", value=str(submitted)[:40], options=options))
    return _ok(f, latex=got) if got == str(reference) else _no(f, msg("wrong_choice"), got)


# --- expressions ----------------------------------------------------------------------------------------------


def _as_expr(f: Field, value: Any) -> sympy.Expr:
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return sympy.nsimplify(value)
    return parse.parse_expression(str(value), f.symbols, f.functions)


def _points(f: Field, n: int) -> list[dict[str, float]]:
    rng = random.Random(f"{f.name}|{','.join(f.symbols)}")  # the same points on every run
    pts = []
    for _ in range(n):
        pts.append({s: rng.uniform(*f.domain.get(s, DEFAULT_DOMAIN)) for s in f.symbols})
    return pts


def _evaluator(expr: sympy.Expr, symbols: list[sympy.Symbol]):
    fn = sympy.lambdify(symbols, expr, modules="math")  # code generated from a whitelisted tree, not learner text

    def evaluate(point: list[float]) -> float | None:
        try:
            value = fn(*point)
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            return None
        if isinstance(value, complex) or not math.isfinite(value):
            return None
        return float(value)

    return evaluate


def _fmt_point(point: dict[str, float]) -> str:
    return ", ".join(f"{k} = {v:.3g}" for k, v in point.items())


def _zero_verdict(expr: sympy.Expr) -> bool | None:
    """True: expr is 0; False: expr is a nonzero number (a constant difference); None: undecided."""
    if expr == 0:
        return True
    if expr.is_number:
        value = sympy.N(expr, 30)
        if value.is_real and value.is_finite:
            return bool(value == 0)
    return None


def _prove_zero_child(diff: sympy.Expr, conn) -> None:  # pragma: no cover - runs in the forked child
    try:
        conn.send(_zero_verdict(sympy.simplify(diff)))
    except Exception:
        conn.send(None)
    finally:
        conn.close()


def prove_zero(diff: sympy.Expr, timeout: float = SYMBOLIC_TIMEOUT_S) -> bool | None:
    """Decide diff == 0 with sympy.simplify in a forked child that is killed after `timeout` s.

    True: proved zero. False: simplifies to a nonzero constant, so the two expressions differ everywhere even if
    floating point could not tell (e.g. exp(exp(3)) + 1 vs exp(exp(3))). None: no verdict in time.
    """
    quick = _zero_verdict(diff)
    if quick is not None:
        return quick
    if sys.platform != "linux":
        return None
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_prove_zero_child, args=(diff, sender), daemon=True)
    child.start()
    sender.close()
    try:
        return receiver.recv() if receiver.poll(timeout) else None
    except EOFError:
        return None
    finally:
        if child.is_alive():
            child.kill()
        child.join(1)
        receiver.close()


def _differs_beyond_float(diff: sympy.Expr, usable: list[tuple[dict[str, float], float, float]]) -> bool:
    """Re-evaluate the difference at 40 significant digits: catches differences below float64 resolution."""
    for point, _, want in usable:
        try:
            value = diff.evalf(40, subs={sympy.Symbol(k): sympy.Float(v, 40) for k, v in point.items()})
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            continue
        if value.is_number and value.is_real and value.is_finite and abs(value) > 1e-25 * max(1.0, abs(want)):
            return True
    return False


def check_expr(f: Field, reference: Any, submitted: Any) -> FieldResult:
    want, got = _as_expr(f, reference), _as_expr(f, submitted)
    latex = parse.to_latex(got)
    symbols = [sympy.Symbol(s) for s in f.symbols]
    stray = {s.name for s in got.free_symbols} - set(f.symbols)
    if stray:
        raise parse.ParseError(f"Unknown names {sorted(stray)}.", f"未知名称 {sorted(stray)}。")
    eval_got, eval_want = _evaluator(got, symbols), _evaluator(want, symbols)
    usable: list[tuple[dict[str, float], float, float]] = []
    for point in _points(f, 4 * EXPR_POINTS):
        w = eval_want(list(point.values()))
        if w is None:
            continue  # outside the expected expression's domain
        g = eval_got(list(point.values()))
        if g is None:
            return _no(f, msg("wrong_expr_undefined", point=_fmt_point(point)), latex)
        usable.append((point, g, w))
        if len(usable) == EXPR_POINTS:
            break
    if len(usable) < 4:
        raise parse.ParseError("The expression cannot be evaluated at enough points.",
                               "无法在足够多的点上计算该表达式。")
    mismatches = [(p, g, w) for p, g, w in usable if not _close(g, w, EXPR_RTOL, EXPR_ATOL)]
    if not mismatches and _differs_beyond_float(got - want, usable[:4]):
        return _no(f, msg("wrong_expr_constant") if not (got - want).free_symbols else msg("wrong"), latex)
    if not mismatches:
        proved = prove_zero(sympy.expand(got - want) if got.is_polynomial() and want.is_polynomial() else got - want)
        if proved is False:
            return _no(f, msg("wrong_expr_constant"), latex)
        message = msg("correct_expr_symbolic") if proved else msg("correct_expr_numeric", n=len(usable))
        return _ok(f, message=message, latex=latex)
    gs = [g for _, g, _ in usable]
    ws = [w for _, _, w in usable]
    if all(_close(-g, w, EXPR_RTOL, EXPR_ATOL) for g, w in zip(gs, ws, strict=True)):
        return _no(f, msg("wrong_expr_sign"), latex)
    diffs = [g - w for g, w in zip(gs, ws, strict=True)]
    if all(_close(d, diffs[0], 1e-6, 1e-9) for d in diffs):
        return _no(f, msg("wrong_expr_constant"), latex)
    if all(abs(w) > 1e-9 for w in ws):
        ratios = [g / w for g, w in zip(gs, ws, strict=True)]
        if all(_close(r, ratios[0], 1e-6, 1e-12) for r in ratios):
            return _no(f, msg("wrong_expr_factor"), latex)
    point, g, _ = mismatches[0]
    return _no(f, msg("wrong_expr", point=_fmt_point(point), value=f"{g:.4g}"), latex)


_CHECKERS = {"number": check_number, "vector": check_vector, "matrix": check_matrix, "shape": check_shape,
             "choice": check_choice, "expr": check_expr}


# --- one exercise ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def reference_answer(exercise_id: str, seed: int) -> dict[str, Any]:
    from solutions import solve

    return solve(exercise_id, seed=seed).answer


def check_fields(ex: Exercise, reference: dict[str, Any], submitted: Any,
                 field_check: Any = check_field) -> Verdict:
    """Score `submitted` against `reference` field by field (the pure core of `check`)."""
    answers = submitted if isinstance(submitted, dict) else {}
    results = {f.name: field_check(f, reference.get(f.name), answers.get(f.name)) for f in ex.fields}
    graded = [r for r in results.values() if r.score is not None]
    extra = [str(k)[:40] for k in answers if k not in results]
    notes = [msg("unknown_field", name=k, fields=", ".join(results)) for k in extra[:3]]
    if not graded:
        return Verdict(ex.id, 0.0, False, results, _join([msg("open_question"), *notes]))
    score = sum(r.score for r in graded) / len(graded)
    right = sum(r.score == 1.0 for r in graded)
    feedback = _join([msg("summary", right=right, total=len(graded)), *notes])
    return Verdict(ex.id, score, score == 1.0, results, feedback)


def check(exercise_id: str, submitted: Any, seed: int = 0) -> Verdict:
    """Check a learner's answers to `exercise_id` (variant `seed`). Never raises."""
    try:
        ex = registry.get(str(exercise_id))
    except KeyError as err:
        return Verdict(str(exercise_id)[:40], 0.0, False, {}, msg("unknown_exercise", reason=str(err.args[0])))
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**31:
        seed = 0
    try:
        reference = reference_answer(ex.id, seed)
    except Exception as err:  # a solve bug: score 0 and say so, never crash the page or the class's grading
        return Verdict(ex.id, 0.0, False, {}, msg("internal", reason=type(err).__name__))
    def cached_field_check(f: Field, ref: Any, value: Any) -> FieldResult:
        if isinstance(value, str):  # a class types the same answers again and again
            return _check_typed(ex.id, seed, f.name, value)
        return check_field(f, ref, value)

    return check_fields(ex, reference, submitted, cached_field_check)


@lru_cache(maxsize=8192)
def _check_typed(exercise_id: str, seed: int, field_name: str, typed: str) -> FieldResult:
    """check_field for text answers, memoised: the result depends only on these four values."""
    f = next(f for f in registry.get(exercise_id).fields if f.name == field_name)
    return check_field(f, reference_answer(exercise_id, seed).get(field_name), typed)


def clear_caches() -> None:
    _check_typed.cache_clear()
    reference_answer.cache_clear()
