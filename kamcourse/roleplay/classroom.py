"""The facilitator's class debrief (``kamcourse roleplay export DIR``).

Reads the transcripts trainees chose to save (``*.json`` in a folder), replays each one
(:func:`kamcourse.roleplay.transcript.read_record`), and counts per scenario: the endings
reached, and how often each move was picked at each turn. Names appear only when a
trainee typed one; otherwise the visit is counted as anonymous. A file that cannot be
read is listed with the reason and skipped; it never stops the export.

Output: ``class-debrief.md`` (readable) and ``class-debrief-moves.csv`` (one row per
scenario, turn and move, for a spreadsheet), written to ``--out`` (default: ``DIR``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kamcourse.errors import KamcourseError
from kamcourse.roleplay.model import LABEL_NAMES
from kamcourse.roleplay.scenario import load_scenarios
from kamcourse.roleplay.transcript import MAX_BYTES, SavedVisit, read_record
from kamcourse.tables import Column, to_csv_bytes

MARKDOWN_NAME = "class-debrief.md"
CSV_NAME = "class-debrief-moves.csv"
MAX_FILES = 2000
CSV_COLUMNS = (
    Column("场景"), Column("轮次", kind="number"), Column("说法编号"), Column("类型"), Column("说法"),
    Column("次数", kind="number"),
)


@dataclass(frozen=True)
class MoveCount:
    turn: int
    option: str  # "" for a typed question with no move of its type
    label: str
    text: str
    count: int


@dataclass(frozen=True)
class EndingCount:
    ending: str
    kind: str
    title: str
    count: int


@dataclass(frozen=True)
class ScenarioSummary:
    scenario: str
    title: str
    visits: int
    endings: tuple[EndingCount, ...]
    moves: tuple[MoveCount, ...]
    names: tuple[str, ...]
    anonymous: int


@dataclass(frozen=True)
class ClassDebrief:
    scenarios: tuple[ScenarioSummary, ...]
    read: int
    skipped: tuple[tuple[str, str], ...]  # (file, reason)


def _summary(scenario_id: str, visits: list[SavedVisit]) -> ScenarioSummary:
    scenario = visits[0].scenario
    endings = Counter(v.state.ending for v in visits)
    moves: Counter[tuple[int, str, str]] = Counter()
    texts: dict[tuple[int, str, str], str] = {}
    for visit in visits:
        for turn in visit.state.turns:
            key = (turn.number, turn.option, turn.label)
            moves[key] += 1
            if turn.option:
                option = scenario.nodes[turn.node].option(turn.option)
                texts[key] = option.text if option else turn.said
            else:
                texts[key] = f"（自己输入的{LABEL_NAMES[turn.label]}，此处没有对应的说法）"
    order = {e: i for i, e in enumerate(scenario.endings)}
    return ScenarioSummary(
        scenario=scenario_id,
        title=scenario.title,
        visits=len(visits),
        endings=tuple(
            EndingCount(e, scenario.endings[e].kind, scenario.endings[e].title, n)
            for e, n in sorted(endings.items(), key=lambda item: order.get(item[0] or "", 99))
            if e is not None
        ),
        moves=tuple(
            MoveCount(turn, option, label, texts[(turn, option, label)], n)
            for (turn, option, label), n in sorted(moves.items(), key=lambda item: (item[0][0], -item[1], item[0][1]))
        ),
        names=tuple(sorted({v.name for v in visits if v.name})),
        anonymous=sum(not v.name for v in visits),
    )


def class_debrief(files: Iterable[tuple[str, bytes | None]]) -> ClassDebrief:
    """Count the saved visits given as (file name, content) pairs (None: the file could not be read)."""
    by_scenario: dict[str, list[SavedVisit]] = {}
    skipped: list[tuple[str, str]] = []
    read = 0
    for source, data in files:
        if data is None:
            skipped.append((source, "无法读取文件"))
            continue
        try:
            visit = read_record(data, source)
        except KamcourseError as err:
            skipped.append((source, err.problem))
            continue
        if not visit.state.ended:
            skipped.append((source, "拜访没有结束"))
            continue
        read += 1
        by_scenario.setdefault(visit.scenario.id, []).append(visit)
    order = [s.id for s in load_scenarios()]
    summaries = tuple(
        _summary(sid, by_scenario[sid])
        for sid in sorted(by_scenario, key=lambda s: (order.index(s) if s in order else len(order), s))
    )
    return ClassDebrief(summaries, read, tuple(skipped))


def read_folder(directory: str | Path) -> ClassDebrief:
    """The class debrief of every ``*.json`` file in ``directory`` (not its subfolders)."""
    folder = Path(directory)
    if not folder.is_dir():
        raise KamcourseError("记录文件夹", f"找不到文件夹“{folder}”")
    files = sorted(p for p in folder.glob("*.json") if p.is_file())[:MAX_FILES]

    def contents() -> Iterable[tuple[str, bytes | None]]:
        for path in files:
            try:
                with path.open("rb") as handle:  # a huge file is refused without reading it all
                    yield path.name, handle.read(MAX_BYTES + 1)
            except OSError:
                yield path.name, None

    return class_debrief(contents())


def _cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", " ")


def to_markdown(debrief: ClassDebrief) -> str:
    """The class debrief as Markdown (Chinese)."""
    lines = ["# 销售对练 · 课堂复盘", ""]
    lines.append(f"共读入 {debrief.read} 份结束了的拜访记录" + (f"，{len(debrief.skipped)} 份无法使用（见文末）。" if debrief.skipped else "。"))
    if not debrief.scenarios:
        lines += ["", "没有可用的记录：请学员在拜访结束后点“保存记录”，把下载的文件放进同一个文件夹。"]
    for s in debrief.scenarios:
        lines += ["", f"## {s.title}（{s.visits} 次拜访）", ""]
        for kind in ("推进", "继续", "失败"):
            items = [e for e in s.endings if e.kind == kind]
            if items:
                detail = "、".join(f"{e.title} {e.count} 次" for e in items)
                lines.append(f"- {kind}：{sum(e.count for e in items)} 次（{detail}）")
        lines += ["", "| 轮次 | 说法 | 类型 | 次数 |", "|---|---|---|---|"]
        lines += [f"| {m.turn} | {_cell(m.text)} | {LABEL_NAMES[m.label]} | {m.count} |" for m in s.moves]
        who = f"留名的学员：{'、'.join(_cell(n) for n in s.names)}；" if s.names else ""
        lines += ["", f"{who}匿名 {s.anonymous} 份。"]
    if debrief.skipped:
        lines += ["", "## 无法使用的文件", ""]
        lines += [f"- {_cell(name)}：{_cell(reason)}" for name, reason in debrief.skipped]
    return "\n".join(lines) + "\n"


def move_rows(debrief: ClassDebrief) -> list[dict[str, object]]:
    """One row per scenario, turn and move (the CSV)."""
    return [
        {"场景": s.title, "轮次": m.turn, "说法编号": m.option or "自己输入", "类型": LABEL_NAMES[m.label],
         "说法": m.text, "次数": m.count}
        for s in debrief.scenarios for m in s.moves
    ]


def write_class_debrief(directory: str | Path, out: str | Path | None = None) -> tuple[ClassDebrief, Path, Path]:
    """Read ``directory``, write the Markdown and CSV files to ``out`` (default: ``directory``)."""
    debrief = read_folder(directory)
    target = Path(out) if out else Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    markdown = target / MARKDOWN_NAME
    csv_file = target / CSV_NAME
    markdown.write_text(to_markdown(debrief), encoding="utf-8")
    csv_file.write_bytes(to_csv_bytes(move_rows(debrief), CSV_COLUMNS))
    return debrief, markdown, csv_file
