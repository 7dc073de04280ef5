"""Item statistics against numbers worked out by hand for a small class."""

from __future__ import annotations

import math
import warnings

import pytest

from conftest import ROOT
from kamcourse.quiz.answers import read_answer
from kamcourse.quiz.bank import load_quiz
from kamcourse.quiz.stats import (item_statistics, learning_gain, needs_checking, pearson, quiz_statistics,
                                  response_counts, write_chart)
from test_quiz_scoring import QUIZ

# Five trainees, three items (max 1, 2, 2):
#        q1  q2  q3 | total
#   a     1   2   2 |   5
#   b     1   1   2 |   4
#   c     0   1   0 |   1
#   d     1   0   1 |   2
#   e     0   0   0 |   0
SCORES = {
    "a": {"q1": 1, "q2": 2, "q3": 2},
    "b": {"q1": 1, "q2": 1, "q3": 2},
    "c": {"q1": 0, "q2": 1, "q3": 0},
    "d": {"q1": 1, "q2": 0, "q3": 1},
    "e": {"q1": 0, "q2": 0, "q3": 0},
}
MAX = {"q1": 1, "q2": 2, "q3": 2}


def test_facility_is_mean_over_max():
    stats = {s.item_id: s for s in item_statistics(MAX, SCORES)}
    # q1: 3/5 = 60 %; q2: mean 4/5 = 0.8 of 2 = 40 %; q3: mean 5/5 = 1 of 2 = 50 %
    assert stats["q1"].facility == pytest.approx(60.0)
    assert stats["q2"].facility == pytest.approx(40.0)
    assert stats["q3"].facility == pytest.approx(50.0)


def test_discrimination_is_the_correlation_with_the_rest_of_the_test():
    stats = {s.item_id: s for s in item_statistics(MAX, SCORES)}
    # q1 = (1,1,0,1,0), rest = q2+q3 = (4,3,1,1,0): means 0.6 and 1.8
    #   sum dx*dy = .4*2.2 + .4*1.2 + (-.6)(-.8) + .4(-.8) + (-.6)(-1.8) = .88+.48+.48-.32+1.08 = 2.6
    #   sum dx^2 = 1.2, sum dy^2 = 4.84+1.44+.64+.64+3.24 = 10.8 -> r = 2.6/sqrt(12.96) = 2.6/3.6
    assert stats["q1"].discrimination == pytest.approx(100 * 2.6 / 3.6)
    # q2 = (2,1,1,0,0), rest = q1+q3 = (3,3,0,2,0): means 0.8 and 1.6
    #   sum dx*dy = 1.2*1.4 + .2*1.4 + .2(-1.6) + (-.8)(.4) + (-.8)(-1.6) = 1.68+.28-.32-.32+1.28 = 2.6
    #   sum dx^2 = 1.44+.04+.04+.64+.64 = 2.8, sum dy^2 = 1.96+1.96+2.56+.16+2.56 = 9.2
    assert stats["q2"].discrimination == pytest.approx(100 * 2.6 / math.sqrt(2.8 * 9.2))
    # sample SD of q1's share (0.6 mean): sqrt(1.2 / 4) = 0.5477
    assert stats["q1"].sd == pytest.approx(100 * math.sqrt(1.2 / 4))


def test_flags_for_items_outside_the_usual_ranges():
    columns = {  # six trainees a..f
        "easy": [1, 1, 1, 1, 1, 1],
        "hard": [0, 0, 0, 0, 0, 0],
        "g1": [1, 1, 1, 1, 0, 0],
        "fine": [1, 1, 0, 1, 0, 0],
        "odd": [0, 0, 0, 1, 1, 1],   # the weakest trainees get it right
    }
    scores = {s: {k: v[i] for k, v in columns.items()} for i, s in enumerate("abcdef")}
    stats = {s.item_id: s for s in item_statistics({k: 1 for k in columns}, scores)}
    assert any("极易" in f for f in stats["easy"].flags)
    assert any("极难" in f for f in stats["hard"].flags)
    assert stats["easy"].discrimination is None and any("无法计算" in f for f in stats["easy"].flags)
    # fine = (1,1,0,1,0,0), rest = easy+hard+g1+odd = (2,2,2,3,2,2): means 1/2 and 13/6;
    # sum dx*dy = (1/2)(-1/6)*2 + (-1/2)(-1/6) + (1/2)(5/6) + (-1/2)(-1/6)*2 = 1/2,
    # sum dx^2 = 6/4, sum dy^2 = 5/36 + 25/36 = 30/36 -> r = (1/2) / sqrt(1.5 * 30/36) = 0.4472
    assert stats["fine"].discrimination == pytest.approx(100 * 0.5 / math.sqrt(1.5 * 30 / 36))
    assert stats["fine"].flags == ()
    assert stats["odd"].discrimination < 0 and any("为负" in f for f in stats["odd"].flags)


def test_pearson_by_hand():
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert pearson([1, 1], [1, 2]) is None


def test_option_counts_by_hand():
    q4 = QUIZ.item("q4")  # ordering, key BDAC
    answers = ["BDAC", "b d a c", "ABCD", "", "BDAE", "BD"]
    rows = {r.response: r for r in response_counts(q4, [read_answer(q4.spec, a) for a in answers])}
    assert rows["BDAC"].count == 2 and rows["BDAC"].correct
    assert rows["ABCD"].count == 1 and not rows["ABCD"].correct
    assert rows["BD"].count == 1
    assert rows["（未作答）"].count == 1 and rows["（格式无效或不计分）"].count == 1
    assert rows["BDAC"].share == pytest.approx(100 * 2 / 6)


def test_discriminative_efficiency_by_hand():
    stats = {s.item_id: s for s in item_statistics(MAX, SCORES)}
    # q1 = (1,1,0,1,0), rest (4,3,1,1,0): cov = 2.6/4; sorted (0,0,1,1,1) and (0,1,1,3,4) give the
    # same sum of products 2.6, so q1 discriminates as well as its marks allow: 100 %
    assert stats["q1"].efficiency == pytest.approx(100.0)
    # q2 = (2,1,1,0,0), rest (3,3,0,2,0): cov sum 2.6; sorted (0,0,1,1,2), (0,0,2,3,3) around
    # 0.8 and 1.6: 1.28 + 1.28 + 0.08 + 0.28 + 1.68 = 4.6 -> 2.6 / 4.6
    assert stats["q2"].efficiency == pytest.approx(100 * 2.6 / 4.6)
    assert stats["q2"].discrimination == pytest.approx(100 * 2.6 / math.sqrt(2.8 * 9.2))  # 51.2
    assert stats["q2"].needs_checking == "不太需要检查"


def test_a_dubious_item_and_moodles_needs_checking_bands():
    # marks (1,0,0,1) against rest (3,2,1,0): covariance 0.75 - 0.25 + 0.25 - 0.75 = 0
    scores = {s: {"x": x, "y": y} for s, x, y in zip("abcd", (1, 0, 0, 1), (3, 2, 1, 0))}
    stat = item_statistics({"x": 1, "y": 3}, scores)[0]
    assert stat.efficiency == pytest.approx(0.0) and stat.discrimination == pytest.approx(0.0)
    assert "区分效率低于 15%，题目可疑" in stat.flags and stat.needs_checking == "很可能需要检查"
    assert [needs_checking(d) for d in (29.99, 30.0, 49.99, 50.0)] == ["很可能需要检查", "可能需要检查", "可能需要检查", "不太需要检查"]


def test_whole_test_statistics_by_hand():
    totals = [5, 4, 1, 2, 0]
    by_item = [[SCORES[s][q] for s in "abcde"] for q in ("q1", "q2", "q3")]
    t = quiz_statistics(totals, 5, by_item)
    # mean 2.4, median 2; deviations 2.6 1.6 -1.4 -0.4 -2.4: sum d^2 17.2, d^3 5.04, d^4 89.296
    assert (t.mean, t.median) == (2.4, 2)
    assert t.sd == pytest.approx(math.sqrt(17.2 / 4))
    # m2 = 3.44, m3 = 1.008, m4 = 17.8592; k2 = 4.3, k3 = 25 x 1.008 / 12 = 2.1
    assert t.skewness == pytest.approx(2.1 / 4.3 ** 1.5)
    # k4 = 25 x (6 x 17.8592 - 12 x 3.44^2) / 24 = -36.3
    assert t.kurtosis == pytest.approx(-36.3 / 4.3 ** 2)
    # item variances (n - 1): 0.3, 0.7, 1.0 -> CIC = 100 x 3/2 x (1 - 2.0 / 4.3) = 80.23 %
    assert t.cic == pytest.approx(150 * (1 - 2.0 / 4.3))
    assert t.error_ratio == pytest.approx(100 * math.sqrt(1 - t.cic / 100))   # 44.46 %
    assert t.standard_error == pytest.approx(t.error_ratio * math.sqrt(4.3) / 100)  # 0.922


def test_learning_gain_by_hand():
    pre = {"a": {"q1": 0, "q2": 0}, "b": {"q1": 1, "q2": 0}}
    post = {"a": {"q1": 1, "q2": 0}, "b": {"q1": 1, "q2": 1}, "c": {"q1": 1, "q2": 1}}  # c took only the post-test
    people, items, everyone = learning_gain(pre, post, {"q1": 1, "q2": 1})
    assert [(g.who, g.pre, g.post, g.gain) for g in people] == [("a", 0, 50, 0.5), ("b", 50, 100, 1.0)]
    assert [(g.who, g.gain) for g in items] == [("q1", 1.0), ("q2", 0.5)]
    assert everyone.gain == pytest.approx(50 / 75)


def test_the_chart_renders_chinese_without_missing_glyphs(tmp_path):
    quiz = load_quiz("exam", ROOT / "quizzes" / "bank")
    items = {i.id: i for i in quiz.items}
    stats = item_statistics({"q1": 3, "q2": 3}, {"a": {"q1": 3, "q2": 0}, "b": {"q1": 1, "q2": 3}})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_chart(tmp_path / "c.png", quiz.title, items, stats)
    assert not [w for w in caught if "missing from" in str(w.message)]
    assert (tmp_path / "c.png").stat().st_size > 5000


def test_grades_csv_never_turns_a_student_name_into_a_formula(tmp_path):
    """A flat LMS export names students by file name, which the trainee may choose."""
    import csv

    from kamcourse.quiz.reports import StudentResult, write_grades_csv

    quiz = QUIZ
    results = [StudentResult("=HYPERLINK(\"http://x\")", "graded", {i.id: 0.0 for i in quiz.items}),
               StudentResult("zhang_san", "graded", {i.id: 0.0 for i in quiz.items})]
    write_grades_csv(tmp_path / "grades.csv", quiz, results)
    with (tmp_path / "grades.csv").open(encoding="utf-8-sig") as fh:
        students = [row["student"] for row in csv.DictReader(fh)]
    assert students == ["'=HYPERLINK(\"http://x\")", "zhang_san"]
