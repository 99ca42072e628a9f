"""The admin of the members app: the affiliation history, read-only.

Organisations and people are registered in groups/admin.py: linking a login,
deactivating someone or an organisation ends seats and recomputes access, which are
the groups app's services.
"""

from django.contrib import admin

from members.models import Affiliation


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    list_display = ["person", "organisation", "position", "start_on", "end_on"]
    list_filter = ["organisation__kind"]
    search_fields = ["person__full_name", "organisation__name"]
    list_select_related = ["person", "organisation"]
    date_hierarchy = "start_on"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
