"""Restore an archive written by `backup` into an empty instance (see portal/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

from portal.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup archive into this instance, which must be empty: a new database "
        "(PostgreSQL: migrated or not; SQLite: no file yet) and no stored files."
    )
    # The system checks open the database, and a new SQLite instance has no folder for it
    # yet; restore makes the folder, then opens it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the .tar.gz archive written by backup")
        parser.add_argument(
            "--yes", action="store_true", help="restore without asking for confirmation"
        )

    def handle(self, *args, **options):
        try:
            summary = backup_restore(
                path=options["path"], confirm=lambda manifest: self._confirm(manifest, options)
            )
        except BackupError as error:
            raise CommandError(str(error), returncode=error.returncode) from None
        except OperationalError as error:
            raise CommandError(
                f"The database could not be used ({str(error).strip().splitlines()[0]}); "
                f"check DATABASE_URL and that the database exists.",
                returncode=2,
            ) from None
        manifest = summary.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['created_at']} (Tansiq "
                f"{manifest['portal_version']}): {summary.rows:,} rows in {summary.tables} "
                f"tables, {summary.files} stored files; every table's row count matches "
                f"the manifest."
            )
        )
        if summary.pending_migrations:
            self.stdout.write(
                f"This code has {len(summary.pending_migrations)} migrations the backup "
                f"predates; run `manage.py migrate` before serving."
            )

    def _confirm(self, manifest, options) -> bool:
        if options["yes"]:
            return True
        database = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
        self.stdout.write(
            f"Restore the backup of {manifest['created_at']} "
            f"({manifest['media']['files']} stored files) into the database {database}?"
        )
        try:
            return input("Type yes to restore: ").strip().lower() == "yes"
        except EOFError:
            return False
