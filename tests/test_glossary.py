"""One term per concept: no refused variant of a glossary term in anything a trainee reads.

The glossary is data (``kamcourse/data/glossary.yaml``); the trainee-facing strings come
from :mod:`kamcourse.texts` (notebooks, widget and result strings, the quiz bank, exercise
and role-play data, sample CSV files). Only the generated 术语表 page may show variants: it
lists them so that a trainee reading other material can map them to the course's terms.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import defaultdict

import pytest
import yaml

from conftest import ROOT
from kamcourse import glossary as glossary_mod
from kamcourse.glossary import load_glossary, page_cells, render_page
from kamcourse.texts import GLOSSARY_PAGE, trainee_texts

GLOSSARY = load_glossary()
TEXTS = trainee_texts(ROOT)
BY_FILE: dict[str, list] = defaultdict(list)
for _text in TEXTS:
    BY_FILE[_text.path].append(_text)


@pytest.mark.parametrize("path", sorted(p for p in BY_FILE if p != GLOSSARY_PAGE))
def test_no_refused_variant(path):
    problems = [
        f"{text.where}: “{hit.variant}” → 用“{hit.term}”（…{hit.excerpt}…）"
        for text in BY_FILE[path]
        for hit in GLOSSARY.variant_hits(text.text)
    ]
    assert not problems, f"{path}: {len(problems)} refused variant(s)\n" + "\n".join(problems)


# ---------------------------------------------------------------- the matcher can fail


@pytest.mark.parametrize("text, term", [
    ("客户的特点", "特征"),
    ("这是隐藏性需求", "隐含需求"),
    ("客户的明显需求", "明确需求"),
    ("明显、强烈的需求", "明确需求"),
    ("需求效益问题", "需求-效益问题"),
    ("需求—效益问题", "需求-效益问题"),
    ("购买影响者", "采购影响者"),
    ("每个阶段的成功率", "赢率"),
    ("沟通的损耗", "沟通漏斗"),
    ("本课将介绍", "本课程"),
    ("周秘书是内线", "向导"),
    ("示例公司", "样本公司"),
    ("决策者拍板", "决策人"),
    ("种子材料", "讲义"),
    ("课程讲义", "讲义"),
    ("the seed notes", "讲义"),
    ("特征、功能、优势、利益", "优点"),
])
def test_a_planted_variant_is_found(text, term):
    assert term in [hit.term for hit in GLOSSARY.variant_hits(text)]


@pytest.mark.parametrize("text", [
    "本课程的讲义", "实施 CRM 项目的成功率", "民企相对外企的优势是价格和服务", "明确、强烈的需求",
    "需求-效益问题", "决策人", "向导", "赢率", "沟通漏斗", "样本公司", "采购影响者",
])
def test_canonical_wording_passes(text):
    assert GLOSSARY.variant_hits(text) == []


def test_no_canonical_term_is_refused_by_any_entry():
    clashes = [(term.term, hit.variant) for term in GLOSSARY.terms for hit in GLOSSARY.variant_hits(term.term)]
    assert clashes == []


def test_terms_are_unique_and_every_entry_is_complete():
    names = [t.term for t in GLOSSARY.terms]
    assert len(names) == len(set(names))
    for term in GLOSSARY.terms:
        assert term.note and re.search(r"[\u4e00-\u9fff]", term.note), term.term
        assert term.module in glossary_mod.MODULE_NAMES, term.term


def test_the_binding_terms_are_in_the_glossary():
    """common.md's list of canonical terms and the variants it refuses."""
    binding = {
        "特征": ["特点"], "隐含需求": ["隐藏性需求", "隐性需求"], "明确需求": ["明显需求", "明显性需求"],
        "采购影响者": ["购买影响者"], "沟通漏斗": ["沟通的损耗"], "向导": ["内线"], "样本公司": ["示例公司"],
        "决策人": ["决策者"], "讲义": ["种子讲义", "种子材料", "种子笔记", "课程讲义"], "本课程": ["本课"],
    }
    for term, variants in binding.items():
        for variant in variants:
            assert term in [h.term for h in GLOSSARY.variant_hits(variant)], (term, variant)
    for term in ("功能", "优点", "利益", "需求-效益问题", "背景问题", "难点问题", "暗示问题", "赢率"):
        assert term in [t.term for t in GLOSSARY.terms]


# ---------------------------------------------------------------- the generated page


def test_the_glossary_page_is_generated_from_the_data():
    page = ROOT / GLOSSARY_PAGE
    assert page.is_file(), "run: kamcourse glossary build"
    assert page.read_text(encoding="utf-8") == render_page(GLOSSARY), "run: kamcourse glossary build"


def test_the_page_lists_every_term_and_shown_variant_but_no_jargon():
    text = "\n".join(page_cells(GLOSSARY))
    for term in GLOSSARY.terms:
        assert f"**{term.term}**" in text
        if term.english:
            assert f"（{term.english}）" in text
        for variant in term.variants:
            assert (variant.shown in text) == variant.show, variant.shown
    assert "种子" not in text and "seed" not in text.lower()


def test_build_check_fails_on_a_drifted_page_and_build_repairs_it(tmp_path):
    (tmp_path / "course").mkdir()
    page = tmp_path / GLOSSARY_PAGE
    page.write_text(json.dumps({"cells": []}), encoding="utf-8")
    env = {**os.environ, "KAMCOURSE_ROOT": str(tmp_path)}
    kamcourse = [sys.executable, "-c", "import sys; from kamcourse.cli import main; sys.exit(main())"]
    bad = subprocess.run([*kamcourse, "glossary", "build", "--check"], env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and "不一致" in bad.stderr
    fixed = subprocess.run([*kamcourse, "glossary", "build"], env=env, capture_output=True, text=True)
    assert fixed.returncode == 0 and "已生成" in fixed.stdout
    assert page.read_text(encoding="utf-8") == render_page(GLOSSARY)


def test_a_variant_with_context_needs_its_context():
    data = yaml.safe_load((ROOT / "kamcourse" / "data" / "glossary.yaml").read_text(encoding="utf-8"))
    data["terms"] = [{"term": "赢率", "refuse": [{"regex": "成功率", "context": "阶段", "window": 4}], "note": "说明"}]
    small = glossary_mod.parse_glossary(data)
    assert [h.variant for h in small.variant_hits("阶段成功率")] == ["成功率"]
    assert small.variant_hits("项目的成功率很高") == []
