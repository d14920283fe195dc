"""Section 2.3: d2lcore.linalg against torch / numpy / brute force, norm axioms (hypothesis), every reference answer
of 2.3.1–2.3.8 verified by another route, the wrong answers, and the widgets and section demo moved in AppTest."""

import itertools
import math

import numpy as np
import pytest
import sympy as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from d2lcore import linalg
from exercises import check, registry
from solutions import solve, variant_params
from tests.apptest import all_text, open_app

IDS = [f"2.3.{k}" for k in range(1, 9)]
P_NORMS = [1.0, 1.5, 2.0, 3.0, 7.0, math.inf]
P_ALL = [0.3, 0.5, 0.9, *P_NORMS]
finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
vectors = st.integers(1, 8).flatmap(lambda n: st.lists(finite, min_size=n, max_size=n)).map(
    lambda v: torch.tensor(v, dtype=torch.float64))
pairs = st.integers(1, 8).flatmap(lambda n: st.tuples(*(st.lists(finite, min_size=n, max_size=n),) * 2)).map(
    lambda vw: tuple(torch.tensor(v, dtype=torch.float64) for v in vw))
shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple)


def assert_matches_torch(ours, reference, *args, rtol=1e-12, atol=1e-12, **kwargs):
    """Same shape, same dtype, same values (float64, named tolerances)."""
    got, want = ours(*args, **kwargs), reference(*args, **kwargs)
    assert got.shape == want.shape and got.dtype == want.dtype
    torch.testing.assert_close(got, want, rtol=rtol, atol=atol)


def randn(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


# ---------------------------------------------------------------- norms against torch


@pytest.mark.parametrize("p", P_ALL)
@pytest.mark.parametrize("dim, keepdim", [(None, False), (0, False), (1, True), (-1, False)])
def test_lp_norm_matches_torch_vector_norm(p, dim, keepdim):
    assert_matches_torch(lambda x: linalg.lp_norm(x, p, dim, keepdim),
                         lambda x: torch.linalg.vector_norm(x, ord=p, dim=dim, keepdim=keepdim), randn(5, 4))


@pytest.mark.parametrize("x", [pytest.param(1e200 * randn(6), id="huge"), pytest.param(1e-200 * randn(6), id="tiny")])
@pytest.mark.parametrize("p", [2.0, 50.0])
def test_lp_norm_neither_overflows_nor_underflows(x, p):
    torch.testing.assert_close(linalg.lp_norm(x, p) / x.abs().max(), linalg.lp_norm(x / x.abs().max(), p))


@pytest.mark.parametrize("shape", [(4, 9), (1, 1), (3, 7)])
def test_frobenius_norm_matches_torch_matrix_norm(shape):
    assert_matches_torch(linalg.frobenius_norm, lambda X: torch.linalg.matrix_norm(X, ord="fro"), randn(*shape))


def test_frobenius_of_the_books_ones_matrix_is_six():
    assert float(linalg.frobenius_norm(torch.ones(4, 9))) == 6.0


@pytest.mark.parametrize("bad", [torch.ones(3), torch.ones(2, 3, 4)])
def test_frobenius_norm_refuses_a_non_matrix(bad):
    with pytest.raises(ValueError, match="matrix"):
        linalg.frobenius_norm(bad)


@pytest.mark.parametrize("p", [0.0, -1.0])
def test_lp_norm_refuses_non_positive_p(p):
    with pytest.raises(ValueError, match="positive"):
        linalg.lp_norm(torch.ones(3), p)


def test_flat_l2_is_linalg_norm_for_any_shape():
    for shape in [(5,), (2, 3), (2, 3, 4), (2, 1, 3, 2, 2)]:
        X = randn(*shape, seed=len(shape))
        torch.testing.assert_close(linalg.flat_l2(X), torch.linalg.norm(X), rtol=1e-12, atol=0)


# ---------------------------------------------------------------- norm axioms (hypothesis)


@settings(max_examples=80, deadline=None)
@given(x=vectors, p=st.sampled_from(P_ALL))
def test_norm_is_non_negative_and_definite(x, p):
    n = float(linalg.lp_norm(x, p))
    assert n >= 0 and (n == 0) == bool((x == 0).all()) and float(linalg.lp_norm(torch.zeros_like(x), p)) == 0


@settings(max_examples=80, deadline=None)
@given(x=vectors, alpha=st.floats(-1e3, 1e3), p=st.sampled_from(P_ALL))
def test_norm_is_absolutely_homogeneous(x, alpha, p):
    assert float(linalg.lp_norm(alpha * x, p)) == pytest.approx(abs(alpha) * float(linalg.lp_norm(x, p)),
                                                               rel=1e-9, abs=1e-300)


@settings(max_examples=120, deadline=None)
@given(xy=pairs, p=st.sampled_from(P_NORMS))
def test_triangle_inequality_holds_for_p_at_least_one(xy, p):
    x, y = xy
    assert linalg.triangle_gap(x, y, p) <= 1e-9 * (1 + float(linalg.lp_norm(x, p) + linalg.lp_norm(y, p)))


@settings(max_examples=80, deadline=None)
@given(xy=pairs, p=st.sampled_from([0.3, 0.5, 0.9]))
def test_only_the_quasi_triangle_inequality_holds_below_one(xy, p):
    x, y = xy
    bound = 2 ** (1 / p - 1) * float(linalg.lp_norm(x, p) + linalg.lp_norm(y, p))
    assert float(linalg.lp_norm(x + y, p)) <= bound * (1 + 1e-9) + 1e-12


@pytest.mark.parametrize("p", [0.25, 0.5, 0.75, 0.99])
def test_triangle_inequality_fails_below_one(p):
    e1, e2 = torch.eye(2, dtype=torch.float64)
    assert linalg.triangle_gap(e1, e2, p) == pytest.approx(2 ** (1 / p) - 2) and 2 ** (1 / p) - 2 > 0
    assert not linalg.is_norm(p) and linalg.is_norm(1.0) and linalg.is_norm(math.inf)


@settings(max_examples=80, deadline=None)
@given(x=vectors)
def test_lp_norm_decreases_to_the_max_norm(x):
    n, top = x.numel(), float(linalg.lp_norm(x, math.inf))
    values = [float(linalg.lp_norm(x, p)) for p in (1, 2, 4, 16, 64, 256)]
    assert all(a >= b * (1 - 1e-12) for a, b in itertools.pairwise(values))  # monotone in p
    for p, v in zip((1, 2, 4, 16, 64, 256), values, strict=True):  # ‖x‖∞ ≤ ‖x‖p ≤ n^(1/p)‖x‖∞
        assert top * (1 - 1e-12) <= v <= n ** (1 / p) * top * (1 + 1e-12)
    assert values[-1] == pytest.approx(top, rel=n ** (1 / 256) - 1 + 1e-12)


# ---------------------------------------------------------------- unit balls, outliers


@pytest.mark.parametrize("p", P_ALL)
def test_unit_ball_boundary_lies_on_the_unit_sphere_and_closes(p):
    xy = linalg.unit_ball_boundary(p, 181)
    torch.testing.assert_close(torch.linalg.vector_norm(xy, ord=p, dim=1), torch.ones(181, dtype=torch.float64))
    torch.testing.assert_close(xy[0], xy[-1])


@pytest.mark.parametrize("p", P_ALL)
def test_unit_ball_is_convex_exactly_for_norms(p):
    xy = linalg.unit_ball_boundary(p, 121)
    mid = (xy[:, None, :] + xy[None, :, :]) / 2  # midpoints of all pairs of boundary points
    worst = float(linalg.lp_norm(mid, p, dim=-1).max())
    assert (worst <= 1 + 1e-9) is linalg.is_norm(p)


def test_l1_and_l2_centers_are_the_brute_force_minimisers():
    x = torch.from_numpy(np.random.default_rng(0).normal(0, 1, 21))
    grid = torch.linspace(-3, 3, 60_001, dtype=torch.float64)
    l1 = (x[None, :] - grid[:, None]).abs().sum(1)
    l2 = ((x[None, :] - grid[:, None]) ** 2).sum(1)
    assert float(linalg.l1_center(x)) == pytest.approx(float(grid[l1.argmin()]), abs=2e-4)
    assert float(linalg.l2_center(x)) == pytest.approx(float(grid[l2.argmin()]), abs=2e-4)


@pytest.mark.parametrize("o", [5.0, 50.0, 500.0])
def test_an_outlier_drags_the_mean_but_barely_the_median(o):
    e = torch.from_numpy(np.random.default_rng(1).normal(0, 1, 20))
    x = torch.cat([e, e.new_tensor([o])])
    assert float(linalg.l2_center(x) - linalg.l2_center(e)) == pytest.approx((o - float(e.mean())) / 21)
    xs = e.sort().values  # the median of 21 points is the 11th; of the 20 clean ones the mean of the 10th and 11th
    assert float(linalg.l1_center(x)) == float(xs[10]) and abs(float(linalg.l1_center(x) - linalg.l1_center(e))) < 0.5
    assert linalg.loss_share(x, -1, 2) > linalg.loss_share(x, -1, 1)


def test_loss_share_by_hand():
    x = torch.tensor([1.0, -2.0, 3.0])
    assert linalg.loss_share(x, -1, 1) == pytest.approx(3 / 6) and linalg.loss_share(x, 1, 2) == pytest.approx(4 / 14)


# ---------------------------------------------------------------- reductions, broadcasting, len


@settings(max_examples=100, deadline=None)
@given(shape=shapes, data=st.data(), keepdims=st.booleans(), op=st.sampled_from(["sum", "mean"]))
def test_reduced_shape_and_reduction_match_torch_and_numpy(shape, data, keepdims, op):
    axes = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1),
                               st.lists(st.integers(0, len(shape) - 1), min_size=1, unique=True).map(tuple)))
    X = torch.arange(math.prod(shape), dtype=torch.float64).reshape(shape)
    out = linalg.reduction(X, op, axes, keepdims)
    want = getattr(np, op)(X.numpy(), axis=axes, keepdims=keepdims)
    assert tuple(out.shape) == np.shape(want) == linalg.reduced_shape(shape, axes, keepdims)
    np.testing.assert_allclose(out.numpy(), want)


@settings(max_examples=150, deadline=None)
@given(a=st.lists(st.sampled_from([1, 1, 2, 3, 4, 5]), max_size=3).map(tuple),
       b=st.lists(st.sampled_from([1, 1, 2, 3, 4, 5]), max_size=3).map(tuple))
def test_broadcast_shape_matches_torch(a, b):
    try:
        want = tuple(torch.broadcast_shapes(a, b))
    except RuntimeError:
        with pytest.raises(ValueError, match="do not broadcast"):
            linalg.broadcast_shape(a, b)
    else:
        assert linalg.broadcast_shape(a, b) == want


def numpy_division_outcome(m: int, n: int) -> str:
    """The outcome of A / A.sum(axis=1), found with numpy's broadcasting instead of torch's."""
    A = np.arange(m * n, dtype=np.float64).reshape(m, n)
    try:
        with np.errstate(invalid="ignore", divide="ignore"):
            out = A / A.sum(axis=1)
    except ValueError:
        return "error"
    if out.shape != A.shape:
        return "wrong_shape"
    with np.errstate(invalid="ignore", divide="ignore"):
        right = A / A.sum(axis=1, keepdims=True)
    return "correct" if np.allclose(out, right, equal_nan=True) else "wrong_values"


@pytest.mark.parametrize("m", range(1, 7))
@pytest.mark.parametrize("n", range(1, 7))
def test_division_outcome_matches_numpy(m, n):
    assert linalg.division_outcome(linalg.section_matrix(m, n)) == numpy_division_outcome(m, n)


def test_the_sections_matrix_raises_torchs_broadcast_error_and_keepdims_normalises_rows():
    A = linalg.section_matrix()
    out, err = linalg.attempt(linalg.divide_by_row_sums, A, keepdims=False)
    assert out is None and err == ("RuntimeError: The size of tensor a (4) must match the size of tensor b (5) "
                                   "at non-singleton dimension 1")
    rows = linalg.divide_by_row_sums(A, keepdims=True).sum(dim=1)
    torch.testing.assert_close(rows, torch.ones(5))


@pytest.mark.parametrize("shape", [(2, 3, 4), (7,), (1, 5), (3, 1, 1, 2)])
def test_tensor_len_is_the_first_axis(shape):
    assert linalg.tensor_len(shape) == len(np.zeros(shape)) == shape[0]


def test_len_of_a_scalar_raises_type_error():
    with pytest.raises(TypeError):
        linalg.tensor_len(())
    assert linalg.attempt(linalg.tensor_len, ())[1].startswith("TypeError")


# ---------------------------------------------------------------- transposes: explicit matrices and torch


def instantiate(expr: sp.Expr, mats: dict[str, sp.Matrix], i: int, j: int) -> sp.Expr:
    """aij → A[i, j], aji → A[j, i], bji → B[j, i] … for the explicit matrices `mats` (keyed 'a', 'b')."""
    subs = {}
    for s in expr.free_symbols:
        name, idx = s.name[0], s.name[1:]
        r, c = (i, j) if idx == "ij" else (j, i)
        subs[s] = mats[name][r, c]
    return expr.xreplace(subs)


def explicit(name: str, m: int, n: int) -> sp.Matrix:
    return sp.Matrix(m, n, lambda r, c: sp.Symbol(f"{name}_{r}_{c}"))


@pytest.mark.parametrize("m, n", [(1, 1), (2, 3), (3, 2), (4, 4)])
def test_2_3_1_entries_on_explicit_matrices_and_random_tensors(m, n):
    ans = solve("2.3.1").answer
    A = explicit("a", m, n)
    for i in range(n):
        for j in range(m):
            assert instantiate(ans["entryT"], {"a": A}, i, j) == A.T[i, j]
    for i in range(m):
        for j in range(n):
            assert instantiate(ans["entryTT"], {"a": A}, i, j) == A.T.T[i, j] == A[i, j]
    R = randn(m, n, seed=m * 10 + n)
    f = sp.lambdify(sp.symbols("aij aji"), ans["entryTT"])
    assert torch.equal(R.T.T, R) and all(f(R[i, j], R[j, i] if j < m and i < n else 0) == R.T.T[i, j]
                                         for i in range(m) for j in range(n))


@pytest.mark.parametrize("m, n", [(1, 1), (2, 3), (3, 2), (3, 3)])
def test_2_3_2_entries_on_explicit_matrices_and_random_tensors(m, n):
    ans = solve("2.3.2").answer
    A, B = explicit("a", m, n), explicit("b", m, n)
    for i in range(n):
        for j in range(m):
            assert instantiate(ans["lhs"], {"a": A, "b": B}, i, j) == (A.T + B.T)[i, j]
            assert instantiate(ans["rhs"], {"a": A, "b": B}, i, j) == (A + B).T[i, j]
    RA, RB = randn(m, n, seed=1), randn(m, n, seed=2)
    assert torch.equal(RA.T + RB.T, (RA + RB).T)
    f = sp.lambdify(sp.symbols("aji bji"), ans["rhs"])
    assert all(f(RA[j, i], RB[j, i]) == (RA + RB).T[i, j] for i in range(n) for j in range(m))


@pytest.mark.parametrize("n", [1, 2, 5])
def test_2_3_3_sum_with_transpose_is_symmetric_on_explicit_and_random_matrices(n):
    ans = solve("2.3.3").answer
    A = explicit("a", n, n)
    S = A + A.T
    assert S == S.T and ans["symmetric"] == "yes"
    for i in range(n):
        for j in range(n):
            assert instantiate(ans["sij"], {"a": A}, i, j) == S[i, j]
            assert instantiate(ans["sji"], {"a": A}, i, j) == S[j, i]
    R = randn(n, n, seed=n)
    assert linalg.symmetry_defect(R + R.T) == 0.0
    if n > 1:  # A need not be symmetric: that is what makes "only if A is symmetric" wrong
        assert linalg.symmetry_defect(R) > 0


def test_2_3_3_non_square_sum_fails_in_torch():
    with pytest.raises(RuntimeError, match="must match"):
        torch.ones(2, 3) + torch.ones(2, 3).T


# ---------------------------------------------------------------- exercises 2.3.4–2.3.8 by another route


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 77])
def test_2_3_4_len_is_numpys_len(seed):
    shape = variant_params("2.3.4", seed)["shape"]
    assert solve("2.3.4", seed).answer["length"] == len(np.zeros(shape)) == shape[0]
    assert shape[0] != len(shape)  # variants keep len(X) and X.ndim apart


@pytest.mark.parametrize("seed", [0, 1, 5])
def test_2_3_5_first_axis_rule_holds_in_numpy_and_scalars_raise(seed):
    ans, shape = solve("2.3.5", seed).answer, variant_params("2.3.5", seed)["shape"]
    assert ans["axis"] == "first" and ans["length"] == len(np.zeros(shape)) == shape[0]
    assert all(len(torch.zeros(s)) == s[0] for s in [(1,), (6, 1), (2, 7, 3), (3, 2, 2, 5, 1)])
    with pytest.raises(TypeError):
        len(torch.tensor(3.0))
    assert ans["scalar"] == "error"


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5, 6])
def test_2_3_6_outcome_and_shapes_match_numpy(seed):
    m, n = variant_params("2.3.6", seed).values()
    ans = solve("2.3.6", seed).answer
    A = np.arange(m * n, dtype=np.float64).reshape(m, n)
    assert ans["outcome"] == numpy_division_outcome(m, n)
    assert ans["sumshape"] == A.sum(axis=1).shape and ans["keepshape"] == A.sum(axis=1, keepdims=True).shape
    assert ans["outcome"] == ("error" if m != n else "wrong_values")  # square variants run silently, wrongly


def test_2_3_6_square_variant_divides_columns_by_row_sums():
    m, n = variant_params("2.3.6", 1).values()
    assert m == n
    A = np.arange(n * n, dtype=np.float64).reshape(n, n)
    out = linalg.divide_by_row_sums(linalg.section_matrix(n, n), keepdims=False).double().numpy()
    np.testing.assert_allclose(out, A / A.sum(axis=1)[None, :], rtol=1e-6)  # column j / (sum of row j)
    assert not np.allclose(out.sum(axis=1), 1)


@pytest.mark.parametrize("seed", [0, 1, 2, 77])
def test_2_3_7_shapes_match_numpy(seed):
    shape = variant_params("2.3.7", seed)["shape"]
    ans = solve("2.3.7", seed).answer
    assert [ans[f"s{k}"] for k in range(3)] == [np.zeros(shape).sum(axis=k).shape for k in range(3)]


@pytest.mark.parametrize("seed", [0, 1, 2, 77])
def test_2_3_8_value_is_the_root_of_the_sum_of_squares_in_exact_arithmetic(seed):
    params = variant_params("2.3.8", seed)
    ans = solve("2.3.8", seed).answer
    assert ans["value"] == pytest.approx(math.sqrt(sum(k * k for k in range(params["numel"]))), rel=1e-6)
    assert ans["computes"] == "flat2" and len(params["shape"]) >= 3
    with pytest.raises(RuntimeError, match="1D or 2D"):
        torch.linalg.norm(torch.ones(params["shape"]), ord=2)
    assert ans["withord"] == "error"


def test_2_3_8_book_tensor_value():
    assert solve("2.3.8").answer["value"] == pytest.approx(math.sqrt(4324), rel=1e-6)


# ---------------------------------------------------------------- the checker on references and wrong answers


@pytest.mark.parametrize("exercise_id, typed", [
    ("2.3.1", {"entryT": "aji", "entryTT": "aij"}),
    ("2.3.2", {"lhs": "bji + aji", "rhs": "aji+bji"}),
    ("2.3.3", {"symmetric": "yes", "sij": "aji + aij", "sji": "aij + aji", "why": "addition commutes"}),
    ("2.3.4", {"length": "2"}),
    ("2.3.5", {"axis": "first", "length": "2", "scalar": "error"}),
    ("2.3.6", {"outcome": "error", "sumshape": "torch.Size([5])", "keepshape": "5x1"}),
    ("2.3.7", {"s0": "(3, 4)", "s1": "2x4", "s2": "torch.Size([2, 3])"}),
    ("2.3.8", {"computes": "flat2", "value": "sqrt(4324)", "withord": "error"}),
])
def test_typed_answers_are_accepted(exercise_id, typed):
    assert check(exercise_id, typed).correct


@pytest.mark.parametrize("exercise_id, typed", [
    ("2.3.4", {"length": "2"}),  # the book's answer; variant 1 has shape (4, 5, 6)
    ("2.3.6", {"outcome": "error", "sumshape": "(4,)", "keepshape": "(4, 1)"}),  # the square variant runs silently
])
def test_book_answer_is_wrong_for_a_variant(exercise_id, typed):
    assert not check(exercise_id, typed, seed=1).correct


def test_every_exercise_of_the_section_is_live_with_a_widget():
    assert [ex.id for ex in registry.all() if ex.section == "2.3"] == IDS
    assert all(registry.get(i).widget and registry.get(i).widget.startswith("ui.widgets.sec2_3:") for i in IDS)


# ---------------------------------------------------------------- pages: every widget moved once


def widget(at, kind, key):
    return getattr(at, kind)(key=key)


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_2_3_1_widget():
    at = open_app("pages/exercise.py", id="2.3.1")
    assert r"\mathbf A^\top" in all_text(at) and "a_{12}" in all_text(at)
    for kind, key, value in [("slider", "w-2.3.1-m", 4), ("slider", "w-2.3.1-n", 2), ("number_input", "w-2.3.1-i", 3),
                             ("number_input", "w-2.3.1-j", 1), ("toggle", "w-2.3.1-num", True)]:
        widget(at, kind, key).set_value(value).run()
        assert not at.exception
    assert "a_{31}" in all_text(at) and r"4\times2" in all_text(at) and "a_{12}" not in all_text(at)


def test_2_3_2_widget():
    at = open_app("pages/exercise.py", id="2.3.2")
    before = all_text(at)
    widget(at, "slider", "w-2.3.2-m").set_value(3).run()
    widget(at, "slider", "w-2.3.2-n").set_value(3).run()
    assert not at.exception and metric(at, "max |(AB)ᵀ − BᵀAᵀ|  (order reversed)") == "0"
    widget(at, "number_input", "w-2.3.2-seed").set_value(5).run()
    assert not at.exception and all_text(at) != before and "✅" in all_text(at)


def test_2_3_3_widget():
    at = open_app("pages/exercise.py", id="2.3.3")
    assert metric(at, "Largest |sᵢⱼ − sⱼᵢ| of A + Aᵀ") == "0"
    widget(at, "number_input", "w-2.3.3-seed").set_value(9).run()
    widget(at, "slider", "w-2.3.3-n").set_value(3).run()
    assert not at.exception and at.error and "must match" in at.error[0].value  # 4×3: A + Aᵀ does not exist
    widget(at, "slider", "w-2.3.3-m").set_value(3).run()
    assert not at.error and metric(at, "Largest |sᵢⱼ − sⱼᵢ| of A + Aᵀ") == "0"


@pytest.mark.parametrize("exercise_id", ["2.3.4", "2.3.5"])
def test_len_widget(exercise_id):
    at = open_app("pages/exercise.py", id=exercise_id)
    assert metric(at, "len(X)") == "2"
    widget(at, "number_input", f"w-{exercise_id}-d0").set_value(5).run()
    assert metric(at, "len(X)") == "5" and metric(at, "X.numel()") == "60"
    widget(at, "slider", f"w-{exercise_id}-k").set_value(5).run()
    widget(at, "number_input", f"w-{exercise_id}-d4").set_value(3).run()
    assert metric(at, "X.ndim") == "5" and metric(at, "len(X)") == "5"
    widget(at, "slider", f"w-{exercise_id}-k").set_value(0).run()
    assert not at.exception and metric(at, "len(X)") == "TypeError" and at.warning


def test_2_3_6_widget():
    at = open_app("pages/exercise.py", id="2.3.6")
    assert "size of tensor a (4) must match the size of tensor b (5)" in at.error[0].value
    widget(at, "toggle", "w-2.3.6-keep").set_value(True).run()
    assert not at.exception and not at.error and at.success
    widget(at, "toggle", "w-2.3.6-keep").set_value(False).run()
    widget(at, "slider", "w-2.3.6-m").set_value(4).run()
    assert not at.exception and not at.error and at.warning  # square: runs, wrong numbers
    widget(at, "slider", "w-2.3.6-n").set_value(6).run()
    assert at.error and "(6) must match the size of tensor b (4)" in at.error[0].value


def test_2_3_7_widget():
    at = open_app("pages/exercise.py", id="2.3.7")
    assert "(3, 4)" in at.code[0].value
    widget(at, "selectbox", "w-2.3.7-axis").set_value("a12").run()
    widget(at, "toggle", "w-2.3.7-keep").set_value(True).run()
    assert not at.exception and "(2, 1, 1)" in at.code[0].value
    widget(at, "radio", "w-2.3.7-op").set_value("mean").run()
    widget(at, "slider", "w-2.3.7-a").set_value(3).run()
    widget(at, "slider", "w-2.3.7-b").set_value(2).run()
    widget(at, "slider", "w-2.3.7-c").set_value(5).run()
    assert not at.exception and "X.mean(axis=(1, 2), keepdims=True)" in at.code[0].value
    assert "(3, 1, 1)" in at.code[0].value


def test_2_3_8_widget():
    at = open_app("pages/exercise.py", id="2.3.8")
    assert metric(at, "torch.linalg.norm(X)") == metric(at, "√(Σ x²)") == "65.7571"
    widget(at, "selectbox", "w-2.3.8-ord").set_value("o2").run()
    assert at.error and "1D or 2D" in at.error[0].value
    widget(at, "selectbox", "w-2.3.8-dim").set_value("last2").run()
    assert not at.exception and not at.error  # ord=2 over the last two axes: one spectral norm per slice
    widget(at, "toggle", "w-2.3.8-rnd").set_value(True).run()
    widget(at, "slider", "w-2.3.8-k").set_value(4).run()
    widget(at, "number_input", "w-2.3.8-d3").set_value(3).run()
    assert not at.exception and metric(at, "torch.linalg.norm(X)") == metric(at, "√(Σ x²)")


def demo_app(view: str) -> AppTest:
    def page():
        from ui.widgets.sec2_3 import section_demo

        section_demo("demo-2.3")

    at = AppTest.from_function(page, default_timeout=60).run()
    return at.radio(key="demo-2.3-view").set_value(view).run()


def table(at, index):
    return at.dataframe[index].value


def test_section_demo_vector_norms():
    at = demo_app("norms")
    norms = table(at, 0)
    assert list(norms.iloc[:3, 1]) == [7.0, 5.0, 4.0]  # u = (3, −4): L1, L2, L∞
    assert (norms.iloc[:, 1] == norms.iloc[:, 2]).all()  # ours = torch
    widget(at, "slider", "demo-2.3-vec-d").set_value(3).run()
    widget(at, "number_input", "demo-2.3-vec-x2").set_value(12.0).run()
    assert not at.exception and table(at, 0).iloc[1, 1] == 13.0  # ‖(3, −4, 12)‖₂
    widget(at, "number_input", "demo-2.3-vec-x0").set_value(0.0).run()
    widget(at, "select_slider", "demo-2.3-vec-p").set_value(0.5).run()
    assert not at.exception and any("not a norm" in w.value for w in at.warning)


def test_section_demo_unit_ball():
    at = demo_app("ball")
    assert any("NOT a norm" in w.value and "4.000 > 2" in w.value for w in at.warning)
    widget(at, "select_slider", "demo-2.3-ball-p").set_value(2.0).run()
    assert not at.exception and any("0.707" in s.value for s in at.success)
    widget(at, "select_slider", "demo-2.3-ball-p").set_value(math.inf).run()
    assert not at.exception and any("0.500" in s.value for s in at.success)


def test_section_demo_outlier():
    at = demo_app("outlier")
    widget(at, "slider", "demo-2.3-outl-out").set_value(0.0).run()
    small = float(metric(at, "Mean moved by"))
    widget(at, "slider", "demo-2.3-outl-out").set_value(50.0).run()
    assert not at.exception and float(metric(at, "Mean moved by")) > small + 2
    assert abs(float(metric(at, "Median moved by"))) < 0.5
    assert float(metric(at, "Outlier's share of L2²").rstrip("%")) > float(metric(at, "Outlier's share of L1")
                                                                              .rstrip("%"))


def test_section_demo_frobenius():
    at = demo_app("fro")
    assert metric(at, "d2lcore frobenius_norm(X)") == metric(at, "torch.linalg.matrix_norm(X)") == "6.0000"
    widget(at, "slider", "demo-2.3-fro-fm").set_value(2).run()
    widget(at, "slider", "demo-2.3-fro-fn").set_value(8).run()
    assert metric(at, "d2lcore frobenius_norm(X)") == "4.0000"
    widget(at, "toggle", "demo-2.3-fro-ones").set_value(False).run()
    assert not at.exception and metric(at, "d2lcore frobenius_norm(X)") == metric(at, "‖vec(X)‖₂")


def test_section_demo_reductions():
    at = demo_app("reduce")
    shapes_table = table(at, 0)
    assert list(shapes_table.iloc[1:4, 1]) == ["(3, 4)", "(2, 4)", "(2, 3)"]
    widget(at, "selectbox", "demo-2.3-red-axis").set_value("all").run()
    widget(at, "radio", "demo-2.3-red-op").set_value("mean").run()
    widget(at, "toggle", "demo-2.3-red-keep").set_value(True).run()
    code = next(c.value for c in at.code if "X.mean" in c.value)
    assert not at.exception and "(1, 1, 1)" in code and "11.5" in code


def test_section_demo_keepdims():
    at = demo_app("keepdims")
    assert any("(4) must match the size of tensor b (5)" in e.value for e in at.error)
    widget(at, "toggle", "demo-2.3-keep-keep").set_value(True).run()
    assert not at.exception and not at.error and at.success


def test_chapter_page_shows_the_section_demo_and_cards():
    at = open_app("pages/ch02.py", lang="zh")
    assert not at.exception
    assert at.radio(key="demo-2.3-view").value == "norms" and "2.3.8 · " in all_text(at)


@pytest.mark.parametrize("exercise_id, p, key, value", [
    ("2.3.7", "a:3,b:2,c:5,op:mean,axis:a12,keep:1", "w-2.3.7-axis", "a12"),
    ("2.3.8", "k:4,d0:2,d1:2,d2:2,d3:3,rnd:1,ord:oinf,dim:last2", "w-2.3.8-ord", "oinf"),
    ("2.3.1", "m:4,n:2,num:1,i:3,j:1", "w-2.3.1-i", 3),
])
def test_share_link_reproduces_the_widget(exercise_id, p, key, value):
    at = open_app("pages/exercise.py", id=exercise_id, p=p)
    assert not at.exception
    assert next(w for kind in ("selectbox", "number_input") for w in getattr(at, kind) if w.key == key).value == value
    assert f"p={p}" in at.code[-1].value  # the card's own link carries the same values back out


@pytest.mark.parametrize("exercise_id, seed, shown", [
    ("2.3.1", 0, "a_{13}"), ("2.3.3", 0, "must match"), ("2.3.6", 1, "no error warns you"),
    ("2.3.7", 0, "(2, 3, 1)"), ("2.3.8", 0, "√4324 = 65.7571"),
])
def test_solution_reveal_shows_computed_values(exercise_id, seed, shown):
    at = open_app("pages/exercise.py", id=exercise_id, seed=str(seed), lang="zh")
    at.toggle(key=f"sol-{exercise_id}").set_value(True).run()
    assert not at.exception and shown in all_text(at)
