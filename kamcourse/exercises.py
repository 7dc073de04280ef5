"""Self-checks for the exercise notebooks, and the trainee's local progress store.

Task keys live in ``kamcourse/data/exercises/<module>.yaml`` (package data), never in
an exercise notebook. A notebook cell calls ``check("m1", "t1", answer)`` and gets an
instant Chinese verdict; ``reveal(...)`` is the deliberate "show the answer" path.

A task spec (YAML mapping in the module file's ``tasks`` list)::

    id: t1                      # unique within the module
    title: 帕累托分析            # shown in the progress table
    kind: single | multi | order | match | numeric | text | function
    answer: ...                 # the key; or
    key_from: kamcourse.dso:seed_example_days   # callable returning the key
    options: [A, B, C, D]       # letters allowed (single/multi/order)
    tolerance: 0.1              # numeric: absolute tolerance
    keywords: [...]             # text: the answer must mention min_keywords of these
    min_keywords: 2
    checker: kamcourse.ffab:check_statement_task  # function: f(answer) -> (bool, str)
    hint: 提示：回顾“……”一节    # shown on a wrong answer; points at the concept
    explanation: ...            # shown by reveal()

Kinds and how answers are read (case, spaces and separators are forgiven):

- ``single``: one letter. ``multi``: a set of letters, order ignored ("a, c" == "CA").
- ``order``: letters in order ("B A D C" == "BADC").
- ``match``: a mapping item -> label; every item must carry the right label
  (``aliases`` maps other spellings to a label; an item left blank counts as missing).
- ``numeric``: a number within ``tolerance`` (default 0.01).
- ``text``: free text that mentions at least ``min_keywords`` of ``keywords``.
- ``function``: ``checker(answer)`` returns ``(passed, message)``.
"""

from __future__ import annotations

import html
import importlib
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from kamcourse.paths import DATA_DIR

EXERCISE_DIR = DATA_DIR / "exercises"
HOME_ENV = "KAMCOURSE_HOME"

MODULE_TITLES = {
    "m1": "模块一 心态与思维方式",
    "m2": "模块二 客户需求",
    "m3": "模块三 FFAB 呈现",
    "m4": "模块四 SPIN 提问",
    "m5": "模块五 关系阶段",
    "m6": "模块六 CRM 实施",
}


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer, in Chinese."""

    module: str
    task_id: str
    passed: bool
    message: str

    def _repr_html_(self) -> str:
        colour, mark = ("#1b7f3b", "✔") if self.passed else ("#b3261e", "✘")
        return (
            f'<div style="border-left:4px solid {colour};padding:4px 10px;margin:4px 0">'
            f'<b style="color:{colour}">{mark}</b> {html.escape(self.message)}</div>'
        )

    def __repr__(self) -> str:
        return ("✔ " if self.passed else "✘ ") + self.message


# ---------------------------------------------------------------- task specs


@lru_cache(maxsize=None)
def load_module(module: str) -> dict[str, dict[str, Any]]:
    """Task specs of one module, keyed by task id."""
    path = EXERCISE_DIR / f"{module}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {task["id"]: task for task in data["tasks"]}


def modules() -> list[str]:
    return sorted(p.stem for p in EXERCISE_DIR.glob("m*.yaml"))


def _resolve(dotted: str):
    module_name, _, attr = dotted.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def task_key(spec: dict[str, Any]) -> Any:
    if "key_from" in spec:
        return _resolve(spec["key_from"])()
    return spec.get("answer")


# ---------------------------------------------------------------- normalising answers

_SEPARATORS = re.compile(r"[\s,，、;；/|.。\-_>→]+")


def letters(answer: Any) -> list[str]:
    """Letters of a choice answer, upper-cased, in the order given.

    >>> letters("a, c")
    ['A', 'C']
    >>> letters(["b", "A"])
    ['B', 'A']
    >>> letters("B-A-D-C")
    ['B', 'A', 'D', 'C']
    """
    if isinstance(answer, (list, tuple, set)):
        text = " ".join(str(a) for a in answer)
    else:
        text = str(answer)
    return list(_SEPARATORS.sub("", text).upper())


def _clean_label(value: Any) -> str:
    return _SEPARATORS.sub("", str(value)).upper()


def _as_number(answer: Any) -> float | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, (int, float)):
        return float(answer)
    text = str(answer).strip().replace(",", "").replace("，", "")
    text = re.sub(r"(天|万元|万|元|%)$", "", text).strip()
    try:
        return float(text)
    except ValueError:
        return None


# ---------------------------------------------------------------- checking


def _verdict(spec: dict[str, Any], answer: Any) -> tuple[bool, str]:
    kind = spec["kind"]
    key = task_key(spec)
    hint = spec.get("hint", "再想想。")
    if answer is None or (isinstance(answer, str) and not answer.strip()) or answer == {} or answer == []:
        return False, "还没有作答：请先填写答案再检查。"
    if isinstance(answer, dict) and all(v is None or not str(v).strip() for v in answer.values()):
        return False, "还没有作答：请先填写答案再检查。"  # a template dict with blank values

    if kind in {"single", "multi", "order"}:
        given = letters(answer)
        allowed = [str(o).upper() for o in spec.get("options", [])]
        strange = [g for g in given if allowed and g not in allowed]
        if strange:
            return False, f"答案格式：只能填写选项字母 {'、'.join(allowed)}，出现了“{'、'.join(strange)}”。"
        if len(set(given)) != len(given):
            return False, "答案格式：同一个字母不要重复填写。"
        want = letters(key)
        if kind == "single":
            if len(given) != 1:
                return False, "答案格式：本题是单选，只填一个字母。"
            ok = given == want
        elif kind == "multi":
            ok = set(given) == set(want)
        else:
            if len(given) != len(want):
                return False, f"答案格式：请把全部 {len(want)} 项按顺序排好。"
            ok = given == want
        return ok, "正确！" if ok else f"不对。{hint}"

    if kind == "match":
        if not isinstance(answer, dict):
            return False, "答案格式：请用字典填写，例如 {\"项目\": \"类别\"}。"
        want = {str(k): _clean_label(v) for k, v in key.items()}
        # optional ``aliases: {其他写法: 标准类别}`` in the spec, e.g. {背景问题: S}
        aliases = {_clean_label(k): _clean_label(v) for k, v in (spec.get("aliases") or {}).items()}
        given = {str(k).strip(): aliases.get(_clean_label(v), _clean_label(v)) for k, v in answer.items()}
        missing = [k for k in want if not given.get(k)]
        if missing:
            return False, f"还有 {len(missing)} 项没有归类，例如“{missing[0]}”。"
        wrong = [k for k in want if given[k] != want[k]]
        if not wrong:
            return True, "正确！全部归类无误。"
        return False, f"有 {len(wrong)} 项归类不对，例如“{wrong[0]}”。{hint}"

    if kind == "numeric":
        value = _as_number(answer)
        if value is None:
            return False, f"答案格式：请填写一个数字，收到的是“{answer}”。"
        tolerance = float(spec.get("tolerance", 0.01))
        ok = abs(value - float(key)) <= tolerance
        return ok, "正确！" if ok else f"不对。{hint}"

    if kind == "text":
        text = str(answer)
        keywords = spec.get("keywords", [])
        need = int(spec.get("min_keywords", 1))
        found = [k for k in keywords if k in text]
        ok = len(found) >= need
        return ok, "很好，要点都提到了！" if ok else f"还不够完整（提到了 {len(found)} 个要点，至少需要 {need} 个）。{hint}"

    if kind == "function":
        passed, message = _resolve(spec["checker"])(answer)
        return bool(passed), message

    raise ValueError(f"unknown task kind {kind!r} in {spec.get('id')}")


def check(module: str, task_id: str, answer: Any) -> Feedback:
    """Check one answer, record the attempt, and return a Chinese verdict.

    Never raises on a trainee's answer: a malformed answer gets a message about format.
    """
    try:
        spec = load_module(module)[task_id]
    except (FileNotFoundError, KeyError):
        return Feedback(module, task_id, False, f"找不到练习 {module}/{task_id}：请检查题号。")
    try:
        passed, message = _verdict(spec, answer)
    except Exception:  # a trainee's odd answer must never show a traceback
        passed, message = False, "答案格式无法识别：请按题目说明的格式填写。"
    record_attempt(module, task_id, passed)
    return Feedback(module, task_id, passed, message)


def reveal(module: str, task_id: str) -> Feedback:
    """Show the key and its explanation (the deliberate "show the answer" path)."""
    try:
        spec = load_module(module)[task_id]
    except (FileNotFoundError, KeyError):
        return Feedback(module, task_id, False, f"找不到练习 {module}/{task_id}：请检查题号。")
    key = task_key(spec)
    shown = key if not isinstance(key, dict) else "；".join(f"{k} → {v}" for k, v in key.items())
    if spec["kind"] == "text":
        shown = "要点：" + "、".join(spec.get("keywords", []))
    explanation = spec.get("explanation", "")
    record_attempt(module, task_id, None)
    return Feedback(module, task_id, False, f"参考答案：{shown}。{explanation}")


# ---------------------------------------------------------------- progress store


def progress_file() -> Path:
    home = Path(os.environ.get(HOME_ENV, Path.home() / ".kamcourse"))
    return home / "progress.json"


def load_progress() -> dict[str, dict[str, dict[str, Any]]]:
    path = progress_file()
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError):  # ValueError: bad JSON or bad UTF-8
        return {}
    if not isinstance(data, dict):
        return {}
    # keep only well-formed entries, so that a hand-edited or damaged file cannot break a check
    return {
        str(m): {str(t): e for t, e in tasks.items() if isinstance(e, dict)}
        for m, tasks in data.items() if isinstance(tasks, dict)
    }


def record_attempt(module: str, task_id: str, passed: bool | None) -> None:
    """Record an attempt; ``passed=None`` records that the answer was revealed.

    A task once passed stays passed.
    """
    progress = load_progress()
    entry = progress.setdefault(module, {}).setdefault(task_id, {})
    attempts = entry.get("attempts")
    entry["attempts"] = attempts if isinstance(attempts, int) and not isinstance(attempts, bool) else 0
    entry["passed"] = entry.get("passed") is True
    entry["revealed"] = entry.get("revealed") is True
    if passed is None:
        entry["revealed"] = True
    else:
        entry["attempts"] += 1
        entry["passed"] = entry["passed"] or bool(passed)
    entry["at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    path = progress_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(progress, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only home must not break the exercise


@dataclass(frozen=True)
class ModuleProgress:
    module: str
    title: str
    passed: int
    total: int
    passed_tasks: tuple[str, ...]


def progress_summary() -> list[ModuleProgress]:
    """Passed tasks per module, for the start page."""
    progress = load_progress()
    rows = []
    for module in modules():
        specs = load_module(module)
        done = tuple(t for t in specs if progress.get(module, {}).get(t, {}).get("passed"))
        rows.append(ModuleProgress(module, MODULE_TITLES.get(module, module), len(done), len(specs), done))
    return rows
