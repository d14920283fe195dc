"""Section 2.4 (Calculus): sympy derivatives against autograd and finite differences; answers, wrong answers, pages."""

import numpy as np
import pytest
import sympy as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from d2lcore import calculus
from d2lcore.autograd import autograd_derivative
from d2lcore.calculus import a, b, x, x1, x2, x3
from exercises import check
from solutions import solve, variant_params
from tests.apptest import all_text, open_app

IDS = ["2.4.1", "2.4.2", "2.4.3", "2.4.4"]
SEEDS = [0, 1, 2, 3, 77]


def sample(domain, pole=None, n=12, seed=0):
    """n float64 points of the domain, at least 0.2 away from the pole."""
    xs = np.random.default_rng(seed).uniform(*domain, 4 * n)
    return xs[np.abs(xs - (pole if pole is not None else np.inf)) > 0.2][:n]


def assert_derivatives_agree(fn: calculus.Function1D, xs: np.ndarray, fd_tol: float = 1e-6):
    """sympy f' == autograd of the separate torch f (1e-12) ≈ central difference (O(h²))."""
    exact = np.array([float(calculus.derivative(fn.expr).subs(x, v)) for v in xs])
    auto = autograd_derivative(fn.torch_fn, xs).numpy()
    fd = calculus.central_difference(lambda v: fn.torch_fn(torch.as_tensor(v)).numpy(), xs, 1e-5)
    np.testing.assert_allclose(auto, exact, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fd, exact, rtol=fd_tol, atol=fd_tol)


def assert_gradient_matches_autograd(exprs, symbols, torch_f, points, tol=1e-10):
    P = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    torch_f(P).sum().backward()
    for i, e in enumerate(exprs):
        exact = np.array([float(e.subs(dict(zip(symbols, p, strict=True)))) for p in points])
        np.testing.assert_allclose(P.grad[:, i].numpy(), exact, rtol=tol, atol=tol)


# --- d2lcore.calculus oracles ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", list(calculus.FUNCTIONS_1D))
def test_sympy_autograd_and_central_differences_agree(key):
    fn = calculus.FUNCTIONS_1D[key]
    assert_derivatives_agree(fn, sample(fn.domain, fn.pole, seed=len(key)))


@settings(max_examples=40, deadline=None)
@given(x0=st.floats(0.3, 3.0), key=st.sampled_from(list(calculus.FUNCTIONS_1D)))
def test_tangent_touches_the_curve_with_the_same_slope(x0, key):
    fn = calculus.FUNCTIONS_1D[key]
    line = calculus.tangent_line(fn.expr, x0)
    x0q = sp.Rational(str(x0))
    assert sp.simplify(line.subs(x, x0q) - fn.expr.subs(x, x0q)) == 0
    assert float(sp.diff(line, x)) == pytest.approx(autograd_derivative(fn.torch_fn, [x0]).item(), rel=1e-9)
    assert sp.diff(line, x, 2) == 0  # a straight line


@pytest.mark.parametrize("f, h", [(np.sin, 1e-2), (np.exp, 1e-2), (lambda v: v**3 - 1 / v, 1e-2)])
def test_central_difference_error_shrinks_like_h_squared(f, h):
    exact = calculus.central_difference(f, 1.3, 1e-6)
    error = lambda step: abs(calculus.central_difference(f, 1.3, step) - exact)  # noqa: E731
    ratio = error(h) / error(h / 2)
    assert ratio == pytest.approx(4, rel=0.05)


def test_grid_keeps_away_from_the_pole():
    xs = calculus.grid((-3, 3), 241, pole=0.0)
    assert np.all(np.abs(xs) >= 0.15) and xs.min() == -3 and xs.max() == 3


@pytest.mark.parametrize("key", list(calculus.FUNCTIONS_2D))
def test_gradient_field_matches_finite_differences(key):
    fn = calculus.FUNCTIONS_2D[key]
    field = calculus.gradient_field(fn.expr, fn.box, n=6)
    f = sp.lambdify((x1, x2), fn.expr, "numpy")
    for i in (0, 7, 20, 35):
        point = (field["x1"][i], field["x2"][i])
        num = calculus.numeric_gradient(lambda p: f(*p), point)
        np.testing.assert_allclose([field["g1"][i], field["g2"][i]], num, rtol=1e-6, atol=1e-6)
    assert not np.any((field["x1"] == 0) & (field["x2"] == 0))  # even n: the kink of the norm is off the grid


@settings(max_examples=30, deadline=None)
@given(point=st.lists(st.floats(-3, 3), min_size=3, max_size=3).filter(lambda p: np.linalg.norm(p) > 0.1))
def test_norm_gradient_is_the_unit_vector_x_over_norm(point):
    g = [float(e.subs(dict(zip((x1, x2, x3), point, strict=True)))) for e in calculus.norm_gradient(3)]
    assert np.linalg.norm(g) == pytest.approx(1.0)
    np.testing.assert_allclose(g, np.array(point) / np.linalg.norm(point), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("f", list(calculus.OUTER))
@pytest.mark.parametrize("inner", [("a + b", "ab", r"\sin a"), ("a^2 b", "e^{b}", r"\cos b"), ("a - b", "ab^2", "ab")])
def test_chain_rule_sum_equals_direct_differentiation(f, inner):
    subs = dict(zip((calculus.x, calculus.y, calculus.z), (calculus.INNER[k] for k in inner), strict=True))
    composite = calculus.compose(calculus.OUTER[f], subs)
    for v in (a, b):
        assert sp.simplify(calculus.chain_rule(calculus.OUTER[f], subs, v) - sp.diff(composite, v)) == 0


# --- reference answers, verified another way ------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_2_4_1_tangent_passes_through_the_point_with_the_autograd_slope(seed):
    x0 = variant_params("2.4.1", seed)["x0"]
    line = solve("2.4.1", seed).answer["tangent"]
    f = lambda t: t**3 - 1 / t  # noqa: E731 - written here independently of d2lcore
    slope_fd = calculus.central_difference(f, float(x0), 1e-5)
    assert float(line.subs(x, sp.Rational(str(x0)))) == pytest.approx(f(float(x0)), abs=1e-12)
    assert float(sp.diff(line, x)) == pytest.approx(autograd_derivative(f, [x0]).item(), rel=1e-12)
    assert float(sp.diff(line, x)) == pytest.approx(slope_fd, rel=1e-8)


def test_2_4_1_book_answer_is_4x_minus_4():
    assert sp.expand(solve("2.4.1").answer["tangent"] - (4 * x - 4)) == 0  # the line through (1, 0) with slope 4


@pytest.mark.parametrize("seed", SEEDS)
def test_2_4_2_gradient_matches_autograd(seed):
    c1, c2 = variant_params("2.4.2", seed).values()
    ans = solve("2.4.2", seed).answer
    points = np.random.default_rng(100 + seed).uniform(-2, 2, (10, 2))
    assert_gradient_matches_autograd([ans["g1"], ans["g2"]], (x1, x2),
                                     lambda P: c1 * P[:, 0] ** 2 + c2 * torch.exp(P[:, 1]), points)


def test_2_4_3_gradient_matches_autograd_of_torch_norm():
    ans = solve("2.4.3").answer
    points = np.random.default_rng(5).uniform(-2, 2, (10, 3))
    assert_gradient_matches_autograd([ans["g1"], ans["g2"], ans["g3"]], (x1, x2, x3),
                                     lambda P: torch.linalg.vector_norm(P, dim=1), points)


@pytest.mark.parametrize("seed", SEEDS)
def test_2_4_4_answers_equal_direct_derivative_and_autograd(seed):
    p = variant_params("2.4.4", seed)
    subs = {calculus.x: calculus.INNER[p["x"]], calculus.y: calculus.INNER[p["y"]], calculus.z: calculus.INNER[p["z"]]}
    composite = calculus.OUTER[p["f"]].subs(subs, simultaneous=True)
    ans = solve("2.4.4", seed).answer
    assert sp.simplify(ans["dua"] - sp.diff(composite, a)) == 0 and sp.simplify(ans["dub"] - sp.diff(composite, b)) == 0
    u = sp.lambdify((a, b), composite, "torch")
    points = np.random.default_rng(seed).uniform(-2, 2, (8, 2))
    assert_gradient_matches_autograd([ans["dua"], ans["dub"]], (a, b), lambda P: u(P[:, 0], P[:, 1]), points)


# --- the checker on these exercises ---------------------------------------------------------------------------------

@pytest.mark.parametrize("exercise_id, typed", [
    ("2.4.1", {"tangent": "4x - 4"}),
    ("2.4.1", {"tangent": "4(x - 1)"}),
    ("2.4.2", {"g1": "6x1", "g2": "5exp(x2)"}),
    ("2.4.3", {"g1": "x1/sqrt(x1^2+x2^2+x3^2)", "g2": "x2*(x1^2+x2^2+x3^2)^(-1/2)", "g3": "x3/sqrt(x3^2+x2^2+x1^2)"}),
    ("2.4.4", {"dua": "a*b + (a+b)*b + 2*sin(a)*cos(a)", "dub": "a^2 + 2a*b"}),
])
def test_equivalent_forms_are_accepted(exercise_id, typed):
    assert check(exercise_id, typed).correct


def test_squared_norm_gradient_is_rejected_with_the_sqrt_kept_out():
    verdict = check("2.4.3", {"g1": "2*x1", "g2": "2*x2", "g3": "2*x3"})
    assert verdict.score == 0 and all(r.status == "wrong" for r in verdict.fields.values())


# --- pages (AppTest) ------------------------------------------------------------------------------------------------

def test_2_4_1_widget_moves_the_tangent_point_and_function():
    at = open_app("pages/exercise.py", id="2.4.1")
    assert "y = 4 x - 4" in all_text(at)
    at.slider(key="w-2.4.1-x0").set_value(2.0).run()
    assert not at.exception and r"y = \frac{49 x}{4} - 17" in all_text(at) and at.metric[0].value == "12.25"
    at.slider(key="w-2.4.1-x0").set_value(0.0).run()
    assert not at.exception and at.warning  # 1/x has no tangent at 0
    at.selectbox(key="w-2.4.1-fn").set_value("sin").run()
    assert not at.exception and float(at.metric[1].value) == pytest.approx(1.0)  # cos 0


@pytest.mark.parametrize("exercise_id", ["2.4.2", "2.4.3"])
def test_gradient_field_widgets_rerun(exercise_id):
    at = open_app("pages/exercise.py", id=exercise_id)
    k = f"w-{exercise_id}"
    before = all_text(at)
    at.slider(key=f"{k}-n").set_value(6).run()
    at.checkbox(key=f"{k}-unit").check().run()
    at.selectbox(key=f"{k}-fn").set_value("squared_norm").run()
    assert not at.exception and r"2 x_{1}" in all_text(at) and all_text(at) != before


def test_norm_widget_shows_unit_lengths_then_growing_ones():
    at = open_app("pages/exercise.py", id="2.4.3")
    assert "from 1 to 1" in all_text(at)  # ‖∇‖x‖₂‖ = 1 everywhere
    at.selectbox(key="w-2.4.3-fn").set_value("squared_norm").run()
    assert not at.exception and "from 1 to 1" not in all_text(at)


def test_chain_rule_widget_reruns_with_other_functions():
    at = open_app("pages/exercise.py", id="2.4.4")
    at.selectbox(key="w-2.4.4-f").set_value("xyz").run()
    for name, value in [("x", "a^2 b"), ("y", "e^{b}"), ("z", r"\cos b")]:
        at.selectbox(key=f"w-2.4.4-{name}").set_value(value).run()
    at.slider(key="w-2.4.4-a").set_value(1.5).run()
    at.slider(key="w-2.4.4-b").set_value(-0.5).run()
    assert not at.exception
    row = at.dataframe[0].value.iloc[0]
    assert row.iloc[1] == pytest.approx(row.iloc[2]) == pytest.approx(row.iloc[3])  # chain rule = direct = autograd


def test_chapter_page_runs_the_section_demos_of_2_4_and_2_5():
    """Both demos live on pages/ch02.py; all their controls are moved, then the page reruns once."""
    at = open_app("pages/ch02.py", lang="en")
    at.selectbox(key="demo-2.4-tan-fn").set_value("gauss")
    at.slider(key="demo-2.4-tan-x0").set_value(-1.5)
    at.selectbox(key="demo-2.4-grad-fn").set_value("norm")
    at.slider(key="demo-2.4-grad-n").set_value(6)
    at.checkbox(key="demo-2.4-grad-unit").check()
    at.selectbox(key="demo-2.5-fn").set_value("tanh")
    at.run()
    line = sp.latex(calculus.tangent_line(calculus.FUNCTIONS_1D["gauss"].expr, -1.5))
    norm_grad = r"\frac{x_{1}}{\sqrt{x_{1}^{2} + x_{2}^{2}}}"
    assert not at.exception and f"y = {line}" in all_text(at) and norm_grad in all_text(at)
    maxdiff = next(m for m in at.metric if m.label == "max |autograd − sympy| on the grid")
    assert float(maxdiff.value) < 1e-12
