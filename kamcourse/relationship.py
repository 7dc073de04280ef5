"""Module 5: relationship stages and the relationship map of an account's contacts.

The four stages 认识 -> 约会 -> 信赖 -> 同盟 are the course's model (the seed defines 信赖
and 同盟; the four-stage ladder is common in Chinese key-account training). The buying
roles follow Miller Heiman's buying influences (决策人 = Economic Buyer, 使用者 = User
Buyer, 技术/财务把关者 and 采购 = Technical Buyers, 向导 = Coach).

``next_action`` turns one contact (stage, influence, role) into the next move; the rule
is the course's own and is spelled out in :func:`target_stage` and :func:`priority_of`.
``relationship_map`` does that for every contact of an account.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kamcourse.errors import KamcourseError
from kamcourse.sample import sample_path
from kamcourse.tables import Column, parse_number, parse_text, read_table

#: The four stages, in order.
STAGES: tuple[str, ...] = ("认识", "约会", "信赖", "同盟")

#: What each stage looks like from the customer's side (the course's wording). The seed's
#: 同盟 sign "提供客户内部资料" is read lawfully: what the contact may share (organisation,
#: process, timetable, his own requirements), never confidential papers such as an internal
#: budget sheet or a competitor's quote.
STAGE_SIGNS: dict[str, str] = {
    "认识": "知道你是谁、交换过名片，但只在工作场合、按流程接触",
    "约会": "愿意接受你的邀约，在办公室以外单独见面交流",
    "信赖": "明确而坚定地支持你个人，愿意在正式场合之外一对一地坦率交流",
    "同盟": "愿意采取行动帮你销售：牵线安排会晤，分享他可以分享的信息，决策时旗帜鲜明地支持你",
}

#: The six buying roles (Miller Heiman's buying influences, in the seed's words).
ROLES: tuple[str, ...] = ("决策人", "使用者", "技术把关者", "财务把关者", "采购", "向导")

ROLE_ALIASES: dict[str, str] = {
    "决策者": "决策人",
    "决策层": "决策人",
    "用户": "使用者",
    "使用人": "使用者",
    "技术把关": "技术把关者",
    "技术把关人": "技术把关者",
    "财务把关": "财务把关者",
    "财务把关人": "财务把关者",
    "采购人员": "采购",
    "采购员": "采购",
    "内线": "向导",
    "教练": "向导",
}

#: What each role weighs most, to aim the conversation (Miller Heiman, the seed's notes).
ROLE_FOCUS: dict[str, str] = {
    "决策人": "谈战略、投资回报和风险，安排高层拜访",
    "使用者": "谈好学好用和日常工作的改善，安排试用或培训",
    "技术把关者": "谈技术指标和方案细节，安排技术交流",
    "财务把关者": "谈投资回报、预算和付款条件，准备算账材料",
    "采购": "谈商务条款和采购流程，守住价格底线",
    "向导": "谨慎来往、不让他为难：只请他分享可以分享的信息，从不索要保密资料",
}

#: The move that takes a contact from one stage to the next (the course's wording).
STAGE_MOVES: dict[str, str] = {
    "认识": "争取一次单独见面：电话预约拜访，或邀请参加活动",
    "约会": "了解他的个人关注，兑现每一个承诺，逐步建立信任",
    "信赖": "请他出手相助：公开表态支持，牵线安排会晤",
    "同盟": "保持定期联系，保护好他，决策前确认他的支持",
}

#: The move for a contact already at (or beyond) the target stage, short of 同盟.
KEEP_MOVE = "关系已到位：定期跟进、兑现承诺，守住现有关系"

MIN_INFLUENCE, MAX_INFLUENCE = 1, 5


@dataclass(frozen=True)
class Contact:
    """One person in the customer's organisation."""

    name: str
    title: str
    role: str
    influence: int
    stage: str


@dataclass(frozen=True)
class Action:
    """The next move for one contact."""

    stage: str
    target: str
    gap: int
    priority: str
    move: str
    focus: str

    @property
    def text(self) -> str:
        """The move and the role's focus in one sentence."""
        return f"{self.move}；{self.focus}"


@dataclass(frozen=True)
class MapRow:
    """A contact with its next action."""

    contact: Contact
    action: Action


@dataclass(frozen=True)
class RelationshipMap:
    """All contacts of an account, most urgent first, with counts per stage."""

    rows: tuple[MapRow, ...]
    stage_counts: tuple[tuple[str, int], ...]

    @property
    def urgent(self) -> tuple[MapRow, ...]:
        """Contacts whose priority is 高."""
        return tuple(r for r in self.rows if r.action.priority == "高")


# ---------------------------------------------------------------------------
# Normalising single values


def normalize_stage(value: object, field: str = "关系阶段") -> str:
    """One of the four stages; "信赖阶段" and spaces are forgiven.

    >>> normalize_stage(" 信赖阶段 ")
    '信赖'
    >>> normalize_stage("朋友")
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 关系阶段：“朋友” 不是关系阶段，应为 认识、约会、信赖、同盟 之一
    """
    text = parse_text(value, field).replace(" ", "")
    if text.endswith("阶段"):
        text = text[: -len("阶段")]
    if text not in STAGES:
        shown = f"“{text}” " if text else ""
        raise KamcourseError(field, f"{shown}不是关系阶段，应为 {'、'.join(STAGES)} 之一")
    return text


def normalize_role(value: object, field: str = "角色") -> str:
    """One of the six buying roles; common synonyms (决策者, 内线 ...) are accepted.

    >>> normalize_role("内线")
    '向导'
    >>> normalize_role("技术把关")
    '技术把关者'
    >>> normalize_role("老板")
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 角色：“老板” 不是采购角色，应为 决策人、使用者、技术把关者、财务把关者、采购、向导 之一
    """
    text = parse_text(value, field).replace(" ", "")
    text = ROLE_ALIASES.get(text, text)
    if text not in ROLES:
        shown = f"“{text}” " if text else ""
        raise KamcourseError(field, f"{shown}不是采购角色，应为 {'、'.join(ROLES)} 之一")
    return text


def normalize_influence(value: object, field: str = "影响力") -> int:
    """A whole number from 1 to 5.

    >>> normalize_influence("4")
    4
    >>> normalize_influence(4.0)
    4
    >>> normalize_influence(6)
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 影响力：应为 1 到 5 的整数，收到 6
    """
    number = parse_number(value, field)
    if not number.is_integer() or not MIN_INFLUENCE <= number <= MAX_INFLUENCE:
        raise KamcourseError(field, f"应为 {MIN_INFLUENCE} 到 {MAX_INFLUENCE} 的整数，收到 {number:g}")
    return int(number)


def stage_rank(stage: str) -> int:
    """Position of a stage, 0 (认识) to 3 (同盟).

    >>> stage_rank("信赖")
    2
    """
    return STAGES.index(normalize_stage(stage))


# ---------------------------------------------------------------------------
# The rule


def target_stage(influence: int, role: str) -> str:
    """The stage the seller should reach with this contact (the course's rule).

    A 向导 is only a real coach at 同盟. Key people (influence 4-5) need at least
    信赖; the seed asks for "约会以上" with key customers before digging for needs, so
    influence 2-3 needs 约会; influence 1 needs 认识.

    >>> target_stage(5, "决策人")
    '信赖'
    >>> target_stage(3, "采购")
    '约会'
    >>> target_stage(2, "向导")
    '同盟'
    >>> target_stage(1, "使用者")
    '认识'
    """
    influence = normalize_influence(influence)
    if normalize_role(role) == "向导":
        return "同盟"
    if influence >= 4:
        return "信赖"
    if influence >= 2:
        return "约会"
    return "认识"


def priority_of(gap: int, influence: int) -> str:
    """高 when a key person (influence 4-5) is behind target; 中 when anyone else is;
    维持 when the contact is at or beyond target.

    >>> priority_of(2, 5), priority_of(1, 3), priority_of(0, 5)
    ('高', '中', '维持')
    """
    if gap <= 0:
        return "维持"
    return "高" if influence >= 4 else "中"


def next_action(stage: str, influence: int, role: str) -> Action:
    """The next move for one contact.

    Behind target: the move to the next stage. At or beyond target: keep the stage
    (at 同盟: stay in touch, protect, confirm support). The role adds its focus.

    >>> a = next_action("约会", 5, "决策人")
    >>> a.target, a.gap, a.priority
    ('信赖', 1, '高')
    >>> a.move
    '了解他的个人关注，兑现每一个承诺，逐步建立信任'
    >>> next_action("同盟", 3, "向导").priority
    '维持'
    >>> next_action("约会", 3, "采购").move
    '关系已到位：定期跟进、兑现承诺，守住现有关系'
    >>> next_action("约会", 9, "决策人")
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 影响力：应为 1 到 5 的整数，收到 9
    """
    stage = normalize_stage(stage)
    role = normalize_role(role)
    influence = normalize_influence(influence)
    target = target_stage(influence, role)
    gap = STAGES.index(target) - STAGES.index(stage)
    move = STAGE_MOVES[stage] if gap > 0 or stage == "同盟" else KEEP_MOVE
    return Action(stage, target, gap, priority_of(gap, influence), move, ROLE_FOCUS[role])


# ---------------------------------------------------------------------------
# Contacts and the map

CONTACT_COLUMNS: tuple[Column, ...] = (
    Column("姓名", ("name", "联系人")),
    Column("职位", ("title", "职务", "position"), required=False),
    Column("角色", ("role", "采购角色")),
    Column("影响力", ("influence",), "number"),
    Column("关系阶段", ("stage", "阶段")),
)

_PRIORITY_ORDER = {"高": 0, "中": 1, "维持": 2}


def parse_contacts(rows: Sequence[Mapping[str, object]], first_row: int = 2) -> tuple[Contact, ...]:
    """Contacts from table rows keyed by the column names; errors name the row.

    >>> parse_contacts([{"姓名": "王总", "职位": "总经理", "角色": "决策者", "影响力": "5", "关系阶段": "约会"}])
    (Contact(name='王总', title='总经理', role='决策人', influence=5, stage='约会'),)
    >>> parse_contacts([{"姓名": "王总", "角色": "决策人", "影响力": 5, "关系阶段": "好友"}])
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 第 2 行“关系阶段”：“好友” 不是关系阶段，应为 认识、约会、信赖、同盟 之一
    """
    contacts = []
    for number, row in enumerate(rows, start=first_row):
        name = parse_text(row.get("姓名"), f"第 {number} 行“姓名”")
        if not name:
            raise KamcourseError(f"第 {number} 行“姓名”", "不能为空")
        contacts.append(
            Contact(
                name=name,
                title=parse_text(row.get("职位"), f"第 {number} 行“职位”"),
                role=normalize_role(row.get("角色"), f"第 {number} 行“角色”"),
                influence=normalize_influence(row.get("影响力"), f"第 {number} 行“影响力”"),
                stage=normalize_stage(row.get("关系阶段"), f"第 {number} 行“关系阶段”"),
            )
        )
    if not contacts:
        raise KamcourseError("联系人", "表中没有联系人")
    return tuple(contacts)


def read_contacts(data: bytes, filename: str) -> tuple[Contact, ...]:
    """Contacts from an uploaded CSV or XLSX file (columns 姓名, 职位, 角色, 影响力, 关系阶段).

    >>> read_contacts("姓名,角色,影响力,关系阶段\\n周秘书,内线,3,同盟\\n".encode(), "c.csv")[0].role
    '向导'
    """
    return parse_contacts(read_table(data, filename, CONTACT_COLUMNS))


def load_sample_contacts() -> tuple[Contact, ...]:
    """Contacts at the sample company's key account (kamcourse/data/sample/contacts.csv).

    >>> len(load_sample_contacts()) >= 6
    True
    """
    path = sample_path("contacts")
    return read_contacts(path.read_bytes(), path.name)


def load_contacts(path: str | None = None) -> tuple[Contact, ...]:
    """Contacts from a CSV/XLSX path, or the sample account when ``path`` is None.

    >>> load_contacts(None) == load_sample_contacts()
    True
    >>> load_contacts("no/such/file.csv")
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 联系人文件：找不到文件“no/such/file.csv”
    """
    if path is None:
        return load_sample_contacts()
    from pathlib import Path

    file = Path(path)
    if not file.is_file():
        raise KamcourseError("联系人文件", f"找不到文件“{path}”")
    return read_contacts(file.read_bytes(), file.name)


def relationship_map(contacts: Iterable[Contact]) -> RelationshipMap:
    """Next action for every contact, most urgent first (priority, then influence).

    >>> m = relationship_map([Contact("甲", "", "使用者", 2, "认识"), Contact("乙", "", "决策人", 5, "约会")])
    >>> [r.contact.name for r in m.rows], [r.action.priority for r in m.rows]
    (['乙', '甲'], ['高', '中'])
    >>> dict(m.stage_counts)
    {'认识': 1, '约会': 1, '信赖': 0, '同盟': 0}
    """
    rows = [MapRow(c, next_action(c.stage, c.influence, c.role)) for c in contacts]
    if not rows:
        raise KamcourseError("联系人", "表中没有联系人")
    rows.sort(key=lambda r: (_PRIORITY_ORDER[r.action.priority], -r.contact.influence, -r.action.gap))
    counts = tuple((s, sum(1 for r in rows if r.contact.stage == s)) for s in STAGES)
    return RelationshipMap(tuple(rows), counts)


def chart_points(rmap: RelationshipMap, spread: float = 0.36) -> tuple[tuple[float, float], ...]:
    """(x, y) for each row of the map: x = stage index, y = influence, with contacts that
    share a cell spread sideways so that none hides another.

    >>> m = relationship_map([Contact("甲", "", "使用者", 2, "认识"), Contact("乙", "", "采购", 2, "认识")])
    >>> chart_points(m)
    ((-0.18, 2.0), (0.18, 2.0))
    >>> [p[0] for p in chart_points(relationship_map([Contact(str(i), "", "采购", 2, "约会") for i in range(3)]))]
    [0.64, 1.0, 1.36]
    """
    cells: dict[tuple[int, int], list[int]] = {}
    for i, row in enumerate(rmap.rows):
        cells.setdefault((STAGES.index(row.contact.stage), row.contact.influence), []).append(i)
    points: list[tuple[float, float]] = [(0.0, 0.0)] * len(rmap.rows)
    for (x, y), members in cells.items():
        n = len(members)
        step = min(spread, 0.84 / (n - 1)) if n > 1 else 0.0
        for k, i in enumerate(members):
            points[i] = (round(x + (k - (n - 1) / 2) * step, 4), float(y))
    return tuple(points)


# ---------------------------------------------------------------------------
# Buyer's process and seller's steps

#: The seller's six steps (the seed).
SELLER_STEPS: tuple[str, ...] = ("客户分析", "建立关系", "挖掘需求", "呈现价值", "获取承诺", "回收货款")

#: The buyer's process matched to the seller's steps. The seed gives 酝酿/设计/比较 with
#: their steps; 发现需求, 承诺 and 实施 complete the common six-stage buying process.
BUYER_TO_SELLER: dict[str, str] = {
    "发现需求": "客户分析",
    "酝酿": "建立关系",
    "设计": "挖掘需求",
    "比较": "呈现价值",
    "承诺": "获取承诺",
    "实施": "回收货款",
}


def seller_step_for(buyer_stage: str) -> str:
    """The seller's step that meets a stage of the buyer's process.

    >>> seller_step_for("设计")
    '挖掘需求'
    >>> seller_step_for("付款")
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 采购阶段：“付款” 不在采购流程中，应为 发现需求、酝酿、设计、比较、承诺、实施 之一
    """
    text = parse_text(buyer_stage, "采购阶段").replace(" ", "")
    if text not in BUYER_TO_SELLER:
        raise KamcourseError("采购阶段", f"“{text}” 不在采购流程中，应为 {'、'.join(BUYER_TO_SELLER)} 之一")
    return BUYER_TO_SELLER[text]


# ---------------------------------------------------------------------------
# Relationship categories of relationship marketing (关系营销的关系类别)

#: The seed's exam key: three categories (基本关系, 可靠关系, 伙伴关系; 被动关系 is not one).
SEED_CATEGORIES: tuple[str, ...] = ("基本关系", "可靠关系", "伙伴关系")

#: Kotler's five levels of relationship, lowest first, with what the seller does after the
#: sale (Kotler & Keller, Marketing Management: basic, reactive, accountable, proactive,
#: partnership). Which level fits a customer group depends on the number of customers and the
#: unit margin; the course states only the two ends that Kotler & Armstrong (Principles of
#: Marketing) give: many low-margin customers -> basic, few high-margin customers -> partnership.
#: The 3 x 3 customers-by-margin grid found in some textbooks was not verified, so it is not used.
KOTLER_LEVELS: dict[str, str] = {
    "基本型": "卖出产品后不再跟进",
    "被动型": "鼓励客户遇到问题时打电话来",
    "负责型": "卖出后不久主动回访，问产品是否符合期望，征求改进意见",
    "能动型": "不时主动联系客户，提出改进用法的建议或介绍有用的新产品",
    "伙伴型": "与客户持续合作，一起寻找让客户做得更好的办法",
}


# ---------------------------------------------------------------------------
# Keys computed for the exercises (kamcourse/data/exercises/m5.yaml)

#: Exercise m5/t2: the contact and the four choices shown in the exercise notebook.
EXERCISE_CONTACT = ("约会", 5, "决策人")
EXERCISE_CHOICES: dict[str, str] = {
    "A": STAGE_MOVES["认识"],
    "B": STAGE_MOVES["约会"],
    "C": STAGE_MOVES["信赖"],
    "D": STAGE_MOVES["同盟"],
}

#: Exercise m5/t3: four contacts of one account (name, role, influence, stage).
EXERCISE_ACCOUNT: tuple[Contact, ...] = (
    Contact("A 孙经理", "设备科长", "使用者", 3, "认识"),
    Contact("B 钱总", "总经理", "决策人", 5, "信赖"),
    Contact("C 吴总监", "技术总监", "技术把关者", 4, "约会"),
    Contact("D 郑主任", "采购主任", "采购", 2, "约会"),
)


def exercise_next_action_key() -> str:
    """Letter of the right move for the exercise contact.

    >>> exercise_next_action_key()
    'B'
    """
    move = next_action(*EXERCISE_CONTACT).move
    return next(letter for letter, text in EXERCISE_CHOICES.items() if text == move)


def exercise_most_urgent_key() -> str:
    """Letter of the contact the relationship map puts first.

    >>> exercise_most_urgent_key()
    'C'
    """
    return relationship_map(EXERCISE_ACCOUNT).rows[0].contact.name[0]


#: Exercise m5/t4 (客户怎么买，我们怎么卖): events at a customer and the buying stage each shows.
EXERCISE_BUYER_EVENTS: tuple[tuple[str, str], ...] = (
    ("三家供应商已经交了建议书和报价，客户正在逐项评估", "比较"),
    ("设备已经安装验收，进入按合同付款的环节", "实施"),
    ("苏州恒达的总经理同意更新测量设备，定下了采购时间和预算，请技术部规划方案", "酝酿"),
    ("客户选定了两家进入最后一轮，准备谈判并做决定", "承诺"),
    ("技术部正在写采购方案和技术指标，开始邀请几家供应商来交流", "设计"),
)


def exercise_buyer_event_key() -> list[str]:
    """The seller's step for each exercise event, by :func:`seller_step_for`.

    >>> exercise_buyer_event_key()
    ['呈现价值', '回收货款', '建立关系', '获取承诺', '挖掘需求']
    """
    return [seller_step_for(stage) for _, stage in EXERCISE_BUYER_EVENTS]


#: The labels the m5 exercises show for the seller's steps.
SELLER_STEP_LABELS: dict[str, str] = {
    "客户分析": "客户分析：研究公司结构和客户性格",
    "建立关系": "建立关系：和关键人建立信任",
    "挖掘需求": "挖掘需求：提问，弄清客户的明确需求",
    "呈现价值": "呈现价值：针对需求呈现方案",
    "获取承诺": "获取承诺：请客户做出采购决定",
    "回收货款": "回收货款：按合同跟进付款",
}


def exercise_buyer_event_labels() -> list[str]:
    """:func:`exercise_buyer_event_key` as the labels the exercise shows.

    >>> exercise_buyer_event_labels()[0]
    '呈现价值：针对需求呈现方案'
    """
    return [SELLER_STEP_LABELS[step] for step in exercise_buyer_event_key()]
