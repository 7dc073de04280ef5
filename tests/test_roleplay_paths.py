"""Every path of every shipped scenario, and random visits with typed questions.

The shipped scenarios are small enough to enumerate (a few thousand complete paths each):
every path is played, and its debrief's counts are checked against the path itself, with
the labels read from the YAML file rather than from the engine. Typed questions that find
no move keep the visit at its node, so they are not enumerable; hypothesis mixes them in.
"""

from __future__ import annotations

from collections import Counter

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamcourse.errors import KamcourseError
from kamcourse.roleplay.debrief import debrief
from kamcourse.roleplay.engine import options, start, step
from kamcourse.roleplay.lint import enumerate_paths, lint, path_stats
from kamcourse.roleplay.model import ADVANCE, LOSS, PITCH_LABELS, PREMATURE, Move
from kamcourse.roleplay.scenario import SCENARIO_DIR, load_scenario, scenario_ids
from kamcourse.spin import classify, load_questions

IDS = scenario_ids()


@pytest.fixture(scope="module", params=IDS)
def enumerated(request):
    scenario = load_scenario(request.param)
    raw = yaml.safe_load((SCENARIO_DIR / f"{request.param}.yaml").read_text(encoding="utf-8"))
    yaml_options = {(node_id, o["id"]): o for node_id, node in raw["nodes"].items() for o in node["options"]}
    return scenario, yaml_options, list(enumerate_paths(scenario))


@pytest.mark.parametrize("scenario_id", IDS)
def test_the_linter_passes_every_shipped_scenario(scenario_id):
    assert [str(p) for p in lint(load_scenario(scenario_id))] == []


def test_each_scenario_can_be_won_two_ways_and_lost_two_ways(enumerated):
    scenario, _, paths = enumerated
    stats = path_stats(scenario)
    assert stats.complete and stats.paths == len(paths)
    assert stats.paths == stats.advances + stats.continuations + stats.losses
    wins = {(s.ending, s.explicit) for _, s in paths if scenario.endings[s.ending].kind == ADVANCE}
    losses = {s.ending for _, s in paths if scenario.endings[s.ending].kind == LOSS}
    assert len(wins) >= 2 and len(losses) >= 2
    assert {"out_of_patience", "lost_trust"} <= losses


def test_every_path_ends_and_its_debrief_counts_match_the_path(enumerated):
    scenario, yaml_options, paths = enumerated
    depth = len(scenario.nodes)
    for moves, state in paths:
        assert state.ended and 1 <= state.turn_count <= depth and len(moves) == state.turn_count
        turns = state.turns
        labels = [yaml_options[(t.node, t.option)]["label"] for t in turns]
        assert [t.option for t in turns] == list(moves)
        d = debrief(scenario, state)
        for label, count in Counter(labels).items():
            assert d.count(label) == count, (moves, label)
        assert sum(row.count for row in d.counts if row.label != PREMATURE) == state.turn_count
        explicit_before = [()] + [t.explicit for t in turns[:-1]]
        premature = sum(
            label in PITCH_LABELS
            and (yaml_options[(t.node, t.option)].get("answers") not in before
                 if yaml_options[(t.node, t.option)].get("answers") else not before)
            for label, t, before in zip(labels, turns, explicit_before)
        )
        assert d.count(PREMATURE) == premature, moves
        assert 1 <= d.key_turn <= state.turn_count
        assert len(d.series) == state.turn_count + 1 and d.series[-1].explicit == len(state.explicit)
        assert d.ending.id == state.ending


def test_every_win_rests_on_an_explicit_need_and_no_trap_ever_wins(enumerated):
    scenario, _, paths = enumerated
    for moves, state in paths:
        kind = scenario.endings[state.ending].kind
        labels = {t.label for t in state.turns}
        if kind == ADVANCE:
            assert state.explicit, f"{scenario.id}: {moves} won without an explicit need"
            assert "合规陷阱" not in labels
        if "合规陷阱" in labels:
            assert kind == LOSS and state.turns[-1].label == "合规陷阱"
            assert debrief(scenario, state).laws


# ---------------------------------------------------------------- random visits

QUESTIONS = [q.text for q in load_questions().items] + [
    "贵司一般是每月几号集中付款？",
    "这一年里，我们的服务有没有让您不满意的地方？",
    "降本指标完不成，年底考核会给您带来多大压力？",
    "要是校准证书一周内就能交到您手上，对您有什么好处？",
    "我们的测量机很好用。",
    "",
    "   ",
]

move_strategy = st.one_of(
    st.tuples(st.just("pick"), st.integers(0, 4)),
    st.tuples(st.just("ask"), st.sampled_from(QUESTIONS)),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_id=st.sampled_from(IDS), seed=st.integers(0, 10**6), moves=st.lists(move_strategy, max_size=25))
def test_random_visits_keep_the_rules(scenario_id, seed, moves):
    scenario = load_scenario(scenario_id)
    state = start(scenario, seed)
    played: list[Move] = []
    for kind, value in moves:
        if state.ended:
            break
        offered = options(scenario, state)
        move = Move.pick(offered[value % len(offered)].id) if kind == "pick" else Move.ask(value)
        try:
            after, turn = step(scenario, state, move)
        except KamcourseError:
            assert move.typed and not classify(move.question)  # only blank or non-questions are refused
            continue
        assert 0 <= turn.trust <= 10 and 0 <= turn.patience <= 10
        if move.typed:
            assert turn.label == classify(move.question) and turn.typed
            assert turn.node == state.node
        if not turn.option:
            assert after.node == state.node and turn.patience < state.patience or after.ended
        assert after.explicit <= after.implied and state.explicit <= after.explicit
        state = after
        played.append(move)
    replay = start(scenario, seed)
    for move in played:
        replay, _ = step(scenario, replay, move)
    assert replay == state  # same seed, same moves, same visit
    if state.ended:
        d = debrief(scenario, state)
        assert sum(row.count for row in d.counts if row.label != PREMATURE) == state.turn_count
        assert d.count("S") == sum(t.label == "S" for t in state.turns)


@settings(max_examples=60, deadline=None)
@given(scenario_id=st.sampled_from(IDS), question=st.sampled_from([q for q in QUESTIONS if q.strip()]))
def test_typed_questions_alone_always_end_the_visit(scenario_id, question):
    """Off-script questions cost patience, so a visit of typed questions cannot go on forever."""
    scenario = load_scenario(scenario_id)
    state = start(scenario)
    for _ in range(60):
        if state.ended:
            break
        try:
            state, _ = step(scenario, state, Move.ask(question))
        except KamcourseError:
            return  # not a question: refused every time, nothing happens
    assert state.ended
