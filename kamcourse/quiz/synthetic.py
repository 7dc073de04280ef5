"""Synthetic instructor kits: random keys valid for each item's type, for tests and
benchmarks that must not depend on (or see) the real keys.

    >>> import random
    >>> secrets = random_secrets({"quiz": "x", "items": [{"id": "q1", "type": "ordering", "options": ["a", "b", "c"],
    ...                                                    "points": 3}]}, random.Random(1))
    >>> sorted(secrets["q1"]["key"]), secrets["q1"]["explanation"].startswith("合成解析")
    (['A', 'B', 'C'], True)
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Mapping

import yaml

from kamcourse.quiz.bank import merge, read_yaml, split


def _letters(count: int) -> list[str]:
    return [chr(65 + i) for i in range(count)]


def random_secrets(public: Mapping[str, Any], rng: random.Random) -> dict[str, dict[str, Any]]:
    """Secrets for every item of a public quiz: a random valid key, a unique explanation
    (``合成解析 <12 random digits>``), a note per option, a rubric for essays."""
    out: dict[str, dict[str, Any]] = {}
    for raw in public["items"]:
        kind, item_id = raw["type"], raw["id"]
        # digits only: the seal's text rules refuse English words in anything a trainee reads
        token = f"{rng.randrange(10 ** 12):012d}"
        letters = _letters(len(raw.get("options", ())))
        secret: dict[str, Any] = {"explanation": f"合成解析 {token}：本题答案由测试随机生成。",
                                  "source": {"kind": "written", "ref": "synthetic kit"}}
        if kind == "single":
            secret["key"] = rng.choice(letters)
        elif kind == "multiple":
            secret["key"] = "".join(sorted(rng.sample(letters, rng.randint(2, len(letters)))))
        elif kind == "ordering":
            secret["key"] = "".join(rng.sample(letters, len(letters)))
        elif kind == "matching":
            secret["key"] = "".join(rng.choice(letters) for _ in raw["prompts"])
        elif kind == "true_false":
            secret["key"] = rng.random() < 0.5
        elif kind == "numeric":
            secret["key"] = round(rng.uniform(10, 500), 1)
        else:
            half = float(raw["points"]) / 2
            secret["rubric"] = [{"criterion": f"合成评分要点甲 {token}", "points": half},
                                {"criterion": f"合成评分要点乙 {token}", "points": float(raw["points"]) - half}]
        if kind in ("single", "multiple", "true_false", "ordering", "matching"):
            count = 2 if kind == "true_false" else len(letters)
            secret["distractors"] = [f"合成选项说明 {token} {chr(65 + i)}" for i in range(count)]
        out[item_id] = secret
    return out


def write_kit(bank: Path, kit: Path, seed: int = 12) -> dict[str, dict[str, dict[str, Any]]]:
    """A working copy of a synthetic kit for every quiz in ``bank`` (its public part is
    used; any secrets there are replaced). Returns the secrets by quiz."""
    rng = random.Random(seed)
    kit.mkdir(parents=True, exist_ok=True)
    every = {}
    for file in sorted(Path(bank).glob("*.yaml")):
        public, _ = split(read_yaml(file))
        secrets = random_secrets(public, rng)
        (kit / file.name).write_text(yaml.safe_dump(merge(public, secrets), allow_unicode=True, sort_keys=False),
                                     encoding="utf-8")
        every[file.stem] = secrets
    return every


def strip_bank(bank: Path) -> None:
    """Rewrite every quiz file of ``bank`` as its public part only (a migrated bank)."""
    for file in sorted(Path(bank).glob("*.yaml")):
        public, _ = split(read_yaml(file))
        file.write_text(yaml.safe_dump(public, allow_unicode=True, sort_keys=False), encoding="utf-8")
