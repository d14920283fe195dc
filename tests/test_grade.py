"""The grading command: good rows all graded, bad rows reported with line numbers, unreadable input exits 2."""

import csv
import io
import json
import subprocess
import sys

import pytest
import sympy

from exercises import registry
from exercises.grade import main, read_submissions, student_seed, template_csv
from solutions import has_variants, solve
from tests.apptest import ROOT

GRADED = [ex for ex in registry.all() if any(f.kind != "text" for f in ex.fields)]
pytestmark = pytest.mark.skipif(len(GRADED) < 2, reason="needs two exercises with answer fields")


def as_text(value) -> str:
    """A reference value written the way a learner would type it."""
    if isinstance(value, sympy.Basic):
        return str(value)
    if isinstance(value, tuple):
        return str(value)
    if isinstance(value, list):
        return json.dumps(value)
    return str(value)


def rows_for(student: str, ex, seed: int = 0, wrong: bool = False) -> list[list[str]]:
    answer = solve(ex.id, seed=seed).answer
    if wrong:
        answer = {**answer, **ex.wrong[0].answer}
    return [[student, ex.id, f.name, as_text(answer[f.name]) if f.name in answer else "text", str(seed)]
            for f in ex.fields]


def write_csv(tmp_path, rows, header=("student", "exercise", "field", "answer", "seed")):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([list(header), *rows])
    path = tmp_path / "class.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def run(args, capsys):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def scores(path) -> dict[tuple[str, str], float]:
    return {(r["student"], r["exercise"]): float(r["score"]) for r in csv.DictReader(path.open(encoding="utf-8"))}


def test_good_rows_are_all_graded_with_totals_and_results_json(tmp_path, capsys):
    a, b = GRADED[0], GRADED[1]
    rows = rows_for("ana", a) + rows_for("ana", b) + rows_for("bo", a, wrong=True) + rows_for("李雷", b)
    code, _, err = run([write_csv(tmp_path, rows), "--out", tmp_path / "s.csv", "--json", tmp_path / "r.json"], capsys)
    table = scores(tmp_path / "s.csv")
    assert code == 0 and "skipped 0 rows" in err
    assert table[("ana", a.id)] == 1 and table[("ana", "TOTAL")] == 2 and table[("李雷", b.id)] == 1
    assert table[("bo", a.id)] < 1
    results = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert results["students"]["ana"]["score"] == 2 and results["students"]["ana"]["max_score"] == 2
    assert {t["name"] for t in results["students"]["ana"]["tests"]} == {a.id, b.id} and results["skipped"] == []


def test_bad_rows_are_reported_with_line_numbers_and_good_rows_still_graded(tmp_path, capsys):
    a = GRADED[0]
    good = rows_for("ana", a)
    first = a.fields[0].name
    bad = [
        ["", a.id, first, "1", "0"],  # line N+2: no student
        ["bo", "99.9.9", "x", "1", "0"],  # unknown exercise
        ["bo", a.id, "nosuchfield", "1", "0"],  # unknown field
        ["bo", a.id, first, "1", "minus one"],  # bad seed
        ["bo", a.id],  # short row
        ["ana", a.id, first, "again", "0"],  # the same field twice
    ]
    code, _, err = run([write_csv(tmp_path, good + bad), "--out", tmp_path / "s.csv"], capsys)
    start = len(good) + 2
    assert code == 0
    for offset, reason in enumerate(["no student name", "no exercise with id '99.9.9'", "has no field 'nosuchfield'",
                                     "is not a whole number", "columns, expected 5", "given twice"]):
        assert f"skipped line {start + offset}: " in err and reason in err
    assert scores(tmp_path / "s.csv")[("ana", a.id)] == 1


def test_conflicting_seeds_for_one_submission_are_reported(tmp_path, capsys):
    a = GRADED[0]
    rows = [["ana", a.id, f.name, "1", "0" if i == 0 else "5"] for i, f in enumerate(a.fields)]
    if len(rows) < 2:
        pytest.skip("needs an exercise with two fields")
    _, _, err = run([write_csv(tmp_path, rows)], capsys)
    assert "differs from seed 0" in err


def test_json_submissions_with_seeds(tmp_path, capsys):
    ex = next((e for e in GRADED if has_variants(e.id)), GRADED[0])
    seed = 3 if has_variants(ex.id) else 0
    answer = {k: as_text(v) for k, v in solve(ex.id, seed=seed).answer.items()}
    data = {"ana": {ex.id: {**answer, "_seed": seed}}, "bo": {ex.id: {"nosuchfield": "1"}}, "cy": "not a dict"}
    path = tmp_path / "class.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = run([path], capsys)
    assert code == 0 and f"ana,{ex.id},1.0,1" in out and "has no field 'nosuchfield'" in err and "cy" in err


@pytest.mark.parametrize("content, reason", [
    (b"", "empty"), (b"\x00\x01\x02binary\xff", "binary"), (b"\xff\xfe\xfd not utf8", "not UTF-8"),
    (b"name,answer\nana,1\n", "lacks student, exercise, field"), (b"{not json", "not valid JSON"),
    (b"[1, 2]", "lacks student"),
])
def test_unreadable_input_exits_2(tmp_path, capsys, content, reason):
    path = tmp_path / "class.csv"
    path.write_bytes(content)
    code, _, err = run([path], capsys)
    assert code == 2 and reason in err


def test_missing_file_exits_2(tmp_path, capsys):
    code, _, err = run([tmp_path / "nope.csv"], capsys)
    assert code == 2 and "cannot read" in err


def test_feedback_names_the_problem_without_the_reference(tmp_path, capsys):
    ex = next(e for e in GRADED if any(f.kind == "number" for f in e.fields))
    f = next(f for f in ex.fields if f.kind == "number")
    reference = float(solve(ex.id).answer[f.name])
    rows = [["ana", ex.id, f.name, repr(reference * 3 + 7), "0"]]
    run([write_csv(tmp_path, rows), "--json", tmp_path / "r.json"], capsys)
    output = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["students"]["ana"]["tests"][0]["output"]
    assert f.name in output and f"{reference:.3g}" not in output and repr(reference) not in output


def test_cli_runs_as_a_module(tmp_path):
    path = write_csv(tmp_path, rows_for("ana", GRADED[0]))
    out = subprocess.run([sys.executable, "-m", "exercises.grade", str(path)], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.startswith("student,exercise,score,max_score")


def test_template_has_a_row_per_student_exercise_and_field_with_stable_seeds():
    ids = [GRADED[0].id, GRADED[1].id]
    text = template_csv(["ana", "bo"], ids, per_student_variants=True, base_url="http://localhost:8501")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2 * sum(len(registry.get(i).fields) for i in ids)
    for r in rows:
        expected = student_seed(r["student"], r["exercise"]) if has_variants(r["exercise"]) else 0
        assert int(r["seed"]) == expected and r["link"].startswith("http://localhost:8501/exercise?id=")
    subs, errors = read_submissions(text.encode())
    assert errors == [] and len(subs) == 4  # a blank template reads back cleanly


def test_student_seeds_differ_between_students_and_never_give_the_book_variant():
    seeds = {student_seed(f"student{i}", "2.6.4") for i in range(200)}
    assert 0 not in seeds and len(seeds) > 190
