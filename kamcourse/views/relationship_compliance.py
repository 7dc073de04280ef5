"""Module 5 widget: the compliance self-check (合规自查).

The rule is :func:`kamcourse.relationship_compliance.assess`; this view only collects the
facts and shows the verdict, the reasons and a lawful alternative.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from kamcourse import relationship_compliance as comp
from kamcourse.views.common import MessageArea, attempt

VERDICT_COLORS = {"可以": "#1b7f3b", "先请示": "#ef8f00", "不可以": "#b3261e"}
YES_NO = ("否", "是")
LABEL_STYLE = {"description_width": "14em"}  # the longest label has 12 characters


class ComplianceCheckView(widgets.VBox):
    """Describe a gesture, read the verdict; see :func:`compliance_check_view`.

    Attributes used by tests: ``kind``, ``policy``, ``recorded``, ``pending``, ``public``
    (Dropdown), ``result`` (HTML), ``message``; ``assessment`` holds the last verdict.
    """

    def __init__(self) -> None:
        wide = widgets.Layout(width="34em")
        self.kind = widgets.Dropdown(options=comp.KINDS, value="礼品", description="打算做什么", style=LABEL_STYLE,
                                     layout=wide)
        self.policy = widgets.Dropdown(options=comp.POLICY_ANSWERS, value="是", description="在双方公司政策之内",
                                       style=LABEL_STYLE, layout=wide)
        self.recorded = widgets.Dropdown(options=YES_NO, value="是", description="公开并登记", style=LABEL_STYLE,
                                         layout=wide)
        self.pending = widgets.Dropdown(options=YES_NO, value="否", description="客户正在做采购决定",
                                        style=LABEL_STYLE, layout=wide)
        self.public = widgets.Dropdown(options=YES_NO, value="否", description="对方是国家机关或国有企业",
                                       style=LABEL_STYLE, layout=wide)
        self.message = MessageArea("kc-comp-error")
        self.result = widgets.HTML()
        self.result.add_class("kc-comp-result")
        self.assessment: comp.Assessment | None = None
        controls = (self.kind, self.policy, self.recorded, self.pending, self.public)
        for control in controls:
            control.observe(lambda _change: self.recompute(), names="value")
        super().__init__([*controls, self.message, self.result])
        self.add_class("kc-comp")
        self.recompute()

    def recompute(self) -> None:
        assessment = attempt(
            self.message,
            lambda: comp.assess_choices(
                self.kind.value, self.policy.value, self.recorded.value, self.pending.value, self.public.value
            ),
        )
        if assessment is None:
            return
        self.message.clear()
        self.assessment = assessment
        colour = VERDICT_COLORS[assessment.verdict]
        reasons = "".join(f"<li>{html.escape(r)}</li>" for r in assessment.reasons)
        self.result.value = (
            f"<div>结论：<b style='color:{colour};font-size:1.1em'>{assessment.verdict}</b></div>"
            f"<div>理由：<ul style='margin:2px 0'>{reasons}</ul></div>"
            f"<div>合规的做法：{html.escape(assessment.alternative)}</div>"
        )


def compliance_check_view() -> ComplianceCheckView:
    """The compliance self-check widget."""
    return ComplianceCheckView()
