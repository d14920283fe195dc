"""Grade a class: `python -m exercises.grade SUBMISSIONS [--out scores.csv] [--json results.json] [--lang zh]`.

SUBMISSIONS is a CSV with the columns `student,exercise,field,answer` (optional `seed`; other columns are ignored),
one answer per row, or a JSON object `{student: {exercise: {field: answer, "_seed": 3}}}`. Every good row is graded;
a bad row is reported (line number, reason) and skipped. Output: one row per student and exercise
(`student,exercise,score,max_score`) plus a `TOTAL` row per student, and a results.json with, per student, the
object Gradescope reads (`score`, `max_score`, `tests`). Exit code 0 when it graded, 2 when it could not read the input.
Feedback says what is wrong but never contains the reference answer.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exercises import registry
from exercises.check import Verdict, check
from exercises.schema import id_sort_key

MAX_BYTES = 50_000_000
MAX_ANSWER_CHARS = 10_000
MAX_NAME_CHARS = 200
REQUIRED = ("student", "exercise", "field", "answer")
SEED_KEY = "_seed"  # in JSON submissions; field names never start with an underscore


class UnreadableInput(ValueError):
    """The input cannot be read at all (empty, binary, not CSV/JSON, missing columns)."""


@dataclass
class Submission:
    student: str
    exercise: str
    seed: int
    answers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RowError:
    where: str  # "line 7" or "alice / 2.6.4 / p"
    reason: str


@dataclass(frozen=True)
class Graded:
    student: str
    exercise: str
    seed: int
    verdict: Verdict


def _decode(data: bytes) -> str:
    if not data.strip():
        raise UnreadableInput("the file is empty")
    if len(data) > MAX_BYTES:
        raise UnreadableInput(f"the file is larger than {MAX_BYTES // 1_000_000} MB")
    if b"\x00" in data:
        raise UnreadableInput("the file is binary, not CSV or JSON text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableInput("the file is not UTF-8 text") from None


def _seed(raw: Any) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return 0
    text = str(raw).strip()
    if isinstance(raw, bool) or not text.isdigit() or len(text) > 10 or int(text) >= 2**31:
        return None
    return int(text)


class _Collector:
    """Builds submissions one answer at a time, rejecting what does not fit with a reason."""

    def __init__(self) -> None:
        self.subs: dict[tuple[str, str], Submission] = {}
        self.errors: list[RowError] = []

    def add(self, where: str, student: Any, exercise: Any, field_name: Any, answer: Any, seed_raw: Any) -> None:
        student, exercise, field_name = ("" if v is None else str(v).strip() for v in (student, exercise, field_name))
        if not student:
            return self.errors.append(RowError(where, "no student name"))
        if len(student) > MAX_NAME_CHARS:
            return self.errors.append(RowError(where, f"student name longer than {MAX_NAME_CHARS} characters"))
        try:
            ex = registry.get(exercise)
        except KeyError as err:
            return self.errors.append(RowError(where, str(err.args[0])))
        names = [f.name for f in ex.fields]
        if field_name not in names:
            listed = ", ".join(names) or "none: it is an open question"
            return self.errors.append(RowError(where, f"exercise {ex.id} has no field '{field_name[:40]}' "
                                                      f"(fields: {listed})"))
        if isinstance(answer, str) and len(answer) > MAX_ANSWER_CHARS:
            return self.errors.append(RowError(where, f"answer longer than {MAX_ANSWER_CHARS} characters"))
        if not isinstance(answer, (str, int, float, list)) or isinstance(answer, bool):
            return self.errors.append(RowError(where, "answer must be text, a number or a list"))
        seed = _seed(seed_raw)
        if seed is None:
            return self.errors.append(RowError(where, f"seed '{str(seed_raw)[:20]}' is not a whole number ≥ 0"))
        sub = self.subs.setdefault((student, ex.id), Submission(student, ex.id, seed))
        if sub.seed != seed:
            return self.errors.append(RowError(where, f"seed {seed} differs from seed {sub.seed} given earlier "
                                                      f"for {student} / {ex.id}"))
        if field_name in sub.answers:
            return self.errors.append(RowError(where, f"field '{field_name}' given twice for {student} / {ex.id}; "
                                                      "the first answer is kept"))
        sub.answers[field_name] = answer
        return None


def read_csv(text: str) -> tuple[list[Submission], list[RowError]]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as err:
        raise UnreadableInput(f"no CSV header ({err})") from None
    columns = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise UnreadableInput(f"the CSV header lacks {', '.join(missing)} (needs {','.join(REQUIRED)}[,seed])")
    at = {c: columns.index(c) for c in (*REQUIRED, "seed") if c in columns}
    out = _Collector()
    line = 1
    try:
        for line, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue  # blank line
            if len(row) < len(header):
                out.errors.append(RowError(f"line {line}", f"{len(row)} columns, expected {len(header)}"))
                continue
            seed = row[at["seed"]] if "seed" in at else None
            out.add(f"line {line}", row[at["student"]], row[at["exercise"]], row[at["field"]], row[at["answer"]],
                    seed)
    except csv.Error as err:
        out.errors.append(RowError(f"line {line + 1}", f"unreadable CSV from here on ({err})"))
    return list(out.subs.values()), out.errors


def read_json(text: str) -> tuple[list[Submission], list[RowError]]:
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as err:
        raise UnreadableInput(f"not valid JSON ({err})") from None
    if not isinstance(raw, dict):
        raise UnreadableInput("the JSON must be an object {student: {exercise: {field: answer}}}")
    out = _Collector()
    for student, exercises in raw.items():
        if not isinstance(exercises, dict):
            out.errors.append(RowError(str(student)[:40], "must map exercise ids to {field: answer}"))
            continue
        for exercise, answers in exercises.items():
            where = f"{str(student)[:40]} / {str(exercise)[:20]}"
            if not isinstance(answers, dict):
                out.errors.append(RowError(where, "must map field names to answers"))
                continue
            seed = answers.get(SEED_KEY)
            for field_name, answer in answers.items():
                if field_name != SEED_KEY:
                    out.add(f"{where} / {str(field_name)[:20]}", student, exercise, field_name, answer, seed)
    return list(out.subs.values()), out.errors


def read_submissions(data: bytes, name: str = "") -> tuple[list[Submission], list[RowError]]:
    """Parse an upload or a file: JSON when it is named .json or starts with '{', CSV otherwise."""
    text = _decode(data)
    if name.lower().endswith(".json") or text.lstrip().startswith("{"):
        return read_json(text)
    return read_csv(text)


def grade(subs: list[Submission], checker: Callable[..., Verdict] = check) -> list[Graded]:
    return [Graded(s.student, s.exercise, s.seed, checker(s.exercise, s.answers, s.seed)) for s in subs]


def feedback_text(verdict: Verdict, lang: str = "en") -> str:
    parts = [verdict.feedback[lang]]
    parts += [f"{name}: {r.message[lang]}" for name, r in verdict.fields.items()]
    return " | ".join(p for p in parts if p)


def scores_rows(graded: list[Graded]) -> list[dict[str, Any]]:
    """student, exercise, score, max_score per graded submission, then a TOTAL row per student."""
    rows: list[dict[str, Any]] = []
    totals: dict[str, list[float]] = {}
    for g in sorted(graded, key=lambda g: (g.student, id_sort_key(g.exercise))):
        rows.append({"student": g.student, "exercise": g.exercise, "score": round(g.verdict.score, 4),
                     "max_score": 1})
        total = totals.setdefault(g.student, [0.0, 0.0])
        total[0] += g.verdict.score
        total[1] += 1
    rows += [{"student": s, "exercise": "TOTAL", "score": round(t[0], 4), "max_score": int(t[1])}
             for s, t in sorted(totals.items())]
    return rows


def scores_csv(graded: list[Graded]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=["student", "exercise", "score", "max_score"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(scores_rows(graded))
    return buf.getvalue()


def results_json(graded: list[Graded], errors: list[RowError], lang: str = "en") -> dict[str, Any]:
    """Per student the object Gradescope's autograder reads, plus the skipped rows."""
    students: dict[str, dict[str, Any]] = {}
    for g in sorted(graded, key=lambda g: (g.student, id_sort_key(g.exercise))):
        entry = students.setdefault(g.student, {"score": 0.0, "max_score": 0.0, "tests": []})
        entry["score"] = round(entry["score"] + g.verdict.score, 4)
        entry["max_score"] += 1.0
        entry["tests"].append({"name": g.exercise + (f" (seed {g.seed})" if g.seed else ""),
                               "score": round(g.verdict.score, 4), "max_score": 1.0,
                               "output": feedback_text(g.verdict, lang), "visibility": "visible"})
    return {"students": students, "skipped": [{"where": e.where, "reason": e.reason} for e in errors]}


def student_seed(student: str, exercise_id: str) -> int:
    """A stable per-student variant: 1 … 9999 from a hash of (student, exercise); 0 stays the book's numbers."""
    digest = hashlib.sha256(f"{student}|{exercise_id}".encode()).hexdigest()
    return 1 + int(digest, 16) % 9999


def template_csv(students: list[str], exercise_ids: list[str], per_student_variants: bool, base_url: str = "") -> str:
    """A blank answer sheet: one row per student, exercise and field, with the seed and the link to the variant."""
    from exercises.links import exercise_link
    from solutions import has_variants

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["student", "exercise", "field", "answer", "seed", "link"])
    for student in students:
        for exercise_id in exercise_ids:
            ex = registry.get(exercise_id)
            seed = student_seed(student, ex.id) if per_student_variants and has_variants(ex.id) else 0
            link = exercise_link(base_url, ex.id, "en", seed) if base_url else ""
            for f in ex.fields:
                writer.writerow([student, ex.id, f.name, "", seed, link])
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m exercises.grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", type=Path, help="CSV (student,exercise,field,answer[,seed]) or JSON")
    parser.add_argument("--out", type=Path, help="write per-exercise scores and totals as CSV here")
    parser.add_argument("--json", type=Path, help="write results.json (Gradescope shape) here")
    parser.add_argument("--lang", choices=["en", "zh"], default="en", help="language of the feedback")
    args = parser.parse_args(argv)
    try:
        data = args.submissions.read_bytes()
        subs, errors = read_submissions(data, args.submissions.name)
    except OSError as err:
        print(f"error: cannot read {args.submissions}: {err.strerror}", file=sys.stderr)
        return 2
    except UnreadableInput as err:
        print(f"error: cannot read {args.submissions}: {err}", file=sys.stderr)
        return 2
    for e in errors:
        print(f"skipped {e.where}: {e.reason}", file=sys.stderr)
    graded = grade(subs)
    table = scores_csv(graded)
    if args.out:
        args.out.write_text(table, encoding="utf-8")
    else:
        sys.stdout.write(table)
    if args.json:
        args.json.write_text(json.dumps(results_json(graded, errors, args.lang), ensure_ascii=False, indent=2),
                             encoding="utf-8")
    students = len({g.student for g in graded})
    print(f"graded {len(graded)} submissions of {students} students; skipped {len(errors)} rows", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
