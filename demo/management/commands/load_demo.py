"""Load the demo story (demo/story.py) through demo/loader.py. Run it twice and nothing
changes: every row is found by its natural key before it is made."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.loader import demo_load

DEFAULT_DEMO_PASSWORD = "tansiq-demo"  # noqa: S105 - documented demo password, refused in production


class Command(BaseCommand):
    help = "Load the demo story of the seeds (idempotent: a second run changes nothing)."

    def handle(self, *args, **options):
        password = settings.DEMO_PASSWORD
        if not settings.DEBUG and not password:
            raise CommandError(
                "Demo data is refused when DEBUG is off; set DEMO_PASSWORD to load it anyway.",
                returncode=2,
            )
        created = demo_load(password=password or DEFAULT_DEMO_PASSWORD)
        if created:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded ({created} records created)."))
        else:
            self.stdout.write("Demo data already loaded; nothing changed.")
        self.stdout.write(
            "Logins (password: DEMO_PASSWORD, default tansiq-demo): "
            "admin, secretariat, chair, cochair, member, observer, outsider"
        )
