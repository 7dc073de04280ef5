"""``grade_item``: the single call each nbgrader test cell makes.

A generated test cell holds, inside nbgrader's hidden-test markers, only::

    from kamcourse.quiz.grading import grade_item
    grade_item("exam", "q1")

so no key is written into any notebook. The function reads the trainee's variable
``answer_q1`` from the notebook's namespace (a deleted or crashed answer cell therefore
scores 0 with a Chinese reason instead of a ``NameError`` traceback), loads the item from
the instructor-side bank (see :mod:`kamcourse.quiz.bank` for where it looks), prints the
result, the key and the explanation in Chinese, and returns the points. nbgrader takes a
test cell's numeric last expression as partial credit; the function never raises and
never writes to stderr (nbgrader scores a cell that does as 0).

Keep this module light: it is imported once per submission inside the grading kernel.
"""

from __future__ import annotations

import sys
from typing import Any

from kamcourse.quiz.answers import MISSING
from kamcourse.quiz.bank import BankError, find_bank_dir, load_quiz
from kamcourse.quiz.scoring import render_result, score_item

#: Printed when grading itself fails; the pipeline looks for it and reports the item.
INTERNAL_ERROR_MARK = "【评分程序错误】"


def grade_item(quiz: str, item: str, answer: Any = MISSING) -> float:
    """Score one item: print the Chinese verdict and explanation, return the points.

    ``answer`` defaults to the caller's global ``answer_<item>``.
    """
    if answer is MISSING:
        caller = sys._getframe(1).f_globals
        answer = caller.get(f"answer_{item}", MISSING)
    try:
        bank_item = load_quiz(quiz).item(item)
    except BankError as exc:
        print(f"{INTERNAL_ERROR_MARK}找不到题库（{exc}）。题库目录：{find_bank_dir()}。请联系讲师。")
        return 0.0
    try:
        result = score_item(bank_item, answer)
        print(render_result(bank_item, result))
        return float(result.points)
    except Exception as exc:  # never a traceback in a trainee's feedback
        print(f"{INTERNAL_ERROR_MARK}第 {item} 题评分时出错（{type(exc).__name__}）。请联系讲师。")
        return 0.0
