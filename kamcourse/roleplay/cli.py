"""``kamcourse roleplay ...``: check scenarios, export a class debrief.

Registered through ``kamcourse.cli.EXTENSIONS``::

    kamcourse roleplay check [FILE.yaml ...]     # the shipped scenarios, or the files given
    kamcourse roleplay export DIR [--out DIR]    # class debrief from saved transcripts in DIR

``check`` prints, for each scenario, its number of complete paths and how many end in
推进 / 继续 / 失败, then every problem; it exits with 1 when a scenario has a problem.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kamcourse.errors import KamcourseError


def register(subparsers: argparse._SubParsersAction) -> None:
    roleplay = subparsers.add_parser("roleplay", help="role-play simulator: check scenarios, export a class debrief")
    sub = roleplay.add_subparsers(dest="roleplay_command", required=True)

    check = sub.add_parser("check", help="lint scenarios: graph, paths, endings, labels, Chinese text")
    check.add_argument("files", nargs="*", type=Path, help="scenario YAML files (default: the shipped scenarios)")
    check.set_defaults(func=_check)

    export = sub.add_parser("export", help="class debrief (moves per turn, endings) from saved transcripts")
    export.add_argument("directory", type=Path, help="folder with the trainees' saved *.json transcripts")
    export.add_argument("--out", type=Path, help="where to write class-debrief.md and .csv (default: DIRECTORY)")
    export.set_defaults(func=_export)


def _check(args: argparse.Namespace) -> int:
    from kamcourse.roleplay.lint import lint, path_stats
    from kamcourse.roleplay.scenario import load_scenario_file, scenario_files

    files = list(args.files) or scenario_files()
    failed = 0
    for path in files:
        try:
            scenario = load_scenario_file(path)
        except KamcourseError as err:
            print(f"错误：{err}", file=sys.stderr)
            failed += 1
            continue
        problems = lint(scenario)
        stats = path_stats(scenario)
        print(
            f"{scenario.title}（{path.name}）：{stats.paths} 条路径，推进 {stats.advances}，"
            f"继续 {stats.continuations}，失败 {stats.losses}；最短 {stats.shortest} 轮，最长 {stats.longest} 轮"
        )
        for problem in problems:
            print(f"  问题：{problem}", file=sys.stderr)
        failed += bool(problems)
    if failed:
        print(f"{failed} 个场景有问题。", file=sys.stderr)
    return 1 if failed else 0


def _export(args: argparse.Namespace) -> int:
    from kamcourse.roleplay.classroom import write_class_debrief

    try:
        debrief, markdown, csv_file = write_class_debrief(args.directory, args.out)
    except KamcourseError as err:
        print(f"错误：{err}", file=sys.stderr)
        return 2
    print(f"读入 {debrief.read} 份记录，跳过 {len(debrief.skipped)} 份；已写出 {markdown} 和 {csv_file}")
    for name, reason in debrief.skipped:
        print(f"  跳过 {name}：{reason}", file=sys.stderr)
    return 0
