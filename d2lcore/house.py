"""House prices (zh-v2 §4.10): the Kaggle CSVs (downloaded into $D2L_DATA_DIR with the book's sha1 checksums when the
network allows) or a documented generator of the same kind of table, the book's preprocessing, missing-value
mechanisms and mean imputation, K-fold cross-validation and the log-RMSE.

log-RMSE = √( (1/n) Σ_i (log y_i − log ŷ_i)² ): the relative error, so a $10,000 miss on a cheap house costs more
than on an expensive one.
"""

from __future__ import annotations

import hashlib
import math
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import sympy
import torch
from torch import Tensor, nn

from d2lcore.data import data_dir, load_array
from d2lcore.mlp import mlp_net
from d2lcore.train import History, train

DATA_URL = "http://d2l-data.s3-accelerate.amazonaws.com/"  # the book's DATA_URL
HOUSE_FILES = {  # the book's DATA_HUB entries: file name, sha1
    "kaggle_house_train": ("kaggle_house_pred_train.csv", "585e9cc93e70b39160e7921475f9bcd7d31219ce"),
    "kaggle_house_test": ("kaggle_house_pred_test.csv", "fa19780a7b011d9b009e8bff8e99922a8ee2eb90"),
}
KAGGLE = "Kaggle house prices"
GENERATED = "generated house prices"
MECHANISMS = ("MCAR", "MAR", "MNAR")


class ChecksumError(ValueError):
    """A file's sha1 is not the one the book publishes: a broken download or a changed file."""


# --- the loader -------------------------------------------------------------------------------------------------------


def sha1(path: Path) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def download(name: str, root: Path | str | None = None, *, base_url: str = DATA_URL,
             files: dict[str, tuple[str, str]] = HOUSE_FILES, fetch: bool = True, timeout: float = 10.0) -> Path:
    """The book's download(): the cached file when its sha1 matches, else fetch base_url + file name (when `fetch`)
    into root ($D2L_DATA_DIR by default) and verify it. A mismatch removes the file and raises ChecksumError."""
    fname, expected = files[name]
    root = Path(root) if root is not None else data_dir()
    path = root / fname
    if path.exists():
        if sha1(path) == expected:
            return path
        if not fetch:
            raise ChecksumError(f"{path} has sha1 {sha1(path)}, expected {expected}")
    if not fetch:
        raise FileNotFoundError(f"{path} is not in the cache and downloading is off")
    root.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")
    with urllib.request.urlopen(base_url + fname, timeout=timeout) as response:
        partial.write_bytes(response.read())
    got = sha1(partial)
    if got != expected:
        partial.unlink()
        raise ChecksumError(f"{base_url + fname} has sha1 {got}, expected {expected}")
    partial.replace(path)
    return path


@dataclass
class HouseData:
    train: pd.DataFrame  # Id, features…, SalePrice
    test: pd.DataFrame  # Id, features… (no price)
    name: str
    source: str


def load_house_prices(root: Path | str | None = None, *, download_ok: bool = False, n: int = 1000, seed: int = 0,
                      mechanism: str = "MNAR", missing_rate: float = 0.18, dataset: str = "auto",
                      base_url: str = DATA_URL, files: dict[str, tuple[str, str]] = HOUSE_FILES) -> HouseData:
    """The Kaggle CSVs from the cache (fetched first when download_ok), else generate_house_data(n, …).
    dataset="generated" always generates (exercise answers must not depend on a machine's cache)."""
    if dataset == "auto":
        try:
            paths = [download(k, root, base_url=base_url, files=files, fetch=download_ok, timeout=5) for k in files]
            return HouseData(pd.read_csv(paths[0]), pd.read_csv(paths[1]), KAGGLE, str(paths[0].parent))
        except (OSError, ChecksumError):  # no network, no cache, or a corrupted file: fall back
            pass
    train_df = generate_house_data(n, seed, mechanism, missing_rate)
    test_df = generate_house_data(n, seed + 10_000, mechanism, missing_rate).drop(columns="SalePrice")
    test_df["Id"] += n
    return HouseData(train_df, test_df, GENERATED, "d2lcore.house.generate_house_data")


# --- the generator and missingness -----------------------------------------------------------------------------------

NEIGHBORHOODS = {"NAmes": 0.0, "CollgCr": 0.08, "OldTown": -0.15, "Edwards": -0.12, "Somerst": 0.15,
                 "NridgHt": 0.3, "Gilbert": 0.05, "Sawyer": -0.05}


def missing_mask(x: np.ndarray, mechanism: str, rate: float, other: np.ndarray, rng: np.random.Generator
                 ) -> np.ndarray:
    """Which entries of x go missing (True), overall rate ≈ `rate`:
    MCAR each with probability r; MAR with probability 2r in the lower half of `other` (an observed column; ties
    broken by position); MNAR with probability 2r in the upper half of x (depends on the missing value itself)."""
    u = rng.random(len(x))
    half = len(x) / 2
    if mechanism == "MCAR":
        return u < rate
    if mechanism == "MAR":
        return (np.argsort(np.argsort(other, kind="stable")) < half) & (u < 2 * rate)
    if mechanism == "MNAR":
        return (np.argsort(np.argsort(x, kind="stable")) >= half) & (u < 2 * rate)
    raise ValueError(f"mechanism must be one of {MECHANISMS}, not {mechanism!r}")


def generate_house_data(n: int = 1000, seed: int = 0, mechanism: str = "MNAR", missing_rate: float = 0.18
                        ) -> pd.DataFrame:
    """A table shaped like the Kaggle one: numeric columns (LotFrontage with missing values, LotArea, OverallQual,
    YearBuilt, GrLivArea, GarageCars), categorical ones (MSZoning with NA, Neighborhood, CentralAir) and SalePrice.

    log SalePrice = 12 + 0.1 (Q − 6) + 0.04 max(Q − 7, 0)² + 0.45 log(GrLivArea / 1500) + 0.004 (YearBuilt − 1975)
                    + 0.06 log(LotArea / 9000) + 0.002 (LotFrontage − 70) + neighbourhood + 0.05 GarageCars + ε,
    ε ~ N(0, 0.1²); LotFrontage ≈ 0.7 √LotArea + N(0, 8²) is hidden by `missing_mask` (mechanism, missing_rate)."""
    rng = np.random.default_rng(seed)
    quality = np.clip(np.round(rng.normal(6.1, 1.4, n)), 1, 10)
    living = np.exp(rng.normal(np.log(1500) + 0.06 * (quality - 6), 0.3, n))
    year = np.clip(np.round(1975 + 8 * (quality - 6) + rng.normal(0, 20, n)), 1872, 2010)
    lot_area = np.exp(rng.normal(np.log(9000), 0.4, n))
    frontage = 0.7 * np.sqrt(lot_area) + rng.normal(0, 8, n)
    hood = rng.choice(list(NEIGHBORHOODS), n)
    garage = np.clip(np.round(rng.normal(1.8 + 0.2 * (quality - 6), 0.7, n)), 0, 4)
    log_price = (12 + 0.1 * (quality - 6) + 0.04 * np.maximum(quality - 7, 0) ** 2 + 0.45 * np.log(living / 1500)
                 + 0.004 * (year - 1975) + 0.06 * np.log(lot_area / 9000) + 0.002 * (frontage - 70)
                 + np.vectorize(NEIGHBORHOODS.get)(hood) + 0.05 * garage + rng.normal(0, 0.1, n))
    zoning = rng.choice(["RL", "RM", "FV", "RH"], n, p=[0.79, 0.15, 0.04, 0.02]).astype(object)
    zoning[rng.random(n) < 0.01] = np.nan
    observed_frontage = np.where(missing_mask(frontage, mechanism, missing_rate, quality, rng), np.nan,
                                 np.round(frontage))
    return pd.DataFrame({
        "Id": np.arange(1, n + 1), "MSZoning": zoning, "LotFrontage": observed_frontage,
        "LotArea": np.round(lot_area), "Neighborhood": hood, "OverallQual": quality, "YearBuilt": year,
        "CentralAir": np.where(year < 1950, rng.choice(["Y", "N"], n), "Y"), "GrLivArea": np.round(living),
        "GarageCars": garage, "SalePrice": np.round(np.exp(log_price)),
    })


def mnar_mean_bias(std: float, rate: float) -> float:
    """E[mean of the observed values] − μ when x ~ N(μ, σ²) and each value above μ goes missing with probability 2r:
    E[x | observed] = (½ E[x | x < μ] + ½ (1 − 2r) E[x | x > μ]) / (1 − r) = μ − σ √(2/π) r / (1 − r)  (sympy)."""
    z, s, r = sympy.Symbol("z", real=True), sympy.Symbol("s", positive=True), sympy.Symbol("r", positive=True)
    phi = sympy.exp(-z**2 / 2) / sympy.sqrt(2 * sympy.pi)
    below = sympy.integrate(s * z * phi, (z, -sympy.oo, 0))  # E[(x − μ) 1[x < μ]]
    above = sympy.integrate(s * z * phi, (z, 0, sympy.oo))  # E[(x − μ) 1[x > μ]]
    bias = (below + (1 - 2 * r) * above) / (1 - r)
    return float(bias.subs({s: std, r: rate}))


@dataclass
class ImputationStudy:
    mean_bias: float  # mean of the imputed column − true mean
    variance_ratio: float  # variance after mean imputation / true variance
    missing_share: float


def mean_imputation_study(mechanism: str, std: float = 22.0, rate: float = 0.18, n: int = 20_000, seed: int = 0,
                          mean: float = 70.0) -> ImputationStudy:
    """x ~ N(mean, std²) and an observed covariate correlated with it (ρ = 0.6); hide values by `missing_mask`, fill
    them with the mean of the observed ones; compare with the complete column."""
    rng = np.random.default_rng(seed)
    x = rng.normal(mean, std, n)
    other = 0.6 * (x - mean) / std + 0.8 * rng.normal(0, 1, n)
    miss = missing_mask(x, mechanism, rate, other, rng)
    filled = np.where(miss, x[~miss].mean(), x)
    return ImputationStudy(float(filled.mean() - x.mean()), float(filled.var(ddof=1) / x.var(ddof=1)),
                           float(miss.mean()))


# --- the book's preprocessing and the log-RMSE ----------------------------------------------------------------------


def preprocess(train_df: pd.DataFrame, test_df: pd.DataFrame, standardize: bool = True
               ) -> tuple[Tensor, Tensor, Tensor, list[str]]:
    """The book's §4.10.4: stack train and test features (drop Id and SalePrice), standardise every numeric column
    x ← (x − mean) / std (optional here), fill missing numeric values with 0 (the mean after standardising), one-hot
    the categorical ones with an extra indicator for NA (get_dummies(dummy_na=True)). Returns float32 X_train,
    X_test, y_train (n, 1) prices, and the column names."""
    features = pd.concat((train_df.iloc[:, 1:-1], test_df.iloc[:, 1:]))
    numeric = features.select_dtypes(include="number").columns  # (pandas ≥ 3 stores text as "str", not object)
    if standardize:
        features[numeric] = features[numeric].apply(lambda x: (x - x.mean()) / x.std())
    features[numeric] = features[numeric].fillna(0)
    features = pd.get_dummies(features, dummy_na=True).astype(np.float32)  # bool columns → 0/1 floats
    n = len(train_df)
    X = torch.tensor(features.values, dtype=torch.float32)
    y = torch.tensor(train_df["SalePrice"].values, dtype=torch.float32).reshape(-1, 1)
    return X[:n], X[n:], y, list(features.columns)


def log_rmse(y_hat: Tensor, y: Tensor, log_target: bool = False) -> float:
    """√(mean (log ŷ − log y)²); raw predictions are clamped to [1, ∞) first (the book's log_rmse); with a log
    target the network's output already is log ŷ."""
    log_pred = y_hat if log_target else torch.log(torch.clamp(y_hat, 1, float("inf")))
    return float(torch.sqrt(((log_pred - torch.log(y)) ** 2).mean()))


# --- K-fold cross-validation ----------------------------------------------------------------------------------------


def k_fold_indices(n: int, k: int, i: int) -> tuple[Tensor, Tensor]:
    """The book's get_k_fold_data on indices: fold_size = ⌊n / k⌋, fold i = rows [i·fold_size, (i+1)·fold_size) is
    the validation set, the other k − 1 folds are the training set; the last n mod k rows are never used."""
    size = n // k
    idx = torch.arange(size * k)
    valid = (idx >= i * size) & (idx < (i + 1) * size)
    return idx[~valid], idx[valid]


@dataclass(frozen=True)
class HouseConfig:
    """One K-fold run. The book: k 5, epochs 100, lr 5, weight decay 0, batch 64, a linear net, the raw price as
    target; here 20 epochs on 1,000 generated rows by default."""

    k: int = 5
    epochs: int = 20
    lr: float = 5.0
    weight_decay: float = 0.0
    batch_size: int = 64
    hidden: tuple[int, ...] = ()
    dropout: float = 0.0
    standardize: bool = True
    log_target: bool = False
    n: int = 1000
    seed: int = 0
    dataset: str = "generated"


@dataclass
class KFoldResult:
    train_log_rmse: list[float]  # final, per fold
    valid_log_rmse: list[float]
    curves: list[dict[str, list[float]]] = field(default_factory=list)  # per fold: epoch, train, valid
    name: str = GENERATED

    @property
    def mean_valid(self) -> float:
        return float(np.mean(self.valid_log_rmse))

    @property
    def mean_train(self) -> float:
        return float(np.mean(self.train_log_rmse))


def house_net(n_features: int, config: HouseConfig, generator: torch.Generator) -> nn.Module:
    """The book's linear net (hidden = ()) or an MLP, torch's default initialisation, seeded."""
    return mlp_net(n_features, list(config.hidden), 1, activation="relu", dropout=config.dropout, init="default",
                   generator=generator)


def fit_fold(config: HouseConfig, X_train: Tensor, y_train: Tensor, X_valid: Tensor, y_valid: Tensor,
             generator: torch.Generator) -> dict[str, list[float]]:
    """Train with Adam on the MSE of the price (or of log price) with d2lcore.train; log-RMSE after every epoch."""
    net = house_net(X_train.shape[1], config, generator)
    target = torch.log(y_train) if config.log_target else y_train
    optimizer = torch.optim.Adam(net.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    curves: dict[str, list[float]] = {"epoch": [], "train": [], "valid": []}

    def record(epoch: int, _: History) -> None:
        net.eval()
        with torch.no_grad():
            curves["epoch"].append(epoch)
            curves["train"].append(log_rmse(net(X_train), y_train, config.log_target))
            curves["valid"].append(log_rmse(net(X_valid), y_valid, config.log_target))

    train(net, nn.MSELoss(reduction="none"), optimizer, load_array((X_train, target), config.batch_size, True,
          generator), epochs=config.epochs, task="regression", callback=record)
    return curves


def k_fold(config: HouseConfig, data: HouseData | None = None,
           progress: Callable[[int, int], None] | None = None) -> KFoldResult:
    """Average training and validation log-RMSE over the K folds of the training table (the book's k_fold)."""
    data = data or load_house_prices(n=config.n, seed=config.seed, dataset=config.dataset)
    X, _, y, _ = preprocess(data.train, data.test, config.standardize)
    g = torch.Generator().manual_seed(config.seed)
    result = KFoldResult([], [], name=data.name)
    for i in range(config.k):
        tr, va = k_fold_indices(len(X), config.k, i)
        curves = fit_fold(config, X[tr], y[tr], X[va], y[va], g)
        result.curves.append(curves)
        result.train_log_rmse.append(curves["train"][-1])
        result.valid_log_rmse.append(curves["valid"][-1] if math.isfinite(curves["valid"][-1]) else math.inf)
        if progress is not None:
            progress(i + 1, config.k)
    return result


def fit_and_predict(config: HouseConfig, data: HouseData) -> tuple[pd.DataFrame, float]:
    """The book's train_and_pred: train on every training row, predict the test table. Returns the submission
    (Id, SalePrice) and the final training log-RMSE."""
    X, X_test, y, _ = preprocess(data.train, data.test, config.standardize)
    g = torch.Generator().manual_seed(config.seed)
    net = house_net(X.shape[1], config, g)
    target = torch.log(y) if config.log_target else y
    optimizer = torch.optim.Adam(net.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    train(net, nn.MSELoss(reduction="none"), optimizer, load_array((X, target), config.batch_size, True, g),
          epochs=config.epochs, task="regression")
    net.eval()
    with torch.no_grad():
        out = net(X_test).reshape(-1)
        fit = log_rmse(net(X), y, config.log_target)
    price = out.exp() if config.log_target else out
    return pd.DataFrame({"Id": data.test["Id"].values, "SalePrice": price.numpy()}), fit
