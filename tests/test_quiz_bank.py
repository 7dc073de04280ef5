"""The item bank: valid, faithful to the seed's exam, one quiz per module; public in the
repository once migrated, the keys in the instructor kit."""

from __future__ import annotations

import copy

import pytest
import yaml

from conftest import ROOT
from kamcourse.quiz.bank import SECRET_ITEM_FIELDS, BankError, load_all, load_quiz, merge, parse_quiz, schema_path, split
from kamcourse.quiz.kit import KitError, load_graded, migrated
from test_quiz_support import DUEL, DUEL_SECRETS, full_quiz

BANK = ROOT / "quizzes" / "bank"
SCHEMA = str(schema_path(BANK))
MODULE_QUIZZES = {"m1": "m1_mindset", "m2": "m2_needs", "m3": "m3_ffab", "m4": "m4_spin", "m5": "m5_stages", "m6": "m6_crm"}


def test_every_quiz_loads_and_validates():
    quizzes = {q.id: q for q in load_all(BANK)}
    assert set(quizzes) >= {"exam", *MODULE_QUIZZES.values()}
    for quiz in quizzes.values():
        for item in quiz.items:
            assert item.stem and item.points > 0


@pytest.mark.skipif(not migrated(ROOT / "quizzes"), reason="enforced once quizzes/kit/manifest.json exists (migration)")
def test_the_repository_bank_holds_no_key_explanation_or_rubric():
    for file in sorted(BANK.glob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        for raw in data["items"]:
            assert not set(raw) & set(SECRET_ITEM_FIELDS), (file.name, raw["id"])


def test_split_and_merge_are_inverse():
    full = full_quiz(DUEL, DUEL_SECRETS)
    public, secrets = split(full)
    assert merge(public, secrets) == full
    assert all(not set(raw) & set(SECRET_ITEM_FIELDS) for raw in public["items"])
    with pytest.raises(BankError, match="缺少 key"):
        parse_quiz(merge(public, {**secrets, "q1": {"explanation": "只有解析"}}), "duel.yaml", SCHEMA, require_secrets=True)
    assert not parse_quiz(public, "duel.yaml", SCHEMA).has_secrets


@pytest.fixture(scope="module")
def kit_quizzes():
    """The real quizzes with their keys: from the kit (KAMCOURSE_KIT or the passphrase), or
    from the repository's own bank until it is migrated. Without either, key tests skip."""
    try:
        return {quiz_id: load_graded(ROOT / "quizzes", quiz_id) for quiz_id in ["exam", *MODULE_QUIZZES.values()]}
    except KitError as exc:
        pytest.skip(f"needs the instructor kit: {exc}")


def test_every_quiz_has_its_keys_and_explanations_in_the_kit(kit_quizzes):
    for quiz in kit_quizzes.values():
        assert quiz.has_secrets
        for item in quiz.items:
            assert item.explanation and item.source and item.source.kind in {"seed", "rebuilt", "written"}


@pytest.mark.parametrize("module, quiz_id", sorted(MODULE_QUIZZES.items()))
def test_one_quiz_per_module_with_at_least_six_items(module, quiz_id):
    quiz = load_quiz(quiz_id, BANK)
    assert quiz.module == module
    assert len(quiz.items) >= 6


def test_the_bank_uses_every_item_type():
    kinds = {item.type for quiz in load_all(BANK) for item in quiz.items}
    assert kinds == {"single", "multiple", "ordering", "matching", "true_false", "numeric", "essay"}


# ---------------------------------------------------------------- the exam of course-outline.md


@pytest.fixture(scope="module")
def exam(kit_quizzes):
    return kit_quizzes["exam"]


def _by_stem(exam, words: str):
    hits = [item for item in exam.items if words in item.stem]
    assert len(hits) == 1, words
    return hits[0]


@pytest.mark.parametrize("stem, options, key", [
    ("企业为获得客户忠诚而付出的成本", ["沟通费用", "行政费用", "维持费用", "管理费用"], "ABC"),
    ("客户的数据类型包括", ["描述性数据", "交易性数据", "合作性数据", "促销型数据"], "ABD"),
    ("卡诺", ["迷人质量", "当然质量", "必然质量", "期望质量"], "ABD"),
    ("关系营销中的关系类别", ["基本关系", "可靠关系", "伙伴关系", "被动关系"], "ABC"),
])
def test_seed_multiple_choice_items_keep_options_and_keys(exam, stem, options, key):
    item = _by_stem(exam, stem)
    assert item.type == "multiple" and list(item.options) == options and item.key == key
    assert item.source.kind == "seed"


def test_item_3_is_rebuilt_from_the_seeds_contact_measures_and_says_so(exam):
    item = _by_stem(exam, "主动接触方式")
    assert item.key == "ABCD" and len(item.options) == 4
    assert item.source.kind == "rebuilt" and "重建" in item.explanation
    assert any("回访" in o for o in item.options) and any("满意度调查" in o for o in item.options)


def test_crm_process_is_an_ordering_item_with_the_seed_key(exam):
    item = _by_stem(exam, "客户关系管理的流程")
    assert item.type == "ordering" and item.key == "BADC"
    assert list(item.options) == ["客户价值衡量", "信息管理", "实施管理阶段", "活动管理"]


def test_item_6_explains_the_kotler_conflict(exam):
    text = _by_stem(exam, "关系营销中的关系类别").explanation
    assert "科特勒" in text and "Kotler" in text and "被动" in text and "五" in text


def test_switching_costs_are_a_matching_item_into_three_kinds(exam):
    item = _by_stem(exam, "转换成本")
    assert item.type == "matching"
    assert list(item.options) == ["程序转换成本", "财政转换成本", "情感转换成本"]
    assert len(item.prompts) == 8
    kinds = {prompt: item.options[ord(letter) - 65] for prompt, letter in zip(item.prompts, item.key)}
    assert {p for p, k in kinds.items() if k == "程序转换成本"} == {"经济风险成本", "评估成本", "学习成本", "组织调整成本"}
    assert {p for p, k in kinds.items() if k == "财政转换成本"} == {"利益损失成本", "金钱损失成本"}
    assert {p for p, k in kinds.items() if k == "情感转换成本"} == {"个人关系损失成本", "品牌关系损失成本"}


def test_crm_classification_and_project_team(exam):
    types = _by_stem(exam, "按系统功能分类")
    assert types.options[ord(types.key) - 65] == "运营型、分析型、协作型"
    team = _by_stem(exam, "项目组织")
    assert [team.options[ord(k) - 65] for k in team.key] == ["项目经理", "业务顾问", "产品顾问", "技术顾问"]


def test_the_essay_has_the_seven_conditions_in_its_rubric(exam):
    essay = _by_stem(exam, "成功实施 CRM")
    assert essay.type == "essay" and not essay.auto
    criteria = [line.criterion for line in essay.rubric]
    for condition in ["高层领导的支持", "专注于流程", "技术的灵活运用", "组织良好的团队", "分步实施", "系统的整合", "重视咨询公司的作用"]:
        assert condition in criteria
    assert sum(line.points for line in essay.rubric) == essay.points


def test_dso_is_a_numeric_item_with_the_countback_answer(exam):
    item = _by_stem(exam, "DSO")
    assert item.type == "numeric" and item.number_key == 75.5 and item.unit == "天"
    assert 0 < item.tolerance < 0.5  # 75.0 (28-day February) must not pass
    assert "29" in item.explanation and "闰年" in item.explanation


# ---------------------------------------------------------------- the schema and cross-field rules


def _raw() -> dict:
    return full_quiz(DUEL, DUEL_SECRETS)


@pytest.mark.parametrize("mutate, words", [
    (lambda d: d["items"][1].update(key="ABE"), "选项以外"),
    (lambda d: d["items"][0].update(type="teapot"), "schema"),
    (lambda d: d["items"][3].update(key="BDAA"), "重复"),
    (lambda d: d["items"][3].update(key="BDA"), "恰好包含"),
    (lambda d: d["items"][4].update(key="ABC"), "应有 4 个字母"),
    (lambda d: d["items"][0].update(key="AB"), "只能是一个字母"),
    (lambda d: d["items"][5].pop("tolerance"), "schema"),
    (lambda d: d["items"][6]["rubric"][0].update(points=5), "不符"),
    (lambda d: d["items"][1].update(id="q1"), "重复"),
    (lambda d: d["items"][0].update(source={"kind": "invented", "ref": "x"}), "schema"),
    (lambda d: d["items"][0].update(distractors=["只有一条", "两条"]), "一一对应"),
    (lambda d: d["items"][1].update(pool="p"), "没有在 pools 中声明"),
    (lambda d: (d.update(pools={"p": 2}), d["items"][0].update(pool="p"), d["items"][1].update(pool="p")), "必须相同"),
])
def test_broken_items_are_refused_with_a_chinese_reason(mutate, words):
    data = copy.deepcopy(_raw())
    mutate(data)
    with pytest.raises(BankError) as err:
        parse_quiz(data, "duel.yaml", SCHEMA, require_secrets=True)
    assert words in str(err.value)


def test_a_missing_quiz_is_a_bank_error(tmp_path):
    with pytest.raises(BankError):
        load_quiz("nope", tmp_path)
