"""The instructor kit: sealed with a passphrase (age/scrypt through pyrage), unlocked outside
the repository, checked in CI; and what trainees get holds none of it."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import yaml

from conftest import ROOT
from kamcourse.quiz.bank import SECRET_ITEM_FIELDS
from kamcourse.quiz.kit import KIT_FILE, KitError, check, load_graded, load_secrets, migrated, seal, unlock
from kamcourse.quiz.synthetic import write_kit
from test_quiz_support import DUEL, DUEL_SECRETS, PASSPHRASE, kamcourse, make_course

pytestmark = pytest.mark.slow


@pytest.fixture
def sealed(tmp_path):
    course = make_course(tmp_path / "course", {"duel": (DUEL, DUEL_SECRETS)}, tmp_path / "kit")
    return course


def test_seal_writes_a_public_bank_an_encrypted_kit_and_a_manifest(sealed):
    data = yaml.safe_load((sealed / "bank" / "duel.yaml").read_text(encoding="utf-8"))
    assert all(not set(raw) & set(SECRET_ITEM_FIELDS) for raw in data["items"])
    blob = (sealed / "kit" / KIT_FILE).read_bytes()
    assert blob.startswith(b"age-encryption.org/v1\n-> scrypt ")
    assert "解析一".encode("utf-8") not in blob
    manifest = json.loads((sealed / "kit" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["quizzes"]["duel"]["items"]["q4"] == "ordering" and manifest["sealed_at"]
    assert check(sealed) == []
    assert (sealed / "source" / "duel" / "duel.ipynb").is_file()


def test_graders_read_the_kit_with_the_passphrase_only(sealed, monkeypatch):
    monkeypatch.delenv("KAMCOURSE_KIT", raising=False)
    monkeypatch.delenv("KAMCOURSE_KIT_PASSPHRASE", raising=False)
    with pytest.raises(KitError, match="KAMCOURSE_KIT_PASSPHRASE"):
        load_secrets(sealed)
    with pytest.raises(KitError, match="口令不正确"):
        load_secrets(sealed, passphrase="wrong passphrase")
    quiz = load_graded(sealed, "duel", load_secrets(sealed, passphrase=PASSPHRASE))
    assert quiz.item("q4").key == "BDAC" and quiz.item("q1").distractors[2] == "丙正确"


def test_unlock_round_trips_and_refuses_the_repository(sealed, tmp_path):
    work = tmp_path / "unlocked"
    files = unlock(work, sealed, PASSPHRASE)
    assert [f.name for f in files] == ["duel.yaml"] and oct(work.stat().st_mode & 0o777) == "0o700"
    assert yaml.safe_load(files[0].read_text(encoding="utf-8"))["items"][3]["key"] == "BDAC"
    with pytest.raises(KitError, match="仓库"):
        unlock(ROOT / "quizzes" / "unlocked-kit", sealed, PASSPHRASE)
    with pytest.raises(KitError, match="仓库"):
        unlock(sealed / "kit" / "plain", sealed, PASSPHRASE)


def test_check_finds_a_tampered_bank_or_kit(sealed):
    bank = sealed / "bank" / "duel.yaml"
    text = bank.read_text(encoding="utf-8")
    bank.write_text(text.replace("单选题题干", "改过的题干"), encoding="utf-8")
    assert any("封存之后被修改" in p for p in check(sealed))
    data = yaml.safe_load(text)
    data["items"][0]["key"] = "C"
    bank.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert any("含有答案" in p for p in check(sealed))
    bank.write_text(text, encoding="utf-8")
    (sealed / "kit" / KIT_FILE).write_bytes(b"age-encryption.org/v1\nforged")
    problems = kamcourse("kit", "check", "--course", str(sealed), cwd=sealed, ok=False)
    assert problems.returncode == 1 and "kit.age 与 manifest.json 记录的摘要不一致" in problems.stderr


def test_seal_refuses_a_kit_without_keys_or_explanations(tmp_path):
    course = make_course(tmp_path / "course", {"duel": (DUEL, DUEL_SECRETS)}, tmp_path / "kit", seal=False)
    data = yaml.safe_load((tmp_path / "kit" / "duel.yaml").read_text(encoding="utf-8"))
    del data["items"][1]["key"]
    (tmp_path / "kit" / "duel.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(Exception, match="缺少 key"):
        seal(tmp_path / "kit", course, PASSPHRASE)
    assert not migrated(course)


def test_seal_applies_the_course_text_rules_to_explanations_and_records_it(tmp_path):
    import json

    course = make_course(tmp_path / "course", {"duel": (DUEL, DUEL_SECRETS)}, tmp_path / "kit", seal=False)
    kit_file = tmp_path / "kit" / "duel.yaml"
    clean = kit_file.read_text(encoding="utf-8")
    data = yaml.safe_load(clean)
    data["items"][0]["explanation"] = "种子材料说：选择带有个人色彩的礼品送给客户。"
    kit_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(Exception, match="文字不符合课程的规则") as refused:
        seal(tmp_path / "kit", course, PASSPHRASE)
    assert "讲义" in str(refused.value) and "个人色彩" in str(refused.value)
    assert not migrated(course)
    kit_file.write_text(clean, encoding="utf-8")
    seal(tmp_path / "kit", course, PASSPHRASE)
    manifest = json.loads((course / "kit" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["quizzes"]["duel"]["text_checked"] is True and len(manifest["rules_sha256"]) == 64
    seal(tmp_path / "kit", course, PASSPHRASE, check_text=False)
    manifest = json.loads((course / "kit" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["quizzes"]["duel"]["text_checked"] is False


def _fingerprints(secrets: dict) -> list[str]:
    marks = []
    for items in secrets.values():
        for secret in items.values():
            marks.append(secret["explanation"])
            marks += [note for note in secret.get("distractors", ())]
            marks += [line["criterion"] for line in secret.get("rubric", ())]
    return marks


def test_a_trainees_copy_holds_no_key_or_explanation(tmp_path):
    """A fresh checkout (git ls-files), sealed with a synthetic kit the way the lead migrates
    the real bank: the checkout, the trainee role's files, what a trainee's home gets and
    every released notebook hold none of the kit's explanations, notes or rubrics."""
    checkout = tmp_path / "checkout"
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in listed:
        if (ROOT / name).is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, checkout / name)
    course = checkout / "quizzes"
    kit = tmp_path / "instructor-kit"
    secrets = write_kit(course / "bank", kit, seed=7)
    # synthetic explanations are not course text: no text rules for them
    kamcourse("kit", "seal", str(kit), "--course", str(course), "--no-text-check", cwd=checkout,
              KAMCOURSE_KIT_PASSPHRASE=PASSPHRASE, KAMCOURSE_ROOT=str(checkout))
    from kamcourse.quiz.course import Course, generate_release, grading_environment

    for quiz_id in secrets:
        with grading_environment(Course(course, quiz_id)):
            generate_release(Course(course, quiz_id))
    marks = _fingerprints(secrets)
    scanned = 0
    for path in checkout.rglob("*"):
        if path.is_file() and path.name != KIT_FILE and "gradebook" not in path.name:
            text = path.read_bytes().decode("utf-8", errors="ignore")
            if path.suffix == ".ipynb":  # JSON may escape characters: compare the decoded text too
                text += json.dumps(json.loads(text), ensure_ascii=False)
            leaked = [m for m in marks if m in text]
            assert not leaked, (path, leaked[:2])
            scanned += 1
    assert scanned > 100 and list((course / "release").glob("*/*.ipynb"))
    assert check(course) == []


@pytest.mark.skipif(not migrated(ROOT / "quizzes"), reason="enforced once quizzes/kit/manifest.json exists (migration)")
def test_the_repository_is_migrated_cleanly():
    assert check(ROOT / "quizzes") == []
    assert (ROOT / "quizzes" / "kit" / KIT_FILE).read_bytes().startswith(b"age-encryption.org/v1\n")


def test_the_trainee_role_carries_no_kit_setting(tmp_path, monkeypatch):
    import types

    from traitlets.config.loader import PyFileConfigLoader

    role = ROOT / "deploy" / "jupyterhub" / "roles" / "trainee"
    assert not any("KAMCOURSE_KIT" in p.read_text(encoding="utf-8") for p in role.rglob("*") if p.is_file())
    monkeypatch.setenv("KAMCOURSE_INSTRUCTORS", "lin")
    monkeypatch.setenv("KAMCOURSE_TRAINEES", "wang")
    monkeypatch.setenv("KAMCOURSE_EXCHANGE", str(tmp_path / "exchange"))
    c = PyFileConfigLoader("jupyterhub_config.py", path=str(ROOT / "deploy" / "jupyterhub")).load_config()
    kit = c.Spawner.environment["KAMCOURSE_KIT"]
    spawner = lambda name: types.SimpleNamespace(user=types.SimpleNamespace(name=name), home_dir=str(tmp_path / name))
    assert kit(spawner("wang")) == ""  # a trainee's server is told of no kit
    assert kit(spawner("lin")) == str(tmp_path / "lin" / "kamcourse-kit")
    assert "PASSPHRASE" not in (ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py").read_text(encoding="utf-8")
