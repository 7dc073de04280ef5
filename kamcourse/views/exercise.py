"""Exercise widgets: ``exercise_task("m4", "t1")`` is one task in a notebook, no Python.

The widget shows the task's stem, the inputs of its kind, a 检查 button with instant
Chinese feedback (a wrong answer gets the hint), and 查看参考答案 behind a confirmation.
Each judged answer and each look at the key is recorded in the trainee's progress store
(:mod:`kamcourse.exercises.store`). The widget is a thin view: the verdict comes from
:func:`kamcourse.exercises.verdict`, the key text from :func:`kamcourse.exercises.key_lines`.

Inputs per kind (every control has a visible, accessible name; all are native controls,
so they work with the keyboard):

- single: radio buttons; true_false: radio buttons 对 / 错; multiple: one checkbox per option;
- ordering: one drop-down per position (第 1 位, 第 2 位, ...) over the lettered options;
- matching: one drop-down of labels per statement; numeric: a text box and the unit;
- written: a text area, then (after 检查) the rubric as a checklist to tick;
- function: the task's declared fields (text boxes or text areas).

Nothing the trainee entered is cleared by 检查 or 查看参考答案.
"""

from __future__ import annotations

import html
import logging
from typing import Any

import ipywidgets as widgets

from kamcourse.exercises import Task, Verdict, WrittenAnswer, key_lines, record_check, record_reveal, verdict
from kamcourse.exercises.legacy import find_task
from kamcourse.exercises.store import TaskProgress, task_progress

log = logging.getLogger(__name__)

OK_COLOR = "#1b7f3b"
WRONG_COLOR = "#b3261e"
INFO_COLOR = "#455a64"
PLACEHOLDER = ("（请选择）", "")
WIDE = widgets.Layout(width="100%", max_width="48em")
LABEL_STYLE = {"description_width": "initial"}

REVEAL_QUESTION = "确定要看参考答案吗？看过之后，这道题要再自己答对一次才算通过。"

#: ipywidgets lays radio and checkbox labels out on one line; a long Chinese option then
#: runs over its own button. Let labels wrap, with the button beside the first line.
WRAP_STYLE = """<style>
.kc-exercise .widget-radio-box label { white-space: normal; height: auto; display: flex; align-items: flex-start;
  gap: 0.4em; line-height: 1.5; margin-bottom: 0.35em; }
.kc-exercise .widget-radio-box label input { order: -1; flex: none; margin-top: 0.3em; }
.kc-exercise .widget-checkbox { height: auto; align-items: flex-start; }
.kc-exercise .widget-checkbox label.widget-label-basic { white-space: normal; line-height: 1.5; height: auto; }
</style>"""
REVEALED = "参考答案在下面。看过答案后，要再自己答对一次，这道题才算通过。"


class FeedbackArea(widgets.HTML):
    """The verdict line: green ✔ when right, red ✘ when wrong, red ！ for an answer that
    cannot be judged yet, grey for a note. ``kind`` and ``text`` hold what is shown."""

    STYLES = {
        "correct": (OK_COLOR, "✔", "status"),
        "wrong": (WRONG_COLOR, "✘", "alert"),
        "invalid": (WRONG_COLOR, "！", "alert"),
        "blank": (WRONG_COLOR, "！", "alert"),
        "unavailable": (WRONG_COLOR, "！", "alert"),
        "self_check": (INFO_COLOR, "☐", "status"),
        "info": (INFO_COLOR, "ℹ", "status"),
    }

    def __init__(self) -> None:
        super().__init__(value="")
        self.kind = ""
        self.text = ""
        self.add_class("kc-exercise-feedback")

    def show(self, result: Verdict) -> None:
        self._show(result.status, result.text)

    def show_info(self, text: str) -> None:
        self._show("info", text)

    def _show(self, kind: str, text: str) -> None:
        colour, mark, role = self.STYLES[kind]
        self.kind, self.text = kind, text
        self.value = (
            f'<div class="kc-feedback-{kind}" role="{role}" aria-live="polite" '
            f'style="border-left:4px solid {colour};padding:4px 10px;margin:6px 0;color:{colour}">'
            f"<b>{mark}</b> {html.escape(text)}</div>"
        )


# ---------------------------------------------------------------- inputs per kind


class TaskInput(widgets.VBox):
    """The inputs of one task; ``answer()`` returns what the checking core expects.
    ``controls`` lists every input control (each has a ``description``)."""

    controls: list[widgets.Widget]

    def __init__(self, task: Task, children: list[widgets.Widget]) -> None:
        self.task = task
        super().__init__(children)
        self.add_class(f"kc-input-{task.kind}")

    def answer(self) -> Any:  # pragma: no cover - every kind overrides it
        raise NotImplementedError


def _option_label(task: Task, letter: str) -> str:
    return f"{letter}．{task.options[task.letters.index(letter)]}"


class SingleInput(TaskInput):
    def __init__(self, task: Task) -> None:
        self.choice = widgets.RadioButtons(
            options=[(_option_label(task, letter), letter) for letter in task.letters], value=None,
            description="你的选择", style=LABEL_STYLE, layout=WIDE,
        )
        self.controls = [self.choice]
        super().__init__(task, [self.choice])

    def answer(self) -> str | None:
        return self.choice.value


class MultipleInput(TaskInput):
    def __init__(self, task: Task) -> None:
        self.boxes = {
            letter: widgets.Checkbox(value=False, description=_option_label(task, letter), indent=False, layout=WIDE)
            for letter in task.letters
        }
        self.controls = list(self.boxes.values())
        super().__init__(task, [widgets.HTML("<i>选出所有正确的选项（可多选）：</i>"), *self.controls])

    def answer(self) -> str:
        return "".join(letter for letter, box in self.boxes.items() if box.value)


class OrderingInput(TaskInput):
    def __init__(self, task: Task) -> None:
        listing = "".join(f"<li>{html.escape(_option_label(task, letter))}</li>" for letter in task.letters)
        choices = [PLACEHOLDER, *[(_option_label(task, letter), letter) for letter in task.letters]]
        self.positions = [
            widgets.Dropdown(options=choices, value="", description=f"第 {i} 位", style=LABEL_STYLE,
                             layout=widgets.Layout(width="100%", max_width="40em"))
            for i in range(1, len(task.options) + 1)
        ]
        self.controls = list(self.positions)
        intro = widgets.HTML(f"<i>为每个位置选一项，排出正确的顺序：</i><ul style='list-style:none'>{listing}</ul>")
        super().__init__(task, [intro, *self.positions])

    def answer(self) -> list[str]:
        return [dropdown.value or "" for dropdown in self.positions]


class MatchingInput(TaskInput):
    def __init__(self, task: Task) -> None:
        choices = [PLACEHOLDER, *[(label, label) for label in task.labels]]
        self.dropdowns: list[widgets.Dropdown] = []
        rows: list[widgets.Widget] = []
        for number, prompt in enumerate(task.prompts, start=1):
            dropdown = widgets.Dropdown(options=choices, value="", description=f"第 {number} 项", tooltip=prompt,
                                        style=LABEL_STYLE, layout=widgets.Layout(width="auto", min_width="16em"))
            self.dropdowns.append(dropdown)
            rows.append(widgets.HTML(f"<b>{number}.</b> {html.escape(prompt)}"))
            rows.append(dropdown)
        self.controls = list(self.dropdowns)
        super().__init__(task, rows)

    def answer(self) -> list[str]:
        return [dropdown.value or "" for dropdown in self.dropdowns]


class NumericInput(TaskInput):
    def __init__(self, task: Task) -> None:
        self.box = widgets.Text(value="", description="你的答案", placeholder="填写一个数字", style=LABEL_STYLE,
                                layout=widgets.Layout(width="18em"))
        self.controls = [self.box]
        unit = widgets.HTML(html.escape(task.unit), layout=widgets.Layout(margin="0 0 0 6px"))
        super().__init__(task, [widgets.HBox([self.box, unit])])

    def answer(self) -> str:
        return self.box.value


class TrueFalseInput(TaskInput):
    def __init__(self, task: Task) -> None:
        self.choice = widgets.RadioButtons(options=[("对", True), ("错", False)], value=None, description="你的判断",
                                           style=LABEL_STYLE)
        self.controls = [self.choice]
        super().__init__(task, [self.choice])

    def answer(self) -> bool | None:
        return self.choice.value


class WrittenInput(TaskInput):
    def __init__(self, task: Task) -> None:
        self.area = widgets.Textarea(value="", description="你的答案", placeholder="在这里写下你的答案……",
                                     style=LABEL_STYLE, layout=widgets.Layout(width="100%", max_width="48em", height="6em"))
        self.ticks = [widgets.Checkbox(value=False, description=point, indent=False, layout=WIDE) for point in task.rubric]
        self.rubric = widgets.VBox(
            [widgets.HTML("<b>自查要点</b>：你的答案做到了哪几条？做到了就打勾。"), *self.ticks],
            layout=widgets.Layout(display="none"),
        )
        self.rubric.add_class("kc-exercise-rubric")
        self.controls = [self.area, *self.ticks]
        super().__init__(task, [self.area, self.rubric])

    @property
    def rubric_shown(self) -> bool:
        return self.rubric.layout.display != "none"

    def show_rubric(self) -> None:
        self.rubric.layout.display = "flex"

    def answer(self) -> WrittenAnswer:
        ticks = tuple(box.value for box in self.ticks) if self.rubric_shown else None
        return WrittenAnswer(self.area.value, ticks)


class FunctionInput(TaskInput):
    def __init__(self, task: Task) -> None:
        self.boxes: dict[str, widgets.Text | widgets.Textarea] = {}
        for field in task.fields:
            kind = widgets.Textarea if field.multiline else widgets.Text
            layout = widgets.Layout(width="100%", max_width="48em", height="4.5em" if field.multiline else None)
            self.boxes[field.name] = kind(value="", description=field.label, placeholder=field.placeholder,
                                          style=LABEL_STYLE, layout=layout)
        self.controls = list(self.boxes.values())
        super().__init__(task, self.controls)

    def answer(self) -> dict[str, str]:
        return {name: box.value for name, box in self.boxes.items()}


INPUTS: dict[str, type[TaskInput]] = {
    "single": SingleInput, "multiple": MultipleInput, "ordering": OrderingInput, "matching": MatchingInput,
    "numeric": NumericInput, "true_false": TrueFalseInput, "written": WrittenInput, "function": FunctionInput,
}


# ---------------------------------------------------------------- one task


def _stem_output(markdown: str) -> widgets.Output:
    """The stem as a markdown output: the notebook renders it like a markdown cell."""
    out = widgets.Output()
    out.outputs = ({"output_type": "display_data", "metadata": {},
                    "data": {"text/markdown": markdown, "text/plain": markdown}},)
    out.add_class("kc-exercise-stem")
    return out


class ExerciseTask(widgets.VBox):
    """One exercise task; see the module docstring.

    Attributes used by tests: ``inputs`` (the :class:`TaskInput`), ``check_button``,
    ``reveal_button``, ``confirm_button``, ``cancel_button``, ``confirm_box``,
    ``feedback``, ``solution``, ``last`` (the last :class:`Verdict`), ``progress``.
    """

    def __init__(self, task: Task) -> None:
        self.task = task
        self.last: Verdict | None = None
        self.progress: TaskProgress = task_progress(task.module, task.id)
        self.inputs = INPUTS[task.kind](task)
        self.check_button = widgets.Button(description="检查", button_style="primary", icon="check",
                                           tooltip="检查我的答案")
        self.reveal_button = widgets.Button(description="查看参考答案", icon="eye", tooltip="先想一想，再看答案",
                                            layout=widgets.Layout(width="auto"))
        self.confirm_button = widgets.Button(description="确定查看", button_style="warning",
                                             layout=widgets.Layout(width="auto"))
        self.cancel_button = widgets.Button(description="取消，我再想想", layout=widgets.Layout(width="auto"))
        self.confirm_box = widgets.HBox(
            [widgets.HTML(html.escape(REVEAL_QUESTION)), self.confirm_button, self.cancel_button],
            layout=widgets.Layout(display="none", flex_flow="row wrap", align_items="center", grid_gap="0.5em"),
        )
        self.feedback = FeedbackArea()
        self.solution = widgets.HTML("")
        self.solution.add_class("kc-exercise-solution")
        self.status = widgets.HTML(
            f'<span style="color:{OK_COLOR}">✔ 你之前已经通过了这道题，可以再练一次。</span>' if self.progress.passed else ""
        )
        for control in self.inputs.controls:
            control.observe(lambda _change: self.answer_changed(), names="value")
        self.check_button.on_click(lambda _b: self.check())
        self.reveal_button.on_click(lambda _b: self.ask_to_reveal())
        self.confirm_button.on_click(lambda _b: self.reveal())
        self.cancel_button.on_click(lambda _b: self.cancel_reveal())
        buttons = widgets.HBox([self.check_button, self.reveal_button], layout=widgets.Layout(grid_gap="0.5em"))
        super().__init__([_stem_output(task.stem), self.status, self.inputs, buttons, self.confirm_box,
                          self.feedback, self.solution])
        self.add_class("kc-exercise")
        self.add_class(f"kc-exercise-{task.module}-{task.id}")

    # -- actions ---------------------------------------------------------------------
    def check(self) -> Verdict:
        result = verdict(self.task, self.inputs.answer())
        self.last = result
        self.feedback.show(result)
        if result.status == "self_check" and isinstance(self.inputs, WrittenInput):
            self.inputs.show_rubric()
        if result.judged:
            self.progress = record_check(self.task.module, self.task.id, result.passed, hint_shown=bool(result.hint))
        if result.passed:
            self.solution.value = self._solution_html(revealed=False)
        return result

    def answer_changed(self) -> None:
        """After a verdict, a changed answer replaces it with what is now entered (a status
        line a screen reader announces), so no stale 对/错 stays beside a new answer."""
        if not self.feedback.kind or self.feedback.kind == "info" and not self.feedback.text.startswith("你现在的答案"):
            return
        now = self.inputs.answer()
        if self.task.kind == "true_false" and now is not None:
            now = "对" if now else "错"
        elif isinstance(now, list):
            now = "、".join(letter or "？" for letter in now)
        shown = f"你现在的答案：{now}。" if isinstance(now, str) and now else "答案已修改。"
        self.feedback.show_info(shown + "按“检查”再看对错。")

    def ask_to_reveal(self) -> None:
        self.confirm_box.layout.display = "flex"

    def cancel_reveal(self) -> None:
        self.confirm_box.layout.display = "none"

    def reveal(self) -> None:
        self.confirm_box.layout.display = "none"
        self.progress = record_reveal(self.task.module, self.task.id)
        self.feedback.show_info(REVEALED)
        self.solution.value = self._solution_html(revealed=True)

    # -- drawing ---------------------------------------------------------------------
    def _solution_html(self, revealed: bool) -> str:
        parts = []
        lines = key_lines(self.task)
        if lines and (revealed or self.task.kind in ("written", "function")):
            title = "参考答案" if self.task.kind in ("written", "function") or revealed else "答案"
            if len(lines) == 1:
                parts.append(f"<p><b>{title}</b>：{html.escape(lines[0])}</p>")
            else:
                items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
                parts.append(f"<p><b>{title}</b>：</p><ul>{items}</ul>")
        parts.append(f"<p><b>解析</b>：{html.escape(self.task.explanation)}</p>")
        return f'<div style="border-left:4px solid {INFO_COLOR};padding:2px 10px;margin:6px 0">{"".join(parts)}</div>'


class TaskUnavailable(widgets.VBox):
    """Shown instead of a task that cannot be loaded; ``message`` says why (Chinese)."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.feedback = FeedbackArea()
        self.feedback.show(Verdict("unavailable", message))
        super().__init__([self.feedback])
        self.add_class("kc-exercise-unavailable")


_style_shown = False


def _show_style_once() -> None:
    """Put :data:`WRAP_STYLE` in the page once per kernel (an output of the first task's cell)."""
    global _style_shown
    from IPython import get_ipython

    if _style_shown or get_ipython() is None:
        return
    from IPython.display import HTML, display

    display(HTML(WRAP_STYLE))
    _style_shown = True


def exercise_task(module: str, task_id: str) -> ExerciseTask | TaskUnavailable:
    """The widget of task ``task_id`` of module ``module`` (one line in a notebook).

    Never raises: an unknown task or a broken exercise file shows a Chinese message.
    """
    _show_style_once()
    try:
        task = find_task(module, task_id)
        if isinstance(task, str):
            return TaskUnavailable(task)
        if task.format != 2:
            return TaskUnavailable("这道练习还是旧格式：请在练习本的代码格里作答。")
        return ExerciseTask(task)
    except Exception:  # noqa: BLE001 - a notebook cell must never show a traceback to a trainee
        log.debug("exercise %s/%s could not be shown", module, task_id, exc_info=True)
        return TaskUnavailable(f"练习 {module}/{task_id} 暂时无法显示：请告诉讲师。")
