"""Model capacity and regularisation (zh-v2 §4.4 polynomial regression, §4.5 weight decay).

§4.4:  y = 5 + 1.2x − 3.4 x²/2! + 5.6 x³/3! + ε,  ε ~ N(0, σ²),  x ~ N(0, 1),  features xⁱ/i! for i < 20.
§4.5:  y = 0.05 + Σ_{i=1}^{200} 0.01 xᵢ + ε,  ε ~ N(0, 0.01²),  20 training and 100 test examples.
Losses: §4.4 reports the mean squared error (the book's nn.MSELoss); §4.5 the book's squared_loss (ŷ − y)²/2.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import sympy
import torch
from torch import Tensor

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


def true_poly(x: Tensor) -> Tensor:
    """f*(x) = Φ(x) w* = 5 + 1.2x − 3.4x²/2! + 5.6x³/3!: only the first four features carry weight, so only they
    are computed (the other sixteen add exact zeros; 5× less work on large test sets)."""
    return polynomial_features(x, len(TRUE_POLY)) @ true_poly_weights(len(TRUE_POLY))


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
    y = true_poly(x) + noise * torch.randn(len(x), generator=g, dtype=torch.float64)
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

    Each size draws its own training set from the same seeded stream; the test set (and its features) is shared.
    """
    test = polynomial_data(1, n_test, noise, seed=10_000 + seed)
    X_test = polynomial_features(test.x_test, degree + 1)  # (n_test, degree + 1), built once for every size
    train_loss, test_loss = [], []
    for k, n in enumerate(sizes):
        d = polynomial_data(n, 1, noise, seed=seed * 1000 + k)
        X = polynomial_features(d.x_train, degree + 1)
        w = least_squares(X, d.y_train)  # as poly_losses does
        train_loss.append(mse(X @ w, d.y_train))
        test_loss.append(mse(X_test @ w, test.y_test))
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


@dataclass
class PolySGDPath:
    """One SGD run on the polynomial features: the weights after every epoch and the losses per epoch."""

    w: Tensor  # (epochs + 1, n_features) float64: the start w₀, then the weights after each epoch
    train_loss: list[float]  # per epoch: mean of the minibatch losses (each taken before its step), as train() logs
    test_loss: list[float]  # per epoch: test MSE of the weights after the epoch


def sgd_polynomial_path(data: PolyData, n_features: int = MAX_DEGREE, scaling: str = "normalised",
                        lr: float = 0.01, epochs: int = 400, batch_size: int = 10, seed: int = 0) -> PolySGDPath:
    """The book's train() for §4.4 (nn.Linear(bias=False), nn.MSELoss, SGD(lr), batch 10, w₀ ~ N(0, 0.01²)) with the
    gradient written out instead of taken by autograd:

        r = Φ_B w − y_B,   l = (1/|B|) Σ_B r²,   ∇_w l = (2/|B|) Φ_Bᵀ r,   w ← w − η ∇_w l.

    Same generator stream as the book's route (w₀, then one data_iter permutation per epoch), float32 as in the
    book, so the first k epochs of a longer run are exactly a k-epoch run. With the "raw" features the columns reach
    10⁹ and the loss overflows to inf/nan, as it does in the book.
    """
    g = torch.Generator().manual_seed(seed)
    Phi, Phi_test = (F.float().numpy() for F in scaled_features(data, n_features, scaling))  # (n, p), (n_test, p)
    y, y_test = data.y_train.float().numpy(), data.y_test.float().numpy()
    w = (0.01 * torch.randn(1, n_features, generator=g)).reshape(-1).numpy().copy()  # (p,) float32
    n = len(y)
    orders = [torch.randperm(n, generator=g).numpy() for _ in range(epochs)]  # data_iter's shuffle, per epoch
    path, train_loss, test_loss = [w.copy()], [], []
    with np.errstate(all="ignore"):  # the raw features overflow on purpose
        for order in orders:
            Phi_e, y_e = Phi[order], y[order]  # this epoch's order; minibatches are consecutive slices
            total = np.float32(0.0)
            for start in range(0, n, batch_size):
                Phi_B, y_B = Phi_e[start:start + batch_size], y_e[start:start + batch_size]  # (|B|, p), (|B|,)
                r = Phi_B @ w - y_B
                total += r @ r
                w -= (2 * lr / len(y_B)) * (Phi_B.T @ r)
            path.append(w.copy())
            train_loss.append(float(total) / n)
            r_test = Phi_test @ w - y_test
            test_loss.append(float(r_test @ r_test) / len(y_test))
    return PolySGDPath(torch.from_numpy(np.stack(path)).double(), train_loss, test_loss)


def sgd_polynomial(data: PolyData, n_features: int = MAX_DEGREE, scaling: str = "normalised", lr: float = 0.01,
                   epochs: int = 400, batch_size: int = 10, seed: int = 0) -> tuple[Tensor, History]:
    """The learned weights (float64) and the History (mean training loss and test MSE per epoch) of
    sgd_polynomial_path: the book's SGD on the polynomial features."""
    run = sgd_polynomial_path(data, n_features, scaling, lr, epochs, batch_size, seed)
    nan = [math.nan] * epochs  # regression: no accuracies; no timing either
    history = History(epoch=list(range(1, epochs + 1)), train_loss=run.train_loss, train_acc=nan, test_acc=nan[:],
                      test_loss=run.test_loss, examples_per_s=nan[:])
    return run.w[-1], history


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
    return mse(true_poly(data.x_test), data.y_test)


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


def weight_decay_sweep(c: WeightDecayConfig, lams: Sequence[float], track: int = 0) -> list[WeightDecayRun]:
    """train_weight_decay's scratch route for every λ of `lams` at once, with the gradient written out.

    All λ share the data, w₀ and the minibatch order (one generator stream, as in train_weight_decay), so the runs
    are the columns of one parameter matrix Θ = [W; bᵀ] (d + 1, L) on the inputs x̃ = (x, 1). Per minibatch B, with
    r = X̃_B Θ − y_B (|B|, L) and g = X̃_Bᵀ r / |B| (the gradient of the data loss (1/|B|) Σ r²/2):

        l2:      W ← W − η (g_W + λ W)          objective per example r²/2 + λ‖w‖²/2
        l1:      W ← W − η (g_W + λ sign(W))    objective per example r²/2 + λ‖w‖₁
        l1prox:  W ← soft_threshold(W − η g_W, ηλ)   objective per example r²/2
        b ← b − η g_b   (= b − η Σ_B r / |B|; never penalised)

    float32 as in the book. Returns one WeightDecayRun per λ, in the order of `lams`.
    """
    if c.implementation != "scratch":
        raise ValueError("weight_decay_sweep follows the scratch route")
    if c.penalty not in ("l2", "l1", "l1prox"):
        raise ValueError(f"penalty must be 'l2', 'l1' or 'l1prox', not {c.penalty!r}")
    g = torch.Generator().manual_seed(c.seed)
    X, y, X_test, y_test = (T.numpy() for T in weight_decay_data(c, g))  # (n, d), (n, 1), (n_test, d), (n_test, 1)
    w0 = torch.normal(0.0, 1.0, (c.d, 1), generator=g).numpy()  # (d, 1)
    orders = [torch.randperm(c.n_train, generator=g).numpy() for _ in range(c.epochs)]  # data_iter, per epoch
    L = len(lams)
    X1, X1_test = (np.hstack([A, np.ones((len(A), 1), np.float32)]) for A in (X, X_test))  # (n, d + 1)
    Theta = np.vstack([np.repeat(w0, L, axis=1), np.zeros((1, L), np.float32)])  # (d + 1, L): rows w, then b
    lam = np.asarray(lams, dtype=np.float32)  # (L,)
    lam_w = lam * np.r_[np.ones(c.d), 0.0].astype(np.float32)[:, None]  # (d + 1, L): λ on the rows of w, 0 on b

    def data_loss(A: np.ndarray, t: np.ndarray) -> np.ndarray:  # (1/n) Σ (ŷ − y)²/2 per λ   # (L,)
        return ((A @ Theta - t) ** 2).mean(0) / 2

    objective, test_loss, trace = [], [], []
    for order in orders:
        X_e, y_e = X1[order], y[order]  # this epoch's order; minibatches are consecutive slices
        residuals, params, sizes = [], [], []
        for start in range(0, c.n_train, c.batch_size):
            X_B, y_B = X_e[start:start + c.batch_size], y_e[start:start + c.batch_size]  # (|B|, d + 1), (|B|, 1)
            r = X_B @ Theta - y_B  # (|B|, L)
            step = X_B.T @ r / len(y_B)  # (d + 1, L)
            if c.penalty == "l2":
                step += lam_w * Theta
            elif c.penalty == "l1":
                step += lam_w * np.sign(Theta)
            residuals.append(r)
            params.append(Theta)
            sizes.append(len(y_B))
            Theta = Theta - c.lr * step
            if c.penalty == "l1prox":  # soft_threshold(W, ηλ); the threshold of the b row is 0
                Theta = np.sign(Theta) * np.maximum(np.abs(Theta) - c.lr * lam_w, 0)
        R, W_steps = np.concatenate(residuals), np.stack(params)[:, :-1]  # (n, L), (steps, d, L)
        if c.penalty == "l2":  # the penalty at each step, added to each of its |B| examples   # (steps, L)
            penalty = (W_steps * W_steps).sum(1) / 2
        elif c.penalty == "l1":
            penalty = np.abs(W_steps).sum(1)
        else:  # the proximal route keeps the penalty out of the loss
            penalty = np.zeros_like(W_steps[:, 0])
        objective.append(((R * R).sum(0) / 2 + lam * (np.asarray(sizes, np.float32) @ penalty)) / c.n_train)
        test_loss.append(data_loss(X1_test, y_test))
        trace.append(Theta[:track].T.tolist())  # (L, track)
    train_final, test_final = data_loss(X1, y), data_loss(X1_test, y_test)
    runs = []
    for i in range(L):
        nan = [math.nan] * c.epochs  # regression: no accuracies; no timing either
        history = History(epoch=list(range(1, c.epochs + 1)), train_loss=[float(o[i]) for o in objective],
                          train_acc=nan, test_acc=nan[:], test_loss=[float(t[i]) for t in test_loss],
                          examples_per_s=nan[:])
        runs.append(WeightDecayRun(history, [t[i] for t in trace], float(train_final[i]), float(test_final[i]),
                                   torch.from_numpy(Theta[:-1, i].copy()), float(Theta[-1, i])))
    return runs


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


def ridge_path(X: Tensor, y: Tensor, lams: Sequence[float]) -> tuple[Tensor, Tensor]:
    """ridge_regression for every λ of `lams` at once, and for a batch of data sets: X (..., n, d), y (..., n).

    ŵ_λ = X_cᵀ(X_cX_cᵀ + nλI)⁻¹ y_c,  b̂_λ = ȳ − x̄ᵀŵ_λ: one batched n × n solve per (data set, λ).
    Returns W (..., L, d) and b (..., L).
    """
    n = X.shape[-2]
    x_mean, y_mean = X.mean(-2, keepdim=True), y.mean(-1, keepdim=True)  # (..., 1, d), (..., 1)
    Xc, yc = X - x_mean, y - y_mean  # (..., n, d), (..., n)
    nlam = n * torch.as_tensor(lams, dtype=X.dtype)  # (L,)
    A = (Xc @ Xc.mT)[..., None, :, :] + nlam[:, None, None] * torch.eye(n, dtype=X.dtype)  # (..., L, n, n)
    alpha = torch.linalg.solve(A, yc[..., None, :].expand(A.shape[:-1]))  # (..., L, n)
    W = alpha @ Xc  # (..., L, d): rows ŵ_λᵀ = α_λᵀ X_c
    return W, y_mean - (W @ x_mean.mT)[..., 0]


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
    λ* = argmin of the exact expected test loss; regret = L(λ_val)/L(λ*) − 1. All repetitions and all λ are fitted
    in one batched ridge_path.
    """
    true_w = torch.full((d,), 0.01, dtype=torch.float64)
    g = torch.Generator().manual_seed(seed)
    X = torch.empty(reps, n_train + n_val, d, dtype=torch.float64)  # (R, n_train + n_val, d)
    y = torch.empty(reps, n_train + n_val, dtype=torch.float64)  # (R, n_train + n_val)
    true_w32 = true_w.float()  # synthetic_data draws in float32
    for r in range(reps):  # one draw per repetition, in the order of the stream, stored as float64
        X_r, y_r = synthetic_data(true_w32, 0.05, n_train + n_val, noise, g)
        X[r], y[r] = X_r, y_r.reshape(-1)
    W, b = ridge_path(X[:, :n_train], y[:, :n_train], lams)  # (R, L, d), (R, L)
    y_hat = X[:, n_train:] @ W.mT + b[:, None, :]  # (R, n_val, L)
    val_loss = ((y_hat - y[:, n_train:, None]) ** 2).mean(1) / 2  # (R, L)
    test_loss = (((W - true_w) ** 2).sum(-1) + (b - 0.05) ** 2 + noise**2) / 2  # expected_test_loss   # (R, L)
    i, j = val_loss.argmin(-1), test_loss.argmin(-1)  # (R,)
    rows = torch.arange(reps)
    regret = test_loss[rows, i] / test_loss[rows, j] - 1
    return {"picked": [lams[k] for k in i.tolist()], "best": [lams[k] for k in j.tolist()],
            "regret": regret.tolist()}
