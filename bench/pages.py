"""Script time of every demo interaction, and what running demos as fragments saves.

Each exercise widget and each section demo runs alone in a headless Streamlit session (AppTest), which is what a
fragment rerun executes when a learner moves one of its controls. Every slider, select-slider, number input,
selectbox, radio, multiselect, checkbox and toggle is moved in turn and the demo's own script time is recorded
(perf_counter inside the script, after a warm-up run). The reference is a full rerun of the chapter page, which is
what every interaction would cost without fragments. Also per demo: its first run with its default settings with every
cache cleared before it (for a demo that trains, the wait of the first learner who opens it on a fresh server; the
modules it is the first to import are included).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import streamlit as st
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from exercises import outline, registry

ROOT = Path(__file__).resolve().parents[1]
WIDGETS = ROOT / "ui" / "widgets"


def _demo_script(spec: str, key: str, section_demo: bool, lang: str) -> None:
    import time

    import streamlit as st

    from ui.widgets import resolve

    st.session_state["lang"] = lang
    start = time.perf_counter()
    fn = resolve(spec)
    if section_demo:
        fn(key)
    else:
        fn(key, {})
    st.session_state["script_ms"] = (time.perf_counter() - start) * 1000
    from ui.shell import freeze_imported_modules

    freeze_imported_modules()  # as app.py does after every run


def _moves(at: AppTest) -> list[tuple[str, str]]:
    """(kind, key) of every control that the bench knows how to move."""
    kinds = ("slider", "select_slider", "number_input", "selectbox", "radio", "multiselect", "checkbox", "toggle")
    return [(kind, w.key) for kind in kinds for w in getattr(at, kind) if w.key]


def _send_options(w, labels: list[str]) -> None:
    """Choose options of a radio, select-slider or multiselect by their labels, as the browser does: its widget state
    carries the option labels (AppTest's own set_value needs the Python value behind a label, which the element tree
    does not hold). Applies to this element until the next run rebuilds the tree."""
    state = WidgetState(id=w.id)
    if w.type == "radio":
        state.string_value = labels[0]
    else:
        state.string_array_value.data[:] = labels
    w.__class__ = type(f"Moved{type(w).__name__}", (type(w),), {"_widget_state": property(lambda self: state)})


def _label(w) -> str:
    return str(w.format_func(w.value))


def _move(at: AppTest, kind: str, key: str) -> bool:
    """Move one control to another value; False when it cannot be moved."""
    w = getattr(at, kind)(key=key)
    if getattr(w.proto, "disabled", False):  # a learner cannot move it either
        return False
    if kind == "slider":
        lo, hi = w.proto.min, w.proto.max
        if not isinstance(w.value, (int, float)) or lo == hi:
            return False
        w.set_value(type(w.value)(hi if w.value != hi else lo))
    elif kind == "select_slider":  # like a slider: to the last option, or from it to the first
        if len(w.options) < 2 or isinstance(w.value, (list, tuple)):
            return False
        _send_options(w, [w.options[0] if _label(w) == w.options[-1] else w.options[-1]])
    elif kind == "radio":
        if len(w.options) < 2:
            return False
        _send_options(w, [w.options[((w.index or 0) + 1) % len(w.options)]])
    elif kind == "multiselect":  # drop the last choice, or add the first option not chosen
        chosen = list(w.values)
        rest = [o for o in w.options if o not in chosen]
        if len(chosen) > 1 or not rest:
            chosen = chosen[:-1]
        else:
            chosen.append(rest[0])
        _send_options(w, chosen)
    elif kind == "number_input":
        w.increment()
    elif kind == "selectbox":
        if len(w.options) < 2:
            return False
        w.select_index(((w.index or 0) + 1) % len(w.options))
    else:
        w.set_value(not w.value)
    return True


def _demo_times(spec: str, key: str, section_demo: bool, lang: str = "en") -> tuple[float, list[float]]:
    """Script time of the demo's first run with its defaults, every cache of the process cleared before it (what the
    first learner to open it waits on a fresh server, module imports aside), then after each single control move
    (and one rerun with nothing changed)."""
    st.cache_data.clear()  # nothing computed by an earlier demo (a shared data set, the same default run) is reused
    st.cache_resource.clear()
    at = AppTest.from_function(_demo_script, kwargs={"spec": spec, "key": key, "section_demo": section_demo,
                                                     "lang": lang}, default_timeout=120)
    at.run()
    first = at.session_state["script_ms"]
    at.run()  # warm-up: the rerun with nothing changed after the first
    times = []
    for kind, control in _moves(at):
        try:
            moved = _move(at, kind, control)
        except KeyError:  # the control went away after an earlier move
            continue
        if not moved:
            continue
        at.run()
        if at.exception:
            raise RuntimeError(f"{spec}: {at.exception[0].message}")
        times.append(at.session_state["script_ms"])
    at.run()
    times.append(at.session_state["script_ms"])
    return first, times


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[18] if len(times) > 1 else times[0]


def trains(name: str) -> bool:
    """Whether a demo trains models (the exercise's `trains` flag; DEMO_TRAINS in a section demo's module): those are
    held to finishing in seconds with progress shown, the analytic ones to 100 ms."""
    if name.startswith("demo "):
        import importlib

        return getattr(importlib.import_module("ui.widgets.sec" + name[5:].replace(".", "_")), "DEMO_TRAINS", False)
    return registry.get(name).trains


def demos() -> Iterator[tuple[str, str, str, bool]]:
    for ex in registry.all():
        if ex.widget:
            yield ex.id, ex.widget, f"w-{ex.id}", False
    for ch in outline.chapters():
        for s in ch.sections:
            module = "sec" + s.id.replace(".", "_")
            if (WIDGETS / f"{module}.py").exists():
                text = (WIDGETS / f"{module}.py").read_text(encoding="utf-8")
                if "def section_demo(" in text:
                    yield f"demo {s.id}", f"ui.widgets.{module}:section_demo", f"demo-{s.id}", True


def _page_rerun_ms(page: str, repeats: int = 3) -> float:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    at.switch_page(page).run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run(chapters: set[int] | None = None) -> Iterator[str]:
    """Every widget and section demo (of `chapters`, default all built ones)."""
    import torch

    torch.set_num_threads(1)  # as the served app runs them (app.py sets OMP_NUM_THREADS=1: one thread per session)
    per_chapter: dict[int, list[float]] = {}
    slow: dict[bool, list[str]] = {True: [], False: []}  # trains → names over 100 ms at p95
    firsts: dict[bool, list[tuple[float, str]]] = {True: [], False: []}  # trains → (first run ms, name)
    for name, spec, key, is_demo in demos():
        if chapters and int(name.split()[-1].split(".")[0]) not in chapters:
            continue
        first, times = _demo_times(spec, key, is_demo)
        per_chapter.setdefault(int(name.split()[-1].split(".")[0]), []).extend(times)
        p50, p95 = statistics.median(times), _p95(times)
        kind = "trains" if trains(name) else "analytic"
        if p95 > 100:
            slow[kind == "trains"].append(name)
        firsts[kind == "trains"].append((first, name))
        yield (f"demo_rerun[{name}]: p50={p50:.1f}ms p95={p95:.1f}ms max={max(times):.1f}ms ({len(times)} reruns, "
               f"{kind}) first_run={first:.0f}ms")
    for number, times in sorted(per_chapter.items()):
        page_ms = _page_rerun_ms(f"pages/ch{number:02d}.py")
        p50 = statistics.median(times)
        yield (f"chapter_{number}_interaction: ours={p50:.1f}ms reference={page_ms:.1f}ms ratio={p50 / page_ms:.3f} "
               f"(ours: p50 script time of a demo rerun as a fragment; reference: a full rerun of the page)")
    for trains_, kind in ((True, "training"), (False, "analytic")):
        if firsts[trains_]:
            top = sorted(firsts[trains_], reverse=True)[:5]
            p50 = statistics.median(f for f, _ in firsts[trains_])
            yield (f"demo_first_run[{kind}]: {len(firsts[trains_])} demos, the first run with defaults (caches "
                   f"cleared, module imports included) p50={p50:.0f}ms, slowest "
                   + ", ".join(f"{n} {f / 1000:.1f}s" for f, n in top))
    everything = [t for times in per_chapter.values() for t in times]
    yield (f"demo_rerun_all: p50={statistics.median(everything):.1f}ms p95={_p95(everything):.1f}ms "
           f"max={max(everything):.1f}ms ({len(everything)} reruns); over 100 ms at p95: analytic "
           f"{', '.join(slow[False]) or 'none'}; training {', '.join(slow[True]) or 'none'}")


if __name__ == "__main__":  # python -m bench.pages [chapter ...]
    import sys

    for text in run({int(c) for c in sys.argv[1:]} or None):
        print(text, flush=True)
