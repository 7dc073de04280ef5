"""The scenario linter (``kamcourse roleplay check`` and the tests): graph, paths and text.

:func:`enumerate_paths` plays every sequence of picked options from the start (typed
questions that find no move keep the visit at its node; they are covered by the property
tests, not enumerated). :func:`lint` then checks, on top of what loading checks:

- every node is reachable and the node graph has no cycle, so every path ends;
- at least one path ends in 推进 and one in 失败; the scenario can be won in two ways
  (two different advancing outcomes: ending or explicit needs reached) and lost in two
  (two different 失败 endings); every ending and every case of a move occurs on some path;
- a compliance trap never leads to 推进 and always costs trust or ends the visit; a pitch
  that comes too early never ends the visit with 推进;
- the mix of moves: all four S/P/I/N types, a product statement, a price concession and a
  compliance trap; no node offers only one kind of move;
- every S/P/I/N move is classified as labelled by the typed-question classifier (so a
  typed question of that type and the move agree);
- trainee text follows the course's text rules (:func:`text_problems`): the glossary's
  terms and abbreviations, the running case's facts, the compliance patterns; no reply
  starts with the customer's name (:func:`voice_problems`), since the transcript prints it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from kamcourse import textrules
from kamcourse.glossary import load_glossary
from kamcourse.roleplay.engine import options, resolve, start, step
from kamcourse.roleplay.model import (
    ADVANCE,
    CONTINUATION,
    FFAB_LABELS,
    LABEL_NAMES,
    LOSS,
    PITCH_LABELS,
    PREMATURE,
    SPIN_LABELS,
    Scenario,
    State,
)
from kamcourse.spin import classify
from kamcourse.texts import Text

#: Enumeration stops here and says so (the tests then sample paths instead).
MAX_PATHS = 200_000


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where (file and field) and what, in Chinese."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}：{self.message}"


@dataclass(frozen=True)
class PathStats:
    """How many complete paths (picked options only) a scenario has, by ending kind."""

    paths: int
    advances: int
    continuations: int
    losses: int
    endings: tuple[tuple[str, int], ...]  # ending id -> paths
    shortest: int
    longest: int
    complete: bool  # False when enumeration stopped at MAX_PATHS


def enumerate_paths(scenario: Scenario, seed: int = 0, limit: int = MAX_PATHS) -> Iterator[tuple[tuple[str, ...], State]]:
    """Every complete path of picked options: (option ids, final state), depth first.

    >>> from kamcourse.roleplay.scenario import load_scenario
    >>> moves, state = next(enumerate_paths(load_scenario("haerui_first_article")))
    >>> state.ended, len(moves) == state.turn_count
    (True, True)
    """
    count = 0
    stack: list[tuple[tuple[str, ...], State]] = [((), start(scenario, seed))]
    while stack:
        moves, state = stack.pop()
        if state.ended:
            yield moves, state
            count += 1
            if count >= limit:
                return
            continue
        for option in reversed(options(scenario, state)):
            following, _ = step(scenario, state, option.id)
            stack.append((moves + (option.id,), following))


def path_stats(scenario: Scenario, limit: int = MAX_PATHS) -> PathStats:
    """Counts of :func:`enumerate_paths` (the numbers ``kamcourse roleplay check`` prints)."""
    kinds: Counter[str] = Counter()
    endings: Counter[str] = Counter()
    lengths: list[int] = []
    for _moves, state in enumerate_paths(scenario, limit=limit):
        assert state.ending is not None
        kinds[scenario.endings[state.ending].kind] += 1
        endings[state.ending] += 1
        lengths.append(state.turn_count)
    total = sum(kinds.values())
    return PathStats(
        paths=total,
        advances=kinds[ADVANCE],
        continuations=kinds[CONTINUATION],
        losses=kinds[LOSS],
        endings=tuple(sorted(endings.items())),
        shortest=min(lengths, default=0),
        longest=max(lengths, default=0),
        complete=total < limit,
    )


# ---------------------------------------------------------------- checks


def _edges(scenario: Scenario) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {node_id: set() for node_id in scenario.nodes}
    for node in scenario.nodes.values():
        for option in node.options:
            for outcome in (option.default, *(c.outcome for c in option.cases)):
                if outcome.next:
                    edges[node.id].add(outcome.next)
    return edges


def _cycle(edges: dict[str, set[str]], first: str) -> list[str] | None:
    """A cycle of the node graph as a list of nodes, or None."""
    colour: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = 1
        path.append(node)
        for following in sorted(edges[node]):
            if colour.get(following) == 1:
                return path[path.index(following):] + [following]
            if following not in colour:
                found = visit(following)
                if found:
                    return found
        colour[node] = 2
        path.pop()
        return None

    for node in [first, *sorted(edges)]:
        if node not in colour:
            found = visit(node)
            if found:
                return found
    return None


def _reachable(edges: dict[str, set[str]], first: str) -> set[str]:
    seen, todo = {first}, [first]
    while todo:
        for following in edges[todo.pop()]:
            if following not in seen:
                seen.add(following)
                todo.append(following)
    return seen


def trainee_texts(scenario: Scenario) -> Iterator[tuple[str, str]]:
    """(field, text) of every string a trainee can read in the scenario."""
    c = scenario.customer
    yield from (("title", scenario.title), ("summary", scenario.summary), ("company", scenario.company),
                ("product", scenario.product), ("goal", scenario.goal), ("briefing", scenario.briefing))
    yield from ((f"customer.{k}", v) for k, v in
                (("name", c.name), ("title", c.title), ("role", c.role), ("portrait", c.portrait)))
    for need in scenario.needs:
        yield f"needs.{need.id}.implied", need.implied
        yield f"needs.{need.id}.explicit", need.explicit
    yield from ((f"objections.{k}", v) for k, v in scenario.objections.items())
    yield "order_reaction.match", scenario.order_match
    yield "order_reaction.miss", scenario.order_miss
    yield from ((f"off_script.{k}", v) for k, v in scenario.off_script.items())
    for ending in scenario.endings.values():
        yield f"endings.{ending.id}.title", ending.title
        yield f"endings.{ending.id}.explanation", ending.explanation
    for node in scenario.nodes.values():
        if node.say:
            yield f"nodes.{node.id}.say", node.say
        yield f"nodes.{node.id}.coach", node.coach
        for option in node.options:
            where = f"nodes.{node.id}.{option.id}"
            yield f"{where}.text", option.text
            for i, reply in enumerate(option.default.reply):
                yield f"{where}.reply[{i}]", reply
            for i, reply in enumerate(option.premature_reply):
                yield f"{where}.premature_reply[{i}]", reply
            for j, case in enumerate(option.cases):
                for i, reply in enumerate(case.outcome.reply):
                    yield f"{where}.cases[{j}].reply[{i}]", reply


def text_problems(scenario: Scenario) -> list[Problem]:
    """The course's text rules on every trainee string of the scenario (the same rules the
    course-wide tests apply): no refused glossary variant, Latin words only from the
    glossary, the running case's facts, and no unframed unlawful practice. A compliance
    trap's words are read with the label the trainee sees beside them (【合规陷阱】), as a
    quiz option is read with its item.

    >>> from kamcourse.roleplay.scenario import load_scenario
    >>> text_problems(load_scenario("haerui_first_article"))
    []
    """
    where = f"场景文件“{scenario.source or scenario.id}”的字段 "
    source = scenario.source or scenario.id
    traps = {
        f"nodes.{n.id}.{o.id}.text" for n in scenario.nodes.values() for o in n.options if o.label == "合规陷阱"
    }
    texts = [Text(source, field, text, "data") for field, text in trainee_texts(scenario)]
    framed = [
        Text(t.path, t.where, f"【{LABEL_NAMES['合规陷阱']}】{t.text}", t.kind) if t.where in traps else t for t in texts
    ]
    glossary = load_glossary()
    findings = [
        *textrules.compliance_findings(framed),
        *textrules.latin_findings(texts, glossary),
        *textrules.case_findings(texts, textrules.contacts()),
    ]
    problems = [Problem(where + f.where, f.message) for f in findings]
    for text in texts:
        problems += [Problem(where + text.where, f"用“{hit.term}”，不用“{hit.variant}”") for hit in glossary.variant_hits(text.text)]
    return problems


def customer_lines(scenario: Scenario) -> Iterator[tuple[str, str]]:
    """(field, text) of everything shown after “<customer name>：” in a transcript."""
    yield from ((f"objections.{k}", v) for k, v in scenario.objections.items())
    yield from ((f"off_script.{k}", v) for k, v in scenario.off_script.items())
    for field, text in trainee_texts(scenario):
        if ".reply[" in field or ".premature_reply[" in field:
            yield field, text


def voice_problems(scenario: Scenario) -> list[Problem]:
    """Replies that start with the customer's name: the transcript already prints
    “张伟：” before every reply, so a gesture goes in brackets, e.g. “（点点头）行。”.

    >>> from kamcourse.roleplay.scenario import load_scenario
    >>> voice_problems(load_scenario("haerui_first_article"))
    []
    """
    where = f"场景文件“{scenario.source or scenario.id}”的字段 "
    name = scenario.customer.name
    return [
        Problem(where + field, f"客户的话前面会自动加上“{name}：”，不要再以姓名开头；动作写在括号里，例如“（点点头）行。”")
        for field, text in customer_lines(scenario) if text.startswith(name)
    ]


def lint(scenario: Scenario, limit: int = MAX_PATHS) -> tuple[Problem, ...]:
    """Every problem of a loaded scenario (empty when it is fit to ship)."""
    where = f"场景文件“{scenario.source or scenario.id}”"
    problems: list[Problem] = []

    def add(field: str, message: str) -> None:
        problems.append(Problem(f"{where}的字段 {field}" if field else where, message))

    edges = _edges(scenario)
    for node_id in sorted(set(scenario.nodes) - _reachable(edges, scenario.first)):
        add(f"nodes.{node_id}", "从开场走不到这个节点")
    cycle = _cycle(edges, scenario.first)
    if cycle:
        add("nodes", "节点之间有环（" + " → ".join(cycle) + "），拜访可能永远不结束")
        return tuple(problems)  # the paths cannot be enumerated

    labels = Counter(o.label for n in scenario.nodes.values() for o in n.options)
    for needed in SPIN_LABELS:
        if not labels[needed]:
            add("nodes", f"没有一个标为 {needed} 的提问：四类问题都要有")
    if not any(labels[label] for label in PITCH_LABELS):
        add("nodes", "没有介绍产品的说法（特征、功能、优点、利益或推销）")
    for needed in ("让价", "合规陷阱"):
        if not labels[needed]:
            add("nodes", f"没有标为“{needed}”的说法")
    for node in scenario.nodes.values():
        if len({o.label for o in node.options}) < 2:
            add(f"nodes.{node.id}", "所有说法都是同一类：请混合不同类型的说法")
        for option in node.options:
            if option.label in SPIN_LABELS:
                kind = classify(option.text)
                if kind != option.label:
                    add(f"nodes.{node.id}.{option.id}.text",
                        f"标为 {option.label}，但提问分类器判为 {kind or '不是问题'}：改写问题或改标签")
            if option.label == "合规陷阱":
                for outcome in (option.default, *(c.outcome for c in option.cases)):
                    if not outcome.end and outcome.effects.trust >= 0:
                        add(f"nodes.{node.id}.{option.id}", "合规陷阱必须让客户失去信任（信任下降）或结束拜访")

    problems += text_problems(scenario)
    problems += voice_problems(scenario)

    used_outcomes: set[tuple[str, str, int]] = set()  # (node, option, case index or -1)
    endings: Counter[str] = Counter()
    advance_ways: set[tuple[str, frozenset[str]]] = set()
    count = 0
    for moves, state in enumerate_paths(scenario, limit=limit):
        count += 1
        assert state.ending is not None
        ending = scenario.endings[state.ending]
        endings[state.ending] += 1
        replayed = start(scenario, state.seed)
        for option_id in moves:
            option = scenario.nodes[replayed.node].option(option_id)
            assert option is not None
            outcome = resolve(option, replayed)
            index = next((i for i, c in enumerate(option.cases) if c.outcome is outcome), -1)
            used_outcomes.add((replayed.node, option_id, index))
            replayed, _ = step(scenario, replayed, option_id)
        if ending.kind == ADVANCE:
            advance_ways.add((ending.id, state.explicit))
            traps = [t for t in state.turns if t.label == "合规陷阱"]
            if traps:
                add(f"nodes.{traps[0].node}.{traps[0].option}", f"合规陷阱之后仍然走到了推进结局（路径 {' → '.join(moves)}）")
            last = state.turns[-1]
            if PREMATURE in last.flags:
                add(f"nodes.{last.node}.{last.option}", f"过早推销直接带来了推进结局（路径 {' → '.join(moves)}）")
    if count >= limit:
        add("nodes", f"路径超过 {limit} 条，只检查了前 {limit} 条")

    kinds = Counter(scenario.endings[e].kind for e in endings.elements())
    if not kinds[ADVANCE]:
        add("endings", "没有一条路径走到推进结局")
    if not kinds[LOSS]:
        add("endings", "没有一条路径走到失败结局")
    if len(advance_ways) < 2:
        add("endings", "只有一种赢法：至少要有两种（不同的推进结局，或靠不同的明确需求）")
    losses = {e for e in endings if scenario.endings[e].kind == LOSS}
    if len(losses) < 2:
        add("endings", "只有一种输法：至少要有两个不同的失败结局")
    for ending_id in scenario.endings:
        if ending_id not in endings:
            add(f"endings.{ending_id}", "没有一条路径走到这个结局")
    for node in scenario.nodes.values():
        for option in node.options:
            for index in range(-1, len(option.cases)):
                if (node.id, option.id, index) not in used_outcomes and count < limit:
                    label = "默认结果" if index == -1 else f"cases[{index}]"
                    add(f"nodes.{node.id}.{option.id}", f"{label} 在任何路径上都用不到（条件永远不成立）")
    return tuple(problems)


def ffab_moves(scenario: Scenario) -> int:
    """How many F/F/A/B statements a scenario offers (module 3 points at the ones with most)."""
    return sum(o.label in FFAB_LABELS for n in scenario.nodes.values() for o in n.options)
