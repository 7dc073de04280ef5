"""The module notebooks' charts: Pareto, segmentation, relationship map, care tiers, progress,
the communication funnel."""

from __future__ import annotations

from collections.abc import Sequence

from kamcourse.charts.base import (
    Chart,
    KEY_ZONE_COLOR,
    MAX_NAMED_BARS,
    PARETO_CLASSES,
    PARETO_LINE,
    PRIORITY_COLORS,
    PRIORITY_NOTES,
    PROGRESS_OPEN,
    PROGRESS_PASSED,
    TIER_COLORS,
    TIER_NAMES,
    _plain,
)



# -- Pareto / ABC -----------------------------------------------------------------------------------

class ParetoChart(Chart):
    """Bars of sales (largest first) coloured by class, the cumulative share as a line,
    the two ABC cut-offs as dotted lines."""

    def structure(self, result, abc):
        return len(result.rows)

    def build(self, result, abc):
        from matplotlib.patches import Patch

        from kamcourse import pareto

        n = len(result.rows)
        self.figure.set_size_inches(max(7.0, min(12.0, 0.45 * n + 3)), 4.6)
        ax = self.ax = self.figure.add_subplot()
        positions = list(range(1, n + 1))  # rank
        self.bars = ax.bar(positions, [0.0] * n)
        ax.set_ylabel("年销售额（万元）")
        if n > MAX_NAMED_BARS:  # too many names to read: number the customers instead
            ax.set_xlabel(f"客户（按年销售额从大到小排列，共 {n} 位；名称见明细表）")
            ax.tick_params(axis="x", labelsize=8)
        ax.spines[["top"]].set_visible(False)
        line = self.line_ax = ax.twinx()
        (self.cumulative,) = line.plot(positions, [0.0] * n, color=PARETO_LINE, marker="o", markersize=3)
        self.cut_lines = [line.axhline(0.0, color=PARETO_LINE, linestyle=":", linewidth=1) for _ in range(2)]
        self.cut_notes = [
            line.annotate("", (n + 0.5, 0.0), xytext=(2, -10), textcoords="offset points", color=PARETO_LINE, fontsize=8)
            for _ in range(2)
        ]
        line.set_ylim(0, 105)
        line.set_ylabel("累计占比（%）", color=PARETO_LINE)
        line.spines[["top"]].set_visible(False)
        handles = [Patch(color=PARETO_CLASSES[c], label=f"{c} 类") for c in pareto.CLASSES]
        ax.legend(handles=handles, loc="center right", fontsize=9, frameon=False)
        ax.set_title("", fontsize=11)

    def update(self, result, abc):
        from kamcourse.views.pareto import short_name

        ax = self.ax
        n = len(result.rows)
        positions = list(range(1, n + 1))
        classes = abc.class_of()
        for bar, row in zip(self.bars, result.rows):
            bar.set_height(row.sales)
            bar.set_color(PARETO_CLASSES[classes[row.customer]])
        if n <= MAX_NAMED_BARS:
            ax.set_xticks(positions, [short_name(r.customer) for r in result.rows],
                          rotation=60, ha="right", fontsize=8)
        self.cumulative.set_ydata([r.cumulative_share * 100 for r in result.rows])
        for cut, line, note in zip((abc.a_cut, abc.b_cut), self.cut_lines, self.cut_notes):
            line.set_ydata([cut * 100, cut * 100])
            note.set_text(f"{cut:.0%}")
            note.xy = (n + 0.5, cut * 100)
        ax.title.set_text(
            f"前 {result.count_for_target} 位客户（{result.customer_share_for_target:.0%}）贡献了 "
            f"{result.rows[result.count_for_target - 1].cumulative_share:.1%} 的销售额"
        )
        ax.relim()
        ax.autoscale_view()

    def static_key(self, result, abc):
        return result.rows

    def dynamic_artists(self):
        # the line axes is drawn over the bars, and the legend sits inside the plot: both
        # are redrawn over the bars too
        return [*self.bars, *self.ax.spines.values(), self.cumulative, *self.cut_lines, *self.cut_notes,
                self.ax.title, self.ax.get_legend()]

    def describe(self, result, abc):
        counts = "、".join(f"{c.abc} 类 {c.count} 位" for c in abc.classes)
        return (f"图：{len(result.rows)} 位客户按年销售额从大到小排列，折线为累计占比；前 "
                f"{result.count_for_target} 位客户（{result.customer_share_for_target:.0%}）贡献了 "
                f"{result.rows[result.count_for_target - 1].cumulative_share:.1%} 的销售额；"
                f"界限 A 类 {abc.a_cut:.0%}、B 类 {abc.b_cut:.0%}：{counts}。")


def pareto_chart(result, abc):
    """The Pareto chart as a new figure (see :class:`ParetoChart`)."""
    return ParetoChart().fresh_figure(result, abc)


# -- segmentation (attack / defend matrix) ---------------------------------------------------------

def strategy_colors() -> dict[str, str]:
    """Strategy -> colour of the segmentation matrix (also used by its tables)."""
    from kamcourse import segmentation as seg

    return {seg.ATTACK: "#c62828", seg.DEFEND: "#1f5fa8", seg.MAINTAIN: "#2e7d32", seg.GIVE_UP: "#8d8d8d"}


class SegmentationChart(Chart):
    """The matrix: x = our share, y = purchase potential; quadrants shaded and named,
    customers numbered as in the table."""

    size = (8.0, 5.6)

    def structure(self, result):
        return len(result.rows)

    def build(self, result):
        from matplotlib.lines import Line2D
        from matplotlib.patches import Rectangle

        from kamcourse import segmentation as seg

        colors = strategy_colors()
        ax = self.ax = self.figure.add_subplot()
        self.order = (seg.ATTACK, seg.DEFEND, seg.GIVE_UP, seg.MAINTAIN)
        self.zones = {s: ax.add_patch(Rectangle((0, 0), 0, 0, color=colors[s], alpha=0.07, linewidth=0))
                      for s in self.order}
        self.zone_names = {s: ax.text(0, 0, s, color=colors[s], fontsize=15, alpha=0.8) for s in self.order}
        self.x_cut = ax.axvline(0.0, color="#555555", linestyle="--", linewidth=1)
        self.y_cut = ax.axhline(0.0, color="#555555", linestyle="--", linewidth=1)
        n = len(result.rows)
        self.points = ax.scatter([0.0] * n, [0.0] * n, s=36, zorder=3)
        self.numbers = [ax.annotate(str(i), (0.0, 0.0), xytext=(4, 3), textcoords="offset points", fontsize=8, zorder=4)
                        for i in range(1, n + 1)]
        ax.set_xlim(0, 100)
        ax.set_xlabel("客户份额：我方在该客户采购中所占的比例（%）")
        ax.set_ylabel("采购潜力（万元/年）")
        ax.set_title("", fontsize=11)
        self.handles = {s: Line2D([], [], marker="o", linestyle="", color=colors[s], label=s) for s in self.order}
        self.legend = ax.legend(handles=[self.handles[s] for s in (seg.ATTACK, seg.DEFEND, seg.MAINTAIN, seg.GIVE_UP)],
                                loc="upper center", ncols=4, fontsize=9, frameon=False, bbox_to_anchor=(0.5, -0.12))
        ax.spines[["top", "right"]].set_visible(False)

    def update(self, result):
        from kamcourse import segmentation as seg

        colors = strategy_colors()
        ax = self.ax
        top = max(max(r.account.potential for r in result.rows), result.potential_cut) * 1.12 or 1.0
        x_cut, y_cut = result.share_cut * 100, result.potential_cut
        quadrants = {
            seg.ATTACK: (0, x_cut, y_cut, top, "left", "top"),
            seg.DEFEND: (x_cut, 100, y_cut, top, "right", "top"),
            seg.GIVE_UP: (0, x_cut, 0, y_cut, "left", "bottom"),
            seg.MAINTAIN: (x_cut, 100, 0, y_cut, "right", "bottom"),
        }
        for strategy, (x0, x1, y0, y1, ha, va) in quadrants.items():
            self.zones[strategy].set_bounds(x0, y0, x1 - x0, y1 - y0)
            name = self.zone_names[strategy]
            name.set_position((x0 + 1.5 if ha == "left" else x1 - 1.5, y1 - top * 0.02 if va == "top" else y0 + top * 0.02))
            name.set_horizontalalignment(ha)
            name.set_verticalalignment(va)
        self.x_cut.set_xdata([x_cut, x_cut])
        self.y_cut.set_ydata([y_cut, y_cut])
        xy = [(r.account.share * 100, r.account.potential) for r in result.rows]
        self.points.set_offsets(xy)
        self.points.set_facecolors([colors[r.segment.strategy] for r in result.rows])
        self.points.set_edgecolors([colors[r.segment.strategy] for r in result.rows])
        for note, point in zip(self.numbers, xy):
            note.xy = point
        ax.set_ylim(0, top)
        ax.title.set_text(
            f"客户细分攻守模型（界限：潜力 {_plain(round(result.potential_cut, 1))} 万元，"
            f"份额 {result.share_cut:.1%}）"
        )
        counts = result.counts()
        for strategy, text in zip((seg.ATTACK, seg.DEFEND, seg.MAINTAIN, seg.GIVE_UP), self.legend.get_texts()):
            text.set_text(f"{strategy} {counts.get(strategy, 0)}")

    def describe(self, result):
        counts = "、".join(f"{s} {n} 位" for s, n in result.counts().items())
        return (f"图：客户细分攻守模型，横轴为我方份额，纵轴为采购潜力；界限：潜力 "
                f"{_plain(round(result.potential_cut, 1))} 万元，份额 {result.share_cut:.1%}；"
                f"{len(result.rows)} 位客户：{counts}（序号与明细表一致）。")


def segmentation_chart(result):
    """The segmentation matrix as a new figure (see :class:`SegmentationChart`)."""
    return SegmentationChart().fresh_figure(result)


# -- relationship map ----------------------------------------------------------------------------------

class RelationshipChart(Chart):
    """Contacts placed on stage (x) against influence (y), coloured by priority.

    The shaded corner (influence 4-5, below 信赖) is where key people still lack trust.
    A new contact list is drawn anew (it changes only on upload).
    """

    size = (8.0, 5.0)

    def structure(self, rmap):
        return rmap

    def build(self, rmap):
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        from kamcourse import relationship as rel

        ax = self.figure.add_subplot()
        ax.fill_between([-0.5, 1.5], 3.5, 5.8, color=KEY_ZONE_COLOR, zorder=0)
        ax.text(-0.45, 5.6, "重点区：影响力大、关系还不够", fontsize=9, color="#c62828", va="top")
        seen: dict[tuple[str, int], int] = {}
        for (x, y), row in zip(rel.chart_points(rmap), rmap.rows):
            marker = "*" if row.contact.role == "向导" else "o"
            size = 260 if marker == "*" else 130
            ax.scatter([x], [y], s=size, marker=marker, color=PRIORITY_COLORS[row.action.priority],
                       edgecolor="white", linewidth=0.8, zorder=3)
            # neighbours in one cell put their labels alternately above and below the dot
            cell = (row.contact.stage, row.contact.influence)
            below = seen.get(cell, 0) % 2 == 1
            seen[cell] = seen.get(cell, 0) + 1
            ax.annotate(f"{row.contact.name}\n{row.contact.role}", (x, y), xytext=(0, -9 if below else 9),
                        textcoords="offset points", ha="center", va="top" if below else "bottom", fontsize=8.5, zorder=4)
        ax.set_xticks(range(len(rel.STAGES)), [f"{i + 1}. {s}" for i, s in enumerate(rel.STAGES)])
        ax.set_yticks(range(rel.MIN_INFLUENCE, rel.MAX_INFLUENCE + 1))
        ax.set_xlim(-0.5, len(rel.STAGES) - 0.5)
        ax.set_ylim(0.5, 5.8)
        ax.set_xlabel("关系阶段")
        ax.set_ylabel("影响力（1-5）")
        ax.grid(True, color="#eeeeee", zorder=1)
        ax.spines[["top", "right"]].set_visible(False)
        handles = [Patch(facecolor=PRIORITY_COLORS[p], label=PRIORITY_NOTES[p]) for p in PRIORITY_COLORS]
        handles.append(Line2D([], [], marker="*", color="#607d8b", linestyle="", markersize=11, label="向导"))
        self.figure.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=9, frameon=False)
        ax.set_title("客户关系图：关系阶段 × 影响力", fontsize=11)

    def update(self, rmap):
        pass  # drawn by build: the structure is the map itself

    def describe(self, rmap):
        counts = "，".join(f"{stage} {n} 人" for stage, n in rmap.stage_counts)
        urgent = "、".join(r.contact.name for r in rmap.urgent) or "无"
        return (f"图：客户关系图，{len(rmap.rows)} 位联系人按关系阶段（横轴）和影响力（纵轴）分布：{counts}；"
                f"优先推进（影响力大、关系还不够）：{urgent}。")


def relationship_chart(rmap):
    """The relationship map as a new figure (see :class:`RelationshipChart`)."""
    return RelationshipChart().fresh_figure(rmap)


# -- care tiers ------------------------------------------------------------------------------------

class CareChart(Chart):
    """Horizontal bars of each customer's value (top 20), coloured by tier, with the two
    thresholds."""

    def structure(self, plan):
        return min(len(plan.rows), 20)

    def build(self, plan):
        from matplotlib.patches import Patch

        from kamcourse import crm

        shown = min(len(plan.rows), 20)
        self.figure.set_size_inches(8.0, max(2.6, 0.45 * shown + 1.4))
        ax = self.ax = self.figure.add_subplot()
        ys = list(range(shown))
        self.bars = ax.barh(ys, [0.0] * shown, edgecolor="#7f7f7f")
        self.ys = ys
        self.thresholds = []
        for _ in range(2):
            line = ax.axvline(0.0, color="#c62828", linestyle="--", linewidth=1)
            note = ax.annotate("", (0.0, 1), xycoords=("data", "axes fraction"), xytext=(0, 3),
                               textcoords="offset points", ha="center", va="bottom", fontsize=8.5, color="#c62828")
            self.thresholds.append((line, note))
        ax.set_xlabel("客户价值（如年销售额，万元）")
        ax.spines[["top", "right"]].set_visible(False)
        handles = [Patch(facecolor=TIER_COLORS[t], edgecolor="#7f7f7f", label=f"{TIER_NAMES[t]}：{crm.CARE_BY_TIER[t]}")
                   for t in crm.TIERS]
        self.figure.legend(handles=handles, loc="outside lower center", ncols=1, fontsize=9, frameon=False)

    def update(self, plan):
        ax = self.ax
        shown = list(reversed(plan.rows[: len(self.ys)]))
        for bar, c in zip(self.bars, shown):
            bar.set_width(c.value)
            bar.set_facecolor(TIER_COLORS[c.tier])
        ax.set_yticks(self.ys, [c.customer for c in shown])
        for (label, value), (line, note) in zip((("A 级门槛", plan.a_min), ("B 级门槛", plan.b_min)), self.thresholds):
            line.set_xdata([value, value])
            note.set_text(f"{label} {_plain(value)}")
            note.xy = (value, 1)
        ax.relim()
        ax.autoscale_view()

    def describe(self, plan):
        tiers = "、".join(f"{TIER_NAMES[t]} {plan.count(t)} 位" for t in TIER_COLORS)
        more = f"（图中为价值最高的 {len(self.ys)} 位）" if len(plan.rows) > len(self.ys) else ""
        return (f"图：{len(plan.rows)} 位客户的客户价值{more}，A 级门槛 {_plain(plan.a_min)}、"
                f"B 级门槛 {_plain(plan.b_min)}：{tiers}。")


def care_chart(plan):
    """The care-tier chart as a new figure (see :class:`CareChart`)."""
    return CareChart().fresh_figure(plan)


# -- exercise progress ------------------------------------------------------------------------------

class ProgressChart(Chart):
    """Horizontal bars: passed tasks over all tasks, per module."""

    def structure(self, rows):
        return tuple(rows)

    def build(self, rows):
        rows = list(rows)
        self.figure.set_size_inches(7.0, 0.45 * len(rows) + 1.0)
        ax = self.figure.add_subplot()
        labels = [r.title for r in rows][::-1]
        totals = [r.total for r in rows][::-1]
        passed = [r.passed for r in rows][::-1]
        positions = range(len(rows))
        ax.barh(positions, totals, color=PROGRESS_OPEN, label="题目总数")
        ax.barh(positions, passed, color=PROGRESS_PASSED, label="已通过")
        for y, (done, total) in enumerate(zip(passed, totals)):
            ax.annotate(f"{done}/{total}" if total else "待发布", (max(total, 0), y), xytext=(4, 0),
                        textcoords="offset points", va="center", fontsize=9)
        ax.set_yticks(list(positions), labels, fontsize=9)
        ax.set_xlim(0, max([*totals, 1]) * 1.15)
        ax.set_xlabel("题数")
        ax.spines[["top", "right"]].set_visible(False)
        self.figure.legend(loc="outside upper center", ncols=2, fontsize=8, frameon=False)

    def update(self, rows):
        pass  # drawn by build: the structure is the rows themselves

    def describe(self, rows):
        parts = "；".join(f"{r.title} {r.passed}/{r.total}" if r.total else f"{r.title} 练习待发布" for r in rows)
        return f"图：各模块已通过的练习题数：{parts}。"


def progress_chart(rows: Sequence):
    """The progress chart as a new figure (see :class:`ProgressChart`)."""
    return ProgressChart().fresh_figure(tuple(rows))


# -- communication loss (module 3) ---------------------------------------------------------------------

class CommunicationLossChart(Chart):
    """A bar chart of the 讲义's chain of communication loss (an illustration, not data)."""

    size = (7.0, 2.8)

    def structure(self, steps):
        return tuple(steps)

    def build(self, steps):
        ax = self.figure.add_subplot()
        labels = [s.stage for s in steps]
        values = [s.percent for s in steps]
        positions = list(range(len(steps)))[::-1]
        ax.barh(positions, values, color=["#1565c0", "#5e92c8", "#a9c4e4"][: len(steps)], height=0.6)
        ax.set_yticks(positions, labels)
        ax.set_xlim(0, 118)
        ax.set_xlabel("信息保留的比例（%）")
        for pos, step in zip(positions, steps):
            note = f"{step.percent}%" + (f"（-{step.lost}%）" if step.lost else "")
            ax.text(step.percent + 1.5, pos, note, va="center")
        ax.set_title("只用口述时的信息损耗（讲义的示意，不是测量数据）")
        ax.spines[["top", "right"]].set_visible(False)

    def update(self, steps):
        pass  # a fixed illustration

    def describe(self, steps):
        chain = "，".join(f"{s.stage} {s.percent}%" for s in steps)
        return f"图：只用口述时的信息损耗（讲义的示意，不是测量数据）：{chain}。"


def communication_loss_figure():
    """The communication-loss chart as a new figure."""
    from kamcourse import ffab

    return CommunicationLossChart().fresh_figure(tuple(ffab.communication_loss()))
