"""The trainee's local progress store: ``~/.kamcourse/progress.json``.

``KAMCOURSE_HOME`` moves the folder (tests, a shared machine). The file maps module ->
task -> entry::

    {"m4": {"t1": {"passed": true, "attempts": 3, "revealed": false, "hinted": true,
                   "first_at": "...", "passed_at": "...", "revealed_at": null, "at": "...",
                   "passed_after_reveal": false}}}

``passed``, ``attempts``, ``revealed`` and ``at`` (the last activity) are the fields of
the store before issue 8, so an old file reads as it is and old readers ignore the new
fields. ``hinted`` means a hint was shown (after a wrong answer) before the task was
passed; ``passed_after_reveal`` that the first pass came after a look at the key.

Rules: a passed task stays passed (a later wrong answer or a look at the key does not
undo it); a task whose key was revealed before it was passed counts as passed only
once it is answered correctly afterwards (``passed_after_reveal``); only judged
answers (right or wrong) count as attempts. A damaged file reads as empty (its
malformed entries are dropped) and a home that cannot be written never breaks a check.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HOME_ENV = "KAMCOURSE_HOME"
log = logging.getLogger(__name__)


def progress_file() -> Path:
    home = Path(os.environ.get(HOME_ENV, Path.home() / ".kamcourse"))
    return home / "progress.json"


def load_progress() -> dict[str, dict[str, dict[str, Any]]]:
    """The stored progress; {} when there is none or the file is unreadable."""
    path = progress_file()
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError):  # ValueError: bad JSON or bad UTF-8
        return {}
    if not isinstance(data, dict):
        return {}
    # keep only well-formed entries, so that a hand-edited or damaged file cannot break a check
    return {
        str(m): {str(t): e for t, e in tasks.items() if isinstance(e, dict)}
        for m, tasks in data.items() if isinstance(tasks, dict)
    }


@dataclass(frozen=True)
class TaskProgress:
    """One task's stored progress, with malformed values read as their defaults."""

    passed: bool = False
    attempts: int = 0
    revealed: bool = False
    hinted: bool = False
    first_at: str | None = None
    passed_at: str | None = None
    revealed_at: str | None = None
    at: str | None = None
    passed_after_reveal: bool = False

    @classmethod
    def from_entry(cls, entry: dict[str, Any]) -> "TaskProgress":
        """Read a stored entry leniently.

        >>> TaskProgress.from_entry({"passed": True, "attempts": "many", "at": 5})
        TaskProgress(passed=True, attempts=0, revealed=False, hinted=False, first_at=None, passed_at=None, revealed_at=None, at=None, passed_after_reveal=False)
        """
        def text(name: str) -> str | None:
            value = entry.get(name)
            return value if isinstance(value, str) else None

        attempts = entry.get("attempts")
        return cls(
            passed=entry.get("passed") is True,
            attempts=attempts if isinstance(attempts, int) and not isinstance(attempts, bool) and attempts >= 0 else 0,
            revealed=entry.get("revealed") is True,
            hinted=entry.get("hinted") is True,
            first_at=text("first_at"), passed_at=text("passed_at"), revealed_at=text("revealed_at"), at=text("at"),
            passed_after_reveal=entry.get("passed_after_reveal") is True,
        )

    def as_entry(self) -> dict[str, Any]:
        return {
            "passed": self.passed, "attempts": self.attempts, "revealed": self.revealed, "hinted": self.hinted,
            "first_at": self.first_at, "passed_at": self.passed_at, "revealed_at": self.revealed_at, "at": self.at,
            "passed_after_reveal": self.passed_after_reveal,
        }

    @property
    def unaided(self) -> bool:
        """Passed without a hint and without a look at the key first."""
        return self.passed and not self.hinted and not self.passed_after_reveal


def task_progress(module: str, task_id: str) -> TaskProgress:
    entry = load_progress().get(module, {}).get(task_id)
    return TaskProgress.from_entry(entry) if entry else TaskProgress()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def after_check(before: TaskProgress, passed: bool, hint_shown: bool, now: str) -> TaskProgress:
    """The entry after a judged answer.

    >>> p = after_check(TaskProgress(), False, True, "t1")
    >>> (p.passed, p.attempts, p.hinted, p.first_at)
    (False, 1, True, 't1')
    >>> p = after_check(p, True, False, "t2")
    >>> (p.passed, p.attempts, p.passed_at)
    (True, 2, 't2')
    >>> after_check(p, False, True, "t3").passed_at   # a pass is never undone
    't2'
    """
    return TaskProgress(
        passed=before.passed or passed,
        attempts=before.attempts + 1,
        revealed=before.revealed,
        hinted=before.hinted or (hint_shown and not before.passed),
        first_at=before.first_at or now,
        passed_at=before.passed_at or (now if passed else None),
        revealed_at=before.revealed_at,
        at=now,
        passed_after_reveal=before.passed_after_reveal or (passed and not before.passed and before.revealed),
    )


def after_reveal(before: TaskProgress, now: str) -> TaskProgress:
    """The entry after 查看参考答案 (the first look is the one that matters).

    >>> p = after_reveal(TaskProgress(), "t1")
    >>> (p.passed, p.revealed, p.revealed_at, p.attempts)
    (False, True, 't1', 0)
    """
    return TaskProgress(
        passed=before.passed, attempts=before.attempts, revealed=True, hinted=before.hinted,
        first_at=before.first_at or now, passed_at=before.passed_at, revealed_at=before.revealed_at or now, at=now,
        passed_after_reveal=before.passed_after_reveal,
    )


def _update(module: str, task_id: str, change) -> TaskProgress:
    progress = load_progress()
    tasks = progress.setdefault(module, {})
    entry = tasks.get(task_id)
    updated = change(TaskProgress.from_entry(entry) if entry else TaskProgress(), _now())
    tasks[task_id] = {**(entry or {}), **updated.as_entry()}
    _write(progress)
    return updated


def _write(progress: dict[str, Any]) -> None:
    path = progress_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # a private temporary file, then an atomic rename: two notebooks saving at once
        # never leave a half-written store
        handle, tmp = tempfile.mkstemp(prefix=".progress-", suffix=".tmp", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(json.dumps(progress, ensure_ascii=False, indent=1))
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home must not break the exercise


def record_check(module: str, task_id: str, passed: bool, hint_shown: bool = False) -> TaskProgress:
    """Record a judged answer (right or wrong)."""
    return _update(module, task_id, lambda before, now: after_check(before, passed, hint_shown, now))


def record_reveal(module: str, task_id: str) -> TaskProgress:
    """Record that the key was shown."""
    return _update(module, task_id, after_reveal)


def record_attempt(module: str, task_id: str, passed: bool | None, hint_shown: bool = False) -> None:
    """The store's interface before issue 8: ``passed=None`` records a reveal."""
    if passed is None:
        record_reveal(module, task_id)
    else:
        record_check(module, task_id, bool(passed), hint_shown)


# ---------------------------------------------------------------- per-module summary


@dataclass(frozen=True)
class ModuleProgress:
    module: str
    title: str
    passed: int
    total: int
    passed_tasks: tuple[str, ...]


def progress_summary() -> list[ModuleProgress]:
    """Passed tasks per module, for the start page: only the exercise notebook's tasks
    count (``where: module`` checks are recorded but not counted)."""
    from .loader import load_exercises, modules
    from .model import MODULE_TITLES

    from .loader import ExerciseDataError

    progress = load_progress()
    rows = []
    for module in modules():
        try:
            counted = [t.id for t in load_exercises(module).exercise_tasks]
        except (ExerciseDataError, OSError):  # one broken file must not hide the other modules
            log.debug("progress summary: %s skipped", module, exc_info=True)
            continue
        stored = progress.get(module, {})
        done = tuple(t for t in counted if TaskProgress.from_entry(stored.get(t) or {}).passed)
        rows.append(ModuleProgress(module, MODULE_TITLES.get(module, module), len(done), len(counted), done))
    return rows
