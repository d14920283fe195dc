"""Section 4.10 (实战Kaggle比赛：预测房价 Kaggle house prices): the log target, mean imputation under the three
missingness mechanisms, K-fold bookkeeping, a larger model and standardisation. Training answers always use the
generated table (seeded), so they do not depend on whether a machine has the Kaggle files."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import numpy as np

from d2lcore import house
from solutions import Solution, explain, solver, variant

BOOK = house.HouseConfig()  # the book's raw-price target, lr 5 (20 epochs here)
LOG = replace(BOOK, log_target=True, lr=0.2)  # log-price target, a learning rate that suits it
MLP = replace(LOG, hidden=(32,), lr=0.05)
RAW_FEATURES = replace(LOG, standardize=False)
KAGGLE_ROWS = 1460  # rows of kaggle_house_pred_train.csv


@cache
def run(config: house.HouseConfig) -> house.KFoldResult:
    """One seeded K-fold run (deterministic, so each configuration runs once per process)."""
    return house.k_fold(config)


@solver("4.10.1")
def solve_4_10_1(seed: int = 0) -> Solution:
    return Solution(answer={}, explanation=explain("4.10.1"))


@solver("4.10.2")
def solve_4_10_2(seed: int = 0) -> Solution:
    """Valid log-RMSE with the raw price (the book's setting) and with log price as the target."""
    raw, log = run(BOOK), run(LOG)
    values = {"raw": f"{raw.mean_valid:.3f}", "log": f"{log.mean_valid:.3f}", "epochs": BOOK.epochs}
    answer = {"better": "log" if log.mean_valid < raw.mean_valid else "raw", "logValid": log.mean_valid}
    return Solution(answer=answer, explanation=explain("4.10.2", **values), data=values)


@variant("4.10.3")
def variant_4_10_3(seed: int) -> dict:
    """σ and missing rate r of the column (seed 0: LotFrontage-like, σ = 22, r = 0.18)."""
    if seed == 0:
        return {"std": 22.0, "rate": 0.18}
    rng = np.random.default_rng(seed)
    return {"std": float(rng.choice([5.0, 10.0, 15.0, 30.0])), "rate": float(rng.choice([0.1, 0.2, 0.3, 0.4]))}


@solver("4.10.3")
def solve_4_10_3(seed: int = 0, std: float = 22.0, rate: float = 0.18) -> Solution:
    """MNAR bias by sympy; the unbiased mechanism and the variance shrinkage 1 − r (MCAR) from the formulas, with
    one simulation per mechanism for the text."""
    bias = house.mnar_mean_bias(std, rate)
    sims = {m: house.mean_imputation_study(m, std, rate, seed=seed) for m in house.MECHANISMS}
    values = {"std": std, "rate": rate, "bias": f"{bias:.3f}", "shrink": f"{1 - rate:.3g}",
              **{f"sim{m}": f"{s.mean_bias:.2f}" for m, s in sims.items()},
              "varMCAR": f"{sims['MCAR'].variance_ratio:.3f}"}
    answer = {"bias": bias, "unbiased": "mcar", "shrink": 1 - rate}
    return Solution(answer=answer, explanation=explain("4.10.3", **values), data=values)


@variant("4.10.4")
def variant_4_10_4(seed: int) -> dict:
    """K (seed 0: the book's 5)."""
    return {"K": 5 if seed == 0 else int(np.random.default_rng(seed).choice([3, 4, 6, 7, 8, 9, 10, 11]))}


@solver("4.10.4")
def solve_4_10_4(seed: int = 0, K: int = 5) -> Solution:
    """Fold sizes from k_fold_indices on the 1,460 rows of the Kaggle training file."""
    train_idx, valid_idx = house.k_fold_indices(KAGGLE_ROWS, K, 0)
    dropped = KAGGLE_ROWS - len(train_idx) - len(valid_idx)
    values = {"K": K, "fold": len(valid_idx), "train": len(train_idx), "dropped": dropped, "n": KAGGLE_ROWS}
    answer = {"fold": float(len(valid_idx)), "train": float(len(train_idx)), "dropped": float(dropped),
              "select": "average"}
    return Solution(answer=answer, explanation=explain("4.10.4", **values), data=values)


@solver("4.10.5")
def solve_4_10_5(seed: int = 0) -> Solution:
    """The linear net against an MLP with 64 hidden units, both on the log target."""
    lin, mlp = run(LOG), run(MLP)
    values = {"lin": f"{lin.mean_valid:.3f}", "mlp": f"{mlp.mean_valid:.3f}", "linTrain": f"{lin.mean_train:.3f}",
              "mlpTrain": f"{mlp.mean_train:.3f}"}
    answer = {"better": "linear" if lin.mean_valid < mlp.mean_valid else "mlp", "mlpValid": mlp.mean_valid}
    return Solution(answer=answer, explanation=explain("4.10.5", **values), data=values)


@solver("4.10.6")
def solve_4_10_6(seed: int = 0) -> Solution:
    """The log-target linear net with and without standardising the numeric features."""
    on, off = run(LOG), run(RAW_FEATURES)
    values = {"on": f"{on.mean_valid:.3f}", "off": f"{off.mean_valid:.3f}", "lr": LOG.lr}
    effect = "worse" if off.mean_valid > 1.5 * on.mean_valid else ("better" if off.mean_valid < on.mean_valid / 1.5
                                                                   else "same")
    return Solution(answer={"effect": effect, "why": "optimisation"}, explanation=explain("4.10.6", **values),
                    data=values)
