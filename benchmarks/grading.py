"""Grading a class: sequential ``nbgrader autograde`` against ``kamcourse quiz grade``.

    .venv/bin/python benchmarks/grading.py                    # 100 submissions (~10 min)
    .venv/bin/python benchmarks/grading.py --submissions 20 --baseline class
    .venv/bin/python benchmarks/grading.py --profile          # where one nbgrader autograde spends its time

Builds a synthetic class of the exam quiz in temporary nbgrader courses (answers from
``benchmarks/bench.py``'s generator: the key 60 %, blank 10 %, a plausible wrong answer
otherwise; ``--code-share`` of the submissions also get one answer written as code,
``"AB" + "C"``, which needs a kernel), then times, on the same submissions, each in a
fresh course:

* ``per-student``: ``nbgrader autograde exam --student S`` once per student, as an
  instructor grading submissions as they come in would run it;
* ``class``: one ``nbgrader autograde exam`` for the whole class (nbgrader imported once);
* ``kamcourse quiz grade exam SUBMISSIONS`` (the default ``fast`` engine), which also
  generates the release, pre-checks, writes feedback HTML for everyone, exports the grades
  and computes item statistics -- work the two baselines do not do;
* with ``--engine-nbgrader``, also ``kamcourse quiz grade --engine nbgrader``.

Every command runs as its own process, as an instructor would run it. The scores of every
grade cell (auto score, manual score, whether it waits for a manual grade) and every
submission's total are then compared across the gradebooks: "identical" means all equal.
Wall-clock numbers on a shared machine: the load average is printed before and after;
re-run when the machine is quiet. Nothing here is a test: it prints, it does not assert.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
QUIZ = "exam"
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench import machine  # noqa: E402


def load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def env(course: Path) -> dict[str, str]:
    from kamcourse.quiz.bank import BANK_ENV

    return {**os.environ, BANK_ENV: str(course / "bank"), "PATH": os.pathsep.join([str(BIN), os.environ.get("PATH", "")])}


def new_course(path: Path) -> Path:
    """A copy of ``quizzes/`` without anything generated, released as the README says
    (``kamcourse quiz release``, i.e. nbgrader generate_assignment)."""
    shutil.copytree(ROOT / "quizzes", path, ignore=shutil.ignore_patterns(
        "release", "submitted", "autograded", "feedback", "reports", "gradebook.db", ".ipynb_checkpoints"))
    done = subprocess.run([str(BIN / "kamcourse"), "quiz", "release", QUIZ, "--course", str(path)], cwd=path, env=env(path),
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"kamcourse quiz release failed:\n{done.stderr[-2000:]}")
    return path


def write_class(course: Path, n: int, folder: Path, code_share: float, seed: int = 5) -> tuple[list[str], list[str]]:
    """``n`` submissions in nbgrader's layout; returns (students, those with a code answer)."""
    from bench import write_class as bench_write_class  # the other benchmark's generator, reused

    from kamcourse.quiz.bank import load_quiz

    quiz = load_quiz(QUIZ, course / "bank")
    release = json.loads((course / "release" / QUIZ / f"{QUIZ}.ipynb").read_text(encoding="utf-8"))
    students = bench_write_class(release, quiz, n, folder, seed=seed)
    rng = random.Random(seed)
    coded = sorted(rng.sample(students, round(n * code_share))) if code_share > 0 else []
    for student in coded:  # one answer as code: the fast engine must leave it to a kernel
        path = folder / student / QUIZ / f"{QUIZ}.ipynb"
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "q3_answer":
                cell["source"] = '# 第 3 题\nanswer_q3 = "AB" + "C"\n'
        path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return students, coded


def timed(args: list[str], cwd: Path, course: Path) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env(course), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}")
    return seconds, done


def gradebook(course: Path, students: list[str]) -> dict[str, tuple]:
    """Every grade cell of every submission, and each submission's score."""
    from nbgrader.api import Gradebook

    rows: dict[str, tuple] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in students:
            nb = gb.find_submission_notebook(QUIZ, QUIZ, student)
            for grade in nb.grades:
                rows[f"{student} {grade.name}"] = (grade.auto_score, grade.manual_score, grade.needs_manual_grade)
            rows[f"{student} score"] = (round(float(nb.score), 4),)
    return rows


def differences(a: dict[str, tuple], b: dict[str, tuple]) -> list[str]:
    return [f"{k}: {a.get(k)} vs {b.get(k)}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def pipeline_json(course: Path, submissions: Path, engine: str) -> list[str]:
    """``kamcourse quiz grade`` in its own process, reporting its step timings as JSON."""
    code = (
        "import json, sys; from kamcourse.quiz.pipeline import grade_class;"
        f"r = grade_class({str(course)!r}, {QUIZ!r}, {str(submissions)!r}, engine={engine!r}, progress=lambda m: None);"
        "print(json.dumps({'seconds': r.seconds, 'timings': r.timings, 'engines': r.engines,"
        " 'failed': [s.student for s in r.students if s.status != 'graded']}))"
    )
    return [sys.executable, "-c", code]


def profile_one(tmp: Path) -> None:
    """Where one ``nbgrader autograde`` of one submission spends its wall time."""
    course = new_course(tmp / "profile")
    students, _ = write_class(course, 3, course / "submitted", 0.0)
    code = r'''
import sys, time, collections, functools, json
t0 = time.perf_counter(); c0 = time.process_time()
import nbgrader.converters, nbgrader.preprocessors, nbclient.client
from kamcourse.quiz import pipeline
imports = (time.perf_counter() - t0, time.process_time() - c0)
T = collections.defaultdict(float)
def wrap(cls, name, label):
    orig = getattr(cls, name)
    @functools.wraps(orig)
    def timed(*a, **k):
        s = time.perf_counter()
        try:
            return orig(*a, **k)
        finally:
            T[label] += time.perf_counter() - s
    setattr(cls, name, timed)
from nbgrader.converters import Autograde
P = nbgrader.preprocessors
wrap(Autograde, "init_assignment", "nbgrader: student, submission, timestamp (gradebook)")
for name in ["OverwriteCells", "CheckCellMetadata", "SaveAutoGrades", "OverwriteKernelspec", "AssignLatePenalties"]:
    wrap(getattr(P, name), "preprocess", f"nbgrader: {name}")
wrap(nbclient.client.NotebookClient, "start_new_kernel", "kernel: start the process")
wrap(nbclient.client.NotebookClient, "start_new_kernel_client", "kernel: wait until it is ready")
wrap(nbclient.client.NotebookClient, "_cleanup_kernel", "kernel: shut it down")
orig = nbclient.client.NotebookClient.execute_cell
def execute_cell(self, cell, index, **kw):
    s = time.perf_counter()
    try:
        return orig(self, cell, index, **kw)
    finally:
        role = cell.metadata.get("kamcourse", {}).get("role", "other")
        seen = self.__dict__.setdefault("_seen", set())
        first = role == "test" and "test" not in seen
        seen.add(role)
        T["kernel: run the first test cell (imports the grader, loads the bank)" if first else f"kernel: run {role} cells"] += time.perf_counter() - s
nbclient.client.NotebookClient.execute_cell = execute_cell
course = pipeline.Course(__import__("pathlib").Path(sys.argv[1]), "exam")
students = sys.argv[2:]
with pipeline.grading_environment(course):
    s = time.perf_counter()
    outcomes = pipeline.nbgrader_autograde(course, students, 30, lambda m: None)
    total = (time.perf_counter() - s) / len(students)
assert all(o.ok for o in outcomes.values()), outcomes
print(json.dumps({"imports": imports, "total": total, "parts": {k: v / len(students) for k, v in T.items()}}))
'''
    done = subprocess.run([sys.executable, "-c", code, str(course), *students], env=env(course),
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    data = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\nOne `nbgrader autograde` of one exam submission (mean of {len(students)}; load {load()}):")
    print(f"  {data['imports'][0]:6.2f} s  importing nbgrader (CPU {data['imports'][1]:.2f} s; paid once per command)")
    print(f"  {data['total']:6.2f} s  autograde, of which:")
    accounted = 0.0
    for label, seconds in sorted(data["parts"].items(), key=lambda kv: -kv[1]):
        accounted += seconds
        print(f"    {seconds:6.3f} s  {label}  ({100 * seconds / data['total']:.0f} %)")
    print(f"    {data['total'] - accounted:6.3f} s  the rest (reading, writing and validating notebooks, files)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--baseline", choices=["per-student", "class", "both", "none"], default="both")
    parser.add_argument("--code-share", type=float, default=0.05,
                        help="share of submissions with one answer written as code (default 0.05)")
    parser.add_argument("--engine-nbgrader", action="store_true", help="also time kamcourse quiz grade --engine nbgrader")
    parser.add_argument("--profile", action="store_true", help="profile one nbgrader autograde and stop")
    parser.add_argument("--keep", type=Path, help="build the courses here and keep them")
    args = parser.parse_args(argv)

    print(f"Machine: {machine()}; load average (1/5/15 min) before: {load()}")
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as scratch:
        tmp = args.keep or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        if args.profile:
            profile_one(tmp)
            return 0
        submissions = tmp / "submissions"
        first = new_course(tmp / "pipeline")
        students, coded = write_class(first, args.submissions, submissions, args.code_share)
        print(f"{len(students)} submissions of the exam quiz ({len(coded)} with one answer written as code)", flush=True)
        rows: list[tuple[str, float, str]] = []
        books: dict[str, dict[str, tuple]] = {}

        runs = []
        if args.baseline in ("per-student", "both"):
            runs.append("per-student")
        if args.baseline in ("class", "both"):
            runs.append("class")
        for name in runs:
            course = new_course(tmp / name)
            shutil.copytree(submissions, course / "submitted")
            print(f"[{name}] nbgrader autograde ... (load {load()})", file=sys.stderr, flush=True)
            if name == "per-student":
                started = time.perf_counter()
                for student in students:
                    timed([str(BIN / "nbgrader"), "autograde", QUIZ, "--student", student, "--force"], course, course)
                seconds = time.perf_counter() - started
                rows.append(("nbgrader autograde --student S, once per student", seconds, ""))
            else:
                seconds, _ = timed([str(BIN / "nbgrader"), "autograde", QUIZ, "--force"], course, course)
                rows.append(("nbgrader autograde, one command for the class", seconds, ""))
            books[name] = gradebook(course, students)

        engines = ["fast"] + (["nbgrader"] if args.engine_nbgrader else [])
        for engine in engines:
            course = first if engine == "fast" else new_course(tmp / "pipeline-nbgrader")
            print(f"[kamcourse quiz grade --engine {engine}] ... (load {load()})", file=sys.stderr, flush=True)
            seconds, done = timed(pipeline_json(course, submissions, engine), course, course)
            report = json.loads(done.stdout.strip().splitlines()[-1])
            split = ", ".join(f"{k} {v:.1f}" for k, v in report["timings"].items())
            used = ", ".join(f"{k} {v}" for k, v in report["engines"].items())
            rows.append((f"kamcourse quiz grade --engine {engine}", seconds, f"steps (s): {split}; autograded: {used}"
                         + (f"; not graded: {report['failed']}" if report["failed"] else "")))
            books[f"kamcourse {engine}"] = gradebook(course, students)

        print(f"\nLoad average after: {load()}\n")
        if not books:
            return 0
        fast = next(s for label, s, _ in rows if label.endswith("--engine fast"))
        width = max(len(r[0]) for r in rows)
        print(f"| {'run'.ljust(width)} | wall time | vs fast |")
        print(f"|{'-' * (width + 2)}|-----------|---------|")
        for label, seconds, _ in rows:
            print(f"| {label.ljust(width)} | {seconds:7.1f} s | {seconds / fast:6.1f}x |")
        for label, _, note in rows:
            if note:
                print(f"\n{label}: {note}")
        names = list(books)
        base = books[names[0]]
        print()
        for name in names[1:]:
            diff = differences(base, books[name])
            print(f"scores {names[0]} vs {name}: {'identical' if not diff else f'{len(diff)} differences, e.g. {diff[:3]}'}"
                  f" ({len(base)} grade cells and totals)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
