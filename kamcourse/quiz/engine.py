"""The autograde step of ``kamcourse quiz grade``: an :class:`Engine` grades one staged
submission at a time. Neither engine starts a kernel or runs a trainee's code; both run
nbgrader's autograde with the course's steps (:mod:`kamcourse.quiz.nbsteps`), so they write
the same gradebook entries as the formgrader's autograde button.

- :class:`NbgraderEngine` (``--engine nbgrader``): nbgrader's own ``Autograde`` converter,
  configured by the course's ``nbgrader_config.py``, exactly what the formgrader runs;
- :class:`BatchEngine` (``--engine batch``, the default): the same steps through nbgrader's
  own preprocessor classes, with one gradebook session and one commit per submission
  instead of a session per step and a commit per cell (an SQLite commit is an fsync),
  and nbgrader's metadata validation memoised per distinct cell metadata. Where nbgrader
  opens its own gradebook per notebook, the few lines around its per-cell logic are
  repeated here with the shared session (marked "as nbgrader's ..."); the grading logic
  itself (``preprocess_cell``, ``determine_grade``, the late-submission plugin) is
  nbgrader's. It stands down (:meth:`BatchEngine.unavailable`) for another nbgrader series
  or a course whose autograde steps differ from kamcourse's; a submission it fails on is
  handed to :class:`NbgraderEngine`.
"""

from __future__ import annotations

import os
import shutil
import time
import warnings
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, Protocol, Sequence

from kamcourse.quiz.bank import Quiz
from kamcourse.quiz.course import Course, coursedir, nbgrader_config, quiet_logger, run_app

#: nbgrader versions whose autograde steps :class:`BatchEngine` repeats (checked by the tests).
NBGRADER_SERIES = "0.9."
ENGINES = ("batch", "nbgrader")
DEFAULT_ENGINE = "batch"


@dataclass(frozen=True)
class AutogradeOutcome:
    student: str
    ok: bool
    seconds: float
    error: str = ""
    engine: str = "batch"


class Engine(Protocol):
    """Autograde one staged submission (``<course>/submitted/<student>/<quiz>/``)."""

    name: str

    def grade(self, student: str) -> AutogradeOutcome: ...

    def close(self) -> None: ...


def _first_error(result: dict[str, Any]) -> str:
    text = (result.get("log", "") or "") + (result.get("error", "") or "")
    for line in text.splitlines():
        if "ERROR" in line or "Error" in line:
            return line.strip()[:200]
    return "nbgrader autograde 失败"


class NbgraderEngine:
    """nbgrader's ``Autograde`` converter for one student, as the formgrader runs it."""

    name = "nbgrader"

    def __init__(self, course: Course) -> None:
        self.course = course
        self.cfg = nbgrader_config(course)

    def grade(self, student: str) -> AutogradeOutcome:
        from nbgrader.converters import Autograde

        started = time.perf_counter()
        app = Autograde(coursedir=coursedir(self.course, self.cfg, student), config=self.cfg, log=quiet_logger())
        app.force = True
        app.create_student = True
        result = run_app(app)
        seconds = time.perf_counter() - started
        (self.course.logs() / f"{student}.log").write_text(result.get("log", "") + result.get("error", ""),
                                                           encoding="utf-8")
        ok = bool(result["success"]) and self.course.autograded_nb(student).is_file()
        return AutogradeOutcome(student, ok, seconds, "" if ok else _first_error(result), self.name)

    def close(self) -> None:
        pass


# ---------------------------------------------------------------- the shared session


class _DeferredCommit:
    """A gradebook session whose ``commit`` does nothing: the session flushes before each
    query by itself (autoflush), and the engine commits once per submission."""

    def __init__(self, session: Any) -> None:
        self._session = session

    def commit(self) -> None:
        pass

    def really_commit(self) -> None:
        self._session.commit()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


class _AssignmentView:
    """The run's one :class:`nbgrader.api.Gradebook`, as the steps use it: the assignment's
    cells (the same for every submission) looked up once, everything else passed through."""

    def __init__(self, gradebook: Any) -> None:
        self._gradebook = gradebook
        self._memo: dict[tuple[str, ...], Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._gradebook, name)

    def _once(self, key: tuple[str, ...], load: Any) -> Any:
        if key not in self._memo:
            self._memo[key] = load()  # a MissingEntry is not memoised: it is raised each time
        return self._memo[key]

    @staticmethod
    def _source(cell: Any) -> SimpleNamespace:
        return SimpleNamespace(name=cell.name, cell_type=cell.cell_type, locked=cell.locked,
                               checksum=cell.checksum, source=cell.source)

    def find_source_cell(self, name: str, notebook: str, assignment: str) -> Any:
        return self._once(("source", name, notebook, assignment),
                          lambda: self._source(self._gradebook.find_source_cell(name, notebook, assignment)))

    def find_graded_cell(self, name: str, notebook: str, assignment: str) -> Any:
        def load() -> SimpleNamespace:
            cell = self._gradebook.find_graded_cell(name, notebook, assignment)
            return SimpleNamespace(name=cell.name, max_score=cell.max_score)
        return self._once(("graded", name, notebook, assignment), load)

    def find_notebook(self, name: str, assignment: str) -> Any:
        def load() -> SimpleNamespace:
            nb = self._gradebook.find_notebook(name, assignment)
            return SimpleNamespace(
                name=nb.name, kernelspec=nb.kernelspec,
                source_cells=[self._source(c) for c in nb.source_cells],
                grade_cells=[SimpleNamespace(name=c.name, max_score=c.max_score) for c in nb.grade_cells],
                solution_cells=[SimpleNamespace(name=c.name) for c in nb.solution_cells],
                task_cells=[SimpleNamespace(name=c.name, max_score=c.max_score) for c in nb.task_cells],
            )
        return self._once(("notebook", name, assignment), load)


def _lookup(rows: dict[str, Any], fallback: Any) -> Any:
    def find(name: str, *where: str) -> Any:
        return rows[name] if name in rows else fallback(name, *where)
    return find


_VALIDATED: set[Any] = set()


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), _frozen(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("list", tuple(_frozen(v) for v in value))
    return (type(value).__name__, value)


@lru_cache(maxsize=1)
def _memo_validator() -> Any:
    """nbgrader's metadata validator (CheckCellMetadata) validating each distinct (cell type,
    nbgrader metadata) once; the duplicate-id check of ``validate_nb`` still runs."""
    from nbgrader.nbgraderformat import MetadataValidator

    class MemoValidator(MetadataValidator):
        def validate_cell(self, cell: Any) -> None:
            meta = cell.metadata
            key = (cell.cell_type, "nbgrader" in meta, _frozen(meta.get("nbgrader")))
            if key not in _VALIDATED:
                super().validate_cell(cell)
                _VALIDATED.add(key)

    return MemoValidator()


def _classes(names: Sequence[Any]) -> list[Any]:
    from traitlets.utils.importstring import import_item

    return [import_item(n) if isinstance(n, str) else n for n in names]


class BatchEngine:
    """nbgrader's autograde with kamcourse's steps, one gradebook session for the run.
    Use as a context manager; :meth:`grade` raises nothing (failures are outcomes)."""

    name = "batch"

    def __init__(self, course: Course, quiz: Quiz) -> None:
        from nbgrader.converters import Autograde

        self.course, self.quiz = course, quiz
        self.cfg = nbgrader_config(course)
        self.log = quiet_logger()
        self.coursedir = coursedir(course, self.cfg)
        self.app = Autograde(coursedir=self.coursedir, config=self.cfg, log=self.log)
        self.app.force = True
        self._gradebook: Any = None
        self._view: _AssignmentView | None = None
        self._steps: tuple[list[Any], list[Any]] | None = None
        self._why_not = self._check_setup()

    def unavailable(self) -> str:
        return self._why_not

    def _check_setup(self) -> str:
        import nbgrader

        from kamcourse.quiz.nbsteps import AUTOGRADE, SANITIZE

        if not nbgrader.__version__.startswith(NBGRADER_SERIES):
            return f"nbgrader {nbgrader.__version__} 不是经过验证的 {NBGRADER_SERIES}x 版本"
        if (_classes(self.app.sanitize_preprocessors) != _classes(SANITIZE)
                or _classes(self.app.autograde_preprocessors) != _classes(AUTOGRADE)):
            return "课程的 nbgrader_config.py 没有使用 kamcourse 的自动评分步骤（kamcourse.quiz.nbsteps.configure）"
        if self.app.pre_convert_hook is not None or self.app.post_convert_hook is not None:
            return "nbgrader 配置了 pre/post_convert_hook"
        return ""

    def __enter__(self) -> "BatchEngine":
        if not self._why_not:
            from nbgrader.api import Gradebook

            self._gradebook = Gradebook(self.coursedir.db_url, self.coursedir.course_id)
            self._gradebook.db = _DeferredCommit(self._gradebook.db)
            self._view = _AssignmentView(self._gradebook)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        if self._gradebook is not None:
            self._gradebook.db.rollback()
            self._gradebook.close()
            self._gradebook = None

    # -- nbgrader's steps, with the shared session

    def _preprocessor(self, cls: Any) -> Any:
        from traitlets.utils.importstring import import_item

        cls = import_item(cls) if isinstance(cls, str) else cls
        instance = cls(parent=self.app, log=self.log)
        if hasattr(instance, "gradebook_for_all"):
            instance.gradebook_for_all = self._view
        if hasattr(instance, "quiz"):
            instance.quiz = self.quiz
        return instance

    def _step(self, cls: Any) -> Any:
        """The step ``cls``: nbgrader's own ``preprocess``, except for the steps that open the
        gradebook, which run their per-cell logic on the shared session."""
        instance = self._preprocessor(cls)
        run = getattr(self, f"_{type(instance).__name__}", None)
        if run is None:
            return lambda nb, resources: instance(nb, resources)
        return lambda nb, resources: run(instance, nb, resources) if instance.enabled else (nb, resources)

    def _resources(self, student: str, path: str) -> dict[str, Any]:
        from nbconvert.exporters.exporter import ResourcesDict

        resources = ResourcesDict()
        resources["metadata"] = ResourcesDict(name=self.quiz.id, path=os.path.dirname(path))
        resources["unique_key"] = self.quiz.id
        resources["output_files_dir"] = f"{self.quiz.id}_files"
        resources["nbgrader"] = {"student": student, "assignment": self.quiz.id, "notebook": self.quiz.id,
                                 "db_url": self.coursedir.db_url}
        resources["output_extension"] = ".ipynb"
        return resources

    @staticmethod
    def _run(nb: Any, resources: dict[str, Any], steps: Sequence[Any]) -> Any:
        """As nbconvert's ``Exporter._preprocess``: normalize, each step, validate."""
        import nbformat
        from nbformat import validator

        if hasattr(validator, "normalize"):
            _, nb = validator.normalize(nb)
        for step in steps:
            nb, resources = step(nb, resources)
        nbformat.validate(nb, relax_add_props=True)
        return nb

    @staticmethod
    def _reread(nb: Any) -> Any:
        """What nbgrader reads back after writing the sanitized notebook out: its JSON
        (``writes`` splits lines that ``reads`` joins again, and drops the transient fields)."""
        import json

        from nbformat import from_dict
        from nbformat.v4.nbjson import strip_transient

        return strip_transient(from_dict(json.loads(json.dumps(nb))))

    @staticmethod
    def _writes(nb: Any) -> str:
        from nbformat import v4

        text = v4.writes(nb)
        return text if text.endswith("\n") else text + "\n"

    def _OverwriteKernelspec(self, pp: Any, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        import json

        # as nbgrader's OverwriteKernelspec.preprocess, with the shared session
        kernelspec = self._view.find_notebook(resources["nbgrader"]["notebook"],
                                              resources["nbgrader"]["assignment"]).kernelspec
        if kernelspec:
            kernelspec = json.loads(kernelspec)
        if kernelspec:
            nb.metadata["kernelspec"] = kernelspec
        return nb, resources

    def _OverwriteCells(self, pp: Any, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        # as nbgrader's OverwriteCells.preprocess, with the shared session; the per-cell logic is nbgrader's
        from nbconvert.preprocessors import Preprocessor

        pp.notebook_id = resources["nbgrader"]["notebook"]
        pp.assignment_id = resources["nbgrader"]["assignment"]
        pp.db_url = resources["nbgrader"]["db_url"]
        pp.gradebook = self._view
        nb, resources = Preprocessor.preprocess(pp, nb, resources)
        if pp.add_missing_cells:
            nb, resources = pp.add_missing_grade_cells(nb, resources)
            nb, resources = pp.add_missing_task_cells(nb, resources)
        return nb, resources

    @staticmethod
    def _CheckCellMetadata(pp: Any, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        _memo_validator().validate_nb(nb)
        return nb, resources

    def _SaveAutoGrades(self, pp: Any, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        # as nbgrader's SaveAutoGrades.preprocess, with the shared session; the per-cell logic is
        # nbgrader's. The submission's grades and comments are loaded in one query each, and
        # find_grade / find_comment answer from them (the same rows nbgrader would query one by one).
        from nbconvert.preprocessors import Preprocessor

        pp.notebook_id = resources["nbgrader"]["notebook"]
        pp.assignment_id = resources["nbgrader"]["assignment"]
        pp.student_id = resources["nbgrader"]["student"]
        pp.db_url = resources["nbgrader"]["db_url"]
        submitted = self._view.find_submission_notebook(pp.notebook_id, pp.assignment_id, pp.student_id)
        pp.gradebook = SimpleNamespace(
            find_grade=_lookup({g.name: g for g in submitted.grades}, self._view.find_grade),
            find_comment=_lookup({c.name: c for c in submitted.comments}, self._view.find_comment),
            db=self._view.db)
        return Preprocessor.preprocess(pp, nb, resources)

    def _AssignLatePenalties(self, pp: Any, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        # as nbgrader's AssignLatePenalties.preprocess, with the shared session; the plugin is nbgrader's
        pp.init_plugin()
        gb = self._view
        gb.db.flush()
        gb.db.expire_all()  # the notebook's score is computed by the database from the grades just saved
        student, assignment_id = resources["nbgrader"]["student"], resources["nbgrader"]["assignment"]
        assignment = gb.find_submission(assignment_id, student)
        notebook = gb.find_submission_notebook(resources["nbgrader"]["notebook"], assignment_id, student)
        notebook.late_submission_penalty = None
        if assignment.total_seconds_late > 0:
            penalty = pp.plugin_inst.late_submission_penalty(student, notebook.score, assignment.total_seconds_late)
            if penalty is not None:
                notebook.late_submission_penalty = pp._check_late_penalty(notebook, penalty)
        gb.db.commit()
        return nb, resources

    # -- one submission

    def grade(self, student: str) -> AutogradeOutcome:
        started = time.perf_counter()
        if self._why_not or self._gradebook is None:
            return AutogradeOutcome(student, False, 0.0, self._why_not or "engine not entered", self.name)
        source = self.app._format_source(self.quiz.id, student)
        dest = self.app._format_dest(self.quiz.id, student)
        try:
            self._grade(student, source, dest)
        except Exception as exc:  # noqa: BLE001 - reported; the pipeline hands it to nbgrader itself
            self._undo(dest)
            return AutogradeOutcome(student, False, time.perf_counter() - started,
                                    f"{type(exc).__name__}: {str(exc)[:160]}", self.name)
        seconds = time.perf_counter() - started
        (self.course.logs() / f"{student}.log").write_text(
            f"autograded by kamcourse's batch engine ({seconds:.3f} s): answers read as data, no kernel\n",
            encoding="utf-8")
        return AutogradeOutcome(student, True, seconds, "", self.name)

    def _grade(self, student: str, source: str, dest: str) -> None:
        import nbformat

        quiz_id = self.quiz.id
        if len(self._gradebook.find_assignment(quiz_id).notebooks) != 1:
            raise RuntimeError("nbgrader 中的作业不止一个笔记本")
        self._init_assignment(student, source, dest)
        path = os.path.join(source, f"{quiz_id}.ipynb")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbformat's notices; nbgrader only logs them too
            with open(path, encoding="utf-8") as fh:
                nb = nbformat.read(fh, as_version=4)
            if self._steps is None:  # made once: like nbconvert's, the steps keep no state between notebooks
                self._steps = ([self._step(cls) for cls in self.app.sanitize_preprocessors],
                               [self._step(cls) for cls in self.app.autograde_preprocessors])
            sanitize, grading = self._steps
            nb = self._run(nb, self._resources(student, path), sanitize)
            nb = self._reread(nb)
            out = os.path.join(dest, f"{quiz_id}.ipynb")
            nb = self._run(nb, self._resources(student, out), grading)
        os.makedirs(dest, exist_ok=True)
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(self._writes(nb))
        self.app.set_permissions(quiz_id, student)
        self._gradebook.db.really_commit()

    def _undo(self, dest: str) -> None:
        if self._gradebook is not None:
            self._gradebook.db.rollback()
        if os.path.exists(dest):
            shutil.rmtree(dest)

    def _init_assignment(self, student: str, source: str, dest: str) -> None:
        # as nbgrader's Autograde.init_destination (with --force) and init_assignment
        from nbgrader.utils import find_all_files

        app, gb, quiz_id = self.app, self._gradebook, self.quiz.id
        if os.path.exists(dest):
            shutil.rmtree(dest)
        for filename in find_all_files(source, self.coursedir.ignore + ["*.ipynb"]):
            target = os.path.join(dest, os.path.relpath(filename, source))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy(filename, target)
        gb.update_or_create_student(student)
        gb.find_assignment(quiz_id)
        timestamp = self.coursedir.get_existing_timestamp(source)
        if timestamp:
            gb.update_or_create_submission(quiz_id, student, timestamp=timestamp)
        else:
            gb.update_or_create_submission(quiz_id, student)
        source_path = self.coursedir.format_path(self.coursedir.source_directory, ".", quiz_id)
        exclude = {os.path.join(source_path, x) for x in app.exclude_overwriting.get(quiz_id, [])}
        for filename in sorted(set(find_all_files(source_path, self.coursedir.ignore + ["*.ipynb"])) - exclude):
            target = os.path.join(dest, os.path.relpath(filename, source_path))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.exists(target):
                os.remove(target)
            shutil.copy(filename, target)


def make_engine(name: str, course: Course, quiz: Quiz) -> Engine:
    from kamcourse.quiz.course import PipelineError

    if name not in ENGINES:
        raise PipelineError("评分引擎", f"{name!r} 不是 {' / '.join(ENGINES)} 之一")
    if name == "batch":
        engine = BatchEngine(course, quiz)
        if not engine.unavailable():
            return engine.__enter__()
    return NbgraderEngine(course)
