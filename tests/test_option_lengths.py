"""Option length gives no clue to the key.

A test-wise trainee picks the longest option. In every module quiz (``quizzes/bank/m*.yaml``;
not ``exam.yaml``, which reproduces the 讲义's exam verbatim) and in every shipped exercise file
(``kamcourse/data/exercises/m*.yaml``), per file:

(a) a single-choice key is the *unique* longest option (length in characters, as displayed) in at
    most a third of the file's single-choice items -- a key that ties for longest gives no clue;
(b) the keys do not all sit at the same letter (a second "always pick C" shortcut).

Parametrised by file, so a failure names the file and lists its items.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import pytest

from conftest import ROOT
from kamcourse.exercises.loader import EXERCISE_DIR, load_exercises, modules
from kamcourse.quiz.kit import KitError, load_graded, load_secrets

COURSE = ROOT / "quizzes"
MAX_SHARE_LONGEST = Fraction(1, 3)

QUIZ_FILES = sorted(path.stem for path in (COURSE / "bank").glob("m*.yaml"))
EXERCISE_MODULES = modules(EXERCISE_DIR)
FILES = [("quiz", name) for name in QUIZ_FILES] + [("exercises", name) for name in EXERCISE_MODULES]
FILE_IDS = [f"quiz-{name}" if kind == "quiz" else f"exercises-{name}" for kind, name in FILES]


@dataclass(frozen=True)
class Choice:
    """One single-choice item: its name, its options as displayed, the key's index."""

    name: str
    options: tuple[str, ...]
    key: int


def key_is_unique_longest(choice: Choice) -> bool:
    """True when the key is longer than every other option.

    >>> key_is_unique_longest(Choice("x", ("短", "长得多的选项", "中等长度"), 1))
    True
    >>> key_is_unique_longest(Choice("x", ("一样长", "一样长", "短"), 0))
    False
    """
    lengths = [len(option) for option in choice.options]
    return all(length < lengths[choice.key] for i, length in enumerate(lengths) if i != choice.key)


def longest_key_items(choices: list[Choice]) -> list[str]:
    return [choice.name for choice in choices if key_is_unique_longest(choice)]


def too_often_longest(choices: list[Choice]) -> bool:
    return Fraction(len(longest_key_items(choices)), max(len(choices), 1)) > MAX_SHARE_LONGEST


@pytest.fixture(scope="module")
def kit():
    """The quiz keys: the instructor kit, or the repository's bank until it is migrated."""
    try:
        return load_secrets(COURSE)
    except KitError as exc:
        pytest.skip(f"needs the instructor kit: {exc}")


def single_choices(kind: str, name: str, request) -> list[Choice]:
    """The file's single-choice items; skips a file that has none."""
    if kind == "quiz":
        quiz = load_graded(COURSE, name, request.getfixturevalue("kit"))
        found = [Choice(f"{name} {item.id}", tuple(str(o) for o in item.options), ord(item.key) - ord("A"))
                 for item in quiz.items if item.type == "single"]
    else:
        found = [Choice(f"{name} {task.id}", tuple(str(o) for o in task.options), task.letters.index(task.key))
                 for task in load_exercises(name, EXERCISE_DIR).tasks if task.kind == "single"]
    if not found:
        pytest.skip(f"{name} has no single-choice items")
    return found


@pytest.mark.parametrize("kind, name", FILES, ids=FILE_IDS)
def test_the_key_is_seldom_the_one_longest_option(kind, name, request):
    choices = single_choices(kind, name, request)
    longest = longest_key_items(choices)
    assert not too_often_longest(choices), (
        f"{name}: the key is the one longest option in {len(longest)} of {len(choices)} single-choice items "
        f"(at most a third may be): {', '.join(longest)}")


@pytest.mark.parametrize("kind, name", FILES, ids=FILE_IDS)
def test_the_key_does_not_always_sit_at_the_same_letter(kind, name, request):
    choices = single_choices(kind, name, request)
    if len(choices) < 2:
        pytest.skip(f"{name} has one single-choice item: its key has nowhere else to be")
    letters = "".join(chr(ord("A") + choice.key) for choice in choices)
    assert len(set(letters)) > 1, f"{name}: every single-choice key is {letters[0]} ({len(choices)} items)"


# ---------------------------------------------------------------- the rules can fail


def _file(*keyed: tuple[tuple[str, ...], int]) -> list[Choice]:
    return [Choice(f"q{i}", options, key) for i, (options, key) in enumerate(keyed, 1)]


SHORT, LONG = "短选项", "一个明显更长、更周全的选项"


@pytest.mark.parametrize("choices, fails", [
    # the key is the one longest option in 2 of 3 items
    (_file(((SHORT, LONG, SHORT), 1), ((LONG, SHORT, SHORT), 0), ((SHORT, SHORT, SHORT), 2)), True),
    # 1 of 3: exactly a third is allowed
    (_file(((SHORT, LONG, SHORT), 1), ((LONG, SHORT, SHORT), 1), ((SHORT, SHORT, SHORT), 2)), False),
    # a key that ties for longest gives no clue
    (_file(((LONG, LONG, SHORT), 0), ((SHORT, LONG, LONG), 2), ((LONG, SHORT, LONG), 0)), False),
])
def test_the_longest_option_rule_counts_unique_longest_keys(choices, fails):
    assert too_often_longest(choices) is fails
