"""Reading scenarios: YAML files checked against ``scenario.schema.json``, then cross-checked.

A scenario is data (``kamcourse/data/roleplay/scenarios/<id>.yaml``); writing one needs no
Python. Every problem is a :class:`~kamcourse.errors.KamcourseError` whose field names the
file and the place in it, e.g. ``场景文件“x.yaml”的字段 nodes.open.options[2].next``.

The schema checks the shape (required fields, allowed labels, 3 to 5 options a node);
this module checks what JSON Schema cannot: that every ``next`` names a node, every
``end`` an ending, every need and objection id exists, that each outcome has exactly one
of ``next``/``end``, and that only compliance traps carry ``law`` (and all of them do).
Whole-graph properties (reachability, endings on every path) are the linter's
(:mod:`kamcourse.roleplay.lint`).
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable

import yaml

from kamcourse.errors import KamcourseError
from kamcourse.paths import DATA_DIR
from kamcourse.roleplay.model import (
    LAW_TITLES,
    PITCH_LABELS,
    Case,
    Condition,
    Customer,
    Effects,
    Ending,
    Need,
    Node,
    Option,
    Outcome,
    Scenario,
    default_act,
)

ROLEPLAY_DIR = DATA_DIR / "roleplay"
SCENARIO_DIR = ROLEPLAY_DIR / "scenarios"
SCHEMA_FILE = ROLEPLAY_DIR / "scenario.schema.json"
#: The order in which the shipped scenarios are offered (the rest follow by file name).
PREFERRED_ORDER: tuple[str, ...] = (
    "haerui_first_article", "xinyuan_defense", "zhaolei_price", "wang_trust", "liufang_receivables",
)


class ScenarioError(KamcourseError):
    """A scenario file that cannot be used, with the file and field named."""


@lru_cache(maxsize=1)
def _validator() -> Callable[[Any], Any]:
    import fastjsonschema

    return fastjsonschema.compile(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def _where(source: str, path: str) -> str:
    place = f"场景文件“{source}”"
    return f"{place}的字段 {path}" if path else place


def _schema_problem(exc: Any) -> tuple[str, str]:
    """(field path, Chinese problem) for a fastjsonschema error."""
    path = ".".join(exc.path[1:]) if exc.path else ""
    path = re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", path)
    rule, definition, message = exc.rule, exc.rule_definition, str(exc.message)
    got = exc.value
    if rule == "required":
        missing = [name for name in definition if not isinstance(got, Mapping) or name not in got]
        return path, "缺少字段 " + "、".join(missing)
    if rule == "additionalProperties":
        match = re.search(r"\{.*\}", message)
        extra = sorted(ast.literal_eval(match.group())) if match else []
        return path, "有未知的字段 " + "、".join(map(str, extra)) + "（检查拼写）"
    if rule == "enum":
        return path, f"只能是 {'、'.join(map(str, definition))} 之一，收到的是“{got}”"
    if rule == "type":
        names = {"string": "文字", "integer": "整数", "object": "键值对（映射）", "array": "列表", "boolean": "是或否（布尔值）"}
        return path, f"应为{names.get(definition, definition)}，收到的是“{got}”"
    if rule == "minItems":
        return path, f"至少要有 {definition} 项，现在只有 {len(got)} 项"
    if rule == "maxItems":
        return path, f"最多 {definition} 项，现在有 {len(got)} 项"
    if rule == "minLength":
        return path, "不能为空"
    if rule in ("minimum", "maximum"):
        bound = "不能小于" if rule == "minimum" else "不能大于"
        return path, f"{bound} {definition}，收到的是 {got}"
    if rule == "pattern":
        return path, f"“{got}”不是合格的编号：只用小写英文字母、数字和下划线，以字母开头"
    if rule == "propertyNames":
        return path, "编号只用小写英文字母、数字和下划线，以字母开头"
    if rule == "anyOf":
        return path, "应为一段文字，或几段文字组成的列表"
    if rule == "minProperties":
        return path, "不能为空"
    return path, message


def _texts(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value.strip(),)
    return tuple(str(v).strip() for v in value)


def _effects(raw: Mapping[str, Any] | None) -> Effects:
    raw = raw or {}
    return Effects(
        trust=int(raw.get("trust", 0)),
        patience=int(raw.get("patience", 0)),
        uncovers=tuple(raw.get("uncovers", ())),
        states=tuple(raw.get("states", ())),
        raises=tuple(raw.get("raises", ())),
        resolves=tuple(raw.get("resolves", ())),
    )


def _condition(raw: Mapping[str, Any]) -> Condition:
    return Condition(
        explicit=tuple(raw.get("explicit", ())),
        implied=tuple(raw.get("implied", ())),
        explicit_any=raw.get("explicit_any"),
        trust_min=raw.get("trust_min"),
        trust_max=raw.get("trust_max"),
        objections=tuple(raw.get("objections", ())),
        no_objections=bool(raw.get("no_objections", False)),
    )


class _Checker:
    """Cross-reference checks of one parsed file; raises the first problem found."""

    def __init__(self, data: Mapping[str, Any], source: str):
        self.data = data
        self.source = source
        self.nodes = set(data["nodes"])
        self.endings = set(data["endings"])
        self.needs = [n["id"] for n in data["needs"]]
        self.objections = set(data["objections"])

    def fail(self, path: str, problem: str) -> None:
        raise ScenarioError(_where(self.source, path), problem)

    def ids(self, path: str, values: Any, known: set[str] | list[str], what: str) -> None:
        for i, value in enumerate(values or ()):
            if value not in known:
                listed = "、".join(sorted(known)) or "（没有定义）"
                self.fail(f"{path}[{i}]", f"没有名为“{value}”的{what}（已定义的有：{listed}）")

    def outcome(self, path: str, raw: Mapping[str, Any]) -> None:
        has_next, has_end = "next" in raw, "end" in raw
        if has_next == has_end:
            self.fail(path, "去向不明：下一个节点和结局，要写一个，也只能写一个")
        if has_next and raw["next"] not in self.nodes:
            self.fail(f"{path}.next", f"没有名为“{raw['next']}”的节点")
        if has_end and raw["end"] not in self.endings:
            self.fail(f"{path}.end", f"没有名为“{raw['end']}”的结局")
        effects = raw.get("effects") or {}
        self.ids(f"{path}.effects.uncovers", effects.get("uncovers"), self.needs, "需求")
        self.ids(f"{path}.effects.states", effects.get("states"), self.needs, "需求")
        self.ids(f"{path}.effects.raises", effects.get("raises"), self.objections, "异议")
        self.ids(f"{path}.effects.resolves", effects.get("resolves"), self.objections, "异议")

    def run(self) -> None:
        data = self.data
        if len(set(self.needs)) != len(self.needs):
            self.fail("needs", "需求编号重复")
        if data["first"] not in self.nodes:
            self.fail("first", f"没有名为“{data['first']}”的节点")
        for node_id, node in data["nodes"].items():
            seen: set[str] = set()
            for i, option in enumerate(node["options"]):
                path = f"nodes.{node_id}.options[{i}]"
                if option["id"] in seen:
                    self.fail(f"{path}.id", f"同一节点里有两个选项都叫“{option['id']}”")
                seen.add(option["id"])
                self.outcome(path, option)
                for j, case in enumerate(option.get("cases", ())):
                    cpath = f"{path}.cases[{j}]"
                    self.outcome(cpath, case)
                    when = case["when"]
                    self.ids(f"{cpath}.when.explicit", when.get("explicit"), self.needs, "需求")
                    self.ids(f"{cpath}.when.implied", when.get("implied"), self.needs, "需求")
                    self.ids(f"{cpath}.when.objections", when.get("objections"), self.objections, "异议")
                label = option["label"]
                if label == "合规陷阱" and "law" not in option:
                    laws = "、".join(f"{law}（{title}）" for law, title in LAW_TITLES.items())
                    self.fail(f"{path}.law", f"合规陷阱必须写明涉及的法律：{laws}")
                if label != "合规陷阱" and "law" in option:
                    self.fail(f"{path}.law", "只有标为“合规陷阱”的选项才写涉及的法律")
                for key in ("answers", "premature_reply"):
                    if key in option and label not in PITCH_LABELS:
                        self.fail(f"{path}.{key}", "只用于介绍产品的选项（特征、功能、优点、利益、推销）")
                if "answers" in option and option["answers"] not in self.needs:
                    self.fail(f"{path}.answers", f"没有名为“{option['answers']}”的需求")


def _outcome(raw: Mapping[str, Any]) -> Outcome:
    return Outcome(_texts(raw["reply"]), _effects(raw.get("effects")), raw.get("next"), raw.get("end"))


def _option(raw: Mapping[str, Any]) -> Option:
    label = raw["label"]
    return Option(
        id=raw["id"],
        label=label,
        text=str(raw["text"]).strip(),
        act=raw.get("act") or default_act(label),
        default=_outcome(raw),
        cases=tuple(Case(_condition(c["when"]), _outcome(c)) for c in raw.get("cases", ())),
        law=raw.get("law"),
        answers=raw.get("answers"),
        premature_reply=_texts(raw.get("premature_reply")),
    )


def parse_scenario(data: Any, source: str) -> Scenario:
    """Check parsed YAML against the schema and the cross-references; build the Scenario.

    >>> parse_scenario({"id": "x"}, "x.yaml")
    Traceback (most recent call last):
    ...
    kamcourse.roleplay.scenario.ScenarioError: 场景文件“x.yaml”：缺少字段 title、summary、module、company、product、customer、goal、briefing、start、needs、objections、order_reaction、off_script、endings、first、nodes
    """
    import fastjsonschema

    try:
        _validator()(data)
    except fastjsonschema.JsonSchemaValueException as exc:
        path, problem = _schema_problem(exc)
        raise ScenarioError(_where(source, path), problem) from None
    _Checker(data, source).run()
    stem = Path(source).stem
    if source.endswith((".yaml", ".yml")) and data["id"] != stem:
        raise ScenarioError(_where(source, "id"), f"编号“{data['id']}”应与文件名“{stem}”一致")
    customer = data["customer"]
    return Scenario(
        id=data["id"],
        title=data["title"].strip(),
        summary=data["summary"].strip(),
        module=int(data["module"]),
        company=data["company"].strip(),
        product=data["product"].strip(),
        customer=Customer(**{k: str(v).strip() for k, v in customer.items()}),
        goal=data["goal"].strip(),
        briefing=data["briefing"].strip(),
        trust=int(data["start"]["trust"]),
        patience=int(data["start"]["patience"]),
        needs=tuple(Need(n["id"], n["implied"].strip(), n["explicit"].strip()) for n in data["needs"]),
        objections=MappingProxyType({k: v.strip() for k, v in data["objections"].items()}),
        order_match=data["order_reaction"]["match"].strip(),
        order_miss=data["order_reaction"]["miss"].strip(),
        off_script=MappingProxyType({k: v.strip() for k, v in data["off_script"].items()}),
        endings=MappingProxyType({
            k: Ending(k, e["kind"], e["title"].strip(), e["explanation"].strip()) for k, e in data["endings"].items()
        }),
        first=data["first"],
        nodes=MappingProxyType({
            node_id: Node(node_id, str(node.get("say", "")).strip(), node["coach"].strip(),
                          tuple(_option(o) for o in node["options"]))
            for node_id, node in data["nodes"].items()
        }),
        source=source,
    )


def read_scenario_text(text: str, source: str) -> Scenario:
    """A scenario from YAML text; ``source`` names it in messages."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark is not None else ""
        raise ScenarioError(_where(source, ""), f"{where}格式有误，无法读取：{getattr(exc, 'problem', exc)}") from None
    return parse_scenario(data, source)


def load_scenario_file(path: str | Path) -> Scenario:
    """A scenario from a YAML file anywhere (for authors: ``kamcourse roleplay check FILE``)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(_where(path.name, ""), f"无法读取：{exc.__class__.__name__}") from None
    return read_scenario_text(text, path.name)


def scenario_files(directory: Path = SCENARIO_DIR) -> list[Path]:
    files = sorted(directory.glob("*.yaml"))
    rank = {name: i for i, name in enumerate(PREFERRED_ORDER)}
    return sorted(files, key=lambda p: (rank.get(p.stem, len(rank)), p.stem))


@lru_cache(maxsize=None)
def load_scenario(scenario_id: str) -> Scenario:
    """A shipped scenario by id.

    >>> load_scenario("haerui_first_article").customer.name
    '张伟'
    >>> load_scenario("nope")
    Traceback (most recent call last):
    ...
    kamcourse.roleplay.scenario.ScenarioError: 场景：没有编号为“nope”的场景
    """
    path = SCENARIO_DIR / f"{scenario_id}.yaml"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", str(scenario_id)) or not path.is_file():
        raise ScenarioError("场景", f"没有编号为“{scenario_id}”的场景")
    return load_scenario_file(path)


def scenario_ids() -> tuple[str, ...]:
    """Ids of the shipped scenarios, in the order they are offered."""
    return tuple(p.stem for p in scenario_files())


def load_scenarios() -> tuple[Scenario, ...]:
    """Every shipped scenario, in the order they are offered."""
    return tuple(load_scenario(i) for i in scenario_ids())
