"""Section 11.3 and the shared chapter-11 modules: objectives against autograd, update rules against torch.optim.SGD
step for step in float64, Newton and diagonal preconditioning against closed forms, the contour helper against the
level sets it draws; the 11.3 reference answers checked another way; the widgets moved."""

import math

import numpy as np
import pytest
import sympy
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from d2lcore.optim import gd, minibatch, objectives, trajectory
from exercises import check
from solutions import solve, variant_params
from tests.apptest import open_app
from ui.widgets import optim_plot

SEEDS = [0, 1, 2, 77]
OBJECTIVES = [pytest.param(objectives.quadratic(7.0, 30.0), id="quadratic"),
              pytest.param(objectives.rosenbrock(), id="rosenbrock"),
              pytest.param(objectives.saddle(), id="saddle"),
              pytest.param(objectives.xcos(0.5), id="xcos")]


def _points(obj, k=5, seed=0):
    d = len(obj.minimum)
    return torch.rand(k, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) * 2 - 1


# --- objectives ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("obj", OBJECTIVES)
def test_gradient_and_hessian_match_autograd(obj):
    x = _points(obj).requires_grad_(True)
    (g,) = torch.autograd.grad(obj.f(x).sum(), x)
    assert torch.allclose(obj.grad(x), g, atol=1e-10)
    H = torch.stack([torch.autograd.functional.hessian(lambda z: obj.f(z), xi) for xi in x.detach()])
    assert torch.allclose(obj.hessian(x.detach()), H, atol=1e-8)


@pytest.mark.parametrize("obj", OBJECTIVES)
def test_minimum_is_stationary(obj):
    assert torch.allclose(obj.grad(obj.minimum), torch.zeros_like(obj.minimum), atol=1e-9)


@pytest.mark.parametrize("kappa, angle", [(1.0, 0.0), (10.0, 45.0), (50.0, 17.0)])
def test_quadratic_has_eigenvalues_one_and_kappa(kappa, angle):
    ev = torch.linalg.eigvalsh(objectives.quadratic_matrix(kappa, angle))
    assert torch.allclose(ev, torch.tensor([1.0, kappa], dtype=torch.float64))


def test_xcos_minimum_is_the_lowest_point_of_its_window():
    obj = objectives.xcos(0.5)
    grid = torch.linspace(*obj.xlim, 20001, dtype=torch.float64).unsqueeze(-1)
    assert float(obj.f(obj.minimum.unsqueeze(0))) <= float(obj.f(grid).min()) + 1e-9
    assert float(obj.hessian(obj.minimum)[0, 0]) > 0


# --- update rules ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", [gd.gd, gd.sgd])
@pytest.mark.parametrize("lr", [0.01, 0.3])
def test_gd_and_sgd_match_torch_sgd_step_for_step(rule, lr):
    gen = torch.Generator().manual_seed(1)
    A = torch.randn(4, 4, generator=gen, dtype=torch.float64)
    A = A @ A.T / 4 + torch.eye(4, dtype=torch.float64)
    noise = torch.randn(20, 4, generator=gen, dtype=torch.float64)
    x = torch.randn(4, generator=gen, dtype=torch.float64)
    p = x.clone().requires_grad_(True)
    opt = torch.optim.SGD([p], lr=lr)
    state = ()
    for t in range(20):
        opt.zero_grad()
        (0.5 * p @ A @ p + noise[t] @ p).backward()
        opt.step()
        x, state = rule(x, A @ x + noise[t], state, lr=lr)
        assert torch.allclose(x, p.detach(), atol=1e-6, rtol=0)


def test_update_rules_do_not_mutate_their_inputs():
    x, g = torch.ones(3, 2, dtype=torch.float64), torch.full((3, 2), 0.5, dtype=torch.float64)
    H = torch.eye(2, dtype=torch.float64) * 2
    for rule, kw in [(gd.gd, {}), (gd.sgd, {}), (gd.newton, {"hessian": H}),
                     (gd.preconditioned_gd, {"diag": torch.tensor([2.0, 3.0], dtype=torch.float64)})]:
        rule(x, g, (), lr=0.1, **kw)
        assert torch.equal(x, torch.ones(3, 2, dtype=torch.float64)) and torch.equal(g, torch.full((3, 2), 0.5,
                                                                                                   dtype=torch.float64))


@pytest.mark.parametrize("angle", [0.0, 30.0, 45.0])
def test_newton_solves_a_quadratic_in_one_step(angle):
    obj = objectives.quadratic(25.0, angle)
    x0 = _points(obj, 6)
    x1, _ = gd.newton(x0, obj.grad(x0), lr=1.0, hessian=obj.hessian)
    assert torch.allclose(x1, torch.zeros_like(x1), atol=1e-12)


def test_newton_with_a_fixed_matrix_equals_the_callable():
    obj = objectives.rosenbrock()
    x = torch.tensor([-0.5, 0.7], dtype=torch.float64)
    a, _ = gd.newton(x, obj.grad(x), lr=0.5, hessian=obj.hessian)
    b, _ = gd.newton(x, obj.grad(x), lr=0.5, hessian=obj.hessian(x))
    assert torch.allclose(a, b) and torch.allclose(a, x - 0.5 * torch.linalg.inv(obj.hessian(x)) @ obj.grad(x))


@settings(max_examples=40, deadline=None)
@given(st.floats(1.0, 100.0), st.floats(0.05, 1.0))
def test_diagonal_preconditioning_is_gd_in_rescaled_coordinates(kappa, lr):
    """x − η g / d equals z − η ∇_z f with x = z / √d: preconditioning is a change of variables."""
    obj = objectives.quadratic(kappa, 0.0)
    d = torch.tensor([1.0, kappa], dtype=torch.float64)
    x0 = torch.tensor([1.0, -1.0], dtype=torch.float64)
    xs = trajectory.trajectory(gd.preconditioned_gd, obj.grad, x0, 5, lr=lr, diag=d)
    z = x0 * d.sqrt()
    for t in range(5):
        z = z - lr * obj.grad(z / d.sqrt()) / d.sqrt()
        assert torch.allclose(xs[t + 1], z / d.sqrt(), atol=1e-10)


def test_trajectory_shape_and_batch_of_starting_points():
    obj = objectives.quadratic(5.0, 20.0)
    x0 = _points(obj, 7)
    xs = trajectory.trajectory(gd.gd, obj.grad, x0, 12, lr=0.1)
    assert xs.shape == (13, 7, 2) and torch.equal(xs[0], x0)
    single = trajectory.trajectory(gd.gd, obj.grad, x0[3], 12, lr=0.1)
    assert torch.allclose(xs[:, 3], single)


@pytest.mark.parametrize("method,lr,steps", [("gd", 0.05, 1), ("gd", 0.019, 2000), ("precond", 1.0, 2000),
                                              ("precond_abs", 0.5, 37), ("gd", 0.021, 300)])
@pytest.mark.parametrize("kappa,angle", [(20.0, 45.0), (100.0, 0.0), (3.0, 80.0)])
def test_linear_trajectory_equals_stepping_the_update_rule(method, lr, steps, kappa, angle):
    """The widgets' doubling route for a quadratic against `trajectory` stepping gd / preconditioned_gd (the last
    case diverges for κ = 100: the two must agree on the growth too)."""
    from ui.widgets.sec11_3 import run_method

    obj, A = objectives.quadratic(kappa, angle), objectives.quadratic_matrix(kappa, angle)
    x0 = objectives.rotation(angle) @ torch.tensor([2.0, 1.5], dtype=torch.float64)
    fast, slow = run_method(obj, method, x0, steps, lr, A), run_method(obj, method, x0, steps, lr)
    scale = slow.norm(dim=-1, keepdim=True) + 1e-12 * x0.norm()  # relative, until the iterates reach rounding level
    assert fast.shape == slow.shape == (steps + 1, 2) and ((fast - slow).abs() / scale).max() < 1e-9
    assert gd.steps_to_shrink(fast) == gd.steps_to_shrink(slow)


def test_linear_trajectory_of_a_batch_is_each_start_alone():
    M = torch.tensor([[0.9, 0.2], [-0.1, 0.7]], dtype=torch.float64)
    x0 = _points(objectives.quadratic(), 4)
    xs = trajectory.linear_trajectory(M, x0, 9)
    assert xs.shape == (10, 4, 2) and torch.allclose(xs[:, 2], trajectory.linear_trajectory(M, x0[2], 9))
    assert torch.allclose(xs[9], x0 @ torch.linalg.matrix_power(M, 9).T)


def test_stochastic_trajectory_with_zero_noise_is_gd_and_noise_is_seeded():
    obj = objectives.quadratic(2.0)
    x0 = torch.ones(4, 2, dtype=torch.float64)
    plain = trajectory.trajectory(gd.gd, obj.grad, x0, 10, lr=0.1)
    quiet = trajectory.stochastic_trajectory(gd.sgd, obj.grad, x0, 10, 0.0, torch.Generator().manual_seed(0), lr=0.1)
    assert torch.allclose(plain, quiet)
    a = trajectory.stochastic_trajectory(gd.sgd, obj.grad, x0, 10, 1.0, torch.Generator().manual_seed(3), lr=0.1)
    b = trajectory.stochastic_trajectory(gd.sgd, obj.grad, x0, 10, 1.0, torch.Generator().manual_seed(3), lr=0.1)
    assert torch.equal(a, b) and not torch.allclose(a[:, 0], a[:, 1])


def test_stochastic_trajectory_uses_the_schedule_from_step_one():
    obj = objectives.quadratic(1.0)  # ∇f = x
    x0 = torch.ones(2, dtype=torch.float64)
    xs = trajectory.stochastic_trajectory(gd.sgd, obj.grad, x0, 3, 0.0, torch.Generator(), lambda t: 1 / t, lr=0.5)
    expected = [1.0, 0.5, 0.5 * (1 - 0.25), 0.375 * (1 - 0.5 / 3)]
    assert torch.allclose(xs[:, 0], torch.tensor(expected, dtype=torch.float64))


# --- minibatch training (shared with 11.5) ---------------------------------------------------------------------------


def test_minibatch_gradient_matches_autograd():
    X, y = (t.double() for t in minibatch.get_data_ch11(64, seed=2).tensors)
    w = torch.randn(5, 1, dtype=torch.float64, requires_grad=True)
    b = torch.randn(1, dtype=torch.float64, requires_grad=True)
    _, g_w, g_b = minibatch.squared_loss_grad(X, y, w.detach(), b.detach())
    gw, gb = torch.autograd.grad(0.5 * ((X @ w + b - y) ** 2).mean(), (w, b))
    assert torch.allclose(g_w, gw) and torch.allclose(g_b, gb)


def test_train_ch11_full_batch_matches_torch_linear_with_sgd():
    data = minibatch.get_data_ch11(200, seed=1, dtype=torch.float64)
    X, y = data.tensors
    df = minibatch.train_ch11(gd.gd, {"lr": 0.3}, data, batch_size=200, epochs=15, eval_every=200)
    w0 = 0.01 * torch.randn(5, 1, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    net = torch.nn.Linear(5, 1).double()
    with torch.no_grad():
        net.weight.copy_(w0.T)
        net.bias.zero_()
    opt = torch.optim.SGD(net.parameters(), lr=0.3)
    losses = []
    for _ in range(15):
        opt.zero_grad()
        loss = 0.5 * ((net(X) - y) ** 2).mean()
        loss.backward()
        opt.step()
        with torch.no_grad():
            losses.append(float(0.5 * ((net(X) - y) ** 2).mean()))
    assert np.allclose(df.loss.to_numpy()[1:], losses, atol=1e-6)


def test_data_is_standardised_and_least_squares_is_the_floor():
    data = minibatch.get_data_ch11()
    X, y = data.tensors
    assert X.shape == (1500, 5) and y.shape == (1500, 1)
    assert torch.allclose(X.mean(0), torch.zeros(5), atol=1e-5) and torch.allclose(X.std(0, correction=0),
                                                                                    torch.ones(5), atol=1e-4)
    floor = minibatch.least_squares_loss(data)
    assert 0.2 < floor < 0.3
    df = minibatch.train_ch11(gd.sgd, {"lr": 0.05}, data, 10, 3)
    assert df.loss.iloc[-1] >= floor - 1e-6 and df.loss.iloc[-1] < floor + 0.02


def test_train_ch11_columns_and_records():
    data = minibatch.get_data_ch11(300)
    df = minibatch.train_ch11(gd.sgd, {"lr": 0.05}, data, 10, 2, eval_every=100)
    assert list(df.columns) == ["epoch", "examples_seen", "seconds", "loss"]
    assert df.examples_seen.tolist() == list(range(0, 601, 100)) and df.seconds.is_monotonic_increasing
    assert df.epoch.iloc[-1] == pytest.approx(2.0)


# --- the contour helper ---------------------------------------------------------------------------------------------


def test_contour_segments_lie_on_their_level_sets():
    obj = objectives.quadratic(4.0, 30.0)
    xs, ys, Z = optim_plot._grid(obj, 80)
    seg = optim_plot.contour_segments(xs, ys, Z, [0.5, 2.0])
    ends = torch.tensor(np.concatenate([seg[["x", "y"]].to_numpy(), seg[["x2", "y2"]].to_numpy()]))
    levels = torch.tensor(np.concatenate([seg.level.to_numpy()] * 2))
    assert len(seg) > 50 and torch.allclose(obj.f(ends), levels, atol=0.02)


def test_charts_build_and_drop_diverging_points():
    obj = objectives.saddle()
    path = trajectory.trajectory(gd.gd, obj.grad, torch.tensor([1.0, 0.1], dtype=torch.float64), 40, lr=0.6)
    frame = optim_plot.paths_frame({"gd": path}, obj.xlim, obj.ylim)
    assert 0 < len(frame) < 41
    assert optim_plot.contour_chart(obj, {"gd": path}).to_dict()["layer"]
    assert optim_plot.loss_chart({"gd": obj.f(path)}, log=False).to_dict()
    x = objectives.xcos()
    assert optim_plot.curve_chart(x, {"newton": torch.tensor([[2.0], [1.7]])}).to_dict()


# --- 11.3 reference answers, checked another way ------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_11_3_1_bounds_by_simulation(seed):
    p, ans = variant_params("11.3.1", seed), solve("11.3.1", seed).answer
    lam, eta = p["lam"], p["eta"]
    run = [10.0]
    for _ in range(10):
        run.append(run[-1] - eta * lam * run[-1])  # f'(x) = λx
    assert ans["x10"] == pytest.approx(run[-1]) and ans["x10"] == pytest.approx(10 * (1 - eta * lam) ** 10)
    for rate, converges in [(0.99 * ans["etaMax"], True), (1.01 * ans["etaMax"], False)]:
        x = torch.tensor([10.0], dtype=torch.float64)
        xs = trajectory.trajectory(gd.gd, lambda z: lam * z, x, 3000, lr=rate)
        assert (abs(float(xs[-1])) < 1.0) == converges
    assert abs(10 - ans["etaOne"] * lam * 10) < 1e-12


def test_11_3_2a_derivative_sign_by_sympy():
    x = sympy.Symbol("x")
    fp = sympy.diff(sympy.log(sympy.exp(x) + sympy.exp(-2 * x - 3)), x).subs(x, 0)
    ans = solve("11.3.2a").answer
    assert (fp > 0) and ans["half"] == "left" and ans["need"] == "sign"
    assert check("11.3.2a", {"need": "sign", "half": "left"}).correct


@pytest.mark.parametrize("seed", SEEDS)
def test_11_3_2b_steps_by_formula(seed):
    p = variant_params("11.3.2b", seed)
    steps = solve("11.3.2b", seed).answer["steps"]
    assert steps == math.ceil(math.log2((p["b"] - p["a"]) / p["tol"]))
    assert check("11.3.2b", {"width": "L*2^(-k)", "steps": str(steps)}, seed).correct


def test_11_3_2c_against_sympy_closed_form():
    x = sympy.Symbol("x")
    f = sympy.log(sympy.exp(x) + sympy.exp(-2 * x - 3))
    x_star = sympy.nsolve(sympy.diff(f, x), x, 0)
    ans = solve("11.3.2c").answer
    assert ans["xstar"] == pytest.approx(float(x_star), abs=1e-8)
    assert ans["xstar"] == pytest.approx(math.log(2) / 3 - 1, abs=1e-8)
    assert ans["fmin"] == pytest.approx(float(f.subs(x, x_star)), abs=1e-8)
    assert check("11.3.2c", {"xstar": "log(2)/3 - 1", "fmin": "log(2)/3 - 1 + log(3/2)"}).correct


@pytest.mark.parametrize("seed", SEEDS)
def test_11_3_3_rate_by_grid_search_and_steps_by_formula(seed):
    kappa = variant_params("11.3.3", seed)["kappa"]
    ans = solve("11.3.3", seed).answer
    etas = np.linspace(1e-4, 2 / kappa, 200001)
    factor = np.maximum(abs(1 - etas), abs(1 - etas * kappa))
    assert ans["etaOpt"] == pytest.approx(etas[factor.argmin()], rel=1e-3)
    assert ans["rate"] == pytest.approx(factor.min(), rel=1e-4)
    assert ans["steps"] == math.ceil(math.log(1e3) / math.log(1 / ans["rate"]) - 1e-9)


def test_11_3_3_steps_do_not_depend_on_the_start():
    obj = objectives.quadratic(100.0)
    eta = solve("11.3.3").answer["etaOpt"]
    starts = torch.tensor([[1.0, 1.0], [3.0, -0.2], [0.1, 5.0]], dtype=torch.float64)
    xs = trajectory.trajectory(gd.gd, obj.grad, starts, 400, lr=eta)
    counts = {gd.steps_to_shrink(xs[:, i], 1e-3) for i in range(3)}
    assert counts == {solve("11.3.3").answer["steps"]}


@pytest.mark.parametrize("seed", SEEDS)
def test_11_3_4a_step_by_hand_with_autograd_hessian(seed):
    p = variant_params("11.3.4a", seed)
    A = torch.tensor([[p["a11"], p["a12"]], [p["a12"], p["a22"]]], dtype=torch.float64)
    x = torch.tensor([p["x1"], p["x2"]], dtype=torch.float64)
    H = torch.autograd.functional.hessian(lambda z: 0.5 * z @ A @ z, x)
    g = torch.func.grad(lambda z: 0.5 * z @ A @ z)(x)
    expected = x - g / torch.diagonal(H)
    assert solve("11.3.4a", seed).answer["xnew"] == pytest.approx(expected.tolist())


@pytest.mark.parametrize("seed", SEEDS)
def test_11_3_4b_signed_step_climbs_absolute_step_descends(seed):
    x0 = variant_params("11.3.4b", seed)["x0"]
    ans = solve("11.3.4b", seed).answer
    f = lambda v: v * math.cos(v / 2)  # noqa: E731
    h = 1e-4
    d1 = (f(x0 + h) - f(x0 - h)) / (2 * h)
    d2 = (f(x0 + h) - 2 * f(x0) + f(x0 - h)) / h**2
    assert d2 < 0
    assert ans["xsigned"] == pytest.approx(x0 - d1 / d2, rel=1e-5) and ans["xabs"] == pytest.approx(x0 + d1 / d2,
                                                                                                    rel=1e-5)
    assert f(ans["xabs"]) < f(x0) < f(ans["xsigned"]) and ans["downhill"] == "abs"


@pytest.mark.parametrize("seed", SEEDS)
def test_11_3_4c_and_11_3_5_closed_forms(seed):
    kappa = variant_params("11.3.4c", seed)["kappa"]
    c, r = solve("11.3.4c", seed).answer, solve("11.3.5", seed).answer
    A = objectives.quadratic_matrix(kappa, 45.0)
    assert torch.allclose(torch.diagonal(A), torch.full((2,), (1 + kappa) / 2, dtype=torch.float64))
    rate = (kappa - 1) / (kappa + 1)  # dividing by (1+κ)/2 is GD with η = 2/(1+κ)
    assert r["stepsRot"] == math.ceil(math.log(1e3) / math.log(1 / rate) - 1e-9) == c["stepsGD"]
    assert c["stepsPre"] == 1 and r["stepsNewton"] == 1 and r["helps"] == "no"


# --- widgets -------------------------------------------------------------------------------------------------------


def test_explorer_moves_through_every_objective_and_method():
    at = open_app("pages/exercise.py", id="11.3.1")
    assert not at.exception
    key = "w-11.3.1"
    at.select_slider(key=f"{key}-lr").set_value(1.0).run()
    assert not at.exception
    at.selectbox(key=f"{key}-obj").set_value("rosenbrock").run()
    at.slider(key=f"{key}-steps").set_value(60).run()
    assert not at.exception
    at.selectbox(key=f"{key}-obj").set_value("quadratic").run()
    at.slider(key=f"{key}-kappa").set_value(30.0).run()
    at.slider(key=f"{key}-angle").set_value(45).run()
    at.multiselect(key=f"{key}-methods").set_value(["gd", "precond", "precond_abs"]).run()
    assert not at.exception
    at.selectbox(key=f"{key}-obj").set_value("xcos").run()
    at.selectbox(key=f"{key}-obj").set_value("saddle").run()
    assert not at.exception and any("f =" in c.value for c in at.caption)


def _widget_keys(at, prefix):
    return [w.key for kind in ("slider", "select_slider", "selectbox") for w in getattr(at, kind)
            if w.key and w.key.startswith(prefix)]


@pytest.mark.parametrize("ex_id, moves", [
    ("11.3.1", {"lr": 0.5, "steps": 10}),
    ("11.3.2a", {"a": -3.0, "b": 1.0, "k": 20}),
    ("11.3.3", {"kappa": 20.0, "rel": 0.5}),
    ("11.3.4b", {"obj": "xcos", "lr": 1.0}),
    ("11.3.5", {"angle": 0, "kappa": 50.0}),
])
def test_exercise_widgets_move(ex_id, moves):
    at = open_app("pages/exercise.py", id=ex_id)
    assert not at.exception
    for name, value in moves.items():
        widget = next(w for kind in ("slider", "select_slider", "selectbox") for w in getattr(at, kind)
                      if w.key and w.key.endswith(f"-{name}"))
        before = [m.value for m in at.metric] + [c.value for c in at.caption]
        widget.set_value(value).run()
        assert not at.exception
        after = [m.value for m in at.metric] + [c.value for c in at.caption]
        assert before != after or not at.metric
