"""The trainee's journey beyond the exercises, for the start page: quiz results returned through
nbgrader's feedback, the capstone's status, finished role-play visits and today's review.

Quiz results are read from the feedback pages nbgrader hands back (``nbgrader fetch_feedback``,
or the Assignments tab, puts them in ``<quiz>/feedback/<time>/<quiz>.html`` under the folder the
trainee works in). kamcourse's Chinese feedback page carries its total in a
``<meta name="kamcourse-score" content="8.5/10">`` tag, so nothing else is parsed. All of it is
read-only and local: nothing here talks to the instructor's gradebook.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

SCORE_META = re.compile(r'<meta name="kamcourse-score" content="([0-9.]+)/([0-9.]+)"')
PASS_MARK = 60.0  # percent; the certificate's default pass mark (kamcourse.certificates.Thresholds)
CAPSTONE = "capstone"
EXAM = "exam"


@dataclass(frozen=True)
class QuizResult:
    """The newest returned result of one quiz."""

    quiz: str
    score: float
    max_score: float
    returned: str  # the feedback folder's name: nbgrader's timestamp

    @property
    def percent(self) -> float:
        return round(100.0 * self.score / self.max_score, 1) if self.max_score else 0.0


def read_score(page: str) -> tuple[float, float] | None:
    """The total of a kamcourse feedback page, or None.

    >>> read_score('<meta name="kamcourse-score" content="8.5/10">')
    (8.5, 10.0)
    >>> read_score("<html></html>") is None
    True
    """
    match = SCORE_META.search(page)
    return (float(match.group(1)), float(match.group(2))) if match else None


def feedback_pages(roots: Iterable[Path], quiz_ids: Iterable[str]) -> list[tuple[str, str, Path]]:
    """``(quiz, time folder, page)`` for every returned feedback page under ``roots``: the
    ``<quiz>/feedback/<time>/<quiz>.html`` layout, directly or one course folder deeper."""
    found = []
    for root in roots:
        for quiz in quiz_ids:
            for pattern in (f"{quiz}/feedback/*/{quiz}.html", f"*/{quiz}/feedback/*/{quiz}.html"):
                for page in Path(root).glob(pattern):
                    found.append((quiz, page.parent.name, page))
    return found


def quiz_results(roots: Iterable[Path], quiz_ids: Sequence[str]) -> dict[str, QuizResult]:
    """The newest readable result per quiz (a page that cannot be read is left out)."""
    out: dict[str, QuizResult] = {}
    for quiz, returned, page in sorted(feedback_pages(roots, quiz_ids), key=lambda f: f[1]):
        try:
            score = read_score(page.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
        if score is not None:
            out[quiz] = QuizResult(quiz, score[0], score[1], returned)
    return out


def default_roots() -> list[Path]:
    """Where a trainee's returned feedback can be: ``KAMCOURSE_FEEDBACK_DIR``, the home folder
    (JupyterHub) and the course checkout (``./kc start``)."""
    from kamcourse.paths import course_root

    roots = [Path(os.environ["KAMCOURSE_FEEDBACK_DIR"])] if os.environ.get("KAMCOURSE_FEEDBACK_DIR") else []
    roots += [Path.home(), course_root()]
    return list(dict.fromkeys(r for r in roots if r.is_dir()))


def capstone_status(result: QuizResult | None, pass_mark: float = PASS_MARK) -> str:
    """结业项目 in one Chinese sentence.

    >>> capstone_status(None)
    '还没有评分：做完结业项目练习本后，在 Assignments 中提交 capstone。'
    >>> capstone_status(QuizResult("capstone", 72, 100, "t"))
    '已评分：72 / 100 分，达到合格线（60 分）。'
    >>> capstone_status(QuizResult("capstone", 50, 100, "t"))
    '已评分：50 / 100 分，未达到合格线（60 分）：看看反馈里每一部分的评分要点。'
    """
    if result is None:
        return f"还没有评分：做完结业项目练习本后，在 Assignments 中提交 {CAPSTONE}。"
    line = f"已评分：{result.score:g} / {result.max_score:g} 分"
    if result.percent >= pass_mark:
        return f"{line}，达到合格线（{pass_mark:g} 分）。"
    return f"{line}，未达到合格线（{pass_mark:g} 分）：看看反馈里每一部分的评分要点。"
