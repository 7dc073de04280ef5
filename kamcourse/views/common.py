"""Small widgets shared by the course's views and dashboards.

- :class:`MessageArea`: the red error / grey info line under a calculator.
- :func:`text_input`, :func:`plain_number`: text boxes for numbers the core parses.
- :func:`upload_button`: a FileUpload that hands ``(bytes, filename)`` to a callback;
  :func:`reset_button`: the button that goes back to the sample data.
- :class:`SampleOrFileLoader`: load_sample / load_path / load_file for a customer-list view.
- :class:`DownloadLinks`: CSV and XLSX download anchors (``data:`` URIs) for a table.
- :class:`RowEditor`: an editable table (text or drop-down cells, add / remove rows);
  :func:`upload_to_editor` fills one from an uploaded file.
- :func:`inputs_beside_outputs`: a calculator's inputs column beside its results column.
- :func:`attempt`: runs a calculation and shows a bad input's message instead of failing.

Charts and the figure helpers (``chart_image``, ``new_figure``, ``figure_png``) live in
:mod:`kamcourse.charts`; the three names still resolve here for older imports.

Everything here is presentation only: values are passed on as the trainee typed them
and the topic module decides whether they are valid.
"""

from __future__ import annotations

import base64
import html
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence, TypeVar

import ipywidgets as widgets

from kamcourse.errors import KamcourseError

T = TypeVar("T")
log = logging.getLogger(__name__)

CSV_MIME = "text/csv;charset=utf-8"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABLE_FILE_TYPES = ".csv,.xlsx"

ERROR_COLOR = "#b00020"
INFO_COLOR = "#455a64"

#: Description width that fits Chinese labels of up to about ten characters.
LABEL_STYLE = {"description_width": "11em"}


class MessageArea(widgets.HTML):
    """One line of feedback: an error in red or a neutral note; empty when all is well.

    ``kind`` is ``"error"``, ``"info"`` or ``""`` and ``text`` the plain message, so
    tests need not parse the HTML.
    """

    def __init__(self, *css_classes: str) -> None:
        super().__init__(value="")
        self.kind = ""
        self.text = ""
        self.add_class("kc-message")
        for css_class in css_classes:
            self.add_class(css_class)

    def show_error(self, text: str) -> None:
        self._show("error", text, ERROR_COLOR, "alert")

    def show_info(self, text: str) -> None:
        self._show("info", text, INFO_COLOR, "status")

    def clear(self) -> None:
        self.kind = ""
        self.text = ""
        self.value = ""

    def _show(self, kind: str, text: str, color: str, role: str) -> None:
        self.kind = kind
        self.text = text
        self.value = (
            f'<div class="kc-message-{kind}" role="{role}" style="color:{color};'
            f'font-weight:{"bold" if kind == "error" else "normal"};">{html.escape(text)}</div>'
        )


def attempt(message: MessageArea, compute: Callable[[], T]) -> T | None:
    """Run ``compute``; on bad input show its Chinese message and return None.

    The view then keeps what the trainee typed and the last good result. An unexpected
    error (a bug) gets a neutral Chinese message too, never a traceback in the page; its
    details go to the ``kamcourse.views`` debug log.
    """
    try:
        return compute()
    except KamcourseError as err:
        message.show_error(str(err))
    except Exception:  # noqa: BLE001 - the page must stay usable whatever happens
        log.debug("calculation failed", exc_info=True)
        message.show_error("计算未能完成：请检查输入是否完整、格式是否正确。")
    return None


def plain_number(value: float) -> str:
    """A number as a trainee would type it: no trailing ".0", no exponent.

    >>> plain_number(600.0), plain_number(14.5), plain_number(1234567.0), plain_number(0.125)
    ('600', '14.5', '1234567', '0.125')
    """
    number = float(value)
    if number.is_integer():
        return str(int(number))
    return f"{number:.6f}".rstrip("0").rstrip(".")


def upload_button(
    on_file: Callable[[bytes, str], None],
    description: str = "上传 CSV / Excel",
    accept: str = TABLE_FILE_TYPES,
    css_class: str | None = None,
) -> widgets.FileUpload:
    """A FileUpload button that calls ``on_file(content, filename)`` for each upload.

    ipywidgets 8 gives ``value`` as a tuple of dicts with ``content`` (a memoryview) and
    ``name``. The value is reset after each upload so that uploading the same file again
    (after editing the table by hand) is seen as a new upload.
    """
    upload = widgets.FileUpload(accept=accept, multiple=False, description=description, icon="upload")
    upload.layout.width = "auto"
    if css_class:
        upload.add_class(css_class)

    def _changed(change: Mapping) -> None:
        files = change["new"]
        if not files:
            return
        first = files[0]
        content = bytes(first["content"])
        name = str(first["name"])
        upload.value = ()
        on_file(content, name)

    upload.observe(_changed, names="value")
    return upload


def reset_button(
    on_reset: Callable[[], None], description: str = "恢复样本数据", icon: str = "undo"
) -> widgets.Button:
    """A button that calls ``on_reset()`` when clicked (back to the sample data, start again)."""
    button = widgets.Button(description=description, icon=icon, layout=widgets.Layout(width="auto"))
    button.on_click(lambda _b: on_reset())
    return button


class SampleOrFileLoader:
    """``load_sample`` / ``load_path`` / ``load_file`` for a view of one customer list.

    Mixed into a widget that has ``message`` (a :class:`MessageArea`) and
    ``_use(data, source) -> bool`` (take the data if the topic module accepts it, redraw,
    and say whether it did), and that names its readers: ``_read_sample()``,
    ``_read_path(path)`` and ``_read_file(content, filename)``. A file that cannot be
    read leaves the current list and explains why.
    """

    message: MessageArea
    sample_label: str = ""
    _read_sample: Callable[[], Any]
    _read_path: Callable[[str | Path], Any]
    _read_file: Callable[[bytes, str], Any]
    _use: Callable[[Any, str], bool]

    def open_with(self, path: str | Path | None) -> None:
        """Show the sample quietly, then the list at ``path`` if one is given."""
        self.load_sample(quiet=True)
        if path is not None:
            self.load_path(path)

    def load_sample(self, quiet: bool = False) -> None:
        data = attempt(self.message, self._read_sample)
        if data is not None and self._use(data, self.sample_label) and not quiet:
            self.message.show_info("已恢复样本公司的客户名单。")

    def load_path(self, path: str | Path) -> None:
        data = attempt(self.message, lambda: self._read_path(path))
        if data is not None and self._use(data, f"文件“{Path(path).name}”"):
            self.message.show_info(f"已读入“{Path(path).name}”：{len(data)} 位客户。")

    def load_file(self, content: bytes, filename: str) -> None:
        """Use an uploaded file; a wrong file leaves the current list and explains why."""
        data = attempt(self.message, lambda: self._read_file(content, filename))
        if data is not None and self._use(data, f"上传的文件“{filename}”"):
            self.message.show_info(f"已读入“{filename}”：{len(data)} 位客户。")


def data_uri(data: bytes, mime: str) -> str:
    """``data:`` URI carrying ``data`` base64-encoded."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def download_anchor(data: bytes, filename: str, label: str, mime: str) -> str:
    """HTML link that saves ``data`` as ``filename`` when clicked."""
    return (
        f'<a class="kc-download" href="{data_uri(data, mime)}" download="{html.escape(filename)}" '
        f'style="margin-right:1.5em;text-decoration:underline;">{html.escape(label)}</a>'
    )


class DownloadLinks(widgets.HTML):
    """CSV and Excel download links for one table, refreshed with :meth:`update`."""

    def __init__(self, stem: str, *css_classes: str) -> None:
        super().__init__(value="")
        self.stem = stem
        self.add_class("kc-downloads")
        for css_class in css_classes:
            self.add_class(css_class)

    def update(self, rows: Sequence[Mapping], columns: Sequence) -> None:
        from kamcourse.tables import to_csv_bytes, to_xlsx_bytes

        self.value = "下载明细：" + download_anchor(
            to_csv_bytes(rows, columns), f"{self.stem}.csv", "CSV", CSV_MIME
        ) + download_anchor(to_xlsx_bytes(rows, columns), f"{self.stem}.xlsx", "Excel (xlsx)", XLSX_MIME)


def text_input(description: str, value: str = "", css_class: str | None = None, width: str = "24em") -> widgets.Text:
    """A text box that reports its value when the trainee presses Enter or leaves it.

    Numbers are typed as text on purpose: the topic module parses them and explains a
    wrong entry in Chinese, where a number box would silently drop it.
    """
    box = widgets.Text(
        value=str(value), description=description, continuous_update=False, style=LABEL_STYLE,
        layout=widgets.Layout(width=width),
    )
    if css_class:
        box.add_class(css_class)
    return box


@dataclass(frozen=True)
class EditorColumn:
    """One column of a :class:`RowEditor`: a text box, or a drop-down when ``options`` is set."""

    key: str
    label: str
    width: str = "9em"
    options: tuple[str, ...] | None = None


class RowEditor(widgets.VBox):
    """An editable table: one row of cells per record, a 删除 button per row, a 添加 button.

    ``rows()`` returns the records as dicts of the strings shown; ``on_change`` is called
    (with no arguments) after any edit, addition or removal. ``new_row(rows)`` proposes
    the record that the 添加 button appends.
    """

    def __init__(
        self,
        columns: Sequence[EditorColumn],
        rows: Iterable[Mapping],
        on_change: Callable[[], None],
        new_row: Callable[[list[dict[str, str]]], Mapping],
        add_label: str = "添加一行",
        css_class: str | None = None,
    ) -> None:
        self.columns = tuple(columns)
        self._on_change = on_change
        self._new_row = new_row
        self._options = {c.key: c.options for c in self.columns if c.options is not None}
        self._hold = False
        self._row_boxes: list[widgets.HBox] = []
        # Every row's cells share one layout per column and one style per kind of widget:
        # each Layout and Style is a widget model of its own that the page must fetch and
        # build, and a long table would otherwise bring three per cell.
        self._cell_layouts = {c.key: widgets.Layout(width=c.width) for c in self.columns}
        self._row_layout = widgets.Layout()
        self._remove_layout = widgets.Layout(width="6em")
        self._text_style = widgets.widget_string.TextStyle()
        self._dropdown_style = widgets.widget_description.DescriptionStyle()
        self._button_style = widgets.ButtonStyle()
        header = widgets.HBox(
            [widgets.HTML(f"<b>{html.escape(c.label)}</b>", layout=widgets.Layout(width=c.width)) for c in self.columns]
        )
        self.add_button = widgets.Button(
            description=add_label, icon="plus", layout=widgets.Layout(width="auto", align_self="flex-start")
        )
        self.add_button.add_class("kc-row-add")
        self.add_button.on_click(lambda _b: self.add_row())
        self._body = widgets.VBox()
        super().__init__([header, self._body, self.add_button])
        self.add_class("kc-row-editor")
        if css_class:
            self.add_class(css_class)
        self.set_rows(rows, notify=False)

    # -- reading -------------------------------------------------------------------
    def rows(self) -> list[dict[str, str]]:
        return [
            {c.key: ("" if cell.value is None else str(cell.value)) for c, cell in zip(self.columns, box.children)}
            for box in self._row_boxes
        ]

    def cell(self, row: int, key: str) -> widgets.ValueWidget:
        """The input widget at ``row`` (0-based) and column ``key``."""
        index = [c.key for c in self.columns].index(key)
        return self._row_boxes[row].children[index]

    def remove_button(self, row: int) -> widgets.Button:
        return self._row_boxes[row].children[-1]

    @property
    def row_count(self) -> int:
        return len(self._row_boxes)

    # -- changing ------------------------------------------------------------------
    def set_rows(self, rows: Iterable[Mapping], notify: bool = True) -> None:
        old = self._row_boxes
        self._row_boxes = [self._make_row(row) for row in rows]
        self._name_cells()
        self._body.children = tuple(self._row_boxes)
        for box in old:
            self._close_row(box)
        if notify:
            self._changed()

    def add_row(self, row: Mapping | None = None) -> None:
        record = dict(row) if row is not None else dict(self._new_row(self.rows()))
        self._row_boxes.append(self._make_row(record))
        self._name_cells()
        self._body.children = tuple(self._row_boxes)
        self._changed()

    def remove_row(self, index: int) -> None:
        box = self._row_boxes.pop(index)
        self._name_cells()
        self._body.children = tuple(self._row_boxes)
        self._close_row(box)
        self._changed()

    def _name_cells(self) -> None:
        """Give every cell and 删除 button an accessible name: the column and the row
        ("阶段（第 3 行）"), which a screen reader says where a sighted trainee sees the
        column heading (ipywidgets puts ``tooltip`` in the control's ``title``)."""
        for number, box in enumerate(self._row_boxes, start=1):
            for column, cell in zip(self.columns, box.children):
                cell.tooltip = f"{column.label}（第 {number} 行）"
            box.children[-1].tooltip = f"删除第 {number} 行"

    @staticmethod
    def _close_row(box: widgets.HBox) -> None:
        for child in box.children:
            child.close()
        box.close()

    def set_options(self, key: str, options: Sequence[str]) -> None:
        """New choices for a drop-down column. A row whose value is no longer a choice
        keeps it (as an extra choice), so the calculation can point out the mismatch."""
        self._options[key] = tuple(options)
        self._hold = True
        try:
            for i in range(len(self._row_boxes)):
                dropdown = self.cell(i, key)
                current = dropdown.value
                dropdown.options = self._choices(key, current)
                dropdown.value = current
        finally:
            self._hold = False

    # -- internals -----------------------------------------------------------------
    def _choices(self, key: str, current: str | None) -> tuple[str, ...]:
        choices = tuple(self._options[key] or ())
        if current and current not in choices:
            choices = (*choices, current)
        return choices

    def _make_row(self, row: Mapping) -> widgets.HBox:
        cells: list[widgets.Widget] = []
        for column in self.columns:
            raw = row.get(column.key, "")
            value = "" if raw is None else str(raw)
            layout = self._cell_layouts[column.key]
            if column.key in self._options:
                choices = self._choices(column.key, value)
                cell = widgets.Dropdown(options=choices, value=value if value in choices else None, layout=layout,
                                        style=self._dropdown_style)
            else:
                cell = widgets.Text(value=value, continuous_update=False, layout=layout, style=self._text_style)
            cell.add_class(f"kc-cell-{column.key}")
            cell.observe(lambda _change: self._changed(), names="value")
            cells.append(cell)
        remove = widgets.Button(description="删除", icon="trash", layout=self._remove_layout, style=self._button_style)
        remove.add_class("kc-row-remove")
        box = widgets.HBox([*cells, remove], layout=self._row_layout)
        box.add_class("kc-row")
        remove.on_click(lambda _b: self.remove_row(self._row_boxes.index(box)))
        return box

    def _changed(self) -> None:
        if not self._hold:
            self._on_change()


def upload_to_editor(
    editor: RowEditor,
    message: MessageArea,
    load: Callable[[], Sequence | Mapping],
    to_rows: Callable[[Any], Iterable[Mapping]],
    filename: str,
    what: str,
) -> None:
    """Replace ``editor``'s rows with the records ``load()`` reads from an uploaded file.

    A file that cannot be read leaves the rows as they were (``message`` explains why);
    otherwise "已读入“filename”：N what。" is shown unless the new rows do not calculate.
    """
    records = attempt(message, load)
    if records is None:
        return
    editor.set_rows(to_rows(records))
    if message.kind != "error":
        message.show_info(f"已读入“{filename}”：{len(records)} {what}。")


def inputs_beside_outputs(
    inputs: Sequence[widgets.Widget], outputs: Sequence[widgets.Widget], inputs_width: str
) -> widgets.HBox:
    """A calculator's layout: the inputs column (at least ``inputs_width`` wide) beside the
    results column; the results move below the inputs on a narrow screen."""
    left = widgets.VBox(list(inputs), layout=widgets.Layout(min_width=inputs_width, flex=f"1 1 {inputs_width}"))
    right = widgets.VBox(list(outputs), layout=widgets.Layout(flex="2 1 36em"))
    return widgets.HBox([left, right], layout=widgets.Layout(flex_flow="row wrap", grid_gap="1.5em"))


_MOVED_TO_CHARTS = frozenset({"chart_image", "new_figure", "figure_png"})


def __getattr__(name: str) -> Any:
    """The figure helpers moved to :mod:`kamcourse.charts`; resolve them lazily here."""
    if name in _MOVED_TO_CHARTS:
        from kamcourse import charts

        return getattr(charts, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
