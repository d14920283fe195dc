"""Fill `{{name}}` placeholders in exercise texts; single braces stay, so LaTeX such as \\frac{a}{b} is safe."""

from __future__ import annotations

import re
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}")


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def fill(text: str, values: dict[str, Any]) -> str:
    """Replace each `{{name}}` by `values[name]`; a name without a value is left visible as `{{name}}`."""
    return PLACEHOLDER.sub(lambda m: _show(values[m[1]]) if m[1] in values else m[0], text)


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)
