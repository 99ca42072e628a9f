from django.urls import path

from decisions.views import procedures, register

app_name = "decisions"

# The register's pages (decisions/views/register.py).
register_urls = [
    path("decisions/", register.framework_register_page, name="register"),
    path("groups/<int:group_id>/decisions/", register.group_register_page, name="group-register"),
    path("decisions/<int:decision_id>/", register.decision_detail_page, name="decision-detail"),
]

# The written procedure's pages (decisions/views/procedures.py).
procedure_urls = [
    path("procedures/", procedures.procedure_list_page, name="procedure-list"),
    path(
        "groups/<int:group_id>/procedures/",
        procedures.group_procedure_list_page,
        name="group-procedures",
    ),
    path(
        "groups/<int:group_id>/procedures/new/",
        procedures.procedure_create_page,
        name="procedure-create",
    ),
    path(
        "procedures/<int:procedure_id>/", procedures.procedure_detail_page, name="procedure-detail"
    ),
    path(
        "procedures/<int:procedure_id>/edit/", procedures.procedure_edit_page, name="procedure-edit"
    ),
    path(
        "procedures/<int:procedure_id>/circulate/",
        procedures.procedure_circulate_page,
        name="procedure-circulate",
    ),
    path(
        "procedures/<int:procedure_id>/withdraw/",
        procedures.procedure_withdraw_page,
        name="procedure-withdraw",
    ),
    path("procedures/answer/<str:token>/", procedures.procedure_link_page, name="procedure-link"),
]

urlpatterns = register_urls + procedure_urls
