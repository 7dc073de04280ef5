"""Pre/post use of one quiz: read two runs' ``grades.csv`` and report the normalised
learning gain per trainee, per item and for the class (:func:`kamcourse.quiz.stats.learning_gain`).
Trainees are matched by their nbgrader id; only those who took both count."""

from __future__ import annotations

import csv
from pathlib import Path

from kamcourse.quiz.bank import load_quiz
from kamcourse.quiz.course import PipelineError
from kamcourse.quiz.notebook import quiz_paper
from kamcourse.quiz.stats import learning_gain, write_gain_csv


def read_scores(path: Path, columns: list[str]) -> dict[str, dict[str, float]]:
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise PipelineError("成绩文件", f"无法读取 {path}（{exc.strerror}）") from exc
    if rows and not set(columns) <= set(rows[0]):
        raise PipelineError("成绩文件", f"{path} 不是本测验的 grades.csv（缺少 {'、'.join(columns)} 列）")
    return {row["student"]: {c: float(row[c] or 0) for c in columns} for row in rows if row.get("status") == "已评分"}


def gain_report(course: Path, quiz_id: str, pre: Path, post: Path, out: Path | None = None) -> dict[str, Path]:
    quiz = load_quiz(quiz_id, Path(course) / "bank")
    slots = [s for s in quiz_paper(quiz) if quiz.item(s.candidates[0]).auto]
    columns = [s.id for s in slots]
    points = {s.id: quiz.item(s.candidates[0]).points for s in slots}
    people, items, everyone = learning_gain(read_scores(pre, columns), read_scores(post, columns), points)
    out = Path(out) if out else Path(course) / "reports" / quiz_id
    out.mkdir(parents=True, exist_ok=True)
    files = {"gain_trainees": out / "gain_trainees.csv", "gain_items": out / "gain_items.csv"}
    write_gain_csv(files["gain_trainees"], [*people, everyone])
    write_gain_csv(files["gain_items"], items)
    return files
