"""The role-play's data types: a scenario (read from YAML) and the state of one visit.

Everything is a frozen dataclass; the engine (:mod:`kamcourse.roleplay.engine`) builds
new values instead of changing old ones. Labels, acts and ending kinds are the course's
Chinese words, because they are what the trainee reads in the transcript and debrief.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from kamcourse.spin import SPIN_NAMES

#: Every label a move can carry, with the name shown in transcripts and debriefs.
LABEL_NAMES: dict[str, str] = {
    "S": f"{SPIN_NAMES['S']} S",
    "P": f"{SPIN_NAMES['P']} P",
    "I": f"{SPIN_NAMES['I']} I",
    "N": f"{SPIN_NAMES['N']} N",
    "特征": "特征 F",
    "功能": "功能 F",
    "优点": "优点 A",
    "利益": "利益 B",
    "推销": "推销产品",
    "贬低对手": "贬低对手",
    "让价": "让价",
    "合规陷阱": "合规陷阱",
    "合规应对": "合规应对",
    "倾听": "倾听",
    "开场": "开场说明",
    "兑现承诺": "兑现承诺",
    "获取承诺": "获取承诺",
    "告辞": "告辞",
}
LABELS: tuple[str, ...] = tuple(LABEL_NAMES)
SPIN_LABELS: tuple[str, ...] = ("S", "P", "I", "N")
FFAB_LABELS: tuple[str, ...] = ("特征", "功能", "优点", "利益")
#: Talking about the product: before the customer states an explicit need it is a pitch too early.
PITCH_LABELS: frozenset[str] = frozenset({*FFAB_LABELS, "推销"})

#: 听 / 问 / 说 of the seed's 次序技术; a move's act defaults from its label.
ACTS: tuple[str, ...] = ("听", "问", "说")
DEFAULT_ACTS: dict[str, str] = {
    **{label: "问" for label in (*SPIN_LABELS, "获取承诺")},
    "倾听": "听",
}

ADVANCE, CONTINUATION, LOSS = "推进", "继续", "失败"
ENDING_KINDS: tuple[str, ...] = (ADVANCE, CONTINUATION, LOSS)
#: Endings the engine reaches by itself, which every scenario must define.
OUT_OF_PATIENCE, LOST_TRUST = "out_of_patience", "lost_trust"

#: The legal topics a compliance trap can touch (the YAML value and its Chinese title);
#: the debrief explains each.
LAW_TITLES: dict[str, str] = {"bribery": "商业贿赂", "trade_secret": "商业秘密"}
LAWS: tuple[str, ...] = tuple(LAW_TITLES)

MIN_LEVEL, MAX_LEVEL = 0, 10


def default_act(label: str) -> str:
    """听, 问 or 说 for a move of this label.

    >>> default_act("I"), default_act("倾听"), default_act("利益")
    ('问', '听', '说')
    """
    return DEFAULT_ACTS.get(label, "说")


# ---------------------------------------------------------------- the scenario


@dataclass(frozen=True)
class Effects:
    """What a move changes: trust and patience deltas, needs, objections."""

    trust: int = 0
    patience: int = 0
    uncovers: tuple[str, ...] = ()  # implied needs the customer now voices
    states: tuple[str, ...] = ()  # explicit needs the customer now states
    raises: tuple[str, ...] = ()  # objections raised
    resolves: tuple[str, ...] = ()  # objections answered


@dataclass(frozen=True)
class Condition:
    """When a case of a move applies; every given part must hold (an empty one always does)."""

    explicit: tuple[str, ...] = ()  # all these explicit needs stated
    implied: tuple[str, ...] = ()  # all these implied needs voiced (or stated)
    explicit_any: bool | None = None  # True: some explicit need stated; False: none yet
    trust_min: int | None = None
    trust_max: int | None = None
    objections: tuple[str, ...] = ()  # all these objections open
    no_objections: bool = False  # no objection open


@dataclass(frozen=True)
class Outcome:
    """The customer's reply (variants), the effects and where the visit goes."""

    reply: tuple[str, ...]
    effects: Effects = Effects()
    next: str | None = None
    end: str | None = None


@dataclass(frozen=True)
class Case:
    when: Condition
    outcome: Outcome


@dataclass(frozen=True)
class Option:
    """One thing the trainee can say at a node."""

    id: str
    label: str
    text: str
    act: str
    default: Outcome
    cases: tuple[Case, ...] = ()
    law: str | None = None  # for 合规陷阱: which law the debrief explains
    answers: str | None = None  # for a benefit: the explicit need it meets
    premature_reply: tuple[str, ...] = ()  # the customer's words when this pitch comes too early


@dataclass(frozen=True)
class Node:
    id: str
    say: str  # the scene as the node opens, shown as written ("张伟看了看表：“还有十分钟。”"; "" for none)
    coach: str  # what a skilled seller does here (the debrief's "what to try instead")
    options: tuple[Option, ...]

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class Need:
    id: str
    implied: str  # how the customer voices the problem
    explicit: str  # how the customer states the want


@dataclass(frozen=True)
class Ending:
    id: str
    kind: str  # 推进 / 继续 / 失败
    title: str
    explanation: str


@dataclass(frozen=True)
class Customer:
    name: str
    title: str
    role: str  # one of the six buying roles
    personality: str  # 鹰 / 驴 / 羊 / 狐
    stage: str  # relationship stage at the start of the visit
    portrait: str


@dataclass(frozen=True)
class Scenario:
    """One customer visit, read from ``kamcourse/data/roleplay/scenarios/<id>.yaml``."""

    id: str
    title: str
    summary: str
    module: int
    company: str
    product: str
    customer: Customer
    goal: str
    briefing: str
    trust: int
    patience: int
    needs: tuple[Need, ...]
    objections: Mapping[str, str]
    order_match: str
    order_miss: str
    off_script: Mapping[str, str]
    endings: Mapping[str, Ending]
    first: str
    nodes: Mapping[str, Node]
    source: str = ""

    def need(self, need_id: str) -> Need:
        return next(n for n in self.needs if n.id == need_id)


# ---------------------------------------------------------------- a visit in progress


@dataclass(frozen=True)
class Move:
    """What the trainee does in one turn: pick an option, or type a question."""

    option: str = ""
    question: str = ""

    @classmethod
    def pick(cls, option_id: str) -> Move:
        return cls(option=option_id)

    @classmethod
    def ask(cls, text: str) -> Move:
        return cls(question=text)

    @property
    def typed(self) -> bool:
        return not self.option


@dataclass(frozen=True)
class Turn:
    """One exchange: what the trainee said, how it is labelled, and the customer's reply.

    ``option`` is "" when a typed question found no move of its type at the node (the
    customer answers briefly and the visit stays where it was). ``trust``, ``patience``,
    ``implied``, ``explicit`` and ``open_objections`` are the hidden state after the turn.
    """

    number: int
    node: str
    option: str
    said: str
    typed: bool
    label: str
    act: str
    flags: tuple[str, ...]
    reply: str
    trust: int
    patience: int
    implied: tuple[str, ...]
    explicit: tuple[str, ...]
    open_objections: tuple[str, ...]
    classification: str = ""  # the classifier's reason, for a typed question
    ending: str | None = None

    @property
    def shown_label(self) -> str:
        """The label with the engine's marks, e.g. "利益 B · 过早推销"."""
        marks = [f for f in self.flags if f in SHOWN_FLAGS]
        return " · ".join([LABEL_NAMES[self.label], *marks])


# Marks the engine adds to a turn. Only some are shown beside the label.
PREMATURE = "过早推销"
TOO_MANY_S = "背景问题过多"
ORDER_MATCH = "次序对路"
ORDER_MISS = "次序不对"
OFF_SCRIPT = "没有对应的说法"
TYPED = "自己输入"
SHOWN_FLAGS: tuple[str, ...] = (PREMATURE, TOO_MANY_S, ORDER_MATCH, ORDER_MISS, OFF_SCRIPT, TYPED)


@dataclass(frozen=True)
class State:
    """The hidden state of a visit after some turns; ``ending`` is set once it is over."""

    scenario: str
    seed: int
    node: str
    trust: int
    patience: int
    implied: frozenset[str] = frozenset()
    explicit: frozenset[str] = frozenset()
    open_objections: tuple[str, ...] = ()
    raised: tuple[str, ...] = ()
    turns: tuple[Turn, ...] = field(default_factory=tuple)
    ending: str | None = None

    @property
    def ended(self) -> bool:
        return self.ending is not None

    @property
    def turn_count(self) -> int:
        return len(self.turns)
