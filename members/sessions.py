"""Django's database sessions, each request's session read by SQL compiled once
(portal.compiled): the ORM's lookup cost every request more than running it."""

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import router
from django.utils import timezone

from portal.compiled import CompiledOnce

_SESSION = CompiledOnce(
    lambda key: Session.objects.filter(session_key=key).values_list("session_data", "expire_date"),
    placeholder="compiled-once-session-key",
)


class SessionStore(db.SessionStore):
    def load(self) -> dict:
        row = _SESSION.first(self.session_key, using=router.db_for_read(Session))
        # Expiry is compared here, not in the SQL, so the SQL holds no clock reading
        # and can be written once: the same rows are refused.
        if row is None or row[1] <= timezone.now():
            self._session_key = None
            return {}
        return self.decode(row[0])
