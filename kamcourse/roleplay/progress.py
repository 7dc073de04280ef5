"""The trainee's role-play progress: finished visits and their outcome, stored locally.

Kept in its own file, ``roleplay.json``, beside the exercise store (the folder of
:func:`kamcourse.exercises.progress_file`, i.e. ``$KAMCOURSE_HOME`` or ``~/.kamcourse``),
so the start page can show it next to the exercises. A damaged or hand-edited file is
read as far as it is well formed; a read-only home never breaks a visit.

API: :func:`record_visit` (after a visit ends), :func:`load_visits` (every recorded
visit, oldest first), :func:`progress_summary` (one row per shipped scenario).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from kamcourse import exercises
from kamcourse.errors import KamcourseError
from kamcourse.roleplay.model import ADVANCE, CONTINUATION, ENDING_KINDS, LOSS, Scenario, State
from kamcourse.roleplay.scenario import load_scenarios

STORE_NAME = "roleplay.json"
MAX_VISITS = 500  # the oldest are dropped beyond this
_RANK = {LOSS: 0, CONTINUATION: 1, ADVANCE: 2}


@dataclass(frozen=True)
class Visit:
    """One finished visit in the store."""

    scenario: str
    title: str
    ending: str
    kind: str  # 推进 / 继续 / 失败
    turns: int
    at: str  # ISO time, UTC


@dataclass(frozen=True)
class ScenarioProgress:
    """One scenario on the start page: how often played and the best outcome so far."""

    scenario: str
    title: str
    visits: int
    advances: int
    best: str  # 推进 / 继续 / 失败, or "" when never played
    last_at: str


def store_path() -> Path:
    """``roleplay.json`` beside the exercise progress file.

    >>> store_path().name, store_path().parent == exercises.progress_file().parent
    ('roleplay.json', True)
    """
    return exercises.progress_file().parent / STORE_NAME


def _visit(raw: object) -> Visit | None:
    if not isinstance(raw, dict):
        return None
    try:
        visit = Visit(str(raw["scenario"]), str(raw["title"]), str(raw["ending"]), str(raw["kind"]),
                      int(raw["turns"]), str(raw["at"]))
    except (KeyError, TypeError, ValueError):
        return None
    return visit if visit.kind in ENDING_KINDS else None


def load_visits() -> tuple[Visit, ...]:
    """Every recorded visit, oldest first (nothing when there is no store yet)."""
    path = store_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    raw = data.get("visits") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        return ()
    return tuple(v for v in map(_visit, raw) if v is not None)


def record_visit(scenario: Scenario, state: State, at: str | None = None) -> Visit:
    """Add a finished visit to the store and return it (tests: tests/test_roleplay.py)."""
    if not state.ended or state.scenario != scenario.id:
        raise KamcourseError("对练记录", "拜访结束后才能记录")
    ending = scenario.endings[state.ending or ""]
    visit = Visit(scenario.id, scenario.title, ending.id, ending.kind, state.turn_count,
                  at or datetime.now(timezone.utc).isoformat(timespec="seconds"))
    visits = (*load_visits(), visit)[-MAX_VISITS:]
    path = store_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        payload = {"visits": [asdict(v) for v in visits]}
        tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only home must not break the visit
    return visit


def progress_summary() -> tuple[ScenarioProgress, ...]:
    """One row per shipped scenario, in the order they are offered."""
    visits = load_visits()
    rows = []
    for scenario in load_scenarios():
        mine = [v for v in visits if v.scenario == scenario.id]
        best = max((v.kind for v in mine), key=_RANK.__getitem__, default="")
        rows.append(ScenarioProgress(
            scenario.id, scenario.title, len(mine), sum(v.kind == ADVANCE for v in mine), best,
            mine[-1].at if mine else "",
        ))
    return tuple(rows)
