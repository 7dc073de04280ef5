"""The debrief after a visit: labelled transcript, counts beside Rackham's findings, needs
reached, the turn where the visit was won or lost, what to try instead, and the law.

Rackham's findings are stated only qualitatively (more, fewer, linked or not linked with
success in large sales), with the chapter of the English original (McGraw-Hill, 1988): no
percentages or ratios, because the course has verified none. Each statement below was
checked against public chapter summaries of the book; chapter titles agree in both:

- ch. 2 "Obtaining Commitment: Closing the Sale" (advances vs continuations; closing
  techniques hurt in large sales): joeyzhou.com/writings/2024-05-26 (notes, ch. 2);
  Shortform's 1-page summary (copy: github.com/Banhkun/Book-summary,
  book_md/spin-selling/1-page-summary.md); thesalesblog.com (2010-01-11, the definitions).
- ch. 4 "The SPIN Strategy" (S not linked to success, fewer in successful calls, overuse
  annoys; P predicts success in small sales, not by itself in large ones, too few from the
  less experienced; I and N contribute strongly to success in large sales; N lets the
  customer state the benefits): Shortform's ch. 4 summary (same copy,
  book_md/spin-selling/chapter-4.md) and 1-page summary.
- ch. 5 "Giving Benefits in Major Sales" (features about neutral, slightly negative early
  in large sales; benefits matter only of the right type): supersummary.com/spin-selling,
  "Chapters 5-6" summary.
- ch. 6 "Preventing Objections" (features raise price concerns; advantages help in small
  sales, less as sales grow, and draw objections when given at the wrong time; benefits
  that meet explicit needs draw support; objections are mostly caused by the seller, the
  experienced prevent them): Shortform's ch. 6 summary (same copy, chapter-6.md);
  zaro.info "What happened in chapter 6 of SPIN Selling".
- ch. 7 "Preliminaries: Opening the Call" (the opening matters least in large sales):
  supersummary.com/spin-selling/chapter-7-appendix-a-summary; Shortform's 1-page summary.

The research base (about 35,000 calls over 12 years) and "only explicit needs predict
success in large sales" are from the course's verified domain reference (SPIN, §3). 功能 (the seed's FFAB
layer), price concessions, listening, running down a competitor and compliance are not
part of his research and say so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from kamcourse.errors import KamcourseError
from kamcourse.roleplay.model import (
    ADVANCE,
    FFAB_LABELS,
    LOSS,
    LABEL_NAMES,
    LABELS,
    LAW_TITLES,
    OFF_SCRIPT,
    ORDER_MISS,
    PREMATURE,
    SPIN_LABELS,
    TOO_MANY_S,
    Ending,
    Scenario,
    State,
    Turn,
)
from kamcourse.spin import ORDER_ADVICE, ORDERS

SOURCE = (
    "尼尔·雷克汉姆（Neil Rackham）《销售巨人》（英文原名 SPIN Selling，1988 年），"
    "依据约 35,000 次销售拜访、历时 12 年的研究。各条后面的“第几章”是英文原版的章节；"
    "这里只转述研究结论的方向（多还是少、与成功有没有关系），不引用具体的百分比。"
)
#: What 《销售巨人》 reports about each kind of move in successful large-sale calls
#: (sources: the module docstring); labels outside his research say so.
FINDINGS: dict[str, str] = {
    "S": "与成功没有正相关：成功的拜访里背景问题较少，新手比老手问得多，问多了客户会厌烦（第 4 章）。",
    "P": "在小订单中与成功关系密切；在大订单中它只是起点，要接着问暗示问题，经验不足的销售员往往问得太少（第 4 章）。",
    "I": "与大订单的成功关系密切：它让客户感到问题更大、更急，解决方案也就更值（第 4 章）。",
    "N": "与大订单的成功关系密切：它让客户自己说出利益（第 4 章）。",
    "特征": "对成败影响不大，大订单中讲得太早略有负面作用；特征讲得多，客户会更在意价格（第 5、6 章）。",
    "功能": "“功能”是讲义在 FAB 之上加的一层，《销售巨人》没有单独研究它。",
    "优点": "在小订单中有帮助，订单越大作用越小；客户还没有说出明确需求时讲优点，容易引来异议（第 5、6 章）。",
    "利益": "回应客户明确需求的利益与大订单的成功关系密切，客户的反应多是支持和认可（第 5、6 章）。",
    "推销": "介绍产品本身不是错，关键在时机：客户说出明确需求之后，用利益回应他的原话（第 6 章）。",
    PREMATURE: "异议多半是销售员自己引出来的：需求还没有发展好就给方案，异议就多；有经验的销售员预防异议，而不是处理异议（第 6 章）。",
    "获取承诺": "成功的销售员争取“推进”（客户的具体行动），不满足于“继续”；大订单中施压式的成交技巧反而有害（第 2 章）。",
    "开场": "在大订单中，开场对拜访成败的影响比通常认为的小（第 7 章）。本课程的做法：简短说明来意，尽快开始提问。",
    "兑现承诺": "《销售巨人》没有研究关系阶段。讲义：真诚、可靠，决不食言（模块五）。",
    "倾听": "《销售巨人》没有单独统计倾听；本课程的“听问说”次序来自讲义。",
    "贬低对手": "《销售巨人》没有研究。讲义：保持冷静的头脑，尊重客户，不轻视对手；本课程的做法是不贬低对手，用事实和客户自己的评估标准说话（模块五）。",
    "让价": "《销售巨人》没有统计让价。讲义：价格决不是唯一重要的因素。合法的让价要写进合同、双方如实入账。",
    "合规陷阱": "不是销售技巧问题，而是法律问题：见下方的法律说明。",
    "合规应对": "不是《销售巨人》的研究内容：守住法律和双方公司的规定，才有长期的生意。",
    "告辞": "没有请客户做出具体的承诺，拜访的结果就是“继续”（第 2 章对“继续”的定义）。",
}
#: What to try instead, for each mark the engine leaves on a turn.
ADVICE: dict[str, str] = {
    "合规陷阱": "任何时候都不送超出规定的礼品、不给回扣、不索要别家的报价或客户内部的资料；把精力放在客户的问题上。",
    PREMATURE: "先别介绍产品：用难点问题找出隐含需求，用暗示问题放大它，等客户自己说出明确需求，再用利益回应他的原话。",
    "让价": "先弄清客户真正在意什么、让他看到价值，再谈价格；要让步，也换取客户的承诺，并写进合同、双方如实入账。",
    "贬低对手": "客户提到竞争对手时，不慌，也不说对手的坏话：先问清客户为什么动摇，再用事实和写进合同的承诺回应客户的不满。",
    TOO_MANY_S: "背景问题只问必要的几个，能事先查到的（CRM、公开资料）就不要在拜访中问，尽快转到难点问题。",
    ORDER_MISS: "",  # filled per customer type, see _order_advice
    OFF_SCRIPT: "这里没有对应的提问，客户只简单答了一句。想想此刻客户最需要哪一类问题。",
    "告辞": "拜访结束前请客户做一个具体的承诺（时间、人、下一步），不要只说“有需要再联系”。",
    "获取承诺": "请客户做的承诺，要是他能做、也愿意做的下一步（试测、会谈、对账）；施压、要挟只会把客户推开。",
}
#: The law behind each compliance trap (binding course text).
LAW_TEXT: dict[str, str] = {
    "bribery": (
        "《反不正当竞争法》（2025 年 6 月 27 日修订，2025 年 10 月 15 日起施行）第八条大意：经营者不得用财物或者其他手段，"
        "贿赂交易相对方的工作人员、受交易相对方委托办理相关事务的单位或者个人、利用职权或者影响力影响交易的单位或者个人，"
        "以谋取交易机会或者竞争优势；这些单位和个人也不得收受贿赂。给对方折扣、给中间人佣金，必须明示，双方都要如实入账。"
        "情节严重的，单位最高可罚 500 万元；法定代表人、主要负责人和直接责任人员，以及收受贿赂的个人，最高可罚 100 万元。"
        "合规的做法：礼品和招待价值不高、符合双方公司的规定、登记在案、公开透明；与国家机关和国有企业打交道，规定更严。"
    ),
    "trade_secret": (
        "别家的报价、客户内部的预算表和付款计划，是对方公司的保密信息，可能构成商业秘密。"
        "《反不正当竞争法》关于商业秘密的规定，禁止以不正当手段获取他人的商业秘密，"
        "也禁止引诱、帮助他人违反保密义务去获取、披露、使用。向客户索要，就是请他违反对公司的保密义务。"
        "向导要靠你的谨慎、靠从不索要保密信息来保护。"
        "合规的做法：用公开信息和客户愿意告诉你的需求来准备方案。"
    ),
}
# When several marks are on a losing path, the first kind in this list is the turning point.
_LOSS_PRIORITY: tuple[str, ...] = ("合规陷阱", "贬低对手", PREMATURE, "让价", TOO_MANY_S, ORDER_MISS, OFF_SCRIPT)


@dataclass(frozen=True)
class CountRow:
    """How often one kind of move was used, beside what 《销售巨人》 found."""

    label: str
    name: str
    count: int
    finding: str


@dataclass(frozen=True)
class Point:
    """The hidden state after a turn (turn 0 is the start), for the chart."""

    turn: int
    trust: int
    patience: int
    implied: int
    explicit: int


@dataclass(frozen=True)
class Debrief:
    scenario: str
    title: str
    customer: str
    ending: Ending
    turns: tuple[Turn, ...]
    counts: tuple[CountRow, ...]
    implied: tuple[str, ...]  # implied needs voiced (customer's words)
    explicit: tuple[str, ...]  # explicit needs stated (customer's words)
    needs_total: int
    key_turn: int
    key_reason: str
    advice: tuple[str, ...]
    laws: tuple[tuple[str, str], ...]  # (title, text) for each trap played
    series: tuple[Point, ...]
    order: str  # the questioning order for this customer's type

    def count(self, label: str) -> int:
        return next((row.count for row in self.counts if row.label == label), 0)


def _marks(turn: Turn) -> set[str]:
    return {turn.label, *turn.flags}


def _order_advice(scenario: Scenario) -> str:
    kind = scenario.customer.personality
    order = ORDERS[kind]
    return f"{scenario.customer.name}是{kind}型，用“{order}”——{ORDER_ADVICE[order]}"


def ended_by_move(scenario: Scenario, state: State) -> bool:
    """Whether the last move itself ended the visit (its ``end``), rather than trust or
    patience running out.

    >>> from kamcourse.roleplay.engine import play
    >>> from kamcourse.roleplay.scenario import load_scenario
    >>> sc = load_scenario("liufang_receivables")
    >>> ended_by_move(sc, play(sc, ["threaten_early"]))
    True
    """
    if not state.turns or not state.turns[-1].option:
        return False
    last = state.turns[-1]
    option = scenario.nodes[last.node].option(last.option)
    return option is not None and any(
        outcome.end == state.ending for outcome in (option.default, *(case.outcome for case in option.cases))
    )


def key_turn(scenario: Scenario, state: State) -> tuple[int, str]:
    """The turn where the visit was won or lost, and why (1-based).

    A win turns on the last explicit need the customer stated. A loss that the last move
    caused by itself (a trap, a threat, running down a competitor) turns on that move;
    otherwise on the first turn with the gravest mark (:data:`_LOSS_PRIORITY`).
    """
    turns = state.turns
    ending = scenario.endings[state.ending or ""]
    if ending.kind == ADVANCE:
        before = [frozenset()] + [frozenset(t.explicit) for t in turns[:-1]]
        stated = [(t, set(t.explicit) - b) for t, b in zip(turns, before) if set(t.explicit) - b]
        if stated:
            turn, new = stated[-1]
            need = next(n.explicit for n in scenario.needs if n.id in new)
            return turn.number, f"客户说出了明确需求：“{need}”此后的推进都建立在这句话上。"
        gains = [(t.trust - (turns[i - 1].trust if i else scenario.trust), -t.number) for i, t in enumerate(turns)]
        best = -max(gains)[1]
        return best, "这一轮赢得了客户最多的信任。"
    if ending.kind == LOSS and ended_by_move(scenario, state):
        last = turns[-1]
        mark = next((m for m in _LOSS_PRIORITY if m in _marks(last)), last.label)
        advice = ADVICE.get(mark) or ADVICE.get(last.label) or ""
        return last.number, f"{last.shown_label}：这句话直接结束了拜访（{ending.title}）。{advice}"
    for mark in _LOSS_PRIORITY:
        marked = [t for t in turns if mark in _marks(t)]
        if marked:
            turn = marked[0]
            return turn.number, f"{turn.shown_label}：{ADVICE[mark] or _order_advice(scenario)}"
    last = turns[-1]
    if not last.explicit:
        return last.number, "到最后客户也没有说出明确需求，请求承诺时客户没有理由答应。"
    return last.number, "客户说出了需求，但对你的信任还不够，没有答应具体的下一步。"


def debrief(scenario: Scenario, state: State) -> Debrief:
    """The debrief of a finished visit.

    >>> from kamcourse.roleplay.engine import play
    >>> from kamcourse.roleplay.scenario import load_scenario
    >>> sc = load_scenario("haerui_first_article")
    >>> d = debrief(sc, play(sc, ["agenda", "ask_wait", "implication_wait", "payoff_wait", "benefit_wait", "propose_trial"]))
    >>> d.ending.kind, d.key_turn, d.count("P"), d.count("I"), d.explicit
    ('推进', 4, 1, 1, ('首件检测必须压到 10 分钟以内。',))
    """
    if not state.ended or state.scenario != scenario.id:
        raise KamcourseError("复盘", "拜访还没有结束，结束后才能复盘")
    turns = state.turns
    labels = Counter(t.label for t in turns)
    premature = sum(PREMATURE in t.flags for t in turns)
    rows = []
    for label in LABELS:
        if labels[label] or label in SPIN_LABELS or label in FFAB_LABELS:
            rows.append(CountRow(label, LABEL_NAMES[label], labels[label], FINDINGS[label]))
        if label == "推销":
            rows.append(CountRow(PREMATURE, PREMATURE, premature, FINDINGS[PREMATURE]))
    number, reason = key_turn(scenario, state)
    key = turns[number - 1]
    advice = [scenario.nodes[key.node].coach]
    marks = set().union(*(_marks(t) for t in turns)) if turns else set()
    for mark in _LOSS_PRIORITY + ("告辞",):
        if mark in marks:
            advice.append(ADVICE[mark] or _order_advice(scenario))
    ending = scenario.endings[state.ending or ""]
    if ending.kind == LOSS and turns[-1].label == "获取承诺" and ended_by_move(scenario, state):
        advice.append(ADVICE["获取承诺"])  # a threat or a pressure close ended the visit
    if not state.explicit:
        advice.append("这次客户没有说出明确需求，而《销售巨人》发现，大订单中只有明确需求能预示成功：用难点问题找出隐含需求，用暗示问题放大它，再用需求-效益问题请客户自己说出明确需求。")
    laws = []
    for turn in turns:
        if turn.label == "合规陷阱":
            option = scenario.nodes[turn.node].option(turn.option)
            if option and option.law and (LAW_TITLES[option.law], LAW_TEXT[option.law]) not in laws:
                laws.append((LAW_TITLES[option.law], LAW_TEXT[option.law]))
    series = [Point(0, scenario.trust, scenario.patience, 0, 0)]
    series += [Point(t.number, t.trust, t.patience, len(t.implied), len(t.explicit)) for t in turns]
    return Debrief(
        scenario=scenario.id,
        title=scenario.title,
        customer=scenario.customer.name,
        ending=scenario.endings[state.ending or ""],
        turns=turns,
        counts=tuple(rows),
        implied=tuple(n.implied for n in scenario.needs if n.id in state.implied),
        explicit=tuple(n.explicit for n in scenario.needs if n.id in state.explicit),
        needs_total=len(scenario.needs),
        key_turn=number,
        key_reason=reason,
        advice=tuple(dict.fromkeys(a for a in advice if a)),
        laws=tuple(laws),
        series=tuple(series),
        order=ORDERS[scenario.customer.personality],
    )


def transcript_lines(turns: tuple[Turn, ...], customer: str) -> list[str]:
    """The labelled transcript as plain lines."""
    lines = []
    for turn in turns:
        lines.append(f"{turn.number}. 【{turn.shown_label}】你：{turn.said}")
        if turn.classification:
            lines.append(f"   （分类：{turn.classification}）")
        lines.append(f"   {customer}：{turn.reply}")
    return lines


def debrief_text(d: Debrief) -> str:
    """The debrief as plain text (for the report, the terminal and saved files)."""
    lines = [f"{d.title}——结局：{d.ending.kind}（{d.ending.title}）", d.ending.explanation, "", "对话记录："]
    lines += transcript_lines(d.turns, d.customer)
    lines += ["", "各类说法的次数，对照《销售巨人》对成功的大订单拜访的研究："]
    lines += [f"- {row.name}：{row.count} 次。{row.finding}" for row in d.counts]
    lines += [
        "",
        f"需求：客户说出了 {len(d.implied)}/{d.needs_total} 项隐含需求、{len(d.explicit)}/{d.needs_total} 项明确需求。",
    ]
    lines += [f"- 明确需求：“{text}”" for text in d.explicit]
    lines += [f"- 隐含需求：“{text}”" for text in d.implied]
    verb = "赢在" if d.ending.kind == ADVANCE else "关键在"
    lines += ["", f"{verb}第 {d.key_turn} 轮：{d.key_reason}", "", "下次可以这样做："]
    lines += [f"- {text}" for text in d.advice]
    for title, text in d.laws:
        lines += ["", f"法律说明（{title}）：{text}"]
    lines += ["", f"出处：{SOURCE}"]
    return "\n".join(lines)
