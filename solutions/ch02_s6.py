"""Section 2.6 (概率 Probability): dice estimates, union/intersection bounds, a Markov chain, the HIV tests."""

from __future__ import annotations

import numpy as np
import sympy as sp

from d2lcore import probability as prob
from solutions import Solution, explain, solver, variant


@solver("2.6.1")
def solve_2_6_1(seed: int = 0, m: int = 500, n: int = 10, repeats: int = 100) -> Solution:
    """Standard error of a relative frequency, the two m × n settings compared, and the rolls for a ±0.01 band.

    Var(p̂) = Var(X)/N with X ~ Bernoulli(p): derived with sympy, then checked against repeated simulated runs.
    """
    p, N = sp.symbols("p N")
    variance_one_roll = sum(w * (x - p) ** 2 for x, w in [(1, p), (0, 1 - p)])  # E[(X − EX)²], EX = p
    se = sp.sqrt(sp.factor(variance_one_roll) / N)
    settings = {"groups": (5000, 10), "rolls": (500, 100)}  # same total: 50,000 rolls each
    se_of = {k: float(se.subs({p: sp.Rational(1, 6), N: a * b})) for k, (a, b) in settings.items()}
    compare = "same" if np.isclose(se_of["groups"], se_of["rolls"]) else min(se_of, key=se_of.get)
    # the simulated spread of the final estimate of face 1 in both settings (repeated runs with fresh seeds)
    spread = {k: float(np.std([prob.roll_dice(a, b, seed=1000 * r + i)[-1, 0] for r in range(repeats)]))
              for i, (k, (a, b)) in enumerate(settings.items())}
    run = prob.roll_dice(m, n, seed)
    values = {
        "m": m, "n": n, "seBook": f"{float(se.subs({p: sp.Rational(1, 6), N: m * n})):.4f}",
        "maxdev": f"{np.abs(run[-1] - 1 / 6).max():.4f}", "seFinal": f"{se_of['groups']:.5f}",
        "sdGroups": f"{spread['groups']:.5f}", "sdRolls": f"{spread['rolls']:.5f}", "repeats": repeats,
        "nNeeded": prob.rolls_needed(1 / 6, 0.01),
    }
    answer = {"se": se, "compare": compare, "nNeeded": float(values["nNeeded"])}
    return Solution(answer=answer, explanation=explain("2.6.1", **values), data=values)


@solver("2.6.2")
def solve_2_6_2(seed: int = 0) -> Solution:
    """All four bounds derived from the Venn atoms P(A only), P(B only), P(A ∩ B), P(neither) being ≥ 0."""
    pA, pB = sp.symbols("pA pB")
    union_low, union_high = prob.union_range_from_atoms(pA, pB)
    inter_low, inter_high = prob.overlap_range_from_atoms(pA, pB)
    answer = {"unionLow": union_low, "unionHigh": union_high, "interLow": inter_low, "interHigh": inter_high}
    latex = {k: sp.latex(v.subs({pA: sp.Symbol("P(A)"), pB: sp.Symbol("P(B)")})) for k, v in answer.items()}
    return Solution(answer=answer, explanation=explain("2.6.2", **latex))


CHAIN_TARGET = (1, 1, 0)  # the cell P(A=1, B=1, C=0) the exercise asks for


@variant("2.6.3")
def variant_2_6_3(seed: int) -> dict[str, float]:
    """Seed 0: the fixed tables of the statement (the book gives no numbers); other seeds: random tables."""
    if seed == 0:
        return {"a": 0.3, "b0": 0.2, "b1": 0.7, "c0": 0.1, "c1": 0.6}
    rng = np.random.default_rng(seed)
    return {k: round(float(v), 2) for k, v in zip(["a", "b0", "b1", "c0", "c1"], rng.uniform(0.05, 0.95, 5),
                                                  strict=True)}


@solver("2.6.3")
def solve_2_6_3(seed: int = 0, a: float = 0.3, b0: float = 0.2, b1: float = 0.7, c0: float = 0.1,
                c1: float = 0.6) -> Solution:
    """P(A, B, C) = P(A) P(B|A) P(C|B): one cell of the joint table, P(C=1) by the sum rule, the parameter count."""
    tables = prob.binary_chain_tables(a, b0, b1, c0, c1)
    joint = prob.markov_chain_joint(*tables)  # (2, 2, 2)
    symbols = sp.symbols("a b0 b1 c0 c1")
    pC = sp.expand(prob.chain_marginal_C(*symbols))
    nparams = prob.chain_parameter_count(2, 2, 2)
    values = {"a": a, "b0": b0, "b1": b1, "c0": c0, "c1": c1, "joint": f"{joint[CHAIN_TARGET]:.4f}",
              "pCvalue": f"{joint[:, :, 1].sum():.4f}", "pClatex": sp.latex(sp.collect(pC, symbols[3:])),
              "nparams": nparams, "nfull": 2**3 - 1}
    answer = {"factor": "chain", "joint": float(joint[CHAIN_TARGET]), "pC": pC, "nparams": float(nparams)}
    return Solution(answer=answer, explanation=explain("2.6.3", **values), data={"joint": joint})


@variant("2.6.4")
def variant_2_6_4(seed: int) -> dict[str, float]:
    """Seed 0: the book's numbers. Other seeds: test 1 stays the more accurate one (s1 ≥ s2 and f1 < f2)."""
    if seed == 0:
        return {"prior": 0.0015, "s1": 1.0, "f1": 0.01, "s2": 0.98, "f2": 0.03}
    rng = np.random.default_rng(seed)
    s1, f1 = round(float(rng.uniform(0.97, 1.0)), 3), round(float(rng.uniform(0.005, 0.02)), 3)
    return {"prior": round(float(rng.uniform(0.001, 0.02)), 4), "s1": s1, "f1": f1,
            "s2": round(float(rng.uniform(0.85, s1)), 3), "f2": round(float(rng.uniform(f1 + 0.01, 0.08)), 3)}


@solver("2.6.4")
def solve_2_6_4(seed: int = 0, prior: float = 0.0015, s1: float = 1.0, f1: float = 0.01, s2: float = 0.98,
                f2: float = 0.03) -> Solution:
    """Bayes' rule after test 1, after tests 1 and 2 (conditionally independent), after test 1 run twice."""
    post1 = prob.posterior(prior, s1, f1)
    post12 = prob.posterior_two_tests(prior, s1, f1, s2, f2)
    post11 = prob.posterior_repeat(prior, s1, f1, rho=0.0)
    rho_star = prob.break_even_correlation(s1, f1, s2, f2)
    people = 1_000_000  # natural frequencies: the same computation as counts of people
    sick = prior * people
    values = {"prior": prior, "s1": s1, "f1": f1, "s2": s2, "f2": f2, "post1": f"{post1:.4f}",
              "post12": f"{post12:.4f}", "post11": f"{post11:.4f}", "rhoStar": f"{rho_star:.4f}",
              "people": f"{people:,}", "sick": f"{sick:,.0f}", "tp1": f"{s1 * sick:,.0f}",
              "fp1": f"{f1 * (people - sick):,.0f}", "tp12": f"{s1 * s2 * sick:,.0f}",
              "fp12": f"{f1 * f2 * (people - sick):,.0f}", "fp11": f"{f1 * f1 * (people - sick):,.0f}"}
    # ρ* > 0: test 1 twice would win if its runs were independent, so only correlated errors make test 2 the
    # better choice; ρ* ≤ 0 would mean test 2 carries more evidence on its own.
    why = "correlated" if rho_star > 0 else "test2better"
    answer = {"post1": post1, "post12": post12, "post11": post11, "rhoStar": rho_star, "why": why}
    return Solution(answer=answer, explanation=explain("2.6.4", **values), data=values)
