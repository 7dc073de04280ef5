"""``kamcourse workshop``: the landing page, token / password, stripped sources, a live dashboard.

The server tests start the real command on loopback (a free port) with the course's own
dashboards and talk to it over HTTP and through headless Chromium.
"""

from __future__ import annotations

import http.cookiejar
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from helpers import CHROMIUM_ARGS, chromium_path, free_port, stop_process

from kamcourse import cli, hub, hub_web

ROOT = Path(__file__).resolve().parent.parent
DASHBOARDS = ROOT / "course" / "dashboards"
TOKEN = "kc-test-token-3141"
PASSWORD = "课堂口令-2718"


# -- pure parts ----------------------------------------------------------------------

def test_every_course_dashboard_is_listed_with_a_chinese_title_and_description():
    found = {d.path: d for d in hub.list_dashboards(DASHBOARDS)}
    assert {"dso.ipynb", "funnel.ipynb"} <= set(found)
    for dashboard in found.values():
        assert re.search(r"[\u4e00-\u9fff]", dashboard.title), dashboard
        assert dashboard.description and len(dashboard.description) <= 60, dashboard
        assert "#" not in dashboard.title and "**" not in dashboard.description


def test_title_and_description_come_from_metadata_first(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kamcourse"] = {"title": "元数据标题", "description": "元数据说明"}
    nb.cells = [nbformat.v4.new_markdown_cell("# 标题\n\n说明。")]
    nbformat.write(nb, tmp_path / "a.ipynb")
    nb2 = nbformat.v4.new_notebook()
    nb2.cells = [nbformat.v4.new_markdown_cell("## 第二个 **计算器**\n\n第一句。第二句。")]
    nbformat.write(nb2, tmp_path / "b.ipynb")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    nbformat.write(nb2, tmp_path / ".ipynb_checkpoints" / "b-checkpoint.ipynb")
    assert hub.list_dashboards(tmp_path) == [
        hub.Dashboard("a.ipynb", "元数据标题", "元数据说明"),
        hub.Dashboard("b.ipynb", "第二个 计算器", "第一句。"),
    ]


def test_the_hook_gives_the_list_to_the_landing_page_only():
    hook = hub.LandingPageHook(DASHBOARDS)
    assert {d["path"] for d in hook({}, notebook_path="")[hub.PAGE_CONFIG_KEY]} >= {"dso.ipynb", "funnel.ipynb"}
    assert hub.PAGE_CONFIG_KEY not in hook({}, notebook_path="dso.ipynb")


def test_voila_configuration_has_the_workshop_settings():
    c = hub.voila_config(hub.WorkshopOptions(directory=DASHBOARDS, ip="0.0.0.0", port=9000, token="t",
                                             pool_size=3, cull_idle=300))
    vc = c.VoilaConfiguration
    assert (vc.preheat_kernel, vc.default_pool_size) == (True, 3)
    assert (vc.strip_sources, vc.show_tracebacks, vc.file_allowlist) == (True, False, [])
    assert vc.template == hub.TEMPLATE_NAME and vc.classic_tree is True
    assert c.MappingKernelManager.cull_idle_timeout == 300
    assert (c.Voila.ip, c.Voila.port, c.Voila.token) == ("0.0.0.0", 9000, "t")
    no_pool = hub.voila_config(hub.WorkshopOptions(directory=DASHBOARDS, pool_size=0, cull_idle=0))
    assert "preheat_kernel" not in no_pool.VoilaConfiguration
    assert "cull_idle_timeout" not in no_pool.MappingKernelManager


def test_one_dashboard_can_get_a_bigger_pool_for_a_whole_class():
    pools = hub.parse_pools(["dso.ipynb=30", "funnel=0"], DASHBOARDS)
    assert pools == {"dso.ipynb": 30, "funnel.ipynb": 0}
    c = hub.voila_config(hub.WorkshopOptions(directory=DASHBOARDS, pool_size=2, pools=pools))
    assert c.VoilaKernelManager.kernel_pools_config == {
        "default": {"pool_size": 2}, "dso.ipynb": {"pool_size": 30}, "funnel.ipynb": {"pool_size": 0}}
    with pytest.raises(SystemExit):
        hub.parse_pools(["dso.ipynb=many"], DASHBOARDS)


def test_pooled_kernels_are_prepared_a_few_at_a_time_in_arrival_order():
    import asyncio

    state = {"running": 0, "peak": 0, "finished": []}

    def fake_factory(base_class, preheat_kernel, default_pool_size, page_config_hook=None):
        class FakeKernelManager(base_class):
            async def _initialize(self, notebook_path, kernel_id=None, **kwargs):
                async def run_notebook():  # what Voila's task does: run the dashboard
                    state["running"] += 1
                    state["peak"] = max(state["peak"], state["running"])
                    await asyncio.sleep(0.02)
                    state["running"] -= 1
                    state["finished"].append(notebook_path)

                return {"task": asyncio.get_running_loop().create_task(run_notebook()), "kernel_id": notebook_path}

        return FakeKernelManager

    manager_class = hub.paced_factory(fake_factory, 2)(object, True, 1)
    assert hub.paced_factory(fake_factory, 2)(object, False, 0).__name__ == "FakeKernelManager"

    async def scenario():
        km = manager_class()
        names = [f"k{i}" for i in range(8)]
        contents = await asyncio.gather(*(km._initialize(name) for name in names))
        assert [c["kernel_id"] for c in contents] == names
        assert all(c["task"].done() for c in contents)  # handed out once the notebook has run

    asyncio.run(scenario())
    assert state["peak"] == 2
    assert state["finished"] == [f"k{i}" for i in range(8)]


@pytest.mark.parametrize(
    ("path", "versioned", "expected"),
    [
        ("/voila/labextensions/x/static/remoteEntry.c8c9eed2cdefdeac.js", False, "public, max-age=31536000, immutable"),
        ("/voila/labextensions/x/static/704.js", True, "public, max-age=31536000, immutable"),
        ("/voila/static/5764.voila.js", False, f"public, max-age={hub_web.STATIC_MAX_AGE}"),
        ("/voila/static/voila.js", False, f"public, max-age={hub_web.STATIC_MAX_AGE}"),
    ],
)
def test_static_files_with_a_content_hash_are_cached_for_good(path, versioned, expected):
    assert hub_web.cache_control(path, versioned) == expected


def test_a_page_never_waits_out_a_refills_delay():
    import asyncio

    async def scenario():
        prepared = []

        async def prepare(name):
            prepared.append(name)
            return name

        loop = asyncio.get_running_loop()
        waiting = loop.create_task(hub.wait_unless_taken(300, prepare("waiting")))
        await asyncio.sleep(0.05)
        assert prepared == []  # still in its refill delay
        hub.take(waiting)  # a page comes for it
        assert await asyncio.wait_for(waiting, 5) == "waiting"
        early = loop.create_task(hub.wait_unless_taken(300, prepare("early")))
        hub.take(early)  # taken before its delay even began
        assert await asyncio.wait_for(early, 5) == "early"
        started = time.monotonic()
        assert await hub.wait_unless_taken(0.2, prepare("untaken")) == "untaken"
        assert time.monotonic() - started >= 0.2  # nobody took it: the delay holds

    asyncio.run(scenario())


def test_password_is_stored_hashed():
    c = hub.voila_config(hub.WorkshopOptions(directory=DASHBOARDS, password=PASSWORD))
    hashed = c.PasswordIdentityProvider.hashed_password
    assert PASSWORD not in hashed and hashed.startswith(("argon2:", "sha1:"))
    from jupyter_server.auth.security import passwd_check

    assert passwd_check(hashed, PASSWORD)


def test_the_template_is_packaged_and_in_chinese():
    folder = hub.TEMPLATE_ROOT / "voila" / "templates" / hub.TEMPLATE_NAME
    assert (folder / "conf.json").is_file()
    tree = (folder / "tree.html").read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in tree and "计算器" in tree
    assert "cdn.jsdelivr.net" not in (folder / "index.html.j2").read_text(encoding="utf-8").split("-#}", 1)[1]


def test_workshop_is_a_kamcourse_subcommand(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["workshop", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for option in ("--ip", "--port", "--token", "--password", "--pool-size", "--cull-idle"):
        assert option in out


# -- the real server -----------------------------------------------------------------

class Workshop:
    """``kamcourse workshop`` running in a subprocess on loopback."""

    def __init__(self, *extra: str, log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        cmd = [sys.executable, "-m", "kamcourse.cli", "workshop", "--ip", "127.0.0.1",
               "--port", str(self.port), *extra]
        self._log_file = open(log, "wb")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=self._log_file, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"workshop server exited: {log.read_text(errors='replace')}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("workshop server did not start within 60 s")

    def stop(self) -> None:
        stop_process(self.proc, 20, whole_group=False)  # Voila shuts its kernels down on SIGTERM
        self._log_file.close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, opener=None, data: dict | None = None) -> tuple[int, str, dict]:
    opener = opener or urllib.request.build_opener(NoRedirect)
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(url, data=body, timeout=60) as resp:
            return resp.status, resp.read().decode("utf-8", "replace"), dict(resp.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace"), dict(err.headers)


CERTIFICATES: dict[str, str] = {}


@pytest.fixture(scope="module")
def workshop(tmp_path_factory):
    from datetime import date

    from kamcourse import certificates as cert

    folder = tmp_path_factory.mktemp("hub")
    issued = cert.Records(folder / "certificates").issue(
        cert.TraineeResults("t01", "欧阳明月", 82.0, {"m1_mindset": 90.0}, 75.0), date(2026, 12, 1), cert.Thresholds())
    CERTIFICATES["code"] = issued.code
    server = Workshop("--token", TOKEN, "--pool-size", "1", "--certificates", str(folder / "certificates"),
                      log=folder / "workshop.log")
    yield server
    server.stop()


@pytest.mark.slow
def test_the_certificate_page_verifies_a_real_code_and_refuses_a_forged_one(workshop):
    assert fetch(f"{workshop.base}/certificates/verify")[0] in (302, 403)  # the room's login first
    status, page, _ = fetch(f"{workshop.base}/certificates/verify?token={TOKEN}")
    assert status == 200 and "结业证书验证" in page and "查无此证书" not in page
    code = CERTIFICATES["code"]
    status, page, _ = fetch(f"{workshop.base}/certificates/verify?token={TOKEN}&code={code.lower()}")
    assert status == 200 and "有效：欧阳明月于 2026-12-01 取得" in page
    forged = "KC-AAAA-AAAA-AAAA" if code != "KC-AAAA-AAAA-AAAA" else "KC-BBBB-BBBB-BBBB"
    status, page, _ = fetch(f"{workshop.base}/certificates/verify?token={TOKEN}&code={forged}")
    assert status == 200 and "查无此证书" in page and "有效" not in page
    status, page, _ = fetch(f"{workshop.base}/certificates/verify?token={TOKEN}&code=%3Cscript%3E")
    assert "<script>" not in page and "格式不对" in page
    status, landing, _ = fetch(f"{workshop.base}/?token={TOKEN}")
    assert f'href="/certificates/verify?token={TOKEN}"' in landing


@pytest.mark.slow
def test_the_landing_page_needs_the_token(workshop):
    status, _, headers = fetch(workshop.base + "/")
    assert status in (302, 403) and ("/login" in headers.get("Location", "") or status == 403)
    assert fetch(workshop.base + "/?token=wrong")[0] in (302, 403)
    assert fetch(workshop.base + "/voila/render/dso.ipynb")[0] in (302, 403)


@pytest.mark.slow
def test_the_landing_page_lists_both_dashboards_in_chinese(workshop):
    status, page, _ = fetch(f"{workshop.base}/?token={TOKEN}")
    assert status == 200
    assert 'lang="zh-CN"' in page
    for dashboard in hub.list_dashboards(DASHBOARDS):
        assert dashboard.title in page
        assert f'href="/voila/render/{dashboard.path}?token={TOKEN}"' in page


@pytest.mark.slow
def test_the_token_also_works_as_a_room_password_in_the_login_form(workshop):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    status, form, _ = fetch(workshop.base + "/login", opener)
    xsrf = next((c.value for c in jar if c.name == "_xsrf"), None)
    assert status == 200 and xsrf
    assert fetch(workshop.base + "/login", opener, {"password": "wrong", "_xsrf": xsrf})[0] != 302
    status, _, headers = fetch(workshop.base + "/login?next=%2F", opener, {"password": TOKEN, "_xsrf": xsrf})
    assert status == 302
    status, page, _ = fetch(workshop.base + "/", opener)
    assert status == 200 and "DSO" in page


@pytest.mark.slow
def test_sources_and_tracebacks_are_not_sent(workshop):
    status, page, _ = fetch(f"{workshop.base}/voila/render/dso.ipynb?token={TOKEN}")
    assert status == 200
    assert "dso_dashboard()" not in page and "import dso_dashboard" not in page
    assert "Traceback" not in page
    # no file under the dashboards folder is served
    assert fetch(f"{workshop.base}/voila/files/dso.ipynb?token={TOKEN}")[0] == 403


@pytest.mark.slow
def test_scripts_come_compressed_and_cacheable(workshop):
    import gzip

    opener = urllib.request.build_opener(NoRedirect)
    opener.addheaders = [("Accept-Encoding", "gzip")]
    with opener.open(f"{workshop.base}/voila/static/voila.js?token={TOKEN}", timeout=60) as resp:
        body, headers = resp.read(), resp.headers
    assert headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in headers["Vary"]
    assert headers["Cache-Control"] == f"public, max-age={hub_web.STATIC_MAX_AGE}"
    plain = urllib.request.urlopen(f"{workshop.base}/voila/static/voila.js?token={TOKEN}", timeout=60).read()
    assert gzip.decompress(body) == plain and len(body) < len(plain) / 2
    # the browser's revalidation after the hour: 304 on the same ETag
    request = urllib.request.Request(f"{workshop.base}/voila/static/voila.js?token={TOKEN}",
                                     headers={"Accept-Encoding": "gzip", "If-None-Match": headers["Etag"]})
    try:
        urllib.request.urlopen(request, timeout=60)
        status = 200
    except urllib.error.HTTPError as err:
        status = err.code
    assert status == 304


@pytest.mark.slow
def test_the_dashboard_page_sets_the_cookie_its_shutdown_beacon_needs(workshop):
    """What the page does on ``beforeunload``: post /voila/api/shutdown/<kernel> with the
    _xsrf cookie's value. Without the cookie Voila answered 403 and the kernel lingered."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    status, page, _ = fetch(f"{workshop.base}/voila/render/dso.ipynb?token={TOKEN}", opener)
    assert status == 200
    kernel = re.search(r'"kernelId": "([0-9a-f-]+)"', page).group(1)
    xsrf = next((c.value for c in jar if c.name == "_xsrf"), None)
    assert xsrf, "the page set no _xsrf cookie"
    assert fetch(f"{workshop.base}/api/kernels/{kernel}?token={TOKEN}", opener)[0] == 200
    status, _, _ = fetch(f"{workshop.base}/voila/api/shutdown/{kernel}", opener, {"_xsrf": xsrf})
    assert status == 204
    status, _, _ = fetch(f"{workshop.base}/api/kernels/{kernel}?token={TOKEN}", opener)
    assert status == 404  # gone, not waiting for the culler


@pytest.mark.slow
def test_the_load_driver_speaks_the_protocol_of_a_dashboard_page(workshop):
    """benchmarks/load.py's simulated trainee: page, websocket, widget state, two inputs with
    the results checked against the core, and the kernel given back on leaving."""
    import asyncio

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import load

    async def trainee():
        t = load.Trainee(0, workshop.base, TOKEN, load.SCENARIOS["dso.ipynb"], timeout=60)
        await t.open()
        await t.change(0)
        await t.change(1)
        await t.leave()
        return t

    t = asyncio.run(trainee())
    assert t.result.opened and t.result.changes == 2
    assert (t.result.lost, t.result.errors, len(t.result.latencies)) == (0, [], 2)
    assert fetch(f"{workshop.base}/api/kernels/{t.kernel_id}?token={TOKEN}")[0] == 404


@pytest.mark.slow
@pytest.mark.browser
def test_a_dashboard_opens_from_the_landing_page_and_reacts(workshop):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{workshop.base}/?token={TOKEN}")
            page.click("a[data-path='dso.ipynb']")
            headline = page.locator(".kc-dso-result .kc-result-headline")
            headline.wait_for(timeout=60_000)
            assert "75.5" in headline.inner_text()
            page.locator(".kc-dso-chart img, img.kc-dso-chart").first.wait_for(timeout=30_000)
            before = headline.inner_text()
            box = page.locator(".kc-dso-receivables input")
            box.fill("800")
            box.press("Enter")
            page.wait_for_function(
                "b => document.querySelector('.kc-dso-result .kc-result-headline').innerText !== b",
                arg=before, timeout=30_000,
            )
            assert "75.5" not in headline.inner_text()
            assert "from kamcourse" not in page.content()
        finally:
            browser.close()


@pytest.mark.slow
def test_a_trainee_after_the_pool_gets_a_kernel_without_the_refill_delay(tmp_path):
    server = Workshop("--pool-size", "0", "--pool", "dso.ipynb=1", "--refill-delay", "600",
                      log=tmp_path / "workshop.log")
    try:
        deadline = time.monotonic() + 120
        while "Kernel pool of dso.ipynb is filled" not in server.log.read_text(errors="replace"):
            assert time.monotonic() < deadline, "the pool was not filled"
            time.sleep(0.5)
        for _ in range(2):  # the second page takes the refill that would wait 600 s
            started = time.monotonic()
            status, page, _ = fetch(server.base + "/voila/render/dso.ipynb")
            assert status == 200 and "kernelId" in page
            assert time.monotonic() - started < 90
    finally:
        server.stop()


@pytest.mark.slow
def test_password_mode_uses_the_login_form_only(tmp_path):
    server = Workshop("--password", PASSWORD, "--pool-size", "0", log=tmp_path / "workshop.log")
    try:
        assert fetch(server.base + "/")[0] == 302
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
        fetch(server.base + "/login", opener)
        xsrf = next(c.value for c in jar if c.name == "_xsrf")
        assert fetch(server.base + "/login", opener, {"password": "猜的", "_xsrf": xsrf})[0] != 302
        assert fetch(server.base + "/login", opener, {"password": PASSWORD, "_xsrf": xsrf})[0] == 302
        status, page, _ = fetch(server.base + "/", opener)
        assert status == 200 and "销售漏斗" in page
        assert PASSWORD not in server.log.read_text(encoding="utf-8", errors="replace")
    finally:
        server.stop()
