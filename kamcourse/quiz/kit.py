"""The instructor kit: the quizzes' secrets (keys, explanations, distractor notes, rubrics,
sources), kept out of trainees' reach.

Three places, one format:

- ``quizzes/kit/kit.age`` in the repository: the secrets of every quiz as JSON, encrypted
  with the instructor passphrase (age's scrypt passphrase mode, through ``pyrage``; the
  Debian ``age`` command decrypts it too: ``age -d quizzes/kit/kit.age``).
  ``quizzes/kit/manifest.json`` beside it is public: per quiz the item ids and types and
  the digest of its public bank file, the digest of ``kit.age`` and when it was sealed.
- The instructor's working copy: a plain folder **outside** the repository holding one
  full ``<quiz>.yaml`` per quiz (public part and secrets, today's bank format).
  ``kamcourse kit unlock DIR`` writes it, ``kamcourse kit seal DIR`` turns it back into the
  public bank (``quizzes/bank``), the generated notebooks and ``kit.age``.
- Until the repository is migrated (no ``manifest.json`` yet), its own ``quizzes/bank``
  may still hold full items: then that bank is the kit.

Graders find the secrets (:func:`load_secrets`), in the trusted grading process only, from
``KAMCOURSE_KIT=DIR`` (a working copy), else by decrypting ``kit.age`` with
``KAMCOURSE_KIT_PASSPHRASE``, else from a full repository bank.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

from kamcourse.errors import KamcourseError
from kamcourse.quiz.bank import (BankError, Quiz, holds_secrets, merge, parse_quiz, read_yaml, schema_path, split)

KIT_ENV = "KAMCOURSE_KIT"
PASSPHRASE_ENV = "KAMCOURSE_KIT_PASSPHRASE"
KIT_FILE = "kit.age"
MANIFEST_FILE = "manifest.json"
FORMAT = 1

Secrets = Mapping[str, Mapping[str, Mapping[str, Any]]]  # quiz -> item -> secret fields


class KitError(KamcourseError):
    """The instructor kit is missing, locked, wrong or out of date (explained in Chinese)."""


def kit_folder(course: Path) -> Path:
    return Path(course) / "kit"


def manifest_path(course: Path) -> Path:
    return kit_folder(course) / MANIFEST_FILE


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def migrated(course: Path) -> bool:
    """The repository's bank was split into public files and ``kit.age``."""
    return manifest_path(course).is_file()


# ---------------------------------------------------------------- reading the secrets


@dataclass(frozen=True)
class LoadedKit:
    secrets: Secrets
    origin: str            # where they came from, for messages
    public: Mapping[str, Any]  # quiz -> the kit's own public part (working copies only), else {}


def _read_folder(folder: Path) -> LoadedKit:
    secrets: dict[str, Any] = {}
    public: dict[str, Any] = {}
    for file in sorted(folder.glob("*.yaml")):
        data = read_yaml(file)
        if not isinstance(data, dict) or "items" not in data:
            raise KitError(f"资料包 {file}", "不是题库文件（缺少 items）")
        public[file.stem], secrets[file.stem] = split(data)
    if not secrets:
        raise KitError(f"资料包 {folder}", "文件夹中没有 <测验>.yaml 文件")
    return LoadedKit(secrets, str(folder), public)


@lru_cache(maxsize=4)
def _decrypt_cached(digest: str, path: str, passphrase: str) -> dict[str, Any]:
    import pyrage

    try:
        plain = pyrage.passphrase.decrypt(Path(path).read_bytes(), passphrase)
    except pyrage.DecryptError as exc:
        raise KitError("讲师口令", "无法解密 kit.age：口令不正确，或文件已损坏") from exc
    return json.loads(plain.decode("utf-8"))


def decrypt(course: Path, passphrase: str) -> dict[str, Any]:
    path = kit_folder(course) / KIT_FILE
    if not path.is_file():
        raise KitError("讲师资料包", f"找不到 {path}")
    data = _decrypt_cached(sha256(path.read_bytes()), str(path), passphrase)
    if data.get("format") != FORMAT:
        raise KitError("讲师资料包", f"kit.age 的格式版本 {data.get('format')} 不受支持")
    return data["quizzes"]


def load_secrets(course: Path, *, kit_dir: Path | None = None, passphrase: str | None = None) -> LoadedKit:
    """The secrets, by the rules in the module docstring; a Chinese :class:`KitError` if none."""
    course = Path(course)
    folder = kit_dir or (Path(os.environ[KIT_ENV]) if os.environ.get(KIT_ENV) else None)
    if folder is not None:
        if not folder.is_dir():
            raise KitError("讲师资料包", f"{KIT_ENV} 指向的文件夹 {folder} 不存在")
        return _read_folder(folder)
    if (kit_folder(course) / KIT_FILE).is_file():
        passphrase = passphrase or os.environ.get(PASSPHRASE_ENV)
        if not passphrase:
            raise KitError("讲师资料包", f"答案已加密在 {kit_folder(course) / KIT_FILE}：请设置环境变量 "
                           f"{PASSPHRASE_ENV}（讲师口令），或用 {KIT_ENV}=文件夹 指向解锁后的资料包")
        return LoadedKit(decrypt(course, passphrase), str(kit_folder(course) / KIT_FILE), {})
    bank = course / "bank"
    if not migrated(course) and bank.is_dir():
        secrets = {}
        for file in sorted(bank.glob("*.yaml")):
            data = read_yaml(file)
            if isinstance(data, dict) and holds_secrets(data):
                secrets[file.stem] = split(data)[1]
        if secrets:
            return LoadedKit(secrets, str(bank), {})
    raise KitError("讲师资料包", f"没有找到答案：请设置 {KIT_ENV}=资料包文件夹，或提供 {KIT_FILE} 与口令")


def _shape(data: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """What the kit and the public bank must agree on for grading to be right."""
    return [(raw["id"], raw["type"], tuple(raw.get("options", ())), tuple(raw.get("prompts", ())),
             float(raw["points"]), raw.get("pool")) for raw in data["items"]]


def load_graded(course: Path, quiz_id: str, kit: LoadedKit | None = None) -> Quiz:
    """The quiz as grading needs it: the public bank file with the kit's secrets."""
    course = Path(course)
    file = course / "bank" / f"{quiz_id}.yaml"
    if not file.is_file():
        raise BankError(f"题库 {quiz_id}", f"找不到题库文件 {file}")
    public, _ = split(read_yaml(file))
    kit = kit or load_secrets(course)
    if quiz_id not in kit.secrets:
        raise KitError("讲师资料包", f"{kit.origin} 中没有测验 {quiz_id} 的答案")
    if quiz_id in kit.public and _shape(kit.public[quiz_id]) != _shape(public):
        raise KitError("讲师资料包", f"{kit.origin} 中的 {quiz_id}.yaml 与仓库题库的题目不一致"
                       f"（题号、题型、选项或分值不同）：请先运行 kamcourse kit seal {kit.origin}")
    return parse_quiz(merge(public, kit.secrets[quiz_id]), file.name, str(schema_path(course / "bank")),
                      require_secrets=True)


# ---------------------------------------------------------------- seal, unlock, check


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def _refuse_repository(folder: Path, course: Path) -> None:
    from kamcourse.paths import course_root

    for root in {course.resolve(), course_root().resolve()}:
        if _inside(folder, root):
            raise KitError("资料包文件夹", f"{folder} 在课程仓库 {root} 之内：解锁后的答案只能放在仓库以外")


def _header(file: Path) -> str:
    lines = []
    for line in file.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return "\n".join(lines) + "\n" if lines else ""


def _dump(data: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False, width=110, default_flow_style=None)


@dataclass(frozen=True)
class SealReport:
    quizzes: tuple[str, ...]
    written: tuple[str, ...]   # public bank files that changed
    kit_sha256: str


def rules_sha256() -> str:
    """The digest of the course's text rules (glossary, compliance patterns, case facts)."""
    from kamcourse.paths import PACKAGE_DIR
    from kamcourse.texts import RULE_FILES

    digest = hashlib.sha256()
    for rel in RULE_FILES:
        digest.update((PACKAGE_DIR.parent / rel).read_bytes())
    return digest.hexdigest()


def text_problems(quiz_id: str, full: Mapping[str, Any]) -> list[str]:
    """The course's text rules applied to a whole quiz, explanations and notes included: refused
    glossary variants, unframed forbidden teaching patterns, English a trainee must read."""
    from kamcourse.glossary import load_glossary
    from kamcourse.textrules import compliance_findings, latin_findings
    from kamcourse.texts import data_texts

    texts = data_texts(full, f"quizzes/bank/{quiz_id}.yaml", "quiz")
    glossary = load_glossary()
    problems = [f"{t.where}：“{hit.variant}”应写作“{hit.term}”" for t in texts for hit in glossary.variant_hits(t.text)]
    problems += [f"{f.where}：{f.message}" for f in compliance_findings(texts)]
    problems += [f"{f.where}：{f.message}" for f in latin_findings(texts, glossary)]
    return problems


def text_checked(course: Path, quiz_id: str) -> bool:
    """Whether ``kamcourse kit seal`` ran :func:`text_problems` on this quiz's full text with
    today's rules, and its public file is unchanged since (what CI can check without the kit)."""
    try:
        manifest = json.loads(manifest_path(course).read_text(encoding="utf-8"))
        entry = manifest["quizzes"][quiz_id]
        public = (Path(course) / "bank" / f"{quiz_id}.yaml").read_text(encoding="utf-8")
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return (manifest.get("rules_sha256") == rules_sha256() and entry.get("text_checked") is True
            and entry.get("public_sha256") == sha256(public.encode("utf-8")))


def seal(kit_dir: Path, course: Path, passphrase: str, *, check_text: bool = True) -> SealReport:
    """Validate the working copy (schema, keys and explanations, and with ``check_text`` the
    course's text rules over every explanation and note), write the public bank, regenerate
    the notebooks, encrypt the secrets into ``kit.age`` and update the manifest."""
    import pyrage

    from kamcourse.quiz.notebook import build

    kit_dir, course = Path(kit_dir), Path(course)
    if len(passphrase) < 8:
        raise KitError("讲师口令", "口令至少 8 个字符")
    loaded = _read_folder(kit_dir)
    schema = str(schema_path(course / "bank"))
    bank_ids = {p.stem for p in (course / "bank").glob("*.yaml")}
    missing = sorted(bank_ids - set(loaded.secrets))
    if missing:
        raise KitError(f"资料包 {kit_dir}", f"缺少题库中的测验 {'、'.join(missing)}")
    publics: dict[str, str] = {}
    manifest_quizzes: dict[str, Any] = {}
    for quiz_id in sorted(loaded.secrets):
        full = merge(loaded.public[quiz_id], loaded.secrets[quiz_id])
        quiz = parse_quiz(full, f"{kit_dir.name}/{quiz_id}.yaml", schema, require_secrets=True)
        if quiz.id != quiz_id:
            raise KitError(f"资料包 {quiz_id}.yaml", f"quiz 字段 {quiz.id} 应与文件名一致")
        problems = text_problems(quiz_id, full) if check_text else []
        if problems:
            raise KitError(f"资料包 {quiz_id}.yaml", "文字不符合课程的规则，没有封存：\n" + "\n".join(problems[:20]))
        text = _header(kit_dir / f"{quiz_id}.yaml") + _dump(loaded.public[quiz_id])
        publics[quiz_id] = text
        manifest_quizzes[quiz_id] = {"items": {item.id: item.type for item in quiz.items},
                                     "public_sha256": sha256(text.encode("utf-8")), "text_checked": check_text}
    written = []
    for quiz_id, text in publics.items():
        target = course / "bank" / f"{quiz_id}.yaml"
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            written.append(quiz_id)
    build(course)
    payload = json.dumps({"format": FORMAT, "quizzes": loaded.secrets}, ensure_ascii=False, sort_keys=True)
    blob = pyrage.passphrase.encrypt(payload.encode("utf-8"), passphrase)
    folder = kit_folder(course)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / KIT_FILE).write_bytes(blob)
    manifest = {"format": FORMAT, "sealed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "kit_sha256": sha256(blob), "rules_sha256": rules_sha256(), "quizzes": manifest_quizzes}
    manifest_path(course).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return SealReport(tuple(sorted(publics)), tuple(written), sha256(blob))


def unlock(kit_dir: Path, course: Path, passphrase: str) -> list[Path]:
    """Decrypt ``kit.age`` into a working copy of full quiz files (outside the repository)."""
    kit_dir, course = Path(kit_dir), Path(course)
    _refuse_repository(kit_dir, course)
    secrets = decrypt(course, passphrase)
    kit_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(kit_dir, 0o700)
    written = []
    for quiz_id, items in sorted(secrets.items()):
        source = course / "bank" / f"{quiz_id}.yaml"
        public, _ = split(read_yaml(source))
        target = kit_dir / f"{quiz_id}.yaml"
        target.write_text(_header(source) + _dump(merge(public, items)), encoding="utf-8")
        os.chmod(target, 0o600)
        written.append(target)
    return written


def check(course: Path) -> list[str]:
    """Manifest vs public bank vs ``kit.age`` (no passphrase needed); Chinese problems, [] if
    fine or not migrated yet (then there is nothing to compare)."""
    course = Path(course)
    path = manifest_path(course)
    if not path.is_file():
        return []
    manifest = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    kit = kit_folder(course) / KIT_FILE
    if not kit.is_file():
        problems.append(f"缺少 {kit}")
    elif sha256(kit.read_bytes()) != manifest.get("kit_sha256"):
        problems.append("kit.age 与 manifest.json 记录的摘要不一致（被修改或没有重新封存）")
    bank = {p.stem: p for p in (course / "bank").glob("*.yaml")}
    listed = manifest.get("quizzes", {})
    for quiz_id in sorted(set(bank) - set(listed)):
        problems.append(f"bank/{quiz_id}.yaml 不在 manifest.json 中")
    for quiz_id in sorted(set(listed) - set(bank)):
        problems.append(f"manifest.json 列出的 {quiz_id} 在 bank/ 中没有文件")
    for quiz_id in sorted(set(bank) & set(listed)):
        text = bank[quiz_id].read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        if holds_secrets(data):
            problems.append(f"bank/{quiz_id}.yaml 含有答案、解析或评分要点（应只在 kit.age 中）")
        items = {raw["id"]: raw["type"] for raw in data.get("items", ())}
        if items != listed[quiz_id]["items"]:
            problems.append(f"bank/{quiz_id}.yaml 的题号或题型与 manifest.json 不一致")
        elif sha256(text.encode("utf-8")) != listed[quiz_id]["public_sha256"]:
            problems.append(f"bank/{quiz_id}.yaml 在封存之后被修改：请在资料包中修改后运行 kamcourse kit seal")
    return problems
