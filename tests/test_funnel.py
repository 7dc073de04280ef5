"""Sales funnel: weighted forecast, progress, quota gap, bad input and properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamcourse.errors import KamcourseError
from kamcourse.funnel import (
    DEFAULT_STAGES,
    OPPORTUNITY_COLUMNS,
    Opportunity,
    Stage,
    forecast_gap,
    opportunities_from_rows,
    sales_progress,
    sample_opportunities,
    stages_from_rows,
    weighted_forecast,
)

STAGE_NAMES = [s.name for s in DEFAULT_STAGES]


def test_chanjet_example():
    """加权金额 = 机会金额 x 阶段成功率: 7,000 x 80% = 5,600 (ask.changjet.cn)."""
    result = weighted_forecast([Opportunity("某机会", 7000, "赢单")], [Stage("赢单", 0.8)])
    assert result.funnel_weighted == pytest.approx(5600)
    assert result.total == pytest.approx(5600)


def test_default_stages_rise_and_are_probabilities():
    probabilities = [s.probability for s in DEFAULT_STAGES]
    assert STAGE_NAMES == ["初步接触", "需求确认", "方案呈现", "商务谈判", "赢单待签"]
    assert probabilities == sorted(probabilities)
    assert all(0 < p < 1 for p in probabilities)


@pytest.mark.parametrize(
    ("opportunities", "off", "threshold", "weighted", "total", "below"),
    [
        pytest.param([], 0, 0, 0.0, 0.0, [], id="empty-funnel"),
        pytest.param([("A", 100, "方案呈现")], 0, 0, 50.0, 50.0, [], id="one"),
        pytest.param(
            [("A", 100, "初步接触"), ("B", 40, "商务谈判"), ("C", 10, "赢单待签")], 0, 0,
            10 + 30 + 9, 49.0, [], id="three-stages",
        ),
        pytest.param([("A", 100, "方案呈现")], 20, 0, 50.0, 70.0, [], id="off-funnel-added"),
        pytest.param(
            [("A", 100, "方案呈现"), ("B", 4, "赢单待签"), ("C", 5, "赢单待签")], 3, 5,
            50 + 4.5, 57.5, ["B"], id="threshold-excludes-smaller-only",
        ),
        pytest.param([("A", 0, "方案呈现")], 0, 0, 0.0, 0.0, [], id="zero-amount"),
    ],
)
def test_weighted_forecast_table(opportunities, off, threshold, weighted, total, below):
    result = weighted_forecast(
        [Opportunity(*o) for o in opportunities], off_funnel_expected=off, threshold=threshold
    )
    assert result.funnel_weighted == pytest.approx(weighted)
    assert result.total == pytest.approx(total)
    assert [o.name for o in result.below_threshold] == below
    assert result.threshold == threshold


def test_by_stage_in_stage_order_with_zero_rows():
    result = weighted_forecast([Opportunity("A", 40, "商务谈判"), Opportunity("B", 60, "商务谈判")])
    assert [t.stage for t in result.by_stage] == STAGE_NAMES
    negotiation = result.by_stage[3]
    assert (negotiation.count, negotiation.amount, negotiation.weighted) == (2, 100, 75)
    assert negotiation.probability == 0.75
    assert all(t.count == 0 and t.amount == 0 and t.weighted == 0 for i, t in enumerate(result.by_stage) if i != 3)


def test_custom_stages_are_used():
    stages = [Stage("线索", 0.05), Stage("签约", 1.0)]
    result = weighted_forecast([Opportunity("A", 100, "签约"), Opportunity("B", 100, "线索")], stages)
    assert result.funnel_weighted == pytest.approx(105)
    assert [t.stage for t in result.by_stage] == ["线索", "签约"]


@pytest.mark.parametrize(
    ("args", "progress", "forecast_change", "booked_change"),
    [
        pytest.param((130, 100, 60, 40, 500), 0.10, 30, 20, id="seed-formula"),
        pytest.param((130, 100, 60, 40, 500, 10), 0.12, 30, 20, id="off-funnel-booked"),
        pytest.param((80, 100, 40, 40, 400), -0.05, -20, 0, id="forecast-shrinks"),
        pytest.param(("1,300", "1,000", 0, 0, "2,000"), 0.15, 300, 0, id="numeric-strings"),
    ],
)
def test_sales_progress_table(args, progress, forecast_change, booked_change):
    result = sales_progress(*args)
    assert result.progress == pytest.approx(progress)
    assert result.forecast_change == pytest.approx(forecast_change)
    assert result.booked_change == pytest.approx(booked_change)


def test_progress_summary_has_percent_with_one_decimal():
    text = sales_progress(130, 100, 60, 40, 500, off_funnel_booked=10).summary()
    assert text.startswith("本周销售进展 12.0%")
    assert "漏斗外成交 +10.0" in text


@pytest.mark.parametrize(
    ("forecast", "quota", "booked", "remaining", "gap", "covered", "advice"),
    [
        pytest.param(300, 1000, 500, 500, 200, False, "需要开发更多销售机会", id="shortfall"),
        pytest.param(600, 1000, 500, 500, -100, True, "可以覆盖", id="covered"),
        pytest.param(500, 1000, 500, 500, 0, True, "可以覆盖", id="exactly-covered"),
        pytest.param(0, 1000, 1200, 0, 0, True, "可以覆盖", id="quota-already-met"),
    ],
)
def test_forecast_gap_table(forecast, quota, booked, remaining, gap, covered, advice):
    result = forecast_gap(forecast, quota, booked)
    assert (result.remaining_quota, result.gap, result.covered) == (remaining, gap, covered)
    assert advice in result.summary()


def test_forecast_summary_mentions_below_threshold():
    result = weighted_forecast([Opportunity("小单", 2, "方案呈现")], threshold=5)
    assert "1 个机会低于门槛" in result.summary()


@pytest.mark.parametrize(
    ("make", "field", "hint"),
    [
        pytest.param(lambda: Stage("", 0.5), "阶段名称", "", id="blank-stage-name"),
        pytest.param(lambda: Stage(None, 0.5), "阶段名称", "", id="none-stage-name"),
        pytest.param(lambda: Stage("谈判", 75), "阶段“谈判”的赢率", "0.75", id="percentage-not-fraction"),
        pytest.param(lambda: Stage("谈判", 1.5), "阶段“谈判”的赢率", "", id="above-one"),
        pytest.param(lambda: Stage("谈判", -0.1), "阶段“谈判”的赢率", "", id="negative-probability"),
        pytest.param(lambda: Stage("谈判", "abc"), "阶段“谈判”的赢率", "", id="text-probability"),
        pytest.param(lambda: Stage("谈判", True), "阶段“谈判”的赢率", "", id="bool-probability"),
        pytest.param(lambda: Opportunity("", 5, "方案呈现"), "机会名称", "", id="blank-opportunity"),
        pytest.param(lambda: Opportunity("甲", -5, "方案呈现"), "机会“甲”的金额", "", id="negative-amount"),
        pytest.param(lambda: Opportunity("甲", "五万", "方案呈现"), "机会“甲”的金额", "", id="text-amount"),
        pytest.param(lambda: Opportunity("甲", float("nan"), "方案呈现"), "机会“甲”的金额", "", id="nan-amount"),
        pytest.param(lambda: Opportunity("甲", 5, " "), "机会“甲”的阶段", "", id="blank-stage"),
        pytest.param(
            lambda: weighted_forecast([Opportunity("甲", 5, "已报价")]), "机会“甲”的阶段", "已报价",
            id="unknown-stage",
        ),
        pytest.param(
            lambda: weighted_forecast([], [Stage("A", 0.1), Stage("A", 0.5)]), "阶段“A”", "重复",
            id="duplicate-stage",
        ),
        pytest.param(lambda: weighted_forecast([], []), "销售阶段", "", id="no-stages"),
        pytest.param(lambda: weighted_forecast([], [("A", 0.1)]), "销售阶段", "", id="tuple-not-stage"),
        pytest.param(lambda: weighted_forecast([("甲", 5, "方案呈现")]), "销售机会", "", id="tuple-not-opportunity"),
        pytest.param(lambda: weighted_forecast(None), "销售机会", "", id="none-opportunities"),
        pytest.param(lambda: weighted_forecast([], threshold=-1), "漏斗门槛金额", "", id="negative-threshold"),
        pytest.param(lambda: weighted_forecast([], off_funnel_expected="x"), "漏斗外预计销售额", "", id="bad-off"),
        pytest.param(lambda: sales_progress(1, 1, 1, 1, 0), "本季度销售任务", "", id="zero-quota"),
        pytest.param(lambda: sales_progress(1, 1, 1, 1, -5), "本季度销售任务", "", id="negative-quota"),
        pytest.param(lambda: sales_progress("x", 1, 1, 1, 5), "本周销售预计", "", id="bad-forecast"),
        pytest.param(lambda: sales_progress(1, -1, 1, 1, 5), "上周销售预计", "", id="negative-last-forecast"),
        pytest.param(lambda: sales_progress(1, 1, True, 1, 5), "本周累计销售额", "", id="bool-booked"),
        pytest.param(lambda: sales_progress(1, 1, 1, None, 5), "上周累计销售额", "", id="none-booked"),
        pytest.param(lambda: sales_progress(1, 1, 1, 1, 5, -2), "本周漏斗外成交额", "", id="negative-off"),
        pytest.param(lambda: forecast_gap(-1, 100, 0), "销售预计", "", id="negative-forecast"),
        pytest.param(lambda: forecast_gap(1, 0, 0), "本季度销售任务", "", id="gap-zero-quota"),
        pytest.param(lambda: forecast_gap(1, 100, "inf"), "已完成销售额", "", id="inf-booked"),
    ],
)
def test_bad_input_names_the_field(make, field, hint):
    with pytest.raises(KamcourseError) as caught:
        make()
    assert type(caught.value) is KamcourseError
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}：")
    assert hint in caught.value.problem


@pytest.mark.parametrize(
    "rows",
    [
        [{"机会名称": "甲", "金额": "12", "阶段": "方案呈现"}],
        [{"name": " 甲 ", "Amount": 12.0, "STAGE": "方案呈现"}],
        [{"机会": "甲", "金额（万元）": "12", "销售阶段": "方案呈现", "客户": "某公司"}],
    ],
)
def test_opportunities_from_rows(rows):
    assert opportunities_from_rows(rows) == [Opportunity("甲", 12.0, "方案呈现")]


@pytest.mark.parametrize(
    ("rows", "field"),
    [
        ([{"金额": 1, "阶段": "方案呈现"}], "第 1 行"),
        ([{"机会名称": "", "金额": 1, "阶段": "方案呈现"}], "第 1 行“机会名称”"),
        ([{"机会名称": "甲", "金额": "x", "阶段": "方案呈现"}], "机会“甲”的金额"),
        ([1], "第 1 行"),
        (None, "销售机会"),
    ],
)
def test_opportunities_from_rows_errors(rows, field):
    with pytest.raises(KamcourseError) as caught:
        opportunities_from_rows(rows)
    assert caught.value.field == field


def test_stages_from_rows():
    rows = [{"阶段": "接触", "赢率": "10%"}, {"stage": "谈判", "probability": 0.75}]
    assert stages_from_rows(rows) == (Stage("接触", 0.1), Stage("谈判", 0.75))


@pytest.mark.parametrize(
    ("rows", "field"),
    [
        ([], "销售阶段"),
        ([{"阶段": "谈判", "赢率": 75}], "阶段“谈判”的赢率"),
        ([{"阶段": "谈判", "赢率": "120%"}], "阶段“谈判”的赢率"),
        ([{"阶段": "谈判", "赢率": 0.5}, {"阶段": "谈判", "赢率": 0.6}], "阶段“谈判”"),
        ([{"阶段": "", "赢率": 0.5}], "第 1 行“阶段”"),
        ([{"赢率": 0.5}], "第 1 行"),
    ],
)
def test_stages_from_rows_errors(rows, field):
    with pytest.raises(KamcourseError) as caught:
        stages_from_rows(rows)
    assert caught.value.field == field


def test_sample_opportunities():
    opportunities = sample_opportunities()
    assert 10 <= len(opportunities) <= 15
    assert {o.stage for o in opportunities} == set(STAGE_NAMES)
    assert 1 <= sum(o.amount < 5 for o in opportunities) <= 2
    result = weighted_forecast(opportunities, threshold=5)
    assert len(result.below_threshold) in (1, 2)
    assert [c.name for c in OPPORTUNITY_COLUMNS] == ["机会名称", "金额", "阶段"]


# ---------------------------------------------------------------------------
# Properties

money = st.floats(0, 1e6, allow_nan=False, allow_infinity=False)
probability = st.floats(0, 1, allow_nan=False)
opportunity_lists = st.lists(
    st.builds(Opportunity, st.sampled_from(["甲", "乙", "丙"]), money, st.sampled_from(STAGE_NAMES)),
    max_size=12,
)


@settings(deadline=None)
@given(opportunity_lists, st.data(), money, money)
def test_forecast_monotone_in_every_amount(opportunities, data, extra, threshold):
    if not opportunities:
        return
    index = data.draw(st.integers(0, len(opportunities) - 1))
    bigger = list(opportunities)
    o = bigger[index]
    bigger[index] = Opportunity(o.name, o.amount + extra, o.stage)
    before = weighted_forecast(opportunities, threshold=threshold)
    after = weighted_forecast(bigger, threshold=threshold)
    assert after.funnel_weighted >= before.funnel_weighted
    assert after.total >= before.total


@settings(deadline=None)
@given(opportunity_lists, st.lists(probability, min_size=5, max_size=5), st.integers(0, 4), probability)
def test_forecast_monotone_in_every_probability(opportunities, probabilities, index, raise_to):
    stages = [Stage(name, p) for name, p in zip(STAGE_NAMES, probabilities)]
    higher = list(stages)
    higher[index] = Stage(STAGE_NAMES[index], max(raise_to, probabilities[index]))
    assert weighted_forecast(opportunities, higher).total >= weighted_forecast(opportunities, stages).total


@settings(deadline=None)
@given(opportunity_lists, money, money)
def test_forecast_total_is_funnel_plus_off_funnel(opportunities, off, threshold):
    result = weighted_forecast(opportunities, off_funnel_expected=off, threshold=threshold)
    assert result.total == result.funnel_weighted + result.off_funnel_expected
    assert math.isclose(sum(t.weighted for t in result.by_stage), result.funnel_weighted, rel_tol=1e-9, abs_tol=1e-6)
    assert sum(t.count for t in result.by_stage) + len(result.below_threshold) == len(opportunities)
    assert all(o.amount < threshold for o in result.below_threshold)


@settings(deadline=None)
@given(st.tuples(money, money, money, money, money), st.tuples(money, money, money, money, money),
       st.floats(1, 1e7, allow_nan=False))
def test_sales_progress_is_linear(x, y, quota):
    def progress(values):
        f1, f0, b1, b0, off = values
        return sales_progress(f1, f0, b1, b0, quota, off).progress

    summed = tuple(a + b for a, b in zip(x, y))
    assert math.isclose(progress(summed), progress(x) + progress(y), rel_tol=1e-9, abs_tol=1e-6)
    f1, f0, b1, b0, off = x
    assert math.isclose(progress(x) * quota, (f1 - f0) + (b1 - b0) + off, rel_tol=1e-9, abs_tol=1e-6)


@settings(deadline=None)
@given(money, st.floats(0.01, 1e7, allow_nan=False), money)
def test_gap_covered_iff_forecast_reaches_remaining_quota(forecast, quota, booked):
    result = forecast_gap(forecast, quota, booked)
    assert result.covered == (forecast >= max(quota - booked, 0))
    assert result.remaining_quota >= 0
