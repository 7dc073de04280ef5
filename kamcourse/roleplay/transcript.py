"""Saved transcripts: what a trainee chooses to save, and how it is read back.

A saved visit is a small JSON document: the scenario, the seed, the moves (option ids
or typed questions), an optional name, and a readable copy of the turns. Reading it back
never trusts the readable part: the moves are replayed through the engine, so a file that
was edited, truncated or written for another version of the scenario is refused with a
Chinese message naming the file, never a traceback. Files are data only; nothing in them
is executed.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from kamcourse.errors import KamcourseError
from kamcourse.roleplay.engine import start, step
from kamcourse.roleplay.model import Move, Scenario, State
from kamcourse.roleplay.scenario import ScenarioError, load_scenario

FORMAT = "kamcourse-roleplay"
VERSION = 1
MAX_BYTES = 256 * 1024
MAX_MOVES = 60
MAX_NAME = 40
NAME_FIELD = "姓名"


@dataclass(frozen=True)
class SavedVisit:
    """A saved transcript after replay: the scenario, the name (may be "") and the final state."""

    source: str
    scenario: Scenario
    name: str
    moves: tuple[Move, ...]
    state: State


def clean_name(value: object) -> str:
    """The name a trainee typed (optional): trimmed, no control characters, at most 40 characters.

    >>> clean_name("  王小明 "), clean_name(None)
    ('王小明', '')
    >>> clean_name("名" * 41)
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 姓名：最多 40 个字（不填也可以：记录是匿名的）
    """
    text = "" if value is None else str(value).strip()
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    if len(text) > MAX_NAME:
        raise KamcourseError(NAME_FIELD, f"最多 {MAX_NAME} 个字（不填也可以：记录是匿名的）")
    return text


def moves_of(state: State) -> tuple[Move, ...]:
    """The moves that produced ``state`` (typed questions keep their text)."""
    return tuple(Move.ask(t.said) if t.typed else Move.pick(t.option) for t in state.turns)


def to_record(scenario: Scenario, state: State, name: object = "", saved_at: str | None = None) -> dict[str, Any]:
    """The JSON-ready record of a finished (or unfinished) visit."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "scenario": scenario.id,
        "title": scenario.title,
        "seed": state.seed,
        "name": clean_name(name),
        "saved_at": saved_at or datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "moves": [{"question": m.question} if m.typed else {"option": m.option} for m in moves_of(state)],
        "ending": state.ending,
        "ending_kind": scenario.endings[state.ending].kind if state.ending else None,
        "turns": [
            {"turn": t.number, "label": t.shown_label, "said": t.said, "reply": t.reply} for t in state.turns
        ],
    }


def to_json(scenario: Scenario, state: State, name: object = "", saved_at: str | None = None) -> bytes:
    """The record as UTF-8 JSON bytes (what the 保存记录 link downloads)."""
    record = to_record(scenario, state, name, saved_at)
    return (json.dumps(record, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def file_name(scenario: Scenario, state: State) -> str:
    """A download name that tells visits apart: scenario, seed and number of turns."""
    return f"roleplay-{scenario.id}-{state.seed}-{state.turn_count}.json"


def _move(raw: Any, index: int, source: str) -> Move:
    where = f"记录文件“{source}”第 {index + 1} 步"
    if isinstance(raw, dict) and set(raw) == {"option"} and isinstance(raw["option"], str):
        return Move.pick(raw["option"])
    if isinstance(raw, dict) and set(raw) == {"question"} and isinstance(raw["question"], str):
        return Move.ask(raw["question"])
    raise KamcourseError(where, "格式不对：每一步应是选中的一句说法，或自己输入的一个问题")


def read_record(data: bytes | str, source: str) -> SavedVisit:
    """Read and replay one saved transcript; any problem is a KamcourseError naming ``source``."""
    where = f"记录文件“{source}”"
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > MAX_BYTES:
        raise KamcourseError(where, f"太大（超过 {MAX_BYTES // 1024} 千字节），不是对练记录")
    try:
        record = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise KamcourseError(where, "内容无法识别，不是对练记录") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise KamcourseError(where, "不是销售对练的记录")
    if record.get("version") != VERSION:
        raise KamcourseError(where, f"记录格式版本 {record.get('version')} 不受支持")
    seed, moves = record.get("seed"), record.get("moves")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise KamcourseError(where, "缺少整数形式的随机数设定")
    if not isinstance(moves, list) or len(moves) > MAX_MOVES:
        raise KamcourseError(where, f"步骤应为最多 {MAX_MOVES} 步的列表")
    try:
        scenario = load_scenario(str(record.get("scenario")))
    except ScenarioError:
        raise KamcourseError(where, f"没有编号为“{record.get('scenario')}”的场景") from None
    try:
        name = clean_name(record.get("name"))
    except KamcourseError as err:
        raise KamcourseError(f"{where}的{NAME_FIELD}", err.problem) from None
    parsed = tuple(_move(m, i, source) for i, m in enumerate(moves))
    state = start(scenario, seed)
    for i, move in enumerate(parsed):
        try:
            state, _ = step(scenario, state, move)
        except KamcourseError as err:
            raise KamcourseError(f"{where}第 {i + 1} 步", f"无法重演（{err}）：记录可能被修改过，或场景已更新") from None
    if record.get("ending") != state.ending:
        raise KamcourseError(where, "记录的结局与重演的结果不一致：记录可能被修改过，或场景已更新")
    return SavedVisit(source, scenario, name, parsed, state)
