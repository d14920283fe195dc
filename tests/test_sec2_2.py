"""Section 2.2: d2lcore.preprocessing on hand-checked frames and random ones, exercises 2.2.1 / 2.2.2 verified with
the csv module and NumPy, the page widgets."""

import csv
import io
import math

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from d2lcore import preprocessing as pp
from exercises import check, registry
from solutions import solve, variant_params
from tests.apptest import all_text, open_app

BOOK = pp.read_table(pp.HOUSE_TINY_CSV)


def test_reading_turns_na_into_nan():
    assert BOOK.shape == (4, 3) and pp.missing_counts(BOOK).to_dict() == {"NumRooms": 2, "Alley": 3, "Price": 0}


def test_impute_numeric_mean_on_the_book_table():
    imputed = pp.impute_numeric_mean(BOOK.drop(columns="Price"))
    assert imputed["NumRooms"].tolist() == [3.0, 2.0, 4.0, 3.0]  # (2 + 4) / 2 = 3 fills both gaps
    assert imputed["Alley"].isna().sum() == 3  # text is left alone


def test_plain_mean_fails_on_text_but_numeric_only_works():
    assert pp.plain_mean_error(BOOK).startswith("TypeError")
    assert pp.plain_mean_error(BOOK.drop(columns="Alley")) is None


def test_one_hot_on_the_book_table():
    encoded = pp.one_hot(pp.impute_numeric_mean(BOOK.drop(columns="Price")))
    assert list(encoded.columns) == ["NumRooms", "Alley_Pave", "Alley_nan"]
    assert encoded["Alley_Pave"].tolist() == [True, False, False, False] and encoded["Alley_nan"].dtype == bool


def test_to_tensor_and_the_naive_conversion():
    inputs, outputs = pp.preprocess(BOOK)
    X = pp.to_tensor(inputs)
    expected = torch.tensor([[3.0, 1, 0], [2, 0, 1], [4, 0, 1], [3, 0, 1]], dtype=torch.float64)
    assert torch.equal(X, expected) and pp.to_tensor(outputs).shape == (4,)
    assert inputs.values.dtype == object and pp.naive_to_tensor_error(inputs).startswith("TypeError")
    assert pp.naive_to_tensor_error(inputs.astype(float)) is None


@pytest.mark.parametrize("late", [False, True])
def test_drop_most_missing_column_raw_vs_late(late):
    table = pp.preprocess(BOOK)[0] if late else BOOK
    _, name = pp.drop_most_missing_column(table)
    assert name == ("NumRooms" if late else "Alley")  # late: all counts are 0, idxmax falls back to column 0


frames = st.integers(1, 8).flatmap(lambda n: st.tuples(
    st.lists(st.one_of(st.none(), st.integers(0, 9)), min_size=n, max_size=n),
    st.lists(st.sampled_from([None, "Pave", "Grvl", "Dirt"]), min_size=n, max_size=n),
))


def frame(rooms, alley):
    return pd.DataFrame({"NumRooms": [math.nan if r is None else float(r) for r in rooms],
                         "Alley": pd.Series(alley, dtype="str")})


@settings(max_examples=80, deadline=None)
@given(data=frames)
def test_pipeline_properties(data):
    rooms, alley = data
    df = frame(rooms, alley)
    imputed = pp.impute_numeric_mean(df)
    known = [r for r in rooms if r is not None]
    filled = [float(r) if r is not None else (sum(known) / len(known) if known else math.nan) for r in rooms]
    assert np.allclose(imputed["NumRooms"], filled, equal_nan=True)  # the mean of the known values, by hand
    encoded = pp.one_hot(imputed)
    indicators = encoded.drop(columns="NumRooms")
    assert indicators.shape[1] == len({a for a in alley if a is not None}) + 1  # one per value + one for NaN
    assert (indicators.sum(axis=1) == 1).all()  # exactly one indicator per row
    assert pp.to_tensor(encoded).dtype == torch.float64


@settings(max_examples=80, deadline=None)
@given(data=frames)
def test_most_missing_column_matches_a_count_by_hand(data):
    rooms, alley = data
    counts = {"NumRooms": sum(r is None for r in rooms), "Alley": sum(a is None for a in alley)}
    expected = "Alley" if counts["Alley"] > counts["NumRooms"] else "NumRooms"  # ties: the leftmost
    kept, name = pp.drop_most_missing_column(frame(rooms, alley))
    assert name == expected and list(kept.columns) == [c for c in ("NumRooms", "Alley") if c != expected]


@pytest.mark.parametrize("seed", range(1, 40))
def test_house_table_variants(seed):
    raw = pp.read_table(pp.house_table(seed))
    counts = pp.missing_counts(raw)
    assert 6 <= len(raw) <= 10 and counts["Price"] == 0 and counts["NumRooms"] != counts["Alley"]


# --- independent verification of the references: the csv module, no pandas ---------------------------------------

def parse(csv_text):
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    gaps = {c: sum(r[c] == "NA" for r in rows) for c in ("NumRooms", "Alley")}
    alleys = {r["Alley"] for r in rows if r["Alley"] != "NA"}
    return rows, gaps, alleys


@pytest.mark.parametrize("seed", range(8))
def test_2_2_1_reference_by_hand(seed):
    rows, gaps, alleys = parse(variant_params("2.2.1", seed)["csv"])
    dropped = max(gaps, key=gaps.get)
    width = 1 if dropped == "Alley" else len(alleys) + 1  # NumRooms alone, or the alley indicators + NaN
    ans = solve("2.2.1", seed).answer
    assert ans == {"column": dropped, "shape": (len(rows), width)}
    assert check("2.2.1", ans, seed=seed).correct


@pytest.mark.parametrize("seed", range(8))
def test_2_2_2_reference_by_hand(seed):
    rows, _, alleys = parse(variant_params("2.2.2", seed)["csv"])
    ans = solve("2.2.2", seed).answer
    assert ans["xshape"] == (len(rows), 1 + len(alleys) + 1) and ans["yshape"] == (len(rows),)
    assert ans["xdtype"] == str(torch.from_numpy(np.zeros(1)).dtype).removeprefix("torch.")  # NumPy floats: 64 bit
    mixed = np.array([[1.5, True]], dtype=object)  # a float next to a bool: what .values holds
    with pytest.raises(TypeError):
        torch.tensor(mixed)
    assert ans["naive"] == "typeerror"
    assert check("2.2.2", ans, seed=seed).correct


def test_2_2_1_explanation_names_the_late_drop():
    text = solve("2.2.1").explanation["en"]
    assert "remove `NumRooms`" in text and "`(4, 2)`" in text and "75%" in text


@pytest.mark.parametrize("exercise_id, wrong", [(i, w) for i in ("2.2.1", "2.2.2") for w in registry.get(i).wrong],
                         ids=lambda v: v if isinstance(v, str) else v.why)
def test_wrong_answers_are_rejected(exercise_id, wrong):
    assert check(exercise_id, wrong.answer).score < 1


def test_late_drop_pitfall_scores_zero():
    assert check("2.2.1", {"column": "NumRooms", "shape": "(4, 2)"}).score == 0


# --- pages ---------------------------------------------------------------------------------------------------------

def edit(at, key, **state):
    at.session_state[key] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [], **state}
    return at.run()


def test_drop_column_widget_raw_vs_late_and_edits():
    at = open_app("pages/exercise.py", id="2.2.1")
    assert not at.exception and "Dropped **Alley**" in all_text(at) and "(4, 1)" in all_text(at)
    at.radio(key="w-2.2.1-order").set_value("late").run()
    assert not at.exception and at.warning and "Dropped **NumRooms**" in all_text(at)
    at.radio(key="w-2.2.1-order").set_value("raw").run()
    edit(at, "w-2.2.1-table-0", edited_rows={1: {"Alley": "Grvl"}, 2: {"Alley": "Grvl"}, 3: {"Alley": "Pave"}})
    assert not at.exception and "Dropped **NumRooms**" in all_text(at)  # now NumRooms has the most gaps
    at.number_input(key="w-2.2.1-seed").set_value(2).run()
    assert not at.exception and "(10, 3)" in all_text(at)


def test_conversion_widget_methods_and_float32():
    at = open_app("pages/exercise.py", id="2.2.2")
    assert not at.exception and "shape (4, 3), torch.float64" in all_text(at)
    at.radio(key="w-2.2.2-method").set_value("values").run()
    assert not at.exception and at.error and "TypeError" in at.error[0].value
    at.radio(key="w-2.2.2-method").set_value("astype").run()
    at.toggle(key="w-2.2.2-f32").set_value(True).run()
    assert not at.exception and not at.error and "torch.float32" in all_text(at)
    at.number_input(key="w-2.2.2-seed").set_value(3).run()
    assert not at.exception and "shape (10, 4)" in all_text(at)


def test_preprocessing_demo_on_the_chapter_page():
    at = open_app("pages/ch02.py")
    assert not at.exception and "X = tensor([[3., 1., 0.]" in all_text(at)
    edit(at, "demo-2.2-table", edited_rows={0: {"NumRooms": 6}, 1: {"Alley": "Grvl"}},
         added_rows=[{"NumRooms": 1, "Alley": "Pave"}])  # the new row has no Price
    assert not at.exception and at.warning  # the unlabelled row is left out, and the page says so
    assert "X = tensor([[6., 0., 1., 0.]" in all_text(at)  # Alley_Grvl, Alley_Pave, Alley_nan after NumRooms
    edit(at, "demo-2.2-table", edited_rows={1: {"NumRooms": None}, 2: {"NumRooms": None}})
    assert not at.exception and any("no value at all" in w.value for w in at.warning)
