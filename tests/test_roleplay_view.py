"""The 销售对练 widget without a browser: clicks and typed questions in, the engine's results out."""

from __future__ import annotations

import base64
import json
import re

import pytest

from helpers import PNG_MAGIC
from kamcourse.roleplay import progress, transcript
from kamcourse.roleplay.debrief import debrief
from kamcourse.roleplay.engine import play
from kamcourse.roleplay.scenario import load_scenario, scenario_ids
from kamcourse.views.roleplay import RoleplayView, chart_text, conversation_chart, roleplay_dashboard, roleplay_view

pytestmark = pytest.mark.usefixtures("progress_home")

WIN = ["agenda", "ask_wait", "implication_wait", "payoff_wait", "benefit_wait", "propose_trial"]


def click(view: RoleplayView, option_id: str) -> None:
    row = next(r for r in view.options_box.children if f"kc-rp-pick-{option_id}" in r.children[0]._dom_classes)
    row.children[0].click()


def test_the_dashboard_offers_every_scenario_and_starts_with_the_briefing():
    view = roleplay_dashboard()
    assert [value for _label, value in view.picker.options] == list(scenario_ids())
    assert "张伟" in view.briefing.value and "驴" in view.briefing.value
    assert len(view.options_box.children) == len(load_scenario("haerui_first_article").nodes["open"].options)
    assert "第 1 轮" in view.say.value and view.after.layout.display == "none"
    click(view, "agenda")  # the scene is shown as written: the customer's name is not printed twice
    assert "张伟：“首件都送计量室测" in view.say.value and "张伟：</b>" not in view.say.value
    view.restart_button.click()
    view.picker.value = "liufang_receivables"
    assert "刘芳" in view.briefing.value and view.state.scenario == "liufang_receivables"
    for option_id in ["explain_data", "ask_stuck", "ask_payment_list"]:
        click(view, option_id)
    assert view.state.ending == "lost_confidential" and progress.load_visits() == ()  # a shared workshop server


def test_clicking_through_a_winning_visit_shows_the_ending_debrief_chart_and_records_it():
    view = roleplay_view("haerui_first_article", seed=5)
    for option_id in WIN:
        click(view, option_id)
    sc = load_scenario("haerui_first_article")
    expected = debrief(sc, play(sc, WIN, seed=5))
    assert view.state.ending == "trial" and view.debrief == expected
    assert "结局：推进——约定现场试测" in view.ending.value
    assert "赢在第 4 轮" in view.debrief_html.value and "【需求-效益问题 N】" in view.debrief_html.value
    assert view.chart.value[:8] == PNG_MAGIC and view.chart.tooltip == chart_text(expected)
    assert view.playing.layout.display == "none" and view.after.layout.display is None
    assert [v.ending for v in progress.load_visits()] == ["trial"]


def test_a_typed_question_is_classified_with_its_reason_and_bad_input_is_explained():
    view = roleplay_view("haerui_first_article", seed=1)
    click(view, "agenda")
    view.ask("")
    assert view.message.kind == "error" and "还没有输入" in view.message.text and view.state.turn_count == 1
    view.question.value = "我们的测量机很好用。"
    view.ask(view.question.value)
    assert "这还不是一个问题" in view.message.text and view.question.value == "我们的测量机很好用。"
    view.ask("首件送到计量室，一般要等多久？产线等得起吗？")
    assert view.message.kind == "" and view.question.value == ""
    assert "你的问题是难点问题（P）" in view.classification.value and "等得起" in view.classification.value
    assert view.state.turns[-1].option == "ask_wait" and "首件送到计量室，一般要等多久" in view.conversation.value


def test_saving_gives_a_download_that_replays_and_a_name_that_is_too_long_is_refused():
    view = roleplay_view("haerui_first_article", seed=9)
    view.save()
    assert "拜访结束后才能保存记录" in view.message.text
    for option_id in ["agenda", "ask_wait", "competitor_quote"]:
        click(view, option_id)
    assert "法律说明（商业秘密）" in view.debrief_html.value
    view.name.value = "名" * 41
    view.save()
    assert "姓名：最多 40 个字" in view.message.text and view.save_link.value == ""
    view.name.value = "王小明"
    view.save()
    match = re.search(r'href="data:application/json;charset=utf-8;base64,([^"]+)" download="([^"]+)"', view.save_link.value)
    assert match and match[2] == "roleplay-haerui_first_article-9-3.json"
    data = base64.b64decode(match[1])
    assert json.loads(data)["name"] == "王小明"
    assert transcript.read_record(data, match[2]).state == view.state


def test_restart_begins_a_new_visit_and_keeps_the_scenario():
    view = roleplay_view("wang_trust", seed=2)
    for option_id in ["ask_plan", "ask_output", "ask_suppliers"]:
        click(view, option_id)
    assert view.state.ending == "out_of_patience" and "王总没耐心了" in view.ending.value
    view.restart_button.click()
    assert view.state.turn_count == 0 and view.state.scenario == "wang_trust" and view.after.layout.display == "none"
    assert view.conversation.value == "" and "王建国" in view.say.value


def test_the_chart_is_one_figure_with_chinese_labels():
    sc = load_scenario("zhaolei_price")
    d = debrief(sc, play(sc, ["cut_price_now", "ask_criteria", "concede_more", "features"]))
    fig = conversation_chart(d)
    top, bottom = fig.axes
    assert [line.get_label() for line in top.get_lines()[:2]] == ["信任", "耐心"]
    assert bottom.get_ylabel() == "需求（项）" and "失败" in top.get_title()
    assert list(top.get_lines()[0].get_ydata()) == [p.trust for p in d.series]
