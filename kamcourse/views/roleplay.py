"""销售对练: the widget over :mod:`kamcourse.roleplay` (module notebooks and the Voila dashboard).

The view collects a pick or a typed question, calls the engine and draws what it returns:
the conversation, the customer's reply, the classification of a typed question, and after
the visit the ending, the debrief and its chart. The rules are all in the engine; the
observers here only pass input on. Bad input (an empty or non-question typed text, an
overlong name) shows a Chinese message and keeps the visit as it was.
"""

from __future__ import annotations

import html
import random
from collections.abc import Sequence

import ipywidgets as widgets

from kamcourse.charts import ENDING_COLORS, chart_image, conversation_figure, figure_png
from kamcourse.roleplay import progress, transcript
from kamcourse.roleplay.debrief import SOURCE, Debrief, debrief
from kamcourse.roleplay.engine import options, start, step
from kamcourse.roleplay.model import ADVANCE, Move, Scenario, State, Turn
from kamcourse.roleplay.scenario import load_scenario, load_scenarios
from kamcourse.spin import SPIN_NAMES
from kamcourse.views.common import MessageArea, attempt, download_anchor

KIND_COLORS = ENDING_COLORS
JSON_MIME = "application/json;charset=utf-8"


def _esc(text: object) -> str:
    return html.escape(str(text))


# ---------------------------------------------------------------- HTML of the parts


def render_briefing(scenario: Scenario) -> str:
    """The card a trainee reads before the visit."""
    c = scenario.customer
    return (
        '<div style="border:1px solid #d9dee5;border-radius:6px;padding:8px 12px;margin:6px 0;background:#f7f9fc">'
        f"<b style=\"font-size:1.1em\">{_esc(scenario.title)}</b><br>"
        f"<b>客户：</b>{_esc(c.name)}，{_esc(scenario.company)}{_esc(c.title)}（{_esc(c.role)}；关系阶段：{_esc(c.stage)}；"
        f"性格类型：{_esc(c.personality)}）<br>"
        f"<b>客户画像：</b>{_esc(c.portrait)}<br>"
        f"<b>产品：</b>{_esc(scenario.product)}<br>"
        f"<b>背景：</b>{_esc(scenario.briefing)}<br>"
        f"<b>拜访目标：</b>{_esc(scenario.goal)}<br>"
        f'<small style="color:#52606d">想一想：和{_esc(c.personality)}型的人交谈，先听、先问还是先说？'
        "每一轮选一句话，或者自己提一个问题。客户的信任、耐心和需求都藏在对话里。</small></div>"
    )


def render_turns(turns: Sequence[Turn], customer: str, labelled: bool) -> str:
    """The conversation so far; ``labelled`` adds each turn's label (for the debrief)."""
    rows = []
    for turn in turns:
        label = (
            f'<span class="kc-rp-label" style="color:#1565c0">【{_esc(turn.shown_label)}】</span>' if labelled else ""
        )
        note = f'<br><small style="color:#52606d">（分类：{_esc(turn.classification)}）</small>' if labelled and turn.classification else ""
        rows.append(
            f'<div class="kc-rp-turn" style="margin:6px 0">{turn.number}. {label}<b>你：</b>{_esc(turn.said)}{note}<br>'
            f'<span style="color:#37474f"><b>{_esc(customer)}：</b>{_esc(turn.reply)}</span></div>'
        )
    return "".join(rows)


def render_ending(d: Debrief) -> str:
    colour = KIND_COLORS[d.ending.kind]
    return (
        f'<div style="border-left:6px solid {colour};padding:6px 12px;margin:8px 0;background:#fafafa">'
        f'<b style="color:{colour};font-size:1.2em">结局：{_esc(d.ending.kind)}——{_esc(d.ending.title)}</b><br>'
        f"{_esc(d.ending.explanation)}</div>"
    )


def render_debrief(d: Debrief) -> str:
    """The debrief: key turn, counts beside 《销售巨人》, needs, advice, law, labelled transcript."""
    verb = "赢在" if d.ending.kind == ADVANCE else "关键在"
    rows = "".join(
        f"<tr><td style=\"padding:2px 8px;white-space:nowrap\">{_esc(r.name)}</td>"
        f"<td style=\"padding:2px 8px;text-align:right\">{r.count}</td><td style=\"padding:2px 8px\">{_esc(r.finding)}</td></tr>"
        for r in d.counts
    )
    needs = "".join(f"<li>明确需求：“{_esc(t)}”</li>" for t in d.explicit)
    needs += "".join(f"<li>隐含需求：“{_esc(t)}”</li>" for t in d.implied)
    advice = "".join(f"<li>{_esc(a)}</li>" for a in d.advice)
    laws = "".join(
        f'<div class="kc-rp-law" style="border-left:4px solid #b3261e;padding:4px 10px;margin:6px 0">'
        f"<b>法律说明（{_esc(title)}）：</b>{_esc(text)}</div>"
        for title, text in d.laws
    )
    return (
        f'<h4 style="margin:10px 0 4px">复盘</h4>'
        f'<p class="kc-rp-key"><b>{verb}第 {d.key_turn} 轮：</b>{_esc(d.key_reason)}</p>'
        f"<p><b>需求：</b>客户说出了 {len(d.implied)}/{d.needs_total} 项隐含需求、"
        f"{len(d.explicit)}/{d.needs_total} 项明确需求。</p><ul>{needs}</ul>"
        f"<p><b>下次可以这样做：</b></p><ul>{advice}</ul>{laws}"
        "<p><b>各类说法的次数</b>，对照《销售巨人》对成功的大订单拜访的研究：</p>"
        '<table class="kc-rp-counts" style="border-collapse:collapse">'
        "<tr><th style=\"text-align:left;padding:2px 8px\">类型</th><th style=\"padding:2px 8px\">本次</th>"
        f"<th style=\"text-align:left;padding:2px 8px\">研究发现</th></tr>{rows}</table>"
        f'<p><small style="color:#52606d">出处：{_esc(SOURCE)}</small></p>'
        f"<p><b>对话记录（带标签）：</b></p>{render_turns(d.turns, d.customer, labelled=True)}"
    )


# ---------------------------------------------------------------- the chart


def conversation_chart(d: Debrief):
    """Needs and trust over the turns of a finished visit (:func:`kamcourse.charts.conversation_figure`)."""
    return conversation_figure(d)


def chart_text(d: Debrief) -> str:
    """The chart's text alternative (what it shows, in one sentence)."""
    first, last = d.series[0], d.series[-1]
    return (
        f"图：{d.title}，共 {len(d.turns)} 轮。信任从 {first.trust} 到 {last.trust}，耐心从 {first.patience} 到 "
        f"{last.patience}；客户说出了 {last.implied} 项隐含需求、{last.explicit} 项明确需求；关键在第 {d.key_turn} 轮；"
        f"结局：{d.ending.kind}。"
    )


# ---------------------------------------------------------------- the widget


class RoleplayView(widgets.VBox):
    """One visit at a time: pick a line or type a question; the debrief after the ending.

    ``scenario_id`` fixes the scenario (module notebooks); without it a drop-down offers
    every shipped scenario (the dashboard). ``seed`` fixes the reply wording (tests);
    by default each visit draws one. ``record`` writes finished visits to the trainee's
    progress store (:mod:`kamcourse.roleplay.progress`).
    """

    def __init__(self, scenario_id: str | None = None, seed: int | None = None, record: bool = True) -> None:
        self.fixed_seed = seed
        self.record = record
        self.scenario: Scenario = load_scenario(scenario_id) if scenario_id else load_scenarios()[0]
        self.state: State = start(self.scenario, 0)
        self.picker = widgets.Dropdown(
            options=[(s.title, s.id) for s in load_scenarios()], value=self.scenario.id, description="场景",
            style={"description_width": "4em"}, layout=widgets.Layout(width="32em"),
        )
        self.picker.add_class("kc-rp-scenario")
        self.picker.observe(lambda change: self.choose(change["new"]), names="value")
        self.restart_button = widgets.Button(description="重新开始", icon="refresh", layout=widgets.Layout(width="auto"))
        self.restart_button.add_class("kc-rp-restart")
        self.restart_button.on_click(lambda _b: self.restart())
        header = [self.picker, self.restart_button] if scenario_id is None else [self.restart_button]
        self.briefing = widgets.HTML("")
        self.briefing.add_class("kc-rp-briefing")
        self.conversation = widgets.HTML("")
        self.conversation.add_class("kc-rp-transcript")
        self.say = widgets.HTML("")
        self.say.add_class("kc-rp-say")
        self.options_box = widgets.VBox()
        self.options_box.add_class("kc-rp-options")
        self.question = widgets.Text(
            value="", placeholder="也可以自己提一个问题，例如：现在首件检测要等多久？", description="自己提问",
            style={"description_width": "5em"}, layout=widgets.Layout(width="40em"),
        )
        self.question.add_class("kc-rp-question")
        self.ask_button = widgets.Button(description="提问", icon="question", button_style="primary")
        self.ask_button.add_class("kc-rp-ask")
        self.ask_button.on_click(lambda _b: self.ask(self.question.value))
        self.ask_row = widgets.HBox([self.question, self.ask_button])
        self.classification = widgets.HTML("")
        self.classification.add_class("kc-rp-classify")
        self.message = MessageArea("kc-rp-message")
        self.ending = widgets.HTML("")
        self.ending.add_class("kc-rp-ending")
        self.debrief_html = widgets.HTML("")
        self.debrief_html.add_class("kc-rp-debrief")
        self.chart = chart_image("kc-rp-chart")
        self.chart.layout.max_width = "820px"
        self.name = widgets.Text(value="", description="姓名（可不填）", placeholder="不填则匿名",
                                 style={"description_width": "7em"}, layout=widgets.Layout(width="22em"))
        self.name.add_class("kc-rp-name")
        self.save_button = widgets.Button(description="保存记录", icon="download", layout=widgets.Layout(width="auto"))
        self.save_button.add_class("kc-rp-save")
        self.save_button.on_click(lambda _b: self.save())
        self.save_link = widgets.HTML("")
        self.save_link.add_class("kc-rp-download")
        save_note = widgets.HTML(
            '<small style="color:#52606d">保存的记录可以交给讲师，用于课堂复盘；不填姓名就是匿名的。</small>'
        )
        self.after = widgets.VBox(
            [self.ending, self.chart, self.debrief_html, widgets.HBox([self.name, self.save_button, self.save_link]), save_note]
        )
        self.after.add_class("kc-rp-after")
        self.playing = widgets.VBox([self.say, self.options_box, self.ask_row, self.classification])
        self.debrief: Debrief | None = None
        super().__init__([
            widgets.HBox(header), self.briefing, self.conversation, self.playing, self.message, self.after,
        ])
        self.add_class("kc-roleplay")
        self.restart()

    # -- actions (each calls the core, then draws) ------------------------------------
    def choose(self, scenario_id: str) -> None:
        scenario = attempt(self.message, lambda: load_scenario(scenario_id))
        if scenario is not None:
            self.scenario = scenario
            self.restart()

    def restart(self) -> None:
        seed = self.fixed_seed if self.fixed_seed is not None else random.SystemRandom().randrange(1_000_000)
        self.state = start(self.scenario, seed)
        self.debrief = None
        self.message.clear()
        self.classification.value = ""
        self.question.value = ""
        self.save_link.value = ""
        self.briefing.value = render_briefing(self.scenario)
        self._draw()

    def pick(self, option_id: str) -> None:
        self._play(Move.pick(option_id))

    def ask(self, text: str) -> None:
        if self._play(Move.ask(text)):
            self.question.value = ""

    def save(self) -> None:
        if self.state.ending is None:
            self.message.show_error("拜访结束后才能保存记录。")
            return
        data = attempt(self.message, lambda: transcript.to_json(self.scenario, self.state, self.name.value))
        if data is None:
            return
        self.message.clear()
        name = transcript.file_name(self.scenario, self.state)
        self.save_link.value = download_anchor(data, name, f"下载记录 {name}", JSON_MIME)

    # -- drawing ----------------------------------------------------------------------
    def _play(self, move: Move) -> bool:
        result = attempt(self.message, lambda: step(self.scenario, self.state, move))
        if result is None:
            if move.typed:
                self.classification.value = ""
            return False
        self.state, turn = result
        self.message.clear()
        if move.typed:
            where = "" if turn.option else "（这里没有对应的说法，客户只简单答了一句）"
            self.classification.value = (
                f'<div style="border-left:4px solid #1565c0;padding:2px 10px;margin:4px 0">'
                f"<b>你的问题是{_esc(SPIN_NAMES[turn.label])}（{_esc(turn.label)}）</b>{_esc(where)}<br>"
                f"{_esc(turn.classification)}</div>"
            )
        else:
            self.classification.value = ""
        if self.state.ended:
            self._finish()
        self._draw()
        return True

    def _finish(self) -> None:
        self.debrief = debrief(self.scenario, self.state)
        if self.record:
            progress.record_visit(self.scenario, self.state)
        fig = conversation_chart(self.debrief)
        with self.chart.hold_sync():
            self.chart.value = figure_png(fig)
            self.chart.tooltip = chart_text(self.debrief)

    def _draw(self) -> None:
        state, scenario = self.state, self.scenario
        self.conversation.value = render_turns(state.turns, scenario.customer.name, labelled=False)
        node = scenario.nodes[state.node]
        if state.ended:
            self.playing.layout.display = "none"
            self.after.layout.display = None
            assert self.debrief is not None
            self.ending.value = render_ending(self.debrief)
            self.debrief_html.value = render_debrief(self.debrief)
            return
        self.playing.layout.display = None
        self.after.layout.display = "none"
        self.ending.value = self.debrief_html.value = ""
        # ``say`` is written as a scene ("张伟看了看表：“还有十分钟。”"), so it is shown as is.
        opening = f'<p style="color:#37474f">{_esc(node.say)}</p>' if node.say and self._arrived() else ""
        self.say.value = opening + f"<p><b>第 {state.turn_count + 1} 轮，你说：</b></p>"
        rows = []
        for option in options(scenario, state):
            button = widgets.Button(description="说这句", layout=widgets.Layout(width="6em", flex="0 0 auto"))
            button.add_class("kc-rp-pick")
            button.add_class(f"kc-rp-pick-{option.id}")
            button.on_click(lambda _b, option_id=option.id: self.pick(option_id))
            text = widgets.HTML(f'<span style="line-height:1.6">{_esc(option.text)}</span>')
            row = widgets.HBox([button, text], layout=widgets.Layout(align_items="center", grid_gap="0.6em"))
            row.add_class("kc-rp-option")
            rows.append(row)
        old = self.options_box.children
        self.options_box.children = tuple(rows)
        for row in old:
            for child in row.children:
                child.close()
            row.close()

    def _arrived(self) -> bool:
        """The visit has just reached this node (so the customer's opening line applies)."""
        turns = self.state.turns
        return not turns or turns[-1].node != self.state.node


def roleplay_view(scenario_id: str | None = None, seed: int | None = None) -> RoleplayView:
    """The simulator in a module notebook, e.g. ``roleplay_view("haerui_first_article")``."""
    return RoleplayView(scenario_id, seed)


def roleplay_dashboard() -> RoleplayView:
    """The workshop dashboard: every scenario in a drop-down.

    It does not write to the progress store: ``kamcourse workshop`` serves a whole room
    from one account, so that store would mix everyone's visits; in a workshop a trainee
    keeps a visit by saving its transcript.
    """
    return RoleplayView(record=False)
