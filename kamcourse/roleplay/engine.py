"""The role-play engine: ``step(scenario, state, move) -> (state, turn)``, pure and seeded.

A visit starts with :func:`start` and moves on one :class:`~kamcourse.roleplay.model.Move`
at a time. The scenario says what each move does (reply, effects, where it leads, with
cases that depend on the hidden state); the engine adds the rules every scenario shares:

- **Pitching too early** (过早推销): talking about the product (特征, 功能, 优点, 利益,
  推销) before the customer has stated an explicit need (for a benefit that ``answers``
  one need: before that need is stated) does not count as the move the trainee meant:
  the customer objects (the option's ``premature_reply`` or the scenario's
  ``objections.premature``), trust -1, patience -1, and the objection stays open.
  Rackham (SPIN Selling, ch. 6): solutions offered before the need is developed draw
  objections.
- **Too many 背景问题**: every S question costs 1 patience; beyond the customer's
  tolerance (:data:`S_TOLERANCE`, the course's rule after the seed's portraits: 鹰 is
  impatient with detail, 狐 grows suspicious, 驴 and 羊 bear facts) each costs 2.
- **The order of 听问说** (the seed's 次序技术): the opening move is compared with the
  customer's type (鹰 听问说, 驴/羊 说问听, 狐 问听说, :data:`kamcourse.spin.ORDERS`):
  the right first act earns trust +1 and the scenario's ``order_reaction.match``, the
  wrong one trust -1 and ``order_reaction.miss``. A first move the customer takes badly
  (it costs trust: a premature pitch, an early concession, running down a competitor, a
  threat) or a typed question that finds no move is never the right order, whatever its act.
- **A typed question** is classified (:func:`kamcourse.spin.classify_question`)
  and plays the node's option of that type closest in wording (:func:`closest`: shared
  terms, the first such option on a tie), so that a question about the
  measuring programs gets the answer about programs, not about waiting; with none of that
  type, the customer answers in a word (``off_script``), patience -1, and the visit stays
  at the node.
- **Endings**: the move's own ``end``; otherwise trust at 0 ends the visit (``lost_trust``),
  patience at 0 too (``out_of_patience``).

Randomness only picks among a reply's variants, from a generator seeded with the
scenario, the seed and the turn: the same seed and moves give the same transcript, and
the outcome never depends on the seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import replace

from kamcourse.errors import KamcourseError
from kamcourse.ffab import shared_terms
from kamcourse.roleplay.model import (
    LOST_TRUST,
    MAX_LEVEL,
    MIN_LEVEL,
    OFF_SCRIPT,
    ORDER_MATCH,
    ORDER_MISS,
    OUT_OF_PATIENCE,
    PITCH_LABELS,
    PREMATURE,
    TOO_MANY_S,
    TYPED,
    Condition,
    Effects,
    Move,
    Node,
    Option,
    Outcome,
    Scenario,
    State,
    Turn,
)
from kamcourse.spin import ORDERS, QuestionClass, classify_question

#: How many 背景问题 a customer of each type takes before each one costs double patience.
S_TOLERANCE: dict[str, int] = {"鹰": 1, "狐": 2, "驴": 3, "羊": 3}
PREMATURE_OBJECTION = "premature"
#: Longest typed question taken (longer text is refused, not cut).
MAX_QUESTION_CHARS = 200
QUESTION_FIELD = "你的问题"


def clean_question(text: object) -> str:
    """The typed question, trimmed; empty or overlong text is refused in Chinese.

    >>> clean_question("  贵厂有几台测量机？ ")
    '贵厂有几台测量机？'
    >>> clean_question("   ")
    Traceback (most recent call last):
    ...
    kamcourse.errors.KamcourseError: 你的问题：还没有输入，请先写一个问题再提问
    """
    value = "" if text is None else str(text).strip()
    if not value:
        raise KamcourseError(QUESTION_FIELD, "还没有输入，请先写一个问题再提问")
    if len(value) > MAX_QUESTION_CHARS:
        raise KamcourseError(
            QUESTION_FIELD, f"太长了（{len(value)} 个字），请控制在 {MAX_QUESTION_CHARS} 个字以内，一次只问一个问题"
        )
    return value


def start(scenario: Scenario, seed: int = 0) -> State:
    """The state at the door: the scenario's first node, trust and patience.

    >>> from kamcourse.roleplay.scenario import load_scenario
    >>> s = start(load_scenario("haerui_first_article"), seed=7)
    >>> s.node, s.turn_count, s.ended
    ('open', 0, False)
    """
    return State(scenario.id, int(seed), scenario.first, scenario.trust, scenario.patience)


def current_node(scenario: Scenario, state: State) -> Node:
    return scenario.nodes[state.node]


def options(scenario: Scenario, state: State) -> tuple[Option, ...]:
    """What the trainee can say now (nothing once the visit is over)."""
    return () if state.ended else current_node(scenario, state).options


def holds(condition: Condition, state: State) -> bool:
    """Whether the state meets every part of the condition.

    >>> from kamcourse.roleplay.model import State
    >>> s = State("x", 0, "n", trust=6, patience=3, explicit=frozenset({"wait"}))
    >>> holds(Condition(explicit=("wait",), trust_min=6), s), holds(Condition(explicit_any=False), s)
    (True, False)
    """
    c = condition
    return (
        all(n in state.explicit for n in c.explicit)
        and all(n in state.implied for n in c.implied)
        and (c.explicit_any is None or bool(state.explicit) == c.explicit_any)
        and (c.trust_min is None or state.trust >= c.trust_min)
        and (c.trust_max is None or state.trust <= c.trust_max)
        and all(o in state.open_objections for o in c.objections)
        and (not c.no_objections or not state.open_objections)
    )


def resolve(option: Option, state: State) -> Outcome:
    """The outcome of ``option`` in ``state``: its first case that holds, else its default."""
    return next((case.outcome for case in option.cases if holds(case.when, state)), option.default)


def is_premature(option: Option, state: State) -> bool:
    """A product statement before the explicit need it should answer has been stated."""
    if option.label not in PITCH_LABELS:
        return False
    if option.answers:
        return option.answers not in state.explicit
    return not state.explicit


def _clamp(value: int) -> int:
    return max(MIN_LEVEL, min(MAX_LEVEL, value))


def _ordered(scenario: Scenario, ids: Iterable[str]) -> tuple[str, ...]:
    wanted = set(ids)
    return tuple(n.id for n in scenario.needs if n.id in wanted)


def closest(text: str, candidates: Iterable[Option]) -> Option | None:
    """The candidate whose wording shares most with ``text`` (total length of the terms
    :func:`kamcourse.ffab.shared_terms` finds); the first one on a tie, None when there are none.

    >>> from kamcourse.roleplay.scenario import load_scenario
    >>> node = load_scenario("haerui_first_article").nodes["situation"]
    >>> problems = [o for o in node.options if o.label == "P"]
    >>> closest("测量程序现在谁在编？", problems).id, closest("首件要等多久？", problems).id
    ('ask_programming', 'ask_wait')
    """
    best: Option | None = None
    best_score = -1
    for option in candidates:
        score = sum(len(term) for term in shared_terms(text, option.text))
        if score > best_score:
            best, best_score = option, score
    return best


def _choose_option(scenario: Scenario, state: State, move: Move) -> tuple[Option | None, str, QuestionClass | None]:
    node = current_node(scenario, state)
    if not move.typed:
        option = node.option(move.option)
        if option is None:
            raise KamcourseError("说法", f"“{move.option}”不是此刻可以选的说法，请从列出的说法中选一句")
        return option, option.text, None
    text = clean_question(move.question)
    classification = classify_question(text)
    if not classification.code:
        raise KamcourseError(QUESTION_FIELD, classification.reason + "也可以从列出的说法中选一句。")
    option = closest(text, (o for o in node.options if o.label == classification.code))
    return option, text, classification


def step(scenario: Scenario, state: State, move: Move | str) -> tuple[State, Turn]:
    """Play one move; return the new state and the turn (with the customer's reply).

    ``move`` is a :class:`Move` or an option id. Bad moves (the visit is over, an option
    that is not offered, an empty or non-question typed text) raise
    :class:`KamcourseError` in Chinese and leave ``state`` as it was.

    >>> from kamcourse.roleplay.scenario import load_scenario
    >>> sc = load_scenario("haerui_first_article")
    >>> state, turn = step(sc, start(sc), "agenda")
    >>> turn.label, turn.flags, state.trust
    ('开场', ('次序对路',), 5)
    >>> state, turn = step(sc, state, Move.ask("首件送检以后要等多久？产线等得起吗？"))
    >>> turn.label, turn.typed, turn.implied
    ('P', True, ('wait',))
    """
    if state.ended:
        raise KamcourseError("本次拜访", "已经结束，请重新开始一次拜访")
    if state.scenario != scenario.id:
        raise KamcourseError("场景", f"这次拜访属于另一个场景（{state.scenario}）")
    move = Move.pick(move) if isinstance(move, str) else move
    option, said, classification = _choose_option(scenario, state, move)
    number = state.turn_count + 1
    flags: list[str] = [TYPED] if move.typed else []

    if option is None:  # a typed question with no move of its type here
        assert classification is not None
        label, act = classification.code, "问"
        outcome = Outcome((scenario.off_script[label],), Effects(patience=-1), next=state.node)
        flags.append(OFF_SCRIPT)
    else:
        label, act = option.label, option.act
        outcome = resolve(option, state)
        if is_premature(option, state):
            flags.append(PREMATURE)
            reply = option.premature_reply or (scenario.objections[PREMATURE_OBJECTION],)
            outcome = replace(outcome, reply=reply, effects=Effects(trust=-1, patience=-1, raises=(PREMATURE_OBJECTION,)))

    rng = random.Random(f"{scenario.id}:{state.seed}:{number}")
    reply = rng.choice(outcome.reply)
    effects = outcome.effects
    trust_delta, patience_delta = effects.trust, effects.patience

    if label == "S":
        asked = 1 + sum(t.label == "S" for t in state.turns)
        patience_delta -= 1
        if asked > S_TOLERANCE[scenario.customer.personality]:
            patience_delta -= 1
            flags.append(TOO_MANY_S)

    if number == 1:
        expected = ORDERS[scenario.customer.personality][0]
        # The order is about how the visit opens, not any move of the right act: a move that
        # costs trust (a premature pitch included) or misses the moment is the wrong opening.
        if act == expected and effects.trust >= 0 and OFF_SCRIPT not in flags:
            trust_delta += 1
            flags.append(ORDER_MATCH)
            reply = f"{reply}{scenario.order_match}"
        else:
            trust_delta -= 1
            flags.append(ORDER_MISS)
            reply = f"{reply}{scenario.order_miss}"

    trust = _clamp(state.trust + trust_delta)
    patience = _clamp(state.patience + patience_delta)
    implied = state.implied | set(effects.uncovers) | set(effects.states)
    explicit = state.explicit | set(effects.states)
    open_objections = tuple(o for o in state.open_objections if o not in effects.resolves)
    open_objections += tuple(o for o in dict.fromkeys(effects.raises) if o not in open_objections)
    raised = state.raised + tuple(effects.raises)

    if outcome.end:
        ending, node = outcome.end, state.node
    elif trust <= MIN_LEVEL:
        ending, node = LOST_TRUST, state.node
    elif patience <= MIN_LEVEL:
        ending, node = OUT_OF_PATIENCE, state.node
    else:
        ending, node = None, outcome.next or state.node

    turn = Turn(
        number=number,
        node=state.node,
        option=option.id if option else "",
        said=said,
        typed=move.typed,
        label=label,
        act=act,
        flags=tuple(flags),
        reply=reply,
        trust=trust,
        patience=patience,
        implied=_ordered(scenario, implied),
        explicit=_ordered(scenario, explicit),
        open_objections=open_objections,
        classification=classification.reason if classification else "",
        ending=ending,
    )
    new_state = replace(
        state,
        node=node,
        trust=trust,
        patience=patience,
        implied=frozenset(implied),
        explicit=frozenset(explicit),
        open_objections=open_objections,
        raised=raised,
        turns=state.turns + (turn,),
        ending=ending,
    )
    return new_state, turn


def play(scenario: Scenario, moves: Iterable[Move | str], seed: int = 0) -> State:
    """The state after playing ``moves`` from the start (raises on an illegal move)."""
    state = start(scenario, seed)
    for move in moves:
        state, _ = step(scenario, state, move)
    return state
