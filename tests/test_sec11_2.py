"""Section 11.2: every reference checked another way — L_p midpoints against sympy and torch's vector_norm, the
min/max gaps against direct evaluation, the log-sum-exp Hessian against autograd and finite differences, projectors
against an orthonormal null-space basis, ξ against closed forms, the L1 prox against a brute-force grid and the KKT
conditions, the L1-ball projection against bisection and a 2-D grid search, non-expansiveness as a property."""

import math

import numpy as np
import pytest
import sympy as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from d2lcore import convexity as cx
from exercises import check
from solutions import solve, variant_params
from solutions.ch11_s2 import taylor_function
from tests.apptest import metrics, open_app

SEEDS = [0, 1, 2, 77]


@pytest.mark.parametrize("shape, convex", [("square", True), ("disk", True), ("lshape", False), ("holed", False)])
def test_segment_tests(shape, convex):
    r = cx.segment_tests(cx.SHAPES[shape])
    assert (r["random"] == 0 and r["boundary"] == 0) == convex and r["boundary"] >= r["random"]
    assert r["vertex"] == (0 if shape != "lshape" else r["vertex"]) and (shape != "lshape" or r["vertex"] > 0)


@pytest.mark.parametrize("seed", SEEDS)
def test_11_2_2_midpoint_closed_form_and_torch_norm(seed):
    p = variant_params("11.2.2", seed)["p"]
    ans = solve("11.2.2", seed).answer
    assert ans["mid"] == pytest.approx(float(sp.Integer(2) ** (sp.Rational(1) / sp.nsimplify(p) - 1)), rel=1e-9)
    assert ans["mid"] == pytest.approx(float(torch.linalg.vector_norm(torch.tensor([0.5, 0.5]), ord=p)), rel=1e-6)
    assert ans["convex"] == ("yes" if p >= 1 else "no")


@settings(max_examples=40, deadline=None)
@given(st.floats(1.0, 6.0), st.integers(0, 10_000))
def test_lp_ball_convex_for_p_at_least_one(p, seed):
    g = torch.Generator().manual_seed(seed)
    x, y = torch.randn(2, 50, 3, generator=g, dtype=torch.float64)
    x, y = x / torch.linalg.vector_norm(x, ord=p, dim=-1, keepdim=True), y / torch.linalg.vector_norm(y, ord=p, dim=-1,
                                                                                                        keepdim=True)
    lam = torch.rand(50, 1, generator=g, dtype=torch.float64)
    assert (torch.linalg.vector_norm(lam * x + (1 - lam) * y, ord=p, dim=-1) <= 1 + 1e-12).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_11_2_3_gap_by_direct_evaluation(seed):
    a = variant_params("11.2.3", seed)["a"]
    gap = sp.lambdify(sp.Symbol("lam"), solve("11.2.3", seed).answer["gap"], "math")
    h = lambda x: min((x - a) ** 2, (x + a) ** 2)  # noqa: E731
    for lam in np.linspace(0, 1, 11):
        assert gap(lam) == pytest.approx(lam * h(-a) + (1 - lam) * h(a) - h(-lam * a + (1 - lam) * a), abs=1e-12)
    assert gap(0.5) == pytest.approx(-(a**2))


@settings(max_examples=40, deadline=None)
@given(st.floats(-2, 2), st.floats(-2, 2), st.floats(0.1, 3), st.floats(0.1, 3), st.integers(0, 1000))
def test_max_of_convex_quadratics_passes_jensen(c1, c2, s1, s2, seed):
    g = torch.Generator().manual_seed(seed)
    x, y, lam = 6 * torch.rand(3, 200, generator=g, dtype=torch.float64) - 3
    lam = (lam + 3) / 6
    m = lambda z: torch.maximum(s1 * (z - c1) ** 2, s2 * (z - c2) ** 2 + z)  # noqa: E731
    assert (cx.midpoint_gaps(m, x, y, lam) >= -1e-9).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_11_2_4_hessian_against_autograd_and_finite_differences(seed):
    p = variant_params("11.2.4", seed)
    ans = solve("11.2.4", seed).answer
    point = torch.tensor([float(p["x1"]), float(p["x2"])], dtype=torch.float64)
    H = torch.autograd.functional.hessian(lambda z: torch.logsumexp(z, 0), point)
    lam = torch.linalg.eigvalsh(H)
    assert ans["lmin"] == pytest.approx(float(lam[0]), abs=1e-12) and ans["lmax"] == pytest.approx(float(lam[1]))
    x1, x2 = sp.symbols("x1 x2")
    f = lambda u, v: math.log(math.exp(u) + math.exp(v))  # noqa: E731
    u, v, e = 0.3, -0.7, 1e-4
    fd11 = (f(u + e, v) - 2 * f(u, v) + f(u - e, v)) / e**2
    fd12 = (f(u + e, v + e) - f(u + e, v - e) - f(u - e, v + e) + f(u - e, v - e)) / (4 * e**2)
    assert float(ans["h11"].subs({x1: u, x2: v})) == pytest.approx(fd11, rel=1e-5)
    assert float(ans["h12"].subs({x1: u, x2: v})) == pytest.approx(fd12, rel=1e-5)


def test_logsumexp_hessian_is_psd_in_many_dimensions():
    g = torch.Generator().manual_seed(0)
    lam = cx.logsumexp_hessian_eigenvalues(3 * torch.randn(500, 7, generator=g, dtype=torch.float64))
    assert (lam >= -1e-12).all() and lam[:, 0].abs().max() < 1e-12
    H, xs = cx.logsumexp_hessian(3)
    p = sp.Matrix([sp.exp(v) for v in xs]) / sum(sp.exp(v) for v in xs)
    assert sp.simplify(H - (sp.diag(*p) - p * p.T)) == sp.zeros(3, 3)


@pytest.mark.parametrize("seed", SEEDS)
def test_11_2_5_convex_combinations_stay_in_the_set(seed):
    p = variant_params("11.2.5", seed)
    ans = solve("11.2.5", seed).answer
    W, b = np.array(p["W"], dtype=float), np.array(p["b"], dtype=float)
    assert ans["dim"] == W.shape[1] - np.linalg.matrix_rank(W) and ans["kind"] == "affine"
    assert cx.affine_combination_image(sp.Matrix(p["W"]), sp.Matrix(p["b"])) == sp.zeros(len(p["b"]), 1)
    rng = np.random.default_rng(seed)
    x0 = np.linalg.lstsq(W, b, rcond=None)[0]
    N = np.linalg.svd(W)[2][np.linalg.matrix_rank(W):].T
    x, y = x0 + N @ rng.standard_normal(N.shape[1]), x0 + N @ rng.standard_normal(N.shape[1])
    assert np.allclose(W @ (0.3 * x + 0.7 * y), b) and sp.simplify(ans["comb"] - sp.Symbol("b")) == 0


@pytest.mark.parametrize("seed", SEEDS)
def test_11_2_6_projector_from_an_orthonormal_null_space_basis(seed):
    W = np.array(variant_params("11.2.6", seed)["W"], dtype=float)
    ans = solve("11.2.6", seed).answer
    Q = np.linalg.svd(W)[2][np.linalg.matrix_rank(W):].T  # orthonormal basis of {x : Wx = 0}
    M = np.array(ans["M"])
    assert np.allclose(M, Q @ Q.T) and np.allclose(M @ M, M) and np.allclose(W @ M, 0) and ans["rank"] == Q.shape[1]
    A, bt = torch.tensor(W), torch.zeros(W.shape[0], dtype=torch.float64)
    x = torch.randn(5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    assert torch.allclose(cx.project_affine(A, bt, x), x @ torch.tensor(M).T)


@pytest.mark.parametrize("seed", SEEDS)
def test_11_2_7_xi_closed_forms(seed):
    p = variant_params("11.2.7", seed)
    xi, eps, x0 = solve("11.2.7", seed).answer["xi"], p["eps"], p["x0"]
    f = taylor_function(p["fname"])
    x = sp.Symbol("x")
    rest = float(f.subs(x, x0 + eps) - f.subs(x, x0) - eps * sp.diff(f, x).subs(x, x0))
    closed = {"exp": math.log(2 * rest / eps**2), "quartic": math.sqrt(2 * rest / (12 * eps**2)) - 1,
              "neglog": math.sqrt(eps**2 / (2 * rest)) - 1}[p["fname"]]
    assert 0 <= xi <= eps and xi == pytest.approx(closed, rel=1e-9)


def _kkt_l1(w, wp, lam):
    """Subgradient condition of ‖w − w′‖² + λ‖w′‖₁ at w′: 2(w′ − w) + λ s = 0 with s ∈ ∂‖w′‖₁."""
    nz = wp != 0
    return (torch.allclose(2 * (wp[nz] - w[nz]) + lam * wp[nz].sign(), torch.zeros(int(nz.sum()), dtype=w.dtype))
            and bool((2 * w[~nz].abs() <= lam + 1e-12).all()))


@pytest.mark.parametrize("seed", SEEDS)
def test_11_2_8a_prox_by_grid_search_and_kkt(seed):
    p = variant_params("11.2.8a", seed)
    w = torch.tensor(p["w"], dtype=torch.float64)
    wp = torch.tensor(solve("11.2.8a", seed).answer["wp"], dtype=torch.float64)
    grid = torch.linspace(-3, 3, 60_001, dtype=torch.float64)
    brute = torch.stack([grid[((wi - grid) ** 2 + p["lam"] * grid.abs()).argmin()] for wi in w])
    assert torch.allclose(wp, brute, atol=2e-4) and _kkt_l1(w, wp, p["lam"])


def _bisection_theta(w, radius=1.0):
    lo, hi = 0.0, float(w.abs().max())
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if float((w.abs() - mid).clamp_min(0).sum()) > radius else (lo, mid)
    return lo


@pytest.mark.parametrize("seed", SEEDS)
def test_11_2_8b_threshold_by_bisection(seed):
    w = torch.tensor(variant_params("11.2.8b", seed)["w"], dtype=torch.float64)
    ans = solve("11.2.8b", seed).answer
    proj = torch.tensor(ans["proj"], dtype=torch.float64)
    assert ans["lam"] == pytest.approx(2 * _bisection_theta(w), rel=1e-9)
    assert float(proj.abs().sum()) == pytest.approx(1)
    assert _kkt_l1(w, proj, ans["lam"])


@settings(max_examples=10, deadline=None)
@given(st.floats(-3, 3), st.floats(-3, 3))
def test_l1_projection_is_the_nearest_point_of_a_fine_grid(a, b):
    w = torch.tensor([a, b], dtype=torch.float64)
    g = torch.linspace(-1, 1, 201, dtype=torch.float64)
    G = torch.stack(torch.meshgrid(g, g, indexing="ij"), -1).reshape(-1, 2)
    G = G[G.abs().sum(-1) <= 1 + 1e-12]
    best = float((G - w).norm(dim=-1).min())
    proj = cx.project_l1_ball(w)
    assert float((proj - w).norm()) <= best + 1e-12 and float(proj.abs().sum()) <= 1 + 1e-12


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["l2ball", "box", "l1ball"]), st.integers(0, 10_000))
def test_projections_onto_convex_sets_are_nonexpansive(name, seed):
    x, y = 3 * torch.randn(2, 100, 2, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    P = cx.PROJECTIONS[name]
    assert ((P(x) - P(y)).norm(dim=-1) <= (x - y).norm(dim=-1) + 1e-12).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_11_2_9_distances_by_grid_search(seed):
    p = variant_params("11.2.9", seed)
    ans = solve("11.2.9", seed).answer
    th = torch.linspace(0, 2 * math.pi, 200_001, dtype=torch.float64)
    circle = torch.stack([th.cos(), th.sin()], -1)
    nearest = {k: circle[(circle - torch.tensor(p[k], dtype=torch.float64)).norm(dim=-1).argmin()] for k in "xyuv"}
    assert ans["pdist"] == pytest.approx(float((nearest["x"] - nearest["y"]).norm()), abs=1e-4)  # x, y lie outside
    assert ans["cdist"] == pytest.approx(float((nearest["u"] - nearest["v"]).norm()), abs=1e-4)
    assert ans["dist"] >= ans["pdist"] and ans["cdist"] > float(np.linalg.norm(np.subtract(p["u"], p["v"])))


def test_11_2_typed_answers():
    assert check("11.2.2", {"mid": "2", "convex": "no"}).correct
    assert check("11.2.3", {"gap": "-4*min(lam, 1-lam)^2", "maxconvex": "yes", "minconvex": "depends"}).correct
    assert check("11.2.4", {"h11": "exp(x1)*exp(x2)/(exp(x1)+exp(x2))^2", "h12": "-exp(x1+x2)/(exp(x1)+exp(x2))^2",
                            "lmin": "0", "lmax": "0.3932"}).correct
    assert check("11.2.5", {"comb": "b", "dim": "2", "kind": "affine"}).correct
    assert check("11.2.6", {"M": "[[8/9, -2/9, -2/9], [-2/9, 5/9, -4/9], [-2/9, -4/9, 5/9]]", "rank": "2"}).correct
    assert check("11.2.8b", {"lam": "1.2", "proj": "[0.9, -0.1, 0, 0]"}).correct
    assert check("11.2.9", {"dist": "sqrt(13)", "pdist": "sqrt(2)", "cdist": "2"}).correct


# --- pages ---------------------------------------------------------------------------------------------------------


def test_segment_widget_moves():
    at = open_app("pages/exercise.py", id="11.2.1a")
    assert metrics(at)["Vertex pairs failing"] == "0%" and metrics(at)["Boundary pairs failing"] != "0%"
    at.radio(key="w-11.2.1a-shape").set_value("lshape").run()
    assert not at.exception and metrics(at)["Vertex pairs failing"] != "0%"


def test_lp_ball_widget_moves():
    at = open_app("pages/exercise.py", id="11.2.2")
    assert metrics(at)["Convex?"] == "no"
    at.slider(key="w-11.2.2-p").set_value(2.0).run()
    assert not at.exception and metrics(at)["Convex?"] == "yes"


def test_max_min_widget_moves():
    at = open_app("pages/exercise.py", id="11.2.3")
    assert metrics(at)["min(f, g) convex?"] == "no"
    at.selectbox(key="w-11.2.3-f").set_value("abs")
    at.selectbox(key="w-11.2.3-g").set_value("sq_up").run()
    assert not at.exception and metrics(at)["min(f, g) convex?"] == "yes" and metrics(at)["max(f, g) convex?"] == "yes"


def test_lse_widget_moves():
    at = open_app("pages/exercise.py", id="11.2.4")
    at.slider(key="w-11.2.4-x1").set_value(0.0).run()
    assert not at.exception and metrics(at)["λ_max"] == "0.5000"
    at.slider(key="w-11.2.4-x2").set_value(-2.0).run()
    assert float(metrics(at)["λ_max"]) < 0.5


def test_affine_projection_widget_moves():
    at = open_app("pages/exercise.py", id="11.2.6")
    assert float(metrics(at)["‖P(x + y) − Px − Py‖"]) < 1e-12
    at.slider(key="w-11.2.6-b").set_value(1.0)
    at.slider(key="w-11.2.6-angle").set_value(90).run()
    assert not at.exception and float(metrics(at)["‖P(x + y) − Px − Py‖"]) > 0.5


def test_taylor_widget_moves():
    at = open_app("pages/exercise.py", id="11.2.7")
    at.radio(key="w-11.2.7-f").set_value("quartic")
    at.slider(key="w-11.2.7-eps").set_value(0.5).run()
    assert not at.exception and 0 < float(metrics(at)["ξ / ε"]) < 1


def test_l1_widget_moves():
    at = open_app("pages/exercise.py", id="11.2.8a")
    assert metrics(at)["λ giving the projection"] == "1.200"
    at.slider(key="w-11.2.8a-lam").set_value(1.2).run()
    assert metrics(at)["‖w′(λ)‖₁"] == "1.000"
    at.slider(key="w-11.2.8a-w1").set_value(0.3)
    at.slider(key="w-11.2.8a-w2").set_value(0.2).run()
    assert not at.exception and metrics(at)["λ giving the projection"] == "0.000"


def test_nonexpansive_widget_moves():
    at = open_app("pages/exercise.py", id="11.2.9")
    assert float(metrics(at)["‖Px − Py‖ / ‖x − y‖"]) <= 1
    at.radio(key="w-11.2.9-set").set_value("circle")
    at.slider(key="w-11.2.9-x1").set_value(0.1)
    at.slider(key="w-11.2.9-x2").set_value(0.0)
    at.slider(key="w-11.2.9-y1").set_value(-0.1)
    at.slider(key="w-11.2.9-y2").set_value(0.0).run()
    assert not at.exception and float(metrics(at)["‖Px − Py‖ / ‖x − y‖"]) > 5


def _demo_app():
    from ui.widgets.sec11_2 import section_demo

    section_demo("demo-11.2")


def test_jensen_demo_moves():
    at = AppTest.from_function(_demo_app, default_timeout=60).run()
    m = metrics(at)
    assert float(m["Jensen gap (sampled)"]) == pytest.approx(float(m["Jensen gap (closed form)"]), abs=0.03)
    at.radio(key="demo-11.2-f").set_value("exp")
    at.slider(key="demo-11.2-sigma").set_value(0.0).run()
    assert not at.exception and abs(float(metrics(at)["Jensen gap (sampled)"])) < 1e-9
