"""Pareto (80/20) and ABC classification: the core, the sample company, the widget and m1's keys."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamcourse import pareto
from kamcourse.errors import KamcourseError


pytestmark = pytest.mark.usefixtures("progress_home")


# ---------------------------------------------------------------- core


@pytest.mark.parametrize(
    "customers, count, cumulative",
    [
        ({"甲": 50, "乙": 30, "丙": 10, "丁": 5, "戊": 5}, 2, [0.5, 0.8, 0.9, 0.95, 1.0]),
        ({"甲": 100}, 1, [1.0]),
        ({"甲": 10, "乙": 10, "丙": 10, "丁": 10, "戊": 10}, 4, [0.2, 0.4, 0.6, 0.8, 1.0]),
        ({"小": 1, "大": 99}, 1, [0.99, 1.0]),
        ({"甲": 0, "乙": 5}, 1, [1.0, 1.0]),
    ],
)
def test_pareto_table(customers, count, cumulative):
    result = pareto.pareto(customers)
    assert [round(r.cumulative_share, 6) for r in result.rows] == cumulative
    assert result.count_for_target == count
    assert result.customer_share_for_target == count / len(customers)
    assert result.total == sum(customers.values())


def test_rows_are_sorted_largest_first_and_ties_keep_input_order():
    result = pareto.pareto({"乙": 5, "甲": 9, "丙": 5})
    assert [r.customer for r in result.rows] == ["甲", "乙", "丙"]
    assert [r.rank for r in result.rows] == [1, 2, 3]


@pytest.mark.parametrize(
    "customers, classes",
    [
        ({"甲": 50, "乙": 30, "丙": 10, "丁": 5, "戊": 5}, "AABBC"),
        ({"甲": 79, "乙": 21}, "AA"),  # the customer crossing 80% is A
        ({"甲": 80, "乙": 15, "丙": 5}, "ABC"),  # reaching the cut exactly ends A
        ({"甲": 96, "乙": 4}, "AC"),  # B can be empty
        ({"甲": 1}, "A"),
    ],
)
def test_abc_classes(customers, classes):
    result = pareto.abc_classes(customers)
    assert "".join(r.abc for r in result.rows) == classes


def test_abc_cut_offs_are_inputs():
    customers = {"甲": 50, "乙": 30, "丙": 10, "丁": 5, "戊": 5}
    assert "".join(r.abc for r in pareto.abc_classes(customers, a_cut=0.5, b_cut=0.9).rows) == "ABBCC"
    assert "".join(r.abc for r in pareto.abc_classes(customers, a_cut="0.7", b_cut=1).rows) == "AABBB"


@pytest.mark.parametrize(
    "customers, field",
    [
        ({}, "客户名单"),
        ({"甲": -5}, "客户“甲”的年销售额"),
        ({"甲": "很多"}, "客户“甲”的年销售额"),
        ({"甲": float("nan")}, "客户“甲”的年销售额"),
        ({"甲": 0, "乙": 0}, "客户名单"),
        ({" ": 5}, "客户名单"),
        ([("甲", 5)], "客户名单"),
    ],
)
def test_bad_customer_lists_are_refused_in_chinese(customers, field):
    with pytest.raises(KamcourseError) as err:
        pareto.pareto(customers)
    assert err.value.field == field


@pytest.mark.parametrize(
    "a_cut, b_cut, field",
    [(0, 0.95, "A 类界限"), (1.2, 0.95, "A 类界限"), (0.8, 0.8, "B 类界限"), (0.8, "abc", "B 类界限"), (0.8, 80, "B 类界限")],
)
def test_bad_cut_offs_are_refused(a_cut, b_cut, field):
    with pytest.raises(KamcourseError) as err:
        pareto.abc_classes({"甲": 1}, a_cut, b_cut)
    assert err.value.field == field


sales_maps = st.dictionaries(
    st.text(alphabet="甲乙丙丁戊己庚辛壬癸子丑寅卯", min_size=1, max_size=3),
    st.floats(min_value=0, max_value=1e7, allow_nan=False),
    min_size=1,
    max_size=40,
).filter(lambda d: sum(d.values()) > 0)


@settings(max_examples=150, deadline=None)
@given(sales_maps, st.floats(min_value=0.05, max_value=0.9), st.floats(min_value=0.01, max_value=0.1))
def test_properties_of_pareto_and_abc(customers, a_cut, gap):
    b_cut = min(a_cut + gap, 1.0)
    table = pareto.pareto(customers, target=a_cut)
    cumulative = [r.cumulative_share for r in table.rows]
    assert cumulative == sorted(cumulative)
    assert math.isclose(cumulative[-1], 1.0)
    assert [r.sales for r in table.rows] == sorted(customers.values(), reverse=True)
    result = pareto.abc_classes(customers, a_cut, b_cut)
    classes = [r.abc for r in result.rows]
    assert classes == sorted(classes)  # A before B before C
    assert classes[0] == "A"
    a_members = [r for r in result.rows if r.abc == "A"]
    # A is the smallest top set reaching the A cut-off ...
    assert a_members[-1].cumulative_share >= a_cut - 1e-9
    if len(a_members) > 1:
        assert a_members[-2].cumulative_share < a_cut
    # ... and its size is the Pareto count for that target.
    assert len(a_members) == table.count_for_target
    assert sum(c.count for c in result.classes) == len(customers)
    assert math.isclose(sum(c.sales_share for c in result.classes), 1.0)


# ---------------------------------------------------------------- table rows and the sample


def test_sales_from_rows_accepts_aliases_and_units():
    rows = [{"客户名称": "甲", "年销售额（万元）": "1,200"}, {"customer": "乙", "sales": 300.0}]
    assert pareto.sales_from_rows(rows) == {"甲": 1200.0, "乙": 300.0}


@pytest.mark.parametrize(
    "rows, field",
    [
        ([{"客户": "甲"}], "第 1 行"),
        ([{"客户": "", "年销售额": 5}], "第 1 行“客户”"),
        ([{"客户": "甲", "年销售额": 1}, {"客户": "甲", "年销售额": 2}], "客户“甲”"),
        ([{"客户": "甲", "年销售额": "-3"}], "第 1 行“年销售额”"),
        ([], "客户名单"),
    ],
)
def test_sales_from_rows_refuses_bad_rows(rows, field):
    with pytest.raises(KamcourseError) as err:
        pareto.sales_from_rows(rows)
    assert err.value.field == field


def test_the_sample_company_is_near_but_not_exactly_80_20():
    result = pareto.pareto(pareto.sample_sales())
    assert len(result.rows) == 20
    assert result.total == 13500
    assert result.count_for_target == 5
    assert result.top20_count == 4
    assert round(result.top20_sales_share, 3) == 0.736
    classes = pareto.abc_classes(pareto.sample_sales())
    assert [c.count for c in classes.classes] == [5, 8, 7]


# ---------------------------------------------------------------- widget


@pytest.fixture
def view():
    from kamcourse.views.pareto import pareto_view

    return pareto_view()


def test_view_opens_on_the_sample_company(view):
    assert view.result is not None
    assert view.result.count_for_target == 5
    assert "20 位客户" in view.summary_html.value
    assert view.chart.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert "宁波海瑞汽车零部件有限公司" in view.table_html.value
    assert view.message.kind == ""


def test_view_cut_offs_update_the_classes(view):
    view.a_cut.value = "0.5"
    assert view.abc.a_cut == 0.5
    assert view.abc.classes[0].count == 3  # 29.1%, 49.6% before the third: it crosses 50%
    view.b_cut.value = "0.4"
    assert view.message.kind == "error" and "B 类界限" in view.message.text
    assert view.abc.a_cut == 0.5  # the last good result stays
    view.b_cut.value = "0.9"
    assert view.message.kind == ""


def test_view_reads_an_uploaded_csv(view):
    content = "客户,年销售额(万元)\n甲公司,800\n乙公司,150\n丙公司,50\n".encode("gbk")
    view.load_file(content, "mine.csv")
    assert [r.customer for r in view.result.rows] == ["甲公司", "乙公司", "丙公司"]
    assert view.message.kind == "info" and "3 位客户" in view.message.text


@pytest.mark.parametrize(
    "content, name, words",
    [
        (b"a,b\n1,2\n", "x.csv", ["缺少列", "客户"]),
        ("客户,年销售额\n甲,很多\n".encode(), "x.csv", ["第 2 行", "不是数字"]),
        (b"\x00\x01", "x.xlsx", ["不是有效的 XLSX"]),
        (b"hello", "x.txt", ["只接受"]),
    ],
)
def test_view_explains_a_wrong_file_and_keeps_the_data(view, content, name, words):
    before = view.result
    view.load_file(content, name)
    assert view.message.kind == "error"
    for word in words:
        assert word in view.message.text
    assert view.result is before


def test_view_takes_a_path_for_papermill(tmp_path):
    from kamcourse.views.pareto import pareto_view

    path = tmp_path / "客户.csv"
    path.write_text("客户,年销售额\n甲,10\n乙,90\n", encoding="utf-8")
    view = pareto_view(str(path))
    assert [r.customer for r in view.result.rows] == ["乙", "甲"]
    missing = pareto_view(str(tmp_path / "nope.csv"))
    assert missing.message.kind == "error" and "nope.csv" in missing.message.text
    assert missing.result is not None  # falls back to the sample
