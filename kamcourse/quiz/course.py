"""The nbgrader course root of the quizzes: its layout, its nbgrader configuration, the
release and what was recorded at release.

A course root (``quizzes/`` of the checkout) holds ``nbgrader_config.py``, the public bank
``bank/``, the generated ``source/``, the kit ``kit/`` and, once used, nbgrader's
``release/ submitted/ autograded/ feedback/ gradebook.db``, kamcourse's ``reports/`` and
``backups/`` (git ignores all of these).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from kamcourse.errors import KamcourseError
from kamcourse.quiz.bank import Quiz, quiz_digest

Progress = Callable[[str], None]


class PipelineError(KamcourseError):
    """The instructor's setup is wrong (explained in Chinese); nothing was graded."""


@dataclass(frozen=True)
class Course:
    """An nbgrader course root holding ``bank/`` and ``source/<quiz>/<quiz>.ipynb``."""

    root: Path
    quiz: str

    @property
    def bank(self) -> Path:
        return self.root / "bank"

    @property
    def source_nb(self) -> Path:
        return self.root / "source" / self.quiz / f"{self.quiz}.ipynb"

    @property
    def release_nb(self) -> Path:
        return self.root / "release" / self.quiz / f"{self.quiz}.ipynb"

    @property
    def db_path(self) -> Path:
        return self.root / "gradebook.db"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db_path}"

    @property
    def reports(self) -> Path:
        return self.root / "reports" / self.quiz

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    def submitted_dir(self, student: str) -> Path:
        return self.root / "submitted" / student / self.quiz

    def autograded_nb(self, student: str) -> Path:
        return self.root / "autograded" / student / self.quiz / f"{self.quiz}.ipynb"

    def feedback_html(self, student: str) -> Path:
        return self.root / "feedback" / student / self.quiz / f"{self.quiz}.html"

    def logs(self) -> Path:
        logs = self.reports / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        return logs


def quiet_logger() -> logging.Logger:
    log = logging.getLogger("kamcourse.quiz.nbgrader")
    log.propagate = False
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    log.setLevel(logging.INFO)
    return log


def nbgrader_config(course: Course) -> Any:
    """The course's ``nbgrader_config.py`` with the paths pinned to ``course.root``."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    cfg = Config()
    if (course.root / "nbgrader_config.py").is_file():
        cfg.merge(PyFileConfigLoader("nbgrader_config.py", path=str(course.root)).load_config())
    cfg.CourseDirectory.root = str(course.root)
    cfg.CourseDirectory.db_url = course.db_url
    cfg.LiteralGrade.course_root = str(course.root)
    return cfg


def coursedir(course: Course, cfg: Any, student: str = "*") -> Any:
    from nbgrader.coursedir import CourseDirectory

    directory = CourseDirectory(config=cfg)
    directory.assignment_id = course.quiz
    directory.student_id = student
    return directory


def run_app(app: Any) -> dict[str, Any]:
    from nbgrader.utils import capture_log

    return capture_log(app)


@contextmanager
def grading_environment(course: Course) -> Iterator[None]:
    """This Python's scripts on PATH (nbgrader calls ``alembic`` when it creates a
    gradebook) and nbgrader's harmless SQLAlchemy warnings silenced. The keys are never
    put in the environment: grading reads them in this process (:mod:`kamcourse.quiz.kit`)."""
    saved = os.environ.get("PATH")
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*not in session.*")
            yield
    finally:
        if saved is None:
            os.environ.pop("PATH", None)
        else:
            os.environ["PATH"] = saved


# ---------------------------------------------------------------- release and its record


def release_marker(course: Course) -> Path:
    """What the release was generated from: the source notebook's digest and the kit's.
    Outside ``release/``, which nbgrader hands out."""
    return course.reports / "release.json"


def load_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def file_digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def record_release(course: Course, quiz: Quiz | None) -> None:
    marker = release_marker(course)
    marker.parent.mkdir(parents=True, exist_ok=True)
    data = load_json(marker)
    data["source_digest"] = file_digest(course.source_nb)
    data["released_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    if quiz is not None:
        data["kit_digest"] = quiz_digest(quiz)
    marker.write_text(json.dumps(data, indent=1), encoding="utf-8")


def record_kit(course: Course, quiz: Quiz) -> None:
    """Accept the kit as it is now (after a deliberate change of a key or explanation)."""
    marker = release_marker(course)
    data = load_json(marker)
    data["kit_digest"] = quiz_digest(quiz)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(data, indent=1), encoding="utf-8")


def check_kit_digest(course: Course, quiz: Quiz) -> None:
    """Stop when the keys or explanations changed since the release was recorded."""
    from kamcourse.quiz.kit import KitError

    recorded = load_json(release_marker(course)).get("kit_digest")
    if recorded and recorded != quiz_digest(quiz):
        raise KitError("题库完整性", f"测验 {course.quiz} 的答案或解析自发布以来已被改动，评分已停止。"
                       f"如果这是你有意的更正，请运行 kamcourse quiz grade {course.quiz} ... --accept-kit-change "
                       "记录新的题库后重新评分；否则请从资料包恢复原来的答案")


def generate_release(course: Course, quiz: Quiz | None = None) -> None:
    """``nbgrader generate_assignment`` for the quiz (creates it in the gradebook), and the
    record of what it was generated from."""
    from nbgrader.converters import GenerateAssignment

    cfg = nbgrader_config(course)
    app = GenerateAssignment(coursedir=coursedir(course, cfg, "."), config=cfg, log=quiet_logger())
    app.force = True
    app.create_assignment = True
    result = run_app(app)
    if not result["success"] or not course.release_nb.is_file():
        raise PipelineError("生成学员版本", "nbgrader generate_assignment 失败：\n" + result.get("log", "") + result.get("error", ""))
    record_release(course, quiz)
