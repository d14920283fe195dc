"""Section 11.8: RMSProp against torch.optim.RMSprop step for step, the leaky-average weights against sympy, γ = 1 as
gradient descent, the rotated problem through torch, the training experiments re-run on another seed; the widgets
moved on the pages."""

import pytest
import sympy
import torch

from d2lcore.optim.rmsprop import leaky_weights, rmsprop
from d2lcore.optim.trajectory import trajectory
from solutions import solve
from solutions.ch11_s8 import final_loss, gd_equivalent
from tests.apptest import metrics, open_app
from tests.test_sec11_6 import our_steps, torch_steps
from tests.test_sec11_7 import check_rotation_reference


@pytest.mark.parametrize("seed, lr, gamma", [(0, 0.01, 0.9), (1, 0.1, 0.99), (2, 0.4, 0.5)])
def test_rmsprop_matches_torch_with_tiny_eps(seed, lr, gamma):
    gen = torch.Generator().manual_seed(seed)
    x0, grads = torch.randn(4, generator=gen, dtype=torch.float64), torch.randn(40, 4, generator=gen,
                                                                                dtype=torch.float64)
    ours = our_steps(rmsprop, x0, grads, lr=lr, gamma=gamma, eps=1e-30)
    theirs = torch_steps(torch.optim.RMSprop, x0, grads, lr=lr, alpha=gamma, eps=1e-15)
    assert torch.allclose(ours, theirs, atol=1e-6, rtol=0)


@pytest.mark.parametrize("gamma, t", [(0.9, 1), (0.9, 10), (0.99, 50), (0.5, 7)])
def test_leaky_weights_sum_and_unrolled_state(gamma, t):
    g_sym, tau = sympy.symbols("gamma tau")
    total = sympy.summation((1 - g_sym) * g_sym ** (t - tau), (tau, 1, t))
    assert float(leaky_weights(gamma, t).sum()) == pytest.approx(float(total.subs(g_sym, gamma)))
    assert float(leaky_weights(gamma, t).sum()) == pytest.approx(1 - gamma**t)
    gen = torch.Generator().manual_seed(t)
    grads = torch.randn(t, 1, generator=gen, dtype=torch.float64)
    x, state = torch.zeros(1, dtype=torch.float64), ()
    for g in grads:
        x, state = rmsprop(x, g, state, lr=0.1, gamma=gamma)
    assert float(state[0]) == pytest.approx(float((leaky_weights(gamma, t) * grads[:, 0] ** 2).sum()))


def test_11_8_1_gamma_one_is_gradient_descent_with_lr_over_root_eps():
    a, b = gd_equivalent(3)
    assert torch.allclose(a, b)
    ans = solve("11.8.1").answer
    assert ans["rate"] == pytest.approx(0.4 / 1e-3) and ans["outcome"] == "diverges"
    # torch with alpha = 1 also keeps s at 0 but puts ε outside: its first step is lr·g/ε
    f_grad = torch.tensor([-1.0, -8.0], dtype=torch.float64)
    step = torch_steps(torch.optim.RMSprop, torch.zeros(2, dtype=torch.float64), f_grad[None], lr=0.4, alpha=1.0,
                       eps=1e-6)
    assert torch.allclose(step[0], -0.4 * f_grad / 1e-6)


def test_11_8_2_reference_with_torch_autograd():
    check_rotation_reference("11.8.2", torch.optim.RMSprop, {"lr": 0.4, "alpha": 0.9, "eps": 1e-10})


def test_11_8_3_best_rate_on_another_data_seed():
    ans = solve("11.8.3").answer
    assert ans["best"] == "0.01" and 0.2 < ans["loss"] < 0.27
    losses = {lr: final_loss(lr, 0.9, seed=1) for lr in (0.001, 0.01, 0.1)}
    assert min(losses, key=losses.get) == 0.01


def test_11_8_4_gamma_spread_on_another_data_seed():
    ans = solve("11.8.4").answer
    assert ans["sensitive"] == "little" and ans["spread"] < 0.02
    losses = [final_loss(0.01, g, seed=1) for g in (0.5, 0.9, 0.99)]
    assert max(losses) / min(losses) - 1 < 0.03


def test_rmsprop_gamma_close_to_one_takes_large_first_steps():
    x = trajectory(rmsprop, lambda z: torch.ones_like(z), torch.zeros(1, dtype=torch.float64), 1, lr=0.01,
                   gamma=0.999)
    assert float(-x[1]) == pytest.approx(0.01 / (0.001 + 1e-6) ** 0.5, rel=1e-9)  # ≈ 31.6 η


# --- pages -----------------------------------------------------------------------------------------------------------

def test_gamma_and_rotation_widgets_move():
    at = open_app("pages/exercise.py", id="11.8.1")
    assert not at.exception and float(metrics(at)["Largest f on the way"]) > 1e6
    at.slider(key="w-11.8.1-gamma").set_value(0.9).run()
    assert not at.exception and float(metrics(at)["f after 20 steps"]) < 0.01
    at = open_app("pages/exercise.py", id="11.8.2")
    at.slider(key="w-11.8.2-lr").set_value(0.2)
    at.toggle(key="w-11.8.2-rotate").set_value(False)
    at.run()
    assert not at.exception


def test_training_widgets_move():
    at = open_app("pages/exercise.py", id="11.8.3")
    assert not at.exception and float(metrics(at)["Final loss at η = 0.01"]) == pytest.approx(
        solve("11.8.3").answer["loss"], abs=1e-4)
    at.select_slider(key="w-11.8.3-lr").set_value(0.1)
    at.slider(key="w-11.8.3-epochs").set_value(1)
    at.run()
    assert not at.exception and "Final loss at η = 0.1" in metrics(at)
    at = open_app("pages/exercise.py", id="11.8.4")
    at.multiselect(key="w-11.8.4-gammas").set_value(["g09", "ramp"]).run()
    assert not at.exception
