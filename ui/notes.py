"""Section notes: Markdown per language in notes/<lang>/<section>.md."""

from __future__ import annotations

from pathlib import Path

NOTES_DIR = Path(__file__).resolve().parent.parent / "notes"


def note_path(section: str, lang: str) -> Path:
    return NOTES_DIR / lang / f"{section}.md"


def read_note(section: str, lang: str) -> str | None:
    """The note's Markdown without its own top heading (the chapter page draws the section heading)."""
    path = note_path(section, lang)
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8").lstrip()
    if text.startswith("#"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
    return text.strip()
