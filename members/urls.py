from django.urls import path

from members import views

urlpatterns = [
    path("directory/", views.organisation_list_page, name="organisation-list"),
    path(
        "directory/organisations/<int:organisation_id>/",
        views.organisation_detail_page,
        name="organisation-detail",
    ),
    path("directory/people/", views.person_list_page, name="person-list"),
]
