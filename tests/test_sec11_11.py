"""Section 11.11: every schedule against torch.optim.lr_scheduler over every step and against its sympy closed form
(η_t is the rate after t scheduler steps), properties with hypothesis, and SGLD on a bimodal 1-D target checked by
its moments and the Kolmogorov–Smirnov distance over seeds."""

import math

import numpy as np
import pytest
import sympy as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from d2lcore import schedules as S
from d2lcore.sgld import Mixture, ks_distance, sgld
from exercises import check
from solutions import ch11_s11 as sol
from solutions import solve
from tests.apptest import metrics, open_app
from ui.widgets.sec11_11 import DECAYS, build_spec

SPECS = [dict(name="factor", base_lr=0.3, factor=0.9, step_size=3),
         dict(name="multifactor", base_lr=0.5, milestones=[5, 12], factor=0.3),
         dict(name="polynomial", base_lr=0.4, total=20, power=2.0),
         dict(name="cosine", base_lr=0.4, total=20, final_lr=0.01),
         dict(name="warmup", base_lr=0.4, warmup=5, start_lr=0.004),
         dict(name="cosine_warmup", base_lr=0.4, total=20, warmup=5, final_lr=0.01, start_lr=0.004),
         dict(name="chain", parts=[dict(name="warmup", base_lr=0.4, warmup=4, start_lr=0.04),
                                   dict(name="factor", base_lr=0.4, factor=0.8)], milestones=[4])]




@pytest.mark.parametrize("spec", SPECS, ids=[s["name"] for s in SPECS])
def test_schedule_matches_torch_at_every_step(spec):
    steps = 21  # torch's cosine climbs again after T_max and PolynomialLR ends at 0: compare up to T
    assert S.schedule_values(spec, steps) == pytest.approx(S.torch_rates(spec, steps), rel=1e-9, abs=1e-12)


T = sp.Symbol("t", integer=True, nonnegative=True)
CLOSED = {
    "factor": (dict(base_lr=0.3, factor=0.9, step_size=3), sp.Rational(3, 10) * sp.Rational(9, 10) ** sp.floor(T / 3)),
    "polynomial": (dict(base_lr=0.4, total=20, power=2.0), sp.Rational(2, 5) * (1 - T / 20) ** 2),
    "cosine": (dict(base_lr=0.4, total=20, final_lr=0.0), sp.Rational(2, 5) * (1 + sp.cos(sp.pi * T / 20)) / 2),
    "warmup": (dict(base_lr=0.4, warmup=5, start_lr=0.0), sp.Min(T, 5) * sp.Rational(2, 25)),
}


@pytest.mark.parametrize("name", list(CLOSED))
def test_schedule_matches_sympy_closed_form(name):
    kwargs, expr = CLOSED[name]
    for t in range(21):
        assert S.SCHEDULES[name](t, **kwargs) == pytest.approx(float(expr.subs(T, t)), rel=1e-12, abs=1e-15)


def test_off_by_one_the_milestone_step_already_has_the_new_rate():
    assert S.multifactor_lr(4, 1.0, [5], 0.1) == 1.0 and S.multifactor_lr(5, 1.0, [5], 0.1) == pytest.approx(0.1)
    assert S.warmup_lr(0, 1.0, 5) == 0.0 and S.warmup_lr(5, 1.0, 5) == 1.0
    assert S.cosine_warmup_lr(5, 1.0, 20, 5) == 1.0  # the first rate after the warm-up is the peak


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 500), st.floats(0.001, 2.0), st.integers(1, 100), st.integers(0, 50), st.floats(0.1, 4.0))
def test_schedules_are_positive_and_bounded(t, lr, total, warmup, power):
    for value in (S.cosine_lr(t, lr, total), S.polynomial_lr(t, lr, total, power), S.factor_lr(t, lr, 0.9),
                  S.cosine_warmup_lr(t, lr, total + warmup, warmup), S.warmup_lr(t, lr, warmup)):
        assert 0.0 <= value <= lr + 1e-12


def test_vectorised_equals_scalar():
    ts = torch.arange(30)
    spec = SPECS[5]
    assert S.schedule_values(spec, 30) == pytest.approx([S.lr_at(spec, int(t)) for t in ts])


# --- SGLD --------------------------------------------------------------------------------------------------------

def test_mixture_moments_by_quadrature():
    m = Mixture()
    x = torch.linspace(-12, 12, 200001, dtype=torch.float64)
    p = m.pdf(x)
    mean = torch.trapezoid(x * p, x)
    assert float(torch.trapezoid(p, x)) == pytest.approx(1.0, abs=1e-9)
    assert float(mean) == pytest.approx(m.mean(), abs=1e-9)
    assert float(torch.trapezoid((x - mean) ** 2 * p, x)) == pytest.approx(m.variance(), abs=1e-8)
    xg = torch.tensor([-2.0, 0.3, 1.7], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(m.log_pdf(xg).sum(), xg)
    torch.testing.assert_close(m.grad_log_pdf(xg.detach()), g)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sgld_samples_the_bimodal_target(seed):
    m = Mixture()
    s = sgld(m, chains=200, steps=1000, burn_in=200, seed=seed)
    assert ks_distance(s, m) < 0.05
    assert abs(float(s.mean()) - m.mean()) < 0.15 and abs(float(s.var()) / m.variance() - 1) < 0.1
    right = float(m.cdf(torch.zeros(1, dtype=torch.float64)))
    assert abs(float((s > 0).double().mean()) - (1 - right)) < 0.05


def test_without_injected_noise_it_is_optimisation():
    m = Mixture()
    s = sgld(m, chains=200, steps=600, burn_in=500, inject_noise=False)
    modes = torch.tensor(m.means, dtype=torch.float64)
    # every chain sits at (almost) a mode: gradient ascent on log p finds maxima, it does not sample
    near = (s.unsqueeze(-1) - modes).abs().min(-1).values
    assert float(near.max()) < 0.2 and ks_distance(s, m) > 0.2


def sgld_torch(m, chains, steps, burn_in, step_size=0.1, grad_noise=0.0, inject_noise=True, noise_scale=1.0, seed=0):
    """SGLD step by step in torch with Mixture.grad_log_pdf (softmax of the log components): the reference route."""
    g = torch.Generator().manual_seed(seed)
    theta = 3.0 * torch.randn(chains, generator=g, dtype=torch.float64)
    kept = []
    for t in range(steps):
        grad = m.grad_log_pdf(theta)
        if grad_noise > 0:
            grad = grad + grad_noise * torch.randn(chains, generator=g, dtype=torch.float64)
        theta = theta + 0.5 * step_size * grad
        if inject_noise:
            theta = theta + noise_scale * math.sqrt(step_size) * torch.randn(chains, generator=g, dtype=torch.float64)
        if t >= burn_in:
            kept.append(theta)
    return torch.cat(kept)


@pytest.mark.parametrize("kw", [{}, {"inject_noise": False}, {"grad_noise": 0.5, "seed": 3},
                                {"step_size": 0.8, "noise_scale": 1.5}], ids=["sgld", "no-noise", "grad-noise", "hot"])
def test_sgld_equals_the_torch_route(kw):
    m = Mixture(weights=(0.2, 0.5, 0.3), means=(-2.0, 0.5, 2.5), stds=(0.5, 1.0, 0.7))
    torch.testing.assert_close(sgld(m, chains=40, steps=300, burn_in=100, **kw), sgld_torch(m, 40, 300, 100, **kw),
                               rtol=1e-9, atol=1e-9)


def test_grad_log_pdf_fn_matches_the_tensor_formula():
    m = Mixture(weights=(0.2, 0.5, 0.3), means=(-2.0, 0.5, 2.5), stds=(0.5, 1.0, 0.7))
    theta = torch.linspace(-30, 30, 301, dtype=torch.float64)  # far tails too: the max shift keeps exp finite
    np.testing.assert_allclose(m.grad_log_pdf_fn()(theta.numpy()), m.grad_log_pdf(theta).numpy(), rtol=1e-12,
                               atol=1e-12)


def test_ks_distance_matches_scipy():
    from scipy import stats

    m = Mixture()
    s = sgld(m, chains=50, steps=300, burn_in=100, seed=3)
    ref = stats.kstest(s.numpy(), lambda x: m.cdf(torch.as_tensor(x, dtype=torch.float64)).numpy()).statistic
    assert ks_distance(s, m) == pytest.approx(ref, abs=1e-12)


def test_train_with_schedule_records_the_rates_it_used():
    spec = dict(name="multifactor", base_lr=0.5, milestones=[2], factor=0.1)
    r = S.train_with_schedule(S.ScheduleRun(spec=S.freeze(spec), epochs=3, n_train=200, n_test=100))
    assert r["lr"] == pytest.approx(S.schedule_values(spec, 3)) and all(math.isfinite(v) for v in r["train_loss"])


def test_train_with_schedule_touches_no_global_torch_state():
    state = torch.random.get_rng_state()
    spec = S.freeze(dict(name="constant", base_lr=0.3))
    a = S.train_with_schedule(S.ScheduleRun(spec=spec, epochs=1, n_train=100, n_test=50, seed=4))
    torch.manual_seed(123)  # a different global state must not change the run
    b = S.train_with_schedule(S.ScheduleRun(spec=spec, epochs=1, n_train=100, n_test=50, seed=4))
    assert a["train_loss"] == b["train_loss"]
    torch.random.set_rng_state(state)


@pytest.mark.parametrize("decay", DECAYS)
@pytest.mark.parametrize("warmup", [0, 3])
def test_designer_specs_match_torch(decay, warmup):
    spec = build_spec(decay, 0.8, 12, warmup, gamma=0.3, power=2.0)
    assert S.schedule_values(spec, 12) == pytest.approx(S.torch_rates(spec, 12), rel=1e-9, abs=1e-12)


# --- exercises: the claims checked on seeds the references did not use ---------------------------------------------

def test_11_11_1_best_constant_rate_on_another_seed():
    loss = {lr: sol.run(sol.constant(lr), seed=2)["train_loss"][-1] for lr in (0.3, 1.0, 2.0)}
    ans = solve("11.11.1").answer
    assert min(loss, key=loss.get) == float(ans["bestLr"]) and loss[2.0] > 2.0  # η = 2 is stuck near ln 10
    assert 0.8 < ans["bestAcc"] < 1 and check("11.11.1", {"bestLr": "2"}).score < 1


def test_11_11_2_larger_exponent_trains_less_on_another_seed():
    area = [sum(S.schedule_values(sol.polynomial(p), sol.EPOCHS)) for p in sol.POWERS]
    assert area == sorted(area, reverse=True)  # Σ η_t falls with p
    low, high = (sol.run(sol.polynomial(p), seed=2)["train_loss"][-1] for p in (0.5, 4.0))
    assert low < 0.7 * high and solve("11.11.2").answer["trend"] == "rises"


def test_11_11_3_verdict_separates_signal_from_noise():
    assert sol.verdict({"a": [0.90, 0.91, 0.89], "b": [0.70, 0.71, 0.69]}) == "a"
    assert sol.verdict({"a": [0.90, 0.86, 0.88], "b": [0.87, 0.89, 0.88]}) == "noise"
    assert solve("11.11.3").answer["small"] == sol.verdict(sol.compare_schedules())


def test_11_11_4_warmup_stabilises_the_high_rate_on_another_seed():
    none, warm = (sol.run(sol.warmup(w), seed=3)["train_loss"][-1] for w in (0, 4))
    assert warm < 0.8 * none and solve("11.11.4").answer["bestWarmup"] == "4"


@pytest.mark.parametrize("seed", [1, 2])
def test_11_11_5_positive_fraction_over_seeds(seed):
    m = sol.TARGET
    exact = 1 - float(m.cdf(torch.zeros(1, dtype=torch.float64)))
    x = torch.linspace(0, 12, 100001, dtype=torch.float64)
    assert float(torch.trapezoid(m.pdf(x), x)) == pytest.approx(exact, abs=1e-6)  # quadrature, not the cdf
    s = sol.sgld_samples(seed=seed)
    assert abs(float((s > 0).double().mean()) - exact) < 0.03
    assert abs(solve("11.11.5").answer["right"] - exact) < 0.03


def test_exercise_widgets_move():
    moves = {"11.11.1": [("select_slider", "lr", 0.3)], "11.11.2": [("select_slider", "power", 2.0)],
             "11.11.3": [("select_slider", "seed", 1)],
             "11.11.4": [("slider", "warmup", 4), ("select_slider", "lr", 1.0)],
             "11.11.5": [("select_slider", "eps", 0.3), ("select_slider", "scale", 0.5), ("toggle", "inject", False)]}
    for ex, steps in moves.items():
        at = open_app("pages/exercise.py", id=ex)
        assert not at.exception
        before = metrics(at)
        for kind, name, value in steps:
            getattr(at, kind)(key=f"w-{ex}-{name}").set_value(value).run()
            assert not at.exception
        assert metrics(at) != before, ex


def _demos() -> None:
    from ui.widgets import sec11_10, sec11_11

    sec11_11.section_demo("demo-11.11")
    sec11_10.section_demo("demo-11.10")


def test_section_demos_move():
    # the two demos alone (the chapter page renders every section of chapter 11)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_demos, default_timeout=120).run()
    assert not at.exception
    before = metrics(at)
    at.selectbox(key="demo-11.11-decay").set_value("polynomial").run()  # enables the exponent
    at.select_slider(key="demo-11.11-power").set_value(2.0)
    at.slider(key="demo-11.11-warmup").set_value(2).run()
    assert not at.exception and metrics(at) != before
    at.selectbox(key="demo-11.11-decay").set_value("factor").run()  # enables γ
    at.select_slider(key="demo-11.11-gamma").set_value(0.3)
    at.select_slider(key="demo-11.11-lr").set_value(0.5)
    at.slider(key="demo-11.11-epochs").set_value(6)
    at.selectbox(key="demo-11.10-objective").set_value("rotated").run()  # several widgets, one rerun
    assert not at.exception
