"""Reading uploaded tables (CSV, XLSX) and writing downloads, shared by all widgets.

Also holds the cell parsers (numbers, months, probabilities) that the calculators use, so
that a value typed into a widget and a value read from a spreadsheet are judged the same
way. Every problem is a :class:`~kamcourse.errors.KamcourseError` in Chinese.

openpyxl is imported only when an XLSX file is read or written, so that dashboards
import fast.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from kamcourse.errors import KamcourseError

Kind = Literal["text", "number", "month", "probability"]

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
UPLOAD_FIELD = "上传文件"

_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_CANONICAL_MONTH_RE = re.compile(r"(\d{4})-(\d{2})")
_LOOSE_MONTH_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:月)?\s*(?:[-/.]?\s*(\d{1,2})\s*日?)?"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
)


@dataclass(frozen=True)
class Column:
    """One column of an uploaded or downloaded table.

    ``name`` is the Chinese header the trainee sees; ``aliases`` are other accepted
    headers (English, variants). Headers match after removing spaces, ignoring case and a
    trailing unit in brackets, so "金额（万元）" matches "金额".

    >>> Column("金额", ("amount",), "number").kind
    'number'
    """

    name: str
    aliases: tuple[str, ...] = ()
    kind: Kind = "text"
    required: bool = True


# ---------------------------------------------------------------------------
# Cell parsers


def parse_number(value: object, field: str) -> float:
    """A finite number from an int, float, Decimal or numeric string.

    Strings may carry thousands separators and spaces ("1,500", " 600 ", full-width
    digits). Booleans, NaN, infinities and text are refused.

    >>> parse_number("1,500", "应收账款")
    1500.0
    >>> parse_number(" 600 ", "销售额")
    600.0
    >>> parse_number(Decimal("2.5"), "金额")
    2.5
    >>> parse_number("abc", "应收账款")
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 应收账款：“abc” 不是数字
    """
    if isinstance(value, bool):
        raise KamcourseError(field, "应填写数字，而不是是/否")
    if isinstance(value, (int, float, Decimal)):
        try:
            number = float(value)
        except (OverflowError, ValueError):
            raise KamcourseError(field, "数字太大，无法计算") from None
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value)
        text = re.sub(r"[\s,]", "", text)
        if not text:
            raise KamcourseError(field, "不能为空，请填写数字")
        if not _NUMBER_RE.fullmatch(text):
            raise KamcourseError(field, f"“{value.strip()}” 不是数字")
        number = float(text)
    elif value is None:
        raise KamcourseError(field, "不能为空，请填写数字")
    else:
        raise KamcourseError(field, "不是数字")
    if math.isnan(number):
        raise KamcourseError(field, "不是数字（NaN）")
    if math.isinf(number):
        raise KamcourseError(field, "数字太大，无法计算")
    return number


def parse_amount(value: object, field: str) -> float:
    """A non-negative finite number (money, sales, receivables).

    >>> parse_amount(0, "应收账款")
    0.0
    >>> parse_amount(-1, "应收账款")
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 应收账款：不能为负数
    """
    number = parse_number(value, field)
    if number < 0:
        raise KamcourseError(field, "不能为负数")
    return number + 0.0  # turn -0.0 into 0.0


def parse_probability(value: object, field: str) -> float:
    """A probability in [0, 1]; "75%" is read as 0.75, but a bare 75 is refused.

    >>> parse_probability("75%", "赢率")
    0.75
    >>> parse_probability(0.9, "赢率")
    0.9
    >>> parse_probability(75, "赢率")
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 赢率：应在 0 到 1 之间；75% 请写成 0.75
    """
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if text.endswith("%"):
            return parse_probability(parse_number(text[:-1], field) / 100, field)
    number = parse_number(value, field)
    if number < 0:
        raise KamcourseError(field, "不能为负数，应在 0 到 1 之间")
    if number > 1:
        hint = f"；{number:g}% 请写成 {number / 100:g}" if number <= 100 else ""
        raise KamcourseError(field, f"应在 0 到 1 之间{hint}")
    return number + 0.0


def month_key(year: int, month: int) -> str:
    """The canonical "YYYY-MM" key.

    >>> month_key(2012, 4)
    '2012-04'
    """
    return f"{year:04d}-{month:02d}"


def parse_month(value: object, field: str = "月份") -> tuple[int, int]:
    """(year, month) from a canonical "YYYY-MM" key, strictly.

    >>> parse_month("2012-04")
    (2012, 4)
    >>> parse_month("2012-13")
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 月份 2012-13：不是有效的月份，请写成 YYYY-MM，例如 2012-04
    """
    text = value.strip() if isinstance(value, str) else None
    label = f"{field} {text}" if text else field
    match = _CANONICAL_MONTH_RE.fullmatch(text) if text else None
    if match is None or not (1 <= int(match[2]) <= 12) or int(match[1]) < 1:
        raise KamcourseError(label, "不是有效的月份，请写成 YYYY-MM，例如 2012-04")
    return int(match[1]), int(match[2])


def parse_month_cell(value: object, field: str) -> str:
    """A "YYYY-MM" key from a spreadsheet cell, accepting what spreadsheets produce.

    Excel turns "2012-04" into a date, and saves dates as "2012/4/1" in CSV, so dates and
    "YYYY/M", "YYYY-MM-DD", "YYYY年M月" are accepted here (the calculators themselves
    insist on "YYYY-MM").

    >>> parse_month_cell("2012/4/1", "月份")
    '2012-04'
    >>> parse_month_cell(_dt.date(2012, 4, 1), "月份")
    '2012-04'
    >>> parse_month_cell("April", "月份")
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 月份：“April” 不是有效的月份，请写成 YYYY-MM，例如 2012-04
    """
    if isinstance(value, (_dt.date, _dt.datetime)):
        return month_key(value.year, value.month)
    text = unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else ""
    match = _LOOSE_MONTH_RE.fullmatch(text)
    if match is not None:
        year, month, day = int(match[1]), int(match[2]), match[3]
        valid = year >= 1 and 1 <= month <= 12
        if valid and day is not None:
            try:
                _dt.date(year, month, int(day))
            except ValueError:
                valid = False
        if valid:
            return month_key(year, month)
    shown = f"“{text}” " if text else ""
    raise KamcourseError(field, f"{shown}不是有效的月份，请写成 YYYY-MM，例如 2012-04")


def parse_text(value: object, field: str) -> str:
    """Text of a cell, stripped; whole-number floats lose their ".0".

    >>> parse_text(12.0, "机会名称")
    '12'
    >>> parse_text("  华东 ", "机会名称")
    '华东'
    """
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, _dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value).strip() if value is not None else ""


def _normalize_header(text: object) -> str:
    header = unicodedata.normalize("NFKC", str(text or "")).strip().casefold()
    header = re.sub(r"\s+", "", header)
    return re.sub(r"\([^()]*\)$", "", header) or header


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def convert_cell(value: object, column: Column, field: str) -> object:
    """Convert one cell according to its column kind; blank gives None or an error.

    >>> convert_cell(" 600 ", Column("销售额", kind="number"), "第 2 行“销售额”")
    600.0
    >>> convert_cell("", Column("备注", required=False), "第 2 行“备注”") is None
    True
    """
    if _is_blank(value):
        if column.required:
            raise KamcourseError(field, "不能为空")
        return None
    if column.kind == "number":
        return parse_number(value, field)
    if column.kind == "month":
        return parse_month_cell(value, field)
    if column.kind == "probability":
        return parse_probability(value, field)
    return parse_text(value, field)


def pick(row: Mapping[str, object], column: Column, field: str | None = None) -> object:
    """The value of ``column`` in a row keyed by its name or any alias (None if absent).

    >>> pick({"Amount": 5}, Column("金额", ("amount",), "number"))
    5
    """
    wanted = {_normalize_header(column.name), *(_normalize_header(a) for a in column.aliases)}
    for key, value in row.items():
        if _normalize_header(key) in wanted:
            return value
    if column.required:
        raise KamcourseError(field or column.name, f"缺少“{column.name}”列")
    return None


# ---------------------------------------------------------------------------
# Reading uploads


def _decode_csv(data: bytes, filename: str) -> str:
    if b"\x00" in data:
        raise KamcourseError(UPLOAD_FIELD, f"“{filename}” 不是有效的 CSV 文本文件")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise KamcourseError(UPLOAD_FIELD, f"“{filename}” 的编码无法识别，请另存为 UTF-8 的 CSV")


def _csv_rows(data: bytes, filename: str) -> list[tuple[int, list[object]]]:
    text = _decode_csv(data, filename)
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first_line:
        for candidate in ("\t", ";", "，"):
            if candidate in first_line:
                delimiter = candidate
                break
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows: list[tuple[int, list[object]]] = []
        for number, row in enumerate(reader, start=1):
            rows.append((number, [csv_text_in(cell) for cell in row]))
            if number > MAX_ROWS + 1:
                break
    except csv.Error:
        raise KamcourseError(UPLOAD_FIELD, f"“{filename}” 不是有效的 CSV 文件") from None
    return rows


def _xlsx_rows(data: bytes, filename: str) -> list[tuple[int, list[object]]]:
    import openpyxl  # imported here so that dashboards start fast

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged or foreign file
        raise KamcourseError(UPLOAD_FIELD, f"“{filename}” 不是有效的 XLSX 文件") from None
    try:
        if not workbook.worksheets:
            raise KamcourseError(UPLOAD_FIELD, f"“{filename}” 里没有工作表")
        rows: list[tuple[int, list[object]]] = []
        for number, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            rows.append((number, list(row)))
            if number > MAX_ROWS + 1:
                break
    except KamcourseError:
        raise
    except Exception:
        raise KamcourseError(UPLOAD_FIELD, f"“{filename}” 不是有效的 XLSX 文件") from None
    finally:
        workbook.close()
    return rows


def _match_headers(header: list[object], columns: Sequence[Column], filename: str) -> dict[str, int]:
    found = [_normalize_header(h) for h in header]
    positions: dict[str, int] = {}
    for column in columns:
        wanted = {_normalize_header(column.name), *(_normalize_header(a) for a in column.aliases)}
        hits = [i for i, h in enumerate(found) if h and h in wanted]
        if len(hits) > 1:
            raise KamcourseError(UPLOAD_FIELD, f"“{filename}” 中“{column.name}”列出现了不止一次")
        if hits:
            positions[column.name] = hits[0]
    missing = [c.name for c in columns if c.required and c.name not in positions]
    if missing:
        shown = "、".join(f"“{str(h).strip()}”" for h in header if not _is_blank(h)) or "（无）"
        need = "、".join(f"“{m}”" for m in missing)
        raise KamcourseError(UPLOAD_FIELD, f"“{filename}” 缺少列 {need}；找到的列标题：{shown}")
    return positions


def read_table(data: bytes, filename: str, columns: Sequence[Column]) -> list[dict[str, object]]:
    """Rows of an uploaded CSV or XLSX file, keyed by the Chinese column names.

    CSV may be UTF-8 (with or without BOM) or GBK/GB18030 (what Chinese Excel saves);
    XLSX is read from its first sheet. The first non-blank row is the header; blank rows
    are skipped; values are converted per column kind. Optional columns missing from the
    file give None.

    >>> cols = (Column("月份", ("month",), "month"), Column("销售额", ("sales",), "number"))
    >>> read_table("月份,销售额\\n2012-04,\\"1,500\\"\\n".encode("gbk"), "a.csv", cols)
    [{'月份': '2012-04', '销售额': 1500.0}]
    >>> read_table(b"month,amount\\n", "a.csv", cols)
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 上传文件：“a.csv” 缺少列 “销售额”；找到的列标题：“month”、“amount”
    """
    if not isinstance(data, (bytes, bytearray)):
        raise KamcourseError(UPLOAD_FIELD, "没有收到文件内容")
    name = str(filename or "").strip() or "（未命名文件）"
    extension = name.rsplit(".", 1)[-1].casefold() if "." in name else ""
    if extension not in ("csv", "xlsx", "xlsm"):
        hint = "，请在 Excel 中另存为 .xlsx 或 .csv" if extension in ("xls", "et", "numbers") else ""
        raise KamcourseError(UPLOAD_FIELD, f"“{name}” 的格式不支持：只接受 .csv 或 .xlsx 文件{hint}")
    if not data:
        raise KamcourseError(UPLOAD_FIELD, f"“{name}” 是空文件")
    if len(data) > MAX_BYTES:
        raise KamcourseError(UPLOAD_FIELD, f"“{name}” 超过 {MAX_BYTES // (1024 * 1024)} MB，请缩小后再上传")
    raw = _csv_rows(bytes(data), name) if extension == "csv" else _xlsx_rows(bytes(data), name)
    raw = [(n, row) for n, row in raw if not all(_is_blank(v) for v in row)]
    if not raw:
        raise KamcourseError(UPLOAD_FIELD, f"“{name}” 里没有内容")
    (_, header), body = raw[0], raw[1:]
    if len(body) > MAX_ROWS:
        raise KamcourseError(UPLOAD_FIELD, f"“{name}” 超过 {MAX_ROWS:,} 行，请拆分后再上传")
    positions = _match_headers(header, columns, name)
    out: list[dict[str, object]] = []
    for number, row in body:
        record: dict[str, object] = {}
        for column in columns:
            index = positions.get(column.name)
            value = row[index] if index is not None and index < len(row) else None
            record[column.name] = convert_cell(value, column, f"第 {number} 行“{column.name}”")
        out.append(record)
    return out


# ---------------------------------------------------------------------------
# Writing downloads


def _cell_out(value: object, column: Column) -> object:
    if value is None:
        return None
    if column.kind in ("number", "probability"):
        number = parse_number(value, column.name)
        return int(number) if number.is_integer() and abs(number) < 1e15 else number
    if column.kind == "month":
        return parse_month_cell(value, column.name)
    return parse_text(value, column.name) if not isinstance(value, str) else value


# A spreadsheet runs a CSV cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _runs_as_formula(text: str) -> bool:
    return text.lstrip("'").startswith(FORMULA_STARTS)


def csv_text_out(text: str) -> str:
    """Text for a CSV cell that Excel or WPS shows as text, never runs: a leading "'".

    >>> csv_text_out("=SUM(A1:A9)")
    "'=SUM(A1:A9)"
    >>> csv_text_out("华东精密")
    '华东精密'
    """
    return "'" + text if _runs_as_formula(text) else text


def csv_text_in(value: str) -> str:
    """The cell text before :func:`csv_text_out` (Excel's own text prefix "'" removed).

    >>> csv_text_in("'=1+1"), csv_text_in("'华东")
    ('=1+1', "'华东")
    """
    return value[1:] if value.startswith("'") and _runs_as_formula(value) else value


def _rows_out(rows: Iterable[Mapping[str, object]], columns: Sequence[Column]) -> list[list[object]]:
    return [[_cell_out(row.get(c.name), c) for c in columns] for row in rows]


def to_csv_bytes(rows: Iterable[Mapping[str, object]], columns: Sequence[Column]) -> bytes:
    """CSV bytes, UTF-8 with BOM so that Excel shows the Chinese; read_table reads it back.

    Text that a spreadsheet would run as a formula gets a leading "'" (:func:`csv_text_out`).

    >>> cols = (Column("月份", ("month",), "month"), Column("销售额", ("sales",), "number"))
    >>> to_csv_bytes([{"月份": "2012-04", "销售额": 600.0}], cols).decode("utf-8-sig")
    '月份,销售额\\r\\n2012-04,600\\r\\n'
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([c.name for c in columns])
    for row in _rows_out(rows, columns):
        writer.writerow(["" if v is None else repr(v) if isinstance(v, float)
                         else csv_text_out(v) if isinstance(v, str) else v for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx_bytes(rows: Iterable[Mapping[str, object]], columns: Sequence[Column]) -> bytes:
    """XLSX bytes with one sheet; probabilities are formatted as percentages.

    Numbers keep 16 significant digits (openpyxl writes "%.16g"; Excel shows 15).

    >>> cols = (Column("阶段",), Column("赢率", kind="probability"))
    >>> data = to_xlsx_bytes([{"阶段": "商务谈判", "赢率": 0.75}], cols)
    >>> read_table(data, "stages.xlsx", cols)
    [{'阶段': '商务谈判', '赢率': 0.75}]
    """
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for index, column in enumerate(columns, start=1):
        sheet.cell(row=1, column=index, value=column.name).font = Font(bold=True)
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = 16
    for r, row in enumerate(_rows_out(rows, columns), start=2):
        for index, (column, value) in enumerate(zip(columns, row), start=1):
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = sheet.cell(row=r, column=index, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text starting with "=" stays text, never a formula
            elif column.kind == "probability":
                cell.number_format = "0.0%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
