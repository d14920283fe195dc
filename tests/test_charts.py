"""ui.charts: Altair with its schema table built once gives the same charts as plain Altair; schema validation is on
in the test suite and off in the served app."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from altair.utils import schemapi

from d2lcore.optim import objectives
from ui import charts
from ui.charts import alt
from ui.widgets.optim_plot import contour_chart, curve_chart, loss_chart

UI = Path(__file__).resolve().parents[1] / "ui"
FRAME = pd.DataFrame({"x": np.arange(5.0), "y": np.arange(5.0) ** 2, "g": list("aabbc")})


def _contour():
    paths = {"gd": torch.linspace(-2, 2, 40, dtype=torch.float64).reshape(20, 2)}
    return contour_chart(objectives.quadratic(10.0, 30.0), paths)


def _curve():
    return curve_chart(objectives.xcos(0.5), {"gd": np.linspace(-1, 1, 9)})


def _shorthands():
    base = alt.Chart(FRAME).encode(x="x:Q", y=alt.Y("y:Q", scale=alt.Scale(type="log")), color="g:N",
                                   tooltip=["x:Q", alt.Tooltip("y:Q", format=".3f"), "g"])
    return alt.layer(base.mark_line(point=True), base.mark_rule().encode(x2="y:Q")).properties(height=200)


CHARTS = [_contour, _curve, lambda: loss_chart({"a": [3.0, 2.0, 1.0], "b": [1.0, 0.5]}, log=True), _shorthands]


@pytest.mark.parametrize("build", CHARTS, ids=["contour", "curve", "loss", "shorthands"])
def test_chart_is_the_same_with_and_without_the_schema_table_cache(build, monkeypatch):
    cached = build().to_dict()
    monkeypatch.setattr(schemapi._FromDict, "__init__", charts._original_init)
    assert build().to_dict() == cached


def test_the_cache_is_installed_and_shares_one_read_only_table():
    assert charts.schema_table_cached()
    _shorthands().to_dict()
    table = next(iter(charts._tables.values()))
    size = len(table)
    assert table[-1] == [] and len(table) == size  # a miss reads as "no classes" and inserts nothing


def test_every_ui_module_takes_altair_from_ui_charts():
    """Importing altair directly would build charts before the cache is installed."""
    direct = []
    for path in UI.rglob("*.py"):
        if path.name == "charts.py" and path.parent == UI:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if "altair" in names or (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("altair")):
                direct.append(str(path.relative_to(UI)))
    assert direct == []


INVALID = ("from ui.charts import alt\n"
           "chart = alt.Chart({'values': [{'x': 1}]}).mark_point().encode(x='x:Q')\n"
           "chart.width = 'wide'\n")  # set as an attribute: not checked until the spec is validated


@pytest.mark.parametrize(("env", "raises"), [({"D2L_VALIDATE_CHARTS": "1"}, True), ({}, False)])
def test_an_invalid_chart_is_caught_only_where_validation_is_on(env, raises):
    """A fresh interpreter per setting (the flag is read at import): width='wide' breaks the Vega-Lite schema."""
    code = INVALID + "chart.to_dict()\nprint('built')"
    clean = {k: v for k, v in os.environ.items() if k != "D2L_VALIDATE_CHARTS"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=UI.parent, env={**clean, **env})
    assert ("ValidationError" in out.stderr) == raises and ("built" in out.stdout) != raises, out.stderr[-800:]


def test_the_suite_validates_every_chart():
    assert charts.VALIDATE
