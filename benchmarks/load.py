"""Load driver: simulated trainees speaking Jupyter's kernel protocol to ``kamcourse workshop``.

Each simulated trainee does what a dashboard page does in the browser, without a browser:

1. ``GET /voila/render/<dashboard>`` (the page: Voila hands it a preheated kernel and
   writes the kernel's id into the page);
2. opens the kernel's websocket (``/api/kernels/<id>/channels``, protocol
   ``v1.kernel.websocket.jupyter.org``, as JupyterLab's services do), sends
   ``kernel_info_request``, opens a ``jupyter.widget.control`` comm and asks for every
   widget's state (``request_states``), as ipywidgets' manager does;
3. every 5-10 s (``--interval``) types a new number into one input: the ``submit`` event
   and the ``update`` of the Text widget's value, the two comm messages a browser sends
   on Enter; it then waits for the result's and the chart's ``update`` messages and
   checks the result against the course's own calculation;
4. leaves: closes the websocket and posts ``/voila/api/shutdown/<kernel>`` with the
   ``_xsrf`` cookie, as the page's ``beforeunload`` handler does.

Measured, per number of trainees (``--trainees 10,25,50,100``, one stage after another
against the same server): errors, lost updates (no new chart, or a wrong result, within
``--timeout``), the latency from sending the input message to receiving the new chart's
message (p50 / p95 / max, measured at the client on the loopback interface, i.e. the
server's and kernel's time plus two local hops), CPU seconds of the server and its
kernels per trainee-minute, and memory per trainee (the PSS of a kernel, which shares the
common libraries out fairly, plus the server's growth divided by the trainees).
The knee is the first stage whose p95 exceeds ``--p95-limit`` (500 ms) or that loses
updates.

``--browsers 5`` first runs the same changes in 5 headless Chromium pages (Playwright) and
the driver with 5 trainees, and prints both latencies side by side: the browser's time
from its websocket frame with the input to the frame with the chart, against the driver's.

    .venv/bin/python benchmarks/load.py --quick                     # 5 and 10 trainees, 40 s each
    .venv/bin/python benchmarks/load.py --trainees 10,25,50,75,100  # the capacity table (~25 min)
    .venv/bin/python benchmarks/load.py --browsers 5 --trainees 5   # the driver against real browsers
    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:8866 --token abc   # a running server

Without ``--url`` the driver starts ``kamcourse workshop`` on a free loopback port with the
class recipe of the README (``--pool <dashboard>=N --refill-delay 600``, N the largest
stage), waits until the pool is warm and stops it at the end. Only loopback addresses
are accepted; every loop is bounded (number of changes, timeouts). ``--json FILE`` keeps
the raw samples. Nothing here asserts: it measures and prints.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import machine  # noqa: E402 - one description of the machine for every benchmark
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from helpers import CHROMIUM_ARGS, chromium_path, free_port, stop_process  # noqa: E402 - the tests' setup

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench import pct  # noqa: E402 - one percentile for both benchmarks

PROTOCOL = "v1.kernel.websocket.jupyter.org"
CONTROL_TARGET = "jupyter.widget.control"
CONTROL_PROTOCOL_VERSION = "1.0.0"  # ipywidgets' control comm, as its front end sends it


# -- what to type into which dashboard ---------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    """One input of a dashboard, the result and chart it changes, and the expected result."""

    dashboard: str
    input_class: str
    result_class: str
    chart_class: str
    value: Callable[[int, int], str]  # (trainee, change) -> text typed; never repeats for a trainee
    expected: Callable[[str], str]  # text typed -> text the result must contain


def _dso_expected(typed: str) -> str:
    from kamcourse import dso

    receivables, sales = dso.seed_example()
    result = dso.countback_dso(typed, sales)
    return f"DSO 超过 {result.window_days} 天" if result.exhausted else f"DSO = {result.days:.1f} 天"


def _funnel_expected(typed: str) -> str:
    from kamcourse import funnel
    from kamcourse.views.funnel import DEFAULT_INPUTS

    forecast = funnel.weighted_forecast(funnel.sample_opportunities(), funnel.DEFAULT_STAGES,
                                        DEFAULT_INPUTS["off_expected"], DEFAULT_INPUTS["threshold"])
    progress = funnel.sales_progress(forecast.total, DEFAULT_INPUTS["forecast_last_week"],
                                     DEFAULT_INPUTS["booked_this_week"], DEFAULT_INPUTS["booked_last_week"],
                                     typed, DEFAULT_INPUTS["off_booked"])
    return f"{progress.progress:.1%}"


SCENARIOS = {
    # receivables within the window's sales (countback ends inside the window); ".5" never
    # equals the opening 1500 and 101 steps modulo 2200 do not repeat for a trainee
    "dso.ipynb": Scenario("dso.ipynb", "kc-dso-receivables", "kc-dso-result", "kc-dso-chart",
                          lambda trainee, k: f"{200 + (37 * trainee + 101 * k) % 2200}.5", _dso_expected),
    "funnel.ipynb": Scenario("funnel.ipynb", "kc-funnel-quota", "kc-funnel-result", "kc-funnel-chart",
                             lambda trainee, k: str(400 + trainee + 300 * (k + 1)), _funnel_expected),
}


# -- the kernel protocol ---------------------------------------------------------------------------------

def pack(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def frame(channel: str, msg_type: str, content: dict, session: str, metadata: dict | None = None) -> tuple[str, bytes]:
    """A websocket frame (protocol v1) carrying one message to the kernel; returns (msg_id, frame)."""
    from jupyter_server.services.kernels.connection.base import serialize_msg_to_ws_v1

    msg_id = uuid.uuid4().hex
    header = {"msg_id": msg_id, "msg_type": msg_type, "username": "load", "session": session,
              "date": datetime.now(timezone.utc).isoformat(), "version": "5.4"}
    return msg_id, serialize_msg_to_ws_v1([pack(header), pack({}), pack(metadata or {}), pack(content)], channel)


def parse(data: bytes | str) -> tuple[str, dict, list[bytes]]:
    """(channel, message, buffers) of a frame from the server."""
    if isinstance(data, str):  # the JSON protocol (a server without v1)
        msg = json.loads(data)
        return msg.get("channel", ""), msg, []
    from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1

    channel, parts = deserialize_msg_from_ws_v1(data)
    msg = {"header": json.loads(parts[0]), "parent_header": json.loads(parts[1]),
           "metadata": json.loads(parts[2]), "content": json.loads(parts[3])}
    return channel, msg, list(parts[4:])


def check_loopback(url: str) -> None:
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError as err:
        raise SystemExit(f"load.py: cannot resolve {host}: {err}") from None
    if not addresses or not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
        raise SystemExit(f"load.py: {url} is not a loopback address; this driver only talks to this machine")


class PageError(Exception):
    """A trainee's page could not be opened or used (counted as an error)."""


@dataclass
class TraineeResult:
    opened: bool = False
    open_s: float | None = None
    changes: int = 0
    latencies: list[float] = field(default_factory=list)  # input message -> chart message
    result_latencies: list[float] = field(default_factory=list)  # input message -> result message
    lost: int = 0
    errors: list[str] = field(default_factory=list)


class Trainee:
    """One simulated dashboard page."""

    def __init__(self, number: int, base: str, token: str | None, scenario: Scenario, timeout: float):
        self.number, self.base, self.token, self.scenario, self.timeout = number, base.rstrip("/"), token, scenario, timeout
        self.session = uuid.uuid4().hex
        self.cookies: dict[str, str] = {}
        self.kernel_id = ""
        self.ws = None
        self.result = TraineeResult()
        self.models: dict[str, dict] = {}
        self._waiters: list[tuple[Callable[[str, dict, list], bool], asyncio.Future]] = []
        self._reader: asyncio.Task | None = None

    # -- HTTP ------------------------------------------------------------------------------
    def _query(self) -> str:
        return f"?{urllib.parse.urlencode({'token': self.token})}" if self.token else ""

    def _cookie_header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def _keep_cookies(self, response) -> None:
        for header in response.headers.get_list("Set-Cookie"):
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    async def _http(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        from tornado.httpclient import AsyncHTTPClient, HTTPRequest

        request = HTTPRequest(self.base + path, method=method, body=body, follow_redirects=False,
                              headers={**self._cookie_header(), **(headers or {})},
                              request_timeout=self.timeout, connect_timeout=self.timeout)
        response = await AsyncHTTPClient().fetch(request, raise_error=False)
        self._keep_cookies(response)
        return response

    # -- the page ----------------------------------------------------------------------------
    async def open(self) -> None:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        started = time.perf_counter()
        page = await self._http("GET", f"/voila/render/{urllib.parse.quote(self.scenario.dashboard)}{self._query()}")
        if page.code != 200:
            raise PageError(f"page HTTP {page.code}")
        html = page.body.decode("utf-8", "replace")
        match = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S)
        if not match:
            raise PageError("no jupyter-config-data in the page")
        self.kernel_id = json.loads(match.group(1)).get("kernelId") or ""
        if not self.kernel_id:
            raise PageError("no kernel id in the page")
        ws_url = (self.base.replace("http", "ws", 1) + f"/api/kernels/{self.kernel_id}/channels"
                  f"?session_id={self.session}" + (f"&token={urllib.parse.quote(self.token)}" if self.token else ""))
        self.ws = await asyncio.wait_for(websocket_connect(
            HTTPRequest(ws_url, headers=self._cookie_header()), subprotocols=[PROTOCOL],
            max_message_size=64 * 2**20), self.timeout)
        self._reader = asyncio.get_running_loop().create_task(self._read())
        _, info = frame("shell", "kernel_info_request", {}, self.session)
        reply = self._expect(lambda ch, m, b: m["header"]["msg_type"] == "kernel_info_reply")
        await self.ws.write_message(info, binary=True)
        await self._wait(reply, "kernel_info_reply")
        control = uuid.uuid4().hex
        states = self._expect(lambda ch, m, b: m["header"]["msg_type"] == "comm_msg"
                              and m["content"].get("data", {}).get("method") == "update_states")
        for msg_type, content, metadata in (
                ("comm_open", {"comm_id": control, "target_name": CONTROL_TARGET, "data": {}},
                 {"version": CONTROL_PROTOCOL_VERSION}),
                ("comm_msg", {"comm_id": control, "data": {"method": "request_states"}}, {})):
            await self.ws.write_message(frame("shell", msg_type, content, self.session, metadata)[1], binary=True)
        _, msg, _ = await self._wait(states, "update_states")
        await self.ws.write_message(frame("shell", "comm_close", {"comm_id": control, "data": {}}, self.session)[1],
                                    binary=True)
        self.models = msg["content"]["data"]["states"]
        self.result.open_s = time.perf_counter() - started
        self.result.opened = True

    def model_with_class(self, css_class: str) -> str:
        found = [mid for mid, m in self.models.items() if css_class in (m.get("state", {}).get("_dom_classes") or ())]
        if len(found) != 1:
            raise PageError(f"{len(found)} widgets with class {css_class}")
        return found[0]

    async def change(self, k: int) -> None:
        """Type the k-th value into the input and wait for the new result and chart."""
        s = self.scenario
        box, result_id, chart_id = (self.model_with_class(c) for c in (s.input_class, s.result_class, s.chart_class))
        typed = s.value(self.number, k)

        def update_of(model_id: str, key: str):
            """Matches the kernel's ``update`` of ``key`` (in the state, or as a binary buffer)."""
            def matches(channel: str, m: dict, buffers: list) -> bool:
                if m["header"]["msg_type"] != "comm_msg" or m["content"].get("comm_id") != model_id:
                    return False
                data = m["content"].get("data") or {}
                return data.get("method") == "update" and (
                    key in (data.get("state") or {}) or [key] in (data.get("buffer_paths") or []))
            return matches

        result_msg = self._expect(update_of(result_id, "value"))
        chart_msg = self._expect(update_of(chart_id, "value"))
        self.result.changes += 1
        sent = time.perf_counter()
        for content in ({"method": "custom", "content": {"event": "submit"}},
                        {"method": "update", "state": {"value": typed}, "buffer_paths": []}):
            await self.ws.write_message(frame("shell", "comm_msg", {"comm_id": box, "data": content}, self.session)[1],
                                        binary=True)
        try:
            _, msg, _ = await self._wait(result_msg, "result")
            self.result.result_latencies.append(time.perf_counter() - sent)
            await self._wait(chart_msg, "chart")
            self.result.latencies.append(time.perf_counter() - sent)
        except PageError:
            self.result.lost += 1
            return
        expected = s.expected(typed)
        if expected not in msg["content"]["data"]["state"]["value"]:
            self.result.lost += 1
            self.result.errors.append(f"typed {typed}: result without {expected!r}")

    async def leave(self) -> None:
        if self.ws is not None:
            self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
        if self.kernel_id:  # what the page's beforeunload beacon sends
            body = urllib.parse.urlencode({"_xsrf": self.cookies.get("_xsrf", "")}).encode()
            try:
                response = await self._http("POST", f"/voila/api/shutdown/{self.kernel_id}", body,
                                            {"Content-Type": "application/x-www-form-urlencoded"})
                if response.code not in (200, 204):
                    self.result.errors.append(f"shutdown HTTP {response.code}")
            except Exception as exc:  # noqa: BLE001 - recorded, the run goes on
                self.result.errors.append(f"shutdown: {type(exc).__name__}")

    # -- messages ----------------------------------------------------------------------------
    def _expect(self, matches) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self._waiters.append((matches, future))
        return future

    async def _wait(self, future: asyncio.Future, what: str):
        try:
            return await asyncio.wait_for(future, self.timeout)
        except asyncio.TimeoutError:
            raise PageError(f"no {what} within {self.timeout:.0f} s") from None
        finally:
            self._waiters = [(m, f) for m, f in self._waiters if f is not future]

    async def _read(self) -> None:
        while True:
            data = await self.ws.read_message()
            if data is None:
                for _, future in self._waiters:
                    if not future.done():
                        future.set_exception(PageError("websocket closed"))
                return
            channel, msg, buffers = parse(data)
            if msg.get("header", {}).get("msg_type") == "stream" and msg["content"].get("name") == "stderr":
                text = msg["content"].get("text", "")
                if "No such comm" not in text:  # the browser's control comm gets the same line
                    self.result.errors.append(f"kernel stderr: {text[:120]}"); print(text, file=sys.stderr) if os.environ.get("LOAD_DEBUG") else None
            for matches, future in list(self._waiters):
                if not future.done() and matches(channel, msg, buffers):
                    future.set_result((channel, msg, buffers))


# -- the server -------------------------------------------------------------------------------------------

class Workshop:
    """``kamcourse workshop`` on a free loopback port, in its own process group."""

    def __init__(self, dashboard: str, pool: int, extra: list[str]):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="load-workshop-", suffix=".log", delete=False)
        cmd = [sys.executable, "-m", "kamcourse.cli", "workshop", "--ip", "127.0.0.1", "--port", str(self.port),
               "--pool-size", "1", "--pool", f"{dashboard}={pool}", "--refill-delay", "600", *extra]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        self.pool, self.dashboard = pool, dashboard

    def log_text(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        want = f"Kernel pool of {self.dashboard} is filled with {self.pool} kernel"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"workshop exited:\n{self.log_text()[-2000:]}")
            if want in self.log_text():
                return
            time.sleep(1.0)
        raise SystemExit(f"workshop pool not warm after {timeout:.0f} s:\n{self.log_text()[-2000:]}")

    def stop(self) -> None:
        stop_process(self.proc, 60, whole_group=False)
        self.log.close()
        if not os.environ.get("KAMCOURSE_BENCH_KEEP_LOGS"):
            Path(self.log.name).unlink(missing_ok=True)


def server_pid(url: str) -> int | None:
    """The pid listening on the URL's port (for CPU and memory), if it is ours to read."""
    import psutil

    port = urllib.parse.urlsplit(url).port
    try:
        for conn in psutil.net_connections("tcp"):
            if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN and conn.pid:
                return conn.pid
    except psutil.Error:
        return None
    return None


class Meter:
    """CPU time and memory of the server process and its kernels."""

    def __init__(self, pid: int | None):
        self.pid = pid

    def processes(self):
        import psutil

        if self.pid is None:
            return []
        try:
            server = psutil.Process(self.pid)
            return [server, *server.children(recursive=True)]
        except psutil.Error:
            return []

    def cpu(self) -> float:
        import psutil

        total = 0.0
        for proc in self.processes():
            try:
                times = proc.cpu_times()
                total += times.user + times.system + times.children_user + times.children_system
            except psutil.Error:
                pass
        return total

    def memory(self) -> dict:
        """PSS of the server process, and RSS/PSS/USS of each kernel."""
        import psutil

        out = {"server_pss": 0.0, "kernels": 0, "kernel_rss": [], "kernel_pss": [], "kernel_uss": []}
        for proc in self.processes():
            try:
                info = proc.memory_full_info()
                is_kernel = "ipykernel" in " ".join(proc.cmdline() or [])
            except psutil.Error:
                continue
            if proc.pid == self.pid:
                out["server_pss"] = getattr(info, "pss", info.rss)
            if is_kernel:
                out["kernels"] += 1
                out["kernel_rss"].append(info.rss)
                out["kernel_pss"].append(getattr(info, "pss", info.rss))
                out["kernel_uss"].append(getattr(info, "uss", info.rss))
        return out


# -- a stage: N trainees ------------------------------------------------------------------------------------

@dataclass
class Stage:
    trainees: int
    opened: int = 0
    open_s: list[float] = field(default_factory=list)
    changes: int = 0
    latencies: list[float] = field(default_factory=list)
    result_latencies: list[float] = field(default_factory=list)
    lost: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    minutes: float = 0.0
    cpu_s: float = 0.0
    pss_per_trainee: float | None = None
    kernel_rss: float | None = None
    kernel_pss: float | None = None
    kernel_uss: float | None = None
    load_before: float = 0.0


async def run_stage(n: int, base: str, token: str | None, scenario: Scenario, args, meter: Meter) -> Stage:
    stage = Stage(n, load_before=os.getloadavg()[0])
    baseline = meter.memory()
    trainees = [Trainee(i, base, token, scenario, args.timeout) for i in range(n)]
    gate = asyncio.Semaphore(max(1, args.open_at_once))

    async def open_one(t: Trainee):
        async with gate:
            try:
                await t.open()
            except Exception as exc:  # noqa: BLE001 - counted as an error of this page
                t.result.errors.append(f"open: {type(exc).__name__}: {exc}"[:160])

    print(f"[load] {n} trainees: opening {scenario.dashboard} ({args.open_at_once} at a time)", file=sys.stderr)
    await asyncio.gather(*(open_one(t) for t in trainees))
    opened = [t for t in trainees if t.result.opened]
    memory = meter.memory()  # every page open, before the changes start
    cpu_before = meter.cpu()
    started = time.perf_counter()
    changes_each = max(1, int(args.duration // args.interval[0]) + 1)
    print(f"[load] {n} trainees: {len(opened)} open; changing inputs for {args.duration:.0f} s", file=sys.stderr)

    async def work(t: Trainee):
        rng = random.Random(t.number)
        await asyncio.sleep(rng.uniform(0, args.interval[1]))  # the class does not type in step
        for k in range(changes_each):  # bounded
            if time.perf_counter() - started > args.duration:
                break
            try:
                await t.change(k)
            except Exception as exc:  # noqa: BLE001
                t.result.errors.append(f"change: {type(exc).__name__}: {exc}"[:160])
                t.result.lost += 1
            await asyncio.sleep(rng.uniform(*args.interval))

    await asyncio.gather(*(work(t) for t in opened))
    stage.minutes = (time.perf_counter() - started) / 60
    stage.cpu_s = meter.cpu() - cpu_before
    await asyncio.gather(*(t.leave() for t in trainees))
    for t in trainees:
        r = t.result
        stage.opened += int(r.opened)
        if r.open_s is not None:
            stage.open_s.append(r.open_s)
        stage.changes += r.changes
        stage.latencies += r.latencies
        stage.result_latencies += r.result_latencies
        stage.lost += r.lost
        stage.errors += int(bool(r.errors) or not r.opened)
        stage.error_samples += r.errors[:2]
    if meter.pid is not None and opened and memory["kernel_rss"]:
        # each page holds one kernel (the pooled ones are alike) plus its share of what
        # the server grew by while the pages opened
        stage.kernel_rss = statistics.median(memory["kernel_rss"])
        stage.kernel_pss = statistics.median(memory["kernel_pss"])
        stage.kernel_uss = statistics.median(memory["kernel_uss"])
        stage.pss_per_trainee = stage.kernel_pss + max(memory["server_pss"] - baseline["server_pss"], 0.0) / len(opened)
    return stage


# -- browsers, for the comparison -----------------------------------------------------------------------------

async def browser_latencies(base: str, token: str | None, scenario: Scenario, pages: int, args) -> tuple[list[float], int]:
    """The same changes in real Chromium pages: websocket frame with the input -> frame with the chart."""
    from playwright.async_api import async_playwright

    from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1

    latencies: list[float] = []
    problems = 0
    query = f"?{urllib.parse.urlencode({'token': token})}" if token else ""
    url = f"{base}/voila/render/{urllib.parse.quote(scenario.dashboard)}{query}"

    def classify(payload) -> str | None:
        if isinstance(payload, str):
            return None
        try:
            _, parts = deserialize_msg_from_ws_v1(payload)
            content = json.loads(parts[3])
        except Exception:  # noqa: BLE001 - not a kernel message we know
            return None
        data = content.get("data") or {}
        if data.get("method") == "update" and "value" in (data.get("state") or {}) and len(parts) == 4:
            return "input" if content.get("comm_id") else None
        if data.get("method") == "update" and [["value"]] == data.get("buffer_paths"):
            return "chart"
        return None

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            async def one(number: int):
                nonlocal problems
                context = await browser.new_context()
                page = await context.new_page()
                events: list[tuple[str, float]] = []

                def on_ws(ws):
                    ws.on("framesent", lambda f: events.append(("sent", time.perf_counter())) if classify(f) == "input" else None)
                    ws.on("framereceived", lambda f: events.append(("chart", time.perf_counter())) if classify(f) == "chart" else None)

                page.on("websocket", on_ws)
                try:
                    await page.goto(url, timeout=args.timeout * 1000)
                    chart = page.locator(f"img.{scenario.chart_class}")
                    await chart.wait_for(timeout=args.timeout * 1000)
                    box = page.locator(f".{scenario.input_class} input")
                    rng = random.Random(1000 + number)
                    await asyncio.sleep(rng.uniform(0, args.interval[1]))
                    started = time.perf_counter()
                    for k in range(max(1, int(args.duration // args.interval[0]) + 1)):
                        if time.perf_counter() - started > args.duration:
                            break
                        before = await chart.get_attribute("src")
                        events.clear()
                        await box.fill(scenario.value(500 + number, k))
                        await box.press("Enter")
                        await page.wait_for_function(
                            "([sel, src]) => { const i = document.querySelector(sel); return i && i.src !== src; }",
                            arg=[f"img.{scenario.chart_class}", before], timeout=args.timeout * 1000)
                        sent = next((t for e, t in events if e == "sent"), None)
                        got = next((t for e, t in events if e == "chart"), None)
                        if sent is not None and got is not None and got >= sent:
                            latencies.append(got - sent)
                        else:
                            problems += 1
                        await asyncio.sleep(rng.uniform(*args.interval))
                except Exception:  # noqa: BLE001 - counted
                    problems += 1
                finally:
                    await page.close(run_before_unload=True)
                    await context.close()

            await asyncio.gather(*(one(i) for i in range(pages)))
        finally:
            await browser.close()
    return latencies, problems


# -- report ------------------------------------------------------------------------------------------------------

def fmt_ms(value: float | None) -> str:
    return "—" if value is None else f"{value * 1000:.0f}"


def fmt_mb(value: float | None) -> str:
    return "—" if value is None else f"{value / 2**20:.0f}"


def print_table(stages: list[Stage], args, scenario: Scenario, machine: str) -> None:
    print(f"\nLoad: {scenario.dashboard}, one change every {args.interval[0]:g}-{args.interval[1]:g} s per trainee "
          f"for {args.duration:.0f} s per stage, after every page is open; latency = input message sent -> new "
          f"chart's message received (loopback). Machine: {machine}.\n")
    header = ["trainees", "open", "changes", "errors", "lost", "p50 ms", "p95 ms", "max ms", "result p95 ms",
              "CPU s / trainee-min", "CPU use", "PSS MB / trainee", "kernel RSS / PSS / USS MB", "load before"]
    rows = []
    for s in stages:
        cpu_per = s.cpu_s / (s.trainees * s.minutes) if s.minutes and s.trainees else None
        rows.append([
            str(s.trainees), f"{s.opened}", str(s.changes), str(s.errors), str(s.lost),
            fmt_ms(pct(s.latencies, 0.5)), fmt_ms(pct(s.latencies, 0.95)), fmt_ms(max(s.latencies, default=None)),
            fmt_ms(pct(s.result_latencies, 0.95)),
            "—" if cpu_per is None else f"{cpu_per:.2f}",
            "—" if not s.minutes else f"{s.cpu_s / (s.minutes * 60) / (os.cpu_count() or 1):.0%}",
            fmt_mb(s.pss_per_trainee),
            f"{fmt_mb(s.kernel_rss)} / {fmt_mb(s.kernel_pss)} / {fmt_mb(s.kernel_uss)}",
            f"{s.load_before:.1f}",
        ])
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    line = lambda cells: "| " + " | ".join(c.rjust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))
    knee = next((s for s in stages if s.lost or s.errors or (pct(s.latencies, 0.95) or 0) > args.p95_limit / 1000), None)
    if knee is None:
        print(f"\nNo knee up to {stages[-1].trainees if stages else 0} trainees "
              f"(every stage: p95 <= {args.p95_limit:.0f} ms, nothing lost, no errors).")
    else:
        print(f"\nKnee: {knee.trainees} trainees (p95 {fmt_ms(pct(knee.latencies, 0.95))} ms, "
              f"{knee.lost} lost, {knee.errors} pages with errors; limit p95 {args.p95_limit:.0f} ms).")
    for s in stages:
        if s.error_samples:
            print(f"  {s.trainees} trainees, first problems: " + "; ".join(sorted(set(s.error_samples))[:5]))


async def main_async(args) -> int:
    from tornado.httpclient import AsyncHTTPClient

    AsyncHTTPClient.configure(None, max_clients=64)
    scenario = SCENARIOS[args.dashboard]
    server = None
    base = args.url
    if base is None:
        largest = max(args.trainees + ([args.browsers] if args.browsers else []))
        server = Workshop(args.dashboard, largest, args.workshop_arg)
        base = server.url
        print(f"[load] starting kamcourse workshop on {base} (pool {args.dashboard}={largest}); "
              "waiting for the pool", file=sys.stderr)
        await asyncio.get_running_loop().run_in_executor(None, server.wait_ready, args.warm_timeout)
    check_loopback(base)
    meter = Meter(server.proc.pid if server else server_pid(base))
    stages: list[Stage] = []
    comparison = None
    try:
        if args.browsers:
            print(f"[load] {args.browsers} browser pages", file=sys.stderr)
            browser, problems = await browser_latencies(base, args.token, scenario, args.browsers, args)
            driver = await run_stage(args.browsers, base, args.token, scenario, args, meter)
            comparison = (browser, problems, driver)
        for n in args.trainees:
            await asyncio.sleep(args.settle)  # kernels of the last stage shut down, CPU quiet
            stages.append(await run_stage(n, base, args.token, scenario, args, meter))
    finally:
        if server is not None:
            server.stop()
    print_table(stages, args, scenario, machine())
    if comparison is not None:
        browser, problems, driver = comparison
        print(f"\nDriver against real browsers, {args.browsers} trainees each, input message -> chart message "
              "(ms, p50 / p95 / n):")
        print(f"  Chromium pages (websocket frames seen by the page): {fmt_ms(pct(browser, 0.5))} / "
              f"{fmt_ms(pct(browser, 0.95))} / {len(browser)}" + (f", {problems} problems" if problems else ""))
        print(f"  load driver:                                        {fmt_ms(pct(driver.latencies, 0.5))} / "
              f"{fmt_ms(pct(driver.latencies, 0.95))} / {len(driver.latencies)}")
    if args.json:
        args.json.write_text(json.dumps({
            "machine": machine(), "dashboard": args.dashboard,
            "stages": [s.__dict__ for s in stages],
            "browser_comparison": None if comparison is None else {
                "browser": comparison[0], "problems": comparison[1], "driver": comparison[2].latencies},
        }, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


def parse_interval(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    return float(low), float(high or low)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running workshop on this machine (default: start one)")
    parser.add_argument("--token", help="the workshop's --token")
    parser.add_argument("--dashboard", choices=sorted(SCENARIOS), default="dso.ipynb")
    parser.add_argument("--trainees", type=lambda s: [int(x) for x in s.split(",") if x], default=[10, 25, 50, 75, 100],
                        help="stages, e.g. 10,25,50,100")
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of input changes per stage")
    parser.add_argument("--interval", type=parse_interval, default=(5.0, 10.0), help="seconds between changes, e.g. 5-10")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a reply counts as lost")
    parser.add_argument("--open-at-once", type=int, default=4, help="pages opening at the same time")
    parser.add_argument("--settle", type=float, default=10.0, help="seconds of rest before each stage")
    parser.add_argument("--warm-timeout", type=float, default=1800.0, help="seconds to wait for the started server's pool")
    parser.add_argument("--p95-limit", type=float, default=500.0, help="ms; the knee is the first stage above it")
    parser.add_argument("--browsers", type=int, default=0, help="also compare with N real browser pages")
    parser.add_argument("--workshop-arg", action="append", default=[], help="extra option for the started workshop")
    parser.add_argument("--quick", action="store_true", help="stages 5,10 of 40 s")
    parser.add_argument("--json", type=Path, help="also write the raw samples here")
    args = parser.parse_args(argv)
    if args.quick:
        args.trainees, args.duration = [5, 10], 40.0
    if any(n <= 0 for n in args.trainees):
        parser.error("--trainees must be positive")
    print(f"[load] {machine()}", file=sys.stderr)
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
