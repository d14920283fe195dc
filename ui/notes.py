"""Section notes: Markdown per language in notes/<lang>/<section>.md."""

from __future__ import annotations

from pathlib import Path

NOTES_DIR = Path(__file__).resolve().parent.parent / "notes"


def note_path(section: str, lang: str) -> Path:
    return NOTES_DIR / lang / f"{section}.md"


def read_note(section: str, lang: str) -> str | None:
    path = note_path(section, lang)
    return path.read_text(encoding="utf-8") if path.exists() else None
