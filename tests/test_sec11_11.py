"""Section 11.11: every schedule against torch.optim.lr_scheduler over every step and against its sympy closed form
(η_t is the rate after t scheduler steps), properties with hypothesis, and SGLD on a bimodal 1-D target checked by
its moments and the Kolmogorov–Smirnov distance over seeds."""

import math

import pytest
import sympy as sp
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from d2lcore import schedules as S
from d2lcore.sgld import Mixture, ks_distance, sgld

SPECS = [dict(name="factor", base_lr=0.3, factor=0.9, step_size=3),
         dict(name="multifactor", base_lr=0.5, milestones=[5, 12], factor=0.3),
         dict(name="polynomial", base_lr=0.4, total=20, power=2.0),
         dict(name="cosine", base_lr=0.4, total=20, final_lr=0.01),
         dict(name="warmup", base_lr=0.4, warmup=5, start_lr=0.004),
         dict(name="cosine_warmup", base_lr=0.4, total=20, warmup=5, final_lr=0.01, start_lr=0.004),
         dict(name="chain", parts=[dict(name="warmup", base_lr=0.4, warmup=4, start_lr=0.04),
                                   dict(name="factor", base_lr=0.4, factor=0.8)], milestones=[4])]


def torch_rates(spec, steps):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=S.base_lr(spec))
    sched = S.torch_scheduler(spec, opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


@pytest.mark.parametrize("spec", SPECS, ids=[s["name"] for s in SPECS])
def test_schedule_matches_torch_at_every_step(spec):
    steps = 21  # torch's cosine climbs again after T_max and PolynomialLR ends at 0: compare up to T
    assert S.schedule_values(spec, steps) == pytest.approx(torch_rates(spec, steps), rel=1e-9, abs=1e-12)


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
