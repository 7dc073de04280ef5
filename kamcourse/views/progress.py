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
from kamcourse.charts import ProgressChart
from kamcourse.views.common import MessageArea, attempt


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


def quiz_titles() -> dict[str, str]:
    """Quiz id → Chinese title from the public bank (ids alone if the bank is not there)."""
    try:
        from kamcourse.quiz.bank import load_all

        return {quiz.id: quiz.title for quiz in load_all(course_root() / "quizzes" / "bank")}
    except Exception:  # noqa: BLE001 - an installed package without the course folder
        return {q: q for q in ("m1_mindset", "m2_needs", "m3_ffab", "m4_spin", "m5_stages", "m6_crm", "exam", "capstone")}


def journey_html(due: Sequence[Any], results: Mapping[str, Any], titles: Mapping[str, str],
                 visits: Sequence[Any]) -> str:
    """今日待复习, quiz results, the capstone and role-play visits as HTML (pure: data in, text out)."""
    from kamcourse import journey, review

    def table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
        th = "".join(f"<th style='padding:3px 8px;text-align:left'>{h}</th>" for h in head)
        body = "".join("<tr>" + "".join(f"<td style='padding:3px 8px'>{c}</td>" for c in row) + "</tr>" for row in rows)
        return f"<table class='kc-table' style='border-collapse:collapse'><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"

    quiz_rows = []
    for quiz, title in titles.items():
        if quiz == journey.CAPSTONE:
            continue
        result = results.get(quiz)
        if result is None:
            quiz_rows.append([html.escape(title), "—", "<span style='color:#607d8b'>还没有发还的成绩</span>"])
        else:
            mark = "达到合格线" if result.percent >= journey.PASS_MARK else "未达到合格线"
            quiz_rows.append([html.escape(title), f"{result.score:g} / {result.max_score:g}", f"{result.percent:g}%，{mark}"])
    visit_rows = [[html.escape(v.title), str(v.visits), str(v.advances), html.escape(v.best or "还没练过")] for v in visits]
    return (
        f"<p class='kc-review-count'><b>{html.escape(review.count_text(due))}</b></p>"
        "<h4>测验与考试</h4>" + table(["测验", "得分", "结果"], quiz_rows)
        + "<h4>结业项目</h4>" + f"<p>{html.escape(journey.capstone_status(results.get(journey.CAPSTONE)))}</p>"
        + "<h4>销售对练</h4>" + table(["拜访", "练习次数", "推进次数", "最好的结局"], visit_rows)
    )


def current_journey() -> str:
    """The journey section for this trainee, read from the local stores and returned feedback."""
    from kamcourse import journey, review
    from kamcourse.roleplay.progress import progress_summary as roleplay_summary

    titles = quiz_titles()
    return journey_html(review.today(), journey.quiz_results(journey.default_roots(), list(titles)), titles,
                        roleplay_summary())


class ProgressView(widgets.VBox):
    """The 我的进度 table and chart with a refresh button, then today's review, quiz results,
    the capstone and role-play visits; see :func:`progress_view`.

    Attributes used by tests: ``refresh``, ``message``, ``summary_html``, ``table_html``,
    ``chart``, ``journey_html``; ``rows`` holds the last rows shown.
    """

    def __init__(self) -> None:
        self.rows: list[ProgressRow] = []
        self.refresh = widgets.Button(description="刷新进度", icon="refresh", layout=widgets.Layout(width="auto"))
        self.refresh.add_class("kc-progress-refresh")
        self.refresh.on_click(lambda _b: self.update())
        self.message = MessageArea("kc-progress-message")
        self.summary_html = widgets.HTML()
        self.table_html = widgets.HTML()
        self.live_chart = ProgressChart("kc-progress-chart")
        self.chart = self.live_chart.image
        self.journey_html = widgets.HTML()
        self.journey_html.add_class("kc-journey")
        super().__init__([widgets.HBox([self.refresh, self.summary_html]), self.message, self.table_html, self.chart,
                          self.journey_html])
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
            self.message.show_info("还没有通过的练习：完成一个模块后，打开它的练习本，在每道题下方作答并按“检查”，再回来点“刷新进度”。")
        self.table_html.value = table_html(rows)
        self.live_chart.show(tuple(rows))
        journey = attempt(self.message, current_journey)
        self.journey_html.value = journey or ""


def progress_view() -> ProgressView:
    """我的进度: passed exercise tasks per module, with a refresh button."""
    return ProgressView()
