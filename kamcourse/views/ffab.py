"""Widgets of module 3 (FFAB 呈现): the statement builder, the F/F/A/B sorter and the
communication-loss chart. The sorter class is generic; the SPIN classifier reuses it.

Views only collect input, call :mod:`kamcourse.ffab` and draw.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets

from kamcourse import ffab
from kamcourse.errors import KamcourseError
from kamcourse.ffab import BankItem, FfabStatement, LabelCheck
from kamcourse.charts import CommunicationLossChart, communication_loss_figure  # noqa: F401 - re-exported
from kamcourse.views.common import MessageArea, reset_button

OK_COLOR = "#1b7f3b"
WRONG_COLOR = "#b3261e"
TIP_COLOR = "#8a6d00"


# ---------------------------------------------------------------- generic label sorter


class LabelSorter(widgets.VBox):
    """One row per bank item with a button per label; every click is checked at once.

    ``options`` are (button text, label code) pairs; ``check(labels)`` is the core's
    check (item id -> code); ``meaning[code]`` explains a label, shown as the hint when
    the trainee picks it wrongly (so the hint never gives the key away).
    """

    def __init__(
        self,
        items: Sequence[BankItem],
        options: Sequence[tuple[str, str]],
        check: Callable[[Mapping[str, Any]], LabelCheck],
        meaning: Mapping[str, str],
        names: Mapping[str, str],
        intro: str = "",
    ) -> None:
        self.items = tuple(items)
        self._check = check
        self._meaning = dict(meaning)
        self._names = dict(names)
        self.result: LabelCheck | None = None
        self.choices: dict[str, widgets.ToggleButtons] = {}
        self.marks: dict[str, widgets.HTML] = {}
        rows: list[widgets.Widget] = []
        for number, item in enumerate(self.items, start=1):
            toggle = widgets.ToggleButtons(
                options=list(options), value=None, style={"button_width": "auto"},
            )
            toggle.add_class(f"kc-choice-{item.id}")
            toggle.observe(lambda _change: self.refresh(), names="value")
            mark = widgets.HTML("")
            self.choices[item.id] = toggle
            self.marks[item.id] = mark
            text = widgets.HTML(f"<b>{number}.</b> {html.escape(item.text)}")
            rows.append(widgets.VBox([text, toggle, mark], layout=widgets.Layout(margin="0 0 10px 0")))
        self.summary = widgets.HTML("")
        self.message = MessageArea()
        self.reset_button = reset_button(self.reset, "重新开始", icon="refresh")
        header = [widgets.HTML(f"<p>{html.escape(intro)}</p>")] if intro else []
        super().__init__([*header, *rows, self.summary, self.message, self.reset_button])
        self.add_class("kc-label-sorter")
        self.refresh()

    def labels(self) -> dict[str, str]:
        return {item_id: toggle.value or "" for item_id, toggle in self.choices.items()}

    def refresh(self) -> None:
        try:
            result = self._check(self.labels())
        except KamcourseError as err:
            self.message.show_error(err.message)
            return
        self.message.clear()
        self.result = result
        for verdict in result.verdicts:
            mark = self.marks[verdict.item.id]
            if not verdict.answered:
                mark.value = ""
            elif verdict.correct:
                mark.value = f'<span style="color:{OK_COLOR}">✔ 对。{html.escape(verdict.item.why)}</span>'
            else:
                name = self._names.get(verdict.given, verdict.given)
                hint = self._meaning.get(verdict.given, "")
                mark.value = (
                    f'<span style="color:{WRONG_COLOR}">✘ 再想想：{html.escape(name)}说的是'
                    f'“{html.escape(hint)}”，这一句是这样吗？</span>'
                )
        colour = OK_COLOR if result.complete else "inherit"
        self.summary.value = f'<p style="color:{colour}"><b>{html.escape(result.message)}</b></p>'

    def reset(self) -> None:
        for toggle in self.choices.values():
            toggle.value = None
        self.refresh()


# ---------------------------------------------------------------- F/F/A/B sorter


def ffab_sorter() -> LabelSorter:
    """The F/F/A/B sorting exercise on the course's example product."""
    bank = ffab.load_statement_bank()
    needs = "".join(f"“{n}”" for n in bank.customer_needs)
    intro = f"产品：{bank.product}。客户：{bank.customer}，他在拜访中说过：{needs}请为每句话选一个类别。"
    options = [(f"{ffab.PART_NAMES[p]} {ffab.PART_ENGLISH[p]}", p) for p in ffab.PARTS]
    return LabelSorter(bank.items, options, ffab.check_labels, ffab.PART_QUESTIONS, ffab.PART_NAMES, intro)


# ---------------------------------------------------------------- statement builder

_FIELD_LABELS: dict[str, str] = {
    "customer_need": "客户说出的需求",
    "feature": "特征（Feature）",
    "function": "功能（Function）",
    "advantage": "优点（Advantage）",
    "benefit": "利益（Benefit）",
}
_PLACEHOLDERS: dict[str, str] = {
    "customer_need": "客户的原话，例如：首件检测太慢，产线经常停下来等检测结果。",
    **{p: ffab.PART_QUESTIONS[p] for p in ffab.PARTS},
}


class FfabBuilder(widgets.VBox):
    """Five text areas (the need and the four layers); the pitch and the checks update
    as the trainee types (on leaving a box) or clicks 检查."""

    def __init__(self) -> None:
        self.fields: dict[str, widgets.Textarea] = {}
        boxes = []
        for key, label in _FIELD_LABELS.items():
            area = widgets.Textarea(
                value="", placeholder=_PLACEHOLDERS[key], description=label, continuous_update=False,
                style={"description_width": "9em"}, layout=widgets.Layout(width="46em", height="3.6em"),
            )
            area.add_class(f"kc-ffab-{key}")
            area.observe(lambda _change: self.refresh(), names="value")
            self.fields[key] = area
            boxes.append(area)
        self.check_button = widgets.Button(description="检查", icon="check", button_style="primary")
        self.example_button = widgets.Button(description="填入示例", icon="lightbulb-o")
        self.clear_button = widgets.Button(description="清空", icon="eraser")
        self.check_button.on_click(lambda _b: self.refresh())
        self.example_button.on_click(lambda _b: self.fill_example())
        self.clear_button.on_click(lambda _b: self.clear())
        self.message = MessageArea()
        self.result = widgets.HTML("")
        self.statement: FfabStatement | None = None
        self._hold = False
        buttons = widgets.HBox([self.check_button, self.example_button, self.clear_button])
        super().__init__([*boxes, buttons, self.message, self.result])
        self.add_class("kc-ffab-builder")

    def values(self) -> dict[str, str]:
        return {key: area.value for key, area in self.fields.items()}

    def refresh(self) -> None:
        if self._hold:
            return
        values = self.values()
        if not any(v.strip() for v in values.values()):
            self.statement = None
            self.result.value = ""
            self.message.show_info("先写下客户的需求，再从特征写到利益。")
            return
        try:
            statement = ffab.build_statement(**values)
        except KamcourseError as err:
            self.message.show_error(err.message)
            return
        self.message.clear()
        self.statement = statement
        self.result.value = render_statement(statement)

    def fill_example(self) -> None:
        example = ffab.example_statement()
        self._set({
            "customer_need": example.customer_need, "feature": example.feature, "function": example.function,
            "advantage": example.advantage, "benefit": example.benefit,
        })

    def clear(self) -> None:
        self._set({key: "" for key in self.fields})

    def _set(self, values: Mapping[str, str]) -> None:
        self._hold = True
        try:
            for key, value in values.items():
                self.fields[key].value = value
        finally:
            self._hold = False
        self.refresh()


def render_statement(statement: FfabStatement) -> str:
    """HTML of the assembled pitch and its checklist."""
    lines = []
    for check in statement.checks:
        if check.ok:
            icon, colour = "✔", OK_COLOR
        elif check.required:
            icon, colour = "✘", WRONG_COLOR
        else:
            icon, colour = "💡", TIP_COLOR
        lines.append(
            f'<li style="color:{colour};list-style:none">{icon} <b>{html.escape(check.name)}</b>：'
            f"{html.escape(check.message)}</li>"
        )
    verdict = (
        f'<p style="color:{OK_COLOR}"><b>可以拿去练习了！</b></p>' if statement.ready
        else f'<p style="color:{WRONG_COLOR}"><b>还差一点：先改好标 ✘ 的项。</b></p>'
    )
    pitch = html.escape(statement.text) if statement.text else "（还没有内容）"
    return (
        '<div style="border-left:4px solid #1565c0;padding:4px 10px;margin:6px 0">'
        f"<b>你的 FFAB 陈述：</b><br>{pitch}</div>{verdict}<ul style='padding-left:0'>{''.join(lines)}</ul>"
    )


def ffab_builder() -> FfabBuilder:
    """The FFAB statement builder widget."""
    return FfabBuilder()


# ---------------------------------------------------------------- communication loss chart


def communication_loss_chart() -> widgets.Image:
    """The communication-loss chart as an image widget (with its text alternative)."""
    chart = CommunicationLossChart("kc-communication-loss")
    chart.show(tuple(ffab.communication_loss()))
    return chart.image
