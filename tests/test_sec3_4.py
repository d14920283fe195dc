"""Section 3.4: exercises 3.4.1a–3.4.3e verified another way (autograd, torch Hessians, simulation, brute force,
bisection), typed answers accepted, every wrong answer rejected, and every widget of the section moved."""

import itertools
import math

import numpy as np
import pytest
import sympy as sp
import torch
import torch.nn.functional as F

from d2lcore import softmax as sm
from exercises import check
from solutions import solve, variant_params
from tests.apptest import metrics, open_app

SEEDS = [0, 1, 2, 77]
a, b, lam, n = sp.symbols("a b lam n")


def torch_hessian(o: list[float], label: int) -> torch.Tensor:
    """The Hessian of F.cross_entropy with respect to the logits, by double backward (no formula involved)."""
    return torch.autograd.functional.hessian(
        lambda x: F.cross_entropy(x[None], torch.tensor([label])), torch.tensor(o, dtype=torch.float64))


def logits_of(p: dict) -> list[float]:
    return [p["o1"], p["o2"], p["o3"]]


def bisect(f, lo: float, hi: float) -> float:
    """The root of an increasing f on [lo, hi] by bisection."""
    for _ in range(80):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if f(mid) < 0 else (lo, mid)
    return (lo + hi) / 2


# --- 3.4.1: Hessian and covariance ----------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_3_4_1a_reference_against_torch_hessians(seed):
    p = variant_params("3.4.1a", seed)
    ans = solve("3.4.1a", seed).answer
    H = torch_hessian(logits_of(p), p["label"] - 1)
    assert np.allclose(ans["H"], H.numpy(), atol=1e-12)
    f11, f12 = (sp.lambdify(sp.symbols("o1 o2 o3"), ans[k]) for k in ("h11", "h12"))
    for o in [logits_of(p), *np.random.default_rng(seed).normal(0, 2, (5, 3)).tolist()]:
        Ho = torch_hessian(o, 0)
        assert f11(*o) == pytest.approx(float(Ho[0, 0]), rel=1e-9) and f12(*o) == pytest.approx(float(Ho[0, 1]),
                                                                                                 rel=1e-9)
    same = all(torch.allclose(torch_hessian(logits_of(p), y), H) for y in range(3))
    assert ans["dependsOnLabel"] == ("no" if same else "yes") == "no"
    assert check("3.4.1a", ans, seed=seed).correct


def test_3_4_1a_accepts_typed_answers():
    typed = {"h11": "exp(o1)*(exp(o2)+exp(o3))/(exp(o1)+exp(o2)+exp(o3))^2",
             "h12": "-exp(o1)*exp(o2)/(exp(o1)+exp(o2)+exp(o3))^2",
             "H": "0.225 -0.160 -0.065; -0.160 0.184 -0.024; -0.065 -0.024 0.089", "dependsOnLabel": "no"}
    assert check("3.4.1a", typed).correct


@pytest.mark.parametrize("seed", SEEDS)
def test_3_4_1b_reference_against_sampling_and_the_hessian(seed):
    p = variant_params("3.4.1b", seed)
    ans = solve("3.4.1b", seed).answer
    probs = torch.softmax(torch.tensor(logits_of(p), dtype=torch.float64), 0)
    N = 200_000
    Y = torch.multinomial(probs, N, replacement=True, generator=torch.Generator().manual_seed(seed))
    E = F.one_hot(Y, 3).double()
    S = torch.cov(E.T)  # the sample covariance, computed by torch
    # each entry averages N products bounded by 1, so its standard error is below 1/sqrt(N): 5 of them is a wide band
    assert np.abs(np.array(ans["C"]) - S.numpy()).max() < 5 / math.sqrt(N)
    assert np.allclose(ans["C"], torch_hessian(logits_of(p), 0).numpy(), atol=1e-12)  # the Hessian of 3.4.1a
    v11, c12 = (sp.lambdify(sp.symbols("p1 p2"), ans[k]) for k in ("v11", "c12"))
    p1, p2 = float(probs[0]), float(probs[1])
    assert v11(p1, p2) == pytest.approx(ans["C"][0][0]) and c12(p1, p2) == pytest.approx(ans["C"][0][1])
    assert ans["matches"] == "same" and check("3.4.1b", ans, seed=seed).correct


def test_3_4_1b_sympy_hessian_in_p_form_equals_the_covariance():
    o = sp.symbols("o1 o2 o3")
    H = sm.cross_entropy_hessian_sym(3, y=2)
    ans = solve("3.4.1b").answer
    p1, p2 = sp.symbols("p1 p2")
    q = sm.softmax_sym(list(o))
    assert sp.simplify(H[0, 0] - ans["v11"].subs({p1: q[0], p2: q[1]})) == 0
    assert sp.simplify(H[0, 1] - ans["c12"].subs({p1: q[0], p2: q[1]})) == 0
    assert check("3.4.1b", {"v11": "p1*(1-p1)", "c12": "-p1*p2", "matches": "same",
                            "C": "0.2247 -0.1598 -0.0650; -0.1598 0.1837 -0.0239; -0.0650 -0.0239 0.0889"}).correct


# --- 3.4.2: codes ---------------------------------------------------------------------------------------------------

def best_prefix_code_by_kraft(p: list[float], max_len: int = 6) -> float:
    """Smallest Σ p_j l_j over all integer lengths satisfying Kraft's inequality Σ 2^{−l_j} ≤ 1 (a prefix code exists
    with exactly these lengths), by enumeration."""
    return min(sum(pj * lj for pj, lj in zip(p, ls, strict=True))
               for ls in itertools.product(range(1, max_len + 1), repeat=len(p)) if sum(2.0**-lj for lj in ls) <= 1)


@pytest.mark.parametrize("seed", SEEDS)
def test_3_4_2a_reference_by_torch_and_enumeration(seed):
    m = variant_params("3.4.2a", seed)["m"]
    ans = solve("3.4.2a", seed).answer
    nats = float(torch.distributions.Categorical(probs=torch.full((m,), 1 / m)).entropy())
    assert ans["nats"] == pytest.approx(nats, rel=1e-6) and ans["entropy"] == pytest.approx(nats / math.log(2), 1e-6)
    assert ans["fixed"] == min(bits for bits in range(10) if 2**bits >= m)
    assert ans["waste"] == pytest.approx(ans["fixed"] - ans["entropy"])
    if m <= 7:
        assert ans["huffman"] == pytest.approx(best_prefix_code_by_kraft([1 / m] * m))
    assert ans["entropy"] < ans["huffman"] < ans["fixed"]
    assert check("3.4.2a", ans, seed=seed).correct


def test_3_4_2a_accepts_typed_answers():
    assert check("3.4.2a", {"entropy": "1.585", "nats": "1.0986", "fixed": "2", "waste": "0.415",
                            "huffman": "5/3"}).correct


@pytest.mark.parametrize("seed", SEEDS)
def test_3_4_2b_reference_by_brute_force(seed):
    p = variant_params("3.4.2b", seed)
    m, kmax = p["m"], p["kmax"]
    ans = solve("3.4.2b", seed).answer

    def bits(k):  # count up until every block gets a codeword
        return next(c for c in itertools.count() if 2**c >= m**k)

    assert ans["bits2"] == bits(2) / 2 and ans["perSymbol5"] == bits(5) / 5
    per_symbol = {k: bits(k) / k for k in range(1, kmax + 1)}
    assert ans["bestK"] == min(k for k, v in per_symbol.items() if v == min(per_symbol.values()))
    pair_lengths = sm.huffman_code_lengths([1 / m**2] * m**2)  # a real Huffman run over the pairs
    assert ans["huffman2"] == pytest.approx(sum(pair_lengths) / m**2 / 2)
    assert abs(bits(1000) / 1000 - ans["limit"]) < 1e-3  # far out the per-symbol cost sits on the entropy
    assert check("3.4.2b", ans, seed=seed).correct


def test_3_4_2b_book_numbers():
    assert check("3.4.2b", {"bits2": "2", "huffman2": "29/18", "perSymbol5": "8/5", "bestK": "17",
                            "limit": "1.585"}).correct
    assert 3**5 <= 2**8 and 3**17 <= 2**27 < 3**17 * 2


def test_equiprobable_closed_form_matches_huffman():
    for N in range(1, 80):
        lengths = sm.huffman_code_lengths([1 / N] * N) if N > 1 else [0]
        assert float(sm.equiprobable_prefix_code_bits(N)) == pytest.approx(sum(lengths) / N)


# --- 3.4.3: RealSoftMax and soft-min --------------------------------------------------------------------------------

PAIRS = np.random.default_rng(3).uniform(-4, 4, (40, 2))


def test_3_4_3a_gap_numerically_and_symbolically():
    ans = solve("3.4.3a").answer
    f = sp.lambdify((a, b), ans["gap"])
    for va, vb in PAIRS:
        ours = float(torch.logsumexp(torch.tensor([va, vb]), 0)) - max(va, vb)
        assert f(va, vb) == pytest.approx(ours, rel=1e-5) and f(va, vb) > 0
    d = sp.Symbol("d", nonnegative=True)  # the case a ≥ b, b = a − d; the other case is the same by symmetry
    assert sp.simplify(sp.expand(sp.exp(a + ans["gap"].subs(b, a - d))) - (sp.exp(a) + sp.exp(a - d))) == 0
    grid = np.linspace(0, 10, 1001)
    assert ans["gapMax"] == pytest.approx(max(float(ans["gap"].subs({a: 0, b: x})) for x in grid[:5]))
    assert ans["gapMax"] == pytest.approx(math.log(2)) and ans["whenMax"] == "equal"
    assert check("3.4.3a", ans).correct
    for typed in ["log(1+exp(-abs(a-b)))", "log(exp(a)+exp(b)) - max(a,b)"]:
        assert check("3.4.3a", {"gap": typed, "gapMax": "0.693", "whenMax": "equal"}).correct


def test_3_4_3b_gap_and_its_bound():
    ans = solve("3.4.3b").answer
    f, g = sp.lambdify((a, b, lam), ans["gap"]), sp.lambdify(lam, ans["gapMax"])
    for (va, vb), L in zip(PAIRS, np.geomspace(0.1, 20, len(PAIRS)), strict=True):
        ours = float(torch.logsumexp(L * torch.tensor([va, vb], dtype=torch.float64), 0)) / L - max(va, vb)
        assert f(va, vb, L) == pytest.approx(ours, rel=1e-9, abs=1e-12) and 0 <= ours <= g(L) + 1e-12
        assert ours > 0 or L * abs(va - vb) > 30  # strictly positive unless exp(−λ|a−b|) underflows next to 1
        assert f(va, va, L) == pytest.approx(g(L))  # the bound is attained at a = b
    assert check("3.4.3b", {"gap": "log(1+exp(-lam*abs(a-b)))/lam", "gapMax": "log(2)/lam"}).correct


@pytest.mark.parametrize("seed", SEEDS)
def test_3_4_3c_value_limit_and_lambda(seed):
    p = variant_params("3.4.3c", seed)
    ans = solve("3.4.3c", seed).answer
    v = torch.tensor([p["a"], p["b"]], dtype=torch.float64)
    assert ans["value"] == pytest.approx(float(torch.logsumexp(p["lam"] * v, 0)) / p["lam"], rel=1e-12)
    assert ans["limit"] == pytest.approx(float(torch.logsumexp(1e7 * v, 0)) / 1e7, abs=1e-6)
    worst = bisect(lambda L: 0.01 - float(sm.real_softmax(torch.zeros(2, dtype=torch.float64), L)), 1.0, 1e4)
    assert ans["lamNeeded"] == pytest.approx(worst, rel=1e-6)
    for va, vb in PAIRS:  # at that λ no pair has a gap above ε
        assert float(sm.real_softmax(torch.tensor([va, vb]), ans["lamNeeded"] * 1.0001)) - max(va, vb) <= 0.01
    assert check("3.4.3c", ans, seed=seed).correct


@pytest.mark.parametrize("seed", SEEDS)
def test_3_4_3d_soft_min(seed):
    p = variant_params("3.4.3d", seed)
    ans = solve("3.4.3d", seed).answer
    f = sp.lambdify((a, b, lam), ans["softmin"])
    for (va, vb), L in zip(PAIRS, np.geomspace(0.1, 20, len(PAIRS)), strict=True):
        ours = -float(torch.logsumexp(-L * torch.tensor([va, vb], dtype=torch.float64), 0)) / L
        assert f(va, vb, L) == pytest.approx(ours, rel=1e-9, abs=1e-12)
        assert min(va, vb) - math.log(2) / L - 1e-12 <= ours <= min(va, vb)
        assert ours < min(va, vb) or L * abs(va - vb) > 30  # strictly below unless exp(−λ|a−b|) underflows
    assert ans["value"] == pytest.approx(f(p["a"], p["b"], p["lam"])) and ans["side"] == "below"
    assert check("3.4.3d", ans, seed=seed).correct
    if seed == 0:
        assert check("3.4.3d", {"softmin": "-log(exp(-lam*a)+exp(-lam*b))/lam", "value": "0.3434",
                                "side": "below"}).correct


@pytest.mark.parametrize("seed", SEEDS)
def test_3_4_3e_vector(seed):
    p = variant_params("3.4.3e", seed)
    ans = solve("3.4.3e", seed).answer
    v, L, k = torch.tensor(p["v"], dtype=torch.float64), p["lam"], len(p["v"])
    assert ans["value"] == pytest.approx(float(torch.logsumexp(L * v, 0)) / L, rel=1e-12)
    assert ans["softmin"] == pytest.approx(-float(torch.logsumexp(-L * v, 0)) / L, rel=1e-12)
    bound = sp.lambdify((n, lam), ans["gapBound"])
    rng = np.random.default_rng(seed)
    for size in (2, 3, 7, 20):
        for x in rng.uniform(-3, 3, (20, size)):  # random vectors stay inside the bound ...
            assert 0 < float(sm.real_softmax(torch.tensor(x), 1.5)) - x.max() <= bound(size, 1.5) + 1e-12
        equal = torch.full((size,), 0.7, dtype=torch.float64)  # ... and equal entries attain it
        assert float(sm.real_softmax(equal, 1.5)) - 0.7 == pytest.approx(bound(size, 1.5))
    worst = bisect(lambda x: 0.01 - float(sm.real_softmax(torch.zeros(k, dtype=torch.float64), x)), 1.0, 1e5)
    assert ans["lamNeeded"] == pytest.approx(worst, rel=1e-6)
    assert check("3.4.3e", ans, seed=seed).correct
    if seed == 0:
        assert check("3.4.3e", {"value": "3.4402", "gapBound": "log(n)/lam", "softmin": "-0.4402",
                                "lamNeeded": "138.63"}).correct


# --- pages ----------------------------------------------------------------------------------------------------------

def test_logit_hessian_widget_moves():
    at = open_app("pages/exercise.py", id="3.4.1a")
    assert not at.exception and metrics(at)["Probability of the true class"] == "0.6590"
    at.radio(key="w-3.4.1a-label").set_value(3).run()
    assert not at.exception and metrics(at)["Probability of the true class"] == "0.0986"
    for name, value in [("o1", -1.0), ("o2", 0.0), ("o3", 4.0)]:
        at.slider(key=f"w-3.4.1a-{name}").set_value(value)
    at.run()
    p3 = float(torch.softmax(torch.tensor([-1.0, 0.0, 4.0], dtype=torch.float64), 0)[2])
    assert not at.exception and metrics(at)["Probability of the true class"] == f"{p3:.4f}"


def test_one_hot_widget_moves():
    at = open_app("pages/exercise.py", id="3.4.1b", lang="zh")
    assert not at.exception
    at.select_slider(key="w-3.4.1b-n").set_value(100).run()
    small = float(metrics(at)["|样本协方差 − 黑塞矩阵| 的最大值"])
    at.select_slider(key="w-3.4.1b-n").set_value(100_000).run()
    big = float(metrics(at)["|样本协方差 − 黑塞矩阵| 的最大值"])
    assert not at.exception and big < 5 / math.sqrt(100_000) and big < small + 1e-9
    at.number_input(key="w-3.4.1b-seed").set_value(5)
    at.slider(key="w-3.4.1b-o1").set_value(0.0)
    at.slider(key="w-3.4.1b-o2").set_value(0.0)
    at.slider(key="w-3.4.1b-o3").set_value(0.0).run()
    assert not at.exception and float(metrics(at)["|样本协方差 − 黑塞矩阵| 的最大值"]) < 5 / math.sqrt(100_000)


def test_code_widgets_move():
    at = open_app("pages/exercise.py", id="3.4.2a")
    assert not at.exception and metrics(at)["Huffman code, average"] == "1.6667 bit"
    at.radio(key="w-3.4.2a-unit").set_value("nats").run()
    assert metrics(at)["Entropy H = log m"] == f"{math.log(3):.4f} nat"
    at.slider(key="w-3.4.2a-m").set_value(8).run()
    m = metrics(at)
    assert not at.exception and m["Huffman code, average"] == "3.0000 bit" and m["Fixed-length waste"] == "0.0000 bit"
    at = open_app("pages/exercise.py", id="3.4.2b")
    assert not at.exception and metrics(at)["Best k (fixed-length)"] == "17"
    at.slider(key="w-3.4.2b-kmax").set_value(12).run()
    assert metrics(at)["Best k (fixed-length)"] == "5"
    at.slider(key="w-3.4.2b-m").set_value(5).run()
    assert not at.exception and metrics(at)["Best k (fixed-length)"] == str(sm.best_block_length(5, 12))


@pytest.mark.parametrize("exercise_id", ["3.4.3a", "3.4.3d"])
def test_smooth_max_pair_widgets_move(exercise_id):
    at = open_app("pages/exercise.py", id=exercise_id)
    assert not at.exception
    at.slider(key=f"w-{exercise_id}-a").set_value(0.5).run()  # a = b: the gap is log(2)/λ
    m = metrics(at)
    assert not at.exception and m["Gap to max(a, b)"] == m["log(2)/λ"] == f"{math.log(2) / 2:.4f}"
    at.select_slider(key=f"w-{exercise_id}-lam").set_value(100.0)
    at.slider(key=f"w-{exercise_id}-b").set_value(-1.0).run()
    assert not at.exception and metrics(at)["Gap to max(a, b)"] == "0.0000"
    if exercise_id == "3.4.3d":
        assert metrics(at)["Soft-min at this λ"] == "-1.0000"


def test_smooth_max_vector_widget_moves():
    at = open_app("pages/exercise.py", id="3.4.3e")
    assert not at.exception and metrics(at)["Smooth max at this λ"] == "3.4402"
    at.text_input(key="w-3.4.3e-v").set_value("1, 1, 1, 1, 1").run()
    assert not at.exception and metrics(at)["Smooth max at this λ"] == f"{1 + math.log(5):.4f}"
    at.select_slider(key="w-3.4.3e-lam").set_value(10.0).run()
    assert metrics(at)["log(n)/λ"] == f"{math.log(5) / 10:.4f}"
    at.text_input(key="w-3.4.3e-v").set_value("1, two").run()
    assert not at.exception and len(at.warning) == 1


def test_logits_demo_on_the_chapter_page():
    at = open_app("pages/ch03.py", lang="en")
    assert not at.exception and metrics(at)["Probability of the true class"] == "0.6590"
    at.text_input(key="demo-3.4-logits").set_value("1000, 999, 0").run()
    assert not at.exception and any("overflows" in i.value for i in at.info)
    at.selectbox(key="demo-3.4-label-3").set_value(2).run()
    p2 = float(torch.softmax(torch.tensor([1000.0, 999.0, 0.0], dtype=torch.float64), 0)[1])
    assert not at.exception and metrics(at)["Probability of the true class"] == f"{p2:.4f}"
    at.text_input(key="demo-3.4-logits").set_value("nonsense").run()
    assert not at.exception and any("2, 1, 0.1" in w.value for w in at.warning)
