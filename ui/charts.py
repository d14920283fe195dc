"""Altair as the widgets use it: `from ui.charts import alt`.

Altair 6.3 builds, on every `SchemaBase.from_dict` call, a table that maps the JSON of each wrapper class's schema to
the class (`_FromDict.__init__` hashes a few hundred schemas with `json.dumps`). Every string shorthand in
`.encode(x="x:Q", …)` makes such a call, so a chart with a dozen encodings spent most of its build time rebuilding the
same table: about 10 ms of a 20 ms contour chart, and most of the Altair time of a chapter page's first render
(measured with py-spy on the real server). The table depends only on the classes, whose schemas are fixed for the
pinned Altair, so it is built once per set of classes here. The charts are unchanged (tests compare `to_dict()` with
and without the cache).

Altair also validates every chart's spec against the Vega-Lite JSON schema when Streamlit serialises it (jsonschema,
about 15 ms per layered chart: a third of a contour widget's rerun, and of the server time of a chapter page's first
render). Validation only checks, it never changes the spec. The charts are fixed code, so the test suite validates
every one of them (it sets D2L_VALIDATE_CHARTS=1, and every widget is run by the page tests) and the served app skips
the check.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import altair as alt
from altair.utils import schemapi

_original_init = schemapi._FromDict.__init__


class _Table(dict):
    """The class table, shared read-only between sessions: a missing schema hash reads as no classes without
    inserting a key (Altair's own table is a defaultdict, which would grow on every miss)."""

    def __missing__(self, key: int) -> list:
        return []


_tables: dict[tuple[type, ...], _Table] = {}


def _cached_init(self, wrapper_classes: Iterable[type], /) -> None:
    """`_FromDict.__init__` with its class table built once per tuple of wrapper classes."""
    classes = tuple(wrapper_classes)
    table = _tables.get(classes)
    if table is None:
        _original_init(self, classes)
        table = _tables.setdefault(classes, _Table(self.class_dict))
    self.class_dict = table


def schema_table_cached() -> bool:
    return schemapi._FromDict.__init__ is _cached_init


schemapi._FromDict.__init__ = _cached_init

VALIDATE = os.environ.get("D2L_VALIDATE_CHARTS") == "1"
_original_to_dict = alt.TopLevelMixin.to_dict


def _to_dict(self, validate: bool = True, **kwargs):
    """`TopLevelMixin.to_dict` with schema validation only where D2L_VALIDATE_CHARTS=1 (the test suite)."""
    return _original_to_dict(self, validate=validate and VALIDATE, **kwargs)


alt.TopLevelMixin.to_dict = _to_dict

__all__ = ["VALIDATE", "alt", "schema_table_cached"]
