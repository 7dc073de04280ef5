"""Answers are read leniently and scored by the declared rules; grade_item never raises."""

from __future__ import annotations

import io
import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from kamcourse.quiz.answers import MISSING, FormatSpec, format_report, read_answer
from kamcourse.quiz.bank import load_quiz
from kamcourse.quiz.scoring import RULES, score_item

BANK = ROOT / "quizzes" / "bank"
EXAM = load_quiz("exam", BANK)
M4 = load_quiz("m4_spin", BANK)


@pytest.mark.parametrize("item, answer, points", [
    # multiple choice ABC (3 points): share of right letters, a wrong letter gives 0
    ("q1", "ABC", 3), ("q1", "a, b", 2), ("q1", "c", 1), ("q1", "ABCD", 0), ("q1", "D", 0),
    # multiple choice ABD (2 points): 2/3 x 2 = 1.33, 1/3 x 2 = 0.67 (half up)
    ("q5", "BD", 1.33), ("q5", "d", 0.67),
    # ordering BADC (4 points): 1 point per letter in place
    ("q4", "BADC", 4), ("q4", "BACD", 2), ("q4", "ABCD", 0), ("q4", "B", 1), ("q4", "CDAB", 0),
    # matching ABCACABA (8 points): 1 per prompt
    ("q7", "ABCACABA", 8), ("q7", "ABCACABB", 7), ("q7", "CCCCCCCC", 2), ("q7", "1A 2B", 2),
    # single choice: all or nothing; two letters is a format error
    ("q8", "A", 2), ("q8", "b", 0), ("q8", "AB", 0),
    # numeric 75.5 +- 0.1
    ("q10", "75.5", 4), ("q10", 75.5, 4), ("q10", "75.4", 4), ("q10", "75.61", 0), ("q10", "75.0", 0),
    ("q10", "７５.５天", 4), ("q10", "约75", 0),
    # blank, missing and odd objects score 0
    ("q1", "", 0), ("q1", None, 0), ("q1", MISSING, 0), ("q1", 3, 0), ("q1", {"A": 1}, 0),
])
def test_exam_scores(item, answer, points):
    assert score_item(EXAM.item(item), answer).points == pytest.approx(points)


@pytest.mark.parametrize("answer, points", [("A", 1), ("对", 1), ("√", 1), ("true", 1), (True, 1),
                                            ("B", 0), ("错", 0), ("×", 0), (False, 0), ("也许", 0)])
def test_true_false_reads_letters_words_and_marks(answer, points):
    assert score_item(M4.item("q8"), answer).points == points  # key: 对


def test_status_and_detail_are_chinese():
    result = score_item(EXAM.item("q1"), "ABD")
    assert result.status == "wrong" and "D" in result.detail
    assert score_item(EXAM.item("q1"), "AB").status == "partial"
    assert score_item(EXAM.item("q1"), "").status == "blank"
    assert score_item(EXAM.item("q1"), "AAB").status == "invalid"


def test_every_type_has_a_stated_rule():
    assert set(RULES) == {"single", "multiple", "ordering", "matching", "true_false", "numeric", "essay"}


SEPARATORS = st.lists(st.sampled_from([" ", ",", "，", "、", ";", "/", "-", "  "]), min_size=0, max_size=3).map("".join)


@settings(max_examples=60, deadline=None)
@given(letters=st.lists(st.sampled_from("ABCD"), min_size=1, max_size=4, unique=True),
       seps=st.lists(SEPARATORS, min_size=5, max_size=5), lower=st.booleans())
def test_case_spaces_and_separators_never_change_a_score(letters, seps, lower):
    item = EXAM.item("q4")  # ordering: order is kept
    plain = "".join(letters)
    noisy = "".join(ch + sep for ch, sep in zip(letters, seps))
    noisy = noisy.lower() if lower else noisy
    assert score_item(item, noisy).points == score_item(item, plain).points
    assert read_answer(item.spec, noisy).text == plain


@settings(max_examples=80, deadline=None)
@given(answer=st.one_of(st.text(max_size=12), st.integers(), st.floats(allow_nan=True), st.none(),
                        st.lists(st.text(max_size=3), max_size=4)))
def test_any_answer_scores_between_zero_and_the_points(answer):
    for item in EXAM.auto_items:
        result = score_item(item, answer)
        assert 0 <= result.points <= item.points


def test_grade_item_prints_result_and_explanation_and_returns_points(monkeypatch):
    from kamcourse.quiz.grading import grade_item

    monkeypatch.setenv("KAMCOURSE_QUIZ_BANK", str(BANK))
    answer_q1 = "a b"  # noqa: F841 - read from the caller's globals in a notebook; passed here
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        points = grade_item("exam", "q1", answer_q1)
    assert points == 2.0
    text = out.getvalue()
    assert "得分：2 / 3" in text and "正确答案：ABC" in text and EXAM.item("q1").explanation in text


def test_grade_item_reads_the_callers_variable_and_survives_a_missing_one(monkeypatch):
    from kamcourse.quiz.grading import grade_item

    monkeypatch.setenv("KAMCOURSE_QUIZ_BANK", str(BANK))
    namespace = {"grade_item": grade_item, "answer_q8": "A"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert eval('grade_item("exam", "q8")', namespace) == 2.0
        assert eval('grade_item("exam", "q2")', namespace) == 0.0  # no answer_q2 at all
    assert "找不到答案变量" in out.getvalue()


def test_grade_item_without_a_bank_prints_and_scores_zero(monkeypatch, tmp_path):
    from kamcourse.quiz.grading import INTERNAL_ERROR_MARK, grade_item

    monkeypatch.setenv("KAMCOURSE_QUIZ_BANK", str(tmp_path))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert grade_item("exam", "q1", "ABC") == 0.0
    assert INTERNAL_ERROR_MARK in out.getvalue()


def test_the_check_cell_checks_format_only():
    report = format_report({"answer_q1": "ABC", "answer_q4": "BAD", "answer_q8": "E"},
                           ["q1 multiple 4", "q4 ordering 4", "q8 single 4", "q10 numeric"])
    text = str(report)
    assert "第 1 题（多选题）：格式正确，读取为 ABC。" in text  # the key, yet no word on correctness
    assert "还差 1 个" in text
    assert "出现了选项以外的字符“E”" in text
    assert "第 10 题（数值题）：找不到答案变量" in text
    assert "不检查答案是否正确" in text
    assert "正确答案" not in text and not report.all_ok


def test_format_spec_round_trips():
    for item in EXAM.auto_items:
        assert FormatSpec.parse(item.spec.code()) == item.spec
