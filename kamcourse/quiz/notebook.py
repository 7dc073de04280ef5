"""Generate the nbgrader source notebooks from the bank (deterministic output).

``quizzes/source/<quiz>/<quiz>.ipynb`` is generated and committed; ``kamcourse quiz build
--check`` (and a test) fails when it and the bank disagree or when it was edited by hand.

Layout of a generated notebook (nbgrader cell roles in brackets):

- ``rules``       [read-only] title, how to answer, how each item type is scored;
- per item ``qN``: ``qN_stem`` [read-only] the question and its lettered options,
  ``qN_answer`` [autograded answer] ``answer_qN = ""`` (the one place to type; an empty
  solution region keeps nbgrader from replacing it, see :data:`SOLUTION_BEGIN`),
  ``qN_test`` [autograder tests] a comment; inside ``### BEGIN/END HIDDEN TESTS`` the
  single call ``grade_item("<quiz>", "qN")`` -- no key, no explanation;
- an essay item instead has ``qN_task`` [manually graded task] holding the points and, in
  a ``=== BEGIN/END MARK SCHEME ===`` region, the rubric (removed from the release,
  restored for the formgrader and the feedback), followed by a free markdown answer cell;
- ``check``       [read-only] the format check (letters from the options, no repeats).

Answer cells are left blank in the source too, so no notebook ever holds a key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from kamcourse.quiz.answers import KIND_NAMES
from kamcourse.quiz.bank import Item, Quiz, load_all
from kamcourse.quiz.scoring import COMMON_RULE, RULES

TEST_TAG = "kamcourse-test"
HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"
# An answer cell is an nbgrader "autograded answer" cell whose solution region is empty;
# nbgrader_config.py sets ClearSolutions.code_stub to "" so the release keeps the line
# ``answer_qN = ""`` (without a region nbgrader would replace the whole cell by a stub).
SOLUTION_BEGIN = "### BEGIN SOLUTION"
SOLUTION_END = "### END SOLUTION"
MARK_BEGIN = "=== BEGIN MARK SCHEME ==="
MARK_END = "=== END MARK SCHEME ==="
ESSAY_PLACEHOLDER = "（请在这里作答：双击本单元即可编辑，写完后按 Shift+Enter。）"

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


# ---------------------------------------------------------------- cells


def _nbgrader(grade_id: str, *, grade: bool = False, solution: bool = False, locked: bool = False,
              task: bool = False, points: float | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": task,
    }
    if points is not None:
        meta["points"] = points
    return meta


def _cell(kind: str, cell_id: str, source: str, quiz: str, item: str, role: str,
          nbgrader: dict[str, Any] | None = None, tags: Iterable[str] = ()) -> dict[str, Any]:
    metadata: dict[str, Any] = {"kamcourse": {"item": item, "quiz": quiz, "role": role}}
    if nbgrader is not None:
        metadata["nbgrader"] = nbgrader
    if tags:
        metadata["tags"] = list(tags)
    cell: dict[str, Any] = {"cell_type": kind, "id": cell_id, "metadata": metadata, "source": source}
    if kind == "code":
        cell["execution_count"] = None
        cell["outputs"] = []
    return cell


# ---------------------------------------------------------------- examples that leak nothing


def leak_fingerprints(item: Item) -> tuple[str, ...]:
    """Strings whose presence in a released notebook would reveal this item's key.

    Letter keys of two or more letters and non-trivial numeric keys are distinctive;
    single letters and short numbers are not, so for those the explanation stands in
    (the feedback prints key and explanation together).

    >>> from kamcourse.quiz.bank import load_quiz
    >>> exam = load_quiz("exam")
    >>> leak_fingerprints(exam.item("q4"))[0]
    'BADC'
    """
    marks = []
    if item.type in ("multiple", "ordering", "matching") and len(item.key) >= 2:
        marks.append(item.key)
    if item.type == "numeric" and ("." in item.key or len(item.key) >= 3):
        marks.append(item.key)
    marks.append(item.explanation)
    marks.extend(line.criterion for line in item.rubric if len(line.criterion) >= 12)
    return tuple(marks)


def _letter_keys(quiz: Quiz) -> list[str]:
    return [item.key for item in quiz.items if item.type in ("multiple", "ordering", "matching") and len(item.key) >= 2]


def _safe(candidates: Iterable[str], quiz: Quiz) -> str:
    """The first example that contains no key of the quiz."""
    keys = _letter_keys(quiz)
    for candidate in candidates:
        if not any(key in candidate for key in keys):
            return candidate
    raise ValueError(f"no leak-free example among the candidates for quiz {quiz.id}")  # pragma: no cover


def _letters(count: int) -> str:
    return "".join(chr(ord("A") + i) for i in range(count))


def _example(item: Item, quiz: Quiz) -> str:
    letters = _letters(len(item.options))
    if item.type == "single":
        return "B"
    if item.type == "multiple":
        return _safe(["BD", "AC", "CD", "AD", "BC", "AB"], quiz)
    if item.type == "ordering":
        rotations = [letters[i:] + letters[:i] for i in range(1, len(letters))]
        return _safe([letters[::-1], *rotations], quiz)
    if item.type == "matching":
        n = len(item.prompts)
        patterns = [(letters * n)[:n], (letters[::-1] * n)[:n], ((letters[1:] + letters[:1]) * n)[:n]]
        return _safe(patterns, quiz)
    return ""


def _answer_comment(item: Item, quiz: Quiz) -> str:
    n = item.number
    if item.type == "single":
        return f'# 第 {n} 题：在引号内填写一个字母，例如 "{_example(item, quiz)}"'
    if item.type == "multiple":
        return f'# 第 {n} 题：在引号内填写你认为正确的全部字母（顺序不限），例如 "{_example(item, quiz)}"'
    if item.type == "true_false":
        return f'# 第 {n} 题：在引号内填写 "A"（对）或 "B"（错）'
    if item.type == "ordering":
        return f'# 第 {n} 题：在引号内按先后顺序写出全部 {len(item.options)} 个字母，例如 "{_example(item, quiz)}"'
    if item.type == "matching":
        return (f"# 第 {n} 题：按第 1～{len(item.prompts)} 项的顺序，为每一项写一个类别字母，"
                f'例如 "{_example(item, quiz)}"')
    unit = f"（单位：{item.unit}）" if item.unit else ""
    return f'# 第 {n} 题：在引号内填写一个数字{unit}，例如 "12.5"'


def _options_md(options: Iterable[str]) -> str:
    return "\n".join(f"- **{letter}.** {text}" for letter, text in zip(_letters(8), options))


def stem_markdown(item: Item) -> str:
    """The question as the trainee reads it."""
    head = f"### 第 {item.number} 题　{KIND_NAMES[item.type]}（{item.points:g} 分）\n\n{item.stem}\n"
    if item.type in ("single", "multiple", "true_false"):
        return f"{head}\n{_options_md(item.options)}\n"
    if item.type == "ordering":
        return f"{head}\n{_options_md(item.options)}\n\n（请按先后顺序写出全部 {len(item.options)} 个字母。）\n"
    if item.type == "matching":
        prompts = "\n".join(f"{i}. {text}" for i, text in enumerate(item.prompts, start=1))
        return f"{head}\n类别：\n\n{_options_md(item.options)}\n\n需要归类的项：\n\n{prompts}\n"
    if item.type == "numeric":
        unit = f"，单位：{item.unit}" if item.unit else ""
        return f"{head}\n（请填写一个数字{unit}；允许误差 ±{item.tolerance:g}。）\n"
    rubric = "\n".join(f"- {line.criterion}（{line.points:g} 分）" for line in item.rubric)
    return (
        f"{head}\n请在下方的文本单元中作答。本题由讲师按评分要点人工评分。\n\n"
        f"{MARK_BEGIN}\n**评分要点（讲师评分用）：**\n\n{rubric}\n\n**参考解析：** {item.explanation}\n{MARK_END}\n"
    )


def rules_markdown(quiz: Quiz) -> str:
    kinds = [k for k in RULES if any(item.type == k for item in quiz.items)]
    pair = _safe(["AC", "BD", "AD", "BC"], quiz)
    how = [
        "每道题下方有一个答案单元，形如 `answer_q1 = \"\"`。请把答案写在**引号内**，然后运行该单元（Shift+Enter）。",
        "单选题写一个字母；多选题写出你认为正确的全部字母；判断题写 A（对）或 B（错），也可以写“对”“错”。",
    ]
    if "ordering" in kinds:
        how.append("排序题按先后顺序写出全部字母，**顺序有意义**。")
    if "matching" in kinds:
        how.append("匹配题按题中编号 1、2、3……的顺序，为每一项写一个类别字母，例如 \"ABA\" 表示第 1 项选 A、第 2 项选 B、第 3 项选 A。")
    if "numeric" in kinds:
        how.append("数值题写一个数字，例如 \"12.5\"（可以带单位，如“天”或“%”）。")
    if "essay" in kinds:
        how.append("论述题在题目下方的文本单元中作答（双击单元即可编辑）。")
    how.append(
        f"大小写、空格和分隔符不影响判分：\"{pair[0].lower()}, {pair[1].lower()}\"、\"{pair[0]} {pair[1]}\" "
        f"与 \"{pair}\" 相同；排序题和匹配题按你书写的先后顺序读取。"
    )
    how.append("全部作答后，运行最后的 **格式检查** 单元：它只检查写法（字母是否来自选项、是否重复），**不判断对错**。")
    how.append("题目单元和评分单元已锁定，请不要修改或删除；被修改或删除单元的题目按 0 分计。")
    how = [f"{i}. {line}" for i, line in enumerate(how, start=1)]
    rules = [f"- {RULES[k]}" for k in kinds] + [f"- {COMMON_RULE}"]
    auto_total = sum(item.points for item in quiz.auto_items)
    summary = f"共 {len(quiz.items)} 题，满分 {quiz.max_points:g} 分"
    if auto_total != quiz.max_points:
        summary += f"（其中自动评分 {auto_total:g} 分，人工评分 {quiz.max_points - auto_total:g} 分）"
    return (
        f"# {quiz.title}\n\n{quiz.description}\n\n{summary}。\n\n"
        "## 作答说明\n\n" + "\n".join(how) + "\n\n## 计分规则\n\n" + "\n".join(rules) + "\n"
    )


def check_source(quiz: Quiz) -> str:
    codes = ",\n".join(f'    "{item.spec.code()}"' for item in quiz.auto_items)
    return (
        "# 格式检查：运行本单元，逐题检查答案的写法（字母是否来自选项、是否重复）。\n"
        "# 它不检查答案是否正确，也不影响评分。\n"
        "from kamcourse.quiz.answers import check_answers\n\n"
        f"check_answers(globals(), [\n{codes},\n])"
    )


def test_source(quiz: Quiz, item: Item) -> str:
    return (
        f"# 第 {item.number} 题评分单元（按{KIND_NAMES[item.type]}计分规则给分）：讲师评分时运行，请不要修改。\n"
        f"{HIDDEN_BEGIN}\n"
        "from kamcourse.quiz.grading import grade_item\n"
        f'grade_item("{quiz.id}", "{item.id}")\n'
        f"{HIDDEN_END}"
    )


def item_cells(quiz: Quiz, item: Item) -> list[dict[str, Any]]:
    q, i = quiz.id, item.id
    if not item.auto:
        return [
            _cell("markdown", f"{i}-task", stem_markdown(item), q, i, "task",
                  _nbgrader(f"{i}_task", locked=True, task=True, points=item.points)),
            _cell("markdown", f"{i}-answer", ESSAY_PLACEHOLDER, q, i, "answer"),
        ]
    return [
        _cell("markdown", f"{i}-stem", stem_markdown(item), q, i, "stem", _nbgrader(f"{i}_stem", locked=True)),
        _cell("code", f"{i}-answer", f'{_answer_comment(item, quiz)}\nanswer_{i} = ""\n{SOLUTION_BEGIN}\n{SOLUTION_END}', q, i, "answer",
              _nbgrader(f"{i}_answer", solution=True)),
        _cell("code", f"{i}-test", test_source(quiz, item), q, i, "test",
              _nbgrader(f"{i}_test", grade=True, locked=True, points=item.points), tags=[TEST_TAG]),
    ]


def build_notebook(quiz: Quiz) -> dict[str, Any]:
    """The nbgrader source notebook of one quiz, as nbformat JSON data."""
    cells = [_cell("markdown", "rules", rules_markdown(quiz), quiz.id, "", "rules", _nbgrader("rules", locked=True))]
    for item in quiz.items:
        cells.extend(item_cells(quiz, item))
    cells.append(_cell("code", "check", check_source(quiz), quiz.id, "", "check", _nbgrader("check", locked=True)))
    return {
        "cells": cells,
        "metadata": {
            "kamcourse": {"generated_by": "kamcourse quiz build", "quiz": quiz.id},
            "kernelspec": KERNELSPEC,
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def render(quiz: Quiz) -> str:
    """The notebook file's exact text (stable key order, one trailing newline)."""
    return json.dumps(build_notebook(quiz), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def released_text(quiz: Quiz) -> str:
    """The cell sources nbgrader's release keeps (hidden tests and mark schemes cut)."""
    kept, skipping = [], False
    for cell in build_notebook(quiz)["cells"]:
        for line in cell["source"].splitlines():
            if HIDDEN_BEGIN in line or MARK_BEGIN in line or SOLUTION_BEGIN in line:
                skipping = True
            elif HIDDEN_END in line or MARK_END in line or SOLUTION_END in line:
                skipping = False
            elif not skipping:
                kept.append(line)
    return "\n".join(kept)


def leaks(quiz: Quiz, text: str) -> list[str]:
    """Which items' fingerprints occur in ``text`` (e.g. a released notebook)."""
    return [f"{item.id}: {mark[:30]}" for item in quiz.items for mark in leak_fingerprints(item) if mark in text]


# ---------------------------------------------------------------- build / check


@dataclass(frozen=True)
class BuildReport:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    drifted: tuple[str, ...]   # check mode: committed notebook differs from the bank
    orphans: tuple[str, ...]   # source notebooks with no quiz in the bank
    leaking: tuple[str, ...]   # keys/explanations visible in the student version

    @property
    def ok(self) -> bool:
        return not (self.drifted or self.orphans or self.leaking)


def source_notebook(course: Path, quiz_id: str) -> Path:
    return course / "source" / quiz_id / f"{quiz_id}.ipynb"


def build(course: Path, *, check: bool = False) -> BuildReport:
    """Write (or, with ``check``, only compare) every source notebook of the bank."""
    quizzes = load_all(course / "bank")
    written, unchanged, drifted, leaking = [], [], [], []
    for quiz in quizzes:
        text = render(quiz)
        leaking.extend(f"{quiz.id} {leak}" for leak in leaks(quiz, released_text(quiz)))
        path = source_notebook(course, quiz.id)
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            unchanged.append(quiz.id)
        elif check:
            drifted.append(quiz.id)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(quiz.id)
    known = {quiz.id for quiz in quizzes}
    source = course / "source"
    orphans = sorted(
        str(p.relative_to(course)) for p in source.glob("*/*.ipynb")
        if p.parent.name not in known or p.stem != p.parent.name
    ) if source.is_dir() else []
    return BuildReport(tuple(written), tuple(unchanged), tuple(drifted), tuple(orphans), tuple(leaking))
