"""Multilayer perceptrons (zh-v2 §4.1–§4.3): activation functions in torch and sympy, the MLP builder every later
section of chapter 4 uses, the exact piecewise-linear structure of a ReLU network on one input, the from-scratch
MLP and seeded training runs on the image classification subset, and the toy search problem of exercise 4.2.6.

An MLP with hidden layers H⁽ˡ⁾ = σ(H⁽ˡ⁻¹⁾ W⁽ˡ⁾ + b⁽ˡ⁾) and output O = H⁽ᴸ⁾ W⁽ᴸ⁺¹⁾ + b⁽ᴸ⁺¹⁾; without the
nonlinearity σ the layers collapse into one affine map.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import sympy
import torch
from torch import Tensor, nn
from torch.utils.data import TensorDataset

from d2lcore import data as d2ldata
from d2lcore.train import History, evaluate_accuracy, train

ACTIVATIONS = ("relu", "sigmoid", "tanh", "prelu", "leaky_relu", "gelu")
LEAKY_SLOPE = 0.01  # nn.LeakyReLU's default negative slope
INITS = ("normal", "xavier", "kaiming", "default")
PRELU_ALPHA = 0.25  # nn.PReLU's default initial slope for x < 0

# --- activation functions (§4.1.2) ---------------------------------------------------------------------------------


def relu(x: Tensor) -> Tensor:
    """ReLU(x) = max(x, 0)."""
    return torch.clamp(x, min=0)


def prelu(x: Tensor, alpha: float | Tensor) -> Tensor:
    """pReLU(x) = max(0, x) + α·min(0, x): slope 1 for x > 0, slope α for x < 0 (autograd gives α at 0, as
    nn.PReLU does)."""
    return torch.where(x > 0, x, alpha * x)


def sigmoid(x: Tensor) -> Tensor:
    """sigmoid(x) = 1 / (1 + exp(−x)), squashing ℝ into (0, 1)."""
    return 1 / (1 + torch.exp(-x))


def tanh(x: Tensor) -> Tensor:
    """tanh(x) = (1 − exp(−2x)) / (1 + exp(−2x)), squashing ℝ into (−1, 1); written via exp(−2|x|) to stay finite."""
    e = torch.exp(-2 * x.abs())
    return torch.sign(x) * (1 - e) / (1 + e)


def activation_expr(name: str, x: sympy.Symbol, alpha: sympy.Expr | float | None = None) -> sympy.Expr:
    """The activation as a sympy expression: relu Max(0, x); prelu Max(0, x) + α Min(0, x) (α a symbol or number,
    default the symbol `a`); sigmoid 1/(1 + exp(−x)); tanh(x); leaky_relu with α = 0.01; gelu x·Φ(x)."""
    if name == "relu":
        return sympy.Max(0, x)
    if name == "prelu":
        a = sympy.Symbol("a") if alpha is None else sympy.sympify(alpha)
        return sympy.Max(0, x) + a * sympy.Min(0, x)
    if name == "sigmoid":
        return 1 / (1 + sympy.exp(-x))
    if name == "tanh":
        return sympy.tanh(x)
    if name == "leaky_relu":
        return sympy.Max(0, x) + sympy.Rational(1, 100) * sympy.Min(0, x)
    if name == "gelu":  # x·Φ(x), Φ the standard normal CDF
        return x * (1 + sympy.erf(x / sympy.sqrt(2))) / 2
    raise ValueError(f"activation must be one of {ACTIVATIONS}, not {name!r}")


def without_heaviside(expr: sympy.Expr) -> sympy.Expr:
    """Replace every Heaviside(u) by (1 + u/|u|)/2: equal wherever u ≠ 0 (where the derivative exists), and written
    with abs only, so it evaluates with plain math functions."""
    return expr.replace(sympy.Heaviside, lambda u, *rest: (1 + u / sympy.Abs(u)) / 2)


def activation_derivative_expr(name: str, x: sympy.Symbol, alpha: sympy.Expr | float | None = None) -> sympy.Expr:
    """d/dx of `activation_expr`, by sympy. For relu and prelu it is defined for x ≠ 0 only (Heaviside steps are
    rewritten with abs): relu' = 1[x > 0], prelu' = 1[x > 0] + α·1[x < 0]; sigmoid' = σ(1 − σ); tanh' = 1 − tanh²."""
    return sympy.simplify(without_heaviside(sympy.diff(activation_expr(name, x, alpha), x)))


def activation_module(name: str) -> nn.Module:
    """The torch layer of an activation name (pReLU with one learnable α, initially 0.25; LeakyReLU α = 0.01)."""
    layers: dict[str, Callable[[], nn.Module]] = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh,
                                                  "prelu": lambda: nn.PReLU(init=PRELU_ALPHA),
                                                  "leaky_relu": lambda: nn.LeakyReLU(LEAKY_SLOPE), "gelu": nn.GELU}
    if name not in layers:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, not {name!r}")
    return layers[name]()


# --- the MLP builder (§4.3, used in §4.4–§4.8) ----------------------------------------------------------------------


def init_linear(layer: nn.Linear, init: str = "normal", std: float = 0.01,
                generator: torch.Generator | None = None, activation: str = "relu") -> None:
    """Initialise one Linear layer in place, biases 0 (except "default"):
    normal W ~ N(0, std²); xavier W ~ U(±√(6/(n_in + n_out))); kaiming W ~ N(0, 2/n_in) (gain √2, for ReLU);
    default: torch's own kaiming-uniform with a = √5, i.e. W, b ~ U(±1/√n_in)."""
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, not {init!r}")
    with torch.no_grad():
        if init == "default":
            bound = 1 / math.sqrt(layer.in_features)  # what nn.Linear.reset_parameters draws
            layer.weight.uniform_(-bound, bound, generator=generator)
            layer.bias.uniform_(-bound, bound, generator=generator)
            return
        n_out, n_in = layer.weight.shape
        if init == "normal":
            layer.weight.normal_(0.0, std, generator=generator)
        elif init == "xavier":
            bound = math.sqrt(6 / (n_in + n_out))
            layer.weight.uniform_(-bound, bound, generator=generator)
        else:  # kaiming
            layer.weight.normal_(0.0, math.sqrt(2 / n_in), generator=generator)
        layer.bias.zero_()


def mlp_net(n_inputs: int, hidden: Sequence[int], n_outputs: int, *, activation: str = "relu",
            dropout: float | Sequence[float] = 0.0, init: str = "normal", std: float = 0.01,
            generator: torch.Generator | None = None) -> nn.Sequential:
    """nn.Sequential(Flatten, [Linear, activation, (Dropout(p) when p > 0)] per hidden layer, Linear).

    dropout is one probability for every hidden layer or one per hidden layer. Weights are drawn with `init_linear`
    from `generator`, and so are the dropout masks, so the same generator state gives the same network and the
    same training run without touching torch's global random state.
    """
    from d2lcore.dropout import Dropout  # d2lcore.dropout builds on this module

    hidden = list(hidden)
    ps = [float(dropout)] * len(hidden) if isinstance(dropout, (int, float)) else [float(p) for p in dropout]
    if len(ps) != len(hidden):
        raise ValueError(f"{len(ps)} dropout probabilities for {len(hidden)} hidden layers")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, not {activation!r}")
    layers: list[nn.Module] = [nn.Flatten()]
    width = n_inputs
    for h, p in zip(hidden, ps, strict=True):
        layers += [nn.Linear(width, h), activation_module(activation)]
        if p > 0:
            layers.append(Dropout(p, generator))
        width = h
    layers.append(nn.Linear(width, n_outputs))
    net = nn.Sequential(*layers)
    for layer in net:
        if isinstance(layer, nn.Linear):
            init_linear(layer, init, std, generator, activation)
    return net


def linear_layers(net: nn.Module) -> list[nn.Linear]:
    return [m for m in net.modules() if isinstance(m, nn.Linear)]


def count_parameters(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


# --- a ReLU network on one input is continuous piecewise linear (exercise 4.1.2) ------------------------------------


@dataclass
class PiecewiseLinear:
    """f(x) = slopes[k]·x + intercepts[k] on the k-th piece (breaks[k−1], breaks[k]); pieces = len(breaks) + 1."""

    breaks: np.ndarray  # (K,) sorted points where some unit's pre-activation changes sign
    slopes: np.ndarray  # (K + 1,)
    intercepts: np.ndarray  # (K + 1,)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        k = np.searchsorted(self.breaks, x)  # which piece each x falls in
        return self.slopes[k] * x + self.intercepts[k]

    def kinks(self, tol: float = 1e-9) -> np.ndarray:
        """The breaks where the slope really changes (|Δslope| > tol·max(1, |slopes|)): the corners of the graph."""
        jump = np.abs(np.diff(self.slopes))
        return self.breaks[jump > tol * max(1.0, float(np.abs(self.slopes).max(initial=0.0)))]


def random_relu_net_1d(width: int, depth: int, generator: torch.Generator | None = None,
                       activation: str = "relu") -> nn.Sequential:
    """An MLP ℝ → ℝ with `depth` hidden layers of `width` units and weights ~ N(0, 1/n_in) (biases N(0, 1)), so
    kinks spread over roughly [−3, 3]."""
    net = mlp_net(1, [width] * depth, 1, activation=activation, init="normal", std=1.0, generator=generator)
    with torch.no_grad():
        for layer in linear_layers(net):
            layer.weight.mul_(1 / math.sqrt(layer.in_features))
            layer.bias.normal_(0.0, 1.0, generator=generator)
    return net


def piecewise_linear_form(net: nn.Sequential) -> PiecewiseLinear:
    """The exact pieces of a ReLU / pReLU network ℝ → ℝ, from its weights (float64), layer by layer.

    On a piece the hidden vector is affine, h = a·x + c. The next pre-activation z = W h + b = (W a)·x + (W c + b) is
    affine too; unit j changes sign at x = −(W c + b)_j / (W a)_j, which splits the piece. On each sub-piece the
    activation pattern is fixed, so h' = m ⊙ z with m_j = 1 (z_j > 0) or α (z_j < 0): still affine.
    """
    layers = [m for m in net if not isinstance(m, (nn.Flatten, nn.Dropout))]
    pieces: list[tuple[float, float, np.ndarray, np.ndarray]] = [(-math.inf, math.inf, np.ones(1), np.zeros(1))]
    k = 0
    while k < len(layers):
        lin = layers[k]
        W = lin.weight.detach().double().numpy()  # (out, in)
        b = lin.bias.detach().double().numpy()
        act = layers[k + 1] if k + 1 < len(layers) else None
        if act is None:  # the output layer: no activation
            pieces = [(lo, hi, W @ a, W @ c + b) for lo, hi, a, c in pieces]
            break
        if isinstance(act, nn.ReLU):
            alpha = 0.0
        elif isinstance(act, nn.PReLU) and act.weight.numel() == 1:
            alpha = float(act.weight.detach())
        else:
            raise ValueError("piecewise_linear_form needs ReLU or single-slope PReLU activations")
        new = []
        for lo, hi, a, c in pieces:
            A, C = W @ a, W @ c + b  # z = A x + C on this piece
            with np.errstate(divide="ignore", invalid="ignore"):
                roots = -C / A
            cuts = np.sort(roots[np.isfinite(roots) & (roots > lo) & (roots < hi)])
            edges = [lo, *cuts.tolist(), hi]
            for left, right in itertools.pairwise(edges):
                mid = _midpoint(left, right)
                m = np.where(A * mid + C > 0, 1.0, alpha)
                new.append((left, right, m * A, m * C))
        pieces = new
        k += 2
    breaks = np.array([hi for _, hi, _, _ in pieces[:-1]])
    slopes = np.array([float(a[0]) for _, _, a, _ in pieces])
    intercepts = np.array([float(c[0]) for _, _, _, c in pieces])
    return PiecewiseLinear(breaks, slopes, intercepts)


def _midpoint(lo: float, hi: float) -> float:
    if math.isinf(lo) and math.isinf(hi):
        return 0.0
    if math.isinf(lo):
        return hi - 1.0
    if math.isinf(hi):
        return lo + 1.0
    return (lo + hi) / 2


def second_difference_kinks(f: Callable[[np.ndarray], np.ndarray], low: float, high: float, n: int = 20001,
                            tol: float = 1e-7) -> np.ndarray:
    """Where the numerical second difference f(x−h) − 2f(x) + f(x+h) is nonzero on a grid of n points: a kink
    lies within one grid step of each such x (a linear piece gives 0 up to rounding)."""
    x = np.linspace(low, high, n)
    y = f(x)
    d2 = y[:-2] - 2 * y[1:-1] + y[2:]
    scale = tol * max(1.0, float(np.abs(y).max()))
    return x[1:-1][np.abs(d2) > scale]


def net_1d(net: nn.Module) -> Callable[[np.ndarray], np.ndarray]:
    """x (numpy) → net(x) in float64, for plotting and for `second_difference_kinks`."""
    net64 = _float64_copy(net)

    def f(x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return net64(torch.as_tensor(x, dtype=torch.float64).reshape(-1, 1)).reshape(-1).numpy()

    return f


def _float64_copy(net: nn.Module) -> nn.Module:
    import copy

    return copy.deepcopy(net).double().eval()


def max_pieces_single_layer(width: int) -> int:
    """One hidden layer of n ReLU units on ℝ: at most n breaks, so at most n + 1 linear pieces."""
    return width + 1


# --- the from-scratch MLP (§4.2) -------------------------------------------------------------------------------------


@dataclass
class ScratchMLP:
    """H⁽ˡ⁾ = relu(H⁽ˡ⁻¹⁾ W⁽ˡ⁾ + b⁽ˡ⁾), O = H W_out + b_out on flattened images, every W ~ N(0, 0.01²), b = 0, as
    in zh-v2 §4.2.1 (there with one hidden layer of 256 units); activation is our `relu` (or sigmoid / tanh)."""

    params: list[Tensor]  # [W1, b1, W2, b2, …]
    activation: str = "relu"

    def __call__(self, X: Tensor) -> Tensor:
        H = X.reshape(X.shape[0], -1)  # (n, 1, h, w) → (n, d)
        sigma = {"relu": relu, "sigmoid": sigmoid, "tanh": tanh}[self.activation]
        n_layers = len(self.params) // 2
        for k in range(n_layers):
            W, b = self.params[2 * k], self.params[2 * k + 1]
            H = H @ W + b  # (n, h_{k−1}) @ (h_{k−1}, h_k)
            if k < n_layers - 1:
                H = sigma(H)
        return H

    def parameters(self) -> list[Tensor]:
        return self.params


def mlp_scratch(n_inputs: int, hidden: Sequence[int], n_outputs: int, activation: str = "relu", std: float = 0.01,
                generator: torch.Generator | None = None) -> ScratchMLP:
    """The §4.2 parameters: W ~ N(0, std²) of shape (n_in, n_out), b = 0, all with requires_grad."""
    widths = [n_inputs, *hidden, n_outputs]
    params: list[Tensor] = []
    for n_in, n_out in itertools.pairwise(widths):
        params.append((torch.randn(n_in, n_out, generator=generator) * std).requires_grad_(True))
        params.append(torch.zeros(n_out, requires_grad=True))
    return ScratchMLP(params, activation)


@dataclass(frozen=True)
class MLPConfig:
    """One training run on the image classification subset (the book: 784-256-10, ReLU, SGD lr 0.1, batch 256,
    10 epochs on Fashion-MNIST). dataset 'digits' makes answers independent of what a machine has cached."""

    implementation: str = "concise"  # "scratch" (§4.2) or "concise" (§4.3)
    hidden: tuple[int, ...] = (256,)
    activation: str = "relu"
    init: str = "normal"
    std: float = 0.01
    lr: float = 0.1
    epochs: int = 10
    batch_size: int = 256
    n_train: int = 1000
    n_test: int = 400
    seed: int = 0
    dataset: str = "auto"


@dataclass
class MLPFit:
    model: Callable[[Tensor], Tensor]
    history: History
    data: d2ldata.ImageData
    n_params: int = 0
    diverged: bool = field(default=False)


def load_data(config: MLPConfig) -> d2ldata.ImageData:
    return d2ldata.load_image_classification(config.n_train, config.n_test, config.seed, dataset=config.dataset)


def fit_mlp(config: MLPConfig, data: d2ldata.ImageData | None = None,
            callback: Callable[[int, History], None] | None = None) -> MLPFit:
    """Train the scratch or the concise MLP with minibatch SGD on our training engine (the book's train_ch3).

    The data subset and the weights are seeded by config.seed; the loss is the cross-entropy on the logits.
    """
    data = data if data is not None else load_data(config)
    g = torch.Generator().manual_seed(config.seed)
    if config.implementation == "scratch":
        model = mlp_scratch(data.n_inputs, config.hidden, data.n_classes, config.activation, config.std, g)
        params = model.parameters()
    elif config.implementation == "concise":
        model = mlp_net(data.n_inputs, config.hidden, data.n_classes, activation=config.activation,
                        init=config.init, std=config.std, generator=g)
        params = list(model.parameters())
    else:
        raise ValueError(f"implementation must be 'scratch' or 'concise', not {config.implementation!r}")
    loss = nn.CrossEntropyLoss(reduction="none")
    optimizer = torch.optim.SGD(params, lr=config.lr)
    history = train(model, loss, optimizer, d2ldata.index_batches(data.train, config.batch_size, True, g),
                    d2ldata.index_batches(data.test, 1024, shuffle=False), config.epochs, callback=callback)
    diverged = not all(math.isfinite(v) for v in history.train_loss)
    return MLPFit(model, history, data, sum(p.numel() for p in params), diverged)


def final_test_accuracy(history: History) -> float:
    """The test accuracy after the last epoch (0 when training diverged to NaN: the argmax of NaN logits is junk)."""
    if not all(math.isfinite(v) for v in history.train_loss):
        return 0.0
    return history.test_acc[-1]


# --- searching several hyperparameters (exercises 4.2.4–4.2.6) ------------------------------------------------------


SEARCH_SPACE = {"lr": (0.03, 1.0), "epochs": (5, 20), "layers": (1, 3), "units": (32, 512)}


def sample_configs(n: int, seed: int, base: MLPConfig, space: dict[str, tuple[float, float]] = SEARCH_SPACE
                   ) -> list[MLPConfig]:
    """n random configurations: lr and units log-uniform, epochs and layers uniform integers (seeded)."""
    rng = np.random.default_rng(seed)
    configs = []
    for _k in range(n):
        lr = float(np.exp(rng.uniform(np.log(space["lr"][0]), np.log(space["lr"][1]))))
        epochs = int(rng.integers(space["epochs"][0], space["epochs"][1] + 1))
        layers = int(rng.integers(space["layers"][0], space["layers"][1] + 1))
        units = round(np.exp(rng.uniform(np.log(space["units"][0]), np.log(space["units"][1]))))
        configs.append(replace(base, lr=round(lr, 4), epochs=epochs, hidden=(units,) * layers))
    return configs


def split_validation(data: d2ldata.ImageData, n_val: int, seed: int = 0) -> tuple[d2ldata.ImageData, TensorDataset]:
    """Hold out n_val random training examples as a validation set: (data with the rest as .train, validation)."""
    X, y = data.train.tensors
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed))
    val, rest = order[:n_val], order[n_val:]
    return replace(data, train=TensorDataset(X[rest], y[rest])), TensorDataset(X[val], y[val])


@dataclass
class Trial:
    config: MLPConfig
    val_acc: float
    test_acc: float
    seconds: float


def random_search(base: MLPConfig, n_trials: int, seed: int, n_val: int = 200,
                  callback: Callable[[int, Trial], None] | None = None) -> list[Trial]:
    """Random search: train n_trials sampled configurations on the training set minus n_val held-out examples,
    score each on that validation set; the test set is only evaluated, never used to choose (see `best_trial`)."""
    data, validation = split_validation(load_data(base), n_val, seed)
    val_iter = d2ldata.index_batches(validation, 1024, shuffle=False)
    trials = []
    for k, config in enumerate(sample_configs(n_trials, seed, base)):
        fit = fit_mlp(config, data)
        val_acc = 0.0 if fit.diverged else evaluate_accuracy(fit.model, val_iter)
        trials.append(Trial(config, val_acc, final_test_accuracy(fit.history), fit.history.seconds))
        if callback is not None:
            callback(k, trials[-1])
    return trials


def best_trial(trials: Sequence[Trial]) -> Trial:
    """The trial with the highest validation accuracy (ties: the earlier one)."""
    return max(trials, key=lambda trial: trial.val_acc)


TOY_BEST = (0.77, 1.0)


def toy_objective(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """A validation score with one important and one unimportant hyperparameter on [0, 1]²:
    f(x, y) = exp(−60 (x − 0.77)²) + 0.05·y, best at x = 0.77, y = 1 (f = 1.05); y barely matters."""
    return np.exp(-60 * (np.asarray(x) - TOY_BEST[0]) ** 2) + 0.05 * np.asarray(y)


def grid_points(n: int) -> np.ndarray:
    """A k × k grid with k = ⌊√n⌋ on [0, 1]² (cell centres): only k distinct values of each hyperparameter."""
    k = max(1, math.isqrt(n))
    ticks = (np.arange(k) + 0.5) / k
    X, Y = np.meshgrid(ticks, ticks, indexing="ij")
    return np.stack([X.ravel(), Y.ravel()], axis=1)  # (k², 2)


def random_points(n: int, seed: int) -> np.ndarray:
    """n points uniform on [0, 1]²: n distinct values of every hyperparameter."""
    return np.random.default_rng(seed).uniform(size=(n, 2))


def best_of(points: np.ndarray) -> float:
    """max f over the tried points."""
    return float(toy_objective(points[:, 0], points[:, 1]).max())


def cluster_points(x: np.ndarray, gap: float) -> np.ndarray:
    """Merge sorted points closer than `gap` into their mean (numerical kink flags come in pairs around a kink)."""
    if len(x) == 0:
        return np.asarray(x, dtype=float)
    groups, current = [], [float(x[0])]
    for v in x[1:]:
        if v - current[-1] <= gap:
            current.append(float(v))
        else:
            groups.append(np.mean(current))
            current = [float(v)]
    groups.append(np.mean(current))
    return np.array(groups)


@dataclass
class KinkCheck:
    exact: np.ndarray  # kinks from the weights inside (low, high)
    flagged: np.ndarray  # grid points with a nonzero second difference
    unexplained: int  # flags farther than one grid step from every exact kink (0 when the pieces are right)
    missed: int  # exact kinks with a slope jump large enough to see, but no flag within one grid step


def check_kinks(pl: PiecewiseLinear, f: Callable[[np.ndarray], np.ndarray], low: float, high: float,
                n: int = 20001, tol: float = 1e-7) -> KinkCheck:
    """Compare the exact kinks with the numerical second differences of f on a grid of n points over [low, high].

    A slope jump Δ at a kink gives a second difference of up to Δ·h (h the grid step); jumps below
    10·tol·max|f|/h are too small to be seen and are not counted as missed.
    """
    h = (high - low) / (n - 1)
    flagged = second_difference_kinks(f, low, high, n, tol)
    inside = (pl.breaks > low + 2 * h) & (pl.breaks < high - 2 * h)
    jumps = np.abs(np.diff(pl.slopes))[inside]
    exact = pl.breaks[inside]
    if len(exact) and len(flagged):
        dist = np.abs(exact[:, None] - flagged[None, :])  # (kinks, flags)
        unexplained = int((dist.min(axis=0) > h).sum())
        seen = dist.min(axis=1) <= h
    else:
        unexplained, seen = len(flagged), np.zeros(len(exact), dtype=bool)
    scale = float(np.abs(f(np.linspace(low, high, n))).max())
    visible = jumps > 10 * tol * max(1.0, scale) / h
    return KinkCheck(exact[jumps > 1e-9], flagged, unexplained, int((visible & ~seen).sum()))


# --- identities and a nonlinearity across the minibatch (exercises 4.1.3, 4.1.4) -------------------------------------


def tanh_sigmoid_identity(x: sympy.Symbol) -> tuple[sympy.Expr, sympy.Expr]:
    """Both sides of tanh(x) + 1 = 2·sigmoid(2x), written with exp: (2e^{2x}/(e^{2x}+1), 2/(1+e^{−2x}))."""
    lhs = (sympy.tanh(x) + 1).rewrite(sympy.exp)
    rhs = 2 * activation_expr("sigmoid", 2 * x)
    return sympy.simplify(lhs), rhs


def proves_zero(expr: sympy.Expr) -> bool:
    """sympy proves expr ≡ 0 (simplify after rewriting hyperbolic functions with exp)."""
    return sympy.simplify(expr.rewrite(sympy.exp)) == 0


def batchwise_softmax(H: Tensor) -> Tensor:
    """A nonlinearity across the minibatch: softmax over the examples (dim 0) of every hidden unit,
    σ(H)_ij = exp(H_ij) / Σ_k exp(H_kj). Each output depends on the whole batch, not on its own input alone."""
    return torch.softmax(H, dim=0)


def batch_dependence(f: Callable[[Tensor], Tensor], x: Tensor, batch_size: int, n_batches: int = 8,
                     generator: torch.Generator | None = None) -> float:
    """Put the same example x into n_batches random minibatches of batch_size (x first, the others ~ N(0, 1)) and
    return the largest change of f's output for x: 0 for an elementwise f, > 0 when f mixes the examples."""
    outputs = []
    for _ in range(n_batches):
        others = torch.randn(batch_size - 1, x.numel(), generator=generator, dtype=x.dtype)
        outputs.append(f(torch.cat([x.reshape(1, -1), others]))[0])  # the row of x
    out = torch.stack(outputs)  # (n_batches, d)
    return float((out - out[0]).abs().max())


def initial_gradient_norm(config: MLPConfig, data: d2ldata.ImageData | None = None) -> float:
    """‖∂L/∂W⁽¹⁾‖ of the first layer at initialisation on the first 256 training examples: how strongly the
    first layer is pushed at the start (tiny when the signal vanishes through sigmoid or through small weights)."""
    data = data if data is not None else load_data(config)
    g = torch.Generator().manual_seed(config.seed)
    net = mlp_net(data.n_inputs, config.hidden, data.n_classes, activation=config.activation, init=config.init,
                  std=config.std, generator=g)
    X, y = data.train.tensors
    nn.functional.cross_entropy(net(X[:256]), y[:256]).backward()
    return float(linear_layers(net)[0].weight.grad.norm())
