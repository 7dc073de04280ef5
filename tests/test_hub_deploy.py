"""The deployment files: single-host JupyterHub, Zero to JupyterHub values, Binder.

Fast checks of what the files say; ``tests/test_jupyterhub_e2e.py`` runs the single-host
configuration for real.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import types
from pathlib import Path

import pytest
import yaml
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
ROLES = DEPLOY / "jupyterhub" / "roles"
IMAGE_CHECKOUT = "/srv/kamcourse"  # where deploy/z2jh's image keeps the repository


def fake_spawner(name: str):
    return types.SimpleNamespace(user=types.SimpleNamespace(name=name), home_dir=None)


def resolve(environment: dict, spawner) -> dict:
    return {k: (v(spawner) if callable(v) else v) for k, v in environment.items()}


# -- single host ----------------------------------------------------------------------------

@pytest.fixture
def hub_config(tmp_path, monkeypatch) -> Config:
    monkeypatch.setenv("KAMCOURSE_INSTRUCTORS", "lin")
    monkeypatch.setenv("KAMCOURSE_TRAINEES", "wang, zhao,lin")
    monkeypatch.setenv("KAMCOURSE_GRADEBOOK_URL", "postgresql://grader:pw@db/gradebook")
    monkeypatch.setenv("KAMCOURSE_EXCHANGE", str(tmp_path / "exchange"))
    loader = PyFileConfigLoader("jupyterhub_config.py", path=str(DEPLOY / "jupyterhub"))
    return loader.load_config()


def test_single_host_accounts_groups_and_exchange(hub_config, tmp_path):
    c = hub_config
    assert c.Authenticator.allowed_users == {"lin", "wang", "zhao"}
    assert c.Authenticator.admin_users == {"lin"}
    assert c.JupyterHub.load_groups == {
        "formgrade-kamcourse": {"users": ["lin"]},
        "nbgrader-kamcourse": {"users": ["wang", "zhao"]},
    }
    exchange = tmp_path / "exchange"
    assert exchange.is_dir() and (exchange.stat().st_mode & 0o1777) == 0o1777
    assert c.Spawner.default_url == "/lab/tree/kamcourse/course/00_start.ipynb"
    assert any("cull_idle_timeout" in arg for arg in c.Spawner.args)


def test_single_host_roles_reach_the_servers_environment(hub_config):
    env = hub_config.Spawner.environment
    instructor, trainee = resolve(env, fake_spawner("lin")), resolve(env, fake_spawner("wang"))
    assert instructor["KAMCOURSE_ROLE"] == "instructor" and trainee["KAMCOURSE_ROLE"] == "trainee"
    assert instructor["KAMCOURSE_GRADEBOOK_URL"].startswith("postgresql://")
    assert trainee["KAMCOURSE_GRADEBOOK_URL"] == ""  # trainees never see the gradebook
    for values, role in ((instructor, "instructor"), (trainee, "trainee")):
        paths = values["JUPYTER_CONFIG_PATH"].split(os.pathsep)
        assert paths == [str(ROLES / role), str(ROLES / "common")]


def test_the_instructor_copy_of_the_course_is_prepared_before_spawning(hub_config, tmp_path):
    spawner = fake_spawner("lin")
    spawner.home_dir = str(tmp_path / "home" / "lin")
    hub_config.Spawner.pre_spawn_hook(spawner)
    home = Path(spawner.home_dir)
    assert (home / "kamcourse" / "course" / "00_start.ipynb").exists() or (home / "kamcourse" / "course").is_dir()
    assert (home / "kamcourse-quizzes" / "source").is_dir()
    trainee = fake_spawner("wang")
    trainee.home_dir = str(tmp_path / "home" / "wang")
    hub_config.Spawner.pre_spawn_hook(trainee)
    assert (Path(trainee.home_dir) / "kamcourse" / "course" / "dashboards" / "dso.ipynb").exists()
    assert not (Path(trainee.home_dir) / "kamcourse-quizzes").exists()


def _nbgrader_config(*folders: Path, env: dict[str, str]) -> Config:
    merged = Config()
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        for folder in reversed(folders):  # the first folder wins, as on JUPYTER_CONFIG_PATH
            if (folder / "nbgrader_config.py").exists():
                merged.merge(PyFileConfigLoader("nbgrader_config.py", path=str(folder)).load_config())
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    return merged


def test_role_settings_for_nbgrader():
    env = {"KAMCOURSE_EXCHANGE": "/x/exchange", "KAMCOURSE_GRADEBOOK_URL": "postgresql://g@db/gb",
           "JUPYTERHUB_USER": "wang", "KAMCOURSE_COURSE_ID": "kamcourse"}
    instructor = _nbgrader_config(ROLES / "instructor", ROLES / "common", env=env)
    assert instructor.CourseDirectory.db_url == "postgresql://g@db/gb"
    assert instructor.Exchange.root == "/x/exchange" and instructor.CourseDirectory.course_id == "kamcourse"
    assert "student_id" not in instructor.CourseDirectory
    trainee = _nbgrader_config(ROLES / "trainee", ROLES / "common", env=env)
    assert trainee.CourseDirectory.student_id == "wang"
    assert "db_url" not in trainee.CourseDirectory


def test_the_instructor_settings_include_the_course_folder_own_config(tmp_path):
    course = tmp_path / "kamcourse-quizzes"
    course.mkdir()
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.Execute.timeout = 17\nc.CourseDirectory.db_url = 'sqlite:///local.db'\n")
    env = {"KAMCOURSE_COURSE_ROOT": str(course), "KAMCOURSE_GRADEBOOK_URL": "postgresql://g@db/gb"}
    instructor = _nbgrader_config(ROLES / "instructor", env=env)
    assert instructor.Execute.timeout == 17  # the course's own settings apply in the formgrader
    assert instructor.CourseDirectory.db_url == "postgresql://g@db/gb"  # but the gradebook is PostgreSQL
    assert instructor.CourseDirectory.root == str(course)


def test_trainees_have_no_formgrader():
    server = json.loads((ROLES / "trainee" / "jupyter_server_config.d" / "kamcourse-trainee.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"]["nbgrader.server_extensions.formgrader"] is False
    lab = json.loads((ROLES / "trainee" / "labconfig" / "page_config.json").read_text())
    assert lab["disabledExtensions"]["@jupyter/nbgrader:formgrader"] is True
    assert lab["disabledExtensions"]["@jupyter/nbgrader:create-assignment"] is True


# -- Zero to JupyterHub -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load((DEPLOY / "z2jh" / "values.yaml").read_text(encoding="utf-8"))


def test_z2jh_mounts_the_exchange_where_nbgrader_looks(values):
    storage = values["singleuser"]["storage"]
    mounts = {m["name"]: m["mountPath"] for m in storage["extraVolumeMounts"]}
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in storage["extraVolumes"]}
    assert mounts["nbgrader-exchange"] == "/srv/nbgrader/exchange"
    pvc = yaml.safe_load((DEPLOY / "z2jh" / "exchange-pvc.yaml").read_text())
    assert claims["nbgrader-exchange"] == pvc["metadata"]["name"]
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    assert "/srv/nbgrader/exchange" in (ROLES / "common" / "nbgrader_config.py").read_text()


def test_z2jh_roles_match_the_single_host_ones(values, monkeypatch):
    monkeypatch.setenv("KAMCOURSE_INSTRUCTORS", "instructor")
    monkeypatch.setenv("KAMCOURSE_GRADEBOOK_URL", "postgresql://g@db/gb")
    c = Config()
    code = values["hub"]["extraConfig"]["kamcourse-roles"]
    exec(compile(code, "values.yaml:hub.extraConfig", "exec"), {"c": c})  # noqa: S102
    env = c.KubeSpawner.environment.get_value({})  # .update() on config is lazy: apply it
    instructor, trainee = resolve(env, fake_spawner("instructor")), resolve(env, fake_spawner("someone"))
    assert instructor["KAMCOURSE_GRADEBOOK_URL"] == "postgresql://g@db/gb"
    assert trainee["KAMCOURSE_GRADEBOOK_URL"] == ""
    for role, resolved in (("instructor", instructor), ("trainee", trainee)):
        for folder in resolved["JUPYTER_CONFIG_PATH"].split(":"):
            assert folder.startswith(IMAGE_CHECKOUT + "/")
            assert (ROOT / folder[len(IMAGE_CHECKOUT) + 1:]).is_dir(), folder
        assert resolved["JUPYTER_CONFIG_PATH"].split(":")[0].endswith("/" + role)
    secret = values["hub"]["extraEnv"]["KAMCOURSE_GRADEBOOK_URL"]["valueFrom"]["secretKeyRef"]
    assert secret == {"name": "kamcourse-gradebook", "key": "url"}
    assert values["singleuser"]["defaultUrl"] == "/lab/tree/kamcourse/course/00_start.ipynb"
    assert "--target-repo-dir /srv/kamcourse" in (DEPLOY / "z2jh" / "values.yaml").read_text()


# -- Binder / repo2docker -------------------------------------------------------------------------

def test_environment_yml_names_a_python_version_repo2docker_can_read():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    # repo2docker's CondaBuildPack: PYTHON_REGEX = r"python\s*=+\s*([\d\.]*)", matched per line
    versions = [m.group(1) for d in env["dependencies"] if isinstance(d, str)
                for m in [re.match(r"python\s*=+\s*([\d\.]*)", d)] if m]
    assert versions and tuple(int(x) for x in versions[0].split(".")[:2]) >= (3, 11)
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip  # the course package itself


def test_postbuild_sets_the_chinese_locale_and_downloads_nothing_of_its_own():
    post_build = ROOT / "postBuild"
    assert os.access(post_build, os.X_OK)
    subprocess.run(["bash", "-n", str(post_build)], check=True)
    text = post_build.read_text()
    assert "ensure_chinese_locale" in text
    assert not re.search(r"\b(curl|wget|git clone)\b", text)
    assert "fonts-wqy-microhei" in (ROOT / "apt.txt").read_text().split()


def test_readme_has_the_binder_badge_and_the_deployment_notes():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "mybinder.org/badge_logo.svg" in readme
    assert "deploy/jupyterhub/jupyterhub_config.py" in readme and "deploy/z2jh/values.yaml" in readme
    assert "kamcourse workshop" in readme or "./kc workshop" in readme
