"""The single-host JupyterHub configuration, for real, on loopback.

``deploy/jupyterhub/jupyterhub_config.py`` is loaded unchanged; the test only swaps in
JupyterHub's test authenticator (``dummy``) and the local spawner that needs no system
accounts (``simple``), and picks free ports and temporary folders. Then:

1. a PostgreSQL server from the OS packages starts in a temporary folder (as a system user
   made for it when the test runs as root: PostgreSQL refuses root) and holds the gradebook;
2. JupyterHub starts with configurable-http-proxy (installed by ``./kc test`` from npm);
3. an instructor and two trainees log in through the hub's login form, get API tokens and
   start their servers through the hub's REST API;
4. everything else goes through the hub's proxy into those servers, as the JupyterLab
   panels do: the instructor creates a quiz and releases it with the formgrader's API,
   the trainees fetch it, answer it (contents API) and submit it with the Assignments
   API, the instructor collects and autogrades; the scores are read back from the
   formgrader and straight from PostgreSQL.

Slow (about a minute), still run by ``./kc test``.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from helpers import free_port, stop_process

requests = pytest.importorskip("requests")  # comes with jupyterhub (the `hub` extra)
pytest.importorskip("jupyterhub")
psycopg = pytest.importorskip("psycopg")  # SQLAlchemy 2.1's default PostgreSQL driver

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parent.parent
HUB_CONFIG = ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
PG_USER = "kamcourse-pg"  # system account for the test's PostgreSQL when running as root
INSTRUCTOR, TRAINEES = "teacher", ("trainee1", "trainee2")
COURSE_ID = "kamcourse"
QUIZ = "m4_spin"  # a real quiz of the bank; its keys come from a synthetic instructor kit
SERVICE_TOKEN = "kamcourse-e2e-" + os.urandom(8).hex()


def _missing(what: str) -> None:
    """Missing tool: CI installs everything through ./kc test, so there it is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing (./kc test should have installed it)")
    pytest.skip(f"{what} is missing: run ./kc test once to install it")


# -- PostgreSQL -----------------------------------------------------------------------

def postgres_bin() -> Path:
    """Debian's PostgreSQL programs (newest major version), or the ones on PATH."""
    versions = [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin") if (Path(p) / "pg_ctl").exists()]
    if versions:
        return max(versions, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        return Path(pg_ctl).resolve().parent
    _missing("PostgreSQL (Debian package postgresql)")
    raise AssertionError  # not reached


def _as_pg_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    try:
        pwd.getpwnam(PG_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_USER],
                       check=True)
    return ["runuser", "-u", PG_USER, "--", *cmd]


@pytest.fixture(scope="module")
def gradebook_url():
    bindir = postgres_bin()
    folder = Path(tempfile.mkdtemp(prefix="kc-pg-"))
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        _as_pg_user(["true"])  # creates the account
        account = pwd.getpwnam(PG_USER)
        for path in (folder, sockets):
            os.chown(path, account.pw_uid, account.pw_gid)
    port = free_port()
    run = lambda cmd: subprocess.run(_as_pg_user(cmd), check=True, capture_output=True, text=True)  # noqa: E731
    run([str(bindir / "initdb"), "-D", str(data), "-U", "grader", "-A", "trust", "-E", "UTF8", "--locale=C"])
    run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "postgres.log"), "-w", "-t", "60",
         "-o", f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1", "start"])
    try:
        run([str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "grader", "gradebook"])
        yield f"postgresql://grader@127.0.0.1:{port}/gradebook"
    finally:
        subprocess.run(_as_pg_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


# -- JupyterHub -------------------------------------------------------------------------

def proxy_command() -> str:
    found = shutil.which("configurable-http-proxy")
    local = ROOT / ".kamcourse" / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
    if local.exists():
        return str(local)
    if found:
        return found
    _missing("configurable-http-proxy (npm)")
    raise AssertionError


class Hub:
    def __init__(self, workdir: Path, gradebook: str):
        self.workdir = workdir
        self.port, hub_port, api_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.exchange = workdir / "exchange"
        self.homes = workdir / "home"
        config = workdir / "jupyterhub_config.py"
        config.write_text(
            "c = get_config()  # noqa\n"
            f"load_subconfig({str(HUB_CONFIG)!r})\n"
            "# the test's only changes: authenticator, spawner, ports and files\n"
            "c.JupyterHub.authenticator_class = 'dummy'\n"
            "c.JupyterHub.spawner_class = 'simple'\n"
            f"c.SimpleLocalProcessSpawner.home_dir_template = {str(self.homes)!r} + '/{{username}}'\n"
            "c.Spawner.args = list(c.Spawner.args) + (['--allow-root'] if __import__('os').geteuid() == 0 else [])\n"
            f"c.JupyterHub.hub_ip = '127.0.0.1'\nc.JupyterHub.hub_port = {hub_port}\n"
            f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{api_port}'\n"
            f"c.ConfigurableHTTPProxy.command = [{proxy_command()!r}]\n"
            f"c.ConfigurableHTTPProxy.pid_file = {str(workdir / 'proxy.pid')!r}\n"
            f"c.JupyterHub.db_url = 'sqlite:///{workdir / 'jupyterhub.sqlite'}'\n"
            f"c.JupyterHub.cookie_secret_file = {str(workdir / 'cookie_secret')!r}\n"
            f"c.JupyterHub.services = [{{'name': 'e2e', 'api_token': {SERVICE_TOKEN!r}}}]\n"
            "c.JupyterHub.load_roles = [{'name': 'e2e', 'services': ['e2e'],\n"
            "    'scopes': ['admin:users', 'admin:servers', 'list:users', 'read:users']}]\n",
            encoding="utf-8",
        )
        env = {
            **os.environ,
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
            "KAMCOURSE_INSTRUCTORS": INSTRUCTOR,
            "KAMCOURSE_TRAINEES": ",".join(TRAINEES),
            "KAMCOURSE_GRADEBOOK_URL": gradebook,
            "KAMCOURSE_EXCHANGE": str(self.exchange),
            "KAMCOURSE_COURSE_ID": COURSE_ID,
            "KAMCOURSE_ROOT": str(ROOT),
            "KAMCOURSE_HUB_BIND_URL": self.url,
        }
        self.log_path = workdir / "jupyterhub.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)],
            cwd=workdir, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self._wait_up()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-6000:]

    def _wait_up(self) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterHub exited:\n{self.log()}")
            try:
                if requests.get(self.url + "/hub/api/", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"JupyterHub did not start:\n{self.log()}")

    def admin(self, method: str, path: str, **kwargs):
        headers = {"Authorization": f"token {SERVICE_TOKEN}"}
        return requests.request(method, self.url + "/hub/api" + path, headers=headers, timeout=60, **kwargs)

    def stop(self) -> None:
        if self.proc.poll() is None:
            for name in (INSTRUCTOR, *TRAINEES):
                try:
                    self.admin("DELETE", f"/users/{name}/server")
                except requests.RequestException:
                    pass
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:  # wait for the servers to be gone
                try:
                    users = self.admin("GET", "/users").json()
                except (requests.RequestException, ValueError):
                    break
                if not any(u.get("servers") for u in users):
                    break
                time.sleep(0.5)
            stop_process(self.proc, 30, whole_group=False)
        self._log.close()


class Person:
    """A hub user: logs in through the form, then uses an API token."""

    def __init__(self, hub: Hub, name: str):
        self.hub, self.name = hub, name
        browser = requests.Session()
        browser.get(hub.url + "/hub/login", timeout=30)
        xsrf = browser.cookies.get("_xsrf")
        login = browser.post(hub.url + "/hub/login", data={"username": name, "password": "kc", "_xsrf": xsrf},
                             allow_redirects=False, timeout=60)
        assert login.status_code == 302, (name, login.status_code, login.text[:300])
        reply = browser.post(hub.url + f"/hub/api/users/{name}/tokens", json={"note": "e2e", "expires_in": 3600},
                             headers={"X-XSRFToken": browser.cookies.get("_xsrf") or xsrf}, timeout=30)
        assert reply.status_code in (200, 201), reply.text
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {reply.json()['token']}"

    def hub_api(self, method: str, path: str, **kwargs):
        return self.session.request(method, self.hub.url + "/hub/api" + path, timeout=60, **kwargs)

    def server(self, method: str, path: str, **kwargs):
        kwargs.setdefault("timeout", 180)
        return self.session.request(method, f"{self.hub.url}/user/{self.name}/{path.lstrip('/')}", **kwargs)

    def start(self) -> None:
        reply = self.hub_api("POST", f"/users/{self.name}/server")
        assert reply.status_code in (201, 202), reply.text

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = self.hub_api("GET", f"/users/{self.name}").json().get("servers", {}).get("", {})
            if server.get("ready"):
                return
            time.sleep(1)
        raise AssertionError(f"{self.name}'s server did not start:\n{self.hub.log()}")

    def put_notebook(self, path: str, notebook: dict) -> None:
        parts = path.split("/")
        for i in range(1, len(parts)):
            folder = "/".join(parts[:i])
            if self.server("GET", f"api/contents/{folder}", params={"content": 0}).status_code == 404:
                assert self.server("PUT", f"api/contents/{folder}", json={"type": "directory"}).ok
        reply = self.server("PUT", f"api/contents/{path}", json={"type": "notebook", "format": "json",
                                                                 "content": notebook})
        assert reply.ok, reply.text

    def get_notebook(self, path: str) -> dict:
        reply = self.server("GET", f"api/contents/{path}")
        assert reply.ok, reply.text
        return reply.json()["content"]


def right_and_wrong(secret: dict, kind: str) -> tuple[str, str]:
    """An answer that earns the item's points and one that earns none, for a synthetic key."""
    key = secret["key"]
    if kind == "numeric":
        return f"{float(key):g}", f"{float(key) + 7:g}"
    if kind == "true_false":
        right = "A" if key in (True, "A", "true", "对") else "B"
        return right, "B" if right == "A" else "A"
    if kind == "ordering":
        return key, key[::-1]
    return key, next(letter for letter in "ABCDEFGH" if letter not in key)


def answered(notebook: dict, answers: dict[str, str]) -> dict:
    """The fetched quiz with ``answer_qN = "..."`` written into each answer cell."""
    done = set()
    for cell in notebook["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        item = grade_id.removesuffix("_answer")
        if grade_id.endswith("_answer") and item in answers:
            cell["source"] = f"answer_{item} = {json.dumps(answers[item], ensure_ascii=False)}\n"
            done.add(item)
    assert done == set(answers), f"answer cells missing for {set(answers) - done}"
    return notebook


@pytest.fixture(scope="module")
def hub(gradebook_url):
    proxy_command()
    workdir = Path(tempfile.mkdtemp(prefix="kc-hub-"))
    server = Hub(workdir, gradebook_url)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def test_a_quiz_goes_round_the_class_through_jupyterhub_and_postgresql(hub, gradebook_url):
    # someone not on the class list cannot log in
    outsider = requests.Session()
    outsider.get(hub.url + "/hub/login", timeout=30)
    refused = outsider.post(hub.url + "/hub/login", allow_redirects=False, timeout=30,
                            data={"username": "intruder", "password": "x", "_xsrf": outsider.cookies.get("_xsrf")})
    assert refused.status_code != 302 or "/hub/login" in refused.headers.get("Location", "")

    # the instructor's unlocked kit in their own home (as `kamcourse kit unlock ~/kamcourse-kit` leaves it)
    from kamcourse.quiz.synthetic import write_kit

    secrets = write_kit(ROOT / "quizzes" / "bank", hub.homes / INSTRUCTOR / "kamcourse-kit", seed=11)[QUIZ]
    public = yaml.safe_load((ROOT / "quizzes" / "bank" / f"{QUIZ}.yaml").read_text(encoding="utf-8"))
    kinds = {item["id"]: item["type"] for item in public["items"] if item["type"] != "essay"}
    points = sum(float(item["points"]) for item in public["items"] if item["type"] != "essay")

    teacher = Person(hub, INSTRUCTOR)
    trainees = [Person(hub, name) for name in TRAINEES]
    for person in (teacher, *trainees):
        person.start()
    for person in (teacher, *trainees):
        person.wait_ready()

    # everyone got the course; only the instructor got the quizzes folder
    for person in (teacher, *trainees):
        listing = person.server("GET", "api/contents/kamcourse/course/dashboards").json()
        assert {"dso.ipynb", "funnel.ipynb"} <= {item["name"] for item in listing["content"]}
    assert trainees[0].server("GET", "api/contents/kamcourse-quizzes", params={"content": 0}).status_code == 404

    # roles: trainees have no formgrader and cannot reach the instructor's server
    assert trainees[0].server("GET", "formgrader/api/status").status_code == 404
    assert trainees[0].session.get(f"{hub.url}/user/{INSTRUCTOR}/api/contents", timeout=30,
                                   allow_redirects=False).status_code in (302, 403)
    assert teacher.server("GET", "formgrader/api/status").ok

    # the instructor releases a quiz of the course's bank through the formgrader
    generated = teacher.server("POST", f"formgrader/api/assignment/{QUIZ}/assign").json()
    assert generated["success"], generated.get("log", generated)
    released = teacher.server("POST", f"formgrader/api/assignment/{QUIZ}/release").json()
    assert released["success"], released
    assert (hub.exchange / COURSE_ID / "outbound" / QUIZ / f"{QUIZ}.ipynb").exists()

    # each trainee fetches, answers and submits through the Assignments API
    # the quiz shuffles options per trainee: each answers with the letters of their own paper
    from kamcourse.quiz.bank import load_quiz
    from kamcourse.quiz.variants import trainee_paper

    quiz = load_quiz(QUIZ, ROOT / "quizzes" / "bank")
    assert quiz.shuffle
    pairs = {item: right_and_wrong(secrets[item], kind) for item, kind in kinds.items()}

    def paper_answers(trainee: str, which: int) -> dict[str, str]:
        out = {}
        for position in trainee_paper(quiz, trainee):
            answer = pairs[position.item_id][which]
            kind = kinds[position.item_id]
            out[position.id] = position.to_shown(answer) if kind in ("single", "multiple", "ordering", "matching") else answer
        return out

    answers = {"trainee1": paper_answers("trainee1", 0), "trainee2": paper_answers("trainee2", 1)}
    assert any(trainee_paper(quiz, name)[0].order != (0, 1, 2, 3) for name in TRAINEES)
    for person in trainees:
        listed = person.server("GET", "assignments", params={"course_id": COURSE_ID}).json()
        assert any(a["assignment_id"] == QUIZ and a["status"] == "released" for a in listed["value"]), listed
        fetched = person.server("POST", "assignments/fetch", data={"course_id": COURSE_ID, "assignment_id": QUIZ})
        assert fetched.ok, fetched.text
        path = f"{QUIZ}/{QUIZ}.ipynb"
        notebook = person.get_notebook(path)
        assert "HIDDEN TESTS" not in json.dumps(notebook["cells"], ensure_ascii=False)  # hidden tests stripped
        assert not any(s.get("explanation", "")[:12] in json.dumps(notebook, ensure_ascii=False) for s in secrets.values())
        person.put_notebook(path, answered(notebook, answers[person.name]))
        submitted = person.server("POST", "assignments/submit", data={"course_id": COURSE_ID, "assignment_id": QUIZ})
        assert submitted.ok and "success" not in submitted.json() or submitted.json().get("success"), submitted.text
    inbound = sorted(p.name.split("+")[0] for p in (hub.exchange / COURSE_ID / "inbound").iterdir())
    assert inbound == sorted(TRAINEES)

    # the instructor collects and autogrades
    collected = teacher.server("POST", f"formgrader/api/assignment/{QUIZ}/collect").json()
    assert collected["success"], collected
    for name in TRAINEES:
        graded = teacher.server("POST", f"formgrader/api/submission/{QUIZ}/{name}/autograde").json()
        assert graded["success"], graded
    submissions = {s["student"]: s for s in teacher.server("GET", f"formgrader/api/submissions/{QUIZ}").json()}
    # graded by kamcourse's steps in the formgrader: answers read as data, keys from the kit
    assert submissions["trainee1"]["score"] == pytest.approx(points) and submissions["trainee2"]["score"] == 0
    assert submissions["trainee1"]["max_score"] == pytest.approx(points)

    # the gradebook really is PostgreSQL (and no gradebook.db file appeared)
    with psycopg.connect(gradebook_url) as db, db.cursor() as cur:
        cur.execute(
            "SELECT s.student_id, SUM(COALESCE(g.manual_score, g.auto_score)) FROM grade g "
            "JOIN submitted_notebook n ON g.notebook_id = n.id "
            "JOIN submitted_assignment s ON n.assignment_id = s.id GROUP BY s.student_id ORDER BY 1"
        )
        assert [(who, float(score)) for who, score in cur.fetchall()] == [("trainee1", points), ("trainee2", 0.0)]
    assert not list((hub.homes / INSTRUCTOR).rglob("gradebook.db"))

    # the dashboards are served in a trainee's own server by Voila, sources stripped
    page = trainees[1].server("GET", "voila/render/kamcourse/course/dashboards/dso.ipynb")
    assert page.ok, page.text[:500]
    assert "dso_dashboard()" not in page.text and "Traceback" not in page.text
