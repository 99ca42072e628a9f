"""Backups: `manage.py backup` and `restore` carry a whole instance (every row, every stored
file) into an empty one, on SQLite and on PostgreSQL, and refuse anything else with a
sentence and exit 2, changing nothing.

Each instance is its own VAR_DIR and database, driven through manage.py in a subprocess
as an operator would; the test database of the suite is not involved.
"""

import contextlib
import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings
from psycopg2 import sql

ROOT = Path(__file__).resolve().parents[2]
# A stored file as documents will be: nested, with a name that is not ASCII.
STORED = {"documents/2017/محضر-الاجتماع.pdf": b"%PDF-1.4 minutes of the launch meeting\n"}
SERVES = """
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
health = client.get("/health/").status_code
client.force_login(get_user_model().objects.get(username="secretariat"))
pages = [client.get(path).status_code for path in ("/", "/meetings/", "/groups/")]
print("SERVES", health, *pages)
"""


def _manage(*args: str, var_dir: Path, database_url: str = "", stdin: str | None = None):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "VAR_DIR", "DEBUG", "EMAIL_URL"}
    }
    environment.update(
        VAR_DIR=str(var_dir),
        DATABASE_URL=database_url,
        DEMO_PASSWORD="tansiq-demo",
        DEBUG="1",
    )
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _refused(result: subprocess.CompletedProcess, words: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def _stored_files(var_dir: Path) -> dict[str, bytes]:
    media = var_dir / "media"
    return {
        path.relative_to(media).as_posix(): path.read_bytes()
        for path in media.rglob("*")
        if path.is_file()
    }


def _store(var_dir: Path) -> None:
    for name, content in STORED.items():
        path = var_dir / "media" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def _sqlite_tables(database: Path) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of all its rows; none when there is no file."""
    tables: dict[str, tuple[int, str]] = {}
    if not database.exists():
        return tables
    # sqlite3's own context manager commits but does not close: a connection left to
    # the garbage collector removes the WAL files whenever it goes, under a copy.
    with contextlib.closing(sqlite3.connect(database)) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for name in names:
            rows = sorted(repr(row) for row in connection.execute(f'SELECT * FROM "{name}"'))  # noqa: S608
            tables[name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return tables


def _rewritten(archive: Path, target: Path, change) -> Path:
    """A copy of `archive` whose manifest went through `change`."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as copy:
        for member in source:
            content = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(content)
                change(manifest)
                content = json.dumps(manifest).encode()
                member.size = len(content)
            copy.addfile(member, io.BytesIO(content))
    return target


# --- SQLite -------------------------------------------------------------------------


@dataclass
class SqliteInstance:
    migrated: Path
    source: Path
    archive: Path
    tables: dict[str, tuple[int, str]]
    # Every stored file at the time of the backup: the demo's papers and STORED.
    media: dict[str, bytes]


@pytest.fixture(scope="module")
def sqlite_instance(tmp_path_factory) -> SqliteInstance:
    """A migrated empty instance, and one with the demo and a stored file, backed up."""
    root = tmp_path_factory.mktemp("backup-sqlite")
    migrated = root / "migrated"
    migrated.mkdir()
    _ok(_manage("migrate", "--noinput", var_dir=migrated))
    source = root / "source"
    shutil.copytree(migrated, source)
    _ok(_manage("load_demo", var_dir=source))
    _store(source)
    archive = root / "tansiq-backup.tar.gz"
    out = _ok(_manage("backup", "--output", str(archive), var_dir=source))
    assert f"Backup written to {archive}" in out
    return SqliteInstance(
        migrated=migrated,
        source=source,
        archive=archive,
        tables=_sqlite_tables(source / "tansiq.sqlite3"),
        media=_stored_files(source),
    )


def test_backup_holds_the_manifest_the_database_and_the_stored_files(sqlite_instance):
    with tarfile.open(sqlite_instance.archive, "r:gz") as archive:
        names = archive.getnames()
        manifest = json.loads(archive.extractfile("manifest.json").read())

    assert names[:2] == ["manifest.json", "database.sqlite3"]
    assert sorted(names[2:]) == sorted(f"media/{n}" for n in sqlite_instance.media)
    # The demo's papers are stored files too.
    assert set(STORED) < set(sqlite_instance.media)
    assert manifest["format_version"] == 1
    assert manifest["database"]["vendor"] == "sqlite"
    assert manifest["portal_version"] == "0.1.0"
    latest = max(
        path.stem for path in Path("meetings/migrations").glob("[0-9][0-9][0-9][0-9]_*.py")
    )
    assert manifest["migrations"]["meetings"] == latest
    assert manifest["row_counts"]["auth.user"] == 7
    tables = _labels_to_tables()
    assert manifest["row_counts"] == {
        label: sqlite_instance.tables[tables[label]][0] for label in manifest["row_counts"]
    }
    assert manifest["media"] == {
        "files": len(sqlite_instance.media),
        "bytes": sum(len(content) for content in sqlite_instance.media.values()),
    }
    # It holds password hashes and people's details: only its owner may read it.
    assert sqlite_instance.archive.stat().st_mode & 0o777 == 0o600


def _labels_to_tables() -> dict[str, str]:
    from django.apps import apps

    return {
        model._meta.label_lower: model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
    }


def test_sqlite_round_trip_restores_every_row_and_file_and_the_portal_serves(
    sqlite_instance, tmp_path
):
    target = tmp_path / "new-instance"

    out = _ok(_manage("restore", str(sqlite_instance.archive), "--yes", var_dir=target))

    assert "every table's row count matches the manifest" in out
    assert _sqlite_tables(target / "tansiq.sqlite3") == sqlite_instance.tables
    assert _stored_files(target) == sqlite_instance.media
    _ok(_manage("check", "--database", "default", var_dir=target))
    assert "SERVES 200 200 200 200" in _ok(_manage("shell", "-c", SERVES, var_dir=target))


def test_sqlite_restore_into_a_migrated_empty_instance_restores_every_row(
    sqlite_instance, tmp_path
):
    target = tmp_path / "migrated"
    shutil.copytree(sqlite_instance.migrated, target)

    _ok(_manage("restore", str(sqlite_instance.archive), "--yes", var_dir=target))

    assert _sqlite_tables(target / "tansiq.sqlite3") == sqlite_instance.tables


def test_restore_into_an_instance_with_rows_is_refused_and_changes_nothing(sqlite_instance):
    before = _sqlite_tables(sqlite_instance.source / "tansiq.sqlite3")

    result = _manage(
        "restore", str(sqlite_instance.archive), "--yes", var_dir=sqlite_instance.source
    )

    _refused(result, "This instance is not empty")
    assert "restore only goes into an empty instance, so nothing was changed" in result.stderr
    assert _sqlite_tables(sqlite_instance.source / "tansiq.sqlite3") == before
    assert _stored_files(sqlite_instance.source) == sqlite_instance.media


def test_restore_into_an_instance_with_stored_files_is_refused(sqlite_instance, tmp_path):
    target = tmp_path / "files-only"
    _store(target)

    result = _manage("restore", str(sqlite_instance.archive), "--yes", var_dir=target)

    _refused(result, "This instance already holds 1 stored files")
    assert _stored_files(target) == STORED
    assert _sqlite_tables(target / "tansiq.sqlite3") == {}


def test_restore_asks_first_and_restores_nothing_unless_told_yes(sqlite_instance, tmp_path):
    target = tmp_path / "asked"

    result = _manage("restore", str(sqlite_instance.archive), var_dir=target, stdin="no\n")

    assert result.returncode == 1
    assert "Not confirmed, so nothing was restored." in result.stderr
    assert _sqlite_tables(target / "tansiq.sqlite3") == {}
    assert _stored_files(target) == {}


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (lambda data: data[: len(data) // 2], "or it is damaged: it cannot be read"),
        (lambda data: b"not an archive at all\n" * 40, "or it is damaged: it cannot be read"),
        (lambda data: b"", "or it is damaged: it cannot be read"),
    ],
    ids=["truncated", "not-an-archive", "empty"],
)
def test_restore_refuses_a_damaged_archive_and_touches_nothing(
    sqlite_instance, tmp_path, damage, words
):
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(damage(sqlite_instance.archive.read_bytes()))
    target = tmp_path / "new-instance"

    result = _manage("restore", str(damaged), "--yes", var_dir=target)

    _refused(result, words)
    assert not (target / "tansiq.sqlite3").exists()


def test_restore_refuses_a_missing_file(tmp_path):
    result = _manage("restore", str(tmp_path / "nowhere.tar.gz"), "--yes", var_dir=tmp_path)

    _refused(result, f"There is no backup file at {tmp_path / 'nowhere.tar.gz'}.")


def test_restore_refuses_an_archive_of_something_else(tmp_path):
    other = tmp_path / "photos.tar.gz"
    with tarfile.open(other, "w:gz") as archive:
        archive.addfile(tarfile.TarInfo("holiday.jpg"), io.BytesIO(b""))

    result = _manage("restore", str(other), "--yes", var_dir=tmp_path / "new")

    _refused(result, "is not a Tansiq backup: it does not start with manifest.json")


def test_restore_refuses_a_database_that_does_not_match_its_manifest(sqlite_instance, tmp_path):
    def tamper(manifest):
        manifest["database"]["sha256"] = "0" * 64

    tampered = _rewritten(sqlite_instance.archive, tmp_path / "tampered.tar.gz", tamper)

    result = _manage("restore", str(tampered), "--yes", var_dir=tmp_path / "new")

    _refused(result, "is damaged: its database does not match its manifest")


def test_restore_refuses_a_postgresql_backup_into_sqlite(sqlite_instance, tmp_path):
    def claim_postgresql(manifest):
        manifest["database"]["vendor"] = "postgresql"
        manifest["database"]["file"] = "database.dump"

    with tarfile.open(sqlite_instance.archive, "r:gz") as source:
        dump = source.extractfile("database.sqlite3").read()
        manifest = json.loads(source.extractfile("manifest.json").read())
    claim_postgresql(manifest)
    manifest["database"]["sha256"] = hashlib.sha256(dump).hexdigest()
    foreign = tmp_path / "postgresql.tar.gz"
    with tarfile.open(foreign, "w:gz") as archive:
        for name, content in (
            ("manifest.json", json.dumps(manifest).encode()),
            ("database.dump", dump),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    target = tmp_path / "new"

    result = _manage("restore", str(foreign), "--yes", var_dir=target)

    _refused(result, "holds a PostgreSQL database, but this instance is configured for SQLite")
    assert _sqlite_tables(target / "tansiq.sqlite3") == {}


def test_restore_refuses_a_backup_made_by_a_newer_version(sqlite_instance, tmp_path):
    def from_the_future(manifest):
        manifest["migrations"]["meetings"] = "9999_not_written_yet"
        manifest["portal_version"] = "9.0.0"

    future = _rewritten(sqlite_instance.archive, tmp_path / "future.tar.gz", from_the_future)

    result = _manage("restore", str(future), "--yes", var_dir=tmp_path / "new")

    _refused(result, "The backup was made by a newer Tansiq (9.0.0)")
    assert "meetings.9999_not_written_yet" in result.stderr


def test_restore_refuses_a_format_it_cannot_read(sqlite_instance, tmp_path):
    def next_format(manifest):
        manifest["format_version"] = 2

    newer = _rewritten(sqlite_instance.archive, tmp_path / "format-2.tar.gz", next_format)

    result = _manage("restore", str(newer), "--yes", var_dir=tmp_path / "new")

    _refused(result, "is not a Tansiq backup this version can read: it has format 2")


def test_backup_never_overwrites_a_file(sqlite_instance):
    before = sqlite_instance.archive.read_bytes()

    result = _manage(
        "backup", "--output", str(sqlite_instance.archive), var_dir=sqlite_instance.source
    )

    _refused(result, "already exists; a backup never overwrites a file")
    assert sqlite_instance.archive.read_bytes() == before


def test_backup_writes_into_var_dir_backups_by_default(sqlite_instance, tmp_path):
    instance = tmp_path / "instance"
    shutil.copytree(sqlite_instance.source, instance)

    _ok(_manage("backup", var_dir=instance))

    (written,) = (instance / "backups").iterdir()
    assert written.name.startswith("tansiq-backup-")
    assert written.name.endswith(".tar.gz")


# --- PostgreSQL ---------------------------------------------------------------------


@dataclass
class PostgresServer:
    host: str
    port: int
    user: str
    password: str
    created: list[str]

    def admin(self, statement: sql.Composable | None = None) -> None:
        """Run one statement outside any transaction (CREATE and DROP DATABASE need that)."""
        connection = psycopg2.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname="postgres",
            connect_timeout=5,
        )
        connection.autocommit = True
        try:
            if statement is not None:
                with connection.cursor() as cursor:
                    cursor.execute(statement)
        finally:
            connection.close()

    def url(self, name: str) -> str:
        secret = f":{quote(self.password, safe='')}" if self.password else ""
        return f"postgres://{quote(self.user, safe='')}{secret}@{self.host}:{self.port}/{name}"

    def create(self, name: str, *, template: str | None = None) -> str:
        self.created.append(name)
        if template:
            self.admin(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )
        else:
            self.admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return name

    def drop(self, name: str) -> None:
        self.admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def tables(self, name: str) -> dict[str, tuple[int, str]]:
        """Every table's row count and a digest of all its rows."""
        connection = psycopg2.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname=name,
        )
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
                )
                names = [row[0] for row in cursor.fetchall()]
                tables = {}
                for table in names:
                    cursor.execute(
                        sql.SQL(
                            "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' "
                            "ORDER BY t::text), '')) FROM {} t"
                        ).format(sql.Identifier(table))
                    )
                    tables[table] = cursor.fetchone()
                return tables
        finally:
            connection.close()


@pytest.fixture(scope="module")
def postgres_server():
    """The PostgreSQL the suite runs on, or the local one; skipped (so failed in CI) when
    there is none or its client tools are missing."""
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):
        server = PostgresServer(
            host=database.get("HOST") or "127.0.0.1",
            port=int(database.get("PORT") or 5432),
            user=database.get("USER") or "postgres",
            password=database.get("PASSWORD") or "",
            created=[],
        )
    else:
        server = PostgresServer("127.0.0.1", 5432, "postgres", "", created=[])
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (Debian: postgresql-client)")
    try:
        server.admin()
    except psycopg2.OperationalError as error:
        pytest.skip(f"no PostgreSQL on {server.host}:{server.port} ({error})")
    yield server
    for name in reversed(server.created):
        server.drop(name)


@dataclass
class PostgresInstance:
    migrated: str
    source: str
    source_dir: Path
    archive: Path
    tables: dict[str, tuple[int, str]]
    media: dict[str, bytes]


@pytest.fixture(scope="module")
def postgres_instance(postgres_server, tmp_path_factory) -> PostgresInstance:
    """A migrated empty database (a template), and one with the demo and a stored file,
    backed up."""
    prefix = f"tansiq_backup_test_{secrets.token_hex(4)}"
    root = tmp_path_factory.mktemp("backup-postgresql")
    migrated = postgres_server.create(f"{prefix}_migrated")
    _ok(
        _manage(
            "migrate",
            "--noinput",
            var_dir=root / "migrated",
            database_url=postgres_server.url(migrated),
        )
    )
    source = postgres_server.create(f"{prefix}_source", template=migrated)
    source_dir = root / "source"
    _ok(_manage("load_demo", var_dir=source_dir, database_url=postgres_server.url(source)))
    _store(source_dir)
    archive = root / "tansiq-backup.tar.gz"
    _ok(
        _manage(
            "backup",
            "--output",
            str(archive),
            var_dir=source_dir,
            database_url=postgres_server.url(source),
        )
    )
    return PostgresInstance(
        migrated=migrated,
        source=source,
        source_dir=source_dir,
        archive=archive,
        tables=postgres_server.tables(source),
        media=_stored_files(source_dir),
    )


def test_postgresql_round_trip_restores_every_row_and_file_and_the_portal_serves(
    postgres_server, postgres_instance, tmp_path
):
    # Given: the source backed up, wiped, and created again empty.
    postgres_server.drop(postgres_instance.source)
    target = postgres_server.create(postgres_instance.source)
    url = postgres_server.url(target)
    var_dir = tmp_path / "new-instance"

    out = _ok(
        _manage(
            "restore", str(postgres_instance.archive), "--yes", var_dir=var_dir, database_url=url
        )
    )

    assert "every table's row count matches the manifest" in out
    assert postgres_server.tables(target) == postgres_instance.tables
    assert _stored_files(var_dir) == postgres_instance.media
    _ok(_manage("check", "--database", "default", var_dir=var_dir, database_url=url))
    served = _ok(_manage("shell", "-c", SERVES, var_dir=var_dir, database_url=url))
    assert "SERVES 200 200 200 200" in served


def test_postgresql_restore_into_a_migrated_empty_database_restores_every_row(
    postgres_server, postgres_instance, tmp_path
):
    # docker compose's one-shot `migrate` service migrates (and sets up the roles of) a
    # new database before anyone can restore into it.
    target = postgres_server.create(
        f"{postgres_instance.migrated}_target", template=postgres_instance.migrated
    )
    url = postgres_server.url(target)
    _ok(_manage("setup_roles", var_dir=tmp_path, database_url=url))

    _ok(
        _manage(
            "restore",
            str(postgres_instance.archive),
            "--yes",
            var_dir=tmp_path / "new",
            database_url=url,
        )
    )

    assert postgres_server.tables(target) == postgres_instance.tables


def test_postgresql_restore_into_a_database_with_rows_is_refused_and_changes_nothing(
    postgres_server, postgres_instance, tmp_path
):
    target = postgres_server.create(
        f"{postgres_instance.migrated}_full", template=postgres_instance.source
    )
    before = postgres_server.tables(target)

    result = _manage(
        "restore",
        str(postgres_instance.archive),
        "--yes",
        var_dir=tmp_path,
        database_url=postgres_server.url(target),
    )

    _refused(result, "This instance is not empty")
    assert "drop and create the database again (dropdb, createdb)" in result.stderr
    assert postgres_server.tables(target) == before


def test_restore_refuses_a_sqlite_backup_into_postgresql(
    postgres_server, postgres_instance, sqlite_instance, tmp_path
):
    target = postgres_server.create(f"{postgres_instance.migrated}_vendor")

    result = _manage(
        "restore",
        str(sqlite_instance.archive),
        "--yes",
        var_dir=tmp_path,
        database_url=postgres_server.url(target),
    )

    _refused(result, "holds a SQLite database, but this instance is configured for PostgreSQL")
    assert postgres_server.tables(target) == {}


def test_restore_into_a_database_that_does_not_exist_is_refused(
    postgres_server, postgres_instance, tmp_path
):
    url = postgres_server.url(f"{postgres_instance.migrated}_absent")

    result = _manage(
        "restore", str(postgres_instance.archive), "--yes", var_dir=tmp_path, database_url=url
    )

    _refused(result, "The database could not be used")
    assert "check DATABASE_URL and that the database exists" in result.stderr
