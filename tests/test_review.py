"""复习: which items come back and when, driven with a fixed clock."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from kamcourse import review
from kamcourse.review import Rating

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)

PROGRESS = {
    "m4": {
        "t1": {"passed": False, "attempts": 2, "revealed": False, "at": "2026-12-01T08:50:00+00:00"},
        "t2": {"passed": True, "attempts": 2, "hinted": True, "at": "2026-12-01T08:55:00+00:00"},
        "t3": {"passed": True, "attempts": 1, "at": "2026-12-01T08:58:00+00:00"},
        "t4": {"passed": False, "attempts": 0, "revealed": True, "at": "2026-12-01T08:59:00+00:00"},
    },
    "m5": {"t1": {"passed": False, "attempts": 0, "revealed": False}},
}


def test_the_concept_cards_are_well_formed_and_cover_every_module():
    cards = review.concept_cards()
    assert {c.module for c in cards} == {"m1", "m2", "m3", "m4", "m5", "m6"}
    assert len({c.id for c in cards}) == len(cards)
    for card in cards:
        assert card.front.strip() and card.back.strip()
        assert card.front.endswith("？"), card.id


def test_sync_schedules_what_was_missed_and_the_started_modules_cards():
    cards = review.sync(PROGRESS, {}, T0, review.concept_cards())
    tasks = sorted(k for k in cards if k.startswith("task:"))
    # right the first time (t3) stays out; failed, hinted and revealed come back
    assert tasks == ["task:m4/t1", "task:m4/t2", "task:m4/t4"]
    modules = {k.split(":")[1].split("/")[0] for k in cards if k.startswith("card:")}
    assert modules == {"m4"}  # m5 has an entry but was never tried


def test_the_exercise_attempt_is_the_first_review():
    cards = review.sync(PROGRESS, {}, T0, ())
    failed = datetime.fromisoformat(cards["task:m4/t1"]["due"])
    hinted = datetime.fromisoformat(cards["task:m4/t2"]["due"])
    # Again comes back within minutes of the attempt, Hard a little later
    assert failed == datetime(2026, 12, 1, 8, 51, tzinfo=timezone.utc)
    assert datetime(2026, 12, 1, 8, 55, tzinfo=timezone.utc) < hinted <= T0 + timedelta(hours=1)


def test_sync_keeps_what_is_already_scheduled():
    first = review.sync(PROGRESS, {}, T0, review.concept_cards())
    later = review.sync(PROGRESS, first, T0 + timedelta(days=3), review.concept_cards())
    assert later == first


@pytest.mark.parametrize(
    "rating, low, high",
    [
        (Rating.AGAIN, timedelta(minutes=1), timedelta(minutes=1)),
        (Rating.GOOD, timedelta(minutes=10), timedelta(minutes=10)),
        (Rating.EASY, timedelta(days=1), timedelta(days=30)),
    ],
)
def test_a_new_card_after_one_review(rating, low, high):
    card = review.schedule_after(None, "card:m1/pareto", rating, T0)
    due = datetime.fromisoformat(card["due"]) - T0
    assert low <= due <= high


def simulate(days: int, answer) -> list[tuple[int, list[str]]]:
    """Review everything due each morning for ``days`` days; ``answer(item, day)`` gives the rating."""
    cards = review.sync(PROGRESS, {}, T0, review.concept_cards())
    log = []
    for day in range(days):
        morning = T0 + timedelta(days=day)
        done: list[str] = []
        # a session: repeat until nothing is due before lunch (short learning steps come back within it)
        clock = morning
        for _ in range(50):
            due = review.due_items(cards, clock, review.concept_cards())
            if not due:
                break
            for item in due:
                cards[item.id] = review.schedule_after(cards[item.id], item.id, answer(item, day), clock)
                done.append(item.id)
            clock += timedelta(minutes=15)
        log.append((day, done))
    return log


def test_two_weeks_of_review_spread_out_and_repeat_exactly():
    good = lambda item, day: Rating.GOOD  # noqa: E731
    log = simulate(14, good)
    again = simulate(14, good)
    assert log == again, "same answers on the same days give the same schedule"
    per_day = [len(set(done)) for _, done in log]
    assert per_day[0] == 3 + 5  # three tasks and module 4's five cards on day one
    assert sum(per_day[7:]) < sum(per_day[:7]), "intervals grow: the second week asks for less"
    reviewed_on = {}
    for day, done in log:
        for item in set(done):
            reviewed_on.setdefault(item, []).append(day)
    gaps = [b - a for a, b in zip(reviewed_on["task:m4/t1"], reviewed_on["task:m4/t1"][1:])]
    assert gaps == sorted(gaps) and gaps[-1] > 1, gaps


def test_forgetting_brings_an_item_back_sooner():
    remembered = simulate(10, lambda item, day: Rating.GOOD)
    # task t1 comes back on days 0, 2 and 4 when remembered; forget it on day 4
    forgotten = simulate(10, lambda item, day: Rating.AGAIN if item.id == "task:m4/t1" and day == 4 else Rating.GOOD)
    days_of = lambda log: [d for d, done in log if "task:m4/t1" in done]  # noqa: E731
    assert len(days_of(forgotten)) > len(days_of(remembered))


def test_today_reads_and_writes_the_store_beside_the_progress(tmp_path, monkeypatch):
    monkeypatch.setenv("KAMCOURSE_HOME", str(tmp_path))
    (tmp_path / "progress.json").write_text(json.dumps(PROGRESS), encoding="utf-8")
    items = review.today(T0)
    assert items[0].id == "task:m4/t1"  # the oldest miss first
    assert {i.id for i in items if i.kind == "task"} == {"task:m4/t1", "task:m4/t2", "task:m4/t4"}
    assert review.count_text(items) == "今日待复习 8 项（练习题 3 项，概念卡 5 项）。"
    stored = json.loads((tmp_path / "review.json").read_text(encoding="utf-8"))
    assert set(stored["cards"]) >= {"task:m4/t1", "card:m4/spin"}
    card = review.record("task:m4/t1", Rating.GOOD, T0)
    assert review.next_due_text(card, T0).endswith("再复习一次")
    assert review.load_store()["task:m4/t1"] == card


def test_a_damaged_store_is_an_empty_schedule(tmp_path):
    path = tmp_path / "review.json"
    for junk in ("{", "[]", json.dumps({"cards": {"x": 3, "task:m1/t1": {"no": "due"}}})):
        path.write_text(junk, encoding="utf-8")
        assert review.load_store(path) == {}
