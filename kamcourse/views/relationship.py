"""Module 5 widgets: the relationship map of an account and the next-action picker.

All rules are in :mod:`kamcourse.relationship`; this module collects input and draws.
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as widgets

from kamcourse import relationship as rel
from kamcourse.charts import PRIORITY_COLORS, RelationshipChart, relationship_chart  # noqa: F401 - re-exported
from kamcourse.views.common import (
    LABEL_STYLE,
    MessageArea,
    attempt,
    reset_button,
    upload_button,
)


def map_table_html(rmap: rel.RelationshipMap) -> str:
    """The contacts with their target stage, priority and next action, most urgent first."""
    head = "".join(
        f"<th style='padding:2px 8px;text-align:left;'>{h}</th>"
        for h in ("姓名", "职位", "角色", "影响力", "现在", "目标", "优先级", "下一步行动")
    )
    body = []
    for row in rmap.rows:
        c, a = row.contact, row.action
        colour = PRIORITY_COLORS[a.priority]
        cells = [c.name, c.title, c.role, str(c.influence), c.stage, a.target]
        tds = "".join(f"<td style='padding:2px 8px;'>{html.escape(v)}</td>" for v in cells)
        tds += f"<td style='padding:2px 8px;color:{colour};font-weight:bold;'>{a.priority}</td>"
        tds += f"<td style='padding:2px 8px;'>{html.escape(a.text)}</td>"
        body.append(f"<tr>{tds}</tr>")
    return (
        "<table class='kc-table kc-rel-table' style='border-collapse:collapse;'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def summary_html(rmap: rel.RelationshipMap) -> str:
    """Counts per stage and the number of urgent contacts."""
    counts = "，".join(f"{stage} {n} 人" for stage, n in rmap.stage_counts)
    urgent = "、".join(r.contact.name for r in rmap.urgent) or "无"
    return (
        f"<div class='kc-rel-summary'>共 {len(rmap.rows)} 位联系人：{html.escape(counts)}。"
        f"<br><b>优先推进</b>：{html.escape(urgent)}</div>"
    )


class RelationshipMapView(widgets.VBox):
    """The relationship map of an account; see :func:`relationship_map_view`.

    Attributes used by tests: ``upload``, ``reset_button``, ``message``, ``summary``,
    ``chart``, ``table``; ``rmap`` holds the last good map.
    """

    def __init__(self, contacts_csv: str | Path | None = None) -> None:
        self.rmap: rel.RelationshipMap | None = None
        self.message = MessageArea("kc-rel-error")
        self.upload = upload_button(self._uploaded, css_class="kc-rel-upload")
        self.reset_button = reset_button(self.show_sample, "恢复样本客户")
        self.summary = widgets.HTML()
        self.live_chart = RelationshipChart("kc-rel-chart")
        self.chart = self.live_chart.image
        self.table = widgets.HTML()
        help_text = widgets.HTML(
            "&nbsp;CSV 或 Excel 文件，列：<b>姓名</b>、<b>职位</b>、<b>角色</b>（决策人/使用者/技术把关者/"
            "财务把关者/采购/向导）、<b>影响力</b>（1-5）、<b>关系阶段</b>（认识/约会/信赖/同盟）"
        )
        super().__init__(
            [
                widgets.HBox([self.upload, self.reset_button, help_text], layout=widgets.Layout(flex_flow="row wrap")),
                self.message,
                self.summary,
                self.chart,
                self.table,
            ]
        )
        self.add_class("kc-rel")
        if contacts_csv is None:
            self.show_sample()
        else:
            self.show_sample(quiet=True)
            self.load_path(contacts_csv)

    def show(self, contacts: tuple[rel.Contact, ...]) -> bool:
        """Draw the map for ``contacts``; on bad data keep the last map and explain."""
        rmap = attempt(self.message, lambda: rel.relationship_map(contacts))
        if rmap is None:
            return False
        self.rmap = rmap
        self.summary.value = summary_html(rmap)
        self.live_chart.show(rmap)
        self.table.value = map_table_html(rmap)
        return True

    def show_sample(self, quiet: bool = False) -> None:
        contacts = attempt(self.message, rel.load_sample_contacts)
        if contacts is not None and self.show(contacts) and not quiet:
            self.message.show_info("样本公司的大客户：宁波海瑞汽车零部件有限公司的 8 位联系人。")

    def load_path(self, path: str | Path) -> None:
        contacts = attempt(self.message, lambda: rel.load_contacts(str(path)))
        if contacts is not None and self.show(contacts):
            self.message.show_info(f"已读入“{Path(path).name}”：{len(contacts)} 位联系人。")

    def _uploaded(self, content: bytes, filename: str) -> None:
        contacts = attempt(self.message, lambda: rel.read_contacts(content, filename))
        if contacts is not None and self.show(contacts):
            self.message.show_info(f"已读入“{filename}”：{len(contacts)} 位联系人。")


def relationship_map_view(contacts_csv: str | Path | None = None) -> RelationshipMapView:
    """The relationship map widget: the sample account, or the contacts in ``contacts_csv``."""
    return RelationshipMapView(contacts_csv)


class NextActionView(widgets.VBox):
    """Pick a stage, a role and an influence; see the next action.

    Attributes used by tests: ``stage``, ``role`` (Dropdown), ``influence`` (IntSlider),
    ``result`` (HTML); ``action`` holds the last action.
    """

    def __init__(self) -> None:
        self.stage = widgets.Dropdown(options=rel.STAGES, value="约会", description="关系阶段", style=LABEL_STYLE)
        self.role = widgets.Dropdown(options=rel.ROLES, value="决策人", description="角色", style=LABEL_STYLE)
        self.influence = widgets.IntSlider(
            value=5, min=rel.MIN_INFLUENCE, max=rel.MAX_INFLUENCE, description="影响力", style=LABEL_STYLE
        )
        self.message = MessageArea("kc-next-error")
        self.result = widgets.HTML()
        self.result.add_class("kc-next-result")
        self.action: rel.Action | None = None
        for control in (self.stage, self.role, self.influence):
            control.observe(lambda _change: self.recompute(), names="value")
        super().__init__([self.stage, self.role, self.influence, self.message, self.result])
        self.add_class("kc-next")
        self.recompute()

    def recompute(self) -> None:
        action = attempt(self.message, lambda: rel.next_action(self.stage.value, self.influence.value, self.role.value))
        if action is None:
            return
        self.message.clear()
        self.action = action
        colour = PRIORITY_COLORS[action.priority]
        self.result.value = (
            f"<div>目标阶段：<b>{action.target}</b>（还差 {max(action.gap, 0)} 级）；"
            f"优先级：<b style='color:{colour}'>{action.priority}</b></div>"
            f"<div>下一步：{html.escape(action.move)}</div>"
            f"<div>谈什么：{html.escape(action.focus)}</div>"
        )


def next_action_view() -> NextActionView:
    """The next-action picker widget."""
    return NextActionView()
