"""Customer segmentation (客户细分攻守模型), resource allocation, Kano and Kraljic helpers.

The attack/defend model (the seed's 客户细分的攻守模型) places each customer by two numbers:
采购潜力, what the customer buys per year of the kind of product we sell (from all
suppliers), and 客户份额, our share of that (share of wallet, 0-1). The quadrant rule:

============================  ===========
high potential, low share     进攻 attack
high potential, high share    防御 defend
low potential, high share     维持 maintain
low potential, low share      放弃 give up
============================  ===========

A value equal to its cut counts as high. The cuts default to the medians of the customer
list (half the customers above, half below) and can be set by hand.

Reading of the seed: its chart puts 进攻 (猎手型, KPI 销售额) and 防御 (农夫, KPI 利润、回款、
忠诚度、满意度) in the high-potential row and 维持 / 放弃 in the low-potential row; its prose
agrees that high potential + high share is defended (防守) and that low potential + low
share may be given up, but one sentence puts 维持 at high potential + low share, which
contradicts its own chart and its "new customers are attacked". The course follows the
chart.

Kano: Kano, Seraku, Takahashi & Tsuji (1984); the evaluation table for a pair of answers
("if the product has it" / "if it lacks it") follows Berger et al. (1993), Center for
Quality Management Journal 2(4). Kraljic (1983), "Purchasing must become supply
management", Harvard Business Review 61(5): profit impact x supply risk.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from kamcourse.errors import KamcourseError
from kamcourse.tables import Column, parse_amount, parse_probability, parse_text, pick, read_table

ATTACK, DEFEND, MAINTAIN, GIVE_UP = "进攻", "防御", "维持", "放弃"
STRATEGIES: tuple[str, ...] = (ATTACK, DEFEND, MAINTAIN, GIVE_UP)

NAME_COLUMN = Column("客户", ("客户名称", "客户名", "名称", "customer", "name"))
POTENTIAL_COLUMN = Column("采购潜力", ("潜力", "年采购额", "potential"), "number")
SHARE_COLUMN = Column("我方份额", ("客户份额", "份额", "share", "share of wallet"), "probability", required=False)
SALES_COLUMN = Column("年销售额", ("销售额", "年销售", "sales", "revenue"), "number", required=False)
INDUSTRY_COLUMN = Column("行业", ("industry",), required=False)
CITY_COLUMN = Column("城市", ("city", "地区"), required=False)

#: Columns of a customer table for the segmentation matrix (share or sales must be there).
SEGMENT_COLUMNS: tuple[Column, ...] = (
    NAME_COLUMN, POTENTIAL_COLUMN, SHARE_COLUMN, SALES_COLUMN, INDUSTRY_COLUMN, CITY_COLUMN,
)


@dataclass(frozen=True)
class StrategyInfo:
    """What a quadrant means: the rule, the seed's labels, its KPI ("" where the seed gives
    none) and what to do."""

    strategy: str
    rule: str
    seed_label: str
    kpi: str
    action: str


STRATEGY_INFO: dict[str, StrategyInfo] = {
    ATTACK: StrategyInfo(
        ATTACK, "采购潜力高、我方份额低", "获取 · 猎手型", "销售额",
        "客户买得多、从我们这里买得少：投入主要资源争取份额。",
    ),
    DEFEND: StrategyInfo(
        DEFEND, "采购潜力高、我方份额高", "农夫型", "利润、回款、忠诚度、满意度",
        "已是我们的主力客户，竞争对手会来抢：守住关系、服务和回款。",
    ),
    MAINTAIN: StrategyInfo(
        MAINTAIN, "采购潜力低、我方份额高", "保留", "",
        "份额已高但量不大：用较少的资源保持现状，可交给下属或代理维护。",
    ),
    GIVE_UP: StrategyInfo(
        GIVE_UP, "采购潜力低、我方份额低", "避免侵扰", "",
        "量小、份额也小：不主动投入，以免占用开发和维护其他客户的时间。",
    ),
}


@dataclass(frozen=True)
class Segment:
    """The quadrant of one customer."""

    strategy: str
    high_potential: bool
    high_share: bool

    @property
    def rule(self) -> str:
        return STRATEGY_INFO[self.strategy].rule


@dataclass(frozen=True)
class Account:
    """One customer: purchase potential (万元/年), our share (0-1) and optional details."""

    name: str
    potential: float
    share: float
    sales: float | None = None
    industry: str = ""
    city: str = ""


@dataclass(frozen=True)
class SegmentedAccount:
    account: Account
    segment: Segment


@dataclass(frozen=True)
class StrategySummary:
    """Customers of one quadrant and their totals (万元)."""

    strategy: str
    customers: tuple[str, ...]
    potential: float
    our_sales: float
    open_potential: float

    @property
    def count(self) -> int:
        return len(self.customers)


@dataclass(frozen=True)
class Segmentation:
    """Every customer with its quadrant, the cuts used and a summary per quadrant."""

    rows: tuple[SegmentedAccount, ...]
    potential_cut: float
    share_cut: float
    potential_cut_is_median: bool
    share_cut_is_median: bool
    summary: tuple[StrategySummary, ...]

    def strategy_of(self) -> dict[str, str]:
        """Customer -> strategy."""
        return {r.account.name: r.segment.strategy for r in self.rows}

    def counts(self) -> dict[str, int]:
        return {s.strategy: s.count for s in self.summary}

    def cuts_text(self) -> str:
        """How the cuts were set, in Chinese."""
        p_src = "全部客户的中位数" if self.potential_cut_is_median else "自定"
        s_src = "全部客户的中位数" if self.share_cut_is_median else "自定"
        return (
            f"界限：采购潜力 {_fmt(self.potential_cut)} 万元（{p_src}），"
            f"我方份额 {self.share_cut:.1%}（{s_src}）；等于界限算“高”。"
        )


def _fmt(amount: float) -> str:
    return f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------- one customer


def segment(potential: object, share: object, potential_cut: object, share_cut: object) -> Segment:
    """The quadrant of a customer: high potential + low share = 进攻, high + high = 防御,
    low potential + high share = 维持, low + low = 放弃 (a value equal to its cut is high).

    >>> segment(4200, 0.10, 1250, 0.355).strategy
    '进攻'
    >>> segment(5200, "76%", 1250, 0.355).strategy
    '防御'
    >>> segment(350, 0.6, 1250, 0.355).strategy, segment(600, 0.1, 1250, 0.355).strategy
    ('维持', '放弃')
    >>> segment(1250, 0.355, 1250, 0.355).strategy
    '防御'
    >>> segment(100, 35, 1250, 0.355)
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 我方份额：应在 0 到 1 之间；35% 请写成 0.35
    """
    potential = parse_amount(potential, "采购潜力")
    share = parse_probability(share, "我方份额")
    potential_cut = parse_amount(potential_cut, "采购潜力界限")
    share_cut = parse_probability(share_cut, "份额界限")
    high_potential = potential >= potential_cut
    high_share = share >= share_cut
    if high_potential:
        strategy = DEFEND if high_share else ATTACK
    else:
        strategy = MAINTAIN if high_share else GIVE_UP
    return Segment(strategy, high_potential, high_share)


# ---------------------------------------------------------------- a customer table


def accounts_from_rows(rows: Iterable[Mapping[str, object]]) -> tuple[Account, ...]:
    """Accounts from table rows: 客户, 采购潜力 and 我方份额 (or 年销售额, to compute the share).

    >>> accounts_from_rows([{"客户": "甲", "采购潜力(万元)": "1,000", "年销售额(万元)": 250}])
    (Account(name='甲', potential=1000.0, share=0.25, sales=250.0, industry='', city=''),)
    >>> accounts_from_rows([{"客户": "甲", "采购潜力": 100}])
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 第 1 行：缺少“我方份额”（或用来计算份额的“年销售额”）
    """
    accounts: list[Account] = []
    seen: set[str] = set()
    for index, row in enumerate(rows, start=1):
        where = f"第 {index} 行"
        if not isinstance(row, Mapping):
            raise KamcourseError(where, "应包含“客户”“采购潜力”“我方份额”等列")
        name = parse_text(pick(row, NAME_COLUMN, where), f"{where}“客户”")
        if not name:
            raise KamcourseError(f"{where}“客户”", "不能为空")
        if name in seen:
            raise KamcourseError(f"客户“{name}”", "重复出现，每位客户只能有一行")
        seen.add(name)
        potential = parse_amount(pick(row, POTENTIAL_COLUMN, where), f"{where}“采购潜力”")
        raw_sales = pick(row, SALES_COLUMN)
        sales = None if _blank(raw_sales) else parse_amount(raw_sales, f"{where}“年销售额”")
        raw_share = pick(row, SHARE_COLUMN)
        if not _blank(raw_share):
            share = parse_probability(raw_share, f"{where}“我方份额”")
        elif sales is not None:
            if potential <= 0:
                raise KamcourseError(f"{where}“采购潜力”", "为 0，无法用年销售额计算份额；请直接填写“我方份额”")
            if sales > potential:
                raise KamcourseError(
                    f"{where}“年销售额”", f"（{_fmt(sales)}）大于采购潜力（{_fmt(potential)}），份额不能超过 100%"
                )
            share = sales / potential
        else:
            raise KamcourseError(where, "缺少“我方份额”（或用来计算份额的“年销售额”）")
        industry = parse_text(pick(row, INDUSTRY_COLUMN), f"{where}“行业”")
        city = parse_text(pick(row, CITY_COLUMN), f"{where}“城市”")
        accounts.append(Account(name, potential, share, sales, industry, city))
    if not accounts:
        raise KamcourseError("客户名单", "没有客户：表格里没有数据行")
    return tuple(accounts)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def segment_table(
    accounts: Sequence[Account], potential_cut: object = None, share_cut: object = None
) -> Segmentation:
    """Place every account; a cut left as None (or blank) is the median of the list.

    >>> accts = [Account("甲", 5000, 0.7), Account("乙", 4000, 0.1), Account("丙", 300, 0.6), Account("丁", 200, 0.05)]
    >>> seg = segment_table(accts)
    >>> seg.potential_cut, seg.share_cut
    (2150.0, 0.35)
    >>> seg.strategy_of()
    {'甲': '防御', '乙': '进攻', '丙': '维持', '丁': '放弃'}
    >>> segment_table(accts, potential_cut=100).counts()
    {'进攻': 2, '防御': 2, '维持': 0, '放弃': 0}
    """
    accounts = tuple(accounts)
    if not accounts:
        raise KamcourseError("客户名单", "没有客户：请至少填入一位客户")
    names = [a.name for a in accounts]
    if len(set(names)) != len(names):
        duplicate = next(n for n in names if names.count(n) > 1)
        raise KamcourseError(f"客户“{duplicate}”", "重复出现，每位客户只能有一行")
    p_median = _blank(potential_cut)
    s_median = _blank(share_cut)
    p_cut = statistics.median(a.potential for a in accounts) if p_median else parse_amount(potential_cut, "采购潜力界限")
    s_cut = statistics.median(a.share for a in accounts) if s_median else parse_probability(share_cut, "份额界限")
    p_cut, s_cut = float(p_cut), float(s_cut)
    rows = tuple(SegmentedAccount(a, segment(a.potential, a.share, p_cut, s_cut)) for a in accounts)
    summary = []
    for strategy in STRATEGIES:
        members = [r.account for r in rows if r.segment.strategy == strategy]
        summary.append(
            StrategySummary(
                strategy=strategy,
                customers=tuple(a.name for a in members),
                potential=math.fsum(a.potential for a in members),
                our_sales=math.fsum(a.potential * a.share for a in members),
                open_potential=math.fsum(a.potential * (1 - a.share) for a in members),
            )
        )
    return Segmentation(rows, p_cut, s_cut, p_median, s_median, tuple(summary))


# ---------------------------------------------------------------- resource allocation

#: Course example: resource units per customer in each quadrant (not a rule; set your own).
DEFAULT_WEIGHTS: dict[str, float] = {ATTACK: 3.0, DEFEND: 2.0, MAINTAIN: 1.0, GIVE_UP: 0.0}


@dataclass(frozen=True)
class AllocationRow:
    strategy: str
    customers: int
    weight: float
    units: float
    per_customer: float


@dataclass(frozen=True)
class Allocation:
    """A budget of resource units (time, people, money) split over the quadrants."""

    total: float
    rows: tuple[AllocationRow, ...]

    def units(self) -> dict[str, float]:
        return {r.strategy: r.units for r in self.rows}


def allocate_resources(
    counts: Mapping[str, int], weights: Mapping[str, object] | None = None, total: object = 10
) -> Allocation:
    """Split ``total`` units over the quadrants in proportion to customers x weight.

    The seed asks how a budget of 10 is spent on 进攻/防御/维持 in time, people and money;
    it gives no numbers, so the weights are inputs (the course's example: 3/2/1/0).

    >>> allocate_resources({"进攻": 2, "防御": 3, "维持": 4, "放弃": 1}).units()
    {'进攻': 3.75, '防御': 3.75, '维持': 2.5, '放弃': 0.0}
    >>> allocate_resources({"放弃": 3}).units()["放弃"]
    0.0
    """
    total = parse_amount(total, "资源总量")
    weights = dict(DEFAULT_WEIGHTS) if weights is None else dict(weights)
    parsed_weights = {s: parse_amount(weights.get(s, 0), f"“{s}”的权重") for s in STRATEGIES}
    parsed_counts = {}
    for s in STRATEGIES:
        count = counts.get(s, 0)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise KamcourseError(f"“{s}”的客户数", "应是不小于 0 的整数")
        parsed_counts[s] = count
    demand = {s: parsed_counts[s] * parsed_weights[s] for s in STRATEGIES}
    whole = math.fsum(demand.values())
    rows = []
    for s in STRATEGIES:
        units = total * demand[s] / whole if whole > 0 else 0.0
        per = units / parsed_counts[s] if parsed_counts[s] else 0.0
        rows.append(AllocationRow(s, parsed_counts[s], parsed_weights[s], units, per))
    return Allocation(total, tuple(rows))


# ---------------------------------------------------------------- sample and exercise keys


def read_accounts(data: bytes, filename: str) -> tuple[Account, ...]:
    """Accounts from an uploaded CSV/XLSX (客户, 采购潜力, and 我方份额 or 年销售额).

    >>> read_accounts("客户,采购潜力,我方份额\\n甲,1000,30%\\n".encode(), "名单.csv")[0].share
    0.3
    """
    return accounts_from_rows(read_table(data, filename, SEGMENT_COLUMNS))


def load_accounts(path: str | Path | None = None) -> tuple[Account, ...]:
    """Accounts from a CSV/XLSX path, or the sample company when ``path`` is None."""
    if path is None:
        return sample_accounts()
    file = Path(path)
    if not file.is_file():
        raise KamcourseError("客户名单文件", f"找不到文件“{path}”")
    return read_accounts(file.read_bytes(), file.name)


def sample_accounts() -> tuple[Account, ...]:
    """The sample company's customers (``data/sample/customers.csv``).

    >>> len(sample_accounts())
    20
    """
    from kamcourse.sample import load_sample

    return accounts_from_rows(load_sample("customers"))


def sample_segmentation() -> Segmentation:
    """The sample's segmentation with median cuts.

    >>> seg = sample_segmentation()
    >>> seg.potential_cut, round(seg.share_cut, 3)
    (1250.0, 0.355)
    """
    return segment_table(sample_accounts())


#: Customers placed in exercise m2/t1 (full names as in the sample).
EXERCISE_CUSTOMERS: tuple[str, ...] = (
    "上海浦江航空部件有限公司",
    "嘉兴禾兴纺织机械有限公司",
    "宁波海瑞汽车零部件有限公司",
    "马鞍山钢城冶金设备有限公司",
    "南京金陵石化装备有限公司",
    "泰州凤城食品机械有限公司",
)

_SYNONYMS = {
    ATTACK: ("进攻", "攻", "attack"),
    DEFEND: ("防御", "防守", "守", "defend", "defense", "defence"),
    MAINTAIN: ("维持", "保持", "maintain"),
    GIVE_UP: ("放弃", "弃", "give up", "giveup", "abandon"),
}


def strategy_label(text: object) -> str | None:
    """The strategy a trainee's word names, forgiving synonyms (防守 = 防御) and spaces.

    >>> strategy_label(" 防守 "), strategy_label("Attack"), strategy_label("观望")
    ('防御', '进攻', None)
    """
    word = "".join(str(text).split()).casefold()
    for strategy, names in _SYNONYMS.items():
        if word in {"".join(n.split()).casefold() for n in names}:
            return strategy
    return None


def segmentation_exercise_key() -> dict[str, str]:
    """The m2/t1 key: the strategy of each exercise customer, from the sample's median cuts.

    >>> list(segmentation_exercise_key().values())
    ['进攻', '维持', '防御', '放弃', '进攻', '维持']
    """
    placed = sample_segmentation().strategy_of()
    return {name: placed[name] for name in EXERCISE_CUSTOMERS}


def check_segmentation_answer(answer: object) -> tuple[bool, str]:
    """Checker for m2/t1: a dict customer -> 进攻/防御/维持/放弃 (synonyms forgiven).

    >>> check_segmentation_answer(segmentation_exercise_key())
    (True, '正确！6 位客户都放对了象限。')
    >>> check_segmentation_answer({"宁波海瑞汽车零部件有限公司": "观望"})[0]
    False
    """
    key = segmentation_exercise_key()
    if not isinstance(answer, Mapping):
        return False, "答案格式：请用字典填写，例如 {\"客户名称\": \"进攻\"}。"
    given: dict[str, str] = {}
    for raw_name, raw_label in answer.items():
        name = str(raw_name).strip()
        full = name if name in key else next((k for k in key if name and name in k), None)
        if full is None:
            return False, f"“{name}”不是本题的客户：请保留题目给出的客户名称。"
        if _blank(raw_label):
            continue
        label = strategy_label(raw_label)
        if label is None:
            return False, f"“{raw_label}”不是策略：只能填写 进攻、防御、维持、放弃。"
        given[full] = label
    missing = [k for k in key if k not in given]
    if len(missing) == len(key):
        return False, "还没有作答：请为每位客户填上 进攻、防御、维持 或 放弃。"
    if missing:
        return False, f"还有 {len(missing)} 位客户没有填写，例如“{missing[0]}”。"
    wrong = [k for k in key if given[k] != key[k]]
    if not wrong:
        return True, f"正确！{len(key)} 位客户都放对了象限。"
    return False, (
        f"有 {len(wrong)} 位放错了，例如“{wrong[0]}”。提示：先分别与两条界限比较——采购潜力高还是低、"
        "我方份额高还是低——再查“客户细分攻守模型”一节的四象限规则。"
    )


# ---------------------------------------------------------------- Kano

#: The five answers of a Kano questionnaire item (Berger et al. 1993), in Chinese.
KANO_ANSWERS: tuple[str, ...] = ("喜欢", "理应如此", "无所谓", "能忍受", "不喜欢")


@dataclass(frozen=True)
class KanoCategory:
    code: str
    name: str
    seed_name: str
    meaning: str


KANO_CATEGORIES: dict[str, KanoCategory] = {
    "A": KanoCategory("A", "魅力质量", "迷人质量", "有了会惊喜，没有也不会不满。"),
    "O": KanoCategory("O", "一元质量", "期望质量", "做得越好越满意，做得差就不满。"),
    "M": KanoCategory("M", "必备质量", "当然质量", "有是理所当然，没有就非常不满。"),
    "I": KanoCategory("I", "无差异质量", "", "有没有客户都不在乎。"),
    "R": KanoCategory("R", "反向质量", "", "有了客户反而不满。"),
    "Q": KanoCategory("Q", "可疑回答", "", "两个回答自相矛盾，需要再问一次。"),
}

# Rows: answer when the product HAS the feature; columns: when it LACKS it (KANO_ANSWERS order).
_KANO_TABLE: dict[str, str] = {
    "喜欢": "QAAAO",
    "理应如此": "RIIIM",
    "无所谓": "RIIIM",
    "能忍受": "RIIIM",
    "不喜欢": "RRRRQ",
}


def kano_category(functional: str, dysfunctional: str) -> KanoCategory:
    """Kano category from the answers to "if it has X?" (functional) and "if it lacks X?".

    >>> kano_category("喜欢", "无所谓").name
    '魅力质量'
    >>> kano_category("喜欢", "不喜欢").seed_name, kano_category("理应如此", "不喜欢").seed_name
    ('期望质量', '当然质量')
    >>> kano_category("很好", "不喜欢")
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 具备该功能时的回答：应是 喜欢、理应如此、无所谓、能忍受、不喜欢 之一
    """
    options = "、".join(KANO_ANSWERS)
    f = str(functional).strip()
    d = str(dysfunctional).strip()
    if f not in _KANO_TABLE:
        raise KamcourseError("具备该功能时的回答", f"应是 {options} 之一")
    if d not in KANO_ANSWERS:
        raise KamcourseError("不具备该功能时的回答", f"应是 {options} 之一")
    return KANO_CATEGORIES[_KANO_TABLE[f][KANO_ANSWERS.index(d)]]


#: Features of a measuring instrument for exercise m2/t7: (feature, if it has it, if it lacks it).
KANO_EXERCISE: tuple[tuple[str, str, str], ...] = (
    ("测量精度", "喜欢", "不喜欢"),
    ("外壳颜色可选", "无所谓", "无所谓"),
    ("免费远程诊断服务", "喜欢", "无所谓"),
    ("计量合格证书", "理应如此", "不喜欢"),
)
#: Letters of the options in exercise m2/t7.
KANO_LETTERS: dict[str, str] = {"A": "A", "O": "B", "M": "C", "I": "D"}


def kano_exercise_key() -> dict[str, str]:
    """m2/t7 key: feature -> option letter (A 迷人, B 期望, C 当然, D 无差异).

    >>> kano_exercise_key()
    {'测量精度': 'B', '外壳颜色可选': 'D', '免费远程诊断服务': 'A', '计量合格证书': 'C'}
    """
    return {feature: KANO_LETTERS[kano_category(f, d).code] for feature, f, d in KANO_EXERCISE}


# ---------------------------------------------------------------- Kraljic


@dataclass(frozen=True)
class KraljicQuadrant:
    name: str
    buyer_goal: str
    seller_tip: str


KRALJIC: dict[tuple[bool, bool], KraljicQuadrant] = {
    (True, True): KraljicQuadrant("战略产品", "长期合作、共同开发，确保供应", "争做战略伙伴：高层互访、早期介入（ESI）、共同改进"),
    (True, False): KraljicQuadrant("杠杆产品", "集中采购、招标比价，压低价格", "价格压力大：用总成本和差异化价值说话，守住份额"),
    (False, True): KraljicQuadrant("瓶颈产品", "保证供应、备货、寻找替代", "强调交期和供应保障，但别以为能长期高价——客户会找替代"),
    (False, False): KraljicQuadrant("常规产品", "简化流程、降低采购管理成本", "让下单省事：目录价、框架协议、电子下单"),
}


def kraljic(profit_impact_high: bool, supply_risk_high: bool) -> KraljicQuadrant:
    """The Kraljic quadrant of a purchase, seen from the buyer, with a tip for the seller.

    >>> kraljic(True, True).name, kraljic(True, False).name, kraljic(False, True).name, kraljic(False, False).name
    ('战略产品', '杠杆产品', '瓶颈产品', '常规产品')
    """
    return KRALJIC[(bool(profit_impact_high), bool(supply_risk_high))]


#: Purchases of a customer for exercise m2/t8: (item, profit impact high?, supply risk high?).
KRALJIC_EXERCISE: tuple[tuple[str, bool, bool], ...] = (
    ("进口测头备件", False, True),
    ("在线检测系统", True, True),
    ("游标卡尺", False, False),
    ("通用位移传感器", True, False),
)
KRALJIC_LETTERS: dict[str, str] = {"战略产品": "A", "杠杆产品": "B", "瓶颈产品": "C", "常规产品": "D"}


def kraljic_exercise_key() -> dict[str, str]:
    """m2/t8 key: item -> option letter (A 战略, B 杠杆, C 瓶颈, D 常规).

    >>> list(kraljic_exercise_key().values())
    ['C', 'A', 'D', 'B']
    """
    return {item: KRALJIC_LETTERS[kraljic(p, r).name] for item, p, r in KRALJIC_EXERCISE}
