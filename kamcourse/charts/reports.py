"""The charts of reports: a quiz's item statistics (instructor) and a role-play visit's
conversation (trainee). Both are drawn once per report, so they are plain figures, not live
:class:`~kamcourse.charts.base.Chart` objects; they take plain data, so this module needs
neither the quiz nor the role-play package.
"""

from __future__ import annotations

from collections.abc import Sequence

from kamcourse.charts.base import new_figure

FLAGGED = "#b3261e"
FACILITY_OK = "#1f6fb2"
DISCRIMINATION_OK = "#1b7f3b"
BAND = "#f4c7c3"
ENDING_COLORS = {"推进": "#1b7f3b", "继续": "#8a6d00", "失败": "#b3261e"}
TRUST_COLOR, PATIENCE_COLOR = "#1565c0", "#8a6d00"
IMPLIED_COLOR, EXPLICIT_COLOR = "#9e9e9e", "#1b7f3b"


def item_stats_figure(title: str, n: int, labels: Sequence[str], facility: Sequence[float | None],
                      discrimination: Sequence[float | None], flagged: Sequence[bool], *,
                      facility_band: tuple[float, float], discrimination_weak: float):
    """Facility (top) and discrimination (bottom) per item with Moodle's bands, as a Figure.

    >>> fig = item_stats_figure("测验", 30, ["第1题", "第2题"], [80.0, 97.0], [35.0, None], [False, True],
    ...                         facility_band=(5.0, 95.0), discrimination_weak=20.0)
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['易度 F（%）', '区分度 D（%）']
    """
    fig = new_figure(max(6.0, 0.8 * len(labels) + 2), 6.5)
    fig.set_layout_engine("tight")
    top, bottom = fig.subplots(2, 1, sharex=True)
    xs = list(range(len(labels)))
    low, high = facility_band
    top.bar(xs, [f or 0.0 for f in facility], zorder=2, color=[FLAGGED if flag else FACILITY_OK for flag in flagged])
    top.axhspan(0, low, color=BAND, alpha=0.6, zorder=0)
    top.axhspan(high, 100, color=BAND, alpha=0.6, zorder=0)
    top.set_ylim(0, 100)
    top.set_ylabel("易度 F（%）")
    top.set_title(f"{title}：题目统计（n = {n}）")
    bottom.bar(xs, [d if d is not None else 0.0 for d in discrimination],
               color=[FLAGGED if (d is None or d < discrimination_weak) else DISCRIMINATION_OK for d in discrimination])
    bottom.axhline(discrimination_weak, color="#555555", linestyle="--", linewidth=1, label=f"区分度 {discrimination_weak:g}%")
    bottom.axhline(0, color="#000000", linewidth=0.8)
    bottom.set_ylim(-100, 100)
    bottom.set_ylabel("区分度 D（%）")
    bottom.legend(loc="lower right")
    bottom.set_xticks(xs)
    bottom.set_xticklabels(labels, fontsize=8)
    return fig


def conversation_figure(d):
    """Needs and trust over the turns of a finished role-play visit, as a Figure.

    ``d`` is a :class:`kamcourse.roleplay.debrief.Debrief`. Top: the customer's trust and
    patience (0 to 10); bottom: implied and explicit needs voiced so far; the dotted line marks
    the turn where the visit was won or lost.
    """
    fig = new_figure(8.0, 4.6)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    turns = [p.turn for p in d.series]
    colour = ENDING_COLORS.get(d.ending.kind, "#555555")
    top.plot(turns, [p.trust for p in d.series], marker="o", color=TRUST_COLOR, label="信任")
    top.plot(turns, [p.patience for p in d.series], marker="s", linestyle="--", color=PATIENCE_COLOR, label="耐心")
    top.set_ylim(-0.5, 10.5)
    top.set_ylabel("0～10")
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    top.set_title(f"{d.title}：{d.ending.kind}（{d.ending.title}）")
    bottom.step(turns, [p.implied for p in d.series], where="post", color=IMPLIED_COLOR, label="隐含需求")
    bottom.step(turns, [p.explicit for p in d.series], where="post", color=EXPLICIT_COLOR, linewidth=2.5, label="明确需求")
    bottom.set_ylim(-0.2, d.needs_total + 0.4)
    bottom.set_yticks(range(d.needs_total + 1))
    bottom.set_ylabel("需求（项）")
    bottom.set_xlabel("轮次（0 = 拜访开始）")
    bottom.set_xticks(turns)
    bottom.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    for ax in (top, bottom):
        ax.axvline(d.key_turn, color=colour, linestyle=":", linewidth=1.5)
        ax.spines[["top", "right"]].set_visible(False)
    last = d.key_turn == turns[-1]  # the label goes left of the line, away from the legend
    bottom.annotate("关键一轮", (d.key_turn, d.needs_total + 0.2), xytext=(-4 if last else 4, 0),
                    textcoords="offset points", ha="right" if last else "left", va="center", fontsize=9, color=colour)
    return fig
