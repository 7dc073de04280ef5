"""``kamcourse quiz ...``: build the notebooks from the bank, release, grade, statistics.

Registered through ``kamcourse.cli.EXTENSIONS``::

    kamcourse quiz build [--check] [--course DIR]
    kamcourse quiz release QUIZ [--course DIR]
    kamcourse quiz grade QUIZ SUBMISSIONS [--course DIR] [--out DIR] [--timeout S] [--force]
                         [--engine fast|nbgrader] [--workers N]
    kamcourse quiz stats QUIZ [--course DIR] [--out DIR]

``--course`` is the nbgrader course root (default: ``quizzes/`` of the checkout).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kamcourse.errors import KamcourseError
from kamcourse.paths import course_root


def default_course() -> Path:
    return course_root() / "quizzes"


def register(subparsers: argparse._SubParsersAction) -> None:
    quiz = subparsers.add_parser("quiz", help="quizzes: build from the bank, release, grade, item statistics")
    sub = quiz.add_subparsers(dest="quiz_command", required=True)

    build = sub.add_parser("build", help="generate source/<quiz>/<quiz>.ipynb from bank/*.yaml")
    build.add_argument("--check", action="store_true", help="only compare; fail if a notebook differs from the bank")
    build.add_argument("--course", type=Path, help="nbgrader course root (default: quizzes/)")
    build.set_defaults(func=_build)

    release = sub.add_parser("release", help="nbgrader generate_assignment for one quiz")
    release.add_argument("quiz")
    release.add_argument("--course", type=Path)
    release.set_defaults(func=_release)

    grade = sub.add_parser("grade", help="autograde, feedback, CSV export and item statistics for a class")
    grade.add_argument("quiz")
    grade.add_argument("submissions", type=Path,
                       help="nbgrader submitted/ layout (<student>/<quiz>/<quiz>.ipynb) or a flat folder of <student>.ipynb")
    grade.add_argument("--course", type=Path)
    grade.add_argument("--out", type=Path, help="report folder (default: <course>/reports/<quiz>)")
    grade.add_argument("--timeout", type=int, default=30, help="seconds per cell before a loop is interrupted (default 30)")
    grade.add_argument("--force", action="store_true", help="regrade unchanged submissions too")
    grade.add_argument("--engine", choices=["fast", "nbgrader"], default="fast",
                       help="fast (default): literal answers are graded without a kernel, the rest by nbgrader; "
                            "nbgrader: nbgrader autograde for everyone, one at a time (the reference)")
    grade.add_argument("--workers", type=int, default=2,
                       help="fast engine: submissions that need a kernel graded this many at a time (default 2)")
    grade.set_defaults(func=_grade)

    stats = sub.add_parser("stats", help="rebuild feedback, grades and item statistics after manual grading")
    stats.add_argument("quiz")
    stats.add_argument("--course", type=Path)
    stats.add_argument("--out", type=Path)
    stats.set_defaults(func=_stats)


def _fail(exc: Exception) -> int:
    print(f"错误：{exc}", file=sys.stderr)
    return 2


def _build(args: argparse.Namespace) -> int:
    from kamcourse.quiz.notebook import build

    course = args.course or default_course()
    try:
        report = build(course, check=args.check)
    except KamcourseError as exc:
        return _fail(exc)
    for quiz in report.written:
        print(f"已生成 source/{quiz}/{quiz}.ipynb")
    for quiz in report.drifted:
        print(f"不一致：source/{quiz}/{quiz}.ipynb 与 bank/{quiz}.yaml 不符（被手工修改，或题库改后没有重新生成）", file=sys.stderr)
    for path in report.orphans:
        print(f"多余：{path} 在题库中没有对应的测验", file=sys.stderr)
    for leak in report.leaking:
        print(f"泄露：学员版本中出现了答案或解析（{leak}）", file=sys.stderr)
    if report.ok:
        print(f"题库与源笔记本一致（{len(report.written) + len(report.unchanged)} 个测验）。")
        return 0
    if report.drifted:
        print("请运行 kamcourse quiz build 重新生成；不要手工编辑 source/ 中的笔记本。", file=sys.stderr)
    return 1


def _release(args: argparse.Namespace) -> int:
    from kamcourse.quiz.notebook import build
    from kamcourse.quiz.pipeline import Course, generate_release, grading_environment

    course = Course((args.course or default_course()).resolve(), args.quiz)
    try:
        report = build(course.root, check=True)
        if args.quiz in report.drifted or not course.source_nb.is_file():
            raise KamcourseError("源笔记本", "与题库不一致或不存在：请先运行 kamcourse quiz build")
        with grading_environment(course):
            generate_release(course)
    except KamcourseError as exc:
        return _fail(exc)
    print(f"学员版本：{course.release_nb}")
    return 0


def _summary(report) -> None:
    graded = [r for r in report.students if r.status == "graded"]
    print(f"完成：{len(report.students)} 名学员（已评分 {len(graded)}，无效或失败 {len(report.students) - len(graded)}），"
          f"用时 {report.seconds:.1f} 秒。")
    if getattr(report, "engines", None) and report.engines.get("kernel-free"):
        free = report.engines["kernel-free"]
        print(f"  本次自动评分 {report.autograded} 份：无内核 {free} 份，nbgrader {report.autograded - free} 份。")
    for name, path in report.files.items():
        print(f"  {name}: {path}")


def _grade(args: argparse.Namespace) -> int:
    from kamcourse.quiz.pipeline import grade_class

    try:
        report = grade_class(args.course or default_course(), args.quiz, args.submissions,
                             out=args.out, timeout=args.timeout, force=args.force,
                             engine=args.engine, workers=max(1, args.workers),
                             progress=lambda line: print(line, flush=True))
    except KamcourseError as exc:
        return _fail(exc)
    _summary(report)
    return 0


def _stats(args: argparse.Namespace) -> int:
    from kamcourse.quiz.pipeline import restat

    try:
        report = restat(args.course or default_course(), args.quiz, out=args.out,
                        progress=lambda line: print(line, flush=True))
    except KamcourseError as exc:
        return _fail(exc)
    _summary(report)
    return 0
