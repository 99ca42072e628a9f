"""Pages of the meetings app, one module per part of a meeting's life.

Every page reads through the access funnels (404 for hidden, 403 for refused) and
writes through meetings.services; a service's ValidationError goes back to the form.
"""

from meetings.views.action_points import (
    action_point_create_page,
    action_point_csv,
    action_point_done_page,
    action_point_list_page,
    action_point_page,
)
from meetings.views.agenda import (
    agenda_item_add_page,
    agenda_item_edit_page,
    agenda_item_move_page,
    agenda_item_page,
    agenda_item_remove_page,
    agenda_presenters_page,
)
from meetings.views.attendance import (
    attendance_csv,
    attendance_details_page,
    attendance_page,
    attendance_people_page,
    attendance_toggle_page,
    sign_in_sheet_pdf_download,
)
from meetings.views.calendars import calendar_token_reset_page, meeting_calendar_page
from meetings.views.dashboard import dashboard
from meetings.views.follow_up import (
    action_point_review_page,
    minutes_adopt_page,
    report_back_accept_page,
    report_back_drop_page,
)
from meetings.views.invitations import (
    invitation_people_page,
    invitation_respond_page,
    invitations_for_group_page,
    invitations_page,
    meeting_schedule_preview_page,
    rsvp,
)
from meetings.views.labels import confidentiality_page
from meetings.views.meeting import (
    meeting_cancel_page,
    meeting_create_page,
    meeting_detail_page,
    meeting_edit_page,
    meeting_held_page,
    meeting_list_page,
    meeting_pack_pdf,
    meeting_pack_status_fragment,
    meeting_schedule_page,
)
from meetings.views.minutes import (
    decision_add_page,
    minutes_approve_page,
    minutes_page,
    minutes_publish_page,
)
from meetings.views.minutes_cycle import (
    minutes_circulate_page,
    minutes_comment_add_page,
    minutes_comment_answer_page,
    minutes_versions_page,
)
from meetings.views.series import (
    series_cancel_page,
    series_create_page,
    series_detail_page,
    series_edit_page,
    series_schedule_page,
    series_schedule_preview_page,
)

__all__ = [
    "action_point_create_page",
    "action_point_csv",
    "action_point_done_page",
    "action_point_list_page",
    "action_point_page",
    "action_point_review_page",
    "agenda_item_add_page",
    "agenda_item_edit_page",
    "agenda_item_move_page",
    "agenda_item_page",
    "agenda_item_remove_page",
    "agenda_presenters_page",
    "attendance_csv",
    "attendance_details_page",
    "attendance_page",
    "attendance_people_page",
    "attendance_toggle_page",
    "calendar_token_reset_page",
    "confidentiality_page",
    "dashboard",
    "decision_add_page",
    "invitation_people_page",
    "invitation_respond_page",
    "invitations_for_group_page",
    "invitations_page",
    "meeting_calendar_page",
    "meeting_cancel_page",
    "meeting_create_page",
    "meeting_detail_page",
    "meeting_edit_page",
    "meeting_held_page",
    "meeting_list_page",
    "meeting_pack_pdf",
    "meeting_pack_status_fragment",
    "meeting_schedule_page",
    "meeting_schedule_preview_page",
    "minutes_adopt_page",
    "minutes_approve_page",
    "minutes_circulate_page",
    "minutes_comment_add_page",
    "minutes_comment_answer_page",
    "minutes_page",
    "minutes_publish_page",
    "minutes_versions_page",
    "report_back_accept_page",
    "report_back_drop_page",
    "rsvp",
    "series_cancel_page",
    "series_create_page",
    "series_detail_page",
    "series_edit_page",
    "series_schedule_page",
    "series_schedule_preview_page",
    "sign_in_sheet_pdf_download",
]
