"""Cold start and memory of the real server: `python -m bench.startup`.

Starts `streamlit run app.py` on a free loopback port, opens home in headless Chromium and measures the time from
process start to the first rendered heading; then, with the server warm (chapter 1 and one exercise page rendered
once), opens each chapter page twice, each time in a new browser context (a new Streamlit session), and reports the
time from navigation until the page's script run has finished: the first session to open that chapter (its cached
demos computed) and a later one (what the next learner waits). RSS after every page: `python -m bench.memory`.
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

from exercises import outline  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


IDLE_JS = "() => document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')" \
          " === 'notRunning' && !document.querySelector('[data-testid=\"stSkeleton\"]')"


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def first_render(browser, url: str) -> float:
    """Seconds from navigating a new browser context (a new Streamlit session) to url until its run has ended."""
    context = browser.new_context()
    try:
        page = context.new_page()
        t0 = time.perf_counter()
        page.goto(url)
        page.get_by_role("heading").first.wait_for(timeout=120_000)
        page.wait_for_function(IDLE_JS, timeout=120_000, polling=20)
        return time.perf_counter() - t0
    finally:
        context.close()


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
            # warm-up: the server has imported what pages need (Streamlit, torch, sympy) once chapter 1 and one
            # exercise page have rendered; the chapter pages themselves are not visited before they are measured
            for path in ("chapter-1", "exercise?id=2.6.1"):
                sep = "&" if "?" in path else "?"
                page.goto(f"{base}/{path}{sep}lang=en")
                page.get_by_role("heading").first.wait_for(timeout=60_000)
                page.wait_for_function(IDLE_JS, timeout=60_000, polling=20)
            for chapter in outline.chapters():
                seconds = [first_render(browser, f"{base}/chapter-{chapter.number}?lang=en") for _ in range(2)]
                print(f"first_render_chapter_{chapter.number}: first_session={seconds[0]:.2f} s "
                      f"later_session={seconds[1]:.2f} s")
            print(f"rss_after_chapters: {rss_mib(proc.pid):.0f} MiB")
        finally:
            proc.terminate()
            proc.wait(timeout=20)
            browser.close()


if __name__ == "__main__":
    main()
