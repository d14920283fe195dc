"""Section 4.2: the from-scratch MLP against the concise one, the experiments' claims as bands over other data
subsets and seeds, the references recounted from the trained models' predictions, the toy search problem, the
wrong answers and every widget moved on the exercise pages."""

from dataclasses import replace

import numpy as np
import pytest
import torch

from d2lcore import mlp
from exercises import check
from solutions import solve
from solutions.ch04_s2 import CHANCE, RATES, SCRATCH, search
from tests.apptest import metrics, open_app


def recount_accuracy(config: mlp.MLPConfig) -> float:
    """Test accuracy by counting argmax predictions of the trained model (not through the training engine)."""
    fit = mlp.fit_mlp(config)
    X, y = fit.data.test.tensors
    with torch.no_grad():
        return float((fit.model(X).argmax(dim=1) == y).float().mean())


def test_scratch_model_matches_the_concise_one_given_the_same_weights():
    g = torch.Generator().manual_seed(0)
    scratch = mlp.mlp_scratch(64, [32, 16], 10, generator=g)
    net = mlp.mlp_net(64, [32, 16], 10)
    with torch.no_grad():
        for layer, (W, b) in zip(mlp.linear_layers(net), zip(scratch.params[::2], scratch.params[1::2],
                                                             strict=True), strict=True):
            layer.weight.copy_(W.T)  # Linear stores (out, in)
            layer.bias.copy_(b)
    X = torch.rand(5, 1, 8, 8, generator=g)
    torch.testing.assert_close(scratch(X), net(X))


def test_4_2_1_reference_recounted_and_claim_on_other_subsets():
    ans = solve("4.2.1").answer
    assert abs(recount_accuracy(SCRATCH) - ans["acc"]) < 1e-6 and ans["trend"] == "plateau"
    for seed in (1, 2):
        acc = {w: mlp.final_test_accuracy(mlp.fit_mlp(replace(SCRATCH, hidden=(w,), seed=seed)).history)
               for w in (4, 256, 1024)}
        assert acc[256] - acc[4] > 0.15 and abs(acc[1024] - acc[256]) < 0.05


@pytest.mark.parametrize("seed", [1, 2, 77])
def test_4_2_1_variant_asks_a_width_of_the_sweep(seed):
    h = solve("4.2.1", seed=seed).answer["acc"]
    assert 0.3 < h < 1


def test_4_2_2_reference_and_claim_on_other_subsets():
    ans = solve("4.2.2").answer
    assert ans["effect"] == "worse" and ans["why"] == "init"
    assert abs(recount_accuracy(replace(SCRATCH, hidden=(256, 256))) - ans["acc2"]) < 1e-6
    for seed in (1, 2):
        deep = mlp.fit_mlp(replace(SCRATCH, hidden=(256, 256), seed=seed)).history
        wide_init = mlp.fit_mlp(replace(SCRATCH, hidden=(256, 256), std=0.1, seed=seed)).history
        assert deep.train_loss[-1] > 0.9 * CHANCE and deep.test_acc[-1] < 0.5  # stuck, not overfitting
        assert wide_init.test_acc[-1] > 0.8


def test_4_2_3_reference_and_claim_on_other_subsets():
    ans = solve("4.2.3").answer
    assert ans == {"best": "large", "huge": "fails", "accSmall": pytest.approx(recount_accuracy(
        replace(SCRATCH, lr=0.01)), abs=1e-6)}
    for seed in (1, 2):
        acc = {lr: mlp.final_test_accuracy(mlp.fit_mlp(replace(SCRATCH, lr=lr, seed=seed)).history)
               for lr in (0.01, 0.3, 1.0, 3.0)}
        assert max(acc[0.3], acc[1.0]) > acc[0.01] + 0.3 and acc[3.0] < 0.2
    assert RATES[-1] == 3.0


def test_4_2_4_search_chooses_on_validation_and_claims_hold_for_other_seeds():
    ans = solve("4.2.4").answer
    trials = search(0)
    assert ans["best"] == mlp.best_trial(trials).test_acc and ans["optimism"] == "higher"
    assert max(t.val_acc for t in trials) == mlp.best_trial(trials).val_acc
    for seed in (1, 2):
        trials = mlp.random_search(replace(SCRATCH, seed=seed), 6, seed)
        best = mlp.best_trial(trials)
        assert best.val_acc > best.test_acc and best.test_acc > 0.7
        assert all(t.val_acc < 0.2 for t in trials if len(t.config.hidden) == 3 and t.config.lr < 0.3)


def test_validation_split_is_disjoint_and_complete():
    data = mlp.load_data(SCRATCH)
    rest, val = mlp.split_validation(data, 200, 0)
    assert len(rest.train) == len(data.train) - 200 and len(val) == 200
    rows = {tuple(x.flatten().tolist()) for x in torch.cat([rest.train.tensors[0], val.tensors[0]])}
    assert len(rows) == len({tuple(x.flatten().tolist()) for x in data.train.tensors[0]})


@pytest.mark.parametrize("n", [9, 16, 25])
def test_4_2_6_random_search_beats_a_grid_on_average(n):
    grid = mlp.best_of(mlp.grid_points(n))
    rand = [mlp.best_of(mlp.random_points(n, s)) for s in range(100)]
    assert np.mean(rand) > grid and len(np.unique(mlp.grid_points(n)[:, 0])) == int(np.sqrt(n))


def test_toy_objective_peaks_where_stated():
    xs = np.linspace(0, 1, 10001)
    assert xs[np.argmax(mlp.toy_objective(xs, 1.0))] == pytest.approx(mlp.TOY_BEST[0], abs=1e-4)


def test_4_2_5_interaction_in_explanation_data():
    data = solve("4.2.5").data
    assert float(data["a21"]) < 0.5 < float(data["a25"]) and float(data["a11"]) > 0.8


@pytest.mark.parametrize("exercise_id, answer", [
    ("4.2.1", {"trend": "steady"}), ("4.2.2", {"why": "overfit"}), ("4.2.3", {"huge": "trains"}),
    ("4.2.4", {"optimism": "lower"}),
])
def test_wrong_answers_score_below_one(exercise_id, answer):
    assert check(exercise_id, answer).score < 1


# --- pages -----------------------------------------------------------------------------------------------------------

def test_hidden_units_widget_shows_the_reference_and_moves():
    at = open_app("pages/exercise.py", id="4.2.1")
    assert not at.exception and metrics(at)["test accuracy"] == f"{solve('4.2.1').answer['acc']:.3f}"
    at.select_slider(key="w-4.2.1-units").set_value(16).run()
    assert not at.exception and metrics(at)["Parameters"] == f"{64 * 16 + 16 + 16 * 10 + 10:,}"


def test_more_layers_widget_moves():
    at = open_app("pages/exercise.py", id="4.2.2")
    assert not at.exception and at.warning  # two layers at N(0, 0.01²) are stuck
    at.radio(key="w-4.2.2-std").set_value(0.1).run()
    assert not at.exception and not at.warning and float(metrics(at)["test accuracy"]) > 0.8
    at.slider(key="w-4.2.2-layers").set_value(3).run()
    assert not at.exception


def test_learning_rate_widget_moves():
    at = open_app("pages/exercise.py", id="4.2.3")
    before = metrics(at)["test accuracy"]
    at.select_slider(key="w-4.2.3-lr").set_value(0.01).run()
    assert not at.exception and metrics(at)["test accuracy"] == f"{solve('4.2.3').answer['accSmall']:.3f}" != before


def test_random_search_widget_moves():
    at = open_app("pages/exercise.py", id="4.2.4")
    assert not at.exception and metrics(at)["Its test accuracy"] == f"{solve('4.2.4').answer['best']:.3f}"
    at.slider(key="w-4.2.4-n").set_value(3)
    at.number_input(key="w-4.2.4-seed").set_value(5)
    at.run()
    assert not at.exception and len(at.dataframe[0].value) == 3


def test_interaction_widget_moves():
    at = open_app("pages/exercise.py", id="4.2.5")
    assert not at.exception
    at.toggle(key="w-4.2.5-wide").set_value(True).run()
    assert not at.exception


def test_grid_vs_random_widget_moves():
    at = open_app("pages/exercise.py", id="4.2.6")
    m = metrics(at)
    assert not at.exception and m["Distinct x values: grid / random"] == "4 / 16"
    assert float(m["Best f, random"]) > float(m["Best f, grid"])
    at.slider(key="w-4.2.6-n").set_value(36)
    at.number_input(key="w-4.2.6-seed").set_value(4)
    at.run()
    assert not at.exception and metrics(at)["Distinct x values: grid / random"] == "6 / 36"
