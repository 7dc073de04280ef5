"""The dashboards' widgets without a browser: inputs in, the core's results out.

Expected values are computed with the core (kamcourse.dso, kamcourse.funnel) in the test,
except the seed's 75.5 days, which domain.md fixes.
"""

from __future__ import annotations

import base64
import re

import pytest

from helpers import PNG_MAGIC, csv_bytes, simulate_upload
from kamcourse import dso, funnel
from kamcourse.tables import read_table
from kamcourse.views.common import MessageArea, attempt, upload_button
from kamcourse.views.dso import BREAKDOWN_COLUMNS, dso_dashboard
from kamcourse.views.funnel import DEFAULT_INPUTS, STAGE_TABLE_COLUMNS, funnel_dashboard


def download_payload(html: str, extension: str) -> bytes:
    match = re.search(rf'href="data:[^;]+(?:;charset=utf-8)?;base64,([^"]+)" download="[^"]+\.{extension}"', html)
    assert match, f"no .{extension} download link in {html[:200]}"
    return base64.b64decode(match[1])


# ---------------------------------------------------------------------------
# common


def test_attempt_shows_the_core_message_and_returns_none():
    message = MessageArea()
    assert attempt(message, lambda: dso.countback_dso(-1, {"2012-04": 600})) is None
    assert message.kind == "error"
    assert message.text == "应收账款：不能为负数"
    assert "应收账款：不能为负数" in message.value and "Traceback" not in message.value


def test_attempt_hides_an_unexpected_error_behind_a_chinese_message():
    message = MessageArea()
    assert attempt(message, lambda: 1 / 0) is None
    assert message.kind == "error" and "计算未能完成" in message.text


def test_upload_button_hands_bytes_and_name_and_resets():
    received = []
    upload = upload_button(lambda data, name: received.append((data, name)))
    simulate_upload(upload, b"a,b\n1,2\n", "t.csv")
    simulate_upload(upload, b"a,b\n1,2\n", "t.csv")  # the same file again is a new upload
    assert received == [(b"a,b\n1,2\n", "t.csv")] * 2
    assert upload.value == ()


# ---------------------------------------------------------------------------
# DSO


@pytest.fixture
def dso_view():
    view = dso_dashboard()
    yield view
    view.close()


def test_dso_opens_on_customer_a_with_75_5_days(dso_view):
    assert dso_view.countback.days == 75.5
    assert dso_view.message.kind == ""
    assert "倒算法 DSO = 75.5 天" in dso_view.result_html.value
    assert "截至 2012-04-30" in dso_view.result_html.value
    # The other method is shown for comparison, with its window.
    assert "窗口 2012-01 至 2012-04" in dso_view.result_html.value
    assert bytes(dso_view.chart.value).startswith(PNG_MAGIC)
    assert dso_view.receivables.value == "1500"
    assert [r["month"] for r in dso_view.months.rows()] == ["2012-04", "2012-03", "2012-02", "2012-01"]


def test_dso_changing_a_month_recomputes_with_the_core(dso_view):
    chart_before = dso_view.chart.value
    dso_view.months.cell(1, "sales").value = "400"  # March
    _, sales = dso.seed_example()
    expected = dso.countback_dso(1500, {**sales, "2012-03": 400}).days
    assert dso_view.countback.days == expected
    assert f"DSO = {expected:.1f} 天" in dso_view.result_html.value
    assert dso_view.chart.value != chart_before


def test_dso_basis_and_method_toggles(dso_view):
    dso_view.basis.value = "flat30"
    assert dso_view.countback.days == 75.0
    assert "按每月 30 天计" in dso_view.result_html.value
    dso_view.basis.value = "calendar"
    dso_view.method.value = "simple"
    receivables, sales = dso.seed_example()
    simple = dso.simple_dso(receivables, sales)
    assert f"简单平均法 DSO = {simple.days:.1f} 天" in dso_view.result_html.value
    assert "窗口 2012-01 至 2012-04，共 121 天" in dso_view.result_html.value
    assert "对照 · 倒算法：DSO = 75.5 天" in dso_view.result_html.value


@pytest.mark.parametrize(
    ("typed", "message"),
    [("abc", "应收账款：“abc” 不是数字"), ("-5", "应收账款：不能为负数"), ("", "应收账款：不能为空，请填写数字")],
)
def test_dso_bad_receivables_show_the_message_and_keep_the_result(dso_view, typed, message):
    before = (dso_view.result_html.value, dso_view.chart.value, dso_view.countback)
    dso_view.receivables.value = typed
    assert dso_view.message.kind == "error"
    assert dso_view.message.text == message
    assert dso_view.receivables.value == typed  # what the trainee typed stays
    assert (dso_view.result_html.value, dso_view.chart.value, dso_view.countback) == before
    dso_view.receivables.value = "1500"
    assert dso_view.message.kind == ""


def test_dso_gap_in_months_is_refused(dso_view):
    dso_view.months.remove_row(1)  # drop March
    assert dso_view.message.text == "月份：缺少 2012-03，月份必须连续"
    assert dso_view.countback.days == 75.5


def test_dso_bad_month_cell_names_the_row(dso_view):
    dso_view.months.cell(0, "month").value = "April"
    assert dso_view.message.kind == "error"
    assert dso_view.message.text.startswith("第 1 行“月份”")
    assert dso_view.countback.days == 75.5


def test_dso_add_an_earlier_month(dso_view):
    dso_view.months.add_button.click()
    rows = dso_view.months.rows()
    assert rows[-1]["month"] == "2011-12"
    assert dso_view.message.kind == ""
    assert dso_view.countback.window_days == 121 + 31
    assert dso_view.countback.days == 75.5  # January and December are never reached


def test_dso_receivables_above_all_sales_say_more_than(dso_view):
    dso_view.receivables.value = "3000"
    assert dso_view.countback.exhausted
    assert "倒算法 DSO 超过 121 天" in dso_view.result_html.value


def test_dso_upload_replaces_the_month_table(dso_view):
    data = csv_bytes("月份,销售额", "2024-01,100", "2024-02,200", "2024-03,300")
    simulate_upload(dso_view.upload, data, "客户B.csv")
    assert [r["month"] for r in dso_view.months.rows()] == ["2024-03", "2024-02", "2024-01"]
    expected = dso.countback_dso(1500, {"2024-01": 100, "2024-02": 200, "2024-03": 300})
    assert dso_view.countback.days == expected.days
    assert dso_view.message.kind == "info" and "客户B.csv" in dso_view.message.text


def test_dso_wrong_upload_shows_the_message_and_keeps_the_table(dso_view):
    rows_before = dso_view.months.rows()
    simulate_upload(dso_view.upload, csv_bytes("customer,amount", "A,1"), "wrong.csv")
    assert dso_view.message.kind == "error"
    assert dso_view.message.text.startswith("上传文件：“wrong.csv” 缺少列")
    assert dso_view.months.rows() == rows_before
    assert dso_view.countback.days == 75.5
    simulate_upload(dso_view.upload, b"\x00\x01binary", "picture.png")
    assert dso_view.message.text.startswith("上传文件：“picture.png” 的格式不支持")


def test_dso_downloads_carry_the_breakdown(dso_view):
    csv_rows = read_table(download_payload(dso_view.downloads.value, "csv"), "b.csv", BREAKDOWN_COLUMNS)
    xlsx_rows = read_table(download_payload(dso_view.downloads.value, "xlsx"), "b.xlsx", BREAKDOWN_COLUMNS)
    assert csv_rows == xlsx_rows
    assert [r["计入天数"] for r in csv_rows] == [30, 31, 14.5, 0]
    assert csv_rows[-1]["是否用到"].startswith("否")


# ---------------------------------------------------------------------------
# Funnel


def expected_forecast(opportunities=None, stages=funnel.DEFAULT_STAGES, **inputs):
    values = {**DEFAULT_INPUTS, **inputs}
    return funnel.weighted_forecast(
        opportunities if opportunities is not None else funnel.sample_opportunities(),
        stages,
        values["off_expected"],
        values["threshold"],
    )


@pytest.fixture
def funnel_view():
    view = funnel_dashboard()
    yield view
    view.close()


def test_funnel_opens_on_the_sample(funnel_view):
    forecast = expected_forecast()
    assert funnel_view.message.kind == ""
    assert funnel_view.forecast == forecast
    progress = funnel.sales_progress(
        forecast.total, DEFAULT_INPUTS["forecast_last_week"], DEFAULT_INPUTS["booked_this_week"],
        DEFAULT_INPUTS["booked_last_week"], DEFAULT_INPUTS["quota"], DEFAULT_INPUTS["off_booked"],
    )
    gap = funnel.forecast_gap(forecast.total, DEFAULT_INPUTS["quota"], DEFAULT_INPUTS["booked_this_week"])
    assert funnel_view.progress == progress and funnel_view.gap == gap
    page = funnel_view.result_html.value
    assert f"{forecast.total:,.1f} 万元" in page
    assert f"{progress.progress:.1%}" in page
    assert forecast.summary() in page and gap.summary() in page
    assert bytes(funnel_view.chart.value).startswith(PNG_MAGIC)
    assert funnel_view.opportunities.row_count == len(funnel.sample_opportunities())


def test_funnel_changing_an_amount_recomputes(funnel_view):
    chart_before = funnel_view.chart.value
    funnel_view.opportunities.cell(0, "amount").value = "100"
    opportunities = funnel.sample_opportunities()
    first = opportunities[0]
    opportunities[0] = funnel.Opportunity(first.name, 100, first.stage)
    assert funnel_view.forecast.total == expected_forecast(opportunities).total
    assert funnel_view.chart.value != chart_before


def test_funnel_stage_probability_and_off_funnel_inputs(funnel_view):
    funnel_view.stages.cell(4, "probability").value = "0.8"
    stages = (*funnel.DEFAULT_STAGES[:4], funnel.Stage("赢单待签", 0.8))
    assert funnel_view.forecast.total == expected_forecast(stages=stages).total
    funnel_view.threshold.value = "0"
    funnel_view.off_expected.value = "0"
    assert funnel_view.forecast.total == expected_forecast(stages=stages, threshold="0", off_expected="0").total
    assert funnel_view.forecast.below_threshold == ()


def test_funnel_renamed_stage_updates_the_dropdowns(funnel_view):
    funnel_view.stages.cell(0, "stage").value = "接触"
    assert funnel_view.message.kind == "error"
    assert "不是已设定的阶段" in funnel_view.message.text
    assert "接触" in funnel_view.opportunities.cell(0, "stage").options
    index = [r["stage"] for r in funnel_view.opportunities.rows()].index("初步接触")
    funnel_view.opportunities.cell(index, "stage").value = "接触"


def test_funnel_new_opportunity_uses_the_core(funnel_view):
    funnel_view.opportunities.add_button.click()
    row = funnel_view.opportunities.rows()[-1]
    assert row["stage"] == funnel.DEFAULT_STAGES[0].name
    opportunities = [*funnel.sample_opportunities(), funnel.Opportunity(row["name"], row["amount"], row["stage"])]
    assert funnel_view.forecast.total == expected_forecast(opportunities).total
    funnel_view.opportunities.remove_button(funnel_view.opportunities.row_count - 1).click()
    assert funnel_view.forecast.total == expected_forecast().total


@pytest.mark.parametrize(
    ("attribute", "typed", "message"),
    [
        ("quota", "0", "本季度销售任务：必须大于 0"),
        ("threshold", "-1", "漏斗门槛金额：不能为负数"),
        ("forecast_last_week", "abc", "上周销售预计：“abc” 不是数字"),
    ],
)
def test_funnel_bad_inputs_show_the_message_and_keep_the_result(funnel_view, attribute, typed, message):
    before = (funnel_view.result_html.value, funnel_view.chart.value)
    getattr(funnel_view, attribute).value = typed
    assert funnel_view.message.kind == "error" and funnel_view.message.text == message
    assert getattr(funnel_view, attribute).value == typed
    assert (funnel_view.result_html.value, funnel_view.chart.value) == before


def test_funnel_bad_amount_names_the_opportunity(funnel_view):
    name = funnel_view.opportunities.rows()[0]["name"]
    funnel_view.opportunities.cell(0, "amount").value = "-3"
    assert funnel_view.message.text == f"机会“{name}”的金额：不能为负数"


def test_funnel_upload_replaces_the_opportunities(funnel_view):
    data = csv_bytes("机会名称,金额,阶段", "甲项目,100,商务谈判", "乙项目,40,赢单待签")
    simulate_upload(funnel_view.upload, data, "opps.csv")
    assert [r["name"] for r in funnel_view.opportunities.rows()] == ["甲项目", "乙项目"]
    opportunities = [funnel.Opportunity("甲项目", 100, "商务谈判"), funnel.Opportunity("乙项目", 40, "赢单待签")]
    assert funnel_view.forecast.total == expected_forecast(opportunities).total
    assert funnel_view.message.kind == "info"


def test_funnel_wrong_upload_keeps_the_opportunities(funnel_view):
    rows_before = funnel_view.opportunities.rows()
    simulate_upload(funnel_view.upload, csv_bytes("机会名称,金额", "甲项目,100"), "opps.csv")
    assert funnel_view.message.text == "上传文件：“opps.csv” 缺少列 “阶段”；找到的列标题：“机会名称”、“金额”"
    assert funnel_view.opportunities.rows() == rows_before


def test_funnel_download_is_the_stage_table(funnel_view):
    rows = read_table(download_payload(funnel_view.downloads.value, "xlsx"), "s.xlsx", STAGE_TABLE_COLUMNS)
    assert [r["阶段"] for r in rows] == [s.name for s in funnel.DEFAULT_STAGES]
    assert [r["加权金额"] for r in rows] == [round(t.weighted, 2) for t in funnel_view.forecast.by_stage]
