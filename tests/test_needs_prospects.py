"""Prospect screening (module 2, 如何寻找潜在客户): the core rules and the widget."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamcourse import needs_prospects as core
from kamcourse.errors import KamcourseError

NAMES = [p.name for p in core.SAMPLE_PROSPECTS]


# ---------------------------------------------------------------- the rules


def test_default_screen_of_the_sample():
    result = core.screen_prospects(core.SAMPLE_PROSPECTS)
    assert result.shortlist() == ("慈溪衡远汽车部件有限公司", "太仓德宇精密零件有限公司", "宣城敬亭医疗器械有限公司")
    reasons = {r.prospect.name: r.reasons for r in result.rows}
    assert reasons["连云港海川化工有限公司"] == ("不在目标行业（化工）",)
    assert reasons["福州闽江汽车零部件有限公司"] == ("不在目标地区（福建）",)
    assert reasons["常熟岳成航空结构件有限公司"] == ("没有公开的采购信号",)
    assert reasons["盐城鹤鸣汽车零部件有限公司"] == ("采购潜力偏小（约 400 万元/年）",)
    # every failed criterion is listed, not only the first
    assert len(reasons["宿迁绿野食品有限公司"]) == 2
    assert "上海、江苏、浙江、安徽" in result.criteria_text() and "500" in result.criteria_text()


@pytest.mark.parametrize(
    "provinces, industries, floor, signal, shortlist",
    [
        # the exercise m2 t9 setting: two provinces, electronics added, floor 300
        (("江苏", "浙江"), (*core.DEFAULT_INDUSTRIES, "电子制造"), 300, True,
         ("慈溪衡远汽车部件有限公司", "太仓德宇精密零件有限公司", "嘉善华锐电子有限公司", "盐城鹤鸣汽车零部件有限公司")),
        # without the signal requirement 常熟岳成 comes in, after the companies with a signal
        (core.DEFAULT_PROVINCES, core.DEFAULT_INDUSTRIES, 500, False,
         ("慈溪衡远汽车部件有限公司", "太仓德宇精密零件有限公司", "宣城敬亭医疗器械有限公司", "常熟岳成航空结构件有限公司")),
        # a floor above every potential empties the list
        (core.DEFAULT_PROVINCES, core.DEFAULT_INDUSTRIES, 5000, True, ()),
        ("福建", "汽车零部件", 0, True, ("福州闽江汽车零部件有限公司",)),
    ],
)
def test_screen_variants(provinces, industries, floor, signal, shortlist):
    assert core.screen_prospects(core.SAMPLE_PROSPECTS, provinces, industries, floor, signal).shortlist() == shortlist


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"provinces": []}, "目标地区：请至少选择一项"),
        ({"industries": None}, "目标行业：请至少选择一项"),
        ({"industries": ["  "]}, "目标行业：请至少选择一项"),
        ({"min_potential": "很多"}, "采购潜力下限"),
        ({"min_potential": "-1"}, "采购潜力下限：不能为负数"),
    ],
)
def test_bad_criteria_are_explained_in_chinese(kwargs, words):
    with pytest.raises(KamcourseError) as err:
        core.screen_prospects(core.SAMPLE_PROSPECTS, **kwargs)
    assert words in str(err.value)


def test_an_empty_list_is_refused():
    with pytest.raises(KamcourseError, match="潜在客户名单"):
        core.screen_prospects(())


prospects = st.lists(
    st.builds(
        core.Prospect,
        name=st.text(min_size=1, max_size=6),
        province=st.sampled_from(["江苏", "浙江", "福建"]),
        industry=st.sampled_from(["汽车零部件", "化工", "电子制造"]),
        potential=st.floats(min_value=0, max_value=5000, allow_nan=False),
        signal=st.sampled_from(["", "扩建公告"]),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(prospects, st.floats(min_value=0, max_value=5000, allow_nan=False), st.booleans())
def test_screen_properties(items, floor, signal):
    result = core.screen_prospects(items, ("江苏", "浙江"), ("汽车零部件", "电子制造"), floor, signal)
    passed = [r for r in result.rows if r.passed]
    # a company passes exactly when it has no reason against it, and gets a rank 1..n
    assert all((not r.reasons) == r.passed and (r.rank is None) != r.passed for r in result.rows)
    assert sorted(r.rank for r in passed) == list(range(1, len(passed) + 1))
    for r in passed:
        assert r.prospect.province in ("江苏", "浙江") and r.prospect.potential >= floor
        assert r.prospect.signal or not signal
    # companies with a signal rank before those without; then larger potential first
    ranked = sorted(passed, key=lambda r: r.rank)
    keys = [(not r.prospect.signal, -r.prospect.potential) for r in ranked]
    assert keys == sorted(keys)
    # a stricter floor never adds a company
    stricter = core.screen_prospects(items, ("江苏", "浙江"), ("汽车零部件", "电子制造"), floor + 100, signal)
    assert len(stricter.shortlist()) <= len(result.shortlist())


def test_sample_facts_name_public_sources():
    for p in core.SAMPLE_PROSPECTS:
        assert p.source, p.name
        assert not any(word in p.source for word in ("内部", "私下", "报价单")), p.name


# ---------------------------------------------------------------- the widget


@pytest.fixture
def view():
    from kamcourse.views.needs_prospects import prospect_screen_view

    return prospect_screen_view()


def test_view_opens_on_the_default_screen(view):
    assert view.result.shortlist() == core.screen_prospects(core.SAMPLE_PROSPECTS).shortlist()
    assert "优先名单（3 家" in view.summary_html.value
    assert view.table_html.value.count("<tr>") == len(core.SAMPLE_PROSPECTS) + 1  # header row
    assert "不在目标行业（化工）" in view.table_html.value
    assert view.message.kind == ""


def test_view_offers_the_whole_market_scope_of_module_2(view):
    # module 2 names 上海、江苏、浙江、安徽 as the scope; the widget must screen on all four
    assert list(view.provinces) == list(core.province_choices())
    assert [name for name, box in view.provinces.items() if box.value] == list(core.DEFAULT_PROVINCES)
    assert "上海、江苏、浙江、安徽" in view.summary_html.value


def test_view_follows_the_checkboxes_and_the_signal_switch(view):
    view.provinces["安徽"].value = False
    assert "宣城敬亭医疗器械有限公司" not in view.result.shortlist()
    view.industries["电子制造"].value = True
    view.min_potential.value = "300"
    assert view.result.shortlist() == (
        "慈溪衡远汽车部件有限公司", "太仓德宇精密零件有限公司", "嘉善华锐电子有限公司", "盐城鹤鸣汽车零部件有限公司",
    )
    view.require_signal.value = False
    assert "常熟岳成航空结构件有限公司" in view.result.shortlist()


def test_view_bad_input_keeps_the_last_result_and_what_was_typed(view):
    before = view.result.shortlist()
    view.min_potential.value = "五百"
    assert view.message.kind == "error" and "采购潜力下限" in view.message.text
    assert view.result.shortlist() == before and view.min_potential.value == "五百"
    view.min_potential.value = "500"
    assert view.message.kind == ""
    *others, last = [box for box in view.industries.values() if box.value]
    for box in others:
        box.value = False
    before = view.result.shortlist()
    last.value = False
    assert view.message.kind == "error" and "目标行业" in view.message.text
    assert view.result.shortlist() == before


def test_view_with_nothing_passing_says_so(view):
    view.min_potential.value = "99999"
    assert view.result.shortlist() == () and "没有公司通过筛选" in view.summary_html.value
