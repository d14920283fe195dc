"""Shareable links: `/exercise?id=2.6.2&lang=zh&seed=3&p=n:200,gap:1.5` reproduces what the sender saw.

`p` carries widget values as `name:value` pairs; decoding never evaluates anything: a value is an int, a float, or
a short plain word, and anything else is dropped.
"""

from __future__ import annotations

import math
import re
from urllib.parse import urlencode, urlsplit

P_MAX_CHARS = 500
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,30}$")
_WORD = re.compile(r"^[A-Za-z0-9._-]{1,40}$")


def encode_params(params: dict[str, int | float | str | bool]) -> str:
    items = []
    for key, value in params.items():
        if isinstance(value, bool):
            value = int(value)
        if isinstance(value, float):
            value = f"{value:.6g}"
        items.append(f"{key}:{value}")
    return ",".join(items)


def decode_params(text: str | None) -> dict[str, int | float | str]:
    out: dict[str, int | float | str] = {}
    if not text or len(text) > P_MAX_CHARS:
        return out
    for item in text.split(","):
        key, sep, raw = item.partition(":")
        if not sep or not _KEY.match(key) or not _WORD.match(raw):
            continue
        try:
            out[key] = int(raw)
            continue
        except ValueError:
            pass
        try:
            value = float(raw)
        except ValueError:
            out[key] = raw
            continue
        if math.isfinite(value):
            out[key] = value
    return out


def parse_seed(text: str | None) -> int:
    """A seed from the URL: a whole number in [0, 2³¹); anything else is the book's own numbers, seed 0."""
    if text is None or not re.fullmatch(r"\d{1,10}", text.strip()):
        return 0
    value = int(text)
    return value if value < 2**31 else 0


def app_base(page_url: str | None, page_path: str) -> str:
    """The app's root URL, from the current page's full URL and that page's url_path ('' for home)."""
    if not page_url:
        return "http://localhost:8501"
    parts = urlsplit(page_url)
    path = parts.path.rstrip("/")
    if page_path and path.endswith("/" + page_path):
        path = path[: -len(page_path) - 1]
    return f"{parts.scheme}://{parts.netloc}{path}"


def exercise_link(base: str, exercise_id: str, lang: str, seed: int = 0, params: dict | None = None) -> str:
    query: dict[str, str] = {"id": exercise_id, "lang": lang}
    if seed:
        query["seed"] = str(seed)
    if params:
        query["p"] = encode_params(params)
    return f"{base.rstrip('/')}/exercise?{urlencode(query, safe=':,')}"
