"""Numerical stability and initialisation (zh-v2 §4.8): vanishing and exploding gradients per layer, the variance
argument behind Xavier and Kaiming initialisation (derived with sympy, checked by simulation), products of random
matrices, and the symmetry of hidden units that a constant initialisation never breaks.

One layer o = W x with n_in independent inputs of variance γ² and weights of variance σ² gives
Var(o) = n_in σ² γ²; keeping the variance of the forward signal (n_in σ² = 1) and of the backward gradient
(n_out σ² = 1) at once is impossible unless n_in = n_out, so Xavier takes σ² = 2 / (n_in + n_out).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sympy
import torch
from sympy import stats
from torch import Tensor, nn

from d2lcore import data as d2ldata
from d2lcore.mlp import linear_layers, mlp_net
from d2lcore.train import History, train

# --- the variance argument, in sympy (§4.8.2) -------------------------------------------------------------------------

n_in, n_out, n, sigma, gamma, a = sympy.symbols("n_in n_out n sigma gamma a", positive=True)


def linear_output_variance() -> sympy.Expr:
    """Var(o) = Σ_{j=1}^{n_in} Var(w_j x_j) = n_in σ² γ²  for independent w_j ~ N(0, σ²), x_j ~ N(0, γ²).

    sympy.stats computes Var(w x) = E[w²] E[x²] for one term; the n_in terms are independent and add up."""
    w, x = stats.Normal("w", 0, sigma), stats.Normal("x", 0, gamma)
    return sympy.simplify(n_in * stats.variance(w * x))


def xavier_variance() -> sympy.Expr:
    """σ² = 2 / (n_in + n_out): the solution of ½ (n_in + n_out) σ² = 1, the average of the forward condition
    n_in σ² = 1 and the backward condition n_out σ² = 1."""
    s2 = sympy.Symbol("s2", positive=True)
    forward = linear_output_variance().subs({sigma**2: s2, gamma: 1})  # n_in σ²
    backward = forward.subs(n_in, n_out)  # the gradient flows through Wᵀ: n_out σ²
    return sympy.solve(sympy.Eq((forward + backward) / 2, 1), s2)[0]


def uniform_bound_for_variance(variance: sympy.Expr) -> sympy.Expr:
    """U(−a, a) has variance ∫ x² / (2a) dx over [−a, a] = a² / 3, so a = √(3 σ²); Xavier: a = √(6 / (n_in + n_out))."""
    x = sympy.Symbol("x", real=True)
    var_uniform = sympy.integrate(x**2 / (2 * a), (x, -a, a))
    return sympy.solve(sympy.Eq(var_uniform, variance), a)[0]


def relu_second_moment() -> sympy.Expr:
    """E[ReLU(z)²] = ∫₀^∞ z² φ(z; 0, s²) dz = s² / 2: a ReLU keeps half of the second moment."""
    z = sympy.Symbol("z", real=True)
    density = sympy.exp(-z**2 / (2 * gamma**2)) / sympy.sqrt(2 * sympy.pi * gamma**2)
    return sympy.simplify(sympy.integrate(z**2 * density, (z, 0, sympy.oo)))


def kaiming_variance() -> sympy.Expr:
    """σ² = 2 / n_in: the solution of n_in σ² E[ReLU(z)²] / Var(z) = n_in σ² / 2 = 1 (He et al. 2015)."""
    s2 = sympy.Symbol("s2", positive=True)
    halving = relu_second_moment() / gamma**2  # 1/2
    return sympy.solve(sympy.Eq(n_in * s2 * halving, 1), s2)[0]


def preserving_variance(activation: str = "linear") -> sympy.Expr:
    """The weight variance σ² that keeps E‖W x‖² = ‖x‖² for a square layer of width n: 1/n (linear), 2/n (ReLU)."""
    s2 = kaiming_variance() if activation == "relu" else xavier_variance()
    return sympy.simplify(s2.subs({n_in: n, n_out: n}))


def squared_norm_growth_log10(width: int, std: float, depth: int) -> float:
    """log10 of E‖W_L ⋯ W_1 x‖² / ‖x‖² = log10 (n σ²)^L = L · log10(n σ²), for W_l with i.i.d. N(0, σ²) entries.

    Each layer multiplies the expected squared norm by n σ² (linear_output_variance with n_in = n and γ² = ‖x‖²/n;
    the tests hold this closed form against that sympy derivation and against a simulation)."""
    return depth * math.log10(width * std**2)


# --- products of random matrices (exercise 4.8.3) ---------------------------------------------------------------------


def random_matrices(depth: int, width: int, std: float, generator: torch.Generator) -> Tensor:
    """depth matrices of shape (width, width) with i.i.d. N(0, std²) entries, float64.   # (L, n, n)"""
    return std * torch.randn(depth, width, width, generator=generator, dtype=torch.float64)


def product_log_singular_values_path(Ws: Tensor) -> Tensor:
    """log σ_i of every partial product M_l = W_l ⋯ W_1 (l = 1 … L) in one pass, without forming M_l:
    Q₀ = I, W_l Q_{l−1} = Q_l R_l, M_l = Q_l R_l ⋯ R_1, and log σ_i(M_l) ≈ Σ_{k ≤ l} log |(R_k)_ii| (their sum is
    exactly log |det M_l|; each term is asymptotically exact for large l). Stays finite where the product itself
    would overflow or lose its small singular values to rounding. Each row sorted, largest first.   # (L, n)"""
    N = Ws.shape[1]
    Q = torch.eye(N, dtype=Ws.dtype)
    steps = []
    for W in Ws:
        Q, R = torch.linalg.qr(W @ Q)
        steps.append(torch.log(torch.diagonal(R).abs()))
    logs = torch.cumsum(torch.stack(steps), dim=0)  # (L, n): row l holds Σ_{k ≤ l}
    return torch.sort(logs, dim=1, descending=True).values


def product_log_singular_values(Ws: Tensor) -> Tensor:
    """log σ_i of M = W_L ⋯ W_1: the last row of product_log_singular_values_path. Sorted, largest first."""
    return product_log_singular_values_path(Ws)[-1]


def condition_number_log10(Ws: Tensor) -> float:
    """log10 κ(M) = log10 (σ_max / σ_min) of the product, from product_log_singular_values."""
    logs = product_log_singular_values(Ws)
    return float((logs[0] - logs[-1]) / math.log(10))


# --- gradients per layer (§4.8.1) ------------------------------------------------------------------------------------


@dataclass
class LayerStats:
    """Per Linear layer (input side first): ‖∂l/∂W‖_F, ‖W‖_F and the std of its output (pre-activation)."""

    grad_norm: list[float]
    weight_norm: list[float]
    output_std: list[float]


def layer_gradient_norms(depth: int, width: int = 64, activation: str = "sigmoid", init: str = "normal",
                         std: float = 0.01, n_examples: int = 256, seed: int = 0) -> LayerStats:
    """One forward and backward pass through mlp_net(width, [width]·depth, 1) on x ~ N(0, I), loss = mean output.
    The weights and inputs are drawn in float32 as mlp_net draws them, then computed in float64: vanished gradients
    of 10⁻⁵⁰ stay representable (float32 flushes them to 0 below 10⁻⁴⁵, and its subnormal range is slow).

    ∂l/∂W⁽ˡ⁾ contains the product of the later layers' Jacobians diag(σ'(z)) W: with sigmoid (σ' ≤ 1/4) or small
    weights the norm shrinks geometrically towards the input (vanishing), with large weights it grows (exploding)."""
    g = torch.Generator().manual_seed(seed)
    net = mlp_net(width, [width] * depth, 1, activation=activation, init=init, std=std, generator=g).double()
    X = torch.randn(n_examples, width, generator=g).double()  # (n, width)
    outputs: list[Tensor] = []
    hooks = [layer.register_forward_hook(lambda m, i, o: outputs.append(o.detach())) for layer in linear_layers(net)]
    net(X).mean().backward()
    for h in hooks:
        h.remove()
    layers = linear_layers(net)
    return LayerStats(grad_norm=[float(m.weight.grad.norm()) for m in layers],
                      weight_norm=[float(m.weight.detach().norm()) for m in layers],
                      output_std=[float(o.std()) for o in outputs])


def lars_local_rates(stats_: LayerStats, eta: float = 0.001) -> list[float]:
    """LARS (You, Gitman & Ginsburg 2017): the local learning rate of layer l is η ‖W⁽ˡ⁾‖ / ‖∂l/∂W⁽ˡ⁾‖, so every
    layer's update is the fraction η of its weights, however large or small its gradient."""
    return [eta * w / gr if gr > 0 else math.inf for w, gr in zip(stats_.weight_norm, stats_.grad_norm, strict=True)]


# --- symmetry (§4.8.1, exercises 4.8.1 and 4.8.2) --------------------------------------------------------------------


def fill_constant(net: nn.Module, c: float) -> nn.Module:
    """Every weight of every Linear layer set to c, every bias to 0 (in place)."""
    with torch.no_grad():
        for layer in linear_layers(net):
            layer.weight.fill_(c)
            layer.bias.zero_()
    return net


def hidden_unit_spread(net: nn.Module) -> float:
    """max_i ‖W⁽¹⁾_i − W⁽¹⁾_0‖_∞ over the hidden units i of the first layer (rows of its weight): 0 means the hidden
    units are copies of each other."""
    W = linear_layers(net)[0].weight.detach()  # (h, d)
    return float((W - W[:1]).abs().max())


def symmetry_run(hidden: int = 8, c: float = 0.1, dropout: float = 0.0, steps: int = 50, lr: float = 0.5,
                 n_examples: int = 64, seed: int = 0) -> list[float]:
    """Full-batch SGD on a regression task with an MLP whose weights all start at c; hidden_unit_spread after each
    step. Every hidden unit receives the same gradient, so the spread stays exactly 0; dropout (a different mask
    per unit) breaks the tie."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n_examples, 4, generator=g)
    y = torch.sin(X @ torch.tensor([[1.0], [-2.0], [0.5], [1.5]]))
    net = fill_constant(mlp_net(4, [hidden], 1, activation="tanh", dropout=dropout, generator=g), c)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    spread = []
    net.train()
    for _ in range(steps):  # (nn.Dropout draws its masks from torch's global generator: not reproducible)
        optimizer.zero_grad()
        ((net(X) - y) ** 2).mean().backward()
        optimizer.step()
        spread.append(hidden_unit_spread(net))
    return spread


def constant_init_run(c: float | None, hidden: tuple[int, ...] = (), epochs: int = 10, lr: float = 0.1,
                      batch_size: int = 32, n_train: int = 1200, n_test: int = 400, seed: int = 0) -> History:
    """Softmax regression (hidden = ()) or an MLP on the digits subset, weights all c (c None: N(0, 0.01²)),
    trained with minibatch SGD and cross-entropy by d2lcore.train."""
    data = d2ldata.load_image_classification(n_train, n_test, seed, dataset="digits")
    g = torch.Generator().manual_seed(seed)
    net = mlp_net(data.n_inputs, list(hidden), data.n_classes, init="normal", std=0.01, generator=g)
    if c is not None:
        fill_constant(net, c)
    train_iter = d2ldata.load_array(data.train.tensors, batch_size, True, generator=g)
    test_iter = d2ldata.load_array(data.test.tensors, 512, False)
    loss = nn.CrossEntropyLoss(reduction="none")
    return train(net, loss, torch.optim.SGD(net.parameters(), lr=lr), train_iter, test_iter, epochs)


def initial_loss_constant(c: float, n_classes: int = 10) -> float:
    """With every weight equal and zero bias all logits of an example are equal, so ŷ is uniform and the
    cross-entropy is log q for any c and any input."""
    data = d2ldata.load_image_classification(100, 10, 0, dataset="digits")
    net = fill_constant(mlp_net(data.n_inputs, [], n_classes), c)
    X, y = data.train.tensors
    with torch.no_grad():
        return float(nn.functional.cross_entropy(net(X), y))
