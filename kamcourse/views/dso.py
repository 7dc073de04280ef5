"""DSO calculator (应收账款平均回收期): countback and simple methods, month by month.

Opens on the seed's customer A (1500 万元 owed at 2012-04-30, countback DSO 75.5 天). All
arithmetic is in :mod:`kamcourse.dso`; this module collects the inputs and draws.
"""

from __future__ import annotations

import html
from typing import Mapping, Sequence

import ipywidgets as widgets

from kamcourse import dso
from kamcourse.charts import CountbackChart
from kamcourse.tables import Column, month_key, parse_month, read_table
from kamcourse.views.common import (
    LABEL_STYLE,
    DownloadLinks,
    EditorColumn,
    MessageArea,
    RowEditor,
    attempt,
    inputs_beside_outputs,
    plain_number,
    text_input,
    upload_button,
    upload_to_editor,
)

METHODS = (("倒算法", "countback"), ("简单平均法", "simple"))
BASES = (("日历天数", "calendar"), ("每月按 30 天", "flat30"))
METHOD_NAMES = {value: label for label, value in METHODS}

#: Columns of the downloadable countback breakdown.
BREAKDOWN_COLUMNS: tuple[Column, ...] = (
    Column("月份", kind="month"),
    Column("销售额", kind="number"),
    Column("当月天数", kind="number"),
    Column("计入天数", kind="number"),
    Column("累计天数", kind="number"),
    Column("冲抵后剩余应收", kind="number"),
    Column("是否用到", kind="text"),
)


def previous_month(month: str) -> str:
    """The month before ``month`` ("YYYY-MM"), or "" when ``month`` is not a month.

    >>> previous_month("2012-01"), previous_month("2012-04"), previous_month("x")
    ('2011-12', '2012-03', '')
    """
    try:
        year, number = parse_month(month)
    except ValueError:
        return ""
    return month_key(year - 1, 12) if number == 1 else month_key(year, number - 1)


def month_rows(monthly_sales: Mapping[str, float]) -> list[dict[str, str]]:
    """Editor rows (latest month first) from a month -> sales mapping."""
    ordered = sorted(monthly_sales.items(), reverse=True)
    return [{"month": month, "sales": plain_number(sales)} for month, sales in ordered]


def breakdown_rows(result: dso.CountbackResult) -> list[dict[str, object]]:
    """The countback table as rows for display and download (latest month first)."""
    return [
        {
            "月份": m.month,
            "销售额": m.sales,
            "当月天数": m.days_in_month,
            "计入天数": round(m.days_counted, 2),
            "累计天数": round(m.cumulative_days, 2),
            "冲抵后剩余应收": round(m.receivables_remaining, 2),
            "是否用到": "是" if m.reached else "否（未用到）",
        }
        for m in result.months
    ]


class DsoDashboard(widgets.VBox):
    """The DSO calculator as one widget; see :func:`dso_dashboard`.

    Attributes used by tests: ``receivables`` (Text), ``basis`` and ``method``
    (ToggleButtons), ``months`` (:class:`RowEditor` with columns ``month`` and ``sales``),
    ``upload`` (FileUpload), ``message``, ``result_html``, ``chart`` (the Image),
    ``table_html``, ``downloads``; ``countback`` and ``simple`` hold the last good results
    and ``live_chart`` (:class:`kamcourse.charts.CountbackChart`) the figure behind ``chart``.
    """

    def __init__(self) -> None:
        receivables, monthly_sales = dso.seed_example()
        self.countback: dso.CountbackResult | None = None
        self.simple: dso.SimpleResult | None = None

        self.receivables = text_input("应收账款余额（万元）", plain_number(receivables), "kc-dso-receivables")
        self.basis = widgets.ToggleButtons(options=BASES, value="calendar", description="天数口径", style=LABEL_STYLE)
        self.basis.add_class("kc-dso-basis")
        self.method = widgets.ToggleButtons(options=METHODS, value="countback", description="计算方法", style=LABEL_STYLE)
        self.method.add_class("kc-dso-method")
        self.months = RowEditor(
            columns=(EditorColumn("month", "月份（YYYY-MM）", "10em"), EditorColumn("sales", "销售额（万元）", "9em")),
            rows=month_rows(monthly_sales),
            on_change=self.recompute,
            new_row=lambda rows: {"month": previous_month(rows[-1]["month"]) if rows else "", "sales": rows[-1]["sales"] if rows else ""},
            add_label="添加更早的月份",
            css_class="kc-dso-months",
        )
        self.upload = upload_button(self._uploaded, css_class="kc-dso-upload")
        self.message = MessageArea("kc-dso-error")
        self.result_html = widgets.HTML()
        self.result_html.add_class("kc-dso-result")
        self.live_chart = CountbackChart("kc-dso-chart")
        self.chart = self.live_chart.image
        self._table_rows: list[dict[str, object]] | None = None
        self.table_html = widgets.HTML()
        self.table_html.add_class("kc-dso-table")
        self.downloads = DownloadLinks("dso_倒算明细", "kc-dso-download")

        for control in (self.receivables, self.basis, self.method):
            control.observe(lambda _change: self.recompute(), names="value")

        inputs = [
            self.receivables,
            self.basis,
            self.method,
            widgets.HTML("<b>月度销售额</b>（最近的月份在最上面，月份须连续）"),
            self.months,
            widgets.HBox([self.upload, widgets.HTML("&nbsp;CSV 或 Excel 文件，两列：<b>月份</b>、<b>销售额</b>")]),
            self.message,
        ]
        outputs = [self.result_html, self.chart, self.table_html, self.downloads]
        super().__init__([inputs_beside_outputs(inputs, outputs, "26em")])
        self.add_class("kc-dso")
        self.recompute()

    # -- events ----------------------------------------------------------------------
    def recompute(self) -> None:
        """Recalculate from the inputs; on bad input keep the last result and explain."""
        results = attempt(self.message, self._calculate)
        if results is None:
            return
        self.countback, self.simple = results
        self.message.clear()
        self._draw()

    def _calculate(self) -> tuple[dso.CountbackResult, dso.SimpleResult]:
        monthly = dso.monthly_sales_from_rows(self.months.rows())
        basis = self.basis.value
        return (
            dso.countback_dso(self.receivables.value, monthly, basis),
            dso.simple_dso(self.receivables.value, monthly, basis),
        )

    def _uploaded(self, content: bytes, filename: str) -> None:
        def load() -> dict[str, float]:
            return dso.monthly_sales_from_rows(read_table(content, filename, dso.DSO_COLUMNS))

        upload_to_editor(self.months, self.message, load, month_rows, filename, "个月的销售额")

    # -- drawing ---------------------------------------------------------------------
    def _draw(self) -> None:
        assert self.countback is not None and self.simple is not None
        shown, other = (
            (self.countback, self.simple) if self.method.value == "countback" else (self.simple, self.countback)
        )
        self.result_html.value = result_html(self.method.value, shown, other)
        self.live_chart.show(self.countback, self.simple, self.method.value)
        rows = breakdown_rows(self.countback)
        if rows != self._table_rows:  # e.g. the method changed: the table and files stay
            self.table_html.value = breakdown_html(rows)
            self.downloads.update(rows, BREAKDOWN_COLUMNS)
            self._table_rows = rows


def result_html(method: str, shown, other) -> str:
    """The headline number, the sentence that names method and window, and the other method."""
    if isinstance(shown, dso.CountbackResult) and shown.exhausted:
        headline = f"DSO 超过 {shown.window_days} 天"
    else:
        headline = f"DSO = {shown.days:.1f} 天"
    return (
        f'<div class="kc-result-headline" style="font-size:1.6em;font-weight:bold;">'
        f"{METHOD_NAMES[method]} {html.escape(headline)}</div>"
        f'<div class="kc-result-summary">{html.escape(shown.summary())}</div>'
        f'<div class="kc-result-other" style="color:#455a64;">对照 · {html.escape(other.summary())}</div>'
    )


def breakdown_html(rows: Sequence[Mapping[str, object]]) -> str:
    """The countback table as an HTML table."""
    head = "".join(f"<th style='padding:2px 8px;text-align:right;'>{c.name}</th>" for c in BREAKDOWN_COLUMNS)
    body = []
    for row in rows:
        grey = "" if row["是否用到"] == "是" else " style='color:#616161;'"
        cells = "".join(
            f"<td style='padding:2px 8px;text-align:right;'>{html.escape(_cell(row[c.name]))}</td>"
            for c in BREAKDOWN_COLUMNS
        )
        body.append(f"<tr{grey}>{cells}</tr>")
    return (
        "<div style='margin-top:0.5em;'><b>倒算明细</b>（从最近的月份往前冲抵）</div>"
        f"<table class='kc-table' style='border-collapse:collapse;'><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _cell(value: object) -> str:
    return plain_number(value) if isinstance(value, (int, float)) else str(value)


def dso_dashboard() -> DsoDashboard:
    """The DSO calculator widget, opened on the seed's customer A (75.5 天)."""
    return DsoDashboard()
