"""Section 11.1: relabellings checked against d! and 2^d·d!, critical points against the Hessian, eigenvalue sign
statistics by simulation with bands (and the exact GOE value against Monte Carlo), the saddle escape against its
closed form; the widgets moved."""

import math

import numpy as np
import pytest
import sympy as sp
import torch
from streamlit.testing.v1 import AppTest

from d2lcore import convexity as cx
from d2lcore.optim.gd import gd, sgd
from d2lcore.optim.objectives import quadratic, saddle
from d2lcore.optim.trajectory import stochastic_trajectory, trajectory
from exercises import check
from solutions import solve, variant_params
from solutions.ch11_s1 import descent_path, eigen_sample, first_below, posdef_by_size
from tests.apptest import metrics, open_app

SEEDS = [0, 1, 2, 77]


@pytest.mark.parametrize("seed", SEEDS)
def test_11_1_1_counts_are_factorials(seed):
    d = variant_params("11.1.1", seed)["d"]
    ans = solve("11.1.1", seed).answer
    assert ans["count"] == math.factorial(d) and ans["countSigns"] == 2**d * math.factorial(d)


def test_permuting_rows_of_w1_alone_changes_the_function():
    g = torch.Generator().manual_seed(3)
    W1, b1, w2 = (torch.randn(s, generator=g, dtype=torch.float64) for s in ((4, 2), (4,), (4,)))
    X = torch.randn(20, 2, generator=g, dtype=torch.float64)
    perm = [1, 0, 3, 2]
    P1, p1, p2 = cx.permute_hidden_units(W1, b1, w2, perm)
    assert torch.allclose(cx.mlp_forward(X, P1, p1, p2, 0.1), cx.mlp_forward(X, W1, b1, w2, 0.1), atol=1e-12)
    assert not torch.allclose(cx.mlp_forward(X, P1, b1, w2, 0.1), cx.mlp_forward(X, W1, b1, w2, 0.1), atol=1e-3)


@pytest.mark.parametrize("f, expected", [("x**3", ["saddle"]), ("x**4 - 2*x**2", ["minimum", "maximum", "minimum"]),
                                         ("-x**4", ["maximum"]), ("x**5", ["saddle"])])
def test_critical_points_by_first_nonvanishing_derivative(f, expected):
    x = sp.Symbol("x")
    assert [kind for _, kind in cx.classify_critical_points(sp.sympify(f), x)] == expected


def test_saddle_hessian_has_mixed_signs_and_matches_autograd():
    x, y = sp.symbols("x y")
    lam = cx.hessian_eigenvalues(x**2 - y**2, [x, y], [0.0, 0.0])
    H = torch.autograd.functional.hessian(lambda z: saddle().f(z), torch.zeros(2, dtype=torch.float64))
    assert lam == [-2.0, 2.0] and torch.linalg.eigvalsh(H).tolist() == lam


def test_xcos_pi_has_a_worse_local_minimum_left_of_the_global_one():
    x = sp.Symbol("x")
    f = x * sp.cos(sp.pi * x)
    left = sp.nsolve(sp.diff(f, x), x, -0.3)
    right = sp.nsolve(sp.diff(f, x), x, 1.1)
    assert sp.diff(f, x, 2).subs(x, left) > 0 and sp.diff(f, x, 2).subs(x, right) > 0
    assert f.subs(x, left) > f.subs(x, right)


@pytest.mark.parametrize("entries", cx.ENTRY_KINDS)
def test_eigenvalue_signs_are_symmetric(entries):
    g = torch.Generator().manual_seed(1)
    frac = cx.eigenvalue_sign_fractions(cx.random_symmetric(6, 3000, entries, g))
    assert abs(frac["pos"] - frac["neg"]) < 0.02  # ±4 standard errors of 18 000 eigenvalues
    M = cx.random_symmetric(5, 4, entries, g)
    assert torch.equal(M, M.transpose(-1, -2))


def test_goe2_probability_matches_monte_carlo():
    exact = cx.goe2_positive_definite_probability()
    assert sp.simplify(exact - (2 - sp.sqrt(2)) / 4) == 0
    rng = np.random.default_rng(0)
    A = rng.standard_normal((200_000, 2, 2))
    lam = np.linalg.eigvalsh((A + A.transpose(0, 2, 1)) / 2)
    assert abs((lam[:, 0] > 0).mean() - float(exact)) < 0.004  # ≈ 5 standard errors


def test_positive_definite_fraction_falls_faster_than_coin_flips():
    g = torch.Generator().manual_seed(0)
    pd_frac = [cx.eigenvalue_sign_fractions(cx.random_symmetric(n, 20_000, "goe", g))["posdef"] for n in (2, 3, 4)]
    assert all(p < 2.0**-n for p, n in zip(pd_frac, (2, 3, 4), strict=True)) and pd_frac[0] > pd_frac[1] > pd_frac[2]


@pytest.mark.parametrize("seed", SEEDS)
def test_11_1_2a_reference_in_band(seed):
    ans = solve("11.1.2a", seed).answer
    assert abs(ans["ppos"] - 0.5) < 0.01 and ans["reason"] == "flip"


@pytest.mark.parametrize("seed", SEEDS)
def test_11_1_2b_exact_fraction_matches_sampling(seed):
    values = variant_params("11.1.2b", seed)["values"]
    ans = solve("11.1.2b", seed).answer
    rng = np.random.default_rng(seed)
    a, b, c = rng.choice(values, (3, 100_000))
    lam = np.linalg.eigvalsh(np.stack([np.stack([a, b], -1), np.stack([b, c], -1)], -2).astype(float))
    assert abs((np.abs(lam) < 1e-9).mean() - ans["pzero"]) < 0.006
    assert abs((lam > 1e-9).mean() - ans["ppos"]) < 0.006 and ans["ppos"] == pytest.approx((1 - ans["pzero"]) / 2)


@pytest.mark.parametrize("kappa, frac", [(10.0, 0.5), (100.0, 0.5), (1.0, 0.05), (50.0, 1.05), (20.0, 0.95)])
def test_descent_path_by_doubling_equals_stepping_gd(kappa, frac):
    """The widget's and the solution's closed route x_t = (I − ηA)ᵗ x_0 against `trajectory` stepping `gd`: relative
    gap < 1e-9 at every step (the last case diverges: they must agree on the growth too), same step count."""
    obj = quadratic(kappa, angle=30.0)
    slow = trajectory(gd, obj.grad, torch.tensor([2.0, 1.0], dtype=torch.float64), 3000, lr=frac * 2 / kappa)
    fast = descent_path(kappa, frac, 3000)
    scale = slow.norm(dim=-1, keepdim=True) + 1e-300
    assert fast.shape == slow.shape and float(((fast - slow).abs() / scale).max()) < 1e-9
    assert first_below(obj.f(fast)) == first_below(obj.f(slow))


@pytest.mark.parametrize("entries", cx.ENTRY_KINDS)
def test_eigen_sample_fractions_equal_those_of_the_matrices(entries):
    """Sign fractions read off diag(λ) equal cx.eigenvalue_sign_fractions of the sampled matrices themselves (the
    discrete kinds have exact zero eigenvalues: the tolerance must classify them the same way)."""
    lam, fractions = eigen_sample(5, 3000, entries, seed=4)
    M = cx.random_symmetric(5, 3000, entries, torch.Generator().manual_seed(4))
    assert torch.equal(lam, torch.linalg.eigvalsh(M)) and fractions == cx.eigenvalue_sign_fractions(M)


@pytest.mark.parametrize("entries", cx.ENTRY_KINDS)
def test_posdef_by_size_from_nested_blocks_matches_independent_sampling(entries):
    """Leading k × k blocks of 8 × 8 matrices against fresh k × k matrices: within 5 standard errors per size."""
    nested = posdef_by_size(entries, 8, 4000, seed=2)
    g = torch.Generator().manual_seed(3)
    for k, p in nested.items():
        fresh = cx.eigenvalue_sign_fractions(cx.random_symmetric(k, 4000, entries, g))["posdef"]
        assert abs(p - fresh) <= 5 * math.sqrt(max(p * (1 - p), 1e-3) * 2 / 4000)


def test_posdef_by_size_for_goe_2x2_is_the_exact_value():
    assert abs(posdef_by_size("goe", 2, 20_000)[2] - (2 - math.sqrt(2)) / 4) < 0.013  # 5 standard errors


@pytest.mark.parametrize("seed", SEEDS)
def test_11_1_4a_escape_matches_closed_form(seed):
    p = variant_params("11.1.4a", seed)
    ans = solve("11.1.4a", seed).answer
    assert ans["growth"] == pytest.approx(1 + 2 * p["lr"])
    assert ans["steps"] == math.ceil(math.log(1 / p["y0"]) / math.log(1 + 2 * p["lr"]))


def test_11_1_4b_plain_gd_converges_to_saddle_and_noise_escapes():
    path = trajectory(gd, saddle().grad, torch.tensor([1.0, 0.0], dtype=torch.float64), 200, lr=0.1)
    assert float(path[-1, 0]) == pytest.approx(0.8**200, abs=1e-15) and float(path[:, 1].abs().max()) == 0
    ans = solve("11.1.4b").answer
    g = torch.Generator().manual_seed(5)
    noisy = stochastic_trajectory(sgd, saddle().grad, torch.tensor([[1.0, 0.0]] * 100, dtype=torch.float64), 200,
                                  0.01, g, lr=0.1)
    escaped = float((cx.first_escape(noisy) >= 0).double().mean())
    assert ans["plain"] == "stuck" and ans["fraction"] > 0.95 and escaped > 0.95


def test_11_1_typed_answers():
    assert check("11.1.1", {"count": "4!", "countSigns": "384"}).score >= 0.5
    assert check("11.1.1", {"count": "24", "countSigns": "2^4*24"}).correct
    assert check("11.1.2a", {"ppos": "0.5", "ppd": "(2-sqrt(2))/4", "reason": "flip"}).score >= 2 / 3
    assert check("11.1.2b", {"pzero": "5/27", "ppos": "11/27", "reason": "atom"}).correct
    assert check("11.1.4a", {"growth": "1.2", "steps": "76"}).correct


# --- pages ---------------------------------------------------------------------------------------------------------


def test_hidden_permutation_widget_moves():
    at = open_app("pages/exercise.py", id="11.1.1")
    assert not at.exception and metrics(at)["d!"] == "24"
    at.slider(key="w-11.1.1-d").set_value(5)
    at.slider(key="w-11.1.1-perm").set_value(7).run()
    assert not at.exception and metrics(at)["d!"] == "120" and float(metrics(at)["Largest output difference"]) < 1e-12


def test_eigen_histogram_widget_moves():
    at = open_app("pages/exercise.py", id="11.1.2b")
    assert float(metrics(at)["P(λ = 0)"]) == 0
    at.selectbox(key="w-11.1.2b-entries").set_value("ternary")
    at.slider(key="w-11.1.2b-n").set_value(2).run()
    assert not at.exception and float(metrics(at)["P(λ = 0)"]) > 0.1


def test_ill_conditioning_widget_moves():
    at = open_app("pages/exercise.py", id="11.1.3")
    before = int(metrics(at)["Steps until f < 10⁻⁶"])
    at.select_slider(key="w-11.1.3-kappa").set_value(50).run()
    assert not at.exception and int(metrics(at)["Steps until f < 10⁻⁶"]) > 3 * before
    at.slider(key="w-11.1.3-frac").set_value(1.05).run()
    assert metrics(at)["Steps until f < 10⁻⁶"] == "not within 3000"


def test_saddle_widget_moves():
    at = open_app("pages/exercise.py", id="11.1.4a")
    assert metrics(at)["Chains with |y| > 1"] == "8/8"
    at.toggle(key="w-11.1.4a-exact").set_value(True).run()
    assert metrics(at)["Chains with |y| > 1"] == "0/8"
    at.select_slider(key="w-11.1.4a-noise").set_value(0.01)
    at.slider(key="w-11.1.4a-lr").set_value(0.2)
    at.slider(key="w-11.1.4a-expo").set_value(-3).run()
    assert not at.exception and metrics(at)["Chains with |y| > 1"] == "8/8"


def _demo_app():
    from ui.widgets.sec11_1 import section_demo

    section_demo("demo-11.1")


def test_section_demo_moves():
    at = AppTest.from_function(_demo_app, default_timeout=60).run()
    at.slider(key="demo-11.1-x0").set_value(-0.8).run()
    assert -0.5 < float(metrics(at)["x after 60 steps"]) < 0
    at.radio(key="demo-11.1-fn").set_value("cube")
    at.slider(key="demo-11.1-x0").set_value(1.0)
    at.slider(key="demo-11.1-lr").set_value(0.1).run()
    assert not at.exception and 0 < float(metrics(at)["x after 60 steps"]) < 0.2


def test_section_demo_on_the_chapter_page():
    at = open_app("pages/ch11.py")
    assert "x after 60 steps" in metrics(at)
    assert not [e for e in at.exception if "sec11_1" in " ".join(e.stack_trace) + e.message]
