"""The running case agrees everywhere.

Recurring facts are data (``kamcourse/data/case.yaml``, and the contacts in
``kamcourse/data/sample/contacts.csv``); every trainee-facing string (:mod:`kamcourse.texts`)
is checked against them:

- 首件检测 at 宁波海瑞: about half an hour today, the need is under 10 minutes, JM-500 gives the
  result in about 8 minutes. No "半小时内出结果"-style benefit; no other duration next to 首件
  in a running-case paragraph;
- six buying roles wherever roles are listed (技术把关者 and 财务把关者 separate, except where a
  paragraph explains that the 讲义 draws them together);
- each contact with his own title, role and (in a table row) relationship stage;
- module 4's thresholds, orders and priority; module 5's stage order; counted lists such as
  摧龙八式 (eight steps); JM-500's repeatability ±1.5 微米.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from conftest import ROOT
from kamcourse import relationship, spin
from kamcourse.texts import Text, trainee_texts
from kamcourse.textrules import case, case_findings, contacts

FACTS = case()
PEOPLE = contacts(ROOT)
TEXTS = trainee_texts(ROOT)
BY_FILE: dict[str, list[Text]] = defaultdict(list)
for _text in TEXTS:
    BY_FILE[_text.path].append(_text)


@pytest.mark.parametrize("path", sorted(BY_FILE))
def test_the_running_case_agrees(path):
    findings = case_findings(BY_FILE[path], PEOPLE)
    assert not findings, f"{path}: {len(findings)} finding(s)\n" + "\n".join(f"[{f.where}] {f.rule}: {f.message}" for f in findings)


# ---------------------------------------------------------------- the data agrees with the code


def test_contacts_file_holds_the_case_contacts_with_the_six_roles():
    expected = {
        "王建国": ("总经理", "决策人", 5, "约会"), "李志强": ("分管生产副总经理", "使用者", 4, "信赖"),
        "周静": ("总经理秘书", "向导", 3, "同盟"), "张伟": ("质量部经理", "技术把关者", 4, "认识"),
        "刘芳": ("财务总监", "财务把关者", 4, "认识"), "赵磊": ("采购部经理", "采购", 3, "约会"),
        "陈海涛": ("检测车间主任", "使用者", 2, "信赖"), "黄明": ("设备科科长", "技术把关者", 2, "约会"),
    }
    assert {p.name: (p.title, p.role, p.influence, p.stage) for p in PEOPLE} == expected
    assert {p.role for p in PEOPLE} == set(FACTS["roles"])


def test_roles_and_stages_agree_with_the_relationship_module():
    assert tuple(FACTS["roles"]) == relationship.ROLES
    assert tuple(FACTS["stages"]) == relationship.STAGES


@pytest.mark.parametrize("scores, kind", [
    ({"A": 9, "B": 0, "C": 6, "D": 8}, "鹰"),
    ({"A": 8, "B": 0, "C": 6, "D": 8}, "狐"),
    ({"A": 8, "B": 0, "C": 6, "D": 7}, "羊"),
    ({"A": 6, "B": 0, "C": 5, "D": 7}, "倾向鹰"),
    ({"A": 5, "B": 9, "C": 5, "D": 7}, "驴"),
])
def test_the_personality_model_follows_the_case_data(scores, kind):
    result = spin.personality(scores)
    assert result.label == kind
    assert result.order == FACTS["personality"]["orders"][kind]


# ---------------------------------------------------------------- each rule can fail


@pytest.mark.parametrize("text, rule", [
    ("您说产线常停下来等首件结果——用它，半小时内出结果。", "half-hour-benefit"),
    ("宁波海瑞希望把首件检测缩短到半小时。", "half-hour-target"),
    ("宁波海瑞的首件检测要 20 分钟。", "first-article"),
    ("采购中的五种角色：决策人、使用者、技术/财务把关者、采购、向导。", "five-roles"),
    ("采购中的角色：决策人、使用者、技术/财务把关者、采购、向导。", "roles"),
    ("角色：决策人、使用者、技术把关者、采购、向导。", "roles"),
    ("| 李志强 | 采购部经理 | 使用者 |", "contacts"),
    ("质量部经理王建国是技术把关者。", "contacts"),
    ("| 刘芳 | 财务总监 | 财务把关者 | 4 | 同盟 |", "contacts"),
    ("D≥7 为狐。", "personality"),
    ("对鹰要用“问听说”。", "personality"),
    ("判断顺序：鹰 > 羊 > 狐。", "personality"),
    ("认识 → 信赖 → 约会 → 同盟", "stages"),
    ("付遥的“摧龙八式”：发现需求、内部酝酿、采购设计、评估比较、购买承诺、安装实施。", "named-list"),
    ("JM-500 三坐标测量机，重复精度 ±2 微米。", "product"),
    ("四项核心能力：执着、热情、知识、能力。", "four-core-abilities"),
    ("依据《反不正当竞争法》第七条，商业贿赂……", "old-article"),
    ("《反不正当竞争法》第十条关于商业秘密的规定", "trade-secret-article"),
])
def test_a_planted_contradiction_is_found(text, rule):
    found = case_findings([Text("course/x.ipynb", "cell 1", text, "markdown")], PEOPLE)
    assert rule in [f.rule for f in found], found


@pytest.mark.parametrize("text", [
    "宁波海瑞的首件检测今天要等半个小时，客户要求压到 10 分钟以内；JM-500 放在产线旁，约 8 分钟出首件结果。",
    "讲义把技术、财务把关者画在一起；本课程分为六种角色：决策人、使用者、技术把关者、财务把关者、采购、向导。",
    "质量部经理张伟（技术把关者）和财务总监刘芳（财务把关者）还只是“认识”。",
    "A≥9 为鹰，6≤A<9 为倾向鹰，D≥8 为狐，C≥6 为羊；优先顺序：鹰 > 狐 > 羊 > 倾向鹰 > 驴。",
    "鹰用“听问说”，驴和羊用“说问听”，狐用“问听说”。",
    "认识 → 约会 → 信赖 → 同盟",
    "JM-500 三坐标测量机：重复精度 ±1.5 微米，六工位探头自动更换架。",
    "讲义“客户经理的四项核心能力培养”一页的内容已经缺失。",
    "另一位客户常州新源的首件检测要 2 小时。",
])
def test_the_case_as_written_passes(text):
    assert case_findings([Text("course/x.ipynb", "cell 1", text, "markdown")], PEOPLE) == []
