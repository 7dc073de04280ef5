"""DSO calculators: the seed example, edge cases, bad input and properties."""

from __future__ import annotations

import calendar
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamcourse.dso import (
    DSO_COLUMNS,
    countback_dso,
    days_in_month,
    monthly_sales_from_rows,
    sample_monthly_sales,
    sample_receivables,
    seed_example,
    seed_example_days,
    simple_dso,
)
from kamcourse.errors import KamcourseError

SEED = {"2012-04": 600, "2012-03": 500, "2012-02": 800, "2012-01": 600}
SEED_2013 = {"2013-04": 600, "2013-03": 500, "2013-02": 800, "2013-01": 600}


@pytest.mark.parametrize(
    ("receivables", "sales", "basis", "days", "exhausted", "window_days"),
    [
        pytest.param(1500, SEED, "calendar", 75.5, False, 121, id="seed-leap-february"),
        pytest.param(1500, SEED, "flat30", 75.0, False, 120, id="seed-flat30"),
        pytest.param(1500, SEED_2013, "calendar", 75.0, False, 120, id="non-leap-february"),
        pytest.param("1,500", SEED, "calendar", 75.5, False, 121, id="numeric-string"),
        pytest.param(Decimal("1500"), SEED, "calendar", 75.5, False, 121, id="decimal"),
        pytest.param(
            1500, {"2013-01": 600, "2012-12": 500, "2012-11": 800}, "calendar", 77.0, False, 92,
            id="window-crosses-new-year",
        ),
        pytest.param(300, {"2012-04": 600}, "calendar", 15.0, False, 30, id="one-month-window"),
        pytest.param(600, {"2012-04": 600}, "calendar", 30.0, False, 30, id="exactly-one-month"),
        pytest.param(2500, SEED, "calendar", 121.0, False, 121, id="exactly-all-sales"),
        pytest.param(3000, SEED, "calendar", 121.0, True, 121, id="window-exhausted"),
        pytest.param(3000, SEED, "flat30", 120.0, True, 120, id="window-exhausted-flat30"),
        pytest.param(0, SEED, "calendar", 0.0, False, 121, id="zero-receivables"),
    ],
)
def test_countback_table(receivables, sales, basis, days, exhausted, window_days):
    result = countback_dso(receivables, sales, basis)
    assert result.days == pytest.approx(days)
    assert result.exhausted is exhausted
    assert result.window_days == window_days
    assert result.basis == basis


def test_countback_months_of_the_seed_example():
    result = countback_dso(1500, SEED)
    assert result.period_end == "2012-04-30"
    assert result.receivables == 1500.0
    assert [m.month for m in result.months] == ["2012-04", "2012-03", "2012-02", "2012-01"]
    assert [m.days_in_month for m in result.months] == [30, 31, 29, 31]
    assert [m.days_counted for m in result.months] == [30, 31, 14.5, 0]
    assert [m.cumulative_days for m in result.months] == [30, 61, 75.5, 75.5]
    assert [m.receivables_remaining for m in result.months] == [900, 400, 0, 0]
    assert [m.reached for m in result.months] == [True, True, True, False]
    assert [m.sales for m in result.months] == [600, 500, 800, 600]


def test_zero_receivables_reach_no_month():
    result = countback_dso(0, SEED)
    assert not any(m.reached for m in result.months)


@pytest.mark.parametrize(
    ("sales", "period_end"),
    [({"2012-02": 1}, "2012-02-29"), ({"2013-02": 1}, "2013-02-28"), ({"2012-12": 1}, "2012-12-31")],
)
def test_period_end_is_last_day_of_latest_month(sales, period_end):
    assert countback_dso(1, sales).period_end == period_end
    assert countback_dso(1, sales, "flat30").period_end == period_end


@pytest.mark.parametrize(
    ("result", "text"),
    [
        (lambda: countback_dso(1500, SEED), "倒算法：DSO = 75.5 天（截至 2012-04-30）"),
        (lambda: countback_dso(1500, SEED, "flat30"), "按每月 30 天"),
        (lambda: countback_dso(3000, SEED), "超过 121 天（窗口内销售额已用尽，请提供更早月份的销售额）"),
        (lambda: simple_dso(1500, SEED), "2012-01 至 2012-04"),
        (lambda: simple_dso(1500, SEED), "72.6 天"),
    ],
)
def test_summaries(result, text):
    assert text in result().summary()


@pytest.mark.parametrize(
    ("sales", "basis", "days", "window_days", "start", "end"),
    [
        pytest.param({"2012-04": 600}, "calendar", 75.0, 30, "2012-04", "2012-04", id="april-only"),
        pytest.param(
            {"2012-04": 600, "2012-03": 500, "2012-02": 800}, "calendar", 71.05, 90,
            "2012-02", "2012-04", id="feb-apr",
        ),
        pytest.param(SEED, "calendar", 72.6, 121, "2012-01", "2012-04", id="jan-apr"),
        pytest.param(SEED, "flat30", 72.0, 120, "2012-01", "2012-04", id="jan-apr-flat30"),
    ],
)
def test_simple_method_figures_from_domain(sales, basis, days, window_days, start, end):
    result = simple_dso(1500, sales, basis)
    assert round(result.days, 2) == days
    assert result.window_days == window_days
    assert (result.window_start, result.window_end) == (start, end)
    assert result.total_sales == sum(sales.values())


def test_seed_helpers():
    receivables, sales = seed_example()
    assert (receivables, sales) == (1500.0, SEED)
    assert seed_example_days() == 75.5


@pytest.mark.parametrize(
    ("month", "basis", "days"),
    [("2012-02", "calendar", 29), ("2013-02", "calendar", 28), ("2000-02", "calendar", 29),
     ("1900-02", "calendar", 28), ("2012-04", "calendar", 30), ("2012-02", "flat30", 30)],
)
def test_days_in_month(month, basis, days):
    assert days_in_month(month, basis) == days


NAN = float("nan")
INF = float("inf")


@pytest.mark.parametrize(
    ("receivables", "sales", "basis", "field"),
    [
        pytest.param(-1, SEED, "calendar", "应收账款", id="negative-receivables"),
        pytest.param("abc", SEED, "calendar", "应收账款", id="text-receivables"),
        pytest.param(True, SEED, "calendar", "应收账款", id="bool-receivables"),
        pytest.param(NAN, SEED, "calendar", "应收账款", id="nan-receivables"),
        pytest.param(INF, SEED, "calendar", "应收账款", id="inf-receivables"),
        pytest.param(None, SEED, "calendar", "应收账款", id="none-receivables"),
        pytest.param("", SEED, "calendar", "应收账款", id="blank-receivables"),
        pytest.param([1500], SEED, "calendar", "应收账款", id="list-receivables"),
        pytest.param(10**400, SEED, "calendar", "应收账款", id="huge-int-receivables"),
        pytest.param(Decimal("NaN"), SEED, "calendar", "应收账款", id="decimal-nan"),
        pytest.param("1_500", SEED, "calendar", "应收账款", id="underscore-number"),
        pytest.param(1500, {"2012-04": -5}, "calendar", "2012-04 销售额", id="negative-sales"),
        pytest.param(1500, {"2012-04": "x"}, "calendar", "2012-04 销售额", id="text-sales"),
        pytest.param(1500, {"2012-04": True}, "calendar", "2012-04 销售额", id="bool-sales"),
        pytest.param(1500, {"2012-04": NAN}, "calendar", "2012-04 销售额", id="nan-sales"),
        pytest.param(1500, {"2012-04": INF}, "calendar", "2012-04 销售额", id="inf-sales"),
        pytest.param(1500, {"2012-04": 0}, "calendar", "2012-04 销售额", id="zero-sales"),
        pytest.param(1500, {}, "calendar", "月度销售额", id="empty-window"),
        pytest.param(1500, [("2012-04", 600)], "calendar", "月度销售额", id="not-a-mapping"),
        pytest.param(1500, {"2012-4": 600}, "calendar", "月份 2012-4", id="one-digit-month"),
        pytest.param(1500, {"2012-13": 600}, "calendar", "月份 2012-13", id="month-13"),
        pytest.param(1500, {"2012-00": 600}, "calendar", "月份 2012-00", id="month-00"),
        pytest.param(1500, {"April": 600}, "calendar", "月份 April", id="month-name"),
        pytest.param(1500, {201204: 600}, "calendar", "月份", id="int-key"),
        pytest.param(1500, {"2012-04": 600, "2012-02": 800}, "calendar", "月份", id="gap"),
        pytest.param(1500, {" 2012-04": 600, "2012-04": 1}, "calendar", "月份 2012-04", id="duplicate"),
        pytest.param(1500, SEED, "flat31", "天数口径", id="bad-basis"),
    ],
)
@pytest.mark.parametrize("method", [countback_dso, simple_dso])
def test_bad_input_names_the_field(method, receivables, sales, basis, field):
    with pytest.raises(KamcourseError) as caught:
        method(receivables, sales, basis)
    assert type(caught.value) is KamcourseError
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}：")
    assert caught.value.problem  # a Chinese explanation, never empty


def test_gap_message_names_the_missing_month():
    with pytest.raises(KamcourseError, match="2012-03"):
        countback_dso(1, {"2012-04": 600, "2012-02": 800})


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([{"月份": "2012-04", "销售额": 600}, {"月份": "2012-03", "销售额": "500"}],
         {"2012-04": 600.0, "2012-03": 500.0}),
        ([{"month": "2012-03", "sales": " 500 "}, {"Month": "2012/4/1", "Sales": "600"}],
         {"2012-04": 600.0, "2012-03": 500.0}),
        ([{"客户": "甲", "月份": "2012年4月", "销售额": "1,600"}], {"2012-04": 1600.0}),
    ],
)
def test_monthly_sales_from_rows(rows, expected):
    result = monthly_sales_from_rows(rows)
    assert result == expected
    assert list(result) == sorted(result, reverse=True)


@pytest.mark.parametrize(
    ("rows", "field"),
    [
        ([{"月份": "2012-04", "销售额": 1}, {"月份": "2012-04", "销售额": 2}], "月份 2012-04"),
        ([{"月份": "2012-04"}], "第 1 行"),
        ([{"销售额": 5}], "第 1 行"),
        ([{"月份": "April", "销售额": 5}], "第 1 行“月份”"),
        ([{"月份": "2012-13", "销售额": 5}], "第 1 行“月份”"),
        ([{"月份": "2012-04", "销售额": "abc"}], "2012-04 销售额"),
        ([{"月份": "2012-04", "销售额": -1}], "2012-04 销售额"),
        ([{"月份": "2012-04", "销售额": 1}, {"月份": "2012-01", "销售额": 1}], "月份"),
        ([], "月度销售额"),
        (None, "月度销售额"),
        (["2012-04"], "第 1 行"),
    ],
)
def test_monthly_sales_from_rows_errors(rows, field):
    with pytest.raises(KamcourseError) as caught:
        monthly_sales_from_rows(rows)
    assert caught.value.field == field


def test_dso_columns_are_month_and_sales():
    assert [(c.name, c.kind) for c in DSO_COLUMNS] == [("月份", "month"), ("销售额", "number")]


def test_sample_customers_have_twelve_months_and_receivables():
    sales = sample_monthly_sales()
    receivables = sample_receivables()
    assert len(sales) >= 3
    assert set(sales) == set(receivables)
    for customer, window in sales.items():
        assert len(window) == 12
        result = countback_dso(receivables[customer], window)
        assert 0 < result.days < result.window_days


# ---------------------------------------------------------------------------
# Properties


@st.composite
def windows(draw, max_months: int = 24):
    """A gap-free window of positive monthly sales, latest month first."""
    year = draw(st.integers(1990, 2100))
    month = draw(st.integers(1, 12))
    count = draw(st.integers(1, max_months))
    out = {}
    for _ in range(count):
        out[f"{year:04d}-{month:02d}"] = draw(
            st.floats(0.01, 1e6, allow_nan=False, allow_infinity=False)
        )
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


amounts = st.floats(0, 3e7, allow_nan=False, allow_infinity=False)
bases = st.sampled_from(["calendar", "flat30"])


@settings(deadline=None)
@given(windows(), amounts, bases)
def test_days_bounded_by_window_unless_exhausted(sales, receivables, basis):
    result = countback_dso(receivables, sales, basis)
    assert 0 <= result.days <= result.window_days
    if result.exhausted:
        assert result.days == result.window_days
    total = sum((Fraction(v) for v in sales.values()), Fraction(0))
    assert result.exhausted == (Fraction(receivables) > total)
    assert len(result.months) == len(sales)


@settings(deadline=None)
@given(windows(), amounts, amounts, bases)
def test_days_monotone_in_receivables(sales, a, b, basis):
    low, high = sorted((a, b))
    assert countback_dso(low, sales, basis).days <= countback_dso(high, sales, basis).days


@settings(deadline=None)
@given(windows(), amounts)
def test_flat30_and_calendar_differ_at_most_by_day_count_difference(sales, receivables):
    calendar_days = countback_dso(receivables, sales, "calendar").days
    flat_days = countback_dso(receivables, sales, "flat30").days
    bound = sum(abs(calendar.monthrange(int(m[:4]), int(m[5:]))[1] - 30) for m in sales)
    assert abs(calendar_days - flat_days) <= bound + 1e-9


@settings(deadline=None)
@given(windows(), amounts, bases)
def test_months_table_is_consistent(sales, receivables, basis):
    result = countback_dso(receivables, sales, basis)
    reached = [m.reached for m in result.months]
    assert reached == sorted(reached, reverse=True)  # reached months come first
    assert math.isclose(
        sum(m.days_counted for m in result.months), result.months[-1].cumulative_days, abs_tol=1e-6
    )
    for row in result.months:
        assert 0 <= row.days_counted <= row.days_in_month
        assert row.receivables_remaining >= 0


@settings(deadline=None)
@given(windows(), amounts, bases)
def test_simple_method_formula(sales, receivables, basis):
    result = simple_dso(receivables, sales, basis)
    expected = receivables / sum(sales.values()) * result.window_days
    assert math.isclose(result.days, expected, rel_tol=1e-9, abs_tol=1e-9)
    assert result.window_days == countback_dso(receivables, sales, basis).window_days


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(), st.decimals()),
    st.dictionaries(
        st.one_of(st.text(max_size=8), st.integers()),
        st.one_of(st.none(), st.booleans(), st.floats(), st.text(max_size=8), st.integers()),
        max_size=4,
    ),
)
def test_only_kamcourse_errors_escape(receivables, sales):
    try:
        countback_dso(receivables, sales)
        simple_dso(receivables, sales)
    except KamcourseError as err:
        assert str(err).startswith(f"{err.field}：")
