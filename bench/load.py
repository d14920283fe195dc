"""Concurrent sessions against the real server:
`python -m bench.load [--client ws|browser] [--sessions 20] [--seconds 60] [--sweep]`.

Starts `streamlit run app.py` on a free port bound to 127.0.0.1 only and drives N independent Streamlit sessions.
Two real clients:
- `--client ws` (default): each session is a websocket to /_stcore/stream speaking Streamlit's own protocol with its
  own protobuf messages (BackMsg.rerun_script with the page, the query string, the moved slider's WidgetState and the
  fragment id the slider was rendered in, exactly what the browser sends; ForwardMsg back). Latency = from sending
  the BackMsg until the server's script_finished message arrived (every delta of the run has arrived by then).
  Exceptions = exception elements the server sent. A client costs a few ms of CPU per interaction, so on a 2-core
  machine nearly all CPU goes to the server: this is the client for capacity figures.
- `--client browser`: the sessions are pages of one headless Chromium (one browser context per session); this adds
  the browser's rendering, but the browser competes with the server for the same cores. Described below.
Both go round-robin over /exercise?id=1.9.1, /chapter-2, /chapter-3, /exercise?id=3.7.1 (the hyperparameter demo, which
trains), /chapter-4 and /chapter-11, and for a bounded time move one slider per session back and forth (the browser
client with the keyboard: focus the slider's input, ArrowRight until its maximum, then ArrowLeft).

Interaction latency = from the key press until Streamlit's run of that interaction has finished. It is measured in
the page's own clock: a capturing keydown listener records `performance.now()` at the press, and a MutationObserver
on `[data-testid=stApp]` records every change of its `data-test-script-state` attribute (Streamlit sets it to
"running" while a script or fragment run is in progress and back to "notRunning" when the run has finished and its
elements are delivered). Latency = time of the first "running" → other-state transition after the press, minus the
press time. This is robust where the alternatives are not: the status widget ([data-testid=stStatusWidget]) shows
only after a delay (a fast rerun never shows it), and "wait for an element to change" needs a per-demo element. The
observer timestamps every transition, so a short run that starts and ends between two polls is still caught, and
the poll interval does not bias the figure. A press that does not change the slider's value (it sits at a bound) is
not counted. Slider keyboard changes commit at once (react-aria onChangeEnd): no debounce is included.

Errors: interactions that do not finish within --timeout seconds, pages that do not render within 180 s, Streamlit
exceptions on the page ([data-testid=stException], counted per session at the end, max over the run) and uncaught
JavaScript errors (pageerror). Goal: 0.

Memory: the server's RSS is the sum of VmRSS over the process and all its descendants (/proc), sampled every 0.5 s;
peak = the largest sample. Also reported: the most OS threads the server process had (torch's OpenMP pool grows per
calling thread, and Streamlit runs each session's script in its own thread), the server's CPU use over the run, and
torch.get_num_threads() as an interpreter with the server's environment sees it (`--torch-threads N` starts the
server with OMP_NUM_THREADS=N MKL_NUM_THREADS=N to compare).

Everything is bounded: each session stops at its deadline, every wait has a timeout, and the server is terminated
(killed if needed) in a finally block.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
        # many pages at once: keep every page's timers and rendering running as in a foreground tab
        "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
        "--disable-backgrounding-occluded-windows"]

# (path, which slider of the page to move: an index into the page's sliders, -1 = the last one)
TARGETS = [("exercise?id=1.9.1", -1),    # 1.9.1: the hand-set threshold (cached demo)
           ("chapter-2", 0),             # the first demo slider of chapter 2
           ("chapter-3", 0),             # the first demo slider of chapter 3
           ("exercise?id=3.7.1", 2),     # 3.7.1: epochs, every new value trains a model
           ("chapter-4", 0),             # the first demo slider of chapter 4 (activations)
           ("chapter-11", 0)]            # the first demo slider of chapter 11 (landscapes and trajectories)

# Installed once per page after the first render: transitions of the script state and the last key press.
OBSERVER_JS = """() => {
  if (window.__bench) return;
  const app = document.querySelector('[data-testid="stApp"]');
  const s = window.__bench = {events: [], key: 0, n: 0};
  new MutationObserver(() => s.events.push([performance.now(), app.getAttribute('data-test-script-state')]))
    .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  document.addEventListener('keydown', () => { s.key = performance.now(); s.n = s.events.length; }, true);
}"""
# Before any page script: timestamps of the websocket's sends and receipts (the fallback below).
WS_JS = """(() => {
  const W = window.WebSocket, log = window.__ws = {sent: [], recv: []};
  window.WebSocket = class extends W {
    constructor(...a) { super(...a); this.addEventListener('message', () => log.recv.push(performance.now())); }
    send(d) { log.sent.push(performance.now()); return super.send(d); }
  };
})();"""
# [ms from the last key press to the end of the first run after it, how it was seen], or null while not ended.
# "state": the running → notRunning transition. "ws" (fallback): when a fast run's start and end reach React in one
# batch, the attribute never shows "running"; then the run counts as ended when a message went out after the press,
# messages came back, the app is idle and nothing more arrived for 500 ms; latency = the last receipt.
LATENCY_JS = """() => {
  const s = window.__bench, ev = s.events.slice(s.n);
  const i = ev.findIndex(e => e[1] === 'running');
  if (i >= 0) {
    const j = ev.findIndex((e, k) => k > i && e[1] !== 'running');
    return j < 0 ? null : [ev[j][0] - s.key, 'state'];
  }
  const ws = window.__ws, recv = ws.recv.filter(t => t >= s.key);
  const idle = document.querySelector('[data-testid="stApp"]').getAttribute('data-test-script-state') === 'notRunning';
  if (idle && ws.sent.some(t => t >= s.key) && recv.length && performance.now() - recv[recv.length - 1] > 500)
    return [recv[recv.length - 1] - s.key, 'ws'];
  return null;
}"""
SLIDER_JS = "e => [parseFloat(e.value), parseFloat(e.min), parseFloat(e.max), parseFloat(e.step) || 1]"
IDLE_JS = "() => document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')" \
          " === 'notRunning'"


# --- the server --------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(torch_threads: int | None = None) -> dict[str, str]:
    env = dict(os.environ)
    if torch_threads:
        env["OMP_NUM_THREADS"] = env["MKL_NUM_THREADS"] = str(torch_threads)
    return env


def start_server(torch_threads: int | None = None, timeout: float = 90) -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` on a free port of 127.0.0.1 (and nothing else); returns (process, base URL)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=server_env(torch_threads),
        start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                return proc, base
        except OSError:
            time.sleep(0.2)
    stop_server(proc)
    raise RuntimeError("streamlit did not start")


def stop_server(proc: subprocess.Popen) -> None:
    """Terminate the server and its children (its own process group, started by us)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def descendants(pid: int) -> list[int]:
    """pid and every process below it (children via /proc/*/stat's ppid)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(parents.get(p, []))
    return out


def rss_mib(pid: int) -> float:
    """Resident memory of pid and all its descendants, MiB."""
    total = 0
    for p in descendants(pid):
        rss = _status(p).get("VmRSS")
        if rss:
            total += int(rss.split()[0])
    return total / 1024


def threads(pid: int) -> int:
    return int(_status(pid).get("Threads", "0").strip() or 0)


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def torch_threads_seen(torch_threads: int | None = None) -> int:
    """torch.get_num_threads() in an interpreter with the server's environment (the server sets nothing)."""
    out = subprocess.run([sys.executable, "-c", "import torch; print(torch.get_num_threads())"],
                         env=server_env(torch_threads), capture_output=True, text=True, timeout=120, check=True)
    return int(out.stdout.strip())


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


# --- one session -------------------------------------------------------------------------------------------------


@dataclass
class Session:
    path: str
    latencies: list[float] = field(default_factory=list)  # ms
    sent: list[float] = field(default_factory=list)  # time.monotonic() when each measured interaction started
    load_s: float = float("nan")
    loaded_at: float = float("nan")  # time.monotonic() when the page had rendered
    timeouts: int = 0
    exceptions: int = 0
    js_errors: int = 0
    dialog: str = ""  # text of a modal that covered the page after loading (closed before measuring)
    noops: int = 0  # presses that did not change the value (not counted as interactions)
    ws_fallback: int = 0  # interactions whose end was seen on the websocket (see LATENCY_JS)
    failed: str = ""
    exception_texts: list[str] = field(default_factory=list)  # first lines of exceptions the server sent (ws client)


async def wait_idle(page, timeout_ms: float) -> None:
    await page.wait_for_function(IDLE_JS, timeout=timeout_ms, polling=100)


async def close_dialogs(page) -> str:
    """Close a modal dialog (Streamlit's "Page not found" notice on a first visit that does not land on home makes
    the rest of the page inert, so keys would reach nothing); returns its text, "" when there was none."""
    dialog = page.get_by_role("dialog")
    if not await dialog.count():
        return ""
    text = " ".join((await dialog.first.inner_text()).split())[:80]
    await dialog.first.get_by_role("button", name="Close").click(timeout=10_000)
    await dialog.first.wait_for(state="detached", timeout=10_000)
    return text


async def press_and_measure(page, slider, timeout_s: float, direction: list[str]) -> float | None:
    """One key press on the slider; the latency in ms, None when the press changed nothing. Raises on timeout."""
    value, lo, hi, step = await slider.evaluate(SLIDER_JS)
    if value >= hi - step / 2:
        direction[0] = "ArrowLeft"
    elif value <= lo + step / 2:
        direction[0] = "ArrowRight"
    await slider.press(direction[0])
    if (await slider.evaluate(SLIDER_JS))[0] == value:
        return None
    handle = await page.wait_for_function(LATENCY_JS, timeout=timeout_s * 1000, polling=50)
    ms, how = await handle.json_value()
    if how == "ws":
        direction.append("ws")  # counted by the caller
    return float(ms)


async def run_session(browser, base: str, path: str, slider_index: int, start_delay: float, seconds: float,
                      timeout_s: float, think_s: float) -> Session:
    s = Session(path)
    await asyncio.sleep(start_delay)
    context = await browser.new_context(viewport={"width": 1300, "height": 900})
    try:
        await context.add_init_script(WS_JS)
        page = await context.new_page()
        page.on("pageerror", lambda _e: setattr(s, "js_errors", s.js_errors + 1))
        sep = "&" if "?" in path else "?"
        t0 = time.monotonic()
        try:
            await page.goto(f"{base}/{path}{sep}lang=en", timeout=60_000)
            sliders = page.get_by_role("slider")
            await sliders.first.wait_for(timeout=180_000)
            await wait_idle(page, 180_000)
        except Exception as e:  # the page did not render in time
            s.failed, s.timeouts = f"load: {type(e).__name__}", s.timeouts + 1
            return s
        s.loaded_at = time.monotonic()
        s.load_s = s.loaded_at - t0
        s.dialog = await close_dialogs(page)
        await page.evaluate(OBSERVER_JS)
        slider = sliders.nth(slider_index) if slider_index >= 0 else sliders.last
        await slider.scroll_into_view_if_needed(timeout=10_000)
        await slider.focus()
        direction = ["ArrowRight"]
        deadline = time.monotonic() + seconds  # each session moves its slider for `seconds` after its page rendered
        while time.monotonic() < deadline:
            sent = time.monotonic()
            try:
                ms = await press_and_measure(page, slider, timeout_s, direction)
            except Exception:  # no end of the run within the timeout
                s.timeouts += 1
                try:
                    await wait_idle(page, timeout_s * 1000)
                except Exception:
                    break
                continue
            s.ws_fallback += direction.count("ws")
            del direction[1:]
            if ms is None:
                s.noops += 1
            else:
                s.latencies.append(ms)
                s.sent.append(sent)
            await asyncio.sleep(think_s)
        s.exceptions = await page.locator('[data-testid="stException"]').count()
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(context.close(), 30)
    return s


# --- one session over Streamlit's websocket protocol --------------------------------------------------------------


@dataclass
class SliderSpec:
    widget_id: str
    low: float
    high: float
    step: float
    value: float  # for a select_slider: the index of the option
    fragment_id: str
    options: list[str] = field(default_factory=list)  # a select_slider's formatted options (its value is sent as one)


def _page_and_query(path: str) -> tuple[str, str]:
    page, _, query = path.partition("?")
    return page, "&".join(q for q in (query, "lang=en") if q)


def _rerun_message(page: str, query: str, slider: SliderSpec | None = None) -> bytes:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    msg.rerun_script.page_name = page
    msg.rerun_script.query_string = query
    if slider is not None:
        msg.rerun_script.fragment_id = slider.fragment_id
        state = msg.rerun_script.widget_states.widgets.add()
        state.id = slider.widget_id
        if slider.options:
            state.string_array_value.data.append(slider.options[int(slider.value)])
        else:
            state.double_array_value.data.append(slider.value)
    return msg.SerializeToString()


async def _until_finished(ws, s: Session, sliders: list[SliderSpec] | None, timeout_s: float) -> int:
    """Read ForwardMsgs until script_finished; counts exception elements into s, collects sliders; returns the
    finish status."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    async def read() -> int:
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await ws.recv())
            kind = msg.WhichOneof("type")
            if kind == "script_finished":
                return msg.script_finished
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                which = element.WhichOneof("type")
                if which == "exception":
                    s.exceptions += 1
                    s.exception_texts.append(f"{element.exception.type}: {element.exception.message[:120]}")
                elif which == "slider" and sliders is not None and len(element.slider.default) == 1:
                    sl = element.slider
                    sliders.append(SliderSpec(sl.id, sl.min, sl.max, sl.step or 1.0, sl.default[0],
                                              msg.delta.fragment_id, list(sl.options)))

    return await asyncio.wait_for(read(), timeout_s)


async def run_ws_session(base: str, path: str, slider_index: int, start_delay: float, seconds: float,
                         timeout_s: float, think_s: float) -> Session:
    from websockets.asyncio.client import connect

    s = Session(path)
    await asyncio.sleep(start_delay)
    page, query = _page_and_query(path)
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    t0 = time.monotonic()
    try:
        async with connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=60) as ws:
            sliders: list[SliderSpec] = []
            try:
                await ws.send(_rerun_message(page, query))
                await _until_finished(ws, s, sliders, 180)
            except Exception as e:  # the page did not render in time
                s.failed, s.timeouts = f"load: {type(e).__name__}", s.timeouts + 1
                return s
            s.loaded_at = time.monotonic()
            s.load_s = s.loaded_at - t0
            if not sliders:
                s.failed = "no slider on the page"
                return s
            slider = sliders[slider_index] if slider_index >= 0 else sliders[-1]
            direction = 1.0
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                if slider.value + direction * slider.step > slider.high + 1e-9 or \
                        slider.value + direction * slider.step < slider.low - 1e-9:
                    direction = -direction
                slider.value = round(slider.value + direction * slider.step, 10)
                sent, start = time.monotonic(), time.perf_counter()
                await ws.send(_rerun_message(page, query, slider))
                try:
                    await _until_finished(ws, s, None, timeout_s)
                except TimeoutError:
                    s.timeouts += 1
                    try:  # let the late run end before the next interaction
                        await _until_finished(ws, s, None, timeout_s)
                    except TimeoutError:
                        break
                    continue
                s.latencies.append((time.perf_counter() - start) * 1000)
                s.sent.append(sent)
                await asyncio.sleep(think_s)
    except Exception as e:  # connection refused or dropped
        s.failed = s.failed or f"{type(e).__name__}: {e}"
        s.timeouts += 1
    return s


# --- one run -----------------------------------------------------------------------------------------------------


async def _sample(pid: int, stop: asyncio.Event, out: dict[str, float]) -> None:
    while not stop.is_set():
        out["rss"] = max(out.get("rss", 0.0), rss_mib(pid))
        out["threads"] = max(out.get("threads", 0), threads(pid))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)


async def _drive_ws(base: str, pid: int, sessions: int, seconds: float, timeout_s: float, think_s: float,
                    stagger_s: float) -> tuple[list, dict[str, float]]:
    peak: dict[str, float] = {}
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample(pid, stop, peak))
    try:
        tasks = [run_ws_session(base, path, idx, i * stagger_s, seconds, timeout_s, think_s)
                 for i, (path, idx) in ((i, TARGETS[i % len(TARGETS)]) for i in range(sessions))]
        results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True),
                                         sessions * stagger_s + seconds + 180 + 2 * timeout_s + 60)
    finally:
        stop.set()
        await sampler
    return list(results), peak


async def _drive(base: str, pid: int, sessions: int, seconds: float, timeout_s: float, think_s: float,
                 stagger_s: float, client: str = "ws") -> tuple[list[Session], dict[str, float]]:
    if client == "ws":
        return await _drive_ws(base, pid, sessions, seconds, timeout_s, think_s, stagger_s)
    from playwright.async_api import async_playwright

    peak: dict[str, float] = {}
    stop = asyncio.Event()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            sampler = asyncio.create_task(_sample(pid, stop, peak))
            tasks = [run_session(browser, base, path, idx, i * stagger_s, seconds, timeout_s, think_s)
                     for i, (path, idx) in ((i, TARGETS[i % len(TARGETS)]) for i in range(sessions))]
            # hard bound on the whole run: stagger + one page load (180 s) + seconds + one timeout + closing
            results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True),
                                             sessions * stagger_s + seconds + 180 + timeout_s + 60)
            stop.set()
            await sampler
        finally:
            stop.set()
            await browser.close()
    out = []
    for i, r in enumerate(results):
        if isinstance(r, BaseException):
            r = Session(TARGETS[i % len(TARGETS)][0], failed=f"{type(r).__name__}: {r}", timeouts=1)
        out.append(r)
    return out, peak


def steady_latencies(results: list[Session]) -> list[float]:
    """Latencies (ms) of the interactions sent after every session's page had rendered: no page load of another
    session competed with them. Sessions whose page never rendered do not hold the others back."""
    all_loaded = max((r.loaded_at for r in results if r.loaded_at == r.loaded_at), default=float("inf"))
    return [ms for r in results for t, ms in zip(r.sent, r.latencies, strict=True) if t >= all_loaded]


def run_once(sessions: int, seconds: float, *, timeout_s: float = 30, think_s: float = 0.3, stagger_s: float = 0.25,
             torch_threads: int | None = None, client: str = "ws") -> dict[str, object]:
    load0 = os.getloadavg()[0]
    proc, base = start_server(torch_threads)
    try:
        cpu0, t0 = cpu_seconds(proc.pid), time.monotonic()
        results, peak = asyncio.run(_drive(base, proc.pid, sessions, seconds, timeout_s, think_s, stagger_s,
                                           client))
        cpu = cpu_seconds(proc.pid) - cpu0
        wall = time.monotonic() - t0
        hwm = _status(proc.pid).get("VmHWM", "0 kB").split()[0]
    finally:
        stop_server(proc)
    lat = [ms for r in results for ms in r.latencies]
    steady = steady_latencies(results)
    per_path: dict[str, list[float]] = {}
    for r in results:
        per_path.setdefault(r.path, []).extend(r.latencies)
    return {
        "client": client, "sessions": sessions, "seconds": seconds, "interactions": len(lat),
        "timeouts": sum(r.timeouts for r in results), "exceptions": sum(r.exceptions for r in results),
        "js_errors": sum(r.js_errors for r in results),
        "noops": sum(r.noops for r in results),
        "ws_fallback": sum(r.ws_fallback for r in results),
        "dialogs": [r.dialog for r in results if r.dialog], "failed": [r.failed for r in results if r.failed],
        "exception_texts": [t for r in results for t in r.exception_texts],
        "p50": pct(lat, 50), "p95": pct(lat, 95), "max": max(lat, default=float("nan")),
        "steady": (len(steady), pct(steady, 50), pct(steady, 95), max(steady, default=float("nan"))),
        "load_p50": statistics.median([r.load_s for r in results if r.load_s == r.load_s] or [float("nan")]),
        "load_max": max((r.load_s for r in results if r.load_s == r.load_s), default=float("nan")),
        "peak_rss": peak.get("rss", float("nan")), "main_hwm": int(hwm) / 1024,
        "peak_threads": int(peak.get("threads", 0)), "server_cpu": cpu / wall if wall else float("nan"),
        "per_path": {k: (len(v), pct(v, 50), pct(v, 95)) for k, v in per_path.items()},
        "loadavg_before": load0, "loadavg_after": os.getloadavg()[0],
    }


def lines(r: dict[str, object], torch_threads: int | None = None) -> list[str]:
    errors = r["timeouts"] + r["exceptions"] + r["js_errors"]
    tag = f"{r['sessions']},{r['client']}" + (f",omp={torch_threads}" if torch_threads else "")
    out = [
        f"load[{tag}]: sessions={r['sessions']} seconds={r['seconds']:g} interactions={r['interactions']} "
        f"errors={errors} (timeouts={r['timeouts']} exceptions={r['exceptions']} js_errors={r['js_errors']}) "
        f"p50={r['p50']:.0f}ms p95={r['p95']:.0f}ms max={r['max']:.0f}ms noop_presses={r['noops']} "
        f"ended_seen_on_ws={r['ws_fallback']}",
        f"load_server[{tag}]: peak_rss={r['peak_rss']:.0f}MiB (process+children) main_hwm={r['main_hwm']:.0f}MiB "
        f"peak_threads={r['peak_threads']} cpu={r['server_cpu']:.2f} cores page_load_p50={r['load_p50']:.1f}s "
        f"page_load_max={r['load_max']:.1f}s loadavg_before={r['loadavg_before']:.2f} "
        f"loadavg_after={r['loadavg_after']:.2f} cores={os.cpu_count()}",
    ]
    n, p50, p95, top = r["steady"]
    out.append(f"load_steady[{tag}]: after every session's page had rendered: interactions={n} p50={p50:.0f}ms "
               f"p95={p95:.0f}ms max={top:.0f}ms")
    for path, (n, p50, p95) in sorted(r["per_path"].items()):
        out.append(f"load_path[{tag}][/{path}]: interactions={n} p50={p50:.0f}ms p95={p95:.0f}ms")
    if r["dialogs"]:
        out.append(f"load_dialogs[{tag}]: {len(r['dialogs'])} of {r['sessions']} sessions opened under a modal "
                   f"(closed before measuring): {r['dialogs'][0]!r}")
    if r["exception_texts"]:
        out.append(f"load_exceptions[{tag}]: {'; '.join(sorted(set(r['exception_texts']))[:5])}")
    if r["failed"]:
        out.append(f"load_failed[{tag}]: {'; '.join(r['failed'][:5])}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    ap.add_argument("--client", choices=["ws", "browser"], default="ws",
                    help="ws: Streamlit's websocket protocol (cheap client); browser: headless Chromium pages")
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--timeout", type=float, default=30, help="seconds an interaction may take before it is an error")
    ap.add_argument("--think", type=float, default=0.3, help="pause between two key presses of a session, s")
    ap.add_argument("--torch-threads", type=int, default=None,
                    help="start the server with OMP_NUM_THREADS=MKL_NUM_THREADS=N")
    ap.add_argument("--sweep", action="store_true", help="5, 10, 20, 30 sessions (or --counts): the largest with "
                                                         "p95 < 2 s")
    ap.add_argument("--counts", default="5,10,20,30")
    a = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a SIGTERM (e.g. `timeout`) still stops the server
    print(f"torch_threads: get_num_threads={torch_threads_seen(a.torch_threads)} (an interpreter with the server's "
          f"environment; OMP_NUM_THREADS={server_env(a.torch_threads).get('OMP_NUM_THREADS', 'unset')}) "
          f"cores={os.cpu_count()}", flush=True)
    if not a.sweep:
        for line in lines(run_once(a.sessions, a.seconds, timeout_s=a.timeout, think_s=a.think,
                                   torch_threads=a.torch_threads, client=a.client), a.torch_threads):
            print(line, flush=True)
        return 0
    best = 0
    for n in sorted(int(c) for c in a.counts.split(",")):
        r = run_once(n, a.seconds, timeout_s=a.timeout, think_s=a.think, torch_threads=a.torch_threads,
                     client=a.client)
        for line in lines(r, a.torch_threads):
            print(line, flush=True)
        ok = r["p95"] < 2000 and r["timeouts"] + r["exceptions"] == 0
        if not ok:
            break  # more sessions will not do better
        best = n
    print(f"load_sweep: max_sessions_p95_under_2s={best} (counts {a.counts}, {a.seconds:g} s each)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
