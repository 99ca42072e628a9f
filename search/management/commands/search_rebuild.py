"""Make the search index anew from the records: after a restore, after writes that went
around the services, or when the index is in doubt. Safe to run at any time."""

from django.core.management.base import BaseCommand, CommandError

from search.models import SearchKind
from search.services import index_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the records, in batches: every kind, or the kinds "
        "named (e.g. search_rebuild document person)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "kinds",
            nargs="*",
            metavar="KIND",
            help=f"kinds to rebuild, among: {', '.join(SearchKind.values)} (default: all)",
        )

    def handle(self, *args, **options):
        kinds = options["kinds"]
        unknown = [kind for kind in kinds if kind not in SearchKind.values]
        if unknown:
            raise CommandError(
                f"{', '.join(unknown)} is not a kind of search entry; give some of "
                f"{', '.join(SearchKind.values)}, or none for all.",
                returncode=2,
            )
        counts = index_rebuild(kinds=kinds)
        summary = ", ".join(f"{kind} {count:,}" for kind, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt: {summary}."))
