"""复习: spaced review of what a trainee got wrong, and of each module's key concepts.

What comes back, on a schedule computed by the FSRS scheduler (the ``fsrs`` package):

- **exercise tasks** the trainee failed, passed only after seeing the hint, or looked up with
  查看参考答案 (read from the exercise progress store);
- **concept cards** (``kamcourse/data/review/cards.yaml``) of every module whose exercises the
  trainee has started.

The schedule lives beside the exercise progress, in ``review.json`` of the same folder, on the
trainee's own computer. Every function takes ``now`` so tests can drive it with a fixed clock;
fuzzing is off, so the same answers on the same days give the same schedule.

Ratings: an exercise task answered right without the hint is 记得 (Good), right after the hint
有点难 (Hard), wrong 忘了 (Again); a concept card is rated by the trainee with the same words
plus 很容易 (Easy).
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from enum import IntEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import yaml

from kamcourse.paths import DATA_DIR

CARDS_FILE = DATA_DIR / "review" / "cards.yaml"
STORE_NAME = "review.json"


class Rating(IntEnum):
    """The four answers to "did you remember?" (FSRS's ratings)."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        return RATING_LABELS[self]


RATING_LABELS = {Rating.AGAIN: "忘了", Rating.HARD: "有点难", Rating.GOOD: "记得", Rating.EASY: "很容易"}


@dataclass(frozen=True)
class ConceptCard:
    """A question on one side, the answer on the other."""

    id: str
    module: str
    front: str
    back: str


@dataclass(frozen=True)
class ReviewItem:
    """One thing to review: an exercise task (``task:m4/t1``) or a concept card (``card:m4/spin``)."""

    id: str
    kind: str  # "task" | "card"
    module: str
    due: datetime
    card: ConceptCard | None = None
    task: str | None = None

    @property
    def task_id(self) -> str | None:
        return self.id.split("/", 1)[1] if self.kind == "task" else None


@lru_cache(maxsize=None)
def concept_cards() -> tuple[ConceptCard, ...]:
    """The concept cards shipped with the course."""
    data = yaml.safe_load(CARDS_FILE.read_text(encoding="utf-8")) or {}
    return tuple(
        ConceptCard(id=f"card:{module}/{card['id']}", module=module, front=str(card["front"]), back=str(card["back"]))
        for module, cards in (data.get("modules") or {}).items()
        for card in cards
    )


# ---------------------------------------------------------------- the scheduler


def _scheduler():
    import fsrs

    return fsrs.Scheduler(enable_fuzzing=False)


def _new_card(item_id: str, now: datetime):
    import fsrs

    # a stable id per item keeps the store readable and the schedule reproducible
    return fsrs.Card(card_id=zlib.crc32(item_id.encode("utf-8")), due=now)


def schedule_after(card_data: Mapping[str, Any] | None, item_id: str, rating: Rating, now: datetime) -> dict[str, Any]:
    """The FSRS card after one more review at ``now`` (a new card if ``card_data`` is None).

    >>> t0 = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)
    >>> card = schedule_after(None, "card:m4/spin", Rating.GOOD, t0)
    >>> card = schedule_after(card, "card:m4/spin", Rating.GOOD, t0 + timedelta(minutes=10))
    >>> datetime.fromisoformat(card["due"]) - t0
    datetime.timedelta(days=2, seconds=600)
    """
    import fsrs

    card = fsrs.Card.from_dict(dict(card_data)) if card_data else _new_card(item_id, now)
    card, _log = _scheduler().review_card(card, fsrs.Rating(int(rating)), review_datetime=now)
    return card.to_dict()


def first_rating(entry: Mapping[str, Any]) -> Rating | None:
    """Whether an exercise task belongs in review, and how its exercise attempt counts.

    >>> first_rating({"passed": True, "attempts": 1})  # right the first time: not reviewed
    >>> first_rating({"passed": True, "attempts": 2, "hinted": True})
    <Rating.HARD: 2>
    >>> first_rating({"passed": False, "attempts": 1})
    <Rating.AGAIN: 1>
    >>> first_rating({"revealed": True, "attempts": 0})
    <Rating.AGAIN: 1>
    >>> first_rating({"passed": True, "attempts": 2, "revealed": True, "passed_after_reveal": True})
    <Rating.AGAIN: 1>
    """
    passed = entry.get("passed") is True
    if entry.get("passed_after_reveal") is True or (entry.get("revealed") is True and not passed):
        return Rating.AGAIN
    if not passed:
        return Rating.AGAIN if entry.get("attempts") else None
    return Rating.HARD if entry.get("hinted") is True else None


def _when(entry: Mapping[str, Any], now: datetime) -> datetime:
    try:
        at = datetime.fromisoformat(str(entry.get("at")))
    except ValueError:
        return now
    return min(at if at.tzinfo else at.replace(tzinfo=timezone.utc), now)


# ---------------------------------------------------------------- the store


def store_file() -> Path:
    from kamcourse.exercises import progress_file

    return progress_file().parent / STORE_NAME


def load_store(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """``{item id: FSRS card dict}``; a missing or damaged file is an empty schedule."""
    path = path or store_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    cards = data.get("cards") if isinstance(data, dict) else None
    return {str(k): v for k, v in (cards or {}).items() if isinstance(v, dict) and "due" in v}


def save_store(cards: Mapping[str, Mapping[str, Any]], path: Path | None = None) -> None:
    path = path or store_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"version": 1, "cards": dict(cards)}, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only home must not break the review


def sync(progress: Mapping[str, Mapping[str, Mapping[str, Any]]], cards: Mapping[str, Mapping[str, Any]],
         now: datetime, concept: Iterable[ConceptCard] = ()) -> dict[str, dict[str, Any]]:
    """Add to the schedule what the exercise progress says should come back (pure).

    A task enters with its exercise attempt as the first review; a module's concept cards enter,
    due at once, when any of its tasks has been tried. Items already scheduled are kept as they are.
    """
    out = {k: dict(v) for k, v in cards.items()}
    started = set()
    for module, tasks in progress.items():
        for task_id, entry in tasks.items():
            if entry.get("attempts") or entry.get("revealed"):
                started.add(module)
            item = f"task:{module}/{task_id}"
            rating = first_rating(entry)
            if rating is not None and item not in out:
                out[item] = schedule_after(None, item, rating, _when(entry, now))
    for card in concept:
        if card.module in started and card.id not in out:
            out[card.id] = _new_card(card.id, now).to_dict()
    return out


def due_items(cards: Mapping[str, Mapping[str, Any]], until: datetime,
              concept: Iterable[ConceptCard] = ()) -> list[ReviewItem]:
    """Items due at or before ``until``, earliest first (tasks before cards at the same time)."""
    by_id = {c.id: c for c in concept}
    items = []
    for item_id, data in cards.items():
        due = datetime.fromisoformat(str(data["due"]))
        if due > until:
            continue
        kind, _, rest = item_id.partition(":")
        module = rest.split("/", 1)[0]
        if kind == "card" and item_id not in by_id:
            continue  # a card removed from the course
        items.append(ReviewItem(item_id, kind, module, due, by_id.get(item_id), rest if kind == "task" else None))
    return sorted(items, key=lambda i: (i.due, i.kind != "task", i.id))


def end_of_day(now: datetime) -> datetime:
    """Midnight at the end of ``now``'s day, in ``now``'s time zone ("今日待复习")."""
    return datetime.combine(now.date(), time.max, tzinfo=now.tzinfo)


# ---------------------------------------------------------------- what the views call


def today(now: datetime | None = None) -> list[ReviewItem]:
    """What is due today for this trainee; brings the schedule up to date with the exercise progress."""
    from kamcourse.exercises import load_progress

    now = now or datetime.now(timezone.utc)
    cards = sync(load_progress(), load_store(), now, concept_cards())
    save_store(cards)
    return due_items(cards, end_of_day(now.astimezone()), concept_cards())


def record(item_id: str, rating: Rating, now: datetime | None = None) -> dict[str, Any]:
    """Record one review; returns the card with its next due date."""
    now = now or datetime.now(timezone.utc)
    cards = load_store()
    cards[item_id] = schedule_after(cards.get(item_id), item_id, rating, now)
    save_store(cards)
    return cards[item_id]


def rating_for_task(passed: bool, hinted: bool) -> Rating:
    """How a review of an exercise task counts.

    >>> rating_for_task(True, False), rating_for_task(True, True), rating_for_task(False, False)
    (<Rating.GOOD: 3>, <Rating.HARD: 2>, <Rating.AGAIN: 1>)
    """
    if not passed:
        return Rating.AGAIN
    return Rating.HARD if hinted else Rating.GOOD


def next_due_text(card: Mapping[str, Any], now: datetime) -> str:
    """下次复习 in words.

    >>> t = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)
    >>> next_due_text({"due": "2026-12-01T09:10:00+00:00"}, t), next_due_text({"due": "2026-12-05T09:00:00+00:00"}, t)
    ('10 分钟后再复习一次', '4 天后再复习')
    """
    delta: timedelta = datetime.fromisoformat(str(card["due"])) - now
    if delta < timedelta(hours=1):
        return f"{max(1, round(delta.total_seconds() / 60))} 分钟后再复习一次"
    if delta < timedelta(days=1):
        return f"{round(delta.total_seconds() / 3600)} 小时后再复习"
    return f"{round(delta.total_seconds() / 86400)} 天后再复习"


def count_text(items: Sequence[ReviewItem]) -> str:
    """The start page's line.

    >>> count_text([])
    '今日待复习 0 项：都复习完了。'
    """
    if not items:
        return "今日待复习 0 项：都复习完了。"
    tasks = sum(1 for i in items if i.kind == "task")
    return f"今日待复习 {len(items)} 项（练习题 {tasks} 项，概念卡 {len(items) - tasks} 项）。"
