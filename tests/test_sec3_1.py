"""Section 3.1: d2lcore.linear against torch built-ins, autograd, lstsq and simulation; exercises 3.1.1a–3.1.3c
verified another way; every wrong answer rejected; the widgets and the section demo moved on the pages."""

import itertools

import numpy as np
import pytest
import sympy as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from d2lcore import linear
from exercises import check
from solutions import solve, variant_params
from tests.apptest import metrics, open_app

SEEDS = [0, 1, 2, 77]


def rand(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


# --- d2lcore.linear oracles ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("n, d", [(5, 2), (50, 3), (1, 1)])
def test_linreg_and_squared_loss_match_torch(n, d):
    X, w, b, y = rand(n, d), rand(d, 1, seed=1), 0.7, rand(n, seed=2)
    y_hat = linear.linreg(X, w, b)
    bias = torch.tensor([b], dtype=torch.float64)
    assert y_hat.shape == (n, 1) and torch.allclose(y_hat, torch.nn.functional.linear(X, w.T, bias))
    expected = torch.nn.functional.mse_loss(y_hat, y.reshape(n, 1), reduction="none") / 2
    assert torch.allclose(linear.squared_loss(y_hat, y), expected)


@pytest.mark.parametrize("n, d", [(6, 2), (40, 3), (200, 5)])
def test_closed_form_matches_lstsq_and_numpy(n, d):
    X, y = rand(n, d), rand(n, seed=3)
    w = linear.closed_form_least_squares(X, y)
    assert torch.allclose(w, torch.linalg.lstsq(X, y[:, None]).solution.reshape(-1), atol=1e-10)
    assert np.allclose(w.numpy(), np.linalg.lstsq(X.numpy(), y.numpy(), rcond=None)[0])


@settings(max_examples=40, deadline=None)
@given(st.integers(3, 30), st.integers(1, 3), st.integers(0, 10_000))
def test_gradient_vanishes_at_the_closed_form(n, d, seed):
    X, y = rand(n + d, d, seed=seed), rand(n + d, seed=seed + 1)
    w = linear.closed_form_least_squares(X, y)
    scale = float(X.abs().max() * y.abs().max() + 1)
    assert linear.least_squares_gradient(X, y, w).abs().max() < 1e-8 * scale * n


@pytest.mark.parametrize("seed", range(4))
def test_least_squares_gradient_matches_autograd(seed):
    X, y = rand(7, 3, seed=seed), rand(7, seed=seed + 10)
    w = rand(3, seed=seed + 20).requires_grad_(True)
    linear.least_squares_loss(X, y, w).backward()
    assert torch.allclose(linear.least_squares_gradient(X, y, w.detach()), w.grad)


@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.0])
def test_nlls_match_torch_distributions(sigma):
    y_hat, y = rand(20), rand(20, seed=1)
    assert float(linear.gaussian_nll(y_hat, y, sigma)) == pytest.approx(
        float(-torch.distributions.Normal(y_hat, sigma).log_prob(y).sum()))
    assert float(linear.laplace_nll(y_hat, y)) == pytest.approx(
        float(-torch.distributions.Laplace(y_hat, 1.0).log_prob(y).sum()))


def test_condition_number_grows_with_correlation():
    g = torch.Generator().manual_seed(0)
    kappas = [linear.condition_number(linear.correlated_features(2000, rho, g)) for rho in (0.0, 0.9, 0.99, 0.999)]
    assert kappas[0] < 1.3 and all(a < b for a, b in itertools.pairwise(kappas)) and kappas[-1] > 500
    X = linear.correlated_features(2000, 0.9, g)
    assert linear.condition_number(X) == pytest.approx(float(torch.linalg.cond(X.T @ X)), rel=1e-8)


def test_location_gradient_descent_settles_for_squared_but_not_absolute_loss():
    y = torch.tensor([1.0, 2.0, 3.0, 4.0, 10.0])
    squared = linear.location_sgd(y, 0.3, 400, loss="squared", full_batch=True)
    absolute = linear.location_sgd(y, 0.3, 400, loss="absolute", full_batch=True)
    decayed = linear.location_sgd(y, 0.3, 4000, loss="absolute", full_batch=True, decay=True)
    assert abs(float(squared[-1]) - 4.0) < 1e-6  # the mean
    late = absolute[-100:]
    # next to the median the mean sign is ±1/n: b keeps hopping by η/n = 0.06 however long it runs
    assert float(late.max() - late.min()) == pytest.approx(0.3 / 5) and abs(float(late.mean()) - 3.0) < 0.06
    assert abs(float(decayed[-1]) - 3.0) < 0.02


# --- the exercises, verified another way ---------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_3_1_1a_reference_is_the_numeric_minimiser(seed):
    xs = variant_params("3.1.1a", seed)["xs"]
    ans = solve("3.1.1a", seed).answer
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([b], max_iter=100)
    x = torch.tensor(xs, dtype=torch.float64)

    def closure():
        opt.zero_grad()
        loss = ((x - b) ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    assert ans["bnum"] == pytest.approx(float(b.detach()), abs=1e-6)
    assert ans["bnum"] != pytest.approx(float(np.median(xs)))
    f = sp.lambdify(sp.symbols("x1 x2 x3"), ans["bexpr"])
    assert f(*xs[:3]) == pytest.approx(np.mean(xs[:3]))
    assert check("3.1.1a", {"bexpr": "(x1+x2+x3)/3", "bnum": str(np.mean(xs))}, seed).correct


def test_3_1_1b_reference_matches_torch_normal():
    ans = solve("3.1.1b").answer
    f = sp.lambdify(sp.symbols("x b s"), ans["nll"])
    for x, b, s in rand(10, 3).tolist():
        s = abs(s) + 0.2
        assert f(x, b, s) == pytest.approx(float(-torch.distributions.Normal(b, s).log_prob(torch.tensor(x))))
    assert ans["relation"] == "mle"
    assert check("3.1.1b", {"nll": "(x-b)^2/(2s^2) + log(s) + log(2pi)/2", "relation": "mle"}).correct


@pytest.mark.parametrize("seed", SEEDS)
def test_3_1_2_references_match_torch(seed):
    p = variant_params("3.1.2a", seed)
    X, y = torch.tensor(p["X"], dtype=torch.float64), torch.tensor(p["y"], dtype=torch.float64)
    loss = solve("3.1.2a", seed).answer["loss"]
    g = solve("3.1.2b", seed).answer
    w_star = solve("3.1.2c", seed).answer["wstar"]
    w1, w2 = sp.symbols("w1 w2")
    for point in rand(5, 2, seed=seed).tolist():
        w = torch.tensor(point, dtype=torch.float64, requires_grad=True)
        direct = ((y - X @ w) ** 2).sum()
        direct.backward()
        at = {w1: point[0], w2: point[1]}
        assert float(loss.subs(at)) == pytest.approx(float(direct.detach()))
        assert [float(g["g1"].subs(at)), float(g["g2"].subs(at))] == pytest.approx(w.grad.tolist())
    assert w_star == pytest.approx(torch.linalg.lstsq(X, y[:, None]).solution.reshape(-1).tolist(), abs=1e-9)
    assert (g["form"], solve("3.1.2a", seed).answer["form"], solve("3.1.2c", seed).answer["form"]) == (
        "xt", "norm", "normal")


def test_3_1_2_typed_answers_for_the_books_variant():
    assert check("3.1.2a", {"form": "norm", "loss": "(3 - w1 - 2w2)^2 + (2 - 2w1)^2 + (1 - w2)^2"}).correct
    assert check("3.1.2b", {"form": "xt", "g1": "10w1 + 4w2 - 14", "g2": "4w1 + 10w2 - 14"}).correct
    assert check("3.1.2c", {"form": "normal", "wstar": "[1, 1]"}).correct


@pytest.mark.parametrize("seed", SEEDS)
def test_3_1_3a_reference_matches_torch_laplace(seed):
    p = variant_params("3.1.3a", seed)
    ans = solve("3.1.3a", seed).answer
    x = torch.tensor([q[0] for q in p["pts"]], dtype=torch.float64)
    y = torch.tensor([q[1] for q in p["pts"]], dtype=torch.float64)
    laplace = torch.distributions.Laplace(p["w"] * x + p["b"], 1.0)
    assert ans["nllData"] == pytest.approx(float(-laplace.log_prob(y).sum()))
    f = sp.lambdify(sp.symbols("y x w b"), ans["nll1"])
    for yy, xx, ww, bb in rand(8, 4, seed=seed).tolist():
        assert f(yy, xx, ww, bb) == pytest.approx(float(-torch.distributions.Laplace(ww * xx + bb, 1.0).log_prob(
            torch.tensor(yy))))
    assert ans["name"] == "laplace"


@pytest.mark.parametrize("seed", SEEDS)
def test_3_1_3c_subgradient_by_counting_and_finite_differences(seed):
    p = variant_params("3.1.3c", seed)
    ans = solve("3.1.3c", seed).answer
    ys, b0 = np.array(p["ys"], float), p["b0"]
    assert ans["gb"] == pytest.approx((np.sum(ys < b0) - np.sum(ys > b0)) / len(ys))
    h = 1e-6  # b0 is never a target, so the mean absolute loss is differentiable there
    fd = (np.abs(ys - b0 - h).mean() - np.abs(ys - b0 + h).mean()) / (2 * h)
    assert ans["gb"] == pytest.approx(fd, abs=1e-6)
    assert (ans["problem"], ans["fix"]) == ("oscillate", "decay")


# --- pages ---------------------------------------------------------------------------------------------------------

def own_exceptions(at):
    """Exceptions raised by this section's code (the chapter page also runs the other sections' demos)."""
    return [e for e in at.exception if "sec3_1" in " ".join(e.stack_trace) + e.message]


def test_one_dimensional_widgets_move():
    at = open_app("pages/exercise.py", id="3.1.1a")
    assert not at.exception and metrics(at)["Mean"] == "4.00"
    at.slider(key="w-3.1.1a-x5").set_value(20.0).run()
    assert not at.exception and metrics(at)["Mean"] == "6.00" and metrics(at)["Minimiser on the grid"] == "6.00"
    for i in range(1, 5):
        at.slider(key=f"w-3.1.1a-x{i}").set_value(float(i + 1))
    at.run()
    assert not at.exception and metrics(at)["Mean"] == "6.80"
    at = open_app("pages/exercise.py", id="3.1.1b")
    at.slider(key="w-3.1.1b-s").set_value(0.5).run()
    at.slider(key="w-3.1.1b-x1").set_value(-5.0).run()
    m = metrics(at)
    assert not at.exception and m["Mean"] == "2.80" and abs(float(m["Maximum-likelihood b"]) - 2.8) < 0.06
    at = open_app("pages/exercise.py", id="3.1.3b")
    at.slider(key="w-3.1.3b-x5").set_value(20.0).run()
    assert not at.exception and metrics(at)["Median"] == "3.00" and metrics(at)["Mean"] == "6.00"


def test_least_squares_surface_and_collinearity_move():
    at = open_app("pages/exercise.py", id="3.1.2b")
    at.slider(key="w-3.1.2b-w1").set_value(1.0)
    at.slider(key="w-3.1.2b-w2").set_value(1.0)
    at.run()
    m = metrics(at)
    assert not at.exception and m["L(w)"] == "0.000" and m["Gradient by autograd"] == "[0.000, 0.000]"
    at = open_app("pages/exercise.py", id="3.1.2d")
    low = float(metrics(at)["Condition number κ(XᵀX)"].replace(",", ""))
    at.slider(key="w-3.1.2d-rho").set_value(0.999).run()
    at.slider(key="w-3.1.2d-noise").set_value(0.5).run()
    m = metrics(at)
    assert not at.exception and float(m["Condition number κ(XᵀX)"].replace(",", "")) > 100 * low
    assert float(m["Spread of ŵ₁ over the draws"]) > 10 * float(m["Spread of ŵ₁ + ŵ₂"])


def test_closed_form_vs_sgd_widget_flags_divergence():
    at = open_app("pages/exercise.py", id="3.1.2c")
    assert not at.exception and not at.error
    at.select_slider(key="w-3.1.2c-lr").set_value(3.0).run()
    assert not at.exception and at.error and "Diverged" in at.error[0].value
    at.select_slider(key="w-3.1.2c-lr").set_value(0.1)
    at.select_slider(key="w-3.1.2c-batch").set_value(50)
    at.selectbox(key="w-3.1.2c-init").set_value("large")
    at.select_slider(key="w-3.1.2c-noise").set_value(0.5).run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert abs(table["w1"].iloc[2] - table["w1"].iloc[1]) < 0.1  # SGD lands near the closed form


def test_noise_and_absolute_sgd_widgets_move():
    at = open_app("pages/exercise.py", id="3.1.3a", lang="zh")
    at.radio(key="w-3.1.3a-noise").set_value("gaussian").run()
    assert not at.exception and "r²/2" in " ".join(c.value for c in at.caption)
    at = open_app("pages/exercise.py", id="3.1.3c")
    before = metrics(at)
    assert float(before["Jitter of b, last 500 steps (absolute)"]) >= 0.05  # full batch, constant rate: hops
    assert float(before["Jitter of b, last 500 steps (squared)"]) < 1e-6  # full batch: settles on the mean
    at.toggle(key="w-3.1.3c-decay").set_value(True).run()
    assert float(metrics(at)["Jitter of b, last 500 steps (absolute)"]) < 0.01
    at.toggle(key="w-3.1.3c-full").set_value(False)
    at.select_slider(key="w-3.1.3c-lr").set_value(0.03).run()
    assert not at.exception


def test_section_demo_on_the_chapter_page():
    at = open_app("pages/ch03.py")
    assert not own_exceptions(at)
    at.select_slider(key="demo-3.1-lr").set_value(2.0)
    at.select_slider(key="demo-3.1-batch").set_value(1).run()
    assert not own_exceptions(at) and any("Diverged" in e.value for e in at.error)
