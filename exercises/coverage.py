"""Coverage per chapter, read from the outline and the registry (never from a hand-kept list)."""

from __future__ import annotations

from dataclasses import dataclass

from exercises import outline, registry


@dataclass(frozen=True)
class ChapterCoverage:
    chapter: int
    catalogued: int
    live: int
    with_widget: int
    machine_verified: int
    conceptual: int

    @property
    def done(self) -> bool:
        return self.catalogued > 0 and self.live == self.catalogued


def coverage() -> list[ChapterCoverage]:
    rows = []
    for ch in outline.chapters():
        live = [ex for ex in registry.all() if ex.chapter == ch.number]
        rows.append(
            ChapterCoverage(
                chapter=ch.number,
                catalogued=len(ch.exercise_ids),
                live=len(live),
                with_widget=sum(ex.widget is not None for ex in live),
                machine_verified=sum(not ex.is_conceptual for ex in live),
                conceptual=sum(ex.is_conceptual for ex in live),
            )
        )
    return rows


def format_table(rows: list[ChapterCoverage]) -> str:
    head = ("chapter", "catalogued", "live", "with widget", "machine-verified", "conceptual")
    lines = [" | ".join(head)]
    for r in rows:
        cells = (r.chapter, r.catalogued, r.live, r.with_widget, r.machine_verified, r.conceptual)
        lines.append(" | ".join(str(c).rjust(len(h)) for c, h in zip(cells, head, strict=True)))
    total = [sum(getattr(r, a) for r in rows) for a in ("catalogued", "live", "with_widget", "machine_verified",
                                                         "conceptual")]
    lines.append(" | ".join(str(c).rjust(len(h)) for c, h in zip(("all", *total), head, strict=True)))
    return "\n".join(lines)
