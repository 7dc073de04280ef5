"""kamcourse.exercises: every task kind, lenient formats, odd answers, the progress store."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamcourse import exercises as ex

SPEC = """
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


@pytest.fixture(autouse=True)
def fake_course(tmp_path, monkeypatch):
    """A module "mx" with one task of every kind, and a private progress store."""
    folder = tmp_path / "exercises"
    folder.mkdir()
    (folder / "mx.yaml").write_text(SPEC, encoding="utf-8")
    monkeypatch.setattr(ex, "EXERCISE_DIR", folder)
    monkeypatch.setenv(ex.HOME_ENV, str(tmp_path / "home"))
    ex.load_module.cache_clear()
    yield
    ex.load_module.cache_clear()


def verdict(task: str, answer) -> ex.Feedback:
    feedback = ex.check("mx", task, answer)
    assert isinstance(feedback, ex.Feedback)
    return feedback


# ---------------------------------------------------------------- kinds and lenient formats


@pytest.mark.parametrize(
    "task, answers",
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
def test_right_answers_pass_in_any_reasonable_format(task, answers):
    for answer in answers:
        feedback = verdict(task, answer)
        assert feedback.passed, (answer, feedback.message)


@pytest.mark.parametrize(
    "task, answer",
    [
        ("single", "C"),
        ("multi", "AC"),
        ("multi", "ABCD"),
        ("order", "ABCD"),
        ("match", {"甲": "推销", "乙": "推销", "3": "X"}),
        ("numeric", 75.7),
        ("computed", 80),
        ("text", "执着"),
    ],
)
def test_wrong_answers_fail_with_the_hint(task, answer):
    feedback = verdict(task, answer)
    assert not feedback.passed
    assert "提示" in feedback.message or "回顾" in feedback.message or "要点" in feedback.message


@pytest.mark.parametrize(
    "task, answer, words",
    [
        ("single", "AB", "单选"),
        ("single", "E", "只能填写选项字母"),
        ("multi", "AAC", "不要重复"),
        ("order", "BAD", "全部 4 项"),
        ("match", ["甲", "拉销"], "字典"),
        ("match", {"甲": "拉销"}, "没有归类"),
        ("numeric", "七十五", "请填写一个数字"),
        ("function", ["不存在的客户"], "找不到"),
    ],
)
def test_malformed_answers_get_a_format_message(task, answer, words):
    feedback = verdict(task, answer)
    assert not feedback.passed and words in feedback.message


@pytest.mark.parametrize("task", ["single", "multi", "order", "match", "numeric", "text", "function"])
@pytest.mark.parametrize("blank", [None, "", "   ", {}, [], {"甲": "", "乙": None}])
def test_blank_answers_say_not_answered_yet(task, blank):
    feedback = verdict(task, blank)
    assert not feedback.passed and "还没有作答" in feedback.message


class Weird:
    def __str__(self):
        raise RuntimeError("no text for you")

    def __eq__(self, other):
        raise RuntimeError("no comparison either")

    __hash__ = object.__hash__


odd_answers = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.binary(max_size=10),
    st.lists(st.one_of(st.integers(), st.text(max_size=5), st.none()), max_size=5),
    st.dictionaries(st.one_of(st.text(max_size=5), st.integers()), st.one_of(st.text(max_size=5), st.none(), st.integers()), max_size=4),
    st.just(Weird()),
    st.just(object()),
    st.just(print),
    st.just({("tuple", "key"): {"nested": [1, 2]}}),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["single", "multi", "order", "match", "numeric", "computed", "text", "function"]), odd_answers)
def test_odd_answers_never_raise(task, answer):
    feedback = ex.check("mx", task, answer)
    assert isinstance(feedback, ex.Feedback) and isinstance(feedback.message, str) and feedback.message
    assert isinstance(feedback._repr_html_(), str)


def test_unknown_module_or_task_is_explained():
    assert "找不到练习" in ex.check("m99", "t1", "A").message
    assert "找不到练习" in ex.check("mx", "t99", "A").message
    assert "找不到练习" in ex.reveal("m99", "t1").message


def test_feedback_renders_as_html_and_text():
    right, wrong = verdict("single", "B"), verdict("single", "<script>")
    assert "✔" in repr(right) and "✘" in repr(wrong)
    assert "<script>" not in wrong._repr_html_()


def test_reveal_shows_the_key_and_explanation():
    assert ex.reveal("mx", "single").message == "参考答案：B。单选的解释。"
    assert "执着" in ex.reveal("mx", "text").message
    assert "甲 → 拉销" in ex.reveal("mx", "match").message
    assert "73.6" in ex.reveal("mx", "computed").message


# ---------------------------------------------------------------- progress store


def stored() -> dict:
    return json.loads(ex.progress_file().read_text(encoding="utf-8"))


def test_progress_records_attempts_passes_and_reveals():
    verdict("single", "C")
    assert stored()["mx"]["single"] == {**stored()["mx"]["single"], "passed": False, "attempts": 1, "revealed": False}
    verdict("single", "B")
    verdict("single", "C")  # a later wrong answer does not undo the pass
    entry = stored()["mx"]["single"]
    assert entry["passed"] is True and entry["attempts"] == 3
    ex.reveal("mx", "multi")
    assert stored()["mx"]["multi"] == {**stored()["mx"]["multi"], "revealed": True, "attempts": 0, "passed": False}


def test_progress_summary_counts_passed_tasks():
    verdict("single", "B")
    verdict("order", "BADC")
    verdict("multi", "A")
    ex.reveal("mx", "text")
    (row,) = [r for r in ex.progress_summary() if r.module == "mx"]
    assert (row.passed, row.total) == (2, 8)
    assert set(row.passed_tasks) == {"single", "order"}


def test_a_read_only_or_unusable_home_does_not_break_checking(tmp_path, monkeypatch):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(ex.HOME_ENV, str(blocker / "home"))
    assert verdict("single", "B").passed
    assert ex.reveal("mx", "single").message.startswith("参考答案")
    assert ex.load_progress() == {}
    assert [r.passed for r in ex.progress_summary() if r.module == "mx"] == [0]


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe\x00garbage",
        b"[]",
        b'"text"',
        b'{"mx": "oops"}',
        b'{"mx": {"single": "oops"}}',
        b'{"mx": {"single": {"attempts": "many"}}}',
        b'{"mx": {"single": {}}}',
    ],
)
def test_a_corrupt_store_does_not_break_checking(content):
    path = ex.progress_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    assert isinstance(ex.load_progress(), dict)
    assert isinstance(ex.progress_summary(), list)
    assert verdict("single", "B").passed
    assert stored()["mx"]["single"]["passed"] is True
    ex.reveal("mx", "multi")
    assert stored()["mx"]["multi"]["revealed"] is True


def test_every_real_task_file_is_well_formed():
    import yaml

    from kamcourse.paths import DATA_DIR

    files = sorted((DATA_DIR / "exercises").glob("m*.yaml"))
    assert files
    for path in files:
        tasks = yaml.safe_load(path.read_text(encoding="utf-8"))["tasks"]
        ids = [t["id"] for t in tasks]
        assert len(ids) == len(set(ids)), path.name
        for task in tasks:
            assert task["kind"] in {"single", "multi", "order", "match", "numeric", "text", "function"}, task
            assert task.get("title"), task
            assert "answer" in task or "key_from" in task or task["kind"] in {"text", "function"}, task
            if task["kind"] == "function":
                assert callable(ex._resolve(task["checker"])), task
            if "key_from" in task:
                assert ex.task_key(task) is not None, task
