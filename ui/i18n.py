"""Language: the current language lives in session state and in the URL (`?lang=zh`); texts live in strings.toml."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import cache
from pathlib import Path

import streamlit as st

from exercises.schema import LANGS

STRINGS_DIR = Path(__file__).parent / "strings"  # app.toml for the chrome, one file per chapter for its widgets
LANG_NAMES = {"en": "English", "zh": "中文"}


@cache
def strings() -> dict[str, dict[str, str]]:
    """Every UI text, from all ui/strings/*.toml; a key defined twice or missing a language is an error."""
    table: dict[str, dict[str, str]] = {}
    for path in sorted(STRINGS_DIR.glob("*.toml")):
        for key, text in tomllib.loads(path.read_text(encoding="utf-8")).items():
            missing = [lang for lang in LANGS if not isinstance(text, dict) or not text.get(lang)]
            if missing:
                raise ValueError(f"ui/strings/{path.name}: '{key}' has no {missing} text")
            if key in table:
                raise ValueError(f"ui/strings/{path.name}: '{key}' is already defined in another strings file")
            table[key] = text
    return table


def lang() -> str:
    value = st.session_state.get("lang")
    return value if value in LANGS else "en"


def t(key: str, **values: object) -> str:
    """The UI text `key` in the current language, with `{placeholders}` filled in."""
    text = strings()[key][lang()]
    return text.format(**values) if values else text


def pick(text: dict[str, str]) -> str:
    """The current language's entry of an {"en": …, "zh": …} text."""
    return text[lang()]


def _language_changed() -> None:
    st.session_state["lang"] = st.session_state["lang_switch"]
    st.query_params["lang"] = st.session_state["lang"]


def sync_language() -> str:
    """Take the language from the URL's `lang=` (deep links, the back button), else keep the session's."""
    from_url = st.query_params.get("lang")
    if from_url in LANGS:
        st.session_state["lang"] = from_url
    elif st.session_state.get("lang") not in LANGS:
        st.session_state["lang"] = "en"
    st.session_state["lang_switch"] = st.session_state["lang"]  # the switch shows the language in force
    return st.session_state["lang"]


def keep_language_in_url() -> None:
    """Write `lang=` back into the URL; call it after st.navigation, which drops query params on a page switch."""
    if st.query_params.get("lang") != st.session_state["lang"]:
        st.query_params["lang"] = st.session_state["lang"]


def language_switch() -> None:
    """The 中文 / English switch; changing it rewrites `lang=` in the URL before the page reruns."""
    st.radio(
        "Language · 语言",
        options=list(LANGS),
        format_func=LANG_NAMES.__getitem__,
        key="lang_switch",
        horizontal=True,
        on_change=_language_changed,
    )


def translated(prefix: str) -> Callable[[str], str]:
    """A format_func for options labelled by the strings `prefix + option`, bound to the language of this run.

    Binding the language (instead of calling t() later) keeps the labels consistent when Streamlit formats the
    options again outside the script run.
    """
    language = lang()
    return lambda option: strings()[f"{prefix}{option}"][language]
