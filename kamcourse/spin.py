"""SPIN questioning (module 4): the S/P/I/N question bank and its check, the seed's
personality model (鹰/驴/羊/狐) with its questioning order, and the exercise checkers.

SPIN is Neil Rackham's (SPIN Selling, research on about 35,000 sales calls over 12
years): Situation 背景问题, Problem 难点问题, Implication 暗示问题, Need-payoff 需求-效益问题.

The personality model is the seed's training model, not a validated psychometric
instrument. The seed gives four quadrant scores A/B/C/D (A 鹰, B 驴, C 羊, D 狐) and the
thresholds A>=9 鹰, 6<=A<9 倾向鹰, D>=8 狐, C>=6 羊; it gives no threshold for B, no
questionnaire and no maximum score. The course's reading, used by :func:`personality`:

- each score is a whole number from 0 to :data:`MAX_SCORE` (10);
- precedence when several thresholds hold: 鹰 (A>=9) > 狐 (D>=8) > 羊 (C>=6) >
  倾向鹰 (6<=A<9, typed 鹰 with the leaning noted) > 驴 (none of the above, the B quadrant);
  a reached threshold beats a mere leaning;
- the questioning order follows the seed: 听问说 for 鹰, 说问听 for 驴 and 羊 (and
  introverts), 问听说 for 狐.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from kamcourse.errors import KamcourseError
from kamcourse.ffab import BankItem, LabelCheck, grade_labels, shared_terms
from kamcourse.paths import DATA_DIR

QUESTIONS_FILE = DATA_DIR / "spin_questions.yaml"

# ---------------------------------------------------------------- question types

SPIN_TYPES: tuple[str, ...] = ("S", "P", "I", "N")
SPIN_NAMES: dict[str, str] = {"S": "背景问题", "P": "难点问题", "I": "暗示问题", "N": "需求-效益问题"}
SPIN_ENGLISH: dict[str, str] = {"S": "Situation", "P": "Problem", "I": "Implication", "N": "Need-payoff"}

_SPIN_ALIASES: dict[str, str] = {}
for _code in SPIN_TYPES:
    for _alias in (_code, SPIN_NAMES[_code], SPIN_NAMES[_code].removesuffix("问题"), SPIN_ENGLISH[_code]):
        _SPIN_ALIASES[re.sub(r"[\s\-－—_]+", "", _alias).lower()] = _code
_SPIN_ALIASES.update({"needpayoffquestion": "N", "需求效益": "N", "背景": "S", "难点": "P", "暗示": "I"})


@dataclass(frozen=True)
class QuestionBank:
    """Example questions from one sales call, for the S/P/I/N classifier."""

    context: str
    items: tuple[BankItem, ...]


@lru_cache(maxsize=1)
def load_questions() -> QuestionBank:
    """The S/P/I/N bank shipped with the course.

    >>> bank = load_questions()
    >>> sorted({q.label for q in bank.items})
    ['I', 'N', 'P', 'S']
    """
    data = yaml.safe_load(QUESTIONS_FILE.read_text(encoding="utf-8"))
    items = tuple(
        BankItem(str(q["id"]), str(q["text"]), str(q["label"]), str(q.get("why", ""))) for q in data["questions"]
    )
    return QuestionBank(str(data["context"]), items)


def normalize_spin_label(value: Any) -> str | None:
    """Canonical S/P/I/N code of a typed label: "" when blank, None when unknown.

    >>> [normalize_spin_label(v) for v in ("s", "难点问题", "Implication", "需求-效益问题", "", "X")]
    ['S', 'P', 'I', 'N', '', None]
    """
    if value is None:
        return ""
    text = re.sub(r"[\s\-－—_（）()]+", "", str(value)).lower()
    if not text:
        return ""
    return _SPIN_ALIASES.get(text)


def check_labels(labels: Mapping[str, Any], bank: Sequence[BankItem] | None = None) -> LabelCheck:
    """Check the trainee's S/P/I/N labels (question id -> S/P/I/N or its Chinese name).

    >>> r = check_labels({"q1": "S", "q4": "P", "q7": "N"})
    >>> r.answered, r.correct, r.total
    (3, 2, 12)
    """
    items = load_questions().items if bank is None else tuple(bank)
    return grade_labels(items, labels, normalize_spin_label, SPIN_NAMES)


# ---------------------------------------------------------------- personality model

QUADRANTS: tuple[str, ...] = ("A", "B", "C", "D")
QUADRANT_TYPES: dict[str, str] = {"A": "鹰", "B": "驴", "C": "羊", "D": "狐"}
TYPES: tuple[str, ...] = ("鹰", "驴", "羊", "狐")
#: The seed's 次序技术: which order of 听/问/说 to use with each type.
ORDERS: dict[str, str] = {"鹰": "听问说", "驴": "说问听", "羊": "说问听", "狐": "问听说"}
ORDER_ADVICE: dict[str, str] = {
    "听问说": "先听、再问、后说：让对方先讲，给足尊重（尊重放在态度里，不必挂在嘴上），听懂了再提问，最后才讲你的方案。",
    "说问听": "先说、再问、后听：由你先开口、打开话题，让对方放松，再提问，然后耐心听。",
    "问听说": "先问、再听、后说：一开始就用封闭式、有力的问题掌握主动和节奏，听他的回答，最后再说。",
}
#: The seed's portraits, cleaned up (training model, not a psychometric result).
TRAITS: dict[str, str] = {
    "鹰": "自信、自负、自大；喜新厌旧、想象力丰富、跳跃式思维，胆大，开拓能力强。",
    "驴": "仔细、认真、保守执着、“一根筋”，关注细节；多见于后勤、财务、技术岗位（种子讲义举的例子是唐僧、许三多）。",
    "羊": "善良、温顺、随和，好说话，怕被骗；情商高、善沟通，但谈判力最弱、心太软；多为使用者，是发展向导（内线）的最佳人选。",
    "狐": "精明多疑、表里不一、爱占小便宜，遇到机会会不择手段，对所在组织忠诚度低、适应力强；多见于采购人员。",
}

EAGLE_FULL = 9
EAGLE_LEANING = 6
FOX_FULL = 8
SHEEP_FULL = 6
MAX_SCORE = 10
PRECEDENCE = "鹰（A≥9）> 狐（D≥8）> 羊（C≥6）> 倾向鹰（6≤A<9）> 驴（以上都不满足）"


@dataclass(frozen=True)
class PersonalityResult:
    """The type, the leaning ("倾向鹰" or ""), the questioning order and why."""

    type: str
    leaning: str
    order: str
    explanation: str
    scores: tuple[tuple[str, int], ...] = ()

    @property
    def label(self) -> str:
        """The type as shown: "鹰", or "倾向鹰" when the type rests on the leaning alone."""
        if self.type == "鹰" and self.leaning:
            return self.leaning
        return self.type


def parse_score(value: Any, field: str, max_score: int = MAX_SCORE) -> int:
    """One quadrant score: a whole number from 0 to ``max_score``, typed or given.

    >>> parse_score(" 7 ", "A 项得分"), parse_score(8.0, "B 项得分"), parse_score("９", "C 项得分")
    (7, 8, 9)
    >>> parse_score("7.5", "A 项得分")
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: A 项得分：请填写 0 到 10 的整数，收到的是“7.5”
    """
    problem = f"请填写 0 到 {max_score} 的整数，收到的是“{value}”"
    if value is None or isinstance(value, bool):
        raise KamcourseError(field, "没有填写" if value is None else problem)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise KamcourseError(field, problem)
        number = int(value)
    else:
        text = str(value).strip().translate(str.maketrans("０１２３４５６７８９＋－", "0123456789+-"))
        if not text:
            raise KamcourseError(field, "没有填写")
        if not re.fullmatch(r"[+-]?\d+(\.0*)?", text):
            raise KamcourseError(field, problem)
        number = int(float(text))
    if number < 0:
        raise KamcourseError(field, f"不能为负数，收到的是 {number}")
    if number > max_score:
        raise KamcourseError(field, f"不能超过 {max_score} 分，收到的是 {number}")
    return number


def validate_scores(scores: Mapping[str, Any], max_score: int = MAX_SCORE) -> dict[str, int]:
    """The four scores as ints; keys A/B/C/D (case and spaces forgiven).

    >>> validate_scores({"a": 9, "B": "3", "C": 0, "D": 1})
    {'A': 9, 'B': 3, 'C': 0, 'D': 1}
    >>> validate_scores({"A": 9, "B": 3, "C": 0})
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: D 项得分：没有填写
    """
    if not isinstance(scores, Mapping):
        raise KamcourseError("得分", "请按 A、B、C、D 四项填写得分")
    given: dict[str, Any] = {}
    for key, value in scores.items():
        name = str(key).strip().upper()
        if name not in QUADRANTS:
            raise KamcourseError(f"得分项“{key}”", "不是测评的一项：只有 A、B、C、D 四项")
        given[name] = value
    return {q: parse_score(given.get(q), f"{q} 项得分", max_score) for q in QUADRANTS}


def personality(scores: Mapping[str, Any], max_score: int = MAX_SCORE) -> PersonalityResult:
    """The seed's personality type for four quadrant scores, with the questioning order.

    Precedence when several thresholds hold: 鹰 (A>=9) > 狐 (D>=8) > 羊 (C>=6) > 倾向鹰
    (6<=A<9) > 驴. Bad scores raise :class:`KamcourseError` naming the field.

    >>> r = personality({"A": 9, "B": 2, "C": 7, "D": 8})
    >>> r.type, r.leaning, r.order
    ('鹰', '', '听问说')
    >>> r = personality({"A": 7, "B": 5, "C": 6, "D": 4})
    >>> r.type, r.leaning, r.order
    ('羊', '倾向鹰', '说问听')
    >>> personality({"A": 7, "B": 0, "C": 0, "D": 0}).label
    '倾向鹰'
    >>> personality({"A": 2, "B": 9, "C": 5, "D": 7}).type
    '驴'
    """
    s = validate_scores(scores, max_score)
    a, c, d = s["A"], s["C"], s["D"]
    leaning = "倾向鹰" if EAGLE_LEANING <= a < EAGLE_FULL else ""
    if a >= EAGLE_FULL:
        kind, reason = "鹰", f"A={a}，达到 A≥{EAGLE_FULL}：鹰"
    elif d >= FOX_FULL:
        kind, reason = "狐", f"D={d}，达到 D≥{FOX_FULL}：狐"
    elif c >= SHEEP_FULL:
        kind, reason = "羊", f"C={c}，达到 C≥{SHEEP_FULL}：羊"
    elif leaning:
        kind, reason = "鹰", f"A={a}，在 {EAGLE_LEANING}≤A<{EAGLE_FULL} 之间：倾向鹰，按鹰对待"
    else:
        kind, reason = "驴", f"A<{EAGLE_LEANING}、C<{SHEEP_FULL}、D<{FOX_FULL}，都没到分数线：驴（B 象限，B={s['B']}）"
    order = ORDERS[kind]
    parts = [reason + "。"]
    if kind == "鹰" and a >= EAGLE_FULL and (d >= FOX_FULL or c >= SHEEP_FULL):
        parts.append(f"其他分数线也达到了，按本课程的优先顺序 {PRECEDENCE}，判为鹰。")
    elif kind == "狐" and c >= SHEEP_FULL:
        parts.append(f"C 也达到了分数线，按优先顺序 {PRECEDENCE}，判为狐。")
    if leaning and kind != "鹰":
        parts.append(f"A={a} 还有鹰的倾向，但达到的分数线优先于倾向。")
    parts.append(f"{kind}的特点：{TRAITS[kind]}")
    parts.append(f"与{kind}型的人交谈用“{order}”——{ORDER_ADVICE[order]}")
    return PersonalityResult(kind, leaning, order, "".join(parts), tuple(s.items()))


# ---------------------------------------------------------------- exercise keys and checkers

#: Scores of exercise m4/t3 (the notebook states them).
TASK_SCORES: dict[str, int] = {"A": 7, "B": 5, "C": 6, "D": 4}
TASK_OPTIONS: dict[str, str] = {"A": "鹰", "B": "驴", "C": "羊", "D": "狐"}


def personality_task_key() -> str:
    """Key of m4/t3: the option letter of the type :func:`personality` gives TASK_SCORES.

    >>> personality_task_key()
    'C'
    """
    kind = personality(TASK_SCORES).type
    return next(letter for letter, name in TASK_OPTIONS.items() if name == kind)


def orders_key() -> dict[str, str]:
    """Key of m4/t4: the questioning order for each type.

    >>> orders_key()["狐"]
    '问听说'
    """
    return dict(ORDERS)


#: The customer's complaint of exercise m4/t5 (the notebook states it).
TASK_PROBLEM = "首件检测要排队，产线常常停下来等检测结果。"
_CONSEQUENCE_WORDS = (
    "影响", "后果", "导致", "造成", "损失", "意味着", "代价", "成本", "耽误", "延误", "带来", "风险",
    "少出", "罚", "投诉", "加班", "多花",
)
_PAYOFF_PATTERN = re.compile(r"(如果|要是|假如|假设).{0,30}(能|可以)|帮助|好处|有用|用处|价值|值得")
_QUESTION_PATTERN = re.compile(r"[？?]|吗|呢|多少|什么|怎样|怎么|如何|会不会|是否|哪些|几")
_PROBLEM_WORDS = ("检测", "排队", "停", "等", "产线", "首件")


def check_implication_question(answer: Any) -> tuple[bool, str]:
    """Checker of m4/t5: an implication question about TASK_PROBLEM.

    Simple heuristics: it is a question, it is about the customer's problem, it asks
    about consequences, and it is not a need-payoff question (the value of a solution).

    >>> check_implication_question("产线停下来等检测结果，每个月会耽误多少订单？")[0]
    True
    >>> check_implication_question("如果首件检测半小时就能出结果，对您有什么帮助？")[1].startswith("这更像需求-效益问题")
    True
    """
    text = "" if answer is None else str(answer).strip()
    if not text:
        return False, "还没有作答：请先填写答案再检查。"
    if not _QUESTION_PATTERN.search(text):
        return False, "这还不是一个问题：请用提问的方式写，例如以“……吗？”“……多少？”结尾。"
    about_problem = shared_terms(text, TASK_PROBLEM) or any(w in text for w in _PROBLEM_WORDS)
    if not about_problem:
        return False, "问题要围绕客户说出的难点（首件检测排队、产线停下来等结果），回顾“暗示问题”一节。"
    has_consequence = any(w in text for w in _CONSEQUENCE_WORDS)
    if _PAYOFF_PATTERN.search(text) and not has_consequence:
        return False, "这更像需求-效益问题：它问的是解决之后的价值。暗示问题要问“这个难点不解决，会带来什么后果”。"
    if not has_consequence:
        return False, "还没有问到后果：暗示问题要追问难点带来的影响，例如损失、成本、延误、风险。回顾“暗示问题”一节。"
    return True, "很好！这是一个暗示问题：它把客户的难点引向更大的后果，让需求变得更迫切。"
