"""Section 4.3: the concise experiments' claims as bands over other data subsets, references recounted from the
trained models' predictions, the initial-gradient explanation checked against autograd by hand, the wrong answers,
and every widget moved on the exercise pages."""

from dataclasses import replace

import pytest
import torch

from d2lcore import mlp
from exercises import check
from solutions import solve
from solutions.ch04_s2 import CHANCE
from solutions.ch04_s3 import CONCISE, init_config
from tests.apptest import metrics, open_app


def recount_accuracy(config: mlp.MLPConfig) -> float:
    fit = mlp.fit_mlp(config)
    X, y = fit.data.test.tensors
    with torch.no_grad():
        return float((fit.model(X).argmax(dim=1) == y).float().mean())


def test_4_3_1_reference_and_claim_on_other_subsets():
    ans = solve("4.3.1").answer
    assert ans["depth"] == "1" and ans["twoAtBook"] == "stuck"
    assert abs(recount_accuracy(replace(CONCISE, lr=0.5)) - ans["accBest"]) < 1e-6
    def run(d: int, lr: float, seed: int):
        return mlp.fit_mlp(replace(CONCISE, hidden=(256,) * d, lr=lr, seed=seed)).history

    for seed in (1, 2):
        one, two_slow, two_fast = run(1, 0.5, seed), run(2, 0.1, seed), run(2, 0.5, seed)
        assert two_slow.train_loss[-1] > 0.9 * CHANCE and two_fast.test_acc[-1] > 0.6
        assert one.test_acc[-1] >= two_fast.test_acc[-1] - 0.01


def test_4_3_2_reference_and_claim_on_other_subsets():
    ans = solve("4.3.2").answer
    assert ans["worst"] == "sigmoid"
    assert abs(recount_accuracy(replace(CONCISE, activation="sigmoid")) - ans["accSigmoid"]) < 1e-6
    for seed in (1, 2):
        acc = {a: mlp.fit_mlp(replace(CONCISE, activation=a, seed=seed)).history.test_acc[-1]
               for a in ("relu", "sigmoid", "tanh")}
        assert acc["sigmoid"] < min(acc["relu"], acc["tanh"]) - 0.3


def test_initial_gradient_norm_matches_a_hand_computed_gradient():
    config = replace(CONCISE, activation="sigmoid")
    data = mlp.load_data(config)
    net = mlp.mlp_net(data.n_inputs, config.hidden, data.n_classes, activation="sigmoid",
                      generator=torch.Generator().manual_seed(config.seed))
    X, y = data.train.tensors[0][:256].flatten(1), data.train.tensors[1][:256]
    W1, b1, W2, b2 = (p.detach() for p in net.parameters())
    H = torch.sigmoid(X @ W1.T + b1)
    P = torch.softmax(H @ W2.T + b2, dim=1)
    dO = (P - torch.nn.functional.one_hot(y, 10)) / len(y)  # ∂ mean cross-entropy / ∂ logits
    dZ = (dO @ W2) * H * (1 - H)  # back through the sigmoid
    assert float((dZ.T @ X).norm()) == pytest.approx(mlp.initial_gradient_norm(config, data), rel=1e-4)


def test_4_3_3_reference_and_claim_on_other_subsets():
    ans = solve("4.3.3").answer
    assert ans["small"] == ans["large"] == "fails"
    assert abs(recount_accuracy(init_config("kaiming", 2)) - ans["accKaiming"]) < 1e-6
    for seed in (1, 2):
        acc = {n: mlp.fit_mlp(replace(init_config(n, 2), seed=seed)).history.test_acc[-1]
               for n in ("normal", "large", "kaiming", "xavier")}
        assert max(acc["normal"], acc["large"]) < 0.4 < 0.7 < min(acc["kaiming"], acc["xavier"])


@pytest.mark.parametrize("exercise_id, answer", [
    ("4.3.1", {"twoAtBook": "trains"}), ("4.3.2", {"worst": "tanh"}), ("4.3.3", {"large": "trains"}),
])
def test_wrong_answers_score_below_one(exercise_id, answer):
    assert check(exercise_id, answer).score < 1


# --- pages -----------------------------------------------------------------------------------------------------------

def test_depth_and_rate_widget_moves():
    at = open_app("pages/exercise.py", id="4.3.1")
    stuck = metrics(at)["test accuracy"]
    at.radio(key="w-4.3.1-lr").set_value(0.5).run()
    assert not at.exception and float(metrics(at)["test accuracy"]) > float(stuck) + 0.3
    at.slider(key="w-4.3.1-layers").set_value(1).run()
    assert not at.exception and metrics(at)["test accuracy"] == f"{solve('4.3.1').answer['accBest']:.3f}"


def test_activation_widget_moves():
    at = open_app("pages/exercise.py", id="4.3.2")
    assert not at.exception and metrics(at)["test accuracy"] == f"{solve('4.3.2').answer['accSigmoid']:.3f}"
    at.selectbox(key="w-4.3.2-act").set_value("tanh").run()
    assert not at.exception and float(metrics(at)["test accuracy"]) > 0.8


def test_initialisation_widget_moves():
    at = open_app("pages/exercise.py", id="4.3.3")
    assert not at.exception and float(metrics(at)["test accuracy"]) < 0.4
    at.selectbox(key="w-4.3.3-init").set_value("kaiming").run()
    assert not at.exception and metrics(at)["test accuracy"] == f"{solve('4.3.3').answer['accKaiming']:.3f}"
    at.radio(key="w-4.3.3-layers").set_value(1).run()
    assert not at.exception
