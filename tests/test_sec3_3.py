"""Section 3.3: sum versus mean replayed step for step, the Huber loss against torch's HuberLoss and SmoothL1Loss,
the gradients of nn.Linear against the closed-form gradient; every wrong answer rejected; the widgets moved."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from d2lcore import linear
from exercises import check
from solutions import solve, variant_params
from tests.apptest import metrics, open_app

SEEDS = [0, 1, 2, 77]


@pytest.mark.parametrize("seed", SEEDS)
def test_3_3_1_scaled_mean_replays_the_sum_step_for_step(seed):
    B = variant_params("3.3.1", seed)["B"]
    k = solve("3.3.1", seed).answer["factor"]
    X, y = linear.book_data(num_examples=10 * B, seed=seed)
    X, y = X.double(), y.double()
    total = linear.concise_trajectory(X, y, 0.001, B, "sum", seed=seed)
    mean = linear.concise_trajectory(X, y, 0.001 * k, B, "mean", seed=seed)
    unscaled = linear.concise_trajectory(X, y, 0.001, B, "mean", seed=seed)
    assert torch.allclose(total, mean, atol=1e-12) and not torch.allclose(total, unscaled, atol=1e-3)
    assert k == pytest.approx(B) and solve("3.3.1", seed).answer["direction"] == "multiply"


def test_mse_loss_gradient_is_twice_the_half_squared_loss():
    y_hat = torch.randn(8, 1, dtype=torch.float64, requires_grad=True)
    y = torch.randn(8, 1, dtype=torch.float64)
    (g_mse,) = torch.autograd.grad(torch.nn.MSELoss()(y_hat, y), y_hat)
    (g_half,) = torch.autograd.grad(linear.squared_loss(y_hat, y).mean(), y_hat)
    assert torch.allclose(g_mse, 2 * g_half)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.05, 5.0), st.lists(st.floats(-20, 20), min_size=1, max_size=20))
def test_huber_is_smooth_l1_and_a_sigma_th_of_huber_loss(sigma, residuals):
    r = torch.tensor(residuals, dtype=torch.float64)
    zero = torch.zeros_like(r)
    book = linear.huber(zero, r, sigma)
    assert torch.allclose(book, torch.nn.SmoothL1Loss(reduction="none", beta=sigma)(zero, r))
    torch_huber = torch.nn.HuberLoss(reduction="none", delta=sigma)(zero, r)
    assert torch.allclose(linear.huber_delta(zero, r, sigma), torch_huber) and torch.allclose(sigma * book, torch_huber)


@pytest.mark.parametrize("seed", SEEDS)
def test_3_3_2_values_by_the_case_formula(seed):
    p = variant_params("3.3.2", seed)
    ans = solve("3.3.2", seed).answer
    s = p["sigma"]
    assert p["rBig"] > s > p["rSmall"]
    assert ans["big"] == pytest.approx(p["rBig"] - s / 2) and ans["small"] == pytest.approx(p["rSmall"] ** 2 / (2 * s))
    assert ans["ratio"] == pytest.approx(s) and ans["torchLoss"] == "smoothl1"


def test_huber_fit_resists_outliers():
    g = torch.Generator().manual_seed(0)
    x = torch.linspace(0, 1, 40, dtype=torch.float64)
    y = 2 * x + 1 + 0.1 * torch.randn(40, generator=g, dtype=torch.float64)
    y[-4:] += 6.0
    w_mse, _ = linear.fit_line(x, y, torch.nn.MSELoss(), lr=0.5, steps=1500)
    w_huber, _ = linear.fit_line(x, y, torch.nn.SmoothL1Loss(beta=0.5), lr=0.5, steps=1500)
    assert abs(w_huber - 2) < abs(w_mse - 2) / 2


@pytest.mark.parametrize("seed", SEEDS)
def test_3_3_3_gradients_match_the_closed_form(seed):
    p = variant_params("3.3.3", seed)
    ans = solve("3.3.3", seed).answer
    X = torch.tensor(p["X"], dtype=torch.float64)
    y = torch.tensor(p["y"], dtype=torch.float64)
    r = X @ torch.tensor(p["w"], dtype=torch.float64) + p["b"] - y  # ŷ − y
    n = len(y)
    assert ans["gw"] == pytest.approx((2 / n * X.T @ r).tolist()) and ans["gb"] == pytest.approx(float(2 / n * r.sum()))
    assert ans["access"] == "grad"


def test_3_3_typed_answers():
    assert check("3.3.1", {"factor": "10", "direction": "multiply"}).correct
    assert check("3.3.2", {"big": "2", "small": "1/16", "torchLoss": "smoothl1", "ratio": "2"}).correct
    assert check("3.3.3", {"access": "grad", "gw": "[-5/3, -8/3]", "gb": "-1"}).correct


# --- pages ---------------------------------------------------------------------------------------------------------

def own_exceptions(at):
    """Exceptions raised by this section's code (the chapter page also runs the other sections' demos)."""
    return [e for e in at.exception if "sec3_3" in " ".join(e.stack_trace) + e.message]


def test_sum_vs_mean_widget_moves():
    at = open_app("pages/exercise.py", id="3.3.1")
    assert not at.exception and float(metrics(at)["Largest difference between the two paths"]) < 1e-9
    at.toggle(key="w-3.3.1-scale").set_value(False).run()
    assert float(metrics(at)["Largest difference between the two paths"]) > 1e-3
    at.select_slider(key="w-3.3.1-batch").set_value(20)
    at.select_slider(key="w-3.3.1-lr").set_value(0.001).run()
    assert not at.exception and metrics(at)["Learning rate used for the mean"] == "0.001"


def test_huber_widget_moves():
    at = open_app("pages/exercise.py", id="3.3.2")
    assert not at.exception and metrics(at)["HuberLoss(δ=σ) ÷ formula"] == "2.000"
    at.slider(key="w-3.3.2-sigma").set_value(1.0)
    at.slider(key="w-3.3.2-outliers").set_value(0).run()
    m = metrics(at)
    assert not at.exception and m["HuberLoss(δ=σ) ÷ formula"] == "1.000" and m["SmoothL1Loss(β=σ) equals the formula"] \
        == "yes"


def test_one_step_widget_moves():
    at = open_app("pages/exercise.py", id="3.3.3")
    assert not at.exception and metrics(at)["MSELoss now"] == "0.9167"
    at.select_slider(key="w-3.3.3-lr").set_value(0.03).run()
    at.button(key="w-3.3.3-step").click().run()
    assert not at.exception and metrics(at)["Steps taken"] == "1" and float(metrics(at)["MSELoss now"]) < 0.9167
    at.button(key="w-3.3.3-reset").click().run()
    assert metrics(at)["Steps taken"] == "0"


def test_section_demo_on_the_chapter_page():
    at = open_app("pages/ch03.py")
    at.toggle(key="demo-3.3-scale").set_value(False)
    at.select_slider(key="demo-3.3-batch").set_value(50).run()
    assert not own_exceptions(at)
