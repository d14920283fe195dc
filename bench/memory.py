"""Memory of the real server: `python -m bench.memory [--values 1000] [--every 100]`.

(a) RSS of `streamlit run app.py` (127.0.0.1 only; process + children, /proc) after home, after every page once
    (home, chapter-1 … chapter-16, instructor, about and every live exercise at /exercise?id=…, in English), with
    the pages that grew it most.
(b) Soak: one session moves one cached demo through --values distinct settings, sampling RSS every --every values:
    /exercise?id=1.9.1 (the hand-set threshold swept across its range, the noise slider stepped by one at each end,
    so every (threshold, noise) pair is a new key of the cached experiment) and /exercise?id=2.4.4 (chain rule: the
    a slider swept, b stepped at each end). A bounded cache (max_entries) should make RSS plateau: the verdict is
    "plateaus" when RSS grew by less than max(8 MiB, 5 %) over the second half of the soak.
(c) Every st.cache_data / st.cache_resource in ui/ without max_entries (static, by AST).

Every wait is bounded and the server is always terminated.
"""

from __future__ import annotations

import argparse
import ast
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import (  # noqa: E402
    ARGS,
    CHROMIUM,
    IDLE_JS,
    LATENCY_JS,
    OBSERVER_JS,
    SLIDER_JS,
    WS_JS,
    rss_mib,
    start_server,
    stop_server,
)
from exercises import outline, registry  # noqa: E402

# (label, path, the slider swept, the slider stepped at each end of the sweep): indices into the page's sliders
SOAKS = [("1.9.1 threshold×noise", "exercise?id=1.9.1", 3, 2),
         ("2.4.4 chain rule a×b", "exercise?id=2.4.4", 0, 1)]


def unbounded_caches(root: Path = ROOT / "ui") -> list[str]:
    """`file:line function (decorator)` of every st.cache_data / st.cache_resource without max_entries."""
    out = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for dec in node.decorator_list:
                target = dec.func if isinstance(dec, ast.Call) else dec
                name = ast.unparse(target)
                if name.endswith(("cache_data", "cache_resource")):
                    kws = {k.arg for k in dec.keywords} if isinstance(dec, ast.Call) else set()
                    if "max_entries" not in kws:
                        out.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({name})")
    return out


def _idle(page, timeout_ms: float = 180_000) -> None:
    page.wait_for_function(IDLE_JS, timeout=timeout_ms, polling=100)


def _close_dialog(page) -> None:
    dialog = page.get_by_role("dialog")
    if dialog.count():
        dialog.first.get_by_role("button", name="Close").click(timeout=10_000)


def visit_all(page, base: str, pid: int) -> list[str]:
    paths = ["", *(f"chapter-{c.number}" for c in outline.chapters()), "instructor", "about",
             *(f"exercise?id={ex.id}" for ex in registry.all())]
    growth = []
    before = rss_mib(pid)
    lines = []
    t0 = time.perf_counter()
    for path in paths:
        sep = "&" if "?" in path else "?"
        page.goto(f"{base}/{path}{sep}lang=en", timeout=60_000)
        page.get_by_role("heading").first.wait_for(timeout=180_000)
        _idle(page)
        after = rss_mib(pid)
        growth.append((after - before, path or "home"))
        before = after
        if path == "":
            lines.append(f"memory_after_home: rss={after:.0f}MiB")
    top = ", ".join(f"/{p} +{d:.0f}" for d, p in sorted(growth, reverse=True)[:6])
    lines.append(f"memory_after_every_page: rss={rss_mib(pid):.0f}MiB ({len(paths)} pages, en, "
                 f"{time.perf_counter() - t0:.0f} s; largest steps MiB: {top})")
    return lines


def _press(page, slider, key: str, timeout_s: float = 60) -> bool:
    """One key press; waits for the run it causes. False when the value did not change."""
    before = slider.evaluate(SLIDER_JS)[0]
    slider.press(key)
    if slider.evaluate(SLIDER_JS)[0] == before:
        return False
    page.wait_for_function(LATENCY_JS, timeout=timeout_s * 1000, polling=50)
    return True


def soak(page, base: str, pid: int, label: str, path: str, sweep: int, step: int, values: int,
         every: int, max_s: float = 900) -> list[str]:
    """Move the demo through `values` distinct settings (stops after max_s seconds in any case)."""
    page.goto(f"{base}/{path}&lang=en", timeout=60_000)
    sliders = page.get_by_role("slider")
    sliders.first.wait_for(timeout=180_000)
    _idle(page)
    _close_dialog(page)
    page.evaluate(OBSERVER_JS)
    a, b = sliders.nth(sweep), sliders.nth(step)
    a.scroll_into_view_if_needed(timeout=10_000)
    samples = [(0, rss_mib(pid))]
    direction, b_dir, done, t0 = "ArrowRight", "ArrowRight", 0, time.perf_counter()
    while done < values and time.perf_counter() - t0 < max_s:
        value, lo, hi, st = a.evaluate(SLIDER_JS)
        at_end = (direction == "ArrowRight" and value >= hi - st / 2) or (direction == "ArrowLeft"
                                                                         and value <= lo + st / 2)
        if at_end:  # step the other slider, then sweep back
            bv, blo, bhi, bst = b.evaluate(SLIDER_JS)
            if bv >= bhi - bst / 2:
                b_dir = "ArrowLeft"
            elif bv <= blo + bst / 2:
                b_dir = "ArrowRight"
            moved = _press(page, b, b_dir)
            direction = "ArrowLeft" if direction == "ArrowRight" else "ArrowRight"
        else:
            moved = _press(page, a, direction)
        if moved:
            done += 1
            if done % every == 0:
                samples.append((done, rss_mib(pid)))
                print(f"memory_soak_sample[{label}]: values={done} rss={samples[-1][1]:.0f}MiB "
                      f"elapsed={time.perf_counter() - t0:.0f}s", flush=True)
    exceptions = page.locator('[data-testid="stException"]').count()
    half = samples[len(samples) // 2][1]
    grew = samples[-1][1] - half
    verdict = "plateaus" if grew < max(8.0, 0.05 * half) else "grows"
    return [f"memory_soak[{label}]: samples={' '.join(f'{n}:{r:.0f}' for n, r in samples)} (values:MiB)",
            f"memory_soak_verdict[{label}]: {verdict} (second half +{grew:.1f}MiB, whole soak "
            f"+{samples[-1][1] - samples[0][1]:.1f}MiB, {done} values in {time.perf_counter() - t0:.0f} s, "
            f"exceptions={exceptions})"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__.split("\n\n")[0])
    ap.add_argument("--values", type=int, default=1000, help="distinct settings per soak")
    ap.add_argument("--every", type=int, default=100, help="sample RSS every N values")
    ap.add_argument("--no-pages", action="store_true", help="skip (a)")
    ap.add_argument("--soaks", default=",".join(str(i) for i in range(len(SOAKS))), help="which soaks, e.g. 0")
    a = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a SIGTERM (e.g. `timeout`) still stops the server
    unbounded = unbounded_caches()
    listed = "; ".join(unbounded) or "(every st.cache_data / st.cache_resource in ui/ sets max_entries)"
    print(f"memory_unbounded_caches: {len(unbounded)} {listed}", flush=True)
    from playwright.sync_api import sync_playwright

    proc, base = start_server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                context = browser.new_context(viewport={"width": 1300, "height": 1200})
                context.add_init_script(WS_JS)
                page = context.new_page()
                if not a.no_pages:
                    for line in visit_all(page, base, proc.pid):
                        print(line, flush=True)
                for i in (int(x) for x in a.soaks.split(",") if x):
                    for line in soak(page, base, proc.pid, *SOAKS[i], a.values, a.every):
                        print(line, flush=True)
            finally:
                browser.close()
    finally:
        stop_server(proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
