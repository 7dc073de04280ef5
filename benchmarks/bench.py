"""Workshop benchmark: default Voila, the workshop before issue #10, the workshop now; charts;
kernel memory; class grading. Everything side by side in one run; it prints, it does not assert.

    .venv/bin/python benchmarks/bench.py                  # everything, prints the tables (~30 min)
    .venv/bin/python benchmarks/bench.py --quick          # fewer loads and inputs, 10 trainees (~8 min)
    .venv/bin/python benchmarks/bench.py --only dashboards --concurrent 0
    .venv/bin/python benchmarks/bench.py --only charts    # PNG in place vs rebuilt, SVG, ipympl (~1 min)
    .venv/bin/python benchmarks/bench.py --only memory    # what a dashboard kernel is made of (~1 min)
    .venv/bin/python benchmarks/bench.py --only grading --submissions 100
    .venv/bin/python benchmarks/bench.py --profile        # where one page load spends its time

Servers (``--only dashboards``), started side by side on loopback:

* default Voila (``voila course/dashboards``; this checkout's dashboards, so its charts are
  the new ones: the column shows Voila's own page and server);
* the workshop **before** issue #10: ``kamcourse workshop`` run from ``git archive <--before>``
  (default: the commit before the change) with ``PYTHONPATH`` pointing at that tree, so its
  kernels import the old ``kamcourse`` too (``--no-before`` leaves it out);
* the workshop **now** (this checkout).

Measured in headless Chromium, alternating between the servers so that a change in the
machine's load (it is shared) hits every configuration alike:

* time to interactive (TTI), fresh browser: from navigation until the DSO result
  ("75.5") and its chart are on the page, a new browser context per load;
* TTI, second dashboard: the same context first opened the funnel dashboard (cache
  warm, as for a trainee's second calculator), then the DSO one is timed;
* input to chart, DSO and funnel: typing a new figure + Enter until the new result *and* a
  new chart image are shown, p50 / p95 over ``--inputs`` changes once the servers are idle;
* ``--network 10/20``: every page through Chromium's network emulation (10 Mbit/s, 20 ms),
  a trainee's share of a room's Wi-Fi, where the page's size counts;
* ``--concurrent`` trainees opening the DSO dashboard at the same moment (separate
  browser contexts) and changing an input, one server at a time, the workshops started
  with the README's recipe for a class (``--pool dso.ipynb=N --refill-delay S``): pages
  with errors, pages not interactive within ``--hang-after`` seconds, p95 TTI, CPU of
  the server and its kernels, peak memory. The browsers share the machine's cores with
  the servers: this part measures the browsers as much as the server; ``benchmarks/load.py``
  measures the server's capacity without them.

``--only charts`` draws the DSO and funnel charts for a run of input changes in this
process, as the kernel does, each way: a new figure and ``savefig`` PNG per change (before),
the live chart updated in place (now), the live figure as SVG (glyphs as paths, and text
left to the browser's fonts) and, when ``ipympl`` is installed, ipympl's canvas (Agg plus
its PNG diff). ``--only memory`` imports what a dashboard kernel imports, step by step,
with RSS and USS after each step, and forks a warmed parent to estimate what sharing the
imported modules between kernels would save.

Targets (issue #10): input to chart p95 <= 120 ms on DSO and funnel, TTI p50 <= 1.0 s for
the second dashboard and <= 1.3 s fresh. Numbers are wall-clock on a shared machine: the
load average is printed; ``--json FILE`` keeps the raw samples; ``KAMCOURSE_BENCH_KEEP_LOGS=1``
keeps the servers' logs in /tmp.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from helpers import CHROMIUM_ARGS, chromium_path, free_port, stop_process  # noqa: E402 - the tests' browser setup

DASHBOARDS = ROOT / "course" / "dashboards"
#: The last commit before issue #10's changes: the "workshop before" column.
BEFORE_REV = "282d74b5358a926553e365b00056ebdc9966a000"


@dataclass(frozen=True)
class Page:
    """A dashboard as the benchmark drives it: where its result and chart are, what to type."""

    notebook: str
    result: str
    chart: str
    ready_text: str
    input: str
    value: Callable[[int], str]


PAGES = {
    "dso": Page("dso.ipynb", ".kc-dso-result .kc-result-headline", "img.kc-dso-chart", "75.5",
                ".kc-dso-receivables input", lambda j: str(1500 + 10 * (j + 1))),
    "funnel": Page("funnel.ipynb", ".kc-funnel-result", "img.kc-funnel-chart", "万元",
                   ".kc-funnel-quota input", lambda j: str(600 + 10 * (j + 1))),
}
READY_JS = """([result, chart, expected]) => {
  const h = document.querySelector(result);
  const img = document.querySelector(chart);
  return !!(h && h.textContent.includes(expected) && img && img.complete && img.naturalWidth > 0);
}"""
CHANGED_JS = """([result, chart, text, src]) => {
  const h = document.querySelector(result);
  const img = document.querySelector(chart);
  return !!(h && img && h.textContent !== text && img.src !== src && img.complete && img.naturalWidth > 0);
}"""


# -- helpers ------------------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def fmt_s(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def fmt_ms(value: float | None) -> str:
    return "—" if value is None else f"{value * 1000:.0f} ms"


def fmt_mb(value: float | None) -> str:
    return "—" if value is None else f"{value / 2**20:.0f} MB"


def machine() -> str:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, "
            f"Python {platform.python_version()}, load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")


def before_tree(rev: str) -> Path | None:
    """This repository at ``rev``, unpacked into a temporary folder (``git archive``; the
    checkout and its git state are not touched), or None when git cannot give it."""
    try:
        archive = subprocess.run(["git", "archive", "--format=tar", rev], cwd=ROOT, capture_output=True,
                                 check=True).stdout
    except (OSError, subprocess.CalledProcessError) as err:
        print(f"[bench] no 'before' workshop: git archive {rev} failed ({err})", file=sys.stderr)
        return None
    folder = Path(tempfile.mkdtemp(prefix="bench-before-"))
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


class Server:
    """A dashboard server in its own process group, with memory sampling of its kernels."""

    def __init__(self, name: str, cmd: list[str], ready_marks: int = 0, cwd: Path = ROOT,
                 env: dict[str, str] | None = None):
        self.name = name
        self.port = free_port()
        self.cmd = [part.replace("{port}", str(self.port)) for part in cmd]
        slug = re.sub(r"[^\w-]+", "-", name)
        self.log_file = tempfile.NamedTemporaryFile(prefix=f"bench-{slug}-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(self.cmd, cwd=cwd, stdout=self.log_file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True,
                                     env={**os.environ, **(env or {})})
        self.ready_marks = ready_marks
        self._wait()

    def url(self, page: str = "dso") -> str:
        return f"http://127.0.0.1:{self.port}/voila/render/{PAGES[page].notebook}"

    def log(self) -> str:
        return Path(self.log_file.name).read_text(errors="replace")

    def _wait(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    if self.log().count("is filled with") >= self.ready_marks:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f} s:\n{self.log()[-3000:]}")

    def kernels(self):
        import psutil

        try:
            children = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.Error:
            return []
        found = []
        for child in children:
            try:
                if "ipykernel" in " ".join(child.cmdline() or []):
                    found.append(child)
            except psutil.Error:  # a kernel that just ended
                pass
        return found

    def memory(self) -> tuple[int, float, float]:
        """(number of kernels, max kernel RSS, total PSS of server and kernels)."""
        import psutil

        kernels, rss, pss = 0, 0.0, 0.0
        for proc in [psutil.Process(self.proc.pid), *self.kernels()]:
            try:
                info = proc.memory_full_info()
            except psutil.Error:
                continue
            pss += getattr(info, "pss", info.rss)
            if proc.pid != self.proc.pid:
                kernels += 1
                rss = max(rss, info.rss)
        return kernels, rss, pss

    def cpu_seconds(self) -> float:
        """CPU time used so far by the server and its living kernels."""
        import psutil

        total = 0.0
        for proc in [psutil.Process(self.proc.pid), *self.kernels()]:
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        return total

    def idle(self, quiet_cpu: float = 0.15, timeout: float = 60) -> None:
        """Wait until the server's kernels are quiet (pool refilled, old kernels shut down)."""
        import psutil

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            procs = [psutil.Process(self.proc.pid), *self.kernels()]
            try:
                before = sum(p.cpu_times().user + p.cpu_times().system for p in procs)
                time.sleep(1.0)
                after = sum(p.cpu_times().user + p.cpu_times().system for p in procs)
            except psutil.Error:
                continue
            if after - before < quiet_cpu:
                return

    def stop(self) -> None:
        stop_process(self.proc, 60, whole_group=False)  # Voila shuts its kernels down on SIGTERM
        if self.proc.poll() is None:
            stop_process(self.proc, 10)
        self.log_file.close()
        if not os.environ.get("KAMCOURSE_BENCH_KEEP_LOGS"):
            Path(self.log_file.name).unlink(missing_ok=True)


class MemorySampler(threading.Thread):
    def __init__(self, server: Server, every: float = 1.0):
        super().__init__(daemon=True)
        self.server, self.every = server, every
        self.peak_kernels, self.peak_rss, self.peak_pss = 0, 0.0, 0.0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            kernels, rss, pss = self.server.memory()
            self.peak_kernels = max(self.peak_kernels, kernels)
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_pss = max(self.peak_pss, pss)
            self._halt.wait(self.every)

    def stop(self) -> None:
        self._halt.set()
        self.join(10)


# -- dashboard measurements ----------------------------------------------------------------

@dataclass
class DashboardResult:
    name: str
    tti: list[float] = field(default_factory=list)
    tti_warm: list[float] = field(default_factory=list)
    tti_failures: int = 0
    input_latency: list[float] = field(default_factory=list)  # DSO
    funnel_latency: list[float] = field(default_factory=list)
    concurrent: int = 0
    concurrent_tti: list[float] = field(default_factory=list)
    errors: int = 0
    hung: int = 0
    external_failures: int = 0
    server_cpu: float = 0.0
    error_samples: list[str] = field(default_factory=list)
    kernels: int = 0
    kernel_rss: float = 0.0
    total_pss: float = 0.0
    idle_kernel_rss: float = 0.0


#: (Mbit/s, ms) of an emulated network for every page (``--network``), or None: loopback.
NETWORK: tuple[float, float] | None = None


async def load_page(context, url: str, page_spec: Page, timeout: float, errors: list[str] | None = None):
    """Open ``url`` in ``context``; (page, seconds until the result and chart are shown)."""
    page = await context.new_page()
    if NETWORK is not None:  # a trainee's share of the room's Wi-Fi, through Chromium's emulation
        mbit, latency = NETWORK
        cdp = await context.new_cdp_session(page)
        await cdp.send("Network.enable")
        await cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": latency,
            "downloadThroughput": mbit * 125_000, "uploadThroughput": mbit * 125_000})
    if errors is not None:
        page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"[:200]))
        page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url[:80]}") if r.status >= 400 else None)
        # requests to the internet (default Voila's CDN stylesheets) fail here by design:
        # counted apart, as "external"
        page.on("requestfailed", lambda r: errors.append(
            ("external " if not r.url.startswith("http://127.0.0.1") else "") + f"failed {r.url[:80]}: {r.failure}")
            if "/api/kernels/" not in r.url else None)
    start = time.perf_counter()
    await page.goto(url, timeout=timeout * 1000, wait_until="commit")
    await page.wait_for_function(READY_JS, arg=[page_spec.result, page_spec.chart, page_spec.ready_text],
                                 timeout=timeout * 1000, polling="raf")
    return page, time.perf_counter() - start


async def open_dashboard(browser, url: str, timeout: float, errors: list[str] | None = None, page_spec: Page = PAGES["dso"]):
    context = await browser.new_context()
    page, tti = await load_page(context, url, page_spec, timeout, errors)
    return context, page, tti


async def close(context, page) -> None:
    try:
        await page.close(run_before_unload=True)  # Voila shuts the kernel down on unload
        await asyncio.sleep(0.3)
    finally:
        if context is not None:
            await context.close()


async def change_input(page, value: str, page_spec: Page = PAGES["dso"], timeout: float = 60) -> float:
    text = await page.locator(page_spec.result).inner_text()
    src = await page.locator(page_spec.chart).get_attribute("src")
    box = page.locator(page_spec.input)
    await box.fill(value)
    start = time.perf_counter()
    await box.press("Enter")
    await page.wait_for_function(CHANGED_JS, arg=[page_spec.result, page_spec.chart, text, src],
                                 timeout=timeout * 1000, polling="raf")
    return time.perf_counter() - start


async def measure_interleaved(browser, servers: list[Server], results: list[DashboardResult], loads: int,
                              inputs: int, gap: float, timeout: float) -> None:
    """Loads and input changes alternate between the servers, so that a change in the
    machine's load (it is shared) hits every configuration alike."""
    for i in range(loads):
        for server, result in zip(servers, results):
            for other in servers:
                other.idle()
            try:  # a first visit: a new browser context
                context, page, tti = await open_dashboard(browser, server.url("dso"), timeout)
                result.tti.append(tti)
                await close(context, page)
            except Exception as exc:  # noqa: BLE001 - a benchmark records, it does not stop
                result.tti_failures += 1
                result.error_samples.append(f"load {i}: {type(exc).__name__}")
            await asyncio.sleep(gap)
            for other in servers:
                other.idle()
            context = await browser.new_context()
            try:  # the trainee's second dashboard: the funnel opened first in the same browser
                page, _ = await load_page(context, server.url("funnel"), PAGES["funnel"], timeout)
                await page.close(run_before_unload=True)
                for other in servers:
                    other.idle()
                page, tti = await load_page(context, server.url("dso"), PAGES["dso"], timeout)
                result.tti_warm.append(tti)
                await close(None, page)
            except Exception as exc:  # noqa: BLE001
                result.tti_failures += 1
                result.error_samples.append(f"warm load {i}: {type(exc).__name__}")
            finally:
                await context.close()
            await asyncio.sleep(gap)
    if not inputs:
        return
    opened = []
    for server, result in zip(servers, results):
        for name in ("dso", "funnel"):
            try:
                context, page, _ = await open_dashboard(browser, server.url(name), timeout, page_spec=PAGES[name])
                opened.append((context, page, name, result))
            except Exception as exc:  # noqa: BLE001
                result.error_samples.append(f"{name} input page: {type(exc).__name__}")
    for server in servers:  # steady state: pooled kernels replaced, nothing else running
        server.idle()
    for server, result in zip(servers, results):
        result.idle_kernel_rss = server.memory()[1]
    for j in range(inputs):
        for context, page, name, result in opened:
            samples = result.input_latency if name == "dso" else result.funnel_latency
            try:
                samples.append(await change_input(page, PAGES[name].value(j), PAGES[name]))
            except Exception as exc:  # noqa: BLE001
                result.error_samples.append(f"{name} input {j}: {type(exc).__name__}")
    for context, page, _, _ in opened:
        await close(context, page)


async def measure_concurrent(browser, server: Server, result: DashboardResult, trainees: int,
                             hang_after: float) -> None:
    server.idle()
    sampler = MemorySampler(server)
    sampler.start()
    result.concurrent = trainees
    cpu_before = server.cpu_seconds()

    async def trainee(k: int):
        errors: list[str] = []
        context = page = None
        try:
            context, page, tti = await open_dashboard(browser, server.url("dso"), hang_after, errors)
        except Exception as exc:  # noqa: BLE001
            hung = "Timeout" in type(exc).__name__
            return None, hung, errors + ([] if hung else [f"open: {type(exc).__name__}"]), (context, page)
        try:
            await change_input(page, str(1600 + k))
        except Exception as exc:  # noqa: BLE001
            errors.append(f"input: {type(exc).__name__}")
        return tti, False, errors, (context, page)

    outcomes = await asyncio.gather(*(trainee(k) for k in range(trainees)))
    sampler.stop()
    result.server_cpu = server.cpu_seconds() - cpu_before
    for tti, hung, errors, _ in outcomes:
        if tti is not None:
            result.concurrent_tti.append(tti)
        result.hung += int(hung)
        local = [e for e in errors if not e.startswith("external ")]
        result.errors += int(bool(local))
        result.external_failures += int(len(local) < len(errors))
        result.error_samples += errors[:2]
    result.kernels, result.kernel_rss, result.total_pss = sampler.peak_kernels, sampler.peak_rss, sampler.peak_pss
    for _, _, _, (context, page) in outcomes:
        if context is not None:
            try:
                await (close(context, page) if page is not None else context.close())
            except Exception:  # noqa: BLE001
                pass


EXTRA_WORKSHOP_ARGS: list[str] = []
SKIP_DEFAULT = False
CLASS_REFILL_DELAY = 300.0
BEFORE: Path | None = None


def server_commands(hub_pool: int, dso_pool: int | None = None) -> dict[str, tuple[list[str], int, Path, dict]]:
    """name -> (command, "pool is filled" lines to wait for, working folder, environment)."""
    def workshop(tree: Path, label: str):
        dashboards = sorted((tree / "course" / "dashboards").glob("*.ipynb"))
        cmd = [sys.executable, "-m", "kamcourse.cli", "workshop", "--port", "{port}", "--pool-size", str(hub_pool)]
        name = f"{label} (pool {hub_pool})"
        if dso_pool is not None:
            # the instructor's recipe for a class arriving together (README): a pool for the
            # class, refills after the rush
            cmd += ["--pool", f"dso.ipynb={dso_pool}", "--refill-delay", str(CLASS_REFILL_DELAY)]
            name = f"{label} (class: dso pool {dso_pool})"
        pooled = sum(1 for nb in dashboards
                     if (dso_pool if nb.name == "dso.ipynb" and dso_pool is not None else hub_pool) > 0)
        env = {"PYTHONPATH": os.pathsep.join([str(tree), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)} \
            if tree != ROOT else {}
        return name, (cmd + EXTRA_WORKSHOP_ARGS, pooled, tree, env)

    servers: dict[str, tuple[list[str], int, Path, dict]] = {}
    if not SKIP_DEFAULT:
        servers["default Voila"] = ([sys.executable, "-m", "voila", str(DASHBOARDS), "--no-browser",
                                     "--Voila.ip=127.0.0.1", "--port={port}", "--Voila.port_retries=0"], 0, ROOT, {})
    if BEFORE is not None:
        name, spec = workshop(BEFORE, "workshop before")
        servers[name] = spec
    name, spec = workshop(ROOT, "workshop now")
    servers[name] = spec
    return servers


async def run_dashboards(args) -> list[DashboardResult]:
    from playwright.async_api import async_playwright

    commands = server_commands(args.hub_pool_size)
    results = [DashboardResult(name) for name in commands]
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            servers = []
            try:
                for name, (cmd, marks, cwd, env) in commands.items():
                    print(f"[bench] {name}: starting", file=sys.stderr)
                    servers.append(Server(name, cmd, marks, cwd, env))
                print(f"[bench] {args.loads} loads (fresh and second dashboard) and {args.inputs} input changes "
                      "per dashboard each, alternating", file=sys.stderr)
                await measure_interleaved(browser, servers, results, args.loads, args.inputs, args.gap,
                                          args.hang_after)
            finally:
                for server in servers:
                    server.stop()
            if args.concurrent:
                class_commands = server_commands(args.hub_pool_size, args.concurrent_pool_size)
                for (name, spec), result in zip(class_commands.items(), results):
                    print(f"[bench] {name}: {args.concurrent} trainees at once", file=sys.stderr)
                    server = Server(name, *spec)
                    try:
                        await measure_concurrent(browser, server, result, args.concurrent, args.hang_after)
                    finally:
                        server.stop()
        finally:
            await browser.close()
    return results


async def profile_one_load(args) -> None:
    """Print the timeline of one load on each server: where the seconds go."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for name, (cmd, marks, cwd, env) in server_commands(args.hub_pool_size).items():
            server = Server(name, cmd, marks, cwd, env)
            try:
                server.idle()
                context = await browser.new_context()
                page = await context.new_page()
                marks_at: dict[str, float] = {}
                start = time.perf_counter()

                def mark(label: str) -> None:
                    marks_at.setdefault(label, time.perf_counter() - start)

                page.on("response", lambda r: mark("HTML received") if "/voila/render/" in r.url else
                        mark("voila.js received") if r.url.split("?")[0].endswith("/voila/static/voila.js") else
                        mark("first lab extension received") if "/voila/labextensions/" in r.url else None)
                page.on("websocket", lambda ws: mark("kernel websocket opened"))
                await page.goto(server.url("dso"), wait_until="commit")
                await page.wait_for_load_state("domcontentloaded")
                mark("DOM content loaded")
                spec = PAGES["dso"]
                await page.wait_for_function(READY_JS, arg=[spec.result, spec.chart, spec.ready_text],
                                             timeout=120_000, polling="raf")
                mark("result and chart shown")
                resources = await page.evaluate(
                    "(() => { const r = performance.getEntriesByType('resource');"
                    " return [r.filter(e => e.initiatorType === 'script').length,"
                    " r.reduce((a, e) => a + e.transferSize, 0), r.reduce((a, e) => a + e.decodedBodySize, 0)]; })()")
                print(f"\n{name}: one load ({resources[0]} scripts; {resources[1] / 2**20:.2f} MB transferred, "
                      f"{resources[2] / 2**20:.2f} MB decoded)")
                for label, at in sorted(marks_at.items(), key=lambda kv: kv[1]):
                    print(f"  {at:6.2f} s  {label}")
                await close(context, page)
            finally:
                server.stop()
        await browser.close()


# -- charts: how to get a changed chart to the page ------------------------------------------------------

CHART_METHODS = ("new figure + savefig PNG (before)", "in place, Agg PNG (now)", "in place, SVG, glyphs as paths",
                 "in place, SVG, text left to the browser", "ipympl canvas (Agg + PNG diff)")


def chart_inputs(changes: int):
    """(name, chart class, one-off function, data for each change) for the DSO and funnel charts."""
    from kamcourse import charts, dso, funnel
    from kamcourse.views.funnel import DEFAULT_INPUTS

    receivables, sales = dso.seed_example()
    dso_data = [(dso.countback_dso(r, sales), dso.simple_dso(r, sales), "countback")
                for r in (1500 + 10 * (k % 50 + 1) for k in range(changes))]
    forecast = funnel.weighted_forecast(funnel.sample_opportunities(), funnel.DEFAULT_STAGES,
                                        DEFAULT_INPUTS["off_expected"], DEFAULT_INPUTS["threshold"])
    funnel_data = [(forecast, funnel.forecast_gap(forecast.total, 600 + 10 * (k % 50 + 1), 180)) for k in range(changes)]
    return [("DSO", charts.CountbackChart, charts.countback_chart, dso_data),
            ("funnel", charts.FunnelChart, charts.funnel_chart, funnel_data)]


def other_chart_inputs(changes: int):
    """The module notebooks' charts whose inputs a trainee changes: (name, chart class,
    one-off function, data for each change)."""
    from kamcourse import charts, crm, pareto, segmentation

    sales = pareto.sample_sales()
    cuts = [0.6 + 0.3 * (k % 30) / 30 for k in range(changes)]
    accounts = segmentation.sample_accounts()
    annual = crm.sample_annual_sales()
    return [
        ("Pareto (A cut-off)", charts.ParetoChart, charts.pareto_chart,
         [(pareto.pareto(sales, target=a), pareto.abc_classes(sales, a, 0.97)) for a in cuts]),
        ("segmentation (potential cut)", charts.SegmentationChart, charts.segmentation_chart,
         [(segmentation.segment_table(accounts, str(200 + 50 * (k % 30)), "0.3"),) for k in range(changes)]),
        ("care tiers (A threshold)", charts.CareChart, charts.care_chart,
         [(crm.care_plan(annual, a_min=2000 + 50 * (k % 30), b_min=1500),) for k in range(changes)]),
    ]


def run_charts(args) -> dict:
    """ms per change and bytes per image for each way of sending a changed chart."""
    import matplotlib

    results: dict = {}
    for name, chart_class, one_off, data in chart_inputs(args.chart_changes):
        row: dict[str, tuple[list[float], int] | None] = {}

        def timed(step: Callable[[tuple], bytes]) -> tuple[list[float], int]:
            times, size = [], 0
            for item in data:
                started = time.perf_counter()
                size = len(step(item))
                times.append(time.perf_counter() - started)
            return times, size

        def rebuilt(item):  # what the views did before: a new figure, savefig (constrained layout)
            fig = one_off(*item)
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png")
            fig.clear()
            return buffer.getvalue()

        row[CHART_METHODS[0]] = timed(rebuilt)
        live = chart_class()
        live.show(*data[0])
        row[CHART_METHODS[1]] = timed(lambda item: live.render() if live.draw(*item) else b"")
        for method, fonttype in ((CHART_METHODS[2], "path"), (CHART_METHODS[3], "none")):
            svg_chart = chart_class()
            svg_chart.show(*data[0])

            def as_svg(item, chart=svg_chart, fonttype=fonttype):
                chart.draw(*item)
                buffer = io.BytesIO()
                with matplotlib.rc_context({"svg.fonttype": fonttype}):
                    chart.figure.savefig(buffer, format="svg")
                return buffer.getvalue()

            row[method] = timed(as_svg)
        try:
            from ipympl.backend_nbagg import new_figure_manager_given_figure

            ipympl_chart = chart_class()
            ipympl_chart.show(*data[0])
            manager = new_figure_manager_given_figure(1, ipympl_chart.figure)
            manager.refresh_all = lambda: None  # no browser: the diff image is made below
            canvas = manager.canvas
            canvas.draw()
            canvas.get_diff_image()

            def with_ipympl(item, chart=ipympl_chart, canvas=canvas):
                chart.draw(*item)  # the same artists changed in place; ipympl redraws the figure
                canvas.draw()
                return canvas.get_diff_image()  # what ipympl sends: a PNG of the changed pixels

            row[CHART_METHODS[4]] = timed(with_ipympl)
        except ImportError:
            row[CHART_METHODS[4]] = None
        results[name] = row
    for name, chart_class, one_off, data in other_chart_inputs(max(10, args.chart_changes // 3)):
        live = chart_class()
        live.show(*data[-1])
        results[name] = {}
        for method, step in ((CHART_METHODS[0], lambda item: one_off(*item).savefig(io.BytesIO(), format="png")),
                             (CHART_METHODS[1], lambda item: live.show(*item))):
            times = []
            for item in data:
                started = time.perf_counter()
                step(item)
                times.append(time.perf_counter() - started)
            results[name][method] = (times, len(bytes(live.image.value)))
    return results


def print_charts(results: dict, changes: int) -> None:
    print(f"\nCharts: {changes} input changes each, drawn in this process as the kernel draws them "
          "(ms per change; the ratio is against a new figure per change):\n")
    for name, row in results.items():
        base = pct(row[CHART_METHODS[0]][0], 0.5)
        print(f"{name}:")
        for method in CHART_METHODS:
            if method not in row:
                continue
            if row[method] is None:
                print(f"  {method:42s} —  (ipympl not installed: pip install ipympl to include it)")
                continue
            times, size = row[method]
            p50, p95 = pct(times, 0.5), pct(times, 0.95)
            print(f"  {method:42s} p50 {p50 * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms  {size / 1024:6.1f} KB"
                  f"  x{base / p50:4.1f} faster")


# -- memory: what a dashboard kernel is made of ----------------------------------------------------------

MEMORY_STEPS = [
    ("kernel machinery (ipykernel, IPython, zmq, tornado)", "import ipykernel.kernelapp, ipykernel.ipkernel"),
    ("ipykernel's debugger (debugpy)", "import debugpy.server.api"),
    ("ipywidgets", "import ipywidgets"),
    ("numpy", "import numpy"),
    ("Pillow", "import PIL.Image"),
    ("matplotlib (figure, Agg)", "import matplotlib.figure, matplotlib.backends.backend_agg"),
    ("kamcourse (cores, tables, views)", "import kamcourse.views.dso, kamcourse.views.funnel"),
    ("openpyxl (the Excel download)", "import openpyxl"),
    ("the DSO dashboard built and drawn", "from kamcourse.views.dso import dso_dashboard; w = dso_dashboard()"),
    ("ten input changes", "[setattr(w.receivables, 'value', str(1000 + i)) for i in range(10)]"),
]

MEMORY_SCRIPT = r"""
import gc, json, os, sys, time, psutil
steps = json.loads(sys.argv[1])
p = psutil.Process()
out = []
def sample(label, modules):
    m = p.memory_full_info()
    out.append([label, m.rss, m.uss, modules])
sample("python", len(sys.modules))
env = {}
for label, code in steps:
    n = len(sys.modules)
    exec(code, env)
    sample(label, len(sys.modules) - n)
gc.collect(); gc.freeze()
kids = []
for k in range(3):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        v = env["dso_dashboard"]()
        for i in range(10): v.receivables.value = str(1100 + i)
        os.write(w, b"x"); time.sleep(60); os._exit(0)
    os.close(w); os.read(r, 1); kids.append(pid)
forked = []
for pid in kids:
    m = psutil.Process(pid).memory_full_info()
    forked.append([m.rss, m.pss, m.uss])
    os.kill(pid, 9)
    os.waitpid(pid, 0)
print(json.dumps({"steps": out, "forked": forked}))
"""


def run_memory(args) -> dict:
    done = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, json.dumps(MEMORY_STEPS)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        return {"error": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_memory(result: dict) -> None:
    print("\nMemory of a dashboard kernel, import by import (one process; RSS counts shared libraries "
          "in full, USS is what the process alone holds):\n")
    if "error" in result:
        print("  failed: " + result["error"])
        return
    previous = None
    for label, rss, uss, modules in result["steps"]:
        grow = "" if previous is None else f"  +{(rss - previous[0]) / 2**20:5.1f} / +{(uss - previous[1]) / 2**20:5.1f}"
        print(f"  {label:52s} RSS {rss / 2**20:6.1f} MB  USS {uss / 2**20:6.1f} MB{grow}  (+{modules} modules)")
        previous = (rss, uss)
    if result.get("forked"):
        rss, pss, uss = (statistics.median(x[i] for x in result["forked"]) / 2**20 for i in range(3))
        print(f"\n  A kernel forked from a warmed parent (modules imported once, gc.freeze), after building "
              f"its own DSO dashboard and ten changes: RSS {rss:.0f} MB, PSS {pss:.0f} MB, USS {uss:.0f} MB "
              f"(median of {len(result['forked'])}): what sharing the imports between kernels would leave per trainee.")
# -- grading --------------------------------------------------------------------------------------

@dataclass
class GradingResult:
    submissions: int
    report: str = ""
    note: str = ""


def synthetic_answer(item, rng) -> object:
    """A trainee's answer: the key (60 %), blank (10 %) or a plausible wrong one."""
    roll = rng.random()
    if roll < 0.1:
        return ""
    if item.number_key is not None:
        return item.number_key if roll < 0.7 else round(item.number_key * rng.choice([0.5, 0.9, 1.2]), 1)
    key = item.key
    if roll < 0.7 or not key:
        return key
    letters = [chr(ord("A") + i) for i in range(max(len(item.options), 2))]
    if item.type in ("ordering", "matching"):
        wrong = list(key)
        rng.shuffle(wrong)
        return "".join(wrong)
    return "".join(sorted(rng.sample(letters, rng.randint(1, len(letters)))))


def write_class(release: dict, quiz, n: int, folder: Path, seed: int = 5) -> list[str]:
    """``n`` submissions in nbgrader's layout: ``folder/<student>/<quiz>/<quiz>.ipynb``."""
    import random

    rng = random.Random(seed)
    auto = {item.id: item for item in quiz.auto_items}
    students = [f"s{k:03d}" for k in range(1, n + 1)]
    for student in students:
        nb = json.loads(json.dumps(release))
        for cell in nb["cells"]:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
            item_id = grade_id[: -len("_answer")] if grade_id.endswith("_answer") else None
            if item_id is None or cell["cell_type"] != "code":
                continue
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            if item_id in auto:
                value = synthetic_answer(auto[item_id], rng)
                literal = json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)
            else:
                literal = json.dumps("我的看法：大客户需要分级管理。", ensure_ascii=False)
            cell["source"] = re.sub(rf'^answer_{item_id}\s*=.*$', f"answer_{item_id} = {literal}", src, flags=re.M)
        target = folder / student / quiz.id
        target.mkdir(parents=True)
        (target / f"{quiz.id}.ipynb").write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
        (target / "timestamp.txt").write_text("2024-05-01 10:00:00.000000 UTC")
    return students


def run_grading(args) -> GradingResult:
    """``benchmarks/grading.py`` in its own process: ``kamcourse quiz grade`` on a synthetic class of
    the exam quiz with a synthetic instructor kit (its per-stage times), beside one ``nbgrader
    autograde`` for the class with the course's configuration, and their gradebooks compared."""
    cmd = [sys.executable, str(ROOT / "benchmarks" / "grading.py"), "--submissions", str(args.submissions),
           "--nbgrader-class"]
    print(f"[bench] grading: {' '.join(cmd[1:])}", file=sys.stderr)
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    result = GradingResult(args.submissions, report=done.stdout.strip())
    if done.returncode != 0:
        result.note = "the grading benchmark failed: " + done.stderr[-500:]
    return result


# -- report -----------------------------------------------------------------------------------------

def print_table(dash: list[DashboardResult], grading: GradingResult | None, args) -> None:
    print(f"\nMachine: {machine()}")
    if dash:
        if NETWORK is not None:
            print(f"Network: every page through Chromium's emulation of {NETWORK[0]:g} Mbit/s, {NETWORK[1]:g} ms")
        print(f"Loads: {args.loads} fresh and {args.loads} second-dashboard loads per server, alternating between "
              f"the servers, {args.gap:.0f} s apart once the servers are idle; input changes: {args.inputs} per "
              f"dashboard per server, alternating; hung = not interactive within {args.hang_after:.0f} s; "
              "browser and servers share this machine\n")
        header = ["", *[d.name for d in dash]]
        rows = [
            ("TTI fresh browser p50 (target <= 1.3 s)", [fmt_s(pct(d.tti, 0.5)) for d in dash]),
            ("TTI fresh browser p95", [fmt_s(pct(d.tti, 0.95)) for d in dash]),
            ("TTI second dashboard p50 (target <= 1.0 s)", [fmt_s(pct(d.tti_warm, 0.5)) for d in dash]),
            ("TTI second dashboard p95", [fmt_s(pct(d.tti_warm, 0.95)) for d in dash]),
            ("loads not interactive", [str(d.tti_failures) for d in dash]),
            ("DSO input -> chart p50", [fmt_ms(pct(d.input_latency, 0.5)) for d in dash]),
            ("DSO input -> chart p95 (target <= 120 ms)", [fmt_ms(pct(d.input_latency, 0.95)) for d in dash]),
            ("funnel input -> chart p50", [fmt_ms(pct(d.funnel_latency, 0.5)) for d in dash]),
            ("funnel input -> chart p95 (target <= 120 ms)", [fmt_ms(pct(d.funnel_latency, 0.95)) for d in dash]),
            ("idle kernel RSS", [fmt_mb(d.idle_kernel_rss or None) for d in dash]),
        ]
        if any(d.concurrent for d in dash):
            rows += [
                (f"{dash[0].concurrent} at once: pages with errors (target 0)", [str(d.errors) for d in dash]),
                ("  hung pages (target 0)", [str(d.hung) for d in dash]),
                ("  pages with failed internet requests", [str(d.external_failures) for d in dash]),
                ("  TTI p50", [fmt_s(pct(d.concurrent_tti, 0.5)) for d in dash]),
                ("  TTI p95", [fmt_s(pct(d.concurrent_tti, 0.95)) for d in dash]),
                ("  server + kernel CPU during it", [f"{d.server_cpu:.0f} s" for d in dash]),
                ("  peak kernels", [str(d.kernels) for d in dash]),
                ("  peak RSS per kernel", [fmt_mb(d.kernel_rss or None) for d in dash]),
                ("  peak total PSS", [fmt_mb(d.total_pss or None) for d in dash]),
            ]
        widths = [max(len(r[0]) for r in rows)] + [max(len(h), *(len(r[1][i]) for r in rows))
                                                    for i, h in enumerate(header[1:])]
        line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
        print(line(header))
        print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        for label, cells in rows:
            print(line([label, *cells]))
        before = next((d for d in dash if d.name.startswith("workshop before")), None)
        now = next((d for d in dash if d.name.startswith("workshop now")), None)
        if before and now:
            ratios = []
            for label, attr, q in (("TTI fresh p50", "tti", 0.5), ("TTI second dashboard p50", "tti_warm", 0.5),
                                   ("DSO input p95", "input_latency", 0.95), ("funnel input p95", "funnel_latency", 0.95)):
                old, new = pct(getattr(before, attr), q), pct(getattr(now, attr), q)
                if old and new:
                    ratios.append(f"{label} {old / new:.1f}x")
            print("\nNow against before (same run): " + ", ".join(ratios))
        for d in dash:
            if d.error_samples:
                print(f"\n{d.name}: first problems: " + "; ".join(sorted(set(d.error_samples))[:6]))
    if grading is not None:
        print(f"\nGrading {grading.submissions} submissions of the exam quiz (benchmarks/grading.py):")
        if grading.report:
            print("\n".join("  " + line for line in grading.report.splitlines()))
        if grading.note:
            print(f"  {grading.note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["dashboards", "charts", "memory", "grading"], help="run one part")
    parser.add_argument("--quick", action="store_true",
                        help="5 loads, 10 inputs, 10 trainees, 20 submissions, 30 chart changes")
    parser.add_argument("--loads", type=int, default=12)
    parser.add_argument("--inputs", type=int, default=20)
    parser.add_argument("--gap", type=float, default=2.0, help="seconds between loads (after the server is idle)")
    parser.add_argument("--concurrent", type=int, default=30, help="trainees at once (0: skip)")
    parser.add_argument("--hang-after", type=float, default=120.0, help="seconds before a page counts as hung")
    parser.add_argument("--hub-pool-size", type=int, default=2, help="kamcourse workshop --pool-size")
    parser.add_argument("--concurrent-pool-size", type=int, default=30,
                        help="for the concurrent part, restart the workshops with --pool dso.ipynb=N "
                             "(an instructor preparing for the class size)")
    parser.add_argument("--class-refill-delay", type=float, default=300.0,
                        help="--refill-delay of the class restart (--concurrent-pool-size)")
    parser.add_argument("--workshop-arg", action="append", default=[],
                        help="extra option for kamcourse workshop (repeat), e.g. --workshop-arg=--refill-delay=600")
    parser.add_argument("--skip-default", action="store_true", help="leave default Voila out")
    parser.add_argument("--before", default=BEFORE_REV,
                        help="git revision of the 'workshop before' column (default: the commit before issue #10)")
    parser.add_argument("--no-before", action="store_true", help="leave the 'workshop before' column out")
    parser.add_argument("--chart-changes", type=int, default=100, help="input changes per chart in --only charts")
    parser.add_argument("--network", metavar="MBIT/MS",
                        help="emulate a network for every page, e.g. 10/20 (10 Mbit/s, 20 ms): a trainee's "
                             "share of a room's Wi-Fi; default: loopback")
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--profile", action="store_true", help="print one load's timeline per server and stop")
    parser.add_argument("--json", type=Path, help="also write the raw samples here")
    args = parser.parse_args(argv)
    if args.quick:
        args.loads, args.inputs, args.concurrent, args.submissions = 5, 10, min(args.concurrent, 10), 20
        args.concurrent_pool_size = min(args.concurrent_pool_size or 0, 10) or None
        args.chart_changes = min(args.chart_changes, 30)
    EXTRA_WORKSHOP_ARGS[:] = args.workshop_arg
    global SKIP_DEFAULT, CLASS_REFILL_DELAY, BEFORE, NETWORK
    if args.network:
        mbit, _, latency = args.network.partition("/")
        NETWORK = (float(mbit), float(latency or 0))
    SKIP_DEFAULT = args.skip_default
    CLASS_REFILL_DELAY = args.class_refill_delay
    print(f"[bench] {machine()}", file=sys.stderr)
    wants = (lambda part: args.only in (None, part))  # noqa: E731
    if (wants("dashboards") or args.profile) and not args.no_before:
        BEFORE = before_tree(args.before)
    try:
        if args.profile:
            asyncio.run(profile_one_load(args))
            return 0
        chart_results = run_charts(args) if wants("charts") else None
        memory = run_memory(args) if wants("memory") else None
        dash = asyncio.run(run_dashboards(args)) if wants("dashboards") else []
        grading = None
        if wants("grading"):
            try:
                grading = run_grading(args)
            except Exception as exc:  # noqa: BLE001 - the other tables still print
                grading = GradingResult(args.submissions, note=f"not measured: {type(exc).__name__}: {exc}"[:300])
    finally:
        if BEFORE is not None:
            shutil.rmtree(BEFORE, ignore_errors=True)
    if chart_results is not None:
        print_charts(chart_results, args.chart_changes)
    if memory is not None:
        print_memory(memory)
    print_table(dash, grading, args)
    if args.json:
        args.json.write_text(json.dumps({
            "machine": machine(),
            "dashboards": [d.__dict__ for d in dash],
            "charts": chart_results,
            "memory": memory,
            "grading": grading.__dict__ if grading else None,
        }, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
