"""Per-trainee papers end to end (shuffled options, a pool), the roster release, and the LMS
exports (Moodle XML checked against the structure Moodle's importer reads)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from xml.etree import ElementTree as ET

import pytest

from conftest import ROOT
from kamcourse.quiz.bank import parse_quiz, schema_path
from kamcourse.quiz.variants import current_trainee, position_markdown, trainee_paper
from test_quiz_support import DUEL, DUEL_SECRETS, Code, answered, full_quiz, kamcourse, make_course, write_nb

pytestmark = pytest.mark.slow

OPTIONS = ["甲", "乙", "丙", "丁"]
MIX = {
    "quiz": "mix", "title": "变体测验", "description": "每位学员的选项顺序不同。", "shuffle": True, "pools": {"p": 2},
    "items": [
        {"id": "q1", "type": "single", "stem": "单选", "options": OPTIONS, "points": 2},
        {"id": "q2", "type": "multiple", "stem": "多选", "options": OPTIONS, "points": 3},
        {"id": "q3", "type": "single", "stem": "题组一", "options": OPTIONS, "points": 1, "pool": "p"},
        {"id": "q4", "type": "single", "stem": "题组二", "options": OPTIONS, "points": 1, "pool": "p"},
        {"id": "q5", "type": "single", "stem": "题组三", "options": OPTIONS, "points": 1, "pool": "p"},
        {"id": "q6", "type": "ordering", "stem": "排序", "options": OPTIONS, "points": 4},
        {"id": "q7", "type": "single", "stem": "以上都对的题", "options": ["甲", "乙", "以上都对"], "points": 1,
         "shuffle": False},
    ],
}
MIX_SECRETS = {"q1": {"key": "B", "explanation": "一"}, "q2": {"key": "ACD", "explanation": "二"},
               "q3": {"key": "A", "explanation": "三"}, "q4": {"key": "C", "explanation": "四"},
               "q5": {"key": "D", "explanation": "五"}, "q6": {"key": "DBCA", "explanation": "六"},
               "q7": {"key": "C", "explanation": "七"}}
QUIZ = parse_quiz(full_quiz(MIX, MIX_SECRETS), "mix.yaml", str(schema_path(ROOT / "quizzes" / "bank")), require_secrets=True)
TRAINEES = ["amy", "bob", "carl", "dora", "eve", "fay"]


def right_answers(student: str) -> dict[str, str]:
    """The letters ``student`` must write: the canonical key as their paper shows it."""
    return {p.id: json.dumps(p.to_shown(QUIZ.item(p.item_id).key)) for p in trainee_paper(QUIZ, student)}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("variants")
    kit = tmp / "kit"
    course = make_course(tmp / "course", {"mix": (MIX, MIX_SECRETS), "duel": (DUEL, DUEL_SECRETS)}, kit, seal=False)
    kamcourse("quiz", "release", "mix", "--course", str(course), cwd=course, KAMCOURSE_KIT=str(kit))
    release = json.loads((course / "release" / "mix" / "mix.ipynb").read_text(encoding="utf-8"))
    hub = tmp / "submitted"
    for student in TRAINEES:
        write_nb(hub / student / "mix" / "mix.ipynb", answered(release, right_answers(student)))
    # a trainee who copies amy's letters
    write_nb(hub / "copycat" / "mix" / "mix.ipynb", answered(release, right_answers("amy")))
    done = kamcourse("quiz", "grade", "mix", str(hub), "--course", str(course), cwd=course, KAMCOURSE_KIT=str(kit))
    with (course / "reports" / "mix" / "grades.csv").open(encoding="utf-8-sig") as fh:
        rows = {r["student"]: r for r in csv.DictReader(fh)}
    return {"course": course, "kit": kit, "release": release, "rows": rows, "done": done, "tmp": tmp}


def test_papers_differ_between_trainees_and_repeat_for_each():
    papers = {s: trainee_paper(QUIZ, s) for s in TRAINEES}
    assert papers["amy"] == trainee_paper(QUIZ, "amy")
    assert len({tuple(p.order for p in paper) for paper in papers.values()}) > 1
    drawn = {s: tuple(p.item_id for p in paper if p.id in ("q3", "q4")) for s, paper in papers.items()}
    assert all(len(set(d)) == 2 and set(d) <= {"q3", "q4", "q5"} for d in drawn.values())
    assert len(set(drawn.values())) > 1
    assert all(p.order == (0, 1, 2) for paper in papers.values() for p in paper if p.item_id == "q7")  # shuffle: false


def test_every_trainee_answering_their_own_paper_scores_full_marks(world):
    for student in TRAINEES:
        row = world["rows"][student]
        assert float(row["total"]) == 12 and row["reasons"] == "", student


def test_copying_a_neighbours_letters_does_not_carry_their_score(world):
    mine = {p.id: json.dumps(p.to_shown(QUIZ.item(p.item_id).key)) for p in trainee_paper(QUIZ, "copycat")}
    assert mine != right_answers("amy")
    assert float(world["rows"]["copycat"]["total"]) < 12


def test_item_statistics_count_by_canonical_item(world):
    with (world["course"] / "reports" / "mix" / "item_stats.csv").open(encoding="utf-8-sig") as fh:
        stats = {r["item"]: r for r in csv.DictReader(fh)}
    drawn = {i: sum(1 for s in [*TRAINEES, "copycat"] for p in trainee_paper(QUIZ, s) if p.item_id == i)
             for i in ("q3", "q4", "q5")}
    assert {i: int(stats[i]["n"]) for i in drawn} == drawn and sum(drawn.values()) == 2 * 7
    with (world["course"] / "reports" / "mix" / "responses.csv").open(encoding="utf-8-sig") as fh:
        q1 = {r["response"]: int(r["count"]) for r in csv.DictReader(fh) if r["item"] == "q1"}
    assert q1["B"] >= len(TRAINEES)  # every honest trainee picked the canonical B, whatever letter they saw


def test_the_release_shows_each_trainee_their_own_version(world, monkeypatch):
    show = [c for c in world["release"]["cells"] if c["metadata"].get("kamcourse", {}).get("role") == "show"]
    assert len(show) == 6 and all("show_position" in "".join(c["source"]) for c in show)
    text = "".join(c if isinstance(c, str) else "" for c in json.dumps(world["release"], ensure_ascii=False))
    for secret in MIX_SECRETS.values():
        assert f'"{secret["key"]}"' not in text or len(secret["key"]) < 3
    monkeypatch.setenv("JUPYTERHUB_USER", "amy")
    assert current_trainee({}) == "amy" and current_trainee({"trainee_id": "Tom [2]"}) == "Tom_2"
    amy = position_markdown("mix", 1, [{**MIX["items"][0]}], "amy", shuffle=True)
    order = trainee_paper(QUIZ, "amy")[0].order
    assert [line.split("** ")[1] for line in amy.splitlines() if line.startswith("- **")] == [OPTIONS[i] for i in order]


def test_a_roster_release_for_an_lms_is_graded_by_file_name(world):
    course, tmp = world["course"], world["tmp"]
    roster = tmp / "roster.csv"
    roster.write_text("student,name\ngina,吉娜\nhal,哈尔\n", encoding="utf-8")
    kamcourse("quiz", "release", "mix", "--roster", str(roster), "--course", str(course), cwd=course,
              KAMCOURSE_KIT=str(world["kit"]))
    files = sorted((course / "release_roster" / "mix").glob("*.ipynb"))
    assert [f.name for f in files] == ["gina.ipynb", "hal.ipynb"]
    gina = json.loads(files[0].read_text(encoding="utf-8"))
    assert gina["cells"][0]["source"].startswith('trainee_id = "gina"')
    shown = next(c for c in gina["cells"] if c["metadata"].get("kamcourse", {}).get("role") == "show")
    assert shown["outputs"][0]["data"]["text/markdown"] == position_markdown(
        "mix", 1, [MIX["items"][0]], "gina", shuffle=True)
    lms = tmp / "lms"
    write_nb(lms / "gina.ipynb", answered(gina, right_answers("gina")))
    write_nb(lms / "hal.ipynb", answered(json.loads(files[1].read_text(encoding="utf-8")),
                                         {**right_answers("hal"), "q1": Code('answer_q1 = "B"\nimport os')}))
    kamcourse("quiz", "grade", "mix", str(lms), "--course", str(course), "--out", str(tmp / "lms-report"),
              cwd=course, KAMCOURSE_KIT=str(world["kit"]))
    with (tmp / "lms-report" / "grades.csv").open(encoding="utf-8-sig") as fh:
        rows = {r["student"]: r for r in csv.DictReader(fh)}
    assert float(rows["gina"]["total"]) == 12 and rows["gina"]["reasons"] == ""
    assert float(rows["hal"]["q1"]) == 0 and float(rows["hal"]["total"]) == 10


# ---------------------------------------------------------------- LMS exports


def _texts(question: ET.Element, tag: str) -> list[str]:
    return [node.findtext("text") or "" for node in question.findall(tag)]


def validate_moodle_xml(text: str) -> list[ET.Element]:
    """The structure Moodle's importer reads (question/format/xml/format.php): a <quiz> of
    <question type=...>; every question a <name><text>, a <questiontext format><text> and a
    numeric <defaultgrade>; answers with a numeric fraction attribute and a <text>; per type
    the elements its import_* function reads."""
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "quiz"
    questions = []
    for q in root.findall("question"):
        kind = q.get("type")
        assert kind in {"category", "multichoice", "truefalse", "matching", "numerical", "essay", "ordering"}, kind
        if kind == "category":
            assert (q.findtext("category/text") or "").startswith("$course$/")
            continue
        questions.append(q)
        assert q.findtext("name/text") and q.find("questiontext").get("format") == "html" and q.findtext("questiontext/text")
        assert float(q.findtext("defaultgrade")) > 0
        answers = q.findall("answer")
        for a in answers:
            float(a.get("fraction"))
            assert a.find("text") is not None
        if kind == "multichoice":
            assert q.findtext("single") in ("true", "false") and q.findtext("answernumbering")
            positive = sum(float(a.get("fraction")) for a in answers if float(a.get("fraction")) > 0)
            assert abs(positive - 100) < 0.01
        elif kind == "truefalse":
            assert sorted(a.findtext("text") for a in answers) == ["false", "true"]
            assert sorted(float(a.get("fraction")) for a in answers) == [0, 100]
        elif kind == "matching":
            subs = q.findall("subquestion")
            assert len(subs) >= 2 and all(s.findtext("text") and s.findtext("answer/text") for s in subs)
        elif kind == "numerical":
            assert len(answers) == 1 and float(answers[0].findtext("text")) and answers[0].findtext("tolerance")
        elif kind == "ordering":
            assert [float(a.get("fraction")) for a in answers] == list(range(1, len(answers) + 1))
            assert q.findtext("gradingtype") == "ABSOLUTE_POSITION"
        else:
            assert q.findtext("responseformat") == "editor" and q.findtext("graderinfo/text")
    return questions


def test_the_moodle_and_qti_exports_hold_every_item_in_the_documented_structure(world, tmp_path):
    course = world["course"]
    done = kamcourse("quiz", "export", "duel", "--course", str(course), "--out", str(tmp_path), cwd=course,
                     KAMCOURSE_KIT=str(world["kit"]))
    assert "不要发给学员" in done.stdout
    questions = validate_moodle_xml((tmp_path / "duel.moodle.xml").read_text(encoding="utf-8"))
    kinds = [q.get("type") for q in questions]
    assert kinds == ["multichoice", "multichoice", "truefalse", "ordering", "matching", "numerical", "essay"]
    multi = questions[1]
    assert {a.findtext("text"): a.get("fraction") for a in multi.findall("answer")} == {
        "<p>甲</p>": "33.33333", "<p>乙</p>": "33.33333", "<p>丙</p>": "-100", "<p>丁</p>": "33.33333"}
    assert _texts(questions[0], "answer")[2] == "<p>丙</p>" and questions[0].findall("answer")[2].get("fraction") == "100"
    assert [s.findtext("answer/text") for s in questions[4].findall("subquestion")] == ["类甲", "类乙", "类丙", "类甲"]
    with zipfile.ZipFile(io.BytesIO((tmp_path / "duel.qti.zip").read_bytes())) as zf:
        assert set(zf.namelist()) == {"imsmanifest.xml", "duel/duel.xml"}
        qti = ET.fromstring(zf.read("duel/duel.xml"))
    ns = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}
    items = qti.findall(".//q:item", ns)
    assert len(items) == 7
    types = [i.find(".//q:qtimetadatafield[q:fieldlabel='question_type']/q:fieldentry", ns).text for i in items]
    assert types == ["multiple_choice_question", "multiple_answers_question", "true_false_question",
                     "matching_question", "matching_question", "numerical_question", "essay_question"]


def test_lms_grade_files_have_the_import_layouts(world):
    reports = world["course"] / "reports" / "mix"
    moodle = list(csv.reader((reports / "moodle_grades.csv").read_text(encoding="utf-8").splitlines()))
    assert moodle[0][:3] == ["username", "idnumber", "email"] and moodle[0][3] == "变体测验"
    assert {row[0]: float(row[3]) for row in moodle[1:]}["amy"] == 12
    canvas = list(csv.reader((reports / "canvas_grades.csv").read_text(encoding="utf-8").splitlines()))
    assert canvas[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert canvas[1][0].strip() == "Points Possible" and canvas[1][5] == "12"
