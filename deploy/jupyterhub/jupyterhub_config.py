"""JupyterHub for one kamcourse class on one machine.

    sudo -E jupyterhub -f deploy/jupyterhub/jupyterhub_config.py     # from /srv/jupyterhub

What each account gets:

* everyone: JupyterLab (Simplified Chinese) opened on the course start page, a private
  copy of ``course/`` and ``exercises/`` in ``~/kamcourse``, and the dashboards through the
  Voila server extension (``/user/<name>/voila/render/kamcourse/course/dashboards/dso.ipynb``);
* trainees: nbgrader's Assignments tab (fetch, submit, feedback) through the exchange,
  submitting under their hub name; formgrader, course list and create-assignment are
  switched off for them (``roles/trainee``);
* instructors: nbgrader's formgrader in their own server (nbgrader's "one class, one
  grader" setup) on a copy of ``quizzes/`` in ``~/kamcourse-quizzes``, with the gradebook
  on PostgreSQL through nbgrader's ``CourseDirectory.db_url`` (``roles/instructor``); they
  are hub admins.

Settings come from environment variables, so this file is used as it is:

==========================  ===================================================  =====================
variable                    meaning                                              default
==========================  ===================================================  =====================
KAMCOURSE_INSTRUCTORS       comma-separated instructor accounts                  ``instructor``
KAMCOURSE_TRAINEES          comma-separated trainee accounts                     (none: only these log in)
KAMCOURSE_GRADEBOOK_URL     nbgrader database URL, ``postgresql://u:p@host/db``   (required for grading)
KAMCOURSE_EXCHANGE          nbgrader exchange folder (made world-writable)       ``/srv/nbgrader/exchange``
KAMCOURSE_COURSE_ID         nbgrader course id                                   ``kamcourse``
KAMCOURSE_ROOT              checkout holding course/, exercises/, quizzes/       two folders up
KAMCOURSE_HUB_BIND_URL      where the hub listens                                ``http://:8000``
KAMCOURSE_KERNEL_CULL       seconds before an idle kernel is shut down           ``3600``
==========================  ===================================================  =====================

Accounts are system users (JupyterHub's default PAM authenticator and local process
spawner). The test ``tests/test_jupyterhub_e2e.py`` loads this file and only swaps in a
test authenticator and spawner. More than one machine: ``deploy/z2jh/values.yaml``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - provided by traitlets when the file is loaded

HERE = Path(__file__).resolve().parent
ROLES = HERE / "roles"


def _names(variable: str, default: str = "") -> list[str]:
    return [n.strip() for n in os.environ.get(variable, default).split(",") if n.strip()]


COURSE_ID = os.environ.get("KAMCOURSE_COURSE_ID", "kamcourse")
CHECKOUT = Path(os.environ.get("KAMCOURSE_ROOT", HERE.parent.parent)).resolve()
EXCHANGE = Path(os.environ.get("KAMCOURSE_EXCHANGE", "/srv/nbgrader/exchange"))
GRADEBOOK_URL = os.environ.get("KAMCOURSE_GRADEBOOK_URL", "")
INSTRUCTORS = _names("KAMCOURSE_INSTRUCTORS", "instructor")
TRAINEES = [n for n in _names("KAMCOURSE_TRAINEES") if n not in INSTRUCTORS]
COURSE_FOLDER = "kamcourse"  # ~/kamcourse: course/ and exercises/
QUIZ_FOLDER = "kamcourse-quizzes"  # ~/kamcourse-quizzes: the instructor's nbgrader course root

# -- hub -------------------------------------------------------------------------------
c.JupyterHub.bind_url = os.environ.get("KAMCOURSE_HUB_BIND_URL", "http://:8000")
c.Authenticator.allowed_users = set(INSTRUCTORS) | set(TRAINEES)
c.Authenticator.admin_users = set(INSTRUCTORS)
# nbgrader's group names (used by its JupyterHubAuthPlugin if a second course is added).
c.JupyterHub.load_groups = {
    f"formgrade-{COURSE_ID}": {"users": list(INSTRUCTORS)},
    f"nbgrader-{COURSE_ID}": {"users": list(TRAINEES)},
}


def role(spawner) -> str:
    return "instructor" if spawner.user.name in INSTRUCTORS else "trainee"


def _config_path(spawner) -> str:
    return os.pathsep.join([str(ROLES / role(spawner)), str(ROLES / "common")])


def _gradebook(spawner) -> str:
    return GRADEBOOK_URL if role(spawner) == "instructor" else ""


KIT_FOLDER = "kamcourse-kit"  # ~/kamcourse-kit: the instructor's unlocked kit (kamcourse kit unlock)


def _kit(spawner) -> str:
    """Where an instructor's formgrader finds the keys (their private home); trainees: none."""
    return str(_home(spawner) / KIT_FOLDER) if role(spawner) == "instructor" else ""


# -- single-user servers -----------------------------------------------------------------
c.Spawner.default_url = f"/lab/tree/{COURSE_FOLDER}/course/00_start.ipynb"
c.Spawner.environment = {
    "KAMCOURSE_ROLE": role,
    "KAMCOURSE_COURSE_ID": COURSE_ID,
    "KAMCOURSE_EXCHANGE": str(EXCHANGE),
    # the role's nbgrader / server / lab settings, then the shared ones
    "JUPYTER_CONFIG_PATH": _config_path,
    # only instructors' servers know where the gradebook is, and where their unlocked kit is
    "KAMCOURSE_GRADEBOOK_URL": _gradebook,
    "KAMCOURSE_KIT": _kit,
}
kernel_cull = os.environ.get("KAMCOURSE_KERNEL_CULL", "3600")
c.Spawner.args = [
    f"--MappingKernelManager.cull_idle_timeout={kernel_cull}",
    "--MappingKernelManager.cull_interval=120",
]
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 120


def _copy_missing(source: Path, target: Path) -> None:
    if source.is_dir() and not target.exists():
        shutil.copytree(source, target, ignore=shutil.ignore_patterns(
            ".ipynb_checkpoints", "__pycache__", "release", "submitted", "autograded", "feedback",
            "reports", "gradebook.db",
        ))


def _owner_of(spawner) -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam(spawner.user.name)
    except KeyError:
        return None


def _home(spawner) -> Path:
    home = getattr(spawner, "home_dir", None)  # SimpleLocalProcessSpawner
    if home:
        return Path(home)
    account = _owner_of(spawner)
    return Path(account.pw_dir) if account else Path.home() / spawner.user.name


def prepare_home(spawner) -> None:
    """First start: copy the course (and, for instructors, the quizzes) into the home."""
    home = _home(spawner)
    home.mkdir(parents=True, exist_ok=True)
    made = []
    for part in ("course", "exercises"):
        target = home / COURSE_FOLDER / part
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            _copy_missing(CHECKOUT / part, target)
            made.append(target.parent)
    if role(spawner) == "instructor" and not (home / QUIZ_FOLDER).exists():
        _copy_missing(CHECKOUT / "quizzes", home / QUIZ_FOLDER)
        (home / QUIZ_FOLDER / "source").mkdir(parents=True, exist_ok=True)
        made.append(home / QUIZ_FOLDER)
    account = _owner_of(spawner)
    if account and os.geteuid() == 0 and type(spawner).__name__ == "LocalProcessSpawner":
        for top in made:  # hand the copies to the user
            for path in [top, *top.rglob("*")]:
                os.chown(path, account.pw_uid, account.pw_gid, follow_symlinks=False)


c.Spawner.pre_spawn_hook = prepare_home


# -- shared state, prepared once when the hub starts -----------------------------------
def prepare_exchange(root: Path = EXCHANGE) -> None:
    """nbgrader's exchange: world-writable (with the sticky bit, like /tmp)."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o1777)
    except PermissionError:
        print(f"[kamcourse] cannot prepare the exchange {root}: create it world-writable", file=sys.stderr)


def chinese_lab() -> None:
    """JupyterLab in Simplified Chinese for every server started from this Python."""
    try:
        from kamcourse.cli import ensure_chinese_locale
    except ImportError:  # the hub runs from another environment: do it there
        return
    try:
        ensure_chinese_locale()
    except OSError as err:
        print(f"[kamcourse] could not set JupyterLab's language: {err}", file=sys.stderr)


prepare_exchange()
chinese_lab()
if not GRADEBOOK_URL:
    print("[kamcourse] KAMCOURSE_GRADEBOOK_URL is not set: nbgrader falls back to a gradebook.db file "
          "in the instructor's course folder", file=sys.stderr)
