"""销售对练: loading and validation, the engine's rules, the debrief, saved transcripts,
the progress store, the class export and the ``kamcourse roleplay`` commands.

Paths through every shipped scenario: tests/test_roleplay_paths.py; the widget:
tests/test_roleplay_view.py; the dashboard in Chromium: tests/test_roleplay_browser.py.
"""

from __future__ import annotations

import copy
import json
import re

import pytest
import yaml

from kamcourse import dso, exercises, segmentation
from kamcourse.cli import main
from kamcourse.errors import KamcourseError
from kamcourse.roleplay import classroom, progress, transcript
from kamcourse.roleplay.debrief import LAW_TEXT, debrief, debrief_text
from kamcourse.roleplay.engine import S_TOLERANCE, options, play, resolve, start, step
from kamcourse.roleplay.lint import lint
from kamcourse.roleplay.model import (
    ORDER_MATCH, ORDER_MISS, PITCH_LABELS, PREMATURE, TOO_MANY_S, Move,
)
from kamcourse.roleplay.scenario import (
    SCENARIO_DIR, ScenarioError, load_scenario, load_scenarios, parse_scenario, read_scenario_text, scenario_ids,
)
from kamcourse.spin import ORDERS, classify

pytestmark = pytest.mark.usefixtures("progress_home")

HAERUI = "haerui_first_article"
WIN = ["agenda", "ask_wait", "implication_wait", "payoff_wait", "benefit_wait", "propose_trial"]


def raw(scenario_id: str = HAERUI) -> dict:
    return yaml.safe_load((SCENARIO_DIR / f"{scenario_id}.yaml").read_text(encoding="utf-8"))


def option_of(data: dict, node: str, option_id: str) -> dict:
    return next(o for o in data["nodes"][node]["options"] if o["id"] == option_id)


# ---------------------------------------------------------------- loading


def test_five_scenarios_ship_in_order_one_per_course_topic():
    assert scenario_ids() == (
        "haerui_first_article", "xinyuan_defense", "zhaolei_price", "wang_trust", "liufang_receivables",
    )
    scenarios = {s.id: s for s in load_scenarios()}
    assert {s.customer.personality for s in scenarios.values()} == {"鹰", "驴", "羊", "狐"}
    assert scenarios["zhaolei_price"].customer.personality == "狐"
    assert (scenarios["wang_trust"].customer.stage, scenarios["wang_trust"].module) == ("约会", 5)
    assert scenarios["liufang_receivables"].module == 6 and "DSO" in scenarios["liufang_receivables"].briefing
    assert scenarios["xinyuan_defense"].module == 2


def _drop(key):
    return lambda d: d.pop(key)


def _set(path, value):
    def change(d):
        target = d
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    return change


def _option(node, index, **changes):
    def change(d):
        option = d["nodes"][node]["options"][index]
        for key, value in changes.items():
            if value is None:
                option.pop(key, None)
            else:
                option[key] = value
    return change


BAD_FILES = [
    ("missing title", _drop("title"), "场景文件“bad.yaml”", "缺少字段 title"),
    ("unknown label", _option("open", 0, label="Q"), "nodes.open.options[0].label", "只能是 S、P、I、N"),
    ("next to nowhere", _option("open", 0, next="nowhere"), "nodes.open.options[0].next", "没有名为“nowhere”的节点"),
    ("end unknown", _option("open", 0, next=None, end="nope"), "nodes.open.options[0].end", "没有名为“nope”的结局"),
    ("next and end", _option("open", 0, end="polite"), "nodes.open.options[0]", "去向不明"),
    ("neither", _option("open", 0, next=None), "nodes.open.options[0]", "去向不明"),
    ("unknown need", _option("situation", 1, effects={"uncovers": ["ghost"]}),
     "nodes.situation.options[1].effects.uncovers[0]", "没有名为“ghost”的需求"),
    ("unknown objection", _option("situation", 1, effects={"raises": ["angry"]}),
     "nodes.situation.options[1].effects.raises[0]", "没有名为“angry”的异议"),
    ("trap without law", _option("problem", 3, law=None), "nodes.problem.options[3].law", "合规陷阱必须写明涉及的法律"),
    ("law on a question", _option("open", 1, law="bribery"), "nodes.open.options[1].law", "只有标为“合规陷阱”"),
    ("answers on a question", _option("open", 1, answers="wait"), "nodes.open.options[1].answers", "只用于介绍产品"),
    ("two options", lambda d: d["nodes"]["open"]["options"].pop(), "nodes.open.options", "至少要有 3 项，现在只有 3 项"),
    ("unknown key", _option("open", 0, colour="red"), "nodes.open.options[0]", "有未知的字段 colour"),
    ("trust too high", _set(["start", "trust"], 11), "start.trust", "不能大于 10"),
    ("unknown type", _set(["customer", "personality"], "虎"), "customer.personality", "只能是 鹰、驴、羊、狐 之一"),
    ("bad node id", lambda d: d["nodes"].update({"Bad Node": d["nodes"]["close"]}), "nodes", "编号只用小写英文字母"),
    ("first missing", _set(["first"], "lobby"), "first", "没有名为“lobby”的节点"),
    ("empty text", _option("open", 0, text=""), "nodes.open.options[0].text", "不能为空"),
]


@pytest.mark.parametrize("name, change, field, problem", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_scenario_file_is_refused_naming_the_file_and_field(name, change, field, problem):
    data = raw()
    if name == "two options":
        for _ in range(2):
            data["nodes"]["open"]["options"].pop()
        problem = "至少要有 3 项，现在只有 2 项"
    else:
        change(data)
    with pytest.raises(ScenarioError) as err:
        parse_scenario(data, "bad.yaml")
    assert field in err.value.field and "bad.yaml" in err.value.field
    assert problem in err.value.problem


def test_the_id_must_match_the_file_name_and_broken_yaml_names_the_line():
    with pytest.raises(ScenarioError, match="应与文件名“other”一致"):
        parse_scenario(raw(), "other.yaml")
    with pytest.raises(ScenarioError, match=r"场景文件“x.yaml”：第 2 行格式有误"):
        read_scenario_text("id: x\n  title: [\n", "x.yaml")
    with pytest.raises(ScenarioError, match="没有编号为“../etc”的场景"):
        load_scenario("../etc")


# ---------------------------------------------------------------- the linter can fail


def _lint_messages(data: dict) -> str:
    return "\n".join(str(p) for p in lint(parse_scenario(data, f"{data['id']}.yaml")))


def _add_orphan(d):
    d["nodes"]["orphan"] = copy.deepcopy(d["nodes"]["close"])


def _make_cycle(d):
    leave = option_of(d, "close", "leave_brochure")
    leave.pop("end")
    leave["next"] = "open"


def _no_advance(d):
    for ending in d["endings"].values():
        if ending["kind"] == "推进":
            ending["kind"] = "继续"


def _trap_wins(d):
    option_of(d, "present", "gift_card")["end"] = "trial"


def _english(d):
    option_of(d, "open", "agenda")["text"] = "张经理，我们的 feature 很多，可以吗？"


def _refused_term(d):
    d["nodes"]["open"]["coach"] = "先了解客户的特点。"


def _mislabelled(d):
    option_of(d, "situation", "ask_volume")["label"] = "I"


def _dead_case(d):
    option_of(d, "close", "leave_brochure")["cases"] = [{"when": {"trust_max": 0}, "reply": "好。", "end": "polite"}]


def _no_trap(d):
    for node in d["nodes"].values():
        for option in node["options"]:
            if option["label"] == "合规陷阱":
                option["label"] = "推销"
                option.pop("law")


def _reply_with_name(d):
    option_of(d, "open", "agenda")["reply"] = "张伟点点头：“你问吧。”"


LINT_FAILURES = [
    ("unreachable node", _add_orphan, "从开场走不到这个节点"),
    ("reply starting with the customer's name", _reply_with_name, "不要再以姓名开头"),
    ("cycle", _make_cycle, "节点之间有环"),
    ("no advance", _no_advance, "没有一条路径走到推进结局"),
    ("trap wins", _trap_wins, "合规陷阱之后仍然走到了推进结局"),
    ("English word", _english, "feature"),
    ("refused term", _refused_term, "用“特征”，不用“特点”"),
    ("label the classifier disagrees with", _mislabelled, "标为 I，但提问分类器判为 S"),
    ("case that never applies", _dead_case, "cases[0] 在任何路径上都用不到"),
    ("no compliance trap", _no_trap, "没有标为“合规陷阱”的说法"),
]


@pytest.mark.parametrize("name, change, expected", LINT_FAILURES, ids=[f[0] for f in LINT_FAILURES])
def test_the_linter_finds_what_is_wrong(name, change, expected):
    data = raw()
    assert _lint_messages(copy.deepcopy(data)) == ""
    change(data)
    assert expected in _lint_messages(data)


# ---------------------------------------------------------------- the engine's rules


@pytest.mark.parametrize(
    "scenario_id, option_id",
    [(s.id, o.id) for s in load_scenarios() for o in s.nodes[s.first].options],
)
def test_the_opening_move_is_judged_against_the_customers_order(scenario_id, option_id):
    sc = load_scenario(scenario_id)
    first = start(sc)
    option = sc.nodes[sc.first].option(option_id)
    state, turn = step(sc, first, option_id)
    premature = option.label in PITCH_LABELS
    authored = -1 if premature else resolve(option, first).effects.trust
    # the right act is the right order only for a move the customer does not resent
    match = option.act == ORDERS[sc.customer.personality][0] and authored >= 0
    assert (ORDER_MATCH if match else ORDER_MISS) in turn.flags
    assert turn.trust == max(0, min(10, sc.trust + authored + (1 if match else -1)))
    reaction = sc.order_match if match else sc.order_miss
    assert turn.reply.endswith(reaction)


def test_an_opening_the_customer_resents_is_the_wrong_order_even_with_the_right_act():
    sc = load_scenario("xinyuan_defense")  # 羊: 说问听, and a concession is said
    assert ORDERS[sc.customer.personality][0] == "说" == sc.nodes["open"].option("match_price").act
    _, turn = step(sc, start(sc), "match_price")
    assert ORDER_MISS in turn.flags and turn.reply.endswith(sc.order_miss) and sc.order_match not in turn.reply
    assert turn.trust == sc.trust - 2 and turn.open_objections == ("price_doubt",)
    fox = load_scenario("zhaolei_price")  # 狐: 问听说, but a question that finds no move misses the moment
    text = "价格压不下来，您这边最为难的是什么？"
    assert classify(text) == "P" and not [o for o in fox.nodes["open"].options if o.label == "P"]
    _, typed = step(fox, start(fox), Move.ask(text))
    assert "没有对应的说法" in typed.flags and ORDER_MISS in typed.flags and typed.trust == fox.trust - 1


def test_running_down_a_competitor_costs_trust_and_the_debrief_says_why():
    sc = load_scenario("xinyuan_defense")
    state = play(sc, ["calm_open", "ask_dissatisfied", "implication_downtime", "payoff_response", "benefit_response",
                      "badmouth_late"])
    d = debrief(sc, state)
    assert (state.ending, d.key_turn, d.count("贬低对手")) == ("lost_trust", 6, 1)
    assert "不说对手的坏话" in d.key_reason and "不轻视对手" in debrief_text(d)
    assert PREMATURE not in state.turns[-1].flags  # running down a rival is not a product pitch


def test_a_pitch_before_an_explicit_need_raises_an_objection_and_a_benefit_after_it_does_not():
    sc = load_scenario(HAERUI)
    state, turn = step(sc, start(sc), "pitch_jm500")
    assert PREMATURE in turn.flags and turn.open_objections == ("premature",)
    assert turn.reply.startswith(sc.objections["premature"])
    assert (turn.trust, turn.patience) == (sc.trust - 2, sc.patience - 1)  # objection and the wrong opening
    for move in ["ask_wait", "implication_wait", "payoff_wait"]:
        state, turn = step(sc, state, move)
    assert turn.explicit == ("wait",)
    before = state.trust
    state, turn = step(sc, state, "benefit_wait")
    assert PREMATURE not in turn.flags and turn.open_objections == ()
    assert turn.trust == before + 2


def test_a_benefit_for_a_need_not_yet_stated_is_premature_even_when_another_need_is():
    sc = load_scenario(HAERUI)
    state = play(sc, ["agenda", "ask_programming", "implication_newcomer", "payoff_newcomer"])
    assert state.explicit == {"newcomer"}
    _, turn = step(sc, state, "benefit_wait")
    assert PREMATURE in turn.flags
    assert turn.reply.startswith("我什么时候说过要压到 10 分钟以内？")  # the customer never said it
    _, turn = step(sc, state, "benefit_newcomer")
    assert PREMATURE not in turn.flags


def test_background_questions_beyond_the_customers_tolerance_cost_double_patience():
    sc = load_scenario("wang_trust")  # 鹰: one background question is enough
    assert S_TOLERANCE["鹰"] == 1
    state, first = step(sc, start(sc), "ask_plan")
    state, second = step(sc, state, "ask_output")
    assert TOO_MANY_S not in first.flags and TOO_MANY_S in second.flags
    assert (sc.patience - first.patience, first.patience - second.patience) == (1, 2)
    state, third = step(sc, state, "ask_suppliers")
    assert state.ending == "out_of_patience" and third.patience == 0


def test_a_typed_question_plays_the_nodes_move_of_its_type():
    sc = load_scenario(HAERUI)
    state, _ = step(sc, start(sc), "agenda")
    text = "首件送到计量室，一般要等多久？产线等得起吗？"
    assert classify(text) == "P"
    after, turn = step(sc, state, Move.ask(f"  {text} "))
    assert (turn.option, turn.label, turn.said, turn.typed) == ("ask_wait", "P", text, True)
    assert "等得起" in turn.classification and after.node == "problem"
    assert turn.implied == ("wait",)


def test_a_typed_question_plays_the_move_of_its_type_closest_in_wording():
    sc = load_scenario(HAERUI)
    state, _ = step(sc, start(sc), "agenda")
    text = "会编测量程序的人够不够？"
    assert classify(text) == "P"
    after, turn = step(sc, state, Move.ask(text))
    assert (turn.option, turn.label) == ("ask_programming", "P")  # not the node's first P move, ask_wait
    assert turn.implied == ("newcomer",) and "老师傅" in turn.reply


def test_a_typed_question_with_no_move_of_its_type_stays_and_costs_patience():
    sc = load_scenario(HAERUI)
    first = start(sc)
    text = "产线停下来等检测结果，每班会少出多少产量？"
    assert classify(text) == "I" and not [o for o in sc.nodes["open"].options if o.label == "I"]
    state, turn = step(sc, first, Move.ask(text))
    assert (turn.option, turn.label, state.node) == ("", "I", "open")
    assert turn.reply.startswith(sc.off_script["I"])
    assert turn.patience == sc.patience - 1 and "没有对应的说法" in turn.flags


@pytest.mark.parametrize("move, message", [
    (Move.ask(""), "你的问题：还没有输入"),
    (Move.ask("   "), "你的问题：还没有输入"),
    (Move.ask("我们的测量机很好。"), "这还不是一个问题"),
    (Move.ask("吗" * 201), "太长了（201 个字）"),
    (Move.pick("ask_budget"), "“ask_budget”不是此刻可以选的说法"),
    (Move.pick("<script>"), "不是此刻可以选的说法"),
])
def test_bad_moves_are_refused_in_chinese_and_change_nothing(move, message):
    sc = load_scenario(HAERUI)
    state = start(sc)
    with pytest.raises(KamcourseError, match=re.escape(message)):
        step(sc, state, move)
    assert state == start(sc)


def test_a_finished_visit_and_a_state_of_another_scenario_are_refused():
    sc = load_scenario(HAERUI)
    done = play(sc, ["agenda", "ask_wait", "competitor_quote"])
    assert done.ending == "lost_confidential" and options(sc, done) == ()
    with pytest.raises(KamcourseError, match="已经结束"):
        step(sc, done, "agenda")
    with pytest.raises(KamcourseError, match="另一个场景"):
        step(load_scenario("wang_trust"), start(sc), "listen_first")


def test_the_seed_picks_the_wording_and_never_the_outcome():
    data = raw()
    variants = [f"第 {i} 种说法：行，你问吧。" for i in range(6)]
    option_of(data, "open", "agenda")["reply"] = variants
    sc = parse_scenario(data, f"{HAERUI}.yaml")
    runs = {seed: play(sc, WIN, seed=seed) for seed in range(20)}
    assert play(sc, WIN, seed=7).turns == runs[7].turns  # same seed, same moves: same transcript
    first_replies = {state.turns[0].reply for state in runs.values()}
    assert len(first_replies) > 1 and all(r.split("（")[0] in variants for r in first_replies)
    assert {(s.ending, s.trust, s.patience) for s in runs.values()} == {(runs[0].ending, runs[0].trust, runs[0].patience)}


# ---------------------------------------------------------------- the debrief


def test_the_debrief_of_a_win_names_the_turn_the_explicit_need_was_stated():
    sc = load_scenario(HAERUI)
    d = debrief(sc, play(sc, WIN))
    assert (d.ending.kind, d.ending.title, d.key_turn) == ("推进", "约定现场试测", 4)
    assert "首件检测必须压到 10 分钟以内" in d.key_reason
    assert [d.count(label) for label in ("S", "P", "I", "N", "利益", "开场", "获取承诺", PREMATURE)] == [0, 1, 1, 1, 1, 1, 1, 0]
    assert d.explicit == ("首件检测必须压到 10 分钟以内。",) and d.needs_total == 2
    assert [p.trust for p in d.series] == [4, 5, 6, 7, 8, 10, 10]
    assert d.laws == ()
    text = debrief_text(d)
    assert "4. 【需求-效益问题 N】你：如果首件检测在产线旁边 10 分钟以内就能出结果" in text
    assert "《销售巨人》（英文原名 SPIN Selling" in text and "赢在第 4 轮" in text


@pytest.mark.parametrize("moves, law, phrase", [
    (["agenda", "ask_wait", "competitor_quote"], "trade_secret", "《反不正当竞争法》关于商业秘密的规定"),
    (["agenda", "ask_wait", "implication_wait", "payoff_wait", "gift_card"], "bribery", "第八条"),
])
def test_a_compliance_trap_loses_the_visit_and_the_debrief_explains_the_law(moves, law, phrase):
    sc = load_scenario(HAERUI)
    d = debrief(sc, play(sc, moves))
    assert d.ending.kind == "失败" and d.key_turn == len(moves)
    assert d.laws and d.laws[0][1] == LAW_TEXT[law] and phrase in d.laws[0][1]
    assert "法律说明" in debrief_text(d)


def test_a_loss_the_last_move_caused_by_itself_turns_on_that_move():
    sc = load_scenario("liufang_receivables")
    moves = ["explain_data", "ask_stuck", "ask_terms", "pitch_crm", "benefit_matching", "threaten_stop"]
    d = debrief(sc, play(sc, moves))
    assert (d.ending.id, d.key_turn) == ("lost_pressure", 6)  # not the premature pitch of turn 4
    assert "直接结束了拜访（以停货相要挟）" in d.key_reason and any("施压、要挟" in a for a in d.advice)


def test_the_debrief_of_a_loss_points_at_the_first_premature_pitch():
    sc = load_scenario(HAERUI)
    d = debrief(sc, play(sc, ["agenda", "discount_early", "benefit_early", "ask_budget", "propose_trial_now"]))
    assert d.ending.kind == "继续" and d.key_turn == 3
    assert "过早推销" in d.key_reason and d.count(PREMATURE) == 1 and d.count("让价") == 1
    with pytest.raises(KamcourseError, match="拜访还没有结束"):
        debrief(sc, start(sc))


# ---------------------------------------------------------------- saved transcripts


def test_a_saved_visit_replays_to_the_same_state():
    sc = load_scenario(HAERUI)
    state = play(sc, ["agenda", Move.ask("首件送到计量室，一般要等多久？产线等得起吗？"), *WIN[2:]], seed=42)
    data = transcript.to_json(sc, state, " 王小明 ")
    record = json.loads(data)
    assert record["name"] == "王小明" and record["moves"][1] == {"question": "首件送到计量室，一般要等多久？产线等得起吗？"}
    saved = transcript.read_record(data, "a.json")
    assert saved.state == state and saved.name == "王小明"
    assert transcript.file_name(sc, state) == "roleplay-haerui_first_article-42-6.json"


def _tampered(change):
    sc = load_scenario(HAERUI)
    record = json.loads(transcript.to_json(sc, play(sc, WIN)))
    change(record)
    return json.dumps(record, ensure_ascii=False)


@pytest.mark.parametrize("data, problem", [
    (_tampered(lambda r: r["moves"].__setitem__(2, {"option": "gift_card"})), "第 3 步：无法重演"),
    (_tampered(lambda r: r.update(ending="lost_gift")), "记录的结局与重演的结果不一致"),
    (_tampered(lambda r: r.update(scenario="nope")), "没有编号为“nope”的场景"),
    (_tampered(lambda r: r.update(seed="1")), "缺少整数形式的随机数设定"),
    (_tampered(lambda r: r.update(moves="agenda")), "步骤应为最多"),
    (_tampered(lambda r: r["moves"].__setitem__(0, {"option": 1})), "第 1 步：格式不对"),
    (_tampered(lambda r: r.update(name="名" * 41)), "最多 40 个字"),
    (_tampered(lambda r: r.update(format="other")), "不是销售对练的记录"),
    ("{not json", "内容无法识别"),
    (b"\xff\xfe", "内容无法识别"),
    ("[]", "不是销售对练的记录"),
    ("x" * 300_000, "太大"),
])
def test_a_damaged_or_edited_transcript_is_refused_with_the_file_named(data, problem):
    with pytest.raises(KamcourseError) as err:
        transcript.read_record(data, "trainee.json")
    assert "记录文件“trainee.json”" in str(err.value) and problem in str(err.value)


# ---------------------------------------------------------------- the progress store


def test_finished_visits_are_stored_beside_the_exercise_progress(progress_home):
    assert progress.store_path() == exercises.progress_file().parent / "roleplay.json"
    assert progress.load_visits() == ()
    sc = load_scenario(HAERUI)
    progress.record_visit(sc, play(sc, ["agenda", "ask_wait", "competitor_quote"]), at="2026-01-01T08:00:00+00:00")
    progress.record_visit(sc, play(sc, WIN), at="2026-01-02T08:00:00+00:00")
    visits = progress.load_visits()
    assert [(v.scenario, v.kind, v.ending, v.turns) for v in visits] == [
        (HAERUI, "失败", "lost_confidential", 3), (HAERUI, "推进", "trial", 6),
    ]
    rows = {r.scenario: r for r in progress.progress_summary()}
    assert (rows[HAERUI].visits, rows[HAERUI].advances, rows[HAERUI].best) == (2, 1, "推进")
    assert rows["wang_trust"].visits == 0 and rows["wang_trust"].best == ""
    assert json.loads(progress.store_path().read_text(encoding="utf-8"))["visits"][1]["title"] == "宁波海瑞：首件检测"
    with pytest.raises(KamcourseError, match="拜访结束后才能记录"):
        progress.record_visit(sc, start(sc))


@pytest.mark.parametrize("content", ["{broken", "[1, 2]", '{"visits": {"a": 1}}', '{"visits": [{"scenario": "x"}, 3]}'])
def test_a_damaged_progress_file_reads_as_what_is_well_formed(content):
    path = progress.store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    assert progress.load_visits() == ()
    sc = load_scenario(HAERUI)
    progress.record_visit(sc, play(sc, WIN))
    assert [v.ending for v in progress.load_visits()] == ["trial"]


# ---------------------------------------------------------------- the class export


def _save(folder, name, scenario_id, moves, trainee=""):
    sc = load_scenario(scenario_id)
    (folder / name).write_bytes(transcript.to_json(sc, play(sc, moves), trainee))


def test_the_class_debrief_counts_moves_per_turn_and_endings(tmp_path):
    folder = tmp_path / "saved"
    folder.mkdir()
    _save(folder, "a.json", HAERUI, WIN, "王小明")
    _save(folder, "b.json", HAERUI, WIN)
    _save(folder, "c.json", HAERUI, ["agenda", "ask_wait", "competitor_quote"])
    _save(folder, "d.json", "wang_trust", ["ask_plan", "ask_output", "ask_suppliers"])
    (folder / "broken.json").write_text("{", encoding="utf-8")
    (folder / "notes.txt").write_text("ignored", encoding="utf-8")
    sc = load_scenario(HAERUI)
    unfinished = transcript.to_json(sc, play(sc, ["agenda"]))
    (folder / "e.json").write_bytes(unfinished)

    report, markdown, csv_file = classroom.write_class_debrief(folder, tmp_path / "out")
    assert report.read == 4 and dict(report.skipped) == {"broken.json": "内容无法识别，不是对练记录", "e.json": "拜访没有结束"}
    haerui, wang = report.scenarios
    assert (haerui.scenario, haerui.visits, haerui.names, haerui.anonymous) == (HAERUI, 3, ("王小明",), 2)
    assert {(e.ending, e.count) for e in haerui.endings} == {("trial", 2), ("lost_confidential", 1)}
    counts = {(m.turn, m.option): m.count for m in haerui.moves}
    assert counts[(1, "agenda")] == 3 and counts[(2, "ask_wait")] == 3 and counts[(3, "implication_wait")] == 2
    assert counts[(3, "competitor_quote")] == 1 and wang.endings[0].ending == "out_of_patience"
    text = markdown.read_text(encoding="utf-8")
    assert "## 宁波海瑞：首件检测（3 次拜访）" in text and "- 推进：2 次（约定现场试测 2 次）" in text
    assert "留名的学员：王小明；匿名 2 份。" in text and "broken.json" in text
    rows = csv_file.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "场景,轮次,说法编号,类型,说法,次数" and len(rows) == 1 + len(haerui.moves) + len(wang.moves)


def test_the_roleplay_commands(tmp_path, capsys):
    assert main(["roleplay", "check"]) == 0
    out = capsys.readouterr().out
    assert out.count("条路径") == 5 and "宁波海瑞：首件检测（haerui_first_article.yaml）" in out

    bad = tmp_path / "bad.yaml"
    data = raw()
    option_of(data, "open", "agenda")["next"] = "nowhere"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["roleplay", "check", str(bad)]) == 1
    assert "场景文件“bad.yaml”的字段 nodes.open.options[0].next：没有名为“nowhere”的节点" in capsys.readouterr().err

    _save(tmp_path, "a.json", HAERUI, WIN)
    assert main(["roleplay", "export", str(tmp_path)]) == 0
    assert "读入 1 份记录" in capsys.readouterr().out and (tmp_path / "class-debrief.md").is_file()
    assert main(["roleplay", "export", str(tmp_path / "missing")]) == 2


# ---------------------------------------------------------------- agreement with the course's data


def test_the_defensive_visit_is_a_defend_account_in_the_sample_data():
    sc = load_scenario("xinyuan_defense")
    row = next(r for r in segmentation.sample_segmentation().rows if r.account.name == sc.company)
    assert row.segment.strategy == "防御" and sc.module == 2
    assert f"采购潜力是 {row.account.potential:g} 万元" in sc.briefing
    assert f"我方份额 {round(row.account.share * 100)}%" in sc.briefing


def test_the_receivables_visit_quotes_the_sample_companys_countback_dso():
    sc = load_scenario("liufang_receivables")
    name = sc.company
    result = dso.countback_dso(dso.sample_receivables()[name], dso.sample_monthly_sales()[name])
    assert f"{dso.sample_receivables()[name]:g} 万元" in sc.briefing
    assert f"DSO 约 {round(result.days)} 天" in sc.briefing and result.period_end in sc.briefing
