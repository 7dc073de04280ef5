"""Answers are read as data, leniently, and scored by the declared rules (fixture keys in
tests/test_quiz_support.py, so no test depends on the real exam's keys)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from kamcourse.quiz.answers import (LITERAL_ONLY, MISSING, FormatSpec, canonical_kind, format_report, read_answer,
                                    read_answer_cell)
from kamcourse.quiz.bank import parse_quiz, schema_path
from kamcourse.quiz.grading import grade_paper, grade_position
from kamcourse.quiz.scoring import RULES, score_item
from kamcourse.quiz.variants import Position
from test_quiz_support import DUEL, DUEL_SECRETS, full_quiz

QUIZ = parse_quiz(full_quiz(DUEL, DUEL_SECRETS), "duel.yaml", str(schema_path(ROOT / "quizzes" / "bank")),
                  require_secrets=True)


@pytest.mark.parametrize("item, answer, points", [
    # multiple choice ABD (3 points): share of right letters, a wrong letter gives 0
    ("q2", "ABD", 3), ("q2", "a, b", 2), ("q2", "d", 1), ("q2", "ABCD", 0), ("q2", "C", 0),
    # ordering BDAC (4 points): 1 point per letter in place
    ("q4", "BDAC", 4), ("q4", "BDCA", 2), ("q4", "ABCD", 0), ("q4", "B", 1), ("q4", "DBCA", 0),
    # matching ABCA (4 points): 1 per prompt
    ("q5", "ABCA", 4), ("q5", "ABCB", 3), ("q5", "AAAA", 2), ("q5", "1A 2B", 2),
    # single choice: all or nothing; two letters is a format error
    ("q1", "C", 2), ("q1", "b", 0), ("q1", "CD", 0),
    # numeric 37.5 +- 0.5
    ("q6", "37.5", 2), ("q6", 37.5, 2), ("q6", "37", 2), ("q6", "38.01", 0), ("q6", "３７.５天", 2), ("q6", "约37", 0),
    # blank, missing and odd objects score 0
    ("q2", "", 0), ("q2", None, 0), ("q2", MISSING, 0), ("q2", 3, 0), ("q2", {"A": 1}, 0),
])
def test_scores(item, answer, points):
    assert score_item(QUIZ.item(item), answer).points == pytest.approx(points)


@pytest.mark.parametrize("answer, points", [("B", 1), ("错", 1), ("×", 1), ("false", 1), (False, 1),
                                            ("A", 0), ("对", 0), ("√", 0), (True, 0), ("也许", 0)])
def test_true_false_reads_letters_words_and_marks(answer, points):
    assert score_item(QUIZ.item("q3"), answer).points == points  # key: 错


@pytest.mark.parametrize("source, status, text", [
    ('answer_q2 = "a, b"', "ok", "AB"),
    ('# 我的答案\nanswer_q2 = ["A", "D"]  # 注释', "ok", "AD"),
    ('answer_q2 = "A"\nanswer_q2 = "B"', "ok", "B"),       # the last assignment, as Python would
    ("# 不会", "blank", ""),
    ('answer_q2 = "A" + "B"', "invalid", ""),
    ('import os\nanswer_q2 = "AB"', "invalid", ""),
    ('answer_q2 = open("/etc/passwd").read()', "invalid", ""),
    ('answer_q1 = "AB"', "invalid", ""),                    # another item's variable
    ('answer_q2 = ("AB"', "invalid", ""),                   # a syntax error
    ("answer_q2 = " + "[" * 3000 + "]" * 3000, "invalid", ""),
])
def test_answer_cells_are_read_as_data(source, status, text):
    reading = read_answer_cell(FormatSpec("q2", "multiple", 4), source)
    assert (reading.status, reading.text) == (status, text)
    if status == "invalid":
        assert reading.problem == LITERAL_ONLY


def test_a_code_answer_scores_zero_on_its_item_only():
    sources = {"q1": 'answer_q1 = "C"', "q2": 'import os\nanswer_q2 = "ABD"', "q3": 'answer_q3 = "错"'}
    verdicts = grade_paper(QUIZ, "amy", sources)
    assert {k: v.points for k, v in verdicts.items()} == {"q1": 2, "q2": 0, "q3": 1, "q4": 0, "q5": 0, "q6": 0}
    assert LITERAL_ONLY in verdicts["q2"].text and verdicts["q2"].score.status == "invalid"


def test_a_flagged_item_scores_zero_with_its_reason():
    verdict = grade_position(QUIZ, Position(1, "q1", (0, 1, 2, 3)), 'answer_q1 = "C"', "第 1 题：修改了锁定的题目单元")
    assert verdict.points == 0 and "修改了锁定的题目单元" in verdict.text


def test_shown_letters_are_mapped_back_to_the_canonical_key():
    # shown A B C D = canonical C A D B: the key ABD (canonical) reads B D ... as shown
    position = Position(2, "q2", (2, 0, 3, 1))
    assert position.to_shown("ABD") == "BDC"
    verdict = grade_position(QUIZ, position, 'answer_q2 = "bdc"')
    assert verdict.points == 3 and verdict.data["key"] == "BDC" and verdict.data["canonical_answer"] == "ABD"


def test_the_verdict_holds_the_explanation_and_the_option_notes():
    verdict = grade_position(QUIZ, Position(1, "q1", (0, 1, 2, 3)), 'answer_q1 = "A"')
    assert "解析：解析一" in verdict.text and "甲不对" in verdict.text
    assert verdict.data["notes"][2] == ["C", "丙", "丙正确", True]


def test_every_type_has_a_stated_rule_and_kind_names_are_one_vocabulary():
    assert set(RULES) == {"single", "multiple", "ordering", "matching", "true_false", "numeric", "essay"}
    assert [canonical_kind(k) for k in ("multi", "order", "match", "multiple")] == ["multiple", "ordering", "matching",
                                                                                    "multiple"]
    assert FormatSpec.parse("q1 multi 4") == FormatSpec("q1", "multiple", 4)


SEPARATORS = st.lists(st.sampled_from([" ", ",", "，", "、", ";", "/", "-", "  "]), min_size=0, max_size=3).map("".join)


@settings(max_examples=60, deadline=None)
@given(letters=st.lists(st.sampled_from("ABCD"), min_size=1, max_size=4, unique=True),
       seps=st.lists(SEPARATORS, min_size=5, max_size=5), lower=st.booleans())
def test_case_spaces_and_separators_never_change_a_score(letters, seps, lower):
    item = QUIZ.item("q4")  # ordering: order is kept
    plain = "".join(letters)
    noisy = "".join(ch + sep for ch, sep in zip(letters, seps))
    noisy = noisy.lower() if lower else noisy
    assert score_item(item, noisy).points == score_item(item, plain).points
    assert read_answer(item.spec, noisy).text == plain


@settings(max_examples=80, deadline=None)
@given(source=st.text(max_size=40))
def test_any_answer_cell_scores_between_zero_and_the_points(source):
    for item in QUIZ.auto_items:
        verdict = grade_position(QUIZ, Position(item.number, item.id, tuple(range(len(item.options)))), source)
        assert 0 <= verdict.points <= item.points


def test_the_check_cell_checks_format_only():
    report = format_report({"answer_q1": "ABC", "answer_q4": "BAD", "answer_q8": "E"},
                           ["q1 multiple 4", "q4 ordering 4", "q8 single 4", "q10 numeric"])
    text = str(report)
    assert "第 1 题（多选题）：格式正确，读取为 ABC。" in text and "还差 1 个" in text
    assert "出现了选项以外的字符“E”" in text and "第 10 题（数值题）：找不到答案变量" in text
    assert "正确答案" not in text and not report.all_ok
