"""Rules the course's trainee-facing text must follow, as small pure functions.

Each rule reads data (``kamcourse/data/compliance.yaml``, ``case.yaml``, ``glossary.yaml``)
and returns :class:`Finding` objects; the tests in ``tests/test_compliance.py``,
``test_case_facts.py`` and ``test_trainee_text.py`` run them over
:func:`kamcourse.texts.trainee_texts` and print every finding with its file and place.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml

from kamcourse.glossary import LATIN_WORD, Glossary
from kamcourse.paths import DATA_DIR, course_root
from kamcourse.relationship import Contact, load_contacts
from kamcourse.texts import Text, table_headers, units, without_markup

CJK_CHAR = "\u3400-\u9fff"


@dataclass(frozen=True)
class Finding:
    path: str
    where: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path} [{self.where}] {self.rule}: {self.message}"


def _excerpt(text: str, start: int, end: int, pad: int = 15) -> str:
    return text[max(0, start - pad): end + pad].replace("\n", " ")


def _yaml(name: str) -> dict[str, Any]:
    return yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))


# ---------------------------------------------------------------- units of text

_LAST_PART = re.compile(r"(\.[^.\[\]]+|\[\d+\])$")
_SHORT_LIST = re.compile(r"\.(options|prompts|labels)$")


def item_key(where: str) -> str:
    """The quiz item, exercise task or data mapping a field belongs to.

    >>> item_key("q2.options[1]"), item_key("t5.stem line 3"), item_key("nodes.present.options[4].text")
    ('q2', 't5', 'nodes.present.options[4]')
    """
    where = where.split(" ", 1)[0]
    key = _LAST_PART.sub("", where)
    return _SHORT_LIST.sub("", key)


def sibling_contexts(texts: Sequence[Text]) -> dict[tuple[str, str], str]:
    """``(path, item key) -> the item's fields other than its options``: for a quiz or
    exercise item its stem, explanation, hint, option notes; for a role-play option its
    label, reply and feedback. These frame every field of the item."""
    found: dict[tuple[str, str], list[str]] = {}
    for text in texts:
        if text.kind not in ("quiz", "data"):
            continue
        where = text.where.split(" ", 1)[0]
        if _SHORT_LIST.search(_LAST_PART.sub("", where)):
            continue  # another option does not frame this one
        found.setdefault((text.path, item_key(where)), []).append(text.text)
    return {key: "\n".join(parts) for key, parts in found.items()}


def is_short_field(text: Text) -> bool:
    """An option, prompt or label of a choice item (a phrase, not a paragraph)."""
    return text.kind in ("quiz", "data") and bool(_SHORT_LIST.search(_LAST_PART.sub("", text.where.split(" ", 1)[0])))


# ---------------------------------------------------------------- compliance


@dataclass(frozen=True)
class Pattern:
    id: str
    regex: re.Pattern[str]
    frames: re.Pattern[str]
    window: int
    min_chars: int
    why: str
    lawful: str
    bad: tuple[str, ...]
    good: tuple[str, ...]

    def unframed(self, text: str) -> list[re.Match[str]]:
        """Matches with no framing marker within ``window`` characters.

        >>> p = compliance_patterns()["fake-coach"]
        >>> len(p.unframed("让采购充当“伪”向导。")), len(p.unframed("“伪”向导的做法本课程不采用。"))
        (1, 0)
        """
        if len(text.strip()) < self.min_chars:
            return []
        bad = []
        for match in self.regex.finditer(text):
            around = text[max(0, match.start() - self.window): match.end() + self.window]
            if not self.frames.search(around):
                bad.append(match)
        return bad


@lru_cache(maxsize=1)
def compliance_patterns() -> dict[str, Pattern]:
    data = _yaml("compliance.yaml")
    default_frames, window = data["default_frames"], int(data.get("window", 60))
    return {
        raw["id"]: Pattern(
            id=raw["id"],
            regex=re.compile(raw["regex"]),
            frames=re.compile(f"{default_frames}|{raw['frames']}" if raw.get("frames") else default_frames),
            window=int(raw.get("window", window)),
            min_chars=int(raw.get("min_chars", 0)),
            why=raw["why"],
            lawful=raw["lawful"],
            bad=tuple(raw.get("examples", {}).get("bad", ())),
            good=tuple(raw.get("examples", {}).get("good", ())),
        )
        for raw in data["patterns"]
    }


@lru_cache(maxsize=1)
def case_material() -> frozenset[str]:
    return frozenset(_yaml("compliance.yaml").get("case_material") or ())


def _owner(text: Text) -> str:
    match = re.search(r"\((\w+)\)$", text.where)
    return f"{text.path}:{match.group(1)}" if match else ""


def compliance_findings(texts: Sequence[Text]) -> list[Finding]:
    """Every unframed forbidden pattern. A field of a quiz item, exercise task or data
    mapping is also framed by the item's other fields (its stem, explanation, hint …); a
    table row is also framed by its table's header row."""
    contexts = sibling_contexts(texts)
    findings = []
    for text in texts:
        if text.kind == "python" and _owner(text) in case_material():
            continue
        item = contexts.get((text.path, item_key(text.where)), "") if text.kind in ("quiz", "data") else ""
        headers = table_headers(text.text)
        for unit in units(text):
            line = re.search(r"line (\d+)$", unit.where)
            header = headers.get(int(line.group(1)), "") if line else ""
            row = unit.text.lstrip().startswith("|")
            for pattern in compliance_patterns().values():
                for match in pattern.unframed(unit.text):
                    if any(context and pattern.frames.search(context) for context in (item, header, unit.text if row else "")):
                        continue
                    findings.append(Finding(
                        text.path, unit.where, pattern.id,
                        f"“{_excerpt(unit.text, match.start(), match.end())}”——{pattern.why} 应改为：{pattern.lawful}",
                    ))
    return findings


# ---------------------------------------------------------------- Latin letters a trainee reads

_URL = re.compile(r"(?:https?://)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|cn|org|net|gov|edu|io)(?:/[^\s）)，。；]*)?")
_FILE = re.compile(r"[\w./-]*[A-Za-z][\w-]*\.(?:ipynb|csv|xlsx)\b")
_PAREN = re.compile(r"（[^（）]*）|\([^()]*\)")
_CODE_SPAN = re.compile(r"`([^`]+)`")
_LETTERS = re.compile(r"^[A-J]{2,10}$")
_JS = re.compile(r"\bfunction\s*\(|\bvar\s+\w+\s*=|document\.getElementById")  # a script, not prose  # option letters of an answer, e.g. ABD, BADC


def latin_problems(text: str, originals: frozenset[str], free: frozenset[str]) -> list[str]:
    """The Latin-letter words a trainee would have to read that no list allows.

    Allowed: a single letter (option letters, A 级, S/P/I/N); a word in ``free``
    (abbreviations, interface labels, Latin inside a canonical term); a web address or a
    course file name; and inside a parenthesis that follows Chinese, a word of an English
    original, name or source (``originals``, lower case).

    >>> latin_problems("特征（Feature）与 CRM、Economic Buyer", frozenset({"feature"}), frozenset({"CRM"}))
    ['Economic', 'Buyer']
    >>> latin_problems("出处：wisecrm.com；见 01_mindset.ipynb", frozenset(), frozenset())
    []
    """
    text = re.sub(r"<(style|script)\b.*?</\1>", " ", text, flags=re.S)
    text = _URL.sub(" ", _FILE.sub(" ", re.sub(r"&#?\w+;", " ", without_markup(text))))
    inside: list[tuple[int, int]] = []
    for match in _PAREN.finditer(text):
        before = text[max(0, match.start() - 1): match.start()]
        if before and (re.match(f"[{CJK_CHAR}》”」*]", before) or before == " " and match.group(0).startswith("（")):
            inside.append((match.start(), match.end()))
    problems = []
    for match in LATIN_WORD.finditer(text):
        word = match.group(0)
        if len(word) == 1 or word in free or word.rstrip("_").upper() in free or _LETTERS.match(word):
            continue
        if any(a <= match.start() < b for a, b in inside) and all(
                part.lower() in originals for part in re.split(r"['’+\-.]", word) if part):
            continue
        problems.append(word)
    return problems


@lru_cache(maxsize=1)
def quiz_ids(root: str | None = None) -> frozenset[str]:
    base = Path(root) if root else course_root()
    return frozenset(p.stem for p in (base / "quizzes" / "bank").glob("*.yaml"))


#: Names a trainee types in an nbgrader quiz by design (the answer variables).
QUIZ_ANSWER_NAME = re.compile(r"^answer_q\d+$")


def latin_findings(texts: Iterable[Text], glossary: Glossary) -> list[Finding]:
    originals = glossary.original_words()
    free = glossary.free_words(quiz_ids())
    findings = []
    for text in texts:
        if text.kind == "code-string" or is_python_code(text.text) or _JS.search(text.text):
            continue  # code: a notebook's own code, or a generated code cell (checked as code, not prose)
        words = [w for w in latin_problems(text.text, originals, free) if not QUIZ_ANSWER_NAME.match(w)]
        if words:
            findings.append(Finding(text.path, text.where, "english",
                                    f"英文词 {', '.join(dict.fromkeys(words))}：写成中文，英文原名只放在中文后的括号里"))
    return findings


def is_python_code(text: str) -> bool:
    """A multi-line string that is a Python program (e.g. a generated code cell's source).

    >>> is_python_code("# 格式检查\\nfrom x import y\\ny()"), is_python_code("第一行\\n第二行")
    (True, False)
    """
    if "\n" not in text.strip():
        return False
    try:
        tree = ast.parse(text.replace("{…}", "None"))  # an f-string's placeholders
    except SyntaxError:
        return False
    statements = (ast.Import, ast.ImportFrom, ast.Assign, ast.AugAssign, ast.FunctionDef, ast.For, ast.If, ast.With)
    return any(isinstance(node, statements) or isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
               for node in tree.body)


# ---------------------------------------------------------------- code a trainee would read

CODE_WORDS = re.compile(r"papermill|\./kc\b|\bkc serve\b|\bkamcourse\s+\w+|(?<![A-Za-z])(None|True|False)(?![A-Za-z])|\bimport\s+\w|\bprint\(")


def code_instruction_problems(markdown: str, allowed_spans: frozenset[str]) -> list[str]:
    """Code a trainee is told to read or run in markdown: tool commands, Python words, and
    inline code spans other than interface names (quiz ids).

    >>> code_instruction_problems("讲师可以用 `./kc serve` 提供；`None` 表示样本数据；完成测验 `m1_mindset`", frozenset({"m1_mindset"}))
    ['./kc serve', 'None']
    """
    problems = [span for span in _CODE_SPAN.findall(markdown) if span.strip() not in allowed_spans]
    bare = _CODE_SPAN.sub(" ", markdown)
    problems += [m.group(0) for m in CODE_WORDS.finditer(bare)]
    return list(dict.fromkeys(problems))


# ---------------------------------------------------------------- punctuation, ranges, headings

_ASCII_PUNCT = re.compile(f"(?<=[{CJK_CHAR}])[,;:?!]|(?<=[{CJK_CHAR}])\\((?=[^)]*[{CJK_CHAR}])|(?<=[{CJK_CHAR}])\\)|\\)(?=[{CJK_CHAR}])|\"(?=[{CJK_CHAR}])")
_RANGE = re.compile(r"(?<![\dA-Za-z.\-])(\d{1,4})\s?[-–—~]\s?(\d{1,4})(?![\d\-.:])")


def punctuation_problems(text: str) -> list[str]:
    """ASCII punctuation inside Chinese prose, and number ranges not written with ～ or 至.

    >>> punctuation_problems("影响力(1-5,5 最大)：注意,这里")
    ['影响力(', '最大)', '：注意,', '1-5']
    >>> punctuation_problems("2012-04-30 的 DSO，JM-500 测 1～5 件，400 − 100")
    []
    """
    clean = _CODE_SPAN.sub(" ", _URL.sub(" ", without_markup(text)))
    found = [clean[max(0, m.start() - 3): m.end()].strip() for m in _ASCII_PUNCT.finditer(clean)]
    for m in _RANGE.finditer(clean):
        first, second = m.group(1), m.group(2)
        if len(first) == 4 and len(second) == 2:
            continue  # a date such as 2012-04
        found.append(m.group(0))
    return found


FIXED_HEADINGS = {"学习目标", "小结", "下一步", "我的进度", "开始学习"}
_H2 = re.compile(r"^##\s+(.*?)\s*$", re.M)


def heading_problems(markdown_cells: Sequence[str]) -> list[str]:
    """Numbered H2 headings are ``## N. 标题`` and run 1, 2, 3 …; a notebook either numbers
    all its content headings or none (学习目标, 小结, 下一步 and 练习 headings excepted).

    >>> heading_problems(["## 学习目标", "## 1. 甲", "## 3. 乙", "## 丙", "## 小结"])
    ['## 3. 乙: expected 2', '## 丙: not numbered like the others']
    >>> heading_problems(["## 一、甲"])
    ['## 一、甲: number as “## 1. 标题”']
    """
    headings = [h for cell in markdown_cells for h in _H2.findall(cell)]
    content = [h for h in headings if h not in FIXED_HEADINGS and not h.startswith("练习")]
    problems = [f"## {h}: number as “## 1. 标题”" for h in content
                if re.match(r"^([一二三四五六七八九十]+[、.．]|\d+[、．]|\d+\.(?!\s))", h)]
    numbered = [h for h in content if re.match(r"^\d+\.\s", h)]
    if numbered:
        expected = 1
        for h in content:
            match = re.match(r"^(\d+)\.\s", h)
            if not match:
                problems.append(f"## {h}: not numbered like the others")
                continue
            if int(match.group(1)) != expected:
                problems.append(f"## {h}: expected {expected}")
            expected = int(match.group(1)) + 1
    return problems


# ---------------------------------------------------------------- the running case


@lru_cache(maxsize=1)
def case() -> dict[str, Any]:
    return _yaml("case.yaml")


def contacts(root: Path | None = None) -> tuple[Contact, ...]:
    """The running case's contacts, read from ``case.yaml``'s ``contacts_file`` with the
    relationship module's own parser."""
    return load_contacts(str((root or course_root()) / case()["contacts_file"]))


_CLAUSE = re.compile(r"[，。；！？\n|]")
_SENTENCE = re.compile(r"[。；！？\n]")
_DURATION = re.compile(r"(半个?小时|[\d一二两三四五六七八九十]+(?:\.\d+)?\s*(?:个)?(?:小时|分钟))")


def _norm_duration(text: str) -> str:
    text = re.sub(r"\s+", "", text).replace("半个小时", "半小时").replace("个小时", "小时")
    return re.sub(r"(\d+(?:\.\d+)?)", r"\1 ", text).replace("  ", " ").strip()


def first_article_problems(unit: str) -> list[str]:
    """Durations next to 首件 in a running-case paragraph that the case does not have.

    >>> first_article_problems("宁波海瑞的首件检测要等半个小时，客户要压到 10 分钟以内。")
    []
    >>> first_article_problems("JM-500 放在产线旁，首件结果 15 分钟就出来了。")
    ['15 分钟']
    """
    facts = case()
    if not re.search(facts["case_markers"], unit):
        return []
    allowed = {_norm_duration(d) for d in facts["first_article"]["allowed_durations"]}
    found = []
    for clause in _CLAUSE.split(unit):
        if "首件" not in clause:
            continue
        for match in _DURATION.finditer(clause):
            if _norm_duration(match.group(1)) not in allowed:
                found.append(match.group(1))
    return found


def forbidden_claim_problems(unit: str) -> list[tuple[str, str]]:
    """``(claim id, excerpt)`` for each sentence that contradicts the case.

    >>> forbidden_claim_problems("用它，半小时内出结果，产线不用再等。")
    [('half-hour-benefit', '用它，半小时内出结果，产线不用再等。')]
    """
    found = []
    for claim in case()["forbidden_claims"]:
        for match in re.finditer(claim["regex"], unit):
            found.append((claim["id"], _excerpt(unit, match.start(), match.end())))
    return found


def role_listing_problems(unit: str) -> list[str]:
    """A unit that lists buying roles must list all six, separately.

    >>> role_listing_problems("五种角色：决策人、使用者、技术/财务把关者、采购、向导")
    ['merged 技术/财务把关者 (split into 技术把关者 and 财务把关者)']
    >>> role_listing_problems("决策人、使用者、技术把关者、采购、向导")
    ['lists roles without 财务把关者']
    >>> role_listing_problems("讲义把技术、财务把关者画在一起；本课程分为决策人、使用者、技术把关者、财务把关者、采购、向导。")
    []
    """
    facts = case()
    merged = list(re.finditer(facts["merged_roles"], unit))
    problems = []
    if merged and facts["merged_roles_allowed_with"] not in unit:
        problems.append(f"merged {merged[0].group(0)} (split into 技术把关者 and 财务把关者)")
    distinctive = [r for r in facts["roles"] if r != "采购"]
    bare = re.sub(facts["merged_roles"], " ", unit)
    present = {r for r in distinctive if r in bare}
    if merged:
        present |= {"技术把关者", "财务把关者"}
    if len(present) >= int(facts["listing_threshold"]):
        missing = [r for r in facts["roles"] if r not in bare]
        if missing and not (merged and set(missing) <= {"技术把关者", "财务把关者"}):
            problems.append("lists roles without " + "、".join(missing))
    return problems


def contact_problems(unit: str, people: Sequence[Contact]) -> list[str]:
    """A contact named with another contact's title or role (nearest mention in the clause).

    >>> people = contacts()
    >>> contact_problems("质量部经理张伟和财务总监刘芳还只是“认识”。", people)
    []
    >>> contact_problems("采购部经理张伟是技术把关者", people)
    ['张伟 is 质量部经理, not 采购部经理']
    >>> contact_problems("分管生产的副总经理李志强、张伟 质量部经理", people)
    []
    """
    titles = sorted({p.title for p in people}, key=len, reverse=True)
    generic = set(case()["generic_titles"])  # a title no contact holds exactly: no claim about anyone
    roles = [r for r in case()["roles"] if r != "采购"]
    problems = []
    for clause in re.split(r"[，。；！？\n|、]", unit):
        title_spans = _spans(clause, [*titles, *generic])
        role_spans = _spans(clause, roles)
        for person in people:
            for match in re.finditer(re.escape(person.name), clause):
                title = _nearest(title_spans, match.start(), match.end())
                if title and title not in generic and title != person.title:
                    problems.append(f"{person.name} is {person.title}, not {title}")
                role = _nearest(role_spans, match.start(), match.end(), window=8)
                if role and role != person.role and person.role != "采购":
                    problems.append(f"{person.name} is {person.role}, not {role}")
    return problems


def _spans(text: str, words: Sequence[str]) -> list[tuple[int, int, str]]:
    """Non-overlapping occurrences of ``words``, longest first."""
    taken: list[tuple[int, int, str]] = []
    for word in sorted(words, key=len, reverse=True):
        for match in re.finditer(re.escape(word), text):
            if not any(a < match.end() and match.start() < b for a, b, _ in taken):
                taken.append((match.start(), match.end(), word))
    return sorted(taken)


def _nearest(spans: Sequence[tuple[int, int, str]], start: int, end: int, window: int = 6) -> str | None:
    best: tuple[int, str] | None = None
    for a, b, word in spans:
        distance = start - b if b <= start else a - end if a >= end else 0
        if 0 <= distance <= window and (best is None or distance < best[0]):
            best = (distance, word)
    return best[1] if best else None


def contact_stage_problems(row: str, people: Sequence[Contact]) -> list[str]:
    """In a table row naming one contact, his title, role and stage (one of each) are his.

    >>> contact_stage_problems("| 王建国 | 总经理 | 决策人 | 5 | 信赖 |", contacts())
    ['王建国 is at 约会, not 信赖']
    >>> contact_stage_problems("| 李志强 | 采购部经理 | 使用者 |", contacts())
    ['李志强 is 分管生产副总经理, not 采购部经理']
    """
    if not row.lstrip().startswith("|"):
        return []
    named = [p for p in people if p.name in row]
    if len(named) != 1:
        return []
    person, problems = named[0], []
    cells = [c.strip(" *") for c in row.strip().strip("|").split("|")]
    titles = {p.title for p in people} & set(cells)
    if len(titles) == 1 and person.title not in titles:
        problems.append(f"{person.name} is {person.title}, not {titles.pop()}")
    roles = set(case()["roles"]) & set(cells)
    if len(roles) == 1 and person.role not in roles:
        problems.append(f"{person.name} is {person.role}, not {roles.pop()}")
    stages = [s for s in case()["stages"] if s in row]
    if len(stages) == 1 and stages[0] != person.stage:
        problems.append(f"{person.name} is at {person.stage}, not {stages[0]}")
    return problems


_THRESHOLD = re.compile(r"(\d+\s*[≤<]\s*)?([ABCD])\s*(≥|>=|＞|>|≤|<|<=)\s*(\d+)")


def personality_problems(unit: str) -> list[str]:
    """Score thresholds, questioning orders and the priority chain of module 4.

    >>> personality_problems("A≥9 为鹰，6≤A<9 为倾向鹰，D≥8 为狐，C≥6 为羊")
    []
    >>> personality_problems("D≥7 为狐；鹰用“说问听”")
    ['threshold D≥7', '鹰 uses 听问说, not 说问听']
    """
    facts = case()["personality"]
    allowed = {t.replace(" ", "") for t in facts["thresholds"]}
    problems = []
    for match in _THRESHOLD.finditer(unit):
        found = re.sub(r"\s+", "", match.group(0)).replace(">=", "≥").replace("<=", "≤")
        if found not in allowed:
            problems.append(f"threshold {found}")
    orders: dict[str, str] = facts["orders"]
    type_words = sorted(orders, key=len, reverse=True)
    pieces = unit.split("|") if unit.lstrip().startswith("|") else _CLAUSE.split(unit)
    if unit.lstrip().startswith("|"):
        pieces = [unit]
    for piece in pieces:
        types = {w for _, _, w in _spans(piece, type_words)}
        said = set(re.findall("听问说|说问听|问听说", piece))
        if len(types) == 1 and len(said) == 1:
            kind, order = types.pop(), said.pop()
            if orders[kind] != order:
                problems.append(f"{kind} uses {orders[kind]}, not {order}")
    priority = facts["priority"]
    for chain in re.findall(r"(?:倾向鹰|[鹰狐羊驴])(?:\s*[>＞]\s*(?:倾向鹰|[鹰狐羊驴]))+", unit):
        items = [x.strip() for x in re.split(r"[>＞]", chain)]
        positions = [priority.index(x) for x in items]
        if positions != sorted(positions):
            problems.append(f"priority {chain}")
    return problems


def stage_order_problems(unit: str) -> list[str]:
    """Arrow chains of relationship stages run 认识 → 约会 → 信赖 → 同盟.

    >>> stage_order_problems("认识 → 约会 → 信赖 → 同盟"), stage_order_problems("认识 → 信赖 → 约会")
    ([], ['认识 → 信赖 → 约会'])
    """
    stages = case()["stages"]
    problems = []
    for chain in re.findall(r"(?:认识|约会|信赖|同盟)(?:\s*(?:→|->|—>)\s*(?:认识|约会|信赖|同盟))+", unit):
        items = [x.strip() for x in re.split(r"→|->|—>", chain)]
        positions = [stages.index(x) for x in items]
        if positions != sorted(positions) or len(set(positions)) != len(positions):
            problems.append(chain)
    return problems


def named_list_problems(unit: str) -> list[str]:
    """A list introduced by a counted name has that many items.

    >>> named_list_problems("付遥的“摧龙八式”：发现需求、内部酝酿、采购设计、评估比较、购买承诺、安装实施")
    ['摧龙八式 lists 6 items, not 8']
    """
    problems = []
    for entry in case()["named_lists"]:
        for match in re.finditer(entry["name"], unit):
            rest = _SENTENCE.split(unit[match.end():], maxsplit=1)[0]
            head = re.match(r"^[”」）)]*[^：:]{0,12}[：:](.*)$", rest)
            if not head:
                continue
            items = [x for x in re.split(r"、", head.group(1)) if x.strip()]
            if len(items) >= 3 and len(items) != int(entry["count"]):
                problems.append(f"{match.group(0)} lists {len(items)} items, not {entry['count']}")
    return problems


def product_problems(unit: str) -> list[str]:
    """JM-500's repeatability is ±1.5 微米 wherever it is quoted.

    >>> product_problems("JM-500 的重复精度 ±2 微米"), product_problems("JM-500：重复精度 ±1.5 微米")
    (['±2 微米'], [])
    """
    facts = case()["product_facts"]
    if "JM-500" not in unit:
        return []
    problems = []
    for match in re.finditer(r"重复精度[^。；\n±]{0,6}±\s*(\d+(?:\.\d+)?)\s*(微米|μm|um)", unit):
        if float(match.group(1)) != float(facts["repeatability_um"]):
            problems.append(f"±{match.group(1)} {match.group(2)}")
    return problems


def case_findings(texts: Sequence[Text], people: Sequence[Contact]) -> list[Finding]:
    findings = []
    for text in texts:
        for unit in units(text):
            body = without_markup(unit.text)
            for duration in first_article_problems(body):
                findings.append(Finding(text.path, unit.where, "first-article",
                                        f"首件检测时间“{duration}”与案例不符（今天约半小时；客户要求 10 分钟以内；JM-500 约 8 分钟）"))
            for claim, excerpt in forbidden_claim_problems(body):
                reason = next(c["why"] for c in case()["forbidden_claims"] if c["id"] == claim)
                findings.append(Finding(text.path, unit.where, claim, f"“{excerpt}”：{reason}"))
            if not is_short_field(text):
                findings += [Finding(text.path, unit.where, "roles", p) for p in role_listing_problems(body)]
            findings += [Finding(text.path, unit.where, "contacts", p) for p in contact_problems(body, people)]
            findings += [Finding(text.path, unit.where, "contacts", p) for p in contact_stage_problems(body, people)]
            findings += [Finding(text.path, unit.where, "personality", p) for p in personality_problems(body)]
            findings += [Finding(text.path, unit.where, "stages", p) for p in stage_order_problems(body)]
            findings += [Finding(text.path, unit.where, "named-list", p) for p in named_list_problems(body)]
            findings += [Finding(text.path, unit.where, "product", p) for p in product_problems(body)]
    return findings
