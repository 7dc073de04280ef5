"""Prospect screening widget (module 2, 如何寻找潜在客户).

The trainee ticks the target regions and industries, sets the smallest purchase potential
worth a visit and whether a public buying signal is required; the table shows which sample
prospects pass, their rank, and why the others were screened out. The rules are in
:mod:`kamcourse.needs_prospects`.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from kamcourse import needs_prospects as np_core
from kamcourse.views.common import MessageArea, attempt, plain_number, text_input

PASS_COLOR = "#1b7f3b"
OUT_COLOR = "#8d8d8d"
#: Short columns (rank, region, industry, potential) that must not wrap one character per line.
NOWRAP_COLUMNS = frozenset({0, 2, 3, 4})


def _checkboxes(options: tuple[str, ...], chosen: tuple[str, ...], css: str) -> dict[str, widgets.Checkbox]:
    boxes = {}
    for option in options:
        box = widgets.Checkbox(value=option in chosen, description=option, indent=False,
                               layout=widgets.Layout(width="auto", margin="0 1.2em 0 0"))
        box.add_class(css)
        boxes[option] = box
    return boxes


def screening_html(result: np_core.Screening) -> str:
    """The screened list: passed companies first (by rank), then the others with reasons."""
    head = ["排名", "公司", "地区", "行业", "估计采购潜力（万元/年）", "公开的采购信号", "信息来源", "筛选结果"]
    ordered = sorted(result.rows, key=lambda r: (r.rank is None, r.rank or 0))
    body = []
    for r in ordered:
        p = r.prospect
        verdict = (
            f"<b style='color:{PASS_COLOR}'>进入优先名单</b>" if r.passed
            else f"<span style='color:{OUT_COLOR}'>{html.escape('；'.join(r.reasons))}</span>"
        )
        cells = [
            str(r.rank) if r.rank else "—",
            html.escape(p.name),
            html.escape(p.province),
            html.escape(p.industry),
            plain_number(p.potential),
            html.escape(p.signal or "—"),
            html.escape(p.source or "—"),
            verdict,
        ]
        body.append("<tr>" + "".join(
            f"<td style='padding:2px 8px{';white-space:nowrap' if i in NOWRAP_COLUMNS else ''}'>{c}</td>"
            for i, c in enumerate(cells)
        ) + "</tr>")
    header = "".join(
        f"<th style='padding:2px 8px;text-align:left{';white-space:nowrap' if i in NOWRAP_COLUMNS else ''}'>{h}</th>"
        for i, h in enumerate(head)
    )
    return (
        "<table class='kc-table kc-prospect-table' style='border-collapse:collapse'>"
        f"<thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


class ProspectScreenView(widgets.VBox):
    """Screening criteria and the screened sample list; see :func:`prospect_screen_view`.

    Attributes used by tests: ``provinces`` and ``industries`` (dicts of Checkbox by name),
    ``min_potential`` (Text), ``require_signal`` (Checkbox), ``message``, ``summary_html``,
    ``table_html``; ``result`` is the last good :class:`~kamcourse.needs_prospects.Screening`.
    """

    def __init__(self) -> None:
        self.result: np_core.Screening | None = None
        self.provinces = _checkboxes(np_core.province_choices(), np_core.DEFAULT_PROVINCES, "kc-prospect-province")
        self.industries = _checkboxes(np_core.sample_industries(), np_core.DEFAULT_INDUSTRIES, "kc-prospect-industry")
        self.min_potential = text_input(
            "采购潜力下限（万元）", plain_number(np_core.DEFAULT_MIN_POTENTIAL), "kc-prospect-min", width="22em"
        )
        self.require_signal = widgets.Checkbox(value=True, description="要有公开的采购信号", indent=False)
        self.require_signal.add_class("kc-prospect-signal")
        self.message = MessageArea("kc-prospect-error")
        self.summary_html = widgets.HTML()
        self.summary_html.add_class("kc-prospect-summary")
        self.table_html = widgets.HTML()
        for box in (*self.provinces.values(), *self.industries.values(), self.min_potential, self.require_signal):
            box.observe(lambda _change: self.recompute(), names="value")
        row = widgets.Layout(flex_flow="row wrap")
        super().__init__(
            [
                widgets.HTML("<b>市场范围</b>（目标地区）"),
                widgets.HBox(list(self.provinces.values()), layout=row),
                widgets.HTML("<b>目标客户群体</b>（行业）"),
                widgets.HBox(list(self.industries.values()), layout=row),
                widgets.HBox([self.min_potential, self.require_signal], layout=row),
                self.message,
                self.summary_html,
                self.table_html,
            ]
        )
        self.add_class("kc-prospects")
        self.recompute()

    def recompute(self) -> bool:
        chosen_provinces = [name for name, box in self.provinces.items() if box.value]
        chosen_industries = [name for name, box in self.industries.items() if box.value]
        result = attempt(
            self.message,
            lambda: np_core.screen_prospects(
                np_core.SAMPLE_PROSPECTS, chosen_provinces, chosen_industries,
                self.min_potential.value, self.require_signal.value,
            ),
        )
        if result is None:
            return False
        self.message.clear()
        self.result = result
        shortlist = result.shortlist()
        names = "、".join(shortlist) if shortlist else "没有公司通过筛选，试着放宽条件。"
        self.summary_html.value = (
            f"<div style='color:#607d8b'>{html.escape(result.criteria_text())}</div>"
            f"<div style='font-size:1.1em;margin:4px 0'>优先名单（{len(shortlist)} 家，按顺序）：{html.escape(names)}</div>"
        )
        self.table_html.value = screening_html(result)
        return True


def prospect_screen_view() -> ProspectScreenView:
    """Screen the course's sample prospects for the JM-500 by region, industry, potential and signal."""
    return ProspectScreenView()
