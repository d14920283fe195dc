"""Section 2.6: d2lcore.probability against sympy, brute force and simulation; exercises 2.6.1–2.6.4 verified
another way; every wrong answer rejected; the widgets and the Bayes demo moved on the pages."""

import itertools
import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from d2lcore import probability as prob
from exercises import check
from solutions import solve, variant_params
from tests.apptest import metrics, open_app

BOOK = {"prior": 0.0015, "s1": 1.0, "f1": 0.01, "s2": 0.98, "f2": 0.03}
Q = sp.nsimplify  # a decimal as an exact rational: 0.0015 → 3/2000


def exact_posterior(prior, likelihoods):
    """P(H=1 | evidence) in exact rationals, from the joint table over H (sum rule + definition of conditional)."""
    joint = {h: (Q(prior) if h else 1 - Q(prior)) * math.prod(Q(lik[h]) for lik in likelihoods) for h in (0, 1)}
    return joint[1] / (joint[0] + joint[1])


def mc_posterior(prior, tests, N=2_000_000, seed=0, rho=0.0):
    """Share of the infected among the simulated people whose results are all positive, and its standard error."""
    H, D = prob.simulate_population(N, prior, tests, seed=seed, rho=rho)
    positive = D.all(axis=1)
    k, share = int(positive.sum()), float(H[positive].mean())
    return share, math.sqrt(share * (1 - share) / k)


# --- Bayes' theorem and the HIV tests ------------------------------------------------------------------------------

def test_book_numbers_give_the_books_posteriors():
    assert round(prob.posterior(0.0015, 1.0, 0.01), 4) == 0.1306
    assert round(prob.posterior_two_tests(0.0015, 1.0, 0.01, 0.98, 0.03), 4) == 0.8307


@pytest.mark.parametrize("seed", range(6))
def test_posteriors_match_exact_sympy_bayes(seed):
    p = variant_params("2.6.4", seed)
    t1, t2 = {1: p["s1"], 0: p["f1"]}, {1: p["s2"], 0: p["f2"]}
    assert prob.posterior(p["prior"], p["s1"], p["f1"]) == pytest.approx(float(exact_posterior(p["prior"], [t1])))
    assert prob.posterior_two_tests(p["prior"], p["s1"], p["f1"], p["s2"], p["f2"]) == pytest.approx(
        float(exact_posterior(p["prior"], [t1, t2])))
    assert prob.posterior_repeat(p["prior"], p["s1"], p["f1"], 0.0) == pytest.approx(
        float(exact_posterior(p["prior"], [t1, t1])))


@pytest.mark.parametrize("tests", [[(1.0, 0.01)], [(1.0, 0.01), (0.98, 0.03)], [(0.9, 0.05), (0.8, 0.1)]])
def test_posteriors_match_a_simulated_population(tests):
    share, se = mc_posterior(0.0015, tests, seed=len(tests))
    exact = prob.posterior(0.0015, *tests[0]) if len(tests) == 1 else prob.posterior_two_tests(
        0.0015, *tests[0], *tests[1])
    assert abs(share - exact) < 4 * se  # a 4-standard-error band: fails by chance about once in 16,000 runs


@pytest.mark.parametrize("rho", [0.0, 0.3, 1.0])
def test_correlated_repeat_model_matches_its_simulation(rho):
    share, se = mc_posterior(0.01, [(0.95, 0.02), (0.95, 0.02)], seed=7, rho=rho)
    assert abs(share - prob.posterior_repeat(0.01, 0.95, 0.02, rho)) < 4 * se


@pytest.mark.parametrize("rho", [0.0, 0.25, 0.6, 1.0])
def test_rho_is_the_conditional_correlation_of_the_two_runs(rho):
    H, D = prob.simulate_population(400_000, 0.5, [(0.7, 0.2), (0.7, 0.2)], seed=3, rho=rho)
    for h in (0, 1):
        runs = D[np.equal(H, h)].astype(float)
        r = np.corrcoef(runs[:, 0], runs[:, 1])[0, 1] if rho < 1 else 1.0
        assert r == pytest.approx(rho, abs=0.01)
        assert (runs[:, 0] * runs[:, 1]).mean() == pytest.approx(prob.repeat_positive_rate([0.2, 0.7][h], rho),
                                                                abs=0.005)


def test_repeat_limits_independent_and_identical():
    assert prob.posterior_repeat(0.0015, 1.0, 0.01, 1.0) == pytest.approx(prob.posterior(0.0015, 1.0, 0.01))
    assert prob.posterior_repeat(0.0015, 1.0, 0.01, 0.0) == pytest.approx(
        prob.posterior_two_tests(0.0015, 1.0, 0.01, 1.0, 0.01))


def bisect_break_even(p, lo=0.0, hi=1.0):
    """ρ where posterior_repeat(ρ) crosses the two-test posterior, by bisection (posterior_repeat falls with ρ)."""
    target = prob.posterior_two_tests(p["prior"], p["s1"], p["f1"], p["s2"], p["f2"])
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if prob.posterior_repeat(p["prior"], p["s1"], p["f1"], mid) > target else (lo, mid)
    return (lo + hi) / 2


@pytest.mark.parametrize("seed", range(6))
def test_break_even_correlation_by_bisection_and_sympy(seed):
    p = variant_params("2.6.4", seed)
    rho_star = prob.break_even_correlation(p["s1"], p["f1"], p["s2"], p["f2"])
    assert rho_star == pytest.approx(bisect_break_even(p), abs=1e-9)
    rho = sp.Symbol("rho", positive=True)
    s1, f1, s2, f2 = (Q(p[k]) for k in ("s1", "f1", "s2", "f2"))
    lr_repeat = (s1 * (rho + (1 - rho) * s1)) / (f1 * (rho + (1 - rho) * f1))
    (sol,) = sp.solve(sp.Eq(lr_repeat, s1 * s2 / (f1 * f2)), rho)
    assert float(sol) == pytest.approx(rho_star)
    for other_prior in (0.0001, 0.05, 0.4):  # the crossing does not depend on the prior
        assert bisect_break_even({**p, "prior": other_prior}) == pytest.approx(rho_star, abs=1e-9)


# --- dice ----------------------------------------------------------------------------------------------------------

def test_running_estimates_are_seeded_distributions():
    a, b = prob.roll_dice(50, 7, seed=4), prob.roll_dice(50, 7, seed=4)
    assert a.shape == (50, 6) and np.array_equal(a, b) and np.allclose(a.sum(axis=1), 1)
    counts = a * 7 * np.arange(1, 51)[:, None]  # every estimate is a count / rolls so far
    assert np.allclose(counts, counts.round()) and np.all(np.diff(counts.round(), axis=0) >= 0)


@pytest.mark.parametrize("m, n, seed", [(500, 10, 0), (5000, 10, 1), (500, 100, 2), (30, 3, 3)])
def test_final_estimates_lie_in_the_binomial_band(m, n, seed):
    final = prob.roll_dice(m, n, seed)[-1]
    assert np.all(np.abs(final - 1 / 6) < 4.5 * prob.standard_error(1 / 6, m * n))


@pytest.mark.parametrize("m, n", [(5000, 10), (500, 100), (50, 1000)])
def test_spread_depends_on_total_rolls_only(m, n):
    finals = np.array([prob.roll_dice(m, n, seed=s)[-1] for s in range(300)])  # (300, 6)
    sd = finals.std(axis=0)
    # the sample sd of 300 draws is within about ±12% of the true sd with overwhelming probability (χ² bounds)
    assert np.all(np.abs(sd / prob.standard_error(1 / 6, 50_000) - 1) < 0.12)


def test_rolls_needed_is_the_smallest_n():
    N = prob.rolls_needed(1 / 6, 0.01)
    assert 2 * prob.standard_error(1 / 6, N) <= 0.01 < 2 * prob.standard_error(1 / 6, N - 1)


# --- union and intersection bounds ---------------------------------------------------------------------------------

K = 20  # grid step 1/K


def brute_force_ranges():
    """Every distribution on the 4 Venn atoms with probabilities in multiples of 1/K, grouped by (P(A), P(B)):
    the smallest and largest P(A ∪ B) and P(A ∩ B) that any of them attains. In units of 1/K."""
    ranges = {}
    for a_only, b_only, both in itertools.product(range(K + 1), repeat=3):
        if a_only + b_only + both > K:
            continue
        key = (a_only + both, b_only + both)
        union, inter = a_only + b_only + both, both
        lo_u, hi_u, lo_i, hi_i = ranges.get(key, (K, 0, K, 0))
        ranges[key] = (min(lo_u, union), max(hi_u, union), min(lo_i, inter), max(hi_i, inter))
    return ranges


def test_bounds_are_exactly_the_attainable_range():
    ranges = brute_force_ranges()
    assert len(ranges) == (K + 1) ** 2  # every pair (P(A), P(B)) on the grid is feasible
    for (a, b), (lo_u, hi_u, lo_i, hi_i) in ranges.items():
        assert prob.union_bounds(a / K, b / K) == pytest.approx((lo_u / K, hi_u / K))
        assert prob.intersection_bounds(a / K, b / K) == pytest.approx((lo_i / K, hi_i / K))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4).filter(lambda w: sum(w) > 1e-6))
def test_every_joint_distribution_respects_the_bounds(weights):
    a_only, b_only, both, _ = np.array(weights) / sum(weights)
    pA, pB = a_only + both, b_only + both
    u_lo, u_hi = prob.union_bounds(pA, pB)
    i_lo, i_hi = prob.intersection_bounds(pA, pB)
    assert u_lo - 1e-12 <= a_only + b_only + both <= u_hi + 1e-12 and i_lo - 1e-12 <= both <= i_hi + 1e-12
    assert all(v >= -1e-12 for v in prob.venn_atoms(pA, pB, both).values())


def test_symbolic_bounds_from_atoms_match_the_numeric_ones():
    pA, pB = sp.symbols("pA pB")
    exprs = [*prob.union_range_from_atoms(pA, pB), *prob.overlap_range_from_atoms(pA, pB)]
    f = sp.lambdify((pA, pB), exprs)
    for a, b in itertools.product(np.linspace(0, 1, 11), repeat=2):
        assert f(a, b) == pytest.approx([*prob.union_bounds(a, b), *prob.intersection_bounds(a, b)])


# --- the Markov chain ----------------------------------------------------------------------------------------------

CHAINS = [(0.3, 0.2, 0.7, 0.1, 0.6), (0.9, 0.05, 0.5, 0.8, 0.15), (0.5, 0.5, 0.5, 0.5, 0.5)]


@pytest.mark.parametrize("params", CHAINS)
def test_chain_joint_is_the_product_and_a_distribution(params):
    tables = prob.binary_chain_tables(*params)
    joint = prob.markov_chain_joint(*tables)
    pA, pB_A, pC_B = tables
    for a, b, c in itertools.product(range(2), repeat=3):
        assert joint[a, b, c] == pytest.approx(pA[a] * pB_A[a, b] * pC_B[b, c])
    assert joint.sum() == pytest.approx(1) and joint[:, :, 1].sum() == pytest.approx(prob.chain_marginal_C(*params))
    # C ⊥ A | B: P(C=1 | A=a, B=b) read off the joint equals P(C=1 | B=b) for both a
    cond = joint[:, :, 1] / joint.sum(axis=2)
    assert np.allclose(cond, pC_B[None, :, 1])


@pytest.mark.parametrize("params", CHAINS)
def test_ancestral_samples_match_the_factorised_table(params):
    N = 200_000
    tables = prob.binary_chain_tables(*params)
    s = prob.sample_chain(tables, N, seed=11)
    freq = np.zeros((2, 2, 2))
    np.add.at(freq, (s[:, 0], s[:, 1], s[:, 2]), 1.0 / N)
    joint = prob.markov_chain_joint(*tables)
    assert np.all(np.abs(freq - joint) <= 4.5 * np.sqrt(joint * (1 - joint) / N) + 1e-12)


def test_parameter_count_by_counting_free_table_entries():
    for k in [(2, 2, 2), (3, 2, 4), (5, 5, 5)]:
        tables = [np.ones(k[0]), np.ones((k[0], k[1])), np.ones((k[1], k[2]))]
        free = sum(t.size - (t.shape[0] if t.ndim == 2 else 1) for t in tables)  # each row sums to 1
        assert prob.chain_parameter_count(*k) == free <= math.prod(k) - 1


# --- the exercises, verified another way ---------------------------------------------------------------------------

def test_2_6_1_reference():
    ans = solve("2.6.1").answer
    f = sp.lambdify(sp.symbols("p N"), ans["se"])
    for p, N in [(1 / 6, 100), (0.5, 2500), (0.05, 40)]:  # the formula against the spread of simulated estimates
        rng = np.random.default_rng(int(N))
        estimates = rng.binomial(N, p, size=20_000) / N
        assert f(p, N) == pytest.approx(estimates.std(), rel=0.03)
    assert ans["compare"] == "same"
    assert ans["nNeeded"] == min(N for N in range(1, 20_000) if 2 * math.sqrt(5 / 36 / N) <= 0.01)
    assert check("2.6.1", ans).correct


@pytest.mark.parametrize("typed", [{"se": "sqrt(p*(1-p)/N)", "compare": "same", "nNeeded": "5556"},
                                   {"se": "sqrt(p - p^2)/sqrt(N)", "compare": "same", "nNeeded": "5555.6"}])
def test_2_6_1_accepts_typed_answers(typed):
    assert check("2.6.1", typed).correct


def test_2_6_2_reference_is_the_brute_force_range():
    ans = solve("2.6.2").answer
    f = {k: sp.lambdify(sp.symbols("pA pB"), v) for k, v in ans.items()}
    for (a, b), (lo_u, hi_u, lo_i, hi_i) in brute_force_ranges().items():
        got = [f[k](a / K, b / K) for k in ("unionLow", "unionHigh", "interLow", "interHigh")]
        assert got == pytest.approx([lo_u / K, hi_u / K, lo_i / K, hi_i / K])
    assert check("2.6.2", ans).correct
    typed = {"unionLow": "max(pA, pB)", "unionHigh": "min(1, pA + pB)", "interLow": "max(0, pA + pB - 1)",
             "interHigh": "min(pA, pB)"}
    assert check("2.6.2", typed).correct


@pytest.mark.parametrize("seed", range(5))
def test_2_6_3_reference(seed):
    p = variant_params("2.6.3", seed)
    ans = solve("2.6.3", seed).answer
    N = 400_000
    s = prob.sample_chain(prob.binary_chain_tables(p["a"], p["b0"], p["b1"], p["c0"], p["c1"]), N, seed=seed)
    target = float(np.mean((s[:, 0] == 1) & (s[:, 1] == 1) & (s[:, 2] == 0)))
    assert abs(ans["joint"] - target) < 4.5 * math.sqrt(target * (1 - target) / N) + 1e-9
    assert ans["joint"] == pytest.approx(p["a"] * p["b1"] * (1 - p["c1"]))
    # P(C=1) by brute-force enumeration of all 8 paths, at random points
    f = sp.lambdify(sp.symbols("a b0 b1 c0 c1"), ans["pC"])
    rng = np.random.default_rng(seed)
    for a, b0, b1, c0, c1 in rng.uniform(0, 1, (20, 5)):
        paths = sum((a if x else 1 - a) * ((b1 if x else b0) if y else 1 - (b1 if x else b0)) * (c1 if y else c0)
                    for x in (0, 1) for y in (0, 1))
        assert f(a, b0, b1, c0, c1) == pytest.approx(paths)
    assert ans["nparams"] == 5 and ans["factor"] == "chain"
    assert check("2.6.3", ans, seed=seed).correct


@pytest.mark.parametrize("seed", range(6))
def test_2_6_4_reference(seed):
    p = variant_params("2.6.4", seed)
    ans = solve("2.6.4", seed).answer
    t1, t2 = {1: p["s1"], 0: p["f1"]}, {1: p["s2"], 0: p["f2"]}
    assert ans["post1"] == pytest.approx(float(exact_posterior(p["prior"], [t1])))
    assert ans["post12"] == pytest.approx(float(exact_posterior(p["prior"], [t1, t2])))
    assert ans["post11"] == pytest.approx(float(exact_posterior(p["prior"], [t1, t1])))
    assert ans["rhoStar"] == pytest.approx(bisect_break_even(p), abs=1e-9)
    assert 0 < ans["rhoStar"] < 1 and ans["why"] == "correlated"  # test 1 stays the more accurate one
    assert check("2.6.4", ans, seed=seed).correct


def test_2_6_4_book_variant_matches_a_simulated_population():
    ans = solve("2.6.4").answer
    share, se = mc_posterior(BOOK["prior"], [(BOOK["s1"], BOOK["f1"]), (BOOK["s2"], BOOK["f2"])], seed=21)
    assert abs(share - ans["post12"]) < 4 * se
    assert check("2.6.4", {"post1": "0.1306", "post12": "83.07%", "post11": "0.9376", "rhoStar": "0.0208",
                           "why": "correlated"}).correct


# --- pages ---------------------------------------------------------------------------------------------------------

def test_dice_widget_moves():
    at = open_app("pages/exercise.py", id="2.6.1")
    before = metrics(at)
    assert not at.exception and before["Total rolls N = m·n"] == "5,000"
    at.slider(key="w-2.6.1-m").set_value(5000).run()
    assert not at.exception and metrics(at)["Total rolls N = m·n"] == "50,000"
    at.slider(key="w-2.6.1-n").set_value(100).run()
    after = metrics(at)
    assert not at.exception and after["Total rolls N = m·n"] == "500,000"
    assert float(after["Standard error sqrt(p(1−p)/N)"]) < float(before["Standard error sqrt(p(1−p)/N)"])
    dev = metrics(at)["Largest final deviation from 1/6"]
    at.number_input(key="w-2.6.1-seed").set_value(7).run()
    assert not at.exception and metrics(at)["Largest final deviation from 1/6"] != dev


def test_venn_widget_moves():
    at = open_app("pages/exercise.py", id="2.6.2", lang="zh")
    assert not at.exception
    at.slider(key="w-2.6.2-pos").set_value(0.0).run()  # apart: P(A) + P(B) − 1 = 0.2 overlap, union 1
    assert not at.exception and metrics(at)["都不属于"] == "0.00" and metrics(at)["同时属于 A 和 B"] == "0.20"
    at.slider(key="w-2.6.2-pos").set_value(1.0).run()  # nested: B inside A
    assert metrics(at)["只属于 B"] == "0.00" and metrics(at)["同时属于 A 和 B"] == "0.50"
    at.slider(key="w-2.6.2-pA").set_value(0.2).run()
    at.slider(key="w-2.6.2-pB").set_value(0.3).run()
    assert not at.exception and metrics(at)["只属于 A"] == "0.00" and metrics(at)["同时属于 A 和 B"] == "0.20"


def test_markov_chain_widget_moves():
    at = open_app("pages/exercise.py", id="2.6.3")
    assert not at.exception and metrics(at)["P(A=1, B=1, C=0)"] == "0.0840"
    for name, value in [("a", 0.5), ("b0", 0.4), ("b1", 0.9), ("c0", 0.3), ("c1", 0.2)]:
        at.slider(key=f"w-2.6.3-{name}").set_value(value)
    at.select_slider(key="w-2.6.3-N").set_value(100_000)
    at.number_input(key="w-2.6.3-seed").set_value(3)
    at.run()
    m = metrics(at)
    assert not at.exception and m["P(A=1, B=1, C=0)"] == f"{0.5 * 0.9 * 0.8:.4f}"
    assert m["P(C=1)"] == f"{prob.chain_marginal_C(0.5, 0.4, 0.9, 0.3, 0.2):.4f}"


def test_hiv_widget_moves():
    at = open_app("pages/exercise.py", id="2.6.4")
    m = metrics(at)
    assert not at.exception and m["After a positive test 1"] == "0.1306"
    assert m["After positive tests 1 and 2"] == "0.8307"
    at.slider(key="w-2.6.4-rho").set_value(1.0).run()
    assert metrics(at)["After test 1 twice (ρ = 1.00)"] == "0.1306"  # a perfectly correlated repeat adds nothing
    at.slider(key="w-2.6.4-rho").set_value(0.0).run()
    assert metrics(at)["After test 1 twice (ρ = 0.00)"] == "0.9376"
    at.number_input(key="w-2.6.4-prior").set_value(0.01)
    for name, value in [("s1", 0.99), ("f1", 0.02), ("s2", 0.9), ("f2", 0.05)]:
        at.slider(key=f"w-2.6.4-{name}").set_value(value)
    at.run()
    m = metrics(at)
    assert not at.exception and m["After a positive test 1"] == f"{prob.posterior(0.01, 0.99, 0.02):.4f}"
    assert m["After positive tests 1 and 2"] == f"{prob.posterior_two_tests(0.01, 0.99, 0.02, 0.9, 0.05):.4f}"


def test_bayes_demo_on_the_chapter_page():
    at = open_app("pages/ch02.py", lang="en")
    assert not at.exception and metrics(at)["After a positive test 1"] == "0.1306"
    at.slider(key="demo-2.6-s2").set_value(0.5)
    at.slider(key="demo-2.6-f2").set_value(0.3)  # a weak test 2: likelihood ratio 5/3
    at.slider(key="demo-2.6-rho").set_value(0.9)
    at.run()
    assert not at.exception
    assert metrics(at)["After positive tests 1 and 2"] == f"{prob.posterior_two_tests(0.0015, 1, 0.01, 0.5, 0.3):.4f}"
    # even a weak test 2 beats a repeat of test 1 whose errors recur 90% of the time (ρ* ≈ 0.596 < 0.9)
    assert "ρ* = 0.5960" in " ".join(c.value for c in at.caption)
    assert "**test 1, then test 2**" in " ".join(c.value for c in at.caption)
