"""Every seed concept is taught in its module or consciously left out, and every module has its spine.

``course/outline.yaml`` is the inventory: each module lists its concepts (``term``: the exact
string its notebook must contain; ``seed``: where the 讲义 says it), ``left_out`` lists what
the course does not teach with a one-line Chinese reason. A concept without a module or a
reason fails, and so does a concept whose term its module notebook does not contain.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from kamcourse.glossary import load_glossary

OUTLINE_DATA = yaml.safe_load((ROOT / "course" / "outline.yaml").read_text(encoding="utf-8"))
OUTLINE = OUTLINE_DATA["modules"]
SPINE = ["学习目标", "小结"]
SEED = ROOT.parent / "shared" / "seed" / "000_7c203bca969166e5.txt"
CJK = re.compile(r"[\u4e00-\u9fff]")


def notebook_text(relpath: str) -> str:
    nb = json.loads((ROOT / relpath).read_text(encoding="utf-8"))
    return "\n".join("".join(cell["source"]) for cell in nb["cells"])


CONCEPTS = [(m["id"], c) for m in OUTLINE for c in m["concepts"]]


@pytest.mark.parametrize("module, concept", CONCEPTS, ids=[f"{m}-{c.get('term') if isinstance(c, dict) else c}" for m, c in CONCEPTS])
def test_concept_appears_in_its_module(module, concept):
    assert isinstance(concept, dict) and str(concept.get("term", "")).strip(), f"{module}: a concept without a term: {concept!r}"
    entry = next(m for m in OUTLINE if m["id"] == module)
    term = str(concept["term"])
    assert term in notebook_text(entry["notebook"]), f"{term} missing from {entry['notebook']}"


def test_every_left_out_part_has_a_one_line_chinese_reason():
    left_out = OUTLINE_DATA.get("left_out") or []
    assert left_out, "left_out is empty: the seed has slide footers and fragments the course does not teach"
    for entry in left_out:
        assert str(entry.get("seed", "")).strip(), entry
        reason = str(entry.get("reason", ""))
        assert CJK.search(reason) and "\n" not in reason.strip() and len(reason) <= 60, entry


def test_no_concept_is_both_taught_and_left_out():
    taught = {str(c["term"]) for _, c in CONCEPTS}
    for entry in OUTLINE_DATA.get("left_out") or []:
        assert str(entry["seed"]).strip() not in taught


def test_every_module_has_concepts_and_the_outline_counts_are_sane():
    for module in OUTLINE:
        assert len(module["concepts"]) >= 10, module["id"]
        terms = [str(c["term"]) for c in module["concepts"]]
        assert len(terms) == len(set(terms)), f"{module['id']}: a term listed twice"


def test_no_concept_term_is_a_refused_glossary_variant():
    glossary = load_glossary()
    bad = [(m, str(c["term"]), hit.term) for m, c in CONCEPTS for hit in glossary.variant_hits(str(c["term"]))]
    assert bad == []


@pytest.mark.skipif(not SEED.is_file(), reason="the seed notes are not in this checkout")
def test_seed_locators_quote_the_seed():
    """Each seed locator quotes the seed: at least one of its pieces of three or more
    characters (split at spaces, ; … : → and parenthesised comments) occurs in the seed,
    punctuation aside. The seed is slide text, so a locator quotes words, not whole lines."""
    def squash(text: str) -> str:
        return re.sub(r"[^\u4e00-\u9fff0-9A-Za-z]", "", text)

    seed = squash(SEED.read_text(encoding="utf-8"))
    unquoted = []
    for module, concept in CONCEPTS:
        locator = re.sub(r"\([^)]*\)|（[^）]*）", ";", str(concept.get("seed", "")))
        pieces = [squash(p)[:8] for p in re.split(r"[;；…:：→,，]|\s+", locator)]
        pieces = [p for p in pieces if len(p) >= 3 and CJK.search(p)]
        if pieces and not any(p in seed for p in pieces):
            unquoted.append((module, concept["term"], concept["seed"]))
    assert not unquoted, unquoted


@pytest.mark.parametrize("entry", OUTLINE, ids=lambda m: m["id"])
def test_module_has_spine_exercises_and_pointers(entry):
    text = notebook_text(entry["notebook"])
    for heading in SPINE:
        assert heading in text
    assert (ROOT / entry["exercises"]).is_file()
    assert entry["exercises"].split("/")[-1] in text, "module should link its exercise notebook"
    for module in entry["kamcourse"]:
        importlib.import_module(module)


def test_the_capstone_and_the_glossary_are_in_the_outline_and_on_the_start_page():
    capstone = OUTLINE_DATA["capstone"]
    start = notebook_text("course/00_start.ipynb")
    assert (ROOT / capstone["notebook"]).is_file()
    assert (ROOT / "quizzes" / "bank" / f"{capstone['quiz']}.yaml").is_file()
    assert set(capstone["modules"]) == {m["id"] for m in OUTLINE}
    assert f"../{capstone['notebook']}" in start and capstone["quiz"] in start
    glossary = Path(OUTLINE_DATA["glossary"])
    assert (ROOT / glossary).is_file() and f"]({glossary.name})" in start
