"""The registry contract: ids, book order, validation at load time, clear errors."""

import json
from pathlib import Path

import pytest

from exercises import outline, registry
from exercises.registry import load_dir
from exercises.schema import FIELD_KINDS, LANGS, VERIFY_KINDS, ExerciseDataError, id_sort_key
from ui.notes import note_path
from ui.widgets import resolve

CATALOG = Path(__file__).resolve().parents[2] / "shared" / "catalog" / "exercises.json"
LIVE = registry.all()


def test_all_is_in_book_order_without_duplicates():
    ids = [ex.id for ex in LIVE]
    assert ids == sorted(ids, key=id_sort_key) and len(ids) == len(set(ids))


@pytest.mark.parametrize("a, b", [("2.9.1", "2.10.1"), ("3.4.1", "3.4.1a"), ("3.4.1b", "3.4.2"), ("1.9.4", "2.1.1")])
def test_id_sort_key_is_book_order(a, b):
    assert id_sort_key(a) < id_sort_key(b)


@pytest.mark.parametrize("ex", LIVE, ids=lambda ex: ex.id)
def test_live_exercise_keeps_the_contract(ex):
    assert ex.id in outline.catalog() and ex.section == ex.id.rsplit(".", 1)[0]
    assert ex.chapter == int(ex.section.split(".")[0])
    assert ex.verify in VERIFY_KINDS and all(f.kind in FIELD_KINDS for f in ex.fields)
    assert all(ex.title[lang] and ex.prompt[lang] and ex.solution[lang] for lang in LANGS)
    assert registry.get(ex.id) is ex


@pytest.mark.parametrize("ex", [ex for ex in LIVE if ex.widget], ids=lambda ex: ex.id)
def test_widget_names_a_callable(ex):
    assert callable(resolve(ex.widget))


@pytest.mark.parametrize("chapter", [1])
def test_every_catalogued_exercise_of_a_finished_chapter_is_live(chapter):
    assert {ex.id for ex in LIVE if ex.chapter == chapter} == set(outline.chapter(chapter).exercise_ids)


@pytest.mark.parametrize("section", [s.id for s in outline.chapter(1).sections])
@pytest.mark.parametrize("lang", LANGS)
def test_finished_chapter_has_notes_in_both_languages(section, lang):
    assert len(note_path(section, lang).read_text(encoding="utf-8").strip()) > 200


@pytest.mark.parametrize("bad_id, message", [
    ("9.99.9", "no exercise with id '9.99.9'"),
    ("1.9.33", "did you mean 1.9.3"),
    (next((i for i in outline.catalog() if i not in {ex.id for ex in LIVE}), "none"), "in the book but not available"),
    ("", "no exercise with id ''"),
])
def test_unknown_id_raises_keyerror_that_helps(bad_id, message):
    if bad_id == "none":
        pytest.skip("every exercise of the book is live")
    with pytest.raises(KeyError, match=message.replace(".", r"\.")):
        registry.get(bad_id)


@pytest.mark.parametrize("query, expected", [("1.9.3", "1.9.3"), ("蒸汽机", "1.9.3"), ("STEAM engine", "1.9.3"),
                                             ("1.9", "1.9.1")])
def test_search_finds_ids_titles_and_prompts_in_both_languages(query, expected):
    assert expected in [ex.id for ex in registry.search(query)]


def test_search_with_no_words_finds_nothing():
    assert registry.search("   ") == []


GOOD = """
[[exercise]]
id = "1.9.1"
verify = "conceptual"
title.en = "T"
title.zh = "题"
prompt.en = "P"
prompt.zh = "问"
solution.en = "S"
solution.zh = "答"
"""
NUMBER_FIELD = '\n[[exercise.field]]\nname = "x"\nkind = "number"\nlabel.en = "x"\nlabel.zh = "x"\n'


def write(tmp_path: Path, text: str, name: str = "1.9.toml") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_loader_accepts_a_good_file(tmp_path):
    assert list(load_dir(write(tmp_path, GOOD))) == ["1.9.1"]


@pytest.mark.parametrize("text, name, message", [
    (GOOD.replace('title.zh = "题"\n', ""), "1.9.toml", "exercise #1 (id '1.9.1'): title has no 'zh' text"),
    (GOOD.replace('prompt.en = "P"', 'prompt.en = "  "'), "1.9.toml", "prompt has no 'en' text"),
    (GOOD + GOOD, "1.9.toml", "id '1.9.1' is defined twice"),
    (GOOD.replace('"1.9.1"', '"1.9.77"'), "1.9.toml", "'1.9.77' is not an exercise of the book"),
    (GOOD.replace('"1.9.1"', '"one"'), "1.9.toml", "id 'one' is not of the form"),
    (GOOD, "2.6.toml", "belongs to section 1.9, not to this file's 2.6"),
    (GOOD, "99.1.toml", "'99.1' is not a section"),
    (GOOD.replace("conceptual", "vibes"), "1.9.toml", "verify 'vibes' is not one of"),
    (GOOD + 'widget = "os.system"\n', "1.9.toml", "widget 'os.system' must look like"),
    (GOOD + 'colour = "red"\n', "1.9.toml", "unknown keys ['colour']"),
    (GOOD + "trains = true\n", "1.9.toml", "trains must be true or false, and true only with a widget"),
    (GOOD + 'widget = "ui.widgets.ch01:x"\ntrains = "yes"\n', "1.9.toml", "trains must be true or false"),
    (GOOD + NUMBER_FIELD, "1.9.toml", "conceptual exercise can only have text fields"),
    (GOOD.replace("conceptual", "numeric"), "1.9.toml", "needs at least one machine-checkable field"),
    (GOOD.replace("conceptual", "numeric") + NUMBER_FIELD.replace('"number"', '"guess"'), "1.9.toml",
     "field 'x': kind 'guess'"),
    (GOOD.replace("conceptual", "numeric") + NUMBER_FIELD.replace('name = "x"', 'name = "__x"'), "1.9.toml",
     "field name '__x'"),
    (GOOD.replace("conceptual", "symbolic") + NUMBER_FIELD.replace('"number"', '"expr"'), "1.9.toml",
     "an expr field needs 'symbols'"),
    (GOOD.replace("conceptual", "numeric") + NUMBER_FIELD.replace('"number"', '"choice"'), "1.9.toml",
     "at least two choices"),
    (GOOD.replace("conceptual", "numeric") + NUMBER_FIELD + "rtol = -1\n", "1.9.toml", "rtol must be a non-neg"),
    (GOOD.replace("conceptual", "numeric") + NUMBER_FIELD.replace('"number"', '"matrix"') + "shape = [2]\n",
     "1.9.toml", "a matrix shape must be a list of 2"),
    (GOOD + "\n[[exercise.pitfall]]\nen = 'only english'\n", "1.9.toml", "pitfall #1 has no 'zh' text"),
    ("[[exercise]\nid=", "1.9.toml", "not valid TOML"),
])
def test_loader_rejects_a_bad_entry_and_names_it(tmp_path, text, name, message):
    with pytest.raises(ExerciseDataError, match=None) as err:
        load_dir(write(tmp_path, text, name))
    assert message in str(err.value) and name in str(err.value)


@pytest.mark.skipif(not CATALOG.exists(), reason="the exercise catalog is not beside this checkout")
def test_outline_lists_exactly_the_catalogued_exercises():
    catalog = json.loads(CATALOG.read_text(encoding="utf-8"))
    assert [c["id"] for c in catalog] == list(outline.catalog())
    assert all(outline.catalog()[c["id"]].verify == c["verify"] for c in catalog)


def test_outline_has_sixteen_chapters_with_bilingual_titles():
    chapters = outline.chapters()
    assert [c.number for c in chapters] == list(range(1, 17))
    assert all(c.title[lang] and s.title[lang] for c in chapters for s in c.sections for lang in LANGS)


def test_coverage_cli_reads_the_registry():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "exercises", "coverage"], capture_output=True, text=True, timeout=60,
                         cwd=Path(__file__).resolve().parents[1], check=True).stdout.splitlines()
    rows = {line.split("|")[0].strip(): [int(c) for c in line.split("|")[1:]] for line in out[1:]}
    assert len(rows) == 17 and rows["all"][0] == len(outline.catalog()) and rows["all"][1] == len(LIVE)
    assert rows["1"] == [4, 4, sum(ex.widget is not None for ex in LIVE if ex.chapter == 1), 0, 4]
