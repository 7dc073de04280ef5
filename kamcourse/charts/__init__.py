"""Every chart the course draws, in one place, and the machinery that keeps them fast.

A chart lives in one ``ipywidgets.Image`` and keeps **one matplotlib figure** for the
widget's whole life (:class:`Chart`). When the trainee changes an input, the view calls
``chart.show(data)``; the chart then

* does nothing at all when ``data`` equals what is shown (results are frozen dataclasses),
* creates artists only when the *structure* changes (another method, another number of
  months or stages), and otherwise changes the existing artists' data in place (bar
  heights, colours, texts, limits),
* runs constrained layout only when something that decides the margins changed (tick
  label widths, axis labels, legend entries: :func:`layout_signature`); otherwise the
  axes keep the positions computed last time,
* redraws only the artists that change with the inputs when the rest of the picture is
  the same (blitting: the static part, e.g. the month labels and the legend, is kept as
  a background and restored; the bars, their labels, the title and the value axis are
  drawn over it), and otherwise draws the whole figure with Agg,
* encodes a PNG straight from the canvas buffer (RGB, fast zlib level), and
* gives the image a text alternative (``tooltip``, the ``title`` of the ``<img>``) that
  states what the chart shows, e.g. the DSO and the months counted.

Why PNG and not SVG or ipympl's canvas: ``benchmarks/bench.py --only charts`` measures
them side by side; drawing in place and encoding a PNG was the cheapest per change
in the kernel, and it keeps the Chinese glyphs drawn from the course's own font (see
:mod:`kamcourse.fonts`) whatever fonts the trainee's device has.

Each chart also has a plain function (``countback_chart(...)`` etc.) that returns a
freshly drawn figure, for notebooks and tests; it runs the same code as the live chart.
:func:`chart_image`, :func:`new_figure` and :func:`figure_png` are the figure helpers
that used to live in ``kamcourse.views.common``.

matplotlib and ipywidgets are imported when a chart is first made, not on import, so
that a process that only grades or computes does not pay for them.
"""

from __future__ import annotations

from kamcourse.charts.base import (
    DSO_REACHED,
    DSO_UNUSED,
    DSO_EDGE,
    FUNNEL_AMOUNT,
    FUNNEL_WEIGHTED,
    FUNNEL_BOOKED,
    FUNNEL_FORECAST,
    FUNNEL_EDGE,
    QUOTA_RED,
    PARETO_CLASSES,
    PARETO_LINE,
    PRIORITY_COLORS,
    PRIORITY_NOTES,
    KEY_ZONE_COLOR,
    TIER_COLORS,
    TIER_NAMES,
    PROGRESS_PASSED,
    PROGRESS_OPEN,
    MAX_NAMED_BARS,
    PNG_COMPRESS_LEVEL,
    chart_image,
    new_figure,
    canvas_png,
    figure_png,
    layout_signature,
    Chart,
)
from kamcourse.charts.calculators import (
    CountbackChart,
    countback_chart,
    percent_text,
    FunnelChart,
    funnel_chart,
)
from kamcourse.charts.course import (
    ParetoChart,
    pareto_chart,
    strategy_colors,
    SegmentationChart,
    segmentation_chart,
    RelationshipChart,
    relationship_chart,
    CareChart,
    care_chart,
    ProgressChart,
    progress_chart,
    CommunicationLossChart,
    communication_loss_figure,
)
from kamcourse.charts.reports import (
    ENDING_COLORS,
    conversation_figure,
    item_stats_figure,
)

__all__ = [
    "DSO_REACHED",
    "DSO_UNUSED",
    "DSO_EDGE",
    "FUNNEL_AMOUNT",
    "FUNNEL_WEIGHTED",
    "FUNNEL_BOOKED",
    "FUNNEL_FORECAST",
    "FUNNEL_EDGE",
    "QUOTA_RED",
    "PARETO_CLASSES",
    "PARETO_LINE",
    "PRIORITY_COLORS",
    "PRIORITY_NOTES",
    "KEY_ZONE_COLOR",
    "TIER_COLORS",
    "TIER_NAMES",
    "PROGRESS_PASSED",
    "PROGRESS_OPEN",
    "MAX_NAMED_BARS",
    "PNG_COMPRESS_LEVEL",
    "chart_image",
    "new_figure",
    "canvas_png",
    "figure_png",
    "layout_signature",
    "Chart",
    "CountbackChart",
    "countback_chart",
    "percent_text",
    "FunnelChart",
    "funnel_chart",
    "ParetoChart",
    "pareto_chart",
    "strategy_colors",
    "SegmentationChart",
    "segmentation_chart",
    "RelationshipChart",
    "relationship_chart",
    "CareChart",
    "care_chart",
    "ProgressChart",
    "progress_chart",
    "CommunicationLossChart",
    "communication_loss_figure",
    "ENDING_COLORS",
    "conversation_figure",
    "item_stats_figure",
]
