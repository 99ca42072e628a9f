from django.urls import path

from meetings import views

urlpatterns = [
    path("meetings/", views.meeting_list_page, name="meeting-list"),
    path("meetings/new/", views.meeting_create_page, name="meeting-create"),
    path("meetings/<int:meeting_id>/", views.meeting_detail_page, name="meeting-detail"),
    path("series/new/", views.series_create_page, name="series-create"),
    path("series/<int:series_id>/", views.series_detail_page, name="series-detail"),
    path("series/<int:series_id>/edit/", views.series_edit_page, name="series-edit"),
    path(
        "series/<int:series_id>/schedule/",
        views.series_schedule_page,
        name="series-schedule",
    ),
    path(
        "series/<int:series_id>/schedule/preview/",
        views.series_schedule_preview_page,
        name="series-schedule-preview",
    ),
    path("series/<int:series_id>/cancel/", views.series_cancel_page, name="series-cancel"),
    path("meetings/<int:meeting_id>/edit/", views.meeting_edit_page, name="meeting-edit"),
    path(
        "meetings/<int:meeting_id>/schedule/",
        views.meeting_schedule_page,
        name="meeting-schedule",
    ),
    path(
        "meetings/<int:meeting_id>/schedule/preview/",
        views.meeting_schedule_preview_page,
        name="meeting-schedule-preview",
    ),
    path("meetings/<int:meeting_id>/held/", views.meeting_held_page, name="meeting-held"),
    path("meetings/<int:meeting_id>/cancel/", views.meeting_cancel_page, name="meeting-cancel"),
    path(
        "meetings/<int:meeting_id>/agenda/add/",
        views.agenda_item_add_page,
        name="agenda-item-add",
    ),
    path(
        "meetings/<int:meeting_id>/agenda/presenters/",
        views.agenda_presenters_page,
        name="agenda-presenters",
    ),
    path(
        "meetings/<int:meeting_id>/agenda/<int:item_id>/",
        views.agenda_item_page,
        name="agenda-item",
    ),
    path(
        "meetings/<int:meeting_id>/agenda/<int:item_id>/edit/",
        views.agenda_item_edit_page,
        name="agenda-item-edit",
    ),
    path(
        "meetings/<int:meeting_id>/agenda/<int:item_id>/remove/",
        views.agenda_item_remove_page,
        name="agenda-item-remove",
    ),
    path(
        "meetings/<int:meeting_id>/agenda/<int:item_id>/move/",
        views.agenda_item_move_page,
        name="agenda-item-move",
    ),
    path(
        "meetings/<int:meeting_id>/invitations/",
        views.invitations_page,
        name="meeting-invitations",
    ),
    path(
        "meetings/<int:meeting_id>/invitations/people/",
        views.invitation_people_page,
        name="invitation-people",
    ),
    path(
        "meetings/<int:meeting_id>/invitations/group/",
        views.invitations_for_group_page,
        name="meeting-invite-group",
    ),
    path(
        "invitations/<int:invitation_id>/answer/",
        views.invitation_respond_page,
        name="invitation-respond",
    ),
    path(
        "meetings/<int:meeting_id>/attendance/",
        views.attendance_page,
        name="meeting-attendance",
    ),
    path(
        "meetings/<int:meeting_id>/attendance/people/",
        views.attendance_people_page,
        name="attendance-people",
    ),
    path(
        "meetings/<int:meeting_id>/attendance/<int:person_id>/",
        views.attendance_toggle_page,
        name="attendance-toggle",
    ),
    path(
        "meetings/<int:meeting_id>/attendance.csv",
        views.attendance_csv,
        name="meeting-attendance-csv",
    ),
    path(
        "meetings/<int:meeting_id>/attendance/<int:person_id>/details/",
        views.attendance_details_page,
        name="attendance-details",
    ),
    path(
        "meetings/<int:meeting_id>/sign-in-sheet.pdf",
        views.sign_in_sheet_pdf_download,
        name="meeting-sign-in-sheet",
    ),
    path("meetings/<int:meeting_id>/pack.pdf", views.meeting_pack_pdf, name="meeting-pack"),
    path(
        "meetings/<int:meeting_id>/pack/status/",
        views.meeting_pack_status_fragment,
        name="meeting-pack-status",
    ),
    path("meetings/<int:meeting_id>/minutes/", views.minutes_page, name="meeting-minutes"),
    path(
        "meetings/<int:meeting_id>/minutes/approve/",
        views.minutes_approve_page,
        name="minutes-approve",
    ),
    path(
        "meetings/<int:meeting_id>/minutes/publish/",
        views.minutes_publish_page,
        name="minutes-publish",
    ),
    path(
        "meetings/<int:meeting_id>/minutes/circulate/",
        views.minutes_circulate_page,
        name="minutes-circulate",
    ),
    path(
        "meetings/<int:meeting_id>/minutes/comments/",
        views.minutes_comment_add_page,
        name="minutes-comment-add",
    ),
    path(
        "meetings/<int:meeting_id>/minutes/comments/<int:comment_id>/answer/",
        views.minutes_comment_answer_page,
        name="minutes-comment-answer",
    ),
    path(
        "meetings/<int:meeting_id>/minutes/versions/",
        views.minutes_versions_page,
        name="minutes-versions",
    ),
    path(
        "meetings/<int:meeting_id>/decisions/add/",
        views.decision_add_page,
        name="decision-add",
    ),
    path(
        "meetings/<int:meeting_id>/action-points/new/",
        views.action_point_create_page,
        name="action-point-create",
    ),
    path("action-points/", views.action_point_list_page, name="action-point-list"),
    path("action-points/export.csv", views.action_point_csv, name="action-point-csv"),
    path(
        "action-points/<int:action_point_id>/",
        views.action_point_page,
        name="action-point-detail",
    ),
    path(
        "action-points/<int:action_point_id>/done/",
        views.action_point_done_page,
        name="action-point-done",
    ),
    path(
        "meetings/<int:meeting_id>/review/<int:action_point_id>/",
        views.action_point_review_page,
        name="action-point-review",
    ),
    path(
        "meetings/<int:meeting_id>/agenda/<int:item_id>/adopt/",
        views.minutes_adopt_page,
        name="minutes-adopt",
    ),
    path(
        "report-backs/<int:report_back_id>/accept/",
        views.report_back_accept_page,
        name="report-back-accept",
    ),
    path(
        "report-backs/<int:report_back_id>/drop/",
        views.report_back_drop_page,
        name="report-back-drop",
    ),
    path(
        "meetings/confidentiality/<slug:kind>/<int:record_id>/",
        views.confidentiality_page,
        name="confidentiality-edit",
    ),
    path("calendar/", views.meeting_calendar_page, name="meeting-calendar"),
    path(
        "calendar/new-address/",
        views.calendar_token_reset_page,
        name="calendar-token-reset",
    ),
]
