"""Module 6: care, loyalty and its cost, complaints, ARPU and reviews (kamcourse.crm_care), and
the m6 exercise, quiz and notebook data that rest on them and on kamcourse.crm / dso / funnel."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import ROOT
from helpers import KitItems, notebook_text
from kamcourse import crm, crm_care, dso, funnel
from kamcourse.errors import KamcourseError
from kamcourse.exercises import load_exercises, verdict
from kamcourse.relationship import load_sample_contacts

NOTEBOOK = ROOT / "course" / "06_crm.ipynb"
EXERCISES = load_exercises("m6")
TASKS = {task.id: task for task in EXERCISES.tasks}
ITEMS = KitItems("m6_crm")


def _plain(number: float) -> str:
    return f"{number:g}"


# ---------------------------------------------------------------------------
# the core

costs = st.lists(
    st.tuples(st.text(min_size=1, max_size=4), st.sampled_from(list(crm_care.LOYALTY_COSTS)),
              st.floats(0, 1e6, allow_nan=False)),
    max_size=12,
)


@given(costs, st.floats(1, 1e7, allow_nan=False))
def test_loyalty_cost_adds_up_per_category(items, profit):
    result = crm_care.loyalty_cost(items, profit)
    assert result.total == pytest.approx(sum(a for _, _, a in items))
    assert result.total == pytest.approx(sum(v for _, v in result.by_category))
    assert result.share == pytest.approx(result.total / profit)
    assert [name for name, _ in result.by_category] == list(crm_care.LOYALTY_COSTS)


@pytest.mark.parametrize(
    "items, profit, field",
    [
        ([("请客", "招待费用", 5)], 80, "请客 的类别"),
        ([("拜访", "沟通费用", -1)], 80, "拜访 的金额"),
        ([("拜访", "沟通费用", 5)], 0, "毛利"),
        ([("拜访", "沟通费用", "五")], 80, "拜访 的金额"),
    ],
)
def test_loyalty_cost_refuses_bad_input_naming_the_field(items, profit, field):
    with pytest.raises(KamcourseError) as err:
        crm_care.loyalty_cost(items, profit)
    assert err.value.field == field


@given(st.floats(0.1, 1e4), st.floats(0.1, 1e4), st.booleans())
def test_review_meets_a_target_exactly_when_completion_reaches_one(target, actual, higher):
    (result,) = crm_care.review([crm_care.Indicator("指标", target, actual, higher)])
    assert result.met == (result.completion >= 1)
    assert result.met == ((actual >= target) if higher else (actual <= target))


def test_review_and_arpu_refuse_nonsense():
    with pytest.raises(KamcourseError, match="至少需要一个指标"):
        crm_care.review([])
    with pytest.raises(KamcourseError, match="大于 0"):
        crm_care.review([crm_care.Indicator("DSO", 60, 0, False)])
    with pytest.raises(KamcourseError, match="用户数"):
        crm_care.arpu(100, 0)
    assert crm_care.arpu("1,200", 10) == 120


def test_key_people_follow_the_relationship_map():
    contacts = load_sample_contacts()
    assert crm_care.sample_key_people() == tuple(c.name for c in contacts if c.influence >= 4)
    with pytest.raises(KamcourseError):
        crm_care.key_people(contacts, 6)


def test_care_tiers_differ_by_service_not_by_personal_benefits():
    for care in crm.CARE_BY_TIER.values():
        assert not re.search("旅游|礼品|购物卡|现金", care)
    assert "技术支持" in crm.CARE_BY_TIER["A"]
    assert all("个人" not in m for m in crm.LOYALTY_EXAMPLES)


# ---------------------------------------------------------------------------
# the exercises


def _key_answer(task):
    return list(task.key) if task.kind == "matching" else task.key


@pytest.mark.parametrize("tid", sorted(TASKS))
def test_every_key_passes_its_own_check(tid):
    assert verdict(TASKS[tid], _key_answer(TASKS[tid])).passed


def test_dso_task_shows_the_numbers_its_key_is_computed_from():
    task = TASKS["t1"]
    receivables, sales = crm.EXERCISE_DSO_CASE
    assert f"**{_plain(receivables)} 万元**" in task.stem
    for month, amount in sales.items():
        year, number = month.split("-")
        assert f"| {year} 年 {int(number)} 月 | {_plain(amount)} |" in task.stem
    assert task.key == dso.countback_dso(receivables, sales).days
    assert f"合计 {_plain(task.key)} 天" in task.explanation


def test_care_task_shows_its_thresholds_and_customers():
    task = TASKS["t3"]
    values, a_min, b_min = crm.EXERCISE_CARE
    assert f"**达到** {_plain(a_min)} 万元为 A 级" in task.stem and f"**达到** {_plain(b_min)} 万元为 B 级" in task.stem
    assert list(task.prompts) == list(values)
    for name, value in values.items():
        assert f"| {name} | {_plain(value)} |" in task.stem


def test_loyalty_cost_task_states_every_item():
    task = TASKS["t6"]
    items, profit = crm_care.EXERCISE_LOYALTY_COST
    for label, _, amount in items:
        assert re.search(re.escape(label) + r"\s?" + re.escape(_plain(amount)) + "[，。]", task.stem), label
    assert f"毛利是 {_plain(profit)} 万元" in task.stem
    assert task.key == crm_care.exercise_loyalty_share_percent()


def test_complaint_options_are_the_cores_steps():
    task = TASKS["t7"]
    assert list(task.options) == [text for text, _ in crm_care.EXERCISE_COMPLAINT]
    ordered_steps = [crm_care.EXERCISE_COMPLAINT["ABCDEF".index(k)][1] for k in task.key]
    assert tuple(ordered_steps) == crm_care.COMPLAINT_STEPS


def test_forecast_task_shows_its_opportunities_and_win_rates():
    task = TASKS["t9"]
    rows, quota, booked = crm.EXERCISE_FORECAST
    for name, amount, stage in rows:
        assert f"| {name} | {_plain(amount)} | {stage} |" in task.stem
    for stage in funnel.DEFAULT_STAGES:
        assert f"{stage.name} {stage.probability:.0%}" in task.stem
    assert f"销售任务是 {_plain(quota)} 万元，已完成 {_plain(booked)} 万元" in task.stem
    assert f"缺口 340 − 236 = {_plain(task.key)} 万元" in task.explanation


def test_review_task_prompts_are_the_cores_indicators():
    task = TASKS["t10"]
    for indicator, prompt in zip(crm_care.EXERCISE_REVIEW, task.prompts):
        assert _plain(indicator.target) in prompt and _plain(indicator.actual) in prompt
    assert list(task.key) == crm_care.exercise_review_labels()


def test_inline_checks_compute_from_the_worked_cases():
    assert TASKS["c3"].key == crm_care.sample_maintenance_cost()
    assert TASKS["c5"].key == crm_care.sample_arpu_increase()
    users, before, after = crm_care.SAMPLE_ARPU_CASE
    assert f"{users:,} 位" in TASKS["c5"].stem
    assert f"前月收入 {_plain(before / 10_000)} 万元" in TASKS["c5"].stem.replace("推出增值服务", "")


# ---------------------------------------------------------------------------
# the quiz


def test_quiz_key_people_item_follows_the_contacts():
    item = ITEMS["q14"]
    keyed = item.options[ord(item.key) - 65].split("（")[0]
    key_people = crm_care.sample_key_people()
    assert keyed not in key_people
    assert all(o.split("（")[0] in key_people for i, o in enumerate(item.options) if chr(65 + i) != item.key)


def test_quiz_numbers_are_the_cores():
    progress = funnel.sales_progress(500, 450, 300, 250, 1000)
    assert ITEMS["q3"].number_key == pytest.approx(progress.progress * 100)
    forecast = funnel.weighted_forecast(
        [funnel.Opportunity("甲", 100, "a"), funnel.Opportunity("乙", 50, "b"), funnel.Opportunity("丙", 200, "c")],
        [funnel.Stage("a", 0.8), funnel.Stage("b", 0.4), funnel.Stage("c", 0.1)],
    )
    assert ITEMS["q4"].number_key == pytest.approx(forecast.total)


def test_a_keyed_answer_never_recommends_a_tour():
    for item in ITEMS.values():
        if item.options and isinstance(item.key, str):
            for letter in item.key:
                option = item.options[ord(letter) - 65]
                assert "旅游" not in option or "商业贿赂" in option  # only as the reason it is refused


# ---------------------------------------------------------------------------
# the module notebook


def test_inline_checks_are_the_module_tasks():
    text = notebook_text(NOTEBOOK)
    used = set(re.findall(r'exercise_task\("m6", "(\w+)"\)', text))
    assert used == {t.id for t in EXERCISES.tasks if t.where == "module"}


def test_the_care_table_is_the_widgets_care():
    text = notebook_text(NOTEBOOK)
    for tier, care in crm.CARE_BY_TIER.items():
        label = "普通" if tier == "普通" else f"{tier} 级"
        assert f"| {label} | {care} |" in text


def test_the_loyalty_cost_case_holds():
    text = notebook_text(NOTEBOOK)
    for label, category, amount in crm_care.SAMPLE_LOYALTY_COST:
        assert f"| {label} | {category} | {_plain(amount)} |" in text
    cost = crm_care.sample_loyalty_cost()
    sales = crm.sample_annual_sales()["宁波海瑞汽车零部件有限公司"]
    assert f"合计 {_plain(cost.total)} 万元" in text
    assert f"采购额是 {_plain(sales)} 万元" in text
    assert f"毛利约 {round(cost.gross_profit)} 万元" in text
    assert f"约占毛利的 {cost.share * 100:.1f}%" in text


def test_the_key_people_named_in_the_care_plan_are_the_cores():
    text = notebook_text(NOTEBOOK)
    paragraph = next(p for p in text.split("\n\n") if "制定客户关系的工作目标" in p and "关键人" in p)
    for name in crm_care.sample_key_people():
        assert name in paragraph
