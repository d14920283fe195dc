"""Section 11.9: Adadelta step for step against torch.optim.Adadelta (float64), the rewrite without g′, the first
step against its sympy closed form, the ε ↔ scale invariance, and the 11.9 widgets moved on the page."""

import math

import pytest
import sympy as sp
import torch

from d2lcore.optim.adadelta import adadelta, adadelta_without_rescaled
from d2lcore.optim.momentum import ill_conditioned_quadratic
from d2lcore.optim.trajectory import trajectory
from exercises import check
from solutions import solve
from solutions.ch11_s9 import X0, compare_runs, first_below, steps_to_reach
from tests.apptest import metrics, open_app


def torch_steps(opt_cls, x0, grads_fn, steps, **hyper):
    p = torch.nn.Parameter(x0.clone())
    opt = opt_cls([p], **hyper)
    out = []
    for _ in range(steps):
        opt.zero_grad()
        p.grad = grads_fn(p.detach())
        opt.step()
        out.append(p.detach().clone())
    return torch.stack(out)


@pytest.mark.parametrize("rho, eps, lr, shape", [(0.9, 1e-5, 1.0, (3,)), (0.5, 1e-3, 0.5, (4, 2)),
                                                  (0.99, 1e-6, 2.0, (5,))])
def test_adadelta_matches_torch(rho, eps, lr, shape):
    g = torch.Generator().manual_seed(0)
    A = torch.rand(shape, generator=g, dtype=torch.float64) + 0.1
    x0 = torch.randn(shape, generator=g, dtype=torch.float64)
    ours = trajectory(adadelta, lambda x: A * x, x0, 50, lr=lr, rho=rho, eps=eps)[1:]
    ref = torch_steps(torch.optim.Adadelta, x0, lambda x: A * x, 50, lr=lr, rho=rho, eps=eps)
    torch.testing.assert_close(ours, ref, rtol=1e-6, atol=1e-9)


def test_adadelta_does_not_mutate_its_inputs():
    x, g = torch.ones(3, dtype=torch.float64), torch.full((3,), 2.0, dtype=torch.float64)
    _, state = adadelta(x, g)
    s0 = [t.clone() for t in state]
    adadelta(x, g, state)
    assert torch.equal(x, torch.ones(3, dtype=torch.float64))
    assert all(torch.equal(a, b) for a, b in zip(state, s0, strict=True))


def test_rewrite_without_rescaled_gradient_matches_torch():
    f = ill_conditioned_quadratic()
    ours = trajectory(adadelta_without_rescaled, f.grad, X0, 100, lr=0.7)[1:]
    ref = torch_steps(torch.optim.Adadelta, X0, f.grad, 100, lr=0.7, rho=0.9, eps=1e-5)
    torch.testing.assert_close(ours, ref, rtol=1e-6, atol=1e-9)
    assert solve("11.9.2").answer == {"buffers": 2.0, "same": "same"}


def test_11_9_1_first_step_against_sympy():
    rho, eps, g = sp.Rational(99, 100), sp.Rational(1, 10**5), sp.Integer(-8)
    s1 = (1 - rho) * g**2
    step = sp.sqrt(eps) * abs(g) / sp.sqrt(s1 + eps)  # Δx_0 = 0
    ans = solve("11.9.1").answer
    assert math.isclose(ans["step1"], float(step), rel_tol=1e-9)
    assert math.isclose(float(step), math.sqrt(float(eps) / (1 - float(rho))), rel_tol=1e-3)


def test_11_9_1_large_rho_wins_on_a_rotated_start_too():
    # the claim (ρ = 0.999 starts fastest) on another start point and the rotated problem
    f = ill_conditioned_quadratic(rotated=True)
    x0 = torch.tensor([3.0, -1.0], dtype=torch.float64)
    final = {rho: float(f.f(trajectory(adadelta, f.grad, x0, 200, rho=rho))[-1]) for rho in (0.9, 0.999)}
    assert final[0.999] < 0.5 * final[0.9] and solve("11.9.1").answer["bestRho"] == "0.999"


def test_11_9_3_scale_is_a_squared_epsilon():
    # x → c x is the same as ε → ε / c²: the step counts agree exactly
    assert steps_to_reach(10.0) == steps_to_reach(1.0, eps=1e-7)
    assert steps_to_reach(100.0) == steps_to_reach(1.0, eps=1e-9)


def test_11_9_3_steps_follow_the_t_three_halves_law():
    # constant-sign gradient: Δx grows by (1−ρ)ε per step, distance ≈ (2/3)√((1−ρ)ε) t^{3/2}
    for a in (1.0, 10.0, 100.0):
        predicted = (1.5 * 0.9 * a / math.sqrt(0.1 * 1e-5)) ** (2 / 3)
        assert 0.8 < steps_to_reach(a) / predicted < 1.4
    assert solve("11.9.3").answer["steps"] == steps_to_reach(10.0)


def test_11_9_4_rmsprop_bounces_with_a_constant_rate():
    runs = compare_runs()
    tail = runs["rmsprop"][-100:]
    assert float(tail.min()) > 1e-3 and float(runs["adagrad"][-1]) < 1e-8 and float(runs["adadelta"][-1]) < 1e-2
    assert int((runs["rmsprop"] < 1e-2).nonzero()[0]) < int((runs["adagrad"] < 1e-2).nonzero()[0])
    assert check("11.9.4", solve("11.9.4").answer).correct


def test_widgets_move():
    at = open_app("pages/exercise.py", id="11.9.1")
    assert not at.exception
    before = metrics(at)
    at.select_slider(key="w-11.9.1-rho").set_value(0.5).run()
    assert not at.exception and metrics(at) != before
    for ex, widget, value in [("11.9.3", "w-11.9.3-scale", 100.0), ("11.9.4", "w-11.9.4-steps", 100)]:
        at = open_app("pages/exercise.py", id=ex)
        before = metrics(at)
        (at.select_slider(key=widget) if ex == "11.9.3" else at.slider(key=widget)).set_value(value).run()
        assert not at.exception and metrics(at) != before
    at = open_app("pages/exercise.py", id="11.9.3")
    at.select_slider(key="w-11.9.3-eps").set_value(1e-3).run()
    assert not at.exception


def test_11_9_4_widget_table_counts_the_steps_of_the_solution_runs():
    table = open_app("pages/exercise.py", id="11.9.4").dataframe[0].value["f < 1e-2"].to_dict()
    assert table == {name: first_below(v, 1e-2) for name, v in compare_runs().items()}
