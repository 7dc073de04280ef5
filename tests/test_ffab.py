"""Module 3 (FFAB): statement builder, F/F/A/B sorting, communication loss, widgets, self-checks."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamcourse import ffab
from kamcourse.errors import KamcourseError
from kamcourse.views.ffab import communication_loss_chart, ffab_builder, ffab_sorter

NEED = "首件检测太慢，产线经常停下来等检测结果。"
GOOD = dict(
    feature="六工位探头自动更换架，重复精度 ±1.5 微米",
    function="探头自动更换，装夹一次就能测完全部尺寸",
    advantage="比人工换探头快一半左右",
    benefit="您的产线不用再停下来等检测结果",
    customer_need=NEED,
)


# ---------------------------------------------------------------- labels and the bank


@pytest.mark.parametrize(
    "typed, canonical",
    [
        ("特征", "feature"), (" Feature ", "feature"), ("特点", "feature"), ("FE", "feature"),
        ("功能", "function"), ("function", "function"), ("作用", "function"),
        ("优点", "advantage"), ("优势", "advantage"), ("A", "advantage"),
        ("利益", "benefit"), ("好处", "benefit"), ("b", "benefit"), ("（利益）", "benefit"),
        ("", ""), (None, ""), ("  ", ""),
        ("价格", None), ("F", None), ("特征功能", None),
    ],
)
def test_normalize_label(typed, canonical):
    assert ffab.normalize_label(typed) == canonical


def test_bank_is_well_formed():
    bank = ffab.load_statement_bank()
    ids = [item.id for item in bank.items]
    assert len(ids) == len(set(ids))
    for part in ffab.PARTS:
        assert sum(item.label == part for item in bank.items) >= 2, part
    assert all(item.why for item in bank.items)
    assert bank.customer_needs


def test_bank_key_scores_full_marks():
    bank = ffab.load_statement_bank()
    result = ffab.check_labels({item.id: ffab.PART_NAMES[item.label] for item in bank.items})
    assert result.complete and result.correct == result.total == len(bank.items)
    assert result.message == f"全部 {result.total} 句都答对了！"


def test_partial_and_wrong_labels_are_counted():
    result = ffab.check_labels({"s1": "feature", "s2": "", "s7": "优点"})
    assert (result.answered, result.correct, result.complete) == (2, 1, False)
    wrong = next(v for v in result.verdicts if v.item.id == "s7")
    assert wrong.answered and not wrong.correct and wrong.given == "advantage"


@pytest.mark.parametrize(
    "labels, field",
    [({"s99": "特征"}, "题号 s99"), ({"s3": "价格"}, "第 3 句")],
)
def test_bad_labels_raise_a_chinese_error(labels, field):
    with pytest.raises(KamcourseError) as err:
        ffab.check_labels(labels)
    assert err.value.field == field


# ---------------------------------------------------------------- statement builder


def test_good_statement_is_ready_with_no_suggestions():
    statement = ffab.build_statement(**GOOD)
    assert statement.ready
    assert statement.suggestions == ()
    assert statement.text.startswith("因为六工位探头自动更换架") and statement.text.endswith("。")


@pytest.mark.parametrize(
    "blank, fragment",
    [
        ("feature", "请写出特征（Feature）"),
        ("function", "请写出功能（Function）"),
        ("advantage", "请写出优点（Advantage）"),
        ("benefit", "请写出利益（Benefit）"),
        ("customer_need", "请先写下客户亲口说出的需求"),
    ],
)
def test_each_missing_part_gets_its_suggestion(blank, fragment):
    statement = ffab.build_statement(**{**GOOD, blank: "  "})
    assert not statement.ready
    assert any(fragment in s for s in statement.suggestions)
    assert not any("？。" in s for s in statement.suggestions)


def test_benefit_that_ignores_the_need_is_not_ready():
    statement = ffab.build_statement(**{**GOOD, "benefit": "对您来说更先进、更高端"})
    assert not statement.ready
    assert "利益还没有呼应客户的需求" in statement.suggestions[0]


@pytest.mark.parametrize(
    "field, value, check_name",
    [
        ("benefit", "产线不用再停下来等检测结果", "站在客户一边"),
        ("feature", "先进的探头更换架", "特征有事实或数据"),
        ("function", "ABC DEF GHI 三种 API 接口", "简明少术语"),
        ("function", "长" * 61, "简明少术语"),
        ("advantage", "探头自动更换，装夹一次就能测完全部尺寸", "层层推进"),
    ],
)
def test_tips_flag_but_do_not_block(field, value, check_name):
    statement = ffab.build_statement(**{**GOOD, field: value})
    failed = {c.name for c in statement.checks if not c.ok}
    assert check_name in failed
    assert statement.ready


@pytest.mark.parametrize(
    "text, reference, terms",
    [
        ("您的产线不用再停下来等检测结果", "产线经常停下来等检测结果", ("产线", "停下来等检测结果")),
        ("我们可以做到", "我们需要", ()),
        ("支持 MES 接口", "要能对接mes", ("mes",)),
        ("", "检测太慢", ()),
        ("检测太慢", "", ()),
    ],
)
def test_shared_terms(text, reference, terms):
    assert ffab.shared_terms(text, reference) == terms


@settings(max_examples=150, deadline=None)
@given(st.text(), st.text(), st.text(), st.text(), st.text())
def test_build_statement_never_raises(feature, function, advantage, benefit, need):
    statement = ffab.build_statement(feature, function, advantage, benefit, need)
    assert [c.name for c in statement.checks] == [c.name for c in ffab.build_statement(**GOOD).checks]
    assert all(isinstance(c.message, str) and c.message for c in statement.checks)
    assert statement.ready == all(c.ok for c in statement.checks if c.required)
    if not statement.ready:
        assert statement.suggestions


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(["特征", "功能", "优点", "利益", "benefit", "x"]), st.text() | st.none()))
def test_statement_task_checker_never_raises(answer):
    passed, message = ffab.check_statement_task(answer)
    assert isinstance(passed, bool) and message


# ---------------------------------------------------------------- communication loss


def test_communication_loss_follows_the_seed():
    steps = ffab.communication_loss()
    assert [(s.stage, s.percent, s.lost) for s in steps] == [("想说的", 100, 0), ("说出来的", 80, 20), ("被听到的", 60, 20)]


def test_communication_loss_chart_renders_chinese_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        image = communication_loss_chart()
    assert image.value[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- widgets


def test_sorter_gives_instant_feedback_and_resets():
    sorter = ffab_sorter()
    bank = ffab.load_statement_bank()
    sorter.choices["s1"].value = "feature"
    assert "✔" in sorter.marks["s1"].value
    sorter.choices["s7"].value = "advantage"
    assert "✘" in sorter.marks["s7"].value and "优点" in sorter.marks["s7"].value
    assert "已答 2/8 句，答对 1 句" in sorter.summary.value
    for item in bank.items:
        sorter.choices[item.id].value = item.label
    assert sorter.result.complete and "全部 8 句都答对了" in sorter.summary.value
    sorter.reset_button.click()
    assert sorter.result.answered == 0 and all(m.value == "" for m in sorter.marks.values())


def test_builder_example_then_edits():
    builder = ffab_builder()
    builder.example_button.click()
    assert builder.statement.ready and "可以拿去练习了" in builder.result.value
    builder.fields["benefit"].value = "更先进"
    assert not builder.statement.ready
    assert "利益还没有呼应客户的需求" in builder.result.value
    assert builder.fields["feature"].value  # nothing already typed is lost
    builder.clear_button.click()
    assert builder.statement is None and builder.message.kind == "info"


def test_builder_shows_suggestions_for_half_filled_input():
    builder = ffab_builder()
    builder.fields["feature"].value = "重复精度 ±1.5 微米"
    builder.check_button.click()
    assert "请写出功能（Function）" in builder.result.value
    assert builder.message.kind == ""
