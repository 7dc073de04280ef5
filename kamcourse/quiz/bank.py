"""The item bank: ``quizzes/bank/<quiz>.yaml``, validated against ``schema.json`` on load.

A quiz has a **public** part (what a trainee may see: the quiz's title and description,
each item's id, type, stem, options, prompts, points, unit, tolerance, pool and topic)
and a **secret** part (each item's key, explanation, per-option notes ``distractors``,
essay rubric, and its source). ``quizzes/bank/`` in the repository holds the public part
only; the secret part lives in the instructor kit (:mod:`kamcourse.quiz.kit`). A file
that holds both -- the instructor kit's own files, and the repository's bank until it is
migrated -- is a *full* quiz. :func:`split` and :func:`merge` convert between them.

A full quiz file (see ``schema.json`` for every field)::

    quiz: exam                 # ASCII id = nbgrader assignment = notebook name
    title: 期中考试
    module: null               # or m1..m6
    description: ...           # Chinese introduction
    shuffle: false             # true: options in a per-trainee order (kamcourse.quiz.variants)
    pools: {}                  # e.g. {crm: 2}: each trainee gets 2 of the items with pool: crm
    items:
      - id: q1
        type: multiple         # single | multiple | true_false | ordering | matching | numeric | essay
        stem: ...
        options: [..., ...]    # lettered A, B, C, ... in this order
        key: ABC               # secret: letters; true_false: true/false; numeric: a number
        points: 3
        explanation: ...       # secret: Chinese, shown in the feedback after grading
        distractors: [...]     # secret, optional: why each option is right or wrong ("" = none)
        source: {kind: seed, ref: "seed: 期中考试 7"}   # secret
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping

import yaml

from kamcourse.errors import KamcourseError
from kamcourse.paths import course_root
from kamcourse.quiz.answers import FormatSpec

BANK_ENV = "KAMCOURSE_QUIZ_BANK"
SCHEMA_FILE = "schema.json"
#: Item fields that belong to the instructor kit, never to the repository's bank.
SECRET_ITEM_FIELDS = ("key", "explanation", "distractors", "rubric", "source")


class BankError(KamcourseError):
    """The bank itself is wrong (an instructor's error, explained in Chinese)."""


@dataclass(frozen=True)
class Source:
    kind: str  # seed | rebuilt | written
    ref: str


@dataclass(frozen=True)
class RubricLine:
    criterion: str
    points: float


@dataclass(frozen=True)
class Item:
    """One quiz item. ``key`` is canonical: letters, ``"A"``/``"B"`` for true/false
    (A = 对), the number as text for numeric items, ``""`` for essays and for a public
    item (no secrets loaded: :attr:`has_secrets` is False)."""

    id: str
    type: str
    stem: str
    options: tuple[str, ...]
    prompts: tuple[str, ...]
    key: str
    number_key: float | None
    tolerance: float
    unit: str
    points: float
    explanation: str
    rubric: tuple[RubricLine, ...]
    source: Source | None
    distractors: tuple[str, ...] = ()
    pool: str | None = None
    topic: str = ""
    shuffle: bool = True

    @property
    def has_secrets(self) -> bool:
        return bool(self.explanation) and (self.type == "essay" or bool(self.key))

    @property
    def number(self) -> int:
        return int(self.id[1:])

    @property
    def auto(self) -> bool:
        """Graded by the autograder (every type but the essay)."""
        return self.type != "essay"

    @property
    def spec(self) -> FormatSpec:
        return FormatSpec(self.id, self.type, len(self.options), len(self.prompts))


@dataclass(frozen=True)
class Quiz:
    id: str
    title: str
    module: str | None
    description: str
    items: tuple[Item, ...]
    shuffle: bool = False
    pools: tuple[tuple[str, int], ...] = ()

    @property
    def has_secrets(self) -> bool:
        """Every item has its key (or rubric) and explanation: the quiz can be graded."""
        return all(item.has_secrets for item in self.items)

    @property
    def variants(self) -> bool:
        """Trainees see different papers (shuffled options or drawn items)."""
        return self.shuffle or bool(self.pools)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise BankError(f"题库 {self.id}", f"没有题目 {item_id}")

    @property
    def max_points(self) -> float:
        return sum(item.points for item in self.items)

    @property
    def auto_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.auto)


# ---------------------------------------------------------------- locating the bank


def repo_bank_dir() -> Path:
    """The bank in the course checkout."""
    return course_root() / "quizzes" / "bank"


def find_bank_dir(start: Path | None = None) -> Path:
    """Where the bank is, by the rules in the module docstring (may not exist)."""
    env = os.environ.get(BANK_ENV)
    if env:
        return Path(env)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "nbgrader_config.py").is_file() and (folder / "bank").is_dir():
            return folder / "bank"
    return repo_bank_dir()


# ---------------------------------------------------------------- validation


@lru_cache(maxsize=4)
def _validator(path: str) -> Callable[[Any], Any]:
    # fastjsonschema (draft-07) compiles the schema once and imports in milliseconds;
    # jsonschema's import costs seconds, once per submission inside the grading kernel.
    import fastjsonschema

    return fastjsonschema.compile(json.loads(Path(path).read_text(encoding="utf-8")))


def schema_path(directory: Path) -> Path:
    """The schema beside the bank, or the checkout's schema if the bank has none."""
    here = directory / SCHEMA_FILE
    return here if here.is_file() else repo_bank_dir() / SCHEMA_FILE


def _schema_errors(data: Any, schema_file: str) -> list[str]:
    import fastjsonschema

    try:
        _validator(schema_file)(data)
    except fastjsonschema.JsonSchemaException as exc:
        return [str(exc.message)]
    return []


def _letters(count: int) -> str:
    return "".join(chr(ord("A") + i) for i in range(count))


def _item_problems(raw: Mapping[str, Any]) -> list[str]:
    """Cross-field rules JSON Schema cannot express."""
    kind = raw["type"]
    problems: list[str] = []
    options = 2 if kind == "true_false" else len(raw.get("options", ()))
    if "distractors" in raw and len(raw["distractors"]) != options:
        problems.append(f"distractors 应与选项一一对应（{options} 条）")
    if kind in ("single", "multiple", "ordering", "matching") and "key" in raw:
        key = str(raw["key"])
        allowed = _letters(len(raw["options"]))
        if any(ch not in allowed for ch in key):
            problems.append(f"答案 {key} 含有选项以外的字母（选项为 {allowed}）")
        if kind == "single" and len(key) != 1:
            problems.append("单选题的答案只能是一个字母")
        if kind in ("multiple", "ordering") and len(set(key)) != len(key):
            problems.append("答案中有重复字母")
        if kind == "ordering" and sorted(key) != list(allowed):
            problems.append("排序题的答案必须恰好包含每个选项一次")
        if kind == "matching" and len(key) != len(raw["prompts"]):
            problems.append(f"匹配题的答案应有 {len(raw['prompts'])} 个字母，实际 {len(key)} 个")
    if kind == "essay" and "rubric" in raw:
        total = sum(line["points"] for line in raw["rubric"])
        if abs(total - raw["points"]) > 1e-9:
            problems.append(f"评分要点合计 {total} 分，与本题 {raw['points']} 分不符")
    return problems


_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef\u201c\u201d"
_CJK_GAP = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")


def tidy(text: str) -> str:
    """Strip, and drop the spaces YAML's line folding puts between two Chinese characters.

    >>> tidy("说明其中至少三条， 为什么重要。 下一句")
    '说明其中至少三条，为什么重要。下一句'
    >>> tidy("2012 年 4 月：问题点 → 不便")
    '2012 年 4 月：问题点 → 不便'
    """
    return _CJK_GAP.sub("", text.strip())


def _missing_secrets(raw: Mapping[str, Any]) -> list[str]:
    missing = [] if raw.get("explanation") else ["explanation"]
    if raw["type"] == "essay":
        missing += [] if raw.get("rubric") else ["rubric"]
    elif "key" not in raw:
        missing.append("key")
    return missing


def _pool_problems(data: Mapping[str, Any]) -> list[str]:
    """Items drawn from one pool must be interchangeable on the paper."""
    pools = data.get("pools") or {}
    problems = []
    for name, draw in pools.items():
        members = [raw for raw in data["items"] if raw.get("pool") == name]
        if len(members) < draw:
            problems.append(f"题组 {name} 只有 {len(members)} 道题，少于要抽取的 {draw} 道")
        shapes = {(raw["type"], float(raw["points"]), len(raw.get("options", ())), len(raw.get("prompts", ())))
                  for raw in members}
        if len(shapes) > 1:
            problems.append(f"题组 {name} 中的题目题型、分值、选项数必须相同")
    unknown = sorted({raw["pool"] for raw in data["items"] if raw.get("pool") and raw["pool"] not in pools})
    if unknown:
        problems.append(f"题目所属题组 {'、'.join(unknown)} 没有在 pools 中声明抽取数量")
    return problems


def _canonical_key(raw: Mapping[str, Any]) -> tuple[str, float | None]:
    kind = raw["type"]
    if kind == "essay" or "key" not in raw:
        return "", None
    if kind == "true_false":
        return ("A" if raw["key"] else "B"), None
    if kind == "numeric":
        value = float(raw["key"])
        return f"{value:g}", value
    return str(raw["key"]), None


def parse_quiz(data: Any, origin: str, schema_file: str, *, require_secrets: bool = False) -> Quiz:
    """Validate one quiz file's data and build the :class:`Quiz`. Raises :class:`BankError`.

    With ``require_secrets`` every item must carry its key (or rubric) and explanation."""
    field = f"题库 {origin}"
    errors = _schema_errors(data, schema_file)
    if errors:
        raise BankError(field, "不符合 schema.json：" + "；".join(errors[:5]))
    pool_problems = _pool_problems(data)
    if pool_problems:
        raise BankError(field, "；".join(pool_problems))
    ids = [raw["id"] for raw in data["items"]]
    if len(set(ids)) != len(ids):
        raise BankError(field, "题号重复")
    if ids != [f"q{i}" for i in range(1, len(ids) + 1)]:
        raise BankError(field, "题号必须依次为 q1, q2, q3, ……")
    items = []
    for raw in data["items"]:
        problems = _item_problems(raw)
        if require_secrets and _missing_secrets(raw):
            problems.append("缺少 " + "、".join(_missing_secrets(raw)))
        if problems:
            raise BankError(f"{field} 第 {raw['id']} 题", "；".join(problems))
        key, number_key = _canonical_key(raw)
        items.append(
            Item(
                id=raw["id"],
                type=raw["type"],
                stem=tidy(raw["stem"]),
                options=tuple(raw.get("options", ("对", "错") if raw["type"] == "true_false" else ())),
                prompts=tuple(raw.get("prompts", ())),
                key=key,
                number_key=number_key,
                tolerance=float(raw.get("tolerance", 0.0)),
                unit=raw.get("unit", ""),
                points=float(raw["points"]),
                explanation=tidy(raw.get("explanation", "")),
                rubric=tuple(RubricLine(line["criterion"], float(line["points"])) for line in raw.get("rubric", ())),
                source=Source(raw["source"]["kind"], raw["source"]["ref"]) if "source" in raw else None,
                distractors=tuple(tidy(note) for note in raw.get("distractors", ())),
                pool=raw.get("pool"),
                topic=raw.get("topic", ""),
                shuffle=bool(raw.get("shuffle", True)),
            )
        )
    return Quiz(
        id=data["quiz"],
        title=data["title"],
        module=data.get("module"),
        description=tidy(data["description"]),
        items=tuple(items),
        shuffle=bool(data.get("shuffle", False)),
        pools=tuple(sorted((data.get("pools") or {}).items())),
    )


# ---------------------------------------------------------------- public and secret parts


def split(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """A full quiz file's data -> (public data, secrets by item id).

    >>> public, secret = split({"quiz": "x", "items": [{"id": "q1", "type": "single", "key": "A",
    ...                                                  "explanation": "因为", "points": 1}]})
    >>> public["items"], secret
    ([{'id': 'q1', 'type': 'single', 'points': 1}], {'q1': {'key': 'A', 'explanation': '因为'}})
    """
    public = {k: v for k, v in data.items() if k != "items"}
    public["items"] = [{k: v for k, v in raw.items() if k not in SECRET_ITEM_FIELDS} for raw in data["items"]]
    secrets = {raw["id"]: {k: raw[k] for k in SECRET_ITEM_FIELDS if k in raw} for raw in data["items"]}
    return public, secrets


def merge(public: Mapping[str, Any], secrets: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The public data with each item's secrets put back (inverse of :func:`split`).

    >>> merge({"quiz": "x", "items": [{"id": "q1", "type": "single", "points": 1}]},
    ...       {"q1": {"key": "A", "explanation": "因为"}})["items"]
    [{'id': 'q1', 'type': 'single', 'points': 1, 'key': 'A', 'explanation': '因为'}]
    """
    full = {k: v for k, v in public.items() if k != "items"}
    full["items"] = [{**raw, **dict(secrets.get(raw["id"], {}))} for raw in public["items"]]
    return full


def holds_secrets(data: Mapping[str, Any]) -> bool:
    """Whether a quiz file's data holds any secret field."""
    return any(field in raw for raw in data.get("items", ()) for field in SECRET_ITEM_FIELDS)


def quiz_digest(quiz: Quiz) -> str:
    """sha256 of everything grading depends on (public and secret part), recorded at release."""
    import hashlib
    from dataclasses import asdict

    text = json.dumps(asdict(quiz), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- loading


def read_yaml(file: Path) -> Any:
    """A bank file's data; a Chinese :class:`BankError` if it cannot be read."""
    try:
        return yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BankError(f"题库 {file.name}", f"无法读取：{exc}") from exc
    except yaml.YAMLError as exc:
        raise BankError(f"题库 {file.name}", f"不是有效的 YAML：{exc}") from exc


@lru_cache(maxsize=32)
def _load_cached(path: str, mtime_ns: int, schema_file: str) -> Quiz:
    file = Path(path)
    data = read_yaml(file)
    quiz = parse_quiz(data, file.name, schema_file)
    if quiz.id != file.stem:
        raise BankError(f"题库 {file.name}", f"quiz 字段 {quiz.id} 应与文件名 {file.stem} 一致")
    return quiz


def load_quiz(quiz_id: str, directory: Path | None = None) -> Quiz:
    """Load and validate ``<directory>/<quiz_id>.yaml`` (cached until the file changes)."""
    directory = Path(directory) if directory is not None else find_bank_dir()
    path = directory / f"{quiz_id}.yaml"
    if not path.is_file():
        raise BankError(f"题库 {quiz_id}", f"找不到题库文件 {path}")
    return _load_cached(str(path.resolve()), path.stat().st_mtime_ns, str(schema_path(directory)))


def quiz_ids(directory: Path | None = None) -> list[str]:
    directory = Path(directory) if directory is not None else repo_bank_dir()
    return sorted(p.stem for p in directory.glob("*.yaml"))


def load_all(directory: Path | None = None) -> list[Quiz]:
    directory = Path(directory) if directory is not None else repo_bank_dir()
    return [load_quiz(quiz_id, directory) for quiz_id in quiz_ids(directory)]
