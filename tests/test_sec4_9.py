"""Section 4.9: the log density ratio against the two densities evaluated numerically, the discriminator against
the true ratio and the Bayes accuracy (simulation bands over seeds), the corrector's exact limits against Monte
Carlo and against runs, label-shift correction against the known target prior, and the widgets on the pages."""

import math

import numpy as np
import pytest
import sympy
import torch
from scipy import stats as sps

from d2lcore import shift
from exercises import check
from solutions import solve
from solutions.ch04_s9 import NOISE, risks
from tests.apptest import metrics, open_app


@pytest.mark.parametrize("mu", [(1.5, 0.0), (0.5, -1.0), (2.0, 0.7)])
def test_log_density_ratio_against_scipy_densities(mu):
    X = shift.gaussian_samples(50, (0.3, -0.2), torch.Generator().manual_seed(0))
    want = sps.multivariate_normal(mu, np.eye(2)).logpdf(X.numpy()) - sps.multivariate_normal([0, 0], np.eye(2)
                                                                                               ).logpdf(X.numpy())
    assert np.allclose(shift.log_density_ratio(X, mu).numpy(), want)
    x1, x2 = sympy.symbols("x1 x2")
    f = sympy.lambdify((x1, x2), shift.log_density_ratio_expr(mu))
    assert np.allclose(f(X[:, 0].numpy(), X[:, 1].numpy()), want)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("delta", [0.0, 1.0, 2.0])
def test_discriminator_learns_the_log_ratio_and_reaches_the_bayes_accuracy(seed, delta):
    model, acc = shift.covariate_discriminator(4000, (delta, 0.0), seed)
    assert abs(float(model.w[0]) - delta) < 0.12 and abs(float(model.w[1])) < 0.12
    assert abs(model.b + delta**2 / 2) < 0.15
    assert abs(acc - sps.norm.cdf(delta / 2)) < 0.02  # Φ(δ/2) from scipy, not from the module


def test_4_9_2_reference():
    ans = solve("4.9.2").answer
    assert ans["acc"] == pytest.approx(sps.norm.cdf(0.75))
    assert check("4.9.2", {"logratio": "1.5x1 - 9/8", "acc": "77.34%"}).correct
    assert check("4.9.2", {"logratio": "log(exp(1.5*x1))", "acc": "0.7734"}).score < 1  # intercept missing


def test_corrector_limits_against_monte_carlo():
    rng = np.random.default_rng(0)
    for m in (0.5, 1.0, 1.5):
        x = rng.normal(m, 1, 2_000_000)
        y = x**2 + NOISE * rng.normal(0, 1, len(x))
        plain, weighted = risks(m)
        assert np.mean((y - 1) ** 2) == pytest.approx(plain, rel=0.01)  # the source's best line is y = 1
        assert np.mean((y - (1 - m**2) - 2 * m * x) ** 2) == pytest.approx(weighted, rel=0.01)
        assert plain == pytest.approx(m**4 + 4 * m**2 + 2 + NOISE**2)


def test_linear_fit_risk_expr_is_the_closed_form():
    a, m = sympy.symbols("a m", real=True)
    assert sympy.simplify(shift.linear_fit_risk_expr() - ((m - a) ** 4 + 4 * (m - a) ** 2 + 2)) == 0


@pytest.mark.parametrize("fit_mean, test_mean", [(0.5, 1.5), (-0.3, 0.8), (1.0, 0.0)])
def test_linear_fit_risk_against_a_fitted_line_by_monte_carlo(fit_mean, test_mean):
    rng = np.random.default_rng(1)
    x = rng.normal(fit_mean, 1, 1_000_000)
    c1, c0 = np.polyfit(x, x**2, 1)  # the best line for x ~ N(fit_mean, 1), by numpy least squares
    xt = rng.normal(test_mean, 1, 2_000_000)
    yt = xt**2 + NOISE * rng.normal(0, 1, len(xt))
    assert np.mean((yt - c0 - c1 * xt) ** 2) == pytest.approx(shift.linear_fit_risk(fit_mean, test_mean, NOISE),
                                                             rel=0.01)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_weighting_lowers_the_target_risk_towards_its_limit(seed):
    r = shift.covariate_shift_correction(4000, (1.0, 0.0), NOISE, seed)
    plain, weighted = risks(1.0)
    assert r.weighted_risk < 0.5 * r.plain_risk
    assert abs(r.weighted_risk - weighted) < 0.2 and abs(r.plain_risk - plain) < 0.15 * plain  # x⁴ tails
    assert r.beta_log_error < 0.15


def test_4_9_3_reference():
    ans = solve("4.9.3").answer
    assert (ans["plain"], ans["weighted"], ans["better"]) == pytest.approx((7.25, 2.25, "weighted"))
    assert check("4.9.3", {"plain": "7.25", "weighted": "9/4", "better": "weighted"}).correct


def test_label_shift_solution_is_exact_for_exact_inputs():
    C = torch.tensor([[0.8, 0.1, 0.2], [0.1, 0.7, 0.1], [0.1, 0.2, 0.7]], dtype=torch.float64)
    p = torch.tensor([0.5, 0.2, 0.3], dtype=torch.float64)
    assert torch.allclose(shift.estimate_target_prior(C, C @ p), p)
    y, y_hat = torch.tensor([0, 0, 1, 1, 2, 2]), torch.tensor([0, 1, 1, 1, 2, 0])
    assert torch.allclose(shift.conditional_confusion(y, y_hat, 3).sum(dim=0), torch.ones(3, dtype=torch.float64))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("target", [(0.6, 0.3, 0.1), (0.1, 0.1, 0.8)])
def test_label_shift_recovers_the_target_prior(seed, target):
    r = shift.label_shift_correction((1 / 3, 1 / 3, 1 / 3), target, 20_000, seed)
    assert torch.allclose(r.estimate, r.true_target, atol=0.03)
    assert float((r.nu - r.true_target).abs().max()) > 2 * float((r.estimate - r.true_target).abs().max())
    assert math.isclose(float(r.estimate.sum()), 1.0, abs_tol=1e-9)


# --- pages ------------------------------------------------------------------------------------------------------------

def test_detector_widget_moves():
    at = open_app("pages/exercise.py", id="4.9.2")
    m = metrics(at)
    assert not at.exception and m["Best possible accuracy Φ(δ/2)"] == f"{sps.norm.cdf(0.75):.3f}"
    at.slider(key="w-4.9.2-delta").set_value(0.0)
    at.select_slider(key="w-4.9.2-n").set_value(500)
    at.run()
    assert not at.exception and abs(float(metrics(at)["Held-out accuracy of the detector"]) - 0.5) < 0.06


def test_corrector_widget_moves():
    at = open_app("pages/exercise.py", id="4.9.3")
    m = metrics(at)
    assert not at.exception and float(m["Target risk, weighted"]) < float(m["Target risk, unweighted"])
    at.slider(key="w-4.9.3-m").set_value(0.0)
    at.select_slider(key="w-4.9.3-n").set_value(1000)
    at.run()
    m = metrics(at)
    assert not at.exception and abs(float(m["Target risk, weighted"]) - float(m["Target risk, unweighted"])) < 0.1


def test_label_shift_demo_on_the_chapter_page():
    at = open_app("pages/ch04.py")
    assert not at.exception and float(metrics(at)["Largest error of the estimated prior"]) < 0.05
    at.slider(key="demo-4.9-p0").set_value(0.1)
    at.slider(key="demo-4.9-p1").set_value(0.1)
    at.select_slider(key="demo-4.9-n").set_value(2000)
    at.run()
    assert not at.exception and float(metrics(at)["Largest error of the estimated prior"]) < 0.06
