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


# ---------------------------------------------------------------- question classifier

def _any_of(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, words)))


#: Question forms: a question mark or a Chinese question word.
_QUESTION_WORDS = (
    "？", "?", "吗", "呢", "多少", "什么", "怎样", "怎么", "如何", "会不会", "是不是", "是否", "有没有", "能不能",
    "可不可以", "哪", "几", "多久", "多大", "多长",
)
#: Words that open a hypothetical clause.
_SUPPOSE_WORDS = ("如果", "要是", "假如", "假设", "倘若", "一旦", "万一", "若是")
#: Words that describe a solved state (the clause of a need-payoff question).
_SOLUTION_WORDS = (
    "能够", "能", "可以", "就能", "不用", "不再", "不必", "免去", "省去", "省掉", "自动", "缩短", "减少", "降低", "降到",
    "压到", "提高", "提升", "加快", "提速", "更快", "快一点", "快些", "解决", "改善", "做到", "实现", "有了", "用上",
    "换成", "拦在", "拦下", "一次就", "当场",
)
#: Words that keep the problem going in a hypothetical clause (an implication question).
_PROBLEM_GOES_ON_WORDS = (
    "不能", "不可以", "无法", "没法", "没能", "不解决", "没解决", "解决不了", "还是", "继续", "一直", "再出", "再流",
    "再被", "又", "再次",
)
#: Words that ask for the value of a solution.
_VALUE_WORDS = ("帮助", "帮上", "好处", "用处", "有用", "价值", "值得", "益处", "意义", "收益", "省下", "节省", "多出", "多赚", "划算")
#: Words that ask for a consequence of the problem.
_CONSEQUENCE_WORDS = (
    "影响", "后果", "导致", "造成", "损失", "意味着", "代价", "成本", "耽误", "延误", "带来", "风险", "少出", "少做", "少交",
    "罚", "投诉", "加班", "多花", "返工", "拖慢", "拖累", "拖延", "丢掉", "丢了", "失去", "赔", "连累", "牵连", "波及",
    "报废", "停产", "违约", "扣分", "降级", "这样下去", "长此以往", "不解决", "解决不了",
)
#: "让/使 someone else 不满……": the problem's effect on another party (a consequence); "让您不满"
#: asks about the customer's own dissatisfaction (a problem question), so 您/你 is left out.
_EFFECT_ON_OTHERS = r"[让使令](?![您你])[^,;.?，；。？]{1,8}?(?:不满|失望|投诉|为难|担心|怀疑)"
#: Words that probe a difficulty or dissatisfaction.
_DIFFICULTY_WORDS = (
    "满意", "不满", "困难", "难处", "难题", "为难", "麻烦", "头疼", "头痛", "担心", "顾虑", "毛病", "不便", "不方便", "出错",
    "差错", "错误", "抄错", "抱怨", "不够", "跟不上", "太慢", "慢不慢", "挑战", "不足", "缺点", "痛点", "问题", "故障",
    "顶不上", "瓶颈", "卡住", "烦", "吃力", "费劲", "苦恼", "不顺", "退回", "催", "等得起", "受得了", "来得及", "忙不过来",
    "顾不过来", "对不上", "赶不上", "排不上", "找不到", "不准", "不稳", "漏掉", "来不及",
)
_QUESTION_PATTERN = _any_of(_QUESTION_WORDS)
#: A hypothetical clause: from the opening word up to the first comma (or the end).
_CONDITION_PATTERN = re.compile("(?:" + "|".join(_SUPPOSE_WORDS) + ")([^,;.?" + "，；。？" + "]*)")
_SOLUTION_PATTERN = _any_of(_SOLUTION_WORDS)
#: A target reached (如果……10 分钟以内……): a solved state too, named only when no solution word is.
_TARGET_PATTERN = _any_of(("以内", "之内"))
_PROBLEM_GOES_ON = _any_of(_PROBLEM_GOES_ON_WORDS)
_VALUE_PATTERN = _any_of(_VALUE_WORDS)
_CONSEQUENCE_PATTERN = re.compile(_any_of(_CONSEQUENCE_WORDS).pattern + "|" + _EFFECT_ON_OTHERS)
_DIFFICULTY_PATTERN = _any_of(_DIFFICULTY_WORDS)
#: Question forms that contain a solution word but ask nothing (removed before the cues).
_NEUTRAL_FORMS = ("能不能", "可不可以")


@dataclass(frozen=True)
class QuestionClass:
    """What kind of SPIN question a sentence is, and the cue that decided it.

    ``code`` is S/P/I/N, or "" when the text is blank or not a question; ``cue`` is the
    word that decided ("" for a background question, which is the default).
    """

    code: str
    name: str
    cue: str
    reason: str


def _cue(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    return match.group(0) if match else ""


def classify_question(text: Any) -> QuestionClass:
    """Classify one question as S/P/I/N by simple, explainable word cues.

    The rules, in order: not a question -> ""; a hypothetical clause that describes a
    solved state (如果……能/不用/缩短/以内……) -> N; asks for value (帮助、好处、用处、省下……)
    without naming a loss -> N; asks for a consequence (影响、后果、损失、耽误、风险、这样下去、
    不解决, or the problem's effect on someone else: 让主机厂不满……) -> I;
    probes a difficulty (满意、困难、出错、担心……) -> P; otherwise a question about facts -> S.
    Word cues cannot understand a sentence, so a well-written question may be misread;
    the reason says which word decided, so the trainee can see why. Never raises.

    >>> classify_question("产线停下来等检测结果，每班会少出多少产量？").code
    'I'
    >>> classify_question("如果首件检测 10 分钟以内就能出结果，对您的交期有什么帮助？").reason
    '“如果……就能”描述了问题解决之后的情形，请客户说出它的价值：需求-效益问题。'
    >>> classify_question("我们的设备很好。").code
    ''
    """
    raw = "" if text is None else str(text)
    clean = re.sub(r"\s+", "", raw.translate(str.maketrans("，；：！？（）", ",;:!?()")))
    if not clean:
        return QuestionClass("", "", "", "还没有写问题。")
    body = clean
    for form in _NEUTRAL_FORMS:
        body = body.replace(form, "")
    if not _QUESTION_PATTERN.search(clean):
        return QuestionClass("", "", "", "这还不是一个问题：请用提问的方式写，例如以“……吗？”“……多少？”结尾。")
    for match in _CONDITION_PATTERN.finditer(body):
        clause = match.group(1)
        solved = _cue(_SOLUTION_PATTERN, clause) or _cue(_TARGET_PATTERN, clause)
        if solved and not _PROBLEM_GOES_ON.search(clause):
            marker = match.group(0)[: len(match.group(0)) - len(clause)]
            return QuestionClass(
                "N", SPIN_NAMES["N"], solved,
                f"“{marker}……{solved}”描述了问题解决之后的情形，请客户说出它的价值：需求-效益问题。",
            )
    value = _cue(_VALUE_PATTERN, body)
    consequence = _cue(_CONSEQUENCE_PATTERN, body)
    if value and not consequence:
        return QuestionClass(
            "N", SPIN_NAMES["N"], value, f"问的是解决之后的价值（“{value}”）：需求-效益问题。"
        )
    if consequence:
        return QuestionClass(
            "I", SPIN_NAMES["I"], consequence,
            f"追问难点带来的后果（“{consequence}”），让问题显得更大、更急：暗示问题。",
        )
    difficulty = _cue(_DIFFICULTY_PATTERN, body)
    if difficulty:
        return QuestionClass(
            "P", SPIN_NAMES["P"], difficulty, f"探查客户的困难和不满（“{difficulty}”）：难点问题。"
        )
    return QuestionClass(
        "S", SPIN_NAMES["S"], "", "没有问到困难、后果或价值，问的是现状的事实和数据：背景问题。"
    )


def classify(text: Any) -> str:
    """The S/P/I/N code of a question ("" when blank or not a question).

    The structured check behind ``classify_as`` in the exercise data and the role-play
    simulator; :func:`classify_question` gives the reason too.

    >>> [classify(q) for q in ("贵厂现在有几条生产线？", "现在的检测速度，您满意吗？",
    ...                        "检测跟不上，会不会影响你们拿下新项目？", "要是换型时不用再等检测，对您有什么帮助？")]
    ['S', 'P', 'I', 'N']
    """
    return classify_question(text).code


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
#: The seed's portraits, every trait it lists, read as explained in the module notebook
#: (training model, not a psychometric result). The seed's trait lists are garbled: the
#: fox's first list is printed under the label 驴 (a layout shift; 驴's own list sits
#: under "B象限"), and a floating list 强势/果断/霸道/分析能力强 is most likely the eagle's.
TRAITS: dict[str, str] = {
    "鹰": "自信、自负、自大；喜新厌旧、想象力丰富、跳跃式思维，胆大、开拓能力强；"
    "强势、果断、霸道、分析能力强（这四项在讲义中没有标明类型，本课程读作鹰的）。",
    "驴": "仔细、认真、保守执着、“一根筋”，关注细节；多见于后勤、财务、技术岗位（讲义举的例子是唐僧、许三多）。",
    "羊": "善良、温顺、随和，好说话（容易上手），容易相信人（讲义写作“好骗”），也怕被骗；"
    "情商高、沟通能力强，但谈判能力最弱、心太软（容易混淆原则和情感）；偏使用者，是发展向导的最佳人选。",
    "狐": "狡猾、聪明、多疑、表里不一、爱贪小便宜；胆小，遇到机会会不择手段；"
    "对所服务的组织缺乏忠诚度，适应能力强；多见于采购人员；眼神飘忽不定、爱狡辩。",
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
    parts.append(f"讲义对{kind}的描述：{TRAITS[kind]}")
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


#: The customer's complaint of the implication-question check (the notebook states it).
TASK_PROBLEM = "首件检测要排队，产线常常停下来等检测结果。"
_PROBLEM_WORDS = ("检测", "排队", "停", "等", "产线", "首件")


def check_implication_question(answer: Any) -> tuple[bool, str]:
    """Check an implication question about TASK_PROBLEM with :func:`classify_question`.

    It must be a question, be about the customer's problem, and ask for consequences
    (not for the value of a solution, which is a need-payoff question).

    >>> check_implication_question("产线停下来等检测结果，每个月会耽误多少订单？")[0]
    True
    >>> check_implication_question("如果首件检测 10 分钟就能出结果，对您有什么帮助？")[1].startswith("这更像需求-效益问题")
    True
    """
    text = "" if answer is None else str(answer).strip()
    if not text:
        return False, "还没有作答：请先填写答案再检查。"
    kind = classify_question(text)
    if not kind.code:
        return False, kind.reason
    about_problem = shared_terms(text, TASK_PROBLEM) or any(w in text for w in _PROBLEM_WORDS)
    if not about_problem:
        return False, "问题要围绕客户说出的难点（首件检测排队、产线停下来等结果），回顾“SPIN 四类问题”一节。"
    if kind.code == "N":
        return False, "这更像需求-效益问题：它问的是解决之后的价值。暗示问题要问“这个难点不解决，会带来什么后果”。"
    if kind.code != "I":
        return False, "还没有问到后果：暗示问题要追问难点带来的影响，例如损失、成本、延误、风险。回顾“SPIN 四类问题”一节。"
    return True, "很好！这是一个暗示问题：它把客户的难点引向更大的后果，让需求变得更迫切。"
