"""Module 4 (SPIN): question bank and check, the personality model, widgets, self-checks."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kamcourse import spin
from kamcourse.errors import KamcourseError
from kamcourse.views.spin import personality_view, spin_sorter


# ---------------------------------------------------------------- question bank


@pytest.mark.parametrize(
    "typed, code",
    [
        ("S", "S"), ("s", "S"), ("背景问题", "S"), ("背景", "S"), ("Situation", "S"),
        ("P", "P"), ("难点问题", "P"), ("problem", "P"),
        ("I", "I"), ("暗示问题", "I"), ("Implication", "I"),
        ("N", "N"), ("需求-效益问题", "N"), ("需求效益问题", "N"), ("需求 - 效益", "N"), ("Need-payoff", "N"),
        ("", ""), (None, ""), ("X", None), ("开放式问题", None),
    ],
)
def test_normalize_spin_label(typed, code):
    assert spin.normalize_spin_label(typed) == code


def test_question_bank_is_well_formed_and_key_scores_full():
    bank = spin.load_questions()
    assert len({q.id for q in bank.items}) == len(bank.items)
    for code in spin.SPIN_TYPES:
        assert sum(q.label == code for q in bank.items) >= 2
    result = spin.check_labels({q.id: spin.SPIN_NAMES[q.label] for q in bank.items})
    assert result.complete and result.message == f"全部 {len(bank.items)} 句都答对了！"


def test_check_labels_counts_and_rejects_unknown():
    result = spin.check_labels({"q1": "S", "q7": "N", "q10": ""})
    assert (result.answered, result.correct) == (2, 1)
    with pytest.raises(KamcourseError) as err:
        spin.check_labels({"q2": "封闭式"})
    assert err.value.field == "第 2 句"


# ---------------------------------------------------------------- personality: table


@pytest.mark.parametrize(
    "scores, kind, leaning, order",
    [
        ({"A": 9, "B": 0, "C": 0, "D": 0}, "鹰", "", "听问说"),
        ({"A": 10, "B": 10, "C": 10, "D": 10}, "鹰", "", "听问说"),  # 鹰 beats 狐 and 羊
        ({"A": 8, "B": 0, "C": 0, "D": 0}, "鹰", "倾向鹰", "听问说"),
        ({"A": 6, "B": 0, "C": 0, "D": 0}, "鹰", "倾向鹰", "听问说"),
        ({"A": 5, "B": 0, "C": 0, "D": 0}, "驴", "", "说问听"),
        ({"A": 0, "B": 0, "C": 0, "D": 8}, "狐", "", "问听说"),
        ({"A": 8, "B": 0, "C": 9, "D": 8}, "狐", "倾向鹰", "问听说"),  # 狐 beats 羊 and the leaning
        ({"A": 0, "B": 0, "C": 0, "D": 7}, "驴", "", "说问听"),
        ({"A": 0, "B": 0, "C": 6, "D": 0}, "羊", "", "说问听"),
        ({"A": 7, "B": 5, "C": 6, "D": 4}, "羊", "倾向鹰", "说问听"),  # a threshold beats a leaning
        ({"A": 0, "B": 0, "C": 5, "D": 0}, "驴", "", "说问听"),
        ({"A": 2, "B": 9, "C": 5, "D": 7}, "驴", "", "说问听"),
    ],
)
def test_personality_table(scores, kind, leaning, order):
    result = spin.personality(scores)
    assert (result.type, result.leaning, result.order) == (kind, leaning, order)
    assert kind in result.explanation and order in result.explanation


def test_label_shows_the_leaning_only_for_a_leaning_eagle():
    assert spin.personality({"A": 7, "B": 0, "C": 0, "D": 0}).label == "倾向鹰"
    assert spin.personality({"A": 7, "B": 0, "C": 6, "D": 0}).label == "羊"
    assert spin.personality({"A": 9, "B": 0, "C": 0, "D": 0}).label == "鹰"


def test_orders_map_types_as_the_seed_does():
    assert spin.ORDERS == {"鹰": "听问说", "驴": "说问听", "羊": "说问听", "狐": "问听说"}


# ---------------------------------------------------------------- personality: validation


@pytest.mark.parametrize(
    "scores, field, fragment",
    [
        ({"A": 1, "B": 2, "C": 3}, "D 项得分", "没有填写"),
        ({"A": "", "B": 2, "C": 3, "D": 4}, "A 项得分", "没有填写"),
        ({"A": 1, "B": "x", "C": 3, "D": 4}, "B 项得分", "0 到 10 的整数"),
        ({"A": 1, "B": 2, "C": 6.5, "D": 4}, "C 项得分", "0 到 10 的整数"),
        ({"A": 1, "B": 2, "C": 3, "D": -1}, "D 项得分", "不能为负数"),
        ({"A": 11, "B": 2, "C": 3, "D": 4}, "A 项得分", "不能超过 10 分"),
        ({"A": True, "B": 2, "C": 3, "D": 4}, "A 项得分", "整数"),
        ({"A": 1, "B": 2, "C": 3, "D": 4, "E": 5}, "得分项“E”", "只有 A、B、C、D 四项"),
    ],
)
def test_bad_scores_name_the_field(scores, field, fragment):
    with pytest.raises(KamcourseError) as err:
        spin.personality(scores)
    assert err.value.field == field
    assert fragment in str(err.value)


def test_scores_not_a_mapping():
    with pytest.raises(KamcourseError):
        spin.personality([9, 0, 0, 0])  # type: ignore[arg-type]


@pytest.mark.parametrize("typed, value", [(" 7 ", 7), ("７", 7), ("8.0", 8), (8.0, 8), ("+3", 3), (0, 0)])
def test_lenient_score_formats(typed, value):
    assert spin.parse_score(typed, "A 项得分") == value


# ---------------------------------------------------------------- personality: properties

score = st.integers(min_value=0, max_value=spin.MAX_SCORE)
vectors = st.fixed_dictionaries({"A": score, "B": score, "C": score, "D": score})


def test_every_valid_vector_yields_exactly_one_type():
    """Exhaustive over the 11^4 vectors: the rules partition the score space."""
    for a, b, c, d in itertools.product(range(spin.MAX_SCORE + 1), repeat=4):
        result = spin.personality({"A": a, "B": b, "C": c, "D": d})
        rules = {
            "鹰": a >= 9 or (6 <= a < 9 and c < 6 and d < 8),
            "狐": a < 9 and d >= 8,
            "羊": a < 9 and d < 8 and c >= 6,
            "驴": a < 6 and c < 6 and d < 8,
        }
        assert [k for k, holds in rules.items() if holds] == [result.type]


@settings(max_examples=200, deadline=None)
@given(vectors)
def test_type_and_order_are_consistent(scores):
    result = spin.personality(scores)
    assert result.type in spin.TYPES
    assert result.order == spin.ORDERS[result.type]
    assert (result.leaning == "倾向鹰") == (6 <= scores["A"] < 9)
    assert dict(result.scores) == scores


@settings(max_examples=200, deadline=None)
@given(vectors, score)
def test_b_never_changes_the_type(scores, other_b):
    assert spin.personality(scores).type == spin.personality({**scores, "B": other_b}).type


@settings(max_examples=200, deadline=None)
@given(vectors, st.sampled_from(["A", "C", "D"]), st.integers(min_value=1, max_value=spin.MAX_SCORE))
def test_raising_a_score_never_takes_its_own_type_away(scores, quadrant, step):
    """Monotonic: more A keeps 鹰, more D keeps 狐, more C keeps 羊."""
    before = spin.personality(scores)
    own = spin.QUADRANT_TYPES[quadrant]
    assume(before.type == own)
    raised = {**scores, quadrant: min(spin.MAX_SCORE, scores[quadrant] + step)}
    assert spin.personality(raised).type == own


@settings(max_examples=200, deadline=None)
@given(vectors)
def test_boundaries(scores):
    result = spin.personality(scores)
    if scores["A"] >= 9:
        assert result.type == "鹰"
    if result.type == "驴":
        assert scores["A"] < 6 and scores["C"] < 6 and scores["D"] < 8
    if result.type == "狐":
        assert scores["D"] >= 8 and scores["A"] < 9
    if result.type == "羊":
        assert scores["C"] >= 6 and scores["D"] < 8 and scores["A"] < 9


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=3), st.text(max_size=4) | st.integers() | st.floats() | st.none()))
def test_personality_raises_only_kamcourse_errors(scores):
    try:
        spin.personality(scores)
    except KamcourseError as err:
        assert err.field


# ---------------------------------------------------------------- implication question checker


@pytest.mark.parametrize(
    "answer, passed, fragment",
    [
        ("产线停下来等检测结果，每个月会耽误多少订单？", True, "很好"),
        ("排队等首件检测，会不会影响你们按时给主机厂交货？", True, "很好"),
        ("如果首件检测 10 分钟以内就能出结果，对您有什么帮助？", False, "需求-效益问题"),
        ("贵厂有几台测量机？", False, "难点"),
        ("检测要排队，您满意吗？", False, "后果"),
        ("首件检测排队会造成损失", False, "还不是一个问题"),
        ("", False, "还没有作答"),
        (None, False, "还没有作答"),
    ],
)
def test_check_implication_question(answer, passed, fragment):
    ok, message = spin.check_implication_question(answer)
    assert ok is passed
    assert fragment in message


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_implication_checker_never_raises(text):
    ok, message = spin.check_implication_question(text)
    assert isinstance(ok, bool) and message


# ---------------------------------------------------------------- widgets


def test_spin_sorter_instant_feedback():
    sorter = spin_sorter()
    sorter.choices["q1"].value = "S"
    sorter.choices["q7"].value = "N"
    assert "✔" in sorter.marks["q1"].value
    assert "✘" in sorter.marks["q7"].value and "需求-效益问题" in sorter.marks["q7"].value
    for q in spin.load_questions().items:
        sorter.choices[q.id].value = q.label
    assert sorter.result.complete


def test_personality_view_valid_then_bad_then_fixed():
    view = personality_view()
    for quadrant, value in {"A": "7", "B": "5", "C": "6", "D": "4"}.items():
        view.inputs[quadrant].value = value
    assert view.result.type == "羊" and "说问听" in view.output.value
    view.inputs["D"].value = "十"
    assert view.result is None and view.message.kind == "error"
    assert view.message.text.startswith("D 项得分")
    assert view.inputs["A"].value == "7"  # nothing already entered is lost
    view.inputs["D"].value = "9"
    assert view.result.type == "狐" and view.message.kind == ""


def test_personality_view_button_with_a_blank_box():
    view = personality_view()
    view.inputs["A"].value = "9"
    assert view.result is None and view.message.kind == ""  # not judged until all four are filled
    view.button.click()
    assert view.message.kind == "error" and "没有填写" in view.message.text
