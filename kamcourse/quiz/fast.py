"""Kernel-free autograding: ``nbgrader autograde``'s grades, without a kernel, for
submissions whose answers are plain literals.

Where one ``nbgrader autograde`` of an exam submission spends its time (profiled, see
``benchmarks/grading.py --profile``): importing nbgrader (a new command pays ~3 s of CPU),
starting, waiting for and shutting down the Python kernel, and importing the grader inside
it -- about three quarters of the rest; nbgrader's metadata validation (jsonschema, twice
per notebook) and gradebook writes (one SQLite commit, i.e. one fsync, per cell) most of
the remainder. Scoring the answers takes milliseconds. And a trainee's answer cell is
``answer_q1 = "ABC"``: executing it only binds a literal, and each test cell only calls
:func:`kamcourse.quiz.grading.grade_item`.

So :class:`KernelFreeAutograder` runs nbgrader's own autograde steps for one submission
in this process, with the kernel replaced by a step that provably does what the kernel
would do, or declines:

1. *sanitize* with nbgrader's preprocessors (ClearOutput, DeduplicateIds,
   OverwriteKernelspec, OverwriteCells, CheckCellMetadata), exactly as ``nbgrader
   autograde`` does. Restoring the hidden tests and the essay's mark scheme is expected
   (nbgrader reports the same checksum changes for the untouched release); any other
   report -- a locked cell whose nbgrader checksum differs from the release's, a missing,
   duplicated or unknown cell, changed points or cell type -- and the submission is not
   eligible;
2. *execute* the sanitized notebook without a kernel, cell by cell, in order, if every
   code cell is one of: blank (nbclient skips it); a generated test cell
   (``grade_item(quiz, item)``: called here, with the answer bound so far -- the function
   the kernel would call -- its printed text and returned points become the cell's stream
   and execute_result, as ipykernel sends them); the generated format-check cell
   (:func:`kamcourse.quiz.answers.check_answers`, likewise); or nothing but
   ``answer_qN = <literal>`` assignments and comments (the literal is bound, no output).
   Anything else -- other code, a compile-time warning, a ``skip-execution`` tag, text on
   stderr -- and the submission is not eligible;
3. *grade*: the rest of nbgrader's autograde preprocessors (IgnorePattern, ClearMetadata,
   LimitOutput, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata) and its
   bookkeeping (the student, the submission with its timestamp, copied files, file
   permissions), through nbgrader's API on one gradebook session and one commit per
   submission. So the formgrader, ``nbgrader generate_feedback`` and ``nbgrader export``
   see what they would after ``nbgrader autograde``; the essay waits for manual grading.

Submissions that are not eligible are left to the real ``nbgrader autograde``. The engine
stands down as a whole (:meth:`KernelFreeAutograder.unavailable`) when it cannot promise
the same result: another nbgrader version, autograde steps changed by configuration,
convert hooks, or a grading kernel that would not be this Python with a plain IPython
profile (then "the same function" might not be the same).

Where the steps above call nbgrader code that opens its own gradebook per notebook, the
few lines around nbgrader's per-cell logic are repeated here with a shared session (marked
"as nbgrader's ..."); the grading logic itself (``preprocess_cell``, ``determine_grade``,
the late-submission plugin) is nbgrader's.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import logging
import os
import re
import shutil
import sys
import time
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Sequence

from kamcourse.quiz.answers import MISSING, check_answers
from kamcourse.quiz.bank import Quiz
from kamcourse.quiz.grading import grade_item
from kamcourse.quiz.notebook import check_source, test_source

#: nbgrader versions whose autograde steps this module repeats (checked by the tests).
NBGRADER_SERIES = "0.9."
ANSWER_VARIABLE = re.compile(r"answer_q[0-9]+\Z")
#: The kernel the generated notebooks name, and the arguments kamcourse starts it with
#: (kamcourse.quiz.pipeline.nbgrader_config): the kernel whose behaviour is reproduced here.
KERNEL = "python3"
KERNEL_ARGUMENTS = {"--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"}
#: Written into the autograded notebook's metadata, so a reader can tell how it was graded.
ENGINE_NOTE = "kernel-free: literal answers scored by grade_item in the grading process"


class NotEligible(Exception):
    """Why a submission needs a kernel (Chinese, for the instructor's log)."""


# ---------------------------------------------------------------- executing without a kernel


def literal_assignments(source: str) -> list[tuple[str, Any]] | None:
    """The bindings of a cell that holds nothing but ``answer_qN = <literal>`` lines and
    comments, in order; ``None`` for anything else.

    >>> literal_assignments('# 第 1 题\\nanswer_q1 = "a, c"\\n')
    [('answer_q1', 'a, c')]
    >>> literal_assignments('answer_q10 = 75.5; answer_q10 = -1')
    [('answer_q10', 75.5), ('answer_q10', -1)]
    >>> literal_assignments('# nothing here')
    []
    >>> [literal_assignments(s) for s in ('answer_q1 = x', 'answer_q1 = 1/0', 'x = "A"',
    ...                                   'answer_q1 = answer_q2 = "A"', 'print("A")', 'answer_q1 = "\\\\d"')]
    [None, None, None, None, None, None]
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # e.g. an invalid escape: the kernel would print a warning
            tree = ast.parse(source)
    except (SyntaxError, ValueError, Warning, RecursionError, MemoryError):
        return None
    bindings: list[tuple[str, Any]] = []
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and ANSWER_VARIABLE.match(node.targets[0].id)):
            return None
        try:
            value = ast.literal_eval(node.value)
        except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
            return None
        bindings.append((node.targets[0].id, value))
    return bindings


def _captured(function: Any, *args: Any) -> tuple[str, Any]:
    """Call ``function`` with stdout captured, as the kernel's stream output would be."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        value = function(*args)
    if err.getvalue():
        raise NotEligible("评分函数向 stderr 输出了内容")
    return out.getvalue(), value


def kernel_language_info() -> dict[str, Any]:
    """What ipykernel reports as ``language_info`` (nbclient copies it into the notebook)."""
    from ipykernel.ipkernel import IPythonKernel

    return json.loads(json.dumps(IPythonKernel.language_info))


def _where(cell: Any, index: int) -> str:
    kc = cell.metadata.get("kamcourse", {})
    if isinstance(kc, dict) and kc.get("item") and kc.get("role") == "answer":
        return f"第 {str(kc['item']).lstrip('q')} 题的答案单元"
    return f"第 {index + 1} 个单元"


def execute_without_kernel(nb: Any, quiz: Quiz, skip_tag: str = "skip-execution") -> None:
    """Give ``nb``'s code cells the outputs and execution counts a fresh IPython kernel run
    by nbclient would give them, or raise :class:`NotEligible` (``nb`` is then unusable)."""
    from nbformat import from_dict

    tests = {test_source(quiz, item): item for item in quiz.auto_items}
    check = check_source(quiz)
    codes = [item.spec.code() for item in quiz.auto_items]
    namespace: dict[str, Any] = {}
    count = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue  # nbclient does not execute these
        if skip_tag in cell.metadata.get("tags", []):
            raise NotEligible(f"{_where(cell, index)}带有 {skip_tag} 标签")
        count += 1
        if cell.source in tests:
            item = tests[cell.source]
            text, value = _captured(grade_item, quiz.id, item.id, namespace.get(f"answer_{item.id}", MISSING))
        elif cell.source == check:
            text, value = _captured(check_answers, namespace, codes)
        else:
            bindings = literal_assignments(cell.source)
            if bindings is None:
                raise NotEligible(f"{_where(cell, index)}不只是 answer_qN = 字面量（需要内核运行）")
            namespace.update(bindings)
            text, value = "", None
        outputs = []
        if text:  # as nbclient builds them from ipykernel's messages (validated with the notebook)
            outputs.append(from_dict({"output_type": "stream", "name": "stdout", "text": text}))
        if value is not None:
            outputs.append(from_dict({"output_type": "execute_result", "metadata": {},
                                      "data": {"text/plain": repr(value)}, "execution_count": count}))
        cell.outputs = outputs
        cell.execution_count = count
        cell.metadata.pop("execution", None)  # nbclient's timings: there was no kernel to time


# ---------------------------------------------------------------- the gradebook, shared


class _DeferredCommit:
    """A gradebook session whose ``commit`` only flushes: nbgrader commits after every
    cell, and every SQLite commit is an fsync. The engine commits once per submission."""

    def __init__(self, session: Any) -> None:
        self._session = session

    def commit(self) -> None:
        self._session.flush()

    def really_commit(self) -> None:
        self._session.commit()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


class _AssignmentView:
    """The class's one :class:`nbgrader.api.Gradebook`, as nbgrader's preprocessors use it:
    the assignment's cells (the same for every submission) looked up once, everything
    else passed through."""

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


class _Warnings(logging.Handler):
    """Collects what nbgrader's preprocessors report while sanitizing one notebook."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


# ---------------------------------------------------------------- the engine


@dataclass(frozen=True)
class Graded:
    student: str
    seconds: float


class KernelFreeAutograder:
    """nbgrader's autograde of one quiz, without kernels, one eligible submission at a time.

    Use as a context manager (it holds one gradebook session)::

        with KernelFreeAutograder(course_root, quiz, config, log) as engine:
            if not engine.unavailable():
                engine.grade("s001")   # -> Graded, or raises NotEligible (nothing written)
    """

    def __init__(self, course_root: Path, quiz: Quiz, config: Any, log: logging.Logger) -> None:
        from nbgrader.converters import Autograde
        from nbgrader.coursedir import CourseDirectory

        self.root = Path(course_root)
        self.quiz = quiz
        self.config = config
        self.log = log
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = quiz.id
        coursedir.student_id = "*"
        self.app = Autograde(coursedir=coursedir, config=config, log=log)
        self.app.force = True
        self.coursedir = coursedir
        self._gradebook: Any = None
        self._view: _AssignmentView | None = None
        self._expected: set[str] | None = None
        self._language_info: dict[str, Any] | None = None
        self._why_not = self._check_setup()

    # -- whether the engine may run at all

    def unavailable(self) -> str:
        """Why this engine cannot promise nbgrader's result here ('' when it can)."""
        return self._why_not

    def _check_setup(self) -> str:
        import nbgrader
        from nbconvert.preprocessors import ClearMetadataPreprocessor
        from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearOutput, DeduplicateIds,
                                            Execute, IgnorePattern, LimitOutput, OverwriteCells,
                                            OverwriteKernelspec, SaveAutoGrades)

        if not nbgrader.__version__.startswith(NBGRADER_SERIES):
            return f"nbgrader {nbgrader.__version__} 不是经过验证的 {NBGRADER_SERIES}x 版本"
        sanitize = [ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata]
        autograde = [Execute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
                     AssignLatePenalties, CheckCellMetadata]
        if list(self.app.sanitize_preprocessors) != sanitize or list(self.app.autograde_preprocessors) != autograde:
            return "nbgrader 配置修改了自动评分的步骤（Autograde.*_preprocessors）"
        if self.app.pre_convert_hook is not None or self.app.post_convert_hook is not None:
            return "nbgrader 配置了 pre/post_convert_hook"
        execute = Execute(parent=self.app)
        if not set(execute.extra_arguments) <= KERNEL_ARGUMENTS:
            return f"评分内核的启动参数被修改（{' '.join(execute.extra_arguments)}）"
        return _kernel_customisations(execute.kernel_name or KERNEL)

    # -- context: one gradebook session

    @property
    def gradebook(self) -> Any:
        """The session's :class:`nbgrader.api.Gradebook` (its commits only flush: :meth:`commit`)."""
        return self._gradebook

    def commit(self) -> None:
        self._gradebook.db.really_commit()

    def __enter__(self) -> "KernelFreeAutograder":
        if not self._why_not:
            from nbgrader.api import Gradebook

            self._gradebook = Gradebook(self.coursedir.db_url, self.coursedir.course_id)
            self._gradebook.db = _DeferredCommit(self._gradebook.db)
            self._view = _AssignmentView(self._gradebook)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._gradebook is not None:
            self._gradebook.db.rollback()  # nothing is pending after grade(); this only closes cleanly
            self._gradebook.close()
            self._gradebook = None

    # -- nbgrader's steps

    def _preprocessor(self, cls: type, log: logging.Logger | None = None) -> Any:
        """An instance configured as nbgrader's exporter would register it."""
        return cls(parent=self.app, log=log or self.log)

    def _step(self, cls: type, run: Any, log: logging.Logger | None = None) -> Any:
        """``run(instance, nb, resources)`` in place of ``cls``'s own ``preprocess``,
        honouring ``cls.enabled`` as nbconvert's ``Preprocessor.__call__`` does."""
        instance = self._preprocessor(cls, log)
        return lambda nb, resources: run(instance, nb, resources) if instance.enabled else (nb, resources)

    def _resources(self, student: str, path: str) -> dict[str, Any]:
        """As nbgrader's converter and nbconvert's exporter set them up for one notebook."""
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
        """As nbconvert's ``Exporter._preprocess``: normalize, then each step, then validate
        (nbconvert validates after every step unless ``optimistic_validation``; the steps
        here keep a valid notebook valid, and an invalid one fails either way)."""
        import nbformat
        from nbformat import validator

        if hasattr(validator, "normalize"):
            _, nb = validator.normalize(nb)
        for step in steps:
            nb, resources = step(nb, resources)
        nbformat.validate(nb, relax_add_props=True)
        return nb

    @staticmethod
    def _writes(nb: Any) -> str:
        """``nbformat.writes(nb, version=4)`` without its second validation (which only
        logs), as nbconvert's NotebookExporter writes it."""
        from nbformat import v4

        text = v4.writes(nb)
        return text if text.endswith("\n") else text + "\n"

    def _sanitize(self, path: str, resources: dict[str, Any]) -> tuple[Any, list[str]]:
        """nbgrader's sanitizing pass over one submitted notebook, and what it reported."""
        import nbformat
        from nbgrader.preprocessors import (CheckCellMetadata, ClearOutput, DeduplicateIds, OverwriteCells,
                                            OverwriteKernelspec)

        handler = _Warnings()
        log = logging.getLogger(f"{self.log.name}.sanitize")
        log.propagate = False
        log.setLevel(logging.INFO)
        log.handlers = [handler]
        steps = [
            self._preprocessor(ClearOutput, log),
            self._preprocessor(DeduplicateIds, log),
            self._step(OverwriteKernelspec, self._overwrite_kernelspec, log),
            self._step(OverwriteCells, self._overwrite_cells, log),
            self._step(CheckCellMetadata, self._check_metadata, log),
        ]
        with warnings.catch_warnings():
            # nbformat's notices (e.g. a cell without an id): nbgrader logs them when it grades
            # the submission itself; what decides here is what nbgrader's steps report
            warnings.simplefilter("ignore")
            with open(path, encoding="utf-8") as fh:
                nb = nbformat.read(fh, as_version=4)
            nb = self._run(nb, resources, steps)
        # nbgrader writes the sanitized notebook out and reads it back for the autograde pass
        # (nbformat.reads would validate once more, and only log what it finds)
        return nbformat.v4.reads(self._writes(nb)), handler.messages

    def _overwrite_kernelspec(self, pp: Any, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        # as nbgrader's OverwriteKernelspec.preprocess, with the shared session
        kernelspec = self._view.find_notebook(resources["nbgrader"]["notebook"],
                                              resources["nbgrader"]["assignment"]).kernelspec
        if kernelspec is not None:
            kernelspec = json.loads(kernelspec)
        if kernelspec:
            nb.metadata["kernelspec"] = kernelspec
        return nb, resources

    def _overwrite_cells(self, pp: Any, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
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
    def _check_metadata(pp: Any, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        # nbgrader's CheckCellMetadata, with each distinct cell metadata validated once
        _memo_validator().validate_nb(nb)
        return nb, resources

    def _execute(self, pp: Any, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        # in place of nbgrader's Execute: no kernel (see execute_without_kernel)
        import nbformat

        if (pp.kernel_name or nb.metadata.get("kernelspec", {}).get("name")) != KERNEL:
            raise NotEligible(f"笔记本指定的内核不是 {KERNEL}")
        if self._language_info is None:
            self._language_info = kernel_language_info()
        nb.metadata["language_info"] = nbformat.from_dict(self._language_info)
        execute_without_kernel(nb, self.quiz, pp.skip_cells_with_tag)
        return nb, resources

    def _save_autogrades(self, pp: Any, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        # as nbgrader's SaveAutoGrades.preprocess, with the shared session; the per-cell logic is nbgrader's
        from nbconvert.preprocessors import Preprocessor

        pp.notebook_id = resources["nbgrader"]["notebook"]
        pp.assignment_id = resources["nbgrader"]["assignment"]
        pp.student_id = resources["nbgrader"]["student"]
        pp.db_url = resources["nbgrader"]["db_url"]
        pp.gradebook = self._view
        return Preprocessor.preprocess(pp, nb, resources)

    def _assign_late_penalties(self, pp: Any, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        # as nbgrader's AssignLatePenalties.preprocess, with the shared session; the plugin is nbgrader's
        pp.init_plugin()
        gb = self._view
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

    def _expected_reports(self) -> set[str]:
        """What sanitizing the untouched release reports: restoring the hidden tests and
        the mark scheme changes those cells' checksums, for every trainee alike."""
        if self._expected is None:
            release = self.root / "release" / self.quiz.id / f"{self.quiz.id}.ipynb"
            _, reports = self._sanitize(str(release), self._resources("release", str(release)))
            self._expected = set(reports)
        return self._expected

    def grade(self, student: str) -> Graded:
        """Autograde one staged submission; raises :class:`NotEligible`, with nothing
        written, when it needs a kernel."""
        if self._why_not:
            raise NotEligible(self._why_not)
        if self._gradebook is None:
            raise RuntimeError("use KernelFreeAutograder as a context manager")
        started = time.perf_counter()
        quiz_id = self.quiz.id
        source = self.app._format_source(quiz_id, student)
        dest = self.app._format_dest(quiz_id, student)
        try:
            nb, resources = self._prepare(student, source, dest)
        except NotEligible:
            raise
        except Exception as exc:  # noqa: BLE001 - nbgrader will say what is wrong with it
            raise NotEligible(f"无内核预检出错（{type(exc).__name__}: {str(exc)[:120]}）") from exc
        try:
            self._init_assignment(student, source, dest)
            nb = self._run(nb, resources, self._grading_steps())
            nb.metadata.setdefault("kamcourse", {})["autograde"] = ENGINE_NOTE
            self._write(nb, dest)
            self.app.set_permissions(quiz_id, student)
            self._gradebook.db.really_commit()
        except Exception as exc:  # noqa: BLE001 - anything unexpected: let nbgrader itself grade it
            self._undo(dest)
            if isinstance(exc, NotEligible):
                raise
            raise NotEligible(f"无内核评分出错（{type(exc).__name__}: {str(exc)[:120]}）") from exc
        return Graded(student, time.perf_counter() - started)

    def _prepare(self, student: str, source: str, dest: str) -> tuple[Any, dict[str, Any]]:
        """Sanitize and execute without a kernel; nothing is written."""
        quiz_id = self.quiz.id
        if sorted(p.name for p in Path(source).glob("*.ipynb")) != [f"{quiz_id}.ipynb"]:
            raise NotEligible("提交文件夹中不止一个笔记本")
        if len(self._gradebook.find_assignment(quiz_id).notebooks) != 1:
            raise NotEligible("nbgrader 中的作业不止一个笔记本")
        path = os.path.join(source, f"{quiz_id}.ipynb")
        nb, reports = self._sanitize(path, self._resources(student, path))
        unexpected = [m for m in reports if m not in self._expected_reports()]
        if unexpected:
            raise NotEligible("nbgrader 核对锁定单元时发现改动：" + unexpected[0][:160])
        resources = self._resources(student, os.path.join(dest, f"{quiz_id}.ipynb"))
        # the kernel's part now, so that a submission that needs one is known before any write
        from nbgrader.preprocessors import Execute

        nb, resources = self._step(Execute, self._execute)(nb, resources)
        return nb, resources

    def _grading_steps(self) -> list[Any]:
        """nbgrader's autograde steps after Execute (which :meth:`_prepare` ran)."""
        from nbconvert.preprocessors import ClearMetadataPreprocessor
        from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, IgnorePattern, LimitOutput,
                                            SaveAutoGrades)

        return [
            self._preprocessor(IgnorePattern),
            self._preprocessor(ClearMetadataPreprocessor),
            self._preprocessor(LimitOutput),
            self._step(SaveAutoGrades, self._save_autogrades),
            self._step(AssignLatePenalties, self._assign_late_penalties),
            self._step(CheckCellMetadata, self._check_metadata),
        ]

    def _write(self, nb: Any, dest: str) -> None:
        # as nbconvert's NotebookExporter and FilesWriter
        output = self._writes(nb)
        os.makedirs(dest, exist_ok=True)
        with open(os.path.join(dest, f"{self.quiz.id}.ipynb"), "w", encoding="utf-8") as fh:
            fh.write(output)

    def _undo(self, dest: str) -> None:
        self._gradebook.db.rollback()
        if os.path.exists(dest):
            shutil.rmtree(dest)

    def _init_assignment(self, student: str, source: str, dest: str) -> None:
        # as nbgrader's Autograde.init_destination (with --force) and init_assignment
        from nbgrader.api import MissingEntry
        from nbgrader.utils import find_all_files

        app, gb, quiz_id = self.app, self._gradebook, self.quiz.id
        if os.path.exists(dest):
            shutil.rmtree(dest)
        for filename in find_all_files(source, self.coursedir.ignore + ["*.ipynb"]):
            target = os.path.join(dest, os.path.relpath(filename, source))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy(filename, target)
        if app.create_student:
            gb.update_or_create_student(student)
        else:
            try:
                gb.find_student(student)
            except MissingEntry as exc:
                raise NotEligible("学员不在 nbgrader 数据库中") from exc
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


_VALIDATED: set[Any] = set()


def _frozen(value: Any) -> Any:
    """A hashable copy of JSON data (dict key order ignored, types kept)."""
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), _frozen(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("list", tuple(_frozen(v) for v in value))
    return (type(value).__name__, value)


@lru_cache(maxsize=1)
def _memo_validator() -> Any:
    """nbgrader's metadata validator (what CheckCellMetadata runs), validating each
    distinct (cell type, nbgrader metadata) once: jsonschema re-checks its schema on every
    call, which made this nbgrader's costliest step. The outcome of ``validate_cell``
    depends on nothing else; the duplicate-id check of ``validate_nb`` still runs."""
    from nbgrader.nbgraderformat import MetadataValidator

    class MemoValidator(MetadataValidator):
        def validate_cell(self, cell: Any) -> None:
            meta = cell.metadata
            key = (cell.cell_type, "nbgrader" in meta, _frozen(meta.get("nbgrader")))
            if key not in _VALIDATED:
                super().validate_cell(cell)
                _VALIDATED.add(key)

    return MemoValidator()


def _kernel_customisations(kernel: str) -> str:
    """Why the grading kernel might not behave like this process ('' if it would)."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        from IPython.core.application import ENV_CONFIG_DIRS, SYSTEM_CONFIG_DIRS
        from IPython.paths import get_ipython_dir
    except ImportError:  # pragma: no cover - ipykernel needs IPython
        return "找不到 IPython"
    try:
        spec = KernelSpecManager().get_kernel_spec(kernel)
    except NoSuchKernel:
        return f"找不到 {kernel} 内核"
    python = {"python", f"python{sys.version_info[0]}", "python%i.%i" % sys.version_info[:2]}
    exe = spec.argv[0] if spec.argv else ""
    same = exe in python or (os.path.exists(exe) and os.path.samefile(exe, sys.executable))
    if not same or spec.argv[1:] != ["-m", "ipykernel_launcher", "-f", "{connection_file}"] or spec.env:
        return f"评分内核（{' '.join(spec.argv)}）不是当前的 Python"
    profile = Path(get_ipython_dir()) / "profile_default"
    startup = profile / "startup"
    if startup.is_dir() and any(p.suffix in (".py", ".ipy") for p in startup.iterdir()):
        return f"IPython 启动脚本（{startup}）会在评分内核中运行"
    for folder in [profile, *map(Path, ENV_CONFIG_DIRS), *map(Path, SYSTEM_CONFIG_DIRS)]:
        for name in ("ipython_config", "ipython_kernel_config"):
            if (folder / f"{name}.json").is_file() or _meaningful((folder / f"{name}.py")):
                return f"IPython 配置（{folder / name}）可能改变评分内核的行为"
    return ""


def _meaningful(path: Path) -> bool:
    """A Python config file with anything but comments and ``c = get_config()``."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return path.exists()
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if text and text.replace(" ", "") not in ("c=get_config()",):
            return True
    return False
