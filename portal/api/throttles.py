"""Throttles: the token endpoint is limited per client address, failed logins included.

The client's address is REMOTE_ADDR, or behind the TLS proxy (BEHIND_TLS_PROXY) the
address that proxy added to X-Forwarded-For: REST_FRAMEWORK["NUM_PROXIES"]. Addresses a
client writes into that header itself are never used, or rotating them would reset the
count."""

from rest_framework.throttling import AnonRateThrottle, BaseThrottle


class LoginRateThrottle(AnonRateThrottle):
    scope = "login"


def client_address(request) -> str:
    """The client's address as the throttles count it, for the logs: a logged failed
    sign-in names the address that was throttled."""
    return BaseThrottle().get_ident(request) or "?"
