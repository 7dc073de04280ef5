"""Pareto (80/20) and ABC classification of a customer list, as one widget.

Opens on the sample company 华东精密仪器有限公司; the trainee can change the ABC cut-offs
and upload a CSV/XLSX of their own customers. All arithmetic is in :mod:`kamcourse.pareto`.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import ipywidgets as widgets

from kamcourse import pareto
from kamcourse.charts import PARETO_CLASSES, ParetoChart
from kamcourse.tables import Column
from kamcourse.views.common import (
    DownloadLinks,
    MessageArea,
    SampleOrFileLoader,
    attempt,
    plain_number,
    reset_button,
    text_input,
    upload_button,
)

SAMPLE_LABEL = "样本公司 华东精密仪器有限公司的 20 位客户"
CLASS_COLORS = PARETO_CLASSES

#: Columns of the downloadable ABC table.
ABC_COLUMNS: tuple[Column, ...] = (
    Column("排名", kind="number"),
    Column("客户"),
    Column("年销售额", kind="number"),
    Column("占比", kind="probability"),
    Column("累计占比", kind="probability"),
    Column("类别"),
)

_SUFFIX = re.compile(r"(股份有限公司|有限责任公司|有限公司|集团|公司)$")


def short_name(name: str, limit: int = 10) -> str:
    """A customer name short enough for a chart label.

    >>> short_name("宁波海瑞汽车零部件有限公司")
    '宁波海瑞汽车零部件'
    >>> short_name("常州新源新材料股份有限公司")
    '常州新源新材料'
    >>> short_name("一个非常非常非常长的客户名字")
    '一个非常非常非常长…'
    """
    text = _SUFFIX.sub("", name.strip()) or name.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def abc_rows(result: pareto.AbcResult) -> list[dict[str, object]]:
    """The ABC table as rows for display and download."""
    total = sum(r.sales for r in result.rows)
    return [
        {
            "排名": r.rank,
            "客户": r.customer,
            "年销售额": r.sales,
            "占比": r.sales / total,
            "累计占比": r.cumulative_share,
            "类别": r.abc,
        }
        for r in result.rows
    ]


def summary_html(result: pareto.ParetoResult, abc: pareto.AbcResult, source: str) -> str:
    """Headline: the Pareto sentence and the A/B/C counts."""
    classes = "；".join(
        f"<b style='color:{CLASS_COLORS[c.abc]}'>{c.abc} 类</b> {c.count} 位（占客户数 {c.customer_share:.0%}，"
        f"销售额 {c.sales_share:.1%}）"
        for c in abc.classes
    )
    return (
        f"<div style='color:#607d8b'>数据：{html.escape(source)}</div>"
        f"<div class='kc-pareto-headline' style='font-size:1.15em;margin:4px 0'>{html.escape(result.summary())}</div>"
        f"<div class='kc-abc-summary'>{classes}</div>"
        f"<div style='color:#607d8b'>界限：A 类到累计 {abc.a_cut:.0%}，B 类到累计 {abc.b_cut:.0%}，其余为 C 类；"
        "越过界限的那位客户归入上一类。</div>"
    )


def table_html(rows: list[dict[str, object]]) -> str:
    head = "".join(f"<th style='padding:2px 8px;text-align:right'>{c.name}</th>" for c in ABC_COLUMNS)
    body = []
    for row in rows:
        cells = [
            str(row["排名"]),
            html.escape(str(row["客户"])),
            plain_number(row["年销售额"]),
            f"{row['占比']:.1%}",
            f"{row['累计占比']:.1%}",
            f"<b style='color:{CLASS_COLORS[str(row['类别'])]}'>{row['类别']}</b>",
        ]
        body.append("<tr>" + "".join(f"<td style='padding:2px 8px;text-align:right'>{c}</td>" for c in cells) + "</tr>")
    return (
        "<table class='kc-table kc-pareto-table' style='border-collapse:collapse'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


class ParetoView(SampleOrFileLoader, widgets.VBox):
    """Pareto chart and ABC table; see :func:`pareto_view`.

    Attributes used by tests: ``a_cut``, ``b_cut`` (Text), ``upload``, ``reset``,
    ``message``, ``summary_html``, ``chart``, ``table_html``, ``downloads``; ``sales`` is
    the customer list in use, ``result`` and ``abc`` the last good results.
    """

    sample_label = SAMPLE_LABEL
    _read_sample = staticmethod(pareto.sample_sales)
    _read_path = staticmethod(pareto.load_sales)
    _read_file = staticmethod(pareto.read_sales)

    def __init__(self, customers_csv: str | Path | None = None) -> None:
        self.sales: dict[str, float] = {}
        self.source = SAMPLE_LABEL
        self.result: pareto.ParetoResult | None = None
        self.abc: pareto.AbcResult | None = None
        self.a_cut = text_input("A 类界限（累计占比）", "0.8", "kc-pareto-a", width="20em")
        self.b_cut = text_input("B 类界限（累计占比）", "0.95", "kc-pareto-b", width="20em")
        self.upload = upload_button(self.load_file, css_class="kc-pareto-upload")
        self.reset = reset_button(self.load_sample)
        self.message = MessageArea("kc-pareto-error")
        self.summary_html = widgets.HTML()
        self.live_chart = ParetoChart("kc-pareto-chart")
        self.chart = self.live_chart.image
        self.table_html = widgets.HTML()
        self.downloads = DownloadLinks("abc_分类", "kc-pareto-download")
        for box in (self.a_cut, self.b_cut):
            box.observe(lambda _change: self.recompute(), names="value")
        details = widgets.Accordion([widgets.VBox([self.table_html, self.downloads])])
        details.set_title(0, "明细表（点开查看）")
        super().__init__(
            [
                widgets.HBox([self.a_cut, self.b_cut], layout=widgets.Layout(flex_flow="row wrap")),
                widgets.HBox(
                    [self.upload, self.reset, widgets.HTML("&nbsp;CSV 或 Excel，列：<b>客户</b>、<b>年销售额</b>")],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                self.message,
                self.summary_html,
                self.chart,
                details,
            ]
        )
        self.add_class("kc-pareto")
        self.open_with(customers_csv)

    # -- data (load_sample, load_path and load_file: SampleOrFileLoader) ----------------
    def _use(self, sales: dict[str, float], source: str) -> bool:
        """Switch to a valid customer list (a list the core refuses is not taken)."""
        if attempt(self.message, lambda: pareto.pareto(sales)) is None:
            return False
        self.sales, self.source = sales, source
        return self.recompute()

    # -- calculation -------------------------------------------------------------------
    def recompute(self) -> bool:
        results = attempt(
            self.message,
            lambda: (pareto.pareto(self.sales, target=self.a_cut.value),
                     pareto.abc_classes(self.sales, self.a_cut.value, self.b_cut.value)),
        )
        if results is None:
            return False
        self.message.clear()
        self.result, self.abc = results
        self.summary_html.value = summary_html(self.result, self.abc, self.source)
        self.live_chart.show(self.result, self.abc)
        rows = abc_rows(self.abc)
        self.table_html.value = table_html(rows)
        self.downloads.update(rows, ABC_COLUMNS)
        return True


def pareto_view(customers_csv: str | Path | None = None) -> ParetoView:
    """Pareto chart and ABC classes of the sample company's customers, or of ``customers_csv``."""
    return ParetoView(customers_csv)
