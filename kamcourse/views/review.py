"""复习: today's review, one item at a time (``review_session()`` is one line in a notebook).

An exercise task comes back as the same exercise widget (same instant feedback and hint);
its first judged answer in this session rates the review (right → 记得, wrong → 忘了). A
concept card shows its question, then the answer on request, and the trainee rates it. The
schedule itself is :mod:`kamcourse.review`; this view only shows and records.
"""

from __future__ import annotations

import html
from datetime import datetime, timezone
from typing import Callable, Sequence

import ipywidgets as widgets

from kamcourse import review
from kamcourse.review import Rating, ReviewItem

DONE_TEXT = "今天的复习都完成了。明天再来看看。"
Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(timezone.utc)


class CardView(widgets.VBox):
    """A concept card: question, 显示答案, then four rating buttons."""

    def __init__(self, item: ReviewItem, rate: Callable[[Rating], None]) -> None:
        card = item.card
        assert card is not None
        self.front = widgets.HTML(f'<p style="font-size:1.1em"><b>问：</b>{html.escape(card.front)}</p>')
        self.back = widgets.HTML(f"<p><b>答：</b>{html.escape(card.back)}</p>", layout=widgets.Layout(display="none"))
        self.show_button = widgets.Button(description="显示答案", button_style="primary", tooltip="先在心里回答，再看答案")
        self.rate_buttons = {
            rating: widgets.Button(description=rating.label, tooltip=f"我{rating.label}", layout=widgets.Layout(width="auto"))
            for rating in Rating
        }
        self.rating_box = widgets.HBox(
            [widgets.HTML("我回答得：")] + list(self.rate_buttons.values()),
            layout=widgets.Layout(display="none", grid_gap="0.5em", align_items="center", flex_flow="row wrap"),
        )
        self.show_button.on_click(lambda _b: self.show_answer())
        for rating, button in self.rate_buttons.items():
            button.on_click(lambda _b, r=rating: rate(r))
        super().__init__([self.front, self.show_button, self.back, self.rating_box])

    def show_answer(self) -> None:
        self.back.layout.display = ""
        self.rating_box.layout.display = "flex"
        self.show_button.layout.display = "none"


class ReviewSession(widgets.VBox):
    """Today's due items, one after another. Attributes used by tests: ``items``, ``position``,
    ``current`` (the item's widget), ``status``, ``next_button``, ``rated``."""

    def __init__(self, items: Sequence[ReviewItem] | None = None, clock: Clock = _now) -> None:
        self.clock = clock
        self.items = list(items) if items is not None else review.today(clock())
        self.position = 0
        self.rated: dict[str, Rating] = {}
        self.header = widgets.HTML()
        self.status = widgets.HTML()
        self.slot = widgets.VBox()
        self.current: widgets.Widget | None = None
        self.next_button = widgets.Button(description="下一项", icon="arrow-right", disabled=True)
        self.next_button.on_click(lambda _b: self.advance())
        super().__init__([self.header, self.slot, self.status, self.next_button])
        self.add_class("kc-review")
        self._show()

    # -- actions ---------------------------------------------------------------------
    def rate(self, rating: Rating) -> None:
        """Record the current item's review once; later answers in the same widget are practice."""
        item = self.items[self.position]
        if item.id in self.rated:
            return
        card = review.record(item.id, rating, self.clock())
        self.rated[item.id] = rating
        self.status.value = (f'<p role="status">已记下：{html.escape(rating.label)}。'
                             f"{html.escape(review.next_due_text(card, self.clock()))}。</p>")
        self.next_button.disabled = False

    def advance(self) -> None:
        if self.position < len(self.items):
            self.position += 1
        self._show()

    # -- drawing ---------------------------------------------------------------------
    def _show(self) -> None:
        self.status.value = ""
        self.next_button.disabled = True
        if self.position >= len(self.items):
            self.header.value = f"<p><b>{html.escape(review.count_text([]) if not self.items else DONE_TEXT)}</b></p>"
            self.slot.children = ()
            self.current = None
            self.next_button.layout.display = "none"
            return
        item = self.items[self.position]
        kind = "练习题" if item.kind == "task" else "概念卡"
        self.header.value = (f"<p><b>{html.escape(review.count_text(self.items))}</b> "
                             f"现在是第 {self.position + 1} 项（{kind}）。</p>")
        self.current = self._widget_for(item)
        self.slot.children = (self.current,)

    def _widget_for(self, item: ReviewItem) -> widgets.Widget:
        if item.kind == "card":
            return CardView(item, self.rate)
        from kamcourse.views.exercise import ExerciseTask, exercise_task

        module, _, task_id = (item.task or "").partition("/")
        widget = exercise_task(module, task_id)
        if isinstance(widget, ExerciseTask):
            def after_check(_button: widgets.Button) -> None:
                result = widget.last
                if result is not None and result.judged:
                    self.rate(review.rating_for_task(result.passed, hinted=False))

            # registered after the widget's own handler, so ``widget.last`` is this check's verdict
            widget.check_button.on_click(after_check)
        else:  # a task removed from the course: let the trainee move on
            self.next_button.disabled = False
        return widget


def review_session() -> ReviewSession:
    """Today's review for this trainee (one line in the review notebook)."""
    return ReviewSession()
