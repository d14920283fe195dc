"""Chapter 1 (引言 Introduction): four open questions. Their reference answers are written texts; 1.9.1 also
reports what the demo's learned threshold achieves on its default data."""

from __future__ import annotations

from d2lcore import intro
from solutions import Solution, explain, solver


@solver("1.9.1")
def solve_1_9_1(seed: int = 0, n: int = 40, gap: float = 1.5, noise: float = 1.0, t: float = 1.0) -> Solution:
    """Hand-set threshold t vs t̂ = argmin_t err(t) fitted on n examples per class, both scored on fresh data.

    The Bayes error Φ(−gap/2σ) is the floor; a test sample of m examples scatters around it by √(p(1−p)/m).
    """
    x, y = intro.two_class_data(n, gap, noise, seed)
    x_test, y_test = intro.two_class_data(2000, gap, noise, seed + 10_000)
    t_hat = intro.fit_threshold(x, y)
    values = {
        "n": n, "hand_t": t, "learned_t": round(t_hat, 2),
        "hand_test": f"{intro.error_rate(x_test, y_test, t):.1%}",
        "learned_test": f"{intro.error_rate(x_test, y_test, t_hat):.1%}",
        "bayes": f"{intro.bayes_error(gap, noise):.1%}",
        "se": f"{(intro.bayes_error(gap, noise) * (1 - intro.bayes_error(gap, noise)) / len(y_test)) ** 0.5:.1%}",
    }
    return Solution(answer={}, explanation=explain("1.9.1", **values), data=values)


@solver("1.9.2")
def solve_1_9_2(seed: int = 0) -> Solution:
    return Solution(answer={}, explanation=explain("1.9.2"))


@solver("1.9.3")
def solve_1_9_3(seed: int = 0) -> Solution:
    return Solution(answer={}, explanation=explain("1.9.3"))


@solver("1.9.4")
def solve_1_9_4(seed: int = 0) -> Solution:
    return Solution(answer={}, explanation=explain("1.9.4"))
