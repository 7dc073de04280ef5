"""The dashboards as a trainee uses them: Voila (flags of ``kamcourse serve``) + headless Chromium.

Each test opens its own page, so its own kernel. Screenshots go to
test-artifacts/screenshots/ for a human to look at.

Chromium: ``KAMCOURSE_CHROMIUM`` or /usr/bin/chromium when present, else the browser that
``playwright install chromium`` downloaded.
"""

from __future__ import annotations

import re

import pytest

from conftest import ROOT
from helpers import CHROMIUM_ARGS, browser_page, chromium_path
from voila_server import VoilaServer

from kamcourse import dso, funnel
from kamcourse.views.funnel import DEFAULT_INPUTS

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
# The tall viewport lets a screenshot show the whole dashboard (Voila scrolls inside the page).
# Voila needs about 5 s on two idle cores before the widgets appear; the machine is shared.
LOAD_TIMEOUT_MS = 180_000
STEP_TIMEOUT_MS = 60_000
SOURCE_MARKERS = ("from kamcourse", "dso_dashboard()", "funnel_dashboard()")


@pytest.fixture(scope="module")
def server():
    with VoilaServer(ROOT / "course" / "dashboards") as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, server):
    with browser_page(browser, STEP_TIMEOUT_MS) as opened:
        yield opened


def open_dashboard(page, server, notebook: str, ready_selector: str, ready_text: str):
    page.goto(server.url_for(notebook), timeout=LOAD_TIMEOUT_MS)
    expect(page.locator(ready_selector)).to_contain_text(ready_text, timeout=LOAD_TIMEOUT_MS)


def type_into(page, selector: str, text: str) -> None:
    """Type into a text widget and commit (the widgets update on Enter / leaving the box)."""
    box = page.locator(selector)
    box.fill(text)
    box.press("Enter")


def upload(page, selector: str, name: str, data: bytes) -> None:
    """Pick a file in a FileUpload widget.

    ipywidgets 8 keeps its ``<input type=file>`` out of the DOM and clicks it from the
    button, so the file is given through the file chooser the click opens.
    """
    with page.expect_file_chooser() as chooser:
        page.locator(selector).click()
    chooser.value.set_files(files=[{"name": name, "mimeType": "text/csv", "buffer": data}])


def assert_no_source_or_traceback(page) -> None:
    html = page.content()
    text = page.locator("body").inner_text()
    assert "Traceback" not in html and "Traceback" not in text
    for marker in SOURCE_MARKERS:
        assert marker not in html, f"Python source visible in the page: {marker!r}"
    assert page.page_errors == []


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def chart_src(page, selector: str) -> str:
    return page.locator(selector).get_attribute("src") or ""


# ---------------------------------------------------------------------------
# DSO


def test_dso_dashboard_computes_explains_and_refuses_bad_input(page, server):
    open_dashboard(page, server, "dso.ipynb", ".kc-dso-result", "倒算法 DSO = 75.5 天")
    expect(page.locator(".kc-dso-chart")).to_have_attribute("src", re.compile(r"^blob:|^data:"))
    # the chart's text alternative states the result and the months counted
    expect(page.locator(".kc-dso-chart")).to_have_attribute(
        "title", re.compile(r"^图：倒算法：DSO = 75\.5 天.*计入 3 个月：2012-04 计 30 天"))
    expect(page.locator(".kc-dso-result")).to_contain_text("截至 2012-04-30")
    expect(page.get_by_text("应收账款余额（万元）")).to_be_visible()
    screenshot(page, "dso_default.png")
    assert_no_source_or_traceback(page)

    # March's sales 500 -> 400: the core's answer, and a new chart.
    _, sales = dso.seed_example()
    expected = dso.countback_dso(1500, {**sales, "2012-03": 400}).days
    before = chart_src(page, ".kc-dso-chart")
    type_into(page, ".kc-dso-months .kc-row >> nth=1 >> .kc-cell-sales input", "400")
    expect(page.locator(".kc-dso-result")).to_contain_text(f"DSO = {expected:.1f} 天")
    expect(page.locator(".kc-dso-chart")).not_to_have_attribute("src", before)
    expect(page.locator(".kc-dso-chart")).to_have_attribute("title", re.compile(rf"DSO = {expected:.1f} 天"))

    # Simple method: the window is named.
    page.locator(".kc-dso-method button", has_text="简单平均法").click()
    expect(page.locator(".kc-dso-result")).to_contain_text("窗口 2012-01 至 2012-04，共 121 天")
    screenshot(page, "dso_simple_method.png")

    # Bad input: the message in Chinese, the last result kept, what was typed kept.
    shown = page.locator(".kc-dso-result").inner_text()
    type_into(page, ".kc-dso-receivables input", "abc")
    expect(page.locator(".kc-dso-error")).to_contain_text("应收账款：“abc” 不是数字")
    expect(page.locator(".kc-dso-receivables input")).to_have_value("abc")
    assert page.locator(".kc-dso-result").inner_text() == shown
    type_into(page, ".kc-dso-receivables input", "-10")
    expect(page.locator(".kc-dso-error")).to_contain_text("应收账款：不能为负数")
    screenshot(page, "dso_bad_input.png")
    assert_no_source_or_traceback(page)


def test_dso_dashboard_uses_an_uploaded_csv(page, server):
    open_dashboard(page, server, "dso.ipynb", ".kc-dso-result", "75.5 天")
    before = chart_src(page, ".kc-dso-chart")
    months = {"2024-01": 800.0, "2024-02": 700.0, "2024-03": 600.0}
    data = ("月份,销售额\n" + "".join(f"{m},{s:g}\n" for m, s in months.items())).encode("utf-8")
    upload(page, ".kc-dso-upload", "客户B.csv", data)
    expected = dso.countback_dso(1500, months)
    assert not expected.exhausted
    headline = f"DSO = {expected.days:.1f} 天"
    expect(page.locator(".kc-dso-result")).to_contain_text(headline)
    expect(page.locator(".kc-dso-error")).to_contain_text("已读入“客户B.csv”")
    expect(page.locator(".kc-dso-months .kc-cell-month input").first).to_have_value("2024-03")
    expect(page.locator(".kc-dso-chart")).not_to_have_attribute("src", before)

    upload(page, ".kc-dso-upload", "wrong.csv", b"customer,amount\nA,1\n")
    expect(page.locator(".kc-dso-error")).to_contain_text("上传文件：“wrong.csv” 缺少列")
    expect(page.locator(".kc-dso-result")).to_contain_text(headline)
    screenshot(page, "dso_uploaded.png")
    assert_no_source_or_traceback(page)


# ---------------------------------------------------------------------------
# Funnel


def sample_forecast(opportunities=None) -> funnel.Forecast:
    return funnel.weighted_forecast(
        opportunities if opportunities is not None else funnel.sample_opportunities(),
        funnel.DEFAULT_STAGES,
        DEFAULT_INPUTS["off_expected"],
        DEFAULT_INPUTS["threshold"],
    )


def test_funnel_dashboard_computes_and_refuses_bad_input(page, server):
    forecast = sample_forecast()
    open_dashboard(page, server, "funnel.ipynb", ".kc-funnel-forecast", f"{forecast.total:,.1f} 万元")
    progress = funnel.sales_progress(
        forecast.total, DEFAULT_INPUTS["forecast_last_week"], DEFAULT_INPUTS["booked_this_week"],
        DEFAULT_INPUTS["booked_last_week"], DEFAULT_INPUTS["quota"], DEFAULT_INPUTS["off_booked"],
    )
    expect(page.locator(".kc-funnel-progress")).to_contain_text(f"{progress.progress:.1%}")
    expect(page.locator(".kc-funnel-chart")).to_have_attribute("src", re.compile(r"^blob:|^data:"))
    screenshot(page, "funnel_default.png")
    assert_no_source_or_traceback(page)

    # A bigger first opportunity: the core's new forecast and a new chart.
    opportunities = funnel.sample_opportunities()
    first = opportunities[0]
    opportunities[0] = funnel.Opportunity(first.name, 100, first.stage)
    changed = sample_forecast(opportunities)
    before = chart_src(page, ".kc-funnel-chart")
    type_into(page, ".kc-funnel-opportunities .kc-row >> nth=0 >> .kc-cell-amount input", "100")
    expect(page.locator(".kc-funnel-forecast")).to_contain_text(f"{changed.total:,.1f} 万元")
    expect(page.locator(".kc-funnel-chart")).not_to_have_attribute("src", before)
    expect(page.locator(".kc-funnel-chart")).to_have_attribute(
        "title", re.compile(re.escape(f"销售预计 {changed.total:,.1f} 万元")))

    # A bad quota: the message in Chinese, the last figures kept.
    shown = page.locator(".kc-funnel-result").inner_text()
    type_into(page, ".kc-funnel-quota input", "abc")
    expect(page.locator(".kc-funnel-error")).to_contain_text("本季度销售任务：“abc” 不是数字")
    assert page.locator(".kc-funnel-result").inner_text() == shown
    expect(page.locator(".kc-funnel-quota input")).to_have_value("abc")
    screenshot(page, "funnel_bad_input.png")
    assert_no_source_or_traceback(page)


def test_funnel_dashboard_uses_an_uploaded_csv(page, server):
    open_dashboard(page, server, "funnel.ipynb", ".kc-funnel-forecast", "万元")
    rows = [("甲项目", 100.0, "商务谈判"), ("乙项目", 40.0, "赢单待签"), ("丙项目", 3.0, "初步接触")]
    data = ("机会名称,金额,阶段\n" + "".join(f"{n},{a:g},{s}\n" for n, a, s in rows)).encode("utf-8")
    upload(page, ".kc-funnel-upload", "opps.csv", data)
    expected = sample_forecast([funnel.Opportunity(*row) for row in rows])
    expect(page.locator(".kc-funnel-forecast")).to_contain_text(f"{expected.total:,.1f} 万元")
    expect(page.locator(".kc-funnel-opportunities .kc-row")).to_have_count(len(rows))
    expect(page.locator(".kc-funnel-error")).to_contain_text("已读入“opps.csv”")
    screenshot(page, "funnel_uploaded.png")
    assert_no_source_or_traceback(page)
