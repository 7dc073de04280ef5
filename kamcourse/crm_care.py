"""Module 6: caring for key accounts, measuring loyalty and its cost, complaints, reviews.

Reference data and small calculations for the sections the seed gives as prose:

- loyalty measures: 持续购买, 分享转介绍, 排斥性 (the seed's definition of 忠诚, module 1)
  and the two the seed adds for key accounts, 质量事故的承受力 and 商品的认同度;
- the cost of customer loyalty (企业为获得客户忠诚而付出的成本): the seed's exam names
  沟通费用, 行政费用, 维持费用 without defining them; the meanings here are the course's;
- the seed's care scheme (客户关系管理方案): work goals with 关键人 evaluation, the tasks
  (亲情服务, 产品推荐, 问题反馈, 个性化的服务措施) and the 客户关怀计划;
- a complaint-handling mechanism: the seed asks for a process, a team and quick, accurate
  answers; the steps are the course's;
- ARPU (average revenue per user), the operator case's measure;
- a performance review of a sales team against its targets (绩效评估).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kamcourse.errors import KamcourseError
from kamcourse.tables import parse_amount, parse_number, parse_text

# ---------------------------------------------------------------------------
# Loyalty measures (忠诚的衡量)

#: How loyalty shows, with what the seller can observe (the course's wording).
LOYALTY_MEASURES: dict[str, str] = {
    "持续购买": "一次又一次地买：续约、追加订单",
    "分享转介绍": "主动把我们介绍给同行或集团里的兄弟单位",
    "排斥性": "对竞争对手的邀约不感兴趣，不愿换供应商",
    "质量事故的承受力": "出了质量事故，只要我们处理得当，仍然继续合作",
    "商品的认同度": "认同我们的产品和品牌，在内部为我们说话、愿意做样板客户",
}


# ---------------------------------------------------------------------------
# The cost of loyalty (客户忠诚的成本)

#: The seed's three costs; meanings are the course's reading (the seed gives only names).
LOYALTY_COSTS: dict[str, str] = {
    "沟通费用": "与客户保持联系和交流的花费：拜访差旅、电话、用户交流会、资料",
    "行政费用": "管理客户关系的花费：客户档案和 CRM 系统的维护、忠诚计划的管理人员",
    "维持费用": "为留住客户提供的服务和让利：免费培训、设备检查、优先技术支持、批量折扣",
}


@dataclass(frozen=True)
class LoyaltyCost:
    """A year's cost of keeping one customer loyal, by category, and its share of gross profit."""

    by_category: tuple[tuple[str, float], ...]
    total: float
    gross_profit: float

    @property
    def share(self) -> float:
        """Total cost as a share of the customer's gross profit (0.25 = 25%)."""
        return self.total / self.gross_profit


def loyalty_cost(items: Iterable[tuple[str, str, object]], gross_profit: object) -> LoyaltyCost:
    """Sum (item, category, amount) rows per category and compare with gross profit.

    >>> c = loyalty_cost([("拜访", "沟通费用", 6), ("培训", "维持费用", 10), ("CRM", "行政费用", 4)], 80)
    >>> c.total, c.share, dict(c.by_category)["维持费用"]
    (20.0, 0.25, 10.0)
    >>> loyalty_cost([("请客", "招待费用", 5)], 80)
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 请客 的类别：“招待费用” 应为 沟通费用、行政费用、维持费用 之一
    """
    profit = parse_amount(gross_profit, "毛利")
    if profit <= 0:
        raise KamcourseError("毛利", "必须大于 0")
    totals = {name: 0.0 for name in LOYALTY_COSTS}
    for item, category, amount in items:
        label = parse_text(item, "费用项目") or "费用项目"
        kind = parse_text(category, f"{label} 的类别")
        if kind not in totals:
            raise KamcourseError(f"{label} 的类别", f"“{kind}” 应为 {'、'.join(LOYALTY_COSTS)} 之一")
        totals[kind] += parse_amount(amount, f"{label} 的金额")
    return LoyaltyCost(tuple(totals.items()), sum(totals.values()), profit)


# ---------------------------------------------------------------------------
# The care scheme (客户关系管理方案, the seed)

#: The seed's three steps of a care scheme.
CARE_PLAN_STEPS: tuple[str, ...] = (
    "制定客户关系的工作目标",
    "选择客户关系的工作任务",
    "制定客户关怀计划",
)

#: The seed's care tasks, in the course's lawful wording.
CARE_TASKS: dict[str, str] = {
    "亲情服务": "生日或节日寄贺卡、发短信；派代表参加客户单位的周年庆典；小礼品只在双方政策之内并登记",
    "产品推荐": "按各类客户群体的特征，推荐最适合他们的产品和服务",
    "问题反馈": "了解客户的反馈意见并处理，及时调整关怀计划，防止客户流失",
    "个性化的服务措施": "400 服务热线、日常技术支持、客户需求研讨、客户需求评估",
}


def key_people(contacts: Iterable, min_influence: int = 4) -> tuple[str, ...]:
    """Names of the key people (关键人) of an account: influence at least ``min_influence``.

    ``contacts`` are :class:`kamcourse.relationship.Contact` rows (module 5's map).

    >>> from kamcourse.relationship import Contact
    >>> key_people([Contact("甲", "", "决策人", 5, "约会"), Contact("乙", "", "采购", 3, "约会")])
    ('甲',)
    """
    if not 1 <= int(min_influence) <= 5:
        raise KamcourseError("关键人的影响力门槛", "应为 1 到 5 的整数")
    return tuple(c.name for c in contacts if c.influence >= min_influence)


def sample_key_people() -> tuple[str, ...]:
    """The key people at 宁波海瑞 (kamcourse/data/sample/contacts.csv).

    >>> sample_key_people()
    ('王建国', '李志强', '张伟', '刘芳')
    """
    from kamcourse.relationship import load_sample_contacts

    return key_people(load_sample_contacts())


# ---------------------------------------------------------------------------
# Complaint handling (投诉处理)

#: The course's complaint-handling steps (the seed asks for a process and a team that
#: answers quickly and accurately, explains the cause and gives a solution).
COMPLAINT_STEPS: tuple[str, ...] = (
    "受理并登记",
    "确认问题、向客户致歉",
    "调查原因",
    "提出方案、承诺时限",
    "解决并回访确认",
    "分析原因、改进流程",
)


# ---------------------------------------------------------------------------
# ARPU (the operator case)


def arpu(revenue: object, users: object) -> float:
    """Average revenue per user (每用户平均收入) = revenue / number of users.

    >>> arpu(1_200_000, 10_000)
    120.0
    >>> arpu(100, 0)
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 用户数：必须大于 0
    """
    income = parse_amount(revenue, "收入")
    count = parse_number(users, "用户数")
    if count <= 0:
        raise KamcourseError("用户数", "必须大于 0")
    return income / count


# ---------------------------------------------------------------------------
# Performance review (绩效评估)


@dataclass(frozen=True)
class Indicator:
    """One target of a sales team; ``higher_is_better`` is False for e.g. DSO."""

    name: str
    target: float
    actual: float
    higher_is_better: bool = True


@dataclass(frozen=True)
class IndicatorResult:
    indicator: Indicator
    completion: float
    met: bool


def review(indicators: Sequence[Indicator]) -> tuple[IndicatorResult, ...]:
    """Completion of each target (actual / target, or target / actual when lower is better).

    >>> [round(r.completion, 2) for r in review([Indicator("销售额", 1000, 920), Indicator("DSO", 60, 75, False)])]
    [0.92, 0.8]
    >>> [r.met for r in review([Indicator("满意度", 4.5, 4.6)])]
    [True]
    """
    results = []
    for item in indicators:
        target = parse_number(item.target, f"{item.name} 的目标")
        actual = parse_number(item.actual, f"{item.name} 的实际")
        if target <= 0 or actual <= 0:
            raise KamcourseError(item.name, "目标和实际都必须大于 0")
        completion = actual / target if item.higher_is_better else target / actual
        results.append(IndicatorResult(item, completion, completion >= 1))
    if not results:
        raise KamcourseError("绩效指标", "至少需要一个指标")
    return tuple(results)


def missed(indicators: Sequence[Indicator]) -> tuple[str, ...]:
    """Names of the targets not met.

    >>> missed([Indicator("销售额", 1000, 920), Indicator("新增机会", 10, 12)])
    ('销售额',)
    """
    return tuple(r.indicator.name for r in review(indicators) if not r.met)


# ---------------------------------------------------------------------------
# Data and keys for the m6 exercises (kamcourse/data/exercises/m6.yaml)

#: m6: one year of loyalty costs for 常州新源 (万元) and its gross profit to us (万元).
EXERCISE_LOYALTY_COST: tuple[tuple[tuple[str, str, float], ...], float] = (
    (
        ("客户经理拜访的差旅", "沟通费用", 6.0),
        ("年度用户交流会（分摊）", "沟通费用", 4.0),
        ("客户档案和 CRM 系统维护（分摊）", "行政费用", 3.0),
        ("两次免费设备检查", "维持费用", 8.0),
        ("操作人员培训", "维持费用", 5.0),
    ),
    130.0,
)

#: m6/t10: the sales team's review for one quarter (name, target, actual, higher_is_better). DSO
#: beats its target by being lower, so a trainee who reads every indicator as higher-is-better
#: gets it wrong; the inline check c7 (DSO 78 against 60) must not give this task away.
EXERCISE_REVIEW: tuple[Indicator, ...] = (
    Indicator("销售额（万元）", 1000, 1040),
    Indicator("回款：平均 DSO（天）", 60, 55, False),
    Indicator("新增销售机会（个）", 12, 11),
    Indicator("客户满意度（1～5 分）", 4.5, 4.6),
)


def exercise_loyalty_share_percent() -> float:
    """The exercise customer's loyalty cost as a percentage of gross profit.

    >>> exercise_loyalty_share_percent()
    20.0
    """
    items, profit = EXERCISE_LOYALTY_COST
    return round(loyalty_cost(items, profit).share * 100, 6)


def exercise_review_missed() -> tuple[str, ...]:
    """The indicators the exercise team missed.

    >>> exercise_review_missed()
    ('新增销售机会（个）',)
    """
    return missed(EXERCISE_REVIEW)


def exercise_review_labels() -> list[str]:
    """达标 / 没有达标 for each exercise indicator, in order.

    >>> exercise_review_labels()
    ['达标', '达标', '没有达标', '达标']
    """
    return ["达标" if r.met else "没有达标" for r in review(EXERCISE_REVIEW)]


#: m6 (投诉处理): what the service team did for 无锡锦程's complaint, shuffled; each with
#: the step of :data:`COMPLAINT_STEPS` it is.
EXERCISE_COMPLAINT: tuple[tuple[str, str], ...] = (
    ("工程师到现场查明：报告模板在软件升级后被改动了", "调查原因"),
    ("把“软件升级后核对报告模板”写进升级检查单", "分析原因、改进流程"),
    ("服务热线接到电话，在 CRM 里建了投诉单", "受理并登记"),
    ("答应客户两天内恢复原来的报告格式，并给出恢复办法", "提出方案、承诺时限"),
    ("向客户的质量经理确认问题，并为给生产带来的麻烦道歉", "确认问题、向客户致歉"),
    ("恢复后回访，客户确认交检报告已经正常", "解决并回访确认"),
)


def exercise_complaint_key() -> str:
    """The letters of the exercise's actions in the order of :data:`COMPLAINT_STEPS`.

    >>> exercise_complaint_key()
    'CEADFB'
    """
    letters = {step: "ABCDEF"[i] for i, (_, step) in enumerate(EXERCISE_COMPLAINT)}
    return "".join(letters[step] for step in COMPLAINT_STEPS)


# ---------------------------------------------------------------------------
# Worked cases in the module notebook (06_crm.ipynb states these numbers)

#: A year of loyalty costs for 宁波海瑞 (万元), the course's illustration.
SAMPLE_LOYALTY_COST: tuple[tuple[str, str, float], ...] = (
    ("客户经理和工程师的拜访", "沟通费用", 18.0),
    ("用户交流会（分摊）", "沟通费用", 7.0),
    ("客户档案和 CRM 系统维护（分摊）", "行政费用", 4.0),
    ("关怀计划的管理工作（分摊）", "行政费用", 6.0),
    ("免费设备检查与校准", "维持费用", 35.0),
    ("操作人员培训", "维持费用", 15.0),
    ("优先技术支持", "维持费用", 10.0),
)

#: The gross margin assumed for the illustration (30% of annual sales).
SAMPLE_GROSS_MARGIN = 0.30


def sample_loyalty_cost() -> LoyaltyCost:
    """宁波海瑞's loyalty cost against 30% of its 2024 sales (monthly_sales.csv).

    >>> c = sample_loyalty_cost()
    >>> c.total, round(c.gross_profit), round(c.share * 100, 1)
    (95.0, 1179, 8.1)
    """
    from kamcourse.crm import sample_annual_sales

    sales = sample_annual_sales()["宁波海瑞汽车零部件有限公司"]
    return loyalty_cost(SAMPLE_LOYALTY_COST, sales * SAMPLE_GROSS_MARGIN)


def sample_maintenance_cost() -> float:
    """The 维持费用 of the worked case (the module's inline check).

    >>> sample_maintenance_cost()
    60.0
    """
    return dict(sample_loyalty_cost().by_category)["维持费用"]


#: The operator illustration: high-value customers and monthly revenue (元) before and
#: after value-added services; the course's numbers, not China Mobile's.
SAMPLE_ARPU_CASE: tuple[int, float, float] = (2000, 300_000.0, 340_000.0)


def sample_arpu_increase() -> float:
    """ARPU after minus ARPU before, in 元.

    >>> sample_arpu_increase()
    20.0
    """
    users, before, after = SAMPLE_ARPU_CASE
    return arpu(after, users) - arpu(before, users)
