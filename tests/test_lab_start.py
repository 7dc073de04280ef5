"""`kamcourse start` opens JupyterLab in Simplified Chinese on the course's start page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT
from helpers import CHROMIUM_ARGS, chromium_path, free_port, stop_process
from kamcourse.cli import LOCALE_PLUGIN, START_PAGE, ensure_chinese_locale, lab_command, trainee_config_path

ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
def test_ensure_chinese_locale_keeps_other_overrides(tmp_path):
    overrides = tmp_path / "overrides.json"
    overrides.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}))
    ensure_chinese_locale(overrides)
    settings = json.loads(overrides.read_text(encoding="utf-8"))
    assert settings[LOCALE_PLUGIN] == {"locale": "zh_CN"}
    assert settings["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}


def test_ensure_chinese_locale_repairs_a_corrupt_overrides_file(tmp_path):
    overrides = tmp_path / "overrides.json"
    overrides.write_text("{not json")
    ensure_chinese_locale(overrides)
    assert json.loads(overrides.read_text(encoding="utf-8"))[LOCALE_PLUGIN]["locale"] == "zh_CN"


def test_lab_command_opens_the_start_page_and_passes_options_through():
    cmd = lab_command(True, 9999, "127.0.0.1", ["--ServerApp.open_browser=False"])
    assert START_PAGE in cmd and "--no-browser" in cmd and "--port=9999" in cmd
    assert cmd[-1] == "--ServerApp.open_browser=False"


def test_trainees_get_the_trainee_role_settings_first():
    path = trainee_config_path({"JUPYTER_CONFIG_PATH": "/elsewhere"})
    first, rest = path.split(os.pathsep, 1)
    assert Path(first) == ROOT / "deploy" / "jupyterhub" / "roles" / "trainee"
    assert (Path(first) / "labconfig" / "page_config.json").is_file()
    assert rest == "/elsewhere"
    assert trainee_config_path({}) == first


def test_the_chinese_language_pack_is_installed():
    out = subprocess.run(
        [sys.executable, "-m", "jupyter", "labextension", "list"], capture_output=True, text=True, check=False
    )
    from importlib.metadata import distribution

    assert distribution("jupyterlab-language-pack-zh-CN")
    assert out.returncode == 0


@pytest.mark.browser
@pytest.mark.slow
def test_start_opens_jupyterlab_in_chinese_on_the_start_page(tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    port, token = free_port(), "kamcourse-test-token"
    kamcourse = Path(sys.executable).parent / "kamcourse"
    log = (tmp_path / "lab.log").open("wb")
    proc = subprocess.Popen(
        [str(kamcourse), "start", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={token}"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "JUPYTER_PLATFORM_DIRS": "1"},
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    output = (tmp_path / "lab.log").read_text(errors="replace")[-3000:]
                    raise AssertionError(f"JupyterLab did not start:\n{output}")
                time.sleep(0.5)
        with playwright.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"http://127.0.0.1:{port}/lab/tree/{START_PAGE}?token={token}", timeout=90_000)
            # The menu bar is translated: 文件 (File), 编辑 (Edit), 帮助 (Help).
            page.get_by_role("menuitem", name="文件").wait_for(timeout=90_000)
            assert page.get_by_role("menuitem", name="帮助").is_visible()
            # The start page is open in the main area (its name also sits in hidden side panels).
            page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text="00_start.ipynb").wait_for(timeout=60_000)
            heading = page.locator(".jp-MarkdownCell h1").first
            heading.wait_for(timeout=90_000)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in heading.inner_text())
            # The file browser shows the course folders beside the open start page.
            page.locator(".jp-DirListing-item", has_text="dashboards").first.wait_for(timeout=60_000)
            # Trainees do not get nbgrader's instructor tools (as on JupyterHub).
            assert page.get_by_text("Create Assignment").count() == 0
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/formgrader?token={token}", timeout=10)
            assert refused.value.code == 404
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "jupyterlab-start-page.png"))
            browser.close()
    finally:
        stop_process(proc, 20)
        log.close()
