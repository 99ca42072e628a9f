from django.urls import path

from documents import downloads, views

app_name = "documents"

urlpatterns = [
    path("groups/<int:group_id>/documents/", views.group_library_page, name="group-library"),
    path(
        "groups/<int:group_id>/documents/new/",
        views.library_upload_page,
        name="library-upload",
    ),
    path(
        "meetings/<int:meeting_id>/papers/new/",
        views.meeting_upload_page,
        name="meeting-upload",
    ),
    path("documents/<int:document_id>/", views.document_detail_page, name="document-detail"),
    path(
        "documents/<int:document_id>/versions/new/",
        views.document_version_add_page,
        name="document-version-add",
    ),
    path("documents/<int:document_id>/edit/", views.document_edit_page, name="document-edit"),
    path(
        "documents/<int:document_id>/withdraw/",
        views.document_withdraw_page,
        name="document-withdraw",
    ),
    # The downloads (documents-core): every file through a permission check.
    path(
        "documents/versions/<int:version_id>/download/",
        downloads.version_download,
        name="version_download",
    ),
    path(
        "meetings/<int:meeting_id>/papers.zip",
        downloads.meeting_papers_zip,
        name="meeting_papers_zip",
    ),
]
