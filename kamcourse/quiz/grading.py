"""Scoring one submission in the trusted grading process: answers are data.

Each answer is read from its answer cell's *source* (:func:`kamcourse.quiz.answers.read_answer_cell`):
nothing a trainee wrote is ever executed, so no answer can reach the keys, the bank, the
gradebook or another item. A cell that is not ``answer_qN = <literal>`` scores 0 on that
item with :data:`kamcourse.quiz.answers.LITERAL_ONLY` as the reason.

A position's letters are the ones the trainee saw; they are mapped back to canonical
letters (:mod:`kamcourse.quiz.variants`) and scored against the canonical key by
:func:`kamcourse.quiz.scoring.score_reading`. An item flagged by the integrity check
(a changed or deleted locked cell) scores 0 with the flag as the reason.

:func:`grade_paper` returns, per position, the points and a :class:`Verdict` whose
``text`` is the Chinese verdict printed in the test cell and whose ``data`` feeds the
Chinese feedback page (``kamcourse/templates/nbgrader/kamcourse_feedback``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from kamcourse.quiz.answers import CHOICE_KINDS, KIND_NAMES, FormatSpec, Reading, read_answer_cell
from kamcourse.quiz.bank import Item, Quiz
from kamcourse.quiz.scoring import ItemScore, key_text, score_reading
from kamcourse.quiz.variants import Position, item_markdown, trainee_paper

#: Printed when grading itself fails; the pipeline looks for it and reports the item.
INTERNAL_ERROR_MARK = "【评分程序错误】"
#: The output mimetype holding a verdict's data (read by the feedback template and the reports).
VERDICT_MIME = "application/vnd.kamcourse.verdict+json"


@dataclass(frozen=True)
class Verdict:
    position: Position
    item: Item
    score: ItemScore
    shown_answer: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def points(self) -> float:
        return self.score.points


def _shown_reading(position: Position, item: Item, reading: Reading) -> Reading:
    """The reading with canonical letters (what the key is written in)."""
    if reading.status != "ok" or item.type not in CHOICE_KINDS:
        return reading
    return Reading(reading.status, position.to_canonical(reading.text), reading.number, reading.problem, reading.note)


def _shown_key(position: Position, item: Item) -> str:
    if item.type in CHOICE_KINDS:
        return position.to_shown(item.key)
    return key_text(item)


def _notes(position: Position, item: Item) -> list[list[Any]]:
    """[letter as shown, option text, note, part of the key] for each option with a note."""
    if not item.distractors:
        return []
    options = item.options or ("对", "错")
    rows = []
    for shown, canonical in enumerate(position.order or range(len(options))):
        note = item.distractors[canonical]
        if note:
            letter = chr(65 + canonical)
            rows.append([chr(65 + shown), options[canonical], note, letter in item.key])
    return rows


def verdict_text(number: int, item: Item, score: ItemScore, shown_answer: str, shown_key: str,
                 notes: list[list[Any]]) -> str:
    lines = [
        f"第 {number} 题（{KIND_NAMES[item.type]}，满分 {item.points:g} 分）",
        f"你的答案（按读取）：{shown_answer or ('（无法读取）' if score.status == 'invalid' else '（未作答）')}",
        f"得分：{score.points:g} / {item.points:g}　{score.detail}",
        f"正确答案：{shown_key}",
        f"解析：{item.explanation}",
    ]
    lines += [f"　{letter}. {text}：{note}" for letter, text, note, _ in notes]
    return "\n".join(lines)


def grade_position(quiz: Quiz, position: Position, source: str | None, flag: str = "") -> Verdict:
    """Score one position from its answer cell's source (``None``: the cell is gone)."""
    item = quiz.item(position.item_id)
    spec = FormatSpec(position.id, item.type, len(item.options), len(item.prompts))
    reading = read_answer_cell(spec, source)
    shown_answer = reading.text
    if flag:
        score = ItemScore(item.id, 0.0, item.points, "flagged", reading.text, f"{flag}，本题按 0 分计。")
    else:
        score = score_reading(item, _shown_reading(position, item, reading))
        if reading.note and score.status != "correct":
            score = ItemScore(score.item_id, score.points, score.max_points, score.status, score.answer,
                              f"{score.detail}（{reading.note}）")
    shown_key = _shown_key(position, item)
    notes = _notes(position, item)
    text = verdict_text(position.number, item, score, shown_answer, shown_key, notes)
    data = {
        "position": position.id, "number": position.number, "item": item.id, "type": item.type,
        "kind_name": KIND_NAMES[item.type], "points": score.points, "max_points": item.points,
        "status": score.status, "answer": shown_answer, "canonical_answer": score.answer,
        "detail": score.detail, "key": shown_key, "explanation": item.explanation, "notes": notes,
        "stem": item_markdown(position.number, _public(item), position.order if item.options else None),
    }
    return Verdict(position, item, score, shown_answer, text, data)


def _public(item: Item) -> dict[str, Any]:
    return {"type": item.type, "points": item.points, "stem": item.stem, "options": list(item.options),
            "prompts": list(item.prompts), "unit": item.unit, "tolerance": item.tolerance}


def grade_paper(quiz: Quiz, student: str, sources: Mapping[str, str | None],
                flags: Mapping[str, str] = {}) -> dict[str, Verdict]:
    """Every auto-graded position of ``student``'s paper: position id -> :class:`Verdict`.

    ``sources``: position id -> its answer cell's source (missing or None: deleted);
    ``flags``: position id -> why it scores 0 (integrity)."""
    out = {}
    for position in trainee_paper(quiz, student):
        if quiz.item(position.item_id).auto:
            out[position.id] = grade_position(quiz, position, sources.get(position.id), flags.get(position.id, ""))
    return out
