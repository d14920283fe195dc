"""Section 11.5: updates per epoch against the trainer's count, one GD step against a hand-written one, the unused
fraction against (1 − 1/n)ⁿ, the sampling claim on other data, the duplicated-data claims against a direct gradient
computation and against two ordinary epochs; the widgets moved."""

import math

import numpy as np
import pytest
import torch

from d2lcore.optim import gd, minibatch
from solutions import solve, variant_params
from solutions.ch11_s5 import duplicate, replacement_excess, updates_per_epoch
from tests.apptest import open_app

SEEDS = [0, 1, 2, 77]


@pytest.fixture(scope="module")
def data():
    return minibatch.get_data_ch11()


@pytest.mark.parametrize("batch", [1, 7, 10, 64, 1500])
def test_updates_per_epoch_matches_the_trainer(data, batch):
    df = minibatch.train_ch11(gd.sgd, {"lr": 0.0}, data, batch, 1, eval_every=1)
    assert len(df) - 1 == updates_per_epoch(1500, batch)  # one evaluation per update when eval_every = 1


@pytest.mark.parametrize("seed", SEEDS)
def test_11_5_1_updates(seed):
    B = variant_params("11.5.1", seed)["B"]
    assert solve("11.5.1", seed).answer["updates"] == math.ceil(1500 / B)


def test_11_5_1_one_gd_step_is_worse_than_an_epoch_of_minibatches(data):
    X, y = data.tensors
    w = 0.01 * torch.randn(5, 1, generator=torch.Generator().manual_seed(0))
    r = X @ w - y
    w1, b1 = w - X.T @ r / len(X), -r.mean(0)  # one hand-written GD step with η = 1
    gd_loss = float(0.5 * ((X @ w1 + b1 - y) ** 2).mean())
    floor = minibatch.least_squares_loss(data)
    mini = minibatch.train_ch11(gd.sgd, {"lr": 0.05}, data, 10, 1).loss.iloc[-1]
    assert gd_loss - floor > 10 * (mini - floor)
    ans = solve("11.5.1").answer
    assert ans["worst"] == "1500" and ans["slowest"] == "1"


def test_batch_one_epoch_is_slowest(data):
    t1 = min(minibatch.train_ch11(gd.sgd, {"lr": 0.005}, data, 1, 1).seconds.iloc[-1] for _ in range(2))
    t100 = min(minibatch.train_ch11(gd.sgd, {"lr": 0.4}, data, 100, 1).seconds.iloc[-1] for _ in range(2))
    assert t1 > 3 * t100


def test_11_5_2_unseen_fraction():
    ans = solve("11.5.2").answer
    assert ans["unseen"] == pytest.approx((1 - 1 / 1500) ** 1500, abs=0.003)
    assert ans["unseen"] == pytest.approx(math.exp(-1), abs=0.003) and ans["better"] == "without"


@pytest.mark.parametrize("data_seed", [1, 2])
def test_without_replacement_ends_lower_on_other_data(data_seed):
    ex = replacement_excess(seeds=6, data_seed=data_seed)
    assert ex["without"] < 0.9 * ex["with"]


def test_11_5_3_full_gradient_is_unchanged_by_duplication(data):
    w, b = torch.randn(5, 1, generator=torch.Generator().manual_seed(3)), torch.tensor([0.2])
    X, y = data.tensors
    X2, y2 = duplicate(data).tensors
    _, gw, gb = minibatch.squared_loss_grad(X, y, w, b)
    _, gw2, gb2 = minibatch.squared_loss_grad(X2, y2, w, b)
    assert len(X2) == 3000 and torch.allclose(gw, gw2, atol=1e-6) and torch.allclose(gb, gb2, atol=1e-6)
    ans = solve("11.5.3").answer
    assert ans == {"gd": "same", "sgd": "double", "ratio": 2.0}


def test_one_duplicated_epoch_is_about_two_original_epochs(data):
    floor = minibatch.least_squares_loss(data)

    def excess(d, epochs):
        return np.mean([minibatch.train_ch11(gd.sgd, {"lr": 0.002}, d, 10, epochs, seed=s).loss.iloc[-1] - floor
                        for s in range(4)])

    one, two, dup = excess(data, 1), excess(data, 2), excess(duplicate(data), 1)
    assert abs(dup - two) < 0.2 * (one - two)


@pytest.mark.parametrize("ex_id, moves", [
    ("11.5.1", {"epochs": 1, "axis": "seconds", "batches": [100, 1500], "lrs": [0.4, 1.0]}),
    ("11.5.2", {"batch": 50, "lr": 0.1, "epochs": 1, "seeds": 2}),
    ("11.5.3", {"batch": 100, "epochs": 1, "dup": False}),
])
def test_exercise_widgets_move(ex_id, moves):
    at = open_app("pages/exercise.py", id=ex_id)
    assert not at.exception
    key = f"w-{ex_id}"
    for name, value in moves.items():
        widget = next(w for kind in ("slider", "select_slider", "multiselect", "radio", "toggle")
                      for w in getattr(at, kind) if w.key == f"{key}-{name}")
        before = [m.value for m in at.metric] + [str(d.value) for d in at.dataframe] + [c.value for c in at.caption]
        widget.set_value(value).run()
        assert not at.exception
        after = [m.value for m in at.metric] + [str(d.value) for d in at.dataframe] + [c.value for c in at.caption]
        assert after != before or name == "axis"
