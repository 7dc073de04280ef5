"""Shared by the quiz tests (no tests here): a small fixture quiz with every item type, a
course built the way an instructor builds one (public bank, sealed kit), and submissions."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSPHRASE = "fixture-passphrase-42"

DUEL = {
    "quiz": "duel",
    "title": "测试小测验",
    "module": None,
    "description": "用于评分测试的小测验。",
    "items": [
        {"id": "q1", "type": "single", "stem": "单选题题干", "options": ["甲", "乙", "丙", "丁"], "points": 2},
        {"id": "q2", "type": "multiple", "stem": "多选题题干", "options": ["甲", "乙", "丙", "丁"], "points": 3},
        {"id": "q3", "type": "true_false", "stem": "判断题题干", "points": 1},
        {"id": "q4", "type": "ordering", "stem": "排序题题干", "options": ["一", "二", "三", "四"], "points": 4},
        {"id": "q5", "type": "matching", "stem": "匹配题题干", "options": ["类甲", "类乙", "类丙"],
         "prompts": ["项一", "项二", "项三", "项四"], "points": 4},
        {"id": "q6", "type": "numeric", "stem": "数值题题干", "tolerance": 0.5, "unit": "天", "points": 2},
        {"id": "q7", "type": "essay", "stem": "论述题题干", "points": 5},
    ],
}
# The fixed keys of the fixture (a real kit would come from `kamcourse kit seal`).
DUEL_SECRETS = {
    "q1": {"key": "C", "explanation": "解析一：丙是对的。", "distractors": ["甲不对", "乙不对", "丙正确", "丁不对"]},
    "q2": {"key": "ABD", "explanation": "解析二：甲乙丁。"},
    "q3": {"key": False, "explanation": "解析三：这句话是错的。"},
    "q4": {"key": "BDAC", "explanation": "解析四：二四一三。"},
    "q5": {"key": "ABCA", "explanation": "解析五：甲乙丙甲。"},
    "q6": {"key": 37.5, "explanation": "解析六：三十七点五天。"},
    "q7": {"explanation": "解析七：论述要点。", "rubric": [{"criterion": "要点一", "points": 3}, {"criterion": "要点二", "points": 2}]},
}
POINTS = {"q1": 2, "q2": 3, "q3": 1, "q4": 4, "q5": 4, "q6": 2}
AUTO = list(POINTS)


def half_up(value: float) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def env(**extra: str) -> dict[str, str]:
    out = dict(os.environ)
    out["PATH"] = f"{BIN}{os.pathsep}{out.get('PATH', '')}"
    for name in ("KAMCOURSE_KIT", "KAMCOURSE_KIT_PASSPHRASE", "KAMCOURSE_QUIZ_BANK", "JUPYTERHUB_USER", "KAMCOURSE_TRAINEE"):
        out.pop(name, None)
    out.update(extra)
    return out


def kamcourse(*args: str, cwd: Path, ok: bool = True, **extra: str) -> subprocess.CompletedProcess:
    done = subprocess.run([str(BIN / "kamcourse"), *args], cwd=cwd, env=env(**extra), capture_output=True,
                          text=True, timeout=600)
    if ok:
        assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
    return done


def full_quiz(public: dict, secrets: dict) -> dict:
    out = copy.deepcopy(public)
    for raw in out["items"]:
        raw.update(secrets.get(raw["id"], {}))
    return out


def make_course(root: Path, quizzes: dict[str, tuple[dict, dict]], kit: Path, *, seal: bool = True) -> Path:
    """A course root with the public bank of ``quizzes`` (id -> (public, secrets)), the
    working copy of their kit in ``kit`` and, with ``seal``, ``kit/kit.age`` made by
    ``kamcourse kit seal``."""
    (root / "bank").mkdir(parents=True)
    shutil.copy(ROOT / "quizzes" / "nbgrader_config.py", root)
    shutil.copy(ROOT / "quizzes" / "bank" / "schema.json", root / "bank")
    kit.mkdir(parents=True, exist_ok=True)
    for quiz_id, (public, secrets) in quizzes.items():
        (root / "bank" / f"{quiz_id}.yaml").write_text(yaml.safe_dump(public, allow_unicode=True, sort_keys=False),
                                                       encoding="utf-8")
        (kit / f"{quiz_id}.yaml").write_text(yaml.safe_dump(full_quiz(public, secrets), allow_unicode=True,
                                                            sort_keys=False), encoding="utf-8")
    if seal:
        kamcourse("kit", "seal", str(kit), "--course", str(root), cwd=root, KAMCOURSE_KIT_PASSPHRASE=PASSPHRASE)
    else:
        kamcourse("quiz", "build", "--course", str(root), cwd=root)
    return root


class Code(str):
    """A whole answer cell's source (anything else in ``answers`` is the literal written
    after ``answer_qN = ``)."""


def answered(release: dict, answers: dict[str, str], essay: str = "") -> dict:
    """The release with the answer cells of ``answers`` (position -> literal or :class:`Code`)."""
    nb = copy.deepcopy(release)
    for cell in nb["cells"]:
        meta = cell["metadata"].get("kamcourse", {})
        item = meta.get("item")
        if meta.get("role") == "answer" and item in answers:
            text = answers[item]
            cell["source"] = str(text) if isinstance(text, Code) else f"answer_{item} = {text}\n"
        if meta.get("role") == "answer" and cell["cell_type"] == "markdown" and essay:
            cell["source"] = essay
    return nb


def write_nb(path: Path, nb: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")


def dump_gradebook(course: Path, quiz: str) -> dict:
    """Every grade and comment nbgrader keeps about the submissions of ``quiz``."""
    from nbgrader.api import Gradebook

    rows = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for sub in gb.assignment_submissions(quiz):
            row = {"timestamp": str(sub.timestamp)}
            for nb in sub.notebooks:
                row["score"] = nb.score
                for g in nb.grades:
                    row[f"grade {g.name}"] = (g.auto_score, g.manual_score, g.extra_credit, g.needs_manual_grade)
                for c in nb.comments:
                    row[f"comment {c.name}"] = (c.auto_comment, c.manual_comment)
            rows[sub.student.id] = row
    return rows
