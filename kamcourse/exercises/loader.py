"""Reading and validating a module's exercise file.

``kamcourse/data/exercises/mN.yaml`` (package data) holds one module's tasks. The folder
can be replaced with the environment variable ``KAMCOURSE_EXERCISES`` (tests and fixture
notebooks use it). A file is format v2 when it has a top-level ``module:``; otherwise it
is a format-v1 file of the time before issue 8, read for the old ``check()``/``reveal()``
path until every module is migrated.

A v2 file is checked on every load, in this order, and the first problem raises
:class:`ExerciseDataError` naming the file, the task and the field, in Chinese and
English:

1. sealed ``key``/``explanation`` values decode (:mod:`.seal`);
2. the JSON schema ``kamcourse/data/exercises/schema.json`` (types, required fields,
   unknown fields, id patterns) for the file and for each task;
3. cross-field rules: fields that belong to another kind, ``key`` or ``key_from`` (one of
   them), the key against the options / prompts / labels, unique task ids, the module id
   against the file name;
4. references import: ``checker``, ``key_from`` (called, and its result checked like a
   written key) and ``classifier``.

Loaded files are cached by path, modification time and size, so an edited file is read
again without restarting the kernel.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping

import yaml

from kamcourse.errors import KamcourseError
from kamcourse.paths import DATA_DIR
from kamcourse.quiz.answers import clean_letters

from .model import (
    DEFAULT_CLASSIFIER, DEFAULT_MIN_CHARS, DEFAULT_TOLERANCE, V1_KINDS, ExerciseSet, InputField, Task,
)
from .seal import SEALED_FIELDS, SealError, unseal_value

EXERCISES_ENV = "KAMCOURSE_EXERCISES"
EXERCISE_DIR = DATA_DIR / "exercises"
SCHEMA_FILE = EXERCISE_DIR / "schema.json"
MODULE_ID = re.compile(r"^m[a-z0-9]{1,8}$")

_COMMON_FIELDS = {"id", "where", "title", "level", "concept", "kind", "stem", "hint", "key", "key_from", "explanation"}
#: (required, optional) fields of each kind, beyond the common ones.
KIND_FIELDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "single": (frozenset({"options"}), frozenset()),
    "multiple": (frozenset({"options"}), frozenset()),
    "ordering": (frozenset({"options"}), frozenset()),
    "matching": (frozenset({"prompts", "labels"}), frozenset()),
    "numeric": (frozenset(), frozenset({"unit", "tolerance"})),
    "true_false": (frozenset(), frozenset()),
    "written": (frozenset({"rubric"}), frozenset({"min_chars", "classify_as", "classifier"})),
    "function": (frozenset({"fields", "checker"}), frozenset()),
}


class ExerciseDataError(KamcourseError):
    """A problem in an exercise file, for the course's authors (Chinese / English).

    >>> err = ExerciseDataError("m4.yaml", "t3", "key", "答案不是选项字母", "key is not an option letter")
    >>> str(err)
    'm4.yaml · t3 · key：答案不是选项字母 / key is not an option letter'
    """

    def __init__(self, source: str, task_id: str, field: str, chinese: str, english: str) -> None:
        self.source = source
        self.task_id = task_id
        self.field_name = field
        where = " · ".join(part for part in (source, task_id, field) if part)
        super().__init__(where, f"{chinese} / {english}")


# ---------------------------------------------------------------- where the files are


def exercise_dir() -> Path:
    """The folder of the exercise files: ``KAMCOURSE_EXERCISES`` or the package data."""
    configured = os.environ.get(EXERCISES_ENV)
    return Path(configured) if configured else EXERCISE_DIR


def modules(directory: Path | None = None) -> list[str]:
    """Module ids that have an exercise file, sorted (m1, m2, ...)."""
    folder = directory or exercise_dir()
    return sorted(p.stem for p in folder.glob("m*.yaml") if MODULE_ID.match(p.stem))


def module_path(module: str, directory: Path | None = None) -> Path:
    """The file of ``module``; FileNotFoundError for an id that is not a module id."""
    if not isinstance(module, str) or not MODULE_ID.match(module):
        raise FileNotFoundError(f"not a module id: {module!r}")
    return (directory or exercise_dir()) / f"{module}.yaml"


_CACHE: dict[str, tuple[tuple[int, int], ExerciseSet]] = {}


def clear_cache() -> None:
    _CACHE.clear()


def load_exercises(module: str, directory: Path | None = None) -> ExerciseSet:
    """The validated exercise file of ``module`` (FileNotFoundError if it has none)."""
    path = module_path(module, directory)
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _CACHE.get(str(path))
    if cached and cached[0] == stamp:
        return cached[1]
    exercise_set = read_exercise_file(path)
    _CACHE[str(path)] = (stamp, exercise_set)
    return exercise_set


def read_exercise_file(path: Path) -> ExerciseSet:
    """Read and validate one file (no cache)."""
    source = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ExerciseDataError(source, "", "", f"不是有效的 YAML：{exc}", "not valid YAML") from exc
    return parse_exercises(data, source=source, module=path.stem, path=path)


def file_format(data: Any) -> int:
    """2 for a file with a top-level ``module:``, else 1 (the format before issue 8)."""
    return 2 if isinstance(data, Mapping) and "module" in data else 1


def parse_exercises(data: Any, source: str = "<data>", module: str | None = None, path: Path | None = None) -> ExerciseSet:
    """Validate YAML data of one exercise file (either format) into an :class:`ExerciseSet`."""
    if not isinstance(data, Mapping):
        raise ExerciseDataError(source, "", "", "文件内容应是一个映射（mapping）", "the file must hold a mapping")
    if file_format(data) == 1:
        return _parse_v1(data, source, module, path or Path(source))
    return _parse_v2(data, source, module, path or Path(source))


# ---------------------------------------------------------------- format v2


@lru_cache(maxsize=2)
def _validators() -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    import fastjsonschema

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    task_schema = {**schema, "$ref": "#/definitions/task"}
    for name in ("type", "required", "properties", "additionalProperties", "title", "description"):
        task_schema.pop(name, None)
    return fastjsonschema.compile(schema), fastjsonschema.compile(task_schema)


def _schema_check(validate: Callable[[Any], Any], data: Any, source: str, task_id: str) -> None:
    import fastjsonschema

    try:
        validate(data)
    except fastjsonschema.JsonSchemaValueException as exc:
        field, chinese = _explain_schema_error(exc)
        raise ExerciseDataError(source, task_id, field, chinese, exc.message) from None


def _explain_schema_error(exc: Any) -> tuple[str, str]:
    """(field path, Chinese problem) of a fastjsonschema error."""
    field = re.sub(r"^data\.?", "", str(exc.name or ""))
    rule, definition, value = exc.rule, exc.rule_definition, exc.value
    if rule == "required":
        missing = [name for name in definition if not (isinstance(value, Mapping) and name in value)]
        return (".".join(p for p in (field, missing[0] if missing else "") if p),
                "缺少必填字段 " + "、".join(missing))
    if rule == "additionalProperties":
        extra = sorted(set(value) - set(exc.definition.get("properties", {}))) if isinstance(value, Mapping) else []
        return (".".join(p for p in (field, extra[0] if extra else "") if p),
                "未知字段 " + "、".join(extra) + "（拼写错误？）")
    if rule == "enum":
        return field, "只能是 " + "、".join(map(str, definition or [])) + " 之一"
    names = {
        "type": "类型不对，应为 {}", "minLength": "不能为空", "minItems": "至少要有 {} 项", "maxItems": "最多 {} 项",
        "pattern": "格式不对（应符合 {}）", "minimum": "不能小于 {}", "uniqueItems": "有重复的项",
    }
    return field, names.get(rule, "不符合格式要求（{}）").format(definition if rule in names else rule)


def _decoded(raw: Mapping[str, Any], source: str, task_id: str) -> dict[str, Any]:
    task = dict(raw)
    for name in (*SEALED_FIELDS, "answer"):
        if name in task:
            try:
                task[name] = unseal_value(task[name])
            except SealError:
                raise ExerciseDataError(source, task_id, name, "加密的值无法解码（被截断或改动过？请重新写明文后运行 seal）",
                                        "sealed value does not decode; write it plainly and seal again") from None
    return task


def resolve(dotted: str) -> Callable[..., Any]:
    """The callable named ``package.module:function``.

    >>> resolve("kamcourse.pareto:territory_a_share_percent")()
    81.0
    """
    module_name, _, attr = dotted.partition(":")
    target = getattr(importlib.import_module(module_name), attr)
    if not callable(target):
        raise TypeError(f"{dotted} is not callable")
    return target


def _reference(raw: Mapping[str, Any], name: str, source: str, task_id: str, default: str = "") -> str:
    dotted = str(raw.get(name) or default)
    try:
        resolve(dotted)
    except (ImportError, AttributeError, TypeError, ValueError) as exc:
        raise ExerciseDataError(source, task_id, name, f"找不到可调用的 {dotted}", f"cannot import callable {dotted}: {exc}") from None
    return dotted


def _parse_v2(data: Mapping[str, Any], source: str, module: str | None, path: Path) -> ExerciseSet:
    file_validator, task_validator = _validators()
    _schema_check(file_validator, data, source, "")
    if module is not None and data["module"] != module:
        raise ExerciseDataError(source, "", "module", f"module 写的是 {data['module']}，应与文件名 {module} 一致",
                                f"module {data['module']!r} must match the file name {module!r}")
    tasks: list[Task] = []
    for number, raw in enumerate(data["tasks"], start=1):
        task_id = raw.get("id") if isinstance(raw.get("id"), str) else f"第 {number} 题"
        decoded = _decoded(raw, source, task_id)
        _schema_check(task_validator, decoded, source, task_id)
        if any(t.id == task_id for t in tasks):
            raise ExerciseDataError(source, task_id, "id", "题号重复", "duplicate task id")
        tasks.append(_task_v2(decoded, source, str(data["module"])))
    return ExerciseSet(
        module=str(data["module"]), path=path, format=2, tasks=tuple(tasks), notebook=str(data["notebook"]),
        title=str(data["title"]), intro=str(data["intro"]), outro=str(data["outro"]),
    )


def _task_v2(raw: dict[str, Any], source: str, module: str) -> Task:
    task_id, kind = raw["id"], raw["kind"]

    def fail(field: str, chinese: str, english: str) -> ExerciseDataError:
        return ExerciseDataError(source, task_id, field, chinese, english)

    required, optional = KIND_FIELDS[kind]
    for name in sorted(required - set(raw)):
        raise fail(name, f"{kind} 题需要字段 {name}", f"a {kind} task needs {name}")
    for name in sorted(set(raw) - _COMMON_FIELDS - required - optional):
        raise fail(name, f"字段 {name} 不属于 {kind} 题", f"{name} does not apply to a {kind} task")
    if "classifier" in raw and "classify_as" not in raw:
        raise fail("classifier", "写了 classifier 却没有 classify_as", "classifier without classify_as")
    if "key" in raw and "key_from" in raw:
        raise fail("key_from", "key 和 key_from 只能写一个", "give key or key_from, not both")
    if kind != "function" and "key" not in raw and "key_from" not in raw:
        raise fail("key", "缺少答案：写 key，或用 key_from 计算", "missing key (or key_from)")
    fields = tuple(InputField(str(f["name"]), str(f["label"]), bool(f.get("multiline", False)),
                              str(f.get("placeholder", ""))) for f in raw.get("fields", ()))
    if len({f.name for f in fields}) != len(fields):
        raise fail("fields", "输入项的 name 重复", "duplicate field names")
    checker = _reference(raw, "checker", source, task_id) if kind == "function" else ""
    classifier = _reference(raw, "classifier", source, task_id, DEFAULT_CLASSIFIER) if "classify_as" in raw else ""
    if "key_from" in raw:
        dotted = _reference(raw, "key_from", source, task_id)
        try:
            key = resolve(dotted)()
        except Exception as exc:  # noqa: BLE001 - any failure of the author's function is reported the same way
            raise fail("key_from", f"{dotted} 计算答案时出错：{exc!r}", f"{dotted} raised {exc!r}") from None
        field = "key_from"
    else:
        key, field = raw.get("key"), "key"
    task = Task(
        id=task_id, kind=kind, title=str(raw["title"]), stem=str(raw["stem"]),
        options=tuple(map(str, raw.get("options", ()))), prompts=tuple(map(str, raw.get("prompts", ()))),
        labels=tuple(map(str, raw.get("labels", ()))), unit=str(raw.get("unit", "")),
        tolerance=float(raw.get("tolerance", DEFAULT_TOLERANCE)), fields=fields, checker=checker,
        classify_as=str(raw.get("classify_as", "")), classifier=classifier, rubric=tuple(map(str, raw.get("rubric", ()))),
        min_chars=int(raw.get("min_chars", DEFAULT_MIN_CHARS)), hint=str(raw["hint"]), key=None,
        explanation=str(raw["explanation"]), where=str(raw.get("where", "exercises")), level=str(raw["level"]),
        concept=str(raw["concept"]), module=module, format=2, spec=MappingProxyType(dict(raw)),
    )
    try:
        normalised = normalise_key(task, key)
    except ValueError as exc:
        chinese, _, english = str(exc).partition(" / ")
        raise fail(field, chinese, english) from None
    return replace(task, key=normalised)


def normalise_key(task: Task, key: Any) -> Any:
    """The key in the form the checking core compares with; ValueError ("中文 / English").

    >>> normalise_key(Task("t1", "ordering", options=("甲", "乙", "丙")), "c, a, b")
    'CAB'
    >>> normalise_key(Task("t1", "matching", prompts=("x", "y"), labels=("甲", "乙")), ["乙", "甲"])
    ('乙', '甲')
    >>> normalise_key(Task("t1", "single", options=("甲", "乙")), "C")
    Traceback (most recent call last):
    ...
    ValueError: 答案含有选项以外的字母 C（选项为 AB） / key has letters outside the options AB: C
    """
    kind = task.kind
    if kind in ("single", "multiple", "ordering"):
        if isinstance(key, (list, tuple)) and all(isinstance(k, str) for k in key):
            key = "".join(key)
        if not isinstance(key, str):
            raise ValueError("答案应是选项字母，例如 \"B\" / key must be option letters, e.g. \"B\"")
        letters = clean_letters(key)
        allowed = task.letters
        strange = "".join(ch for ch in letters if ch not in allowed)
        if strange or not letters:
            raise ValueError(f"答案含有选项以外的字母 {strange}（选项为 {allowed}） / "
                             f"key has letters outside the options {allowed}: {strange}")
        if len(set(letters)) != len(letters):
            raise ValueError("答案中有重复的字母 / key repeats a letter")
        if kind == "single" and len(letters) != 1:
            raise ValueError("单选题的答案只能是一个字母 / a single-choice key is one letter")
        if kind == "ordering" and sorted(letters) != list(allowed):
            raise ValueError(f"排序题的答案要恰好包含每个选项字母一次（{allowed}） / "
                             f"an ordering key uses every letter once ({allowed})")
        return letters
    if kind == "matching":
        if not isinstance(key, (list, tuple)) or not all(isinstance(k, str) for k in key):
            raise ValueError("归类题的答案是类别列表（按 prompts 的顺序） / a matching key is a list of labels in prompt order")
        if len(key) != len(task.prompts):
            raise ValueError(f"答案有 {len(key)} 项，prompts 有 {len(task.prompts)} 项 / "
                             f"key has {len(key)} labels for {len(task.prompts)} prompts")
        unknown = [k for k in key if k not in task.labels]
        if unknown:
            raise ValueError(f"答案中的“{unknown[0]}”不在 labels 里 / key label {unknown[0]!r} is not in labels")
        return tuple(key)
    if kind == "numeric":
        if isinstance(key, bool) or not isinstance(key, (int, float)) or not math.isfinite(key):
            raise ValueError("数值题的答案应是一个数 / a numeric key is a number")
        return float(key)
    if kind == "true_false":
        if not isinstance(key, bool):
            raise ValueError("判断题的答案是 true 或 false / a true_false key is true or false")
        return key
    if kind == "written":
        if not isinstance(key, str) or not key.strip():
            raise ValueError("写作题的 key 是一段参考答案 / a written key is a model answer")
        return key
    if key is not None and not isinstance(key, (str, int, float, list, tuple)):
        raise ValueError("参考答案应是文字、数字或列表 / a reference answer is text, a number or a list")
    return key


# ---------------------------------------------------------------- format v1


def _parse_v1(data: Mapping[str, Any], source: str, module: str | None, path: Path) -> ExerciseSet:
    tasks_raw = data.get("tasks")
    if not isinstance(tasks_raw, list):
        raise ExerciseDataError(source, "", "tasks", "缺少任务列表 tasks", "missing the tasks list")
    tasks: list[Task] = []
    for number, raw in enumerate(tasks_raw, start=1):
        if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
            raise ExerciseDataError(source, f"第 {number} 题", "id", "每道题都要有 id", "every task needs an id")
        task_id = raw["id"]
        decoded = _decoded(raw, source, task_id)
        if decoded.get("kind") not in V1_KINDS:
            raise ExerciseDataError(source, task_id, "kind", f"未知题型 {decoded.get('kind')}",
                                    f"unknown kind {decoded.get('kind')!r}")
        tasks.append(Task(
            id=task_id, kind=V1_KINDS[decoded["kind"]], title=str(decoded.get("title", task_id)),
            hint=str(decoded.get("hint", "")), explanation=str(decoded.get("explanation", "")),
            options=tuple(map(str, decoded.get("options", ()))), module=module or path.stem, format=1,
            spec=MappingProxyType(decoded),
        ))
    return ExerciseSet(module=module or path.stem, path=path, format=1, tasks=tuple(tasks))
