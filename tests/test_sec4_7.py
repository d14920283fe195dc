"""Section 4.7: the hand-derived backward pass against autograd (float64, 1e-10) and finite differences, gradient
shapes, the graph with the bias, memory counted against what autograd really saves and against forward hooks,
Hessians against torch.autograd.functional; references and wrong answers; every widget moved on the pages."""

from dataclasses import replace

import pytest
import torch
from streamlit.testing.v1 import AppTest
from torch import nn

from d2lcore import backprop as bp
from d2lcore.mlp import count_parameters, mlp_net
from exercises import check, registry
from solutions import solve, variant_params
from tests.apptest import metrics, open_app

CASES = [(s, a, loss) for s in (0, 1, 2, 5) for a in bp.ACTIVATIONS for loss in bp.LOSSES]


def network(seed: int, activation: str, loss: str) -> bp.OneHiddenLayer:
    net = bp.example_network(seed, activation, loss)
    return replace(net, y=torch.tensor(seed % 2)) if loss == "cross_entropy" else net


def objective(net: bp.OneHiddenLayer, W1: torch.Tensor, b: torch.Tensor, W2: torch.Tensor) -> torch.Tensor:
    """J written out independently with torch's own layers (F.linear, nn activations, torch losses)."""
    act = {"relu": nn.functional.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}[net.activation]
    o = nn.functional.linear(act(nn.functional.linear(net.x, W1, b)), W2)
    L = (nn.functional.mse_loss(o, net.y, reduction="sum") / 2 if net.loss == "squared"
         else nn.functional.cross_entropy(o.unsqueeze(0), net.y.reshape(1)))
    return L + net.lam / 2 * (torch.linalg.matrix_norm(W1) ** 2 + torch.linalg.matrix_norm(W2) ** 2)


@pytest.mark.parametrize("seed, activation, loss", CASES)
def test_hand_backprop_matches_torch_func_grad(seed, activation, loss):
    net = network(seed, activation, loss)
    hand = bp.backward(net)
    g_W1, g_b, g_W2 = torch.func.grad(lambda *p: objective(net, *p), argnums=(0, 1, 2))(net.W1, net.b, net.W2)
    for ours, theirs in [(hand["W1"], g_W1), (hand["b"], g_b), (hand["W2"], g_W2)]:
        assert ours.shape == theirs.shape and ours.dtype == torch.float64
        torch.testing.assert_close(ours, theirs, rtol=0, atol=1e-10)
    assert abs(float(bp.forward(net)["J"]) - float(objective(net, net.W1, net.b, net.W2))) < 1e-12


@pytest.mark.parametrize("seed, activation, loss", CASES)
def test_intermediate_gradients_match_autograd_and_have_their_variables_shape(seed, activation, loss):
    net, values = network(seed, activation, loss), None
    hand, auto = bp.backward(net), bp.autograd_gradients(net)
    values = bp.forward(net)
    shapes = {"o": values["o"].shape, "h": values["h"].shape, "z": values["z"].shape, "b": net.b.shape,
              "W1": net.W1.shape, "W2": net.W2.shape}
    for name, grad in hand.items():
        assert grad.shape == shapes[name]
        torch.testing.assert_close(grad, auto[name], rtol=0, atol=1e-10)


@pytest.mark.parametrize("seed", [0, 3])
def test_hand_backprop_matches_central_differences(seed):
    net, eps = bp.example_network(seed, "tanh"), 1e-6
    grads = bp.backward(net)
    for name in ("W1", "b", "W2"):
        param = getattr(net, name)
        for idx in range(param.numel()):
            up, down = param.clone().reshape(-1), param.clone().reshape(-1)
            up[idx] += eps
            down[idx] -= eps
            J_up = bp.forward(replace(net, **{name: up.reshape(param.shape)}))["J"]
            J_down = bp.forward(replace(net, **{name: down.reshape(param.shape)}))["J"]
            assert abs(float((J_up - J_down) / (2 * eps)) - float(grads[name].reshape(-1)[idx])) < 1e-7


def test_example_networks_stay_away_from_relu_kinks():
    for seed in range(0, 60):
        net = bp.example_network(seed)
        z = bp.forward(net)["z"]
        assert bool((z.abs() >= 0.25).all()) and bool((z > 0).any())


def test_graph_has_the_bias_and_no_edge_from_it_into_the_regulariser():
    dot = bp.graph_dot(bp.example_network(0), highlight="b")
    edges = set(bp.GRAPH_EDGES)
    assert ("b", "add_b") in edges and ("mul1", "add_b") in edges and ("add_b", "z") in edges
    assert not any(a == "b" and c == "norm" for a, c in edges) and {("W1", "norm"), ("W2", "norm")} <= edges
    assert dot.count("->") == len(edges) and '"b" [shape=box' in dot and "fillcolor" in dot
    for name in ("x", "W1", "b", "z", "h", "W2", "o", "y", "L", "s", "J"):
        assert f'"{name}" [shape=box' in dot
    assert "∂J/∂b = [-0, 0.75]" in dot or "∂J/∂b = [0, 0.75]" in dot  # the value of the exercise, by hand: (0, 0.75)


# --- memory (4.7.3) ---------------------------------------------------------------------------------------------------

SIZES = [(784, 256, 10, 256), (20, 30, 5, 7), (64, 512, 100, 16)]


@pytest.mark.parametrize("d, h, q, n", SIZES)
@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_saved_activations_are_what_autograd_saves(d, h, q, n, activation):
    tr = bp.training_floats(d, h, q, n)
    assert bp.autograd_saved_floats(d, h, q, n, activation) == tr["X"] + tr["H"] + tr["log_softmax"]


@pytest.mark.parametrize("d, h, q, n", SIZES)
def test_parameter_count_is_the_torch_model_without_the_output_bias(d, h, q, n):
    assert bp.parameter_count(d, h, q) == count_parameters(mlp_net(d, [h], q)) - q


@pytest.mark.parametrize("d, h, q, n", SIZES)
def test_prediction_peak_matches_forward_hooks(d, h, q, n):
    """Independent count: hooks record input + output numbers of every Linear and activation in a no_grad pass."""
    net, sizes = mlp_net(d, [h], q), []
    for layer in net:
        if not isinstance(layer, nn.Flatten):
            layer.register_forward_hook(lambda m, i, o: sizes.append(i[0].numel() + o.numel()))
    with torch.no_grad():
        net(torch.randn(n, d))
    assert bp.prediction_floats(d, h, q, n)["total"] == bp.parameter_count(d, h, q) + max(sizes)


@pytest.mark.parametrize("seed", [0, 1, 2, 77])
def test_4_7_3_reference(seed):
    v = variant_params("4.7.3", seed)
    ans = solve("4.7.3", seed=seed).answer
    P = count_parameters(mlp_net(v["d"], [v["h"]], v["q"])) - v["q"]
    assert ans["params"] == P
    assert ans["train"] == 2 * P + bp.autograd_saved_floats(v["d"], v["h"], v["q"], v["n"])
    assert ans["predict"] < ans["train"] and check("4.7.3", ans, seed).correct
    if seed == 0:
        assert (v["d"], v["h"], v["q"], v["n"]) == (784, 256, 10, 256)


def test_layer_memory_and_pipeline_split():
    layers = bp.layer_memory(784, [256, 256], 10, 64)
    assert sum(r["parameters"] for r in layers) == count_parameters(mlp_net(784, [256, 256], 10))
    assert sum(r["saved"] for r in layers) == 64 * (784 + 256 + 256 + 10)
    total = sum(r["parameters"] + r["gradients"] + r["saved"] for r in layers)
    for k in (1, 2, 3, 5):
        split = bp.pipeline_split(layers, k)
        assert len(split) == k and sum(split) == total and max(split) <= total
    assert max(bp.pipeline_split(layers, 3)) < total


# --- second derivatives (4.7.4) -----------------------------------------------------------------------------------


def test_hessian_by_double_backprop_matches_torch():
    g = torch.Generator().manual_seed(0)
    A = torch.randn(5, 5, generator=g, dtype=torch.float64)
    theta = torch.randn(5, generator=g, dtype=torch.float64)

    def f(x):
        return torch.tanh(A @ x).pow(2).sum() + x.pow(3).sum()

    H = bp.hessian_by_autograd(f, theta)
    torch.testing.assert_close(H, torch.autograd.functional.hessian(f, theta), rtol=0, atol=1e-10)
    torch.testing.assert_close(H, H.T, rtol=0, atol=1e-12)
    assert bp.hessian_size(5)["entries"] == H.numel() and bp.hessian_size(5)["distinct"] == 15


def test_4_7_4_explanation_uses_the_computed_parameter_count():
    text = solve("4.7.4").explanation["en"]
    assert f"{count_parameters(mlp_net(784, [256], 10)) - 10:,}" in text and "{{" not in text


# --- references and wrong answers -------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2, 77])
def test_4_7_1_reference(seed):
    v = variant_params("4.7.1", seed)
    assert v["n"] != v["m"]
    jac = torch.autograd.functional.jacobian(lambda X: torch.linalg.matrix_norm(X), torch.randn(v["n"], v["m"]))
    assert solve("4.7.1", seed=seed).answer["shape"] == tuple(jac.shape) == (v["n"], v["m"])


@pytest.mark.parametrize("seed", [0, 1, 2, 77])
def test_4_7_2b_reference(seed):
    net = bp.example_network(seed)
    ans = solve("4.7.2b", seed=seed).answer
    auto = bp.autograd_gradients(net)
    for field, name in [("go", "o"), ("gb", "b"), ("gW1", "W1"), ("gW2", "W2")]:
        torch.testing.assert_close(torch.tensor(ans[field], dtype=torch.float64), auto[name], rtol=0, atol=1e-10)
    assert check("4.7.2b", ans, seed).correct
    prompt = registry.get("4.7.2b").prompt["en"]
    assert "{{W1}}" in prompt and "squared" in prompt.lower()


def test_4_7_2b_seed_0_by_hand():
    """The exercise's numbers worked by hand: z = (−0.5, 1), h = (0, 1), o = (−1, 0.5)."""
    ans = solve("4.7.2b").answer
    assert ans["go"] == [-1.0, -0.5] and ans["gb"] == [0.0, 0.75]
    assert check("4.7.2b", {"go": "[-1, -0.5]", "gb": "0, 0.75", "gW1": "0.05 -0.1; 0.85 1.55",
                            "gW2": "[[0.1, -1.1], [0.2, -0.45]]"}).correct


@pytest.mark.parametrize("exercise_id", ["4.7.1", "4.7.2b", "4.7.3"])
def test_every_wrong_answer_gets_each_listed_field_wrong(exercise_id):
    for wrong in registry.get(exercise_id).wrong:
        verdict = check(exercise_id, wrong.answer)
        assert verdict.score < 1 and all(verdict.fields[k].score == 0 for k in wrong.answer), wrong.why


def test_conceptual_exercises_have_explanations():
    for ex_id in ("4.7.2a", "4.7.4", "4.7.5a", "4.7.5b"):
        sol = solve(ex_id)
        assert registry.get(ex_id).is_conceptual and sol.answer == {} and len(sol.explanation["zh"]) > 100


# --- pages -----------------------------------------------------------------------------------------------------------


def test_gradient_shape_widget_moves():
    at = open_app("pages/exercise.py", id="4.7.1")
    assert not at.exception and metrics(at)["Shape of X.grad"] == "(3, 4)"
    at.slider(key="w-4.7.1-n").set_value(5)
    at.slider(key="w-4.7.1-m").set_value(2)
    at.selectbox(key="w-4.7.1-f").set_value("norm")
    at.run()
    assert not at.exception and metrics(at)["Shape of X.grad"] == "(5, 2)"


def test_graph_widget_moves():
    at = open_app("pages/exercise.py", id="4.7.2a")
    assert not at.exception and len(at.get("graphviz_chart")) == 1
    before = at.get("graphviz_chart")[0].proto.spec
    at.selectbox(key="w-4.7.2a-act").set_value("tanh")
    at.selectbox(key="w-4.7.2a-loss").set_value("cross_entropy")
    at.number_input(key="w-4.7.2a-example").set_value(3)
    at.toggle(key="w-4.7.2a-values").set_value(False)
    at.toggle(key="w-4.7.2a-grads").set_value(True)
    at.selectbox(key="w-4.7.2a-hl").set_value("W1")
    at.run()
    after = at.get("graphviz_chart")[0].proto.spec
    assert not at.exception and after != before and "∂J/∂W1" in after


def test_backprop_widget_moves():
    at = open_app("pages/exercise.py", id="4.7.2b")
    assert not at.exception and float(metrics(at)["Largest difference, hand vs autograd"]) < 1e-10
    assert metrics(at)["J"] == f"{float(bp.forward(bp.example_network(0))['J']):.4f}"
    at.selectbox(key="w-4.7.2b-act").set_value("sigmoid")
    at.selectbox(key="w-4.7.2b-loss").set_value("cross_entropy")
    at.number_input(key="w-4.7.2b-example").set_value(7)
    at.run()
    m = metrics(at)
    assert not at.exception and float(m["Largest difference, hand vs autograd"]) < 1e-10 and m["J"] != "1.0625"


def test_memory_widget_moves():
    at = open_app("pages/exercise.py", id="4.7.3")
    ref = solve("4.7.3").answer
    m = metrics(at)
    assert not at.exception and m["Training, total"] == f"{int(ref['train']):,}"
    assert m["Saved by autograd (measured)"] == f"{int(ref['train'] - 2 * ref['params']):,}"
    for name, value in [("d", 64), ("h", 32), ("q", 2), ("n", 16)]:
        at.select_slider(key=f"w-4.7.3-{name}").set_value(value)
    at.run()
    m = metrics(at)
    assert not at.exception and m["Training, total"] == f"{bp.training_floats(64, 32, 2, 16)['total']:,}"
    assert m["Saved by autograd (measured)"] == f"{16 * (64 + 32 + 2):,}"


def test_second_derivatives_widget_moves():
    at = open_app("pages/exercise.py", id="4.7.4")
    assert not at.exception and metrics(at)["Parameters P"] == "203,520"
    at.select_slider(key="w-4.7.4-width").set_value(1024)
    at.select_slider(key="w-4.7.4-small").set_value(4)
    at.run()
    m = metrics(at)
    assert not at.exception and m["Parameters P"] == f"{bp.parameter_count(784, 1024, 10):,}"
    assert m["Its parameters"] == str(bp.parameter_count(4, 4, 3)) and float(m["max |H − Hᵀ|"]) < 1e-12


@pytest.mark.parametrize("exercise_id", ["4.7.5a", "4.7.5b"])
def test_partition_widget_moves(exercise_id):
    at = open_app("pages/exercise.py", id=exercise_id)
    before = metrics(at)["Largest device, split"]
    key = f"w-{exercise_id}"
    at.slider(key=f"{key}-k").set_value(4)
    at.slider(key=f"{key}-depth").set_value(10)
    at.select_slider(key=f"{key}-h").set_value(4096)
    at.select_slider(key=f"{key}-n").set_value(256)
    at.run()
    assert not at.exception and metrics(at)["Largest device, split"] != before


def _demo_app() -> None:
    from ui.widgets import sec4_7

    sec4_7.section_demo("demo-4.7")


def test_section_demo_moves():
    at = AppTest.from_function(_demo_app, default_timeout=60).run()
    assert not at.exception and float(metrics(at)["Largest difference, hand vs autograd"]) < 1e-10
    before = at.get("graphviz_chart")[0].proto.spec
    at.selectbox(key="demo-4.7-act").set_value("sigmoid")
    at.selectbox(key="demo-4.7-loss").set_value("cross_entropy")
    at.toggle(key="demo-4.7-values").set_value(False)
    at.selectbox(key="demo-4.7-hl").set_value("z")
    at.number_input(key="demo-4.7-example").set_value(2)
    at.run()
    assert not at.exception and at.get("graphviz_chart")[0].proto.spec != before
    assert float(metrics(at)["Largest difference, hand vs autograd"]) < 1e-10
