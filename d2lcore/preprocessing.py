"""Chapter 2.2 (数据预处理 data preprocessing): from a raw table with gaps and text to a float tensor.

The pipeline of the section, one pure function per step (pandas ≥ 2 semantics; checked on pandas 3):
  read_table → drop_most_missing_column (on the RAW table) → split_inputs_outputs → impute_numeric_mean
  → one_hot (NaN as its own category) → to_tensor (float64).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import torch
from torch import Tensor

HOUSE_TINY_CSV = "NumRooms,Alley,Price\nNA,Pave,127500\n2,NA,106000\n4,NA,178100\nNA,NA,140000\n"
TARGET = "Price"


def read_table(csv_text: str) -> pd.DataFrame:
    """Parse CSV text; the string NA (and an empty cell) becomes a missing value NaN."""
    return pd.read_csv(io.StringIO(csv_text))


def house_table(seed: int = 0, rows: int | None = None) -> str:
    """CSV of a small house table: seed 0 is the section's four houses; other seeds draw 6–10 houses.

    NumRooms ~ U{1..6} and Alley ∈ {Pave, Grvl} are each missing with probability 0.2–0.7; Price has no gaps.
    Redraws until the two input columns differ in their number of gaps, so 'the most-missing column' is unique.
    """
    if seed == 0:
        return HOUSE_TINY_CSV
    rng = np.random.default_rng(seed)
    n = int(rows if rows is not None else rng.integers(6, 11))
    while True:
        rooms = rng.integers(1, 7, n).astype(float)
        alley = rng.choice(["Pave", "Grvl"], n).astype(object)
        rooms[rng.random(n) < rng.uniform(0.2, 0.7)] = np.nan
        alley[rng.random(n) < rng.uniform(0.2, 0.7)] = None
        gaps_rooms, gaps_alley = int(np.isnan(rooms).sum()), int(sum(a is None for a in alley))
        if gaps_rooms != gaps_alley and min(gaps_rooms, gaps_alley) > 0 and max(gaps_rooms, gaps_alley) < n:
            break
    price = 60_000 + 25_000 * np.nan_to_num(rooms, nan=3.0) + rng.integers(0, 40, n) * 1_000
    lines = ["NumRooms,Alley,Price"]
    for r, a, p in zip(rooms, alley, price, strict=True):
        lines.append(f"{'NA' if np.isnan(r) else int(r)},{a or 'NA'},{int(p)}")
    return "\n".join(lines) + "\n"


def missing_counts(df: pd.DataFrame) -> pd.Series:
    """m_j = Σ_i [x_ij is missing], per column."""
    return df.isna().sum(axis=0)


def most_missing_column(df: pd.DataFrame, exclude: tuple[str, ...] = (TARGET,)) -> str:
    """argmax_j m_j over the columns not in `exclude` (ties: the leftmost, like Series.idxmax)."""
    counts = missing_counts(df.drop(columns=[c for c in exclude if c in df.columns]))
    return str(counts.idxmax())


def drop_most_missing_column(df: pd.DataFrame, exclude: tuple[str, ...] = (TARGET,)) -> tuple[pd.DataFrame, str]:
    """Delete the column with the most gaps; returns (table without it, its name).

    Apply it to the RAW table: after imputation and one-hot encoding no gaps are left, every m_j = 0 and idxmax
    silently returns the first column instead.
    """
    name = most_missing_column(df, exclude)
    return df.drop(columns=[name]), name


def split_inputs_outputs(df: pd.DataFrame, target: str = TARGET) -> tuple[pd.DataFrame, pd.Series]:
    """inputs = every column but the target, outputs = the target column."""
    return df.drop(columns=[target]), df[target]


def drop_unlabelled(df: pd.DataFrame, target: str = TARGET) -> pd.DataFrame:
    """Keep the rows whose target is known: a missing label cannot be imputed into a training signal."""
    return df.dropna(subset=[target])


def plain_mean_error(df: pd.DataFrame) -> str | None:
    """What df.mean() (without numeric_only) does: None if it works, else '<ErrorType>: message'."""
    try:
        df.mean()
    except (TypeError, ValueError) as err:
        return f"{type(err).__name__}: {err}"
    return None


def impute_numeric_mean(df: pd.DataFrame) -> pd.DataFrame:
    """x_ij ← mean_i' x_i'j for each missing entry of a numeric column j; text columns are left as they are.

    Plain df.mean() raises TypeError on pandas ≥ 2 when a column holds strings, hence numeric_only=True.
    A numeric column with no value at all has no mean and stays NaN.
    """
    return df.fillna(df.mean(numeric_only=True))


def one_hot(df: pd.DataFrame) -> pd.DataFrame:
    """Replace each text column c by indicator columns c_v = [x_c = v], one per value v plus c_nan = [x_c missing].

    On pandas ≥ 2 the indicators are bool columns (not 0/1 integers).
    """
    return pd.get_dummies(df, dummy_na=True)


def to_tensor(data: pd.DataFrame | pd.Series) -> Tensor:
    """Numbers (bools as 0/1) → a float64 tensor: torch.tensor(data.to_numpy(dtype=float)).

    torch.tensor keeps NumPy's float64; it does not switch to torch's default float32.
    """
    return torch.tensor(data.to_numpy(dtype=float))


def naive_to_tensor_error(data: pd.DataFrame | pd.Series) -> str | None:
    """What torch.tensor(data.values) does: None if it works, else '<ErrorType>: message'.

    A frame mixing float and bool columns has an object-dtype .values, which torch.tensor rejects.
    """
    try:
        torch.tensor(data.values)
    except (TypeError, ValueError, RuntimeError) as err:
        return f"{type(err).__name__}: {err}"
    return None


def preprocess(raw: pd.DataFrame, target: str = TARGET) -> tuple[pd.DataFrame, pd.Series]:
    """The section's pipeline without dropping: split off the target, impute numeric means, one-hot the rest."""
    inputs, outputs = split_inputs_outputs(raw, target)
    return one_hot(impute_numeric_mean(inputs)), outputs
