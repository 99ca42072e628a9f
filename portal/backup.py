"""Back up a whole instance into one archive, and restore one into an empty instance.

An archive is a .tar.gz holding, in this order: `manifest.json` (what the backup holds,
for checking it), the database (`database.dump`, pg_dump's custom format, or
`database.sqlite3`, a copy made with SQLite's backup API) and the stored files under
`media/`. It knows no app: the tables come from the app registry, the files from the
default storage, so a new model or a new kind of document is backed up without a change
here.

Restore goes only into an empty instance (a database with no rows beyond what `migrate`
and `setup_roles` write by themselves, and no stored files): merging a backup into live
data would silently mix two histories, so it is refused.
"""

import datetime as dt
import hashlib
import importlib.metadata
import io
import json
import os
import posixpath
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = "tansiq-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
# Rows that `migrate` and `setup_roles` (docker-compose's one-shot `migrate` service runs
# both) write into a new database by themselves: a database holding only these is empty.
SETUP_MODELS = {
    "contenttypes.contenttype",
    "auth.permission",
    "auth.group",
    "auth.group_permissions",
}
# libpq reads these from the environment, so TLS settings in DATABASE_URL reach the tools.
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
}


class BackupError(Exception):
    """A sentence for the operator. returncode 2: refused before anything changed;
    1: something failed on the way."""

    def __init__(self, message: str, *, returncode: int = 2):
        super().__init__(message)
        self.returncode = returncode


@dataclass
class BackupSummary:
    path: Path
    vendor: str
    tables: int
    rows: int
    files: int
    size: int


@dataclass
class RestoreSummary:
    manifest: dict[str, Any]
    tables: int
    rows: int
    files: int
    pending_migrations: list[str] = field(default_factory=list)


def backup_default_name(now: dt.datetime) -> str:
    return f"tansiq-backup-{now.astimezone(dt.UTC):%Y%m%d-%H%M%S}.tar.gz"


# --- Backing up ---------------------------------------------------------------------


def backup_write(*, output: Path) -> BackupSummary:
    """Write the database, the stored files and the manifest to `output` (a new file)."""
    connection = connections[DEFAULT_DB_ALIAS]
    vendor = _supported_vendor(connection)
    if output.exists():
        raise BackupError(
            f"{output} already exists; a backup never overwrites a file, so name another "
            f"one with --output."
        )
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"Cannot create the folder {output.parent}: {error.strerror}.") from None

    with tempfile.TemporaryDirectory(prefix="tansiq-backup-") as scratch:
        database_file = Path(scratch) / DATABASE_FILES[vendor]
        if vendor == "postgresql":
            counts, migrations = _postgres_dump(connection, database_file)
        else:
            counts, migrations = _sqlite_copy(connection, database_file)
        stored = [(name, default_storage.size(name)) for name in _stored_files(default_storage)]
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": timezone.now().astimezone(dt.UTC).isoformat(),
            "portal_version": _portal_version(),
            "database": {
                "vendor": vendor,
                "file": database_file.name,
                "sha256": _sha256(database_file),
            },
            "migrations": migrations,
            "row_counts": counts,
            "media": {"files": len(stored), "bytes": sum(size for _, size in stored)},
        }
        # Written under another name and renamed when complete, so an interrupted backup
        # never leaves a file that looks like a good one; owner-only, because it holds
        # password hashes and people's details.
        partial = output.with_name(output.name + ".partial")
        try:
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
                tar.add(database_file, arcname=database_file.name)
                for name, size in stored:
                    info = tarfile.TarInfo(f"{MEDIA}/{name}")
                    info.size = size
                    info.mtime = int(timezone.now().timestamp())
                    with default_storage.open(name, "rb") as content:
                        tar.addfile(info, content)
            os.replace(partial, output)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise BackupError(f"Cannot write {output}: {error}.", returncode=1) from None
    return BackupSummary(
        path=output,
        vendor=vendor,
        tables=len(counts),
        rows=sum(counts.values()),
        files=len(stored),
        size=output.stat().st_size,
    )


def _postgres_dump(
    connection: BaseDatabaseWrapper, target: Path
) -> tuple[dict[str, int], dict[str, str]]:
    pg_dump = _client_tool("pg_dump")
    arguments, environment = _libpq(connection)
    # pg_dump reads the snapshot this transaction exports, so the row counts and
    # migration state in the manifest describe exactly the rows in the dump, whatever
    # is written meanwhile.
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        _run(
            [
                pg_dump,
                "--format=custom",
                f"--file={target}",
                f"--snapshot={snapshot}",
                *arguments,
                f"--dbname={connection.settings_dict['NAME']}",
            ],
            environment,
            what="pg_dump",
        )
        tables = set(connection.introspection.table_names(cursor))
        return _inventory(cursor, tables)


def _sqlite_copy(
    connection: BaseDatabaseWrapper, target: Path
) -> tuple[dict[str, int], dict[str, str]]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        # The backup API copies a consistent state even while other processes write;
        # copying the file could catch it half-written, or miss what sits in the WAL.
        connection.connection.backup(copy)
        cursor = copy.cursor()
        tables = {row[0] for row in cursor.execute("SELECT name FROM sqlite_master")}
        return _inventory(cursor, tables)
    finally:
        copy.close()


def _inventory(cursor: Any, tables: set[str]) -> tuple[dict[str, int], dict[str, str]]:
    """Rows per model, and the latest applied migration per app, as the cursor sees them."""
    counts = {}
    for label, table in _model_tables().items():
        if table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - model tables
            counts[label] = cursor.fetchone()[0]
    migrations: dict[str, str] = {}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations")
        for app, name in cursor.fetchall():
            migrations[app] = max(migrations.get(app, ""), name)
    return counts, dict(sorted(migrations.items()))


def _model_tables() -> dict[str, str]:
    return {
        model._meta.label_lower: model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


# --- Restoring ----------------------------------------------------------------------


def backup_restore(*, path: Path, confirm: Callable[[dict[str, Any]], bool]) -> RestoreSummary:
    """Restore the archive at `path` into this (empty) instance.

    Everything that can refuse is checked before anything changes: the archive whole and
    readable, the database vendor, the migrations known to this code, the instance empty.
    Then `confirm` sees the manifest and may still say no.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    vendor = _supported_vendor(connection)
    with _opened(path) as (manifest, scratch):
        backup_vendor = manifest["database"]["vendor"]
        if backup_vendor != vendor:
            raise BackupError(
                f"{path} holds a {VENDOR_NAMES.get(backup_vendor, backup_vendor)} database, "
                f"but this instance is configured for {VENDOR_NAMES[vendor]} (DATABASE_URL); "
                f"restore it into a {VENDOR_NAMES.get(backup_vendor, backup_vendor)} instance."
            )
        _refuse_unknown_migrations(manifest)
        _refuse_unless_empty(connection)
        if not confirm(manifest):
            raise BackupError("Not confirmed, so nothing was restored.", returncode=1)

        database_file = scratch / manifest["database"]["file"]
        if vendor == "postgresql":
            _postgres_restore(connection, database_file)
        else:
            _sqlite_restore(connection, database_file)
        files = _media_restore(scratch / MEDIA)

    connection.close()
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        counts, _ = _inventory(cursor, tables)
    expected = manifest["row_counts"]
    differ = sorted(
        f"{label} {counts.get(label, 0)} instead of {rows}"
        for label, rows in expected.items()
        if counts.get(label, 0) != rows
    )
    if differ:
        raise BackupError(
            f"The restored database does not match the backup's manifest: {'; '.join(differ)}.",
            returncode=1,
        )
    executor = MigrationExecutor(connection)
    pending = [
        f"{migration.app_label}.{migration.name}"
        for migration, _ in executor.migration_plan(executor.loader.graph.leaf_nodes())
    ]
    return RestoreSummary(
        manifest=manifest,
        tables=len(expected),
        rows=sum(expected.values()),
        files=files,
        pending_migrations=pending,
    )


@contextmanager
def _opened(path: Path) -> Iterator[tuple[dict[str, Any], Path]]:
    """The manifest, and a scratch folder holding the archive's database and files.

    The whole archive is read here, before the instance is touched, so a truncated or
    damaged file is refused instead of half restored. Members are written one by one to
    checked names inside the scratch folder; nothing in an archive can write elsewhere.
    """
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    not_a_backup = f"{path} is not a Tansiq backup"
    with tempfile.TemporaryDirectory(prefix="tansiq-restore-") as folder:
        scratch = Path(folder)
        try:
            with tarfile.open(path, mode="r:gz") as tar:
                manifest = _read_manifest(tar, not_a_backup)
                database_name = manifest["database"]["file"]
                for member in tar:
                    if member.name == MANIFEST:
                        continue
                    target = _member_target(member, database_name, scratch)
                    if target is None:
                        raise BackupError(f"{not_a_backup}: it holds {member.name!r}.")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    source = tar.extractfile(member)
                    assert source is not None  # noqa: S101 - _member_target admits files only
                    with source, open(target, "wb") as copy:
                        shutil.copyfileobj(source, copy)
        except (tarfile.TarError, EOFError, zlib.error) as error:
            raise BackupError(
                f"{not_a_backup}, or it is damaged: it cannot be read as a .tar.gz "
                f"archive ({error})."
            ) from None
        except OSError as error:
            raise BackupError(f"{not_a_backup}, or it is damaged ({error}).") from None
        database_file = scratch / database_name
        if not database_file.is_file():
            raise BackupError(f"{not_a_backup}: it holds no database.")
        if _sha256(database_file) != manifest["database"]["sha256"]:
            raise BackupError(f"{path} is damaged: its database does not match its manifest.")
        yield manifest, scratch


def _read_manifest(tar: tarfile.TarFile, not_a_backup: str) -> dict[str, Any]:
    first = tar.next()
    if first is None or first.name != MANIFEST or not first.isfile():
        raise BackupError(f"{not_a_backup}: it does not start with {MANIFEST}.")
    source = tar.extractfile(first)
    assert source is not None  # noqa: S101 - checked isfile() above
    try:
        manifest = json.loads(source.read())
    except ValueError:
        raise BackupError(f"{not_a_backup}: its {MANIFEST} is not JSON.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{not_a_backup}: its {MANIFEST} is not a Tansiq manifest.")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(
            f"{not_a_backup} this version can read: it has format {version!r}, made by Tansiq "
            f"{manifest.get('portal_version')}; restore it with that version or newer."
        )
    try:
        database = manifest["database"]
        valid = (
            database["file"] == DATABASE_FILES.get(database["vendor"])
            and isinstance(database["sha256"], str)
            and isinstance(manifest["migrations"], dict)
            and all(isinstance(rows, int) for rows in manifest["row_counts"].values())
        )
    except (KeyError, TypeError, AttributeError):
        valid = False
    if not valid:
        raise BackupError(f"{not_a_backup}: its {MANIFEST} is incomplete.")
    return manifest


def _member_target(member: tarfile.TarInfo, database_name: str, scratch: Path) -> Path | None:
    if not member.isfile():
        return None
    if member.name == database_name:
        return scratch / database_name
    prefix, _, name = member.name.partition("/")
    normal = posixpath.normpath(name) if name else ""
    if prefix != MEDIA or not name or normal != name or normal.startswith(("/", "..")):
        return None
    return scratch / MEDIA / normal


def _refuse_unknown_migrations(manifest: dict[str, Any]) -> None:
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    unknown = sorted(
        f"{app}.{name}" for app, name in manifest["migrations"].items() if (app, name) not in known
    )
    if unknown:
        raise BackupError(
            f"The backup was made by a newer Tansiq ({manifest.get('portal_version')}): its "
            f"database has migrations this code does not know ({', '.join(unknown)}). "
            f"Restore it with that version, then upgrade."
        )


def _refuse_unless_empty(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "sqlite":
        # A new instance has no VAR_DIR yet; SQLite creates the file, not its folder.
        Path(connection.settings_dict["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        counts, _ = _inventory(cursor, tables)
    held = sorted(
        (rows, label) for label, rows in counts.items() if rows and label not in SETUP_MODELS
    )
    if held:
        rows, label = held[-1]
        emptying = (
            "drop and create the database again (dropdb, createdb)"
            if connection.vendor == "postgresql"
            else f"move {connection.settings_dict['NAME']} away"
        )
        raise BackupError(
            f"This instance is not empty ({sum(r for r, _ in held)} rows in {len(held)} "
            f"tables, e.g. {rows} in {label}); restore only goes into an empty instance, "
            f"so nothing was changed. To replace this instance, back it up first, then "
            f"{emptying} and run restore again."
        )
    stored = _stored_files(default_storage)
    if stored:
        raise BackupError(
            f"This instance already holds {len(stored)} stored files (e.g. {stored[0]}) "
            f"under the media storage; restore only goes into an empty instance, so nothing "
            f"was changed. Move the media folder away and run restore again."
        )


def _postgres_restore(connection: BaseDatabaseWrapper, dump: Path) -> None:
    pg_restore = _client_tool("pg_restore")
    arguments, environment = _libpq(connection)
    # Our own session would hold locks the restore's DROPs wait for.
    connection.close()
    # One transaction: a failure leaves the database as it was. --clean --if-exists drops
    # the tables `migrate` may have made (checked empty above) before creating them as
    # they were in the backup, so a database that was migrated already works as well as
    # a new one. Ownership and grants are the new server's, not the old one's.
    _run(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--clean",
            "--if-exists",
            *arguments,
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        environment,
        what="pg_restore",
        failed="nothing was restored (it runs in one transaction)",
    )


def _sqlite_restore(connection: BaseDatabaseWrapper, copy: Path) -> None:
    connection.close()
    connection.ensure_connection()
    source = sqlite3.connect(copy)
    try:
        # Page by page into the open database, under its lock: no process holding the file
        # open ever sees half a database, as it could if the file were swapped underneath.
        source.backup(connection.connection)
    except sqlite3.Error as error:
        raise BackupError(
            f"SQLite could not restore the database ({error}); nothing was restored.",
            returncode=1,
        ) from None
    finally:
        source.close()
        connection.close()


def _media_restore(folder: Path) -> int:
    files = 0
    if not folder.is_dir():
        return files
    for source in sorted(item for item in folder.rglob("*") if item.is_file()):
        name = source.relative_to(folder).as_posix()
        with open(source, "rb") as content:
            saved = default_storage.save(name, File(content))
        if saved != name:
            raise BackupError(
                f"The stored file {name} was saved as {saved}; the database was restored, "
                f"the stored files only in part.",
                returncode=1,
            )
        files += 1
    return files


# --- Shared -------------------------------------------------------------------------


def _supported_vendor(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor not in DATABASE_FILES:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
    return connection.vendor


def _stored_files(storage: Storage) -> list[str]:
    names: list[str] = []
    folders = [""]
    while folders:
        folder = folders.pop()
        try:
            subfolders, files = storage.listdir(folder)
        except FileNotFoundError:
            # No media folder yet: nothing has been stored.
            continue
        names += [posixpath.join(folder, name) for name in files]
        folders += [posixpath.join(folder, name) for name in subfolders]
    return sorted(names)


def _libpq(connection: BaseDatabaseWrapper) -> tuple[list[str], dict[str, str]]:
    database = connection.settings_dict
    arguments = ["--no-password"]
    if database.get("HOST"):
        arguments.append(f"--host={database['HOST']}")
    if database.get("PORT"):
        arguments.append(f"--port={database['PORT']}")
    if database.get("USER"):
        arguments.append(f"--username={database['USER']}")
    environment = dict(os.environ)
    # In the environment, not on the command line, where every user of the machine could
    # read it in the process list.
    if database.get("PASSWORD"):
        environment["PGPASSWORD"] = str(database["PASSWORD"])
    for option, variable in LIBPQ_OPTIONS.items():
        if option in database.get("OPTIONS", {}):
            environment[variable] = str(database["OPTIONS"][option])
    return arguments, environment


def _client_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(
            f"{name} is not installed; install the PostgreSQL client tools of the server's "
            f"major version or newer (Debian: apt-get install postgresql-client)."
        )
    return tool


def _run(
    command: list[str],
    environment: dict[str, str],
    *,
    what: str,
    failed: str = "no backup was written",
) -> None:
    result = subprocess.run(  # noqa: S603 - our own arguments, no shell
        command, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = " ".join(result.stderr.strip().splitlines()[-3:]) or f"exit {result.returncode}"
        raise BackupError(f"{what} failed, so {failed}: {detail}", returncode=1)


def _add_bytes(tar: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(content))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as content:
        for block in iter(lambda: content.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _portal_version() -> str:
    try:
        return importlib.metadata.version("tansiq")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
