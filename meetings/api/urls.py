from rest_framework.routers import SimpleRouter

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
router.register("decisions", DecisionViewSet, basename="decision")
router.register("action-points", ActionPointViewSet, basename="action-point")
urlpatterns = router.urls
