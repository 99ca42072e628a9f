from rest_framework.routers import SimpleRouter

from meetings.api.follow_up import ReportBackViewSet
from meetings.api.minutes_cycle import MinutesCommentViewSet
from meetings.api.views import (
    ActionPointViewSet,
    AgendaItemViewSet,
    AttendanceViewSet,
    DecisionViewSet,
    InvitationViewSet,
    MeetingViewSet,
    MinutesViewSet,
    SeriesViewSet,
)

router = SimpleRouter()
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("series", SeriesViewSet, basename="series")
router.register("agenda-items", AgendaItemViewSet, basename="agenda-item")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("attendance", AttendanceViewSet, basename="attendance")
router.register("minutes", MinutesViewSet, basename="minutes")
router.register("minutes-comments", MinutesCommentViewSet, basename="minutes-comment")
router.register("decisions", DecisionViewSet, basename="decision")
router.register("action-points", ActionPointViewSet, basename="action-point")
router.register("report-backs", ReportBackViewSet, basename="report-back")
urlpatterns = router.urls
