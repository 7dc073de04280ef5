"""What a grading run leaves in ``<course>/reports/<quiz>/`` (instructor only):

``grades.csv`` (per position, with the original file name and the reasons), the LMS grade
imports ``moodle_grades.csv`` and ``canvas_grades.csv``, nbgrader's own export
``nbgrader_grades.csv``, ``item_stats.csv`` + ``test_stats.csv`` + ``item_stats.png``
(Moodle's statistics, :mod:`kamcourse.quiz.stats`), ``responses.csv`` (by canonical
option) and ``report.md``.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from kamcourse.quiz.answers import Reading
from kamcourse.quiz.bank import Quiz
from kamcourse.quiz.course import Course, quiet_logger
from kamcourse.quiz.grading import VERDICT_MIME
from kamcourse.tables import csv_text_out

STATUS_NAMES = {"graded": "已评分", "invalid": "无效提交", "failed": "评分失败"}
#: A verdict's status -> how the answer was read (for the response counts).
READ_AS = {"correct": "ok", "partial": "ok", "wrong": "ok", "blank": "blank", "missing": "missing"}


@dataclass(frozen=True)
class StudentResult:
    student: str
    status: str                              # graded | invalid | failed
    scores: Mapping[str, float | None]       # position -> score (None: waiting for a manual grade)
    reasons: tuple[str, ...] = ()            # why positions (or everything) score 0
    notes: tuple[str, ...] = ()
    autograded_now: bool = False
    original: str = ""                       # the file or folder name it came as

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
    engines: Mapping[str, int] = field(default_factory=dict)
    timings: Mapping[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()              # duplicates, skipped files, backups ...
    nothing_new: bool = False


def positions(quiz: Quiz) -> list[str]:
    from kamcourse.quiz.notebook import quiz_paper

    return [slot.id for slot in quiz_paper(quiz)]


def max_total(quiz: Quiz) -> float:
    from kamcourse.quiz.notebook import quiz_paper

    return sum(quiz.item(slot.candidates[0]).points for slot in quiz_paper(quiz))


def write_grades_csv(path: Path, quiz: Quiz, results: Sequence[StudentResult]) -> None:
    cols = positions(quiz)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["student", "original_name", "status", *cols, "total", "max", "pending", "reasons"])
        for r in results:
            out.writerow([
                csv_text_out(r.student), csv_text_out(r.original or r.student), STATUS_NAMES[r.status],
                *["" if r.scores.get(c) is None else f"{r.scores[c]:g}" for c in cols],
                f"{r.total:g}", f"{max_total(quiz):g}", " ".join(r.pending), csv_text_out("；".join(r.reasons)),
            ])


def write_lms_grades(folder: Path, quiz: Quiz, results: Sequence[StudentResult],
                     roster: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, Path]:
    """Grade imports: Moodle's (``Grades > Import > CSV file``: an identifier column mapped to
    the user's username/ID number/email, a grade column per grade item, an optional
    feedback column) and Canvas's (the Gradebook export layout: ``Student, ID,
    SIS User ID, SIS Login ID, Section`` then one ``<assignment>`` column). Identifiers come
    from the roster (``roster.csv``: student, name, email, username, idnumber, canvas_id,
    sis_user_id, sis_login_id, section) when given, else the nbgrader id."""
    roster = roster or {}
    moodle, canvas = folder / "moodle_grades.csv", folder / "canvas_grades.csv"
    column = f"{quiz.title}"
    with moodle.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["username", "idnumber", "email", column, f"{column} (反馈)"])
        for r in results:
            who = roster.get(r.student, {})
            out.writerow([csv_text_out(who.get("username") or r.student), csv_text_out(who.get("idnumber", "")),
                          csv_text_out(who.get("email", "")), f"{r.total:g}", csv_text_out("；".join(r.reasons))])
    with canvas.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"{column} ({quiz.id})"])
        out.writerow(["    Points Possible", "", "", "", "", f"{max_total(quiz):g}"])
        for r in results:
            who = roster.get(r.student, {})
            out.writerow([csv_text_out(who.get("name") or r.original or r.student), csv_text_out(who.get("canvas_id", "")),
                          csv_text_out(who.get("sis_user_id", "")), csv_text_out(who.get("sis_login_id") or r.student),
                          csv_text_out(who.get("section", "")), f"{r.total:g}"])
    return {"moodle_grades": moodle, "canvas_grades": canvas}


def export_nbgrader_csv(course: Course, path: Path) -> None:
    """nbgrader's own CSV export (one row per student and assignment)."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    plugin = CsvExportPlugin(log=quiet_logger())
    plugin.to = str(path)
    plugin.assignment = [course.quiz]
    with Gradebook(course.db_url) as gb:
        plugin.export(gb)


def verdicts_of(course: Course, student: str) -> dict[str, dict[str, Any]]:
    """Position -> the verdict data the grader wrote into the autograded notebook."""
    try:
        nb = json.loads(course.autograded_nb(student).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    out = {}
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {}).get(VERDICT_MIME)
            if isinstance(data, dict) and data.get("position"):
                out[data["position"]] = data
    return out


def statistics(course: Course, quiz: Quiz, results: Sequence[StudentResult]):
    """Item statistics by canonical item (with pools an item counts over the attempts that
    drew it), the test's statistics over positions, and the responses by canonical option.
    Positions still waiting for a manual grade are left out (listed as pending)."""
    from kamcourse.quiz.stats import item_statistics, response_counts, quiz_statistics

    graded = [r for r in results if r.status == "graded"]
    cols = positions(quiz)
    pending = [c for c in cols if any(r.scores.get(c) is None for r in graded)]
    counted = [c for c in cols if c not in pending]
    verdicts = {r.student: verdicts_of(course, r.student) for r in graded}
    item_marks: dict[str, dict[str, float]] = {}
    readings: dict[str, list[Reading]] = {item.id: [] for item in quiz.items}
    for r in graded:
        marks: dict[str, float] = {}
        for position in counted:
            data = verdicts[r.student].get(position)
            item_id = data["item"] if data else (position if len(cols) == len(quiz.items) else None)
            if item_id is None:
                continue
            marks[item_id] = float(r.scores[position] or 0.0)
            if data:
                status = READ_AS.get(data["status"], "invalid")
                number = None
                if status == "ok" and quiz.item(item_id).type == "numeric":
                    try:
                        number = float(data["canonical_answer"])
                    except (TypeError, ValueError):
                        number = None
                readings[item_id].append(Reading(status, data["canonical_answer"] if status == "ok" else "", number))
        item_marks[r.student] = marks
    counted_items = [i for i in quiz.items if any(i.id in m for m in item_marks.values()) or not graded]
    stats = item_statistics({i.id: i.points for i in counted_items}, item_marks)
    totals = [sum(float(r.scores[c] or 0.0) for c in counted) for r in graded]
    by_position = [[float(r.scores[c] or 0.0) for r in graded] for c in counted]
    test = quiz_statistics(totals, sum(quiz.item(quiz_slot_item(quiz, c)).points for c in counted), by_position)
    responses = [row for item in quiz.auto_items for row in response_counts(item, readings[item.id])]
    return stats, test, responses, pending


def quiz_slot_item(quiz: Quiz, position: str) -> str:
    from kamcourse.quiz.notebook import quiz_paper

    return next(slot.candidates[0] for slot in quiz_paper(quiz) if slot.id == position)


def write_outputs(course: Course, quiz: Quiz, report: ClassReport,
                  roster: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, Path]:
    from kamcourse.quiz.stats import write_chart, write_responses_csv, write_stats_csv, write_test_csv

    out = report.out
    files = {name: out / file for name, file in (
        ("grades", "grades.csv"), ("nbgrader_grades", "nbgrader_grades.csv"), ("item_stats", "item_stats.csv"),
        ("test_stats", "test_stats.csv"), ("responses", "responses.csv"), ("chart", "item_stats.png"),
        ("report", "report.md"))}
    results = list(report.students)
    write_grades_csv(files["grades"], quiz, results)
    files.update(write_lms_grades(out, quiz, results, roster))
    export_nbgrader_csv(course, files["nbgrader_grades"])
    stats, test, responses, pending = statistics(course, quiz, results)
    items = {i.id: i for i in quiz.items}
    write_stats_csv(files["item_stats"], items, stats, [quiz_slot_item(quiz, p) for p in pending])
    write_test_csv(files["test_stats"], test)
    write_responses_csv(files["responses"], responses)
    write_chart(files["chart"], quiz.title, items, stats)
    files["report"].write_text(report_markdown(quiz, report, stats, test, pending), encoding="utf-8")
    return files


STEP_NAMES = {"checks": "检查与备份", "release": "生成学员版本", "intake": "预检", "autograde": "自动评分",
              "feedback": "反馈", "outputs": "导出与统计"}


def _f(value: float | None, digits: int = 1, suffix: str = "") -> str:
    return "—" if value is None else f"{value:.{digits}f}{suffix}"


def report_markdown(quiz: Quiz, report: ClassReport, stats: Sequence[Any], test: Any, pending: Sequence[str]) -> str:
    split = "，".join(f"{STEP_NAMES.get(k, k)} {v:.1f}" for k, v in report.timings.items() if v >= 0.05)
    lines = [
        f"# {quiz.title}：评分报告",
        "",
        f"- 提交：{len(report.students)} 份；本次自动评分 {report.autograded} 份，未变化跳过 {report.skipped} 份"
        "（评分只读取答案单元引号内的文字，不运行学员的代码）",
        f"- 用时：{report.seconds:.1f} 秒" + (f"（{split}）" if split else ""),
        f"- 待人工评分的题目：{'、'.join(pending) if pending else '无'}（在 formgrader 中评分后运行 kamcourse quiz stats）",
        *[f"- {note}" for note in report.notes],
        "",
        "## 需要注意的提交",
        "",
        "| 学员 | 原始文件名 | 状态 | 原因 |",
        "|---|---|---|---|",
    ]
    flagged = [r for r in report.students if r.status != "graded" or r.reasons or r.notes]
    for r in flagged:
        why = "；".join([*r.reasons, *r.notes]).replace("|", "/")
        lines.append(f"| {r.student} | {(r.original or r.student).replace('|', '/')} | {STATUS_NAMES[r.status]} | {why} |")
    if not flagged:
        lines.append("| — | — | — | 全部正常 |")
    pct = (lambda v: "—" if v is None or not test.max_points else f"{100.0 * v / test.max_points:.1f}%")
    lines += ["", "## 全卷统计（Moodle 定义）", "",
              f"- 作答 {test.n} 份；平均 {_f(test.mean, 2)}（{pct(test.mean)}），中位数 {_f(test.median, 2)}，"
              f"标准差 {_f(test.sd, 2)}（{pct(test.sd)}）",
              f"- 偏度 {_f(test.skewness, 3)}，峰度 {_f(test.kurtosis, 3)}",
              f"- 内部一致性系数（Cronbach α）{_f(test.cic, 1, '%')}，误差比 {_f(test.error_ratio, 1, '%')}，"
              f"标准误 {_f(test.standard_error, 2)}",
              "", "## 题目统计（Moodle 定义）", "",
              "| 题目 | 易度 F | 标准差 | 区分度 D | 区分效率 | 需要检查？ | 提示 |", "|---|---|---|---|---|---|---|"]
    for s in stats:
        lines.append(f"| {s.item_id} | {_f(s.facility, 1, '%')} | {_f(s.sd, 1, '%')} | {_f(s.discrimination, 1, '%')} | "
                     f"{_f(s.efficiency, 1, '%')} | {s.needs_checking or '—'} | {'；'.join(s.flags)} |")
    return "\n".join(lines) + "\n"
