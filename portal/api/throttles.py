"""Throttles: the token endpoint is limited per client address, failed logins included."""

from rest_framework.throttling import AnonRateThrottle


class LoginRateThrottle(AnonRateThrottle):
    scope = "login"
