"""Generate the nbgrader source notebooks from the bank (deterministic output).

``quizzes/source/<quiz>/<quiz>.ipynb`` is generated and committed; ``kamcourse quiz build
--check`` (and a test) fails when it and the bank disagree or when it was edited by hand.

Layout of a generated notebook (nbgrader cell roles in brackets):

- ``rules``       [read-only] title, how to answer, how each item type is scored;
- per position ``qN`` of the paper (:func:`kamcourse.quiz.variants.paper`; without pools
  position N is item N): ``qN_stem`` [read-only] the question and its lettered options --
  in a quiz with per-trainee variants only the heading, followed by ``qN_show`` [read-only
  code] which displays this trainee's version (:func:`kamcourse.quiz.variants.show_position`);
  ``qN_answer`` [autograded answer] ``answer_qN = ""`` (the one place to type; an empty
  solution region keeps nbgrader from replacing it, see :data:`SOLUTION_BEGIN`);
  ``qN_test`` [autograder tests] a comment, and inside ``### BEGIN/END HIDDEN TESTS`` a
  ``raise``: nothing in a notebook grades. The kamcourse autograde step
  (:mod:`kamcourse.quiz.nbsteps`, configured in ``nbgrader_config.py``) reads the answer
  cell as data and writes the test cell's output in the trusted process; should anyone run
  nbgrader without that step, the hidden test fails and the item scores 0;
- an essay item instead has ``qN_task`` [manually graded task] holding the points and, in
  a ``=== BEGIN/END MARK SCHEME ===`` region, the rubric (removed from the release,
  restored for the formgrader and the feedback), followed by a free markdown answer cell;
- ``check``       [read-only] the format check (letters from the options, no repeats).

Answer cells are left blank in the source too, so no notebook ever holds a key. The
notebooks are built from the public bank alone (no kit needed): examples in the answer
comments never depend on a key, so they tell a trainee nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from kamcourse.quiz.answers import KIND_NAMES, FormatSpec
from kamcourse.quiz.bank import Item, Quiz, load_all
from kamcourse.quiz.scoring import COMMON_RULE, RULES
from kamcourse.quiz.variants import Slot, item_markdown, paper

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

    >>> from kamcourse.quiz.bank import parse_quiz, repo_bank_dir, schema_path
    >>> quiz = parse_quiz({"quiz": "x1", "title": "测验", "description": "说明", "items": [
    ...     {"id": "q1", "type": "ordering", "stem": "排序", "options": ["甲", "乙", "丙"], "key": "BCA",
    ...      "points": 1, "explanation": "因为乙在前。"}]}, "x1.yaml", str(schema_path(repo_bank_dir())))
    >>> leak_fingerprints(quiz.item("q1"))
    ('"BCA"', '因为乙在前。')
    """
    marks = []
    if item.type in ("multiple", "ordering", "matching") and len(item.key) >= 2:
        marks.append(f'"{item.key}"')
    if item.type == "numeric" and ("." in item.key or len(item.key) >= 3):
        marks.append(item.key)
    if item.explanation:
        marks.append(item.explanation)
    marks.extend(line.criterion for line in item.rubric if len(line.criterion) >= 12)
    marks.extend(note for note in item.distractors if len(note) >= 12)
    return tuple(marks)


def _letters(count: int) -> str:
    return "".join(chr(ord("A") + i) for i in range(count))


def _example(item: Item) -> str:
    """A well-formed answer for the comment, fixed by the item's shape (never by its key)."""
    letters = _letters(len(item.options))
    if item.type == "single":
        return "B"
    if item.type == "multiple":
        return "AC"
    if item.type == "ordering":
        return letters[::-1]
    if item.type == "matching":
        n = len(item.prompts)
        return (letters * n)[:n]
    return ""


def _answer_comment(item: Item, n: int) -> str:
    if item.type == "single":
        return f'# 第 {n} 题：在引号内填写一个字母，例如 "{_example(item)}"'
    if item.type == "multiple":
        return f'# 第 {n} 题：在引号内填写你认为正确的全部字母（顺序不限），例如 "{_example(item)}"'
    if item.type == "true_false":
        return f'# 第 {n} 题：在引号内填写 "A"（对）或 "B"（错）'
    if item.type == "ordering":
        return f'# 第 {n} 题：在引号内按先后顺序写出全部 {len(item.options)} 个字母，例如 "{_example(item)}"'
    if item.type == "matching":
        return (f"# 第 {n} 题：按第 1～{len(item.prompts)} 项的顺序，为每一项写一个类别字母，"
                f'例如 "{_example(item)}"')
    unit = f"（单位：{item.unit}）" if item.unit else ""
    return f'# 第 {n} 题：在引号内填写一个数字{unit}，例如 "12.5"'


def public_fields(item: Item) -> dict[str, Any]:
    """An item's public fields, as :mod:`kamcourse.quiz.variants` renders them."""
    out: dict[str, Any] = {"id": item.id, "type": item.type, "stem": item.stem, "points": item.points}
    if item.type != "true_false" and item.options:
        out["options"] = list(item.options)
    if item.prompts:
        out["prompts"] = list(item.prompts)
    if item.type == "numeric":
        out["unit"], out["tolerance"] = item.unit, item.tolerance
    if not item.shuffle:
        out["shuffle"] = False
    return out


#: The answers the rules text uses as examples (fixed, never a key).
RULE_EXAMPLES = ("ABA", "AC")
#: What the essay's mark scheme region holds in the generated notebooks (public). The
#: autograde step fills in the rubric and explanation from the kit (kamcourse.quiz.nbsteps),
#: so the formgrader's grading view and the feedback show them; no notebook in the
#: repository does.
MARK_PLACEHOLDER = "**评分要点（讲师评分用）：** 评分时由讲师资料包填入。"


def mark_scheme(item: Item) -> str:
    """The essay's mark scheme as the autograde step fills it in (from the kit)."""
    rubric = "\n".join(f"- {line.criterion}（{line.points:g} 分）" for line in item.rubric)
    return f"**评分要点（讲师评分用）：**\n\n{rubric}\n\n**参考解析：** {item.explanation}"


def stem_markdown(item: Item, number: int | None = None) -> str:
    """The question as the trainee reads it (options in written order); public data only."""
    number = item.number if number is None else number
    if item.type != "essay":
        return item_markdown(number, public_fields(item))
    head = f"### 第 {number} 题　{KIND_NAMES[item.type]}（{item.points:g} 分）\n\n{item.stem}\n"
    return (f"{head}\n请在下方的文本单元中作答。本题由讲师按评分要点人工评分。\n\n"
            f"{MARK_BEGIN}\n{MARK_PLACEHOLDER}\n{MARK_END}\n")


def rules_markdown(quiz: Quiz) -> str:
    kinds = [k for k in RULES if any(item.type == k for item in quiz.items)]
    pair = "AC"
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
    how.append("评分时只读取答案单元中引号内的文字，不运行任何代码；答案单元中只能有 `answer_qN = \"...\"` 这一行"
               "（可以加注释），写成代码的答案按 0 分计。")
    if quiz.variants:
        how.append("每位学员看到的题目版本不同（选项顺序" + ("、抽到的题目" if quiz.pools else "") +
                   "）：运行每道题的题目单元即可看到你的版本，请按你看到的字母作答。")
    how = [f"{i}. {line}" for i, line in enumerate(how, start=1)]
    rules = [f"- {RULES[k]}" for k in kinds] + [f"- {COMMON_RULE}"]
    slots = [(slot, quiz.item(slot.candidates[0])) for slot in quiz_paper(quiz)]
    total = sum(item.points for _, item in slots)
    auto_total = sum(item.points for _, item in slots if item.auto)
    summary = f"共 {len(slots)} 题，满分 {total:g} 分"
    if auto_total != total:
        summary += f"（其中自动评分 {auto_total:g} 分，人工评分 {total - auto_total:g} 分）"
    return (
        f"# {quiz.title}\n\n{quiz.description}\n\n{summary}。\n\n"
        "## 作答说明\n\n" + "\n".join(how) + "\n\n## 计分规则\n\n" + "\n".join(rules) + "\n"
    )


def quiz_paper(quiz: Quiz) -> tuple[Slot, ...]:
    return paper(quiz.items, dict(quiz.pools))


def position_spec(quiz: Quiz, slot: Slot) -> FormatSpec:
    item = quiz.item(slot.candidates[0])  # a pool's items share their shape
    return FormatSpec(slot.id, item.type, len(item.options), len(item.prompts))


def check_source(quiz: Quiz) -> str:
    codes = ",\n".join(f'    "{position_spec(quiz, slot).code()}"' for slot in quiz_paper(quiz)
                       if quiz.item(slot.candidates[0]).auto)
    if not codes:
        return "# 本测验只有论述题，由讲师按评分要点人工评分，不需要格式检查。"
    return (
        "# 格式检查：运行本单元，逐题检查答案的写法（字母是否来自选项、是否重复）。\n"
        "# 它不检查答案是否正确，也不影响评分。\n"
        "from kamcourse.quiz.answers import check_answers\n\n"
        f"check_answers(globals(), [\n{codes},\n])"
    )


#: The hidden test: nothing in a notebook grades (see the module docstring).
HIDDEN_TEST = ('raise RuntimeError("kamcourse: autograde with the course\'s nbgrader_config.py '
               '(kamcourse.quiz.nbsteps reads the answer cell as data); this cell never grades")')


def test_source(quiz: Quiz, item: Item, number: int | None = None) -> str:
    number = item.number if number is None else number
    return (
        f"# 第 {number} 题评分单元（按{KIND_NAMES[item.type]}计分规则给分）：评分时只读取答案单元引号内的文字，"
        "不运行任何代码。请不要修改。\n"
        f"{HIDDEN_BEGIN}\n{HIDDEN_TEST}\n{HIDDEN_END}"
    )


def show_source(quiz: Quiz, slot: Slot) -> str:
    """The variant quiz's question cell: displays this trainee's version of the position."""
    candidates = [public_fields(quiz.item(item_id)) for item_id in slot.candidates]
    pool = f", pool={slot.pool!r}, draw={dict(quiz.pools)[slot.pool]}, index={slot.index}" if slot.pool else ""
    return (
        f"# 第 {slot.number} 题的题目与选项：运行本单元即可看到你的版本（每位学员的选项顺序不同）。请不要修改。\n"
        "from kamcourse.quiz.variants import show_position\n\n"
        f"show_position({quiz.id!r}, {slot.number}, {candidates!r}, shuffle={quiz.shuffle!r}{pool})"
    )


def item_cells(quiz: Quiz, slot: Slot) -> list[dict[str, Any]]:
    q, i = quiz.id, slot.id
    item = quiz.item(slot.candidates[0])
    if not item.auto:
        return [
            _cell("markdown", f"{i}-task", stem_markdown(item, slot.number), q, i, "task",
                  _nbgrader(f"{i}_task", locked=True, task=True, points=item.points)),
            _cell("markdown", f"{i}-answer", ESSAY_PLACEHOLDER, q, i, "answer"),
        ]
    cells = []
    if quiz.variants:
        head = (f"### 第 {slot.number} 题　{KIND_NAMES[item.type]}（{item.points:g} 分）\n\n"
                "（题目和选项在下一个单元中：请运行它，按你看到的字母作答。）\n")
        cells.append(_cell("markdown", f"{i}-stem", head, q, i, "stem", _nbgrader(f"{i}_stem", locked=True)))
        cells.append(_cell("code", f"{i}-show", show_source(quiz, slot), q, i, "show", _nbgrader(f"{i}_show", locked=True)))
    else:
        cells.append(_cell("markdown", f"{i}-stem", stem_markdown(item, slot.number), q, i, "stem",
                           _nbgrader(f"{i}_stem", locked=True)))
    cells += [
        _cell("code", f"{i}-answer", f'{_answer_comment(item, slot.number)}\nanswer_{i} = ""\n{SOLUTION_BEGIN}\n{SOLUTION_END}',
              q, i, "answer", _nbgrader(f"{i}_answer", solution=True)),
        _cell("code", f"{i}-test", test_source(quiz, item, slot.number), q, i, "test",
              _nbgrader(f"{i}_test", grade=True, locked=True, points=item.points), tags=[TEST_TAG]),
    ]
    return cells


def build_notebook(quiz: Quiz) -> dict[str, Any]:
    """The nbgrader source notebook of one quiz, as nbformat JSON data."""
    cells = [_cell("markdown", "rules", rules_markdown(quiz), quiz.id, "", "rules", _nbgrader("rules", locked=True))]
    for slot in quiz_paper(quiz):
        cells.extend(item_cells(quiz, slot))
    cells.append(_cell("code", "check", check_source(quiz), quiz.id, "", "check", _nbgrader("check", locked=True)))
    return {
        "cells": cells,
        "metadata": {
            "kamcourse": {"generated_by": "kamcourse quiz build", "quiz": quiz.id, "title": quiz.title},
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
    """Which items' fingerprints occur in ``text`` (e.g. a released notebook). The answer
    examples are fixed by each item's shape, never by a key, so they reveal nothing even
    where one equals a key."""
    examples = {f'"{_example(item)}"' for item in quiz.items} | {f'"{e}"' for e in RULE_EXAMPLES}
    return [f"{item.id}: {mark[:30]}" for item in quiz.items for mark in leak_fingerprints(item)
            if mark in text and mark not in examples]


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
