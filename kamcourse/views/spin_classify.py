"""Module 4: type a question, see which SPIN type the course's word-cue classifier reads
it as and why. A thin view over :func:`kamcourse.spin.classify_question`.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from kamcourse import spin
from kamcourse.spin import QuestionClass
from kamcourse.views.common import MessageArea

_COLOURS = {"S": "#455a64", "P": "#8a6d00", "I": "#b3261e", "N": "#1b7f3b"}


class QuestionChecker(widgets.VBox):
    """A text box and a 判断 button; shows the type, the deciding word and a caveat."""

    def __init__(self) -> None:
        self.box = widgets.Text(
            value="", placeholder="例如：产线停下来等检测结果，每班会少出多少产量？", description="你的问题",
            continuous_update=False, style={"description_width": "6em"}, layout=widgets.Layout(width="46em"),
        )
        self.box.add_class("kc-spin-question")
        self.box.observe(lambda _change: self.refresh(), names="value")
        self.button = widgets.Button(description="判断", icon="check", button_style="primary")
        self.button.on_click(lambda _b: self.refresh())
        self.message = MessageArea()
        self.output = widgets.HTML("")
        self.result: QuestionClass | None = None
        super().__init__([self.box, self.button, self.message, self.output])
        self.add_class("kc-spin-checker")

    def refresh(self) -> None:
        result = spin.classify_question(self.box.value)
        if not result.code:
            self.result = None
            self.output.value = ""
            self.message.show_info(result.reason)
            return
        self.message.clear()
        self.result = result
        colour = _COLOURS[result.code]
        self.output.value = (
            f'<div style="border-left:4px solid {colour};padding:4px 10px;margin:6px 0">'
            f'<b style="color:{colour}">{html.escape(result.name)}（{result.code}）</b><br>'
            f"{html.escape(result.reason)}<br>"
            '<small style="color:#455a64">判断只看几个关键词，不懂句子的意思，可能看错；'
            "看错时，想想你的问题问的是现状、困难、后果还是价值。</small></div>"
        )


def spin_question_checker() -> QuestionChecker:
    """The SPIN question checker widget."""
    return QuestionChecker()
