"""Section 3.2 (线性回归的从零开始实现 Linear regression from scratch): initialisation, Ohm's and Planck's laws
fitted with autograd, second derivatives, the reshape in squared_loss, learning rates and the last minibatch."""

from __future__ import annotations

import numpy as np
import torch

from d2lcore import linear
from d2lcore.data import data_iter
from solutions import Solution, explain, solver, variant

LEARNING_RATES = ["0.003", "0.03", "0.3", "1", "3", "10"]  # the 3.2.6 sweep, as the choice values of the field


@solver("3.2.1")
def solve_3_2_1(seed: int = 0) -> Solution:
    """Train the book's setup from w = 0 and from w ~ N(0, 0.01²) with d2lcore.train; compare the final losses."""
    X, y = linear.book_data(seed=seed)
    runs = {init: linear.train_linreg_scratch(X, y, init=init, seed=seed) for init in ("zeros", "normal")}
    zeros = runs["zeros"]
    works = "yes" if not zeros.diverged and zeros.epoch_loss[-1] < 1e-3 * zeros.step_loss[0] else "no"
    values = {"lossZeros": f"{zeros.epoch_loss[-1]:.2e}", "lossNormal": f"{runs['normal'].epoch_loss[-1]:.2e}",
              "loss0": f"{zeros.step_loss[0]:.2f}", "w": ", ".join(f"{v:.4f}" for v in zeros.w.tolist()),
              "b": f"{float(zeros.b):.4f}"}
    return Solution(answer={"works": works, "loss": zeros.epoch_loss[-1]}, explanation=explain("3.2.1", **values),
                    data={"runs": runs})


# --- 3.2.2: Ohm's law ----------------------------------------------------------------------------------------------

def _table(header: tuple[str, str], rows: list[tuple[float, float]], fmt: str) -> str:
    lines = [f"| {header[0]} | {header[1]} |", "|---:|---:|"]
    return "\n".join(lines + [f"| {a:{fmt}} | {b:{fmt}} |" for a, b in rows])


@variant("3.2.2")
def variant_3_2_2(seed: int) -> dict:
    """A resistor of R_true ohms measured at 8 currents; V = R I + ε, ε ~ N(0, (0.02 R)²), rounded as shown."""
    rng = np.random.default_rng(1000 + seed)
    R_true = 10.0 if seed == 0 else round(float(rng.uniform(2, 50)), 1)
    current = np.round(np.linspace(0.1, 0.8, 8), 3)
    voltage = np.round(R_true * current + rng.normal(0, 0.02 * R_true, 8), 3)
    rows = list(zip(current.tolist(), voltage.tolist(), strict=True))
    return {"Rtrue": R_true, "current": current.tolist(), "voltage": voltage.tolist(),
            "table": _table(("I (A)", "V (V)"), rows, ".3f")}


@solver("3.2.2")
def solve_3_2_2(seed: int = 0, Rtrue: float = 10.0, current: list | None = None, voltage: list | None = None,
                table: str = "") -> Solution:
    """R by gradient descent on the squared loss with autograd (d2lcore.linear.fit_resistance)."""
    p = variant_3_2_2(0) if current is None else {"current": current, "voltage": voltage}
    current_t = torch.tensor(p["current"], dtype=torch.float64)
    voltage_t = torch.tensor(p["voltage"], dtype=torch.float64)
    R = linear.fit_resistance(current_t, voltage_t)
    values = {"R": f"{R:.3f}", "G": f"{1 / R:.4f}", "Rtrue": Rtrue}
    return Solution(answer={"autograd": "yes", "R": R}, explanation=explain("3.2.2", **values))


# --- 3.2.3: Planck's law -------------------------------------------------------------------------------------------

PLANCK_UNIT = 1e12  # W·sr⁻¹·m⁻³ per kW·sr⁻¹·m⁻²·nm⁻¹, the unit of the table


@variant("3.2.3")
def variant_3_2_3(seed: int) -> dict:
    """A black body at T_true kelvin sampled at 10 wavelengths with 3% multiplicative noise, 4 significant digits."""
    rng = np.random.default_rng(2000 + seed)
    T_true = 5000.0 if seed == 0 else float(round(rng.uniform(3000, 8000), -1))
    lam_um = np.round(np.linspace(0.3, 3.0, 10), 2)
    B = linear.planck(torch.tensor(lam_um * 1e-6, dtype=torch.float64), T_true).numpy() / PLANCK_UNIT
    B_obs = [float(f"{v:.4g}") for v in B * (1 + 0.03 * rng.standard_normal(10))]
    rows = list(zip(lam_um.tolist(), B_obs, strict=True))
    header = ["| λ (µm) | B (kW·sr⁻¹·m⁻²·nm⁻¹) |", "|---:|---:|"]
    table = "\n".join(header + [f"| {a:.2f} | {b:.4g} |" for a, b in rows])
    return {"Ttrue": T_true, "lam": lam_um.tolist(), "B": B_obs, "table": table}


@solver("3.2.3")
def solve_3_2_3(seed: int = 0, Ttrue: float = 5000.0, lam: list | None = None, B: list | None = None,
                table: str = "") -> Solution:
    """T by gradient descent with autograd on the log-spectrum (d2lcore.linear.fit_temperature)."""
    p = variant_3_2_3(0) if lam is None else {"lam": lam, "B": B}
    lam_m = torch.tensor(p["lam"], dtype=torch.float64) * 1e-6
    B_si = torch.tensor(p["B"], dtype=torch.float64) * PLANCK_UNIT
    T = linear.fit_temperature(lam_m, B_si)
    values = {"T": f"{T:.0f}", "Twien": f"{linear.wien_temperature(lam_m, B_si):.0f}", "Ttrue": f"{Ttrue:.0f}"}
    return Solution(answer={"T": T}, explanation=explain("3.2.3", **values))


@solver("3.2.4")
def solve_3_2_4(seed: int = 0) -> Solution:
    """Conceptual; the explanation quotes the error torch raises and the Hessian of the squared loss (XᵀX / n)."""
    X, y = linear.book_data(num_examples=100, seed=seed)
    w = torch.zeros(2, 1, requires_grad=True)
    loss = linear.squared_loss(linear.linreg(X, w, 0.0), y).mean()
    (g,) = torch.autograd.grad(loss, w)
    try:
        torch.autograd.grad(g.sum(), w)
        error = "none"
    except RuntimeError as err:
        error = str(err).split("\n")[0]
    H = torch.autograd.functional.hessian(lambda v: linear.squared_loss(linear.linreg(X, v, 0.0), y).mean(), w)
    H = H.reshape(2, 2)
    values = {"error": error, "H": ", ".join(f"{v:.3f}" for v in H.reshape(-1).tolist())}
    return Solution(answer={}, explanation=explain("3.2.4", **values))


# --- 3.2.5: the reshape in squared_loss ----------------------------------------------------------------------------

@variant("3.2.5")
def variant_3_2_5(seed: int) -> dict:
    """The number of examples in the minibatch (seed 0: the book's batch size 10)."""
    return {"n": 10 if seed == 0 else int(np.random.default_rng(seed).integers(3, 65))}


@solver("3.2.5")
def solve_3_2_5(seed: int = 0, n: int = 10) -> Solution:
    """Run squared_loss with and without the reshape on ŷ (n, 1) and y (n,) and read off the shapes."""
    y_hat, y = torch.zeros(n, 1), torch.arange(n, dtype=torch.float32)
    try:
        bad = tuple(linear.squared_loss_without_reshape(y_hat, y).shape)
        raises = "silent"
    except RuntimeError:
        bad, raises = (), "error"
    good = tuple(linear.squared_loss(y_hat, y).shape)
    values = {"n": n, "bad": bad, "good": good, "nn": n * n}
    return Solution(answer={"bad": bad, "good": good, "raises": raises}, explanation=explain("3.2.5", **values))


# --- 3.2.6: learning rates -----------------------------------------------------------------------------------------

@solver("3.2.6")
def solve_3_2_6(seed: int = 0) -> Solution:
    """Train the book's setup at each learning rate of the sweep; the smallest that diverges; 2/λ_max for GD."""
    X, y = linear.book_data(seed=seed)
    runs = {lr: linear.train_linreg_scratch(X, y, lr=float(lr), seed=seed) for lr in LEARNING_RATES}
    diverged = [lr for lr, run in runs.items() if run.diverged]
    A = linear.add_bias_column(X.double())
    lam_max = float(torch.linalg.eigvalsh(A.T @ A / len(A))[-1])  # Hessian of the mean ½ squared loss
    limit = 2 / lam_max
    final = {lr: f"{r.epoch_loss[-1]:.2e}" for lr, r in runs.items() if not r.diverged}
    rows = "\n".join(f"| {lr} | {final.get(lr) or f'diverged after {r.steps} steps'} |" for lr, r in runs.items())
    rows_zh = "\n".join(f"| {lr} | {final.get(lr) or f'{r.steps} 步后发散'} |" for lr, r in runs.items())
    values = {"rows": rows, "rowsZh": rows_zh, "limit": f"{limit:.3f}", "lamMax": f"{lam_max:.3f}"}
    answer = {"diverge": diverged[0] if diverged else "none", "limit": limit}
    return Solution(answer=answer, explanation=explain("3.2.6", **values), data={"runs": runs})


# --- 3.2.7: the last minibatch -------------------------------------------------------------------------------------

@variant("3.2.7")
def variant_3_2_7(seed: int) -> dict:
    """n examples and a batch size that does not divide n (seed 0: n = 1000, batch size 30)."""
    if seed == 0:
        return {"n": 1000, "B": 30}
    rng = np.random.default_rng(seed)
    while True:
        n, B = int(rng.integers(50, 2000)), int(rng.integers(4, 64))
        if n % B:
            return {"n": n, "B": B}


@solver("3.2.7")
def solve_3_2_7(seed: int = 0, n: int = 1000, B: int = 30) -> Solution:
    """Count what data_iter yields; compare the book's sgd step on the last batch with the step that divides by |B|."""
    X, y = torch.randn(n, 2, generator=torch.Generator().manual_seed(seed)), torch.zeros(n, 1)
    sizes = [len(Xb) for Xb, _ in data_iter(B, X, y, torch.Generator().manual_seed(seed))]
    last = sizes[-1]
    steps = {}
    for fixed in (True, False):
        w = torch.ones(2, 1, requires_grad=True)
        linear.squared_loss(linear.linreg(X[:last], w, 0.0), y[:last]).sum().backward()
        before = w.detach().clone()
        if fixed:
            linear.sgd([w], 0.1, B)
        else:
            linear.sgd_actual_batch([w], 0.1, X[:last])
        steps[fixed] = float((w.detach() - before).norm())
    factor = steps[True] / steps[False]
    effect = "smaller" if factor < 1 - 1e-9 else "none"
    values = {"n": n, "B": B, "last": last, "batches": len(sizes), "full": len(sizes) - 1,
              "factor": f"{factor:.4f}"}
    answer = {"last": float(last), "batches": float(len(sizes)), "factor": factor, "effect": effect}
    return Solution(answer=answer, explanation=explain("3.2.7", **values))
