"""Section 11.4: the schedules against the book's formulas, the stationary noise floor against a simulation, the
schedule ranking by an independent numpy SGD, noise-as-data against autograd and sampling, coverage against
simulation, the minima of x²(1 + sin x) against their closed form and sympy; the widgets moved."""

import math

import numpy as np
import pytest
import sympy
import torch

from d2lcore.optim import gd, minibatch, sampling
from d2lcore.optim.trajectory import stochastic_trajectory
from solutions import solve, variant_params
from solutions.ch11_s4 import (
    book_grad,
    coverage,
    local_minima,
    minima_f,
    sampling_excess,
    schedule_distances,
    schedule_multiplier,
    stationary_msd,
)
from tests.apptest import open_app

SEEDS = [0, 1, 2, 77]
BOOK_LR = {"constant": lambda t: 1.0, "inverse": lambda t: 1 / t, "exponential": lambda t: math.exp(-0.1 * t),
           "polynomial": lambda t: (1 + 0.1 * t) ** -0.5}


@pytest.mark.parametrize("name", list(BOOK_LR))
def test_schedule_multipliers_match_the_books_lr(name):
    ts = torch.arange(1, 200)
    assert np.allclose(schedule_multiplier(name, ts).numpy(), [BOOK_LR[name](int(t)) for t in ts])


def test_stationary_variance_is_the_fixed_point_sympy():
    eta, h, v = sympy.symbols("eta h v", positive=True)
    fixed = sympy.solve(sympy.Eq(v, (1 - eta * h) ** 2 * v + eta**2), v)[0]
    total = sum(fixed.subs(h, c) for c in (2, 4))
    for e in (0.05, 0.1, 0.2):
        assert float(total.subs(eta, e)) == pytest.approx(stationary_msd(e), rel=1e-12)


@pytest.mark.parametrize("eta", [0.05, 0.1, 0.2])
def test_constant_rate_floor_matches_simulation(eta):
    x0 = torch.zeros(2000, 2, dtype=torch.float64)
    xs = stochastic_trajectory(gd.sgd, book_grad, x0, 300, 1.0, torch.Generator().manual_seed(5), lr=eta)
    measured = float((xs[100:] ** 2).sum(-1).mean())
    assert measured == pytest.approx(stationary_msd(eta), rel=0.04)
    small = eta / 4 + eta / 8  # the small-η approximation: outside the band at these rates
    assert abs(small - measured) / measured > 0.06


def _numpy_sgd(eta: float, steps: int, seeds: int, rng: np.random.Generator) -> dict[str, float]:
    """Independent SGD in numpy: final mean squared distance per schedule (last 100 of `steps`)."""
    h = np.array([2.0, 4.0])
    out = {}
    for name, m in BOOK_LR.items():
        x = np.tile([-5.0, -2.0], (seeds, 1))
        tail = []
        for t in range(1, steps + 1):
            x = x - eta * m(t) * (h * x + rng.standard_normal(x.shape))
            if t > steps - 100:
                tail.append((x**2).sum(1).mean())
        out[name] = float(np.mean(tail))
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_11_4_1_answers(seed):
    eta = variant_params("11.4.1", seed)["eta"]
    ans = solve("11.4.1", seed).answer
    assert ans["msd"] == pytest.approx(sum(eta**2 / (1 - (1 - eta * h) ** 2) for h in (2, 4)))
    final = _numpy_sgd(eta, 1000, 100, np.random.default_rng(seed + 10))
    assert ans["best"] == min(final, key=final.get) == "polynomial"


def test_11_4_2_gradient_matches_autograd_and_noise_has_unit_variance():
    ans = solve("11.4.2").answer
    names = sympy.symbols("w1 w2 x1 x2")
    g = [sympy.lambdify(names, ans[k]) for k in ("g1", "g2")]
    gen = torch.Generator().manual_seed(0)
    w = torch.randn(2, generator=gen, dtype=torch.float64, requires_grad=True)
    x = torch.randn(2, generator=gen, dtype=torch.float64)
    ((x[0] - w[0]) ** 2 + 2 * (x[1] - w[1]) ** 2).backward()
    vals = (*w.detach().tolist(), *x.tolist())
    assert [g[0](*vals), g[1](*vals)] == pytest.approx(w.grad.tolist())
    sigma = torch.tensor([ans["s1"], ans["s2"]], dtype=torch.float64)
    xs = torch.randn(200_000, 2, generator=gen, dtype=torch.float64) * sigma
    noise = torch.stack([torch.as_tensor(g[0](0.3, -0.7, xs[:, 0], xs[:, 1])) - 0.6,
                         torch.as_tensor(g[1](0.3, -0.7, xs[:, 0], xs[:, 1])) + 2.8], 1)
    assert noise.mean(0).abs().max() < 0.02 and torch.allclose(noise.std(0), torch.ones(2, dtype=torch.float64),
                                                               rtol=0.02)


@pytest.mark.parametrize("n", [5, 10, 50])
def test_coverage_matches_simulation(n):
    draws = torch.randint(0, n, (20000, n), generator=torch.Generator().manual_seed(n))
    seen = torch.zeros(20000, n, dtype=torch.bool).scatter_(1, draws, True).float().mean()
    assert float(seen) == pytest.approx(coverage(n), abs=0.005)


@pytest.mark.parametrize("seed", SEEDS)
def test_11_4_3_coverage_and_limit(seed):
    n = variant_params("11.4.3", seed)["n"]
    ans = solve("11.4.3", seed).answer
    assert ans["cov"] == pytest.approx(1 - (1 - 1 / n) ** n) and ans["limit"] == pytest.approx(1 - math.exp(-1))
    assert ans["better"] == "without"


@pytest.mark.parametrize("data_seed", [1, 2])
def test_without_replacement_ends_lower_on_other_data(data_seed):
    ex = sampling_excess(150, 0.01, 4, 40, data_seed=data_seed)
    assert float(ex["without"][-1]) < 0.8 * float(ex["with"][-1])


def _torch_orders(n: int, epochs: int, runs: int, with_replacement: bool) -> torch.Tensor:
    """The visiting orders that minibatch.sgd_sampling_runs draws internally (generator seeded 1234, one epoch at a
    time), shape (runs, epochs, n)."""
    gen = torch.Generator().manual_seed(1234)
    draw = (lambda: torch.randint(0, n, (runs, n), generator=gen)) if with_replacement else (
        lambda: torch.rand(runs, n, generator=gen).argsort(dim=1))
    return torch.stack([draw() for _ in range(epochs)], 1)


@pytest.mark.parametrize("with_replacement", [False, True])
def test_single_example_sgd_equals_the_torch_loop(with_replacement):
    """The numpy route (augmented rows, all runs per step) against minibatch.sgd_sampling_runs on the same orders."""
    data = minibatch.get_data_ch11(n=60, seed=3, dtype=torch.float64)
    orders = _torch_orders(60, 4, 9, with_replacement)
    ours = sampling.single_example_sgd(*data.tensors, orders, 0.05)
    assert np.allclose(ours, minibatch.sgd_sampling_runs(data, 0.05, 4, 9, with_replacement).numpy(), rtol=1e-12,
                       atol=1e-14)


@pytest.mark.parametrize("n", [5, 50, 400])
def test_epoch_orders(n):
    rng = np.random.default_rng(n)
    without, with_ = (sampling.epoch_orders(n, 3, 700, flag, rng) for flag in (False, True))
    assert without.shape == with_.shape == (700, 3, n)
    assert (np.sort(without, -1) == np.arange(n)).all()  # every row a permutation
    seen = np.zeros((2100, n), dtype=bool)
    np.put_along_axis(seen, with_.reshape(-1, n), True, axis=1)
    assert float(seen.mean()) == pytest.approx(coverage(n), abs=0.01)


def test_schedule_distances_equal_stepping_sgd_on_the_same_noise():
    """The folded linear step x ← (1 − η_t h) x − η_t σ ε_t against gd.sgd with book_grad, fed the same ε."""
    steps, seeds, lr, sigma = 80, 30, 0.2, 0.7
    fast = schedule_distances(lr, steps, seeds, sigma=sigma, seed=4)
    eps = torch.from_numpy(np.random.default_rng(4).standard_normal((steps, 1, seeds, 2)))[:, 0]  # as drawn there
    for name, msd in fast.items():
        x = torch.tensor([-5.0, -2.0], dtype=torch.float64).expand(seeds, 2)
        slow = [float((x**2).sum(-1).mean())]
        for t in range(1, steps + 1):
            x, _ = gd.sgd(x, book_grad(x) + sigma * eps[t - 1], lr=lr * float(schedule_multiplier(name, t)))
            slow.append(float((x**2).sum(-1).mean()))
        assert np.allclose(msd.numpy(), slow, rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_11_4_5_minima_match_closed_form(seed):
    L = variant_params("11.4.5", seed)["L"]
    ans = solve("11.4.5", seed).answer
    closed = [0.0] + [3 * math.pi / 2 + 2 * math.pi * k for k in range(-20, 20)
                      if abs(3 * math.pi / 2 + 2 * math.pi * k) <= L]
    assert ans["nint"] == len(closed) and ans["fmin"] == pytest.approx(0.0, abs=1e-9)
    assert np.allclose(np.sort(local_minima(-L, L)), np.sort(closed), atol=1e-6)
    assert ans["count"] == "infinite"


def test_minima_are_zeros_with_positive_curvature_sympy():
    x, k = sympy.symbols("x"), sympy.Symbol("k", integer=True)
    f = x**2 * (1 + sympy.sin(x))
    xk = 3 * sympy.pi / 2 + 2 * sympy.pi * k
    assert sympy.simplify(f.subs(x, xk)) == 0
    assert sympy.simplify(sympy.diff(f, x, 2).subs(x, xk) - xk**2) == 0
    assert sympy.diff(f, x, 2).subs(x, 0) == 2


def test_perturbed_minima_have_distinct_depths():
    mins = local_minima(-30, 30, 0.5)
    h = 1e-3
    assert np.all(minima_f(mins, 0.5) < minima_f(mins - h, 0.5)) and np.all(minima_f(mins, 0.5) < minima_f(mins + h,
                                                                                                             0.5))
    depths = np.sort(minima_f(mins, 0.5))
    assert len(mins) >= 9 and np.min(np.diff(depths)) > 1e-4


@pytest.mark.parametrize("ex_id, moves", [
    ("11.4.1", {"lr": 0.2, "steps": 100, "seeds": 20}),
    ("11.4.2", {"s1": 0.5, "s2": 0.25}),
    ("11.4.3", {"n": 50, "lr": 0.02, "epochs": 2, "runs": 10}),
    ("11.4.5", {"L": 20, "eps": 1.0}),
])
def test_exercise_widgets_move(ex_id, moves):
    at = open_app("pages/exercise.py", id=ex_id)
    assert not at.exception
    for name, value in moves.items():
        widget = next(w for kind in ("slider", "select_slider") for w in getattr(at, kind)
                      if w.key and w.key.endswith(f"-{name}"))
        before = [m.value for m in at.metric]
        widget.set_value(value).run()
        assert not at.exception
        assert [m.value for m in at.metric] != before
    if ex_id == "11.4.1":
        at.multiselect(key="w-11.4.1-schedules").set_value(["exponential", "polynomial"]).run()
        assert not at.exception and any("polynomial" in c.value and "constant" not in c.value for c in at.caption)
