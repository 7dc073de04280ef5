"""kamcourse.exercises: the loader and its validation, sealing, the checking core of every
kind, the old check()/reveal() path for format-v1 files, and the progress store."""

from __future__ import annotations

import json
import string

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fixtures.exercises.support import FIXTURES, private_exercise_data, shipped_v2_modules
from kamcourse import exercises as ex
from kamcourse.exercises import checking, loader, seal
from kamcourse.exercises.model import KINDS, LETTERS, Task

FIXTURE_TEXT = (FIXTURES / "mx.yaml").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def data(monkeypatch, tmp_path):
    """The fixture module "mx" (every kind, plain keys) and a private progress store."""
    return private_exercise_data(monkeypatch, tmp_path)


def fixture_data() -> dict:
    return yaml.safe_load(FIXTURE_TEXT)


def task(task_id: str) -> Task:
    return ex.load_exercises("mx").task(task_id)


def stored() -> dict:
    return json.loads(ex.progress_file().read_text(encoding="utf-8"))


# ---------------------------------------------------------------- loading


def test_the_fixture_has_every_kind_and_its_keys_are_ready_to_compare():
    exercise_set = ex.load_exercises("mx")
    assert exercise_set.format == 2 and exercise_set.module == "mx"
    assert {t.kind for t in exercise_set.tasks} == set(KINDS)
    assert [t.id for t in exercise_set.exercise_tasks] == [f"t{i}" for i in range(1, 9)]
    assert not task("c1").counted
    assert task("t3").key == "BDAC"
    assert task("t4").key == ("背景问题", "难点问题", "暗示问题")
    assert task("t5").key == 81.0  # computed by key_from
    assert task("t6").key is False
    assert task("t7").classifier == "kamcourse.spin:classify_question"
    assert [f.name for f in task("t8").fields] == ["特征", "功能", "优点", "利益"]


def test_an_edited_file_is_read_again_without_a_restart(data):
    assert task("t1").title == "先问什么"
    path = data / "mx.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("先问什么", "先问哪一个"), encoding="utf-8")
    assert task("t1").title == "先问哪一个"


def _task_of(data: dict, task_id: str) -> dict:
    return next(t for t in data["tasks"] if t["id"] == task_id)


def _set(task_id, field, value):
    def change(data):
        _task_of(data, task_id)[field] = value
    return change


def _drop(task_id, field):
    def change(data):
        del _task_of(data, task_id)[field]
    return change


def _top(field, value):
    def change(data):
        data[field] = value
    return change


BROKEN = [
    # (what is wrong, change, task, field)
    ("single key outside the options", _set("t1", "key", "D"), "t1", "key"),
    ("single key of two letters", _set("t1", "key", "AB"), "t1", "key"),
    ("multiple key repeats a letter", _set("t2", "key", "AAB"), "t2", "key"),
    ("ordering key misses a letter", _set("t3", "key", "BDA"), "t3", "key"),
    ("matching key with an unknown label", _set("t4", "key", ["背景问题", "难点问题", "后果问题"]), "t4", "key"),
    ("matching key of the wrong length", _set("t4", "key", ["背景问题"]), "t4", "key"),
    ("matching key as letters", _set("t4", "key", "ABC"), "t4", "key"),
    ("numeric key as text", _set("t6", "key", "false"), "t6", "key"),
    ("key and key_from", _set("t5", "key", 81), "t5", "key_from"),
    ("no key at all", _drop("t1", "key"), "t1", "key"),
    ("key_from that does not exist", _set("t5", "key_from", "kamcourse.pareto:no_such_key"), "t5", "key_from"),
    ("key_from that raises", _set("t5", "key_from", "kamcourse.spin:parse_score"), "t5", "key_from"),
    ("checker that does not exist", _set("t8", "checker", "kamcourse.ffab:nope"), "t8", "checker"),
    ("classifier that does not exist", _set("t7", "classifier", "kamcourse.nowhere:classify"), "t7", "classifier"),
    ("classifier without classify_as",
     lambda d: _task_of(d, "t7").update(classifier="kamcourse.spin:classify_question", classify_as=None) or
     _task_of(d, "t7").pop("classify_as"), "t7", "classifier"),
    ("a field of another kind", _set("t2", "prompts", ["甲", "乙"]), "t2", "prompts"),
    ("a field the kind needs", _drop("t4", "labels"), "t4", "labels"),
    ("a misspelt field", _set("t1", "explaination", "……"), "t1", "explaination"),
    ("an unknown level", _set("t1", "level", "hard"), "t1", "level"),
    ("an unknown kind", _set("t1", "kind", "essay"), "t1", "kind"),
    ("an unknown place", _set("c1", "where", "quiz"), "c1", "where"),
    ("an empty stem", _set("t1", "stem", ""), "t1", "stem"),
    ("no hint", _drop("t3", "hint"), "t3", "hint"),
    ("no explanation", _drop("t3", "explanation"), "t3", "explanation"),
    ("one option", _set("t1", "options", ["只有一个"]), "t1", "options"),
    ("a rubric-less written task", _drop("t7", "rubric"), "t7", "rubric"),
    ("a duplicate task id", _set("t2", "id", "t1"), "t1", "id"),
    ("a sealed value that does not decode", _set("t3", "explanation", "sealed:v1:AAAA"), "t3", "explanation"),
    ("a module id that differs from the file", _top("module", "my"), "", "module"),
    ("no outro", lambda d: d.pop("outro"), "", "outro"),
    ("an absolute notebook path", _top("notebook", "/tmp/x.ipynb"), "", "notebook"),
]


@pytest.mark.parametrize("what, change, task_id, field", BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_file_names_file_task_and_field(what, change, task_id, field):
    data = fixture_data()
    change(data)
    with pytest.raises(ex.ExerciseDataError) as info:
        loader.parse_exercises(data, source="mx.yaml", module="mx")
    err = info.value
    assert (err.source, err.task_id, err.field_name) == ("mx.yaml", task_id, field), str(err)
    chinese, _, english = err.problem.partition(" / ")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese) and english, str(err)
    assert str(err).startswith("mx.yaml")


def test_a_file_that_is_not_yaml_is_named(data):
    (data / "mx.yaml").write_text("module: mx\ntasks: [\n", encoding="utf-8")
    with pytest.raises(ex.ExerciseDataError, match=r"mx\.yaml.*YAML"):
        ex.load_exercises("mx")


@pytest.mark.parametrize("module", ["../mx", "M1", "", "mx/..", None])
def test_only_module_ids_are_looked_up(module):
    with pytest.raises(FileNotFoundError):
        ex.load_exercises(module)


# ---------------------------------------------------------------- sealing


json_values = st.recursive(
    st.one_of(st.text(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False)),
    lambda inner: st.lists(inner, max_size=4),
    max_leaves=8,
)


@given(json_values)
def test_a_sealed_value_decodes_to_itself(value):
    sealed = seal.seal_value(value)
    assert sealed.startswith("sealed:v1:") and seal.unseal_value(sealed) == value
    assert seal.seal_value(sealed) == sealed


yaml_text = st.text(
    alphabet=st.sampled_from(list("甲乙：，。“”'\"#|>-: \n\t{}[]&*!%@`") + list(string.ascii_letters + string.digits)),
    max_size=40,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(yaml_text, st.one_of(yaml_text, st.lists(yaml_text, max_size=3), st.booleans())), min_size=1,
                max_size=3), st.booleans())
def test_seal_then_unseal_keeps_the_data_whatever_the_text(tasks, flow):
    data = {"module": "mx", "tasks": [
        {"id": f"t{i}", "hint": "提示", "explanation": explanation, "key": key} for i, (explanation, key) in enumerate(tasks)
    ]}
    text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=flow, sort_keys=False)
    sealed = seal.seal_text(text)
    assert seal.plain_values(sealed) == []
    assert seal.seal_text(sealed) == sealed  # idempotent
    decoded = yaml.safe_load(sealed)
    for task_data in decoded["tasks"]:
        task_data["explanation"] = seal.unseal_value(task_data["explanation"])
        task_data["key"] = seal.unseal_value(task_data["key"])
        assert task_data["hint"] == "提示"
    assert decoded == data
    assert yaml.safe_load(seal.unseal_text(sealed)) == data


def test_sealing_the_fixture_hides_keys_and_explanations_and_changes_nothing_else(data):
    sealed = seal.seal_text(FIXTURE_TEXT)
    assert seal.plain_values(FIXTURE_TEXT) and not seal.plain_values(sealed)
    for hidden in ("BDAC", "产线停下来等首件检测结果，每个月会耽误多少订单？", "认识 → 约会 → 信赖 → 同盟"):
        assert hidden in FIXTURE_TEXT and hidden not in sealed
    assert "# Fixture for tests" in sealed and "提示：先了解现状，再谈困难。" in sealed  # comments, hints stay
    (data / "mx.yaml").write_text(sealed, encoding="utf-8")
    assert ex.load_exercises("mx") == loader.parse_exercises(fixture_data(), "mx.yaml", "mx", data / "mx.yaml")
    unsealed = seal.unseal_text(sealed)
    assert yaml.safe_load(unsealed) == fixture_data()
    assert "key: BDAC" in unsealed and "explanation: |" not in unsealed  # one-line values stay on one line


def test_a_multiline_explanation_comes_back_as_a_block():
    text = "tasks:\n  - id: t1\n    explanation: |\n      第一行\n\n      第三行\n    hint: 提示\n"
    assert seal.unseal_text(seal.seal_text(text)) == text


# ---------------------------------------------------------------- checking, kind by kind

RIGHT_AND_LENIENT = [
    ("t1", ["A", "a", " a ", ["A"], "Ａ"]),
    ("t2", ["ABD", "a, b, d", "DBA", ["D", "a", "B"], {"A", "B", "D"}, "A、B 和 D"]),
    ("t3", [["B", "D", "A", "C"], "BDAC", "b-d-a-c", "B→D→A→C", "B > D > A > C"]),
    ("t4", [["背景问题", "难点问题", "暗示问题"], (" 背景问题 ", "难点问题", "暗示问题"), {"1": "背景问题", "2": "难点问题", "3": "暗示问题"},
            {"贵厂现在有几条生产线？": "背景问题", 2: "难点问题", "3": "暗示问题"}]),
    ("t5", ["81", "81%", " 81.0 ", 81, 80.6, "81.4", "８１"]),
    ("t6", [False, "错", "×", "B", "false"]),
    ("t7", [ex.WrittenAnswer("产线停下来等首件检测结果，每个月会耽误多少订单？", (True, True)),
            {"text": "排队等首件检测，会不会影响你们按时给主机厂交货？", "ticks": [True, True]}]),
    ("t8", [{"特征": "图形化编程界面，内置 200 个测量模板", "功能": "点选模板就能生成测量程序",
             "优点": "不用写代码，一天就能上手", "利益": "您的新人不用学复杂的测量编程，老师傅退休也不怕"}]),
]


@pytest.mark.parametrize("task_id, answers", RIGHT_AND_LENIENT)
def test_the_key_passes_in_any_reasonable_form(task_id, answers):
    for answer in answers:
        result = ex.verdict(task(task_id), answer)
        assert result.passed and result.judged, (answer, result)


WRONG = [
    ("t1", "B", "不对。"),
    ("t2", "AB", "还漏了 1 项"),
    ("t2", "ABCD", "有 1 项不该选"),
    ("t3", "BADC", "有 2 个位置放错了"),
    ("t4", ["背景问题", "暗示问题", "暗示问题"], "有 1 项归类不对，例如第 2 项"),
    ("t5", "68", "不对。"),
    ("t6", True, "不对。"),
    ("t7", "如果首件检测 10 分钟以内就能出结果，对您有什么帮助？", "读起来更像需求-效益问题"),
    ("t7", ex.WrittenAnswer("产线停下来等首件检测结果，每个月会耽误多少订单？", (True, False)), "还有 1 条要点没有做到"),
    ("t8", {"特征": "内置 200 个模板", "功能": "点选生成程序", "优点": "一天上手", "利益": "更先进、更高端"}, ""),
]


@pytest.mark.parametrize("task_id, answer, words", WRONG)
def test_a_wrong_answer_is_judged_wrong_and_gets_the_hint(task_id, answer, words):
    result = ex.verdict(task(task_id), answer)
    assert result.status == "wrong" and result.judged and not result.passed
    assert words in result.message
    assert result.hint == task(task_id).hint and result.text.endswith(result.hint)


UNJUDGED = [
    ("t1", "E", "invalid", "出现了选项以外的字符“E”"),
    ("t1", "AB", "invalid", "单选题只能填一个字母"),
    ("t2", "AAB", "invalid", "重复了"),
    ("t3", ["B", "", "A", None], "invalid", "第 2、4 位还没有选"),
    ("t3", ["B", "B", "A", "C"], "invalid", "重复了"),
    ("t3", "BDA", "invalid", "请把全部 4 项排好"),
    ("t4", ["背景问题", "", "暗示问题"], "invalid", "第 2 项还没有选类别"),
    ("t4", ["背景问题", "难点问题", "后果问题"], "invalid", "“后果问题”不是可选的类别"),
    ("t4", {"9": "背景问题"}, "invalid", "不是本题的一项"),
    ("t4", ["背景问题"] * 4, "invalid", "本题只有 3 项"),
    ("t4", "背景问题", "invalid", "请为每一项选一个类别"),
    ("t5", "八十一", "invalid", "不是一个数字"),
    ("t5", "nan", "invalid", "有限的数字"),
    ("t6", "也许", "invalid", "请选“对”或“错”"),
    ("t7", "太短", "invalid", "写得太短：至少写 8 个字（现在 2 个）"),
    ("t7", ex.WrittenAnswer("产线停下来等首件检测结果，每个月会耽误多少订单？"), "self_check", "逐条自查"),
    ("t8", "一句话", "invalid", "请填写题目下方的各项"),
]


@pytest.mark.parametrize("task_id, answer, status, words", UNJUDGED)
def test_an_answer_that_cannot_be_judged_says_what_is_wrong(task_id, answer, status, words):
    result = ex.verdict(task(task_id), answer)
    assert result.status == status and not result.judged and not result.hint
    assert words in result.message, result.message


@pytest.mark.parametrize("task_id", [f"t{i}" for i in range(1, 9)])
@pytest.mark.parametrize("blank", [None, "", "   ", [], {}, ["", None], {"特征": "", "利益": None}, ex.WrittenAnswer("  ")])
def test_a_blank_answer_asks_for_an_answer(task_id, blank):
    result = ex.verdict(task(task_id), blank)
    assert result.status in ("blank", "invalid") and not result.judged
    if result.status == "blank":
        assert result.message.startswith("还没有")


class Weird:
    def __str__(self):
        raise RuntimeError("no text for you")

    def __eq__(self, other):
        raise RuntimeError("no comparison either")

    __hash__ = object.__hash__


odd_answers = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.binary(max_size=10),
    st.lists(st.one_of(st.integers(), st.text(max_size=5), st.none()), max_size=5),
    st.dictionaries(st.one_of(st.text(max_size=5), st.integers()), st.one_of(st.text(max_size=5), st.none(), st.integers()),
                    max_size=4),
    st.builds(ex.WrittenAnswer, st.text(max_size=30), st.one_of(st.none(), st.lists(st.booleans()).map(tuple))),
    st.just(Weird()), st.just(object()), st.just(print), st.just({("tuple", "key"): {"nested": [1, 2]}}),
    st.just([Weird(), "A"]), st.just({"text": Weird()}),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from([f"t{i}" for i in range(1, 9)]), odd_answers)
def test_odd_answers_never_raise(task_id, answer):
    result = ex.verdict(task(task_id), answer)
    assert result.status in checking.STATUSES and isinstance(result.message, str) and result.message


@st.composite
def choice_tasks(draw):
    kind = draw(st.sampled_from(["single", "multiple", "ordering"]))
    count = draw(st.integers(2, len(LETTERS)))
    letters = LETTERS[:count]
    if kind == "single":
        key = draw(st.sampled_from(letters))
    elif kind == "multiple":
        key = "".join(sorted(draw(st.sets(st.sampled_from(letters), min_size=1))))
    else:
        key = "".join(draw(st.permutations(letters)))
    return Task("t", kind, options=tuple(f"选项{i}" for i in range(count)), key=key, hint="提示。")


@given(choice_tasks(), st.data())
def test_the_key_passes_and_any_other_answer_fails(choice, data):
    assert ex.verdict(choice, choice.key).passed
    assert ex.verdict(choice, list(choice.key)).passed
    if choice.kind == "ordering":
        other = "".join(data.draw(st.permutations(choice.letters)))
    elif choice.kind == "multiple":
        other = "".join(sorted(data.draw(st.sets(st.sampled_from(choice.letters), min_size=1))))
    else:
        other = data.draw(st.sampled_from(choice.letters))
    assume(set(other) != set(choice.key) if choice.kind == "multiple" else other != choice.key)
    assert ex.verdict(choice, other).status == "wrong"


@given(st.floats(-1e6, 1e6), st.floats(0, 100), st.floats(-1, 1))
def test_a_number_within_the_tolerance_passes(key, tolerance, share):
    numeric = Task("t", "numeric", key=key, tolerance=tolerance, hint="提示。")
    assert ex.verdict(numeric, key + share * tolerance).passed
    assert ex.verdict(numeric, key + tolerance * 1.01 + 1e-6).status == "wrong"


@given(st.lists(st.sampled_from(["甲", "乙", "丙"]), min_size=1, max_size=6), st.data())
def test_matching_passes_only_the_key(key, data):
    matching = Task("t", "matching", prompts=tuple(f"第{i}句" for i in range(len(key))), labels=("甲", "乙", "丙"),
                    key=tuple(key), hint="提示。")
    assert ex.verdict(matching, list(key)).passed
    other = data.draw(st.lists(st.sampled_from(["甲", "乙", "丙"]), min_size=len(key), max_size=len(key)))
    assert ex.verdict(matching, other).passed == (other == key)


def test_a_broken_checker_or_classifier_is_not_the_trainees_fault(monkeypatch):
    def explode(_answer):
        raise RuntimeError("bug")

    monkeypatch.setattr("kamcourse.ffab.check_statement_task", explode)
    result = ex.verdict(task("t8"), {"特征": "任何内容"})
    assert result.status == "unavailable" and "讲师" in result.message
    monkeypatch.setattr("kamcourse.spin.classify_question", explode)
    result = ex.verdict(task("t7"), "产线停下来等首件检测结果，每个月会耽误多少订单？")
    assert result.status == "unavailable"


@pytest.mark.parametrize(
    "task_id, lines",
    [
        ("t1", ("A．贵厂现在的首件检测是怎么安排的？",)),
        ("t2", ("A．决策人", "B．使用者", "D．技术把关者")),
        ("t3", ("B．背景问题", "D．难点问题", "A．暗示问题", "C．需求-效益问题")),
        ("t4", ("1. 贵厂现在有几条生产线？ → 背景问题", "2. 现在的测量设备，哪些地方让您不太满意？ → 难点问题",
                "3. 检测跟不上，会不会影响你们拿下新项目？ → 暗示问题")),
        ("t5", ("81%",)),
        ("t6", ("错",)),
        ("t7", ("产线停下来等首件检测结果，每个月会耽误多少订单？",)),
        ("t8", ()),
    ],
)
def test_key_lines_show_the_key_in_words(task_id, lines):
    assert ex.key_lines(task(task_id)) == lines


# ---------------------------------------------------------------- check() and reveal()


def test_check_and_reveal_work_for_v2_tasks_and_record_progress():
    assert not ex.check("mx", "t3", "BADC").passed
    feedback = ex.check("mx", "t3", "b d a c")
    assert feedback.passed and "✔" in repr(feedback)
    assert stored()["mx"]["t3"]["attempts"] == 2 and stored()["mx"]["t3"]["hinted"] is True
    shown = ex.reveal("mx", "t4")
    assert shown.message.startswith("参考答案：1. 贵厂现在有几条生产线？ → 背景问题；")
    assert shown.message.endswith(task("t4").explanation)
    assert stored()["mx"]["t4"]["revealed"] is True and stored()["mx"]["t4"]["passed"] is False
    assert ex.check("mx", "t1", "").message.startswith("还没有选择")
    assert "t1" not in stored()["mx"]  # a blank answer is not an attempt


def test_unknown_module_or_task_and_broken_files_are_explained(data):
    assert "找不到练习" in ex.check("m99", "t1", "A").message
    assert "找不到练习" in ex.check("mx", "t99", "A").message
    assert "找不到练习" in ex.reveal("m99", "t1").message
    (data / "mx.yaml").write_text(FIXTURE_TEXT.replace("key: BDAC", "key: BDA"), encoding="utf-8")
    message = ex.check("mx", "t1", "A").message
    assert message.startswith("练习数据有误") and "mx.yaml · t3 · key" in message


def test_feedback_renders_as_html_and_text():
    right, wrong = ex.check("mx", "t1", "A"), ex.check("mx", "t1", "<script>")
    assert "✔" in repr(right) and "✘" in repr(wrong)
    assert "<script>" not in wrong._repr_html_()


V1_SPEC = """
tasks:
  - id: single
    title: 单选
    kind: single
    options: [A, B, C, D]
    answer: B
    hint: 提示：单选的提示。
    explanation: 单选的解释。
  - id: multi
    title: 多选
    kind: multi
    options: [A, B, C, D]
    answer: ACD
    hint: 提示：多选的提示。
  - id: order
    title: 排序
    kind: order
    options: [A, B, C, D]
    answer: BADC
    hint: 提示：排序的提示。
  - id: match
    title: 归类
    kind: match
    answer: {甲: 拉销, 乙: 推销, "3": X}
    aliases: {拉: 拉销, push: 推销}
    hint: 提示：归类的提示。
  - id: numeric
    title: 数字
    kind: numeric
    answer: 75.5
    tolerance: 0.1
    hint: 提示：数字的提示。
  - id: computed
    title: 计算出的答案
    kind: numeric
    key_from: kamcourse.pareto:sample_top20_share_percent
    tolerance: 0.5
    hint: 提示：计算的提示。
  - id: text
    title: 文字
    kind: text
    keywords: [执着, 热情, 知识, 能力]
    min_keywords: 3
    hint: 提示：文字的提示。
  - id: function
    title: 函数
    kind: function
    checker: kamcourse.pareto:check_a_class_answer
"""


@pytest.fixture
def v1_module(data):
    (data / "mv.yaml").write_text(V1_SPEC, encoding="utf-8")
    return "mv"


def test_a_v1_file_loads_with_the_v2_kind_names(v1_module):
    exercise_set = ex.load_exercises(v1_module)
    assert exercise_set.format == 1
    assert [t.kind for t in exercise_set.tasks] == [
        "single", "multiple", "ordering", "matching", "numeric", "numeric", "written", "function"]
    assert ex.load_module(v1_module)["match"]["answer"] == {"甲": "拉销", "乙": "推销", "3": "X"}
    assert ex.verdict(exercise_set.task("single"), "B").status == "unavailable"  # widgets need v2


@pytest.mark.parametrize(
    "task_id, answers",
    [
        ("single", ["B", "b", " b ", ["B"], "B。"]),
        ("multi", ["ACD", "a, c, d", "DCA", ["a", "C", "d"], "A、C、D", {"A", "C", "D"}]),
        ("order", ["BADC", "B A D C", "b-a-d-c", "B→A→D→C", ["B", "A", "D", "C"], "B > A > D > C"]),
        ("match", [{"甲": "拉销", "乙": "推销", "3": "x"}, {" 甲 ": "拉", "乙": "PUSH", "3": " X "}]),
        ("numeric", [75.5, "75.5", "75.5天", " 75.50 ", 75.45, "75.6"]),
        ("computed", [73.6, "74", "73.6%"]),
        ("text", ["执着、热情、知识", "要有执着和热情，还要有知识与能力"]),
        ("function", [["海瑞", "新源", "恒达", "金陵", "锦程"]]),
    ],
)
def test_v1_right_answers_still_pass(v1_module, task_id, answers):
    for answer in answers:
        assert ex.check(v1_module, task_id, answer).passed, answer


@pytest.mark.parametrize(
    "task_id, answer, words",
    [
        ("single", "C", "提示"), ("multi", "AC", "提示"), ("order", "ABCD", "提示"), ("numeric", 75.7, "提示"),
        ("single", "AB", "单选"), ("single", "E", "只能填写选项字母"), ("multi", "AAC", "不要重复"),
        ("order", "BAD", "全部 4 项"), ("match", ["甲", "拉销"], "字典"), ("match", {"甲": "拉销"}, "没有归类"),
        ("numeric", "七十五", "请填写一个数字"), ("function", ["不存在的客户"], "找不到"), ("text", "执着", "至少需要 3 个"),
    ],
)
def test_v1_wrong_and_malformed_answers_are_explained(v1_module, task_id, answer, words):
    feedback = ex.check(v1_module, task_id, answer)
    assert not feedback.passed and words in feedback.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["single", "multi", "order", "match", "numeric", "computed", "text", "function"]), odd_answers)
def test_v1_odd_answers_never_raise(task_id, answer):
    (ex.exercise_dir() / "mv.yaml").write_text(V1_SPEC, encoding="utf-8")
    feedback = ex.check("mv", task_id, answer)
    assert isinstance(feedback, ex.Feedback) and feedback.message and isinstance(feedback._repr_html_(), str)


def test_v1_reveal_shows_the_key_and_explanation(v1_module):
    assert ex.reveal(v1_module, "single").message == "参考答案：B。单选的解释。"
    assert "执着" in ex.reveal(v1_module, "text").message
    assert "甲 → 拉销" in ex.reveal(v1_module, "match").message
    assert "73.6" in ex.reveal(v1_module, "computed").message


# ---------------------------------------------------------------- progress store


def test_progress_records_attempts_hints_passes_and_reveals():
    ex.check("mx", "t1", "B")
    entry = stored()["mx"]["t1"]
    assert (entry["passed"], entry["attempts"], entry["revealed"], entry["hinted"]) == (False, 1, False, True)
    ex.check("mx", "t1", "A")
    ex.check("mx", "t1", "B")  # a later wrong answer does not undo the pass
    entry = stored()["mx"]["t1"]
    assert entry["passed"] is True and entry["attempts"] == 3 and entry["passed_at"] >= entry["first_at"]
    ex.check("mx", "t2", "ABD")
    assert stored()["mx"]["t2"]["hinted"] is False
    assert ex.task_progress("mx", "t2").unaided and not ex.task_progress("mx", "t1").unaided


def test_a_revealed_task_counts_only_when_answered_again():
    ex.reveal("mx", "t3")
    assert not ex.task_progress("mx", "t3").passed
    assert ex.progress_summary()[0].passed == 0
    ex.check("mx", "t3", "BDAC")
    progress = ex.task_progress("mx", "t3")
    assert progress.passed and progress.revealed and progress.passed_after_reveal and not progress.unaided
    assert progress.revealed_at <= progress.passed_at
    assert ex.progress_summary()[0].passed_tasks == ("t3",)


def test_a_pass_before_the_reveal_stays_a_pass():
    ex.check("mx", "t1", "A")
    ex.reveal("mx", "t1")
    progress = ex.task_progress("mx", "t1")
    assert progress.passed and progress.revealed and progress.unaided


def test_module_checks_are_recorded_but_not_counted():
    assert ex.check("mx", "c1", "A").passed
    assert stored()["mx"]["c1"]["passed"] is True
    (row,) = ex.progress_summary()
    assert (row.module, row.passed, row.total) == ("mx", 0, 8)
    assert "c1" not in ex.load_module("mx")
    ex.check("mx", "t5", "81")
    assert ex.progress_summary()[0].passed_tasks == ("t5",)


def test_a_store_written_before_the_widgets_reads_the_same():
    path = ex.progress_file()
    path.parent.mkdir(parents=True)
    old = {"mx": {"t1": {"attempts": 2, "passed": True, "revealed": False, "at": "2025-01-02T03:04:05+00:00"},
                  "t2": {"attempts": 0, "passed": False, "revealed": True, "at": "2025-01-02T03:04:05+00:00"}}}
    path.write_text(json.dumps(old), encoding="utf-8")
    assert ex.progress_summary()[0].passed_tasks == ("t1",)
    ex.check("mx", "t2", "ABD")
    entry = stored()["mx"]["t2"]
    assert entry["passed"] is True and entry["revealed"] is True and entry["attempts"] == 1
    assert set(old["mx"]["t1"]) <= set(stored()["mx"]["t1"])  # old fields kept as they were
    assert stored()["mx"]["t1"] == old["mx"]["t1"]


def test_a_read_only_or_unusable_home_does_not_break_checking(tmp_path, monkeypatch):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(ex.HOME_ENV, str(blocker / "home"))
    assert ex.check("mx", "t1", "A").passed
    assert ex.reveal("mx", "t1").message.startswith("参考答案")
    assert ex.load_progress() == {}
    assert [r.passed for r in ex.progress_summary()] == [0]


@pytest.mark.parametrize(
    "content",
    [
        b"{not json", b"\xff\xfe\x00garbage", b"[]", b'"text"', b'{"mx": "oops"}', b'{"mx": {"t1": "oops"}}',
        b'{"mx": {"t1": {"attempts": "many", "passed": "yes", "at": 5}}}', b'{"mx": {"t1": {}}}',
    ],
)
def test_a_damaged_store_does_not_break_checking(content):
    path = ex.progress_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    assert isinstance(ex.load_progress(), dict)
    assert isinstance(ex.progress_summary(), list)
    assert ex.check("mx", "t1", "A").passed
    assert stored()["mx"]["t1"]["passed"] is True and stored()["mx"]["t1"]["attempts"] >= 1
    ex.reveal("mx", "t2")
    assert stored()["mx"]["t2"]["revealed"] is True


def test_no_temporary_files_are_left_behind():
    for _ in range(3):
        ex.check("mx", "t1", "A")
    assert [p.name for p in ex.progress_file().parent.iterdir()] == ["progress.json"]


def test_a_broken_module_file_does_not_hide_the_others(data):
    (data / "mz.yaml").write_text(FIXTURE_TEXT.replace("module: mx", "module: mz").replace("key: BDAC", "key: X"),
                                  encoding="utf-8")
    assert [r.module for r in ex.progress_summary()] == ["mx"]


# ---------------------------------------------------------------- the shipped files


def test_every_shipped_exercise_file_loads(monkeypatch):
    monkeypatch.delenv("KAMCOURSE_EXERCISES")
    names = ex.modules()
    assert names
    for module in names:
        exercise_set = loader.read_exercise_file(loader.EXERCISE_DIR / f"{module}.yaml")
        assert exercise_set.tasks, module


@pytest.mark.parametrize("module", shipped_v2_modules())
def test_shipped_keys_and_explanations_are_sealed(module):
    text = (loader.EXERCISE_DIR / f"{module}.yaml").read_text(encoding="utf-8")
    plain = seal.plain_values(text)
    assert not plain, f"{module}.yaml: run `kamcourse exercises seal {module}`; plain: {plain[:5]}"


@pytest.mark.parametrize("module", shipped_v2_modules())
def test_at_least_half_of_each_modules_exercises_apply_or_transfer(module):
    tasks = loader.read_exercise_file(loader.EXERCISE_DIR / f"{module}.yaml").exercise_tasks
    applied = [t.id for t in tasks if t.level in ("application", "transfer")]
    assert 2 * len(applied) >= len(tasks), f"{module}: {len(applied)} of {len(tasks)} are application or transfer"


def test_the_fixture_itself_is_plain_for_readability_and_the_example_is_sealed():
    from fixtures.exercises.support import EXAMPLE

    assert seal.plain_values(FIXTURE_TEXT)
    assert not seal.plain_values((EXAMPLE / "m4.yaml").read_text(encoding="utf-8"))

