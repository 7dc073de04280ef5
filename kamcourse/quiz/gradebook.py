"""nbgrader's gradebook: checked before every run, backed up, restorable, read for reports.

- :func:`check` before a run: a corrupt ``gradebook.db``, or a missing one where a class
  was already graded, stops the run with a Chinese message giving the exact restore
  command (never a traceback);
- :func:`backup` takes a consistent copy with SQLite's online backup API into
  ``<course>/backups/`` (the last :data:`KEEP` are kept);
- :func:`restore` puts the newest good backup (or a named one) back, keeping the broken
  file aside.

A gradebook on another database (PostgreSQL on the course hub, ``KAMCOURSE_GRADEBOOK_URL``)
is backed up by that database's own tools; these functions handle the SQLite file.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator, Mapping

from kamcourse.quiz.bank import Quiz
from kamcourse.quiz.course import Course, PipelineError

KEEP = 5
NBGRADER_TABLES = {"assignment", "notebook", "grade_cells", "student", "submitted_assignment", "grade", "comment"}


def restore_command(course: Course) -> str:
    return f"kamcourse quiz restore --course {course.root}"


def problem(path: Path) -> str:
    """Why the SQLite file at ``path`` is not a usable gradebook ('' if it is)."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                return "文件已损坏（完整性检查失败）"
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        return f"不是有效的 SQLite 数据库（{exc}）"
    missing = NBGRADER_TABLES - tables
    return f"缺少 nbgrader 的数据表 {'、'.join(sorted(missing))}" if missing else ""


def backups(course: Course) -> list[Path]:
    """Backups, newest first."""
    return sorted(course.backups.glob("gradebook-*.db"), reverse=True)


def check(course: Course, graded_before: bool) -> None:
    """Raise :class:`PipelineError` (Chinese, with the restore command) if the gradebook is
    unusable; a missing one is fine only for a course never graded."""
    path = course.db_path
    if not path.exists():
        if graded_before or backups(course):
            raise PipelineError("成绩库", f"{path} 不见了（之前已经评过分）。请恢复最近的备份：{restore_command(course)}")
        return
    why = problem(path)
    if why:
        hint = f"请恢复最近的备份：{restore_command(course)}" if backups(course) else "没有可用的备份"
        raise PipelineError("成绩库", f"{path} {why}。{hint}")


def backup(course: Course, keep: int = KEEP) -> Path | None:
    """A consistent copy of the gradebook (SQLite online backup), or None if there is none yet."""
    if not course.db_path.is_file():
        return None
    course.backups.mkdir(parents=True, exist_ok=True)
    target = course.backups / f"gradebook-{datetime.now().strftime('%Y%m%dT%H%M%S-%f')}.db"
    with sqlite3.connect(f"file:{course.db_path}?mode=ro", uri=True) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    for old in backups(course)[keep:]:
        old.unlink()
    return target


def restore(course: Course, name: str | None = None) -> Path:
    """Put a backup back (the newest usable one, or ``name``); return it."""
    candidates = [course.backups / name] if name else backups(course)
    for candidate in candidates:
        if candidate.is_file() and not problem(candidate):
            break
    else:
        raise PipelineError("恢复成绩库", f"{course.backups} 中没有可用的备份" + (f" {name}" if name else ""))
    if course.db_path.exists():
        course.db_path.rename(course.db_path.with_name(f"gradebook.db.broken-{datetime.now().strftime('%Y%m%dT%H%M%S')}"))
    with sqlite3.connect(candidate) as source, sqlite3.connect(course.db_path) as target:
        source.backup(target)
    return candidate


# ---------------------------------------------------------------- reading grades


@contextmanager
def open_gradebook(course: Course, gb: Any = None) -> Iterator[Any]:
    """``gb`` if given (one session for the whole class), else a new nbgrader Gradebook."""
    if gb is not None:
        yield gb
        return
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as opened:
        yield opened


def grade_names(position: str, auto: bool) -> str:
    return f"{position}_test" if auto else f"{position}_task"


def scores(course: Course, quiz: Quiz, student: str, gb: Any = None) -> dict[str, float | None] | None:
    """Position scores in the gradebook (manual beats auto; None: waiting for a manual
    grade), or None without a submission."""
    from nbgrader.api import MissingEntry

    from kamcourse.quiz.notebook import quiz_paper

    with open_gradebook(course, gb) as session:
        try:
            nb = session.find_submission_notebook(quiz.id, quiz.id, student)
        except MissingEntry:
            return None
        grades = {g.name: g for g in nb.grades}
        out: dict[str, float | None] = {}
        for slot in quiz_paper(quiz):
            grade = grades.get(grade_names(slot.id, quiz.item(slot.candidates[0]).auto))
            if grade is None:
                out[slot.id] = None
                continue
            base = grade.manual_score if grade.manual_score is not None else grade.auto_score
            out[slot.id] = None if base is None else round(float(base) + float(grade.extra_credit or 0.0), 2)
        return out


def manual_entries(course: Course, quiz: Quiz, student: str, gb: Any = None) -> Mapping[str, float]:
    """Positions a grader scored by hand (manual score set)."""
    from nbgrader.api import MissingEntry

    with open_gradebook(course, gb) as session:
        try:
            nb = session.find_submission_notebook(quiz.id, quiz.id, student)
        except MissingEntry:
            return {}
        return {g.name.rsplit("_", 1)[0]: float(g.manual_score) for g in nb.grades if g.manual_score is not None}


def ensure_student(course: Course, student: str, gb: Any = None) -> None:
    with open_gradebook(course, gb) as session:
        session.update_or_create_student(student)
