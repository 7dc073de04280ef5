"""The workshop calculators' charts: the DSO countback and the sales funnel."""

from __future__ import annotations

from kamcourse.charts.base import (
    Chart,
    DSO_EDGE,
    DSO_REACHED,
    DSO_UNUSED,
    FUNNEL_AMOUNT,
    FUNNEL_BOOKED,
    FUNNEL_EDGE,
    FUNNEL_FORECAST,
    FUNNEL_WEIGHTED,
    QUOTA_RED,
    _plain,
)



# -- DSO ------------------------------------------------------------------------------------------

class CountbackChart(Chart):
    """DSO window, one bar per month (oldest left), for ``method`` "countback" or "simple".

    Countback: the part of each month's sales that the receivables use up is coloured,
    the rest hatched, months never reached grey; each bar says the days it adds. Simple:
    the window's bars, labelled with their days.
    """

    size = (8.0, 4.2)

    def structure(self, countback, simple, method):
        return (method, len(countback.months))

    def build(self, countback, simple, method):
        ax = self.ax = self.figure.add_subplot()
        positions = list(range(len(countback.months)))
        self.sales_bars = ax.bar(positions, [0.0] * len(positions), color="white", edgecolor=DSO_EDGE)
        self.counted_bars = ax.bar(positions, [0.0] * len(positions), color=DSO_REACHED, edgecolor=DSO_EDGE)
        self.counted_bars.set_label("_nolegend_")
        self.notes = [
            ax.annotate("", (x, 0.0), xytext=(0, 4), textcoords="offset points", ha="center", fontsize=10)
            for x in positions
        ]
        ax.set_ylabel("万元")
        ax.margins(y=0.15)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_title("", fontsize=11)
        self.legend = None
        self.legend_labels: tuple[str, ...] = ()

    def update(self, countback, simple, method):
        from matplotlib.patches import Patch

        ax = self.ax
        months = list(reversed(countback.months))
        positions = list(range(len(months)))
        ax.set_xticks(positions, [f"{m.month}\n({m.days_in_month} 天)" for m in months])
        counting = method == "countback"
        for x, m, sales_bar, counted_bar, note in zip(positions, months, self.sales_bars, self.counted_bars, self.notes):
            sales_bar.set_height(m.sales)
            if counting:
                sales_bar.set_facecolor("white" if m.reached else DSO_UNUSED)
                sales_bar.set_hatch("//" if m.reached else None)
                counted_bar.set_height(m.sales * m.days_counted / m.days_in_month if m.reached else 0.0)
                counted_bar.set_visible(m.reached)
                text = f"计 {_plain(round(m.days_counted, 2))} 天" if m.reached else "未用到"
            else:
                sales_bar.set_facecolor(DSO_REACHED)
                sales_bar.set_hatch(None)
                counted_bar.set_height(0.0)
                counted_bar.set_visible(False)
                text = f"{m.days_in_month} 天"
            note.set_text(text)
            note.xy = (x, m.sales)
        if counting:
            handles = [("被应收账款冲抵的销售额", DSO_REACHED, None)]
            reached = [m for m in months if m.reached]
            if any(m.days_counted < m.days_in_month for m in reached):
                handles.append(("未冲抵的销售额", "white", "//"))
            if len(reached) < len(months):
                handles.append(("未用到的月份", DSO_UNUSED, None))
            if countback.exhausted:
                title = (f"倒算法：应收账款 {_plain(countback.receivables)} 万元超过窗口内全部销售额，"
                         f"DSO 超过 {countback.window_days} 天")
            else:
                title = (f"倒算法：应收账款 {_plain(countback.receivables)} 万元从最近的月份往前冲抵，"
                         f"共 {countback.days:.1f} 天")
        else:
            handles = [("窗口内各月销售额", DSO_REACHED, None)]
            title = (f"简单平均法：{_plain(simple.receivables)} ÷ {_plain(simple.total_sales)}"
                     f" × {simple.window_days} 天 = {simple.days:.1f} 天")
        ax.title.set_text(title)
        labels = tuple(label for label, _, _ in handles)
        if labels != self.legend_labels:
            if self.legend is not None:
                self.legend.remove()
            self.legend = self.figure.legend(
                handles=[Patch(facecolor=color, edgecolor=DSO_EDGE, hatch=hatch, label=label)
                         for label, color, hatch in handles],
                loc="outside lower center", ncols=len(handles), fontsize=9, frameon=False,
            )
            self.legend_labels = labels
        ax.relim()
        ax.autoscale_view()

    def static_key(self, countback, simple, method):
        # the value axis stays in the background while its limits do (a new receivables
        # figure moves the coloured parts, not the month's sales)
        return (method, tuple(m.month for m in countback.months), self.legend_labels, self.ax.get_ylim())

    def dynamic_artists(self):
        ax = self.ax
        return [*self.sales_bars, *self.counted_bars, *ax.spines.values(), *self.notes, ax.title]

    def describe(self, countback, simple, method):
        months = list(countback.months)  # latest first, the order of the countback
        if method == "countback":
            counted = [m for m in months if m.reached]
            parts = "、".join(f"{m.month} 计 {_plain(round(m.days_counted, 2))} 天" for m in counted)
            unused = "、".join(m.month for m in months if not m.reached)
            if countback.exhausted:
                head = (f"倒算法：应收账款 {_plain(countback.receivables)} 万元超过窗口内全部销售额，"
                        f"DSO 超过 {countback.window_days} 天")
            else:
                head = f"倒算法：DSO = {countback.days:.1f} 天（截至 {countback.period_end}）"
            text = f"图：{head}；从最近的月份往前冲抵，计入 {len(counted)} 个月：{parts}"
            if unused:
                text += f"；未用到：{unused}"
            return text + "。"
        sales = "、".join(f"{m.month} {_plain(m.sales)} 万元" for m in reversed(months))
        return (f"图：简单平均法：DSO = {_plain(simple.receivables)} ÷ {_plain(simple.total_sales)} × "
                f"{simple.window_days} 天 = {simple.days:.1f} 天；窗口内各月销售额：{sales}。")


def countback_chart(countback, simple, method: str):
    """The DSO chart for ``method`` as a new figure (see :class:`CountbackChart`)."""
    return CountbackChart().fresh_figure(countback, simple, method)


# -- sales funnel ------------------------------------------------------------------------------------

def percent_text(probability: float) -> str:
    """A probability as the trainee types it: 0.75 -> "75%".

    >>> percent_text(0.75), percent_text(0.125)
    ('75%', '12.5%')
    """
    return f"{_plain(round(probability * 100, 6))}%"


class FunnelChart(Chart):
    """Left: the funnel, one centred bar per stage (amount light, weighted dark).
    Right: the quarter so far: booked plus forecast against the quota."""

    size = (9.0, 4.4)

    def structure(self, forecast, gap):
        return len(forecast.by_stage)

    def build(self, forecast, gap):
        left, right = self.left, self.right = self.figure.subplots(1, 2, width_ratios=[3, 2])
        ys = list(range(len(forecast.by_stage)))[::-1]  # first stage at the top
        zeros = [0.0] * len(ys)
        self.amount_bars = left.barh(ys, zeros, color=FUNNEL_AMOUNT, edgecolor=FUNNEL_EDGE, label="金额")
        self.weighted_bars = left.barh(ys, zeros, color=FUNNEL_WEIGHTED, label="加权金额")
        self.stage_notes = [
            left.annotate("", (0.0, y), xytext=(6, 0), textcoords="offset points", va="center", fontsize=9)
            for y in ys
        ]
        self.ys = ys
        left.set_xticks([])
        left.spines[["top", "right", "bottom"]].set_visible(False)
        left.set_title("", fontsize=10)
        self.booked_bar = right.bar([0], [0.0], color=FUNNEL_BOOKED, label="已完成")
        self.forecast_bar = right.bar([0], [0.0], bottom=[0.0], color=FUNNEL_FORECAST, label="销售预计")
        self.quota_line = right.axhline(0.0, color=QUOTA_RED, linestyle="--", linewidth=1.5)
        self.quota_note = right.annotate("", (0.5, 0.0), xytext=(0, 4), textcoords="offset points",
                                         ha="center", color=QUOTA_RED, fontsize=9)
        right.set_xlim(-0.8, 1.2)
        right.set_xticks([])
        right.set_ylabel("万元")
        right.margins(y=0.12)
        right.spines[["top", "right"]].set_visible(False)
        right.set_title("", fontsize=10)
        self.figure.legend(loc="outside lower center", ncols=4, fontsize=9, frameon=False)

    def update(self, forecast, gap):
        left, right = self.left, self.right
        stages = forecast.by_stage
        widest = max([t.amount for t in stages] + [1.0])
        for y, t, amount_bar, weighted_bar, note in zip(
                self.ys, stages, self.amount_bars, self.weighted_bars, self.stage_notes):
            amount_bar.set_width(t.amount)
            amount_bar.set_x(-t.amount / 2)
            weighted_bar.set_width(t.weighted)
            weighted_bar.set_x(-t.weighted / 2)
            note.set_text(f"{t.amount:,.1f} / {t.weighted:,.1f} · {t.count} 个")
            note.xy = (widest / 2, y)
        left.set_yticks(self.ys, [f"{t.stage}\n{percent_text(t.probability)}" for t in stages])
        left.set_xlim(-widest / 2 * 1.05, widest / 2 * 2.1)
        left.title.set_text(f"销售漏斗：金额 / 加权金额（万元），销售预计 {forecast.total:,.1f}")
        self.booked_bar[0].set_height(gap.booked_to_date)
        self.forecast_bar[0].set_y(gap.booked_to_date)
        self.forecast_bar[0].set_height(gap.forecast)
        self.quota_line.set_ydata([gap.quarter_quota, gap.quarter_quota])
        self.quota_note.set_text(f"季度任务 {gap.quarter_quota:,.0f}")
        self.quota_note.xy = (0.5, gap.quarter_quota)
        verdict = "可覆盖任务" if gap.covered else f"缺口 {gap.gap:,.1f}"
        right.title.set_text(f"本季度：已完成 + 销售预计（{verdict}）")
        right.relim()
        right.autoscale_view()

    def static_key(self, forecast, gap):
        return tuple((t.stage, t.probability) for t in forecast.by_stage)

    def dynamic_artists(self):
        left, right = self.left, self.right
        return [*self.amount_bars, *self.weighted_bars, *self.stage_notes, left.title,
                *self.booked_bar, *self.forecast_bar, *right.spines.values(), right.yaxis,
                self.quota_line, self.quota_note, right.title]

    def describe(self, forecast, gap):
        stages = "；".join(
            f"{t.stage}（赢率 {percent_text(t.probability)}）{t.count} 个，金额 {t.amount:,.1f}，加权 {t.weighted:,.1f}"
            for t in forecast.by_stage
        )
        verdict = "可覆盖剩余任务" if gap.covered else f"缺口 {gap.gap:,.1f} 万元"
        return (f"图：销售漏斗各阶段（万元）：{stages}。销售预计 {forecast.total:,.1f} 万元；"
                f"本季度已完成 {gap.booked_to_date:,.1f} 万元加销售预计，对照季度任务 "
                f"{gap.quarter_quota:,.1f} 万元：{verdict}。")


def funnel_chart(forecast, gap):
    """The funnel chart as a new figure (see :class:`FunnelChart`)."""
    return FunnelChart().fresh_figure(forecast, gap)
