"""Softmax regression (zh-v2 §3.4 softmax回归, §3.6–3.7): softmax, log-sum-exp, cross-entropy and information.

Logits o ∈ ℝ^q become probabilities ŷ = softmax(o); the loss of a label y is l(y, ŷ) = −log ŷ_y = logsumexp(o) − o_y.
Its gradient is softmax(o) − onehot(y) and its Hessian diag(p) − p pᵀ, the covariance of the one-hot label e_Y with
Y ~ Categorical(p). All tensor functions work along `dim` (default: the last axis) and accept batches.
"""

from __future__ import annotations

import heapq
import math
from fractions import Fraction

import sympy as sp
import torch
from torch import Tensor

# --- softmax and log-sum-exp ----------------------------------------------------------------------------------------


def softmax(o: Tensor, dim: int = -1) -> Tensor:
    """softmax(o)_ij = exp(o_ij) / Σ_k exp(o_ik)   (zh-v2 §3.4.4, the from-scratch version of §3.6)

    Naive on purpose: exp overflows to inf for logits above ~88 (float32) or ~709 (float64) and gives nan.
    """
    o_exp = torch.exp(o)
    return o_exp / o_exp.sum(dim=dim, keepdim=True)


def stable_softmax(o: Tensor, dim: int = -1) -> Tensor:
    """softmax(o)_j = exp(o_j − max(o)) / Σ_k exp(o_k − max(o))   (zh-v2 §3.7.2)

    Subtracting the max changes nothing mathematically (numerator and denominator share the factor exp(−max)),
    but the largest exponent is now exp(0) = 1, so nothing overflows.
    """
    shifted = o - o.amax(dim=dim, keepdim=True)
    e = shifted.exp()
    return e / e.sum(dim=dim, keepdim=True)


def logsumexp(o: Tensor, dim: int = -1) -> Tensor:
    """log Σ_k exp(o_k) = m + log Σ_k exp(o_k − m) with m = max_k o_k; the axis `dim` is reduced away.

    With all logits −inf, m = −inf; it is replaced by 0 so the result is −inf instead of nan.
    """
    m = o.amax(dim=dim, keepdim=True)
    m = torch.where(torch.isfinite(m), m, torch.zeros_like(m))
    return (m + (o - m).exp().sum(dim=dim, keepdim=True).log()).squeeze(dim)


def log_softmax(o: Tensor, dim: int = -1) -> Tensor:
    """log softmax(o)_j = o_j − log Σ_k exp(o_k)   — finite even where softmax(o)_j underflows to 0."""
    return o - logsumexp(o, dim=dim).unsqueeze(dim)


def real_softmax(values: Tensor, lam: float = 1.0, dim: int = -1) -> Tensor:
    """λ⁻¹ · RealSoftMax(λv) = λ⁻¹ log Σ_i exp(λ v_i)   (exercise 3.4.3)

    A smooth maximum: max(v) < λ⁻¹ log Σ exp(λ v_i) ≤ max(v) + λ⁻¹ log n, so it tends to max(v) as λ → ∞.
    """
    return logsumexp(lam * values, dim=dim) / lam


def soft_min(values: Tensor, lam: float = 1.0, dim: int = -1) -> Tensor:
    """−λ⁻¹ log Σ_i exp(−λ v_i) = −(λ⁻¹ RealSoftMax(−λv))   (exercise 3.4.3d)

    min(v) − λ⁻¹ log n ≤ soft_min(v) < min(v); it tends to min(v) as λ → ∞.
    """
    return -real_softmax(-values, lam, dim=dim)


# --- cross-entropy loss ---------------------------------------------------------------------------------------------


def naive_cross_entropy(y_hat: Tensor, y: Tensor) -> Tensor:
    """l_i = −log ŷ_{i, y_i}: minus the log of the probability given to the true label (zh-v2 §3.6.4).

    y_hat: (n, q) probabilities, y: (n,) int labels → (n,) losses. Gives inf when ŷ_{i,y_i} underflowed to 0.
    """
    return -torch.log(y_hat.gather(-1, y.unsqueeze(-1)).squeeze(-1))


def stable_cross_entropy(o: Tensor, y: Tensor) -> Tensor:
    """l_i = −log softmax(o_i)_{y_i} = logsumexp(o_i) − o_{i, y_i}   (zh-v2 §3.7.2, the LogSumExp trick)

    o: (n, q) logits, y: (n,) int labels → (n,) losses, finite for any finite logits.
    """
    return logsumexp(o, dim=-1) - o.gather(-1, y.unsqueeze(-1)).squeeze(-1)


def softmax_ce_gradient(o: Tensor, y: Tensor | int) -> Tensor:
    """∂l/∂o_j = softmax(o)_j − y_j with y the one-hot label: the predicted minus the observed distribution
    (zh-v2 §3.4.6.2). o: (q,) or (n, q); y: an int label or (n,) labels."""
    y = torch.as_tensor(y, device=o.device)
    onehot = torch.nn.functional.one_hot(y, o.shape[-1]).to(o.dtype)
    return stable_softmax(o) - onehot


def softmax_ce_hessian(o: Tensor) -> Tensor:
    """∂²l/∂o_i∂o_j = p_i (δ_ij − p_j), i.e. H = diag(p) − p pᵀ with p = softmax(o)   (exercise 3.4.1)

    The label drops out (it enters l linearly). o: (q,) → (q, q); o: (n, q) → (n, q, q).
    """
    p = stable_softmax(o)
    return torch.diag_embed(p) - p.unsqueeze(-1) * p.unsqueeze(-2)


def one_hot_covariance(p: Tensor) -> Tensor:
    """Cov[e_Y] for Y ~ Categorical(p), from the definition E[e eᵀ] − E[e] E[e]ᵀ   (exercise 3.4.1b)

    E[e_Y] = Σ_k p_k e_k = p and E[e_Y e_Yᵀ] = Σ_k p_k e_k e_kᵀ, a sum over the q outcomes.
    """
    q = p.shape[-1]
    E = torch.eye(q, dtype=p.dtype)  # row k: the one-hot vector e_k
    second_moment = sum(p[k] * torch.outer(E[k], E[k]) for k in range(q))
    return second_moment - torch.outer(p, p)


def sample_one_hot_covariance(p: Tensor, n: int, generator: torch.Generator | None = None) -> Tensor:
    """Sample covariance (divisor n − 1) of n one-hot vectors e_Y drawn with Y ~ Categorical(p). Returns (q, q)."""
    Y = torch.multinomial(p, n, replacement=True, generator=generator)
    X = torch.nn.functional.one_hot(Y, p.shape[-1]).to(p.dtype)  # (n, q)
    Xc = X - X.mean(dim=0)
    return Xc.T @ Xc / (n - 1)


# --- information theory (zh-v2 §3.4.7) ------------------------------------------------------------------------------


def entropy(p: Tensor, base: float = math.e) -> Tensor:
    """H[P] = −Σ_j p_j log p_j (with 0 log 0 = 0), in nats for base e and in bits for base 2."""
    p = torch.as_tensor(p, dtype=torch.float64)
    return -torch.special.xlogy(p, p).sum(dim=-1) / math.log(base)


def cross_entropy_dist(p: Tensor, q: Tensor, base: float = math.e) -> Tensor:
    """H(P, Q) = −Σ_j p_j log q_j: the expected code length when data from P are coded for Q; H(P, Q) ≥ H(P)."""
    p, q = torch.as_tensor(p, dtype=torch.float64), torch.as_tensor(q, dtype=torch.float64)
    return -torch.special.xlogy(p, q).sum(dim=-1) / math.log(base)


def fixed_length_code_bits(m: int, k: int = 1) -> int:
    """Bits of the shortest fixed-length binary code for all m^k blocks of k symbols: ⌈k log₂ m⌉ (exercise 3.4.2).

    Computed with integers: the smallest b with 2^b ≥ m^k is (m^k − 1).bit_length(), so no float rounding at
    k·log₂ m = integer.
    """
    return (m**k - 1).bit_length()


def block_code_bits_per_symbol(m: int, k: int) -> float:
    """Bits per symbol when k symbols from an m-letter alphabet are coded jointly: ⌈k log₂ m⌉ / k ≥ log₂ m."""
    return fixed_length_code_bits(m, k) / k


def best_block_length(m: int, k_max: int) -> int:
    """The smallest k ≤ k_max whose block code has the fewest bits per symbol, compared exactly as fractions."""
    return min(range(1, k_max + 1), key=lambda k: (Fraction(fixed_length_code_bits(m, k), k), k))


def huffman_code_lengths(p: list[float]) -> list[int]:
    """Codeword lengths of a Huffman code: repeatedly merge the two least likely groups; every merge adds one bit
    to each symbol inside. The result is an optimal prefix code: Σ p_j l_j is minimal under Kraft's Σ 2^{−l_j} ≤ 1.
    """
    if len(p) == 1:
        return [1]
    lengths = [0] * len(p)
    heap = [(pj, j, [j]) for j, pj in enumerate(p)]  # (probability, tie-breaker, symbols in the group)
    heapq.heapify(heap)
    counter = len(p)
    while len(heap) > 1:
        p1, _, g1 = heapq.heappop(heap)
        p2, _, g2 = heapq.heappop(heap)
        for j in g1 + g2:
            lengths[j] += 1
        heapq.heappush(heap, (p1 + p2, counter, g1 + g2))
        counter += 1
    return lengths


def prefix_codewords(lengths: list[int]) -> list[str]:
    """The canonical prefix code with the given codeword lengths (they must satisfy Kraft: Σ 2^{−l_j} ≤ 1).

    Symbols are taken by increasing length; each codeword is the previous one plus 1, shifted left to the new length.
    """
    order = sorted(range(len(lengths)), key=lambda j: (lengths[j], j))
    words = [""] * len(lengths)
    code, prev = 0, lengths[order[0]]
    for rank, j in enumerate(order):
        if rank:
            code = (code + 1) << (lengths[j] - prev)
        prev = lengths[j]
        words[j] = format(code, f"0{lengths[j]}b")
    return words


def equiprobable_prefix_code_bits(N: int) -> Fraction:
    """Average length of an optimal prefix code for N equally likely outcomes (what Huffman gives), exactly:

    with b = ⌊log₂ N⌋, 2N − 2^{b+1} codewords get b + 1 bits and 2^{b+1} − N get b bits, so the mean is
    b + 2(N − 2^b)/N (= log₂ N when N is a power of two).
    """
    b = N.bit_length() - 1  # ⌊log₂ N⌋
    return Fraction(b) + Fraction(2 * (N - 2**b), N)


def block_prefix_code_bits_per_symbol(m: int, k: int) -> Fraction:
    """Bits per symbol of an optimal prefix (Huffman) code over the m^k equally likely blocks of k symbols."""
    return equiprobable_prefix_code_bits(m**k) / k


# --- sympy helpers --------------------------------------------------------------------------------------------------


def logit_symbols(q: int) -> list[sp.Symbol]:
    """The logits o1, …, oq as plain sympy symbols, named as answers are typed (no underscores)."""
    return list(sp.symbols(f"o1:{q + 1}"))


def softmax_sym(o: list[sp.Expr]) -> list[sp.Expr]:
    """softmax(o)_j = exp(o_j) / Σ_k exp(o_k) as sympy expressions."""
    Z = sum(sp.exp(ok) for ok in o)
    return [sp.exp(oj) / Z for oj in o]


def cross_entropy_loss_sym(o: list[sp.Expr], y: int) -> sp.Expr:
    """l(y, softmax(o)) = −log softmax(o)_y = log Σ_k exp(o_k) − o_y   (zh-v2 eq. 3.4.10)."""
    return sp.log(sum(sp.exp(ok) for ok in o)) - o[y]


def cross_entropy_hessian_sym(q: int, y: int = 0) -> sp.Matrix:
    """The q×q Hessian [∂²l/∂o_i∂o_j] of the cross-entropy loss of label y, by differentiating twice with sympy."""
    o = logit_symbols(q)
    return sp.hessian(cross_entropy_loss_sym(o, y), o)


def real_softmax_gap_sym(a: sp.Expr, b: sp.Expr, lam: sp.Expr | int = 1) -> sp.Expr:
    """λ⁻¹ log(e^{λa} + e^{λb}) − max(a, b) = λ⁻¹ log(1 + e^{−λ|a−b|})  > 0   (exercises 3.4.3a–b)

    Factor out the larger exponential: e^{λa} + e^{λb} = e^{λ max}(1 + e^{−λ|a−b|}), and 1 + e^{…} > 1.
    """
    return sp.log(1 + sp.exp(-lam * sp.Abs(a - b))) / lam
