"""Section 2.2 (数据预处理 data preprocessing): drop the most-missing column (2.2.1), convert to tensors (2.2.2)."""

from __future__ import annotations

import pandas as pd

from d2lcore import preprocessing as pp
from solutions import Solution, explain, solver, variant


def markdown_table(series: pd.Series, header: tuple[str, str]) -> str:
    rows = [f"| {header[0]} | {header[1]} |", "|---|---|"]
    rows += [f"| `{name}` | {value} |" for name, value in series.items()]
    return "\n".join(rows)


@variant("2.2.1")
def variant_2_2_1(seed: int) -> dict:
    """Seed 0: the section's four houses; other seeds: 6–10 houses with random gaps (d2lcore.preprocessing)."""
    return {"csv": pp.house_table(seed).strip()}


@solver("2.2.1")
def solve_2_2_1(seed: int = 0, csv: str = pp.HOUSE_TINY_CSV) -> Solution:
    """Drop on the raw table, then preprocess; for contrast, also the late drop (after fillna / get_dummies)."""
    raw = pp.read_table(csv)
    kept, column = pp.drop_most_missing_column(raw)
    inputs, _ = pp.preprocess(kept)
    shape = tuple(pp.to_tensor(inputs).shape)
    late_inputs, _ = pp.preprocess(raw)
    late_kept, late_drop = pp.drop_most_missing_column(late_inputs)
    values = {
        "counts": markdown_table(pp.missing_counts(raw), ("column", "NaN")),
        "column": column, "shape": shape, "columns": ", ".join(f"`{c}`" for c in inputs.columns),
        "lateDrop": late_drop, "lateShape": tuple(pp.to_tensor(late_kept).shape),
        "share": f"{pp.missing_counts(raw)[column] / len(raw):.0%}",
    }
    return Solution(answer={"column": column, "shape": shape}, explanation=explain("2.2.1", **values))


@variant("2.2.2")
def variant_2_2_2(seed: int) -> dict:
    """The same tables as 2.2.1: seed 0 is the section's data."""
    return {"csv": pp.house_table(seed).strip()}


def naive_outcome(inputs: pd.DataFrame) -> str:
    """What torch.tensor(inputs.values) does, as a choice value: 'typeerror' or the dtype it produces."""
    error = pp.naive_to_tensor_error(inputs)
    if error is None:
        import torch

        return str(torch.tensor(inputs.values).dtype).removeprefix("torch.")
    return error.split(":", 1)[0].lower()


@solver("2.2.2")
def solve_2_2_2(seed: int = 0, csv: str = pp.HOUSE_TINY_CSV) -> Solution:
    """Preprocess, convert with to_numpy(dtype=float); record what the naive .values conversion does."""
    inputs, outputs = pp.preprocess(pp.read_table(csv))
    X, y = pp.to_tensor(inputs), pp.to_tensor(outputs)
    answer = {"xshape": tuple(X.shape), "xdtype": str(X.dtype).removeprefix("torch."), "yshape": tuple(y.shape),
              "naive": naive_outcome(inputs)}
    values = {
        **answer, "columns": ", ".join(f"`{c}`" for c in inputs.columns),
        "dtypes": markdown_table(inputs.dtypes.astype(str), ("column", "dtype")),
        "naiveError": pp.naive_to_tensor_error(inputs) or "(no error)", "X": str(X),
    }
    return Solution(answer=answer, explanation=explain("2.2.2", **values))
