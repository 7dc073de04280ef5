"""DSO, days sales outstanding (应收账款平均回收期): countback and simple methods.

Countback method (倒算法, "count back", "exhaustion"): start from the receivables at the
period end, subtract the latest month's sales and count that month's days, go back a month
at a time while what remains exceeds that month's sales, and for the last month count only
``remaining / sales x days``. Simple method: receivables / sales in the window x days in the
window, so the answer depends on the window. Sources: tesorio.com, "comparing DSO
calculation methods: countback vs invoice cycle"; gaviti.com, "countback method vs simple
DSO"; Oracle Hyperion Financial Management, "DSO - Days Sales Outstanding" (edge cases).

Real calendar days (28/29/30/31) are the default; ``basis="flat30"`` counts every month as
30 days, as some firms do. Arithmetic is exact (fractions) and converted to float at the end,
so results do not depend on rounding order.

Policy where no source prescribes one: receivables larger than all sales in the window are
reported as "more than N days (window exhausted)"; zero receivables give 0 days; negative or
non-numeric inputs, gaps in the months and months with zero sales are refused.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from kamcourse.errors import KamcourseError
from kamcourse.tables import (
    Column,
    month_key,
    parse_amount,
    parse_month,
    parse_month_cell,
    pick,
)

Basis = Literal["calendar", "flat30"]

BASIS_LABELS: dict[str, str] = {"calendar": "按日历天数", "flat30": "按每月 30 天"}

#: Column spec for a DSO upload: one row per month.
DSO_COLUMNS: tuple[Column, ...] = (
    Column("月份", ("month", "月"), "month"),
    Column("销售额", ("sales", "月销售额", "销售收入", "revenue"), "number"),
)

RECEIVABLES_FIELD = "应收账款"
WINDOW_FIELD = "月度销售额"


@dataclass(frozen=True)
class CountbackMonth:
    """One window month in the countback table (latest month first)."""

    month: str
    sales: float
    days_in_month: int
    days_counted: float
    cumulative_days: float
    receivables_remaining: float
    reached: bool


@dataclass(frozen=True)
class CountbackResult:
    """Result of :func:`countback_dso`; ``days == window_days`` when ``exhausted``."""

    days: float
    exhausted: bool
    receivables: float
    basis: str
    period_end: str
    window_days: int
    months: tuple[CountbackMonth, ...]

    def summary(self) -> str:
        """One Chinese sentence for the page.

        >>> countback_dso(1500, seed_example()[1]).summary()
        '倒算法：DSO = 75.5 天（截至 2012-04-30）'
        >>> countback_dso(3000, seed_example()[1]).summary()
        '倒算法：DSO 超过 121 天（窗口内销售额已用尽，请提供更早月份的销售额）'
        """
        note = "，按每月 30 天计" if self.basis == "flat30" else ""
        if self.exhausted:
            return (
                f"倒算法：DSO 超过 {self.window_days} 天"
                f"（窗口内销售额已用尽，请提供更早月份的销售额{note}）"
            )
        return f"倒算法：DSO = {self.days:.1f} 天（截至 {self.period_end}{note}）"


@dataclass(frozen=True)
class SimpleResult:
    """Result of :func:`simple_dso`; the window is part of the answer."""

    days: float
    receivables: float
    total_sales: float
    window_start: str
    window_end: str
    window_days: int
    basis: str

    def summary(self) -> str:
        """One Chinese sentence for the page, naming the window.

        >>> simple_dso(1500, {"2012-04": 600}).summary()
        '简单平均法：DSO = 1,500 ÷ 600 × 30 天 = 75.0 天（窗口 2012-04，共 30 天）'
        """
        window = (
            self.window_start
            if self.window_start == self.window_end
            else f"{self.window_start} 至 {self.window_end}"
        )
        note = "，按每月 30 天计" if self.basis == "flat30" else ""
        return (
            f"简单平均法：DSO = {_fmt(self.receivables)} ÷ {_fmt(self.total_sales)}"
            f" × {self.window_days} 天 = {self.days:.1f} 天"
            f"（窗口 {window}，共 {self.window_days} 天{note}）"
        )


def _fmt(amount: float) -> str:
    return f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"


def _check_basis(basis: object) -> str:
    if basis not in BASIS_LABELS:
        raise KamcourseError("天数口径", "只能是“日历天数”或“每月 30 天”")
    return str(basis)


def days_in_month(month: str, basis: Basis = "calendar") -> int:
    """Days that ``month`` counts for under ``basis``.

    >>> days_in_month("2012-02"), days_in_month("2013-02"), days_in_month("2012-02", "flat30")
    (29, 28, 30)
    """
    _check_basis(basis)
    year, number = parse_month(month)
    return 30 if basis == "flat30" else calendar.monthrange(year, number)[1]


def _previous(year: int, month: int) -> tuple[int, int]:
    return (year, month - 1) if month > 1 else (year - 1, 12)


def validate_window(monthly_sales: Mapping[str, object]) -> list[tuple[str, Fraction]]:
    """Checked window, latest month first, as (month, exact sales) pairs.

    Refuses an empty window, malformed months, gaps, negative, zero or non-numeric sales.

    >>> validate_window({"2012-03": 500, "2012-04": "600"})
    [('2012-04', Fraction(600, 1)), ('2012-03', Fraction(500, 1))]
    >>> validate_window({"2012-04": 600, "2012-02": 800})
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 月份：缺少 2012-03，月份必须连续
    """
    if not isinstance(monthly_sales, Mapping):
        raise KamcourseError(WINDOW_FIELD, "应是“月份 → 销售额”的对应表")
    if not monthly_sales:
        raise KamcourseError(WINDOW_FIELD, "至少需要一个月的销售额")
    parsed: dict[tuple[int, int], Fraction] = {}
    for key, value in monthly_sales.items():
        ym = parse_month(key)
        label = month_key(*ym)
        if ym in parsed:
            raise KamcourseError(f"月份 {label}", "重复出现，每个月只能有一行")
        sales = parse_amount(value, f"{label} 销售额")
        if sales == 0:
            raise KamcourseError(f"{label} 销售额", "不能为 0，窗口内每个月都需要有销售额")
        parsed[ym] = Fraction(sales)
    ordered = sorted(parsed, reverse=True)
    for later, earlier in zip(ordered, ordered[1:]):
        expected = _previous(*later)
        if earlier != expected:
            raise KamcourseError("月份", f"缺少 {month_key(*expected)}，月份必须连续")
    return [(month_key(*ym), parsed[ym]) for ym in ordered]


def countback_dso(
    receivables: object,
    monthly_sales: Mapping[str, object],
    basis: Basis = "calendar",
) -> CountbackResult:
    """DSO by the countback method (倒算法).

    ``monthly_sales`` maps "YYYY-MM" to the month's sales; the latest month ends the
    period. The seed's customer A (domain.md section 1): 1500 owed at 2012-04-30, sales
    600/500/800/600 for April back to January: 30 + 31 + 400/800 x 29 = 75.5 days (2012 is a
    leap year); 75.0 with flat 30-day months.

    >>> countback_dso(1500, {"2012-04": 600, "2012-03": 500, "2012-02": 800, "2012-01": 600}).days
    75.5
    >>> countback_dso(1500, {"2012-04": 600, "2012-03": 500, "2012-02": 800}, "flat30").days
    75.0
    >>> r = countback_dso(3000, {"2012-04": 600})
    >>> r.exhausted, r.days
    (True, 30.0)
    >>> countback_dso(-1, {"2012-04": 600})
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 应收账款：不能为负数
    """
    basis_name = _check_basis(basis)
    owed = parse_amount(receivables, RECEIVABLES_FIELD)
    window = validate_window(monthly_sales)
    remaining = Fraction(owed)
    cumulative = Fraction(0)
    rows: list[CountbackMonth] = []
    window_days = 0
    for month, sales in window:
        days = days_in_month(month, basis_name)  # type: ignore[arg-type]
        window_days += days
        reached = remaining > 0
        if reached:
            counted = Fraction(days) if remaining >= sales else remaining / sales * days
            remaining = max(remaining - sales, Fraction(0))
            cumulative += counted
        else:
            counted = Fraction(0)
        rows.append(
            CountbackMonth(
                month=month,
                sales=float(sales),
                days_in_month=days,
                days_counted=float(counted),
                cumulative_days=float(cumulative),
                receivables_remaining=float(remaining),
                reached=reached,
            )
        )
    exhausted = remaining > 0
    year, number = parse_month(window[0][0])
    period_end = f"{month_key(year, number)}-{calendar.monthrange(year, number)[1]:02d}"
    return CountbackResult(
        days=float(window_days) if exhausted else float(cumulative),
        exhausted=exhausted,
        receivables=owed,
        basis=basis_name,
        period_end=period_end,
        window_days=window_days,
        months=tuple(rows),
    )


def simple_dso(
    receivables: object,
    monthly_sales: Mapping[str, object],
    basis: Basis = "calendar",
) -> SimpleResult:
    """DSO by the simple (average) method: receivables / window sales x window days.

    Figures for the seed's customer A (domain.md section 1): April only 75.0,
    February-April (90 days) 71.05, January-April (121 days) 72.6.

    >>> simple_dso(1500, {"2012-04": 600, "2012-03": 500, "2012-02": 800}).days
    71.05263157894737
    >>> round(simple_dso(1500, seed_example()[1]).days, 2)
    72.6
    """
    basis_name = _check_basis(basis)
    owed = parse_amount(receivables, RECEIVABLES_FIELD)
    window = validate_window(monthly_sales)
    total = sum((sales for _, sales in window), Fraction(0))
    window_days = sum(days_in_month(m, basis_name) for m, _ in window)  # type: ignore[arg-type]
    return SimpleResult(
        days=float(Fraction(owed) / total * window_days),
        receivables=owed,
        total_sales=float(total),
        window_start=window[-1][0],
        window_end=window[0][0],
        window_days=window_days,
        basis=basis_name,
    )


def monthly_sales_from_rows(rows: Iterable[Mapping[str, object]]) -> dict[str, float]:
    """The month -> sales mapping from table rows with columns 月份/销售额 (or month/sales).

    Months may be written as spreadsheets write them ("2012/4/1", dates); the result uses
    "YYYY-MM" keys, latest month first, and passes the same checks as :func:`countback_dso`.

    >>> monthly_sales_from_rows([{"月份": "2012-03", "销售额": "500"}, {"month": "2012/4", "sales": 600}])
    {'2012-04': 600.0, '2012-03': 500.0}
    >>> monthly_sales_from_rows([{"月份": "2012-04", "销售额": 1}, {"月份": "2012-04", "销售额": 2}])
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 月份 2012-04：重复出现，每个月只能有一行
    """
    month_col, sales_col = DSO_COLUMNS
    collected: dict[str, object] = {}
    try:
        iterator = iter(rows)
    except TypeError:
        raise KamcourseError(WINDOW_FIELD, "应是若干行“月份、销售额”") from None
    for index, row in enumerate(iterator, start=1):
        if not isinstance(row, Mapping):
            raise KamcourseError(f"第 {index} 行", "应包含“月份”和“销售额”两列")
        month = parse_month_cell(pick(row, month_col, f"第 {index} 行"), f"第 {index} 行“月份”")
        if month in collected:
            raise KamcourseError(f"月份 {month}", "重复出现，每个月只能有一行")
        collected[month] = pick(row, sales_col, f"第 {index} 行")
    return {month: float(sales) for month, sales in validate_window(collected)}


def seed_example() -> tuple[float, dict[str, float]]:
    """The seed's customer A: receivables 1500 (万元) at 2012-04-30 and monthly sales.

    >>> seed_example()[0]
    1500.0
    """
    return 1500.0, {"2012-04": 600.0, "2012-03": 500.0, "2012-02": 800.0, "2012-01": 600.0}


def seed_example_days() -> float:
    """Customer A's countback DSO, computed (used as an exercise key).

    >>> seed_example_days()
    75.5
    """
    receivables, sales = seed_example()
    return countback_dso(receivables, sales).days


def sample_monthly_sales() -> dict[str, dict[str, float]]:
    """Twelve months of sales per fictional customer from ``data/sample/monthly_sales.csv``.

    >>> sales = sample_monthly_sales()
    >>> len(next(iter(sales.values())))
    12
    """
    from kamcourse.sample import load_sample

    by_customer: dict[str, list[dict[str, object]]] = {}
    for row in load_sample("monthly_sales"):
        by_customer.setdefault(row["客户"], []).append(row)
    return {name: monthly_sales_from_rows(rows) for name, rows in by_customer.items()}


def sample_receivables() -> dict[str, float]:
    """Receivables per fictional customer at the end of the sample's last month.

    >>> all(v >= 0 for v in sample_receivables().values())
    True
    """
    from kamcourse.sample import load_sample

    return {
        row["客户"]: parse_amount(row["应收账款"], RECEIVABLES_FIELD)
        for row in load_sample("receivables")
    }
