"""The 销售对练 dashboard as a workshop pair uses it: Voila + headless Chromium.

Reuses the dashboard browser tests' server, browser and page fixtures and helpers
(tests/test_dashboards_browser.py). Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest

from conftest import ROOT
from kamcourse import hub
from kamcourse.roleplay import transcript
from test_dashboards_browser import (  # noqa: F401 - fixtures are used by name
    SCREENSHOTS, assert_no_source_or_traceback, browser, expect, open_dashboard, page, screenshot, server,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]


def test_the_workshop_landing_page_lists_the_roleplay_dashboard():
    found = {d.path: d for d in hub.list_dashboards(ROOT / "course" / "dashboards")}
    assert found["roleplay.ipynb"].title == "销售对练：模拟一次客户拜访"
    assert 0 < len(found["roleplay.ipynb"].description) <= 60


def pick(page, option_id: str, customer_says: str) -> None:
    page.locator(f".kc-rp-pick-{option_id}").click()
    expect(page.locator(".kc-rp-transcript")).to_contain_text(customer_says)


def test_a_visit_is_played_to_its_ending_and_debriefed(page, server):
    open_dashboard(page, server, "roleplay.ipynb", ".kc-rp-briefing", "张伟")
    expect(page.locator(".kc-rp-option")).to_have_count(4)
    screenshot(page, "roleplay_start.png")
    assert_no_source_or_traceback(page)

    # An empty typed question: a Chinese message, nothing played.
    page.locator(".kc-rp-ask").click()
    expect(page.locator(".kc-rp-message")).to_contain_text("你的问题：还没有输入")

    pick(page, "agenda", "行，你问吧。")
    # A typed question is classified, with the reason, and plays the node's P move.
    page.locator(".kc-rp-question input").fill("首件送到计量室，一般要等多久？产线等得起吗？")
    page.locator(".kc-rp-ask").click()
    expect(page.locator(".kc-rp-classify")).to_contain_text("你的问题是难点问题（P）")
    expect(page.locator(".kc-rp-classify")).to_contain_text("等得起")
    expect(page.locator(".kc-rp-transcript")).to_contain_text("这半小时产线就停在那儿等")
    expect(page.locator(".kc-rp-question input")).to_have_value("")

    pick(page, "implication_wait", "主机厂还发了函")
    pick(page, "payoff_wait", "首件检测必须压到 10 分钟以内")
    pick(page, "benefit_wait", "这个值得看一看")
    page.locator(".kc-rp-pick-propose_trial").click()

    expect(page.locator(".kc-rp-ending")).to_contain_text("结局：推进——约定现场试测")
    debrief = page.locator(".kc-rp-debrief")
    expect(debrief).to_contain_text("赢在第 4 轮")
    expect(debrief).to_contain_text("《销售巨人》")
    expect(debrief).to_contain_text("【难点问题 P · 自己输入】")
    expect(page.locator(".kc-rp-chart")).to_have_attribute("src", re.compile(r"^blob:|^data:"))
    expect(page.locator(".kc-rp-options")).to_be_hidden()
    screenshot(page, "roleplay_debrief.png")
    page.locator(".kc-rp-after").screenshot(path=str(SCREENSHOTS / "roleplay_debrief_detail.png"))

    # Saving: the download replays to the same ending.
    page.locator(".kc-rp-name input").fill("王小明")
    page.locator(".kc-rp-save").click()
    link = page.locator(".kc-rp-download a")
    expect(link).to_contain_text("下载记录")
    with page.expect_download() as download:
        link.click()
    saved = transcript.read_record(download.value.path().read_bytes(), download.value.suggested_filename)
    assert saved.state.ending == "trial" and saved.name == "王小明" and saved.state.turn_count == 6
    assert_no_source_or_traceback(page)


def test_another_scenario_is_chosen_and_a_compliance_trap_ends_the_visit(page, server):
    open_dashboard(page, server, "roleplay.ipynb", ".kc-rp-briefing", "张伟")
    page.locator(".kc-rp-scenario select").select_option(label="刘总监：逾期回款")
    expect(page.locator(".kc-rp-briefing")).to_contain_text("DSO 约 89 天")
    pick(page, "explain_data", "行，你问吧。")
    pick(page, "ask_stuck", "付款就卡住了")
    page.locator(".kc-rp-pick-ask_payment_list").click()
    expect(page.locator(".kc-rp-ending")).to_contain_text("结局：失败——索要付款排期表")
    expect(page.locator(".kc-rp-debrief")).to_contain_text("法律说明（商业秘密）")
    expect(page.locator(".kc-rp-debrief")).to_contain_text("关键在第 3 轮")
    screenshot(page, "roleplay_trap.png")
    page.locator(".kc-rp-restart").click()
    expect(page.locator(".kc-rp-option")).to_have_count(4)
    expect(page.locator(".kc-rp-ending")).to_be_hidden()
    assert_no_source_or_traceback(page)
