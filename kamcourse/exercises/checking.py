"""The checking core: one pure function per task kind, ``verdict(task, answer)``.

Answers arrive as the widgets give them (and, for the old ``check()`` path and tests,
as a trainee might type them):

- single: a letter (``"B"``); multiple: letters (``"ABD"``, ``["A", "D"]``);
  ordering: one letter per position (``["B", "A", None, "C"]``) or ``"BADC"``;
- matching: one label per prompt, in prompt order (``["背景问题", None, ...]``), or a
  mapping from the prompt's number (1, 2, ...) or text to its label;
- numeric: a number or its text (``"75.5"``, ``"75.5 天"``); true_false: a bool or
  对/错; written: :class:`WrittenAnswer` (or only its text); function: ``{field: text}``.

Letters and numbers typed as text are read by the quiz's lenient reader
(:func:`kamcourse.quiz.answers.read_answer`), so quizzes and exercises read answers the
same way. A verdict never raises on a trainee's answer: anything unreadable gets a
Chinese message that says what is wrong, and the answer is not counted as an attempt.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from kamcourse.quiz.answers import FormatSpec, Reading, clean_letters, read_answer

from .loader import resolve
from .model import Task

log = logging.getLogger(__name__)

#: correct / wrong: a judged answer (counted as an attempt); invalid / blank: nothing to
#: judge yet; self_check: a written answer is long enough and waits for the rubric ticks;
#: unavailable: the task cannot be checked here (old format, broken checker).
STATUSES = ("correct", "wrong", "invalid", "blank", "self_check", "unavailable")


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one answer, in Chinese; ``hint`` is set on a wrong answer."""

    status: str
    message: str
    hint: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "correct"

    @property
    def judged(self) -> bool:
        """Whether the answer was judged right or wrong (an attempt for the progress store)."""
        return self.status in ("correct", "wrong")

    @property
    def text(self) -> str:
        """Message and hint as one line."""
        return f"{self.message}{self.hint}" if self.hint else self.message


@dataclass(frozen=True)
class WrittenAnswer:
    """A written answer; ``ticks`` are the rubric boxes, None until the rubric is shown."""

    text: str
    ticks: tuple[bool, ...] | None = None


BLANK_MESSAGES = {
    "single": "还没有选择：先选一项，再按“检查”。",
    "multiple": "还没有选择：勾选你认为对的各项，再按“检查”。",
    "ordering": "还没有排序：为每个位置选一项，再按“检查”。",
    "matching": "还没有归类：为每一项选一个类别，再按“检查”。",
    "numeric": "还没有填写：在框里填一个数字，再按“检查”。",
    "true_false": "还没有选择：选“对”或“错”，再按“检查”。",
    "written": "还没有作答：先在框里写下你的答案，再按“检查”。",
    "function": "还没有填写：先填写各项，再按“检查”。",
}
RIGHT = "正确！"
UNREADABLE = "答案无法识别：请按题目的说明作答。"
CHECKER_BROKEN = "这道题暂时无法自动检查（检查程序出错）：请把你的答案告诉讲师。"


def _blank(task: Task) -> Verdict:
    return Verdict("blank", BLANK_MESSAGES[task.kind])


def _wrong(task: Task, message: str) -> Verdict:
    return Verdict("wrong", message, task.hint)


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        return all(_is_blank(v) for v in (value.values() if isinstance(value, dict) else value))
    return False


def _read(task: Task, kind: str, answer: Any) -> Reading:
    return read_answer(FormatSpec(task.id, kind, len(task.options)), answer)


def _numbers(positions: list[int]) -> str:
    return "、".join(str(p) for p in positions)


# ---------------------------------------------------------------- choices


def check_single(task: Task, answer: Any) -> Verdict:
    """One option letter.

    >>> task = Task("t1", "single", options=("鹰", "驴", "羊"), key="C", hint="提示：看分数线。")
    >>> check_single(task, "c").text, check_single(task, "A").text
    ('正确！', '不对。提示：看分数线。')
    >>> check_single(task, "AB").message
    '单选题只能填一个字母。'
    """
    if _is_blank(answer):
        return _blank(task)
    reading = _read(task, "single", answer)
    if reading.status == "blank":
        return _blank(task)
    if not reading.ok:
        return Verdict("invalid", reading.problem or UNREADABLE)
    return Verdict("correct", RIGHT) if reading.text == task.key else _wrong(task, "不对。")


def check_multiple(task: Task, answer: Any) -> Verdict:
    """A set of option letters; order does not matter.

    >>> task = Task("t1", "multiple", options=("甲", "乙", "丙", "丁"), key="ABD", hint="提示。")
    >>> check_multiple(task, ["D", "A", "B"]).passed
    True
    >>> check_multiple(task, "A, C").text
    '还不对：选中的里有 1 项不该选，还漏了 2 项。提示。'
    """
    if _is_blank(answer):
        return _blank(task)
    if isinstance(answer, (set, frozenset)):
        answer = sorted(str(a) for a in answer)
    reading = _read(task, "multiple", answer)
    if reading.status == "blank":
        return _blank(task)
    if not reading.ok:
        return Verdict("invalid", reading.problem or UNREADABLE)
    given, key = set(reading.text), set(task.key)
    if given == key:
        return Verdict("correct", RIGHT)
    parts = []
    if given - key:
        parts.append(f"选中的里有 {len(given - key)} 项不该选")
    if key - given:
        parts.append(f"还漏了 {len(key - given)} 项")
    return _wrong(task, "还不对：" + "，".join(parts) + "。")


def check_ordering(task: Task, answer: Any) -> Verdict:
    """One letter per position (a list, None for an empty position) or a letter string.

    >>> task = Task("t1", "ordering", options=("甲", "乙", "丙", "丁"), key="BADC", hint="提示。")
    >>> check_ordering(task, ["B", "A", "D", "C"]).passed, check_ordering(task, "b-a-d-c").passed
    (True, True)
    >>> check_ordering(task, ["B", None, "D", None]).message
    '第 2、4 位还没有选：每个位置都要选一项。'
    >>> check_ordering(task, ["B", "B", "D", "C"]).message
    '字母“B”重复了，每个字母只能写一次。'
    >>> check_ordering(task, "ABDC").text
    '顺序不对：有 2 个位置放错了。提示。'
    """
    if _is_blank(answer):
        return _blank(task)
    count = len(task.options)
    if isinstance(answer, (list, tuple)):
        slots = ["" if _is_blank(a) else clean_letters(str(a)) for a in answer][:count]
        slots += [""] * (count - len(slots))
        missing = [i for i, slot in enumerate(slots, start=1) if not slot]
        if missing:
            return Verdict("invalid", f"第 {_numbers(missing)} 位还没有选：每个位置都要选一项。")
        answer = "".join(slots)
    reading = _read(task, "ordering", answer)
    if reading.status == "blank":
        return _blank(task)
    if not reading.ok:
        return Verdict("invalid", reading.problem or UNREADABLE)
    if reading.note or len(reading.text) != count:
        return Verdict("invalid", f"请把全部 {count} 项排好：每个字母用一次。")
    misplaced = sum(a != b for a, b in zip(reading.text, task.key))
    return Verdict("correct", RIGHT) if not misplaced else _wrong(task, f"顺序不对：有 {misplaced} 个位置放错了。")


# ---------------------------------------------------------------- matching


def _norm(label: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", label)).casefold()


def _labels_in_order(task: Task, answer: Any) -> list[str]:
    if isinstance(answer, Mapping):
        by_prompt = {_norm(p): i for i, p in enumerate(task.prompts)}
        given = [""] * len(task.prompts)
        for where, label in answer.items():
            text = unicodedata.normalize("NFKC", str(where)).strip()
            index = int(text) - 1 if text.isdigit() else by_prompt.get(_norm(text), -1)
            if not 0 <= index < len(given):
                raise LookupError(f"“{where}”不是本题的一项。")
            given[index] = "" if _is_blank(label) else str(label)
        return given
    if isinstance(answer, (list, tuple)):
        given = ["" if _is_blank(a) else str(a) for a in answer]
        if len(given) > len(task.prompts):
            raise LookupError(f"给了 {len(given)} 个类别，但本题只有 {len(task.prompts)} 项。")
        return given + [""] * (len(task.prompts) - len(given))
    raise LookupError("请为每一项选一个类别。")


def check_matching(task: Task, answer: Any) -> Verdict:
    """One label per prompt, in prompt order.

    >>> task = Task("t1", "matching", prompts=("贵厂有几条产线？", "检测慢会耽误交货吗？"),
    ...             labels=("背景问题", "暗示问题"), key=("背景问题", "暗示问题"), hint="提示。")
    >>> check_matching(task, ["背景问题", "暗示问题"]).text
    '正确！2 项全部归类无误。'
    >>> check_matching(task, ["暗示问题", "暗示问题"]).text
    '有 1 项归类不对，例如第 1 项。提示。'
    >>> check_matching(task, ["背景问题", None]).message
    '第 2 项还没有选类别。'
    """
    if _is_blank(answer):
        return _blank(task)
    try:
        given = _labels_in_order(task, answer)
    except LookupError as exc:
        return Verdict("invalid", str(exc.args[0]))
    missing = [i for i, label in enumerate(given, start=1) if not label.strip()]
    if missing:
        return Verdict("invalid", f"第 {_numbers(missing)} 项还没有选类别。")
    canonical = {_norm(label): label for label in task.labels}
    for number, label in enumerate(given, start=1):
        if _norm(label) not in canonical:
            return Verdict("invalid", f"第 {number} 项的“{label.strip()}”不是可选的类别（可选：{'、'.join(task.labels)}）。")
    wrong = [i for i, (label, key) in enumerate(zip(given, task.key), start=1) if canonical[_norm(label)] != key]
    if not wrong:
        return Verdict("correct", f"正确！{len(given)} 项全部归类无误。")
    return _wrong(task, f"有 {len(wrong)} 项归类不对，例如第 {wrong[0]} 项。")


# ---------------------------------------------------------------- numbers and true/false


def check_numeric(task: Task, answer: Any) -> Verdict:
    """A number within the task's tolerance; the task's unit may be typed after it.

    >>> task = Task("t1", "numeric", key=81.0, tolerance=0.5, unit="%", hint="提示。")
    >>> [check_numeric(task, a).passed for a in ("81", "80.6%", 81.4, "82")]
    [True, True, True, False]
    >>> check_numeric(task, "八十一").message
    '“八十一”不是一个数字。请填写一个数字，例如 12.5。'
    """
    if _is_blank(answer):
        return _blank(task)
    if isinstance(answer, str) and task.unit:
        answer = answer.strip().removesuffix(task.unit)
    reading = read_answer(FormatSpec(task.id, "numeric"), answer)
    if reading.status == "blank":
        return _blank(task)
    if not reading.ok or reading.number is None:
        return Verdict("invalid", (reading.problem or UNREADABLE) + "请填写一个数字，例如 12.5。")
    if abs(reading.number - float(task.key)) <= task.tolerance + 1e-9:
        return Verdict("correct", RIGHT)
    return _wrong(task, "不对。")


def check_true_false(task: Task, answer: Any) -> Verdict:
    """对 or 错 (a bool from the widget, or the words a trainee types).

    >>> task = Task("t1", "true_false", key=False, hint="提示。")
    >>> check_true_false(task, False).passed, check_true_false(task, "错").passed, check_true_false(task, "对").text
    (True, True, '不对。提示。')
    """
    if _is_blank(answer):
        return _blank(task)
    reading = read_answer(FormatSpec(task.id, "true_false"), answer)
    if reading.status == "blank":
        return _blank(task)
    if not reading.ok:
        return Verdict("invalid", "请选“对”或“错”。")
    return Verdict("correct", RIGHT) if (reading.text == "A") == bool(task.key) else _wrong(task, "不对。")


# ---------------------------------------------------------------- written answers


def _class_names() -> dict[str, str]:
    try:
        from kamcourse.spin import SPIN_NAMES
    except ImportError:  # pragma: no cover - the package always has it
        return {}
    return dict(SPIN_NAMES)


@dataclass(frozen=True)
class Classification:
    """What the task's classifier read a written answer as: code, Chinese name, why."""

    code: str
    name: str
    reason: str = ""


def classify(task: Task, text: str) -> Classification:
    """What the task's classifier (default :func:`kamcourse.spin.classify_question`) reads
    ``text`` as; code "" when it cannot tell.

    The classifier returns a code string (``"I"``) or an object with ``code`` and
    optionally ``name`` and ``reason``.

    >>> classify(Task("t1", "written", classifier="kamcourse.spin:classify_question"), "贵厂有几条产线？").code
    'S'
    """
    result = resolve(task.classifier)(text)
    code = result if isinstance(result, str) else getattr(result, "code", None)
    code = "" if code is None else str(code).strip()
    name = "" if isinstance(result, str) else str(getattr(result, "name", "") or "")
    reason = "" if isinstance(result, str) else str(getattr(result, "reason", "") or "")
    return Classification(code, name or _class_names().get(code, code), reason)


def written_length(text: str) -> int:
    """Characters of a written answer, without spaces and line breaks.

    >>> written_length(" 产线 停下来\\n等结果？ ")
    9
    """
    return len(re.sub(r"\s+", "", text))


def check_written(task: Task, answer: Any) -> Verdict:
    """Length, the optional ``classify_as`` check, then the trainee's rubric ticks.

    >>> task = Task("t1", "written", rubric=("问的是后果", "没有提到产品"), min_chars=6, key="……", hint="提示。")
    >>> check_written(task, "太短了").message
    '写得太短：至少写 6 个字（现在 3 个）。'
    >>> check_written(task, WrittenAnswer("产线停下来等结果，每月耽误多少订单？")).status
    'self_check'
    >>> check_written(task, WrittenAnswer("产线停下来等结果，每月耽误多少订单？", (True, False))).text
    '还有 1 条要点没有做到：改一改答案，做到了再打勾，然后按“检查”。提示。'
    >>> check_written(task, {"text": "产线停下来等结果，每月耽误多少订单？", "ticks": [True, True]}).passed
    True
    """
    if isinstance(answer, Mapping):
        ticks = answer.get("ticks")
        answer = WrittenAnswer(str(answer.get("text") or ""), None if ticks is None else tuple(bool(t) for t in ticks))
    elif not isinstance(answer, WrittenAnswer):
        if _is_blank(answer):
            return _blank(task)
        if not isinstance(answer, str):
            return Verdict("invalid", "请在框里写下你的答案。")
        answer = WrittenAnswer(answer)
    if not answer.text.strip():
        return _blank(task)
    length = written_length(answer.text)
    if length < task.min_chars:
        return Verdict("invalid", f"写得太短：至少写 {task.min_chars} 个字（现在 {length} 个）。")
    if task.classify_as:
        try:
            seen = classify(task, answer.text)
        except Exception:  # noqa: BLE001 - a classifier bug must not reach the trainee
            log.debug("classifier failed", exc_info=True)
            return Verdict("unavailable", CHECKER_BROKEN)
        if seen.code.upper() != task.classify_as.upper():
            want = _class_names().get(task.classify_as, task.classify_as)
            read = f"读起来更像{seen.name}" if seen.code else "还看不出是哪一类问题"
            why = f"（{seen.reason.rstrip('。')}）" if seen.reason else ""
            return _wrong(task, f"这句话{read}{why}，题目要的是{want}。")
    if not task.rubric:
        return Verdict("correct", "写得好！")
    if answer.ticks is None:
        return Verdict("self_check", "写好了。请对照下面的要点逐条自查：做到了就打勾，然后再按“检查”。")
    ticks = tuple(answer.ticks)[: len(task.rubric)]
    open_points = len(task.rubric) - sum(1 for t in ticks if t)
    if open_points:
        return _wrong(task, f"还有 {open_points} 条要点没有做到：改一改答案，做到了再打勾，然后按“检查”。")
    return Verdict("correct", "很好！每条要点都做到了。再对照参考答案看一看。")


# ---------------------------------------------------------------- function tasks


def check_function(task: Task, answer: Any) -> Verdict:
    """The declared fields, handed to the task's checker as ``{name: text}``.

    >>> from kamcourse.exercises.model import InputField
    >>> task = Task("t1", "function", checker="kamcourse.ffab:check_statement_task", hint="提示。",
    ...             fields=tuple(InputField(n, n) for n in ("特征", "功能", "优点", "利益")))
    >>> check_function(task, {"特征": "图形化编程界面，内置 200 个测量模板", "功能": "点选模板就能生成测量程序",
    ...     "优点": "不用写代码，一天就能上手", "利益": "您的新人不用学复杂的测量编程，老师傅退休也不怕"}).passed
    True
    >>> check_function(task, {"特征": "", "利益": None}).status
    'blank'
    """
    if not isinstance(answer, Mapping):
        if len(task.fields) == 1 and isinstance(answer, str):
            answer = {task.fields[0].name: answer}
        else:
            return Verdict("invalid", "请填写题目下方的各项。")
    values = {f.name: "" if answer.get(f.name) is None else str(answer.get(f.name)) for f in task.fields}
    if all(not v.strip() for v in values.values()):
        return _blank(task)
    try:
        passed, message = resolve(task.checker)(values)
    except Exception:  # noqa: BLE001 - whatever the checker does, the page stays usable
        log.debug("checker %s failed", task.checker, exc_info=True)
        return Verdict("unavailable", CHECKER_BROKEN)
    if passed is True:
        return Verdict("correct", str(message) or RIGHT)
    return _wrong(task, str(message) or "还不对。")


# ---------------------------------------------------------------- dispatch


CHECKS: dict[str, Callable[[Task, Any], Verdict]] = {
    "single": check_single, "multiple": check_multiple, "ordering": check_ordering, "matching": check_matching,
    "numeric": check_numeric, "true_false": check_true_false, "written": check_written, "function": check_function,
}


def verdict(task: Task, answer: Any) -> Verdict:
    """Check ``answer`` against ``task``. Never raises.

    >>> verdict(Task("t1", "single", options=("甲", "乙"), key="B"), "b").passed
    True
    """
    if task.format != 2:
        return Verdict("unavailable", "这道练习还是旧格式，请在练习本的代码格里作答。")
    try:
        return CHECKS[task.kind](task, answer)
    except Exception:  # noqa: BLE001 - an odd answer object must never become a traceback
        log.debug("verdict failed for %s", task.id, exc_info=True)
        return Verdict("invalid", UNREADABLE)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def key_lines(task: Task) -> tuple[str, ...]:
    """The key as the trainee reads it after 查看参考答案 (one line per item).

    >>> key_lines(Task("t1", "ordering", options=("甲", "乙", "丙"), key="CAB"))
    ('C．丙', 'A．甲', 'B．乙')
    >>> key_lines(Task("t1", "numeric", key=81.0, unit="%")), key_lines(Task("t1", "numeric", key=4, unit="位"))
    (('81%',), ('4 位',))
    """
    if task.format != 2:
        return ()
    if task.kind in ("single", "multiple", "ordering"):
        return tuple(f"{letter}．{task.options[task.letters.index(letter)]}" for letter in task.key)
    if task.kind == "matching":
        return tuple(f"{i}. {prompt} → {label}" for i, (prompt, label) in enumerate(zip(task.prompts, task.key), start=1))
    if task.kind == "numeric":
        gap = "" if task.unit in ("%", "％", "") else " "
        return (f"{_number_text(task.key)}{gap}{task.unit}",)
    if task.kind == "true_false":
        return ("对" if task.key else "错",)
    if task.key is None or task.key == "":
        return ()
    if isinstance(task.key, (list, tuple)):
        return tuple(str(k) for k in task.key)
    return (str(task.key) if not isinstance(task.key, float) else _number_text(task.key),)
