"""Section 11.3 widgets: an optimizer explorer over 2-D objectives and x·cos(cx) (section demo and 11.3.1), the
bisection line search (11.3.2), the condition number (11.3.3), diagonal preconditioning (11.3.4) and rotation (11.3.5).
Every rerun computes a few short trajectories (vectorised torch, float64) and draws them from DataFrames."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
import torch

from d2lcore.optim import gd, objectives
from d2lcore.optim.trajectory import linear_trajectory, trajectory
from solutions.ch11_s3 import SHRINK, log_objective_prime, optimal_rate
from ui.charts import alt
from ui.i18n import t, translated
from ui.widgets import initial_value
from ui.widgets.optim_plot import contour_chart, curve_chart, loss_chart

OBJECTIVES = ["quadratic", "rosenbrock", "saddle", "xcos"]
METHODS = ["gd", "newton", "precond", "precond_abs"]
STARTS = {"quadratic": [-2.5, 2.0], "rosenbrock": [-1.5, 2.0], "saddle": [-1.8, 0.05], "xcos": [2.0]}


def _matrix(name: str, kappa: float, angle: float) -> torch.Tensor | None:
    """A of the quadratic ½xᵀAx, None for the other objectives."""
    return objectives.quadratic_matrix(kappa, angle) if name == "quadratic" else None


def _objective(name: str, kappa: float, angle: float, c: float) -> objectives.Objective2D:
    if name == "quadratic":
        return objectives.quadratic(kappa, angle)
    return objectives.xcos(c) if name == "xcos" else objectives.OBJECTIVES[name]()


def run_method(obj: objectives.Objective2D, method: str, x0: torch.Tensor, steps: int, lr: float,
               A: torch.Tensor | None = None) -> torch.Tensor:
    """The trajectory (steps+1, d) of one of the section's methods on `obj`. For a quadratic ½xᵀAx (pass A) GD and
    diagonal preconditioning are linear, x ← (I − η P⁻¹A) x, and run by doubling (`linear_trajectory`)."""
    if A is not None and method != "newton":
        d = torch.ones(2, dtype=A.dtype) if method == "gd" else torch.diagonal(A)
        d = d.abs() if method == "precond_abs" else d
        return linear_trajectory(torch.eye(2, dtype=A.dtype) - lr * A / d[:, None], x0, steps)  # P⁻¹A: row i / d_i
    if method == "newton":
        return trajectory(gd.newton, obj.grad, x0, steps, lr=lr, hessian=obj.hessian)
    if method in ("precond", "precond_abs"):
        diag = gd.hessian_diag(obj.hessian, absolute=method == "precond_abs")
        return trajectory(gd.preconditioned_gd, obj.grad, x0, steps, lr=lr, diag=diag)
    return trajectory(gd.gd, obj.grad, x0, steps, lr=lr)


def _draw(obj: objectives.Objective2D, paths: dict[str, torch.Tensor]) -> None:
    chart = curve_chart(obj, paths) if len(obj.minimum) == 1 else contour_chart(obj, paths)
    st.altair_chart(chart, width="stretch")
    losses = {name: obj.f(p) for name, p in paths.items()}
    st.altair_chart(loss_chart(losses, x_title=t("w11_3_step"), height=180), width="stretch")


def explorer(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Objective, method, learning rate and steps → trajectory over the contour plot and f against step (11.3.1)."""
    c1, c2 = st.columns(2)
    name = c1.selectbox(t("w11_3_objective"), OBJECTIVES, OBJECTIVES.index(initial.get("obj", "quadratic"))
                        if initial.get("obj") in OBJECTIVES else 0, format_func=translated("w11_3_obj_"),
                        key=f"{key}-obj")
    methods = c2.multiselect(t("w11_3_methods"), METHODS, [m for m in initial.get("methods", ["gd"]) if m in METHODS]
                             or ["gd"], format_func=translated("w11_3_method_"), key=f"{key}-methods")
    c3, c4, c5 = st.columns(3)
    lr = c3.select_slider(t("w11_3_lr"), LRS, _pick(LRS, initial.get("lr"), 0.1), key=f"{key}-lr")
    steps = c4.slider(t("w11_3_steps"), 1, 100, initial_value(initial, "steps", 30, 1, 100), key=f"{key}-steps")
    kappa = c5.slider(t("w11_3_kappa"), 1.0, 50.0, initial_value(initial, "kappa", 10.0, 1.0, 50.0), 1.0,
                      key=f"{key}-kappa", disabled=name != "quadratic")
    angle = st.slider(t("w11_3_angle"), 0, 90, initial_value(initial, "angle", 0, 0, 90), 5, key=f"{key}-angle",
                      disabled=name != "quadratic")
    obj = _objective(name, float(kappa), float(angle), 0.5)
    x0 = torch.tensor(STARTS[name], dtype=torch.float64)
    A = _matrix(name, float(kappa), float(angle))
    paths = {t(f"w11_3_method_{m}"): run_method(obj, m, x0, int(steps), float(lr), A) for m in methods}
    if paths:
        _draw(obj, paths)
        finals = ", ".join(f"{k}: f = {float(obj.f(p[-1])):.4g}" for k, p in paths.items())
        st.caption(t("w11_3_final", finals=finals))
    return {"obj": name, "methods": list(methods), "lr": float(lr), "steps": int(steps), "kappa": float(kappa),
            "angle": int(angle)}


LRS = [0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.2]


def _pick(options: list, value: Any, default: Any) -> Any:
    return value if value in options else default


def line_search(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Bisection on f(x) = log(eˣ + e^{−2x−3}): the kept intervals step by step and their widths (11.3.2)."""
    c1, c2 = st.columns(2)
    a = c1.slider(t("w11_3_a"), -4.0, -0.5, initial_value(initial, "a", -2.0, -4.0, -0.5), 0.5, key=f"{key}-a")
    b = c2.slider(t("w11_3_b"), 0.5, 4.0, initial_value(initial, "b", 2.0, 0.5, 4.0), 0.5, key=f"{key}-b")
    k = st.slider(t("w11_3_bisect_steps"), 1, 30, initial_value(initial, "k", 8, 1, 30), key=f"{key}-k")
    intervals = _bisect_k(float(a), float(b), int(k))
    frame = pd.DataFrame([{"step": i, "lo": lo, "hi": hi, "width": hi - lo} for i, (lo, hi) in enumerate(intervals)])
    xs = torch.linspace(float(a), float(b), 200, dtype=torch.float64)
    curve = pd.DataFrame({"x": xs.numpy(), "f": torch.log(torch.exp(xs) + torch.exp(-2 * xs - 3)).numpy()})
    top = alt.Chart(curve).mark_line(color="#888").encode(x="x:Q", y=alt.Y("f:Q", title="f(x)"))
    bars = alt.Chart(frame).mark_rule(strokeWidth=4).encode(
        x=alt.X("lo:Q", title="x"), x2="hi:Q", y=alt.Y("step:O", title=t("w11_3_step")),
        color=alt.Color("step:Q", legend=None), tooltip=["step", "lo", "hi", "width"])
    st.altair_chart(top.properties(height=160), width="stretch")
    st.altair_chart(bars.properties(height=220), width="stretch")
    lo, hi = intervals[-1]
    st.caption(t("w11_3_bisect_caption", k=int(k), lo=f"{lo:.6f}", hi=f"{hi:.6f}", width=f"{hi - lo:.3g}",
                 pred=f"{(b - a) / 2 ** int(k):.3g}"))
    return {"a": float(a), "b": float(b), "k": int(k)}


def _bisect_k(a: float, b: float, k: int) -> list[tuple[float, float]]:
    """The first k bisection intervals (the tolerance chosen so that exactly k halvings happen)."""
    return gd.bisection(log_objective_prime, a, b, tol=(b - a) / 2 ** k * 1.5)


def conditioning(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """κ and η → measured contraction per step against max|1 − ηλ|, and the steps GD needs (11.3.3)."""
    c1, c2 = st.columns(2)
    kappa = c1.slider(t("w11_3_kappa"), 1.0, 200.0, initial_value(initial, "kappa", 100.0, 1.0, 200.0), 1.0,
                      key=f"{key}-kappa")
    eta_opt, rate_opt = optimal_rate(float(kappa))
    rel = c2.slider(t("w11_3_rel_lr"), 0.1, 1.2, initial_value(initial, "rel", 1.0, 0.1, 1.2), 0.05,
                    key=f"{key}-rel")
    eta = eta_opt * float(rel)
    obj = objectives.quadratic(float(kappa))
    xs = run_method(obj, "gd", torch.ones(2, dtype=torch.float64), 3000, eta, objectives.quadratic_matrix(float(kappa)))
    predicted = max(abs(1 - eta), abs(1 - eta * float(kappa)))
    norms = xs.norm(dim=-1)
    measured = float((norms[-1] / norms[-101]) ** (1 / 100)) if float(norms[-1]) > 0 else 0.0
    steps = gd.steps_to_shrink(xs, SHRINK)
    m = st.columns(4)
    m[0].metric("η", f"{eta:.4g}")
    m[1].metric(t("w11_3_predicted"), f"{predicted:.5f}")
    m[2].metric(t("w11_3_measured"), f"{measured:.5f}")
    m[3].metric(t("w11_3_steps_needed"), str(steps) if steps >= 0 else "> 3000")
    st.altair_chart(loss_chart({"‖x_t‖": norms[:600]}, log=True, x_title=t("w11_3_step"), y_title="‖x‖"),
                    width="stretch")
    st.caption(t("w11_3_cond_caption", eta=f"{eta_opt:.4g}", rate=f"{rate_opt:.5f}"))
    return {"kappa": float(kappa), "rel": float(rel)}


def preconditioning(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """GD against diagonal preconditioning (signed or absolute) and Newton on a chosen objective (11.3.4)."""
    names = ["quadratic", "rosenbrock", "xcos"]
    c1, c2 = st.columns(2)
    name = c1.selectbox(t("w11_3_objective"), names, names.index(initial["obj"]) if initial.get("obj") in names
                        else 0, format_func=translated("w11_3_obj_"), key=f"{key}-obj")
    lr = c2.select_slider(t("w11_3_lr"), LRS, _pick(LRS, initial.get("lr"), 0.5), key=f"{key}-lr")
    kappa = st.slider(t("w11_3_kappa"), 1.0, 100.0, initial_value(initial, "kappa", 20.0, 1.0, 100.0), 1.0,
                      key=f"{key}-kappa", disabled=name != "quadratic")
    obj = _objective(name, float(kappa), 0.0, 0.5)
    x0 = torch.tensor(STARTS[name], dtype=torch.float64)
    steps, A = 40, _matrix(name, float(kappa), 0.0)
    paths = {t(f"w11_3_method_{m}"): run_method(obj, m, x0, steps, float(lr) if m != "gd" else float(lr) / float(
        kappa if name == "quadratic" else 50.0), A) for m in METHODS}
    _draw(obj, paths)
    st.caption(t("w11_3_precond_caption"))
    return {"obj": name, "lr": float(lr), "kappa": float(kappa)}


def rotation(key: str, initial: dict[str, Any]) -> dict[str, Any]:
    """Rotate the ill-conditioned quadratic: steps of GD (best η), diagonal preconditioning and Newton (11.3.5)."""
    c1, c2 = st.columns(2)
    angle = c1.slider(t("w11_3_angle"), 0, 90, initial_value(initial, "angle", 45, 0, 90), 5, key=f"{key}-angle")
    kappa = c2.slider(t("w11_3_kappa"), 2.0, 100.0, initial_value(initial, "kappa", 20.0, 2.0, 100.0), 1.0,
                      key=f"{key}-kappa")
    obj = objectives.quadratic(float(kappa), float(angle))
    x0 = objectives.rotation(float(angle)) @ torch.tensor([2.0, 1.5], dtype=torch.float64)
    eta_opt, _ = optimal_rate(float(kappa))
    A = objectives.quadratic_matrix(float(kappa), float(angle))
    runs = {"gd": run_method(obj, "gd", x0, 2000, eta_opt, A),
            "precond": run_method(obj, "precond", x0, 2000, 1.0, A),
            "newton": run_method(obj, "newton", x0, 5, 1.0)}
    m = st.columns(3)
    for col, (k, xs) in zip(m, runs.items(), strict=True):
        s = gd.steps_to_shrink(xs, SHRINK)
        col.metric(t(f"w11_3_method_{k}"), str(s) if s >= 0 else "> 2000")
    st.altair_chart(contour_chart(obj, {t(f"w11_3_method_{k}"): xs[:40] for k, xs in runs.items()}),
                    width="stretch")
    st.caption(t("w11_3_rot_caption", d=f"{(1 + float(kappa)) / 2:g}", angle=int(angle)))
    return {"angle": int(angle), "kappa": float(kappa)}


def section_demo(key: str) -> None:
    """The explorer with its defaults: GD and Newton on the rotated ill-conditioned quadratic."""
    st.caption(t("w11_3_demo_intro"))
    explorer(key, {"methods": ["gd", "newton"], "angle": 30})
