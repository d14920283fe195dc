"""Section 2.1: d2lcore.tensors against torch, exercises 2.1.1 / 2.1.2 verified another way, the page widgets."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from d2lcore import tensors
from exercises import check, registry
from solutions import solve, variant_params
from tests.apptest import all_text, open_app

shapes = st.lists(st.sampled_from([0, 1, 1, 1, 2, 3, 3, 4]), min_size=0, max_size=4).map(tuple)


def torch_add_error(a, b):
    try:
        torch.zeros(a) + torch.zeros(b)
    except RuntimeError as err:
        return str(err)
    return None


@settings(max_examples=300, deadline=None)
@given(a=shapes, b=shapes)
def test_broadcast_shape_matches_torch_including_errors(a, b):
    try:
        expected = tuple(torch.broadcast_shapes(a, b))
    except RuntimeError:
        with pytest.raises(tensors.BroadcastError) as err:
            tensors.broadcast_shape(a, b)
        assert str(err.value) == torch_add_error(a, b)  # the very message torch raises for a + b
    else:
        assert tensors.broadcast_shape(a, b) == expected == tuple((torch.zeros(a) + torch.zeros(b)).shape)


@settings(max_examples=60, deadline=None)
@given(a=shapes, b=shapes)
def test_add_numbered_reports_torchs_result_or_message(a, b):
    total, error = tensors.add_numbered(a, b)
    assert error == tensors.broadcast_error(a, b)
    if error is None:
        A, B = tensors.expanded_operands(a, b)
        assert torch.equal(A + B, total)
        assert all(torch.equal(x, y) for x, y in zip((A, B), torch.broadcast_tensors(
            tensors.numbered(a), tensors.numbered(b, 100)), strict=True))


@pytest.mark.parametrize("a, b", [((3, 1), (1, 2)), ((2, 1, 4), (3, 1)), ((4,), (2, 3, 1))])
def test_expanding_copies_nothing(a, b):
    A, B = tensors.expanded_operands(a, b)
    for T, shape in ((A, a), (B, b)):
        assert T.untyped_storage().nbytes() == tensors.numbered(shape).numel() * T.element_size() < T.nbytes
        assert 0 in T.stride()


@pytest.mark.parametrize("op, np_op", [("==", np.equal), ("<", np.less), (">", np.greater), ("<=", np.less_equal),
                                       (">=", np.greater_equal), ("!=", np.not_equal)])
def test_compare_matches_numpy(op, np_op):
    rng = np.random.default_rng(0)
    X, Y = rng.integers(0, 4, (3, 4)), rng.integers(0, 4, (3, 4))
    mask = tensors.compare(torch.tensor(X), torch.tensor(Y), op)
    assert mask.dtype == torch.bool and np.array_equal(mask.numpy(), np_op(X, Y))


def test_unknown_comparison_is_refused():
    with pytest.raises(ValueError, match="unknown comparison"):
        tensors.compare(tensors.book_X(), tensors.book_Y(), "<>")


@pytest.mark.parametrize("statement, y, x, same, alias", [
    ("Y = Y + X", (3, 4), (3, 4), False, False),
    ("Y[:] = Y + X", (3, 4), (3, 4), True, True),
    ("Y += X", (3, 4), (1, 4), True, True),
    ("Y = Y + X", (1, 4), (3, 4), False, False),
])
def test_assign_sum_memory(statement, y, x, same, alias):
    out = tensors.assign_sum(statement, torch.ones(x), torch.ones(y))
    assert (out.same_memory, out.alias_updated, out.error) == (same, alias, None)
    assert torch.equal(out.Y, torch.ones(y) + torch.ones(x))


@pytest.mark.parametrize("statement", ["Y[:] = Y + X", "Y += X"])
def test_in_place_cannot_grow_y(statement):
    out = tensors.assign_sum(statement, torch.ones(3, 4), torch.ones(1, 4))
    Y, X = torch.ones(1, 4), torch.ones(3, 4)
    with pytest.raises(RuntimeError) as err:
        exec(statement, {}, {"X": X, "Y": Y})  # the statement itself, run by Python on real tensors
    assert out.Y is None and out.error == str(err.value)


# --- exercise 2.1.1: the masks recomputed with NumPy ------------------------------------------------------------

@pytest.mark.parametrize("seed", range(6))
def test_2_1_1_reference_matches_numpy(seed):
    Y = np.array(variant_params("2.1.1", seed)["Y"], dtype=np.float32)
    X = np.arange(12, dtype=np.float32).reshape(3, 4)
    ans = solve("2.1.1", seed).answer
    assert ans["lt"] == (X < Y).astype(float).tolist() and ans["gt"] == (X > Y).astype(float).tolist()
    assert ans["dtype"] == (X < Y).dtype.name  # numpy also calls it "bool"
    assert check("2.1.1", ans, seed=seed).correct


def test_2_1_1_seed_0_is_the_book():
    assert torch.equal(torch.tensor(variant_params("2.1.1", 0)["Y"], dtype=torch.float32), tensors.book_Y())


@pytest.mark.parametrize("typed", [
    {"dtype": "bool", "lt": "1 0 1 0; 0 0 0 0; 0 0 0 0", "gt": "[[0,0,0,0],[1,1,1,1],[1,1,1,1]]"},
])
def test_2_1_1_accepts_typed_answers(typed):
    assert check("2.1.1", typed).correct


@pytest.mark.parametrize("wrong", registry.get("2.1.1").wrong, ids=lambda w: w.why)
def test_2_1_1_rejects_wrong_answers(wrong):
    assert check("2.1.1", wrong.answer).score < 1


# --- exercise 2.1.2: the shapes recomputed by adding real tensors ----------------------------------------------

@pytest.mark.parametrize("seed", range(12))
def test_2_1_2_reference_matches_torch(seed):
    p = variant_params("2.1.2", seed)
    ans = solve("2.1.2", seed).answer
    assert ans["shape"] == tuple((torch.zeros(p["a"]) + torch.zeros(p["b"])).shape)
    assert ans["ok"] == ("no" if torch_add_error(p["c"], p["d"]) else "yes")
    assert check("2.1.2", ans, seed=seed).correct


@pytest.mark.parametrize("seed", range(1, 30))
def test_2_1_2_variants_stretch_both_operands(seed):
    p = variant_params("2.1.2", seed)
    shape = tensors.broadcast_shape(p["a"], p["b"])
    assert len(p["a"]) == len(p["c"]) == 3 and shape != p["a"] and shape != p["b"]


@pytest.mark.parametrize("typed", ["(2, 3, 4)", "2x3x4", "torch.Size([2, 3, 4])"])
def test_2_1_2_accepts_typed_shapes(typed):
    assert check("2.1.2", {"shape": typed, "ok": "yes"}).correct


@pytest.mark.parametrize("wrong", registry.get("2.1.2").wrong, ids=lambda w: w.why)
def test_2_1_2_rejects_wrong_answers(wrong):
    assert check("2.1.2", wrong.answer).score < 1


# --- pages ---------------------------------------------------------------------------------------------------------

def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_comparison_widget_reruns_with_operator_and_edited_cells():
    at = open_app("pages/exercise.py", id="2.1.1")
    assert not at.exception and metric(at, "Number of True") == "2" and metric(at, "dtype") == "torch.bool"
    at.radio(key="w-2.1.1-op").set_value("gt").run()
    assert not at.exception and metric(at, "Number of True") == "8"
    at.session_state["w-2.1.1-Y"] = {"edited_rows": {1: {"0": 10.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception and metric(at, "Number of True") == "7"  # x = 4 is no longer > y = 10
    at.session_state["w-2.1.1-X"] = {"edited_rows": {0: {"0": None}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception and at.info  # an emptied cell is NaN, and the page says how NaN compares


def test_broadcasting_widget_shows_result_shape_and_torch_error():
    at = open_app("pages/exercise.py", id="2.1.2", p="a:2x1x4,b:3x1")
    assert not at.exception and "[2, 3, 4]" in at.success[0].value
    at.number_input(key="w-2.1.2-b-n").set_value(3).run()  # B becomes (3, 1, 1)
    assert not at.exception and at.error and "must match the size of tensor b (3)" in at.error[0].value
    at.number_input(key="w-2.1.2-b-0").set_value(1).run()  # B becomes (1, 1, 1)
    assert not at.exception and "[2, 1, 4]" in at.success[0].value
    at.number_input(key="w-2.1.2-a-n").set_value(0).run()  # A becomes a scalar
    assert not at.exception and "[1, 1, 1]" in at.success[0].value
    for k in (1, 2):
        at.number_input(key=f"w-2.1.2-b-{k}").set_value(6).run()
    assert not at.exception and "[1, 6, 6]" in at.success[0].value and "stride" in all_text(at)


def test_memory_demo_on_the_chapter_page():
    at = open_app("pages/ch02.py")
    assert not at.exception
    table = next(df.value for df in at.dataframe if "statement" in df.value.columns)
    assert list(table["same memory?"]) == ["no", "yes", "yes"]
    at.selectbox(key="demo-2.1-y").set_value("1x4")
    at.selectbox(key="demo-2.1-x").set_value("3x4").run()  # now Y would have to grow: only Y = Y + X works
    table = next(df.value for df in at.dataframe if "statement" in df.value.columns)
    assert not at.exception and list(table["error"].astype(bool)) == [False, True, True]
    assert list(table["new shape of Y"]) == ["(3, 4)", "—", "—"]
