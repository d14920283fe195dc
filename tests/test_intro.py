"""d2lcore.intro: the learned threshold of exercise 1.9.1, checked against brute force and the Bayes rule."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from d2lcore import intro


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 60), gap=st.floats(0, 4), noise=st.floats(0.1, 3), seed=st.integers(0, 10_000))
def test_fit_threshold_reaches_the_brute_force_minimum(n, gap, noise, seed):
    x, y = intro.two_class_data(n, gap, noise, seed)
    xs = np.sort(x)
    candidates = np.concatenate([[xs[0] - 1], (xs[1:] + xs[:-1]) / 2, [xs[-1] + 1]])
    best = min(intro.error_rate(x, y, c) for c in candidates)
    assert intro.error_rate(x, y, intro.fit_threshold(x, y)) == pytest.approx(best)


@pytest.mark.parametrize("gap, noise", [(1.0, 1.0), (2.0, 0.5), (3.0, 1.5)])
def test_learned_threshold_approaches_the_bayes_rule_with_many_examples(gap, noise):
    x, y = intro.two_class_data(20_000, gap, noise, seed=1)
    x_test, y_test = intro.two_class_data(20_000, gap, noise, seed=2)
    t_hat = intro.fit_threshold(x, y)
    # the error curve is flat near its minimum (flatter for small gap/σ), so the band widens with σ²/gap
    assert abs(t_hat - intro.bayes_threshold(gap, noise)) < 0.3 * noise**2 / gap
    assert intro.error_rate(x_test, y_test, t_hat) == pytest.approx(intro.bayes_error(gap, noise), abs=0.01)


@pytest.mark.parametrize("prior_one", [0.2, 0.5, 0.8])
def test_bayes_threshold_is_where_weighted_densities_cross(prior_one):
    gap, noise = 1.7, 0.9
    t = intro.bayes_threshold(gap, noise, prior_one)
    density = lambda x, mu: np.exp(-((x - mu) ** 2) / (2 * noise**2))  # noqa: E731 - shared normaliser cancels
    assert (1 - prior_one) * density(t, -gap / 2) == pytest.approx(prior_one * density(t, gap / 2))


def test_bayes_error_matches_simulation():
    x, y = intro.two_class_data(200_000, 1.5, 1.0, seed=3)
    assert intro.error_rate(x, y, 0.0) == pytest.approx(intro.bayes_error(1.5, 1.0), abs=0.004)  # ~4 std errors


def test_data_is_seeded_and_balanced():
    x1, y1 = intro.two_class_data(50, 1.0, 1.0, seed=5)
    x2, y2 = intro.two_class_data(50, 1.0, 1.0, seed=5)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2) and y1.sum() == 50
