"""Submissions before nbgrader sees them: find them, check them, repair deleted cells.

Each submission is checked against the released notebook:

- no notebook, not JSON, not a notebook -> the whole submission is invalid (0, with a reason);
- a locked cell (question, test, task, rules, check) whose source or nbgrader role was
  changed -> the item it belongs to is flagged (0 with a reason; nbgrader also restores it);
- a deleted cell -> put back from the release (so nbgrader can grade the rest; nbgrader's
  own ``add_missing_cells`` fails when two neighbouring cells are gone) and the item flagged.

All functions here are pure except :func:`find_submissions` and :func:`read_submission`,
which only read files.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from kamcourse.quiz.answers import MISSING

LOCKED_ROLES = ("rules", "stem", "test", "task", "check")
ROLE_NAMES = {
    "rules": "说明单元",
    "stem": "题目单元",
    "answer": "答案单元",
    "test": "评分单元",
    "task": "题目与评分单元",
    "check": "格式检查单元",
}
NB_FLAGS = ("grade", "solution", "locked", "task", "points")


@dataclass(frozen=True)
class Found:
    """A student's entry in the submissions folder."""

    student: str
    path: Path | None      # the notebook file, or None when there is none
    problem: str = ""      # why there is no notebook


@dataclass(frozen=True)
class Intake:
    """The verdict on one submission before autograding."""

    student: str
    status: str                                  # ok | invalid
    reason: str = ""                             # why invalid (Chinese)
    digest: str = ""                             # sha256 of the submitted bytes
    notebook: dict[str, Any] | None = None       # what to hand to nbgrader (repaired)
    repaired: bool = False
    item_flags: tuple[tuple[str, str], ...] = ()  # (item id, Chinese reason): item scores 0
    notes: tuple[str, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------- finding submissions


def find_submissions(directory: Path, quiz: str) -> list[Found]:
    """Students in nbgrader's ``submitted/`` layout (``<student>/<quiz>/<quiz>.ipynb``) or a
    flat LMS export (``<student>.ipynb``); both may be mixed. Hidden entries are skipped."""
    found: dict[str, Found] = {}
    for entry in sorted(directory.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_file() and entry.suffix == ".ipynb":
            found.setdefault(entry.stem, Found(entry.stem, entry))
        elif entry.is_dir():
            found[entry.name] = _find_in_folder(entry, quiz)
    return [found[name] for name in sorted(found)]


def _find_in_folder(folder: Path, quiz: str) -> Found:
    for candidate in (folder / quiz / f"{quiz}.ipynb", folder / f"{quiz}.ipynb"):
        if candidate.is_file():
            return Found(folder.name, candidate)
    others = sorted(p.name for p in folder.rglob("*") if p.is_file() and p.name != "timestamp.txt")
    listing = "、".join(others[:3]) if others else "空文件夹"
    return Found(folder.name, None, f"没有找到笔记本 {quiz}/{quiz}.ipynb（提交内容：{listing}）")


def read_submission(found: Found) -> tuple[bytes | None, str]:
    """The submitted bytes, or None and the Chinese reason."""
    if found.path is None:
        return None, found.problem
    try:
        return found.path.read_bytes(), ""
    except OSError as exc:
        return None, f"无法读取提交文件（{exc.strerror}）"


# ---------------------------------------------------------------- checking


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def cell_key(cell: dict[str, Any]) -> str | None:
    """Identity of a generated cell: its nbgrader grade id, else kamcourse's item/role."""
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    if not isinstance(meta, dict):
        return None
    nbg = meta.get("nbgrader")
    if isinstance(nbg, dict) and nbg.get("grade_id"):
        return str(nbg["grade_id"])
    kc = meta.get("kamcourse")
    if isinstance(kc, dict) and kc.get("role"):
        return f"{kc.get('item') or ''}_{kc['role']}".lstrip("_")
    return None


def _role(cell: dict[str, Any]) -> tuple[str, str]:
    kc = cell.get("metadata", {}).get("kamcourse", {})
    return str(kc.get("item") or ""), str(kc.get("role") or "")


def _flags(cell: dict[str, Any]) -> tuple[Any, ...]:
    nbg = cell.get("metadata", {}).get("nbgrader", {})
    if not isinstance(nbg, dict):
        return ()
    return tuple(nbg.get(flag) for flag in NB_FLAGS)


def _changed(release_cell: dict[str, Any], cell: dict[str, Any]) -> bool:
    return (
        cell.get("cell_type") != release_cell["cell_type"]
        or _source(cell).rstrip() != _source(release_cell).rstrip()
        or _flags(cell) != _flags(release_cell)
    )


def _label(item: str) -> str:
    return f"第 {item.lstrip('q')} 题"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_submission(student: str, data: bytes, release: dict[str, Any]) -> Intake:
    """Check one submission against the released notebook and repair deleted cells.

    >>> release = {"cells": [
    ...   {"cell_type": "markdown", "source": "Q1", "metadata": {"nbgrader": {"grade_id": "q1_stem", "locked": True},
    ...    "kamcourse": {"item": "q1", "role": "stem"}}},
    ...   {"cell_type": "code", "source": 'answer_q1 = ""', "outputs": [], "execution_count": None,
    ...    "metadata": {"nbgrader": {"grade_id": "q1_answer", "solution": True}, "kamcourse": {"item": "q1", "role": "answer"}}}],
    ...   "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    >>> check_submission("amy", b"{oops", release).reason
    '文件不是有效的 JSON（可能已损坏或被截断）'
    >>> sub = copy.deepcopy(release); sub["cells"][0]["source"] = "Q1 (edited)"
    >>> check_submission("amy", json.dumps(sub).encode(), release).item_flags
    (('q1', '第 1 题：修改了锁定的题目单元'),)
    >>> sub = copy.deepcopy(release); del sub["cells"][1]
    >>> fixed = check_submission("amy", json.dumps(sub).encode(), release)
    >>> fixed.item_flags, fixed.repaired, len(fixed.notebook["cells"])
    ((('q1', '第 1 题：删除了答案单元'),), True, 2)
    """
    sha = digest(data)
    try:
        nb = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return Intake(student, "invalid", "文件不是有效的 JSON（可能已损坏或被截断）", sha)
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list) or nb.get("nbformat") != 4:
        return Intake(student, "invalid", "文件不是 Jupyter 笔记本（缺少 cells 或不是 nbformat 4）", sha)
    if not all(isinstance(c, dict) and c.get("cell_type") in ("code", "markdown", "raw") for c in nb["cells"]):
        return Intake(student, "invalid", "笔记本中有结构损坏的单元", sha)

    present: dict[str, dict[str, Any]] = {}
    for cell in nb["cells"]:
        key = cell_key(cell)
        if key and key not in present:
            present[key] = cell

    flags: dict[str, list[str]] = {}
    notes: list[str] = []
    missing: list[str] = []
    for release_cell in release["cells"]:
        key = cell_key(release_cell)
        if key is None:
            continue
        item, role = _role(release_cell)
        problem = ""
        if key not in present:
            missing.append(key)
            problem = f"删除了{ROLE_NAMES.get(role, '单元')}"
        elif role in LOCKED_ROLES and _changed(release_cell, present[key]):
            problem = f"修改了锁定的{ROLE_NAMES.get(role, '单元')}"
        if not problem:
            continue
        if item:
            flags.setdefault(item, []).append(problem)
        else:
            notes.append(f"{problem}（已由 nbgrader 恢复，不扣分）")

    repaired = restore_missing(nb, release, missing) if missing else nb
    item_flags = tuple((item, f"{_label(item)}：" + "；".join(problems)) for item, problems in flags.items())
    return Intake(student, "ok", "", sha, repaired, bool(missing), item_flags, tuple(notes))


def restore_missing(nb: dict[str, Any], release: dict[str, Any], missing: Iterable[str]) -> dict[str, Any]:
    """A copy of ``nb`` with the release's cells ``missing`` put back after their release
    predecessor (or at the top)."""
    nb = copy.deepcopy(nb)
    wanted = set(missing)
    previous_key: str | None = None
    for release_cell in release["cells"]:
        key = cell_key(release_cell)
        if key in wanted:
            index = 0
            if previous_key is not None:
                for i, cell in enumerate(nb["cells"]):
                    if cell_key(cell) == previous_key:
                        index = i + 1
                        break
            nb["cells"].insert(index, copy.deepcopy(release_cell))
        if key is not None:
            previous_key = key
    return nb


# ---------------------------------------------------------------- answers, read without a kernel


def answer_sources(nb: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Item id -> (cell type, source) of each answer cell."""
    out: dict[str, tuple[str, str]] = {}
    for cell in nb.get("cells", []):
        item, role = _role(cell) if isinstance(cell.get("metadata"), dict) else ("", "")
        if role == "answer" and item and item not in out:
            out[item] = (cell.get("cell_type", ""), _source(cell))
    return out


def literal_answer(source: str, item: str) -> Any:
    """The value assigned to ``answer_<item>`` in an answer cell, if it is a literal.

    This reads answers without running them (for the option statistics); the grade
    itself always comes from the kernel.

    >>> literal_answer('# comment\\nanswer_q1 = "a, c"\\n', "q1")
    'a, c'
    >>> literal_answer('answer_q1 = 1/0', "q1") is MISSING
    True
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return MISSING
    value: Any = MISSING
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == f"answer_{item}" for t in node.targets
        ):
            try:
                value = ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError, RecursionError):
                value = MISSING
    return value


def run_problems(autograded: dict[str, Any]) -> list[tuple[str, str]]:
    """(item, reason) for answer cells that raised or timed out in the grading kernel."""
    found: list[tuple[str, str]] = []
    for cell in autograded.get("cells", []):
        item, role = _role(cell) if isinstance(cell.get("metadata"), dict) else ("", "")
        if role != "answer" or cell.get("cell_type") != "code":
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if not errors:
            continue
        names = {str(o.get("ename", "")) for o in errors}
        if names & {"KeyboardInterrupt", "CellTimeoutError"}:
            found.append((item, f"{_label(item)}：答案单元运行超时（可能有死循环），已被中断"))
        else:
            found.append((item, f"{_label(item)}：答案单元运行出错（{'、'.join(sorted(names))}）"))
    return found
