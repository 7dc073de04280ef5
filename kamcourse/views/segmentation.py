"""The attack/defend segmentation matrix, resource allocation, Kano and Kraljic widgets.

All rules and arithmetic are in :mod:`kamcourse.segmentation`; these views collect input,
call it and draw.
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as widgets

from kamcourse import segmentation as seg
from kamcourse.charts import SegmentationChart, strategy_colors
from kamcourse.tables import Column
from kamcourse.views.common import (
    LABEL_STYLE,
    DownloadLinks,
    MessageArea,
    SampleOrFileLoader,
    attempt,
    plain_number,
    reset_button,
    text_input,
    upload_button,
)
from kamcourse.views.pareto import SAMPLE_LABEL, short_name

STRATEGY_COLORS = strategy_colors()

#: Columns of the downloadable segmentation table.
SEGMENT_TABLE_COLUMNS: tuple[Column, ...] = (
    Column("序号", kind="number"),
    Column("客户"),
    Column("行业"),
    Column("城市"),
    Column("采购潜力", kind="number"),
    Column("我方份额", kind="probability"),
    Column("策略"),
)

_TD = "<td style='padding:2px 8px;{align}'>{text}</td>"


def _td(text: object, right: bool = False) -> str:
    return _TD.format(align="text-align:right" if right else "", text=text)


def _table(head: list[str], rows: list[str], css: str) -> str:
    header = "".join(f"<th style='padding:2px 8px;text-align:left'>{h}</th>" for h in head)
    return (
        f"<table class='kc-table {css}' style='border-collapse:collapse'>"
        f"<thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _strategy(strategy: str) -> str:
    return f"<b style='color:{STRATEGY_COLORS[strategy]}'>{strategy}</b>"


def segment_rows(result: seg.Segmentation) -> list[dict[str, object]]:
    """The detail table (numbered as in the chart) for display and download."""
    return [
        {
            "序号": i,
            "客户": r.account.name,
            "行业": r.account.industry,
            "城市": r.account.city,
            "采购潜力": r.account.potential,
            "我方份额": r.account.share,
            "策略": r.segment.strategy,
        }
        for i, r in enumerate(result.rows, start=1)
    ]


def summary_html(result: seg.Segmentation) -> str:
    """One row per quadrant: rule, customers, totals, the seed's KPI and what to do."""
    rows = []
    for s in result.summary:
        info = seg.STRATEGY_INFO[s.strategy]
        names = "、".join(html.escape(short_name(n)) for n in s.customers) or "—"
        rows.append(
            "<tr>"
            + _td(_strategy(s.strategy))
            + _td(info.rule)
            + _td(s.count, right=True)
            + _td(plain_number(round(s.potential, 1)), right=True)
            + _td(plain_number(round(s.open_potential, 1)), right=True)
            + _td(html.escape(info.kpi or "—"))
            + _td(html.escape(info.action))
            + _td(f"<span style='font-size:0.9em'>{names}</span>")
            + "</tr>"
        )
    head = ["策略", "规则", "客户数", "采购潜力合计", "未开发潜力", "考核重点（讲义）", "做法", "客户"]
    return _table(head, rows, "kc-segment-summary")


def detail_html(rows: list[dict[str, object]]) -> str:
    body = [
        "<tr>"
        + _td(r["序号"], right=True)
        + _td(html.escape(str(r["客户"])))
        + _td(html.escape(str(r["行业"] or "")))
        + _td(html.escape(str(r["城市"] or "")))
        + _td(plain_number(r["采购潜力"]), right=True)
        + _td(f"{r['我方份额']:.0%}", right=True)
        + _td(_strategy(str(r["策略"])))
        + "</tr>"
        for r in rows
    ]
    return _table([c.name for c in SEGMENT_TABLE_COLUMNS], body, "kc-segment-table")


def allocation_html(allocation: seg.Allocation) -> str:
    rows = [
        "<tr>"
        + _td(_strategy(r.strategy))
        + _td(r.customers, right=True)
        + _td(plain_number(r.weight), right=True)
        + _td(f"{r.units:.1f}", right=True)
        + _td(f"{r.per_customer:.2f}" if r.customers else "—", right=True)
        + "</tr>"
        for r in allocation.rows
    ]
    head = ["策略", "客户数", "每位客户的权重", f"分到的资源（共 {plain_number(allocation.total)}）", "每位客户"]
    return _table(head, rows, "kc-allocation")


class SegmentationView(SampleOrFileLoader, widgets.VBox):
    """The segmentation matrix of a customer list; see :func:`segmentation_view`.

    Attributes used by tests: ``potential_cut``, ``share_cut`` (Text; blank = median),
    ``upload``, ``reset``, ``message``, ``cuts_html``, ``chart``, ``summary_html``,
    ``table_html``, ``downloads``, ``total`` and ``weights`` (Text per strategy),
    ``allocation_message``, ``allocation_html``; ``accounts``, ``result`` and ``allocation`` hold the last good data.
    """

    sample_label = SAMPLE_LABEL
    _read_sample = staticmethod(seg.sample_accounts)
    _read_path = staticmethod(seg.load_accounts)
    _read_file = staticmethod(seg.read_accounts)

    def __init__(self, customers_csv: str | Path | None = None) -> None:
        self.accounts: tuple[seg.Account, ...] = ()
        self.source = SAMPLE_LABEL
        self.result: seg.Segmentation | None = None
        self.allocation: seg.Allocation | None = None
        self.potential_cut = text_input("采购潜力界限（万元）", "", "kc-seg-potential", width="22em")
        self.potential_cut.placeholder = "留空 = 中位数"
        self.share_cut = text_input("份额界限（0–1）", "", "kc-seg-share", width="22em")
        self.share_cut.placeholder = "留空 = 中位数"
        self.upload = upload_button(self.load_file, css_class="kc-seg-upload")
        self.reset = reset_button(self.load_sample)
        self.message = MessageArea("kc-seg-error")
        self.cuts_html = widgets.HTML()
        self.live_chart = SegmentationChart("kc-seg-chart")
        self.chart = self.live_chart.image
        self.summary_html = widgets.HTML()
        self.table_html = widgets.HTML()
        self.downloads = DownloadLinks("客户细分", "kc-seg-download")
        self.total = text_input("资源总量", "10", "kc-seg-total", width="14em")
        self.weights = {
            s: text_input(f"{s}：每位客户权重", plain_number(w), f"kc-seg-weight-{i}", width="16em")
            for i, (s, w) in enumerate(seg.DEFAULT_WEIGHTS.items())
        }
        self.allocation_message = MessageArea("kc-seg-alloc-error")
        self.allocation_html = widgets.HTML()
        for box in (self.potential_cut, self.share_cut):
            box.observe(lambda _change: self.recompute(), names="value")
        for box in (self.total, *self.weights.values()):
            box.observe(lambda _change: self.reallocate(), names="value")
        details = widgets.Accordion([widgets.VBox([self.table_html, self.downloads])])
        details.set_title(0, "每位客户的明细（序号与图中一致）")
        super().__init__(
            [
                widgets.HBox([self.potential_cut, self.share_cut], layout=widgets.Layout(flex_flow="row wrap")),
                widgets.HBox(
                    [
                        self.upload,
                        self.reset,
                        widgets.HTML("&nbsp;CSV 或 Excel，列：<b>客户</b>、<b>采购潜力</b>、<b>我方份额</b>（或<b>年销售额</b>）"),
                    ],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                self.message,
                self.cuts_html,
                self.chart,
                self.summary_html,
                details,
                widgets.HTML("<b>资源分配</b>：把有限的资源（时间、人力、财力）按策略分下去；权重是课程的示例，请按公司的战略调整。"),
                widgets.HBox([self.total, *self.weights.values()], layout=widgets.Layout(flex_flow="row wrap")),
                self.allocation_message,
                self.allocation_html,
            ]
        )
        self.add_class("kc-segmentation")
        self.open_with(customers_csv)

    # -- data (load_sample, load_path and load_file: SampleOrFileLoader) ----------------
    def _use(self, accounts: tuple[seg.Account, ...], source: str) -> bool:
        if attempt(self.message, lambda: seg.segment_table(accounts)) is None:
            return False
        self.accounts, self.source = accounts, source
        return self.recompute()

    # -- calculation -------------------------------------------------------------------
    def recompute(self) -> bool:
        result = attempt(
            self.message, lambda: seg.segment_table(self.accounts, self.potential_cut.value, self.share_cut.value)
        )
        if result is None:
            return False
        self.message.clear()
        self.result = result
        self.cuts_html.value = (
            f"<div style='color:#607d8b'>数据：{html.escape(self.source)}</div>"
            f"<div class='kc-seg-cuts'>{html.escape(result.cuts_text())}</div>"
        )
        self.live_chart.show(result)
        self.summary_html.value = summary_html(result)
        rows = segment_rows(result)
        self.table_html.value = detail_html(rows)
        self.downloads.update(rows, SEGMENT_TABLE_COLUMNS)
        return self.reallocate()

    def reallocate(self) -> bool:
        if self.result is None:
            return False
        weights = {s: box.value for s, box in self.weights.items()}
        allocation = attempt(
            self.allocation_message, lambda: seg.allocate_resources(self.result.counts(), weights, self.total.value)
        )
        if allocation is None:
            return False
        self.allocation_message.clear()
        self.allocation = allocation
        self.allocation_html.value = allocation_html(allocation)
        return True


def segmentation_view(customers_csv: str | Path | None = None) -> SegmentationView:
    """The attack/defend matrix of the sample company's customers, or of ``customers_csv``."""
    return SegmentationView(customers_csv)


# ---------------------------------------------------------------- Kano


def kano_table_html() -> str:
    """The Kano evaluation table (rows: if it has the feature; columns: if it lacks it)."""
    head = "<th style='padding:2px 6px'>有这项 ＼ 没有这项</th>" + "".join(
        f"<th style='padding:2px 6px'>{a}</th>" for a in seg.KANO_ANSWERS
    )
    body = []
    for f in seg.KANO_ANSWERS:
        cells = "".join(
            f"<td style='padding:2px 6px;text-align:center'>{seg.kano_category(f, d).name}</td>" for d in seg.KANO_ANSWERS
        )
        body.append(f"<tr><th style='padding:2px 6px;text-align:left'>{f}</th>{cells}</tr>")
    return (
        "<table class='kc-table kc-kano-table' style='border-collapse:collapse;font-size:0.9em'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


class KanoView(widgets.VBox):
    """Two questionnaire answers -> Kano category. Attributes: ``functional``,
    ``dysfunctional`` (Dropdown), ``result_html``, ``category``."""

    def __init__(self) -> None:
        self.category: seg.KanoCategory | None = None
        self.feature = text_input("功能或特性", "免费远程诊断服务", "kc-kano-feature")
        self.functional = widgets.Dropdown(options=seg.KANO_ANSWERS, value="喜欢", description="如果有，您觉得", style=LABEL_STYLE)
        self.dysfunctional = widgets.Dropdown(options=seg.KANO_ANSWERS, value="无所谓", description="如果没有，您觉得", style=LABEL_STYLE)
        self.message = MessageArea("kc-kano-error")
        self.result_html = widgets.HTML()
        self.result_html.add_class("kc-kano-result")
        for box in (self.feature, self.functional, self.dysfunctional):
            box.observe(lambda _change: self.recompute(), names="value")
        table = widgets.Accordion([widgets.HTML(kano_table_html())])
        table.set_title(0, "卡诺评价表（点开查看）")
        super().__init__([self.feature, self.functional, self.dysfunctional, self.message, self.result_html, table])
        self.add_class("kc-kano")
        self.recompute()

    def recompute(self) -> None:
        category = attempt(self.message, lambda: seg.kano_category(self.functional.value, self.dysfunctional.value))
        if category is None:
            return
        self.message.clear()
        self.category = category
        seed = f"（讲义称“{category.seed_name}”）" if category.seed_name else ""
        feature = html.escape(self.feature.value.strip() or "这项功能")
        self.result_html.value = (
            f"<div style='font-size:1.2em'>“{feature}”属于 <b>{category.name}</b>{seed}</div>"
            f"<div>{html.escape(category.meaning)}</div>"
        )


def kano_view() -> KanoView:
    """Classify a feature by the two Kano questions."""
    return KanoView()


# ---------------------------------------------------------------- Kraljic


class KraljicView(widgets.VBox):
    """Two levels -> the Kraljic quadrant of a purchase and what it means for the seller.
    Attributes: ``impact``, ``risk`` (ToggleButtons), ``result_html``, ``quadrant``."""

    def __init__(self) -> None:
        self.quadrant: seg.KraljicQuadrant | None = None
        self.impact = widgets.ToggleButtons(
            options=(("高", True), ("低", False)), value=True, description="采购价值（对利润的影响）", style=LABEL_STYLE
        )
        self.risk = widgets.ToggleButtons(
            options=(("高", True), ("低", False)), value=False, description="供应风险", style=LABEL_STYLE
        )
        self.result_html = widgets.HTML()
        self.result_html.add_class("kc-kraljic-result")
        for box in (self.impact, self.risk):
            box.observe(lambda _change: self.recompute(), names="value")
        super().__init__([self.impact, self.risk, self.result_html])
        self.add_class("kc-kraljic")
        self.recompute()

    def recompute(self) -> None:
        self.quadrant = seg.kraljic(self.impact.value, self.risk.value)
        cells = {}
        for (impact, risk), quadrant in seg.KRALJIC.items():
            chosen = quadrant == self.quadrant
            style = "background:#1f5fa8;color:white;font-weight:bold" if chosen else "background:#eef2f7"
            cells[(impact, risk)] = f"<td style='padding:6px 14px;text-align:center;{style}'>{quadrant.name}</td>"
        grid = (
            "<table style='border-collapse:separate;border-spacing:3px;margin:4px 0'>"
            f"<tr><th style='padding:2px 6px'>价值高</th>{cells[(True, False)]}{cells[(True, True)]}</tr>"
            f"<tr><th style='padding:2px 6px'>价值低</th>{cells[(False, False)]}{cells[(False, True)]}</tr>"
            "<tr><th></th><th style='padding:2px 6px'>风险低</th><th style='padding:2px 6px'>风险高</th></tr></table>"
        )
        self.result_html.value = (
            grid
            + f"<div><b>{self.quadrant.name}</b> · 客户的采购目标：{html.escape(self.quadrant.buyer_goal)}</div>"
            + f"<div>对我们（卖方）：{html.escape(self.quadrant.seller_tip)}</div>"
        )


def kraljic_view() -> KraljicView:
    """Where our product sits in the customer's Kraljic matrix."""
    return KraljicView()
