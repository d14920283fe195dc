"""Section 3.7: update counts against a real DataLoader; the training experiments of 3.7.1 and 3.7.2 re-run
through the from-scratch implementation (a different loss and optimiser) and checked as bands; wrong answers
rejected; the widgets and the concise-vs-scratch demo moved on the pages."""

from dataclasses import replace

import numpy as np
import pytest
import torch
from torch.utils.data import TensorDataset

from d2lcore import softmax_regression as sr
from d2lcore.data import index_batches
from exercises import check, registry
from solutions import solve
from solutions.ch03_s7 import BOOK, HYPER, OVERFIT, overfit_summary
from tests.apptest import metrics, open_app


@pytest.mark.parametrize("n, batch, epochs", [(60_000, 256, 10), (1200, 32, 10), (100, 10, 3), (7, 8, 2)])
def test_updates_count_the_minibatches_of_a_real_loader(n, batch, epochs):
    loader = index_batches(TensorDataset(torch.zeros(n, 1)), batch, True, torch.Generator().manual_seed(0))
    assert sr.updates_per_run(n, batch, epochs) == sum(1 for _ in range(epochs) for _ in loader)


def test_prompts_state_the_settings_that_are_run():
    assert "1,200 training and 400 test" in registry.get("3.7.1").prompt["en"]
    assert (HYPER.n_train, HYPER.n_test, HYPER.lr, HYPER.epochs) == (1200, 400, 0.1, 10)
    assert "100 training digits (batch size 10, learning rate 1.0) for up to 200 epochs" in registry.get(
        "3.7.2").prompt["en"]
    assert (OVERFIT.n_train, OVERFIT.batch_size, OVERFIT.lr, OVERFIT.epochs) == (100, 10, 1.0, 200)


def test_3_7_1_reference():
    ans = solve("3.7.1").answer
    loader = index_batches(TensorDataset(torch.zeros(BOOK["n"], 1)), BOOK["batch"], shuffle=False)
    assert ans["updates"] == len(loader) * BOOK["epochs"]
    # the same runs through the scratch model (naive softmax + −log, the book's sgd updater)
    small = sr.train_softmax_regression(replace(HYPER, implementation="scratch"))
    large = sr.train_softmax_regression(replace(HYPER, implementation="scratch", batch_size=256))
    assert small.train_loss[-1] < 0.5 * large.train_loss[-1] and ans["batchEffect"] == "lower"
    assert abs(small.test_acc[-1] - ans["acc"]) < 0.01
    assert small.train_loss[-1] < 0.5 and small.test_acc[-1] > 0.85  # our bar on the digits
    assert check("3.7.1", ans).correct
    assert check("3.7.1", {"updates": "2350", "batchEffect": "lower", "acc": f"{100 * ans['acc']:.1f}%"}).correct


@pytest.mark.parametrize("seed", [1, 2])
def test_3_7_1_conclusion_holds_on_other_subsets(seed):
    small = sr.train_softmax_regression(replace(HYPER, seed=seed, epochs=5))
    large = sr.train_softmax_regression(replace(HYPER, seed=seed, epochs=5, batch_size=256))
    assert small.train_loss[-1] < 0.8 * large.train_loss[-1] and small.test_acc[-1] > 0.8


def test_3_7_2_reference():
    ans = solve("3.7.2").answer
    h = sr.train_softmax_regression(replace(OVERFIT, implementation="scratch"))
    s = overfit_summary(h.test_loss, h.train_loss)
    assert 1 < s["best"] < OVERFIT.epochs // 2 and ans["trend"] == "rises"
    assert s["trainFinal"] < 0.1 * s["trainAtBest"] and h.train_acc[-1] == 1.0 and ans["why"] == "overfit"
    assert abs(s["rise"] - ans["rise"]) < 0.02 and ans["rise"] > 0.05
    assert np.all(np.diff(h.train_loss[10:]) < 1e-3)  # the training loss keeps falling (up to SGD noise)
    assert check("3.7.2", ans).correct


def test_3_7_2_more_data_stops_the_rise():
    base = solve("3.7.2").data
    more = sr.train_softmax_regression(replace(OVERFIT, n_train=400, batch_size=40, epochs=60))
    s = overfit_summary(more.test_loss, more.train_loss)
    assert s["rise"] < 0.25 * float(base["rise"]) / 100 and s["final"] < float(base["final"])


# --- pages -----------------------------------------------------------------------------------------------------------

def test_hyperparameter_widget_moves():
    at = open_app("pages/exercise.py", id="3.7.1")
    assert not at.exception and metrics(at)["Parameter updates"] == "50"
    at.select_slider(key="w-3.7.1-batch").set_value(32).run()
    m = metrics(at)
    assert not at.exception and m["Parameter updates"] == "380"
    assert m["test accuracy"] == f"{solve('3.7.1').answer['acc']:.3f}"
    at.select_slider(key="w-3.7.1-lr").set_value(0.3)
    at.slider(key="w-3.7.1-epochs").set_value(3)
    at.run()
    assert not at.exception and metrics(at)["Parameter updates"] == "114"


def test_overfitting_widget_moves():
    at = open_app("pages/exercise.py", id="3.7.2")
    m = metrics(at)
    assert not at.exception and m["Final above the minimum"] == f"{100 * solve('3.7.2').answer['rise']:.1f}%"
    at.slider(key="w-3.7.2-epochs").set_value(60)
    at.select_slider(key="w-3.7.2-wd").set_value(0.01)
    at.select_slider(key="w-3.7.2-n").set_value(200)
    at.run()
    assert not at.exception and metrics(at)["Final above the minimum"] != m["Final above the minimum"]


def test_concise_demo_matches_scratch_on_the_chapter_page():
    at = open_app("pages/ch03.py")
    m = metrics(at)
    assert not at.exception and m["Test accuracy, concise"] == m["Test accuracy, scratch"]
    assert float(m["Largest training-loss difference"]) < 1e-3
