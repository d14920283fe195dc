"""Exercise widgets, one module per chapter. A widget is `fn(key: str, initial: dict) -> dict`:

it draws its controls (widget keys prefixed with `key`), starts from `initial` (values from a shared link), reruns
the model with the learner's values, and returns those values so the card can put them into a share link.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

Widget = Callable[[str, dict[str, Any]], dict[str, Any]]


def resolve(spec: str) -> Widget:
    """'ui.widgets.ch01:learned_threshold' → the function."""
    module_name, _, fn_name = spec.partition(":")
    return getattr(importlib.import_module(module_name), fn_name)


def initial_value(initial: dict[str, Any], name: str, default: Any, low: Any = None, high: Any = None) -> Any:
    """A value from a shared link if it has the right type and lies in [low, high]; otherwise the default."""
    value = initial.get(name, default)
    if isinstance(default, int) and isinstance(value, float) and value.is_integer():
        value = int(value)
    if type(value) is not type(default) and not (isinstance(default, float) and isinstance(value, int)):
        return default
    if (low is not None and value < low) or (high is not None and value > high):
        return default
    return type(default)(value)


def dataset_source(name: str) -> str:
    """Where an image data set of d2lcore.data came from, in the current language."""
    from d2lcore import data
    from ui.i18n import t

    return t("data_source_fashion") if name == data.FASHION_MNIST else t("data_source_digits")
