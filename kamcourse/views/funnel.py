"""Sales-funnel calculator (销售漏斗): 销售预计, 销售进展 and the gap to the quota.

Opens on the case company's open opportunities (:func:`kamcourse.funnel.sample_opportunities`)
and the default stages. All arithmetic is in :mod:`kamcourse.funnel`; this module collects
the inputs and draws.
"""

from __future__ import annotations

import html
from typing import Mapping, Sequence

import ipywidgets as widgets

from kamcourse import funnel
from kamcourse.charts import FunnelChart, percent_text
from kamcourse.tables import Column, read_table
from kamcourse.views.common import (
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

#: Opening values of the side inputs (万元): a small-order threshold, the weekly figures
#: and the quarter's quota of the case company's key-account team.
DEFAULT_INPUTS: dict[str, str] = {
    "threshold": "5",
    "off_expected": "8",
    "forecast_last_week": "210",
    "booked_this_week": "180",
    "booked_last_week": "165",
    "off_booked": "2",
    "quota": "600",
}

#: Columns of the downloadable stage table.
STAGE_TABLE_COLUMNS: tuple[Column, ...] = (
    Column("阶段"),
    Column("赢率", kind="probability"),
    Column("机会数", kind="number"),
    Column("金额", kind="number"),
    Column("加权金额", kind="number"),
)

OFF_FUNNEL_NOTE = (
    "<details class='kc-funnel-offnote'><summary><b>漏斗外销售额怎样计入？</b></summary>"
    "<div style='max-width:40em;'>金额低于门槛的小订单不录入漏斗，以节省录入工作。"
    "讲义只说销售预计和销售进展的计算公式“都要进行适当的修改”，没有公开资料给出具体公式。"
    "本课程的做法是：<br>销售预计 = 漏斗内加权金额 + 漏斗外预计销售额；<br>"
    "销售进展 = [(本周销售预计 − 上周销售预计) + (本周累计销售额 − 上周累计销售额) + 本周漏斗外成交额]"
    " ÷ 本季度销售任务。<br>其中累计销售额只计漏斗内的订单，漏斗外成交额单独填写、只计一次。"
    "</div></details>"
)

#: Text colours of the result cards (contrast of at least 4.5:1 on white, WCAG AA).
COVERED_TEXT = "#1b7f3b"
SHORT_TEXT = "#b00020"
LABEL_TEXT = "#455a64"


def stage_rows(stages: Sequence[funnel.Stage]) -> list[dict[str, str]]:
    return [{"stage": s.name, "probability": percent_text(s.probability)} for s in stages]


def opportunity_rows(opportunities: Sequence[funnel.Opportunity]) -> list[dict[str, str]]:
    return [{"name": o.name, "amount": plain_number(o.amount), "stage": o.stage} for o in opportunities]


def stage_table_rows(forecast: funnel.Forecast) -> list[dict[str, object]]:
    """The stage totals as rows for display and download."""
    return [
        {
            "阶段": t.stage,
            "赢率": t.probability,
            "机会数": t.count,
            "金额": round(t.amount, 2),
            "加权金额": round(t.weighted, 2),
        }
        for t in forecast.by_stage
    ]


class FunnelDashboard(widgets.VBox):
    """The sales-funnel calculator as one widget; see :func:`funnel_dashboard`.

    Attributes used by tests: ``stages`` and ``opportunities`` (:class:`RowEditor`; columns
    ``stage``/``probability`` and ``name``/``amount``/``stage``), the Text inputs
    ``threshold``, ``off_expected``, ``forecast_last_week``, ``booked_this_week``,
    ``booked_last_week``, ``off_booked``, ``quota``; ``upload``, ``message``,
    ``result_html``, ``chart``, ``table_html``, ``downloads``; ``forecast``, ``progress``
    and ``gap`` hold the last good results.
    """

    def __init__(self) -> None:
        self.forecast: funnel.Forecast | None = None
        self.progress: funnel.Progress | None = None
        self.gap: funnel.QuotaGap | None = None
        stage_names = tuple(s.name for s in funnel.DEFAULT_STAGES)

        self.stages = RowEditor(
            columns=(EditorColumn("stage", "阶段", "9em"), EditorColumn("probability", "赢率", "6em")),
            rows=stage_rows(funnel.DEFAULT_STAGES),
            on_change=self.recompute,
            new_row=lambda rows: {"stage": f"新阶段 {len(rows) + 1}", "probability": "50%"},
            add_label="添加阶段",
            css_class="kc-funnel-stages",
        )
        self.opportunities = RowEditor(
            columns=(
                EditorColumn("name", "机会名称", "12em"),
                EditorColumn("amount", "金额（万元）", "7em"),
                EditorColumn("stage", "阶段", "9em", options=stage_names),
            ),
            rows=opportunity_rows(funnel.sample_opportunities()),
            on_change=self.recompute,
            new_row=lambda rows: {"name": f"新机会 {len(rows) + 1}", "amount": "10", "stage": stage_names[0]},
            add_label="添加机会",
            css_class="kc-funnel-opportunities",
        )
        self.upload = upload_button(self._uploaded, css_class="kc-funnel-upload")
        self.threshold = text_input("漏斗门槛金额（万元）", DEFAULT_INPUTS["threshold"], "kc-funnel-threshold")
        self.off_expected = text_input("漏斗外预计销售额", DEFAULT_INPUTS["off_expected"], "kc-funnel-offexpected")
        self.forecast_last_week = text_input(
            "上周销售预计", DEFAULT_INPUTS["forecast_last_week"], "kc-funnel-lastforecast"
        )
        self.booked_this_week = text_input("本周累计销售额", DEFAULT_INPUTS["booked_this_week"], "kc-funnel-booked")
        self.booked_last_week = text_input(
            "上周累计销售额", DEFAULT_INPUTS["booked_last_week"], "kc-funnel-bookedlast"
        )
        self.off_booked = text_input("本周漏斗外成交额", DEFAULT_INPUTS["off_booked"], "kc-funnel-offbooked")
        self.quota = text_input("本季度销售任务", DEFAULT_INPUTS["quota"], "kc-funnel-quota")
        self.message = MessageArea("kc-funnel-error")
        self.result_html = widgets.HTML()
        self.result_html.add_class("kc-funnel-result")
        self.live_chart = FunnelChart("kc-funnel-chart")
        self.chart = self.live_chart.image
        self._table_rows: list[dict[str, object]] | None = None
        self.table_html = widgets.HTML()
        self.table_html.add_class("kc-funnel-table")
        self.downloads = DownloadLinks("销售漏斗_阶段汇总", "kc-funnel-download")

        side_inputs = (
            self.threshold,
            self.off_expected,
            self.forecast_last_week,
            self.booked_this_week,
            self.booked_last_week,
            self.off_booked,
            self.quota,
        )
        for control in side_inputs:
            control.observe(lambda _change: self.recompute(), names="value")

        inputs = [
            widgets.HTML("<b>销售阶段与赢率</b>（各公司自行设定；可写 75% 或 0.75）"),
            self.stages,
            widgets.HTML("<b>销售机会</b>（金额单位：万元）"),
            self.opportunities,
            widgets.HBox(
                [self.upload, widgets.HTML("&nbsp;CSV 或 Excel 文件，三列：<b>机会名称</b>、<b>金额</b>、<b>阶段</b>")]
            ),
            widgets.HTML("<b>漏斗外销售额</b>（万元）"),
            self.threshold,
            self.off_expected,
            widgets.HTML(OFF_FUNNEL_NOTE),
            widgets.HTML("<b>销售进展</b>（万元；本周销售预计取上面算出的结果）"),
            self.forecast_last_week,
            self.booked_this_week,
            self.booked_last_week,
            self.off_booked,
            self.quota,
            self.message,
        ]
        outputs = [self.result_html, self.chart, self.table_html, self.downloads]
        super().__init__([inputs_beside_outputs(inputs, outputs, "30em")])
        self.add_class("kc-funnel")
        self.recompute()

    # -- events ----------------------------------------------------------------------
    def recompute(self) -> None:
        """Recalculate from the inputs; on bad input keep the last result and explain."""
        stages = attempt(self.message, lambda: funnel.stages_from_rows(self.stages.rows()))
        if stages is None:
            return
        self.opportunities.set_options("stage", [s.name for s in stages])
        results = attempt(self.message, lambda: self._calculate(stages))
        if results is None:
            return
        self.forecast, self.progress, self.gap = results
        self.message.clear()
        self._draw()

    def _calculate(self, stages: Sequence[funnel.Stage]):
        opportunities = funnel.opportunities_from_rows(self.opportunities.rows())
        forecast = funnel.weighted_forecast(opportunities, stages, self.off_expected.value, self.threshold.value)
        progress = funnel.sales_progress(
            forecast.total,
            self.forecast_last_week.value,
            self.booked_this_week.value,
            self.booked_last_week.value,
            self.quota.value,
            self.off_booked.value,
        )
        gap = funnel.forecast_gap(forecast.total, self.quota.value, self.booked_this_week.value)
        return forecast, progress, gap

    def _uploaded(self, content: bytes, filename: str) -> None:
        def load() -> list[funnel.Opportunity]:
            return funnel.opportunities_from_rows(read_table(content, filename, funnel.OPPORTUNITY_COLUMNS))

        upload_to_editor(self.opportunities, self.message, load, opportunity_rows, filename, "个销售机会")

    # -- drawing ---------------------------------------------------------------------
    def _draw(self) -> None:
        assert self.forecast is not None and self.progress is not None and self.gap is not None
        self.result_html.value = result_html(self.forecast, self.progress, self.gap)
        self.live_chart.show(self.forecast, self.gap)
        rows = stage_table_rows(self.forecast)
        if rows != self._table_rows:  # e.g. only the quota changed: the table and files stay
            self.table_html.value = stage_table_html(rows)
            self.downloads.update(rows, STAGE_TABLE_COLUMNS)
            self._table_rows = rows


def result_html(forecast: funnel.Forecast, progress: funnel.Progress, gap: funnel.QuotaGap) -> str:
    """Three headline figures and the sentences that explain them."""
    if gap.covered:
        gap_text = f"可覆盖剩余任务（富余 {-gap.gap:,.1f} 万元）"
        gap_color = COVERED_TEXT
    else:
        gap_text = f"缺口 {gap.gap:,.1f} 万元"
        gap_color = SHORT_TEXT
    cards = (
        ("销售预计", f"{forecast.total:,.1f} 万元", "inherit", "kc-funnel-forecast"),
        ("本周销售进展", f"{progress.progress:.1%}", "inherit", "kc-funnel-progress"),
        ("对照剩余任务", gap_text, gap_color, "kc-funnel-gap"),
    )
    card_html = "".join(
        f"<div class='{css}' style='margin-right:2em;'><div style='color:{LABEL_TEXT};'>{label}</div>"
        f"<div style='font-size:1.5em;font-weight:bold;color:{color};'>{html.escape(value)}</div></div>"
        for label, value, color, css in cards
    )
    notes = "".join(
        f"<li>{html.escape(text)}</li>" for text in (forecast.summary(), progress.summary(), gap.summary())
    )
    return f"<div style='display:flex;flex-wrap:wrap;'>{card_html}</div><ul style='margin-top:0.3em;'>{notes}</ul>"


def stage_table_html(rows: Sequence[Mapping[str, object]]) -> str:
    head = "".join(f"<th style='padding:2px 8px;text-align:right;'>{c.name}</th>" for c in STAGE_TABLE_COLUMNS)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td style='padding:2px 8px;text-align:right;'>{html.escape(_cell(column, row[column.name]))}</td>"
            for column in STAGE_TABLE_COLUMNS
        )
        + "</tr>"
        for row in rows
    )
    return (
        "<div style='margin-top:0.5em;'><b>各阶段汇总</b>（漏斗内机会）</div>"
        f"<table class='kc-table' style='border-collapse:collapse;'><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _cell(column: Column, value: object) -> str:
    if column.kind == "probability":
        return percent_text(float(value))  # type: ignore[arg-type]
    return plain_number(value) if isinstance(value, (int, float)) else str(value)  # type: ignore[arg-type]


def funnel_dashboard() -> FunnelDashboard:
    """The sales-funnel calculator widget, opened on the case company's opportunities."""
    return FunnelDashboard()
