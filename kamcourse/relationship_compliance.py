"""Module 5, section 合规: a self-check for gifts, hospitality, discounts and information.

The law: 《反不正当竞争法》 as revised on 2025-06-27, in force since 2025-10-15. Article 8
forbids giving money, property or other means to bribe the counterparty's staff, a unit or
person it entrusts, or a unit or person who uses power or influence to affect the deal, to
obtain a transaction opportunity or a competitive advantage; those who accept are liable
too; discounts and commissions are lawful only when given openly and booked truthfully by
both sides (AllBright Law Offices, 2025-07-22). Trade secrets: the same law's provisions on
商业秘密 (article number not cited; not verified for the 2025 text).

:func:`assess` is the course's own rule of thumb built on that law and on the course's
lawful model (gifts and hospitality modest, within BOTH companies' policies, open and
recorded; never cash or cash equivalents; never while a decision is being made; stricter
rules for state bodies and state-owned enterprises; never another company's confidential
information). It tells a trainee when to stop and ask; it is not legal advice, and the
notebook says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from kamcourse.errors import KamcourseError
from kamcourse.tables import parse_text

#: What the seller is about to give, arrange or take.
KINDS: tuple[str, ...] = (
    "礼品",
    "招待",
    "业务考察或培训",
    "旅游或私人行程",
    "现金或现金等价物",
    "折扣或佣金",
    "对方的保密信息",
)

#: Answers to "is it within both companies' policies?".
POLICY_ANSWERS: tuple[str, ...] = ("是", "否", "不清楚")

#: The three verdicts, mildest first.
VERDICTS: tuple[str, ...] = ("可以", "先请示", "不可以")

LAW = "《反不正当竞争法》第八条"

#: A lawful way to reach the same business goal, per kind (the course's wording).
ALTERNATIVES: dict[str, str] = {
    "礼品": "改为印有公司标志的小纪念品或一份对他工作有用的技术资料，价值在双方政策之内，事先登记",
    "招待": "改为在客户公司或我方公司的工作餐，标准按双方政策，登记在拜访记录里",
    "业务考察或培训": "把考察或培训的内容、人员和费用写进合同或书面邀请，行程只含业务内容",
    "旅游或私人行程": "邀请客户单位派人参加公开的技术交流会，或按合同安排验收和培训",
    "现金或现金等价物": "用不涉及个人利益的方式表达诚意：更好的方案、更快的服务响应",
    "折扣或佣金": "把折扣写进合同和发票，双方如实入账；佣金只付给有合同的中间人，并如实入账",
    "对方的保密信息": "请对方分享他可以分享的信息（采购流程、时间表、公开的评估标准），或请他安排你与相关负责人会面",
}


@dataclass(frozen=True)
class Gesture:
    """What the seller is about to do, described by the facts that decide whether it is lawful."""

    kind: str
    within_policies: str = "是"
    open_and_recorded: bool = True
    decision_pending: bool = False
    public_sector: bool = False


@dataclass(frozen=True)
class Assessment:
    """The verdict on one gesture, the reasons behind it and a lawful alternative."""

    verdict: str
    reasons: tuple[str, ...]
    alternative: str

    @property
    def allowed(self) -> bool:
        return self.verdict == "可以"


def _yes_no(value: object, field: str) -> bool:
    """是/否 (or a bool) as a bool.

    >>> _yes_no("是", "公开并登记"), _yes_no(False, "公开并登记")
    (True, False)
    """
    if isinstance(value, bool):
        return value
    text = parse_text(value, field).replace(" ", "")
    if text in ("是", "对", "有"):
        return True
    if text in ("否", "不", "没有", "无"):
        return False
    raise KamcourseError(field, f"“{text}” 应为 是 或 否")


def gesture(
    kind: object,
    within_policies: object = "是",
    open_and_recorded: object = True,
    decision_pending: object = False,
    public_sector: object = False,
) -> Gesture:
    """A :class:`Gesture` from the trainee's choices; errors name the field.

    >>> gesture("礼品", "不清楚", "是", "否", "是").public_sector
    True
    >>> gesture("红包")
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 做法：“红包” 不在列表中，应为 礼品、招待、业务考察或培训、旅游或私人行程、现金或现金等价物、折扣或佣金、对方的保密信息 之一
    """
    text = parse_text(kind, "做法").replace(" ", "")
    if text not in KINDS:
        raise KamcourseError("做法", f"“{text}” 不在列表中，应为 {'、'.join(KINDS)} 之一")
    policy = parse_text(within_policies, "在双方公司政策之内").replace(" ", "")
    if policy not in POLICY_ANSWERS:
        raise KamcourseError("在双方公司政策之内", f"“{policy}” 应为 {'、'.join(POLICY_ANSWERS)} 之一")
    return Gesture(
        text,
        policy,
        _yes_no(open_and_recorded, "公开并登记"),
        _yes_no(decision_pending, "客户正在做采购决定"),
        _yes_no(public_sector, "对方是国家机关或国有企业"),
    )


def assess(g: Gesture) -> Assessment:
    """The course's verdict on a gesture: 可以, 先请示 (ask compliance first) or 不可以.

    Any reason for 不可以 wins over any reason for 先请示.

    >>> assess(Gesture("礼品")).verdict
    '可以'
    >>> assess(Gesture("现金或现金等价物")).verdict
    '不可以'
    >>> assess(Gesture("招待", public_sector=True)).verdict
    '先请示'
    >>> assess(Gesture("礼品", decision_pending=True)).reasons[0]
    '客户正在做采购决定：这时送礼，看起来就是为了影响决定'
    >>> assess(Gesture("折扣或佣金", open_and_recorded=False)).verdict
    '不可以'
    >>> assess(Gesture("折扣或佣金", within_policies="否")).verdict
    '先请示'
    """
    stop: list[str] = []
    ask: list[str] = []
    kind = g.kind
    if kind == "现金或现金等价物":
        stop.append(f"现金、购物卡、礼品卡、有价证券，任何金额都不给：这是用财物换交易机会（{LAW}）")
    elif kind == "旅游或私人行程":
        stop.append(f"为客户的员工安排旅游或私人行程，是给个人的财物利益，可能构成商业贿赂（{LAW}）")
    elif kind == "对方的保密信息":
        stop.append("客户内部的预算表、竞争对手的报价是别人的保密信息：不索要、不接收、不使用（《反不正当竞争法》关于商业秘密的规定）")
    elif kind == "折扣或佣金":
        if not g.open_and_recorded:
            stop.append(f"私下的折扣或回扣是商业贿赂：折扣和佣金只能明示，并由双方如实入账（{LAW}）")
        elif g.within_policies != "是":
            ask.append("折扣或佣金超出了公司的规定，或者还不清楚：先按本公司的审批流程请示，写进合同后再给")
    else:  # 礼品, 招待, 业务考察或培训
        if g.within_policies == "否":
            stop.append("超出了双方公司政策的限额：两家公司的规定都要守")
        if not g.open_and_recorded:
            stop.append("私下给的东西说不清用途：必须公开，并在公司登记")
        if g.decision_pending:
            if kind == "礼品":
                stop.append("客户正在做采购决定：这时送礼，看起来就是为了影响决定")
            else:
                ask.append("客户正在做采购决定：招待和考察安排要先经本公司合规部门同意，并让客户单位知情")
        if g.public_sector:
            ask.append("国家机关和国有企业有更严格的规定，很多单位不接受任何礼品和宴请：先问清对方单位的规定，并经本公司合规部门同意")
        if g.within_policies == "不清楚":
            ask.append("先弄清双方公司的政策，再决定")
    if stop:
        return Assessment("不可以", tuple(stop), ALTERNATIVES[kind])
    if ask:
        return Assessment("先请示", tuple(ask), ALTERNATIVES[kind])
    if kind == "折扣或佣金":
        reason = f"明示并如实入账的折扣、佣金是合法的商业安排（{LAW}）"
        return Assessment("可以", (reason,), ALTERNATIVES[kind])
    reason = "价值适度、在双方公司政策之内、公开并已登记，也不在客户做采购决定的时候"
    return Assessment("可以", (reason,), "照做，并在客户档案或拜访记录里登记")


def assess_choices(
    kind: object,
    within_policies: object = "是",
    open_and_recorded: object = True,
    decision_pending: object = False,
    public_sector: object = False,
) -> Assessment:
    """:func:`assess` on the trainee's raw choices (what the widget calls).

    >>> assess_choices("业务考察或培训", "是", "是", "否", "否").verdict
    '可以'
    """
    return assess(gesture(kind, within_policies, open_and_recorded, decision_pending, public_sector))


# ---------------------------------------------------------------------------
# Cases for the m5 exercise (kamcourse/data/exercises/m5.yaml); keys computed by assess().

#: (what the trainee reads, the facts it states). The wording states every fact assess() uses.
EXERCISE_CASES: tuple[tuple[str, Gesture], ...] = (
    (
        "中秋节以公司名义给常州新源（民营企业）采购部寄一盒印有公司标志的月饼：价值在双方公司规定的限额内，"
        "已在礼品登记表登记；常州新源目前没有在采购",
        Gesture("礼品"),
    ),
    (
        "宁波海瑞正在评标，你想给评标组里的质量部经理送一套高档茶具，表示“一点心意”",
        Gesture("礼品", within_policies="否", decision_pending=True),
    ),
    (
        "合肥皖江重型机械（国有控股）的设备科长来访，你想请他在我方公司食堂吃一顿工作午餐，会登记；"
        "他们目前没有在采购",
        Gesture("招待", public_sector=True),
    ),
    (
        "按合同约定，请客户的两位工程师到我方工厂参加 JM-500 出厂验收和操作培训：行程只有验收和培训，"
        "费用按合同由我方承担，已书面通知客户单位并登记",
        Gesture("业务考察或培训"),
    ),
    (
        "客户的采购经理暗示：年底给他一张购物卡，下一批订单就给我们",
        Gesture("现金或现金等价物", within_policies="否", open_and_recorded=False),
    ),
    (
        "客户的向导说，可以把竞争对手的报价单拍照发给你",
        Gesture("对方的保密信息", within_policies="否", open_and_recorded=False),
    ),
)


def exercise_case_key() -> list[str]:
    """The verdict for each exercise case, in order.

    >>> exercise_case_key()
    ['可以', '不可以', '先请示', '可以', '不可以', '不可以']
    """
    return [assess(g).verdict for _, g in EXERCISE_CASES]


def exercise_case_prompts() -> list[str]:
    """The case texts, in order (the exercise's prompts).

    >>> len(exercise_case_prompts()) == len(EXERCISE_CASES)
    True
    """
    return [text for text, _ in EXERCISE_CASES]
