"""Section 4.1 and the shared MLP module: activations against torch built-ins and their sympy derivatives against
autograd; mlp_net's structure, seeding and initialisations; the exact pieces of a random ReLU network against its
own evaluation and numerical second differences; the exercises' references checked another way; the pages."""

import math

import numpy as np
import pytest
import sympy
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from d2lcore import mlp

X64 = torch.linspace(-6, 6, 241, dtype=torch.float64)
x_sym, a_sym = sympy.symbols("x a")


def assert_matches_torch(ours, theirs, x, **kw):
    torch.testing.assert_close(ours(x, **kw), theirs(x, **kw) if kw else theirs(x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("ours, theirs", [
    pytest.param(mlp.relu, torch.relu, id="relu"),
    pytest.param(mlp.sigmoid, torch.sigmoid, id="sigmoid"),
    pytest.param(mlp.tanh, torch.tanh, id="tanh"),
    pytest.param(lambda x: mlp.prelu(x, 0.25), lambda x: nn.functional.prelu(x, torch.tensor([0.25], dtype=x.dtype)),
                 id="prelu"),
])
def test_activation_matches_torch(ours, theirs):
    assert_matches_torch(ours, theirs, X64)


@pytest.mark.parametrize("x", [-1000.0, -50.0, 50.0, 1000.0])
def test_tanh_and_sigmoid_stay_finite_for_large_inputs(x):
    t = torch.tensor([x])
    assert torch.isfinite(mlp.tanh(t)).all() and torch.isfinite(mlp.sigmoid(t)).all()


@pytest.mark.parametrize("name, alpha", [("relu", None), ("prelu", 0.1), ("prelu", -0.5), ("sigmoid", None),
                                         ("tanh", None), ("leaky_relu", None), ("gelu", None)])
def test_sympy_derivative_matches_autograd(name, alpha):
    expr = mlp.activation_derivative_expr(name, x_sym, alpha)
    f = sympy.lambdify(x_sym, expr, "math")
    x = X64[X64.abs() > 1e-9].clone().requires_grad_(True)  # the kink at 0 has no derivative
    torch_fn = {"relu": mlp.relu, "sigmoid": mlp.sigmoid, "tanh": mlp.tanh, "prelu": lambda v: mlp.prelu(v, alpha),
                "leaky_relu": nn.functional.leaky_relu, "gelu": nn.functional.gelu}[name]
    (g,) = torch.autograd.grad(torch_fn(x).sum(), x)
    assert np.allclose([f(float(v)) for v in x.detach()], g.numpy(), atol=1e-12)


@pytest.mark.parametrize("name", mlp.ACTIVATIONS)
def test_activation_expr_matches_torch_function(name):
    f = sympy.lambdify(x_sym, mlp.activation_expr(name, x_sym, 0.3), "math")
    torch_fn = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
                "prelu": lambda v: nn.functional.prelu(v, torch.tensor([0.3], dtype=v.dtype)),
                "leaky_relu": nn.functional.leaky_relu, "gelu": nn.functional.gelu}
    assert np.allclose([f(float(v)) for v in X64], torch_fn[name](X64).numpy(), atol=1e-12)


def test_unknown_activation_and_init_are_refused():
    with pytest.raises(ValueError):
        mlp.activation_expr("swish", x_sym)
    with pytest.raises(ValueError):
        mlp.mlp_net(4, [3], 2, activation="swish")
    with pytest.raises(ValueError):
        mlp.mlp_net(4, [3], 2, init="orthogonal")
    with pytest.raises(ValueError):
        mlp.mlp_net(4, [3, 3], 2, dropout=[0.1])


# --- mlp_net ---------------------------------------------------------------------------------------------------------

def test_mlp_net_layers_in_order():
    net = mlp.mlp_net(784, [256, 128], 10, activation="tanh", dropout=[0.2, 0.0])
    kinds = [type(m).__name__ for m in net]
    assert kinds == ["Flatten", "Linear", "Tanh", "Dropout", "Linear", "Tanh", "Linear"]
    assert net[3].p == 0.2 and net(torch.zeros(5, 1, 28, 28)).shape == (5, 10)
    assert mlp.count_parameters(net) == 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10


@pytest.mark.parametrize("init", mlp.INITS)
def test_mlp_net_is_seeded_by_the_generator(init):
    nets = [mlp.mlp_net(20, [30], 5, init=init, generator=torch.Generator().manual_seed(s)) for s in (3, 3, 4)]
    w = [n[1].weight for n in nets]
    assert torch.equal(w[0], w[1]) and not torch.equal(w[0], w[2])


@pytest.mark.parametrize("init, n_in, n_out, std", [
    ("normal", 400, 300, 0.01),
    ("normal", 400, 300, 0.5),
    ("xavier", 400, 300, math.sqrt(2 / 700)),  # Var U(±√(6/(n_in+n_out))) = 2/(n_in+n_out)
    ("kaiming", 400, 300, math.sqrt(2 / 400)),
    ("default", 400, 300, 1 / math.sqrt(3 * 400)),  # Var U(±1/√n_in) = 1/(3 n_in)
])
def test_initialisation_has_the_stated_spread(init, n_in, n_out, std):
    net = mlp.mlp_net(n_in, [n_out], 2, init=init, std=std if init == "normal" else 0.01,
                      generator=torch.Generator().manual_seed(0))
    W = net[1].weight
    assert abs(W.std().item() / std - 1) < 0.02 and abs(W.mean().item()) < 0.05 * std
    assert (net[1].bias == 0).all() == (init != "default")


def test_xavier_matches_torch_bound():
    net = mlp.mlp_net(50, [70], 2, init="xavier", generator=torch.Generator().manual_seed(0))
    ref = torch.empty(70, 50)
    nn.init.xavier_uniform_(ref)
    bound = math.sqrt(6 / 120)
    assert net[1].weight.abs().max() <= bound and ref.abs().max() <= bound
    assert net[1].weight.abs().max() > 0.95 * bound


def test_prelu_layer_in_mlp_net_learns_its_slope():
    net = mlp.mlp_net(3, [4], 1, activation="prelu", generator=torch.Generator().manual_seed(0))
    assert isinstance(net[2], nn.PReLU) and net[2].weight.item() == pytest.approx(0.25)
    assert net[2].weight.requires_grad


# --- ReLU networks on ℝ are continuous and piecewise linear (4.1.2) ---------------------------------------------

@settings(max_examples=25, deadline=None)
@given(width=st.integers(1, 12), depth=st.integers(1, 4), seed=st.integers(0, 10_000),
       activation=st.sampled_from(["relu", "prelu"]))
def test_exact_pieces_reproduce_the_network(width, depth, seed, activation):
    net = mlp.random_relu_net_1d(width, depth, torch.Generator().manual_seed(seed), activation)
    pl, f = mlp.piecewise_linear_form(net), mlp.net_1d(net)
    x = np.concatenate([np.linspace(-8, 8, 801), pl.breaks[np.abs(pl.breaks) < 50]])
    assert np.allclose(pl(x), f(x), atol=1e-9 * max(1.0, np.abs(f(x)).max()))
    # continuity: both neighbouring pieces agree at every break
    k = np.arange(len(pl.breaks))
    left = pl.slopes[k] * pl.breaks + pl.intercepts[k]
    right = pl.slopes[k + 1] * pl.breaks + pl.intercepts[k + 1]
    assert np.allclose(left, right, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("width, depth, seed", [(8, 1, 0), (8, 3, 1), (16, 2, 2), (4, 4, 3)])
def test_exact_kinks_match_numerical_second_differences(width, depth, seed):
    net = mlp.random_relu_net_1d(width, depth, torch.Generator().manual_seed(seed))
    pl = mlp.piecewise_linear_form(net)
    result = mlp.check_kinks(pl, mlp.net_1d(net), -4.0, 4.0, 40001)
    assert result.unexplained == 0 and result.missed == 0 and len(result.exact) > 0
    # and directly: no second difference away from the kinks, a clear one next to each big slope jump
    x = np.linspace(-4, 4, 40001)
    y = mlp.net_1d(net)(x)
    d2 = np.abs(y[:-2] - 2 * y[1:-1] + y[2:])
    far = np.abs(x[1:-1][:, None] - pl.breaks[None, :]).min(axis=1) > 2 * (x[1] - x[0])
    assert d2[far].max() < 1e-10 * max(1.0, np.abs(y).max())


@pytest.mark.parametrize("width", [1, 3, 10, 40])
def test_one_hidden_layer_has_at_most_width_kinks(width):
    for seed in range(3):
        pl = mlp.piecewise_linear_form(mlp.random_relu_net_1d(width, 1, torch.Generator().manual_seed(seed)))
        assert len(pl.kinks()) <= width and len(pl.slopes) <= mlp.max_pieces_single_layer(width)


def test_sigmoid_network_is_refused_by_the_piecewise_form():
    net = mlp.mlp_net(1, [3], 1, activation="sigmoid")
    with pytest.raises(ValueError):
        mlp.piecewise_linear_form(net)


# --- the exercises: references checked another way ------------------------------------------------------------------

from exercises import check  # noqa: E402
from solutions import solve  # noqa: E402
from tests.apptest import all_text, metrics, open_app  # noqa: E402


@pytest.mark.parametrize("alpha", [0.0, 0.25, -0.3, 0.9])
def test_4_1_1_reference_matches_autograd_and_finite_differences(alpha):
    ans = solve("4.1.1").answer
    dpos, dneg = (float(ans[k].subs(a_sym, alpha)) for k in ("dpos", "dneg"))
    x = torch.tensor([-2.0, -0.5, 0.5, 2.0], dtype=torch.float64, requires_grad=True)
    layer = nn.PReLU(init=alpha).double()
    (g,) = torch.autograd.grad(layer(x).sum(), x)  # torch's own pReLU, not ours
    assert g.tolist() == pytest.approx([dneg, dneg, dpos, dpos], abs=1e-7)  # α is stored in float32
    h = 1e-6  # one-sided difference quotients at 0 differ: no derivative there
    f = lambda v: float(layer(torch.tensor([v], dtype=torch.float64)).detach())  # noqa: E731
    right, left = (f(h) - f(0)) / h, (f(0) - f(-h)) / h
    assert (abs(right - left) > 0.05) == (ans["at0"] == "undefined")


def test_4_1_1_autograd_at_zero_is_a_subgradient_like_torch():
    x = torch.zeros(1, requires_grad=True)
    mlp.prelu(x, 0.25).sum().backward()
    y = torch.zeros(1, requires_grad=True)
    nn.PReLU(init=0.25)(y).sum().backward()
    assert x.grad.item() == y.grad.item() == 0.25


@pytest.mark.parametrize("answer, score", [
    ({"dpos": "1", "dneg": "a", "at0": "undefined"}, 1.0),
    ({"dpos": "x/abs(x)", "dneg": "-a*x/abs(x)", "at0": "undefined"}, 1.0),
    ({"dpos": "1", "dneg": "a", "at0": "mean"}, 2 / 3),
])
def test_4_1_1_checker_accepts_equivalent_forms(answer, score):
    assert check("4.1.1", answer).score == pytest.approx(score)


def test_4_1_2_counts_come_from_a_checked_network():
    data = solve("4.1.2").data
    assert data["unexplained"] == 0 and 0 < data["inside"] <= data["kinks"] and data["flags"] >= data["inside"]


def test_4_1_3_identity_holds_in_torch_and_slopes_by_autograd():
    x = torch.linspace(-20, 20, 2001, dtype=torch.float64, requires_grad=True)
    torch.testing.assert_close(torch.tanh(x) + 1, 2 * torch.sigmoid(2 * x), rtol=0, atol=1e-15)
    ans = solve("4.1.3").answer
    f = sympy.lambdify(x_sym, ans["tanhViaSigmoid"], "math")
    xs = x.detach()[::50]
    assert np.allclose([f(float(v)) for v in xs], torch.tanh(xs).numpy(), atol=1e-12)
    zero = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    (gt,) = torch.autograd.grad(torch.tanh(zero).sum(), zero)
    (gs,) = torch.autograd.grad(torch.sigmoid(zero).sum(), zero)
    assert float(gt / gs) == pytest.approx(ans["slopeRatio"], rel=1e-12)


def test_4_1_3_sympy_proves_the_identity_and_rejects_the_missing_factor():
    lhs, rhs = mlp.tanh_sigmoid_identity(x_sym)
    assert mlp.proves_zero(lhs - rhs)
    assert not mlp.proves_zero(sympy.tanh(x_sym) + 1 - 2 * mlp.activation_expr("sigmoid", x_sym))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_4_1_4_batchwise_nonlinearity_depends_on_the_batch(seed):
    g = torch.Generator().manual_seed(seed)
    x0 = torch.randn(1, 5, generator=g, dtype=torch.float64)
    assert mlp.batch_dependence(mlp.relu, x0, 16, generator=g) == 0.0
    assert mlp.batch_dependence(mlp.batchwise_softmax, x0, 16, generator=g) > 1e-3
    assert torch.equal(mlp.batchwise_softmax(x0), torch.ones_like(x0))  # batch of one: constant output
    assert float(solve("4.1.4").data["single"]) == 1.0


# --- pages -----------------------------------------------------------------------------------------------------------

def test_chapter_page_demos_of_4_1_to_4_3_move():
    at = open_app("pages/ch04.py")
    assert not at.exception and "sigmoid" in all_text(at)
    at.radio(key="demo-4.1-act").set_value("prelu").run()
    at.slider(key="demo-4.1-alpha").set_value(-0.5).run()
    assert not at.exception and "a" in "".join(str(e.value) for e in at.latex)
    acc = [m.value for m in at.metric if m.label == "test accuracy"]
    at.select_slider(key="demo-4.2-units").set_value(32)
    at.slider(key="demo-4.2-epochs").set_value(3)
    at.run()
    at.selectbox(key="demo-4.2-act").set_value("tanh").run()
    at.slider(key="demo-4.3-layers").set_value(2)
    at.selectbox(key="demo-4.3-init").set_value("kaiming")
    at.run()
    at.selectbox(key="demo-4.3-act").set_value("gelu").run()
    assert not at.exception and [m.value for m in at.metric if m.label == "test accuracy"] != acc


def test_prelu_widget_reports_autograd_slope():
    at = open_app("pages/exercise.py", id="4.1.1")
    assert not at.exception and metrics(at)["Gradient at x (autograd)"] == "0.25"
    at.slider(key="w-4.1.1-alpha").set_value(-0.4)
    at.slider(key="w-4.1.1-x0").set_value(2.0)
    at.run()
    assert not at.exception and metrics(at)["Gradient at x (autograd)"] == "1"
    at.slider(key="w-4.1.1-x0").set_value(-1.5).run()
    assert metrics(at)["Gradient at x (autograd)"] == "-0.4"


def test_relu_pieces_widget_moves_and_checks_kinks():
    at = open_app("pages/exercise.py", id="4.1.2")
    first = metrics(at)["Kinks (exact, all of ℝ)"]
    assert not at.exception and at.success
    at.slider(key="w-4.1.2-width").set_value(20)
    at.slider(key="w-4.1.2-depth").set_value(1)
    at.run()
    m = metrics(at)
    assert not at.exception and int(m["Kinks (exact, all of ℝ)"]) <= 20
    assert m["Bound on pieces (1 layer: n + 1)"] == "21"
    at.number_input(key="w-4.1.2-seed").set_value(5)
    at.radio(key="w-4.1.2-act").set_value("prelu")
    at.slider(key="w-4.1.2-depth").set_value(3)
    at.run()
    assert not at.exception and at.success and metrics(at)["Kinks (exact, all of ℝ)"] != first


def test_tanh_widget_gap_vanishes_only_at_the_identity():
    at = open_app("pages/exercise.py", id="4.1.3")
    gap = "Largest gap |tanh(x) + 1 − c·sigmoid(kx)| on [−4, 4]"
    assert not at.exception and float(metrics(at)[gap]) > 0.1
    at.slider(key="w-4.1.3-k").set_value(2.0).run()
    assert not at.exception and float(metrics(at)[gap]) < 1e-12
    at.slider(key="w-4.1.3-c").set_value(1.5).run()
    assert float(metrics(at)[gap]) > 0.1


def test_batch_widget_moves_and_warns_for_a_batch_of_one():
    at = open_app("pages/exercise.py", id="4.1.4")
    m = metrics(at)
    assert not at.exception and float(m["Largest change of x's output, ReLU"]) == 0
    assert float(m["Largest change of x's output, batch softmax"]) > 0
    at.number_input(key="w-4.1.4-seed").set_value(3).run()
    at.slider(key="w-4.1.4-batch").set_value(1).run()
    assert not at.exception and at.warning


def test_mlp_net_dropout_masks_come_from_its_generator():
    def run(global_seed: int):
        net = mlp.mlp_net(8, [32], 3, dropout=0.5, generator=torch.Generator().manual_seed(7)).train()
        with torch.random.fork_rng():
            torch.random.default_generator.manual_seed(global_seed)
            return net(torch.ones(4, 8))

    assert torch.equal(run(0), run(1))
