"""Section 3.4 (softmax回归 Softmax regression): the Hessian of the loss, the one-hot covariance, codes for three
equally likely classes, and RealSoftMax as a smooth maximum."""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
import torch

from d2lcore import softmax
from solutions import Solution, explain, solver, variant

EPS = 0.01  # the accuracy asked for in 3.4.3c and 3.4.3e


def _fmt(x: float, digits: int = 4) -> str:
    return f"{x:.{digits}f}"


def _latex(expr: sp.Expr) -> str:
    """LaTeX with the symbol `lam` shown as λ."""
    return sp.latex(expr, symbol_names={sym: r"\lambda" for sym in expr.free_symbols if sym.name == "lam"})


def _latex_matrix(M: torch.Tensor, digits: int = 4) -> str:
    rows = [" & ".join(f"{v:.{digits}f}" for v in row) for row in M.tolist()]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


# --- 3.4.1: the Hessian of the cross-entropy loss and the variance of the one-hot label ---------------------------

def _logit_variant(seed: int) -> dict[str, float | int]:
    """Seed 0: logits (2, 1, 0.1) and true class 1; other seeds: logits from N(0, 1.5²), rounded, a random class."""
    if seed == 0:
        return {"o1": 2.0, "o2": 1.0, "o3": 0.1, "label": 1}
    rng = np.random.default_rng(seed)
    o = np.round(rng.normal(0.0, 1.5, 3), 1)
    return {"o1": float(o[0]), "o2": float(o[1]), "o3": float(o[2]), "label": int(rng.integers(1, 4))}


@variant("3.4.1a")
def variant_3_4_1a(seed: int) -> dict[str, float | int]:
    return _logit_variant(seed)


@variant("3.4.1b")
def variant_3_4_1b(seed: int) -> dict[str, float | int]:
    return _logit_variant(seed)


@solver("3.4.1a")
def solve_3_4_1a(seed: int = 0, o1: float = 2.0, o2: float = 1.0, o3: float = 0.1, label: int = 1) -> Solution:
    """Differentiate l = log Σ_k exp(o_k) − o_y twice with sympy; the numeric matrix from diag(p) − p pᵀ."""
    H_sym = softmax.cross_entropy_hessian_sym(3, y=label - 1)
    others = [softmax.cross_entropy_hessian_sym(3, y=k) for k in range(3)]
    depends = any(sp.simplify(M - H_sym) != sp.zeros(3, 3) for M in others)
    o = torch.tensor([o1, o2, o3], dtype=torch.float64)
    p = softmax.stable_softmax(o)
    H = softmax.softmax_ce_hessian(o)
    h11, h12 = sp.simplify(H_sym[0, 0]), sp.simplify(H_sym[0, 1])
    smallest = abs(float(torch.linalg.eigvalsh(H).min()))  # ~1e-17 of either sign: the direction (1, 1, 1)
    values = {"o1": o1, "o2": o2, "o3": o3, "label": label, "p": ", ".join(_fmt(v) for v in p.tolist()),
              "H": _latex_matrix(H), "h11": sp.latex(h11), "h12": sp.latex(h12), "eig": _fmt(smallest, 6)}
    answer = {"h11": h11, "h12": h12, "H": H.tolist(), "dependsOnLabel": "yes" if depends else "no"}
    return Solution(answer=answer, explanation=explain("3.4.1a", **values), data={"p": p.tolist()})


@solver("3.4.1b")
def solve_3_4_1b(seed: int = 0, o1: float = 2.0, o2: float = 1.0, o3: float = 0.1, label: int = 1) -> Solution:
    """Cov[e_Y] = E[(e_Y − p)(e_Y − p)ᵀ] = Σ_k p_k (e_k − p)(e_k − p)ᵀ, symbolically with p3 = 1 − p1 − p2 and
    numerically for p = softmax(o); then compared with the Hessian diag(p) − p pᵀ of 3.4.1a."""
    p1, p2 = sp.symbols("p1 p2")
    ps = [p1, p2, 1 - p1 - p2]
    E = sp.eye(3)
    mean = sp.Matrix(ps)
    cov = sp.zeros(3, 3)
    for k, pk in enumerate(ps):
        d = E[:, k] - mean
        cov += pk * d * d.T
    v11, c12 = sp.factor(sp.expand(cov[0, 0])), sp.factor(sp.expand(cov[0, 1]))
    o = torch.tensor([o1, o2, o3], dtype=torch.float64)
    p = softmax.stable_softmax(o)
    C = softmax.one_hot_covariance(p)
    H = softmax.softmax_ce_hessian(o)
    matches = "same" if torch.allclose(C, H) else "negative" if torch.allclose(C, -H) else "different"
    values = {"o1": o1, "o2": o2, "o3": o3, "p": ", ".join(_fmt(v) for v in p.tolist()), "C": _latex_matrix(C),
              "v11": sp.latex(v11), "c12": sp.latex(c12)}
    answer = {"v11": v11, "c12": c12, "C": C.tolist(), "matches": matches}
    return Solution(answer=answer, explanation=explain("3.4.1b", **values), data={"p": p.tolist()})


# --- 3.4.2: coding three equally likely classes -------------------------------------------------------------------

def _alphabet_variant(seed: int) -> int:
    """Seed 0: the book's three classes; other seeds: an alphabet size that is not a power of two."""
    if seed == 0:
        return 3
    return int(np.random.default_rng(seed).choice([5, 6, 7, 10, 12]))


@variant("3.4.2a")
def variant_3_4_2a(seed: int) -> dict[str, int]:
    return {"m": _alphabet_variant(seed)}


@solver("3.4.2a")
def solve_3_4_2a(seed: int = 0, m: int = 3) -> Solution:
    """Entropy of the uniform distribution in bits and nats, the fixed-length code, the best (Huffman) prefix code."""
    p = torch.full((m,), 1 / m, dtype=torch.float64)
    bits, nats = float(softmax.entropy(p, base=2)), float(softmax.entropy(p))
    fixed = softmax.fixed_length_code_bits(m)
    lengths = softmax.huffman_code_lengths([1 / m] * m)
    huffman = sum(lengths) / m
    values = {"m": m, "bits": _fmt(bits), "nats": _fmt(nats), "fixed": fixed, "unused": 2**fixed - m,
              "waste": _fmt(fixed - bits), "huffman": _fmt(huffman), "lengths": ", ".join(map(str, sorted(lengths)))}
    answer = {"entropy": bits, "nats": nats, "fixed": float(fixed), "waste": fixed - bits, "huffman": huffman}
    return Solution(answer=answer, explanation=explain("3.4.2a", **values), data={"lengths": lengths})


@variant("3.4.2b")
def variant_3_4_2b(seed: int) -> dict[str, int]:
    if seed == 0:
        return {"m": 3, "kmax": 20}
    return {"m": _alphabet_variant(seed), "kmax": int(np.random.default_rng(seed + 1).integers(8, 25))}


@solver("3.4.2b")
def solve_3_4_2b(seed: int = 0, m: int = 3, kmax: int = 20) -> Solution:
    """Code k symbols jointly: ⌈k log₂ m⌉ bits per block with a fixed-length code, or a Huffman code over the m^k
    equally likely blocks; bits per symbol fall towards the entropy log₂ m."""
    bits2 = softmax.block_code_bits_per_symbol(m, 2)
    bits5 = softmax.block_code_bits_per_symbol(m, 5)
    huffman2 = float(softmax.block_prefix_code_bits_per_symbol(m, 2))
    best = softmax.best_block_length(m, kmax)
    limit = float(softmax.entropy(torch.full((m,), 1 / m, dtype=torch.float64), base=2))
    values = {"m": m, "kmax": kmax, "blocks2": m**2, "codeBits2": softmax.fixed_length_code_bits(m, 2),
              "bits2": _fmt(bits2), "blocks5": m**5, "codeBits5": softmax.fixed_length_code_bits(m, 5),
              "bits5": _fmt(bits5), "huffman2": _fmt(huffman2), "best": best,
              "bestBits": _fmt(softmax.block_code_bits_per_symbol(m, best)), "limit": _fmt(limit)}
    answer = {"bits2": bits2, "perSymbol5": bits5, "huffman2": huffman2, "bestK": float(best), "limit": limit}
    return Solution(answer=answer, explanation=explain("3.4.2b", **values), data=values)


# --- 3.4.3: RealSoftMax, a smooth maximum -------------------------------------------------------------------------

A, B, LAM = sp.symbols("a b lam")  # plain symbols, as answers are typed


def _gap_facts(lam: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """The gap λ⁻¹ log(e^{λa} + e^{λb}) − max(a, b) and its largest value over d = |a − b| ≥ 0."""
    gap = softmax.real_softmax_gap_sym(A, B, lam)
    d = sp.Symbol("d", nonnegative=True)
    largest = sp.maximum(gap.subs(sp.Abs(A - B), d), d, sp.Interval(0, sp.oo))
    return gap, sp.simplify(largest)


@solver("3.4.3a")
def solve_3_4_3a(seed: int = 0) -> Solution:
    """Factor out e^{max}: log(e^a + e^b) − max(a, b) = log(1 + e^{−|a−b|}) > 0, largest (log 2) at a = b."""
    gap, largest = _gap_facts(sp.Integer(1))
    at_equal = gap.subs(B, A)
    when = "equal" if sp.simplify(at_equal - largest) == 0 else "far"
    values = {"gap": sp.latex(gap), "gapMax": _fmt(float(largest))}
    answer = {"gap": gap, "gapMax": float(largest), "whenMax": when}
    return Solution(answer=answer, explanation=explain("3.4.3a", **values))


@solver("3.4.3b")
def solve_3_4_3b(seed: int = 0) -> Solution:
    """With λ > 0: λ⁻¹ log(e^{λa} + e^{λb}) − max(a, b) = λ⁻¹ log(1 + e^{−λ|a−b|}) ∈ (0, λ⁻¹ log 2]."""
    lam_pos = sp.Symbol("lam", positive=True)
    gap, largest = _gap_facts(lam_pos)
    plain = {lam_pos: LAM}  # back to the plain symbol `lam` that learners type
    values = {"gap": _latex(gap), "gapMax": _latex(largest)}
    return Solution(answer={"gap": gap.subs(plain), "gapMax": largest.subs(plain)},
                    explanation=explain("3.4.3b", **values))


def _pair_variant(seed: int) -> dict[str, float]:
    """Seed 0: a = 1, b = 0.5, λ = 2; other seeds: a, b between 0.2 and 1.5 apart, λ ∈ {1, 2}."""
    if seed == 0:
        return {"a": 1.0, "b": 0.5, "lam": 2.0}
    rng = np.random.default_rng(seed)
    va = round(float(rng.uniform(-2, 2)), 1)
    vb = round(va + float(rng.choice([-1, 1])) * float(rng.uniform(0.2, 1.5)), 1)
    return {"a": va, "b": vb, "lam": float(rng.choice([1.0, 2.0]))}


@variant("3.4.3c")
def variant_3_4_3c(seed: int) -> dict[str, float]:
    return _pair_variant(seed)


@solver("3.4.3c")
def solve_3_4_3c(seed: int = 0, a: float = 1.0, b: float = 0.5, lam: float = 2.0) -> Solution:
    """The value at the given λ (torch), the limit λ → ∞ (sympy), and the λ that makes the worst-case gap
    λ⁻¹ log 2 equal to ε."""
    value = float(softmax.real_softmax(torch.tensor([a, b], dtype=torch.float64), lam))
    L = sp.Symbol("L", positive=True)
    a_, b_ = sp.Rational(str(a)), sp.Rational(str(b))
    limit = sp.limit(sp.log(sp.exp(L * a_) + sp.exp(L * b_)) / L, L, sp.oo)
    _, largest = _gap_facts(L)
    (lam_needed,) = sp.solve(sp.Eq(largest, sp.Rational(str(EPS))), L)
    values = {"a": a, "b": b, "lam": lam, "value": _fmt(value), "limit": sp.latex(limit),
              "gapNow": _fmt(value - float(limit)), "bound": _fmt(math.log(2) / lam), "eps": EPS,
              "lamNeeded": _fmt(float(lam_needed), 2)}
    answer = {"value": value, "limit": float(limit), "lamNeeded": float(lam_needed)}
    return Solution(answer=answer, explanation=explain("3.4.3c", **values))


@variant("3.4.3d")
def variant_3_4_3d(seed: int) -> dict[str, float]:
    return _pair_variant(seed)


@solver("3.4.3d")
def solve_3_4_3d(seed: int = 0, a: float = 1.0, b: float = 0.5, lam: float = 2.0) -> Solution:
    """soft-min(a, b) = −λ⁻¹ RealSoftMax(−λa, −λb): min(v) = −max(−v), with the smooth maximum in place of max."""
    lam_pos = sp.Symbol("lam", positive=True)
    smooth_max_of_negatives = sp.log(sp.exp(lam_pos * -A) + sp.exp(lam_pos * -B)) / lam_pos
    softmin = -smooth_max_of_negatives
    value = float(softmax.soft_min(torch.tensor([a, b], dtype=torch.float64), lam))
    pts = torch.tensor(np.random.default_rng(0).uniform(-5, 5, (200, 2)))  # soft-min vs min at random pairs
    below = bool((softmax.soft_min(pts, lam) < pts.amin(dim=-1)).all())
    values = {"a": a, "b": b, "lam": lam, "softmin": _latex(softmin), "value": _fmt(value),
              "min": _fmt(min(a, b)), "bound": _fmt(math.log(2) / lam)}
    answer = {"softmin": softmin.subs(lam_pos, LAM), "value": value, "side": "below" if below else "above"}
    return Solution(answer=answer, explanation=explain("3.4.3d", **values))


def _vector_variant(seed: int) -> dict[str, list[float] | float]:
    """Seed 0: v = (0, 1, 2, 3), λ = 1; other seeds: 3 to 6 numbers in [−3, 3], λ ∈ {0.5, 1, 2}."""
    if seed == 0:
        return {"v": [0.0, 1.0, 2.0, 3.0], "lam": 1.0}
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 7))
    return {"v": [round(float(x), 1) for x in rng.uniform(-3, 3, n)], "lam": float(rng.choice([0.5, 1.0, 2.0]))}


@variant("3.4.3e")
def variant_3_4_3e(seed: int) -> dict[str, list[float] | float]:
    return _vector_variant(seed)


@solver("3.4.3e")
def solve_3_4_3e(seed: int = 0, v: list[float] | None = None, lam: float = 1.0) -> Solution:
    """λ⁻¹ log Σ exp(λ v_i) and its soft-min twin for the given vector; the tight bound of the gap, λ⁻¹ log n, is
    the gap at v = (c, …, c), found with sympy; the λ that makes it ε."""
    v = [0.0, 1.0, 2.0, 3.0] if v is None else v
    x = torch.tensor(v, dtype=torch.float64)
    value, smin = float(softmax.real_softmax(x, lam)), float(softmax.soft_min(x, lam))
    n, c = sp.symbols("n c", positive=True)
    lam_pos = sp.Symbol("lam", positive=True)
    gap_all_equal = sp.simplify(sp.expand_log(sp.log(n * sp.exp(lam_pos * c)), force=True) / lam_pos - c)
    (lam_needed,) = sp.solve(sp.Eq(gap_all_equal.subs(n, len(v)), sp.Rational(str(EPS))), lam_pos)
    values = {"v": ", ".join(f"{t:g}" for t in v), "n": len(v), "lam": lam, "value": _fmt(value),
              "max": _fmt(max(v)), "upper": _fmt(max(v) + math.log(len(v)) / lam), "softmin": _fmt(smin),
              "min": _fmt(min(v)), "gapBound": _latex(gap_all_equal), "eps": EPS,
              "lamNeeded": _fmt(float(lam_needed), 2)}
    answer = {"value": value, "gapBound": gap_all_equal.subs({lam_pos: LAM, n: sp.Symbol("n")}), "softmin": smin,
              "lamNeeded": float(lam_needed)}
    return Solution(answer=answer, explanation=explain("3.4.3e", **values))
