"""Accessibility of the workshop: axe-core (WCAG 2 A and AA rules) on the landing page and
on every dashboard, and every control reachable and usable from the keyboard.

The pages are served by the real ``kamcourse workshop`` and opened in headless Chromium.
axe-core comes from npm, installed by ``./kc test`` into ``.kamcourse/node`` (like the
JupyterHub proxy). The audit is parametrised over ``course/dashboards/*.ipynb``: a new
dashboard is audited without touching this file.
"""

from __future__ import annotations

import os
import re

import pytest

from conftest import ROOT
from helpers import browser_page
from test_dashboards_browser import browser  # noqa: F401 - the browser tests' Chromium fixture
from test_hub import Workshop

from kamcourse import dso, funnel, hub
from kamcourse.views.funnel import DEFAULT_INPUTS

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

AXE = ROOT / ".kamcourse" / "node" / "node_modules" / "axe-core" / "axe.min.js"
#: axe-core's tags for the WCAG 2.0 and 2.1 success criteria of levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DASHBOARDS = [d.path for d in hub.list_dashboards(ROOT / hub.DASHBOARD_DIR)]
LOAD_TIMEOUT_MS = 180_000

#: Resolves once the page has widgets and nothing in it has changed for a second (the
#: widgets are drawn, the images decoded); gives up after ``timeout`` ms.
SETTLED_JS = """(timeout) => new Promise((resolve, reject) => {
  const start = Date.now();
  let last = Date.now();
  const observer = new MutationObserver(() => { last = Date.now(); });
  observer.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
  const check = () => {
    const widgets = document.querySelectorAll('.jupyter-widgets').length > 0;
    const images = Array.from(document.images).every(i => i.complete);
    if (widgets && images && Date.now() - last > 1000) { observer.disconnect(); resolve(true); }
    else if (Date.now() - start > timeout) { observer.disconnect(); reject(new Error('page not settled')); }
    else setTimeout(check, 100);
  };
  check();
})"""

#: Every control a trainee can operate, visible on the page.
CONTROLS_JS = """() => Array.from(document.querySelectorAll(
    'input:not([type=hidden]), select, textarea, button, a[href], summary, [tabindex]:not([tabindex="-1"])'))
  .filter(e => !e.disabled && e.offsetParent !== null && e.getClientRects().length > 0)"""


def axe_source() -> str:
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail("axe-core is missing (./kc test should have installed it)")
        pytest.skip("axe-core (npm) is missing: run ./kc test once to install it")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def workshop(tmp_path_factory):
    server = Workshop("--pool-size", "1", log=tmp_path_factory.mktemp("a11y") / "workshop.log")
    yield server
    server.stop()


@pytest.fixture
def page(browser):
    with browser_page(browser) as opened:
        yield opened


def open_page(page, workshop, dashboard: str | None) -> None:
    url = workshop.base + ("/" if dashboard is None else f"/voila/render/{dashboard}")
    page.goto(url, timeout=LOAD_TIMEOUT_MS)
    if dashboard is not None:
        page.evaluate(SETTLED_JS, LOAD_TIMEOUT_MS)


def violations(page) -> list[dict]:
    page.add_script_tag(content=axe_source())
    return page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
             .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary.replace(/\\s+/g, ' '))})))""",
        WCAG_TAGS,
    )


def report(found: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"][:5]) for v in found)


@pytest.mark.parametrize("dashboard", [None, *DASHBOARDS], ids=["landing page", *DASHBOARDS])
def test_axe_finds_no_wcag_a_or_aa_violation(page, workshop, dashboard):
    open_page(page, workshop, dashboard)
    found = violations(page)
    assert found == [], "axe-core (WCAG 2 A/AA) violations:\n" + report(found)
    assert page.page_errors == []


def test_the_audit_fails_on_a_violation(page, workshop):
    # Guards the test above: an image without a text alternative and an unnamed drop-down
    # are reported (what the dashboards had before).
    open_page(page, workshop, None)
    page.evaluate("""() => {
        const img = document.createElement('img'); img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
        const select = document.createElement('select'); select.appendChild(document.createElement('option'));
        document.body.append(img, select);
    }""")
    assert {"image-alt", "select-name"} <= {v["id"] for v in violations(page)}


@pytest.mark.parametrize("dashboard", DASHBOARDS)
def test_every_control_is_reachable_with_the_tab_key(page, workshop, dashboard):
    open_page(page, workshop, dashboard)
    total = page.evaluate(f"() => ({CONTROLS_JS})().map((e, i) => {{ e.dataset.kcControl = i; return i; }}).length")
    assert total > 0
    page.locator("body").click(position={"x": 1, "y": 1})  # start from the top of the page
    reached: set[str] = set()
    for _ in range(total + 20):  # bounded: every control once, plus the page's own stops
        page.keyboard.press("Tab")
        index = page.evaluate("() => document.activeElement && document.activeElement.dataset.kcControl")
        if index is not None:
            reached.add(index)
    missing = page.evaluate(
        "(reached) => Array.from(document.querySelectorAll('[data-kc-control]'))"
        ".filter(e => !reached.includes(e.dataset.kcControl)).map(e => e.outerHTML.slice(0, 120))",
        sorted(reached),
    )
    assert missing == [], f"{len(missing)} of {total} controls cannot be reached with Tab: {missing[:5]}"


def test_the_dso_calculator_works_from_the_keyboard(page, workshop):
    open_page(page, workshop, "dso.ipynb")
    result = page.locator(".kc-dso-result")
    box = page.locator(".kc-dso-receivables input")
    box.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("1200")
    page.keyboard.press("Enter")
    expected = dso.countback_dso(1200, dso.seed_example()[1])
    expect(result).to_contain_text(f"DSO = {expected.days:.1f} 天")
    chart = page.locator("img.kc-dso-chart")
    expect(chart).to_have_attribute("title", _starts_with(f"图：倒算法：DSO = {expected.days:.1f} 天"))
    page.locator(".kc-dso-method button", has_text="简单平均法").focus()
    page.keyboard.press("Space")
    expect(result).to_contain_text("简单平均法 DSO")
    expect(chart).to_have_attribute("title", _starts_with("图：简单平均法"))
    page.locator(".kc-dso-months .kc-row-add").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".kc-dso-months .kc-row")).to_have_count(5)
    with page.expect_file_chooser():
        page.locator(".kc-dso-upload").focus()
        page.keyboard.press("Enter")
    assert page.page_errors == []


def test_the_funnel_stages_are_chosen_with_the_keyboard(page, workshop):
    open_page(page, workshop, "funnel.ipynb")
    stage = page.locator(".kc-funnel-opportunities .kc-row >> nth=0 >> .kc-cell-stage select")
    expect(stage).to_have_attribute("title", "阶段（第 1 行）")
    before = stage.input_value()
    stage.focus()
    page.keyboard.press("ArrowDown")
    after = stage.input_value()
    assert after != before
    opportunities = funnel.sample_opportunities()
    first = opportunities[0]
    opportunities[0] = funnel.Opportunity(first.name, first.amount, after)
    forecast = funnel.weighted_forecast(opportunities, funnel.DEFAULT_STAGES, DEFAULT_INPUTS["off_expected"],
                                        DEFAULT_INPUTS["threshold"])
    expect(page.locator(".kc-funnel-forecast")).to_contain_text(f"{forecast.total:,.1f} 万元")
    expect(page.locator("img.kc-funnel-chart")).to_have_attribute("title", _starts_with("图：销售漏斗各阶段"))
    assert page.page_errors == []


def _starts_with(prefix: str) -> re.Pattern:
    return re.compile("^" + re.escape(prefix))
