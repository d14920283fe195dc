"""Linear regression (zh-v2 §3.1–3.3): the model, its losses, minibatch SGD, the closed form and the noise models.

Shapes follow the book: X is (n, d), w is (d, 1), b a scalar, y and ŷ are (n, 1).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import torch
from torch import Tensor

# --- the model, the loss and the optimiser of §3.2 -----------------------------------------------------------------

def linreg(X: Tensor, w: Tensor, b: Tensor | float) -> Tensor:
    """ŷ = Xw + b   — X (n, d), w (d, 1) → ŷ (n, 1); b is broadcast to every row."""
    return X @ w + b


def squared_loss(y_hat: Tensor, y: Tensor) -> Tensor:
    """l = (ŷ − y)² / 2 per example, shape of ŷ.

    y is reshaped to ŷ's shape first: with ŷ of shape (n, 1) and y of shape (n,), ŷ − y would broadcast to an
    (n, n) matrix of every prediction minus every label, and the "loss" would silently be the wrong number.
    """
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def squared_loss_without_reshape(y_hat: Tensor, y: Tensor) -> Tensor:
    """(ŷ − y)² / 2 without the reshape: the pitfall of exercise 3.2.5. (n, 1) against (n,) gives (n, n)."""
    return (y_hat - y) ** 2 / 2


@torch.no_grad()
def sgd(params: Iterable[Tensor], lr: float, batch_size: int) -> None:
    """The book's minibatch SGD: θ ← θ − η · ∇_θ Σ_{i∈B} l_i / batch_size, then zero the gradient.

    It divides by the fixed `batch_size` argument even when the last minibatch holds fewer examples (3.2.7), so
    that batch's step is shorter by the factor |B| / batch_size.
    """
    for param in params:
        param -= lr * param.grad / batch_size
        param.grad.zero_()


@torch.no_grad()
def sgd_actual_batch(params: Iterable[Tensor], lr: float, batch: Tensor) -> None:
    """Minibatch SGD that divides by the size of the batch actually delivered: θ ← θ − η · ∇_θ Σ_{i∈B} l_i / |B|."""
    sgd(params, lr, len(batch))


def batch_sizes(num_examples: int, batch_size: int) -> list[int]:
    """Sizes of the minibatches the book's data_iter yields: ⌊n / B⌋ full ones, then n mod B if that is > 0."""
    full, last = divmod(num_examples, batch_size)
    return [batch_size] * full + ([last] if last else [])


def init_params(d: int, init: str = "normal", generator: torch.Generator | None = None,
                scale: float = 0.01) -> tuple[Tensor, Tensor]:
    """w (d, 1) and b (1,) with requires_grad. init: "normal" w ~ N(0, scale²), "zeros", or "large" w ~ N(0, 10²)."""
    if init == "zeros":
        w = torch.zeros(d, 1)
    elif init in ("normal", "large"):
        w = torch.normal(0.0, scale if init == "normal" else 10.0, (d, 1), generator=generator)
    else:
        raise ValueError(f"unknown init {init!r}: use 'normal', 'zeros' or 'large'")
    return w.requires_grad_(True), torch.zeros(1, requires_grad=True)


# --- the closed form (§3.1, exercise 3.1.2) ------------------------------------------------------------------------

def add_bias_column(X: Tensor) -> Tensor:
    """[X, 1]: appending a column of ones lets the last weight play the bias, so ŷ = [X, 1] [w; b]."""
    return torch.cat([X, torch.ones(len(X), 1, dtype=X.dtype)], dim=1)


def least_squares_loss(X: Tensor, y: Tensor, w: Tensor) -> Tensor:
    """L(w) = ‖y − Xw‖² = Σ_i (y_i − x_iᵀ w)²   (no ½ and no 1/n: neither changes the minimiser)."""
    r = y.reshape(-1) - X @ w.reshape(-1)
    return r @ r


def least_squares_gradient(X: Tensor, y: Tensor, w: Tensor) -> Tensor:
    """∇_w ‖y − Xw‖² = 2 Xᵀ(Xw − y)."""
    return 2 * X.T @ (X @ w.reshape(-1) - y.reshape(-1))


def closed_form_least_squares(X: Tensor, y: Tensor) -> Tensor:
    """w* = (XᵀX)⁻¹ Xᵀ y — the normal equations XᵀX w = Xᵀy, solved without forming the inverse.

    Needs XᵀX invertible (linearly independent columns, n ≥ d). With nearly collinear columns XᵀX is
    ill-conditioned and w* becomes very sensitive to noise (exercise 3.1.2d).
    """
    return torch.linalg.solve(X.T @ X, X.T @ y.reshape(len(X), -1)).reshape(-1)


def lstsq_solution(X: Tensor, y: Tensor) -> Tensor:
    """The same minimiser by torch.linalg.lstsq (QR/SVD based: also defined when XᵀX is singular)."""
    return torch.linalg.lstsq(X, y.reshape(len(X), -1)).solution.reshape(-1)


def condition_number(X: Tensor) -> float:
    """κ(XᵀX) = σ_max² / σ_min² of X: how much relative noise in y can be amplified in w*."""
    s = torch.linalg.svdvals(X)
    return float((s[0] / s[-1]) ** 2)


def correlated_features(n: int, rho: float, generator: torch.Generator | None = None) -> Tensor:
    """Two standard-normal features with correlation ρ: x₂ = ρ x₁ + sqrt(1 − ρ²) z. Returns (n, 2)."""
    x1, z = torch.randn(2, n, generator=generator, dtype=torch.float64)
    return torch.stack([x1, rho * x1 + math.sqrt(1 - rho**2) * z], dim=1)


# --- noise models and their losses (§3.1.3, exercise 3.1.3) --------------------------------------------------------

def gaussian_nll(y_hat: Tensor, y: Tensor, sigma: float = 1.0) -> Tensor:
    """−log P(y | X) for ε ~ N(0, σ²): Σ_i (y_i − ŷ_i)² / (2σ²) + n · log(√(2π) σ)."""
    r = y.reshape(-1) - y_hat.reshape(-1)
    return (r**2).sum() / (2 * sigma**2) + len(r) * math.log(math.sqrt(2 * math.pi) * sigma)


def laplace_nll(y_hat: Tensor, y: Tensor) -> Tensor:
    """−log P(y | X) for Laplace noise p(ε) = ½ exp(−|ε|): Σ_i |y_i − ŷ_i| + n · log 2.

    (The book calls this density "exponential"; it is the Laplace, or double-exponential, distribution.)
    """
    r = y.reshape(-1) - y_hat.reshape(-1)
    return r.abs().sum() + len(r) * math.log(2)


def absolute_loss_subgradient_b(y: Tensor, b: float) -> float:
    """d/db (1/n) Σ |y_i − b| = (#{y_i < b} − #{y_i > b}) / n  (taking 0 for a term with y_i = b)."""
    return float(((y < b).sum() - (y > b).sum()) / len(y))


def location_sgd(y: Tensor, lr: float, steps: int, b0: float = 0.0, decay: bool = False,
                 loss: str = "absolute", full_batch: bool = False,
                 generator: torch.Generator | None = None) -> Tensor:
    """(S)GD for the location model ŷ = b. Returns b after each step, shape (steps,).

    absolute: b ← b + η_t · mean_i sign(y_i − b) (the Laplace NLL);  squared: b ← b + η_t · mean_i (y_i − b),
    the mean taken over one random example per step, or over all of them (full_batch).
    η_t = η (constant) or η / sqrt(t + 1) (decay). Even the full-batch absolute-loss step keeps its size near the
    median (the subgradient does not shrink), so with a constant η b keeps hopping instead of settling; the
    squared-loss step shrinks with the distance to the mean.
    """
    y = y.to(torch.float64)
    idx = torch.randint(len(y), (steps,), generator=generator)
    b, path = b0, torch.empty(steps, dtype=torch.float64)
    for t in range(steps):
        eta = lr / math.sqrt(t + 1) if decay else lr
        r = (y if full_batch else y[idx[t]].reshape(1)) - b
        b += eta * float(r.sign().mean() if loss == "absolute" else r.mean())
        path[t] = b
    return path


# --- robust losses (§3.3, exercise 3.3.2) --------------------------------------------------------------------------

def huber(y_hat: Tensor, y: Tensor, sigma: float) -> Tensor:
    """The book's Huber loss per example: |r| − σ/2 if |r| > σ, else r² / (2σ), with r = y − ŷ.

    This is torch's SmoothL1Loss(beta=σ). torch's HuberLoss(delta=σ) is σ times it (0.5 r² or σ(|r| − σ/2)).
    """
    r = (y.reshape(y_hat.shape) - y_hat).abs()
    return torch.where(r > sigma, r - sigma / 2, r**2 / (2 * sigma))


def huber_delta(y_hat: Tensor, y: Tensor, delta: float) -> Tensor:
    """The other convention (torch.nn.HuberLoss): r²/2 if |r| ≤ δ, else δ(|r| − δ/2) = δ · huber(ŷ, y, δ)."""
    r = (y.reshape(y_hat.shape) - y_hat).abs()
    return torch.where(r > delta, delta * (r - delta / 2), r**2 / 2)


# --- one-parameter models fitted with automatic differentiation (exercises 3.2.2 and 3.2.3) -------------------------

def fit_resistance(current: Tensor, voltage: Tensor, lr: float = 0.1, steps: int = 200) -> float:
    """Ohm's law V = R·I: minimise (1/n) Σ (V_i − R I_i)² / 2 over R by gradient descent with autograd."""
    R = torch.zeros((), dtype=torch.float64, requires_grad=True)
    scale = float((current**2).mean())  # curvature of the loss: a step of lr / scale is stable for lr < 2
    for _ in range(steps):
        loss = squared_loss(R * current, voltage).mean()
        loss.backward()
        with torch.no_grad():
            R -= lr / scale * R.grad
            R.grad.zero_()
    return float(R.detach())


H_PLANCK, C_LIGHT, K_BOLTZMANN = 6.62607015e-34, 2.99792458e8, 1.380649e-23


def planck(lam: Tensor, T: Tensor | float) -> Tensor:
    """Spectral radiance B_λ(T) = 2hc² / λ⁵ · 1 / (exp(hc / (λ k T)) − 1), λ in metres, T in kelvin (W·sr⁻¹·m⁻³)."""
    return 2 * H_PLANCK * C_LIGHT**2 / lam**5 / torch.expm1(H_PLANCK * C_LIGHT / (lam * K_BOLTZMANN * T))


def fit_temperature(lam: Tensor, B: Tensor, T0: float = 1000.0, lr: float = 0.01, steps: int = 300) -> float:
    """Fit T in B_λ(T) by gradient descent with autograd on the log-spectrum: min (1/n) Σ (log B_i − log B_λi(T))².

    T = T0 · exp(θ) keeps T positive and makes the step size independent of the temperature's scale.
    """
    theta = torch.zeros((), dtype=torch.float64, requires_grad=True)
    log_B = B.log()
    for _ in range(steps):
        loss = ((log_B - planck(lam, T0 * theta.exp()).log()) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            theta -= lr * theta.grad
            theta.grad.zero_()
    return float(T0 * theta.detach().exp())


WIEN_B = 2.897771955e-3  # m·K: Wien's displacement constant, λ_max · T = b


def wien_temperature(lam: Tensor, B: Tensor) -> float:
    """A rough second estimate: T = b / λ_max with λ_max the wavelength of the largest sample."""
    return WIEN_B / float(lam[B.argmax()])


# --- training the from-scratch model (§3.2.6, exercises 3.2.1, 3.2.6, 3.2.7) ---------------------------------------

TRUE_W, TRUE_B = (2.0, -3.4), 4.2  # the book's synthetic data: y = 2 x₁ − 3.4 x₂ + 4.2 + ε


class Diverged(ArithmeticError):
    """Raised inside the update when the loss leaves the cap or becomes inf/nan: training is stopped there."""


class Reshuffled:
    """The book's data_iter as an iterable that draws a fresh shuffle on every pass (one pass per epoch)."""

    def __init__(self, batch_size: int, features: Tensor, labels: Tensor, generator: torch.Generator | None = None):
        self.batch_size, self.features, self.labels, self.generator = batch_size, features, labels, generator

    def __iter__(self):
        from d2lcore.data import data_iter

        return data_iter(self.batch_size, self.features, self.labels, self.generator)


@dataclass
class LinregRun:
    """What a from-scratch run leaves: parameters, the full-data loss after every step and after every epoch."""

    w: Tensor
    b: Tensor
    step_loss: list[float]  # mean squared_loss over all examples: [before training, after step 1, …]
    epoch_loss: list[float]  # the same, after each epoch (what the book prints)
    diverged: bool
    steps: int


def train_linreg_scratch(features: Tensor, labels: Tensor, lr: float = 0.03, batch_size: int = 10, epochs: int = 3,
                         init: str = "normal", seed: int = 0, fixed_batch_size: bool = True,
                         cap: float = 1e6) -> LinregRun:
    """The book's §3.2 loop (linreg + squared_loss + sgd over data_iter) run by d2lcore.train.train.

    fixed_batch_size=True divides every gradient by `batch_size` (the book's sgd); False divides by the size of
    the minibatch actually delivered. Training stops, flagged `diverged`, once the full-data loss exceeds `cap`
    or becomes inf/nan.
    """
    from d2lcore.train import train

    g = torch.Generator().manual_seed(seed)
    w, b = init_params(features.shape[1], init, generator=g)

    def full_loss() -> float:
        with torch.no_grad():
            return float(squared_loss(linreg(features, w, b), labels).mean())

    step_loss, epoch_loss = [full_loss()], []

    def updater(n: int) -> None:
        sgd([w, b], lr, batch_size if fixed_batch_size else n)
        step_loss.append(full_loss())
        if not math.isfinite(step_loss[-1]) or step_loss[-1] > cap:
            raise Diverged(f"loss {step_loss[-1]:.3g} after step {len(step_loss) - 1}")

    diverged = False
    try:
        train(lambda X: linreg(X, w, b), squared_loss, updater, Reshuffled(batch_size, features, labels, g), None,
              epochs, task="regression", callback=lambda epoch, history: epoch_loss.append(full_loss()))
    except Diverged:
        diverged = True
    return LinregRun(w.detach().reshape(-1), b.detach(), step_loss, epoch_loss, diverged, len(step_loss) - 1)


def book_data(num_examples: int = 1000, noise: float = 0.01, seed: int = 0) -> tuple[Tensor, Tensor]:
    """The book's synthetic data set (w = [2, −3.4], b = 4.2) from d2lcore.data.synthetic_data, seeded."""
    from d2lcore.data import synthetic_data

    return synthetic_data(torch.tensor(TRUE_W), TRUE_B, num_examples, noise, generator=torch.Generator().manual_seed(
        seed))


# --- the concise implementation (§3.3, exercises 3.3.1 and 3.3.2) ---------------------------------------------------

def concise_trajectory(X: Tensor, y: Tensor, lr: float, batch_size: int, reduction: str = "mean", epochs: int = 1,
                       seed: int = 0) -> Tensor:
    """nn.Linear + nn.MSELoss(reduction) + torch.optim.SGD over the seeded data_iter. Returns the parameters
    [w₁, …, w_d, b] before training and after every step, shape (steps + 1, d + 1).

    The summed loss's gradient is |B| times the mean's, so lr on "sum" and lr·|B| on "mean" give the same steps.
    """
    from d2lcore.data import data_iter

    g = torch.Generator().manual_seed(seed)
    net = torch.nn.Linear(X.shape[1], 1, dtype=X.dtype)
    with torch.no_grad():
        net.weight.copy_(torch.normal(0.0, 0.01, net.weight.shape, generator=g, dtype=X.dtype))
        net.bias.zero_()
    loss = torch.nn.MSELoss(reduction=reduction)
    trainer = torch.optim.SGD(net.parameters(), lr=lr)

    def params() -> Tensor:
        return torch.cat([net.weight.detach().reshape(-1), net.bias.detach()]).clone()

    path = [params()]
    for _ in range(epochs):
        for X_batch, y_batch in data_iter(batch_size, X, y, g):
            trainer.zero_grad()
            loss(net(X_batch), y_batch).backward()
            trainer.step()
            path.append(params())
    return torch.stack(path)


def fit_line(x: Tensor, y: Tensor, loss: torch.nn.Module, lr: float = 0.1, steps: int = 500) -> tuple[float, float]:
    """Fit ŷ = w x + b by full-batch gradient descent on `loss` (e.g. MSELoss or SmoothL1Loss). Returns (w, b)."""
    w = torch.zeros((), dtype=x.dtype, requires_grad=True)
    b = torch.zeros((), dtype=x.dtype, requires_grad=True)
    for _ in range(steps):
        loss(w * x + b, y).backward()
        with torch.no_grad():
            for p in (w, b):
                p -= lr * p.grad
                p.grad.zero_()
    return float(w.detach()), float(b.detach())
