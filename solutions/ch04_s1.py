"""Section 4.1 (多层感知机 Multilayer perceptrons): the pReLU derivative, ReLU networks as piecewise-linear
functions, tanh as a rescaled sigmoid, and a nonlinearity applied across the minibatch. Symbolic answers come from
sympy; the counts and differences from runs of d2lcore.mlp."""

from __future__ import annotations

import sympy
import torch

from d2lcore import mlp
from solutions import Solution, explain, solver

x, a = sympy.symbols("x a")


@solver("4.1.1")
def solve_4_1_1(seed: int = 0) -> Solution:
    """d/dx [max(0, x) + a·min(0, x)] by sympy, then its value on each side of the kink."""
    d = mlp.activation_derivative_expr("prelu", x, a)
    dpos, dneg = sympy.simplify(d.subs(x, 1)), sympy.simplify(d.subs(x, -1))
    # at 0 the one-sided difference quotients differ: the derivative does not exist there
    h = sympy.Symbol("h", positive=True)
    f = mlp.activation_expr("prelu", x, a)
    right = sympy.limit((f.subs(x, h) - f.subs(x, 0)) / h, h, 0)
    left = sympy.limit((f.subs(x, 0) - f.subs(x, -h)) / h, h, 0)
    at0 = "undefined" if sympy.simplify(right - left) != 0 else "defined"
    values = {"d": sympy.latex(d), "dpos": sympy.latex(dpos), "dneg": sympy.latex(dneg),
              "right": sympy.latex(right), "left": sympy.latex(left)}
    return Solution(answer={"dpos": dpos, "dneg": dneg, "at0": at0}, explanation=explain("4.1.1", **values))


KINK_NET = {"width": 8, "depth": 2, "seed": 0}  # the network the explanation of 4.1.2 counts


@solver("4.1.2")
def solve_4_1_2(seed: int = 0) -> Solution:
    """Count the pieces of a random ReLU network ℝ → ℝ exactly and confirm them by second differences."""
    net = mlp.random_relu_net_1d(KINK_NET["width"], KINK_NET["depth"],
                                 torch.Generator().manual_seed(KINK_NET["seed"]))
    pl = mlp.piecewise_linear_form(net)
    result = mlp.check_kinks(pl, mlp.net_1d(net), -4.0, 4.0, 40001)
    values = {"width": KINK_NET["width"], "depth": KINK_NET["depth"], "kinks": len(pl.kinks()),
              "inside": len(result.exact), "flags": len(result.flagged), "unexplained": result.unexplained,
              "max1": KINK_NET["width"]}
    return Solution(answer={}, explanation=explain("4.1.2", **values), data=values)


@solver("4.1.3")
def solve_4_1_3(seed: int = 0) -> Solution:
    """tanh(x) = 2·sigmoid(2x) − 1 proved by sympy; tanh'(0) / sigmoid'(0) by sympy differentiation."""
    lhs, rhs = mlp.tanh_sigmoid_identity(x)
    assert mlp.proves_zero(lhs - rhs)
    tanh_via_sigmoid = rhs - 1
    slope_ratio = sympy.diff(mlp.activation_expr("tanh", x), x).subs(x, 0) / sympy.diff(
        mlp.activation_expr("sigmoid", x), x).subs(x, 0)
    values = {"lhs": sympy.latex(lhs), "rhs": sympy.latex(rhs), "ratio": sympy.latex(sympy.nsimplify(slope_ratio))}
    return Solution(answer={"tanhViaSigmoid": tanh_via_sigmoid, "slopeRatio": float(slope_ratio)},
                    explanation=explain("4.1.3", **values))


@solver("4.1.4")
def solve_4_1_4(seed: int = 0) -> Solution:
    """How much one example's output moves when only its batchmates change: elementwise ReLU versus a softmax
    taken across the minibatch; and what the batchwise softmax outputs for a batch of one."""
    g = torch.Generator().manual_seed(seed)
    x0 = torch.randn(1, 5, generator=g, dtype=torch.float64)
    elementwise = mlp.batch_dependence(mlp.relu, x0, 16, generator=g)
    batchwise = mlp.batch_dependence(mlp.batchwise_softmax, x0, 16, generator=g)
    single = mlp.batchwise_softmax(torch.randn(1, 5, generator=g, dtype=torch.float64))
    values = {"elementwise": f"{elementwise:.1e}" if elementwise else "0", "batchwise": f"{batchwise:.3f}",
              "single": f"{float(single.min()):g}"}
    return Solution(answer={}, explanation=explain("4.1.4", **values), data=values)
