"""The machinery every chart shares: colours, the figure helpers and :class:`Chart` (see the
package docstring)."""

from __future__ import annotations

import io
from collections.abc import Hashable
from functools import lru_cache
from typing import Any

# -- colours (shared by charts and the HTML next to them) -----------------------------------------

DSO_REACHED = "#1f77b4"
DSO_UNUSED = "#d0d0d0"
DSO_EDGE = "#7f7f7f"
FUNNEL_AMOUNT = "#c6dbef"
FUNNEL_WEIGHTED = "#2171b5"
FUNNEL_BOOKED = "#238b45"
FUNNEL_FORECAST = "#fd8d3c"
FUNNEL_EDGE = "#7f7f7f"
QUOTA_RED = "#b00020"
PARETO_CLASSES = {"A": "#1f5fa8", "B": "#f0a030", "C": "#b8b8b8"}
PARETO_LINE = "#c62828"
PRIORITY_COLORS = {"高": "#c62828", "中": "#ef8f00", "维持": "#2e7d32"}
PRIORITY_NOTES = {"高": "高：关键人物，关系还不够", "中": "中：关系还不够", "维持": "维持：关系已到位"}
KEY_ZONE_COLOR = "#fdecea"
TIER_COLORS = {"A": "#1f4e79", "B": "#5b9bd5", "普通": "#bdd7ee"}
TIER_NAMES = {"A": "A 级客户", "B": "B 级客户", "普通": "普通客户"}
PROGRESS_PASSED = "#2e7d32"
PROGRESS_OPEN = "#e0e0e0"

#: Above this many customers the Pareto bars are not labelled with names.
MAX_NAMED_BARS = 40

#: zlib level of the PNG sent on every change: 1 is several times faster than the default
#: 6 and the image is only a few per cent larger (charts are flat colours and text).
PNG_COMPRESS_LEVEL = 1

_NOTHING = object()


# -- figure helpers ---------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _chart_image_class():
    import ipywidgets as widgets
    from traitlets import Unicode

    class ChartImage(widgets.Image):
        """An ``Image`` whose ``tooltip`` (the ``<img>``'s title) carries the chart's text
        alternative.

        ipywidgets 8.1's front end reads ``description`` when it applies a tooltip
        (``DOMWidgetView.updateTooltip``); ``ImageModel`` has none, so a tooltip on a plain
        Image breaks the view ("Cannot read properties of undefined (reading 'length')";
        fixed upstream in jupyter-widgets/ipywidgets#3921, not released). An empty synced
        description lets the title through.
        """

        description = Unicode("").tag(sync=True)

    return ChartImage


def chart_image(css_class: str | None = None):
    """An empty PNG image widget for a chart; its ``tooltip`` is the text alternative."""
    import ipywidgets as widgets

    image = _chart_image_class()(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
    if css_class:
        image.add_class(css_class)
    return image


def new_figure(width: float = 8.0, height: float = 4.0):
    """A matplotlib Figure with the Chinese font set up and constrained layout.

    The figure is created directly (``matplotlib.figure.Figure``), not through pyplot, so
    it is never registered with pyplot and never shown by the inline backend; it gets
    its own Agg canvas, so nothing here switches the process's backend.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from kamcourse.fonts import use_chinese_font

    use_chinese_font()
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def canvas_png(canvas) -> bytes:
    """The PNG of what ``canvas`` (Agg) last drew: RGB, zlib level :data:`PNG_COMPRESS_LEVEL`."""
    from PIL import Image

    width, height = canvas.get_width_height(physical=True)
    rgba = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    rgba.convert("RGB").save(out, format="png", compress_level=PNG_COMPRESS_LEVEL)
    return out.getvalue()


def figure_png(fig) -> bytes:
    """Draw ``fig`` once, return its PNG and release it (for one-off figures)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    png = canvas_png(canvas)
    fig.clear()
    return png


def _text_width(text: str) -> int:
    """Width of the longest line of ``text`` in half-width characters (CJK counts 2)."""
    return max((sum(2 if ord(c) >= 0x2E80 else 1 for c in line) for line in text.split("\n")), default=0)


def layout_signature(fig) -> tuple:
    """What constrained layout's margins depend on: the figure size and, per axes, the
    widest and tallest tick label, the axis labels, the title's line count, the number
    of texts and the legends' entries. Equal signatures: the last layout still fits.

    Tick labels are compared by size, not value, so that 600 -> 700 on an axis keeps
    the layout and 900 -> 1,000 (a wider label) does not.
    """
    parts: list[Hashable] = [tuple(fig.get_size_inches())]
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if not axis.get_visible():
                parts.append(None)
                continue
            labels = axis.get_major_formatter().format_ticks(axis.get_major_locator()())
            parts.append((
                max((_text_width(str(label)) for label in labels), default=0),
                max((str(label).count("\n") for label in labels), default=0),
                axis.label.get_text(),
            ))
        parts.append((ax.title.get_text().count("\n"), len(ax.texts), ax.get_visible()))
        legend = ax.get_legend()
        if legend is not None:
            parts.append(tuple(t.get_text() for t in legend.get_texts()))
    for legend in fig.legends:
        parts.append(tuple(t.get_text() for t in legend.get_texts()))
    return tuple(parts)


def _plain(value: float) -> str:
    from kamcourse.views.common import plain_number

    return plain_number(value)


# -- the live chart ---------------------------------------------------------------------------------

class Chart:
    """One figure in one image widget, redrawn in place. Subclasses say what to draw.

    ``structure(*data)``: a hashable that changes only when new artists are needed;
    ``build(*data)``: create the artists on the empty figure; ``update(*data)``: set their
    data; ``describe(*data)``: the text alternative, in Chinese. Optionally
    ``dynamic_artists()``: the artists that change from one input to the next, and
    ``static_key(*data)``: a hashable that changes whenever anything else in the picture
    changes; with both, a change that keeps the static key redraws only the dynamic
    artists over the saved background.

    Counters for tests and benchmarks: ``builds`` (artists created), ``layouts``
    (constrained layout runs), ``backgrounds`` (full draws) and ``renders`` (PNG encodes).
    """

    size: tuple[float, float] = (8.0, 4.0)

    def __init__(self, css_class: str | None = None) -> None:
        self.image = chart_image(css_class)
        self.figure = new_figure(*self.size)
        self.canvas = self.figure.canvas
        self.text = ""
        self.builds = self.layouts = self.backgrounds = self.renders = 0
        self._data: Any = _NOTHING
        self._structure: Any = _NOTHING
        self._layout: Any = _NOTHING
        self._static: Any = _NOTHING
        self._background: Any = None
        self._background_for: Any = _NOTHING
        self._just_laid_out = False

    # -- for subclasses -----------------------------------------------------------------
    def structure(self, *data) -> Hashable:
        return ()

    def build(self, *data) -> None:
        raise NotImplementedError

    def update(self, *data) -> None:
        raise NotImplementedError

    def describe(self, *data) -> str:
        raise NotImplementedError

    def dynamic_artists(self) -> list:
        return []

    def static_key(self, *data) -> Hashable:
        return _NOTHING  # never equal to the last one: every change draws the whole figure

    # -- driving ------------------------------------------------------------------------
    def draw(self, *data) -> bool:
        """Set the artists for ``data``; False (and no work) when it is already shown."""
        if self._data is not _NOTHING and data == self._data:
            return False
        structure = self.structure(*data)
        if structure != self._structure:
            self.figure.clear()
            self.figure.set_layout_engine("constrained")
            self.build(*data)
            self.builds += 1
            self._structure = structure
            self._layout = _NOTHING
        self.update(*data)
        self._static = self.static_key(*data)
        self.text = self.describe(*data)
        self._data = data
        return True

    def _rebuild(self) -> None:
        """New artists for the data shown, so that a new layout starts where a new chart's
        would (constrained layout's result depends a little on where the axes were)."""
        self.figure.clear()
        self.figure.set_layout_engine("constrained")
        self.build(*self._data)
        self.update(*self._data)
        self.builds += 1
        self._layout = _NOTHING

    def _texts_fit(self) -> bool:
        """Whether every title and text of the axes lies inside the figure (a frozen
        layout can leave no room for a label that moved to an edge, e.g. a threshold's)."""
        renderer = self.canvas.get_renderer()
        box = self.figure.bbox
        for ax in self.figure.axes:
            for text in (*ax.texts, ax.title):
                if text.get_visible() and text.get_text():
                    extent = text.get_window_extent(renderer)
                    if (extent.x0 < box.x0 - 1 or extent.x1 > box.x1 + 1
                            or extent.y0 < box.y0 - 1 or extent.y1 > box.y1 + 1):
                        return False
        return True

    def render(self) -> bytes:
        """Draw with Agg and return the PNG: constrained layout only when
        :func:`layout_signature` changed or a text would not fit, the whole figure only
        when the static part changed (else the saved background plus the dynamic artists)."""
        signature = layout_signature(self.figure)
        if self._layout is not _NOTHING and signature != self._layout:
            self._rebuild()
            signature = layout_signature(self.figure)
        png = self._draw(signature)
        if self.layouts and self._layout == signature and not self._just_laid_out and not self._texts_fit():
            self._rebuild()
            png = self._draw(layout_signature(self.figure))
        self.renders += 1
        return png

    def _draw(self, signature) -> bytes:
        relayout = signature != self._layout
        self._just_laid_out = relayout
        dynamic = self.dynamic_artists()
        whole = relayout or not dynamic or self._background is None or self._static is _NOTHING \
            or self._static != self._background_for
        if whole:
            if relayout:
                self.figure.set_layout_engine("constrained")
            for artist in dynamic:  # left out of the background
                artist.set_animated(True)
            try:
                self.canvas.draw()
            finally:
                for artist in dynamic:
                    artist.set_animated(False)
            if relayout:  # keep the positions just computed; later draws skip the layout pass
                self.figure.set_layout_engine("none")
                self._layout = signature
                self.layouts += 1
            self._background = self.canvas.copy_from_bbox(self.figure.bbox) if dynamic else None
            self._background_for = self._static
            self.backgrounds += 1
        else:
            self.canvas.restore_region(self._background)
        if dynamic:
            renderer = self.canvas.get_renderer()
            for artist in sorted(dynamic, key=lambda a: a.get_zorder()):
                if artist.get_visible():
                    artist.draw(renderer)
        return canvas_png(self.canvas)

    def show(self, *data) -> bool:
        """Show ``data`` in the image widget; False when it was already shown."""
        if not self.draw(*data):
            return False
        png = self.render()
        with self.image.hold_sync():  # picture and its text alternative in one message
            self.image.value = png
            self.image.tooltip = self.text
        return True

    def fresh_figure(self, *data):
        """The figure drawn for ``data`` (a new chart's figure; for notebooks and tests)."""
        self.draw(*data)
        return self.figure
