"""Per-trainee papers: options in an order of the trainee's own, items drawn from pools.

Trainee side (no bank, no keys): everything here is a pure function of public data and the
trainee id, so the released notebook, the roster release and the grader compute the same
paper.

- The **paper** of a quiz is its list of positions 1..M (:func:`paper`): each item without a
  pool is a position; a pool ``{name: k}`` adds k positions where its first item stands,
  each filled per trainee by one of the pool's items (:func:`drawn`, without repeats).
- In a quiz with ``shuffle: true`` the options of every choice item (unless the item says
  ``shuffle: false``) are shown in a per-trainee order (:func:`order`); a trainee answers
  with the letters they see, and the grader maps them back to the canonical letters
  (:meth:`Position.to_canonical`) before scoring against the canonical key, so keys,
  scores and item statistics are all by canonical option.

Seeds: SHA-256 of ``quiz|item|trainee`` (``quiz|pool|trainee`` for draws), read as
integers by a Fisher--Yates shuffle written here (not :mod:`random`, whose algorithms may
change between Python versions): the same trainee gets the same paper on every rerun.

In the released notebook a locked cell per position calls :func:`show_position`, which
finds the trainee id (a ``trainee_id`` variable the roster release puts in the notebook,
else ``KAMCOURSE_TRAINEE``, else the JupyterHub user, which is the nbgrader student id on
the course hub) and displays that trainee's stem and options. Grading never trusts what
the notebook says: it uses the student id of the submission.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

SHUFFLED_KINDS = ("single", "multiple", "ordering", "matching")
TRAINEE_ENV = "KAMCOURSE_TRAINEE"
KIND_NAMES = {"single": "单选题", "multiple": "多选题", "true_false": "判断题", "ordering": "排序题",
              "matching": "匹配题", "numeric": "数值题", "essay": "论述题"}


# ---------------------------------------------------------------- ids


_SAFE = re.compile(r"[A-Za-z0-9_.-]")


def normalise_id(name: str) -> str:
    """A student id nbgrader can use (its paths are globs): ASCII letters, digits, ``_ . -``;
    runs of other ASCII characters become ``_``; any other character its code point.

    >>> normalise_id("Tom [2]"), normalise_id("张三"), normalise_id("  li.si "), normalise_id("_x")
    ('Tom_2', 'u5f20u4e09', 'li.si', 'x')
    """
    out: list[str] = []
    for ch in name.strip():
        if _SAFE.match(ch):
            out.append(ch)
        elif ord(ch) < 128:
            if out and out[-1] != "_":
                out.append("_")
        else:
            out.append(f"u{ord(ch):x}")
    text = "".join(out).strip("_.-")
    return text or "student"


# ---------------------------------------------------------------- seeded choices


def _stream(seed: str) -> Iterable[int]:
    counter = 0
    while True:
        block = hashlib.sha256(f"{seed}#{counter}".encode("utf-8")).digest()
        for i in range(0, len(block), 4):
            yield int.from_bytes(block[i:i + 4], "big")
        counter += 1


def _shuffled(values: Sequence[Any], seed: str) -> list[Any]:
    """Fisher--Yates with SHA-256 as the source of randomness (modulo bias < 2**-24)."""
    out = list(values)
    numbers = iter(_stream(seed))
    for i in range(len(out) - 1, 0, -1):
        j = next(numbers) % (i + 1)
        out[i], out[j] = out[j], out[i]
    return out


def order(quiz: str, item: str, trainee: str, count: int) -> tuple[int, ...]:
    """The canonical option shown at each place: ``order(...)[i]`` is the canonical index of
    the option shown as letter i (A = 0).

    >>> order("exam", "q1", "amy", 4) == order("exam", "q1", "amy", 4)
    True
    >>> sorted(order("exam", "q1", "amy", 4))
    [0, 1, 2, 3]
    """
    return tuple(_shuffled(range(count), f"options|{quiz}|{item}|{trainee}"))


def drawn(quiz: str, pool: str, members: Sequence[str], count: int, trainee: str) -> tuple[str, ...]:
    """The ``count`` items of ``members`` this trainee gets, in the order they appear.

    >>> picks = drawn("exam", "crm", ["q3", "q4", "q5"], 2, "amy")
    >>> len(set(picks)), set(picks) <= {"q3", "q4", "q5"}
    (2, True)
    """
    return tuple(_shuffled(members, f"pool|{quiz}|{pool}|{trainee}")[:count])


# ---------------------------------------------------------------- the paper


@dataclass(frozen=True)
class Slot:
    """A position on the paper: a fixed item, or the ``index``-th draw from ``pool``."""

    number: int
    candidates: tuple[str, ...]
    pool: str | None = None
    index: int = 0

    @property
    def id(self) -> str:
        return f"q{self.number}"


def paper(items: Sequence[Any], pools: Mapping[str, int]) -> tuple[Slot, ...]:
    """Positions of a quiz from its items (objects or dicts with ``id`` and ``pool``).

    >>> [(s.id, s.candidates, s.index) for s in paper([{"id": "q1"}, {"id": "q2", "pool": "p"},
    ...     {"id": "q3", "pool": "p"}, {"id": "q4"}], {"p": 1})]
    [('q1', ('q1',), 0), ('q2', ('q2', 'q3'), 0), ('q3', ('q4',), 0)]
    """
    def field(item: Any, name: str) -> Any:
        return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)

    slots: list[Slot] = []
    placed: set[str] = set()
    for item in items:
        pool = field(item, "pool")
        if not pool:
            slots.append(Slot(len(slots) + 1, (field(item, "id"),)))
        elif pool not in placed:
            placed.add(pool)
            members = tuple(field(i, "id") for i in items if field(i, "pool") == pool)
            for index in range(pools[pool]):
                slots.append(Slot(len(slots) + 1, members, pool, index))
    return tuple(slots)


@dataclass(frozen=True)
class Position:
    """One position of one trainee's paper: which item, and the order of its options."""

    number: int
    item_id: str
    order: tuple[int, ...]   # shown index -> canonical index (identity when not shuffled)

    @property
    def id(self) -> str:
        return f"q{self.number}"

    def to_canonical(self, letters: str) -> str:
        """Letters as the trainee saw them -> canonical letters (order kept).

        >>> Position(1, "q1", (2, 0, 1)).to_canonical("AC")
        'CB'
        """
        return "".join(chr(65 + self.order[ord(ch) - 65]) if 0 <= ord(ch) - 65 < len(self.order) else ch
                       for ch in letters)

    def to_shown(self, letters: str) -> str:
        """Canonical letters -> the letters this trainee saw.

        >>> Position(1, "q1", (2, 0, 1)).to_shown("CB")
        'AC'
        """
        back = {canonical: shown for shown, canonical in enumerate(self.order)}
        return "".join(chr(65 + back[ord(ch) - 65]) if ord(ch) - 65 in back else ch for ch in letters)


def position_for(quiz_id: str, slot: Slot, pools: Mapping[str, int], item_kind: str, option_count: int,
                 shuffle: bool, trainee: str) -> Position:
    """The position ``slot`` of ``trainee``'s paper (``item_kind`` etc. of the item drawn)."""
    item_id = slot.candidates[0]
    if slot.pool:
        item_id = drawn(quiz_id, slot.pool, slot.candidates, pools[slot.pool], trainee)[slot.index]
    if shuffle and item_kind in SHUFFLED_KINDS and option_count > 1:
        return Position(slot.number, item_id, order(quiz_id, item_id, trainee, option_count))
    return Position(slot.number, item_id, tuple(range(option_count)))


def trainee_paper(quiz: Any, trainee: str) -> tuple[Position, ...]:
    """Every position of ``trainee``'s paper of ``quiz`` (a :class:`kamcourse.quiz.bank.Quiz`).

    Without shuffling and pools this is position k = item k, options in written order."""
    pools = dict(quiz.pools)
    items = {item.id: item for item in quiz.items}
    out = []
    for slot in paper(quiz.items, pools):
        item_id = slot.candidates[0] if not slot.pool else drawn(quiz.id, slot.pool, slot.candidates,
                                                                 pools[slot.pool], trainee)[slot.index]
        item = items[item_id]
        out.append(position_for(quiz.id, slot, pools, item.type, len(item.options),
                                quiz.shuffle and item.shuffle, trainee))
    return tuple(out)


# ---------------------------------------------------------------- what the trainee sees


def _letters(count: int) -> str:
    return "".join(chr(65 + i) for i in range(count))


def item_markdown(number: int, item: Mapping[str, Any], shown: Sequence[int] | None = None) -> str:
    """An item as the trainee reads it, options in the ``shown`` order (canonical if None)."""
    kind = item["type"]
    options = list(item.get("options") or (("对", "错") if kind == "true_false" else ()))
    if shown is not None:
        options = [options[i] for i in shown]
    listing = "\n".join(f"- **{letter}.** {text}" for letter, text in zip(_letters(len(options)), options))
    head = f"### 第 {number} 题　{KIND_NAMES[kind]}（{float(item['points']):g} 分）\n\n{item['stem']}\n"
    if kind in ("single", "multiple", "true_false"):
        return f"{head}\n{listing}\n"
    if kind == "ordering":
        return f"{head}\n{listing}\n\n（请按先后顺序写出全部 {len(options)} 个字母。）\n"
    if kind == "matching":
        prompts = "\n".join(f"{i}. {text}" for i, text in enumerate(item["prompts"], start=1))
        return f"{head}\n类别：\n\n{listing}\n\n需要归类的项：\n\n{prompts}\n"
    if kind == "numeric":
        unit = f"，单位：{item['unit']}" if item.get("unit") else ""
        return f"{head}\n（请填写一个数字{unit}；允许误差 ±{float(item.get('tolerance', 0)):g}。）\n"
    return head


NO_TRAINEE = ("找不到你的学员编号，无法显示你的题目版本。请在课程服务器上作答，"
              "或使用讲师发给你的个人版本（其中第一个单元写有你的学员编号）。")


def current_trainee(namespace: Mapping[str, Any] | None = None) -> str:
    """The trainee id the notebook knows ('' if none): ``trainee_id`` in the notebook, else
    ``KAMCOURSE_TRAINEE``, else ``JUPYTERHUB_USER``."""
    given = (namespace or {}).get("trainee_id")
    raw = given if isinstance(given, str) and given.strip() else (
        os.environ.get(TRAINEE_ENV) or os.environ.get("JUPYTERHUB_USER") or "")
    return normalise_id(raw) if raw.strip() else ""


def position_markdown(quiz_id: str, number: int, candidates: Sequence[Mapping[str, Any]], trainee: str,
                      *, shuffle: bool, pool: str | None = None, draw: int = 1, index: int = 0) -> str:
    """The markdown of one position of ``trainee``'s paper (what :func:`show_position` shows)."""
    slot = Slot(number, tuple(c["id"] for c in candidates), pool, index)
    chosen_id = slot.candidates[0] if not pool else drawn(quiz_id, pool, slot.candidates, draw, trainee)[index]
    item = next(c for c in candidates if c["id"] == chosen_id)
    count = len(item.get("options") or ())
    position = position_for(quiz_id, slot, {pool: draw} if pool else {}, item["type"], count,
                            shuffle and item.get("shuffle", True), trainee)
    return item_markdown(number, item, position.order if count else None)


def show_position(quiz_id: str, number: int, candidates: Sequence[Mapping[str, Any]], *, shuffle: bool,
                  pool: str | None = None, draw: int = 1, index: int = 0) -> None:
    """The released notebook's question cell: display this trainee's version. Never raises."""
    try:
        trainee = current_trainee(sys._getframe(1).f_globals)
        text = position_markdown(quiz_id, number, candidates, trainee, shuffle=shuffle, pool=pool,
                                 draw=draw, index=index) if trainee else NO_TRAINEE
    except Exception:  # pragma: no cover - the question cell must stay quiet
        text = "题目暂时无法显示，请联系讲师。"
    try:
        from IPython.display import Markdown, display

        display(Markdown(text))
    except ImportError:  # pragma: no cover - outside Jupyter
        print(text)
