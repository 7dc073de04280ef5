"""Every concept of the outline appears in its module, and every module has its spine."""

from __future__ import annotations

import importlib
import json

import pytest
import yaml

from conftest import ROOT

OUTLINE = yaml.safe_load((ROOT / "course" / "outline.yaml").read_text(encoding="utf-8"))["modules"]
SPINE = ["学习目标", "小结"]


def notebook_text(relpath: str) -> str:
    nb = json.loads((ROOT / relpath).read_text(encoding="utf-8"))
    return "\n".join("".join(cell["source"]) for cell in nb["cells"])


@pytest.mark.parametrize(
    "module, concept",
    [(m["id"], c) for m in OUTLINE for c in m["concepts"]],
)
def test_concept_appears_in_its_module(module, concept):
    entry = next(m for m in OUTLINE if m["id"] == module)
    assert concept in notebook_text(entry["notebook"]), f"{concept} missing from {entry['notebook']}"


@pytest.mark.parametrize("entry", OUTLINE, ids=lambda m: m["id"])
def test_module_has_spine_exercises_and_pointers(entry):
    text = notebook_text(entry["notebook"])
    for heading in SPINE:
        assert heading in text
    assert (ROOT / entry["exercises"]).is_file()
    assert entry["exercises"].split("/")[-1] in text, "module should link its exercise notebook"
    for module in entry["kamcourse"]:
        importlib.import_module(module)
