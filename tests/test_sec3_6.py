"""Section 3.6: d2lcore.softmax_regression against numpy/IEEE facts, torch built-ins, sympy and scikit-learn;
exercises 3.6.1–3.6.3 verified another way; every wrong answer rejected; the widgets and the demo moved on the pages."""

import math

import numpy as np
import pytest
import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from d2lcore import softmax_regression as sr
from d2lcore.data import load_image_classification
from exercises import check
from solutions import solve, variant_params
from tests.apptest import all_text, metrics, open_app

NUMPY = {torch.float16: np.float16, torch.float32: np.float32, torch.float64: np.float64}


# --- where floating point breaks -------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [torch.float16, torch.float32, torch.float64])
def test_overflow_threshold_is_log_of_the_largest_float(dtype):
    assert sr.exp_overflow_threshold(dtype) == pytest.approx(math.log(float(np.finfo(NUMPY[dtype]).max)), abs=2e-3)


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32, torch.float64])
def test_smallest_positive_is_numpys_nextafter_zero(dtype):
    np_dtype = NUMPY[dtype]
    assert sr.smallest_positive(dtype) == float(np.nextafter(np_dtype(0), np_dtype(1)))
    assert sr.smallest_positive(torch.float32) == 2.0**-149


def test_underflow_gap_is_half_the_smallest_subnormal():
    # exp(−g) rounds to 0 once it is below half of 2^−149 (round to nearest): g = 150 ln 2
    assert sr.exp_underflow_gap(torch.float32) == pytest.approx(150 * math.log(2), abs=1e-3)
    assert sr.exp_underflow_gap(torch.float64) == pytest.approx(1075 * math.log(2), abs=1e-2)


@pytest.mark.parametrize("o, y", [([1.0, 2.0, 3.0], 0), ([-3.0, 0.5, 0.0, 4.0], 3), ([10.0, -10.0], 1)])
def test_all_routes_agree_on_moderate_logits(o, y):
    r = sr.stability_report(o, y, torch.float64)
    expected = torch.softmax(torch.tensor(o, dtype=torch.float64), dim=-1)
    for p in (r.p_naive, r.p_stable, r.p_torch):
        assert torch.allclose(p, expected)
    ce = float(F.cross_entropy(torch.tensor([o], dtype=torch.float64), torch.tensor([y])))
    for value in (r.ce_naive, r.ce_log_of_stable, r.ce_stable, r.ce_torch, r.truth):
        assert value == pytest.approx(ce)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-300, 300), min_size=2, max_size=6), st.floats(-500, 500), st.integers(0, 5))
def test_stable_loss_is_finite_and_shift_invariant(o, c, y):
    y = y % len(o)
    r, shifted = sr.stability_report(o, y), sr.stability_report([v + c for v in o], y)
    assert math.isfinite(r.ce_stable) and r.ce_stable >= -1e-3
    assert r.ce_stable == pytest.approx(r.truth, rel=1e-5, abs=1e-3)
    # shifting changes nothing, up to rounding the shifted logits to float32 (relative 6e-8 of their size)
    assert shifted.truth == pytest.approx(r.truth, abs=1e-6 * (max(map(abs, o)) + abs(c) + 1))
    assert torch.allclose(r.p_stable.double(), torch.softmax(torch.tensor(o, dtype=torch.float64), -1).float().double(),
                          atol=1e-6)


def numpy_naive_status(o, y):
    """The naive pipeline in numpy float32, classified like BREAKDOWN (an independent implementation)."""
    with np.errstate(all="ignore"):
        e = np.exp(np.asarray(o, dtype=np.float32))
        if np.isinf(e).any():
            return "overflow"
        if (e == 0).all():
            return "allzero"
        return "underflow" if e[y] / e.sum() == 0 else "ok"


def test_breakdown_grid_matches_numpy():
    o, y = torch.tensor([-2.0, 9.4, 9.5]), 0
    scales, shifts = torch.linspace(0, 20, 21, dtype=torch.float64), torch.linspace(-150, 150, 31, dtype=torch.float64)
    code = sr.breakdown_grid(o, y, scales, shifts)
    seen = set()
    for i, s in enumerate(scales.tolist()):
        for j, c in enumerate(shifts.tolist()):
            expected = numpy_naive_status([s * v + c for v in o.tolist()], y)
            assert sr.BREAKDOWN[int(code[i, j])] == expected, (s, c)
            seen.add(expected)
    assert seen == set(sr.BREAKDOWN)  # the grid crosses every regime


# --- the two models, training, prediction -----------------------------------------------------------------------------

def test_scratch_and_concise_models_start_identical():
    X = torch.rand(5, 1, 8, 8)
    scratch = sr.softmax_regression_scratch(64, 10, torch.Generator().manual_seed(3))
    concise = sr.softmax_regression_concise(64, 10, torch.Generator().manual_seed(3))
    assert scratch.W.std().item() == pytest.approx(0.01, rel=0.15) and torch.all(scratch.b == 0)
    with torch.no_grad():
        assert torch.allclose(scratch(X), torch.softmax(concise(X), dim=-1), atol=1e-6)


SMALL = sr.SoftmaxConfig(batch_size=32, lr=0.1, epochs=4, n_train=300, n_test=200, dataset="digits")


@pytest.mark.parametrize("implementation", ["scratch", "concise"])
def test_training_lowers_the_loss_and_beats_chance(implementation):
    h = sr.train_softmax_regression(sr.SoftmaxConfig(**{**SMALL.__dict__, "implementation": implementation}))
    assert h.epoch == [1, 2, 3, 4] and h.train_loss[-1] < h.train_loss[0] < math.log(10) + 0.05
    assert h.test_acc[-1] > 0.6  # chance is 0.1


def test_scratch_and_concise_follow_the_same_path():
    """Same start, same minibatches: −log softmax and nn.CrossEntropyLoss differ only by float32 rounding."""
    a = sr.train_softmax_regression(sr.SoftmaxConfig(**{**SMALL.__dict__, "implementation": "scratch"}))
    b = sr.train_softmax_regression(sr.SoftmaxConfig(**{**SMALL.__dict__, "implementation": "concise"}))
    assert np.allclose(a.train_loss, b.train_loss, atol=1e-4) and np.allclose(a.test_acc, b.test_acc, atol=0.006)


def test_digits_subset_is_seeded_and_disjoint_from_the_test_split():
    a, b = (load_image_classification(100, 50, seed=4, dataset="digits") for _ in range(2))
    assert torch.equal(a.train.tensors[0], b.train.tensors[0]) and a.n_inputs == 64 and a.n_classes == 10
    train_rows = {tuple(x.flatten().tolist()) for x in a.train.tensors[0]}
    assert len(a.train) == 100 and len(a.test) == 50
    assert a.name == "scikit-learn digits" and len(train_rows) > 90


def test_confusion_matrix_matches_scikit_learn():
    from sklearn.metrics import confusion_matrix

    rng = np.random.default_rng(0)
    y, y_pred = rng.integers(0, 4, 200), rng.integers(0, 4, 200)
    M = sr.confusion_matrix(torch.tensor(y), torch.tensor(y_pred), 4)
    assert np.array_equal(M.numpy(), confusion_matrix(y, y_pred, labels=range(4)))


def test_predict_is_argmax_for_logits_and_probabilities():
    net = sr.softmax_regression_concise(64, 10, torch.Generator().manual_seed(0))
    X = torch.rand(20, 1, 8, 8)
    assert torch.equal(sr.predict(net, X), sr.predict(lambda Z: torch.softmax(net(Z), -1), X))


# --- decisions and the vocabulary -------------------------------------------------------------------------------------

@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0.01, 1.0), min_size=2, max_size=6))
def test_zero_one_cost_gives_the_argmax(weights):
    p = torch.tensor(weights, dtype=torch.float64)
    p = p / p.sum()
    q = len(weights)
    decision = int(sr.bayes_decision(p, 1 - torch.eye(q, dtype=torch.float64)))
    assert p[decision] >= p.max() - 1e-12  # ties may go either way


@pytest.mark.parametrize("cfp, cfn", [(1, 1), (1, 20), (5, 2)])
def test_treat_threshold_by_grid_search(cfp, cfn):
    C = torch.tensor([[0.0, cfp], [cfn, 0.0]], dtype=torch.float64)  # rows: treat, home; columns: ill, healthy
    grid = torch.linspace(0, 1, 100_001, dtype=torch.float64)
    treat = sr.bayes_decision(torch.stack([grid, 1 - grid], 1), C) == 0
    assert float(grid[treat].min()) == pytest.approx(sr.treat_threshold(cfp, cfn), abs=2e-5)


def test_output_layer_cost_counts_a_real_linear_layer():
    c = sr.output_layer_cost(5000, 32, k=10)
    layer = torch.nn.Linear(32, 5000)
    assert c.params == sum(p.numel() for p in layer.parameters())
    assert c.full_macs == 32 * 5000 and c.hierarchical_macs == 32 * 13 and c.sampled_macs == 32 * 11


# --- the exercises, verified another way ---------------------------------------------------------------------------

def logits(seed):
    p = variant_params("3.6.1", seed)
    return [p["o1"], p["o2"], p["o3"]]


@pytest.mark.parametrize("seed", [0, 1, 2, 77])
def test_3_6_1_reference(seed):
    ans = solve("3.6.1", seed).answer
    assert ans["expFifty"] == pytest.approx(float(sp.exp(50).evalf(30)), rel=1e-12)
    assert ans["threshold"] == pytest.approx(math.log(float(np.finfo(np.float32).max)), abs=1e-4)
    with np.errstate(all="ignore"):
        e = np.exp(np.asarray(logits(seed), dtype=np.float32))
        p = e / e.sum()
    assert np.isnan(p[np.isinf(e)]).all() and (p[~np.isinf(e)] == 0).all() and ans["naive"] == "nanzero"
    assert check("3.6.1", ans, seed).correct


@pytest.mark.parametrize("seed", [0, 1, 2, 77])
def test_3_6_2_reference(seed):
    ans = solve("3.6.2", seed).answer
    assert ans["pmin"] == float(np.nextafter(np.float32(0), np.float32(1)))
    o = np.asarray(logits(seed), dtype=np.float32)
    with np.errstate(all="ignore"):
        e = np.exp(o - o.max())
        loss = -np.log((e / e.sum())[0])
    assert np.isinf(loss) and ans["ce"] == "inf"
    assert check("3.6.2", ans, seed).correct


@pytest.mark.parametrize("seed", [0, 1, 2, 77])
def test_3_6_3_reference(seed):
    ans = solve("3.6.3", seed).answer
    o = torch.tensor([logits(seed)], dtype=torch.float64)
    assert ans["ptop"] == pytest.approx(float(torch.softmax(o, -1).max()), rel=1e-6)
    assert ans["loss"] == pytest.approx(float(F.cross_entropy(o, torch.tensor([0]))), rel=1e-6)
    exact = sp.log(sum(sp.exp(sp.Integer(int(v))) for v in logits(seed))) - int(logits(seed)[0])
    assert ans["loss"] == pytest.approx(float(exact.evalf(30)), rel=1e-6)
    assert check("3.6.3", ans, seed).correct


@pytest.mark.parametrize("typed", [{"expFifty": "5.18e21", "threshold": "88.72", "naive": "nanzero"},
                                   {"expFifty": "5.2e21", "threshold": "ln(3.4e38)", "naive": "nanzero"}])
def test_3_6_1_accepts_typed_answers(typed):
    assert check("3.6.1", typed).correct


def test_3_6_2_and_3_accept_typed_answers():
    assert check("3.6.2", {"ce": "inf", "pmin": "1.401e-45"}).correct
    assert check("3.6.3", {"ptop": "1/(1+exp(-1))", "loss": "115.31"}).correct


def test_conceptual_explanations_are_filled():
    assert "0.048" in solve("3.6.4").explanation["en"]  # 1 / 21
    assert "51,200,000" in solve("3.6.5").explanation["zh"]


# --- pages -----------------------------------------------------------------------------------------------------------

def test_stability_widget_moves():
    at = open_app("pages/exercise.py", id="3.6.1")
    m = metrics(at)
    assert not at.exception and m["Naive softmax → −log"] == "inf" and m["logsumexp(o) − o_y"] == "115.3"
    at.slider(key="w-3.6.1-shift").set_value(-94.0).run()  # logits (−114, 0, 1): no overflow, ŷ_0 still underflows
    m = metrics(at)
    assert not at.exception and m["Naive softmax → −log"] == "inf" and m["logsumexp(o) − o_y"] == "115.3"
    at.slider(key="w-3.6.1-scale").set_value(0.5).run()  # (−104, −47, −46.5): exp(−104) underflows to 0 → inf
    assert metrics(at)["Naive softmax → −log"] == "inf" and metrics(at)["Stable softmax → −log"] == "57.97"
    at.slider(key="w-3.6.1-shift").set_value(-50.0).run()  # (−60, −3, −2.5): gap 57.5, everything finite
    m = metrics(at)
    assert m["Naive softmax → −log"] == m["logsumexp(o) − o_y"] == m["F.cross_entropy"] == "57.97"
    at.selectbox(key="w-3.6.1-y").set_value(2).run()
    assert not at.exception and float(metrics(at)["F.cross_entropy"]) < 1
    at.selectbox(key="w-3.6.1-dtype").set_value("float16").run()
    assert not at.exception and "float16" in all_text(at)


@pytest.mark.parametrize("exercise_id", ["3.6.2", "3.6.3"])
def test_stability_widget_shows_the_variant(exercise_id):
    at = open_app("pages/exercise.py", id=exercise_id)
    assert not at.exception and metrics(at)["F.cross_entropy"] == "115.3"
    at.number_input(key=f"seed-{exercise_id}").set_value(1).run()
    o = logits(1)
    expected = float(F.cross_entropy(torch.tensor([o]), torch.tensor([0])))
    assert not at.exception and metrics(at)["F.cross_entropy"] == f"{expected:.4g}"


def test_decision_widget_moves():
    at = open_app("pages/exercise.py", id="3.6.4", lang="zh")
    assert not at.exception and metrics(at)["期望代价最小（2 种行动）"] == "治疗"
    at.slider(key="w-3.6.4-cfn").set_value(1.0).run()  # equal costs: the argmax rule is optimal again
    assert metrics(at)["期望代价最小（2 种行动）"] == "送回家" == metrics(at)["最可能的标签"]
    at.slider(key="w-3.6.4-cfp").set_value(10.0)
    at.slider(key="w-3.6.4-cref").set_value(0.2)
    at.slider(key="w-3.6.4-p").set_value(0.5).run()
    assert not at.exception and metrics(at)["期望代价最小（含转诊）"] == "转诊给专家"


def test_vocabulary_widget_moves():
    at = open_app("pages/exercise.py", id="3.6.5")
    assert not at.exception and metrics(at)["Output-layer parameters"] == "51,300,000"
    at.select_slider(key="w-3.6.5-V").set_value(1_000_000)
    at.select_slider(key="w-3.6.5-d").set_value(64)
    at.run()
    m = metrics(at)
    assert not at.exception and m["Output-layer parameters"] == "65,000,000" and m["Hierarchical softmax"] == "1,280"


def test_section_demo_on_the_chapter_page():
    at = open_app("pages/ch03.py")
    assert not at.exception
    at.slider(key="demo-3.6-stab-scale").set_value(0.2).run()
    text = all_text(at)
    assert not at.exception and "Trained in" in " ".join(s.label for s in at.status)
    assert "scikit-learn digits" in text or "Fashion-MNIST" in text
    assert any("test accuracy" in s.value for s in at.success)  # the from-scratch run passes the bar
