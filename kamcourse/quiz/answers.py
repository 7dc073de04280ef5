"""Reading a trainee's answer, leniently, and checking only its format.

This module is the trainee side of the quizzes: it knows an item's shape (type, number
of options, number of things to match) but never its key. The released notebook's check
cell calls :func:`check_answers`; the grader (:mod:`kamcourse.quiz.scoring`) reads
answers with the same :func:`read_answer`, so "format OK" means the same thing in both.

Lenient reading: case, spaces, full-width characters and separators are ignored
(``"a, b"`` reads as ``"AB"``); ordering and matching answers keep the order written.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

CHOICE_KINDS = ("single", "multiple", "ordering", "matching")
KINDS = (*CHOICE_KINDS, "true_false", "numeric", "essay")
#: Other names for the kinds (the exercises' own spelling); :func:`canonical_kind` maps them.
KIND_ALIASES = {"multi": "multiple", "order": "ordering", "match": "matching", "tf": "true_false",
                "truefalse": "true_false", "number": "numeric"}
#: The reason an answer cell that is not ``answer_qN = <literal>`` scores 0 (shown to the trainee).
LITERAL_ONLY = "答案只能写在引号内"

KIND_NAMES = {
    "single": "单选题",
    "multiple": "多选题",
    "true_false": "判断题",
    "ordering": "排序题",
    "matching": "匹配题",
    "numeric": "数值题",
    "essay": "论述题",
}

# Separators a trainee may put between letters: spaces, commas, Chinese enumeration
# comma, semicolons, slashes, dots, dashes, arrows, "and" words, quotes and brackets.
_SEPARATORS = re.compile(r"[\s,，、;；/|.。·\-_>→+&'\"“”‘’()（）\[\]【】{}和与及]+")
_DIGITS_AND_COLONS = re.compile(r"[0-9:：]+")
_TRUE_WORDS = {"A", "对", "√", "✓", "✔", "T", "TRUE", "正确", "是", "Y", "YES"}
_FALSE_WORDS = {"B", "错", "×", "✗", "✘", "F", "FALSE", "错误", "否", "N", "NO"}
_UNITS = re.compile(r"(天|日|%|％|万元|万|元|DAYS|DAY)$", re.IGNORECASE)


def canonical_kind(kind: str) -> str:
    """The quiz name of an item kind, whichever spelling is used.

    >>> canonical_kind("multi"), canonical_kind("ordering"), canonical_kind("match")
    ('multiple', 'ordering', 'matching')
    """
    kind = KIND_ALIASES.get(kind, kind)
    if kind not in KINDS:
        raise ValueError(f"unknown item kind {kind!r}")
    return kind


class _Missing:
    """Marker for an answer variable that does not exist at all."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class FormatSpec:
    """The shape of an item's answer, without its key.

    ``options`` is the number of lettered options (A, B, ...); ``prompts`` the number of
    things to classify in a matching item.

    >>> FormatSpec.parse("q7 matching 3x8")
    FormatSpec(item_id='q7', kind='matching', options=3, prompts=8)
    >>> FormatSpec.parse("q1 multiple 4").letters
    'ABCD'
    >>> FormatSpec.parse("q9 true_false").letters
    'AB'
    >>> FormatSpec("q1", "multiple", 4).code()
    'q1 multiple 4'
    """

    item_id: str
    kind: str
    options: int = 0
    prompts: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", canonical_kind(self.kind))

    @property
    def letters(self) -> str:
        count = 2 if self.kind == "true_false" else self.options
        return "".join(chr(ord("A") + i) for i in range(count))

    def code(self) -> str:
        """The compact form written into the released notebook's check cell."""
        if self.kind == "matching":
            return f"{self.item_id} {self.kind} {self.options}x{self.prompts}"
        if self.kind in ("single", "multiple", "ordering"):
            return f"{self.item_id} {self.kind} {self.options}"
        return f"{self.item_id} {self.kind}"

    @classmethod
    def parse(cls, code: str) -> "FormatSpec":
        parts = code.split()
        item_id, kind = parts[0], canonical_kind(parts[1])
        options = prompts = 0
        if len(parts) > 2:
            size = parts[2]
            if "x" in size:
                first, second = size.split("x")
                options, prompts = int(first), int(second)
            else:
                options = int(size)
        return cls(item_id, kind, options, prompts)


@dataclass(frozen=True)
class Reading:
    """A trainee's answer as the grader reads it.

    ``status`` is ``"ok"``, ``"blank"``, ``"missing"`` (no answer variable at all) or
    ``"invalid"`` (then ``problem`` says why, in Chinese). ``text`` is the canonical
    answer: letters in the order written, or the number as typed. ``note`` flags an
    incomplete ordering/matching answer, which is still scored.
    """

    status: str
    text: str = ""
    number: float | None = None
    problem: str = ""
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _as_text(raw: Any) -> str | None:
    """Strings as they are; lists/tuples of strings joined; anything else None."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, (list, tuple)) and all(isinstance(x, str) for x in raw):
        return " ".join(raw)
    return None


def _is_blank(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return raw.strip() == ""
    if isinstance(raw, (list, tuple, set, dict)):
        return len(raw) == 0
    return False


def clean_letters(text: str, *, drop_digits: bool = False) -> str:
    """Upper-case letters of an answer with separators removed.

    >>> clean_letters("a, b")
    'AB'
    >>> clean_letters("Ｂ、Ａ、Ｄ、Ｃ")
    'BADC'
    >>> clean_letters("1A 2B 3：C", drop_digits=True)
    'ABC'
    >>> clean_letters("A和C")
    'AC'
    """
    text = _nfkc(text).upper()
    if drop_digits:
        text = _DIGITS_AND_COLONS.sub("", text)
    return _SEPARATORS.sub("", text)


def _read_number(raw: Any) -> Reading:
    if isinstance(raw, bool):
        return Reading("invalid", str(raw), problem="请填写一个数字，例如 \"12.5\"。")
    if isinstance(raw, (int, float)):
        value = float(raw)
        text = repr(raw)
    else:
        text = _as_text(raw)
        if text is None:
            return Reading("invalid", problem="请在引号内填写一个数字，例如 \"12.5\"。")
        cleaned = _nfkc(text).strip().replace(" ", "").replace(",", "")
        cleaned = _UNITS.sub("", cleaned).strip()
        try:
            value = float(cleaned)
        except ValueError:
            return Reading("invalid", text.strip(), problem=f"“{text.strip()}”不是一个数字。")
        text = cleaned
    if not math.isfinite(value):
        return Reading("invalid", text, problem="请填写一个有限的数字。")
    return Reading("ok", text, number=value)


def _read_true_false(raw: Any) -> Reading:
    if isinstance(raw, bool):
        return Reading("ok", "A" if raw else "B")
    text = _as_text(raw)
    if text is None:
        return Reading("invalid", problem="判断题请在引号内填 A（对）或 B（错）。")
    word = clean_letters(text)
    if word in _TRUE_WORDS:
        return Reading("ok", "A")
    if word in _FALSE_WORDS:
        return Reading("ok", "B")
    return Reading("invalid", text.strip(), problem=f"判断题请填 A（对）或 B（错），收到的是“{text.strip()}”。")


def _read_letters(spec: FormatSpec, raw: Any) -> Reading:
    text = _as_text(raw)
    if text is None:
        return Reading("invalid", problem="请把选项字母写在引号内，例如 \"B\"。")
    letters = clean_letters(text, drop_digits=spec.kind == "matching")
    allowed = spec.letters
    strange = sorted({ch for ch in letters if ch not in allowed}, key=letters.index)
    if strange:
        return Reading(
            "invalid",
            letters,
            problem=f"出现了选项以外的字符“{'、'.join(strange)}”（只能填 {'、'.join(allowed)}）。",
        )
    if not letters:
        return Reading("blank")
    if spec.kind == "single" and len(letters) != 1:
        return Reading("invalid", letters, problem="单选题只能填一个字母。")
    if spec.kind in ("single", "multiple", "ordering"):
        repeated = sorted({ch for ch in letters if letters.count(ch) > 1}, key=letters.index)
        if repeated:
            return Reading("invalid", letters, problem=f"字母“{'、'.join(repeated)}”重复了，每个字母只能写一次。")
    if spec.kind == "ordering" and len(letters) < spec.options:
        return Reading("ok", letters, note=f"排序题需要写出全部 {spec.options} 个字母，还差 {spec.options - len(letters)} 个。")
    if spec.kind == "matching":
        if len(letters) > spec.prompts:
            return Reading("invalid", letters, problem=f"写了 {len(letters)} 个字母，但本题只有 {spec.prompts} 项。")
        if len(letters) < spec.prompts:
            return Reading("ok", letters, note=f"本题共 {spec.prompts} 项，还有 {spec.prompts - len(letters)} 项没有填写。")
    return Reading("ok", letters)


def read_answer(spec: FormatSpec, raw: Any) -> Reading:
    """Read one answer for an item of the given shape. Never raises.

    >>> multiple = FormatSpec("q1", "multiple", 4)
    >>> read_answer(multiple, "a, b").text
    'AB'
    >>> read_answer(multiple, ["B", "a"]).text
    'BA'
    >>> read_answer(multiple, "ABE").problem
    '出现了选项以外的字符“E”（只能填 A、B、C、D）。'
    >>> read_answer(multiple, "AAB").status
    'invalid'
    >>> read_answer(multiple, "  ").status
    'blank'
    >>> read_answer(FormatSpec("q4", "ordering", 4), "B-A-D").note
    '排序题需要写出全部 4 个字母，还差 1 个。'
    >>> read_answer(FormatSpec("q9", "true_false"), "错").text
    'B'
    >>> read_answer(FormatSpec("q10", "numeric"), "75.5 天").number
    75.5
    >>> read_answer(FormatSpec("q10", "numeric"), "七十五").status
    'invalid'
    >>> read_answer(FormatSpec("q2", "single", 4), MISSING).status
    'missing'
    """
    if raw is MISSING:
        return Reading("missing", problem="找不到答案变量（答案单元可能被删除，或运行时出错）。")
    try:
        if _is_blank(raw):
            return Reading("blank")
        if spec.kind == "numeric":
            return _read_number(raw)
        if spec.kind == "true_false":
            return _read_true_false(raw)
        if spec.kind in CHOICE_KINDS:
            return _read_letters(spec, raw)
        return Reading("invalid", problem="本题不在答案单元中作答。")
    except Exception:  # an odd object must never become a traceback
        return Reading("invalid", problem="答案格式无法识别，请按题目说明填写。")


def answer_literal(source: str, name: str) -> tuple[str, Any]:
    """Read ``name = <literal>`` from an answer cell's source, without running anything.

    Returns ``("ok", value)`` (the last assignment wins, as Python would), ``("blank", None)``
    for a cell with nothing but comments and blank lines, or ``("code", None)`` for
    anything else: another statement, another name, an expression that is not a plain
    literal, a syntax error.

    >>> answer_literal('# 第 1 题\\nanswer_q1 = "a, c"\\n', "answer_q1")
    ('ok', 'a, c')
    >>> answer_literal("answer_q10 = 75.5", "answer_q10")
    ('ok', 75.5)
    >>> answer_literal("# 不会", "answer_q1")
    ('blank', None)
    >>> [answer_literal(s, "answer_q1")[0] for s in ('answer_q1 = "A" + "B"', 'import os', 'answer_q2 = "A"',
    ...  'answer_q1 = x', 'answer_q1 = "A"\\nprint(1)', 'answer_q1 = ("A"', 'answer_q1 = answer_q2 = "A"')]
    ['code', 'code', 'code', 'code', 'code', 'code', 'code']
    """
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. an invalid escape sequence in a string
            tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return "code", None
    if not tree.body:
        return "blank", None
    value: Any = None
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == name):
            return "code", None
        try:
            value = ast.literal_eval(node.value)
        except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
            return "code", None
    return "ok", value


def read_answer_cell(spec: FormatSpec, source: str | None) -> Reading:
    """Read the answer of one item from its answer cell's source, as data: nothing runs.

    ``None`` is a deleted cell. An answer that is not a plain literal scores 0 with
    :data:`LITERAL_ONLY` as the reason; it never affects another item.

    >>> spec = FormatSpec("q1", "multiple", 4)
    >>> read_answer_cell(spec, 'answer_q1 = "a, b"').text
    'AB'
    >>> read_answer_cell(spec, 'answer_q1 = "AB"; import os').problem
    '答案只能写在引号内'
    >>> read_answer_cell(spec, None).status
    'missing'
    """
    if source is None:
        return read_answer(spec, MISSING)
    status, value = answer_literal(source, f"answer_{spec.item_id}")
    if status == "code":
        return Reading("invalid", problem=LITERAL_ONLY)
    return read_answer(spec, value if status == "ok" else "")


def format_verdict(spec: FormatSpec, reading: Reading) -> str:
    """One Chinese line for the check cell (says nothing about correctness).

    >>> spec = FormatSpec("q3", "multiple", 4)
    >>> format_verdict(spec, read_answer(spec, "c a"))
    '第 3 题（多选题）：格式正确，读取为 CA。'
    >>> format_verdict(spec, read_answer(spec, ""))
    '第 3 题（多选题）：还没有作答。'
    """
    label = f"第 {spec.item_id.lstrip('q')} 题（{KIND_NAMES.get(spec.kind, spec.kind)}）"
    if reading.status == "blank":
        return f"{label}：还没有作答。"
    if reading.status == "missing":
        return f"{label}：{reading.problem}请重新运行该题的答案单元。"
    if reading.status == "invalid":
        return f"{label}：格式有误——{reading.problem}"
    line = f"{label}：格式正确，读取为 {reading.text}。"
    if reading.note:
        line = f"{label}：读取为 {reading.text}，但{reading.note}"
    return line


@dataclass(frozen=True)
class FormatReport:
    """The check cell's result: one line per item, and whether all are well formed."""

    lines: tuple[str, ...]
    all_ok: bool

    def __str__(self) -> str:
        return "\n".join(self.lines)


def format_report(namespace: Mapping[str, Any], codes: Iterable[str]) -> FormatReport:
    """Check the format of every answer variable ``answer_<id>`` found in ``namespace``.

    >>> report = format_report({"answer_q1": "a,b", "answer_q2": "E"}, ["q1 multiple 4", "q2 single 4"])
    >>> print(report)
    第 1 题（多选题）：格式正确，读取为 AB。
    第 2 题（单选题）：格式有误——出现了选项以外的字符“E”（只能填 A、B、C、D）。
    注意：这里只检查答案的写法（字母是否来自选项、是否重复），不检查答案是否正确。
    >>> report.all_ok
    False
    """
    lines = []
    all_ok = True
    for code in codes:
        spec = FormatSpec.parse(code)
        reading = read_answer(spec, namespace.get(f"answer_{spec.item_id}", MISSING))
        all_ok = all_ok and reading.ok and not reading.note
        lines.append(format_verdict(spec, reading))
    lines.append("注意：这里只检查答案的写法（字母是否来自选项、是否重复），不检查答案是否正确。")
    return FormatReport(tuple(lines), all_ok)


def check_answers(namespace: Mapping[str, Any], codes: Iterable[str]) -> None:
    """The released notebook's check cell: print the format verdicts. Never raises."""
    try:
        print(format_report(namespace, list(codes)))
    except Exception:  # pragma: no cover - defensive: the check cell must stay quiet
        print("格式检查暂时无法运行；请确认每个答案单元都已运行。本检查不影响评分。")
