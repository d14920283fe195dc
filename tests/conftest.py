"""Test-wide settings: hypothesis runs a fixed, reproducible set of examples in CI; every Altair chart a test builds
or a page renders is validated against the Vega-Lite schema (the served app skips that check, see ui/charts.py)."""

import os

os.environ["D2L_VALIDATE_CHARTS"] = "1"  # before anything imports ui.charts

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
