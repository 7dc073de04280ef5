"""Uploads and downloads: CSV/XLSX reading, writing, round trips and error messages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamcourse.dso import DSO_COLUMNS
from kamcourse.errors import KamcourseError
from kamcourse.funnel import OPPORTUNITY_COLUMNS, STAGE_COLUMNS
from kamcourse.tables import (
    MAX_BYTES,
    MAX_ROWS,
    Column,
    parse_month_cell,
    parse_number,
    parse_probability,
    read_table,
    to_csv_bytes,
    to_xlsx_bytes,
)

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
SALES_ROWS = [{"月份": "2012-04", "销售额": 600.0}, {"月份": "2012-03", "销售额": 500.0}]


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        pytest.param("月份,销售额\n2012-04,600\n2012-03,500\n".encode(), "a.csv", id="utf8"),
        pytest.param("月份,销售额\r\n2012-04,600\r\n2012-03,500\r\n".encode("utf-8-sig"), "a.CSV", id="utf8-bom"),
        pytest.param("月份,销售额\n2012-04,600\n2012-03,500\n".encode("gbk"), "a.csv", id="gbk"),
        pytest.param("月份\t销售额\n2012-04\t600\n2012-03\t500\n".encode(), "a.csv", id="tab-separated"),
        pytest.param("Month , SALES \n2012/4/1,600\n\n,\n2012年3月, 500 \n".encode(), "a.csv", id="aliases-blank-rows"),
        pytest.param("销售额,备注,月份\n\"600\",x,2012-04\n500.0,,2012-03\n".encode(), "a.csv", id="reordered-extra"),
        pytest.param(xlsx([["月份", "销售额"], ["2012-04", 600], ["2012-03", 500]]), "a.xlsx", id="xlsx"),
        pytest.param(
            xlsx([[], ["月份", "销售额（万元）"], [dt.datetime(2012, 4, 1), "600"], [None, None],
                  [dt.date(2012, 3, 1), 500.0]]),
            "A.XLSX", id="xlsx-dates-units-blank-rows",
        ),
    ],
)
def test_read_sales_table(data, filename):
    assert read_table(data, filename, DSO_COLUMNS) == SALES_ROWS


def test_optional_column_absent_or_blank_gives_none():
    columns = (Column("名称"), Column("备注", required=False))
    assert read_table("名称\n甲\n".encode(), "a.csv", columns) == [{"名称": "甲", "备注": None}]
    assert read_table("名称,备注\n甲,\n".encode(), "a.csv", columns) == [{"名称": "甲", "备注": None}]


def test_probability_column_reads_percent_cells():
    data = xlsx([["阶段", "赢率"], ["谈判", 0.75], ["接触", "10%"]])
    assert read_table(data, "s.xlsx", STAGE_COLUMNS) == [
        {"阶段": "谈判", "赢率": 0.75}, {"阶段": "接触", "赢率": 0.1}
    ]


@pytest.mark.parametrize(
    ("data", "filename", "needle"),
    [
        pytest.param(b"a,b\n", "data.txt", "只接受 .csv 或 .xlsx", id="txt"),
        pytest.param(b"a,b\n", "data.xls", "另存为 .xlsx", id="old-xls"),
        pytest.param(b"a,b\n", "data", "只接受", id="no-extension"),
        pytest.param(b"", "data.csv", "空文件", id="empty-csv"),
        pytest.param(b"", "data.xlsx", "空文件", id="empty-xlsx"),
        pytest.param(b"\n\n ,\n", "data.csv", "没有内容", id="only-blank-lines"),
        pytest.param(PNG, "chart.xlsx", "不是有效的 XLSX", id="png-as-xlsx"),
        pytest.param(PNG, "chart.csv", "不是有效的 CSV", id="png-as-csv"),
        pytest.param(b"PK\x03\x04garbage", "broken.xlsx", "不是有效的 XLSX", id="broken-zip"),
        pytest.param(b"a,b\n\xff\xff\x80\n", "odd.csv", "编码", id="undecodable"),
        pytest.param("客户,金额\n甲,1\n".encode(), "x.csv", "缺少列 “月份”、“销售额”；找到的列标题：“客户”、“金额”", id="missing-columns"),
        pytest.param("月份,销售额,month\n2012-04,1,2012-04\n".encode(), "x.csv", "不止一次", id="duplicate-column"),
        pytest.param(b"x" * (MAX_BYTES + 1), "big.csv", "5 MB", id="too-big"),
        pytest.param(
            ("月份,销售额\n" + "2012-04,1\n" * (MAX_ROWS + 1)).encode(), "long.csv", "10,000 行", id="too-many-rows",
        ),
    ],
)
def test_file_level_errors(data, filename, needle):
    with pytest.raises(KamcourseError) as caught:
        read_table(data, filename, DSO_COLUMNS)
    assert type(caught.value) is KamcourseError
    assert caught.value.field == "上传文件"
    assert needle in caught.value.problem
    if filename and "." in filename:
        assert filename in caught.value.problem


@pytest.mark.parametrize(
    ("text", "columns", "field", "needle"),
    [
        ("月份,销售额\n2012-04,600\n2012-03,abc\n", DSO_COLUMNS, "第 3 行“销售额”", "不是数字"),
        ("月份,销售额\n2012-04,\n", DSO_COLUMNS, "第 2 行“销售额”", "不能为空"),
        ("月份,销售额\n2012-13,5\n", DSO_COLUMNS, "第 2 行“月份”", "不是有效的月份"),
        ("月份,销售额\nApril,5\n", DSO_COLUMNS, "第 2 行“月份”", "不是有效的月份"),
        ("月份,销售额\n2012-02-30,5\n", DSO_COLUMNS, "第 2 行“月份”", "不是有效的月份"),
        ("阶段,赢率\n谈判,75\n", STAGE_COLUMNS, "第 2 行“赢率”", "0.75"),
        ("\n阶段,赢率\n谈判,-0.5\n", STAGE_COLUMNS, "第 3 行“赢率”", "负数"),
        ("机会名称,金额,阶段\n甲,nan,谈判\n", OPPORTUNITY_COLUMNS, "第 2 行“金额”", "不是数字"),
    ],
)
def test_cell_errors_name_row_and_column(text, columns, field, needle):
    with pytest.raises(KamcourseError) as caught:
        read_table(text.encode(), "t.csv", columns)
    assert caught.value.field == field
    assert needle in caught.value.problem


def test_bad_data_type_is_refused():
    with pytest.raises(KamcourseError):
        read_table("月份,销售额", "a.csv", DSO_COLUMNS)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(5, 5.0), (2.5, 2.5), (Decimal("1.25"), 1.25), ("1,500", 1500.0), (" 600 ", 600.0),
     ("１２", 12.0), ("-3", -3.0), ("1e3", 1000.0), (".5", 0.5), ("1，000", 1000.0)],
)
def test_parse_number_accepts(value, expected):
    assert parse_number(value, "金额") == expected


@pytest.mark.parametrize(
    "value", [True, False, None, "", "abc", "nan", "inf", "-Infinity", "1_000", "1.2.3", float("nan"),
              float("inf"), [1], {}, Decimal("Infinity"), 10**400, "0x10"],
)
def test_parse_number_refuses(value):
    with pytest.raises(KamcourseError) as caught:
        parse_number(value, "金额")
    assert caught.value.field == "金额"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("75%", 0.75), (" 5 % ", 0.05), ("0.3", 0.3), (1, 1.0), (0, 0.0)],
)
def test_parse_probability(value, expected):
    assert parse_probability(value, "赢率") == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2012-04", "2012-04"), ("2012/4", "2012-04"), ("2012/4/1", "2012-04"), ("2012-04-30", "2012-04"),
     ("2012年4月", "2012-04"), ("2012.04", "2012-04"), (dt.date(2012, 4, 9), "2012-04"),
     (dt.datetime(2012, 4, 1, 0, 0), "2012-04"), ("2012-04-01 00:00:00", "2012-04")],
)
def test_parse_month_cell(value, expected):
    assert parse_month_cell(value, "月份") == expected


@pytest.mark.parametrize("value", ["April", "2012-13", "2012", "12-04", "2012-02-30", 201204, None, ""])
def test_parse_month_cell_refuses(value):
    with pytest.raises(KamcourseError):
        parse_month_cell(value, "月份")


def test_csv_download_has_bom_and_chinese_header():
    data = to_csv_bytes(SALES_ROWS, DSO_COLUMNS)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[0] == "月份,销售额"


def test_xlsx_download_keeps_formula_like_text_as_text():
    columns = (Column("机会名称"), Column("金额", kind="number"))
    rows = [{"机会名称": "=SUM(A1:A3)", "金额": 1.0}]
    data = to_xlsx_bytes(rows, columns)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].data_type == "s"
    assert read_table(data, "o.xlsx", columns) == rows


# ---------------------------------------------------------------------------
# Round trips

COLUMNS = (
    Column("名称", ("name",), "text"),
    Column("金额", ("amount",), "number"),
    Column("月份", ("month",), "month"),
    Column("赢率", ("probability",), "probability"),
    Column("备注", ("note",), "text", required=False),
)

text = (
    st.text(
        alphabet=st.one_of(
            st.characters(blacklist_categories=("Cc", "Cs")),
            st.sampled_from("华东精密仪器有限公司大客户销售漏斗,\"'=;\t"),
        ),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(bool)
)
rows = st.lists(
    st.fixed_dictionaries(
        {
            "名称": text,
            "金额": st.floats(-1e300, 1e300),  # Excel cannot hold numbers near the float maximum
            "月份": st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(1900, 2100), st.integers(1, 12)),
            "赢率": st.floats(0, 1),
            "备注": st.one_of(st.none(), text),
        }
    ),
    max_size=8,
)


@settings(deadline=None)
@given(rows)
def test_csv_round_trip(generated):
    assert read_table(to_csv_bytes(generated, COLUMNS), "round.csv", COLUMNS) == generated


@pytest.mark.parametrize(
    "name",
    ["=HYPERLINK(\"http://example.com\",\"点我\")", "+86 21 5555", "-10%", "@SUM(A1:A9)", "'=1+1", "''-x"],
)
def test_csv_download_never_holds_a_formula_and_reads_back_the_same(name):
    columns = (Column("名称"), Column("金额", kind="number"))
    data = to_csv_bytes([{"名称": name, "金额": -5.0}], columns)
    cells = next(csv.reader(io.StringIO(data.decode("utf-8-sig").splitlines()[1])))
    assert cells[0] == "'" + name and cells[1] == "-5"  # numbers stay numbers
    assert read_table(data, "a.csv", columns) == [{"名称": name, "金额": -5.0}]


def same_up_to_16_digits(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-15, abs_tol=0.0)
    return a == b


@settings(max_examples=40, deadline=None)
@given(rows)
def test_xlsx_round_trip(generated):
    """XLSX stores numbers with 16 significant digits (openpyxl; Excel shows 15), so numbers
    come back equal to 1e-15 relative; text, months and blanks come back exactly."""
    back = read_table(to_xlsx_bytes(generated, COLUMNS), "round.xlsx", COLUMNS)
    assert len(back) == len(generated)
    for got, want in zip(back, generated):
        assert set(got) == set(want)
        assert all(same_up_to_16_digits(got[k], want[k]) for k in want), (got, want)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200), st.sampled_from(["f.csv", "f.xlsx"]))
def test_arbitrary_bytes_give_only_kamcourse_errors(data, filename):
    try:
        read_table(data, filename, DSO_COLUMNS)
    except KamcourseError as err:
        assert err.field == "上传文件" or err.field.startswith("第 ")
