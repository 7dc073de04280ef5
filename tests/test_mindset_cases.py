"""Module 1's worked-case helpers and exercise data: the 数字技术 checker, the keys computed
from the sample company, and m1's computed and function tasks checked end to end."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from helpers import notebook_text
from kamcourse import mindset_cases as mc
from kamcourse import pareto
from kamcourse.exercises import load_exercises, verdict

TASKS = {t.id: t for t in load_exercises("m1").tasks}
GOOD = {
    "pros": "马上签下订单\n守住海瑞的份额\n客户感到被照顾",
    "cons": "1. 多占用一个月资金\n2、利润被资金成本吃掉\n③ 开了先例",
    "decision": "带条件接受：搭配三成预付款",
}


# ---------------------------------------------------------------- 数字技术


@pytest.mark.parametrize(
    "answer, passed, words",
    [
        (GOOD, True, "写全了"),
        (dict(GOOD, pros="马上签下订单\n守住海瑞的份额"), False, "优点：只数到 2 条"),
        (dict(GOOD, cons="多占用一个月资金\n好\n行"), False, "“好”太短"),
        (dict(GOOD, cons="多占用一个月资金\n多占用一个月资金\n多占用一个月资金"), False, "缺点：只数到 1 条"),
        (dict(GOOD, cons="马上签下订单\n利润被资金成本吃掉\n开了先例"), False, "同时写在了优点和缺点里"),
        (dict(GOOD, decision="好"), False, "你的判断"),
        ({"pros": "", "cons": "", "decision": ""}, False, "还没有作答"),
        ({}, False, "还没有作答"),
        ("只写了一句话", False, "还没有作答"),
        (None, False, "还没有作答"),
        ({"pros": 3, "cons": ["a"], "decision": None}, False, "还没有作答"),
    ],
)
def test_pros_cons_checker(answer, passed, words):
    ok, message = mc.check_pros_cons(answer)
    assert ok is passed and words in message


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["pros", "cons", "decision", "x"]), st.one_of(st.none(), st.text(), st.integers())))
def test_pros_cons_checker_never_raises(answer):
    ok, message = mc.check_pros_cons(answer)
    assert isinstance(ok, bool) and message


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="资金利润订单份额先例风险", min_size=4, max_size=8), min_size=3, max_size=6, unique=True))
def test_three_distinct_points_on_each_side_pass(points):
    pros = "\n".join(points[:3])
    cons = "\n".join("缺点" + p for p in points[:3])
    assert mc.check_pros_cons({"pros": pros, "cons": cons, "decision": "带条件接受"})[0]


def test_split_points_drops_numbering_blanks_and_repeats():
    assert mc.split_points("1. 回款慢\n\n- 回款慢；② 占用资金。") == ("回款慢", "占用资金")


# ---------------------------------------------------------------- keys from the sample company


def test_keys_follow_the_sample_company():
    assert mc.a_class_count_at_70() == 4
    assert [mc.sample_a_class_count(c) for c in (0.7, 0.8, 0.9)] == [4, 5, 9]
    assert mc.sample_share_percent("宁波海瑞汽车零部件有限公司") == 29.0


def test_module_text_quotes_the_computed_numbers():
    text = notebook_text(ROOT / "course" / "01_mindset.ipynb")
    sales = pareto.sample_sales()
    assert f"{sales['宁波海瑞汽车零部件有限公司']:,.0f} 万元" in text
    assert f"{mc.sample_share_percent('宁波海瑞汽车零部件有限公司'):.0f}%" in text
    result = pareto.pareto(sales)
    assert f"前 {result.count_for_target} 位客户" in text
    for task_id in (t for t in TASKS if t.startswith("c")):
        assert f'exercise_task("m1", "{task_id}")' in text, task_id


# ---------------------------------------------------------------- the m1 tasks, end to end


def test_a_class_task_accepts_short_names_and_explains_once():
    task = TASKS["t1"]
    assert verdict(task, {"a_class": "海瑞、新源、恒达、金陵、锦程"}).passed
    assert verdict(task, {"a_class": "、".join(pareto.sample_a_class())}).passed
    wrong = verdict(task, {"a_class": "海瑞、新源、恒达、金陵"})
    assert wrong.status == "wrong" and wrong.text.count("提示：") == 1
    assert "找不到" in verdict(task, {"a_class": "不存在的公司"}).message


def test_territory_task_counts_the_customer_crossing_80_percent():
    task = TASKS["t2"]
    assert task.key == pareto.territory_a_share_percent() == 81.0
    for name, sales in pareto.TERRITORY.items():
        assert f"| {name} | {sales:g} |" in task.stem, name
    assert verdict(task, "81").passed and verdict(task, "80.6%").passed
    assert not verdict(task, "68").passed


def test_pros_cons_task_goes_through_the_exercise_core():
    task = TASKS["t10"]
    assert [f.name for f in task.fields] == ["pros", "cons", "decision"]
    assert verdict(task, GOOD).passed
    assert verdict(task, dict(GOOD, pros="马上签下订单")).status == "wrong"
