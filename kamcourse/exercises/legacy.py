"""``check(module, task_id, answer)`` and ``reveal(module, task_id)``: the notebook
interface from before the widgets, kept while the exercise files move to format v2.

For a v2 task, ``check`` uses the checking core (:func:`.checking.verdict`), so the
answer forms of :mod:`.checking` apply. For a v1 task it applies the v1 rules below,
unchanged: kinds single | multi | order | match | numeric | text | function, keys under
``answer:``; ``match`` answers are dicts item -> label (``aliases`` maps other spellings),
``text`` answers must mention ``min_keywords`` of ``keywords``.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from typing import Any, Mapping

from .checking import key_lines, verdict
from .loader import ExerciseDataError, load_exercises, resolve
from .model import Task
from .store import record_attempt, record_check, record_reveal

log = logging.getLogger(__name__)


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


def find_task(module: str, task_id: str) -> Task | str:
    """The task, or a Chinese message saying why it cannot be found."""
    try:
        return load_exercises(module).task(task_id)
    except (FileNotFoundError, KeyError):
        return f"找不到练习 {module}/{task_id}：请检查题号。"
    except ExerciseDataError as exc:
        log.debug("exercise data error: %s", exc)
        return f"练习数据有误，请告诉讲师：{exc}"


def load_module(module: str) -> dict[str, dict[str, Any]]:
    """The specs of the tasks counted in ``module``'s progress (the exercise notebook's
    tasks), keyed by id, as mappings with keys and explanations decoded."""
    return {t.id: dict(t.spec or {}) for t in load_exercises(module).exercise_tasks}


def task_key(spec: Mapping[str, Any]) -> Any:
    """The key of a task spec: ``key_from`` computed, else ``key`` (v2) or ``answer`` (v1)."""
    from .seal import unseal_value

    if "key_from" in spec:
        return resolve(spec["key_from"])()
    return unseal_value(spec.get("key", spec.get("answer")))


# ---------------------------------------------------------------- the v1 rules

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


def v1_verdict(spec: Mapping[str, Any], answer: Any) -> tuple[bool, str]:
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
        passed, message = resolve(spec["checker"])(answer)
        return bool(passed), message

    raise ValueError(f"unknown task kind {kind!r} in {spec.get('id')}")


# ---------------------------------------------------------------- the notebook interface


def check(module: str, task_id: str, answer: Any) -> Feedback:
    """Check one answer, record the attempt, and return a Chinese verdict.

    Never raises on a trainee's answer: a malformed answer gets a message about format.
    """
    task = find_task(module, task_id)
    if isinstance(task, str):
        return Feedback(module, task_id, False, task)
    if task.format == 2:
        result = verdict(task, answer)
        if result.judged:
            record_check(module, task_id, result.passed, hint_shown=bool(result.hint))
        return Feedback(module, task_id, result.passed, result.text)
    try:
        passed, message = v1_verdict(task.spec or {}, answer)
    except Exception:  # a trainee's odd answer must never show a traceback
        passed, message = False, "答案格式无法识别：请按题目说明的格式填写。"
    record_attempt(module, task_id, passed)
    return Feedback(module, task_id, passed, message)


def reveal_text(task: Task) -> str:
    """参考答案 and the explanation of a task, as one Chinese paragraph."""
    if task.format == 2:
        lines = key_lines(task)
        shown = f"参考答案：{'；'.join(lines)}。" if lines else ""
        return shown + task.explanation
    spec = task.spec or {}
    key = task_key(spec)
    shown = key if not isinstance(key, dict) else "；".join(f"{k} → {v}" for k, v in key.items())
    if spec["kind"] == "text":
        shown = "要点：" + "、".join(spec.get("keywords", []))
    return f"参考答案：{shown}。{spec.get('explanation', '')}"


def reveal(module: str, task_id: str) -> Feedback:
    """Show the key and its explanation (the deliberate "show the answer" path)."""
    task = find_task(module, task_id)
    if isinstance(task, str):
        return Feedback(module, task_id, False, task)
    text = reveal_text(task)
    record_reveal(module, task_id)
    return Feedback(module, task_id, False, text)
