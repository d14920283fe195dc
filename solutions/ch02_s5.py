"""Section 2.5 (自动微分 Automatic differentiation): every answer is what torch's autograd actually does when run."""

from __future__ import annotations

import numpy as np
import torch

from d2lcore import autograd
from d2lcore.calculus import central_difference
from solutions import Solution, explain, solver, variant


@solver("2.5.1")
def solve_2_5_1(seed: int = 0, n: int = 128) -> Solution:
    """Graph sizes with create_graph=True, and gradient / Hessian-vector product / Hessian timed side by side."""
    sizes = autograd.derivative_graph_sizes(n=8, seed=seed)
    cost = autograd.derivative_costs(n, repeats=5, seed=seed)
    values = {"n": n, "forward_nodes": sizes["forward"], "grad_nodes": sizes["gradient"],
              "first_ratio": f"{cost['first'] / cost['forward']:.1f}",
              "hvp_ratio": f"{cost['hvp'] / cost['first']:.1f}",
              "hessian_ratio": f"{cost['hessian'] / cost['first']:.0f}"}
    return Solution(answer={}, explanation=explain("2.5.1", **values), data=values)


@variant("2.5.2")
def variant_2_5_2(seed: int) -> dict:
    if seed == 0:
        return {"x0": [0, 1, 2, 3]}  # the book's torch.arange(4.0)
    return {"x0": [int(v) for v in np.random.default_rng(seed).integers(-3, 6, size=4)]}


@solver("2.5.2")
def solve_2_5_2(seed: int = 0, x0: list[int] | None = None) -> Solution:
    """Run y = 2xᵀx; y.backward() twice (what happens?), then twice with retain_graph=True (x.grad accumulates)."""
    x0 = [0, 1, 2, 3] if x0 is None else x0
    plain = autograd.backward_twice(retain_graph=False, x0=[float(v) for v in x0])
    kept = autograd.backward_twice(retain_graph=True, x0=[float(v) for v in x0])
    first, second = plain
    if second.error is not None:
        outcome = "error"
    elif np.allclose(second.grad, 2 * np.array(first.grad)):
        outcome = "doubles"
    else:
        outcome = "same"
    values = {"error": second.error or "", "grad": _vec(kept[1].grad), "once": _vec(kept[0].grad)}
    return Solution(answer={"outcome": outcome, "grad": kept[1].grad}, explanation=explain("2.5.2", **values),
                    data=values)


@variant("2.5.3")
def variant_2_5_3(seed: int) -> dict:
    return {"a": [float(v) for v in np.random.default_rng(seed).normal(size=4).round(2)]}


@solver("2.5.3")
def solve_2_5_3(seed: int = 0, a: list[float] | None = None) -> Solution:
    """d = f(a) for a vector a: d.backward() raises; d.sum().backward() leaves s in every entry of a.grad."""
    a = a if a is not None else variant_2_5_3(seed)["a"]
    run = autograd.control_flow_grad(a)
    outcome = "scalaronly" if run["error"] and "only for scalar outputs" in run["error"] else "elementwise"
    s = float(run["grad"].flat[0])
    norm2 = 2 * float(np.linalg.norm(a))
    k = autograd.control_flow_steps(a)
    positive = float(np.sum(a)) > 0
    values = {"error": run["error"] or "", "norm2": f"{norm2:.4g}", "k": k, "s": f"{s:.0f}",
              "sign": ">" if positive else r"\le",
              "formula": f"2^{{{k + 1}}}" if positive else f"100 \\cdot 2^{{{k + 1}}}"}
    return Solution(answer={"error": outcome, "scale": s}, explanation=explain("2.5.3", **values), data=values)


@variant("2.5.4")
def variant_2_5_4(seed: int) -> dict:
    if seed == 0:
        return {"x0": 0.5}
    rng = np.random.default_rng(seed)
    while True:  # keep away from the jumps at |x| = 10 / 3^k, where the derivative does not exist
        x0 = round(float(rng.choice([-1, 1]) * rng.uniform(0.15, 4.5)), 2)
        k = autograd.triple_steps(x0)
        if abs(abs(x0) * 3**k - 10) > 0.5 and abs(abs(x0) * 3 ** (k - 1) - 10) > 0.5:
            return {"x0": x0}


@solver("2.5.4")
def solve_2_5_4(seed: int = 0, x0: float = 0.5) -> Solution:
    """g'(x₀) by backward() through the while loop and the if; k counted by re-running the loop without torch."""
    t = torch.tensor(float(x0), dtype=torch.float64, requires_grad=True)
    autograd.triple_then_branch(t).backward()
    grad = t.grad.item()
    k = autograd.triple_steps(x0)
    fd = central_difference(lambda v: autograd.triple_then_branch(torch.tensor(v, dtype=torch.float64)).item(),
                            float(x0), 1e-6)
    values = {"absx": abs(x0), "k": k, "y": f"{3**k * x0:.6g}", "branch": "y * y" if x0 > 0 else "-y",
              "formula": f"2 \\cdot 9^{{{k}}} \\cdot x" if x0 > 0 else f"-3^{{{k}}}", "grad": f"{grad:.8g}",
              "fd": f"{fd:.8g}"}
    return Solution(answer={"k": float(k), "grad": grad}, explanation=explain("2.5.4", **values), data=values)


@variant("2.5.5")
def variant_2_5_5(seed: int) -> dict:
    if seed == 0:
        return {"x0": 1.0}
    return {"x0": round(float(np.random.default_rng(seed).uniform(-3, 3)), 2)}


@solver("2.5.5")
def solve_2_5_5(seed: int = 0, x0: float = 1.0) -> Solution:
    """df/dx of sin by autograd on 201 points of [−2π, 2π] and at x₀; cos is used only to measure the error."""
    xs = torch.linspace(-2 * torch.pi, 2 * torch.pi, 201, dtype=torch.float64)
    dfdx = autograd.autograd_derivative(torch.sin, xs)
    maxdiff = float((dfdx - torch.cos(xs)).abs().max())
    deriv = autograd.autograd_derivative(torch.sin, [x0]).item()
    forward_diff = (torch.sin(xs + 0.1) - torch.sin(xs)) / 0.1
    values = {"x0": x0, "maxdiff": f"{maxdiff:.1e}", "deriv": f"{deriv:.6f}",
              "fdiff": f"{float((forward_diff - torch.cos(xs)).abs().max()):.3f}"}
    return Solution(answer={"maxdiff": maxdiff, "deriv": deriv}, explanation=explain("2.5.5", **values), data=values)


def _vec(v: list[float]) -> str:
    return "[" + ", ".join(f"{x:g}" for x in v) + "]"
