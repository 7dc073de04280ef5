"""The start page beyond the exercises: returned quiz results, the capstone, role-play visits
and today's review, read from the trainee's own files."""

from __future__ import annotations

import json

import pytest

from kamcourse import journey
from kamcourse.views.progress import ProgressView, journey_html

PAGE = '<html><head><meta name="kamcourse-score" content="{score}/{max}"></head><body>总分</body></html>'


def _feedback(root, quiz, time, score, max_score=10, course=""):
    folder = root / course / quiz / "feedback" / time if course else root / quiz / "feedback" / time
    folder.mkdir(parents=True)
    (folder / f"{quiz}.html").write_text(PAGE.format(score=score, max=max_score), encoding="utf-8")


def test_the_newest_returned_result_of_each_quiz_wins(tmp_path):
    _feedback(tmp_path, "m1_mindset", "2026-12-01 09:00:00.000000 UTC", 4)
    _feedback(tmp_path, "m1_mindset", "2026-12-02 09:00:00.000000 UTC", 8.5)
    _feedback(tmp_path, "exam", "2026-12-02 10:00:00.000000 UTC", 30, 40, course="kamcourse")  # path_includes_course
    (tmp_path / "m2_needs" / "feedback" / "t").mkdir(parents=True)
    (tmp_path / "m2_needs" / "feedback" / "t" / "m2_needs.html").write_text("<html>nbgrader's own page</html>")
    results = journey.quiz_results([tmp_path], ["m1_mindset", "m2_needs", "exam"])
    assert set(results) == {"m1_mindset", "exam"}
    assert results["m1_mindset"].score == 8.5 and results["m1_mindset"].percent == 85.0
    assert results["exam"].percent == 75.0


def test_the_journey_section_shows_results_the_capstone_visits_and_the_review():
    from kamcourse.roleplay.progress import ScenarioProgress

    titles = {"m1_mindset": "模块一小测验", "exam": "期中考试", "capstone": "结业项目"}
    results = {"m1_mindset": journey.QuizResult("m1_mindset", 5, 10, "t"),
               "capstone": journey.QuizResult("capstone", 80, 100, "t")}
    visits = [ScenarioProgress("haerui", "宁波海瑞：首件检测", 3, 1, "推进", "2026-12-01T09:00:00+00:00")]
    page = journey_html([], results, titles, visits)
    assert "今日待复习 0 项" in page
    assert "模块一小测验</td><td style='padding:3px 8px'>5 / 10</td><td style='padding:3px 8px'>50%，未达到合格线" in page
    assert "期中考试</td><td style='padding:3px 8px'>—" in page and "还没有发还的成绩" in page
    assert "已评分：80 / 100 分，达到合格线" in page
    assert "宁波海瑞：首件检测</td><td style='padding:3px 8px'>3</td><td style='padding:3px 8px'>1</td>" in page


@pytest.fixture
def trainee(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("KAMCOURSE_HOME", str(home))
    monkeypatch.setenv("KAMCOURSE_FEEDBACK_DIR", str(tmp_path / "work"))
    monkeypatch.setattr(journey.Path, "home", classmethod(lambda cls: tmp_path / "nowhere"))
    (tmp_path / "work").mkdir()
    return tmp_path


def test_the_start_page_widget_reads_everything_from_the_trainees_files(trainee):
    progress = {"m4": {"t1": {"passed": False, "attempts": 2, "at": "2026-12-01T08:00:00+00:00"}}}
    (trainee / "home" / "progress.json").write_text(json.dumps(progress), encoding="utf-8")
    _feedback(trainee / "work", "capstone", "2026-12-03 09:00:00.000000 UTC", 55, 100)
    view = ProgressView()
    page = view.journey_html.value
    assert "今日待复习 6 项（练习题 1 项，概念卡 5 项）" in page  # the failed task and module 4's cards
    assert "已评分：55 / 100 分，未达到合格线" in page
    assert "还没练过" in page and "销售对练" in page
    assert view.message.kind != "error"
