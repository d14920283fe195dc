"""The registry of live exercises: `registry.get(id)`, `registry.all()` (book order), `registry.search(text)`.

Every `data/<section>.toml` file is loaded and validated at import; a bad entry stops the import with an
`ExerciseDataError` that names the file and the entry.
"""

from __future__ import annotations

import builtins
import difflib
import tomllib
from pathlib import Path

from exercises import outline
from exercises.schema import LANGS, Exercise, ExerciseDataError, id_sort_key, parse_exercise

DATA_DIR = Path(__file__).parent / "data"


def load_dir(data_dir: Path, catalog: dict | None = None) -> dict[str, Exercise]:
    """Read every `<section>.toml` in `data_dir`; ids must be unique and catalogued in the book's outline."""
    catalog = outline.catalog() if catalog is None else catalog
    found: dict[str, Exercise] = {}
    for path in sorted(data_dir.glob("*.toml")):
        section = path.stem
        if section not in outline.sections():
            raise ExerciseDataError(f"{path.name}: '{section}' is not a section of the book")
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise ExerciseDataError(f"{path.name}: not valid TOML: {err}") from err
        if set(raw) - {"exercise"}:
            raise ExerciseDataError(f"{path.name}: unknown top-level keys {sorted(set(raw) - {'exercise'})}")
        for i, entry in enumerate(raw.get("exercise", [])):
            ex = parse_exercise(entry, section, f"{path.name}: exercise #{i + 1}")
            if ex.id in found:
                raise ExerciseDataError(f"{path.name}: exercise #{i + 1}: id '{ex.id}' is defined twice")
            if ex.id not in catalog:
                raise ExerciseDataError(f"{path.name}: exercise #{i + 1}: id '{ex.id}' is not an exercise of the book")
            found[ex.id] = ex
    return dict(sorted(found.items(), key=lambda kv: id_sort_key(kv[0])))


_EXERCISES = load_dir(DATA_DIR)


def all() -> list[Exercise]:  # noqa: A001 - the contract names it registry.all()
    """All live exercises in book order."""
    return list(_EXERCISES.values())


def close_matches(exercise_id: str, n: int = 5) -> list[str]:
    """Ids that look like `exercise_id` (live or catalogued), best first."""
    candidates = list(dict.fromkeys([*_EXERCISES, *outline.catalog()]))
    return difflib.get_close_matches(str(exercise_id).strip(), candidates, n=n, cutoff=0.5)


def get(exercise_id: str) -> Exercise:
    """The live exercise with this id; KeyError with a message that says why not and what is close."""
    key = str(exercise_id).strip()
    if key in _EXERCISES:
        return _EXERCISES[key]
    if key in outline.catalog():
        raise KeyError(f"exercise {key} is in the book but not available in the app yet")
    near = close_matches(key)
    hint = f"; did you mean {', '.join(near)}?" if near else ""
    raise KeyError(f"no exercise with id {key!r}{hint}")


def search(query: str, limit: int = 50) -> list[Exercise]:
    """Live exercises whose id, title or prompt (either language) contains every word of `query`."""
    words = query.lower().split()
    if not words:
        return []
    hits = []
    for ex in _EXERCISES.values():
        haystack = " ".join([ex.id, *(ex.title[lang] + " " + ex.prompt[lang] for lang in LANGS)]).lower()
        if builtins.all(w in haystack for w in words):  # `all` is this module's own function
            hits.append(ex)
    # an exact id or id prefix ranks first, then book order
    hits.sort(key=lambda ex: (not ex.id.startswith(words[0]), id_sort_key(ex.id)))
    return hits[:limit]
