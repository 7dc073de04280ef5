"""我的进度: which exercise tasks of which module the trainee has passed (start page).

The module list comes from ``course/outline.yaml`` (the one list of modules and files);
the counts from :func:`kamcourse.exercises.progress_summary`, which reads the trainee's
local progress store. Nothing here changes the store.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import ipywidgets as widgets
import yaml

from kamcourse import exercises
from kamcourse.paths import course_root
from kamcourse.views.common import MessageArea, attempt, chart_image, figure_png, new_figure

PASSED_COLOR = "#2e7d32"
OPEN_COLOR = "#e0e0e0"


@dataclass(frozen=True)
class ProgressRow:
    """One module on the progress page."""

    module: str
    title: str
    exercises: str
    passed: int
    total: int
    passed_titles: tuple[str, ...]
    open_titles: tuple[str, ...]

    @property
    def share(self) -> float:
        return self.passed / self.total if self.total else 0.0


def outline_modules() -> list[dict[str, Any]]:
    """The modules of ``course/outline.yaml`` (id, title, notebook, exercises); if the file
    is not there (an installed package without the course folder), the known titles."""
    path = course_root() / "course" / "outline.yaml"
    try:
        modules = yaml.safe_load(path.read_text(encoding="utf-8"))["modules"]
        return [dict(m) for m in modules if isinstance(m, Mapping) and m.get("id")]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return [{"id": m, "title": t.split(" ", 1)[-1], "exercises": ""} for m, t in exercises.MODULE_TITLES.items()]


def progress_rows(
    modules: Sequence[Mapping[str, Any]],
    summary: Sequence[exercises.ModuleProgress],
    task_titles: Mapping[str, Mapping[str, str]],
) -> list[ProgressRow]:
    """Join the outline, the per-module counts and the task titles, in outline order.

    A module without a task file yet shows 0 of 0; modules only in the summary come last.

    >>> mp = exercises.ModuleProgress("m1", "模块一 心态与思维方式", 1, 2, ("t2",))
    >>> rows = progress_rows([{"id": "m1", "title": "心态与思维方式", "exercises": "exercises/01.ipynb"},
    ...                       {"id": "m2", "title": "客户需求"}], [mp], {"m1": {"t1": "甲", "t2": "乙"}})
    >>> [(r.module, r.title, r.passed, r.total, r.passed_titles, r.open_titles) for r in rows]
    [('m1', '模块一 心态与思维方式', 1, 2, ('乙',), ('甲',)), ('m2', '模块二 客户需求', 0, 0, (), ())]
    """
    by_module = {s.module: s for s in summary}
    ids = [str(m["id"]) for m in modules] + [s.module for s in summary if s.module not in {str(m["id"]) for m in modules}]
    info = {str(m["id"]): m for m in modules}
    rows = []
    for module in ids:
        entry = info.get(module, {})
        title = exercises.MODULE_TITLES.get(module) or str(entry.get("title", module))
        titles = task_titles.get(module, {})
        done = by_module[module].passed_tasks if module in by_module else ()
        rows.append(
            ProgressRow(
                module=module,
                title=title,
                exercises=str(entry.get("exercises", "")),
                passed=by_module[module].passed if module in by_module else 0,
                total=by_module[module].total if module in by_module else 0,
                passed_titles=tuple(titles.get(t, t) for t in done),
                open_titles=tuple(v for t, v in titles.items() if t not in done),
            )
        )
    return rows


def current_rows() -> list[ProgressRow]:
    """The rows for the trainee's progress as stored now."""
    summary = exercises.progress_summary()
    titles = {
        s.module: {t: str(spec.get("title", t)) for t, spec in exercises.load_module(s.module).items()} for s in summary
    }
    return progress_rows(outline_modules(), summary, titles)


def table_html(rows: Sequence[ProgressRow]) -> str:
    def cell(text: object, right: bool = False) -> str:
        return f"<td style='padding:3px 8px;{'text-align:right;' if right else ''}vertical-align:top'>{text}</td>"

    body = []
    for r in rows:
        if r.total:
            count = f"<b>{r.passed}</b> / {r.total}"
            passed = "、".join(html.escape(t) for t in r.passed_titles) or "—"
            todo = "、".join(html.escape(t) for t in r.open_titles) or "全部完成 🎉"
        else:
            count, passed, todo = "—", "—", "练习尚未发布"
        name = html.escape(r.exercises.rsplit("/", 1)[-1]) if r.exercises else ""
        body.append(
            "<tr>" + cell(html.escape(r.title)) + cell(f"<code>{name}</code>") + cell(count, right=True)
            + cell(passed) + cell(f"<span style='color:#607d8b'>{todo}</span>") + "</tr>"
        )
    head = "".join(
        f"<th style='padding:3px 8px;text-align:left'>{h}</th>" for h in ("模块", "练习本", "已通过", "已通过的题", "还没通过")
    )
    return (
        "<table class='kc-table kc-progress-table' style='border-collapse:collapse'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def progress_chart(rows: Sequence[ProgressRow]):
    """Horizontal bars: passed tasks over all tasks, per module."""
    fig = new_figure(7.0, 0.45 * len(rows) + 1.0)
    ax = fig.add_subplot()
    labels = [r.title for r in rows][::-1]
    totals = [r.total for r in rows][::-1]
    passed = [r.passed for r in rows][::-1]
    positions = range(len(rows))
    ax.barh(positions, totals, color=OPEN_COLOR, label="题目总数")
    ax.barh(positions, passed, color=PASSED_COLOR, label="已通过")
    for y, (done, total) in enumerate(zip(passed, totals)):
        ax.annotate(f"{done}/{total}" if total else "待发布", (max(total, 0), y), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=9)
    ax.set_yticks(list(positions), labels, fontsize=9)
    ax.set_xlim(0, max([*totals, 1]) * 1.15)
    ax.set_xlabel("题数")
    ax.spines[["top", "right"]].set_visible(False)
    fig.legend(loc="outside upper center", ncols=2, fontsize=8, frameon=False)
    return fig


class ProgressView(widgets.VBox):
    """The 我的进度 table and chart with a refresh button; see :func:`progress_view`.

    Attributes used by tests: ``refresh``, ``message``, ``summary_html``, ``table_html``,
    ``chart``; ``rows`` holds the last rows shown.
    """

    def __init__(self) -> None:
        self.rows: list[ProgressRow] = []
        self.refresh = widgets.Button(description="刷新进度", icon="refresh", layout=widgets.Layout(width="auto"))
        self.refresh.add_class("kc-progress-refresh")
        self.refresh.on_click(lambda _b: self.update())
        self.message = MessageArea("kc-progress-message")
        self.summary_html = widgets.HTML()
        self.table_html = widgets.HTML()
        self.chart = chart_image("kc-progress-chart")
        super().__init__([widgets.HBox([self.refresh, self.summary_html]), self.message, self.table_html, self.chart])
        self.add_class("kc-progress")
        self.update()

    def update(self) -> None:
        rows = attempt(self.message, current_rows)
        if rows is None:
            return
        self.rows = rows
        passed = sum(r.passed for r in rows)
        total = sum(r.total for r in rows)
        self.summary_html.value = (
            f"<span style='margin-left:1em'>已通过 <b>{passed}</b> / {total} 题"
            f"（{passed / total:.0%}）</span>" if total else "<span style='margin-left:1em'>练习尚未发布</span>"
        )
        if passed:
            self.message.clear()
        else:
            self.message.show_info("还没有通过的练习：完成一个模块后，打开它的练习本，作答并运行 check(...) 格子，再回来点“刷新进度”。")
        self.table_html.value = table_html(rows)
        self.chart.value = figure_png(progress_chart(rows))


def progress_view() -> ProgressView:
    """我的进度: passed exercise tasks per module, with a refresh button."""
    return ProgressView()
