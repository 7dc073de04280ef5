"""Module 5: relationship stages, the relationship map, its widgets and the m5 self-checks."""

from __future__ import annotations

import json
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from helpers import PNG_MAGIC, csv_bytes, notebook_text, simulate_upload
from kamcourse import relationship as rel
from kamcourse.errors import KamcourseError
from kamcourse.tables import to_xlsx_bytes
from kamcourse.views.relationship import (
    NextActionView,
    relationship_chart,
    relationship_map_view,
)

NOTEBOOK = ROOT / "course" / "05_relationship.ipynb"

pytestmark = pytest.mark.usefixtures("progress_home")


# ---------------------------------------------------------------------------
# the rule

@pytest.mark.parametrize(
    "stage, influence, role, target, gap, priority, move",
    [
        ("认识", 5, "决策人", "信赖", 2, "高", rel.STAGE_MOVES["认识"]),
        ("约会", 5, "决策人", "信赖", 1, "高", rel.STAGE_MOVES["约会"]),
        ("信赖", 5, "决策人", "信赖", 0, "维持", rel.KEEP_MOVE),
        ("同盟", 5, "决策人", "信赖", -1, "维持", rel.STAGE_MOVES["同盟"]),
        ("认识", 4, "财务把关者", "信赖", 2, "高", rel.STAGE_MOVES["认识"]),
        ("认识", 3, "采购", "约会", 1, "中", rel.STAGE_MOVES["认识"]),
        ("约会", 3, "采购", "约会", 0, "维持", rel.KEEP_MOVE),
        ("认识", 2, "使用者", "约会", 1, "中", rel.STAGE_MOVES["认识"]),
        ("认识", 1, "使用者", "认识", 0, "维持", rel.KEEP_MOVE),
        ("信赖", 2, "使用者", "约会", -1, "维持", rel.KEEP_MOVE),
        ("信赖", 3, "向导", "同盟", 1, "中", rel.STAGE_MOVES["信赖"]),
        ("信赖", 4, "向导", "同盟", 1, "高", rel.STAGE_MOVES["信赖"]),
        ("同盟", 1, "向导", "同盟", 0, "维持", rel.STAGE_MOVES["同盟"]),
    ],
)
def test_next_action_table(stage, influence, role, target, gap, priority, move):
    action = rel.next_action(stage, influence, role)
    assert (action.target, action.gap, action.priority, action.move) == (target, gap, priority, move)
    assert action.focus == rel.ROLE_FOCUS[role]
    assert action.move in action.text and action.focus in action.text


@pytest.mark.parametrize(
    "stage, influence, role, field",
    [
        ("朋友", 3, "采购", "关系阶段"),
        ("", 3, "采购", "关系阶段"),
        ("认识", 0, "采购", "影响力"),
        ("认识", 6, "采购", "影响力"),
        ("认识", 2.5, "采购", "影响力"),
        ("认识", "高", "采购", "影响力"),
        ("认识", True, "采购", "影响力"),
        ("认识", 3, "老板", "角色"),
        ("认识", 3, None, "角色"),
    ],
)
def test_next_action_refuses_bad_input_in_chinese(stage, influence, role, field):
    with pytest.raises(KamcourseError) as err:
        rel.next_action(stage, influence, role)
    assert err.value.field == field
    assert str(err.value).startswith(field + "：")


@pytest.mark.parametrize(
    "typed, role", [("决策者", "决策人"), ("内线", "向导"), (" 技术把关 ", "技术把关者"), ("采购人员", "采购"), ("财务把关者", "财务把关者")]
)
def test_role_synonyms(typed, role):
    assert rel.normalize_role(typed) == role


@pytest.mark.parametrize("typed, stage", [("信赖阶段", "信赖"), (" 同 盟 ", "同盟"), ("认识", "认识")])
def test_stage_spellings(typed, stage):
    assert rel.normalize_stage(typed) == stage


@given(
    stage=st.sampled_from(rel.STAGES),
    influence=st.integers(rel.MIN_INFLUENCE, rel.MAX_INFLUENCE),
    role=st.sampled_from(rel.ROLES),
)
def test_rule_properties(stage, influence, role):
    action = rel.next_action(stage, influence, role)
    assert action.gap == rel.stage_rank(action.target) - rel.stage_rank(stage)
    assert (action.priority == "维持") == (action.gap <= 0)
    if action.priority == "高":
        assert influence >= 4
    if role == "向导":
        assert action.target == "同盟"
    # one step at a time: the move is the current stage's move (or keeping the relation)
    assert action.move in (rel.STAGE_MOVES[stage], rel.KEEP_MOVE)
    # more influence never asks for less
    if influence < rel.MAX_INFLUENCE:
        higher = rel.next_action(stage, influence + 1, role)
        assert rel.stage_rank(higher.target) >= rel.stage_rank(action.target)


def test_buyer_process_meets_the_seller_steps_in_order():
    assert tuple(rel.BUYER_TO_SELLER.values()) == rel.SELLER_STEPS
    # the seed's three pairs
    assert (rel.seller_step_for("酝酿"), rel.seller_step_for("设计"), rel.seller_step_for("比较")) == (
        "建立关系", "挖掘需求", "呈现价值"
    )
    with pytest.raises(KamcourseError, match="采购阶段"):
        rel.seller_step_for("付款")


# ---------------------------------------------------------------------------
# contacts and the map

def test_sample_contacts_are_the_key_account():
    contacts = rel.load_sample_contacts()
    assert len(contacts) == 8
    assert {c.role for c in contacts} == set(rel.ROLES)
    assert {c.stage for c in contacts} == set(rel.STAGES)
    assert rel.load_contacts(None) == contacts


def test_relationship_map_orders_by_priority_then_influence():
    rmap = rel.relationship_map(rel.load_sample_contacts())
    order = {"高": 0, "中": 1, "维持": 2}
    keys = [(order[r.action.priority], -r.contact.influence) for r in rmap.rows]
    assert keys == sorted(keys)
    assert [r.contact.name for r in rmap.urgent] == ["王建国", "张伟", "刘芳"]
    assert sum(n for _, n in rmap.stage_counts) == len(rmap.rows)


contact_strategy = st.builds(
    rel.Contact,
    name=st.text(alphabet="赵钱孙李周吴郑王", min_size=1, max_size=3),
    title=st.just(""),
    role=st.sampled_from(rel.ROLES),
    influence=st.integers(1, 5),
    stage=st.sampled_from(rel.STAGES),
)


@settings(max_examples=60)
@given(st.lists(contact_strategy, min_size=1, max_size=25))
def test_chart_points_never_hide_a_contact(contacts):
    rmap = rel.relationship_map(contacts)
    points = rel.chart_points(rmap)
    assert len(points) == len(contacts)
    assert len(set(points)) == len(points)
    for (x, y), row in zip(points, rmap.rows):
        assert y == row.contact.influence
        assert abs(x - rel.stage_rank(row.contact.stage)) <= 0.42 + 1e-9  # stays in its stage column


def test_empty_contact_list_is_refused():
    with pytest.raises(KamcourseError, match="没有联系人"):
        rel.relationship_map([])
    with pytest.raises(KamcourseError, match="没有联系人"):
        rel.parse_contacts([])


def test_read_contacts_csv_with_aliases_and_gbk():
    data = "name,role,influence,stage\n周秘书,内线,3,同盟阶段\n".encode("gbk")
    (contact,) = rel.read_contacts(data, "c.csv")
    assert contact == rel.Contact("周秘书", "", "向导", 3, "同盟")


def test_read_contacts_xlsx():
    rows = [{"姓名": "王总", "职位": "总经理", "角色": "决策人", "影响力": 5, "关系阶段": "约会"}]
    data = to_xlsx_bytes(rows, rel.CONTACT_COLUMNS)
    assert rel.read_contacts(data, "c.xlsx") == (rel.Contact("王总", "总经理", "决策人", 5, "约会"),)


@pytest.mark.parametrize(
    "data, name, expected",
    [
        (csv_bytes("姓名,角色,影响力", "王总,决策人,5"), "c.csv", "缺少列 “关系阶段”"),
        (csv_bytes("姓名,角色,影响力,关系阶段", "王总,决策人,7,约会"), "c.csv", "第 2 行“影响力”"),
        (csv_bytes("姓名,角色,影响力,关系阶段", "王总,决策人,5,约会", "李总,老板,4,认识"), "c.csv", "第 3 行“角色”"),
        (csv_bytes("姓名,角色,影响力,关系阶段", ",决策人,5,约会"), "c.csv", "第 2 行“姓名”"),
        (b"hello", "c.txt", "只接受 .csv 或 .xlsx"),
        (b"\x00\x01", "c.xlsx", "不是有效的 XLSX"),
    ],
)
def test_wrong_contact_files_get_a_chinese_message(data, name, expected):
    with pytest.raises(KamcourseError) as err:
        rel.read_contacts(data, name)
    assert expected in str(err.value)


def test_load_contacts_missing_file(tmp_path):
    with pytest.raises(KamcourseError, match="找不到文件"):
        rel.load_contacts(str(tmp_path / "nope.csv"))


# ---------------------------------------------------------------------------
# widgets

def test_chart_renders_chinese_without_missing_glyphs():
    rmap = rel.relationship_map(rel.load_sample_contacts())
    from kamcourse.views.common import figure_png

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = figure_png(relationship_chart(rmap))
    assert png.startswith(PNG_MAGIC)
    assert not [w for w in caught if "missing from" in str(w.message)]


def test_map_view_opens_on_the_sample():
    view = relationship_map_view()
    assert view.rmap == rel.relationship_map(rel.load_sample_contacts())
    assert bytes(view.chart.value).startswith(PNG_MAGIC)
    assert "王建国" in view.table.value and "优先推进" in view.summary.value
    assert view.message.kind == "info"


def test_map_view_upload_replaces_the_contacts():
    view = relationship_map_view()
    simulate_upload(view.upload, csv_bytes("姓名,职位,角色,影响力,关系阶段", "孙经理,科长,使用者,3,认识"), "我的客户.csv")
    assert [r.contact.name for r in view.rmap.rows] == ["孙经理"]
    assert view.message.kind == "info" and "我的客户.csv" in view.message.text
    assert "孙经理" in view.table.value


@pytest.mark.parametrize(
    "data, name, expected",
    [
        (csv_bytes("customer,amount", "A,1"), "wrong.csv", "缺少列"),
        (b"\x89PNG binary", "photo.png", "只接受 .csv 或 .xlsx"),
        (csv_bytes("姓名,角色,影响力,关系阶段", "王总,决策人,9,约会"), "c.csv", "第 2 行“影响力”"),
    ],
)
def test_map_view_wrong_upload_keeps_the_map(data, name, expected):
    view = relationship_map_view()
    before, table = view.rmap, view.table.value
    simulate_upload(view.upload, data, name)
    assert view.message.kind == "error" and expected in view.message.text
    assert view.rmap is before and view.table.value == table


def test_map_view_reset_restores_the_sample():
    view = relationship_map_view()
    simulate_upload(view.upload, csv_bytes("姓名,角色,影响力,关系阶段", "孙经理,使用者,3,认识"), "a.csv")
    view.reset_button.click()
    assert len(view.rmap.rows) == 8


def test_map_view_from_a_path(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_bytes(csv_bytes("姓名,角色,影响力,关系阶段", "孙经理,使用者,3,认识", "钱总,决策者,5,信赖"))
    view = relationship_map_view(path)
    assert len(view.rmap.rows) == 2 and view.message.kind == "info"
    missing = relationship_map_view(tmp_path / "missing.csv")
    assert missing.message.kind == "error" and "找不到文件" in missing.message.text
    assert len(missing.rmap.rows) == 8  # the sample stays on screen


def test_next_action_view_follows_the_core():
    view = NextActionView()
    assert view.action == rel.next_action("约会", 5, "决策人")
    view.stage.value = "认识"
    view.role.value = "向导"
    view.influence.value = 2
    assert view.action == rel.next_action("认识", 2, "向导")
    assert rel.STAGE_MOVES["认识"] in view.result.value
    assert view.message.kind == ""


# ---------------------------------------------------------------------------
# the module notebook (the m5 exercise data: tests/test_relationship_exercise_data.py)

def test_module_notebook_uses_one_line_widgets_and_the_parameter():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert "relationship_map_view(contacts_csv)" in code
    assert "next_action_view()" in code
    params = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1 and "contacts_csv = None" in "".join(params[0]["source"])


def test_the_notebooks_statements_about_the_sample_hold():
    """05_relationship.ipynb describes the sample account's map."""
    rows = {r.contact.name: r for r in rel.relationship_map(rel.load_sample_contacts()).rows}
    assert rows["王建国"].contact.stage == "约会" and rows["王建国"].action.priority == "高"
    assert {rows["张伟"].contact.stage, rows["刘芳"].contact.stage} == {"认识"}
    assert rows["李志强"].contact.stage == "信赖" and rows["李志强"].action.priority == "维持"
    assert rows["周静"].contact.role == "向导" and rows["周静"].contact.stage == "同盟"
    assert "宁波海瑞的 8 位联系人" in notebook_text(NOTEBOOK)
