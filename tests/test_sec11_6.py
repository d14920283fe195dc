"""Section 11.6: momentum against torch.optim.SGD(momentum=β) step for step, the stability region against simulated
divergence and numpy eigenvalues, the effective rate by summation, the references re-derived another way; the widgets
moved on the pages."""

import math

import numpy as np
import pytest
import sympy
import torch

from d2lcore.optim.gd import gd
from d2lcore.optim.momentum import (
    effective_lr,
    ill_conditioned_quadratic,
    iteration_matrix,
    momentum,
    momentum_stable,
    spectral_radius,
)
from d2lcore.optim.trajectory import trajectory
from exercises import check
from solutions import solve, variant_params
from tests.apptest import metrics, open_app

SEEDS = [0, 1, 2, 77]


def torch_steps(opt_cls, x0: torch.Tensor, grads: torch.Tensor, **kw) -> torch.Tensor:
    """Feed the given gradients to a torch optimiser and return the iterates (for step-for-step comparisons)."""
    p = torch.nn.Parameter(x0.clone())
    opt = opt_cls([p], **kw)
    out = []
    for g in grads:
        p.grad = g.clone()
        opt.step()
        out.append(p.detach().clone())
    return torch.stack(out)


def our_steps(update, x0: torch.Tensor, grads: torch.Tensor, **kw) -> torch.Tensor:
    x, state, out = x0, (), []
    for g in grads:
        x, state = update(x, g, state, **kw)
        out.append(x)
    return torch.stack(out)


@pytest.mark.parametrize("seed, lr, beta", [(0, 0.1, 0.9), (1, 0.5, 0.5), (2, 0.01, 0.0), (3, 1.0, 0.99)])
def test_momentum_matches_torch_sgd(seed, lr, beta):
    gen = torch.Generator().manual_seed(seed)
    x0, grads = torch.randn(3, 4, generator=gen, dtype=torch.float64), torch.randn(30, 3, 4, generator=gen,
                                                                                   dtype=torch.float64)
    ours = our_steps(momentum, x0, grads, lr=lr, beta=beta)
    assert torch.allclose(ours, torch_steps(torch.optim.SGD, x0, grads, lr=lr, momentum=beta), atol=1e-6, rtol=0)


def test_momentum_never_mutates_its_inputs():
    x, g = torch.ones(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64)
    _, state = momentum(x, g, lr=0.1, beta=0.9)
    momentum(x, g, state, lr=0.1, beta=0.9)
    assert torch.equal(x, torch.ones(2, dtype=torch.float64)) and torch.equal(state[0], g)


@pytest.mark.parametrize("beta", [0.0, 0.25, 0.5, 0.9])
@pytest.mark.parametrize("eta_lam", [0.1, 1.0, 1.9, 2.1, 2.45, 2.55, 3.7, 3.9])
def test_stability_region_matches_simulated_divergence(beta, eta_lam):
    stable = momentum_stable(eta_lam, beta, 1.0)
    assert stable == (0 < eta_lam < 2 + 2 * beta)
    xs = trajectory(momentum, lambda x: x, torch.ones(1, dtype=torch.float64), 3000, lr=eta_lam, beta=beta)
    assert (float(xs[-1].abs()) < 1e-3) == stable  # nan (overflow) compares False: diverged
    assert (spectral_radius(eta_lam, beta) < 1) == stable


def test_spectral_radius_is_numpy_eigvals_on_a_grid():
    rng = np.random.default_rng(0)
    for eta_lam, beta in rng.uniform([0, 0], [4.5, 0.99], (200, 2)):
        expected = np.abs(np.linalg.eigvals(iteration_matrix(eta_lam, beta, 1.0))).max()
        assert spectral_radius(eta_lam, beta) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("lr, beta", [(0.1, 0.9), (0.6, 0.5), (0.02, 0.99)])
def test_effective_rate_is_the_long_run_step_of_a_constant_gradient(lr, beta):
    x = trajectory(momentum, lambda z: torch.ones_like(z), torch.zeros(1, dtype=torch.float64), 5000, lr=lr,
                   beta=beta)
    assert float(x[-2] - x[-1]) == pytest.approx(effective_lr(lr, beta), rel=1e-6)
    tau = sympy.Symbol("tau", integer=True, nonnegative=True)
    assert float(sympy.Sum(lr * sympy.Rational(str(beta)) ** tau, (tau, 0, sympy.oo)).doit()) == pytest.approx(
        effective_lr(lr, beta))


@pytest.mark.parametrize("seed", SEEDS)
def test_11_6_1_reference_by_simulation(seed):
    p, ans = variant_params("11.6.1", seed), solve("11.6.1", seed).answer
    f = ill_conditioned_quadratic()
    x0 = torch.tensor([-5.0, -2.0], dtype=torch.float64)

    def blows_up(lr, beta):
        return not float(f.f(trajectory(momentum, f.grad, x0, 2000, lr=lr, beta=beta)[-1])) < 1.0  # nan: overflow

    assert (ans["gd"] == "diverges") == blows_up(p["lr"], 0.0)
    assert (ans["mom"] == "diverges") == blows_up(p["lr"], p["beta"])
    assert not blows_up(0.99 * ans["lrMax"], p["beta"]) and blows_up(1.01 * ans["lrMax"], p["beta"])
    assert ans["effLr"] == pytest.approx(p["lr"] / (1 - p["beta"]))


@pytest.mark.parametrize("seed", SEEDS)
def test_11_6_2_reference_by_simulation(seed):
    p, ans = variant_params("11.6.2", seed), solve("11.6.2", seed).answer
    lam = 2.0 ** -torch.arange(1, p["d"] + 1, dtype=torch.float64)
    xs = trajectory(gd, lambda x: lam * x, torch.ones(p["d"], dtype=torch.float64), 30, lr=p["lr"])
    eta, lm, t = sympy.symbols("eta lam t")
    closed = sympy.lambdify((eta, lm, t), ans["xt"])
    expected = torch.tensor([closed(p["lr"], float(v), 30) for v in lam], dtype=torch.float64)
    assert torch.allclose(xs[30], expected, rtol=1e-9)
    # momentum on the slowest coordinate: the state's norm decays like rate^T over a long horizon
    T = 1500
    lam_d = float(lam[-1])
    x, state, norms = torch.ones(1, dtype=torch.float64), (), []
    for _ in range(2 * T):
        x, state = momentum(x, lam_d * x, state, lr=p["lr"], beta=p["beta"])
        norms.append(math.hypot(float(x), float(state[0])))
    assert (norms[-1] / norms[T - 1]) ** (1 / T) == pytest.approx(ans["rateMom"], rel=5e-3)


@pytest.mark.parametrize("seed", SEEDS)
def test_11_6_3_reference_by_autograd(seed):
    p, ans = variant_params("11.6.3", seed), solve("11.6.3", seed).answer
    Q, c = torch.tensor(p["Q"], dtype=torch.float64), torch.tensor(p["c"], dtype=torch.float64)
    x = torch.tensor(ans["xvec"], dtype=torch.float64, requires_grad=True)

    def h(z):
        return 0.5 * z @ Q @ z + z @ c + p["b"]

    (g,) = torch.autograd.grad(h(x), x)
    assert g.abs().max() < 1e-9 and float(h(x.detach())) == pytest.approx(ans["hval"], abs=1e-9)
    gen = torch.Generator().manual_seed(seed)
    assert all(float(h(x.detach() + 0.1 * torch.randn(2, generator=gen, dtype=torch.float64))) > ans["hval"]
               for _ in range(20))
    q, cs, b = sympy.symbols("q c b")
    assert sympy.simplify(ans["xstar"] + cs / q) == 0 and sympy.simplify(ans["hmin"] - (b - cs**2 / (2 * q))) == 0


def lyapunov_floor(lr: float, beta: float, sigma: float) -> float:
    """Exact stationary E f for momentum on λx²/2 per coordinate: P = A P Aᵀ + σ² b bᵀ solved by kron."""
    total = 0.0
    for lam in (0.2, 4.0):  # Hessian of 0.1x₁² + 2x₂²
        A = np.array([[beta, lam], [-lr * beta, 1 - lr * lam]])  # (v, x)
        bvec = np.array([1.0, -lr])  # the noise enters v and, through −ηv, x
        P = np.linalg.solve(np.eye(4) - np.kron(A, A), sigma**2 * np.outer(bvec, bvec).ravel()).reshape(2, 2)
        total += 0.5 * lam * P[1, 1]
    return total


def test_11_6_4_reference_against_the_lyapunov_equation():
    ans, data = solve("11.6.4").answer, solve("11.6.4").data
    exact = lyapunov_floor(0.05, 0.9, 1.0) / lyapunov_floor(0.05, 0.0, 1.0)
    assert ans["ratio"] == pytest.approx(exact, rel=0.1) and 7 < ans["ratio"] < 12
    exact_eff = lyapunov_floor(0.005, 0.9, 1.0) / lyapunov_floor(0.05, 0.0, 1.0)
    assert abs(exact_eff - 1) < 0.1 and ans["sameEff"] == "same"
    assert float(data["effRatio"]) == pytest.approx(exact_eff, rel=0.1)


def test_11_6_4_wrong_answers():
    assert check("11.6.4", {"ratio": "0.1", "sameEff": "lower"}).score == 0
    assert check("11.6.4", {"ratio": f"{lyapunov_floor(0.05, 0.9, 1.0) / lyapunov_floor(0.05, 0, 1.0):.3f}",
                            "sameEff": "same"}).correct


# --- pages -----------------------------------------------------------------------------------------------------------

def test_lr_momentum_widget_moves():
    at = open_app("pages/exercise.py", id="11.6.1")
    assert not at.exception and metrics(at)["gradient descent"] == "diverges"
    at.slider(key="w-11.6.1-lr").set_value(0.4).run()
    assert not at.exception and metrics(at)["gradient descent"] == "converges"
    at.slider(key="w-11.6.1-beta").set_value(0.0)
    at.slider(key="w-11.6.1-steps").set_value(40)
    at.slider(key="w-11.6.1-lr").set_value(0.8)
    at.run()
    assert not at.exception and metrics(at)["momentum"] == "diverges"


def test_eigen_decay_and_noise_widgets_move():
    at = open_app("pages/exercise.py", id="11.6.2")
    before = metrics(at)["Momentum factor per step, i = d"]
    at.slider(key="w-11.6.2-beta").set_value(0.5)
    at.slider(key="w-11.6.2-d").set_value(4)
    at.slider(key="w-11.6.2-lr").set_value(2.0)
    at.run()
    assert not at.exception and metrics(at)["Momentum factor per step, i = d"] != before
    at = open_app("pages/exercise.py", id="11.6.4")
    ratio = float(metrics(at)["Ratio momentum / SGD"])
    assert not at.exception and 6 < ratio < 14
    at.slider(key="w-11.6.4-beta").set_value(0.0)
    at.slider(key="w-11.6.4-sigma").set_value(2.0)
    at.select_slider(key="w-11.6.4-lr").set_value(0.1)
    at.run()
    assert not at.exception and float(metrics(at)["Ratio momentum / SGD"]) == pytest.approx(1.0)


def test_stability_demo_on_the_chapter_page():
    at = open_app("pages/ch11.py")
    assert not at.exception
    assert float(metrics(at)["Grid points where the eigenvalues and the simulation agree"].rstrip("%")) > 97
