"""Cold start and memory of the real server: `python -m bench.startup`.

Starts `streamlit run app.py` on a free loopback port, opens home in headless Chromium and measures the time from
process start to the first rendered heading; then visits every page once and reports the server's resident memory;
then, with the server warm, opens each chapter page in a new browser context (a new session) and reports the time
from navigation until the page's script run has finished and its elements are shown (first render after warm-up).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from exercises import outline, registry  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


IDLE_JS = "() => document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')" \
          " === 'notRunning' && !document.querySelector('[data-testid=\"stSkeleton\"]')"


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        page = browser.new_page()
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                                 "--server.address", "127.0.0.1", "--server.headless", "true"],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    page.goto(base, timeout=2000)
                    break
                except Exception:  # server not listening yet
                    time.sleep(0.05)
            page.get_by_role("heading", name="D2L Exercise Explorer").wait_for(timeout=60_000)
            cold = time.perf_counter() - t0
            print(f"cold_start_to_home: {cold:.2f} s   rss_after_home: {rss_mib(proc.pid):.0f} MiB")
            paths = ["", *(f"chapter-{c.number}" for c in outline.chapters()), "instructor", "about",
                     *(f"exercise?id={ex.id}" for ex in registry.all())]
            for lang in ("en", "zh"):
                for path in paths:
                    t1 = time.perf_counter()
                    sep = "&" if "?" in path else "?"
                    page.goto(f"{base}/{path}{sep}lang={lang}")
                    page.get_by_role("heading").first.wait_for(timeout=60_000)
                    page.wait_for_load_state("networkidle")
                    if lang == "en" and path == "chapter-1":
                        print(f"first_render_chapter_1: {time.perf_counter() - t1:.2f} s")
            print(f"rss_after_every_page: {rss_mib(proc.pid):.0f} MiB ({len(paths) * 2} page views)")
            for chapter in outline.chapters():
                context = browser.new_context()
                fresh = context.new_page()
                t1 = time.perf_counter()
                fresh.goto(f"{base}/chapter-{chapter.number}?lang=en")
                fresh.get_by_role("heading").first.wait_for(timeout=60_000)
                fresh.wait_for_function(IDLE_JS, timeout=60_000, polling=20)
                print(f"first_render_after_warmup_chapter_{chapter.number}: {time.perf_counter() - t1:.2f} s")
                context.close()
        finally:
            proc.terminate()
            proc.wait(timeout=20)
            browser.close()


if __name__ == "__main__":
    main()
