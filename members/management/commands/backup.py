"""Back up the database and the stored files into one archive (see portal/backup.py).

It lives here, beside setup_roles, because management commands are found only in
installed apps and `portal` is not one; the work itself is in portal/backup.py, which
knows no app, so the command may move as it is.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError
from django.utils import timezone

from portal.backup import BackupError, backup_default_name, backup_write


class Command(BaseCommand):
    help = (
        "Write the database, the stored files and a manifest into one .tar.gz archive "
        "(by default under VAR_DIR/backups/)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="the archive to write, or an existing folder to write it into",
        )

    def handle(self, *args, **options):
        output = options["output"] or Path(settings.VAR_DIR) / "backups"
        if output.is_dir() or options["output"] is None:
            output = output / backup_default_name(timezone.now())
        try:
            summary = backup_write(output=output)
        except BackupError as error:
            raise CommandError(str(error), returncode=error.returncode) from None
        except OperationalError as error:
            raise CommandError(
                f"The database could not be read ({str(error).strip().splitlines()[0]}).",
                returncode=2,
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {summary.path} ({summary.size:,} bytes): "
                f"{summary.vendor} database, {summary.rows:,} rows in {summary.tables} "
                f"tables, {summary.files} stored files."
            )
        )
