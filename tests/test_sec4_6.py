"""Section 4.6: the from-scratch dropout layer against nn.Dropout (exactly at p = 0 and p = 1, statistically with
4-sigma bands otherwise), its moments by sympy against simulation (hypothesis), Gaussian noise and DropConnect
against Monte Carlo, the networks' structure, the experiments' claims re-run on other seeds, wrong answers, and every
widget moved on the pages."""

from dataclasses import replace

import pytest
import sympy
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from streamlit.testing.v1 import AppTest
from torch import nn

from d2lcore import dropout as dp
from exercises import check, registry
from solutions import solve, variant_params
from solutions.ch04_s6 import BASE, LONG_EPOCHS, SMALL, WEIGHT_DECAY, connect_example, matching_sigma, run
from tests.apptest import metrics, open_app

N = 200_000


def band(p: float, n: int = N) -> float:
    """4 standard errors of a fraction p estimated from n draws."""
    return 4 * (p * (1 - p) / n) ** 0.5


# --- the layer ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [0.0, 1.0])
def test_dropout_layer_equals_nn_dropout_exactly_at_the_edges(p):
    X = torch.randn(64, 32, generator=torch.Generator().manual_seed(0))
    layer = nn.Dropout(p).train()
    assert torch.equal(dp.dropout_layer(X, p, torch.Generator().manual_seed(1)), layer(X))
    assert torch.equal(dp.dropout_layer(X, p), X if p == 0 else torch.zeros_like(X))


@pytest.mark.parametrize("p", [0.1, 0.2, 0.5, 0.8])
def test_dropout_layer_matches_nn_dropout_statistically(p):
    X = torch.rand(N, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) + 0.5  # no exact zeros
    ours = dp.dropout_layer(X, p, torch.Generator().manual_seed(1))
    theirs = nn.Dropout(p).train()(X)
    for out in (ours, theirs):
        kept = out != 0
        assert abs(float((~kept).double().mean()) - p) < band(p)  # zero fraction ~ p
        torch.testing.assert_close(out[kept], X[kept] / (1 - p))  # kept values scaled by 1/(1 − p)
        mean_band = 4 * float((X**2).mean() * p / (1 - p) / N) ** 0.5
        assert abs(float(out.mean() - X.mean())) < mean_band  # unbiased
    assert abs(float(ours.var() - theirs.var())) < 0.05 * float(theirs.var())


def test_dropout_layer_is_reproducible_and_rejects_bad_p():
    X = torch.ones(100)
    a, b = (dp.dropout_layer(X, 0.3, torch.Generator().manual_seed(5)) for _ in range(2))
    assert torch.equal(a, b)
    with pytest.raises(ValueError):
        dp.dropout_layer(X, 1.5)


def test_moments_by_sympy():
    h, p = sympy.symbols("h p")
    mean, var = dp.dropout_moments(h, p)
    assert sympy.simplify(mean - h) == 0 and sympy.simplify(var - h**2 * p / (1 - p)) == 0
    # the other route: E[h'^k] of a scaled Bernoulli(1 − p) by sympy.stats
    from sympy.stats import Bernoulli, E
    m = Bernoulli("m", 1 - p)
    assert sympy.simplify(E((m * h / (1 - p)) ** 2) - E(m * h / (1 - p)) ** 2 - var) == 0


@settings(max_examples=15, deadline=None)
@given(h=st.floats(-5, 5).filter(lambda v: abs(v) > 0.1), p=st.floats(0.05, 0.9), seed=st.integers(0, 2**31))
def test_simulated_moments_lie_in_the_stated_band(h, p, seed):
    n = 20_000
    sample = dp.sample_dropout(h, p, n, torch.Generator().manual_seed(seed))
    var = h * h * p / (1 - p)
    assert abs(float(sample.mean()) - h) < 4 * (var / n) ** 0.5
    assert abs(float(sample.var(unbiased=False)) - var) < dp.variance_band(var, n, dp.dropout_kurtosis(p))


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_kurtosis_matches_scipy(p):
    assert dp.dropout_kurtosis(p) == pytest.approx(stats.bernoulli(1 - p).stats(moments="k") + 3)


def test_predicted_layer_variance_matches_simulation():
    H = torch.rand(300, 128, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) ** 2
    g = torch.Generator().manual_seed(1)
    sims = torch.tensor([float(dp.dropout_layer(H, 0.4, g).var(unbiased=False)) for _ in range(30)])
    assert abs(float(sims.mean()) - dp.predicted_dropout_variance(H, 0.4)) < 4 * float(sims.std()) / 30**0.5


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_gaussian_noise_has_dropouts_mean_and_variance(p):
    h = torch.full((N,), 1.5, dtype=torch.float64)
    out = dp.gaussian_noise_layer(h, p, torch.Generator().manual_seed(0))
    var = 1.5**2 * p / (1 - p)
    assert abs(float(out.mean()) - 1.5) < 4 * (var / N) ** 0.5
    assert abs(float(out.var()) - var) < 4 * var * (2 / N) ** 0.5  # Gaussian: kurtosis 3
    sigma = matching_sigma()
    assert sympy.simplify(sigma**2 - sympy.Symbol("p") / (1 - sympy.Symbol("p"))) == 0
    assert float(sigma.subs("p", p)) == pytest.approx((p / (1 - p)) ** 0.5)


@pytest.mark.parametrize("seed", [0, 1, 2, 77])
@pytest.mark.parametrize("noise", ["dropout", "dropconnect"])
def test_pre_activation_covariance_matches_monte_carlo(seed, noise):
    W, h, p = connect_example(seed)
    exact = dp.pre_activation_covariance(W, h, p, noise)
    sim = dp.simulated_pre_activation_covariance(W, h, p, noise, N, torch.Generator().manual_seed(seed + 10))
    scale = float(exact.diagonal().max())
    torch.testing.assert_close(sim, exact, rtol=0, atol=0.03 * scale)


def test_noisy_networks_share_their_weights_and_differ_only_in_training_mode():
    X = torch.rand(16, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    nets = {n: dp.noisy_mlp(64, [32, 32], 10, [0.2, 0.5], n, torch.Generator().manual_seed(3)) for n in dp.NOISES}
    outs = {n: net.eval()(X) for n, net in nets.items()}
    for n in dp.NOISES:
        torch.testing.assert_close(outs[n], outs["none"])
    assert sum(isinstance(m, dp.Dropout) for m in nets["dropout"]) == 2
    assert sum(isinstance(m, dp.DropConnectLinear) for m in nets["dropconnect"]) == 2
    for n in ("dropout", "dropconnect", "gaussian"):
        assert not torch.equal(nets[n].train()(X), outs["none"])


def test_dropconnect_layer_is_unbiased():
    lin = nn.Linear(5, 3)
    layer = dp.DropConnectLinear(lin, 0.5, torch.Generator().manual_seed(0)).train()
    x = torch.randn(1, 5, generator=torch.Generator().manual_seed(1))
    mean = torch.stack([layer(x) for _ in range(4000)]).mean(0)
    torch.testing.assert_close(mean, lin(x), rtol=0, atol=0.1)
    torch.testing.assert_close(layer.eval()(x), lin(x))


# --- the experiments: references, and the claims on other seeds ---------------------------------------------------


def test_prompts_state_the_settings_that_are_run():
    text = registry.get("4.6.1").prompt["en"]
    assert "learning rate 0.1, batch size 32, 40 epochs" in text and "200 training images and all 449 test" in text
    assert (BASE.lr, BASE.batch_size, BASE.epochs, BASE.n_train, BASE.p1, BASE.p2) == (0.1, 32, 40, 200, 0.2, 0.5)
    assert run(BASE).n_test == 449 and run(BASE).n_train == 200
    assert "here 80." in registry.get("4.6.2").prompt["en"] and LONG_EPOCHS == 80
    assert r"\lambda = 0.003" in registry.get("4.6.5").prompt["en"] and WEIGHT_DECAY == 0.003


@pytest.mark.parametrize("seed", [1, 2])
def test_4_6_1_swapping_changes_little_on_other_subsets(seed):
    book, swap = run(replace(BASE, seed=seed)), run(replace(BASE, seed=seed, p1=0.5, p2=0.2))
    assert abs(book.history.test_acc[-1] - swap.history.test_acc[-1]) < SMALL + 0.02
    assert book.history.test_acc[-1] > 0.8 and swap.history.test_acc[-1] > 0.8


def test_4_6_1_reference():
    ans = solve("4.6.1").answer
    assert ans["effect"] == "small" and abs(ans["accBook"] - ans["accSwap"]) < SMALL
    assert check("4.6.1", ans).correct


@pytest.mark.parametrize("seed", [1, 2])
def test_4_6_2_dropout_keeps_the_reported_training_loss_higher(seed):
    none, drop = run(replace(BASE, seed=seed, noise="none")), run(replace(BASE, seed=seed))
    assert drop.history.train_loss[-1] > 1.5 * none.history.train_loss[-1]
    assert abs(drop.gap - none.gap) < SMALL + 0.02  # the accuracy gap barely moves on the digits


def test_4_6_2_reference():
    ans, data = solve("4.6.2").answer, solve("4.6.2").data
    assert ans["trainLoss"] == "higher" and float(data["lossDrop"]) > 1.5 * float(data["lossNo"])
    assert ans["gap"] == "same" and float(data["trainNo"]) > 0.97 and float(data["trainDrop"]) > 0.97
    assert check("4.6.2", ans).correct


@pytest.mark.parametrize("seed", [0, 1])
def test_4_6_3_variances_over_training(seed):
    none, drop = run(replace(BASE, seed=seed, noise="none")), run(replace(BASE, seed=seed, p1=0.5, p2=0.5))
    assert drop.var_h[-1][1] > 5 * drop.var_h[0][1] and none.var_h[-1][1] > 5 * none.var_h[0][1]  # grows
    assert drop.var_h[-1][1] < 0.8 * none.var_h[-1][1]  # dropout keeps the clean activations smaller
    assert none.var_noisy == none.var_h  # no masks, nothing added
    for noisy, predicted, clean in zip(drop.var_noisy, drop.predicted, drop.var_h, strict=True):
        for v, pred, c in zip(noisy, predicted, clean, strict=True):
            assert abs(v - pred) < 0.05 * pred and v > c  # the masks add mean(h²)p/(1 − p), as predicted


def test_4_6_3_reference():
    ans = solve("4.6.3").answer
    h, p = sympy.symbols("h p")
    assert sympy.simplify(ans["var"] - h**2 * p / (1 - p)) == 0
    assert ans["trend"] == "grows" and ans["compare"] == "lower" and check("4.6.3", ans).correct
    assert check("4.6.3", {"var": "h^2 p/(1-p)", "trend": "grows", "compare": "lower"}).correct


def test_4_6_5_no_combination_gains_on_another_subset():
    acc = {(d, w): run(replace(BASE, seed=1, noise="dropout" if d else "none",
                               weight_decay=WEIGHT_DECAY if w else 0.0)).history.test_acc[-1]
           for d in (False, True) for w in (False, True)}
    assert max(acc.values()) - acc[False, False] < SMALL + 0.02


def test_4_6_5_reference():
    ans = solve("4.6.5").answer
    assert ans["combo"] == "neither" and max(ans[k] - ans["accNone"] for k in ("accDrop", "accWd", "accBoth")) < SMALL
    assert check("4.6.5", ans).correct


@pytest.mark.parametrize("seed", [0, 1, 2, 77])
def test_4_6_6_reference_by_the_sum_formula(seed):
    W, h, p = connect_example(seed)
    ans = solve("4.6.6", seed=seed).answer
    factor = p / (1 - p)
    assert ans["varDrop"] == pytest.approx(factor * sum(float(W[0, j] ** 2 * h[j] ** 2) for j in range(3)))
    assert ans["covDrop"] == pytest.approx(factor * sum(float(W[0, j] * W[1, j] * h[j] ** 2) for j in range(3)))
    assert ans["varConnect"] == ans["varDrop"] and ans["covConnect"] == 0 and abs(ans["covDrop"]) > 0.01
    assert check("4.6.6", ans, seed).correct
    assert variant_params("4.6.6", seed)["p"] == p


def test_4_6_6_text_claims_hold():
    data = solve("4.6.6").data
    assert abs(float(data["accConnect"]) - float(data["accDrop"])) < SMALL


def test_4_6_7_reference():
    ans = solve("4.6.7").answer
    assert ans["compare"] == "same" and check("4.6.7", ans).correct
    assert check("4.6.7", {"sigma": "sqrt(p/(1-p))", "accGauss": f"{ans['accGauss']:.3f}", "compare": "same"}).correct
    gauss = run(replace(BASE, seed=1, noise="gaussian"))
    assert abs(gauss.history.test_acc[-1] - run(replace(BASE, seed=1)).history.test_acc[-1]) < SMALL + 0.02


@pytest.mark.parametrize("exercise_id", ["4.6.1", "4.6.2", "4.6.3", "4.6.5", "4.6.6", "4.6.7"])
def test_every_wrong_answer_gets_each_listed_field_wrong(exercise_id):
    for wrong in registry.get(exercise_id).wrong:
        verdict = check(exercise_id, wrong.answer)
        assert verdict.score < 1 and all(verdict.fields[k].score == 0 for k in wrong.answer), wrong.why


def test_4_6_4_is_conceptual():
    assert registry.get("4.6.4").is_conceptual and "net.eval()" in solve("4.6.4").explanation["en"]


# --- pages ----------------------------------------------------------------------------------------------------------


def _demo_app() -> None:
    from ui.widgets import sec4_6

    sec4_6.section_demo("demo-4.6")


def test_section_demo_moves():
    at = AppTest.from_function(_demo_app, default_timeout=60).run()
    assert not at.exception
    m = metrics(at)
    assert float(m["Fraction of zeros"]) == pytest.approx(0.5, abs=band(0.5, 10_000))
    assert abs(float(m["Sample variance"]) - 1.5**2) <= float(m["4-sigma band for the variance"][2:]) and at.success
    at.slider(key="demo-4.6-p").set_value(0.8)
    at.number_input(key="demo-4.6-h").set_value(-2.0)
    at.select_slider(key="demo-4.6-n").set_value(100_000)
    at.run()
    m = metrics(at)
    assert not at.exception and float(m["Fraction of zeros"]) == pytest.approx(0.8, abs=band(0.8, 100_000))
    assert abs(float(m["Sample variance"]) - 4 * 0.8 / 0.2) < float(m["4-sigma band for the variance"][2:])
    assert float(m["Sample mean"]) == pytest.approx(-2.0, abs=0.05) and at.success


def test_both_section_demos_on_the_chapter_page():
    at = open_app("pages/ch04.py")
    m = metrics(at)
    assert not at.exception and "Fraction of zeros" in m and float(m["Largest difference, hand vs autograd"]) < 1e-10


def test_two_probabilities_widget_moves():
    at = open_app("pages/exercise.py", id="4.6.1")
    ans = solve("4.6.1").answer
    assert not at.exception and metrics(at)["Test accuracy, yours (0.2, 0.5)"] == f"{ans['accBook']:.3f}"
    assert metrics(at)["Test accuracy, swapped (0.5, 0.2)"] == f"{ans['accSwap']:.3f}"
    at.select_slider(key="w-4.6.1-p1").set_value(0.9)
    at.select_slider(key="w-4.6.1-p2").set_value(0.0)
    at.run()
    assert not at.exception and "Test accuracy, yours (0.9, 0.0)" in metrics(at)


def test_more_epochs_widget_moves():
    at = open_app("pages/exercise.py", id="4.6.2")
    ans = solve("4.6.2").answer
    assert not at.exception and metrics(at)["Test accuracy, no dropout"] == f"{ans['accNo']:.3f}"
    at.slider(key="w-4.6.2-epochs").set_value(20)
    at.radio(key="w-4.6.2-show").set_value("acc")
    at.run()
    assert not at.exception and metrics(at)["Test accuracy, no dropout"] != f"{ans['accNo']:.3f}"


def test_activation_variance_widget_moves():
    at = open_app("pages/exercise.py", id="4.6.3")
    m = metrics(at)
    assert not at.exception and float(m["Layer 2, dropout, no masks"]) < float(m["Layer 2, no dropout"])
    at.select_slider(key="w-4.6.3-p").set_value(0.2)
    at.run()
    m2 = metrics(at)
    assert not at.exception and m2["Layer 2, dropout, no masks"] != m["Layer 2, dropout, no masks"]
    assert abs(float(m2["Layer 2, dropout, masks on"]) / float(m2["Layer 2, formula"]) - 1) < 0.05


def test_dropout_and_decay_widget_moves():
    at = open_app("pages/exercise.py", id="4.6.5")
    assert not at.exception and len(at.get("vega_lite_chart")) >= 1
    at.select_slider(key="w-4.6.5-wd").set_value(0.03)
    at.run()
    assert not at.exception


def test_dropconnect_widget_moves():
    at = open_app("pages/exercise.py", id="4.6.6")
    ans = solve("4.6.6").answer
    m = metrics(at)
    assert not at.exception and m["Cov[o₁, o₂]"] == f"{ans['covDrop']:.4f}"
    assert abs(float(m["Cov[o₁, o₂], simulated"]) - ans["covDrop"]) < 0.05 * ans["varDrop"]
    at.radio(key="w-4.6.6-noise").set_value("dropconnect")
    at.run()
    m = metrics(at)
    assert not at.exception and m["Cov[o₁, o₂]"] == "0.0000" and m["Var[o₁]"] == f"{ans['varConnect']:.4f}"


def test_gaussian_widget_moves():
    at = open_app("pages/exercise.py", id="4.6.7")
    assert not at.exception and "Test accuracy, Gaussian multiplicative noise" in metrics(at)
    at.select_slider(key="w-4.6.7-p").set_value(0.0)
    at.run()
    assert not at.exception and len(at.info) >= 1
    at.select_slider(key="w-4.6.7-p").set_value(0.2)
    at.run()
    assert not at.exception
