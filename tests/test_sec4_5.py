"""Section 4.5: weight decay by the scratch route against torch's SGD(weight_decay), the ridge solution against
scikit-learn, the exact test loss against a Monte Carlo test set, the soft threshold against torch's softshrink and
a numeric minimiser, the L1 update against autograd, the Frobenius identity against torch's matrix_norm, the MAP
relation against a numeric MAP fit; bands over seeds for the experiments; the widgets moved on the pages."""

from dataclasses import replace

import numpy as np
import pytest
import sympy
import torch
from sklearn.linear_model import Ridge
from streamlit.testing.v1 import AppTest

from d2lcore import capacity as cap
from d2lcore.data import synthetic_data
from exercises import check
from solutions import solve, variant_params
from solutions.ch04_s5 import BOOK, RIDGE_LAMS, l1_updates
from tests.apptest import metrics, open_app


@pytest.mark.parametrize("lam", [0.0, 3.0])
def test_scratch_weight_decay_matches_torch_sgd_weight_decay(lam):
    a = cap.train_weight_decay(replace(BOOK, lam=lam, epochs=20))
    b = cap.train_weight_decay(replace(BOOK, lam=lam, epochs=20, implementation="concise"))
    assert torch.allclose(a.w, b.w, atol=1e-5) and abs(a.test_loss - b.test_loss) < 1e-4 * (1 + a.test_loss)


@pytest.mark.parametrize("penalty", ["l2", "l1", "l1prox"])
def test_weight_decay_sweep_matches_the_books_autograd_route_for_every_lambda(penalty):
    lams, c = [0.0, 0.3, 3.0, 30.0], replace(BOOK, penalty=penalty, seed=5, epochs=40)
    for lam, fast in zip(lams, cap.weight_decay_sweep(c, lams, track=8), strict=True):
        book = cap.train_weight_decay(replace(c, lam=lam), track=8)  # autograd, one λ at a time
        close = dict(rtol=1e-4, atol=1e-6)  # float32, summed in another order
        np.testing.assert_allclose(fast.w.numpy(), book.w.numpy(), **close)
        np.testing.assert_allclose([fast.b, fast.train_loss, fast.test_loss], [book.b, book.train_loss, book.test_loss],
                                   **close)
        np.testing.assert_allclose(fast.history.train_loss, book.history.train_loss, **close)
        np.testing.assert_allclose(fast.history.test_loss, book.history.test_loss, **close)
        np.testing.assert_allclose(fast.trace, book.trace, **close)
        assert int((fast.w == 0).sum()) == int((book.w == 0).sum())


@pytest.mark.parametrize("seed", [0, 4])
def test_ridge_path_matches_ridge_regression_and_scikit_learn(seed):
    X, y, _, _ = cap.weight_decay_data(replace(BOOK, seed=seed))
    X, y, lams = X.double(), y.double().reshape(-1), [0.01, 1.0, 30.0]
    W, b = cap.ridge_path(X, y, lams)
    for k, lam in enumerate(lams):
        w_one, b_one = cap.ridge_regression(X, y, lam)
        model = Ridge(alpha=len(X) * lam).fit(X.numpy(), y.numpy())
        assert torch.allclose(W[k], w_one, atol=1e-12) and np.allclose(W[k].numpy(), model.coef_, atol=1e-8)
        assert abs(float(b[k]) - b_one) < 1e-12 and abs(float(b[k]) - model.intercept_) < 1e-8


def validation_choice_loop(lams, n_train, n_val, reps, seed, d=200, noise=0.01):
    """The per-repetition, per-λ loop that validation_choice batches: ridge_regression and expected_test_loss."""
    true_w, g, out = torch.full((d,), 0.01, dtype=torch.float64), torch.Generator().manual_seed(seed), []
    for _ in range(reps):
        X, y = synthetic_data(true_w, 0.05, n_train + n_val, noise, g)
        X, y = X.double(), y.double().reshape(-1)
        fits = [cap.ridge_regression(X[:n_train], y[:n_train], lam) for lam in lams]
        val = [float(((X[n_train:] @ w + b - y[n_train:]) ** 2).mean() / 2) for w, b in fits]
        test = [cap.expected_test_loss(w, b, true_w, 0.05, noise) for w, b in fits]
        i, j = int(np.argmin(val)), int(np.argmin(test))
        out.append((lams[i], lams[j], test[i] / test[j] - 1))
    return out


@pytest.mark.parametrize("n_val, reps, seed", [(20, 12, 0), (5, 8, 3), (150, 6, 7)])
def test_validation_choice_matches_the_loop_over_repetitions_and_lambdas(n_val, reps, seed):
    r = cap.validation_choice(list(RIDGE_LAMS), n_train=20, n_val=n_val, reps=reps, seed=seed)
    loop = validation_choice_loop(list(RIDGE_LAMS), 20, n_val, reps, seed)
    assert r["picked"] == [p for p, _, _ in loop] and r["best"] == [b for _, b, _ in loop]
    assert np.allclose(r["regret"], [x for _, _, x in loop], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("lam", [0.01, 1.0, 30.0])
def test_ridge_regression_matches_scikit_learn(lam):
    X, y, _, _ = cap.weight_decay_data(replace(BOOK, seed=4))
    X, y = X.double(), y.double().reshape(-1)
    w, b = cap.ridge_regression(X, y, lam)
    model = Ridge(alpha=len(X) * lam).fit(X.numpy(), y.numpy())  # sklearn: ‖y − Xw − b‖² + α‖w‖², α = nλ
    assert np.allclose(w.numpy(), model.coef_, atol=1e-8) and abs(b - model.intercept_) < 1e-8


def test_expected_test_loss_matches_a_monte_carlo_test_set():
    g = torch.Generator().manual_seed(0)
    true_w, w_hat = torch.full((50,), 0.01, dtype=torch.float64), torch.randn(50, generator=g, dtype=torch.float64)
    X = torch.randn(200_000, 50, generator=g, dtype=torch.float64)
    y = X @ true_w + 0.05 + 0.01 * torch.randn(200_000, generator=g, dtype=torch.float64)
    mc = float(((X @ w_hat + 0.1 - y) ** 2).mean() / 2)
    assert abs(mc - cap.expected_test_loss(w_hat, 0.1, true_w, 0.05, 0.01)) < 0.02 * mc


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_4_5_1_weight_decay_helps_on_every_seed(seed):
    none, decay = (cap.train_weight_decay(replace(BOOK, lam=lam, seed=seed)) for lam in (0.0, 3.0))
    assert decay.test_loss < 0.05 * none.test_loss and decay.train_loss > none.train_loss
    assert 0.25 < float(decay.w.norm()) < 0.5 < 12 < float(none.w.norm())


def test_4_5_1_reference():
    ans = solve("4.5.1").answer
    shrink = (1 - BOOK.lr * 3.0) ** (BOOK.epochs * BOOK.n_train // BOOK.batch_size)
    assert abs(ans["norm"] - 13.6 * shrink) < 0.15  # ‖w₀‖·(1 − ηλ)^steps predicts the order of ‖w‖
    assert (ans["metric"], ans["trainTrend"], ans["testTrend"]) == ("loss", "rises", "falls")
    assert check("4.5.1", {"metric": "loss", "trainTrend": "rises", "testTrend": "falls", "norm": "0.37"}).correct


def test_4_5_2_reference_by_a_monte_carlo_test_set():
    ans = solve("4.5.2").answer
    r = cap.validation_choice(list(RIDGE_LAMS), reps=10, seed=5)
    assert np.median(r["regret"]) < 0.05 and len(set(r["picked"])) > 1
    assert ans["optimal"] == "no" and ans["matters"] == "little" and 0 < ans["share"] < 0.9
    # the exact test loss that ranks the λ agrees with a held-out sample of 20,000 points
    X, y, _, _ = cap.weight_decay_data(replace(BOOK, seed=6))
    w, b = cap.ridge_regression(X.double(), y.double(), 1.0)
    Xt, yt = cap.weight_decay_data(replace(BOOK, seed=7, n_train=20_000))[:2]
    mc = float(((Xt.double() @ w + b - yt.double().reshape(-1)) ** 2).mean() / 2)
    assert abs(mc - cap.expected_test_loss(w, b, torch.full((200,), 0.01, dtype=torch.float64), 0.05, 0.01)) < 0.03 * mc


def test_4_5_3_l1_updates_against_autograd():
    step = l1_updates()
    w_, eta_, lam_, g_ = sympy.symbols("w eta lam g")
    for w0 in (0.7, -0.4):
        w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
        (3.0 * w + 0.5 * w.abs()).backward()  # data loss with gradient g = 3, λ = 0.5
        want = w0 - 0.1 * float(w.grad)
        name = "wPos" if w0 > 0 else "wNeg"
        assert abs(float(step[name].subs({w_: w0, eta_: 0.1, lam_: 0.5, g_: 3.0})) - want) < 1e-12


@pytest.mark.parametrize("v", [-1.3, -0.05, 0.0, 0.02, 0.4, 2.0])
def test_soft_threshold_is_the_proximal_step(v):
    t = 0.1
    got = float(cap.soft_threshold(torch.tensor(v, dtype=torch.float64), t))
    assert abs(got - float(torch.nn.functional.softshrink(torch.tensor(v, dtype=torch.float64), t))) < 1e-7
    u = np.linspace(-3, 3, 600_001)
    assert abs(got - u[np.argmin((u - v) ** 2 / 2 + t * np.abs(u))]) < 1e-4
    if v > 0:
        prox = l1_updates()["prox"].subs(dict(zip(sympy.symbols("v eta lam"), (v, 0.1, 1.0), strict=True)))
        assert abs(float(prox) - got) < 1e-9


def test_4_5_3_only_the_proximal_step_gives_exact_zeros():
    ans = solve("4.5.3").answer
    runs = {p: cap.train_weight_decay(replace(BOOK, lam=1.0, penalty=p, seed=3)) for p in ("l2", "l1", "l1prox")}
    assert int((runs["l2"].w == 0).sum()) == 0 and int((runs["l1"].w == 0).sum()) < 5
    assert int((runs["l1prox"].w == 0).sum()) > 100 and ans["sparse"] == "l1"
    assert check("4.5.3", {"wPos": "w - eta*g - eta*lam", "wNeg": "w - eta*(g - lam)", "prox": "max(v - eta*lam, 0)",
                           "sparse": "l1"}).correct


@pytest.mark.parametrize("seed", [0, 1, 2, 77])
def test_4_5_4_frobenius_identity(seed):
    sol = solve("4.5.4", seed=seed)
    W = torch.tensor(variant_params("4.5.4", seed)["W"], dtype=torch.float64)
    assert abs(sol.answer["fro2"] - float(torch.linalg.matrix_norm(W, "fro") ** 2)) < 1e-9
    M = sympy.Matrix(2, 3, sympy.symbols("a0:6"))
    assert sympy.expand((M.T * M).trace() - sum(e**2 for e in M)) == 0  # tr(WᵀW) = Σ w_ij² for any W
    Wg = W.clone().requires_grad_(True)
    (Wg**2).sum().backward()
    assert torch.allclose(Wg.grad, 2 * W)  # ∇‖W‖_F² = 2W: weight decay on a matrix is entry-wise


def test_4_5_6_map_relation_by_a_numeric_map_fit():
    lam = solve("4.5.6").answer["lam"]
    sigma, tau, n = 0.5, 0.2, 30
    g = torch.Generator().manual_seed(0)
    X = torch.randn(n, 5, generator=g, dtype=torch.float64)
    y = X @ torch.tensor([1.0, -0.5, 0.3, 0.0, 0.2], dtype=torch.float64) + sigma * torch.randn(n, generator=g,
                                                                                                  dtype=torch.float64)
    # MAP: minimise Σ r²/(2σ²) + ‖w‖²/(2τ²) in closed form (no bias) against the book's objective with λ(σ, τ, n)
    w_map = torch.linalg.solve(X.T @ X / sigma**2 + torch.eye(5, dtype=torch.float64) / tau**2, X.T @ y / sigma**2)
    lam_value = float(lam.subs(dict(zip(sympy.symbols("sigma tau n"), (sigma, tau, n), strict=True))))
    w = torch.zeros(5, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([w], max_iter=200, tolerance_grad=1e-12, tolerance_change=1e-14)

    def closure():
        opt.zero_grad()
        obj = ((X @ w - y) ** 2).mean() / 2 + lam_value / 2 * (w**2).sum()
        obj.backward()
        return obj

    opt.step(closure)
    assert torch.allclose(w.detach(), w_map, atol=1e-8)


# --- pages -----------------------------------------------------------------------------------------------------------

def test_lambda_sweep_widget_moves():
    at = open_app("pages/exercise.py", id="4.5.1")
    m = metrics(at)
    assert not at.exception and abs(float(m["‖w‖"]) - solve("4.5.1").answer["norm"]) < 1e-3
    at.slider(key="w-4.5.1-loglam").set_value(-1.5).run()
    assert not at.exception and float(metrics(at)["‖w‖"]) > 10  # λ = 0
    at.number_input(key="w-4.5.1-seed").set_value(1).run()
    assert not at.exception and metrics(at)["Test loss"] != m["Test loss"]


def test_validation_widget_moves():
    at = open_app("pages/exercise.py", id="4.5.2")
    assert not at.exception and float(metrics(at)["Share picking the best λ"]) == solve("4.5.2").answer["share"]
    at.slider(key="w-4.5.2-nval").set_value(200)
    at.slider(key="w-4.5.2-reps").set_value(10)
    at.number_input(key="w-4.5.2-seed").set_value(3).run()
    assert not at.exception and "Share picking the best λ" in metrics(at)


def test_l1_widget_moves():
    at = open_app("pages/exercise.py", id="4.5.3")
    assert not at.exception and int(metrics(at)["Weights exactly 0"].split("/")[0]) > 100
    at.radio(key="w-4.5.3-penalty").set_value("l2").run()
    assert not at.exception and metrics(at)["Weights exactly 0"].startswith("0 /")
    at.radio(key="w-4.5.3-penalty").set_value("l1")
    at.slider(key="w-4.5.3-loglam").set_value(0.5).run()
    assert not at.exception and int(metrics(at)["Weights exactly 0"].split("/")[0]) < 5


def test_prior_widget_moves():
    at = open_app("pages/exercise.py", id="4.5.6")
    assert not at.exception and float(metrics(at)["λ"]) == pytest.approx(0.01**2 / (20 * 0.01**2), rel=1e-3)
    assert float(metrics(at)["Largest gap between the curves"]) < 1e-12
    at.selectbox(key="w-4.5.6-prior").set_value("laplace")
    at.slider(key="w-4.5.6-tau").set_value(0.05)
    at.slider(key="w-4.5.6-n").set_value(100).run()
    assert not at.exception and float(metrics(at)["λ"]) == pytest.approx(0.01**2 / (100 * 0.05), rel=1e-3)


def _demo_script(section: str) -> None:
    import streamlit as st  # the app's own fragment wrapper, as ui.chapter.section_demo renders it

    from ui.chapter import section_demo

    st.session_state.setdefault("lang", "en")
    section_demo(section)


@pytest.mark.parametrize("section, move, check_metric", [
    ("4.4", lambda at: at.radio(key="demo-4.4-case").set_value("over"), "Test MSE"),
    ("4.5", lambda at: at.select_slider(key="demo-4.5-lam").set_value(0.0), "‖w‖"),
])
def test_section_demos_run_and_move(section, move, check_metric):
    at = AppTest.from_function(_demo_script, args=(section,), default_timeout=120).run()
    before = metrics(at)[check_metric]
    assert not at.exception and before
    move(at).run()
    assert not at.exception and metrics(at)[check_metric] != before
