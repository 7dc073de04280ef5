"""Export a quiz (with its keys: instructor-only output, written under ``reports/``) for an LMS.

- **Moodle XML** (``<quiz>.moodle.xml``, Question bank > Import > Moodle XML format): the
  elements Moodle's importer reads (``question/format/xml/format.php``: ``import_headers``,
  ``import_multichoice``, ``import_truefalse``, ``import_match``, ``import_numerical``,
  ``import_essay``; ordering items as ``qtype_ordering`` questions, core since Moodle 4.4).
  The scoring rules carry over: a multiple-choice wrong option is -100 % (Moodle floors an
  item at 0, so any wrong letter scores 0, as here), ordering by absolute position,
  matching per prompt. A pool becomes its own question category, for a Moodle "random
  question" slot.
- **QTI 1.2** (``<quiz>.qti.zip``, IMS QTI 1.2 as Canvas imports and exports it, with an
  ``imsmanifest.xml``): multiple choice, multiple answers, true/false, matching (ordering
  as matching of positions, Canvas having no ordering type), numerical with a range, essay.

Written with the standard library's ElementTree: text2qti (Canvas only, its own Markdown
input, no matching or ordering), gift-wrapper (a GIFT builder driven by its own YAML and
LaTeX pipeline) and qti-package-maker (a converter from Blackboard's upload format) each
cover only part of the item types here, and these formats are small and documented.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from kamcourse.quiz.bank import Item, Quiz
from kamcourse.quiz.scoring import key_text

LETTERS = "ABCDEFGH"


def _text(parent: ET.Element, tag: str, value: str, fmt: str | None = None) -> ET.Element:
    node = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(node, "text").text = value
    return node


def _html(text: str) -> str:
    from html import escape

    return "<p>" + escape(text).replace("\n", "<br/>") + "</p>"


def _fraction(share: float) -> str:
    return f"{share:.5f}".rstrip("0").rstrip(".")


def _moodle_item(quiz: Quiz, item: Item) -> ET.Element:
    kinds = {"single": "multichoice", "multiple": "multichoice", "true_false": "truefalse", "ordering": "ordering",
             "matching": "matching", "numeric": "numerical", "essay": "essay"}
    q = ET.Element("question", {"type": kinds[item.type]})
    _text(q, "name", f"{quiz.id} {item.id}")
    _text(q, "questiontext", _html(item.stem), "html")
    _text(q, "generalfeedback", _html(item.explanation), "html")
    ET.SubElement(q, "defaultgrade").text = f"{item.points:g}"
    ET.SubElement(q, "penalty").text = "0"
    ET.SubElement(q, "hidden").text = "0"
    ET.SubElement(q, "idnumber").text = f"{quiz.id}-{item.id}"
    shuffle = "1" if quiz.shuffle and item.shuffle else "0"
    notes = list(item.distractors) or [""] * len(item.options or ("对", "错"))
    if item.type in ("single", "multiple"):
        ET.SubElement(q, "single").text = "true" if item.type == "single" else "false"
        ET.SubElement(q, "shuffleanswers").text = shuffle
        ET.SubElement(q, "answernumbering").text = "ABCD"
        for i, option in enumerate(item.options):
            right = LETTERS[i] in item.key
            fraction = (100.0 / len(item.key) if right else (-100.0 if item.type == "multiple" else 0.0))
            answer = _text(q, "answer", _html(option), "html")
            answer.set("fraction", _fraction(fraction))
            _text(answer, "feedback", _html(notes[i]) if notes[i] else "", "html")
    elif item.type == "true_false":
        for word, letter, note in (("true", "A", notes[0]), ("false", "B", notes[1])):
            answer = _text(q, "answer", word, "moodle_auto_format")
            answer.set("fraction", "100" if item.key == letter else "0")
            _text(answer, "feedback", _html(note) if note else "", "html")
    elif item.type == "ordering":
        for tag, value in (("layouttype", "VERTICAL"), ("selecttype", "ALL"), ("selectcount", "0"),
                           ("gradingtype", "ABSOLUTE_POSITION"), ("showgrading", "SHOW"), ("numberingstyle", "none")):
            ET.SubElement(q, tag).text = value
        for place, letter in enumerate(item.key, start=1):
            answer = _text(q, "answer", _html(item.options[LETTERS.index(letter)]), "html")
            answer.set("fraction", str(place))
    elif item.type == "matching":
        ET.SubElement(q, "shuffleanswers").text = "1"
        for prompt, letter in zip(item.prompts, item.key):
            sub = _text(q, "subquestion", _html(prompt), "html")
            ET.SubElement(ET.SubElement(sub, "answer"), "text").text = item.options[LETTERS.index(letter)]
    elif item.type == "numeric":
        answer = _text(q, "answer", item.key, "moodle_auto_format")
        answer.set("fraction", "100")
        ET.SubElement(answer, "tolerance").text = f"{item.tolerance:g}"
        _text(answer, "feedback", "", "html")
    else:
        for tag, value in (("responseformat", "editor"), ("responserequired", "1"), ("responsefieldlines", "15"),
                           ("attachments", "0"), ("attachmentsrequired", "0")):
            ET.SubElement(q, tag).text = value
        rubric = "\n".join(f"{line.criterion}（{line.points:g} 分）" for line in item.rubric)
        _text(q, "graderinfo", _html(f"评分要点：\n{rubric}\n参考解析：{item.explanation}"), "html")
        _text(q, "responsetemplate", "", "html")
    return q


def moodle_xml(quiz: Quiz) -> str:
    root = ET.Element("quiz")
    categories: dict[str | None, list[Item]] = {}
    for item in quiz.items:
        categories.setdefault(item.pool, []).append(item)
    for pool, items in categories.items():
        category = ET.SubElement(root, "question", {"type": "category"})
        path = f"$course$/top/kamcourse/{quiz.id}" + (f"/{pool}" if pool else "")
        _text(category, "category", path)
        for item in items:
            root.append(_moodle_item(quiz, item))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# ---------------------------------------------------------------- QTI 1.2


def _meta(item_el: ET.Element, fields: dict[str, str]) -> None:
    box = ET.SubElement(ET.SubElement(item_el, "itemmetadata"), "qtimetadata")
    for label, entry in fields.items():
        field = ET.SubElement(box, "qtimetadatafield")
        ET.SubElement(field, "fieldlabel").text = label
        ET.SubElement(field, "fieldentry").text = entry


def _material(parent: ET.Element, text: str, html: bool = True) -> None:
    ET.SubElement(ET.SubElement(parent, "material"), "mattext", {"texttype": "text/html" if html else "text/plain"}).text = (
        _html(text) if html else text)


def _choices(parent: ET.Element, ident: str, cardinality: str, options: list[str], prefix: str) -> None:
    lid = ET.SubElement(parent, "response_lid", {"ident": ident, "rcardinality": cardinality})
    render = ET.SubElement(lid, "render_choice")
    for i, option in enumerate(options):
        label = ET.SubElement(render, "response_label", {"ident": f"{prefix}{LETTERS[i]}"})
        _material(label, option, html=False)


def _outcome(processing: ET.Element) -> None:
    outcomes = ET.SubElement(processing, "outcomes")
    ET.SubElement(outcomes, "decvar", {"maxvalue": "100", "minvalue": "0", "varname": "SCORE", "vartype": "Decimal"})


def _condition(processing: ET.Element, points: str, action: str = "Set") -> ET.Element:
    cond = ET.SubElement(processing, "respcondition", {"continue": "Yes" if action == "Add" else "No"})
    var = ET.SubElement(cond, "conditionvar")
    ET.SubElement(cond, "setvar", {"action": action, "varname": "SCORE"}).text = points
    return var


def _qti_item(quiz: Quiz, item: Item) -> ET.Element:
    types = {"single": "multiple_choice_question", "multiple": "multiple_answers_question",
             "true_false": "true_false_question", "ordering": "matching_question", "matching": "matching_question",
             "numeric": "numerical_question", "essay": "essay_question"}
    el = ET.Element("item", {"ident": f"{quiz.id}_{item.id}", "title": f"{quiz.id} {item.id}"})
    _meta(el, {"question_type": types[item.type], "points_possible": f"{item.points:g}"})
    presentation = ET.SubElement(el, "presentation")
    _material(presentation, item.stem)
    processing = ET.SubElement(el, "resprocessing")
    _outcome(processing)
    if item.type in ("single", "true_false", "multiple"):
        options = list(item.options)
        _choices(presentation, "response1", "Multiple" if item.type == "multiple" else "Single", options, "")
        var = _condition(processing, "100")
        if item.type == "multiple":
            both = ET.SubElement(var, "and")
            for letter in LETTERS[:len(options)]:
                target = both if letter in item.key else ET.SubElement(both, "not")
                ET.SubElement(target, "varequal", {"respident": "response1"}).text = letter
        else:
            ET.SubElement(var, "varequal", {"respident": "response1"}).text = item.key
    elif item.type in ("matching", "ordering"):
        if item.type == "matching":
            prompts, options, key = list(item.prompts), list(item.options), item.key
        else:
            prompts = [f"第 {i} 位" for i in range(1, len(item.options) + 1)]
            options, key = list(item.options), item.key
        share = 100.0 / len(prompts)
        for i, prompt in enumerate(prompts):
            lid = ET.SubElement(presentation, "response_lid", {"ident": f"response_{i + 1}"})
            _material(lid, prompt, html=False)
            render = ET.SubElement(lid, "render_choice")
            for j, option in enumerate(options):
                label = ET.SubElement(render, "response_label", {"ident": f"{i + 1}{LETTERS[j]}"})
                _material(label, option, html=False)
            var = _condition(processing, _fraction(share), "Add")
            ET.SubElement(var, "varequal", {"respident": f"response_{i + 1}"}).text = f"{i + 1}{key[i]}"
    elif item.type == "numeric":
        ET.SubElement(ET.SubElement(presentation, "response_str", {"ident": "response1", "rcardinality": "Single"}),
                      "render_fib", {"fibtype": "Decimal"})
        var = _condition(processing, "100")
        low, high = float(item.key) - item.tolerance, float(item.key) + item.tolerance
        ET.SubElement(var, "vargte", {"respident": "response1"}).text = f"{low:g}"
        ET.SubElement(var, "varlte", {"respident": "response1"}).text = f"{high:g}"
    else:
        ET.SubElement(ET.SubElement(presentation, "response_str", {"ident": "response1", "rcardinality": "Single"}),
                      "render_fib")
        ET.SubElement(ET.SubElement(processing, "respcondition", {"continue": "No"}), "conditionvar").append(
            ET.Element("other"))
    feedback = ET.SubElement(el, "itemfeedback", {"ident": "general_fb"})
    _material(ET.SubElement(feedback, "flow_mat"), f"正确答案：{key_text(item) or '（人工评分）'}。{item.explanation}")
    return el


def qti_xml(quiz: Quiz) -> str:
    root = ET.Element("questestinterop", {"xmlns": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"})
    assessment = ET.SubElement(root, "assessment", {"ident": quiz.id, "title": quiz.title})
    section = ET.SubElement(assessment, "section", {"ident": "root_section"})
    for item in quiz.items:
        section.append(_qti_item(quiz, item))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def qti_package(quiz: Quiz) -> bytes:
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<manifest identifier="kamcourse_{quiz.id}" xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1">\n'
        "  <metadata><schema>IMS Content</schema><schemaversion>1.1.3</schemaversion></metadata>\n"
        "  <organizations/>\n  <resources>\n"
        f'    <resource identifier="{quiz.id}" type="imsqti_xmlv1p2"><file href="{quiz.id}/{quiz.id}.xml"/></resource>\n'
        "  </resources>\n</manifest>\n")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("imsmanifest.xml", manifest)
        zf.writestr(f"{quiz.id}/{quiz.id}.xml", qti_xml(quiz))
    return buffer.getvalue()


def export(quiz: Quiz, folder: Path) -> dict[str, Path]:
    """Write both exports into ``folder`` (instructor-only: they hold the keys)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {"moodle_xml": folder / f"{quiz.id}.moodle.xml", "qti": folder / f"{quiz.id}.qti.zip"}
    files["moodle_xml"].write_text(moodle_xml(quiz), encoding="utf-8")
    files["qti"].write_bytes(qti_package(quiz))
    return files
