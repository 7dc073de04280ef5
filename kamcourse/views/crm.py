"""Module 6 widgets: sort the eight switching costs, and care tiers for a customer list.

The DSO and funnel calculators are :func:`kamcourse.views.dso.dso_dashboard` and
:func:`kamcourse.views.funnel.funnel_dashboard`; the rules here are in :mod:`kamcourse.crm`.
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as widgets

from kamcourse import crm
from kamcourse.charts import CareChart, care_chart  # noqa: F401 - care_chart re-exported
from kamcourse.views.common import (
    MessageArea,
    attempt,
    plain_number,
    text_input,
    upload_button,
)

GROUP_OPTIONS: tuple[tuple[str, str | None], ...] = (
    ("（请选择）", None),
    ("程序转换成本", "程序"),
    ("财政转换成本", "财政"),
    ("情感转换成本", "情感"),
)
RIGHT, WRONG = "#1b7f3b", "#b3261e"


class SwitchingCostSort(widgets.VBox):
    """One drop-down per switching cost and a 检查 button; see :func:`switching_cost_sort_view`.

    Attributes used by tests: ``choices`` (cost -> Dropdown), ``check_button``, ``marks``
    (cost -> HTML), ``message``.
    """

    def __init__(self) -> None:
        self.choices: dict[str, widgets.Dropdown] = {}
        self.marks: dict[str, widgets.HTML] = {}
        rows = []
        for cost in crm.SWITCHING_COSTS:
            dropdown = widgets.Dropdown(options=GROUP_OPTIONS, value=None, layout=widgets.Layout(width="12em"))
            mark = widgets.HTML(layout=widgets.Layout(width="22em"))
            self.choices[cost] = dropdown
            self.marks[cost] = mark
            rows.append(widgets.HBox([widgets.HTML(f"<b>{cost}</b>", layout=widgets.Layout(width="9em")), dropdown, mark]))
        self.check_button = widgets.Button(description="检查", icon="check", button_style="primary")
        self.check_button.on_click(lambda _b: self.check())
        self.message = MessageArea("kc-switch-message")
        super().__init__([*rows, self.check_button, self.message])
        self.add_class("kc-switch")

    def check(self) -> int:
        """Mark each row right or wrong; returns how many are right."""
        unanswered = [cost for cost, d in self.choices.items() if d.value is None]
        right = 0
        for cost, dropdown in self.choices.items():
            if dropdown.value is None:
                self.marks[cost].value = ""
                continue
            want = crm.switching_cost_group(cost)
            if dropdown.value == want:
                right += 1
                self.marks[cost].value = f"<span style='color:{RIGHT}'>✔ {html.escape(crm.SWITCHING_COST_MEANING[cost])}</span>"
            else:
                self.marks[cost].value = f"<span style='color:{WRONG}'>✘ 再想想：它属于哪一类代价？</span>"
        if unanswered:
            self.message.show_info(f"已答对 {right} 项，还有 {len(unanswered)} 项没有选择。")
        elif right == len(self.choices):
            self.message.show_info("全部正确！程序 4 项、财政 2 项、情感 2 项。")
        else:
            self.message.show_info(f"答对 {right} / {len(self.choices)} 项，改正打 ✘ 的再检查一次。")
        return right


def switching_cost_sort_view() -> SwitchingCostSort:
    """The switching-cost sorting widget."""
    return SwitchingCostSort()


def care_table_html(plan: crm.CarePlan) -> str:
    head = "".join(f"<th style='padding:2px 8px;text-align:left;'>{h}</th>" for h in ("客户", "客户价值", "级别", "关怀"))
    body = "".join(
        f"<tr><td style='padding:2px 8px;'>{html.escape(c.customer)}</td>"
        f"<td style='padding:2px 8px;text-align:right;'>{plain_number(round(c.value, 2))}</td>"
        f"<td style='padding:2px 8px;'><b>{c.tier}</b></td><td style='padding:2px 8px;'>{html.escape(c.care)}</td></tr>"
        for c in plan.rows
    )
    return f"<table class='kc-table kc-care-table' style='border-collapse:collapse;'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class CareTierView(widgets.VBox):
    """Care tiers for a customer list with the thresholds as inputs; see :func:`care_tier_view`.

    Attributes used by tests: ``a_min``, ``b_min`` (Text), ``upload``, ``message``,
    ``table``, ``chart``; ``values`` (customer -> value) and ``plan`` hold the last good data.
    """

    def __init__(self, sales_csv: str | Path | None = None, a_min: float = 3000, b_min: float = 1500) -> None:
        self.values: dict[str, float] = {}
        self.plan: crm.CarePlan | None = None
        self.a_min = text_input("A 级门槛（万元）", plain_number(a_min), "kc-care-a")
        self.b_min = text_input("B 级门槛（万元）", plain_number(b_min), "kc-care-b")
        self.upload = upload_button(self._uploaded, css_class="kc-care-upload")
        self.message = MessageArea("kc-care-error")
        self.table = widgets.HTML()
        self.live_chart = CareChart("kc-care-chart")
        self.chart = self.live_chart.image
        for box in (self.a_min, self.b_min):
            box.observe(lambda _change: self.recompute(), names="value")
        super().__init__(
            [
                self.a_min,
                self.b_min,
                widgets.HBox([self.upload, widgets.HTML("&nbsp;CSV 或 Excel 文件，列：<b>客户</b>、<b>销售额</b>（按月的多行会自动加总）")]),
                self.message,
                self.chart,
                self.table,
            ]
        )
        self.add_class("kc-care")
        values = attempt(self.message, crm.sample_annual_sales)
        if values is not None:
            self.values = values
            self.recompute()
        if sales_csv is not None:
            loaded = attempt(self.message, lambda: crm.load_annual_sales(str(sales_csv)))
            if loaded is not None:
                self.values = loaded
                if self.recompute():
                    self.message.show_info(f"已读入“{Path(sales_csv).name}”：{len(loaded)} 个客户。")

    def recompute(self) -> bool:
        plan = attempt(self.message, lambda: crm.care_plan(self.values, a_min=self.a_min.value, b_min=self.b_min.value))
        if plan is None:
            return False
        self.message.clear()
        self.plan = plan
        self.live_chart.show(plan)
        self.table.value = care_table_html(plan)
        return True

    def _uploaded(self, content: bytes, filename: str) -> None:
        loaded = attempt(self.message, lambda: crm.read_annual_sales(content, filename))
        if loaded is None:
            return
        previous, self.values = self.values, loaded
        if self.recompute():
            self.message.show_info(f"已读入“{filename}”：{len(loaded)} 个客户。")
        else:
            self.values = previous


def care_tier_view(sales_csv: str | Path | None = None) -> CareTierView:
    """Care tiers A / B / 普通 for the sample company's customers, or those in ``sales_csv``."""
    return CareTierView(sales_csv)
