"""Test set-up: Qt runs offscreen, and no test can reach the real user's data or config dirs."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# A 1920x1080 virtual screen (the offscreen default is 800x800): the window fits itself to the
# screen's available geometry, and the window tests are written for its default 1280x800 size.
os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={Path(__file__).resolve().parent / 'offscreen_screen.json'}"
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

import pytest  # noqa: E402

from annotator.services.project import Project  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("ANNOTATOR_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("ANNOTATOR_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("ANNOTATOR_LOG_DIR", str(home / "log"))
    monkeypatch.setenv("ANNOTATOR_CACHE_DIR", str(home / "cache"))
    monkeypatch.setenv("ANNOTATOR_DOCUMENTS_DIR", str(home / "Documents"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "xdg-cache"))
    monkeypatch.delenv("ANNOTATOR_PROJECT", raising=False)
    monkeypatch.setenv("HOME", str(home))


# -- back ends -----------------------------------------------------------------------------------
# Tests under these folders that use `project` (or `project_location`) run twice: on a project file
# and on a fresh database of the PostgreSQL server named by ANNOTATOR_TEST_PG_URL (`.ci/run` and
# `make pg` start a throwaway one). Without a server they skip, except under CI=true. In tests/ui
# that is every test whose window or widget works on the project's data; a test about a pure widget
# (no project) or about project files as such (tmp_path) runs once.
BOTH_BACKENDS = ("store", "services", "io", "cli", "ui")
PG_URL_ENV = "ANNOTATOR_TEST_PG_URL"
# Filled by the `pg_admin` fixture: the server's version, for the summary line at the end.
_PG_SERVER: dict[str, str] = {}


def pytest_report_header() -> str:
    url = os.environ.get(PG_URL_ENV)
    where = f"PostgreSQL at {url}" if url else "no PostgreSQL server (`make pg` starts one): those tests skip"
    return f"back ends for tests/{{{','.join(BOTH_BACKENDS)}}}: SQLite and {where}"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    parts = Path(str(metafunc.definition.path)).resolve().relative_to(REPO / "tests").parts
    if parts and parts[0] in BOTH_BACKENDS:
        only_file = metafunc.definition.get_closest_marker("sqlite_only") is not None
        metafunc.parametrize("backend", ["sqlite"] if only_file else ["sqlite", "postgresql"], indirect=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the server `postgresql`, so `make pg` can pick them (-m postgresql)."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if params.get("backend") == "postgresql" or "pg_admin" in getattr(item, "fixturenames", ()):
            item.add_marker("postgresql")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under CI=true the server half must have run: tests ran on SQLite of the both-back-ends kind
    but none passed on PostgreSQL (all skipped, say) fails the run, so a CI without its server
    cannot pass quietly on SQLite alone. Counted from the reports, so it holds under xdist too."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if hasattr(session.config, "workerinput"):  # an xdist worker: the controller judges the whole run
        session.config.workeroutput["pg_version"] = _PG_SERVER.get("version", "")  # type: ignore[attr-defined]
        return
    if reporter is None or os.environ.get("CI") != "true" or session.exitstatus != 0:
        return
    on_sqlite = sum(1 for report in reporter.stats.get("passed", []) if "[sqlite" in report.nodeid)
    if on_sqlite and not _server_reports(reporter)["passed"]:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        reporter.write_line(f"CI=true: {on_sqlite} tests passed on SQLite and none ran on PostgreSQL", red=True)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """Under pytest-xdist (`make test` runs `-n 2`) the workers meet the server: the controller
    learns its version from them for the summary line."""
    version = getattr(node, "workeroutput", {}).get("pg_version")
    if version:
        _PG_SERVER["version"] = version


def _server_reports(reporter: Any) -> dict[str, int]:
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for outcome in counts:
        counts[outcome] = sum(
            1
            for report in reporter.stats.get(outcome, [])
            if getattr(report, "when", "call") in ("call", "setup") and "postgresql" in report.keywords
        )
    return counts


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line at the end: how many tests ran on the server, and which server."""
    counts = _server_reports(terminalreporter)
    if not any(counts.values()):
        return
    version = _PG_SERVER.get("version", "(no server)")
    terminalreporter.write_line(
        f"{counts['passed'] + counts['failed']} tests ran on PostgreSQL {version}"
        f" ({counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped)"
    )


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """ "sqlite" or "postgresql": the back end this test's project lives on."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[object]:
    """An AUTOCOMMIT engine on the test server's maintenance database (creates/drops databases)."""
    url = os.environ.get(PG_URL_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {PG_URL_ENV} is not set: .ci/run starts a PostgreSQL server for the tests")
        pytest.skip(f"no PostgreSQL server: run `make pg` (or set {PG_URL_ENV}) to run the PostgreSQL tests")
    from sqlalchemy import create_engine

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        _PG_SERVER["version"] = str(conn.exec_driver_sql("SHOW server_version").scalar_one()).split()[0]
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def pg_project_db(pg_admin: Any) -> Iterator[tuple[Any, list[tuple[Any, list[dict[str, Any]]]]]]:
    """One database for the session's server projects, with a snapshot of a fresh project (default
    scheme). Each test gets it back as new (`_reset`): emptying a dozen tables is far cheaper than
    creating a database per test."""
    from sqlalchemy import create_engine, select

    from annotator.store.tables import Base

    name = f"t_{uuid.uuid4().hex[:12]}"
    _create_database(pg_admin, name)
    url = pg_admin.url.set(database=name).render_as_string(hide_password=False)
    Project.open(url).close()
    engine = create_engine(url)
    with engine.connect() as conn:
        # Rows in id order without their serial ids: re-inserted after RESTART IDENTITY they get the
        # same ids from the sequence, which then stands where the fresh project's did.
        snapshot = [
            (
                t,
                [
                    {k: v for k, v in r._mapping.items() if k != "id"}
                    for r in conn.execute(select(t).order_by(*t.primary_key))
                ],
            )
            if "id" in t.c
            else (t, [dict(r._mapping) for r in conn.execute(select(t))])
            for t in Base.metadata.sorted_tables
        ]
    yield engine, snapshot
    engine.dispose()
    _drop_database(pg_admin, name)


def _reset(engine: Any, snapshot: list[tuple[Any, list[dict[str, Any]]]]) -> None:
    """Put the session's server project back to its fresh state. Connections a test left open are
    ended first, so the TRUNCATE cannot wait on them; a lock still held fails after 10 s."""
    from sqlalchemy import func, insert, select, text

    with engine.begin() as conn:
        activity = text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        mine = conn.execute(select(func.pg_backend_pid())).scalar_one()
        for (pid,) in conn.execute(activity).all():
            if pid != mine:
                conn.execute(select(func.pg_terminate_backend(pid)))
        conn.execute(text("SET LOCAL lock_timeout = '10s'"))
        names = ", ".join(f'"{t.name}"' for t, _ in snapshot)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        for table, rows in snapshot:
            if rows:
                conn.execute(insert(table), rows)
    engine.dispose()


@pytest.fixture
def pg_database(pg_admin: Any) -> Iterator[str]:
    """The URL of a new, empty database on the test server (for `server init` and the like)."""
    name = f"e_{uuid.uuid4().hex[:16]}"
    _create_database(pg_admin, name)
    try:
        yield pg_admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_database(pg_admin, name)


def _create_database(admin: Any, name: str) -> None:
    from sqlalchemy import text

    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))


def _drop_database(admin: Any, name: str) -> None:
    from sqlalchemy import text

    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def project_location(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path | str]:
    """Where a fresh project with the default scheme lives (`project` opens it): a file in
    tmp_path, or the session's server database, emptied back to a fresh project."""
    if backend == "sqlite":
        yield tmp_path / "test.db"
        return
    engine, snapshot = request.getfixturevalue("pg_project_db")
    _reset(engine, snapshot)
    yield engine.url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def fresh_project_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project file just created with the default scheme, once per session (per xdist worker):
    `project` starts from a byte copy of it. Creating one (schema, scheme, synchronous commits) costs
    a few tenths of a second of wall time; copying it, a millisecond. Creating projects as such is
    tested where the tests create them (tests/store, `init`, the window on a new path)."""
    path = tmp_path_factory.mktemp("template") / "fresh.db"
    Project.open(path).close()
    leftovers = [p.name for p in path.parent.iterdir() if p != path]
    assert not leftovers, f"a closed project left {leftovers} beside its file: a copy of the file alone is not whole"
    return path


@pytest.fixture
def project(project_location: Path | str, request: pytest.FixtureRequest) -> Iterator[Project]:
    """A fresh writable project with the default scheme (a file, or a server database: `backend`).
    On SQLite it is a copy of `fresh_project_file` (same schema, scheme and rows as a new one)."""
    if isinstance(project_location, Path) and not project_location.exists():
        shutil.copyfile(request.getfixturevalue("fresh_project_file"), project_location)
    proj = Project.open(project_location)
    yield proj
    proj.close()
