"""Section 11.10: Adam step for step against torch.optim.Adam (float64; ε outside the square root after bias
correction in both), Yogi against its formula written out in numpy, the bias correction derived with sympy and
checked by simulation, and Reddi et al.'s (2018) counterexample: Adam goes to the worst point, Yogi to the optimum."""

import numpy as np
import pytest
import sympy as sp
import torch

from d2lcore.optim.adam import adam, unbiased_moments, yogi
from d2lcore.optim.momentum import ill_conditioned_quadratic
from d2lcore.optim.objectives import rosenbrock
from d2lcore.optim.rmsprop import rmsprop
from d2lcore.optim.trajectory import stochastic_trajectory, trajectory
from exercises import check
from solutions import solve
from solutions.ch11_s10 import LRS, REDDI, X0, noisy_runs, noisy_runs_batch, optimizer_paths, plateau, reddi_paths
from tests.apptest import metrics, open_app


def torch_adam(x0, grad, steps, **hyper):
    p = torch.nn.Parameter(x0.clone())
    opt = torch.optim.Adam([p], **hyper)
    out = []
    for _ in range(steps):
        p.grad = grad(p.detach())
        opt.step()
        out.append(p.detach().clone())
    return torch.stack(out)


@pytest.mark.parametrize("lr, b1, b2, eps, shape", [(0.1, 0.9, 0.999, 1e-6, (3,)), (0.01, 0.0, 0.99, 1e-8, (2, 4)),
                                                    (0.5, 0.5, 0.9, 1e-3, (5,))])
def test_adam_matches_torch(lr, b1, b2, eps, shape):
    g = torch.Generator().manual_seed(1)
    A = torch.rand(shape, generator=g, dtype=torch.float64) + 0.1
    x0 = torch.randn(shape, generator=g, dtype=torch.float64)
    ours = trajectory(adam, lambda x: A * x, x0, 60, lr=lr, beta1=b1, beta2=b2, eps=eps)[1:]
    ref = torch_adam(x0, lambda x: A * x, 60, lr=lr, betas=(b1, b2), eps=eps)
    torch.testing.assert_close(ours, ref, rtol=1e-6, atol=1e-9)


def yogi_numpy(x, grads, lr, b1, b2, eps):
    v, s = np.zeros_like(x), np.zeros_like(x)
    for t, g in enumerate(grads, start=1):
        v = b1 * v + (1 - b1) * g
        s = s + (1 - b2) * g**2 * np.sign(g**2 - s)  # s ← s + (1 − β₂) g² ⊙ sgn(g² − s)
        x = x - lr * (v / (1 - b1**t)) / (np.sqrt(s / (1 - b2**t)) + eps)
    return x


def test_yogi_matches_its_formula():
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(40, 6)) * rng.uniform(0.1, 5, size=6)
    x, state = torch.zeros(6, dtype=torch.float64), ()
    for g in grads:
        x, state = yogi(x, torch.tensor(g), state, lr=0.05, beta1=0.9, beta2=0.99, eps=1e-3)
    np.testing.assert_allclose(x.numpy(), yogi_numpy(np.zeros(6), grads, 0.05, 0.9, 0.99, 1e-3), rtol=1e-10)


@pytest.mark.parametrize("rule", [adam, yogi])
def test_rules_on_numpy_arrays_equal_the_tensor_route(rule):
    """The numpy branch of each rule (used for Reddi's 100 chains) against its torch branch, step for step."""
    rng = np.random.default_rng(2)
    grads = rng.normal(size=(50, 7)) * rng.uniform(0.1, 5, size=7)
    (xt, st), (xn, sn) = (torch.zeros(7, dtype=torch.float64), ()), (np.zeros(7), ())
    for g in grads:
        xt, st = rule(xt, torch.from_numpy(g), st, lr=0.05, beta1=0.9, beta2=0.99, eps=1e-3)
        xn, sn = rule(xn, g, sn, lr=0.05, beta1=0.9, beta2=0.99, eps=1e-3)
    np.testing.assert_allclose(xn, xt.numpy(), rtol=1e-12, atol=1e-15)


def test_bias_correction_with_sympy_and_by_simulation():
    beta, t, i = sp.symbols("beta t i", positive=True)
    weights = sp.summation((1 - beta) * beta ** (t - i), (i, 1, t))  # E[v_t] / E[g] for stationary g
    assert sp.simplify(weights - (1 - beta**t)) == 0
    gen = torch.Generator().manual_seed(0)
    g = 2.0 + torch.randn(10, 20000, generator=gen, dtype=torch.float64)  # (T, samples), E[g] = 2
    corrected, rewritten = unbiased_moments(g, beta=0.9)
    torch.testing.assert_close(corrected, rewritten)
    assert (corrected.mean(-1) - 2.0).abs().max() < 0.05  # unbiased at every t, from t = 1


def reddi_run(update, steps=1000, seeds=100, C=5.0, **hyper):
    """f_t(x) = C x with probability 1/3, −x otherwise, x ∈ [−1, 1]: E f = (C − 2)/3 · x, optimum x = −1."""
    g = torch.Generator().manual_seed(0)
    x, state = torch.zeros(seeds, dtype=torch.float64), ()
    for _ in range(steps):
        big = torch.rand(seeds, generator=g, dtype=torch.float64) < 1 / 3
        grad = torch.where(big, C, -1.0).to(torch.float64)
        x, state = update(x, grad, state, **hyper)
        x = x.clamp(-1, 1)  # projection onto the feasible set
    return x


def test_adam_fails_and_yogi_converges_on_reddis_problem():
    hyper = dict(lr=0.01, beta1=0.0, beta2=1 / 26, eps=1e-8)  # β₂ = 1/(1 + C²)
    xa, xy = reddi_run(adam, **hyper), reddi_run(yogi, **hyper)
    assert xa.mean() > 0.9 and xy.mean() < -0.8  # Adam at the worst point, Yogi near the optimum


@pytest.mark.parametrize("objective", ["quadratic", "rotated", "rosenbrock"])
def test_optimizer_paths_run_together_equal_three_trajectories(objective):
    f = rosenbrock() if objective == "rosenbrock" else ill_conditioned_quadratic(rotated=objective == "rotated")
    x0 = torch.tensor([-1.5, 2.0], dtype=torch.float64)
    hyper = dict(lr=0.3, beta1=0.5, beta2=0.99, eps=1e-3)
    ours = optimizer_paths(f, x0, 60, **hyper)
    ref = {"adam": trajectory(adam, f.grad, x0, 60, **hyper), "yogi": trajectory(yogi, f.grad, x0, 60, **hyper),
           "rmsprop": trajectory(rmsprop, f.grad, x0, 60, lr=0.3, gamma=0.99, eps=1e-3)}
    for name, path in ref.items():
        torch.testing.assert_close(ours[name], path, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("lr, decay", [(0.1, False), (0.05, False), (0.3, True)])
def test_noisy_runs_batch_equals_stochastic_trajectory(lr, decay):
    """Settings batched on shared noise against each setting alone through d2lcore's stochastic_trajectory."""
    f = ill_conditioned_quadratic()
    schedule = (lambda t: (1 + t / 20) ** -0.5) if decay else None
    xs = stochastic_trajectory(adam, f.grad, X0.expand(50, 2).clone(), 120, 1.0, torch.Generator().manual_seed(7),
                               lr_schedule=schedule, lr=lr)
    batch = noisy_runs_batch(((0.2, True), (lr, decay)), steps=120, chains=50, seed=7)
    torch.testing.assert_close(batch[:, 1], f.f(xs).mean(-1), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("rule", [adam, yogi])
def test_reddi_paths_equal_drawing_one_row_per_step(rule):
    hyper = dict(lr=0.01, beta1=0.0, beta2=1 / 26, eps=1e-8)
    torch.testing.assert_close(reddi_paths(rule, steps=300, chains=40, **hyper)[-1],
                               reddi_run(rule, steps=300, seeds=40, **hyper), rtol=1e-12, atol=1e-12)


# --- exercises: every reference checked another way -------------------------------------------------------------

def test_11_10_1_first_step_against_sympy_and_best_rate_with_torch():
    eta, eps, g = sp.Rational(1, 10), sp.Rational(1, 10**6), sp.Integer(-8)
    v_hat, s_hat = g, g**2  # after the bias correction at t = 1
    step = eta * abs(v_hat) / (sp.sqrt(s_hat) + eps)
    ans = solve("11.10.1").answer
    assert ans["step1"] == pytest.approx(float(step), rel=1e-9)
    A = torch.tensor([0.2, 4.0], dtype=torch.float64)  # ∇(0.1 x₁² + 2 x₂²) = A ⊙ x
    final = {lr: float((0.5 * A * torch_adam(X0, lambda x: A * x, 100, lr=lr, eps=1e-6)[-1] ** 2).sum())
             for lr in LRS}
    assert f"{min(final, key=final.get):g}" == ans["bestLr"]
    assert check("11.10.1", {"step1": "0.8"}).score < 1  # the gradient-descent step


def test_11_10_2_alpha_reproduces_the_corrected_average():
    ans = solve("11.10.2").answer
    b, t = sp.Symbol("b"), sp.Symbol("t")
    alpha = sp.lambdify((b, t), ans["alpha"])
    gen = torch.Generator().manual_seed(5)
    g = 1.0 + torch.randn(40, 3, generator=gen, dtype=torch.float64)
    corrected, _ = unbiased_moments(g, beta=0.8)
    w = torch.full((3,), 7.0, dtype=torch.float64)  # any start value: α₁ = 1 forgets it
    for k in range(40):
        w = w + alpha(0.8, k + 1) * (g[k] - w)
        torch.testing.assert_close(w, corrected[k])
    assert ans["alpha1"] == 1.0 and check("11.10.2", {"alpha": "1/t"}).score < 1


@pytest.mark.parametrize("seed", [1, 2])
def test_11_10_3_decay_beats_a_constant_rate_over_seeds(seed):
    const, half = plateau(noisy_runs(0.1, seed=seed)), plateau(noisy_runs(0.05, seed=seed))
    decayed = plateau(noisy_runs(0.1, decay=True, seed=seed))
    assert decayed < 0.6 * const and 1.3 < const / half < 6  # the plateau shrinks with η
    assert solve("11.10.3").answer["plateau"] == pytest.approx(const, rel=0.15)


def test_11_10_4_torch_adam_also_goes_to_the_worst_point():
    # torch.optim.Adam with a projection (clamp) after each step, other gradient sequences than the reference
    g = torch.Generator().manual_seed(11)
    p = torch.nn.Parameter(torch.zeros(50, dtype=torch.float64))
    opt = torch.optim.Adam([p], lr=REDDI["lr"], betas=(REDDI["beta1"], REDDI["beta2"]), eps=REDDI["eps"])
    for _ in range(1000):
        big = torch.rand(50, generator=g, dtype=torch.float64) < 1 / 3
        p.grad = torch.where(big, REDDI["C"], -1.0).to(torch.float64)
        opt.step()
        with torch.no_grad():
            p.clamp_(-1, 1)
    assert float(p.detach().mean()) > 0.9
    assert float(reddi_paths(yogi, seed=3, lr=0.01, beta1=0.0, beta2=1 / 26, eps=1e-8)[-1].mean()) < -0.8
    ans = solve("11.10.4").answer
    assert ans["adamX"] > 0.9 and ans["yogiX"] < -0.8 and check("11.10.4", {"adamX": "-1"}).score < 1


def test_widgets_move():
    at = open_app("pages/exercise.py", id="11.10.1")
    assert not at.exception
    before = metrics(at)
    for widget, value in [("lr", 0.5), ("beta1", 0.0), ("beta2", 0.99), ("eps", 1e-3)]:
        at.select_slider(key=f"w-11.10.1-{widget}").set_value(value).run()
        assert not at.exception
    at.slider(key="w-11.10.1-steps").set_value(60).run()
    at.selectbox(key="w-11.10.1-objective").set_value("rosenbrock").run()
    assert not at.exception and metrics(at) != before
    moves = {"11.10.2": [("select_slider", "beta", 0.99), ("slider", "steps", 120)],
             "11.10.3": [("select_slider", "lr", 0.3), ("slider", "steps", 300)],
             "11.10.4": [("slider", "C", 8.0), ("select_slider", "beta2", 0.999), ("select_slider", "lr", 0.1)]}
    for ex, steps in moves.items():
        at = open_app("pages/exercise.py", id=ex)
        before = metrics(at)
        for kind, name, value in steps:
            getattr(at, kind)(key=f"w-{ex}-{name}").set_value(value).run()
            assert not at.exception
        assert metrics(at) != before
