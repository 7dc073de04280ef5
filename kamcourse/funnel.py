"""Sales funnel (销售漏斗): weighted forecast, sales progress and the quota gap.

销售预计 (weighted forecast) = sum over open opportunities of amount x stage win-probability,
as in Chanjet CRM's 加权金额 = 机会金额 x 阶段成功率, e.g. 7,000 x 80% = 5,600
(ask.changjet.cn/?q-453.html). Stage names and probabilities are set per company, so they
are inputs; :data:`DEFAULT_STAGES` are only sensible defaults.

销售进展 (the seed's indicator) = [(本周销售预计 - 上周销售预计) + (本周累计销售额 - 上周累计销售额)]
/ 本季度的销售任务: how fast the funnel turns into orders, as a share of the quarter's quota.

漏斗外销售额: orders below a size threshold are kept out of the funnel to save data entry, and
the seed says both formulas "要进行适当的修改". No public source gives the exact formula; the
course's adjustment is: forecast = funnel-weighted amount + expected off-funnel sales, and
progress adds the off-funnel sales booked this week (see :func:`sales_progress`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kamcourse.errors import KamcourseError
from kamcourse.tables import Column, parse_amount, parse_number, parse_probability, parse_text, pick


def _name(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise KamcourseError(field, "应是文字")
    name = value.strip()
    if not name:
        raise KamcourseError(field, "不能为空")
    return name


@dataclass(frozen=True)
class Stage:
    """A funnel stage and its win probability (0..1, not a percentage).

    >>> Stage("商务谈判", 0.75)
    Stage(name='商务谈判', probability=0.75)
    >>> Stage("商务谈判", 75)
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 阶段“商务谈判”的赢率：应在 0 到 1 之间；75% 请写成 0.75
    """

    name: str
    probability: float

    def __post_init__(self) -> None:
        name = _name(self.name, "阶段名称")
        object.__setattr__(self, "name", name)
        object.__setattr__(
            self, "probability", parse_probability(self.probability, f"阶段“{name}”的赢率")
        )


@dataclass(frozen=True)
class Opportunity:
    """An open sales opportunity (销售机会): name, amount and current stage.

    >>> Opportunity("数控机床改造", "12.5", "方案呈现").amount
    12.5
    """

    name: str
    amount: float
    stage: str

    def __post_init__(self) -> None:
        name = _name(self.name, "机会名称")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "amount", parse_amount(self.amount, f"机会“{name}”的金额"))
        object.__setattr__(self, "stage", _name(self.stage, f"机会“{name}”的阶段"))


# Defaults only: every company sets its own stages and win rates (domain.md section 2).
# The weighting follows Chanjet CRM: 加权金额 = 机会金额 x 阶段成功率, 7,000 x 80% = 5,600.
DEFAULT_STAGES: tuple[Stage, ...] = (
    Stage("初步接触", 0.10),
    Stage("需求确认", 0.25),
    Stage("方案呈现", 0.50),
    Stage("商务谈判", 0.75),
    Stage("赢单待签", 0.90),
)

OPPORTUNITY_COLUMNS: tuple[Column, ...] = (
    Column("机会名称", ("name", "opportunity", "机会", "销售机会"), "text"),
    Column("金额", ("amount", "机会金额", "预计金额"), "number"),
    Column("阶段", ("stage", "销售阶段"), "text"),
)

STAGE_COLUMNS: tuple[Column, ...] = (
    Column("阶段", ("stage", "销售阶段", "阶段名称"), "text"),
    Column("赢率", ("probability", "win rate", "成功率", "阶段成功率", "赢单率"), "probability"),
)


@dataclass(frozen=True)
class StageTotal:
    """Totals of one stage: number of funnel opportunities, amount and weighted amount."""

    stage: str
    probability: float
    count: int
    amount: float
    weighted: float


@dataclass(frozen=True)
class Forecast:
    """Result of :func:`weighted_forecast`; ``total`` is 销售预计."""

    funnel_weighted: float
    off_funnel_expected: float
    total: float
    threshold: float
    by_stage: tuple[StageTotal, ...]
    below_threshold: tuple[Opportunity, ...]

    def summary(self) -> str:
        """One Chinese sentence for the page.

        >>> weighted_forecast([Opportunity("A", 7000, "赢单待签")], off_funnel_expected=100).summary()
        '销售预计 = 漏斗内加权金额 6,300.0 + 漏斗外预计销售额 100.0 = 6,400.0'
        """
        text = (
            f"销售预计 = 漏斗内加权金额 {self.funnel_weighted:,.1f}"
            f" + 漏斗外预计销售额 {self.off_funnel_expected:,.1f} = {self.total:,.1f}"
        )
        if self.below_threshold:
            text += (
                f"；另有 {len(self.below_threshold)} 个机会低于门槛 {self.threshold:,.1f}，"
                "不计入漏斗（归入漏斗外销售额）"
            )
        return text


def check_stages(stages: Iterable[Stage]) -> tuple[Stage, ...]:
    """Stages as a tuple, refusing an empty list and duplicate names.

    >>> len(check_stages(DEFAULT_STAGES))
    5
    >>> check_stages([Stage("A", 0.1), Stage("A", 0.2)])
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 阶段“A”：名称重复，每个阶段只能出现一次
    """
    try:
        result = tuple(stages)
    except TypeError:
        raise KamcourseError("销售阶段", "应是阶段的列表") from None
    if not result:
        raise KamcourseError("销售阶段", "至少需要一个阶段")
    seen: set[str] = set()
    for stage in result:
        if not isinstance(stage, Stage):
            raise KamcourseError("销售阶段", "每一项都应是一个阶段（名称和赢率）")
        if stage.name in seen:
            raise KamcourseError(f"阶段“{stage.name}”", "名称重复，每个阶段只能出现一次")
        seen.add(stage.name)
    return result


def weighted_forecast(
    opportunities: Iterable[Opportunity],
    stages: Sequence[Stage] = DEFAULT_STAGES,
    off_funnel_expected: object = 0.0,
    threshold: object = 0.0,
) -> Forecast:
    """销售预计: sum of amount x stage probability, plus expected off-funnel sales.

    Opportunities with ``amount >= threshold`` are in the funnel; smaller ones (漏斗外销售额)
    are left out and listed in ``below_threshold``; their expected sales enter only through
    ``off_funnel_expected``. ``total = funnel_weighted + off_funnel_expected`` is the
    course's adjustment for off-funnel sales: the seed only says the formula must be
    adapted, and no public source gives the exact formula. Weighting as in Chanjet CRM:
    7,000 x 80% = 5,600.

    >>> weighted_forecast([Opportunity("A", 7000, "签约")], [Stage("签约", 0.8)]).total
    5600.0
    >>> f = weighted_forecast([Opportunity("A", 20, "商务谈判"), Opportunity("B", 3, "初步接触")],
    ...                       off_funnel_expected=4, threshold=5)
    >>> f.funnel_weighted, f.total, [o.name for o in f.below_threshold]
    (15.0, 19.0, ['B'])
    >>> weighted_forecast([Opportunity("C", 1, "已报价")])
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 机会“C”的阶段：“已报价”不是已设定的阶段（可选：初步接触、需求确认、方案呈现、商务谈判、赢单待签）
    """
    checked = check_stages(stages)
    expected = parse_amount(off_funnel_expected, "漏斗外预计销售额")
    cutoff = parse_amount(threshold, "漏斗门槛金额")
    by_name = {stage.name: stage for stage in checked}
    try:
        items = list(opportunities)
    except TypeError:
        raise KamcourseError("销售机会", "应是销售机会的列表") from None
    funnel: dict[str, list[Opportunity]] = {stage.name: [] for stage in checked}
    below: list[Opportunity] = []
    for opportunity in items:
        if not isinstance(opportunity, Opportunity):
            raise KamcourseError("销售机会", "每一项都应是一个销售机会（名称、金额、阶段）")
        if opportunity.stage not in by_name:
            choices = "、".join(by_name)
            raise KamcourseError(
                f"机会“{opportunity.name}”的阶段",
                f"“{opportunity.stage}”不是已设定的阶段（可选：{choices}）",
            )
        if opportunity.amount < cutoff:
            below.append(opportunity)
        else:
            funnel[opportunity.stage].append(opportunity)
    totals = tuple(
        StageTotal(
            stage=stage.name,
            probability=stage.probability,
            count=len(funnel[stage.name]),
            amount=math.fsum(o.amount for o in funnel[stage.name]),
            weighted=math.fsum(o.amount * stage.probability for o in funnel[stage.name]),
        )
        for stage in checked
    )
    weighted = math.fsum(o.amount * by_name[o.stage].probability for os in funnel.values() for o in os)
    return Forecast(
        funnel_weighted=weighted,
        off_funnel_expected=expected,
        total=weighted + expected,
        threshold=cutoff,
        by_stage=totals,
        below_threshold=tuple(below),
    )


@dataclass(frozen=True)
class Progress:
    """Result of :func:`sales_progress`; ``progress`` is a share of the quota (0.12 = 12%)."""

    progress: float
    forecast_change: float
    booked_change: float
    off_funnel_booked: float
    quarter_quota: float

    def summary(self) -> str:
        """One Chinese sentence, percentages with one decimal.

        >>> sales_progress(130, 100, 60, 40, 500, off_funnel_booked=10).summary()
        '本周销售进展 12.0%：销售预计变化 +30.0，累计销售额（漏斗内）变化 +20.0，漏斗外成交 +10.0，合计 +60.0，占本季度销售任务 500.0 的 12.0%'
        """
        moved = self.forecast_change + self.booked_change + self.off_funnel_booked
        return (
            f"本周销售进展 {self.progress:.1%}：销售预计变化 {self.forecast_change:+,.1f}，"
            f"累计销售额（漏斗内）变化 {self.booked_change:+,.1f}，"
            f"漏斗外成交 {self.off_funnel_booked:+,.1f}，合计 {moved:+,.1f}，"
            f"占本季度销售任务 {self.quarter_quota:,.1f} 的 {self.progress:.1%}"
        )


def _quota(value: object) -> float:
    quota = parse_number(value, "本季度销售任务")
    if quota <= 0:
        raise KamcourseError("本季度销售任务", "必须大于 0")
    return quota


def sales_progress(
    forecast_this_week: object,
    forecast_last_week: object,
    booked_this_week: object,
    booked_last_week: object,
    quarter_quota: object,
    off_funnel_booked: object = 0.0,
) -> Progress:
    """销售进展 = [(本周销售预计 - 上周销售预计) + (本周累计销售额 - 上周累计销售额)
    + 本周漏斗外成交额] / 本季度销售任务 (the seed's indicator plus the course's adjustment).

    Convention: 累计销售额 (booked to date this quarter) counts funnel orders only; orders
    below the funnel threshold booked this week are passed separately as
    ``off_funnel_booked`` and added once. The result can be negative when the forecast
    shrinks (lost opportunities).

    >>> sales_progress(130, 100, 60, 40, 500).progress
    0.1
    >>> sales_progress(130, 100, 60, 40, 0)
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 本季度销售任务：必须大于 0
    """
    this_forecast = parse_amount(forecast_this_week, "本周销售预计")
    last_forecast = parse_amount(forecast_last_week, "上周销售预计")
    this_booked = parse_amount(booked_this_week, "本周累计销售额")
    last_booked = parse_amount(booked_last_week, "上周累计销售额")
    quota = _quota(quarter_quota)
    off = parse_amount(off_funnel_booked, "本周漏斗外成交额")
    forecast_change = this_forecast - last_forecast
    booked_change = this_booked - last_booked
    return Progress(
        progress=(forecast_change + booked_change + off) / quota,
        forecast_change=forecast_change,
        booked_change=booked_change,
        off_funnel_booked=off,
        quarter_quota=quota,
    )


@dataclass(frozen=True)
class QuotaGap:
    """Result of :func:`forecast_gap`; ``gap > 0`` is a shortfall."""

    quarter_quota: float
    booked_to_date: float
    remaining_quota: float
    forecast: float
    gap: float
    covered: bool

    def summary(self) -> str:
        """Chinese advice for the page.

        >>> forecast_gap(300, 1000, 500).summary()
        '剩余任务 500.0（季度任务 1,000.0 − 已完成 500.0），销售预计 300.0，缺口 200.0：需要开发更多销售机会'
        """
        head = (
            f"剩余任务 {self.remaining_quota:,.1f}（季度任务 {self.quarter_quota:,.1f}"
            f" − 已完成 {self.booked_to_date:,.1f}），销售预计 {self.forecast:,.1f}"
        )
        if self.covered:
            return f"{head}，可以覆盖剩余任务（富余 {-self.gap:,.1f}）：继续推进现有机会"
        return f"{head}，缺口 {self.gap:,.1f}：需要开发更多销售机会"


def forecast_gap(forecast: object, quarter_quota: object, booked_to_date: object) -> QuotaGap:
    """Compare 销售预计 with the quota still to make this quarter.

    If the forecast is below the remaining quota the seller must find more opportunities
    (bonssl.cn mirror of a 2017 article on funnel indicators, domain.md section 2). The
    remaining quota is floored at 0 once the quarter's quota is met.

    >>> g = forecast_gap(300, 1000, 500)
    >>> g.remaining_quota, g.gap, g.covered
    (500.0, 200.0, False)
    >>> forecast_gap(300, 1000, 1200).remaining_quota
    0.0
    """
    predicted = parse_amount(forecast, "销售预计")
    quota = _quota(quarter_quota)
    booked = parse_amount(booked_to_date, "已完成销售额")
    remaining = max(quota - booked, 0.0)
    gap = remaining - predicted
    return QuotaGap(
        quarter_quota=quota,
        booked_to_date=booked,
        remaining_quota=remaining,
        forecast=predicted,
        gap=gap,
        covered=gap <= 0,
    )


def _rows(rows: Iterable[Mapping[str, object]], what: str) -> list[Mapping[str, object]]:
    try:
        items = list(rows)
    except TypeError:
        raise KamcourseError(what, "应是若干行表格数据") from None
    for index, row in enumerate(items, start=1):
        if not isinstance(row, Mapping):
            raise KamcourseError(f"第 {index} 行", "应是一行表格数据")
    return items


def opportunities_from_rows(rows: Iterable[Mapping[str, object]]) -> list[Opportunity]:
    """Opportunities from table rows with columns 机会名称/金额/阶段 (name/amount/stage).

    >>> opportunities_from_rows([{"name": "A", "amount": "1,200", "stage": "方案呈现"}])
    [Opportunity(name='A', amount=1200.0, stage='方案呈现')]
    """
    name_col, amount_col, stage_col = OPPORTUNITY_COLUMNS
    out: list[Opportunity] = []
    for index, row in enumerate(_rows(rows, "销售机会"), start=1):
        where = f"第 {index} 行"
        name = parse_text(pick(row, name_col, where), f"{where}“机会名称”")
        stage = parse_text(pick(row, stage_col, where), f"{where}“阶段”")
        if not name:
            raise KamcourseError(f"{where}“机会名称”", "不能为空")
        out.append(Opportunity(name, pick(row, amount_col, where), stage))  # type: ignore[arg-type]
    return out


def stages_from_rows(rows: Iterable[Mapping[str, object]]) -> tuple[Stage, ...]:
    """Stages from table rows with columns 阶段/赢率 (stage/probability); "75%" is accepted.

    >>> stages_from_rows([{"阶段": "谈判", "赢率": "75%"}, {"阶段": "签约", "赢率": 0.9}])
    (Stage(name='谈判', probability=0.75), Stage(name='签约', probability=0.9))
    """
    stage_col, probability_col = STAGE_COLUMNS
    out: list[Stage] = []
    for index, row in enumerate(_rows(rows, "销售阶段"), start=1):
        where = f"第 {index} 行"
        name = parse_text(pick(row, stage_col, where), f"{where}“阶段”")
        if not name:
            raise KamcourseError(f"{where}“阶段”", "不能为空")
        probability = parse_probability(pick(row, probability_col, where), f"阶段“{name}”的赢率")
        out.append(Stage(name, probability))
    return check_stages(out)


def sample_opportunities() -> list[Opportunity]:
    """The case company's open opportunities (华东精密仪器有限公司, amounts in 万元).

    >>> len(sample_opportunities()) >= 10
    True
    """
    from kamcourse.sample import load_sample

    return opportunities_from_rows(load_sample("opportunities"))
