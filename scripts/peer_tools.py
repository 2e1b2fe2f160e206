"""Start and drive Label Studio and doccano for scripts/check_peer_formats.py (stdlib HTTP only).

Each server runs from its own venv, bound to 127.0.0.1, with its data, HOME and logs under one
scratch folder, and is stopped (its process group) when the `with` block ends.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

USER_EMAIL = "check@example.com"
PASSWORD = "check-password-123"
TOKEN = "abcdef0123456789abcdef0123456789abcdef01"


def package_version(venv: Path, name: str) -> str:
    code = f"import importlib.metadata as m; print(m.version({name!r}))"
    return subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


class Http:
    def __init__(self, base: str) -> None:
        self.base = base
        self.headers: dict[str, str] = {}

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        content_type: str | None = None,
        timeout: float = 120,
    ) -> bytes:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode("utf-8"))
        headers = dict(self.headers)
        if data is not None:
            headers["Content-Type"] = content_type or "application/json"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{method} {path}: HTTP {exc.code} {exc.read()[:500]!r}") from exc

    def json(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        out = self.call(method, path, body, **kw)
        return json.loads(out) if out else None


def _wait(what: str, ready: Any, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = ready()
        except (OSError, RuntimeError):
            value = None
        if value:
            return value
        time.sleep(0.5)
    raise SystemExit(f"timed out after {timeout:.0f} s waiting for {what}")


class _Server:
    def __init__(self, venv: Path | None, work: Path, port: int) -> None:
        self.venv, self.work, self.port = Path(venv or "."), Path(work), port
        self.procs: list[subprocess.Popen[bytes]] = []
        self.base = f"http://127.0.0.1:{port}"
        self.http = Http(self.base)

    def _start(self, argv: list[str], env: dict[str, str], log: str) -> subprocess.Popen[bytes]:
        self.work.mkdir(parents=True, exist_ok=True)
        with (self.work / log).open("ab") as handle:
            proc = subprocess.Popen(argv, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def _wait_or_stop(self, what: str, ready: Any) -> None:
        try:
            _wait(what, ready, float(os.environ.get("PEER_START_TIMEOUT", "900")))
        except BaseException:
            self.__exit__()
            raise

    def __exit__(self, *exc: object) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


class LabelStudioServer(_Server):
    def __init__(
        self, venv: Path | None, work: Path, port: int, *, url: str | None = None, token: str | None = None
    ) -> None:
        super().__init__(venv, work, port)
        self.external = url is not None
        if url:
            self.base = url.rstrip("/")
            self.http = Http(self.base)
        self.http.headers["Authorization"] = f"Token {token or TOKEN}"

    def __enter__(self) -> LabelStudioServer:
        if not self.external:
            env = dict(os.environ)
            env.update(
                HOME=str(self.work / "home"),
                LABEL_STUDIO_BASE_DATA_DIR=str(self.work / "data"),
                LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN="true",
                LATEST_VERSION_CHECK="false",
                COLLECT_ANALYTICS="false",
                SENTRY_DSN="",
                FRONTEND_SENTRY_DSN="",
            )
            argv = [str(self.venv / "bin" / "label-studio"), "start", "--no-browser", "--internal-host", "127.0.0.1"]
            argv += ["-p", str(self.port), "--username", USER_EMAIL, "--password", PASSWORD, "--user-token", TOKEN]
            argv += ["--enable-legacy-api-token", "--log-level", "WARNING"]
            proc = self._start(argv, env, "labelstudio.log")

            def up() -> bool:
                if proc.poll() is not None:
                    raise SystemExit(f"Label Studio exited ({proc.returncode}); see {self.work / 'labelstudio.log'}")
                return self.http.json("GET", "/api/projects/", timeout=5) is not None

            self._wait_or_stop("Label Studio's API", up)
        return self

    def version(self) -> str:
        info = self.http.json("GET", "/api/version")
        release = info.get("release") if isinstance(info, dict) else None
        return str(release or package_version(self.venv, "label-studio"))

    def create_project(self, title: str, config: str) -> int:
        return int(self.http.json("POST", "/api/projects/", {"title": title, "label_config": config})["id"])

    def import_tasks(self, pid: int, tasks: list[dict[str, Any]]) -> None:
        self.http.json("POST", f"/api/projects/{pid}/import", tasks, timeout=300)
        _wait(
            "the imported tasks",
            lambda: self.http.json("GET", f"/api/projects/{pid}/")["task_number"] >= len(tasks),
            300,
        )

    def export_tasks(self, pid: int) -> list[dict[str, Any]]:
        return list(
            self.http.json("GET", f"/api/projects/{pid}/export?exportType=JSON&download_all_tasks=true", timeout=300)
        )

    def page_url(self, pid: int, task: int) -> str:
        return f"{self.base}/projects/{pid}/data?task={task}"

    def login(self) -> dict[str, str]:
        return {"url": f"{self.base}/user/login/", "email": USER_EMAIL, "password": PASSWORD}


class DoccanoServer(_Server):
    USER = "admin"

    def _env(self) -> dict[str, str]:
        home = self.work / "home"
        env = dict(os.environ)
        env.update(
            HOME=str(home),
            DOCCANO_HOME=str(home / "doccano"),
            STANDALONE="True",
            DJANGO_SETTINGS_MODULE="config.settings.production",
            DATABASE_URL=f"sqlite:///{home / 'doccano' / 'db.sqlite3'}",
            MEDIA_ROOT=str(home / "doccano" / "media"),
            DEBUG="False",
        )
        return env

    def __enter__(self) -> DoccanoServer:
        env = self._env()
        doccano = str(self.venv / "bin" / "doccano")
        self.work.mkdir(parents=True, exist_ok=True)
        with (self.work / "doccano-cli.log").open("ab") as log:
            subprocess.run([doccano, "init"], env=env, stdout=log, stderr=subprocess.STDOUT, check=True, timeout=600)
            subprocess.run(
                [doccano, "createuser", "--username", self.USER, "--password", PASSWORD],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=True,
                timeout=600,
            )
        backend = next((self.venv / "lib").glob("python3*/site-packages/backend"))
        argv = [str(self.venv / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{self.port}", "--workers", "2"]
        argv += ["--chdir", str(backend), "--capture-output", "--timeout", "600", "config.wsgi"]
        web = self._start(argv, env, "doccano-web.log")
        worker = self._start([doccano, "task", "--concurrency", "1"], env, "doccano-task.log")

        def up() -> bool:
            for proc in (web, worker):
                if proc.poll() is not None:
                    raise SystemExit(f"doccano exited ({proc.returncode}); see the logs in {self.work}")
            key = self.http.json("POST", "/v1/auth/login/", {"username": self.USER, "password": PASSWORD}, timeout=5)[
                "key"
            ]
            self.http.headers["Authorization"] = f"Token {key}"
            return b" ready." in (self.work / "doccano-task.log").read_bytes()

        self._wait_or_stop("doccano's API and task worker", up)
        return self

    def version(self) -> str:
        return package_version(self.venv, "doccano")

    def create_project(self, name: str, labels: list[str], relations: list[str]) -> int:
        kind = "SequenceLabeling"
        project = {
            "name": name,
            "description": "annotator export check",
            "guideline": "",
            "project_type": kind,
            "resourcetype": kind + "Project",
            "random_order": False,
            "collaborative_annotation": True,
            "allow_overlapping": True,
            "grapheme_mode": False,
            "use_relation": True,
            "tags": [],
        }
        pid = int(self.http.json("POST", "/v1/projects", project)["id"])
        colour = {"background_color": "#d62728", "text_color": "#ffffff"}
        for label in labels:
            self.http.json("POST", f"/v1/projects/{pid}/span-types", {"text": label, **colour})
        for relation in relations:
            self.http.json("POST", f"/v1/projects/{pid}/relation-types", {"text": relation, **colour})
        return pid

    def _task(self, task_id: str) -> dict[str, Any]:
        def done() -> dict[str, Any] | None:
            status = self.http.json("GET", f"/v1/tasks/status/{task_id}")
            return status if status.get("ready") else None

        status: dict[str, Any] = _wait(f"doccano task {task_id}", done, 300)
        if status.get("error"):
            raise SystemExit(f"doccano task failed: {status['error']}")
        return status

    def import_jsonl(self, pid: int, lines: list[dict[str, Any]]) -> None:
        data = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode("utf-8")
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="filepond"; filename="check.jsonl"\r\n'
                "Content-Type: application/json\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        upload = self.http.call(
            "POST", "/v1/fp/process/", raw=body, content_type=f"multipart/form-data; boundary={boundary}"
        )
        request = {
            "uploadIds": [upload.decode().strip()],
            "format": "JSONL",
            "task": "RelationExtraction",  # sequence labelling with relations (use_relation)
            "column_data": "text",
            "column_label": "label",
            "delimiter": ",",
            "encoding": "utf_8",
        }
        status = self._task(self.http.json("POST", f"/v1/projects/{pid}/upload", request)["task_id"])
        errors = (status.get("result") or {}).get("error") if isinstance(status.get("result"), dict) else None
        if errors:
            raise SystemExit(f"doccano rejected the import: {errors}")

    def export_jsonl(self, pid: int) -> list[dict[str, Any]]:
        task = self.http.json("POST", f"/v1/projects/{pid}/download", {"format": "JSONL", "exportApproved": False})[
            "task_id"
        ]
        self._task(task)
        payload = self.http.call("GET", f"/v1/projects/{pid}/download?taskId={task}")
        lines: list[dict[str, Any]] = []
        with zipfile.ZipFile(BytesIO(payload)) as archive:
            for name in archive.namelist():
                lines += [json.loads(x) for x in archive.read(name).decode("utf-8").splitlines() if x.strip()]
        return lines

    def page_url(self, pid: int, example: int) -> str:
        return f"{self.base}/projects/{pid}/sequence-labeling?page=1&q=&isChecked=&ordering=&id={example}"

    def login(self) -> dict[str, str]:
        return {"url": f"{self.base}/auth", "username": self.USER, "password": PASSWORD}


def browser_highlights(python: str, tool: str, url: str, login: dict[str, str]) -> list[str]:
    """The texts the tool's labelling page highlights, read from the page in headless Chromium."""
    script = Path(__file__).with_name("peer_page.py")
    out = subprocess.run(
        [python, str(script), tool, url, json.dumps(login)], capture_output=True, text=True, timeout=300, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"reading the {tool} page failed: {out.stderr.strip()[-800:]}")
    return list(json.loads(out.stdout))
