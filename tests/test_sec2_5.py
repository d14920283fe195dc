"""Section 2.5 (Automatic differentiation): autograd against sympy, closed forms and finite differences; what torch
does on a second backward and on a vector output; answers, wrong answers and pages."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from d2lcore import autograd, calculus
from exercises import check, registry
from solutions import solve, variant_params
from tests.apptest import all_text, open_app

IDS = ["2.5.2", "2.5.3", "2.5.4", "2.5.5"]
SEEDS = [0, 1, 2, 3, 77]
FREED = "Trying to backward through the graph a second time"
SCALAR_ONLY = "grad can be implicitly created only for scalar outputs"


# --- autograd against sympy and finite differences ------------------------------------------------------------------

@pytest.mark.parametrize("key", list(calculus.FUNCTIONS_1D))
def test_autograd_equals_the_sympy_derivative_on_the_grid(key):
    assert autograd.autograd_vs_sympy(calculus.FUNCTIONS_1D[key])["max_abs_diff"] < 1e-12


@pytest.mark.parametrize("key", ["sin", "gauss", "tanh"])
def test_autograd_derivative_matches_the_jacobian_diagonal(key):
    fn = calculus.FUNCTIONS_1D[key]
    xs = torch.linspace(-2, 2, 9, dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(fn.torch_fn, xs)
    torch.testing.assert_close(autograd.autograd_derivative(fn.torch_fn, xs), torch.diagonal(jac))


# --- backward twice (2.5.2) -----------------------------------------------------------------------------------------

def test_second_backward_without_retain_graph_raises_the_freed_buffers_error():
    first, second = autograd.backward_twice(retain_graph=False)
    assert first.grad == [0.0, 4.0, 8.0, 12.0] and second.grad is None and second.error.startswith(FREED)


@pytest.mark.parametrize("calls", [1, 2, 3, 4])
def test_retained_graph_accumulates_k_times_the_gradient(calls):
    steps = autograd.backward_twice(retain_graph=True, x0=(1.0, -2.0), calls=calls)
    assert [s.grad for s in steps] == [[4.0 * k, -8.0 * k] for k in range(1, calls + 1)]


def test_zeroing_between_calls_gives_the_same_gradient_each_time():
    steps = autograd.backward_twice(retain_graph=True, calls=3, zero_grad=True)
    assert all(s.grad == [0.0, 4.0, 8.0, 12.0] for s in steps)


def test_a_graph_without_saved_tensors_can_be_walked_twice():
    x = torch.ones(3, requires_grad=True)
    y = x.sum()  # sum saves nothing, so nothing is freed
    y.backward()
    y.backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


# --- control flow (2.5.3, 2.5.4) ------------------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(a=st.lists(st.floats(-3, 3).filter(lambda v: abs(v) > 1e-3), min_size=1, max_size=6))
def test_control_flow_gradient_is_the_scale_factor_f_over_a(a):
    run = autograd.control_flow_grad(a)
    s = autograd.control_flow_scale(a)
    np.testing.assert_allclose(run["grad"], np.full(len(a), s))
    np.testing.assert_allclose(run["d"] / np.array(a), s, rtol=1e-12)
    assert run["error"] == (SCALAR_ONLY if len(a) > 1 else None)  # a one-element d counts as a scalar


def test_control_flow_with_a_matrix_and_a_scalar():
    matrix = autograd.control_flow_grad([[0.3, -0.2, 0.5], [0.1, 0.4, -0.7]])
    # ‖2a‖ = 2·√1.04 ≈ 2.04, nine doublings reach 1044 ≥ 1000, Σa = 0.4 > 0: s = 2^10
    assert matrix["grad"].shape == (2, 3) and matrix["error"] == SCALAR_ONLY and np.all(matrix["grad"] == 1024)
    scalar = autograd.control_flow_grad(-0.5)
    # |2a| = 1, ten more doublings reach 1024, a < 0: s = 100 · 2^11
    assert scalar["error"] is None and scalar["grad"] == 100 * 2**11


@pytest.mark.parametrize("x0", [0.5, -0.5, 2.0, -3.7, 0.2, 4.4])
def test_triple_then_branch_matches_its_closed_form_and_finite_differences(x0):
    k = autograd.triple_steps(x0)
    closed = 2 * 9**k * x0 if x0 > 0 else -(3**k)
    auto = autograd.pointwise_autograd(autograd.triple_then_branch, np.array([x0]))[0]
    fd = calculus.central_difference(lambda v: autograd.triple_then_branch(torch.tensor(v, dtype=torch.float64)).item(),
                                 x0, 1e-7)
    assert auto == pytest.approx(closed, rel=1e-12) and fd == pytest.approx(closed, rel=1e-5)


def test_autograd_and_finite_differences_part_ways_only_at_jumps():
    xs = np.array([10 / 27 - 1e-4, 10 / 27 + 1e-4])  # straddles the jump where k changes from 4 to 3
    values = autograd.pointwise_values(autograd.triple_then_branch, xs)
    assert abs(values[1] - values[0]) > 50  # g jumps, so no derivative exists there
    slopes = autograd.pointwise_autograd(autograd.triple_then_branch, xs)
    assert slopes[0] == pytest.approx(2 * 9**4 * xs[0]) and slopes[1] == pytest.approx(2 * 9**3 * xs[1])


@pytest.mark.parametrize("name, x0, slope", [("relu_if", -1.0, 0.0), ("relu_if", 1.5, 1.0), ("clipped", 0.5, 1.0),
                                             ("clipped", 2.0, 0.0), ("staircase", 2.5, 1.0)])
def test_piecewise_functions_give_the_slope_of_their_piece(name, x0, slope):
    f, _ = autograd.CONTROL_FLOW[name]
    assert autograd.pointwise_autograd(f, np.array([x0]))[0] == slope


# --- cost of second derivatives (2.5.1) -----------------------------------------------------------------------------

def test_the_gradient_graph_is_larger_than_the_forward_graph():
    sizes = autograd.derivative_graph_sizes(n=8)
    assert sizes["gradient"] > sizes["forward"] > 0


def test_second_derivatives_cost_more_measured_side_by_side():
    cost = autograd.derivative_costs(96, repeats=7)
    assert cost["hvp"] / cost["first"] > 1.0  # the HVP contains a gradient and then backpropagates through it
    assert cost["hessian"] / cost["first"] > 5.0  # n = 96 backward passes


# --- reference answers, verified another way ------------------------------------------------------------------------

def test_2_5_1_explanation_reports_measured_ratios():
    text = solve("2.5.1").explanation["en"]
    assert "{{" not in text and "n = 128" in text


@pytest.mark.parametrize("seed", SEEDS)
def test_2_5_2_matches_plain_torch(seed):
    x0 = variant_params("2.5.2", seed)["x0"]
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    y = 2 * torch.dot(x, x)
    y.backward()
    with pytest.raises(RuntimeError, match=FREED):
        y.backward()
    ans = solve("2.5.2", seed).answer
    assert ans["outcome"] == "error" and ans["grad"] == [8.0 * v for v in x0]  # two calls × ∇(2xᵀx) = 4x


@pytest.mark.parametrize("seed", SEEDS)
def test_2_5_3_scale_equals_the_hand_derived_factor(seed):
    a = variant_params("2.5.3", seed)["a"]
    ans = solve("2.5.3", seed).answer
    norm, k = 2 * math.hypot(*a), 0
    while norm * 2**k < 1000:  # the book's loop, counted by hand
        k += 1
    assert ans["scale"] == 2 ** (k + 1) * (1 if sum(a) > 0 else 100) and ans["error"] == "scalaronly"


@pytest.mark.parametrize("seed", SEEDS)
def test_2_5_4_gradient_matches_the_piece_formula(seed):
    x0 = variant_params("2.5.4", seed)["x0"]
    ans = solve("2.5.4", seed).answer
    k = int(ans["k"])
    assert 3**k * abs(x0) >= 10 > 3 ** (k - 1) * abs(x0) or k == 0
    assert ans["grad"] == pytest.approx(2 * 9**k * x0 if x0 > 0 else -(3**k), rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_2_5_5_autograd_equals_cos(seed):
    x0 = variant_params("2.5.5", seed)["x0"]
    ans = solve("2.5.5", seed).answer
    assert ans["deriv"] == pytest.approx(math.cos(x0), abs=1e-14) and ans["maxdiff"] < 1e-12


# --- the checker on these exercises ---------------------------------------------------------------------------------

@pytest.mark.parametrize("exercise_id, typed", [
    ("2.5.2", {"outcome": "error", "grad": "0, 8, 16, 24"}),
    ("2.5.3", {"error": "scalaronly", "scale": "2^11"}),
    ("2.5.4", {"k": "3", "grad": "729", "own": "my example"}),
    ("2.5.5", {"maxdiff": "1e-9", "deriv": "0.5403"}),
])
def test_typed_answers_are_accepted(exercise_id, typed):
    assert check(exercise_id, typed).correct


def test_conceptual_2_5_1_has_only_a_text_field():
    assert registry.get("2.5.1").is_conceptual and [f.kind for f in registry.get("2.5.1").fields] == ["text"]


# --- pages (AppTest) ------------------------------------------------------------------------------------------------
# (the §2.5 section demo is moved together with the §2.4 demos in tests/test_sec2_4.py: one run of pages/ch02.py)

def test_backward_widget_shows_the_error_then_accumulation():
    at = open_app("pages/exercise.py", id="2.5.2")
    assert FREED in at.error[0].value
    at.toggle(key="w-2.5.2-retain").set_value(True).run()
    assert not at.error and "[0.0, 8.0, 16.0, 24.0]" in at.success[-1].value
    at.slider(key="w-2.5.2-calls").set_value(3).run()
    assert "[0.0, 12.0, 24.0, 36.0]" in at.success[-1].value
    at.toggle(key="w-2.5.2-zero").set_value(True).run()
    assert not at.exception and "[0.0, 4.0, 8.0, 12.0]" in at.success[-1].value


def test_control_flow_widget_switches_shapes():
    at = open_app("pages/exercise.py", id="2.5.3")
    assert SCALAR_ONLY in at.error[0].value
    at.radio(key="w-2.5.3-shape").set_value("scalar").run()
    assert not at.exception and not at.error and at.success
    at.radio(key="w-2.5.3-shape").set_value("matrix").run()
    at.number_input(key="w-2.5.3-seed").set_value(5).run()
    assert not at.exception and SCALAR_ONLY in at.error[0].value


def test_own_control_flow_widget_reruns():
    at = open_app("pages/exercise.py", id="2.5.4")
    at.selectbox(key="w-2.5.4-fn").set_value("staircase").run()
    at.select_slider(key="w-2.5.4-h").set_value(0.1).run()
    assert not at.exception and "of 321" in all_text(at)


@pytest.mark.parametrize("exercise_id, fn", [("2.5.5", "log"), ("2.5.5", "cubic_minus_reciprocal")])
def test_autograd_plot_widget_reruns(exercise_id, fn):
    at = open_app("pages/exercise.py", id=exercise_id)
    at.selectbox(key=f"w-{exercise_id}-fn").set_value(fn).run()
    assert not at.exception and float(at.metric[0].value) < 1e-12


def test_cost_widget_reruns():
    at = open_app("pages/exercise.py", id="2.5.1")
    at.select_slider(key="w-2.5.1-n").set_value(512).run()
    assert not at.exception and at.metric[1].value == "—"  # no full Hessian at n = 512
