"""Section 4.4: the features and the exact fit against numpy / torch built-ins, every reference answer re-derived by
another route (numpy.polyfit on the raw powers, SGD convergence, simulation bands over seeds, gradient descent
actually diverging above the stability bound), and the widgets moved on the pages."""

import itertools
import math
import warnings

import numpy as np
import pytest
import sympy
import torch
from torch import nn

from d2lcore import capacity as cap
from d2lcore.train import train
from exercises import check
from solutions import solve
from tests.apptest import metrics, open_app


@pytest.mark.parametrize("normalise", [True, False])
def test_polynomial_features_match_powers_over_factorials(normalise):
    x = torch.tensor([-1.5, 0.0, 0.3, 2.0], dtype=torch.float64)
    want = [[v**i / (math.factorial(i) if normalise else 1) for i in range(6)] for v in x.tolist()]
    assert torch.allclose(cap.polynomial_features(x, 6, normalise), torch.tensor(want, dtype=torch.float64))


@pytest.mark.parametrize("degree", [1, 3, 8, 19])
def test_least_squares_matches_numpy_lstsq_on_the_fitted_values(degree):
    data = cap.polynomial_data(seed=3)
    X = cap.polynomial_features(data.x_train, degree + 1)
    w = cap.least_squares(X, data.y_train)
    fitted = np.polynomial.Polynomial.fit(data.x_train.numpy(), data.y_train.numpy(), degree)(data.x_train.numpy())
    assert np.allclose((X @ w).numpy(), fitted, atol=1e-6)  # an orthogonal (scaled-domain) basis, another route


def test_4_4_1_reference_three_ways():
    ans = solve("4.4.1").answer
    data = cap.polynomial_data(seed=0)
    raw = np.polyfit(data.x_train.numpy(), data.y_train.numpy(), 3)[::-1]  # coefficients of x^i
    assert np.allclose(raw * [math.factorial(i) for i in range(4)], ans["w"], atol=1e-8)
    Phi = cap.polynomial_features(data.x_train, 4)
    lstsq = torch.linalg.lstsq(Phi, data.y_train.reshape(-1, 1)).solution.reshape(-1)
    assert torch.allclose(lstsq, torch.tensor(ans["w"], dtype=torch.float64), atol=1e-8)
    w_sgd, history = cap.sgd_polynomial(data, 4, epochs=400)  # the book's SGD converges to the same weights
    assert float((w_sgd - lstsq).abs().max()) < 0.05 and history.test_loss[-1] < 0.02
    assert abs(ans["loss"] - cap.mse(Phi @ w_sgd, data.y_train)) < 1e-3
    assert check("4.4.1", {"w": "5, 1.2, -3.4, 5.6", "loss": "0.0096"}).correct  # the truth and E[loss] pass


def book_sgd(data, n_features, scaling, lr, epochs, batch_size=10, seed=0):
    """The book's route that sgd_polynomial_path writes out by hand: nn.Linear(bias=False), nn.MSELoss, autograd and
    torch.optim.SGD, run by d2lcore.train over the same seeded minibatches."""
    g = torch.Generator().manual_seed(seed)
    X, X_test = (F.float() for F in cap.scaled_features(data, n_features, scaling))
    y, y_test = data.y_train.float().reshape(-1, 1), data.y_test.float().reshape(-1, 1)
    net = nn.Linear(n_features, 1, bias=False)
    with torch.no_grad():
        net.weight.copy_(0.01 * torch.randn(1, n_features, generator=g))
    history = train(net, nn.MSELoss(reduction="none"), torch.optim.SGD(net.parameters(), lr=lr),
                    cap.Minibatches(X, y, batch_size, g), [(X_test, y_test)], epochs, task="regression")
    return net.weight.detach().reshape(-1).double(), history


@pytest.mark.parametrize("n_features, scaling, lr, epochs", [
    (20, "normalised", 0.01, 60), (4, "normalised", 0.1, 30), (20, "standardised", 0.003, 30),
    pytest.param(20, "standardised", 0.03, 30, id="diverging"), pytest.param(20, "raw", 0.01, 3, id="overflowing")])
def test_sgd_polynomial_matches_the_books_autograd_route(n_features, scaling, lr, epochs):
    data = cap.polynomial_data(n_train=95, seed=2)  # 95 points: the last minibatch holds 5
    (w, h), (w_book, h_book) = (f(data, n_features, scaling, lr, epochs) for f in (cap.sgd_polynomial, book_sgd))
    for ours, book in ((w, w_book), (h.train_loss, h_book.train_loss), (h.test_loss, h_book.test_loss)):
        np.testing.assert_allclose(np.asarray(ours), np.asarray(book), rtol=1e-4, atol=1e-6, equal_nan=True)  # float32


@pytest.mark.parametrize("scaling, lr", [("normalised", 0.01), ("standardised", 0.003), ("raw", 1e-4)])
def test_sgd_path_prefix_is_exactly_the_shorter_run(scaling, lr):
    data = cap.polynomial_data(seed=1)
    long, short = (cap.sgd_polynomial_path(data, 20, scaling, lr, epochs) for epochs in (40, 15))
    assert torch.equal(long.w[:16].nan_to_num(), short.w.nan_to_num())
    assert np.array_equal(long.train_loss[:15], short.train_loss, equal_nan=True)
    assert np.array_equal(long.test_loss[:15], short.test_loss, equal_nan=True)


def test_4_4_1_training_loss_band_over_seeds():
    losses = [cap.poly_losses(cap.polynomial_data(seed=s), 3)[0] for s in range(40)]
    expected = 0.01 * 96 / 100
    assert abs(np.mean(losses) - expected) < 3 * expected * math.sqrt(2 / 96) / math.sqrt(40)


@pytest.mark.parametrize("n", [5, 7, 10])
def test_interpolation_needs_degree_n_minus_1(n):
    data = cap.polynomial_data(n_train=n, seed=n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = np.polyfit(data.x_train.numpy(), data.y_train.numpy(), n - 1, full=True)
        short = np.polyfit(data.x_train.numpy(), data.y_train.numpy(), n - 2, full=True)
    fitted = np.polyval(full[0], data.x_train.numpy())
    assert np.abs(fitted - data.y_train.numpy()).max() < 1e-8 and short[1][0] > 1e-6


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_training_loss_never_rises_with_the_degree(seed):
    train = cap.losses_by_degree(cap.polynomial_data(seed=seed))["train"]
    assert all(b <= a * (1 + 1e-9) for a, b in itertools.pairwise(train))


def test_4_4_2a_reference():
    ans = solve("4.4.2a").answer
    assert ans == {"trend": "falls", "degreeZero": 99.0}
    assert check("4.4.2a", {"trend": "falls", "degreeZero": "99"}).correct


def test_4_4_2b_u_shape_by_numpy_polyfit_on_a_large_test_set():
    """Independent route: numpy.polyfit on raw powers, test MSE on 5,000 fresh points, degrees 0–8, 10 seeds."""
    test = cap.polynomial_data(1, 5000, seed=999)
    curves = []
    for s in range(10):
        d = cap.polynomial_data(seed=s)
        curves.append([np.mean((np.polyval(np.polyfit(d.x_train.numpy(), d.y_train.numpy(), k),
                                           test.x_test.numpy()) - test.y_test.numpy()) ** 2) for k in range(9)])
    mean = np.mean(curves, axis=0)
    assert int(np.argmin(mean)) == solve("4.4.2b").answer["bestDegree"] == 3
    assert mean[2] > 10 * mean[3] and mean[8] > mean[3]
    assert solve("4.4.2b").answer["shape"] == "u"


def test_4_4_2c_formula_by_sympy_trace_and_simulation():
    ans = solve("4.4.2c").answer
    n, p, sigma = sympy.symbols("n p sigma")
    assert sympy.simplify(ans["trainLoss"] - sigma**2 * (1 - p / n)) == 0
    X = cap.polynomial_features(cap.polynomial_data(n_train=30, seed=5).x_train, 6)
    H = X @ torch.linalg.solve(X.T @ X, X.T)  # the hat matrix: a projection of trace p
    assert abs(float(torch.trace(H)) - 6) < 1e-8 and torch.allclose(H @ H, H, atol=1e-8)
    losses = [cap.poly_losses(cap.polynomial_data(n_train=12, seed=s), 3)[0] for s in range(300)]
    want = float(ans["trainLoss"].subs({n: 12, p: 4, sigma: 0.1}))
    assert abs(np.mean(losses) - want) < 4 * want * math.sqrt(2 / 8) / math.sqrt(300)
    assert ans["trainTrend"] == "rises" and ans["testTrend"] == "falls"


@pytest.mark.parametrize("factor, diverges", [(0.9, False), (1.1, True)])
def test_4_4_3_gradient_descent_diverges_exactly_above_the_bound(factor, diverges):
    data = cap.polynomial_data(seed=0)
    X = cap.polynomial_features(data.x_train, 8, normalise=False)  # 8 raw powers keep float64 meaningful
    lr, w = factor * cap.gd_stability_bound(X), torch.zeros(8, dtype=torch.float64)
    start = cap.mse(X @ w, data.y_train)
    for _ in range(300):
        w = w - lr * 2 * X.T @ (X @ w - data.y_train) / len(X)
    end = cap.mse(X @ w, data.y_train)
    assert (end > 1e6 * start) if diverges else (end < start)


def test_4_4_3_reference():
    ans = solve("4.4.3").answer
    data = cap.polynomial_data(seed=0)
    raw = cap.polynomial_features(data.x_train, normalise=False)
    lam_max = float(np.linalg.eigvalsh((raw.T @ raw).numpy())[-1])  # numpy's eigensolver, not torch's
    assert abs(ans["log10lr"] - math.log10(len(raw) / lam_max)) < 0.05 and ans["log10lr"] < -10
    _, raw_run = cap.sgd_polynomial(data, scaling="raw", epochs=2)
    assert not np.isfinite(raw_run.train_loss[-1]) and ans["outcome"] == "diverges"
    for seed in (1, 2):  # standardised columns train at a smaller rate on other data sets too
        _, std_run = cap.sgd_polynomial(cap.polynomial_data(seed=seed), scaling="standardised", lr=0.003, epochs=30)
        assert np.isfinite(std_run.train_loss[-1]) and std_run.train_loss[-1] < 0.1 * std_run.train_loss[0]
    assert ans["fix"] == "rescale"


@pytest.mark.parametrize("sigma", [0.05, 0.1, 0.5])
def test_4_4_4_noise_floor_band_over_seeds(sigma):
    floors = [cap.noise_floor(sigma, 2000, seed=s) for s in range(10)]
    band = 4 * sigma**2 * math.sqrt(2 / 2000)
    assert all(abs(f - sigma**2) < band for f in floors)
    fitted = [cap.poly_losses(cap.polynomial_data(noise=sigma, n_test=2000, seed=s), 3)[1] for s in range(10)]
    assert np.mean(fitted) > np.mean(floors)  # a fitted model sits above the floor on average


def test_4_4_4_reference_and_variants():
    for seed in (0, 1, 2):
        sol = solve("4.4.4", seed=seed)
        sigma = sol.data["sigma"]
        assert abs(sol.answer["floor"] - sigma**2) < 0.02 * sigma**2 and sol.answer["possible"] == "no"
        assert check("4.4.4", {"possible": "no", "floor": f"{sigma**2:g}"}, seed).correct


# --- pages -----------------------------------------------------------------------------------------------------------

def test_exact_fit_widget_moves():
    at = open_app("pages/exercise.py", id="4.4.1")
    m = metrics(at)
    assert not at.exception and float(m["Largest weight difference"]) < 0.05
    at.slider(key="w-4.4.1-n").set_value(30)
    at.select_slider(key="w-4.4.1-noise").set_value(0.0)
    at.slider(key="w-4.4.1-epochs").set_value(50).run()
    m2 = metrics(at)
    assert not at.exception and float(m2["Training MSE, exact"]) < 1e-12 and m2 != m


def test_capacity_widget_moves():
    at = open_app("pages/exercise.py", id="4.4.2a")
    assert not at.exception and metrics(at)["Degree of lowest test MSE"] in {"3", "4", "5", "6", "7"}
    at.slider(key="w-4.4.2a-n").set_value(10)
    at.slider(key="w-4.4.2a-degree").set_value(9)
    at.number_input(key="w-4.4.2a-seed").set_value(4).run()
    assert not at.exception and float(metrics(at)["Training MSE"]) < 1e-10  # 10 points, degree 9: interpolation


def test_training_size_widget_moves():
    at = open_app("pages/exercise.py", id="4.4.2c")
    before = metrics(at)["Test MSE (n = 320)"]
    at.slider(key="w-4.4.2c-degree").set_value(1)
    at.select_slider(key="w-4.4.2c-noise").set_value(0.3).run()
    assert not at.exception and metrics(at)["Test MSE (n = 320)"] != before


def test_normalisation_widget_moves():
    at = open_app("pages/exercise.py", id="4.4.3")
    assert not at.exception and metrics(at)["Final training MSE"] != "diverged (inf/nan)"
    at.radio(key="w-4.4.3-scaling").set_value("raw").run()
    assert not at.exception and metrics(at)["Final training MSE"] == "diverged (inf/nan)" and at.warning
    at.radio(key="w-4.4.3-scaling").set_value("standardised")
    at.select_slider(key="w-4.4.3-lr").set_value(0.003)
    at.slider(key="w-4.4.3-epochs").set_value(20).run()
    assert not at.exception and metrics(at)["Final training MSE"] != "diverged (inf/nan)"


def test_noise_floor_widget_moves():
    at = open_app("pages/exercise.py", id="4.4.4")
    assert not at.exception and abs(float(metrics(at)["Mean test MSE, true cubic"]) - 0.01) < 0.002
    at.select_slider(key="w-4.4.4-sigma").set_value(0.5)
    at.select_slider(key="w-4.4.4-ntest").set_value(10000).run()
    assert not at.exception and abs(float(metrics(at)["Mean test MSE, true cubic"]) - 0.25) < 0.02


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_true_poly_is_the_twenty_feature_product(seed):
    """f* on four features against Φ(x) w* with all twenty (the other weights are zero)."""
    x = torch.randn(5000, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) * 2
    full = cap.polynomial_features(x) @ cap.true_poly_weights()
    assert torch.allclose(cap.true_poly(x), full, rtol=1e-12, atol=1e-12)
