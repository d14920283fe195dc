"""Section 11.7: AdaGrad against torch.optim.Adagrad step for step, its rotation dependence against gradient
descent's invariance, Gershgorin references against eigenvalues, the training experiment re-run on other seeds; the
widgets moved on the pages."""

import math

import pytest
import sympy
import torch

from d2lcore.optim.adagrad import adagrad, adagrad_power, effective_rate
from d2lcore.optim.gd import gd
from d2lcore.optim.momentum import ill_conditioned_quadratic
from solutions import solve, variant_params
from solutions.ch11_s7 import NET, rotation_runs, train_net
from tests.apptest import metrics, open_app
from tests.test_sec11_6 import our_steps, torch_steps

SEEDS = [0, 1, 2, 77]


@pytest.mark.parametrize("seed, lr", [(0, 0.1), (1, 0.5), (2, 1.0)])
def test_adagrad_matches_torch_with_tiny_eps(seed, lr):
    """The book puts ε inside the root, torch outside: with ε → 0 on both sides they agree."""
    gen = torch.Generator().manual_seed(seed)
    x0, grads = torch.randn(5, generator=gen, dtype=torch.float64), torch.randn(40, 5, generator=gen,
                                                                                dtype=torch.float64)
    ours = our_steps(adagrad, x0, grads, lr=lr, eps=1e-30)
    theirs = torch_steps(torch.optim.Adagrad, x0, grads, lr=lr, eps=1e-15)
    assert torch.allclose(ours, theirs, atol=1e-6, rtol=0)


def test_adagrad_with_the_book_eps_differs_from_torch_only_by_where_eps_sits():
    gen = torch.Generator().manual_seed(0)
    x0, grads = torch.zeros(3, dtype=torch.float64), 1e-3 * torch.randn(5, 3, generator=gen, dtype=torch.float64)
    ours, theirs = our_steps(adagrad, x0, grads, lr=0.1), torch_steps(torch.optim.Adagrad, x0, grads, lr=0.1, eps=1e-6)
    assert not torch.allclose(ours, theirs, atol=1e-6)  # tiny gradients: √(s+ε) ≠ √s + ε


def test_power_one_half_is_adagrad_and_the_rate_formula():
    g = torch.linspace(0.5, 2.0, 10, dtype=torch.float64)
    a = our_steps(adagrad, torch.zeros(1, dtype=torch.float64), g[:, None], lr=0.3)
    b = our_steps(adagrad_power, torch.zeros(1, dtype=torch.float64), g[:, None], lr=0.3, power=0.5)
    assert torch.allclose(a, b)
    steps = -torch.diff(torch.cat([torch.zeros(1, 1, dtype=torch.float64), a]), dim=0)[:, 0]
    assert torch.allclose(steps, effective_rate(g, 0.3) * g)


def test_gd_is_rotation_invariant_and_adagrad_is_not():
    g, a = rotation_runs(gd, 20, lr=0.2), rotation_runs(adagrad, 20, lr=0.4)
    assert torch.allclose(g["original"], g["pure"], atol=1e-12)
    assert (a["original"] - a["pure"]).abs().max() > 0.1


def test_11_7_1_reference_on_random_orthogonal_matrices():
    a, b, t = sympy.symbols("a b t")
    f = sympy.lambdify((a, b, t), solve("11.7.1").answer["norm2"])
    gen = torch.Generator().manual_seed(0)
    for _ in range(10):
        U, _ = torch.linalg.qr(torch.randn(5, 5, generator=gen, dtype=torch.float64))
        c, d = torch.randn(5, generator=gen, dtype=torch.float64), torch.randn(5, generator=gen, dtype=torch.float64)
        assert float((U @ c - U @ d).norm()) == pytest.approx(float((c - d).norm()), rel=1e-12)
    assert f(0.3, -1.2, 0.7) == pytest.approx(0.3**2 + 1.2**2)


def check_rotation_reference(exercise_id, opt_cls, kw):
    """Re-run the rotated-quadratic experiment with a torch optimiser on autograd gradients (also used by 11.8.2)."""
    ans = solve(exercise_id).answer
    for rotated, key in ((False, "fOrig"), (True, "fRot")):
        f = ill_conditioned_quadratic(rotated=rotated)
        p = torch.nn.Parameter(torch.tensor([-5.0, -2.0], dtype=torch.float64))
        opt = opt_cls([p], **kw)
        for _ in range(20):
            opt.zero_grad()
            f.f(p).backward()
            opt.step()
        assert float(f.f(p.detach())) == pytest.approx(ans[key], rel=0.01)
    H = torch.autograd.functional.hessian(ill_conditioned_quadratic(rotated=True).f, torch.zeros(2,
                                                                                               dtype=torch.float64))
    assert torch.allclose(torch.linalg.eigvalsh(H), torch.tensor(ans["hess"], dtype=torch.float64))
    assert ans["behaves"] == "slower"


def test_11_7_2_reference_with_torch_autograd():
    check_rotation_reference("11.7.2", torch.optim.Adagrad, {"lr": 0.4, "eps": 1e-10})


@pytest.mark.parametrize("seed", SEEDS)
def test_11_7_3_every_eigenvalue_lies_in_a_disc(seed):
    M = torch.tensor(variant_params("11.7.3", seed)["M"], dtype=torch.float64)
    ans = solve("11.7.3", seed).answer
    radii = torch.tensor([sum(abs(float(M[j, k])) for k in range(3) if k != j) for j in range(3)])
    assert torch.allclose(torch.tensor(ans["radii"]).float(), radii.float())
    for z in torch.linalg.eigvals(M):
        assert any(abs(complex(z) - float(M[j, j])) <= ans["radii"][j] + 1e-9 for j in range(3))
        assert complex(z).real <= ans["bound"] + 1e-9


@pytest.mark.parametrize("seed", SEEDS)
def test_11_7_4_preconditioned_matrix(seed):
    M = torch.tensor(variant_params("11.7.4", seed)["M"], dtype=torch.float64)
    ans = solve("11.7.4", seed).answer
    D = torch.diag(torch.diagonal(M) ** -0.5)
    P = D @ M @ D
    assert torch.allclose(torch.diagonal(P), torch.ones(3, dtype=torch.float64)) and ans["centre"] == 1.0
    radii = (P.abs().sum(1) - 1).tolist()
    assert ans["radii"] == pytest.approx(radii, rel=1e-9)
    ev = torch.linalg.eigvalsh(P)
    assert float(ev.min()) >= 1 - max(radii) - 1e-9 and float(ev.max()) <= 1 + max(radii) + 1e-9
    sym = {s.name: s for s in ans["entry"].free_symbols}
    value = ans["entry"].subs({sym["Mjk"]: M[0, 1].item(), sym["Mjj"]: M[0, 0].item(), sym["Mkk"]: M[1, 1].item()})
    assert float(value) == pytest.approx(float(P[0, 1]))


def test_11_7_5_conclusion_holds_on_another_seed():
    ans = solve("11.7.5").answer
    assert ans["better"] == "adagrad" and 0.8 < ans["acc"] <= 1.0
    kw = {**NET, "epochs": 4}
    sgd, ada = train_net("sgd", seed=1, **kw), train_net("adagrad", seed=1, **kw)
    assert ada["train_loss"][-1] < 0.7 * sgd["train_loss"][-1] and not math.isnan(ada["test_acc"][-1])


# --- pages -----------------------------------------------------------------------------------------------------------

def test_rotation_and_disc_widgets_move():
    at = open_app("pages/exercise.py", id="11.7.2")
    m = metrics(at)
    assert not at.exception and float(m["f after 20 steps, pure rotation"]) > float(m["f after 20 steps, original"])
    at.slider(key="w-11.7.2-lr").set_value(0.8)
    at.toggle(key="w-11.7.2-rotate").set_value(False)
    at.run()
    assert not at.exception and metrics(at)["f after 20 steps, original"] != m["f after 20 steps, original"]
    at = open_app("pages/exercise.py", id="11.7.3")
    assert metrics(at)["Every eigenvalue in some disc"] == "yes"
    at.slider(key="w-11.7.3-s").set_value(2.5).run()
    assert not at.exception and metrics(at)["Every eigenvalue in some disc"] == "yes"
    at = open_app("pages/exercise.py", id="11.7.4")
    before = metrics(at)["Condition number before"]
    at.slider(key="w-11.7.4-scale").set_value(3.0).run()
    m = metrics(at)
    assert not at.exception and m["Condition number before"] != before
    assert float(m["Condition number after"]) < float(m["Condition number before"])


def test_network_and_decay_widgets_move():
    at = open_app("pages/exercise.py", id="11.7.5")
    assert not at.exception and float(metrics(at)["Test accuracy, AdaGrad"]) > 0.8
    at.select_slider(key="w-11.7.5-lr").set_value(0.03)
    at.slider(key="w-11.7.5-epochs").set_value(3)
    at.run()
    assert not at.exception
    at = open_app("pages/exercise.py", id="11.7.6")
    at.slider(key="w-11.7.6-p").set_value(0.1)
    at.slider(key="w-11.7.6-gamma").set_value(0.99)
    at.run()
    assert not at.exception
