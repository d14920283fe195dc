"""The exercise contract: what one exercise of the book is, and how an entry of a data file is validated.

An exercise is plain data (no streamlit, no torch): statement and title in English and Chinese, the answer schema
(`fields`), how its reference answer is verified, pitfalls, and the name of the widget that renders its demo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

LANGS = ("en", "zh")
VERIFY_KINDS = ("symbolic", "numeric", "simulation", "conceptual")
FIELD_KINDS = ("expr", "number", "vector", "matrix", "shape", "choice", "text")
ID_RE = re.compile(r"^(?P<chapter>[1-9]\d?)\.(?P<sec>\d{1,2})\.(?P<num>\d{1,2})(?P<part>[a-z]?)$")
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")  # field and symbol names: no underscores, no dunders
WIDGET_RE = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*:[a-z_][a-z0-9_]*$")

Text = dict[str, str]  # {"en": ..., "zh": ...}


class ExerciseDataError(ValueError):
    """A data file holds an entry that breaks the contract; the message names the file and the entry."""


def id_sort_key(exercise_id: str) -> tuple[int, int, int, str]:
    """Book order: '2.10.3b' sorts after '2.9.1' and after '2.10.3a'."""
    m = ID_RE.match(exercise_id)
    if m is None:
        raise ValueError(f"not an exercise id: {exercise_id!r}")
    return int(m["chapter"]), int(m["sec"]), int(m["num"]), m["part"]


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text


@dataclass(frozen=True)
class Field:
    """One answer box. Which attributes matter depends on `kind`:

    expr   — `symbols` (names the learner may use), `functions` (allowed function names), `domain` (per-symbol
             [low, high] for numeric spot checks)
    number — `rtol`, `atol` or `sigfigs`
    vector / matrix — `shape` (length n, or rows × cols), `rtol`, `atol`
    shape  — nothing more: a tuple like (2, 4)
    choice — `choices` (value + label en/zh), exactly one is right
    text   — free text kept for the instructor, never auto-scored
    """

    name: str
    kind: str
    label: Text
    symbols: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    domain: dict[str, tuple[float, float]] = field(default_factory=dict)
    rtol: float | None = None
    atol: float | None = None
    sigfigs: int | None = None
    shape: tuple[int, ...] | None = None
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class Pitfall:
    text: Text


@dataclass(frozen=True)
class WrongAnswer:
    """A plausible wrong answer (often a pitfall) that the checker must score below 1; the tests run every one."""

    answer: dict[str, Any]
    why: str


@dataclass(frozen=True)
class Exercise:
    id: str
    chapter: int
    section: str
    title: Text
    prompt: Text
    verify: str
    fields: tuple[Field, ...]
    pitfalls: tuple[Pitfall, ...]
    widget: str | None
    solution: Text  # explanation template (Markdown); solutions/ fills in computed values
    wrong: tuple[WrongAnswer, ...] = ()
    trains: bool = False  # the widget trains models when it runs: chapter pages run it on demand, not on load

    @property
    def is_conceptual(self) -> bool:
        return self.verify == "conceptual"


def _text(raw: Any, what: str) -> Text:
    if not isinstance(raw, dict):
        raise ExerciseDataError(f"{what} must be a table with keys 'en' and 'zh'")
    missing = [lang for lang in LANGS if not isinstance(raw.get(lang), str) or not raw[lang].strip()]
    if missing:
        raise ExerciseDataError(f"{what} has no {' / '.join(repr(m) for m in missing)} text")
    extra = set(raw) - set(LANGS)
    if extra:
        raise ExerciseDataError(f"{what} has unknown language keys {sorted(extra)}")
    return {lang: raw[lang].strip() for lang in LANGS}


def _positive_number(raw: Any, what: str) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or raw < 0:
        raise ExerciseDataError(f"{what} must be a non-negative number, got {raw!r}")
    return float(raw)


def parse_field(raw: Any, where: str) -> Field:
    if not isinstance(raw, dict):
        raise ExerciseDataError(f"{where}: a field must be a table")
    name = raw.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise ExerciseDataError(f"{where}: field name {name!r} must be letters and digits, starting with a letter")
    where = f"{where}, field '{name}'"
    kind = raw.get("kind")
    if kind not in FIELD_KINDS:
        raise ExerciseDataError(f"{where}: kind {kind!r} is not one of {', '.join(FIELD_KINDS)}")
    known = {"name", "kind", "label", "symbols", "functions", "domain", "rtol", "atol", "sigfigs", "shape", "choices"}
    if set(raw) - known:
        raise ExerciseDataError(f"{where}: unknown keys {sorted(set(raw) - known)}")
    symbols = tuple(raw.get("symbols", ()))
    if kind == "expr" and (not symbols or not all(isinstance(s, str) and NAME_RE.match(s) for s in symbols)):
        raise ExerciseDataError(f"{where}: an expr field needs 'symbols', a list of plain names")
    functions = tuple(raw.get("functions", ()))
    if not all(isinstance(f, str) and NAME_RE.match(f) for f in functions):
        raise ExerciseDataError(f"{where}: 'functions' must be plain names")
    domain: dict[str, tuple[float, float]] = {}
    for sym, bounds in dict(raw.get("domain", {})).items():
        if sym not in symbols or not (isinstance(bounds, list) and len(bounds) == 2 and bounds[0] < bounds[1]):
            raise ExerciseDataError(f"{where}: domain of {sym!r} must be [low, high] for a declared symbol")
        domain[sym] = (float(bounds[0]), float(bounds[1]))
    shape = raw.get("shape")
    if kind in ("vector", "matrix"):
        dims = 1 if kind == "vector" else 2
        if shape is not None and not (
            isinstance(shape, list) and len(shape) == dims and all(isinstance(d, int) and d > 0 for d in shape)
        ):
            raise ExerciseDataError(f"{where}: a {kind} shape must be a list of {dims} positive integers")
    elif shape is not None:
        raise ExerciseDataError(f"{where}: only vector and matrix fields take a shape")
    choices: list[Choice] = []
    if kind == "choice":
        for i, c in enumerate(raw.get("choices", [])):
            if not isinstance(c, dict) or not isinstance(c.get("value"), str) or not c["value"]:
                raise ExerciseDataError(f"{where}: choice #{i + 1} needs a non-empty 'value'")
            choices.append(Choice(c["value"], _text(c.get("label"), f"{where}: label of choice '{c['value']}'")))
        if len(choices) < 2 or len({c.value for c in choices}) != len(choices):
            raise ExerciseDataError(f"{where}: a choice field needs at least two choices with distinct values")
    sigfigs = raw.get("sigfigs")
    if sigfigs is not None and (not isinstance(sigfigs, int) or not 1 <= sigfigs <= 15):
        raise ExerciseDataError(f"{where}: sigfigs must be an integer from 1 to 15")
    return Field(
        name=name,
        kind=kind,
        label=_text(raw.get("label"), f"{where}: label"),
        symbols=symbols,
        functions=functions,
        domain=domain,
        rtol=_positive_number(raw.get("rtol"), f"{where}: rtol"),
        atol=_positive_number(raw.get("atol"), f"{where}: atol"),
        sigfigs=sigfigs,
        shape=tuple(shape) if shape is not None else None,
        choices=tuple(choices),
    )


def parse_exercise(raw: Any, section: str, where: str) -> Exercise:
    """Validate one `[[exercise]]` table of the data file for `section`; raise ExerciseDataError naming it."""
    if not isinstance(raw, dict):
        raise ExerciseDataError(f"{where}: an exercise must be a table")
    ex_id = raw.get("id")
    if not isinstance(ex_id, str) or not ID_RE.match(ex_id):
        raise ExerciseDataError(f"{where}: id {ex_id!r} is not of the form 'chapter.section.number[letter]'")
    where = f"{where} (id '{ex_id}')"
    m = ID_RE.match(ex_id)
    if f"{m['chapter']}.{m['sec']}" != section:
        raise ExerciseDataError(f"{where}: belongs to section {m['chapter']}.{m['sec']}, not to this file's {section}")
    known = {"id", "verify", "widget", "trains", "title", "prompt", "solution", "pitfall", "field", "wrong"}
    if set(raw) - known:
        raise ExerciseDataError(f"{where}: unknown keys {sorted(set(raw) - known)}")
    verify = raw.get("verify")
    if verify not in VERIFY_KINDS:
        raise ExerciseDataError(f"{where}: verify {verify!r} is not one of {', '.join(VERIFY_KINDS)}")
    widget = raw.get("widget") or None
    if widget is not None and (not isinstance(widget, str) or not WIDGET_RE.match(widget)):
        raise ExerciseDataError(f"{where}: widget {widget!r} must look like 'package.module:function'")
    trains = raw.get("trains", False)
    if not isinstance(trains, bool) or (trains and widget is None):
        raise ExerciseDataError(f"{where}: trains must be true or false, and true only with a widget")
    fields = tuple(parse_field(f, where) for f in raw.get("field", []))
    names = [f.name for f in fields]
    if len(set(names)) != len(names):
        raise ExerciseDataError(f"{where}: field names repeat: {names}")
    if verify == "conceptual" and any(f.kind != "text" for f in fields):
        raise ExerciseDataError(f"{where}: a conceptual exercise can only have text fields")
    if verify != "conceptual" and not any(f.kind != "text" for f in fields):
        raise ExerciseDataError(f"{where}: a {verify} exercise needs at least one machine-checkable field")
    pitfalls = tuple(Pitfall(_text(p, f"{where}: pitfall #{i + 1}")) for i, p in enumerate(raw.get("pitfall", [])))
    wrong = []
    for i, w in enumerate(raw.get("wrong", [])):
        answer = w.get("answer") if isinstance(w, dict) else None
        if not isinstance(answer, dict) or not answer or set(answer) - set(names):
            raise ExerciseDataError(f"{where}: wrong answer #{i + 1} needs an 'answer' table keyed by field names")
        if not isinstance(w.get("why"), str) or not w["why"].strip():
            raise ExerciseDataError(f"{where}: wrong answer #{i + 1} needs a 'why'")
        wrong.append(WrongAnswer(dict(answer), w["why"].strip()))
    return Exercise(
        id=ex_id,
        chapter=int(m["chapter"]),
        section=section,
        title=_text(raw.get("title"), f"{where}: title"),
        prompt=_text(raw.get("prompt"), f"{where}: prompt"),
        verify=verify,
        fields=fields,
        pitfalls=pitfalls,
        widget=widget,
        solution=_text(raw.get("solution"), f"{where}: solution"),
        wrong=tuple(wrong),
        trains=trains,
    )
