"""The instructor's grading pipeline for one quiz over a folder of submissions.

``grade_class`` runs, in order (each step safe to repeat):

1. check that the source notebook matches the bank, and generate the release if needed;
2. find and pre-check every submission (:mod:`kamcourse.quiz.intake`): invalid ones are
   reported with a reason and score 0; deleted cells are put back; changed locked cells
   are flagged;
3. stage valid submissions into ``<course>/submitted/<student>/<quiz>/`` (nbgrader's layout);
4. autograde the new or changed ones. :data:`Autograder` is the replaceable step; the
   engines (``engine=``, ``kamcourse quiz grade --engine``):

   - ``fast`` (default, :func:`kernel_free_autograde`): a submission whose answer cells
     hold only literals and whose locked cells are untouched is graded without a kernel
     (:mod:`kamcourse.quiz.fast`: nbgrader's own steps, the same ``grade_item``, the same
     gradebook entries); every other one by nbgrader, ``workers`` at a time;
   - ``nbgrader`` (:func:`nbgrader_autograde`): nbgrader's own Autograde converter, one
     student at a time, for everyone.

   Either way each student is graded on their own, so a crash, a timeout or an endless
   loop affects only that student;
5. integrity verdicts: items with changed/deleted locked cells or whose answer cell raised
   or looped get 0 as a *manual* score with a comment in nbgrader's gradebook (visible in
   the formgrader and the feedback); manual grades a human gave are never overwritten;
6. feedback HTML for every graded student (nbgrader's generate_feedback, the class split
   over ``workers`` processes; test code hidden, each item's Chinese result and
   explanation shown), grade export (per-item CSV plus nbgrader's CSV), item
   statistics (CSV and chart) and a report with the reason for every 0 that is not an
   answer's fault.

Unchanged submissions are not regraded on a rerun, so manual grades entered in the
formgrader stay, and nothing already in the gradebook is lost.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from kamcourse.errors import KamcourseError
from kamcourse.quiz import intake as intake_mod
from kamcourse.quiz.answers import MISSING, Reading, read_answer
from kamcourse.quiz.bank import BANK_ENV, Quiz, load_quiz
from kamcourse.quiz.grading import INTERNAL_ERROR_MARK
from kamcourse.quiz.notebook import TEST_TAG, render
from kamcourse.tables import csv_text_out

Progress = Callable[[str], None]
VERDICT_MARK = "【完整性检查】"
STATE_FILE = "state.json"


class PipelineError(KamcourseError):
    """The instructor's setup is wrong (explained in Chinese); nothing was graded."""


# ---------------------------------------------------------------- course layout


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
    def db_url(self) -> str:
        return f"sqlite:///{self.root / 'gradebook.db'}"

    def submitted_dir(self, student: str) -> Path:
        return self.root / "submitted" / student / self.quiz

    def autograded_nb(self, student: str) -> Path:
        return self.root / "autograded" / student / self.quiz / f"{self.quiz}.ipynb"

    def feedback_html(self, student: str) -> Path:
        return self.root / "feedback" / student / self.quiz / f"{self.quiz}.html"


ENGINES = ("fast", "nbgrader")
KERNEL_FREE = "kernel-free"


@dataclass(frozen=True)
class AutogradeOutcome:
    student: str
    ok: bool
    seconds: float
    error: str = ""
    engine: str = "nbgrader"   # or KERNEL_FREE


#: The autograde step: (course, students, timeout seconds, progress) -> outcome per student.
#: Replace it (e.g. by a kernel-less grader of the answer cells) without touching the rest.
Autograder = Callable[[Course, Sequence[str], int, Progress], Mapping[str, AutogradeOutcome]]


@dataclass(frozen=True)
class StudentResult:
    student: str
    status: str                              # graded | invalid | failed
    scores: Mapping[str, float | None]       # item -> score (None: waiting for a manual grade)
    reasons: tuple[str, ...] = ()            # why items (or everything) score 0
    notes: tuple[str, ...] = ()
    autograded_now: bool = False

    @property
    def total(self) -> float:
        return round(sum(v for v in self.scores.values() if v is not None), 2)

    @property
    def pending(self) -> tuple[str, ...]:
        return tuple(k for k, v in self.scores.items() if v is None)


@dataclass(frozen=True)
class ClassReport:
    quiz: str
    students: tuple[StudentResult, ...]
    out: Path
    seconds: float
    autograded: int
    skipped: int
    files: Mapping[str, Path] = field(default_factory=dict)
    engines: Mapping[str, int] = field(default_factory=dict)   # engine -> submissions it autograded now
    timings: Mapping[str, float] = field(default_factory=dict)  # step -> seconds (see grade_class)


# ---------------------------------------------------------------- nbgrader plumbing


def _quiet_logger() -> logging.Logger:
    log = logging.getLogger("kamcourse.quiz.nbgrader")
    log.propagate = False
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    log.setLevel(logging.INFO)
    return log


def nbgrader_config(course: Course, timeout: int | None = None) -> Any:
    """The course's ``nbgrader_config.py`` with the paths pinned to ``course.root``."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    cfg = Config()
    if (course.root / "nbgrader_config.py").is_file():
        cfg.merge(PyFileConfigLoader("nbgrader_config.py", path=str(course.root)).load_config())
    cfg.CourseDirectory.root = str(course.root)
    cfg.CourseDirectory.db_url = course.db_url
    if timeout is not None:
        cfg.Execute.timeout = int(timeout)
    cfg.Execute.interrupt_on_timeout = True
    # Quiet kernels: IPython's own warnings would otherwise land in the instructor's console.
    cfg.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"]
    return cfg


def _coursedir(course: Course, cfg: Any, student: str = "*") -> Any:
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=cfg)
    coursedir.assignment_id = course.quiz
    coursedir.student_id = student
    return coursedir


def _run(app: Any) -> dict[str, Any]:
    from nbgrader.utils import capture_log

    return capture_log(app)


@contextmanager
def grading_environment(course: Course) -> Iterator[None]:
    """The bank for ``grade_item`` in the kernels, and this Python's scripts on PATH
    (nbgrader calls the ``alembic`` command when it creates a gradebook)."""
    import warnings

    saved = {k: os.environ.get(k) for k in (BANK_ENV, "PATH")}
    os.environ[BANK_ENV] = str(course.bank)
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")
    try:
        with warnings.catch_warnings():
            # nbgrader 0.9 triggers SQLAlchemy 2.x "not in session" warnings; they are harmless.
            warnings.filterwarnings("ignore", message=".*not in session.*")
            yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def generate_release(course: Course) -> None:
    """``nbgrader generate_assignment`` for the quiz (creates it in the gradebook)."""
    from nbgrader.converters import GenerateAssignment

    cfg = nbgrader_config(course)
    app = GenerateAssignment(coursedir=_coursedir(course, cfg, "."), config=cfg, log=_quiet_logger())
    app.force = True
    app.create_assignment = True
    result = _run(app)
    if not result["success"] or not course.release_nb.is_file():
        raise PipelineError("生成学员版本", "nbgrader generate_assignment 失败：\n" + result.get("log", "") + result.get("error", ""))
    marker = _release_marker(course)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"source_digest": intake_mod.digest(course.source_nb.read_bytes())}), encoding="utf-8")


def _release_marker(course: Course) -> Path:
    """Written by :func:`generate_release` (so by ``kamcourse quiz release``): the source the
    release was generated from. Outside ``release/``, which nbgrader hands out."""
    return course.root / "reports" / course.quiz / "release.json"


def _logs(course: Course) -> Path:
    logs = course.root / "reports" / course.quiz / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    return logs


def _autograde_one(course: Course, student: str, cfg: Any, autograde_class: Any = None) -> AutogradeOutcome:
    """nbgrader's Autograde converter for one student; its log goes to ``reports/<quiz>/logs``."""
    from nbgrader.converters import Autograde

    started = time.perf_counter()
    app = (autograde_class or Autograde)(coursedir=_coursedir(course, cfg, student), config=cfg, log=_quiet_logger())
    app.force = True
    app.create_student = True
    result = _run(app)
    seconds = time.perf_counter() - started
    (_logs(course) / f"{student}.log").write_text(result.get("log", "") + result.get("error", ""), encoding="utf-8")
    ok = bool(result["success"]) and course.autograded_nb(student).is_file()
    return AutogradeOutcome(student, ok, seconds, "" if ok else _first_error(result))


def nbgrader_autograde(course: Course, students: Sequence[str], timeout: int, progress: Progress, *,
                       workers: int = 1, numbering: tuple[int, int] | None = None) -> dict[str, AutogradeOutcome]:
    """nbgrader's Autograde converter, one student at a time -- or, with ``workers`` > 1,
    that many students at once in worker processes (see :class:`KernelQueue`).
    ``numbering`` = (already done, total) for the progress lines."""
    done, total = numbering or (0, len(students))
    outcomes: dict[str, AutogradeOutcome] = {}
    with KernelQueue(course, timeout, workers if len(students) > 1 else 1) as queue:
        for student in students:
            queue.add(student)
        for outcome in queue.outcomes():
            outcomes[outcome.student] = outcome
            _report(progress, done + len(outcomes), total, outcome)
    return outcomes


def _report(progress: Progress, i: int, total: int, outcome: AutogradeOutcome) -> None:
    how = "无内核，" if outcome.engine == KERNEL_FREE else ""
    digits = 2 if outcome.engine == KERNEL_FREE else 1
    progress(f"  [{i:>3}/{total}] {outcome.student}：{'完成' if outcome.ok else '失败'}"
             f"（{how}{outcome.seconds:.{digits}f} 秒）")


# -- nbgrader in parallel: kernels at the same time, gradebook access one process at a time

_GRADEBOOK_LOCK: Path | None = None


class Workers:
    """Worker processes for grading a class, forked when entered -- nbgrader already
    imported, before this process opens the gradebook -- so each starts in milliseconds:
    ``pool`` for nbgrader's Autograde (:class:`KernelQueue`, writes the gradebook) and
    ``feedback_pool`` for GenerateFeedback (:class:`FeedbackQueue`, only reads it), apart so
    that a submission needing a kernel never waits behind feedback. While they run, every
    gradebook write, theirs and this process's, holds :func:`gradebook_lock`: SQLite sees
    one writer at a time. Both are None with fewer than two workers or without POSIX file
    locks (then everything happens in this process)."""

    def __init__(self, course: Course, workers: int, *, kernels: bool = True, feedback: bool = True) -> None:
        self.course = course
        self.workers = workers if workers > 1 and _can_lock() else 1
        self.kinds = (kernels, feedback)
        self.pool: Any = None
        self.feedback_pool: Any = None
        self._locking = False

    def __enter__(self) -> "Workers":
        if self.workers > 1:
            import multiprocessing
            import threading

            import nbconvert.exporters  # noqa: F401 - imported once, before the workers fork
            import nbgrader.converters  # noqa: F401
            import nbgrader.preprocessors  # noqa: F401

            global _GRADEBOOK_LOCK
            _GRADEBOOK_LOCK = _logs(self.course).parent / "gradebook.lock"
            self._locking = True
            method = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"
            context = multiprocessing.get_context(method)
            pools = [context.Pool(self.workers, initializer=_worker_start, initargs=(str(_GRADEBOOK_LOCK),))
                     if wanted else None for wanted in self.kinds]
            self.pool, self.feedback_pool = pools
        return self

    def __exit__(self, *exc: Any) -> None:
        global _GRADEBOOK_LOCK
        for pool in (self.pool, self.feedback_pool):
            if pool is not None:
                if exc[0] is not None:
                    pool.terminate()
                pool.close()
                pool.join()
        self.pool = self.feedback_pool = None
        if self._locking:
            _GRADEBOOK_LOCK = None
            self._locking = False


class KernelQueue:
    """Students for nbgrader's Autograde. With worker processes (``workers`` > 1, or
    ``shared`` :class:`Workers`) they are autograded that many at a time, while this
    process does other work; the gradebook access of nbgrader's steps in the workers holds
    :func:`gradebook_lock`. A student whose autograde failed in a worker is autograded
    once more in this process, alone, as nbgrader alone would do it. Without workers,
    everyone is autograded here, one at a time, as :meth:`outcomes` is read."""

    def __init__(self, course: Course, timeout: int, workers: int = 1, shared: Workers | None = None) -> None:
        self.course, self.timeout = course, timeout
        self.cfg = nbgrader_config(course, timeout)
        # a course that configures nbgrader's steps itself might open the gradebook unlocked
        parallel = not _own_steps(self.cfg)
        self._own = Workers(course, workers if parallel and shared is None else 1, feedback=False)
        self._shared = shared if parallel else None
        self._pool: Any = None
        self.workers = 1
        self._pending: list[tuple[str, Any]] = []

    def __enter__(self) -> "KernelQueue":
        self._own.__enter__()
        workers = self._shared if self._shared is not None and self._shared.pool is not None else self._own
        self._pool, self.workers = workers.pool, workers.workers
        return self

    def add(self, student: str) -> None:
        job = None
        if self._pool is not None:
            job = self._pool.apply_async(_worker_autograde, ((self.course, student, self.timeout),))
        self._pending.append((student, job))

    def outcomes(self) -> Iterator[AutogradeOutcome]:
        """Each student's outcome, as it is known."""
        retry = []
        for student, job in self._pending:
            try:
                outcome = job.get() if job is not None else None
            except Exception:  # noqa: BLE001 - a worker that died: grade the student here
                outcome = None
            if outcome is not None and outcome.ok:
                yield outcome
            else:
                retry.append(student)
        self._pending = []
        for student in retry:
            yield _autograde_one(self.course, student, self.cfg)

    def __exit__(self, *exc: Any) -> None:
        self._own.__exit__(*exc)


def _own_steps(cfg: Any) -> bool:
    """The course configures nbgrader's autograde steps itself: they might open the
    gradebook without the lock, so such a course is graded one student at a time."""
    return any(key in cfg.Autograde for key in ("sanitize_preprocessors", "autograde_preprocessors"))


def _can_lock() -> bool:
    try:
        import fcntl  # noqa: F401 - POSIX only; elsewhere grading stays sequential
    except ImportError:  # pragma: no cover
        return False
    return True


@contextmanager
def gradebook_lock() -> Iterator[None]:
    """Held around every gradebook access while a :class:`KernelQueue` has workers."""
    if _GRADEBOOK_LOCK is None:
        yield
        return
    import fcntl

    with open(_GRADEBOOK_LOCK, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _locked_autograde() -> tuple[Any, list[Any], list[Any]]:
    """nbgrader's Autograde and the preprocessors that open the gradebook, each holding
    :func:`gradebook_lock` while it does (subclasses: nbgrader's configuration applies)."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import AssignLatePenalties, OverwriteCells, OverwriteKernelspec, SaveAutoGrades

    def locked(cls: type) -> type:
        def preprocess(self, nb, resources):
            with gradebook_lock():
                return super(subclass, self).preprocess(nb, resources)
        subclass = type(cls.__name__, (cls,), {"preprocess": preprocess, "__module__": __name__})
        return subclass

    def init_assignment(self, assignment_id, student_id):
        with gradebook_lock():
            return Autograde.init_assignment(self, assignment_id, student_id)

    cls = type("Autograde", (Autograde,), {"init_assignment": init_assignment, "__module__": __name__})
    swap = {c: locked(c) for c in (AssignLatePenalties, OverwriteCells, OverwriteKernelspec, SaveAutoGrades)}
    sanitize = [swap.get(c, c) for c in Autograde.class_traits()["sanitize_preprocessors"].default()]
    autograde = [swap.get(c, c) for c in Autograde.class_traits()["autograde_preprocessors"].default()]
    return cls, sanitize, autograde


def _worker_start(lock: str) -> None:
    import warnings

    global _GRADEBOOK_LOCK
    _GRADEBOOK_LOCK = Path(lock)
    warnings.filterwarnings("ignore", message=".*not in session.*")


def _worker_autograde(job: tuple[Course, str, int]) -> AutogradeOutcome:
    course, student, timeout = job
    cfg = nbgrader_config(course, timeout)
    cls, sanitize, autograde = _locked_autograde()
    cfg.Autograde.sanitize_preprocessors = sanitize
    cfg.Autograde.autograde_preprocessors = autograde
    # Kernels started at the same moment by two processes may pick the same TCP ports
    # (jupyter_client avoids collisions only within one process): use unix sockets, named
    # after this worker (an absolute path: the kernel runs in the submission's folder).
    cfg.KernelManager.transport = "ipc"
    cfg.KernelManager.ip = os.path.join(tempfile.gettempdir(), f"kamcourse-{os.getpid()}-ipc")
    # every cell has run and its output arrived: no need to wait for the kernel to wind down
    cfg.Execute.shutdown_kernel = "immediate"
    try:
        return _autograde_one(course, student, cfg, cls)
    except Exception as exc:  # noqa: BLE001 - report it like any failed autograde
        return AutogradeOutcome(student, False, 0.0, f"{type(exc).__name__}: {exc}"[:200])


def kernel_free_autograde(course: Course, students: Sequence[str], timeout: int, progress: Progress, *,
                          kernel_only: Sequence[str] = (), workers: int = 2,
                          graded: Callable[[str, Any], None] | None = None,
                          shared: Workers | None = None) -> dict[str, AutogradeOutcome]:
    """The ``fast`` engine: :mod:`kamcourse.quiz.fast` for every eligible submission;
    nbgrader's Autograde (:class:`KernelQueue`, ``workers`` at a time, meanwhile) for the
    others and for ``kernel_only`` (e.g. submissions whose locked cells were changed).
    ``graded(student, engine)`` is called after each kernel-free grade is committed, with
    the gradebook lock held (``engine.gradebook`` is its session; ``engine.commit()``).
    ``shared``: :class:`Workers` to use instead of starting ``workers`` processes."""
    from kamcourse.quiz.fast import KernelFreeAutograder, NotEligible

    quiz = load_quiz(course.quiz, course.bank)
    outcomes: dict[str, AutogradeOutcome] = {}
    why: dict[str, str] = {}
    logs = _logs(course)
    total = len(students)
    with KernelQueue(course, timeout, workers, shared) as queue:
        with KernelFreeAutograder(course.root, quiz, nbgrader_config(course, timeout), _quiet_logger()) as engine:
            unavailable = engine.unavailable()
            if unavailable:
                progress(f"无内核评分不可用（{unavailable}），全部用 nbgrader autograde 评分。")
            for student in students:
                if unavailable or student in kernel_only:
                    why[student] = unavailable or "提交前检查发现锁定单元被修改或删除"
                    queue.add(student)
                    continue
                try:
                    with gradebook_lock():
                        done = engine.grade(student)
                        if graded is not None:
                            graded(student, engine)
                except NotEligible as exc:
                    why[student] = str(exc)
                    queue.add(student)
                    continue
                outcomes[student] = AutogradeOutcome(student, True, done.seconds, engine=KERNEL_FREE)
                (logs / f"{student}.log").write_text(
                    f"kernel-free autograde ({done.seconds:.3f} s): every answer cell holds only literals, "
                    "see kamcourse/quiz/fast.py\n", encoding="utf-8")
                _report(progress, len(outcomes), total, outcomes[student])
        if why:
            parallel = f"，{queue.workers} 份同时" if queue.workers > 1 else ""
            progress(f"{len(why)} 份需要内核运行（nbgrader autograde{parallel}）……")
        for outcome in queue.outcomes():
            outcomes[outcome.student] = outcome
            _report(progress, len(outcomes), total, outcome)
    for student, reason in why.items():
        log = logs / f"{student}.log"
        text = log.read_text(encoding="utf-8") if log.is_file() else ""
        log.write_text(f"graded by nbgrader autograde: {reason}\n{text}", encoding="utf-8")
    return outcomes


def _first_error(result: Mapping[str, Any]) -> str:
    text = (result.get("log", "") or "") + (result.get("error", "") or "")
    for line in text.splitlines():
        if "ERROR" in line or "Error" in line:
            return line.strip()[:200]
    return "nbgrader autograde 失败"


def _hide_test_code_preprocessor() -> type:
    from nbconvert.preprocessors import Preprocessor

    class HideTestCode(Preprocessor):
        """Feedback shows a test cell's Chinese output, not its code: keep only the
        cell's first comment line (nbgrader shows hidden tests in feedback otherwise,
        nbgrader issues #917 and #1363)."""

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.enabled = True  # nbconvert preprocessors are off unless enabled

        def preprocess_cell(self, cell, resources, index):
            if TEST_TAG in cell.get("metadata", {}).get("tags", []):
                cell.source = cell.source.split("\n", 1)[0]
            return cell, resources

    return HideTestCode


def _shared_get_grades() -> type:
    from nbgrader.preprocessors import GetGrades

    class SharedGetGrades(GetGrades):
        """nbgrader's GetGrades reading every notebook's grades through one gradebook
        session (``gradebook_for_all``): a new session per notebook recompiles every query."""

        gradebook_for_all: Any = None

        def preprocess(self, nb, resources):
            # as nbgrader's GetGrades.preprocess, with the shared session; the per-cell logic is nbgrader's
            if self.gradebook_for_all is None:
                return super().preprocess(nb, resources)
            from nbconvert.preprocessors import Preprocessor

            self.notebook_id = resources["nbgrader"]["notebook"]
            self.assignment_id = resources["nbgrader"]["assignment"]
            self.student_id = resources["nbgrader"]["student"]
            self.db_url = resources["nbgrader"]["db_url"]
            self.gradebook = self.gradebook_for_all
            nb, resources = Preprocessor.preprocess(self, nb, resources)
            notebook = self.gradebook.find_submission_notebook(self.notebook_id, self.assignment_id, self.student_id)
            late_penalty = notebook.late_submission_penalty
            if late_penalty is None:
                late_penalty = 0
            else:
                self.log.warning("Late submission penalty: {}".format(late_penalty))
            resources["nbgrader"]["score"] = notebook.score - late_penalty
            resources["nbgrader"]["max_score"] = notebook.max_score
            resources["nbgrader"]["late_penalty"] = late_penalty
            return nb, resources

    SharedGetGrades.__name__ = SharedGetGrades.__qualname__ = "GetGrades"  # nbgrader's configuration applies
    return SharedGetGrades


def _feedback(course: Course, exclude: Sequence[str] = ()) -> dict[str, Any]:
    """nbgrader's GenerateFeedback for every autograded student not in ``exclude``."""
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.api import Gradebook
    from nbgrader.converters import GenerateFeedback

    get_grades = _shared_get_grades()
    cfg = nbgrader_config(course)
    cfg.HTMLExporter.template_name = "feedback"
    cfg.GenerateFeedback.preprocessors = [get_grades, CSSHTMLHeaderPreprocessor, _hide_test_code_preprocessor()]
    coursedir = _coursedir(course, cfg)
    coursedir.student_id_exclude = ",".join(exclude)
    app = GenerateFeedback(coursedir=coursedir, config=cfg, log=_quiet_logger())
    app.force = True
    with Gradebook(course.db_url) as gb:
        get_grades.gradebook_for_all = gb
        try:
            return _run(app)
        finally:
            get_grades.gradebook_for_all = None


def _feedback_worker(job: tuple[Course, list[str]]) -> dict[str, Any]:
    import warnings

    warnings.filterwarnings("ignore", message=".*not in session.*")
    course, exclude = job
    result = _feedback(course, exclude)
    return {"success": bool(result["success"]), "log": result.get("log", "") or "", "error": result.get("error", "") or ""}


#: Below this many students, feedback is generated in this process (a worker costs more).
FEEDBACK_PARALLEL_FROM = 16
#: Students per feedback job while the class is still being graded (a job costs ~0.1 s).
FEEDBACK_BATCH = 16


def _autograded_students(course: Course) -> set[str]:
    return {p.parent.parent.name for p in (course.root / "autograded").glob(f"*/{course.quiz}/{course.quiz}.ipynb")}


class FeedbackQueue:
    """nbgrader's GenerateFeedback (test code hidden) for a class, in worker processes
    (``workers`` > 1, or ``shared`` :class:`Workers`), which only read the
    gradebook. A student whose grades are final can be added (:meth:`add`) while the rest of
    the class is still being graded: students go out in batches, each job excluding
    everyone else (``known``: the class, so that a student graded meanwhile is not picked
    up half done). :meth:`finish` does every other autograded student and returns the
    merged result. Without workers, or for a class smaller than
    :data:`FEEDBACK_PARALLEL_FROM`, :meth:`finish` runs one GenerateFeedback for everyone
    here, and :meth:`add` does nothing."""

    def __init__(self, course: Course, workers: int = 1, known: Sequence[str] = (),
                 shared: Workers | None = None) -> None:
        self.course, self.known = course, set(known)
        big = len(self.known | _autograded_students(course)) >= FEEDBACK_PARALLEL_FROM
        self._own = Workers(course, workers if big and shared is None else 1, kernels=False)
        self._shared = shared if big else None
        self._pool: Any = None
        self._workers = 1
        self._jobs: list[Any] = []
        self._batch: list[str] = []
        self._sent: set[str] = set()

    def __enter__(self) -> "FeedbackQueue":
        self._own.__enter__()
        workers = self._shared if self._shared is not None and self._shared.feedback_pool is not None else self._own
        self._pool, self._workers = workers.feedback_pool, workers.workers
        return self

    def add(self, student: str) -> None:
        if self._pool is None:
            return
        self._batch.append(student)
        if len(self._batch) >= FEEDBACK_BATCH:
            self._send(self._batch)
            self._batch = []

    def _send(self, students: Sequence[str]) -> None:
        everyone = _autograded_students(self.course) | self.known
        self._jobs.append(self._pool.apply_async(_feedback_worker, ((self.course, sorted(everyone - set(students))),)))
        self._sent.update(students)

    def finish(self) -> dict[str, Any]:
        if self._pool is None:
            return _feedback(self.course)
        rest = sorted((_autograded_students(self.course) - self._sent) | set(self._batch))
        self._batch = []
        for i in range(self._workers):
            if rest[i::self._workers]:
                self._send(rest[i::self._workers])
        results = []
        for job in self._jobs:
            try:
                results.append(job.get())
            except Exception as exc:  # noqa: BLE001 - a worker that died: say so in feedback.log
                results.append({"success": False, "log": "", "error": f"{type(exc).__name__}: {exc}\n"})
        self._jobs = []
        return {"success": all(r["success"] for r in results), "log": "".join(r["log"] for r in results),
                "error": "".join(r["error"] for r in results)}

    def __exit__(self, *exc: Any) -> None:
        self._own.__exit__(*exc)


def generate_feedback(course: Course, workers: int = 1) -> dict[str, Any]:
    """Feedback HTML for every autograded student, with the test cells' code hidden;
    with ``workers`` > 1, the class split over that many processes (see :class:`FeedbackQueue`)."""
    with FeedbackQueue(course, workers) as queue:
        return queue.finish()


# ---------------------------------------------------------------- gradebook


def _grade_names(item_id: str, auto: bool) -> tuple[str, str]:
    """(grade cell, comment cell) of an item: the comment sits on the answer (or task) cell."""
    return (f"{item_id}_test", f"{item_id}_answer") if auto else (f"{item_id}_task", f"{item_id}_task")


@contextmanager
def open_gradebook(course: Course, gb: Any = None) -> Iterator[Any]:
    """``gb`` if given (one session for the whole class), else a new nbgrader Gradebook."""
    if gb is not None:
        yield gb
        return
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as opened:
        yield opened


def _entries(gb: Any, quiz: Quiz, student: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """A student's grades and comments by cell name (two queries), or None without a submission."""
    from nbgrader.api import MissingEntry

    try:
        nb = gb.find_submission_notebook(quiz.id, quiz.id, student)
    except MissingEntry:
        return None
    return {g.name: g for g in nb.grades}, {c.name: c for c in nb.comments}


def apply_verdicts(course: Course, quiz: Quiz, student: str, flags: Mapping[str, str], gb: Any = None) -> None:
    """Flagged items get manual score 0 with a comment; lifted flags are cleared again.
    A score or comment a human entered is left alone. With ``gb`` (a session shared by
    the class) the caller commits."""
    with open_gradebook(course, gb) as session:
        entries = _entries(session, quiz, student)
        if entries is None:
            return
        grades, comments = entries
        for item in quiz.items:
            grade_name, comment_name = _grade_names(item.id, item.auto)
            grade, comment = grades[grade_name], comments[comment_name]
            ours = (comment.manual_comment or "").startswith(VERDICT_MARK)
            if item.id in flags and (ours or (grade.manual_score is None and not comment.manual_comment)):
                grade.manual_score = 0.0
                grade.needs_manual_grade = False
                comment.manual_comment = f"{VERDICT_MARK}{flags[item.id]}，本题按 0 分计。"
            elif item.id not in flags and ours:
                grade.manual_score = None
                grade.needs_manual_grade = grade.auto_score is None
                comment.manual_comment = None
        if gb is None:
            session.db.commit()


def gradebook_scores(course: Course, quiz: Quiz, student: str, gb: Any = None) -> dict[str, float | None] | None:
    """Item scores in the gradebook (manual beats auto), or None without a submission."""
    scores: dict[str, float | None] = {}
    with open_gradebook(course, gb) as session:
        entries = _entries(session, quiz, student)
        if entries is None:
            return None
        grades = entries[0]
        for item in quiz.items:
            grade = grades[_grade_names(item.id, item.auto)[0]]
            base = grade.manual_score if grade.manual_score is not None else grade.auto_score
            scores[item.id] = None if base is None else round(float(base) + float(grade.extra_credit or 0.0), 2)
    return scores


def _ensure_student(course: Course, student: str, gb: Any = None) -> None:
    with open_gradebook(course, gb) as session:
        session.update_or_create_student(student)  # nbgrader commits here


# ---------------------------------------------------------------- the pipeline


def _load_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def _stage(course: Course, found: intake_mod.Found, intake: intake_mod.Intake, data: bytes) -> str:
    """Put a valid submission where nbgrader reads it; return the staged file's digest."""
    target = course.submitted_dir(found.student) / f"{course.quiz}.ipynb"
    same_place = found.path is not None and found.path.resolve() == target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    if intake.repaired:
        originals = course.root / "reports" / course.quiz / "originals"
        originals.mkdir(parents=True, exist_ok=True)
        original = originals / f"{found.student}.ipynb"
        if not (same_place and original.exists()):
            original.write_bytes(data)
        target.write_text(json.dumps(intake.notebook, ensure_ascii=False, indent=1), encoding="utf-8")
    elif not same_place:
        target.write_bytes(data)
    if found.path is not None and not same_place:
        stamp = found.path.parent / "timestamp.txt"
        if stamp.is_file():
            shutil.copyfile(stamp, target.parent / "timestamp.txt")
    return intake_mod.digest(target.read_bytes())


def _readings(course: Course, quiz: Quiz, student: str) -> dict[str, Reading]:
    nb = _load_json(course.submitted_dir(student) / f"{course.quiz}.ipynb")
    sources = intake_mod.answer_sources(nb)
    out: dict[str, Reading] = {}
    for item in quiz.auto_items:
        kind, source = sources.get(item.id, ("", ""))
        raw = intake_mod.literal_answer(source, item.id) if kind == "code" else MISSING
        out[item.id] = read_answer(item.spec, raw)
    return out


def grade_class(
    course_root: Path,
    quiz_id: str,
    submissions: Path,
    *,
    out: Path | None = None,
    timeout: int = 30,
    force: bool = False,
    autograder: Autograder | None = None,
    progress: Progress = print,
    engine: str = "fast",
    workers: int = 2,
) -> ClassReport:
    """Grade every submission of one quiz; see the module docstring for the steps.

    ``engine`` (``fast`` or ``nbgrader``) and ``workers`` choose the autograder unless
    ``autograder`` is given."""
    started = time.perf_counter()
    course = Course(Path(course_root).resolve(), quiz_id)
    submissions = Path(submissions).resolve()
    out = (Path(out) if out else course.root / "reports" / quiz_id).resolve()
    out.mkdir(parents=True, exist_ok=True)
    if engine not in ENGINES:
        raise PipelineError("评分引擎", f"{engine!r} 不是 {' / '.join(ENGINES)} 之一")
    if not submissions.is_dir():
        raise PipelineError("提交目录", f"{submissions} 不存在或不是文件夹")

    quiz = load_quiz(quiz_id, course.bank)
    if not course.source_nb.is_file() or course.source_nb.read_text(encoding="utf-8") != render(quiz):
        raise PipelineError("源笔记本", f"{course.source_nb} 与题库不一致或不存在：请先运行 kamcourse quiz build")

    state = _load_json(out / STATE_FILE)
    timings: dict[str, float] = {}
    clock = [time.perf_counter()]

    def lap(step: str) -> None:
        now = time.perf_counter()
        timings[step] = round(timings.get(step, 0.0) + now - clock[0], 3)
        clock[0] = now

    with grading_environment(course):
        source_digest = intake_mod.digest(course.source_nb.read_bytes())
        current = source_digest in (state.get("source_digest"), _load_json(_release_marker(course)).get("source_digest"))
        if not course.release_nb.is_file() or not current:
            progress("生成学员版本（nbgrader generate_assignment）……")
            generate_release(course)
        state["source_digest"] = source_digest
        release = _load_json(course.release_nb)
        lap("release")

        found = intake_mod.find_submissions(submissions, quiz_id)
        intakes: dict[str, intake_mod.Intake] = {}
        item_flags: dict[str, dict[str, str]] = {}
        staged: dict[str, str] = {}
        to_grade: list[str] = []
        previous = state.get("students", {})
        for entry in found:
            data, problem = intake_mod.read_submission(entry)
            if data is None:
                intakes[entry.student] = intake_mod.Intake(entry.student, "invalid", problem)
                continue
            checked = intake_mod.check_submission(entry.student, data, release)
            intakes[entry.student] = checked
            if checked.status != "ok":
                continue
            staged[entry.student] = _stage(course, entry, checked, data)
            before = previous.get(entry.student, {})
            # Unchanged: the same file as last time, or the copy we staged (and maybe repaired)
            # last time -- then last time's verdicts still hold (a repaired deletion is no
            # longer visible in the repaired copy).
            unchanged = checked.digest in (before.get("digest"), before.get("staged"))
            item_flags[entry.student] = {**(before.get("flags", {}) if unchanged else {}), **dict(checked.item_flags)}
            if force or not unchanged or not course.autograded_nb(entry.student).is_file():
                to_grade.append(entry.student)
        invalid = [s for s, i in intakes.items() if i.status != "ok"]
        progress(f"共 {len(found)} 份提交：{len(found) - len(invalid)} 份有效，{len(invalid)} 份无效；"
                 f"需要评分 {len(to_grade)} 份，未变化跳过 {len(found) - len(invalid) - len(to_grade)} 份。")
        lap("intake")

        valid = [s for s, i in intakes.items() if i.status == "ok"]
        with Workers(course, workers if engine == "fast" else 1) as shared, \
                FeedbackQueue(course, known=valid, shared=shared) as feedback_queue:

            def graded_without_kernel(student: str, engine: Any) -> None:
                # its grades are final now: the integrity verdicts of the step below have nothing
                # to flag (a flagged submission goes to nbgrader), so its feedback can start
                apply_verdicts(course, quiz, student, item_flags[student], engine.gradebook)
                engine.commit()
                feedback_queue.add(student)

            if autograder is None and engine == "nbgrader":
                autograder = nbgrader_autograde
            elif autograder is None:
                # changed or deleted locked cells: nbgrader repairs them, so let nbgrader grade them
                suspect = [s for s in to_grade if item_flags[s] or intakes[s].notes or intakes[s].repaired]
                autograder = partial(kernel_free_autograde, kernel_only=suspect, workers=workers,
                                     graded=graded_without_kernel, shared=shared)
            outcomes = dict(autograder(course, to_grade, timeout, progress)) if to_grade else {}
            lap("autograde")

            results: list[StudentResult] = []
            with open_gradebook(course) as gb:  # one session, one commit for the class
                for student, checked in sorted(intakes.items()):
                    results.append(_student_result(course, quiz, student, checked, outcomes.get(student),
                                                   item_flags.get(student, {}), student in outcomes, gb))
                gb.db.commit()
            lap("verdicts")

            progress("生成反馈（nbgrader generate_feedback）……")
            feedback = feedback_queue.finish()
        if not feedback["success"]:
            progress("警告：部分反馈生成失败，详见 reports 目录中的 feedback.log")
            (out / "feedback.log").write_text(feedback.get("log", "") + feedback.get("error", ""), encoding="utf-8")
        lap("feedback")

        state["students"] = {s: {"digest": i.digest, "staged": staged[s], "flags": item_flags[s]}
                             for s, i in intakes.items() if i.status == "ok"}
        state["results"] = {r.student: {"status": r.status, "reasons": list(r.reasons), "notes": list(r.notes)}
                            for r in results}
        (out / STATE_FILE).write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")

        engines: dict[str, int] = {}
        for outcome in outcomes.values():
            engines[outcome.engine] = engines.get(outcome.engine, 0) + 1
        report = ClassReport(quiz_id, tuple(results), out, time.perf_counter() - started,
                             len(outcomes), len(found) - len(invalid) - len(to_grade), engines=engines,
                             timings=timings)
        files = write_outputs(course, quiz, report)
        lap("outputs")
    return ClassReport(report.quiz, report.students, out, time.perf_counter() - started,
                       report.autograded, report.skipped, files, engines, timings)


def _student_result(course: Course, quiz: Quiz, student: str, checked: intake_mod.Intake,
                    outcome: AutogradeOutcome | None, item_flags: Mapping[str, str], now: bool,
                    gb: Any) -> StudentResult:
    """One student's result: invalid, failed, or graded with the integrity verdicts applied."""
    if checked.status != "ok":
        _ensure_student(course, student, gb)
        return StudentResult(student, "invalid", {i.id: 0.0 for i in quiz.items}, (checked.reason,))
    if outcome is not None and not outcome.ok:
        return StudentResult(student, "failed", {i.id: 0.0 for i in quiz.items},
                             (f"自动评分失败：{outcome.error}",), checked.notes, True)
    flags = dict(item_flags)
    autograded = _load_json(course.autograded_nb(student))
    for item_id, reason in intake_mod.run_problems(autograded):
        flags.setdefault(item_id, reason)
    apply_verdicts(course, quiz, student, flags, gb)
    notes = list(checked.notes)
    if INTERNAL_ERROR_MARK in json.dumps(autograded, ensure_ascii=False):
        notes.append("评分程序报告了错误（见反馈），请检查题库路径")
    scores = gradebook_scores(course, quiz, student, gb) or {i.id: 0.0 for i in quiz.items}
    return StudentResult(student, "graded", scores, tuple(flags.values()), tuple(notes), now)


def restat(course_root: Path, quiz_id: str, *, out: Path | None = None, progress: Progress = print,
           workers: int = 2) -> ClassReport:
    """Rebuild feedback, grades and statistics from the gradebook without regrading
    (after manual grading in the formgrader). Uses the class of the last ``grade_class``."""
    started = time.perf_counter()
    course = Course(Path(course_root).resolve(), quiz_id)
    out = (Path(out) if out else course.root / "reports" / quiz_id).resolve()
    state = _load_json(out / STATE_FILE)
    if not state.get("results"):
        raise PipelineError("统计", f"{out} 中没有评分记录：请先运行 kamcourse quiz grade")
    quiz = load_quiz(quiz_id, course.bank)
    results = []
    with grading_environment(course):
        with open_gradebook(course) as gb:  # closed before feedback forks its workers
            for student, saved in sorted(state["results"].items()):
                scores = None
                if saved["status"] == "graded":
                    scores = gradebook_scores(course, quiz, student, gb)
                results.append(StudentResult(student, saved["status"], scores or {i.id: 0.0 for i in quiz.items},
                                             tuple(saved["reasons"]), tuple(saved["notes"])))
        progress("生成反馈（nbgrader generate_feedback）……")
        generate_feedback(course, workers=workers)
        report = ClassReport(quiz_id, tuple(results), out, time.perf_counter() - started, 0, len(results))
        files = write_outputs(course, quiz, report)
    return ClassReport(quiz_id, report.students, out, time.perf_counter() - started, 0, len(results), files)


# ---------------------------------------------------------------- outputs


STATUS_NAMES = {"graded": "已评分", "invalid": "无效提交", "failed": "评分失败"}


def write_grades_csv(path: Path, quiz: Quiz, results: Sequence[StudentResult]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["student", "status", *[i.id for i in quiz.items], "total", "max", "pending", "reasons"])
        for r in results:
            out.writerow([
                csv_text_out(r.student), STATUS_NAMES[r.status],  # file names come from trainees
                *["" if r.scores.get(i.id) is None else f"{r.scores[i.id]:g}" for i in quiz.items],
                f"{r.total:g}", f"{quiz.max_points:g}", " ".join(r.pending), "；".join(r.reasons),
            ])


def export_nbgrader_csv(course: Course, path: Path) -> None:
    """nbgrader's own CSV export (one row per student and assignment), for an LMS."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    plugin = CsvExportPlugin(log=_quiet_logger())
    plugin.to = str(path)
    plugin.assignment = [course.quiz]
    with Gradebook(course.db_url) as gb:
        plugin.export(gb)


def statistics(course: Course, quiz: Quiz, results: Sequence[StudentResult]):
    """Item statistics over graded attempts; items still waiting for a manual grade are
    left out (they are listed as pending)."""
    from kamcourse.quiz.stats import item_statistics, response_counts

    graded = [r for r in results if r.status == "graded"]
    pending = [i.id for i in quiz.items if any(r.scores.get(i.id) is None for r in graded)]
    included = {i.id: i.points for i in quiz.items if i.id not in pending}
    scores = {r.student: {k: float(r.scores[k] or 0.0) for k in included} for r in graded}
    stats = item_statistics(included, scores)
    readings = {r.student: _readings(course, quiz, r.student) for r in graded}
    responses = [row for item in quiz.auto_items
                 for row in response_counts(item, [readings[s][item.id] for s in readings])]
    return stats, responses, pending


def write_outputs(course: Course, quiz: Quiz, report: ClassReport) -> dict[str, Path]:
    from kamcourse.quiz.stats import write_chart, write_responses_csv, write_stats_csv

    out = report.out
    files = {
        "grades": out / "grades.csv",
        "nbgrader_grades": out / "nbgrader_grades.csv",
        "item_stats": out / "item_stats.csv",
        "responses": out / "responses.csv",
        "chart": out / "item_stats.png",
        "report": out / "report.md",
    }
    results = list(report.students)
    write_grades_csv(files["grades"], quiz, results)
    export_nbgrader_csv(Course(course.root, quiz.id), files["nbgrader_grades"])
    stats, responses, pending = statistics(course, quiz, results)
    items = {i.id: i for i in quiz.items}
    write_stats_csv(files["item_stats"], items, stats, pending)
    write_responses_csv(files["responses"], responses)
    write_chart(files["chart"], quiz.title, items, stats)
    files["report"].write_text(report_markdown(quiz, report, stats, pending), encoding="utf-8")
    return files


STEP_NAMES = {"release": "生成学员版本", "intake": "预检", "autograde": "自动评分", "verdicts": "完整性判定",
              "feedback": "反馈", "outputs": "导出与统计"}


def _timing_split(report: ClassReport) -> str:
    parts = [f"{STEP_NAMES.get(k, k)} {v:.1f}" for k, v in report.timings.items() if v >= 0.05]
    return f"（{'，'.join(parts)}）" if parts else ""


def _engine_split(report: ClassReport) -> str:
    if not report.engines.get(KERNEL_FREE):
        return ""
    return f"（无内核 {report.engines[KERNEL_FREE]} 份，nbgrader {report.autograded - report.engines[KERNEL_FREE]} 份）"


def report_markdown(quiz: Quiz, report: ClassReport, stats: Sequence[Any], pending: Sequence[str]) -> str:
    lines = [
        f"# {quiz.title}：评分报告",
        "",
        f"- 提交：{len(report.students)} 份；本次自动评分 {report.autograded} 份{_engine_split(report)}，"
        f"未变化跳过 {report.skipped} 份",
        f"- 用时：{report.seconds:.1f} 秒{_timing_split(report)}",
        f"- 待人工评分的题目：{'、'.join(pending) if pending else '无'}（在 formgrader 中评分后重新运行 kamcourse quiz stats）",
        "",
        "## 需要注意的提交",
        "",
        "| 学员 | 状态 | 原因 |",
        "|---|---|---|",
    ]
    flagged = [r for r in report.students if r.status != "graded" or r.reasons or r.notes]
    for r in flagged:
        why = "；".join([*r.reasons, *r.notes]).replace("|", "/")
        lines.append(f"| {r.student} | {STATUS_NAMES[r.status]} | {why} |")
    if not flagged:
        lines.append("| — | — | 全部正常 |")
    lines += ["", "## 题目统计（Moodle 定义）", "", "| 题目 | 易度 F | 区分度 D | 提示 |", "|---|---|---|---|"]
    for s in stats:
        f = "" if s.facility is None else f"{s.facility:.1f}%"
        d = "" if s.discrimination is None else f"{s.discrimination:.1f}%"
        lines.append(f"| {s.item_id} | {f} | {d} | {'；'.join(s.flags)} |")
    return "\n".join(lines) + "\n"
