"""The book's outline: chapters, sections and every catalogued exercise id (zh-v2 numbering).

The outline knows which exercises exist in the book; the registry knows which of them are live in the app.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from exercises.schema import Text, id_sort_key

OUTLINE_PATH = Path(__file__).parent / "data" / "outline.json"


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    verify: str
    cpu_cost: str


@dataclass(frozen=True)
class Section:
    id: str  # "2.6"
    title: Text
    exercises: tuple[CatalogEntry, ...]

    @property
    def chapter(self) -> int:
        return int(self.id.split(".")[0])


@dataclass(frozen=True)
class Chapter:
    number: int
    title: Text
    sections: tuple[Section, ...]

    @property
    def exercise_ids(self) -> list[str]:
        return [e.id for s in self.sections for e in s.exercises]


@cache
def chapters() -> tuple[Chapter, ...]:
    raw = json.loads(OUTLINE_PATH.read_text(encoding="utf-8"))
    return tuple(
        Chapter(
            number=c["number"],
            title=c["title"],
            sections=tuple(
                Section(s["id"], s["title"], tuple(CatalogEntry(**e) for e in s["exercises"])) for s in c["sections"]
            ),
        )
        for c in raw["chapters"]
    )


def chapter(number: int) -> Chapter:
    for c in chapters():
        if c.number == number:
            return c
    raise KeyError(f"chapter {number} is not in the book (chapters 1–{len(chapters())})")


@cache
def sections() -> dict[str, Section]:
    return {s.id: s for c in chapters() for s in c.sections}


@cache
def catalog() -> dict[str, CatalogEntry]:
    """Every exercise id of the book, in book order."""
    entries = [e for c in chapters() for s in c.sections for e in s.exercises]
    return {e.id: e for e in sorted(entries, key=lambda e: id_sort_key(e.id))}
