"""销售对练: a conversation simulator for SPIN and FFAB practice.

A scenario (YAML data, :mod:`.scenario`) is one customer visit; the engine (:mod:`.engine`)
plays it one move at a time, ``step(scenario, state, move) -> (state, turn)``; the
debrief (:mod:`.debrief`) explains the visit afterwards; the linter (:mod:`.lint`) checks
every scenario; :mod:`.transcript` saves and replays visits, :mod:`.classroom` builds the
facilitator's class debrief, :mod:`.progress` keeps the trainee's finished visits.
The widget is :mod:`kamcourse.views.roleplay`.

>>> from kamcourse.roleplay import load_scenario, start, step, debrief
>>> sc = load_scenario("haerui_first_article")
>>> state = start(sc, seed=1)
>>> for option in ["agenda", "ask_wait", "implication_wait", "payoff_wait", "benefit_wait", "propose_trial"]:
...     state, turn = step(sc, state, option)
>>> debrief(sc, state).ending.title
'约定现场试测'
"""

from kamcourse.roleplay.debrief import Debrief, debrief, debrief_text
from kamcourse.roleplay.engine import options, play, start, step
from kamcourse.roleplay.model import Move, Scenario, State, Turn
from kamcourse.roleplay.scenario import ScenarioError, load_scenario, load_scenarios, scenario_ids

__all__ = [
    "Debrief", "Move", "Scenario", "ScenarioError", "State", "Turn",
    "debrief", "debrief_text", "load_scenario", "load_scenarios", "options", "play", "scenario_ids", "start", "step",
]
