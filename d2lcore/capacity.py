"""Model capacity and regularisation (zh-v2 §4.4 polynomial regression, §4.5 weight decay).

§4.4:  y = 5 + 1.2x − 3.4 x²/2! + 5.6 x³/3! + ε,  ε ~ N(0, σ²),  x ~ N(0, 1),  features xⁱ/i! for i < 20.
§4.5:  y = 0.05 + Σ_{i=1}^{200} 0.01 xᵢ + ε,  ε ~ N(0, 0.01²),  20 training and 100 test examples.
Losses: §4.4 reports the mean squared error (the book's nn.MSELoss); §4.5 the book's squared_loss (ŷ − y)²/2.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import sympy
import torch
from torch import Tensor, nn

from d2lcore.data import data_iter, synthetic_data
from d2lcore.linear import squared_loss
from d2lcore.train import History, evaluate_loss, train

TRUE_POLY = (5.0, 1.2, -3.4, 5.6)  # weights of 1, x, x²/2!, x³/3!
MAX_DEGREE = 20  # number of features: x⁰ … x¹⁹


class Minibatches:
    """Re-iterable minibatches: every pass shuffles with `generator` (the book's data_iter, once per epoch)."""

    def __init__(self, X: Tensor, y: Tensor, batch_size: int, generator: torch.Generator):
        self.X, self.y, self.batch_size, self.generator = X, y, batch_size, generator

    def __iter__(self) -> Iterator[tuple[Tensor, Tensor]]:
        return data_iter(self.batch_size, self.X, self.y, self.generator)


# --- §4.4 polynomial regression ------------------------------------------------------------------------------------

def true_poly_weights(max_degree: int = MAX_DEGREE) -> Tensor:
    """w* = (5, 1.2, −3.4, 5.6, 0, …, 0) — the weights of the normalised features xⁱ/i!, float64."""
    w = torch.zeros(max_degree, dtype=torch.float64)
    w[:len(TRUE_POLY)] = torch.tensor(TRUE_POLY, dtype=torch.float64)
    return w


def polynomial_features(x: Tensor, n_features: int = MAX_DEGREE, normalise: bool = True) -> Tensor:
    """Φ_{ki} = x_kⁱ / i!  (or x_kⁱ without the normalisation), i = 0 … n_features − 1.  x (n,) → Φ (n, n_features)."""
    i = torch.arange(n_features, dtype=x.dtype)
    Phi = x.reshape(-1, 1) ** i  # (n, n_features)
    return Phi / torch.exp(torch.lgamma(i + 1)) if normalise else Phi


@dataclass(frozen=True)
class PolyData:
    x_train: Tensor  # (n_train,)
    y_train: Tensor  # (n_train,)
    x_test: Tensor
    y_test: Tensor
    noise: float


def polynomial_data(n_train: int = 100, n_test: int = 100, noise: float = 0.1, seed: int = 0) -> PolyData:
    """Draw x ~ N(0, 1) and y = Φ(x) w* + ε, ε ~ N(0, noise²) (float64, seeded; the book's §4.4.4.1)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n_train + n_test, generator=g, dtype=torch.float64)
    y = polynomial_features(x) @ true_poly_weights() + noise * torch.randn(len(x), generator=g, dtype=torch.float64)
    return PolyData(x[:n_train], y[:n_train], x[n_train:], y[n_train:], noise)


def mse(y_hat: Tensor, y: Tensor) -> float:
    """(1/n) Σ (ŷ_k − y_k)²  — the book's nn.MSELoss, averaged."""
    return float(((y_hat.reshape(-1) - y.reshape(-1)) ** 2).mean())


def normal_equations(X: Tensor, y: Tensor) -> Tensor:
    """ŵ = (XᵀX)⁻¹ Xᵀy: where ∇_w ‖Xw − y‖² = 2Xᵀ(Xw − y) vanishes. Needs XᵀX invertible and well conditioned."""
    return torch.linalg.solve(X.T @ X, X.T @ y.reshape(-1))


def least_squares(X: Tensor, y: Tensor) -> Tensor:
    """argmin_w ‖Xw − y‖² by an SVD-based solver (LAPACK gelsd via numpy; the minimum-norm solution when X is wide).

    The columns are scaled to unit length first (w = v / s for the scaled solution v): the features x¹⁹/19! are
    ~10⁻⁸ of x⁰, and without the scaling the solver treats them as noise and truncates them.
    """
    s = X.norm(dim=0).clamp_min(torch.finfo(X.dtype).tiny)  # (p,) column lengths
    v, *_ = np.linalg.lstsq((X / s).numpy(), y.reshape(-1).numpy(), rcond=None)  # numpy: no thread start-up cost
    return torch.from_numpy(v).to(X.dtype) / s


def poly_losses(data: PolyData, degree: int, normalise: bool = True) -> tuple[float, float]:
    """(training MSE, test MSE) of the exact least-squares fit with features x⁰ … x^degree."""
    X = polynomial_features(data.x_train, degree + 1, normalise)
    w = least_squares(X, data.y_train)
    return mse(X @ w, data.y_train), mse(polynomial_features(data.x_test, degree + 1, normalise) @ w, data.y_test)


def losses_by_degree(data: PolyData, degrees: range = range(MAX_DEGREE)) -> dict[str, list[float]]:
    """Training and test MSE of the exact fit for every degree (the capacity curve of exercise 4.4.2)."""
    pairs = [poly_losses(data, d) for d in degrees]
    return {"degree": list(degrees), "train": [p[0] for p in pairs], "test": [p[1] for p in pairs]}


def losses_by_size(degree: int, sizes: list[int], noise: float = 0.1, seed: int = 0,
                   n_test: int = 1000) -> dict[str, list[float]]:
    """Training and test MSE of the exact degree-`degree` fit for growing training sets (exercise 4.4.2c).

    Each size draws its own training set from the same seeded stream; the test set is shared.
    """
    test = polynomial_data(1, n_test, noise, seed=10_000 + seed)
    train_loss, test_loss = [], []
    for k, n in enumerate(sizes):
        d = polynomial_data(n, 1, noise, seed=seed * 1000 + k)
        both = PolyData(d.x_train, d.y_train, test.x_test, test.y_test, noise)
        tr, te = poly_losses(both, degree)
        train_loss.append(tr)
        test_loss.append(te)
    return {"n": list(sizes), "train": train_loss, "test": test_loss}


def expected_train_mse(n: sympy.Expr, p: sympy.Expr, sigma: sympy.Expr) -> sympy.Expr:
    """E[training MSE] = σ² (n − p)/n for a least-squares fit with p ≤ n features that contain the true model.

    The residual is (I − H)ε with the hat matrix H = X(XᵀX)⁻¹Xᵀ, a projection, so E‖(I − H)ε‖² = σ² tr(I − H) and
    tr H = tr((XᵀX)⁻¹XᵀX) = tr I_p = p (the trace is cyclic).
    """
    trace_hat = p
    return sympy.simplify(sigma**2 * (n - trace_hat) / n)


def scaled_features(data: PolyData, n_features: int = MAX_DEGREE, scaling: str = "normalised"
                    ) -> tuple[Tensor, Tensor]:
    """Training and test features: "normalised" xⁱ/i!, "raw" xⁱ, or "standardised" xⁱ with every column shifted
    and scaled by the training set's mean and standard deviation (the constant column stays 1)."""
    if scaling not in ("normalised", "raw", "standardised"):
        raise ValueError(f"scaling must be 'normalised', 'raw' or 'standardised', not {scaling!r}")
    X = polynomial_features(data.x_train, n_features, scaling == "normalised")
    X_test = polynomial_features(data.x_test, n_features, scaling == "normalised")
    if scaling == "standardised":
        mean, std = X.mean(0), X.std(0)
        constant = std == 0
        mean, std = torch.where(constant, 0.0, mean), torch.where(constant, 1.0, std)
        X, X_test = (X - mean) / std, (X_test - mean) / std
    return X, X_test


def sgd_polynomial(data: PolyData, n_features: int = MAX_DEGREE, scaling: str = "normalised", lr: float = 0.01,
                   epochs: int = 400, batch_size: int = 10, seed: int = 0,
                   callback: Callable[[int, History], None] | None = None) -> tuple[Tensor, History]:
    """The book's train(): nn.Linear(bias=False), nn.MSELoss, SGD(lr), batch 10; weights start at N(0, 0.01²), seeded.

    Returns the learned weights (float64) and the History (mean training loss and test MSE per epoch). Float32 as in
    the book; with the "raw" features the columns reach 10⁹ and the loss overflows to inf/nan.
    """
    g = torch.Generator().manual_seed(seed)
    X, X_test = (F.float() for F in scaled_features(data, n_features, scaling))
    y, y_test = data.y_train.float().reshape(-1, 1), data.y_test.float().reshape(-1, 1)
    net = nn.Linear(n_features, 1, bias=False)
    with torch.no_grad():
        net.weight.copy_(0.01 * torch.randn(1, n_features, generator=g))
    loss = nn.MSELoss(reduction="none")
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    history = train(net, loss, optimizer, Minibatches(X, y, batch_size, g), [(X_test, y_test)], epochs,
                    task="regression", callback=callback)
    return net.weight.detach().reshape(-1).double(), history


def gd_stability_bound(X: Tensor) -> float:
    """Largest learning rate for which full-batch gradient descent on the MSE does not diverge: η < 2/λ_max(H).

    H = ∇² (1/n)‖Xw − y‖² = 2XᵀX/n, so η < n / λ_max(XᵀX).
    """
    eigenvalues = torch.linalg.eigvalsh(X.T @ X)
    return len(X) / float(eigenvalues[-1])


def standardise(X: Tensor) -> Tensor:
    """Each column to mean 0 and standard deviation 1 (a constant column is left as it is)."""
    mean, std = X.mean(0), X.std(0)
    constant = std == 0
    return (X - torch.where(constant, 0.0, mean)) / torch.where(constant, 1.0, std)


def noise_floor(sigma: float, n_test: int = 100_000, seed: int = 0) -> float:
    """Test MSE of the true cubic itself on fresh data: E(y − f*(x))² = E ε² = σ² — no model can do better."""
    data = polynomial_data(1, n_test, sigma, seed)
    return mse(polynomial_features(data.x_test) @ true_poly_weights(), data.y_test)


# --- §4.5 weight decay ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WeightDecayConfig:
    """The book's §4.5.2 experiment (zh-v2): d = 200, 20 training and 100 test examples, batch 5, w ~ N(0, 1)."""

    lam: float = 0.0
    penalty: str = "l2"  # "l2": λ‖w‖²/2;  "l1": λ Σ|wᵢ| by its subgradient;  "l1prox": λ Σ|wᵢ| by soft-thresholding
    n_train: int = 20
    n_test: int = 100
    d: int = 200
    batch_size: int = 5
    epochs: int = 100
    lr: float = 0.003
    noise: float = 0.01
    seed: int = 0
    implementation: str = "scratch"  # "scratch": penalty in the loss + the book's sgd; "concise": SGD(weight_decay)


@dataclass
class WeightDecayRun:
    history: History  # train_loss includes the penalty (the objective); test_loss is the data loss
    trace: list[list[float]]  # the first `track` weights after every epoch
    train_loss: float  # (1/n) Σ (ŷ − y)²/2 on the training set, without the penalty
    test_loss: float
    w: Tensor  # (d,)
    b: float


def weight_decay_data(c: WeightDecayConfig, g: torch.Generator | None = None) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """X_train (n_train, d), y_train, X_test, y_test with y = 0.05 + Σ 0.01 xᵢ + ε (d2lcore.data.synthetic_data).

    Drawn from `g` (default: a generator seeded with c.seed); training goes on drawing from the same stream.
    """
    g = g if g is not None else torch.Generator().manual_seed(c.seed)
    true_w = torch.full((c.d,), 0.01)
    X, y = synthetic_data(true_w, 0.05, c.n_train, c.noise, g)
    X_test, y_test = synthetic_data(true_w, 0.05, c.n_test, c.noise, g)
    return X, y, X_test, y_test


def l2_penalty(w: Tensor) -> Tensor:
    """‖w‖²/2 = Σ wᵢ² / 2 (the book's l2_penalty)."""
    return (w**2).sum() / 2


def l1_penalty(w: Tensor) -> Tensor:
    """‖w‖₁ = Σ |wᵢ|."""
    return w.abs().sum()


def soft_threshold(v: Tensor, threshold: float) -> Tensor:
    """prox of t‖·‖₁:  argmin_u ½(u − v)² + t|u| = sign(v) · max(|v| − t, 0) — exactly 0 when |v| ≤ t."""
    return torch.sign(v) * torch.clamp(v.abs() - threshold, min=0.0)


def train_weight_decay(c: WeightDecayConfig, callback: Callable[[int, History], None] | None = None,
                       track: int = 0) -> WeightDecayRun:
    """Minibatch SGD on (1/|B|) Σ (ŷ − y)²/2 + penalty, from w ~ N(0, 1), b = 0 (the book's train(lambd)).

    l2 (scratch):  w ← (1 − ηλ) w − η ∇L   (the penalty λ‖w‖²/2 is added to every example's loss).
    l2 (concise):  torch.optim.SGD with weight_decay=λ on w only — the same update by a different route.
    l1:            w ← w − η ∇L − ηλ sign(w)   (subgradient; weights jitter around 0 but are rarely exactly 0).
    l1prox:        w ← soft_threshold(w − η ∇L, ηλ)   (proximal step; small weights become exactly 0).
    """
    g = torch.Generator().manual_seed(c.seed)
    X, y, X_test, y_test = weight_decay_data(c, g)  # then w, then the minibatch order, from the same stream
    w = torch.normal(0.0, 1.0, (c.d, 1), generator=g).requires_grad_(True)
    b = torch.zeros(1, requires_grad=True)

    def net(X: Tensor) -> Tensor:
        return X @ w + b

    batches, test_iter, trace = Minibatches(X, y, c.batch_size, g), [(X_test, y_test)], []

    def record(epoch: int, history: History) -> None:
        trace.append(w.detach()[:track, 0].tolist())
        if callback is not None:
            callback(epoch, history)

    if c.implementation == "concise":
        if c.penalty != "l2":
            raise ValueError("the concise route implements the L2 penalty (weight_decay) only")
        optimizer = torch.optim.SGD([{"params": [w], "weight_decay": c.lam}, {"params": [b]}], lr=c.lr)
        history = train(net, squared_loss, optimizer, batches, test_iter, c.epochs, task="regression", callback=record)
    else:
        def loss(y_hat: Tensor, y: Tensor) -> Tensor:
            if not torch.is_grad_enabled():  # evaluation (train() evaluates under no_grad): the data loss only
                return squared_loss(y_hat, y)
            penalty = l2_penalty(w) if c.penalty == "l2" else l1_penalty(w) if c.penalty == "l1" else 0.0
            return squared_loss(y_hat, y) + c.lam * penalty

        @torch.no_grad()
        def update(batch_size: int) -> None:
            for param in (w, b):
                param -= c.lr * param.grad / batch_size
                param.grad.zero_()
            if c.penalty == "l1prox":
                w.copy_(soft_threshold(w, c.lr * c.lam))

        history = train(net, loss, update, batches, test_iter, c.epochs, task="regression", callback=record)
    return WeightDecayRun(history, trace, evaluate_loss(net, squared_loss, [(X, y)]),
                          evaluate_loss(net, squared_loss, [(X_test, y_test)]), w.detach().reshape(-1).clone(),
                          float(b.detach()))


def ridge_regression(X: Tensor, y: Tensor, lam: float) -> tuple[Tensor, float]:
    """The exact minimiser of (1/2n)‖Xw + b − y‖² + (λ/2)‖w‖² (b not penalised), λ > 0.

    Centre X and y (this removes b), then ŵ = (X_cᵀX_c/n + λI)⁻¹ X_cᵀy_c/n = X_cᵀ(X_cX_cᵀ + nλI)⁻¹ y_c (an n × n
    solve when d > n), b̂ = ȳ − x̄ᵀŵ.
    """
    n = len(X)
    x_mean, y_mean = X.mean(0), y.reshape(-1).mean()
    Xc, yc = X - x_mean, y.reshape(-1) - y_mean
    w = Xc.T @ torch.linalg.solve(Xc @ Xc.T + n * lam * torch.eye(n, dtype=X.dtype), yc)
    return w, float(y_mean - x_mean @ w)


def map_penalty_weight(sigma: sympy.Expr, tau: sympy.Expr, n: sympy.Expr) -> sympy.Expr:
    """λ that makes (1/n)Σ(ŷ − y)²/2 + (λ/2)‖w‖² the MAP objective for ε ~ N(0, σ²) and the prior w ~ N(0, τ²I).

    −log P(w | data) = Σ(ŷ − y)²/(2σ²) + ‖w‖²/(2τ²) + const; multiplying by σ²/n (which does not move the
    minimiser) gives the book's objective with λ/2 = σ²/(2nτ²).
    """
    lam = sympy.Symbol("lam", positive=True)
    w, r = sympy.symbols("w r", real=True)  # one weight and one residual stand for the sums
    neg_log_posterior = r**2 / (2 * sigma**2) + w**2 / (2 * tau**2)
    scaled = sympy.expand(neg_log_posterior * sigma**2 / n)
    objective = r**2 / (2 * n) + lam / 2 * w**2  # the book's objective for the same residual and weight
    return sympy.solve(sympy.Eq(scaled.coeff(w, 2), objective.coeff(w, 2)), lam)[0]


def gaussian_neg_log_prior(w: float | Tensor, tau: float) -> float | Tensor:
    """−log N(w | 0, τ²) = w²/(2τ²) + log(τ√(2π))."""
    return w**2 / (2 * tau**2) + math.log(tau * math.sqrt(2 * math.pi))


def laplace_neg_log_prior(w: float | Tensor, scale: float) -> float | Tensor:
    """−log Laplace(w | 0, s) = |w|/s + log(2s)."""
    return abs(w) / scale + math.log(2 * scale)


def expected_test_loss(w_hat: Tensor, b_hat: float, w: Tensor, b: float, noise: float) -> float:
    """E (x ᵀŵ + b̂ − y)²/2 over fresh x ~ N(0, I), y = xᵀw + b + ε:  (‖ŵ − w‖² + (b̂ − b)² + σ²)/2 (exact)."""
    return float(((w_hat.reshape(-1) - w.reshape(-1)) ** 2).sum() + (b_hat - b) ** 2 + noise**2) / 2


def validation_choice(lams: list[float], n_train: int = 20, n_val: int = 20, d: int = 200, reps: int = 50,
                      noise: float = 0.01, seed: int = 0) -> dict[str, list]:
    """Pick λ on a validation set, `reps` times with fresh data, for the ridge solution of the book's problem.

    Per repetition: ridge fits for every λ on n_train points, λ_val = argmin of the validation loss (n_val points),
    λ* = argmin of the exact expected test loss; regret = L(λ_val)/L(λ*) − 1.
    """
    true_w = torch.full((d,), 0.01, dtype=torch.float64)
    picked, best, regret = [], [], []
    g = torch.Generator().manual_seed(seed)
    for _ in range(reps):
        X, y = synthetic_data(true_w, 0.05, n_train + n_val, noise, g)
        X, y = X.double(), y.double().reshape(-1)
        val_loss, test_loss = [], []
        for lam in lams:
            w_hat, b_hat = ridge_regression(X[:n_train], y[:n_train], lam)
            val_loss.append(float(((X[n_train:] @ w_hat + b_hat - y[n_train:]) ** 2).mean() / 2))
            test_loss.append(expected_test_loss(w_hat, b_hat, true_w, 0.05, noise))
        i, j = int(np.argmin(val_loss)), int(np.argmin(test_loss))
        picked.append(lams[i])
        best.append(lams[j])
        regret.append(test_loss[i] / test_loss[j] - 1)
    return {"picked": picked, "best": best, "regret": regret}
