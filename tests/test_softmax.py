"""d2lcore.softmax against torch built-ins (float64, fixed seed, extreme logits), autograd, sympy and hypothesis."""

import itertools
import math

import pytest
import sympy as sp
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from d2lcore import softmax as sm

G = torch.Generator().manual_seed(0)
LOGITS = {
    "normal": torch.randn(5, 4, generator=G, dtype=torch.float64),
    "wide": 30 * torch.randn(6, 10, generator=G, dtype=torch.float64),
    "plus-1000": 1000 + torch.randn(3, 5, generator=G, dtype=torch.float64),
    "minus-1000": -1000 + torch.randn(3, 5, generator=G, dtype=torch.float64),
    "mixed-1000": torch.tensor([[1000.0, 0.0, -1000.0], [-1000.0, 999.0, 1000.0]], dtype=torch.float64),
}
MILD = ["normal", "wide"]
LABELS = torch.tensor([0, 3, 1, 2, 4, 0])


def assert_matches_torch(ours, theirs, *args, rtol=1e-12, atol=1e-12):
    """Same shape, dtype and values (to float64 round-off) as the torch built-in, everything finite."""
    a, b = ours(*args), theirs(*args)
    assert a.shape == b.shape and a.dtype == b.dtype and torch.isfinite(a).all()
    torch.testing.assert_close(a, b, rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", LOGITS)
def test_stable_softmax_matches_torch(name):
    assert_matches_torch(sm.stable_softmax, torch.softmax, LOGITS[name], -1)


@pytest.mark.parametrize("name", LOGITS)
def test_log_softmax_matches_torch(name):
    assert_matches_torch(sm.log_softmax, torch.log_softmax, LOGITS[name], -1)


@pytest.mark.parametrize("name", LOGITS)
def test_logsumexp_matches_torch(name):
    assert_matches_torch(sm.logsumexp, torch.logsumexp, LOGITS[name], -1)


@pytest.mark.parametrize("name", LOGITS)
def test_stable_cross_entropy_matches_torch(name):
    o = LOGITS[name]
    y = LABELS[: o.shape[0]] % o.shape[1]
    assert_matches_torch(sm.stable_cross_entropy, lambda o, y: F.cross_entropy(o, y, reduction="none"), o, y)


@pytest.mark.parametrize("name", MILD)
def test_naive_versions_match_torch_on_mild_logits(name):
    o = LOGITS[name][:, :4]
    y = LABELS[: o.shape[0]] % 4
    assert_matches_torch(sm.softmax, torch.softmax, o, -1)
    assert_matches_torch(sm.naive_cross_entropy, lambda p, y: F.nll_loss(p.log(), y, reduction="none"),
                         sm.softmax(o), y)


def test_softmax_along_dim_zero():
    o = LOGITS["normal"]
    torch.testing.assert_close(sm.stable_softmax(o, dim=0), torch.softmax(o, 0))
    torch.testing.assert_close(sm.logsumexp(o, dim=0), torch.logsumexp(o, 0))


def test_naive_versions_fail_where_the_stable_ones_do_not():
    o = LOGITS["plus-1000"]
    assert torch.isnan(sm.softmax(o)).all() and torch.isfinite(sm.stable_softmax(o)).all()
    y = torch.zeros(3, dtype=torch.long)
    assert torch.isinf(sm.naive_cross_entropy(sm.stable_softmax(LOGITS["mixed-1000"][:1]), y[:1] + 2)).all()
    assert torch.isfinite(sm.stable_cross_entropy(LOGITS["mixed-1000"], y[:2] + 2)).all()


def test_logsumexp_of_all_minus_inf_is_minus_inf():
    assert sm.logsumexp(torch.full((3,), -math.inf)).item() == -math.inf


@pytest.mark.parametrize("q, y, seed", [(2, 0, 0), (3, 1, 1), (5, 4, 2), (10, 7, 3)])
def test_gradient_is_p_minus_y_by_autograd(q, y, seed):
    o = torch.randn(q, generator=torch.Generator().manual_seed(seed), dtype=torch.float64, requires_grad=True)
    F.cross_entropy(o[None], torch.tensor([y])).backward()
    torch.testing.assert_close(sm.softmax_ce_gradient(o.detach(), y), o.grad)


def test_batched_gradient_matches_autograd_of_summed_loss():
    o = LOGITS["wide"].clone().requires_grad_(True)
    y = LABELS % 10
    F.cross_entropy(o, y, reduction="sum").backward()
    torch.testing.assert_close(sm.softmax_ce_gradient(o.detach(), y), o.grad)


@pytest.mark.parametrize("q, y, seed", [(2, 1, 0), (3, 0, 1), (4, 2, 2), (6, 5, 3)])
def test_hessian_is_diag_p_minus_ppT_by_torch_hessian(q, y, seed):
    o = 3 * torch.randn(q, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    H = torch.autograd.functional.hessian(lambda o: F.cross_entropy(o[None], torch.tensor([y])), o)
    torch.testing.assert_close(sm.softmax_ce_hessian(o), H)


def test_batched_hessian_stacks_per_row():
    o = LOGITS["normal"]
    torch.testing.assert_close(sm.softmax_ce_hessian(o), torch.stack([sm.softmax_ce_hessian(o) for o in o]))


@pytest.mark.parametrize("q", [2, 3, 4])
def test_sympy_hessian_matches_the_formula(q):
    o = sm.logit_symbols(q)
    p = sm.softmax_sym(o)
    H = sm.cross_entropy_hessian_sym(q, y=q - 1)
    for i in range(q):
        for j in range(q):
            assert sp.simplify(H[i, j] - p[i] * (int(i == j) - p[j])) == 0


@pytest.mark.parametrize("seed", range(3))
def test_one_hot_covariance_is_the_hessian_and_matches_sampling(seed):
    o = torch.randn(4, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    p = sm.stable_softmax(o)
    C = sm.one_hot_covariance(p)
    torch.testing.assert_close(C, sm.softmax_ce_hessian(o))
    n = 200_000
    S = sm.sample_one_hot_covariance(p, n, torch.Generator().manual_seed(seed))
    # each entry is a mean of n products bounded by 1: its standard error is below 1/sqrt(n); 5 of them is a wide band
    assert (S - C).abs().max() < 5 / math.sqrt(n)


def test_entropy_and_cross_entropy_against_torch_distributions():
    p = torch.tensor([0.5, 0.25, 0.125, 0.125], dtype=torch.float64)
    q = torch.tensor([0.1, 0.2, 0.3, 0.4], dtype=torch.float64)
    ent = torch.distributions.Categorical(probs=p).entropy()
    torch.testing.assert_close(sm.entropy(p), ent)
    assert sm.entropy(p, base=2).item() == pytest.approx(1.75)
    kl = torch.distributions.kl_divergence(torch.distributions.Categorical(probs=p), torch.distributions.Categorical(
        probs=q))
    torch.testing.assert_close(sm.cross_entropy_dist(p, q), ent + kl)
    assert sm.entropy(torch.tensor([1.0, 0.0, 0.0])).item() == 0.0  # 0 log 0 = 0
    assert sm.entropy(torch.full((3,), 1 / 3), base=2).item() == pytest.approx(math.log2(3))


@pytest.mark.parametrize("m, k_max", [(3, 12), (5, 8), (6, 6)])
def test_fixed_length_code_bits_by_brute_force(m, k_max):
    for k in range(1, k_max + 1):
        b = next(b for b in range(100) if 2**b >= m**k)  # count up until every block gets its own codeword
        assert sm.fixed_length_code_bits(m, k) == b
        assert sm.block_code_bits_per_symbol(m, k) >= math.log2(m)


def test_best_block_length_for_three_symbols():
    assert sm.block_code_bits_per_symbol(3, 5) == 8 / 5
    k = sm.best_block_length(3, 10)
    assert all(sm.block_code_bits_per_symbol(3, j) >= sm.block_code_bits_per_symbol(3, k) for j in range(1, 11))


def test_real_softmax_gap_sym_is_the_gap():
    a, b = sp.symbols("a b", real=True)
    lam = sp.Symbol("lam", positive=True)
    for va, vb, vl in [(0.3, -1.2, 1.0), (-2.0, 1.5, 3.0), (0.7, 0.7, 0.5)]:
        gap = sm.real_softmax_gap_sym(a, b, lam).subs({a: va, b: vb, lam: vl})
        ours = sm.real_softmax(torch.tensor([va, vb], dtype=torch.float64), vl).item() - max(va, vb)
        assert float(gap) == pytest.approx(ours, rel=1e-12)


# --- properties ---------------------------------------------------------------------------------------------------

finite = st.floats(-50, 50, allow_nan=False)
rows = st.lists(finite, min_size=1, max_size=8)


@settings(max_examples=100, deadline=None)
@given(rows, st.floats(-500, 500))
def test_softmax_rows_sum_to_one_and_are_shift_invariant(v, c):
    o = torch.tensor(v, dtype=torch.float64)
    p = sm.stable_softmax(o)
    assert torch.all(p >= 0) and p.sum().item() == pytest.approx(1.0)
    torch.testing.assert_close(sm.stable_softmax(o + c), p, rtol=1e-9, atol=1e-12)
    torch.testing.assert_close(sm.softmax_ce_hessian(o).sum(dim=-1), torch.zeros_like(o), rtol=0, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(rows, st.floats(0.01, 100))
def test_real_softmax_lies_between_max_and_max_plus_log_n_over_lambda(v, lam):
    x = torch.tensor(v, dtype=torch.float64)
    r, m = sm.real_softmax(x, lam).item(), x.max().item()
    assert m - 1e-9 <= r <= m + math.log(len(v)) / lam + 1e-9
    s, lo = sm.soft_min(x, lam).item(), x.min().item()
    assert lo - math.log(len(v)) / lam - 1e-9 <= s <= lo + 1e-9


@settings(max_examples=50, deadline=None)
@given(st.lists(finite, min_size=2, max_size=8))
def test_real_softmax_decreases_to_the_max_as_lambda_grows(v):
    x = torch.tensor(v, dtype=torch.float64)
    values = [sm.real_softmax(x, lam).item() for lam in (0.1, 1.0, 10.0, 100.0, 1e4)]
    assert all(a >= b - 1e-9 for a, b in itertools.pairwise(values))
    assert values[-1] - x.max().item() <= math.log(len(v)) / 1e4 + 1e-9


@pytest.mark.parametrize("p", [[1 / 3] * 3, [0.5, 0.25, 0.125, 0.125], [0.4, 0.3, 0.2, 0.1], [0.9, 0.05, 0.05],
                               [1 / 6] * 6])
def test_huffman_is_optimal_and_its_codewords_are_prefix_free(p):
    lengths = sm.huffman_code_lengths(p)
    kraft_feasible = [ls for ls in itertools.product(range(1, 7), repeat=len(p)) if sum(2.0**-x for x in ls) <= 1]
    best = min(sum(pj * lj for pj, lj in zip(p, ls, strict=True)) for ls in kraft_feasible)
    assert sum(pj * lj for pj, lj in zip(p, lengths, strict=True)) == pytest.approx(best)
    words = sm.prefix_codewords(lengths)
    assert [len(w) for w in words] == lengths and len(set(words)) == len(words)
    assert not any(u != w and w.startswith(u) for u in words for w in words)
    # the average length is the cross-entropy (in bits) against the code's implied model q = 2^(−l)
    q = torch.tensor([2.0**-x for x in lengths], dtype=torch.float64)
    assert sm.cross_entropy_dist(torch.tensor(p), q, base=2).item() == pytest.approx(
        sum(pj * lj for pj, lj in zip(p, lengths, strict=True)))
