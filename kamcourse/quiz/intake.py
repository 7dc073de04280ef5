"""Submissions before nbgrader sees them: find them, name them, check they are notebooks.

A submissions folder is nbgrader's ``submitted/`` layout (``<student>/<quiz>/<quiz>.ipynb``),
a flat LMS export (``<student>.ipynb``), or both mixed. The rules (each case is reported,
nothing is dropped silently):

- ``X.ipynb`` is X's notebook, whatever the case of its extension (``X.IPYNB``);
- ``X (1).ipynb``, ``X(2).ipynb`` are copies of X's (an LMS re-download), not new trainees;
- a folder ``X/`` and a file ``X.ipynb`` are two submissions of X;
- when a trainee has more than one submission, the newest file is graded and the others
  are listed in the report;
- names are normalised into nbgrader student ids (:func:`kamcourse.quiz.variants.normalise_id`:
  brackets, spaces and Chinese characters cannot be used in nbgrader's paths, which are
  globs); every report keeps the original name;
- every other entry (a non-notebook file, a hidden file, an empty name) is listed as skipped.

Whether a notebook's locked cells were changed is judged later, from the gradebook
(:class:`kamcourse.quiz.nbsteps.KamcourseIntegrity`), the same way for every engine.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kamcourse.quiz.variants import normalise_id

_COPY = re.compile(r"^(.*?)\s*[(（]\s*\d+\s*[)）]$")


@dataclass(frozen=True)
class Found:
    """A trainee's submission: ``student`` is the nbgrader id, ``original`` the name found."""

    student: str
    original: str
    path: Path | None      # the notebook file, or None when there is none
    problem: str = ""      # why there is no notebook


@dataclass(frozen=True)
class Skipped:
    name: str
    reason: str


@dataclass(frozen=True)
class Scan:
    found: tuple[Found, ...]
    skipped: tuple[Skipped, ...]
    duplicates: tuple[str, ...]    # Chinese lines: which of a trainee's submissions was graded

    def originals(self) -> dict[str, str]:
        return {f.student: f.original for f in self.found}


@dataclass(frozen=True)
class Intake:
    """The verdict on one submission before autograding."""

    student: str
    status: str                  # ok | invalid
    reason: str = ""             # why invalid (Chinese)
    digest: str = ""             # sha256 of the submitted bytes


def base_name(name: str) -> str:
    """The trainee's name in an LMS file name, without a copy marker.

    >>> base_name("Tom (1)"), base_name("张三（2）"), base_name("Tom [2]")
    ('Tom', '张三', 'Tom [2]')
    """
    match = _COPY.match(name.strip())
    return match.group(1) if match and match.group(1) else name.strip()


def _find_in_folder(folder: Path, quiz: str) -> tuple[Path | None, str]:
    for candidate in (folder / quiz / f"{quiz}.ipynb", folder / f"{quiz}.ipynb"):
        if candidate.is_file():
            return candidate, ""
    others = sorted(p.name for p in folder.rglob("*") if p.is_file() and p.name != "timestamp.txt")
    listing = "、".join(others[:3]) if others else "空文件夹"
    return None, f"没有找到笔记本 {quiz}/{quiz}.ipynb（提交内容：{listing}）"


def _mtime(path: Path | None) -> float:
    try:
        return path.stat().st_mtime if path else -1.0
    except OSError:
        return -1.0


def find_submissions(directory: Path, quiz: str) -> Scan:
    """Every trainee's submission in ``directory`` by the rules in the module docstring."""
    groups: dict[str, list[Found]] = {}
    skipped: list[Skipped] = []
    for entry in sorted(directory.iterdir()):
        name = entry.name
        if name.startswith(".") or name in ("__pycache__",):
            skipped.append(Skipped(name, "隐藏文件或文件夹"))
            continue
        if entry.is_file() and entry.suffix.lower() == ".ipynb":
            original = entry.stem
            found = Found(normalise_id(base_name(original)), name, entry)
        elif entry.is_dir():
            path, problem = _find_in_folder(entry, quiz)
            found = Found(normalise_id(base_name(name)), f"{name}/", path, problem)
        else:
            skipped.append(Skipped(name, "不是笔记本（.ipynb）"))
            continue
        groups.setdefault(found.student, []).append(found)
    chosen: list[Found] = []
    duplicates: list[str] = []
    for student, entries in sorted(groups.items()):
        best = max(entries, key=lambda f: (f.path is not None, _mtime(f.path), f.original))
        chosen.append(best)
        if len(entries) > 1:
            names = "、".join(f.original for f in entries)
            duplicates.append(f"学员 {student} 有 {len(entries)} 份提交（{names}）：评分采用最新的 {best.original}")
    return Scan(tuple(chosen), tuple(skipped), tuple(duplicates))


def read_submission(found: Found) -> tuple[bytes | None, str]:
    """The submitted bytes, or None and the Chinese reason."""
    if found.path is None:
        return None, found.problem
    try:
        return found.path.read_bytes(), ""
    except OSError as exc:
        return None, f"无法读取提交文件（{exc.strerror}）"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_submission(student: str, data: bytes) -> Intake:
    """Is it a notebook nbgrader can read?

    >>> check_submission("amy", b"{oops").reason
    '文件不是有效的 JSON（可能已损坏或被截断）'
    >>> check_submission("amy", b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}').status
    'ok'
    """
    sha = digest(data)
    try:
        nb: Any = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return Intake(student, "invalid", "文件不是有效的 JSON（可能已损坏或被截断）", sha)
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list) or nb.get("nbformat") != 4:
        return Intake(student, "invalid", "文件不是 Jupyter 笔记本（缺少 cells 或不是 nbformat 4）", sha)
    if not all(isinstance(c, dict) and c.get("cell_type") in ("code", "markdown", "raw")
               and isinstance(c.get("metadata", {}), dict) for c in nb["cells"]):
        return Intake(student, "invalid", "笔记本中有结构损坏的单元", sha)
    return Intake(student, "ok", "", sha)
