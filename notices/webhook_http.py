"""The one way the portal calls a webhook receiver.

The receiver's host is resolved at every send and each address checked: a name that
pointed to a public address when the endpoint was registered may point to the portal's
own network now. The connection then goes to the address that was checked (pinned),
never to a second lookup, and redirects are never followed: a receiver that answers
302 to 127.0.0.1 would otherwise turn the portal into a scanner of its own network,
reporting what it found in the agency's delivery log.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from urllib.parse import urlsplit

from django.conf import settings


class UnsafeAddress(ValueError):
    """The host does not resolve, or resolves to an address the portal must not call."""


class Unresolvable(UnsafeAddress):
    pass


class NotPublic(UnsafeAddress):
    pass


class TooLate(Exception):
    """Connected after the moment the request had to be sent by: nothing was sent."""


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def checked_addresses(host: str, port: int) -> list[str]:
    """The host's addresses, all public unless WEBHOOK_ALLOW_INSECURE (development)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise Unresolvable(f"The host {host} cannot be resolved.") from error
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise Unresolvable(f"The host {host} cannot be resolved.")
    if not settings.WEBHOOK_ALLOW_INSECURE:
        refused = [address for address in addresses if not _is_public(address)]
        if refused:
            raise NotPublic(f"The host {host} resolves to a non-public address ({refused[0]}).")
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.pinned_address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.pinned_address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.pinned_address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.pinned_address, self.port), self.timeout)
        # The certificate is checked against the host name, not the pinned address.
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, send_by: float) -> int:
    """POST `body` to `url`; the HTTP status. Raises UnsafeAddress before connecting
    anywhere it must not, TooLate when connected past `send_by` (as time.time()),
    OSError / http.client.HTTPException when the call fails."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    address = checked_addresses(host, port)[0]
    connection_class = _PinnedHTTPSConnection if secure else _PinnedHTTPConnection
    connection = connection_class(host, port, address=address, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    try:
        # Connecting (a handshake with TLS) may take long; the request is the point
        # after which the receiver may have acted on it.
        connection.connect()
        if time.time() > send_by:
            raise TooLate("Connected too late to send the request in time.")
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(1024)
        return response.status
    finally:
        connection.close()
