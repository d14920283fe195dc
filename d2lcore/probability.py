"""Probability (zh-v2 §2.6): rolling dice, bounds on unions and intersections, Markov chains and Bayes' theorem.

The HIV-test example of the book: H = 1 means the patient is infected, D_i = 1 means test i comes back positive.
A test is described by its sensitivity P(D=1 | H=1) and its false-positive rate P(D=1 | H=0).
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

FAIR_DIE = np.full(6, 1 / 6)


# --- dice (exercise 2.6.1) -----------------------------------------------------------------------------------------

def roll_dice(m: int, n: int, seed: int = 0, probs: np.ndarray = FAIR_DIE) -> np.ndarray:
    """Running estimates of the face probabilities after each of m groups of n rolls. Returns shape (m, 6).

    counts_g ~ Multinomial(n, probs) for g = 1..m;   p̂_j(after k groups) = Σ_{g≤k} counts_gj / (k·n)
    """
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(n, probs, size=m)  # (m, 6): how often each face came up in each group
    return counts.cumsum(axis=0) / (n * np.arange(1, m + 1))[:, None]


def standard_error(p: float, N: int | np.ndarray) -> float | np.ndarray:
    """Standard deviation of a relative frequency after N independent trials: sqrt(p(1 − p) / N)."""
    return np.sqrt(p * (1 - p) / N)


def rolls_needed(p: float, half_width: float, z: float = 2.0) -> int:
    """Smallest N with z · sqrt(p(1 − p)/N) ≤ half_width, i.e. N = ⌈z² p(1 − p) / half_width²⌉."""
    return math.ceil(z**2 * p * (1 - p) / half_width**2 - 1e-9)


# --- union and intersection (exercise 2.6.2) -----------------------------------------------------------------------

def union_bounds(pA: float, pB: float) -> tuple[float, float]:
    """max(P(A), P(B)) ≤ P(A ∪ B) ≤ min(1, P(A) + P(B)).

    Low: one event inside the other. High: the events as far apart as the sample space allows.
    """
    return max(pA, pB), min(1.0, pA + pB)


def intersection_bounds(pA: float, pB: float) -> tuple[float, float]:
    """max(0, P(A) + P(B) − 1) ≤ P(A ∩ B) ≤ min(P(A), P(B)).

    Both follow from P(A ∩ B) = P(A) + P(B) − P(A ∪ B) and the union bounds.
    """
    return max(0.0, pA + pB - 1), min(pA, pB)


def venn_atoms(pA: float, pB: float, pAB: float) -> dict[str, float]:
    """The four disjoint pieces of the Venn diagram, given P(A), P(B) and P(A ∩ B):

    P(A only) = pA − pAB,  P(B only) = pB − pAB,  P(both) = pAB,  P(neither) = 1 − pA − pB + pAB.
    The overlap is feasible exactly when all four are ≥ 0, i.e. when pAB lies within intersection_bounds(pA, pB).
    """
    return {"A_only": pA - pAB, "B_only": pB - pAB, "both": pAB, "neither": 1 - pA - pB + pAB}


def overlap_range_from_atoms(pA: sp.Expr, pB: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """Derive the feasible range of c = P(A ∩ B) symbolically: every Venn atom is linear in c and must be ≥ 0.

    An atom α + β·c ≥ 0 gives c ≥ −α/β when β > 0 and c ≤ −α/β when β < 0. Returns (Max(lows), Min(highs));
    the union's range follows from P(A ∪ B) = P(A) + P(B) − c.
    """
    c = sp.Symbol("c")
    lows, highs = [], []
    for atom in venn_atoms(pA, pB, c).values():
        beta = sp.diff(atom, c)
        alpha = sp.expand(atom - beta * c)
        (lows if beta > 0 else highs).append(sp.simplify(-alpha / beta))
    return sp.Max(*lows), sp.Min(*highs)


def union_range_from_atoms(pA: sp.Expr, pB: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """P(A ∪ B) = P(A) + P(B) − P(A ∩ B), so k − Min(x, y) = Max(k − x, k − y) turns the overlap range around."""
    low_c, high_c = overlap_range_from_atoms(pA, pB)
    k = pA + pB
    return sp.Max(*(sp.simplify(k - x) for x in high_c.args)), sp.Min(*(sp.simplify(k - x) for x in low_c.args))


# --- Markov chain A → B → C (exercise 2.6.3) -----------------------------------------------------------------------

def markov_chain_joint(pA: np.ndarray, pB_given_A: np.ndarray, pC_given_B: np.ndarray) -> np.ndarray:
    """P(A=a, B=b, C=c) = P(A=a) · P(B=b | A=a) · P(C=c | B=b)   — C depends on A only through B.

    pA: (kA,), pB_given_A: (kA, kB) rows sum to 1, pC_given_B: (kB, kC) rows sum to 1. Returns (kA, kB, kC).
    """
    return np.einsum("a,ab,bc->abc", pA, pB_given_A, pC_given_B)


def binary_chain_tables(a: float, b0: float, b1: float, c0: float, c1: float) -> tuple[np.ndarray, ...]:
    """Tables of a two-state chain from a = P(A=1), b_i = P(B=1 | A=i), c_j = P(C=1 | B=j)."""
    return np.array([1 - a, a]), np.array([[1 - b0, b0], [1 - b1, b1]]), np.array([[1 - c0, c0], [1 - c1, c1]])


def chain_marginal_C(a, b0, b1, c0, c1):  # floats or sympy symbols
    """P(C=1) = Σ_b P(C=1 | B=b) · Σ_a P(B=b | A=a) P(A=a)   (the sum rule, applied link by link)

    with a = P(A=1), b_i = P(B=1 | A=i), c_j = P(C=1 | B=j).
    """
    pB1 = b1 * a + b0 * (1 - a)
    return c1 * pB1 + c0 * (1 - pB1)


def chain_parameter_count(kA: int, kB: int, kC: int) -> int:
    """Numbers needed to specify the chain: (kA − 1) + kA(kB − 1) + kB(kC − 1); a general joint needs kA·kB·kC − 1."""
    return (kA - 1) + kA * (kB - 1) + kB * (kC - 1)


def sample_chain(tables: tuple[np.ndarray, ...], N: int, seed: int = 0) -> np.ndarray:
    """Ancestral sampling: draw A, then B from row A of P(B|A), then C from row B of P(C|B). Returns (N, 3)."""
    pA, pB_given_A, pC_given_B = tables
    rng = np.random.default_rng(seed)
    A = rng.choice(len(pA), size=N, p=pA)
    B = (rng.random(N)[:, None] > pB_given_A[A].cumsum(axis=1)).sum(axis=1)  # inverse-CDF draw per row
    C = (rng.random(N)[:, None] > pC_given_B[B].cumsum(axis=1)).sum(axis=1)
    return np.stack([A, B, C], axis=1)


# --- Bayes' theorem and the HIV tests (exercise 2.6.4) -------------------------------------------------------------

def posterior(prior: float, sensitivity: float, false_positive_rate: float) -> float:
    """P(H=1 | D=1) = P(D=1|H=1) P(H=1) / [P(D=1|H=1) P(H=1) + P(D=1|H=0) P(H=0)]."""
    evidence = sensitivity * prior + false_positive_rate * (1 - prior)
    return sensitivity * prior / evidence


def posterior_two_tests(prior: float, sensitivity1: float, false_positive_rate1: float,
                        sensitivity2: float, false_positive_rate2: float) -> float:
    """P(H=1 | D1=1, D2=1) when D1 and D2 are conditionally independent given H:

    P(D1=1, D2=1 | H=h) = P(D1=1 | H=h) · P(D2=1 | H=h), so the second test is Bayes' rule applied again
    with the first posterior as the new prior.
    """
    return posterior(posterior(prior, sensitivity1, false_positive_rate1), sensitivity2, false_positive_rate2)


def repeat_positive_rate(p: float, rho: float) -> float:
    """P(second run positive AND first run positive | H) for a test repeated with correlated errors.

    Model ("same result again"): given H, the first run is positive with probability p (p = sensitivity for H=1,
    p = false-positive rate for H=0). With probability ρ the second run simply repeats the first run's result
    (whatever in that patient's sample fooled or passed the test does so again); otherwise it is a fresh,
    independent run. Then
        P(D=1, D'=1 | H) = p · (ρ + (1 − ρ) · p),
    and the correlation of D and D' given H is exactly ρ. ρ = 0: independent repeat (p²); ρ = 1: identical (p).
    """
    return p * (rho + (1 - rho) * p)


def posterior_repeat(prior: float, sensitivity: float, false_positive_rate: float, rho: float) -> float:
    """P(H=1 | both runs of the same test positive) under the correlated-repeat model of repeat_positive_rate."""
    infected = repeat_positive_rate(sensitivity, rho) * prior
    healthy = repeat_positive_rate(false_positive_rate, rho) * (1 - prior)
    return infected / (infected + healthy)


def break_even_correlation(sensitivity1: float, false_positive_rate1: float,
                           sensitivity2: float, false_positive_rate2: float) -> float:
    """The ρ* at which running test 1 twice is exactly as informative as running test 1 and then test 2.

    Equal likelihood ratios:  s1(s1 + ρ(1 − s1)) / [f1(f1 + ρ(1 − f1))] = s1 s2 / (f1 f2)
        ⇔  ρ* = (f2 s1 − s2 f1) / (s2 (1 − f1) − f2 (1 − s1)),   independent of the prior.
    For ρ > ρ* the second, different test gives the higher posterior.
    """
    s1, f1, s2, f2 = sensitivity1, false_positive_rate1, sensitivity2, false_positive_rate2
    return (f2 * s1 - s2 * f1) / (s2 * (1 - f1) - f2 * (1 - s1))


def simulate_population(N: int, prior: float, tests: list[tuple[float, float]], seed: int = 0,
                        rho: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Draw N people: H ~ Bernoulli(prior), then one result per (sensitivity, false-positive rate) in `tests`.

    Results are conditionally independent given H, except that with probability ρ each result after the first
    copies the first one (the correlated-repeat model). Returns H (N,) and D (N, len(tests)), both 0/1.
    """
    rng = np.random.default_rng(seed)
    H = (rng.random(N) < prior).astype(np.int64)
    D = np.empty((N, len(tests)), dtype=np.int64)
    for i, (sens, fpr) in enumerate(tests):
        p = np.where(H == 1, sens, fpr)
        D[:, i] = rng.random(N) < p
        if i > 0:
            copy = rng.random(N) < rho
            D[copy, i] = D[copy, 0]
    return H, D
