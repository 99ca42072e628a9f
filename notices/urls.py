from django.urls import path

from notices import views

urlpatterns = [
    path("notices/<int:pk>/resend/", views.notice_resend_page, name="notice-resend"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
]
