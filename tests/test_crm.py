"""Module 6: CRM lookups and checks, care tiers, its widgets and the m6 self-checks.

DSO and 销售进展 keys are checked against kamcourse.dso / kamcourse.funnel, never against
hand-typed numbers (except domain.md's 75.5 for the seed's customer A).
"""

from __future__ import annotations

import json
import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import ROOT
from helpers import PNG_MAGIC, csv_bytes, notebook_text, simulate_upload
from kamcourse import crm, dso, funnel
from kamcourse.errors import KamcourseError
from kamcourse.tables import to_xlsx_bytes
from kamcourse.views.common import figure_png
from kamcourse.views.crm import CareTierView, care_chart, care_tier_view, switching_cost_sort_view

NOTEBOOK = ROOT / "course" / "06_crm.ipynb"

pytestmark = pytest.mark.usefixtures("progress_home")


# ---------------------------------------------------------------------------
# switching costs (Burnham, Frels & Mahajan 2003)

@pytest.mark.parametrize(
    "cost, group",
    [
        ("经济风险成本", "程序"),
        ("评估成本", "程序"),
        ("学习成本", "程序"),
        ("组织调整成本", "程序"),
        ("利益损失成本", "财政"),
        ("金钱损失成本", "财政"),
        ("个人关系损失成本", "情感"),
        ("品牌关系损失成本", "情感"),
        ("经济转换成本", "程序"),  # the seed's name
        ("平估成本", "程序"),  # the seed's typo
        (" 学习 成本 ", "程序"),
    ],
)
def test_switching_cost_group(cost, group):
    assert crm.switching_cost_group(cost) == group


def test_switching_costs_are_eight_in_three_groups():
    key = crm.switching_cost_key()
    assert len(key) == 8
    assert [list(key.values()).count(g) for g in ("程序", "财政", "情感")] == [4, 2, 2]
    assert set(crm.SWITCHING_COST_MEANING) == set(key)


@pytest.mark.parametrize("cost", ["时间成本", "", None])
def test_unknown_switching_cost_is_refused(cost):
    with pytest.raises(KamcourseError, match="转换成本"):
        crm.switching_cost_group(cost)


# ---------------------------------------------------------------------------
# CRM process, types, loyalty

@pytest.mark.parametrize(
    "answer, correct, first_wrong",
    [
        ("BADC", True, None),
        ("b a d c", True, None),
        (["信息管理", "客户价值衡量", "活动管理", "实施管理阶段"], True, None),
        ("ABDC", False, 1),
        ("BDAC", False, 2),
        ("BACD", False, 3),
    ],
)
def test_check_process_order(answer, correct, first_wrong):
    result = crm.check_process_order(answer)
    assert (result.correct, result.first_wrong) == (correct, first_wrong)
    assert ("顺序正确" in result.message()) == correct


@pytest.mark.parametrize("answer, expected", [("BAD", "全部排好"), ("BADX", "只能用字母"), (["信息管理", "客户开发", "活动管理", "实施管理阶段"], "不是 CRM 流程的步骤")])
def test_check_process_order_refuses_bad_input(answer, expected):
    with pytest.raises(KamcourseError, match=expected):
        crm.check_process_order(answer)


def test_process_order_key_is_the_seeds_badc():
    assert crm.process_order_key() == "BADC"
    assert crm.CRM_PROCESS == ("信息管理", "客户价值衡量", "活动管理", "实施管理阶段")


def test_crm_types_functions_and_team():
    assert tuple(crm.CRM_TYPES) == ("运营型", "分析型", "协作型")
    assert tuple(crm.CRM_FUNCTIONS) == ("销售自动化", "市场营销", "客户服务")
    assert tuple(crm.PROJECT_TEAM) == ("项目经理", "业务顾问", "产品顾问", "技术顾问")
    assert len(crm.SUCCESS_CONDITIONS) == 7
    assert set(crm.CRM_EXAMPLES.values()) == set(crm.CRM_TYPES)
    assert tuple(crm.DATA_TYPES) == ("描述性数据", "交易性数据", "促销型数据")


@pytest.mark.parametrize("function", list(crm.CRM_EXAMPLES))
def test_crm_type_of_each_example(function):
    assert crm.crm_type(function) == crm.CRM_EXAMPLES[function]


def test_crm_type_unknown_is_refused():
    with pytest.raises(KamcourseError, match="不在本课程的例子中"):
        crm.crm_type("打印工资条")


def test_loyalty_ladder():
    assert [lvl.bond for lvl in crm.LOYALTY_LEVELS] == ["财务利益", "社会利益", "结构性联系"]
    assert "价格刺激" in crm.LOYALTY_LEVELS[0].means  # the seed's level one
    for measure, level in crm.LOYALTY_EXAMPLES.items():
        assert crm.loyalty_level(measure).level == level
    with pytest.raises(KamcourseError):
        crm.loyalty_level("打折")


def test_survey_steps_keep_the_seeds_fragments():
    assert crm.SURVEY_STEPS[0] == "定义问题和对象"
    assert crm.SURVEY_STEPS[4] == "收集数据"  # the seed's "5收集数据"


# ---------------------------------------------------------------------------
# care tiers

@pytest.mark.parametrize(
    "value, tier",
    [(0, "普通"), (199.99, "普通"), (200, "B"), (499, "B"), (500, "A"), (10_000, "A"), ("1,200", "A")],
)
def test_care_tier_boundaries_are_inclusive(value, tier):
    result = crm.care_tier(value, a_min=500, b_min=200)
    assert result.tier == tier and result.care == crm.CARE_BY_TIER[tier]


@pytest.mark.parametrize(
    "value, a_min, b_min, field",
    [(-1, 500, 200, "客户价值"), ("abc", 500, 200, "客户价值"), (1, "x", 200, "A 级门槛"), (1, 500, -5, "B 级门槛"), (1, 100, 200, "B 级门槛")],
)
def test_care_tier_refuses_bad_input(value, a_min, b_min, field):
    with pytest.raises(KamcourseError) as err:
        crm.care_tier(value, a_min=a_min, b_min=b_min)
    assert err.value.field == field


def test_care_thresholds_have_no_defaults():
    with pytest.raises(TypeError):
        crm.care_tier(100)  # type: ignore[call-arg]


@given(
    value=st.floats(0, 1e7, allow_nan=False),
    more=st.floats(0, 1e7, allow_nan=False),
    b_min=st.floats(0, 1e6, allow_nan=False),
    extra=st.floats(0, 1e6, allow_nan=False),
)
def test_care_tier_is_monotone_in_value(value, more, b_min, extra):
    a_min = b_min + extra
    rank = {"普通": 0, "B": 1, "A": 2}
    low = crm.care_tier(value, a_min=a_min, b_min=b_min)
    high = crm.care_tier(value + more, a_min=a_min, b_min=b_min)
    assert rank[high.tier] >= rank[low.tier]
    assert (low.tier == "A") == (value >= a_min)
    assert (low.tier == "普通") == (value < b_min)


def test_care_plan_sorts_and_counts():
    plan = crm.care_plan({"甲": 50, "乙": 600, "丙": 250}, a_min=500, b_min=200)
    assert [c.customer for c in plan.rows] == ["乙", "丙", "甲"]
    assert (plan.count("A"), plan.count("B"), plan.count("普通")) == (1, 1, 1)
    with pytest.raises(KamcourseError, match="至少需要一个客户"):
        crm.care_plan({}, a_min=1, b_min=0)


def test_sample_annual_sales_sum_the_monthly_sample():
    totals = crm.sample_annual_sales()
    monthly = dso.sample_monthly_sales()
    assert totals == {name: sum(months.values()) for name, months in monthly.items()}


def test_read_annual_sales_csv_and_xlsx():
    assert crm.read_annual_sales(csv_bytes("客户,月份,销售额", "甲,2024-01,100", "甲,2024-02,50", "乙,2024-01,7"), "s.csv") == {
        "甲": 150.0,
        "乙": 7.0,
    }
    data = to_xlsx_bytes([{"客户": "甲", "销售额": 120}], crm.CARE_COLUMNS)
    assert crm.read_annual_sales(data, "s.xlsx") == {"甲": 120.0}


@pytest.mark.parametrize(
    "data, name, expected",
    [
        (csv_bytes("name,amount", "甲,1"), "s.csv", "缺少列 “客户”"),
        (csv_bytes("客户,销售额", "甲,abc"), "s.csv", "第 2 行“销售额”"),
        (csv_bytes("客户,销售额", "甲,-3"), "s.csv", "不能为负数"),
        (csv_bytes("客户,销售额"), "s.csv", "没有客户"),
        (b"x", "s.doc", "只接受 .csv 或 .xlsx"),
    ],
)
def test_wrong_sales_files_get_a_chinese_message(data, name, expected):
    with pytest.raises(KamcourseError) as err:
        crm.read_annual_sales(data, name)
    assert expected in str(err.value)


# ---------------------------------------------------------------------------
# exercise keys come from the core

def test_exercise_dso_is_the_cores_countback():
    receivables, sales = crm.EXERCISE_DSO_CASE
    result = dso.countback_dso(receivables, sales)
    assert crm.exercise_dso_days() == result.days and not result.exhausted
    # calendar days matter here: flat 30-day months give another answer
    assert dso.countback_dso(receivables, sales, "flat30").days != result.days


def test_seed_example_is_75_5_days():
    assert dso.countback_dso(*dso.seed_example()).days == 75.5  # domain.md section 1


def test_exercise_progress_is_the_cores_sales_progress():
    assert crm.exercise_progress_percent() == pytest.approx(funnel.sales_progress(**crm.EXERCISE_PROGRESS).progress * 100)


@pytest.mark.parametrize("answer", ["11%", "11", 11, 0.11, "0.11", " 11.0 % ", "11％", "11.04"])
def test_progress_checker_accepts_percent_and_fraction(answer):
    assert crm.check_progress_answer(answer)[0]


@pytest.mark.parametrize("answer, expected", [("12%", "不对"), (0.12, "不对"), ("0.11%", "不对"), ("十一", "答案格式"), (None, "答案格式")])
def test_progress_checker_rejects(answer, expected):
    passed, message = crm.check_progress_answer(answer)
    assert not passed and expected in message


def test_exercise_care_key_is_the_cores_plan():
    values, a_min, b_min = crm.EXERCISE_CARE
    assert crm.exercise_care_key() == {n: crm.care_tier(v, a_min=a_min, b_min=b_min).tier for n, v in values.items()}


# ---------------------------------------------------------------------------
# widgets

def test_switching_cost_sort_all_right():
    view = switching_cost_sort_view()
    for cost, dropdown in view.choices.items():
        dropdown.value = crm.switching_cost_group(cost)
    view.check_button.click()
    assert "全部正确" in view.message.text
    assert all("✔" in mark.value for mark in view.marks.values())


def test_switching_cost_sort_marks_wrong_and_missing():
    view = switching_cost_sort_view()
    view.choices["学习成本"].value = "程序"
    view.choices["金钱损失成本"].value = "情感"
    assert view.check() == 1
    assert "✔" in view.marks["学习成本"].value and "✘" in view.marks["金钱损失成本"].value
    assert view.marks["评估成本"].value == ""
    assert "还有 6 项没有选择" in view.message.text


def test_care_view_opens_on_the_sample():
    view = care_tier_view()
    assert view.plan == crm.care_plan(crm.sample_annual_sales(), a_min=3000, b_min=1500)
    assert bytes(view.chart.value).startswith(PNG_MAGIC)
    assert "宁波海瑞汽车零部件有限公司" in view.table.value


def test_care_view_thresholds_recompute_with_the_core():
    view = care_tier_view()
    view.a_min.value = "2000"
    view.b_min.value = "1000"
    assert view.plan == crm.care_plan(crm.sample_annual_sales(), a_min=2000, b_min=1000)


@pytest.mark.parametrize(
    "attribute, typed, expected",
    [("a_min", "abc", "A 级门槛：“abc” 不是数字"), ("b_min", "5000", "B 级门槛：不能高于 A 级门槛"), ("b_min", "-1", "不能为负数")],
)
def test_care_view_bad_threshold_keeps_the_plan(attribute, typed, expected):
    view = care_tier_view()
    before = view.plan
    getattr(view, attribute).value = typed
    assert view.message.kind == "error" and expected in view.message.text
    assert view.plan is before
    assert getattr(view, attribute).value == typed  # what was typed stays


def test_care_view_upload_and_wrong_upload():
    view = care_tier_view()
    simulate_upload(view.upload, csv_bytes("客户,销售额", "甲,4000", "乙,100"), "mine.csv")
    assert [(c.customer, c.tier) for c in view.plan.rows] == [("甲", "A"), ("乙", "普通")]
    assert view.message.kind == "info"
    before = view.plan
    simulate_upload(view.upload, csv_bytes("客户,销售额", "甲,很多"), "bad.csv")
    assert view.message.kind == "error" and "第 2 行“销售额”" in view.message.text
    assert view.plan is before


def test_care_view_from_a_path(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_bytes(csv_bytes("客户,销售额", "甲,4000"))
    assert [c.customer for c in CareTierView(path).plan.rows] == ["甲"]
    missing = CareTierView(tmp_path / "nope.csv")
    assert missing.message.kind == "error" and "找不到文件" in missing.message.text
    assert len(missing.plan.rows) == 4  # the sample stays


def test_care_chart_has_no_missing_glyphs():
    plan = crm.care_plan(crm.sample_annual_sales(), a_min=3000, b_min=1500)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert figure_png(care_chart(plan)).startswith(PNG_MAGIC)
    assert not [w for w in caught if "missing from" in str(w.message)]


# ---------------------------------------------------------------------------
# the module notebook (the m6 exercise data: tests/test_crm_care.py)

def test_module_notebook_reuses_the_dashboards_in_one_line_each():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    for line in ("dso_dashboard()", "funnel_dashboard()", "switching_cost_sort_view()", "care_tier_view(sales_csv)"):
        assert line in code
    params = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1 and "sales_csv = None" in "".join(params[0]["source"])


def test_the_notebooks_statements_about_the_sample_hold():
    """06_crm.ipynb describes the default care tiers, the funnel sample and customer A."""
    plan = crm.care_plan(crm.sample_annual_sales(), a_min=3000, b_min=1500)
    tiers = {c.customer: c.tier for c in plan.rows}
    assert tiers == {
        "宁波海瑞汽车零部件有限公司": "A",
        "常州新源新材料股份有限公司": "B",
        "苏州恒达机械有限公司": "B",
        "无锡锦程电子科技有限公司": "普通",
    }
    text = notebook_text(NOTEBOOK)
    assert "宁波海瑞是 A 级，常州新源和苏州恒达是 B 级，无锡锦程是普通客户" in text
    receivables, sales = dso.seed_example()
    assert round(dso.simple_dso(receivables, {"2012-04": sales["2012-04"]}).days, 1) == 75.0
    assert round(dso.simple_dso(receivables, sales).days, 1) == 72.6
    assert dso.countback_dso(receivables, sales, "flat30").days == 75.0
