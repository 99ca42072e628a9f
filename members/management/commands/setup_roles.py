"""Create or refresh the Secretariat role with every permission on the portal's models."""

from django.core.management.base import BaseCommand

from members.services import secretariat_role_ensure


class Command(BaseCommand):
    help = "Create the Secretariat group and give it every permission on the portal's models."

    def handle(self, *args, **options):
        group = secretariat_role_ensure()
        self.stdout.write(f"{group.name}: {group.permissions.count()} permissions.")
