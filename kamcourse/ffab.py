"""FFAB presentation (module 3): the statement builder, the F/F/A/B sorting check, and
the seed's communication-loss illustration.

FAB is Neil Rackham's (SPIN Selling): a Feature is a fact or data about the product, an
Advantage shows how it can be used or help, a Benefit shows how it meets an explicit need
the customer stated. FFAB, with Function (what the feature lets the product do) between
Feature and Advantage, is the seed's extension; no public source defines it.

The statement checks are simple, explainable heuristics: each returns a Chinese sentence
the trainee can act on. They never raise, whatever text they are given.

The labelling check (:func:`grade_labels`) is generic; :mod:`kamcourse.spin` reuses it
for the S/P/I/N question classifier.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from kamcourse.errors import KamcourseError
from kamcourse.paths import DATA_DIR

STATEMENTS_FILE = DATA_DIR / "ffab_statements.yaml"

#: The four layers, in presentation order.
PARTS: tuple[str, ...] = ("feature", "function", "advantage", "benefit")
PART_NAMES: dict[str, str] = {"feature": "特征", "function": "功能", "advantage": "优点", "benefit": "利益"}
PART_ENGLISH: dict[str, str] = {
    "feature": "Feature", "function": "Function", "advantage": "Advantage", "benefit": "Benefit",
}
#: What each layer answers, in the course's words.
PART_QUESTIONS: dict[str, str] = {
    "feature": "产品有什么？可以核实的事实或数据",
    "function": "因为这个特征，产品能做什么？",
    "advantage": "和别的做法相比，好在哪里？",
    "benefit": "这些优点怎样满足客户亲口说出的需求？",
}

_LABEL_ALIASES: dict[str, str] = {
    "feature": "feature", "fe": "feature", "特征": "feature", "特点": "feature", "特性": "feature",
    "function": "function", "fu": "function", "功能": "function", "作用": "function",
    "advantage": "advantage", "a": "advantage", "优点": "advantage", "优势": "advantage",
    "benefit": "benefit", "b": "benefit", "利益": "benefit", "好处": "benefit", "益处": "benefit",
}

#: The seed's illustration of what is lost when we only talk (not measured data).
COMMUNICATION_LOSS: tuple[tuple[str, int], ...] = (("想说的", 100), ("说出来的", 80), ("被听到的", 60))


# ---------------------------------------------------------------- labelling (shared with spin)


@dataclass(frozen=True)
class BankItem:
    """One example sentence (or question) of a labelling bank, with its key and why."""

    id: str
    text: str
    label: str
    why: str


@dataclass(frozen=True)
class ItemVerdict:
    """The trainee's label for one bank item; ``given`` is "" when not answered yet."""

    item: BankItem
    given: str

    @property
    def answered(self) -> bool:
        return self.given != ""

    @property
    def correct(self) -> bool:
        return self.given == self.item.label


@dataclass(frozen=True)
class LabelCheck:
    """The verdict on a whole labelling exercise."""

    verdicts: tuple[ItemVerdict, ...]
    answered: int
    correct: int
    total: int
    message: str

    @property
    def complete(self) -> bool:
        """Every item answered, and answered right."""
        return self.correct == self.total


def grade_labels(
    bank: Sequence[BankItem],
    labels: Mapping[str, Any],
    normalize: Callable[[Any], str | None],
    names: Mapping[str, str],
) -> LabelCheck:
    """Compare ``labels`` (item id -> label as typed) with the bank's keys.

    ``normalize`` turns a typed label into a canonical one (None when unknown, "" when
    blank); ``names`` gives the Chinese name of each canonical label for messages.
    Unknown item ids and unknown labels raise :class:`KamcourseError`.

    >>> bank = [BankItem("q1", "您用这台设备几年了？", "S", "")]
    >>> grade_labels(bank, {"q1": "s"}, lambda v: str(v).strip().upper(), {"S": "背景问题"}).message
    '全部 1 句都答对了！'
    """
    by_id = {item.id: item for item in bank}
    for key in labels:
        if str(key) not in by_id:
            raise KamcourseError(f"题号 {key}", "题库里没有这一句")
    verdicts = []
    for number, item in enumerate(bank, start=1):
        raw = labels.get(item.id, "")
        given = normalize(raw)
        if given is None:
            allowed = "、".join(names.values())
            raise KamcourseError(f"第 {number} 句", f"“{raw}”不是可选的类别，请从 {allowed} 中选择")
        verdicts.append(ItemVerdict(item, given))
    answered = sum(v.answered for v in verdicts)
    correct = sum(v.correct for v in verdicts)
    total = len(verdicts)
    if correct == total:
        message = f"全部 {total} 句都答对了！"
    else:
        message = f"已答 {answered}/{total} 句，答对 {correct} 句。"
    return LabelCheck(tuple(verdicts), answered, correct, total, message)


# ---------------------------------------------------------------- the F/F/A/B bank


@dataclass(frozen=True)
class StatementBank:
    """Example sentences about one product, for the F/F/A/B sorting exercise."""

    product: str
    customer: str
    customer_needs: tuple[str, ...]
    items: tuple[BankItem, ...]


@lru_cache(maxsize=1)
def load_statement_bank() -> StatementBank:
    """The sorting bank shipped with the course.

    >>> bank = load_statement_bank()
    >>> sorted({item.label for item in bank.items}) == sorted(PARTS)
    True
    """
    data = yaml.safe_load(STATEMENTS_FILE.read_text(encoding="utf-8"))
    items = tuple(
        BankItem(str(s["id"]), str(s["text"]), str(s["label"]), str(s.get("why", ""))) for s in data["statements"]
    )
    return StatementBank(str(data["product"]), str(data["customer"]), tuple(data["customer_needs"]), items)


def normalize_label(value: Any) -> str | None:
    """Canonical F/F/A/B label of a typed one: "" when blank, None when unknown.

    >>> normalize_label(" 特征 "), normalize_label("Benefit"), normalize_label("优势")
    ('feature', 'benefit', 'advantage')
    >>> normalize_label(""), normalize_label("价格")
    ('', None)
    """
    if value is None:
        return ""
    text = re.sub(r"[\s（）()]+", "", str(value)).lower()
    if not text:
        return ""
    return _LABEL_ALIASES.get(text)


def check_labels(labels: Mapping[str, Any], bank: Sequence[BankItem] | None = None) -> LabelCheck:
    """Check the trainee's F/F/A/B labels (sentence id -> 特征/功能/优点/利益).

    >>> result = check_labels({"s1": "特征", "s7": "优点"})
    >>> result.answered, result.correct, result.total
    (2, 1, 8)
    """
    items = load_statement_bank().items if bank is None else tuple(bank)
    return grade_labels(items, labels, normalize_label, PART_NAMES)


# ---------------------------------------------------------------- the statement builder


@dataclass(frozen=True)
class StatementCheck:
    """One heuristic check of an FFAB statement.

    ``required`` checks must pass for the statement to be ready; the others are tips.
    ``message`` is a short confirmation when ``ok``, otherwise a suggestion.
    """

    name: str
    ok: bool
    required: bool
    message: str


@dataclass(frozen=True)
class FfabStatement:
    """The four layers, the customer's need, the assembled pitch and the checks."""

    feature: str
    function: str
    advantage: str
    benefit: str
    customer_need: str
    text: str
    checks: tuple[StatementCheck, ...]

    @property
    def ready(self) -> bool:
        """All required checks pass (tips may still be open)."""
        return all(c.ok for c in self.checks if c.required)

    @property
    def suggestions(self) -> tuple[str, ...]:
        """Messages of the failed checks, required ones first."""
        failed = [c for c in self.checks if not c.ok]
        return tuple(c.message for c in sorted(failed, key=lambda c: not c.required))


_STOP_TERMS = frozenset(
    "我们 你们 您们 他们 我的 您的 你的 可以 这个 那个 一个 没有 就是 因为 所以 如果 已经 现在 "
    "还是 还有 非常 需要 问题 客户 公司 时候 什么 怎么 不是 这样 一下 希望 觉得".split()
)
_WORD_RUN = re.compile(r"[0-9A-Za-z\u3400-\u9fff\uff10-\uff19]+")
_TRAILING_PUNCT = "。．.，,；;！!？?、 \t\n"
_CUSTOMER_WORDS = ("您", "你", "贵", "客户", "咱们")
_CHINESE_NUMERALS = "一二两三四五六七八九十百千万"
_UNITS = ("个", "台", "种", "项", "年", "月", "天", "小时", "分钟", "秒", "倍", "工位", "微米", "毫米", "公斤", "吨", "成")
_DATA_PATTERN = re.compile(
    "[0-9\uff10-\uff19]|[" + _CHINESE_NUMERALS + "]+\\s*(?:" + "|".join(_UNITS) + ")|±"
)
_JARGON_PATTERN = re.compile(r"[A-Z]{2,}")
MAX_PART_CHARS = 60


def _clean(value: Any) -> str:
    return "" if value is None else str(value).strip()


def shared_terms(text: str, reference: str) -> tuple[str, ...]:
    """Terms (two or more characters) of ``reference`` that ``text`` repeats, longest first match.

    Chinese has no spaces, so the reference is scanned left to right for the longest
    stretch that also occurs in ``text``; filler words (我们, 可以, ...) do not count.

    >>> shared_terms("您的产线不用再停下来等检测结果", "产线经常停下来等检测结果")
    ('产线', '停下来等检测结果')
    >>> shared_terms("我们可以做到", "我们需要")
    ()
    """
    found: list[str] = []
    haystack = text.lower()
    for run in _WORD_RUN.findall(reference.lower()):
        i = 0
        while i < len(run) - 1:
            j = i + 1
            while j < len(run) and run[i : j + 1] in haystack:
                j += 1
            term = run[i:j]
            if len(term) >= 2 and term not in _STOP_TERMS and term not in found:
                found.append(term)
                i = j
            else:
                i += 1
    return tuple(found)


def _assemble(feature: str, function: str, advantage: str, benefit: str) -> str:
    def bare(part: str) -> str:
        return part.strip().rstrip(_TRAILING_PUNCT)

    pieces = []
    if feature:
        pieces.append(f"因为{bare(feature)}")
    if function:
        pieces.append(f"所以{bare(function)}" if feature else bare(function))
    if advantage:
        pieces.append(f"这意味着{bare(advantage)}")
    if benefit:
        pieces.append(f"对您来说，{bare(benefit)}")
    return "；".join(pieces) + ("。" if pieces else "")


def build_statement(
    feature: str, function: str, advantage: str, benefit: str, customer_need: str
) -> FfabStatement:
    """Assemble an FFAB statement and check it with simple heuristics.

    Checks: each layer is filled; the customer's need is written down; the benefit picks
    up the customer's own words; tips: the benefit speaks to the customer, the feature
    carries a fact or figure, feature and function are short and plain, no two layers
    repeat each other. Never raises on any text.

    >>> s = build_statement("重复精度 ±1.5 微米", "一次装夹测完全部尺寸", "检测时间缩短一半",
    ...                     "您的产线不用再停下来等检测结果", "产线经常停下来等检测结果")
    >>> s.ready
    True
    >>> s.text
    '因为重复精度 ±1.5 微米；所以一次装夹测完全部尺寸；这意味着检测时间缩短一半；对您来说，您的产线不用再停下来等检测结果。'
    >>> build_statement("", "", "", "更省心", "检测太慢").suggestions[0]
    '请写出特征（Feature）：产品有什么？可以核实的事实或数据。'
    """
    parts = {
        "feature": _clean(feature), "function": _clean(function),
        "advantage": _clean(advantage), "benefit": _clean(benefit),
    }
    need = _clean(customer_need)
    checks: list[StatementCheck] = []

    for part in PARTS:
        name = f"{PART_NAMES[part]}（{PART_ENGLISH[part]}）"
        if parts[part]:
            checks.append(StatementCheck(f"{PART_NAMES[part]}已填写", True, True, f"{name}已写出。"))
        else:
            question = PART_QUESTIONS[part]
            ending = "" if question.endswith("？") else "。"
            checks.append(StatementCheck(
                f"{PART_NAMES[part]}已填写", False, True, f"请写出{name}：{question}{ending}"
            ))

    if need:
        checks.append(StatementCheck("客户需求已写下", True, True, "客户的需求已写下。"))
    else:
        checks.append(StatementCheck(
            "客户需求已写下", False, True, "请先写下客户亲口说出的需求（明确需求）：利益要对准它。"
        ))

    benefit = parts["benefit"]
    if not (benefit and need):
        checks.append(StatementCheck(
            "利益呼应需求", False, True, "写好利益和客户需求后，才能检查利益是否对准了需求。"
        ))
    else:
        terms = shared_terms(benefit, need)
        if terms:
            quoted = "、".join(f"“{t}”" for t in terms[:3])
            checks.append(StatementCheck("利益呼应需求", True, True, f"利益用上了客户自己的话：{quoted}。"))
        else:
            checks.append(StatementCheck(
                "利益呼应需求", False, True,
                f"利益还没有呼应客户的需求“{need[:30]}”：请用客户自己的话（需求里的关键词）说出利益。",
            ))

    if benefit and any(word in benefit for word in _CUSTOMER_WORDS):
        checks.append(StatementCheck("站在客户一边", True, False, "利益是对客户说的。"))
    else:
        checks.append(StatementCheck(
            "站在客户一边", False, False, "利益要站在客户一边说，例如“对您来说……”“贵公司可以……”。"
        ))

    if parts["feature"] and _DATA_PATTERN.search(parts["feature"]):
        checks.append(StatementCheck("特征有事实或数据", True, False, "特征里有可以核实的事实或数据。"))
    else:
        checks.append(StatementCheck(
            "特征有事实或数据", False, False, "特征最好是可以核实的事实或数据（数字、规格、配置），例如“重复精度 ±1.5 微米”。"
        ))

    wordy = [
        PART_NAMES[p] for p in ("feature", "function")
        if len(parts[p]) > MAX_PART_CHARS or len(_JARGON_PATTERN.findall(parts[p])) > 2
    ]
    if wordy:
        checks.append(StatementCheck(
            "简明少术语", False, False, f"{'和'.join(wordy)}要说得简短易懂，少用艰深的术语和缩写。"
        ))
    else:
        checks.append(StatementCheck("简明少术语", True, False, "特征和功能说得简短。"))

    seen: dict[str, str] = {}
    repeated = None
    for part in PARTS:
        key = re.sub(r"\W+", "", parts[part])
        if key and key in seen:
            repeated = (seen[key], PART_NAMES[part])
            break
        if key:
            seen[key] = PART_NAMES[part]
    if repeated:
        checks.append(StatementCheck(
            "层层推进", False, False, f"每一层要比上一层多走一步：{repeated[0]}和{repeated[1]}写成了同一句话。"
        ))
    else:
        checks.append(StatementCheck("层层推进", True, False, "四层各说各的内容。"))

    text = _assemble(parts["feature"], parts["function"], parts["advantage"], parts["benefit"])
    return FfabStatement(
        parts["feature"], parts["function"], parts["advantage"], parts["benefit"], need, text, tuple(checks)
    )


def example_statement() -> FfabStatement:
    """The worked example of module 3: JM-500 for 宁波海瑞, whose line waits for the
    first-article result (about half an hour today; the customer wants under 10 minutes).

    >>> statement = example_statement()
    >>> statement.ready, "8 分钟" in statement.benefit, "半小时" in statement.benefit
    (True, True, False)
    """
    bank = load_statement_bank()
    return build_statement(
        feature="六工位探头自动更换架，重复精度 ±1.5 微米",
        function="探头自动更换，工件装夹一次就能测完全部尺寸，机器可以放在产线旁边",
        advantage="不用把零件送进实验室排队，单件检测时间比人工换探头、多次装夹缩短一半左右",
        benefit="首件检测能压到您要的 10 分钟以内：JM-500 放在产线旁边，首件大约 8 分钟出结果，产线不用再停下来等",
        customer_need=bank.customer_needs[0],
    )


# ---------------------------------------------------------------- exercise checker

#: The customer's explicit need in the m3 FFAB-statement task (the task states it; a statement of
#: a want, because a benefit answers an explicit need).
TASK_NEED = "我们的检测员都是快退休的老师傅，新设备必须让新人一周内就能学会编测量程序。"
#: Words of what this need is about. The generic check accepts any shared term, and "检测"
#: (from 检测员) would let "您的检测效率会大大提高" pass; the task asks for the need itself.
TASK_NEED_CUES: tuple[str, ...] = ("新人", "老师傅", "退休", "一周", "编程", "程序", "学会", "上手")

# Field names of the FFAB-statement task: the labels' names, but not the one-letter codes.
_PART_KEYS: dict[str, str] = {k: v for k, v in _LABEL_ALIASES.items() if k not in {"fe", "fu", "a", "b"}}


def check_statement_task(answer: Any) -> tuple[bool, str]:
    """Checker of the m3 FFAB-statement task: the four layers (keys 特征/功能/优点/利益 or
    feature/function/advantage/benefit) for TASK_NEED.

    >>> check_statement_task({"特征": "图形化编程界面，内置 200 个测量模板", "功能": "点选模板就能生成测量程序",
    ...     "优点": "不用写代码，一天就能上手", "利益": "您说新人一周内就要学会编测量程序：有了模板，新人第二天就能独立检测"})[0]
    True
    >>> check_statement_task({"特征": "内置 200 个测量模板", "功能": "点选模板就能生成测量程序",
    ...     "优点": "不用写代码", "利益": "您的检测效率会大大提高"})[1][:14]
    '利益还没有回应李工说出的需求'
    >>> check_statement_task("好产品")[1]
    '请把特征、功能、优点、利益分别填进四个框。'
    """
    if not isinstance(answer, Mapping):
        return False, "请把特征、功能、优点、利益分别填进四个框。"
    parts: dict[str, str] = {}
    for key, value in answer.items():
        part = _PART_KEYS.get(re.sub(r"[\s（）()]+", "", str(key)).lower())
        if part is None:
            return False, f"“{key}”不是特征、功能、优点、利益之一：请把四层分别填进四个框。"
        parts[part] = _clean(value)
    if not any(parts.values()):
        return False, "还没有作答：请先填写答案再检查。"
    statement = build_statement(
        parts.get("feature", ""), parts.get("function", ""), parts.get("advantage", ""),
        parts.get("benefit", ""), TASK_NEED,
    )
    if not statement.ready:
        return False, statement.suggestions[0] + "（回顾“FFAB 陈述”一节）"
    if not any(cue in statement.benefit for cue in TASK_NEED_CUES):
        return False, ("利益还没有回应李工说出的需求（新人一周内学会编测量程序）：请用他的原话说出产品怎样满足它。"
                       "（回顾“FFAB 陈述”一节）")
    tips = statement.suggestions
    if tips:
        return True, "四层都写全了，利益也呼应了客户的需求！还可以更好：" + tips[0]
    return True, "很好！四层都写全了，利益也呼应了客户的需求。"


# ---------------------------------------------------------------- communication loss


@dataclass(frozen=True)
class LossStep:
    """One step of the communication-loss chain: what is left, and what this step lost."""

    stage: str
    percent: int
    lost: int


def communication_loss(chain: Sequence[tuple[str, int]] = COMMUNICATION_LOSS) -> tuple[LossStep, ...]:
    """The seed's chain with the loss at each step (an illustration, not measured data).

    >>> [(s.stage, s.percent, s.lost) for s in communication_loss()]
    [('想说的', 100, 0), ('说出来的', 80, 20), ('被听到的', 60, 20)]
    """
    steps = []
    previous = None
    for stage, percent in chain:
        steps.append(LossStep(stage, int(percent), 0 if previous is None else previous - int(percent)))
        previous = int(percent)
    return tuple(steps)
