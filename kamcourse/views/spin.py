"""Widgets of module 4 (SPIN 提问): the S/P/I/N question classifier and the personality
self-assessment. Views only collect input, call :mod:`kamcourse.spin` and draw.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from kamcourse import spin
from kamcourse.errors import KamcourseError
from kamcourse.spin import PersonalityResult
from kamcourse.views.common import MessageArea, text_input
from kamcourse.views.ffab import LabelSorter

#: What each question type asks about; shown as the hint on a wrong pick.
SPIN_MEANING: dict[str, str] = {
    "S": "了解客户现状的事实和数据",
    "P": "探查客户的困难、不便和不满",
    "I": "追问难点会带来什么后果和影响",
    "N": "请客户说出解决之后的价值和用处",
}


def spin_sorter() -> LabelSorter:
    """The S/P/I/N question classifier on the course's example call."""
    bank = spin.load_questions()
    options = [(f"{code} {spin.SPIN_NAMES[code]}", code) for code in spin.SPIN_TYPES]
    intro = f"情境：{bank.context}请判断每个问题属于哪一类。"
    return LabelSorter(bank.items, options, spin.check_labels, SPIN_MEANING, spin.SPIN_NAMES, intro)


class PersonalityView(widgets.VBox):
    """Four score boxes (A/B/C/D) and a 判断 button; shows the type and the order."""

    def __init__(self) -> None:
        self.inputs: dict[str, widgets.Text] = {}
        for quadrant in spin.QUADRANTS:
            box = text_input(f"{quadrant} 项得分（{spin.QUADRANT_TYPES[quadrant]}）", "", f"kc-score-{quadrant}", "18em")
            box.placeholder = f"0–{spin.MAX_SCORE}"
            box.observe(lambda _change: self._maybe_refresh(), names="value")
            self.inputs[quadrant] = box
        self.button = widgets.Button(description="判断类型", icon="check", button_style="primary")
        self.button.on_click(lambda _b: self.refresh())
        self.message = MessageArea()
        self.output = widgets.HTML("")
        self.result: PersonalityResult | None = None
        super().__init__([*self.inputs.values(), self.button, self.message, self.output])
        self.add_class("kc-personality")

    def scores(self) -> dict[str, str]:
        return {quadrant: box.value for quadrant, box in self.inputs.items()}

    def _maybe_refresh(self) -> None:
        if all(value.strip() for value in self.scores().values()):
            self.refresh()

    def refresh(self) -> None:
        try:
            result = spin.personality(self.scores())
        except KamcourseError as err:
            self.result = None
            self.output.value = ""
            self.message.show_error(err.message)
            return
        self.message.clear()
        self.result = result
        self.output.value = render_personality(result)


def render_personality(result: PersonalityResult) -> str:
    """HTML of a personality result."""
    return (
        '<div style="border-left:4px solid #1565c0;padding:4px 10px;margin:6px 0">'
        f"<b>类型：{html.escape(result.label)}</b>　　<b>提问次序：{html.escape(result.order)}</b><br>"
        f"{html.escape(result.explanation)}<br>"
        '<small style="color:#455a64">这是讲义的培训模型，不是经过验证的心理测评。</small></div>'
    )


def personality_view() -> PersonalityView:
    """The personality self-assessment widget."""
    return PersonalityView()
