"""复习 in the notebook: the review session driven like a trainee would, with a fixed clock."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from fixtures.exercises.support import private_exercise_data
from kamcourse import review
from kamcourse.review import Rating
from kamcourse.views.exercise import ExerciseTask
from kamcourse.views.review import CardView, ReviewSession

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def data(monkeypatch, tmp_path):
    return private_exercise_data(monkeypatch, tmp_path)


def _items(now: datetime) -> list[review.ReviewItem]:
    card = next(c for c in review.concept_cards() if c.id == "card:m4/spin")
    return [
        review.ReviewItem("task:mx/t1", "task", "mx", now, task="mx/t1"),
        review.ReviewItem(card.id, "card", "m4", now, card=card),
    ]


def test_a_task_comes_back_as_the_exercise_widget_and_its_first_answer_rates_it():
    session = ReviewSession(_items(T0), clock=lambda: T0)
    assert "今日待复习 2 项（练习题 1 项，概念卡 1 项）" in session.header.value
    task = session.current
    assert isinstance(task, ExerciseTask)
    assert session.next_button.disabled

    task.inputs.choice.value = "C"  # wrong first
    task.check_button.click()
    assert task.feedback.kind == "wrong" and "提示" in task.feedback.text  # the same feedback as the exercise
    assert session.rated == {"task:mx/t1": Rating.AGAIN}
    assert "忘了" in session.status.value and "分钟后再复习一次" in session.status.value
    task.inputs.choice.value = "A"  # right afterwards: practice, the review stays "忘了"
    task.check_button.click()
    assert session.rated["task:mx/t1"] == Rating.AGAIN
    stored = review.load_store()["task:mx/t1"]
    assert datetime.fromisoformat(stored["due"]) == T0 + timedelta(minutes=1)
    assert not session.next_button.disabled


def test_a_card_shows_the_answer_on_request_and_is_rated_by_the_trainee():
    session = ReviewSession(_items(T0)[1:], clock=lambda: T0)
    card = session.current
    assert isinstance(card, CardView)
    assert card.back.layout.display == "none" and card.rating_box.layout.display == "none"
    card.show_button.click()
    assert card.back.layout.display == "" and "背景问题" in card.back.value
    card.rate_buttons[Rating.GOOD].click()
    assert session.rated == {"card:m4/spin": Rating.GOOD}
    card.rate_buttons[Rating.EASY].click()  # a second press does not rate twice
    assert session.rated == {"card:m4/spin": Rating.GOOD}
    session.next_button.click()
    assert "今天的复习都完成了" in session.header.value and session.current is None


def test_an_empty_day_says_so():
    session = ReviewSession([], clock=lambda: T0)
    assert "今日待复习 0 项" in session.header.value


def test_the_session_reads_todays_items_from_the_progress(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    progress = {"mx": {"t1": {"passed": False, "attempts": 1, "at": "2026-12-01T08:00:00+00:00"}}}
    (home / "progress.json").write_text(json.dumps(progress), encoding="utf-8")
    session = ReviewSession(clock=lambda: T0)
    assert [i.id for i in session.items] == ["task:mx/t1"]
    assert isinstance(session.current, ExerciseTask)


def test_a_task_removed_from_the_course_does_not_block_the_session():
    gone = review.ReviewItem("task:mx/t99", "task", "mx", T0, task="mx/t99")
    session = ReviewSession([gone], clock=lambda: T0)
    assert "找不到练习" in session.current.message
    assert not session.next_button.disabled
