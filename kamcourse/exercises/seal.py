"""Sealing: keys and explanations are not readable in plain text in the package.

This is obfuscation, not cryptography: anyone with Python can decode a sealed value. Its
point is that a trainee browsing ``kamcourse/data/exercises/*.yaml`` (or the installed
package) does not read the answers by accident.

A sealed value is the string ``"sealed:v1:"`` followed by the base64 text of the
zlib-compressed JSON of the plain value (any YAML value: a letter string, a list of
labels, a number, a boolean, a paragraph)::

    key: "sealed:v1:eNpTclJCAQA..."

:func:`seal_text` rewrites every plain ``key:`` and ``explanation:`` value of the tasks
in a YAML file's text in place, keeping the rest of the file (comments, layout) as it
was; it is idempotent. :func:`unseal_text` restores readable values for editing. The
loader decodes sealed values transparently (:func:`unseal_value`).
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import yaml

PREFIX = "sealed:v1:"
#: The task fields that are sealed.
SEALED_FIELDS: tuple[str, ...] = ("key", "explanation")


class SealError(ValueError):
    """A value that starts like a sealed value but does not decode."""


def is_sealed(value: Any) -> bool:
    """Whether ``value`` is a sealed string.

    >>> is_sealed(seal_value("B")), is_sealed("B"), is_sealed(None)
    (True, False, False)
    """
    return isinstance(value, str) and value.startswith(PREFIX)


def seal_value(value: Any) -> str:
    """The sealed form of a plain value (deterministic; a sealed value is kept).

    >>> seal_value("B")
    'sealed:v1:eNpTclICAAEPAIc='
    >>> seal_value(seal_value("B")) == seal_value("B")
    True
    """
    if is_sealed(value):
        return value
    packed = zlib.compress(json.dumps(value, ensure_ascii=False).encode("utf-8"), 9)
    return PREFIX + base64.b64encode(packed).decode("ascii")


def unseal_value(value: Any) -> Any:
    """The plain value of a sealed string; any other value is returned as it is.

    >>> unseal_value(seal_value(["背景问题", "暗示问题"]))
    ['背景问题', '暗示问题']
    >>> unseal_value(75.5)
    75.5
    >>> unseal_value("sealed:v1:???")
    Traceback (most recent call last):
    ...
    kamcourse.exercises.seal.SealError: sealed value does not decode (base64/zlib/JSON)
    """
    if not is_sealed(value):
        return value
    try:
        packed = base64.b64decode(value[len(PREFIX):].encode("ascii"), validate=True)
        return json.loads(zlib.decompress(packed).decode("utf-8"))
    except (binascii.Error, zlib.error, UnicodeError, ValueError) as exc:
        raise SealError("sealed value does not decode (base64/zlib/JSON)") from exc


# ---------------------------------------------------------------- rewriting a file's text


@dataclass(frozen=True)
class _Span:
    """Where one task field's value sits in the file's text."""

    task_id: str
    field: str
    start: int  # just after the colon that follows the field name
    end: int  # end of the value, before trailing whitespace and newlines
    indent: int  # column of the field name
    value: Any


def _construct(node: yaml.Node) -> Any:
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def _spans(text: str) -> Iterator[_Span]:
    root = yaml.compose(text)
    if not isinstance(root, yaml.MappingNode):
        return
    for name_node, tasks in root.value:
        if name_node.value != "tasks" or not isinstance(tasks, yaml.SequenceNode):
            continue
        for task in tasks.value:
            if not isinstance(task, yaml.MappingNode):
                continue
            ids = [v.value for k, v in task.value if k.value == "id" and isinstance(v, yaml.ScalarNode)]
            for key_node, value_node in task.value:
                if key_node.value not in SEALED_FIELDS:
                    continue
                colon = text.index(":", key_node.end_mark.index)
                raw = text[value_node.start_mark.index:value_node.end_mark.index]
                end = value_node.start_mark.index + len(raw.rstrip())
                yield _Span(
                    task_id=str(ids[0]) if ids else "?",
                    field=str(key_node.value),
                    start=colon + 1,
                    end=end,
                    indent=key_node.start_mark.column,
                    value=_construct(value_node),
                )


def _rewrite(text: str, render: Callable[[_Span], str | None]) -> str:
    """Replace the values ``render`` returns text for (None keeps a value)."""
    pieces, last = [], 0
    for span in _spans(text):
        new = render(span)
        if new is None:
            continue
        pieces.append(text[last:span.start])
        pieces.append(new)
        last = span.end
    pieces.append(text[last:])
    return "".join(pieces)


def seal_text(text: str) -> str:
    """``text`` with every plain ``key``/``explanation`` value of a task sealed.

    >>> print(seal_text("tasks:\\n  - id: t1\\n    key: B  # the key\\n    hint: 提示\\n"), end="")
    tasks:
      - id: t1
        key: "sealed:v1:eNpTclICAAEPAIc="  # the key
        hint: 提示
    """
    def render(span: _Span) -> str | None:
        if is_sealed(span.value):
            return None
        return " " + json.dumps(seal_value(span.value))

    return _rewrite(text, render)


def unseal_text(text: str) -> str:
    """``text`` with every sealed task value written out plainly again.

    >>> sealed = seal_text("tasks:\\n  - id: t1\\n    explanation: |\\n      第一行\\n      第二行\\n")
    >>> print(unseal_text(sealed), end="")
    tasks:
      - id: t1
        explanation: |
          第一行
          第二行
    """
    def render(span: _Span) -> str | None:
        if not is_sealed(span.value):
            return None
        return _plain(unseal_value(span.value), span.indent)

    result = _rewrite(text, render)
    try:
        same = _task_values(result, decode=True) == _task_values(text, decode=True)
    except yaml.YAMLError:  # e.g. a block scalar inside a flow mapping
        same = False
    if not same:  # JSON strings and lists are valid YAML on one line, anywhere
        result = _rewrite(text, lambda s: " " + json.dumps(unseal_value(s.value), ensure_ascii=False)
                          if is_sealed(s.value) else None)
    return result


def _task_values(text: str, decode: bool = False) -> dict[tuple[str, str], Any]:
    """(task id, field) -> value of the sealed fields, read as YAML data."""
    data = yaml.safe_load(text)
    found: dict[tuple[str, str], Any] = {}
    tasks = data.get("tasks") if isinstance(data, dict) else None
    for task in tasks if isinstance(tasks, list) else []:
        if not isinstance(task, dict):
            continue
        for name in SEALED_FIELDS:
            if name in task:
                value = task[name]
                found[(str(task.get("id", "?")), name)] = unseal_value(value) if decode else value
    return found


def _plain(value: Any, indent: int) -> str:
    """YAML text for ``value`` after ``field:`` (leading space included)."""
    if isinstance(value, str) and "\n" in value.rstrip("\n") and not value.startswith((" ", "\t")):
        body = value[:-1] if value.endswith("\n") else value
        chomp = "" if value.endswith("\n") and not value.endswith("\n\n") else ("-" if not value.endswith("\n") else None)
        if chomp is not None and "\t" not in value and all(line == line.rstrip(" ") for line in body.split("\n")):
            pad = " " * (indent + 2)
            lines = "\n".join(pad + line if line else "" for line in body.split("\n"))
            return f" |{chomp}\n{lines}"
    flow = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**9, sort_keys=False)
    flow = flow.removesuffix("\n...\n").rstrip("\n")
    if "\n" not in flow and yaml.safe_load(flow) == value:
        return " " + flow
    return " " + json.dumps(value, ensure_ascii=False)


def plain_values(text: str) -> list[tuple[str, str]]:
    """(task id, field) of every ``key``/``explanation`` left unsealed in ``text``.

    >>> plain_values("tasks:\\n  - id: t1\\n    key: B\\n    explanation: 因为……\\n")
    [('t1', 'key'), ('t1', 'explanation')]
    >>> plain_values(seal_text("tasks:\\n  - id: t1\\n    key: B\\n"))
    []
    """
    return [pair for pair, value in _task_values(text).items() if not is_sealed(value)]
