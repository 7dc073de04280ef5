"""The instructor's grading pipeline for one quiz over a folder of submissions.

``grade_class`` runs, in order (each step safe to repeat):

1. check that the source notebook matches the bank, and generate the release if needed;
2. find and pre-check every submission (:mod:`kamcourse.quiz.intake`): invalid ones are
   reported with a reason and score 0; deleted cells are put back; changed locked cells
   are flagged;
3. stage valid submissions into ``<course>/submitted/<student>/<quiz>/`` (nbgrader's layout);
4. autograde the new or changed ones -- one student at a time, so a crash, a timeout or an
   endless loop affects only that student. :data:`Autograder` is the replaceable step;
   :func:`nbgrader_autograde` runs nbgrader's own Autograde converter;
5. integrity verdicts: items with changed/deleted locked cells or whose answer cell raised
   or looped get 0 as a *manual* score with a comment in nbgrader's gradebook (visible in
   the formgrader and the feedback); manual grades a human gave are never overwritten;
6. feedback HTML for every graded student (test code hidden, each item's Chinese result
   and explanation shown), grade export (per-item CSV plus nbgrader's CSV), item
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
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from kamcourse.errors import KamcourseError
from kamcourse.quiz import intake as intake_mod
from kamcourse.quiz.answers import MISSING, Reading, read_answer
from kamcourse.quiz.bank import BANK_ENV, Quiz, load_quiz
from kamcourse.quiz.grading import INTERNAL_ERROR_MARK
from kamcourse.quiz.notebook import TEST_TAG, render

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


@dataclass(frozen=True)
class AutogradeOutcome:
    student: str
    ok: bool
    seconds: float
    error: str = ""


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


def nbgrader_autograde(course: Course, students: Sequence[str], timeout: int, progress: Progress) -> dict[str, AutogradeOutcome]:
    """nbgrader's Autograde converter, one student at a time."""
    from nbgrader.converters import Autograde

    cfg = nbgrader_config(course, timeout)
    outcomes: dict[str, AutogradeOutcome] = {}
    logs = course.root / "reports" / course.quiz / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    for i, student in enumerate(students, start=1):
        started = time.perf_counter()
        app = Autograde(coursedir=_coursedir(course, cfg, student), config=cfg, log=_quiet_logger())
        app.force = True
        app.create_student = True
        result = _run(app)
        seconds = time.perf_counter() - started
        (logs / f"{student}.log").write_text(result.get("log", "") + result.get("error", ""), encoding="utf-8")
        ok = bool(result["success"]) and course.autograded_nb(student).is_file()
        error = "" if ok else _first_error(result)
        outcomes[student] = AutogradeOutcome(student, ok, seconds, error)
        progress(f"  [{i:>3}/{len(students)}] {student}：{'完成' if ok else '失败'}（{seconds:.1f} 秒）")
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


def generate_feedback(course: Course) -> dict[str, Any]:
    """Feedback HTML for every autograded student, with the test cells' code hidden."""
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.converters import GenerateFeedback
    from nbgrader.preprocessors import GetGrades

    cfg = nbgrader_config(course)
    cfg.HTMLExporter.template_name = "feedback"
    cfg.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, _hide_test_code_preprocessor()]
    app = GenerateFeedback(coursedir=_coursedir(course, cfg), config=cfg, log=_quiet_logger())
    app.force = True
    return _run(app)


# ---------------------------------------------------------------- gradebook


def _grade_names(item_id: str, auto: bool) -> tuple[str, str]:
    """(grade cell, comment cell) of an item: the comment sits on the answer (or task) cell."""
    return (f"{item_id}_test", f"{item_id}_answer") if auto else (f"{item_id}_task", f"{item_id}_task")


def apply_verdicts(course: Course, quiz: Quiz, student: str, flags: Mapping[str, str]) -> None:
    """Flagged items get manual score 0 with a comment; lifted flags are cleared again.
    A score or comment a human entered is left alone."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.db_url) as gb:
        try:
            gb.find_submission_notebook(quiz.id, quiz.id, student)
        except MissingEntry:
            return
        for item in quiz.items:
            grade_name, comment_name = _grade_names(item.id, item.auto)
            grade = gb.find_grade(grade_name, quiz.id, quiz.id, student)
            comment = gb.find_comment(comment_name, quiz.id, quiz.id, student)
            ours = (comment.manual_comment or "").startswith(VERDICT_MARK)
            if item.id in flags and (ours or (grade.manual_score is None and not comment.manual_comment)):
                grade.manual_score = 0.0
                grade.needs_manual_grade = False
                comment.manual_comment = f"{VERDICT_MARK}{flags[item.id]}，本题按 0 分计。"
            elif item.id not in flags and ours:
                grade.manual_score = None
                grade.needs_manual_grade = grade.auto_score is None
                comment.manual_comment = None
        gb.db.commit()


def gradebook_scores(course: Course, quiz: Quiz, student: str) -> dict[str, float | None] | None:
    """Item scores in the gradebook (manual beats auto), or None without a submission."""
    from nbgrader.api import Gradebook, MissingEntry

    scores: dict[str, float | None] = {}
    with Gradebook(course.db_url) as gb:
        try:
            gb.find_submission_notebook(quiz.id, quiz.id, student)
        except MissingEntry:
            return None
        for item in quiz.items:
            grade = gb.find_grade(_grade_names(item.id, item.auto)[0], quiz.id, quiz.id, student)
            base = grade.manual_score if grade.manual_score is not None else grade.auto_score
            scores[item.id] = None if base is None else round(float(base) + float(grade.extra_credit or 0.0), 2)
    return scores


def _ensure_student(course: Course, student: str) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as gb:
        gb.update_or_create_student(student)


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
) -> ClassReport:
    """Grade every submission of one quiz; see the module docstring for the steps."""
    started = time.perf_counter()
    course = Course(Path(course_root).resolve(), quiz_id)
    submissions = Path(submissions).resolve()
    out = (Path(out) if out else course.root / "reports" / quiz_id).resolve()
    out.mkdir(parents=True, exist_ok=True)
    autograder = autograder or nbgrader_autograde
    if not submissions.is_dir():
        raise PipelineError("提交目录", f"{submissions} 不存在或不是文件夹")

    quiz = load_quiz(quiz_id, course.bank)
    if not course.source_nb.is_file() or course.source_nb.read_text(encoding="utf-8") != render(quiz):
        raise PipelineError("源笔记本", f"{course.source_nb} 与题库不一致或不存在：请先运行 kamcourse quiz build")

    state = _load_json(out / STATE_FILE)
    with grading_environment(course):
        source_digest = intake_mod.digest(course.source_nb.read_bytes())
        if not course.release_nb.is_file() or state.get("source_digest") != source_digest:
            progress("生成学员版本（nbgrader generate_assignment）……")
            generate_release(course)
            state["source_digest"] = source_digest
        release = _load_json(course.release_nb)

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

        outcomes = dict(autograder(course, to_grade, timeout, progress)) if to_grade else {}

        results: list[StudentResult] = []
        for student, checked in sorted(intakes.items()):
            if checked.status != "ok":
                _ensure_student(course, student)
                results.append(StudentResult(student, "invalid", {i.id: 0.0 for i in quiz.items}, (checked.reason,)))
                continue
            outcome = outcomes.get(student)
            if outcome is not None and not outcome.ok:
                results.append(StudentResult(
                    student, "failed", {i.id: 0.0 for i in quiz.items},
                    (f"自动评分失败：{outcome.error}",), checked.notes, True,
                ))
                continue
            flags = dict(item_flags[student])
            autograded = _load_json(course.autograded_nb(student))
            for item_id, reason in intake_mod.run_problems(autograded):
                flags.setdefault(item_id, reason)
            apply_verdicts(course, quiz, student, flags)
            notes = list(checked.notes)
            if INTERNAL_ERROR_MARK in json.dumps(autograded, ensure_ascii=False):
                notes.append("评分程序报告了错误（见反馈），请检查题库路径")
            scores = gradebook_scores(course, quiz, student) or {i.id: 0.0 for i in quiz.items}
            results.append(StudentResult(student, "graded", scores, tuple(flags.values()), tuple(notes),
                                         student in outcomes))

        progress("生成反馈（nbgrader generate_feedback）……")
        feedback = generate_feedback(course)
        if not feedback["success"]:
            progress("警告：部分反馈生成失败，详见 reports 目录中的 feedback.log")
            (out / "feedback.log").write_text(feedback.get("log", "") + feedback.get("error", ""), encoding="utf-8")

        state["students"] = {s: {"digest": i.digest, "staged": staged[s], "flags": item_flags[s]}
                             for s, i in intakes.items() if i.status == "ok"}
        state["results"] = {r.student: {"status": r.status, "reasons": list(r.reasons), "notes": list(r.notes)}
                            for r in results}
        (out / STATE_FILE).write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")

        report = ClassReport(quiz_id, tuple(results), out, time.perf_counter() - started,
                             len(outcomes), len(found) - len(invalid) - len(to_grade))
        files = write_outputs(course, quiz, report)
    return ClassReport(report.quiz, report.students, out, time.perf_counter() - started,
                       report.autograded, report.skipped, files)


def restat(course_root: Path, quiz_id: str, *, out: Path | None = None, progress: Progress = print) -> ClassReport:
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
        for student, saved in sorted(state["results"].items()):
            scores = None
            if saved["status"] == "graded":
                scores = gradebook_scores(course, quiz, student)
            results.append(StudentResult(student, saved["status"], scores or {i.id: 0.0 for i in quiz.items},
                                         tuple(saved["reasons"]), tuple(saved["notes"])))
        progress("生成反馈（nbgrader generate_feedback）……")
        generate_feedback(course)
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
                r.student, STATUS_NAMES[r.status],
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


def report_markdown(quiz: Quiz, report: ClassReport, stats: Sequence[Any], pending: Sequence[str]) -> str:
    lines = [
        f"# {quiz.title}：评分报告",
        "",
        f"- 提交：{len(report.students)} 份；本次自动评分 {report.autograded} 份，未变化跳过 {report.skipped} 份",
        f"- 用时：{report.seconds:.1f} 秒",
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
