"""Section 11.10: Adam step for step against torch.optim.Adam (float64; ε outside the square root after bias
correction in both), Yogi against its formula written out in numpy, the bias correction derived with sympy and
checked by simulation, and Reddi et al.'s (2018) counterexample: Adam goes to the worst point, Yogi to the optimum."""

import numpy as np
import pytest
import sympy as sp
import torch

from d2lcore.optim.adam import adam, unbiased_moments, yogi
from d2lcore.optim.trajectory import trajectory


def torch_adam(x0, grad, steps, **hyper):
    p = torch.nn.Parameter(x0.clone())
    opt = torch.optim.Adam([p], **hyper)
    out = []
    for _ in range(steps):
        p.grad = grad(p.detach())
        opt.step()
        out.append(p.detach().clone())
    return torch.stack(out)


@pytest.mark.parametrize("lr, b1, b2, eps, shape", [(0.1, 0.9, 0.999, 1e-6, (3,)), (0.01, 0.0, 0.99, 1e-8, (2, 4)),
                                                    (0.5, 0.5, 0.9, 1e-3, (5,))])
def test_adam_matches_torch(lr, b1, b2, eps, shape):
    g = torch.Generator().manual_seed(1)
    A = torch.rand(shape, generator=g, dtype=torch.float64) + 0.1
    x0 = torch.randn(shape, generator=g, dtype=torch.float64)
    ours = trajectory(adam, lambda x: A * x, x0, 60, lr=lr, beta1=b1, beta2=b2, eps=eps)[1:]
    ref = torch_adam(x0, lambda x: A * x, 60, lr=lr, betas=(b1, b2), eps=eps)
    torch.testing.assert_close(ours, ref, rtol=1e-6, atol=1e-9)


def yogi_numpy(x, grads, lr, b1, b2, eps):
    v, s = np.zeros_like(x), np.zeros_like(x)
    for t, g in enumerate(grads, start=1):
        v = b1 * v + (1 - b1) * g
        s = s + (1 - b2) * g**2 * np.sign(g**2 - s)  # s ← s + (1 − β₂) g² ⊙ sgn(g² − s)
        x = x - lr * (v / (1 - b1**t)) / (np.sqrt(s / (1 - b2**t)) + eps)
    return x


def test_yogi_matches_its_formula():
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(40, 6)) * rng.uniform(0.1, 5, size=6)
    x, state = torch.zeros(6, dtype=torch.float64), ()
    for g in grads:
        x, state = yogi(x, torch.tensor(g), state, lr=0.05, beta1=0.9, beta2=0.99, eps=1e-3)
    np.testing.assert_allclose(x.numpy(), yogi_numpy(np.zeros(6), grads, 0.05, 0.9, 0.99, 1e-3), rtol=1e-10)


def test_bias_correction_with_sympy_and_by_simulation():
    beta, t, i = sp.symbols("beta t i", positive=True)
    weights = sp.summation((1 - beta) * beta ** (t - i), (i, 1, t))  # E[v_t] / E[g] for stationary g
    assert sp.simplify(weights - (1 - beta**t)) == 0
    gen = torch.Generator().manual_seed(0)
    g = 2.0 + torch.randn(10, 20000, generator=gen, dtype=torch.float64)  # (T, samples), E[g] = 2
    corrected, rewritten = unbiased_moments(g, beta=0.9)
    torch.testing.assert_close(corrected, rewritten)
    assert (corrected.mean(-1) - 2.0).abs().max() < 0.05  # unbiased at every t, from t = 1


def reddi_run(update, steps=1000, seeds=100, C=5.0, **hyper):
    """f_t(x) = C x with probability 1/3, −x otherwise, x ∈ [−1, 1]: E f = (C − 2)/3 · x, optimum x = −1."""
    g = torch.Generator().manual_seed(0)
    x, state = torch.zeros(seeds, dtype=torch.float64), ()
    for _ in range(steps):
        big = torch.rand(seeds, generator=g, dtype=torch.float64) < 1 / 3
        grad = torch.where(big, C, -1.0).to(torch.float64)
        x, state = update(x, grad, state, **hyper)
        x = x.clamp(-1, 1)  # projection onto the feasible set
    return x


def test_adam_fails_and_yogi_converges_on_reddis_problem():
    hyper = dict(lr=0.01, beta1=0.0, beta2=1 / 26, eps=1e-8)  # β₂ = 1/(1 + C²)
    xa, xy = reddi_run(adam, **hyper), reddi_run(yogi, **hyper)
    assert xa.mean() > 0.9 and xy.mean() < -0.8  # Adam at the worst point, Yogi near the optimum
