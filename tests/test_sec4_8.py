"""Section 4.8: the variance formulas (sympy) against torch's own initialisers and simulations, products of random
matrices against explicit products, vanishing gradients, exact symmetry, the constant-initialisation experiment
over several seeds, and the widgets moved on the pages."""

import math

import pytest
import sympy
import torch
from torch import nn

from d2lcore import init as d2linit
from d2lcore.mlp import linear_layers, mlp_net
from exercises import check
from solutions import solve
from solutions.ch04_s8 import CONSTANT, MLP_HIDDEN, SOFTMAX_RUN
from tests.apptest import metrics, open_app

n_in, n_out, sigma, gamma = d2linit.n_in, d2linit.n_out, d2linit.sigma, d2linit.gamma


def test_variance_formulas_in_sympy():
    assert sympy.simplify(d2linit.linear_output_variance() - n_in * sigma**2 * gamma**2) == 0
    assert sympy.simplify(d2linit.xavier_variance() - 2 / (n_in + n_out)) == 0
    bound = d2linit.uniform_bound_for_variance(d2linit.xavier_variance())
    assert sympy.simplify(bound**2 - 6 / (n_in + n_out)) == 0
    assert sympy.simplify(d2linit.relu_second_moment() - gamma**2 / 2) == 0
    assert sympy.simplify(d2linit.kaiming_variance() - 2 / n_in) == 0


@pytest.mark.parametrize("fan_in, fan_out", [(64, 64), (300, 100), (50, 400)])
def test_xavier_and_kaiming_match_torch_initialisers(fan_in, fan_out):
    g = torch.Generator().manual_seed(0)
    W = torch.empty(fan_out, fan_in)
    nn.init.xavier_uniform_(W, generator=g)
    want = float(d2linit.xavier_variance().subs({n_in: fan_in, n_out: fan_out}))
    assert abs(float(W.var()) / want - 1) < 0.05
    assert float(W.abs().max()) <= float(d2linit.uniform_bound_for_variance(want))
    nn.init.kaiming_normal_(W, nonlinearity="relu", generator=g)
    assert abs(float(W.var()) / float(d2linit.kaiming_variance().subs(n_in, fan_in)) - 1) < 0.05


def test_relu_halves_the_second_moment_by_simulation():
    z = 3.0 * torch.randn(400_000, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    assert abs(float((torch.relu(z) ** 2).mean()) / float(d2linit.relu_second_moment().subs(gamma, 3)) - 1) < 0.01


@pytest.mark.parametrize("init, activation", [("kaiming", "relu"), ("xavier", "tanh")])
def test_variance_preserving_init_keeps_the_signal_through_20_layers(init, activation):
    g = torch.Generator().manual_seed(0)
    net = mlp_net(128, [128] * 20, 1, activation=activation, init=init, generator=g)
    outputs = []
    for layer in linear_layers(net):
        layer.register_forward_hook(lambda m, i, o: outputs.append(float(o.detach().std())))
    net(torch.randn(512, 128, generator=g))
    assert all(0.1 < s < 3 for s in outputs[:-1])  # tanh shrinks slowly (slope < 1 away from 0); no collapse
    small = d2linit.layer_gradient_norms(20, 128, activation, "normal", 0.01)
    assert small.output_std[-2] < 1e-6  # N(0, 0.01²) lets the signal die


def test_squared_norm_growth_by_simulation():
    width, std, depth = 8, 0.5, 3
    g = torch.Generator().manual_seed(0)
    x = torch.randn(width, dtype=torch.float64, generator=g)
    Ws = std * torch.randn(100_000, depth, width, width, dtype=torch.float64, generator=g)
    h = x.expand(100_000, width)[..., None]
    for layer in range(depth):
        h = Ws[:, layer] @ h
    ratio = float((h.squeeze(-1) ** 2).sum(-1).mean() / (x**2).sum())
    assert abs(math.log10(ratio) - d2linit.squared_norm_growth_log10(width, std, depth)) < 0.03
    assert d2linit.squared_norm_growth_log10(4, 1.0, 100) == pytest.approx(100 * math.log10(4))


@pytest.mark.parametrize("depth", [1, 5, 10])
def test_product_log_singular_values_against_the_explicit_product(depth):
    Ws = d2linit.random_matrices(depth, 8, 0.35, torch.Generator().manual_seed(depth))
    M = torch.eye(8, dtype=torch.float64)
    for W in Ws:
        M = W @ M
    logs = d2linit.product_log_singular_values(Ws)
    assert float(logs.sum()) == pytest.approx(float(torch.linalg.slogdet(M).logabsdet), abs=1e-8)  # Σ log σ_i
    svd_kappa = float(torch.log10(torch.linalg.cond(M)))
    assert abs(d2linit.condition_number_log10(Ws) - svd_kappa) < 0.5 * svd_kappa + 1


@pytest.mark.parametrize("width, std, depth", [(4, 1.0, 100), (16, 0.25, 50), (64, 0.2, 7), (8, 0.5, 3)])
def test_squared_norm_growth_is_the_sympy_variance_formula(width, std, depth):
    factor = d2linit.linear_output_variance().subs({n_in: width, sigma: std, gamma: 1})  # n σ², derived in sympy
    want = float(depth * sympy.log(factor, 10))
    assert d2linit.squared_norm_growth_log10(width, std, depth) == pytest.approx(want, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("depth, width, std", [(12, 8, 0.35), (30, 4, 0.5), (5, 16, 0.25)])
def test_product_log_singular_values_path_rows_are_the_partial_products(depth, width, std):
    Ws = d2linit.random_matrices(depth, width, std, torch.Generator().manual_seed(depth))
    path = d2linit.product_log_singular_values_path(Ws)  # (depth, width)
    log_det = torch.cumsum(torch.linalg.slogdet(Ws).logabsdet, 0)  # log |det W_L ⋯ W_1| = Σ_l log |det W_l|
    assert torch.allclose(path.sum(1), log_det, atol=1e-9)
    assert all(torch.equal(path[L - 1], d2linit.product_log_singular_values(Ws[:L])) for L in range(1, depth + 1))


@pytest.mark.parametrize("depth, activation, init", [(3, "relu", "kaiming"), (10, "sigmoid", "normal"),
                                                     (6, "tanh", "xavier")])
def test_layer_gradient_norms_by_hand_and_against_float32(depth, activation, init):
    s = d2linit.layer_gradient_norms(depth, 32, activation, init, 0.01, n_examples=64, seed=3)
    g = torch.Generator().manual_seed(3)  # the same draws, computed again without autograd
    net = mlp_net(32, [32] * depth, 1, activation=activation, init=init, std=0.01, generator=g).double()
    X = torch.randn(64, 32, generator=g).double()
    with torch.no_grad():
        h = net[:-1](X)  # (n, 32): the last hidden layer; l = mean_k (w·h_k + b) so ∂l/∂w = mean_k h_k
    assert s.grad_norm[-1] == pytest.approx(float(h.mean(0).norm()), rel=1e-12)
    g32 = torch.Generator().manual_seed(3)  # the book's float32 route, where nothing underflows here
    net32 = mlp_net(32, [32] * depth, 1, activation=activation, init=init, std=0.01, generator=g32)
    net32(torch.randn(64, 32, generator=g32)).mean().backward()
    assert s.grad_norm == pytest.approx([float(m.weight.grad.norm()) for m in linear_layers(net32)], rel=1e-4)


def test_layer_gradient_norms_keep_vanished_gradients_representable():
    s = d2linit.layer_gradient_norms(30, 64, "sigmoid", "normal", 0.01)
    assert 0 < s.grad_norm[0] < 1e-40  # float32 would have flushed it to 0 (below 1e-45)


def test_sigmoid_gradients_vanish_and_kaiming_relu_keeps_them():
    s = d2linit.layer_gradient_norms(10, 64, "sigmoid", "normal", 0.01)
    assert s.grad_norm[0] < 1e-12 * s.grad_norm[-1]
    r = d2linit.layer_gradient_norms(10, 64, "relu", "kaiming")
    assert 1e-2 < r.grad_norm[0] / r.grad_norm[-1] < 1e2
    big = d2linit.layer_gradient_norms(10, 64, "relu", "normal", 1.0)
    assert big.grad_norm[0] > 1e6  # explodes


@pytest.mark.parametrize("hidden, c, seed", [(2, 0.1, 0), (8, 0.5, 1), (32, 0.01, 2)])
def test_identical_units_stay_identical_exactly(hidden, c, seed):
    assert max(d2linit.symmetry_run(hidden, c, 0.0, steps=30, seed=seed)) == 0.0
    assert max(d2linit.symmetry_run(hidden, c, 0.5, steps=30, seed=seed)) > 1e-3


def test_4_8_2_reference():
    ans = solve("4.8.2").answer
    assert ans["loss0"] == pytest.approx(math.log(10), rel=1e-6)
    assert float(nn.functional.cross_entropy(torch.zeros(5, 10), torch.arange(5))) == pytest.approx(ans["loss0"])
    assert (ans["sameOk"], ans["mlpOk"]) == ("yes", "no")
    assert check("4.8.2", {"sameOk": "yes", "loss0": "ln(10)", "mlpOk": "no"}).correct


@pytest.mark.parametrize("seed", [1, 2])
def test_4_8_2_claim_holds_on_other_subsets(seed):
    const = d2linit.constant_init_run(CONSTANT, seed=seed, **SOFTMAX_RUN).test_acc[-1]
    rand = d2linit.constant_init_run(None, seed=seed, **SOFTMAX_RUN).test_acc[-1]
    mlp = d2linit.constant_init_run(CONSTANT, MLP_HIDDEN, seed=seed, **SOFTMAX_RUN).test_acc[-1]
    assert abs(const - rand) < 0.03 and const > 0.75 and mlp < 0.5


def test_4_8_3_reference():
    ans = solve("4.8.3").answer
    assert ans["logGrowth"] == pytest.approx(100 * math.log10(4))
    assert check("4.8.3", {**{k: str(v) for k, v in ans.items()}, "sigma2": "n^-1", "sigma2relu": "2/n"}).correct
    assert check("4.8.3", {"sigma2": "1/n^2"}).score < 1


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_4_8_3_spread_grows_with_depth_at_the_right_scale(seed):
    g = torch.Generator().manual_seed(seed)
    one = d2linit.condition_number_log10(d2linit.random_matrices(1, 16, 0.25, g))
    fifty = d2linit.condition_number_log10(d2linit.random_matrices(50, 16, 0.25, g))
    assert fifty > one + 10


def test_4_8_4_lars_equalises_relative_steps():
    s = d2linit.layer_gradient_norms(8, 64, "sigmoid", "xavier")
    rates = d2linit.lars_local_rates(s, eta=0.01)
    steps = [r * g / w for r, g, w in zip(rates, s.grad_norm, s.weight_norm, strict=True)]
    assert steps == pytest.approx([0.01] * len(steps))
    assert float(solve("4.8.4").data["ratio"]) > 10


# --- pages ------------------------------------------------------------------------------------------------------------

def test_symmetry_widget_moves():
    at = open_app("pages/exercise.py", id="4.8.1")
    assert not at.exception and metrics(at)["Largest difference between two hidden units"] == "0"
    at.select_slider(key="w-4.8.1-p").set_value(0.5).run()
    assert not at.exception and float(metrics(at)["Largest difference between two hidden units"]) > 0
    at.slider(key="w-4.8.1-hidden").set_value(4)
    at.select_slider(key="w-4.8.1-c").set_value(0.5)
    at.run()
    assert not at.exception


def test_constant_init_widget_moves():
    at = open_app("pages/exercise.py", id="4.8.2")
    assert not at.exception
    m = metrics(at)
    assert abs(float(m["Test accuracy, all weights c"]) - float(m["Test accuracy, random start"])) < 0.03
    at.radio(key="w-4.8.2-model").set_value("mlp").run()
    assert not at.exception and float(metrics(at)["Test accuracy, all weights c"]) < 0.5
    at.select_slider(key="w-4.8.2-c").set_value(0.0).run()
    assert not at.exception


def test_matrix_product_and_lars_widgets_move():
    at = open_app("pages/exercise.py", id="4.8.3")
    before = metrics(at)["log10 condition number"]
    at.slider(key="w-4.8.3-depth").set_value(5)
    at.select_slider(key="w-4.8.3-width").set_value(4)
    at.slider(key="w-4.8.3-gain").set_value(2.0)
    at.run()
    m = metrics(at)
    assert not at.exception and m["log10 condition number"] != before
    assert m["log10 growth of E‖Mx‖²"] == f"{5 * math.log10(4):.1f}"
    at = open_app("pages/exercise.py", id="4.8.4")
    before = metrics(at)["LARS rate, first layer / last layer"]
    at.slider(key="w-4.8.4-depth").set_value(3)
    at.radio(key="w-4.8.4-act").set_value("relu")
    at.run()
    assert not at.exception and metrics(at)["LARS rate, first layer / last layer"] != before


def test_gradient_demo_on_the_chapter_page():
    at = open_app("pages/ch04.py")
    assert not at.exception
    at.slider(key="demo-4.8-depth").set_value(3).run()
    small = float(metrics(at)["log10 (last / first)"])
    at.slider(key="demo-4.8-depth").set_value(20).run()
    assert not at.exception and float(metrics(at)["log10 (last / first)"]) > small
    at.radio(key="demo-4.8-init").set_value("kaiming")
    at.radio(key="demo-4.8-act").set_value("relu")
    at.run()
    assert not at.exception and abs(float(metrics(at)["log10 (last / first)"])) < 2
    at.radio(key="demo-4.8-init").set_value("normal").run()
    at.select_slider(key="demo-4.8-std").set_value(1.0).run()
    assert not at.exception
