"""The instructor's grading run for one quiz over a folder of submissions.

``grade_class`` (``kamcourse quiz grade``), in order, each step safe to repeat:

1. **checks**: the gradebook is usable (else a Chinese message with the restore command),
   the generated notebook matches the public bank, the kit has this quiz's secrets and
   they are the ones recorded at release (else the run stops); then a backup of the
   gradebook (SQLite's online backup, :mod:`kamcourse.quiz.gradebook`);
2. **release**: nbgrader's ``generate_assignment`` if the release is missing or stale;
3. **intake**: every submission found by the flat-folder rules (:mod:`kamcourse.quiz.intake`),
   checked to be a notebook and staged into nbgrader's ``submitted/<student>/<quiz>/``;
   if nothing changed since the last run it says "没有新的提交" and does no work;
4. **autograde** the new or changed submissions with an :class:`kamcourse.quiz.engine.Engine`:
   answers are read as data, nothing a trainee wrote runs, one submission cannot touch
   another's score (each is graded on its own; a failure affects only that student);
5. **feedback** (the Chinese template) for the students graded now, then the grade exports,
   Moodle's statistics and ``report.md`` (:mod:`kamcourse.quiz.reports`).

Grades a human entered in the formgrader are never written over: kamcourse writes only
nbgrader's automatic scores (an integrity flag is an automatic 0 with its reason).
"""

from __future__ import annotations

import csv
import shutil
import time
from pathlib import Path
from typing import Any, Mapping

from kamcourse.quiz import gradebook as gradebook_mod
from kamcourse.quiz import intake as intake_mod
from kamcourse.quiz.bank import Quiz, load_quiz, quiz_digest
from kamcourse.quiz.course import (Course, PipelineError, Progress, check_kit_digest, generate_release,
                                   grading_environment, load_json, record_kit, release_marker)
from kamcourse.quiz.engine import DEFAULT_ENGINE, ENGINES, AutogradeOutcome, NbgraderEngine, make_engine
from kamcourse.quiz.feedback import generate_feedback
from kamcourse.quiz.kit import load_graded
from kamcourse.quiz.nbsteps import grading_note
from kamcourse.quiz.notebook import render
from kamcourse.quiz.reports import ClassReport, StudentResult, positions, write_outputs

__all__ = ["Course", "PipelineError", "grade_class", "restat", "grading_environment", "generate_release",
           "ClassReport", "StudentResult", "DEFAULT_ENGINE", "DEFAULT_WORKERS", "ENGINES"]

STATE_FILE = "state.json"
#: Feedback pages are written this many processes at a time (2 cores on the course machines).
DEFAULT_WORKERS = 2


def _stage(course: Course, found: intake_mod.Found, data: bytes) -> None:
    """Put a valid submission where nbgrader reads it (with its timestamp, if any)."""
    target = course.submitted_dir(found.student) / f"{course.quiz}.ipynb"
    same_place = found.path is not None and found.path.resolve() == target.resolve()
    if not same_place:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        stamp = found.path.parent / "timestamp.txt" if found.path and found.original.endswith("/") else None
        if stamp is not None and stamp.is_file():
            shutil.copyfile(stamp, target.parent / "timestamp.txt")


def read_roster(path: Path | None) -> dict[str, dict[str, str]]:
    """``roster.csv`` (column ``student`` plus any of name, email, username, idnumber, canvas_id,
    sis_user_id, sis_login_id, section), keyed by the normalised student id."""
    if path is None:
        return {}
    from kamcourse.quiz.variants import normalise_id

    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if rows and "student" not in rows[0]:
        raise PipelineError("名单", f"{path} 缺少 student 列")
    return {normalise_id(row["student"]): {k: (v or "").strip() for k, v in row.items()} for row in rows}


def _checks(course: Course, submissions: Path, state: Mapping[str, Any], accept_kit_change: bool) -> Quiz:
    if not submissions.is_dir():
        raise PipelineError("提交目录", f"{submissions} 不存在或不是文件夹")
    gradebook_mod.check(course, graded_before=bool(state.get("results")))
    public = load_quiz(course.quiz, course.bank)
    if not course.source_nb.is_file() or course.source_nb.read_text(encoding="utf-8") != render(public):
        raise PipelineError("源笔记本", f"{course.source_nb} 与题库不一致或不存在：请先运行 kamcourse quiz build")
    quiz = load_graded(course.root, course.quiz)
    if accept_kit_change:
        record_kit(course, quiz)
    check_kit_digest(course, quiz)
    return quiz


def grade_class(course_root: Path, quiz_id: str, submissions: Path, *, out: Path | None = None, force: bool = False,
                engine: str = DEFAULT_ENGINE, workers: int = DEFAULT_WORKERS, progress: Progress = print,
                accept_kit_change: bool = False, roster: Path | None = None) -> ClassReport:
    """Grade every submission of one quiz; see the module docstring for the steps."""
    started = time.perf_counter()
    course = Course(Path(course_root).resolve(), quiz_id)
    submissions = Path(submissions).resolve()
    out = Path(out).resolve() if out else course.reports
    if engine not in ENGINES:
        raise PipelineError("评分引擎", f"{engine!r} 不是 {' / '.join(ENGINES)} 之一")
    state = load_json(out / STATE_FILE)
    timings: dict[str, float] = {}
    clock = [time.perf_counter()]

    def lap(step: str) -> None:
        now = time.perf_counter()
        timings[step] = round(timings.get(step, 0.0) + now - clock[0], 3)
        clock[0] = now

    with grading_environment(course):
        quiz = _checks(course, submissions, state, accept_kit_change)
        kit_digest = quiz_digest(quiz)
        notes = []
        backup = gradebook_mod.backup(course)
        if backup is not None:
            notes.append(f"评分前已备份成绩库：{backup.name}（恢复：{gradebook_mod.restore_command(course)}）")
        lap("checks")

        source_digest = intake_mod.digest(course.source_nb.read_bytes())
        if not course.release_nb.is_file() or load_json(release_marker(course)).get("source_digest") != source_digest:
            progress("生成学员版本（nbgrader generate_assignment）……")
            generate_release(course, quiz)
        elif not load_json(release_marker(course)).get("kit_digest"):
            record_kit(course, quiz)
        lap("release")

        scan = intake_mod.find_submissions(submissions, quiz_id)
        previous = state.get("students", {})
        intakes: dict[str, intake_mod.Intake] = {}
        to_grade: list[str] = []
        for found in scan.found:
            data, problem = intake_mod.read_submission(found)
            if data is None:
                intakes[found.student] = intake_mod.Intake(found.student, "invalid", problem)
                continue
            checked = intake_mod.check_submission(found.student, data)
            intakes[found.student] = checked
            if checked.status != "ok":
                continue
            _stage(course, found, data)
            unchanged = (previous.get(found.student, {}).get("digest") == checked.digest
                         and state.get("kit_digest") == kit_digest and course.autograded_nb(found.student).is_file())
            if force or not unchanged:
                to_grade.append(found.student)
        seen = {s: {"digest": i.digest, "status": i.status} for s, i in intakes.items()}
        notes += [*scan.duplicates, *(f"跳过 {s.name}：{s.reason}" for s in scan.skipped)]
        invalid = [s for s, i in intakes.items() if i.status != "ok"]
        if not to_grade and not force and state.get("results") and seen == previous \
                and state.get("kit_digest") == kit_digest:
            progress(f"没有新的提交（{len(seen)} 份提交与上次评分时相同），无需重新评分。")
            return _unchanged_report(course, quiz, state, out, started)
        progress(f"共 {len(scan.found)} 份提交：{len(scan.found) - len(invalid)} 份有效，{len(invalid)} 份无效；"
                 f"需要评分 {len(to_grade)} 份，未变化跳过 {len(scan.found) - len(invalid) - len(to_grade)} 份。")
        for line in notes[1:] if backup else notes:
            progress(f"  注意：{line}")
        lap("intake")

        outcomes: dict[str, AutogradeOutcome] = {}
        if to_grade:
            runner = make_engine(engine, course, quiz)
            fallback = None
            try:
                for n, student in enumerate(to_grade, start=1):
                    outcome = runner.grade(student)
                    if not outcome.ok and runner.name != "nbgrader":
                        fallback = fallback or NbgraderEngine(course)
                        outcome = fallback.grade(student)
                    outcomes[student] = outcome
                    progress(f"  [{n:>3}/{len(to_grade)}] {student}：{'完成' if outcome.ok else '失败'}"
                             f"（{outcome.seconds:.2f} 秒）")
            finally:
                runner.close()
        lap("autograde")

        originals = scan.originals()
        results = _results(course, quiz, intakes, outcomes, originals)
        if outcomes:
            progress("生成反馈（nbgrader generate_feedback，中文模板）……")
            feedback = generate_feedback(course, [s for s, o in outcomes.items() if o.ok], workers)
            if not feedback["success"]:
                progress("警告：部分反馈生成失败，详见 reports 目录中的 feedback.log")
                out.mkdir(parents=True, exist_ok=True)
                (out / "feedback.log").write_text(feedback.get("log", "") + feedback.get("error", ""), encoding="utf-8")
        lap("feedback")

        out.mkdir(parents=True, exist_ok=True)
        state.update(kit_digest=kit_digest, students=seen, originals=originals,
                     results={r.student: {"status": r.status, "reasons": list(r.reasons), "notes": list(r.notes),
                                          "original": r.original} for r in results})
        import json

        (out / STATE_FILE).write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
        engines: dict[str, int] = {}
        for outcome in outcomes.values():
            engines[outcome.engine] = engines.get(outcome.engine, 0) + 1
        report = ClassReport(quiz_id, tuple(results), out, time.perf_counter() - started, len(outcomes),
                             len(scan.found) - len(invalid) - len(to_grade), engines=engines, timings=timings,
                             notes=tuple(notes))
        files = write_outputs(course, quiz, report, read_roster(roster))
        lap("outputs")
    return ClassReport(report.quiz, report.students, out, time.perf_counter() - started, report.autograded,
                       report.skipped, files, engines, timings, report.notes)


def _results(course: Course, quiz: Quiz, intakes: Mapping[str, intake_mod.Intake],
             outcomes: Mapping[str, AutogradeOutcome], originals: Mapping[str, str]) -> list[StudentResult]:
    zero = {p: 0.0 for p in positions(quiz)}
    results = []
    with gradebook_mod.open_gradebook(course) as gb:
        for student, checked in sorted(intakes.items()):
            original = originals.get(student, student)
            outcome = outcomes.get(student)
            if checked.status != "ok":
                gradebook_mod.ensure_student(course, student, gb)
                results.append(StudentResult(student, "invalid", zero, (checked.reason,), original=original))
            elif outcome is not None and not outcome.ok:
                results.append(StudentResult(student, "failed", zero, (f"自动评分失败：{outcome.error}",), (), True, original))
            else:
                results.append(_graded(course, quiz, student, gb, outcome is not None, original))
    return results


def _graded(course: Course, quiz: Quiz, student: str, gb: Any, now: bool, original: str) -> StudentResult:
    import json

    try:
        note = grading_note(json.loads(course.autograded_nb(student).read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError):
        note = {}
    scores = gradebook_mod.scores(course, quiz, student, gb) or {p: 0.0 for p in positions(quiz)}
    reasons = tuple(note.get("flags", {}).values())
    return StudentResult(student, "graded", scores, reasons, tuple(note.get("notes", ())), now, original)


def _unchanged_report(course: Course, quiz: Quiz, state: Mapping[str, Any], out: Path, started: float) -> ClassReport:
    files = {name: out / name for name in ("grades.csv", "report.md") if (out / name).is_file()}
    results = tuple(StudentResult(s, saved["status"], {}, tuple(saved["reasons"]), tuple(saved["notes"]),
                                  original=saved.get("original", s)) for s, saved in sorted(state["results"].items()))
    return ClassReport(quiz.id, results, out, time.perf_counter() - started, 0, len(results), files,
                       nothing_new=True)


def restat(course_root: Path, quiz_id: str, *, out: Path | None = None, progress: Progress = print,
           workers: int = DEFAULT_WORKERS, roster: Path | None = None) -> ClassReport:
    """Rebuild feedback, grades and statistics from the gradebook without regrading (after
    manual grading in the formgrader). Uses the class of the last ``grade_class``."""
    started = time.perf_counter()
    course = Course(Path(course_root).resolve(), quiz_id)
    out = Path(out).resolve() if out else course.reports
    state = load_json(out / STATE_FILE)
    if not state.get("results"):
        raise PipelineError("统计", f"{out} 中没有评分记录：请先运行 kamcourse quiz grade")
    gradebook_mod.check(course, graded_before=True)
    quiz = load_graded(course.root, quiz_id)
    zero = {p: 0.0 for p in positions(quiz)}
    with grading_environment(course):
        with gradebook_mod.open_gradebook(course) as gb:
            results = [_graded(course, quiz, s, gb, False, saved.get("original", s)) if saved["status"] == "graded"
                       else StudentResult(s, saved["status"], zero, tuple(saved["reasons"]), tuple(saved["notes"]),
                                          original=saved.get("original", s))
                       for s, saved in sorted(state["results"].items())]
        progress("生成反馈（nbgrader generate_feedback，中文模板）……")
        generate_feedback(course, [r.student for r in results if r.status == "graded"], workers)
        report = ClassReport(quiz_id, tuple(results), out, time.perf_counter() - started, 0, len(results))
        files = write_outputs(course, quiz, report, read_roster(roster))
    return ClassReport(quiz_id, report.students, out, time.perf_counter() - started, 0, len(results), files)
