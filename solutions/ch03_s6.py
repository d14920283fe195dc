"""Section 3.6 (softmax回归的从零开始实现 Softmax regression from scratch): where the naive softmax overflows, where
the naive cross-entropy takes log 0, the log-sum-exp remedy, decisions with costs and a huge vocabulary."""

from __future__ import annotations

import math

import numpy as np
import torch

from d2lcore import softmax_regression as sr
from solutions import Solution, explain, solver, variant

FLOAT = torch.float32  # the dtype of the book's tensors


def logits_variant(seed: int) -> dict[str, float]:
    """Seed 0: o = (−20, 94, 95) with label y = 0. Other seeds: a low true-class logit and two large, close logits."""
    if seed == 0:
        return {"o1": -20.0, "o2": 94.0, "o3": 95.0}
    rng = np.random.default_rng(seed)
    top = int(rng.integers(92, 120))
    return {"o1": float(rng.integers(-40, -15)), "o2": float(top - int(rng.integers(1, 4))), "o3": float(top)}


for _id in ("3.6.1", "3.6.2", "3.6.3"):
    variant(_id)(logits_variant)


def _logits(o1: float, o2: float, o3: float) -> list[float]:
    return [o1, o2, o3]


@solver("3.6.1")
def solve_3_6_1(seed: int = 0, o1: float = -20.0, o2: float = 94.0, o3: float = 95.0) -> Solution:
    """exp(50) in float64, the float32 overflow point of exp by bisection, and what the naive softmax returns."""
    exp_fifty = float(torch.exp(torch.tensor(50.0, dtype=torch.float64)))
    threshold = sr.exp_overflow_threshold(FLOAT)
    report = sr.stability_report(_logits(o1, o2, o3), 0, FLOAT)
    naive = sr.softmax_outcome(report.p_naive)
    values = {"o1": o1, "o2": o2, "o3": o3, "expFifty": f"{exp_fifty:.4e}", "threshold": f"{threshold:.4f}",
              "max32": f"{torch.finfo(FLOAT).max:.4e}",
              "threshold64": f"{sr.exp_overflow_threshold(torch.float64):.2f}",
              "threshold16": f"{sr.exp_overflow_threshold(torch.float16):.2f}",
              "pnaive": ", ".join(f"{v:g}" for v in report.p_naive.tolist()),
              "pstable": ", ".join(f"{v:.4g}" for v in report.p_stable.tolist())}
    answer = {"expFifty": exp_fifty, "threshold": threshold, "naive": naive}
    return Solution(answer=answer, explanation=explain("3.6.1", **values), data=values)


@solver("3.6.2")
def solve_3_6_2(seed: int = 0, o1: float = -20.0, o2: float = 94.0, o3: float = 95.0) -> Solution:
    """−log of a probability that underflowed to 0: the smallest positive float32 and the loss the book's
    cross_entropy returns even after a stable softmax."""
    report = sr.stability_report(_logits(o1, o2, o3), 0, FLOAT)
    pmin = sr.smallest_positive(FLOAT)
    gap = sr.exp_underflow_gap(FLOAT)
    values = {"o1": o1, "o2": o2, "o3": o3, "pmin": f"{pmin:.4e}", "gap": f"{gap:.2f}", "lngap": f"{o3 - o1:g}",
              "py": f"{math.exp(-report.truth):.3e}", "truth": f"{report.truth:.4f}",
              "smallnormal": f"{torch.finfo(FLOAT).smallest_normal:.4e}"}
    answer = {"ce": sr.loss_outcome(report.ce_log_of_stable), "pmin": pmin}
    return Solution(answer=answer, explanation=explain("3.6.2", **values), data=values)


@solver("3.6.3")
def solve_3_6_3(seed: int = 0, o1: float = -20.0, o2: float = 94.0, o3: float = 95.0) -> Solution:
    """The remedies: stable softmax (subtract the max) and the loss as logsumexp(o) − o_y, both in float32."""
    report = sr.stability_report(_logits(o1, o2, o3), 0, FLOAT)
    ptop = float(report.p_stable.max())
    values = {"o1": o1, "o2": o2, "o3": o3, "ptop": f"{ptop:.4f}", "loss": f"{report.ce_stable:.4f}",
              "lse": f"{report.ce_stable + o1:.4f}", "torchloss": f"{report.ce_torch:.4f}", "d": f"{o3 - o2:g}"}
    answer = {"ptop": ptop, "loss": report.ce_stable}
    return Solution(answer=answer, explanation=explain("3.6.3", **values), data=values)


@solver("3.6.4")
def solve_3_6_4(seed: int = 0, cost_fp: float = 1.0, cost_fn: float = 20.0) -> Solution:
    """With a missed illness 20× as costly as an unneeded treatment, treat above P(ill) = 1/21, not above 1/2."""
    threshold = sr.treat_threshold(cost_fp, cost_fn)
    values = {"cfp": f"{cost_fp:g}", "cfn": f"{cost_fn:g}", "threshold": f"{threshold:.3f}"}
    return Solution(answer={}, explanation=explain("3.6.4", **values), data=values)


@solver("3.6.5")
def solve_3_6_5(seed: int = 0, V: int = 100_000, d: int = 512) -> Solution:
    """Output-layer cost for a 100,000-word vocabulary: full, hierarchical and sampled softmax."""
    c = sr.output_layer_cost(V, d)
    values = {"V": f"{V:,}", "d": d, "params": f"{c.params:,}", "full": f"{c.full_macs:,}",
              "hier": f"{c.hierarchical_macs:,}", "sampled": f"{c.sampled_macs:,}"}
    return Solution(answer={}, explanation=explain("3.6.5", **values), data=values)
