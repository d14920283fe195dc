"""Dropout (zh-v2 §4.6, 暂退法): the from-scratch dropout layer, its mean and variance (sympy and simulation), two
other kinds of noise (DropConnect, Gaussian multiplicative noise with the same variance) and seeded training runs
of the section's MLP on the image classification subset, with per-layer activation variances.

Dropout replaces an activation h by  h' = 0 with probability p,  h' = h / (1 − p) otherwise,  so  E[h'] = h  and
Var[h'] = h² p / (1 − p).  At test time the layer is the identity.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sympy
import torch
from torch import Tensor, nn
from torch.nn import functional as F

from d2lcore import data as d2ldata
from d2lcore.mlp import mlp_net
from d2lcore.train import History, evaluate_accuracy, evaluate_loss, train

NOISES = ("none", "dropout", "dropconnect", "gaussian")

# --- the layer and its moments (§4.6.4) ----------------------------------------------------------------------------


def dropout_layer(X: Tensor, p: float, generator: torch.Generator | None = None) -> Tensor:
    """h' = m ⊙ h / (1 − p) with m_i ~ Bernoulli(1 − p) independently (the book's from-scratch layer).

    p = 0 returns X unchanged, p = 1 returns zeros (everything dropped; no division by zero).
    """
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability must lie in [0, 1], not {p}")
    if p == 1:
        return torch.zeros_like(X)
    if p == 0:
        return X
    mask = (torch.rand(X.shape, generator=generator, device=X.device) > p).to(X.dtype)
    return mask * X / (1.0 - p)


def dropout_moments(h: sympy.Expr | None = None, p: sympy.Expr | None = None) -> tuple[sympy.Expr, sympy.Expr]:
    """E[h'] and Var[h'] = E[h'²] − E[h']² of one dropped-out activation, summed over the two outcomes of the mask:

    E[h'] = p·0 + (1 − p)·h/(1 − p) = h,   Var[h'] = (1 − p)·h²/(1 − p)² − h² = h² p / (1 − p).
    """
    h = sympy.Symbol("h") if h is None else h
    p = sympy.Symbol("p") if p is None else p
    outcomes = [(p, sympy.Integer(0)), (1 - p, h / (1 - p))]  # (probability, value of h')
    mean = sympy.simplify(sum(q * v for q, v in outcomes))
    var = sympy.factor(sympy.simplify(sum(q * v**2 for q, v in outcomes) - mean**2))
    return mean, var


def sample_dropout(h: float, p: float, n: int, generator: torch.Generator | None = None) -> Tensor:
    """n independent draws of h' for one activation value h (float64)."""
    return dropout_layer(torch.full((n,), float(h), dtype=torch.float64), p, generator)


def variance_band(var: float, n: int, kurtosis: float, z: float = 4.0) -> float:
    """Half-width of a z-sigma band for the (biased) sample variance of n draws around σ²:

    s² = mean((x − μ)²) − (x̄ − μ)²;  the first term has sd σ² √((κ − 1)/n) (κ = E[(x − μ)⁴]/σ⁴), the second is at
    most z²σ²/n with z-sigma certainty. So the band is z σ² √((κ − 1)/n) + z² σ²/n.
    """
    return z * var * math.sqrt(max(kurtosis - 1, 0.0) / n) + z * z * var / n


def dropout_kurtosis(p: float) -> float:
    """Kurtosis of h' (a scaled Bernoulli(1 − p)): κ = (1 − 3q(1 − q)) / (q(1 − q)) with q = 1 − p."""
    q = 1 - p
    return (1 - 3 * q * (1 - q)) / (q * (1 - q))


def predicted_dropout_variance(H: Tensor, p: float) -> float:
    """Variance over all entries of dropout(H): Var(h) + mean(h²)·p/(1 − p) (the mask adds h²p/(1−p) per entry)."""
    H = H.double()
    return float(H.var(unbiased=False) + (H**2).mean() * p / (1 - p))


def gaussian_noise_layer(X: Tensor, p: float, generator: torch.Generator | None = None) -> Tensor:
    """Gaussian multiplicative noise with dropout's mean and variance: h' = h (1 + σ ε), ε ~ N(0, 1), σ² = p/(1 − p)."""
    if p <= 0:
        return X
    sigma = math.sqrt(p / (1 - p))
    return X * (1 + sigma * torch.randn(X.shape, generator=generator, device=X.device, dtype=X.dtype))


def pre_activation_covariance(W: Tensor, h: Tensor, p: float, noise: str = "dropout") -> Tensor:
    """Cov[o] for o = W h' (dropout on h) or o = W' h (DropConnect on the entries of W), both scaled by 1/(1 − p):

    dropout:      Cov[o_i, o_k] = p/(1 − p) Σ_j W_ij W_kj h_j²   (one mask per input j, shared by all outputs)
    dropconnect:  Cov[o_i, o_k] = 0 for i ≠ k, Var[o_i] the same as with dropout (an independent mask per entry).
    """
    C = p / (1 - p) * (W * h**2) @ W.T  # (outputs, outputs)
    return C if noise == "dropout" else torch.diag(torch.diag(C))


def simulated_pre_activation_covariance(W: Tensor, h: Tensor, p: float, noise: str = "dropout", n: int = 200_000,
                                        generator: torch.Generator | None = None) -> Tensor:
    """The covariance of o over n random masks: dropout draws one mask per input (shared by every output), DropConnect
    one per weight."""
    if noise == "dropout":
        outputs = dropout_layer(h.expand(n, -1), p, generator) @ W.T  # (n, outputs)
    else:
        outputs = torch.einsum("nij,j->ni", dropout_layer(W.expand(n, -1, -1), p, generator), h)  # (n, outputs)
    return torch.cov(outputs.T)


# --- noise modules with their own generator (no global random state) ------------------------------------------------


class Dropout(nn.Module):
    """`dropout_layer` in training mode, the identity in eval mode; masks come from `generator`."""

    def __init__(self, p: float, generator: torch.Generator | None = None, noise: str = "dropout"):
        super().__init__()
        self.p, self.generator, self.noise = p, generator, noise

    def forward(self, X: Tensor) -> Tensor:
        if not self.training:
            return X
        if self.noise == "gaussian":
            return gaussian_noise_layer(X, self.p, self.generator)
        return dropout_layer(X, self.p, self.generator)

    def extra_repr(self) -> str:
        return f"p={self.p}, noise={self.noise}"


class DropConnectLinear(nn.Linear):
    """o = (M ⊙ W / (1 − p)) h + b with an independent Bernoulli(1 − p) mask M per weight, in training mode only.

    One mask per forward call (per minibatch); the original DropConnect draws one per example, a (B, out, in) tensor.
    """

    def __init__(self, linear: nn.Linear, p: float, generator: torch.Generator | None = None):
        super().__init__(linear.in_features, linear.out_features)
        with torch.no_grad():
            self.weight.copy_(linear.weight)
            self.bias.copy_(linear.bias)
        self.p, self.generator = p, generator

    def forward(self, X: Tensor) -> Tensor:
        W = dropout_layer(self.weight, self.p, self.generator) if self.training else self.weight
        return F.linear(X, W, self.bias)


def noisy_mlp(n_inputs: int, hidden: Sequence[int], n_outputs: int, ps: Sequence[float], noise: str = "dropout",
              generator: torch.Generator | None = None, init: str = "normal") -> nn.Sequential:
    """The section's MLP (`mlp_net` with ReLU; `init` as there, the book's N(0, 0.01²) by default) with noise of
    strength ps[k] on hidden layer k:

    dropout / gaussian: a noise layer after the l-th activation;  dropconnect: the Linear layer that reads hidden
    layer l drops individual weights instead;  none: no noise.  Weights are drawn first, then masks, from `generator`.
    """
    if noise not in NOISES:
        raise ValueError(f"noise must be one of {NOISES}, not {noise!r}")
    net = mlp_net(n_inputs, hidden, n_outputs, init=init, generator=generator)
    layers, k = [], 0  # k: hidden layers passed so far
    for layer in net:
        if isinstance(layer, nn.Linear) and noise == "dropconnect" and k > 0 and ps[k - 1] > 0:
            layer = DropConnectLinear(layer, ps[k - 1], generator)
        layers.append(layer)
        if isinstance(layer, nn.ReLU):
            k += 1
            if noise in ("dropout", "gaussian") and ps[k - 1] > 0:
                layers.append(Dropout(ps[k - 1], generator, noise))
    return nn.Sequential(*layers)


def hidden_activations(net: nn.Sequential, X: Tensor) -> list[tuple[Tensor, Tensor]]:
    """Per hidden layer (h, h'): the activation output h and what the next Linear layer reads (after the noise, in
    the net's current mode; h' = h without noise or in eval mode)."""
    pairs, h = [], None
    for layer in net:
        if isinstance(layer, nn.Linear) and h is not None:
            pairs.append((h, X))
        X = layer(X)
        if isinstance(layer, nn.ReLU):
            h = X
    return pairs


# --- seeded training runs (exercises 4.6.1–4.6.3, 4.6.5–4.6.7) ----------------------------------------------------


@dataclass(frozen=True)
class DropoutConfig:
    """One run of the section's MLP on a seeded digits subset (small, so that the training set can be memorised)."""

    p1: float = 0.2
    p2: float = 0.5
    noise: str = "dropout"
    weight_decay: float = 0.0
    epochs: int = 40
    lr: float = 0.1
    batch_size: int = 32
    n_train: int = 200
    n_test: int | None = None
    hidden: tuple[int, ...] = (256, 256)
    init: str = "default"
    seed: int = 0
    dataset: str = "digits"


@dataclass
class DropoutRun:
    history: History
    var_h: list[list[float]] = field(default_factory=list)  # per epoch, per hidden layer: Var(h), eval mode
    var_noisy: list[list[float]] = field(default_factory=list)  # per epoch, per layer: Var(h'), training mode
    predicted: list[list[float]] = field(default_factory=list)  # per epoch, per layer: Var(h) + mean(h²)p/(1−p)
    train_acc_clean: list[float] = field(default_factory=list)  # per epoch: training accuracy in eval mode
    train_loss_clean: list[float] = field(default_factory=list)  # per epoch: training loss in eval mode
    final_h: list[list[float]] = field(default_factory=list)  # per hidden layer: its activations after training
    name: str = ""
    n_train: int = 0
    n_test: int = 0

    @property
    def loss_gap(self) -> float:
        """Final test loss − final training loss (eval mode): how much worse the model does on unseen data."""
        return self.history.test_loss[-1] - self.train_loss_clean[-1]

    @property
    def gap(self) -> float:
        """Final training accuracy (eval mode, no noise) − final test accuracy."""
        return self.train_acc_clean[-1] - self.history.test_acc[-1]


def layer_variances(net: nn.Sequential, X: Tensor, ps: Sequence[float]) -> tuple[list[float], ...]:
    """On the batch X, per hidden layer: Var h in eval mode (no noise anywhere), Var h' in training mode (what the
    next layer reads) and its prediction Var(h) + mean(h²)·p/(1 − p) from the training-mode h of the same pass.
    No gradients; the net's mode is restored."""
    was_training = net.training
    with torch.no_grad():
        net.eval()
        clean = [float(h.var(unbiased=False)) for h, _ in hidden_activations(net, X)]
        net.train()
        pairs = hidden_activations(net, X)
    net.train(was_training)
    noisy = [float(hp.var(unbiased=False)) for _, hp in pairs]
    predicted = [predicted_dropout_variance(h, p) for (h, _), p in zip(pairs, ps, strict=True)]
    return clean, noisy, predicted


def train_dropout_mlp(config: DropoutConfig, callback: Callable[[int, History], None] | None = None) -> DropoutRun:
    """Train `noisy_mlp` (cross-entropy, minibatch SGD with optional weight decay) and record after every epoch the
    variance of every hidden layer's activations on the training set, with and without the noise."""
    data = d2ldata.load_image_classification(config.n_train, config.n_test, config.seed, dataset=config.dataset)
    g = torch.Generator().manual_seed(config.seed)
    ps = (config.p1, config.p2)[: len(config.hidden)]
    net = noisy_mlp(data.n_inputs, config.hidden, data.n_classes, ps, config.noise, g, config.init)
    train_iter = d2ldata.index_batches(data.train, config.batch_size, True, g)
    test_iter = d2ldata.index_batches(data.test, 256, False)
    optimizer = torch.optim.SGD(net.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    X_all = data.train.tensors[0]
    run = DropoutRun(History(), name=data.name, n_train=len(data.train), n_test=len(data.test))
    noise_p = ps if config.noise in ("dropout", "gaussian") else [0.0] * len(ps)

    def record(epoch: int, history: History) -> None:
        clean, noisy, predicted = layer_variances(net, X_all, noise_p)
        run.var_h.append(clean)
        run.var_noisy.append(noisy)
        run.predicted.append(predicted)
        run.train_acc_clean.append(evaluate_accuracy(net, [data.train.tensors]))
        run.train_loss_clean.append(evaluate_loss(net, loss, [data.train.tensors]))
        if callback is not None:
            callback(epoch, history)

    loss = nn.CrossEntropyLoss()
    run.history = train(net, loss, optimizer, train_iter, test_iter, config.epochs, callback=record)
    with torch.no_grad():
        net.eval()
        run.final_h = [h[:20].reshape(-1).tolist() for h, _ in hidden_activations(net, X_all)]  # 20 images
    return run
