"""Segmentation matrix, resource allocation, Kano and Kraljic: core, widgets and m2's keys."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamcourse import segmentation as seg
from kamcourse.errors import KamcourseError


pytestmark = pytest.mark.usefixtures("progress_home")


# ---------------------------------------------------------------- the quadrant rule


@pytest.mark.parametrize(
    "potential, share, strategy",
    [
        (4200, 0.10, "进攻"),  # high potential, low share
        (5200, 0.76, "防御"),  # high potential, high share
        (350, 0.60, "维持"),  # low potential, high share
        (600, 0.10, "放弃"),  # low potential, low share
        (1250, 0.355, "防御"),  # equal to both cuts counts as high
        (1250, 0.10, "进攻"),
        (1249.99, 0.355, "维持"),
        (0, 0, "放弃"),
        ("5,000", "26%", "进攻"),
    ],
)
def test_quadrant_rule(potential, share, strategy):
    assert seg.segment(potential, share, 1250, 0.355).strategy == strategy


@settings(max_examples=200, deadline=None)
@given(
    st.floats(0, 1e6), st.floats(0, 1), st.floats(0, 1e6), st.floats(0, 1),
)
def test_quadrant_rule_property(potential, share, p_cut, s_cut):
    result = seg.segment(potential, share, p_cut, s_cut)
    assert result.high_potential == (potential >= p_cut)
    assert result.high_share == (share >= s_cut)
    expected = {(True, False): "进攻", (True, True): "防御", (False, True): "维持", (False, False): "放弃"}
    assert result.strategy == expected[(result.high_potential, result.high_share)]
    assert result.rule == seg.STRATEGY_INFO[result.strategy].rule


@pytest.mark.parametrize(
    "args, field",
    [
        ((-1, 0.5, 100, 0.5), "采购潜力"),
        (("很多", 0.5, 100, 0.5), "采购潜力"),
        ((100, 1.5, 100, 0.5), "我方份额"),
        ((100, 35, 100, 0.5), "我方份额"),
        ((100, 0.5, -5, 0.5), "采购潜力界限"),
        ((100, 0.5, 100, "x"), "份额界限"),
    ],
)
def test_bad_values_are_refused_with_the_field_named(args, field):
    with pytest.raises(KamcourseError) as err:
        seg.segment(*args)
    assert err.value.field == field


# ---------------------------------------------------------------- tables


def test_accounts_from_rows_reads_share_or_computes_it_from_sales():
    rows = [
        {"客户": "甲", "采购潜力(万元)": "1,000", "我方份额": "30%", "行业": "汽车", "城市": "苏州"},
        {"客户名称": "乙", "潜力": 500, "年销售额（万元）": 100},
        {"customer": "丙", "potential": 200, "share": 0.5, "sales": 10},  # the given share wins
    ]
    accounts = seg.accounts_from_rows(rows)
    assert [(a.name, a.potential, a.share) for a in accounts] == [("甲", 1000, 0.3), ("乙", 500, 0.2), ("丙", 200, 0.5)]
    assert accounts[0].industry == "汽车" and accounts[0].city == "苏州"


@pytest.mark.parametrize(
    "rows, field",
    [
        ([{"客户": "甲", "采购潜力": 100}], "第 1 行"),
        ([{"客户": "甲", "我方份额": 0.5}], "第 1 行"),
        ([{"客户": "", "采购潜力": 1, "我方份额": 0.5}], "第 1 行“客户”"),
        ([{"客户": "甲", "采购潜力": 100, "年销售额": 150}], "第 1 行“年销售额”"),
        ([{"客户": "甲", "采购潜力": 0, "年销售额": 10}], "第 1 行“采购潜力”"),
        ([{"客户": "甲", "采购潜力": 100, "我方份额": 60}], "第 1 行“我方份额”"),
        ([{"客户": "甲", "采购潜力": 1, "我方份额": 0.1}, {"客户": "甲", "采购潜力": 2, "我方份额": 0.2}], "客户“甲”"),
        ([], "客户名单"),
    ],
)
def test_accounts_from_rows_refuses_bad_rows(rows, field):
    with pytest.raises(KamcourseError) as err:
        seg.accounts_from_rows(rows)
    assert err.value.field == field


def test_segment_table_uses_medians_unless_cuts_are_given():
    accounts = [seg.Account("甲", 5000, 0.7), seg.Account("乙", 4000, 0.1), seg.Account("丙", 300, 0.6), seg.Account("丁", 200, 0.05)]
    median = seg.segment_table(accounts)
    assert (median.potential_cut, median.share_cut) == (2150.0, 0.35)
    assert median.potential_cut_is_median and median.share_cut_is_median
    assert "中位数" in median.cuts_text()
    manual = seg.segment_table(accounts, potential_cut="250", share_cut=" ")
    assert not manual.potential_cut_is_median and manual.share_cut_is_median
    assert manual.strategy_of()["丙"] == "防御"
    assert "自定" in manual.cuts_text()


def test_segment_table_summary_adds_up():
    result = seg.sample_segmentation()
    assert result.counts() == {"进攻": 6, "防御": 4, "维持": 6, "放弃": 4}
    assert sum(s.count for s in result.summary) == len(result.rows) == 20
    for s in result.summary:
        assert math.isclose(s.our_sales + s.open_potential, s.potential)


def test_segment_table_refuses_empty_and_duplicate_lists():
    with pytest.raises(KamcourseError):
        seg.segment_table([])
    with pytest.raises(KamcourseError) as err:
        seg.segment_table([seg.Account("甲", 1, 0.1), seg.Account("甲", 2, 0.2)])
    assert err.value.field == "客户“甲”"


accounts_lists = st.lists(
    st.tuples(st.floats(0, 1e5), st.floats(0, 1)), min_size=1, max_size=30
).map(lambda pairs: [seg.Account(f"客户{i}", p, s) for i, (p, s) in enumerate(pairs)])


@settings(max_examples=100, deadline=None)
@given(accounts_lists)
def test_median_cuts_split_the_list(accounts):
    result = seg.segment_table(accounts)
    n = len(accounts)
    high_potential = sum(r.segment.high_potential for r in result.rows)
    high_share = sum(r.segment.high_share for r in result.rows)
    # at least half the customers are at or above each median
    assert high_potential >= n / 2 and high_share >= n / 2
    assert sum(result.counts().values()) == n


# ---------------------------------------------------------------- resource allocation


@pytest.mark.parametrize(
    "counts, weights, total, expected",
    [
        ({"进攻": 2, "防御": 3, "维持": 4, "放弃": 1}, None, 10, {"进攻": 3.75, "防御": 3.75, "维持": 2.5, "放弃": 0}),
        ({"进攻": 1}, None, 10, {"进攻": 10, "防御": 0, "维持": 0, "放弃": 0}),
        ({"放弃": 5}, None, 10, {"进攻": 0, "防御": 0, "维持": 0, "放弃": 0}),
        ({"进攻": 1, "防御": 1}, {"进攻": "1", "防御": 1}, "100", {"进攻": 50, "防御": 50, "维持": 0, "放弃": 0}),
    ],
)
def test_allocate_resources(counts, weights, total, expected):
    assert seg.allocate_resources(counts, weights, total).units() == pytest.approx(expected)


@settings(max_examples=100, deadline=None)
@given(
    st.fixed_dictionaries({s: st.integers(0, 50) for s in seg.STRATEGIES}),
    st.fixed_dictionaries({s: st.floats(0, 10) for s in seg.STRATEGIES}),
    st.floats(0, 1000),
)
def test_allocation_spends_the_budget_when_anyone_carries_weight(counts, weights, total):
    allocation = seg.allocate_resources(counts, weights, total)
    demand = sum(counts[s] * weights[s] for s in seg.STRATEGIES)
    spent = sum(allocation.units().values())
    assert spent == pytest.approx(total if demand > 0 else 0, abs=1e-6)
    assert all(r.units >= 0 for r in allocation.rows)


@pytest.mark.parametrize(
    "counts, weights, total, field",
    [
        ({"进攻": 1}, {"进攻": -1}, 10, "“进攻”的权重"),
        ({"进攻": 1}, None, "十", "资源总量"),
        ({"进攻": -1}, None, 10, "“进攻”的客户数"),
        ({"进攻": 1.5}, None, 10, "“进攻”的客户数"),
    ],
)
def test_allocation_refuses_bad_inputs(counts, weights, total, field):
    with pytest.raises(KamcourseError) as err:
        seg.allocate_resources(counts, weights, total)
    assert err.value.field == field


# ---------------------------------------------------------------- Kano and Kraljic


@pytest.mark.parametrize(
    "functional, dysfunctional, code",
    [
        ("喜欢", "无所谓", "A"),
        ("喜欢", "能忍受", "A"),
        ("喜欢", "不喜欢", "O"),
        ("理应如此", "不喜欢", "M"),
        ("无所谓", "不喜欢", "M"),
        ("无所谓", "无所谓", "I"),
        ("不喜欢", "喜欢", "R"),
        ("喜欢", "喜欢", "Q"),
        ("不喜欢", "不喜欢", "Q"),
    ],
)
def test_kano_evaluation_table(functional, dysfunctional, code):
    assert seg.kano_category(functional, dysfunctional).code == code


def test_kano_names_match_the_seed_exam():
    seed_names = {c.seed_name for c in seg.KANO_CATEGORIES.values() if c.seed_name}
    assert seed_names == {"迷人质量", "期望质量", "当然质量"}
    assert "必然质量" not in {c.name for c in seg.KANO_CATEGORIES.values()} | seed_names


@pytest.mark.parametrize("args, field", [(("很好", "喜欢"), "具备该功能时的回答"), (("喜欢", ""), "不具备该功能时的回答")])
def test_kano_refuses_unknown_answers(args, field):
    with pytest.raises(KamcourseError) as err:
        seg.kano_category(*args)
    assert err.value.field == field


@pytest.mark.parametrize(
    "impact, risk, name",
    [(True, True, "战略产品"), (True, False, "杠杆产品"), (False, True, "瓶颈产品"), (False, False, "常规产品")],
)
def test_kraljic_quadrants(impact, risk, name):
    assert seg.kraljic(impact, risk).name == name


# ---------------------------------------------------------------- widgets


@pytest.fixture
def view():
    from kamcourse.views.segmentation import segmentation_view

    return segmentation_view()


def test_view_opens_on_the_sample_with_median_cuts(view):
    assert view.result.counts() == {"进攻": 6, "防御": 4, "维持": 6, "放弃": 4}
    assert "1,250 万元" in view.cuts_html.value and "中位数" in view.cuts_html.value
    assert view.chart.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert "进攻" in view.summary_html.value and "南京金陵石化装备有限公司" in view.table_html.value
    assert view.allocation.units()["放弃"] == 0


def test_view_cuts_are_editable_and_bad_cuts_are_explained(view):
    view.potential_cut.value = "500"
    assert view.result.potential_cut == 500 and not view.result.potential_cut_is_median
    assert view.result.counts()["放弃"] == 0 and view.result.counts()["进攻"] == 10  # all four had 600-1000
    view.share_cut.value = "abc"
    assert view.message.kind == "error" and "份额界限" in view.message.text
    assert view.result.potential_cut == 500  # last good result kept
    assert view.share_cut.value == "abc"  # what the trainee typed stays
    view.share_cut.value = "40%"
    assert view.message.kind == "" and view.result.share_cut == 0.4
    view.potential_cut.value = ""
    assert view.result.potential_cut_is_median


def test_view_allocation_follows_weights(view):
    view.weights["防御"].value = "0"
    assert view.allocation.units()["防御"] == 0
    view.total.value = "-3"
    assert view.allocation_message.kind == "error" and "资源总量" in view.allocation_message.text
    assert view.message.kind == ""
    view.total.value = "20"
    assert sum(view.allocation.units().values()) == pytest.approx(20)


def test_view_reads_an_uploaded_file_with_sales_instead_of_share(view):
    content = "客户,采购潜力(万元),年销售额(万元)\n甲,1000,800\n乙,900,100\n丙,100,90\n丁,50,5\n".encode("gbk")
    view.load_file(content, "mine.csv")
    assert view.message.kind == "info" and "4 位客户" in view.message.text
    assert view.result.strategy_of() == {"甲": "防御", "乙": "进攻", "丙": "维持", "丁": "放弃"}


def test_view_reads_xlsx(view):
    from kamcourse.tables import Column, to_xlsx_bytes

    cols = (Column("客户"), Column("采购潜力", kind="number"), Column("我方份额", kind="probability"))
    data = to_xlsx_bytes([{"客户": "甲", "采购潜力": 100, "我方份额": 0.5}, {"客户": "乙", "采购潜力": 10, "我方份额": 0.1}], cols)
    view.load_file(data, "mine.xlsx")
    assert view.result.strategy_of() == {"甲": "防御", "乙": "放弃"}


@pytest.mark.parametrize(
    "content, name, words",
    [
        (b"a,b\n1,2\n", "x.csv", ["缺少列", "采购潜力"]),
        ("客户,采购潜力\n甲,100\n".encode(), "x.csv", ["我方份额"]),
        ("客户,采购潜力,我方份额\n甲,100,60\n".encode(), "x.csv", ["第 2 行", "0.6"]),
        (b"PK\x03\x04broken", "x.xlsx", ["不是有效的 XLSX"]),
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
    from kamcourse.views.segmentation import segmentation_view

    path = tmp_path / "c.csv"
    path.write_text("客户,采购潜力,我方份额\n甲,100,0.5\n乙,10,0.1\n", encoding="utf-8")
    assert segmentation_view(str(path)).result.counts()["防御"] == 1
    missing = segmentation_view(str(tmp_path / "none.csv"))
    assert missing.message.kind == "error" and missing.result is not None


def test_kano_view():
    from kamcourse.views.segmentation import kano_view

    view = kano_view()
    assert view.category.seed_name == "迷人质量"
    view.functional.value, view.dysfunctional.value = "理应如此", "不喜欢"
    assert view.category.name == "必备质量" and "当然质量" in view.result_html.value
    view.feature.value = "<b>x</b>"
    assert "&lt;b&gt;" in view.result_html.value


def test_kraljic_view():
    from kamcourse.views.segmentation import kraljic_view

    view = kraljic_view()
    assert view.quadrant.name == "杠杆产品"
    view.risk.value = True
    assert view.quadrant.name == "战略产品" and "战略产品" in view.result_html.value
    view.impact.value = False
    assert view.quadrant.name == "瓶颈产品"


def test_the_module_notebook_reading_matches_the_sample():
    placed = seg.sample_segmentation().strategy_of()
    assert {n for n, s in placed.items() if s == "防御"} == {
        "宁波海瑞汽车零部件有限公司", "常州新源新材料股份有限公司", "苏州恒达机械有限公司", "无锡锦程电子科技有限公司",
    }
    assert placed["南京金陵石化装备有限公司"] == placed["上海浦江航空部件有限公司"] == "进攻"
    assert placed["嘉兴禾兴纺织机械有限公司"] == "维持"
