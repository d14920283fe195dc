"""Section 3.2: the from-scratch pieces (sgd, data_iter's last batch, the reshape, training with d2lcore.train) and
the fits of Ohm's and Planck's laws, checked against closed forms, scipy and simulation; every wrong answer rejected;
the widgets and the section demo moved on the pages."""

import math

import numpy as np
import pytest
import torch
from scipy.optimize import minimize_scalar

from d2lcore import linear
from d2lcore.data import data_iter
from exercises import check
from solutions import solve, variant_params
from tests.apptest import metrics, open_app

SEEDS = [0, 1, 2, 77]


# --- d2lcore.linear oracles ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("n, B", [(1000, 10), (1000, 30), (7, 3), (5, 8), (64, 64)])
def test_batch_sizes_match_data_iter(n, B):
    X, y = torch.randn(n, 2), torch.zeros(n, 1)
    sizes = [len(Xb) for Xb, _ in data_iter(B, X, y, torch.Generator().manual_seed(0))]
    assert sizes == linear.batch_sizes(n, B) and sum(sizes) == n


@pytest.mark.parametrize("batch", [3, 10])
def test_book_sgd_equals_torch_sgd_on_the_mean_loss(batch):
    X, y = torch.randn(batch, 2, dtype=torch.float64), torch.randn(batch, 1, dtype=torch.float64)
    w, b = torch.ones(2, 1, dtype=torch.float64, requires_grad=True), torch.zeros(1, dtype=torch.float64,
                                                                                  requires_grad=True)
    net = torch.nn.Linear(2, 1).double()
    with torch.no_grad():
        net.weight.fill_(1.0)
        net.bias.zero_()
    linear.squared_loss(linear.linreg(X, w, b), y).sum().backward()
    linear.sgd([w, b], 0.1, batch)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    (torch.nn.functional.mse_loss(net(X), y) / 2).backward()
    opt.step()
    assert torch.allclose(w.reshape(-1), net.weight.reshape(-1)) and torch.allclose(b, net.bias)
    assert w.grad.abs().sum() == 0  # the book's sgd zeroes the gradient


def test_training_reaches_the_noise_floor_and_the_true_parameters():
    X, y = linear.book_data(seed=3)
    run = linear.train_linreg_scratch(X, y, seed=3)
    assert not run.diverged and run.steps == 300 and len(run.epoch_loss) == 3
    assert run.epoch_loss[-1] < 1e-4 < run.step_loss[0] and run.epoch_loss[0] > run.epoch_loss[-1]
    assert torch.allclose(run.w, torch.tensor(linear.TRUE_W), atol=5e-3) and abs(float(run.b) - linear.TRUE_B) < 5e-3


def test_divergence_is_capped_and_flagged():
    X, y = linear.book_data(seed=0)
    run = linear.train_linreg_scratch(X, y, lr=10.0)
    assert run.diverged and run.steps < 300 and (run.step_loss[-1] > 1e6 or not math.isfinite(run.step_loss[-1]))


def test_fixed_batch_size_shortens_the_last_step_only():
    X, y = linear.book_data(num_examples=25, seed=1)
    book = linear.train_linreg_scratch(X, y, lr=0.1, batch_size=10, epochs=1, seed=1, fixed_batch_size=True)
    fixed = linear.train_linreg_scratch(X, y, lr=0.1, batch_size=10, epochs=1, seed=1, fixed_batch_size=False)
    assert book.step_loss[:3] == fixed.step_loss[:3] and book.step_loss[3] != fixed.step_loss[3]


# --- the exercises, verified another way ---------------------------------------------------------------------------

def test_3_2_1_zero_initialisation_trains():
    ans = solve("3.2.1").answer
    X, y = linear.book_data()
    A = linear.add_bias_column(X.double())
    closed = linear.closed_form_least_squares(A, y.double())
    floor = float(((y.double().reshape(-1) - A @ closed) ** 2).mean() / 2)  # best achievable mean loss
    assert ans["works"] == "yes" and floor <= ans["loss"] < 2 * floor
    assert check("3.2.1", {"works": "yes", "loss": "5e-5"}).correct  # σ²/2 lies in the band


@pytest.mark.parametrize("seed", SEEDS)
def test_3_2_2_resistance_matches_the_closed_form(seed):
    p = variant_params("3.2.2", seed)
    current, voltage = np.array(p["current"]), np.array(p["voltage"])
    R_closed = float(current @ voltage / (current @ current))
    ans = solve("3.2.2", seed).answer
    assert ans["R"] == pytest.approx(R_closed, rel=1e-6) and abs(ans["R"] / p["Rtrue"] - 1) < 0.05
    assert check("3.2.2", {"autograd": "yes", "R": f"{R_closed:.4f}"}, seed).correct


@pytest.mark.parametrize("seed", SEEDS)
def test_3_2_3_temperature_matches_a_bounded_scalar_minimisation(seed):
    p = variant_params("3.2.3", seed)
    lam = torch.tensor(p["lam"], dtype=torch.float64) * 1e-6
    B = torch.tensor(p["B"], dtype=torch.float64) * 1e12

    def loss(T):
        return float(((B.log() - linear.planck(lam, T).log()) ** 2).mean())

    T_ref = minimize_scalar(loss, bounds=(500, 20000), method="bounded", options={"xatol": 1e-3}).x
    ans = solve("3.2.3", seed).answer
    assert ans["T"] == pytest.approx(T_ref, rel=1e-4) and abs(ans["T"] / p["Ttrue"] - 1) < 0.02


@pytest.mark.parametrize("seed", SEEDS)
def test_3_2_5_shapes_by_broadcasting_rules(seed):
    n = variant_params("3.2.5", seed)["n"]
    ans = solve("3.2.5", seed).answer
    assert ans["bad"] == torch.broadcast_shapes((n, 1), (n,)) == (n, n) and ans["good"] == (n, 1)
    assert ans["raises"] == "silent"


def test_3_2_6_divergence_and_the_stability_limit():
    ans = solve("3.2.6").answer
    assert ans["diverge"] == "3"
    # full-batch GD just below the limit converges, just above it diverges
    X, y = linear.book_data()
    A = linear.add_bias_column(X.double())
    target = y.double().reshape(-1)
    for factor, converges in [(0.98, True), (1.02, False)]:
        theta = torch.zeros(3, dtype=torch.float64)
        for _ in range(600):
            theta -= factor * ans["limit"] * A.T @ (A @ theta - target) / len(A)
        err = float(((A @ theta - target) ** 2).mean())
        assert (err < 1.0) == converges


@pytest.mark.parametrize("seed", SEEDS)
def test_3_2_7_counts_and_step_ratio(seed):
    p = variant_params("3.2.7", seed)
    ans = solve("3.2.7", seed).answer
    assert ans["batches"] == math.ceil(p["n"] / p["B"]) and ans["last"] == p["n"] % p["B"] > 0
    assert ans["factor"] == pytest.approx((p["n"] % p["B"]) / p["B"], rel=1e-6) and ans["effect"] == "smaller"


# --- pages ---------------------------------------------------------------------------------------------------------

def own_exceptions(at):
    """Exceptions raised by this section's code (the chapter page also runs the other sections' demos)."""
    return [e for e in at.exception if "sec3_2" in " ".join(e.stack_trace) + e.message]


def test_initialisation_and_learning_rate_widgets_move():
    at = open_app("pages/exercise.py", id="3.2.1")
    assert not at.exception and float(metrics(at)["Loss after epoch 3"]) < 1e-4
    at.radio(key="w-3.2.1-init").set_value("large").run()
    assert not at.exception and float(metrics(at)["Loss before training"]) > 50
    at = open_app("pages/exercise.py", id="3.2.6")
    at.slider(key="w-3.2.6-loglr").set_value(0.5).run()  # η ≈ 3.16
    assert not at.exception and at.error and "diverged" in at.error[0].value
    at.slider(key="w-3.2.6-loglr").set_value(-2.0).run()
    assert not at.exception and not at.error


def test_ohm_and_planck_widgets_move():
    at = open_app("pages/exercise.py", id="3.2.2")
    at.slider(key="w-3.2.2-R").set_value(50.0)
    at.slider(key="w-3.2.2-noise").set_value(0.0)
    at.number_input(key="w-3.2.2-seed").set_value(3).run()
    m = metrics(at)
    assert not at.exception and m["R by gradient descent"] == "50.000 Ω" and m["R by ΣVI / ΣI²"] == "50.000 Ω"
    at = open_app("pages/exercise.py", id="3.2.3")
    at.slider(key="w-3.2.3-T").set_value(8000)
    at.slider(key="w-3.2.3-noise").set_value(1.0)
    at.number_input(key="w-3.2.3-seed").set_value(2).run()
    assert not at.exception and abs(float(metrics(at)["T by gradient descent"].split()[0]) / 8000 - 1) < 0.01


def test_reshape_and_last_batch_widgets_move():
    at = open_app("pages/exercise.py", id="3.2.5")
    at.slider(key="w-3.2.5-n").set_value(6).run()
    assert not at.exception and metrics(at)["Shape of the loss"] == "(6, 6)"
    at.toggle(key="w-3.2.5-reshape").set_value(True).run()
    assert metrics(at)["Shape of the loss"] == "(6, 1)" and float(metrics(at)["Mean of the loss"]) < 1e-3
    at = open_app("pages/exercise.py", id="3.2.7")
    at.slider(key="w-3.2.7-n").set_value(103)
    at.slider(key="w-3.2.7-B").set_value(10).run()
    m = metrics(at)
    assert not at.exception and (m["Minibatches per epoch"], m["Size of the last minibatch"]) == ("11", "3")
    assert m["Book's last step ÷ correct step"] == "0.3000"


def test_section_demo_on_the_chapter_page():
    at = open_app("pages/ch03.py")
    at.select_slider(key="demo-3.2-lr").set_value(3.0)
    at.select_slider(key="demo-3.2-batch").set_value(5)
    at.slider(key="demo-3.2-epochs").set_value(1).run()
    assert not own_exceptions(at)
    table = at.dataframe[next(i for i, d in enumerate(at.dataframe) if "Run" in d.value.columns)].value
    assert (table["Loss after the last epoch"] == "diverged").all()
