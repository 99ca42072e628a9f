"""The figures for `make bench`: every API list and every page that lists, as the
secretariat and as a member agency, at 1x and at 10x data, each with its floor; printed
as JSON for the parent (`python -m benchmarks`), which compares personas and sizes.

`python -m benchmarks.lists --database URL --large URL` seeds each database (at 1x and
at 10x the base data, or --scale and --large-scale) if it is empty, then times. Both
databases are open in this one process, and for each figure the two sizes and the two
personas take turns, request and floor each time: a machine that runs slower for a
minute (a shared host's neighbours, its clock) slows all four alike, so the ratios
between them stay true. Timed one size per process, minutes apart, two runs on the same
code differed by up to 1.8x on a figure.

Requests are made as a WSGI server makes them: Django's WSGI handler (what gunicorn
calls) gets each request's environ and its response is read and closed, so every
middleware (sessions, locale, CSRF, security headers, the login) and the request's
start and end (the database connection's health check and age) run, under the
production settings (`_setup`), signed in by a session made with force_login:
everything the server does but the socket. (Until this session the test Client made
them: its own work on each request, building it and recording the response, 0.1-0.3 ms,
was timed with the server's.)

Floors, measured in the same process, are the least work that yields the same rows:
- an API list: the page's rows (one more, as the pagination reads) by one `.values()`
  query through the same permission funnel, filters and ordering (the list's own query,
  read as the list reads it, its joins for instances dropped), with the serializer's model
  columns and those of its nested objects (joins), serialised with orjson. The meetings
  and action points lists answer from `.values()` already: their floor is that query
  and shaping without the request around it.
- a page: the rows it lists (each list of the page, panels included, one `.values()`
  query each, through the same funnel and filters, and the counts it shows) rendered by
  one minimal template.
"""

import argparse
import datetime as dt
import functools
import io
import json
import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PAGE = 100
PERSONAS = {"secretariat": "bench-secretariat", "member agency": "agency"}
MIN_RUNS = 7
SLOW_RUNS = 3  # for a request and floor taking more than BUDGET_S / MIN_RUNS together
MAX_RUNS = 31
BUDGET_S = 1.0  # per figure: fast requests get more runs, up to MAX_RUNS
SLOW_S = 5.0  # a first turn this slow is the only one
MINIMAL = (
    "<!doctype html><title>floor</title>{% for rows in tables %}<table>"
    "{% for row in rows %}<tr>{% for value in row.values %}<td>{{ value }}</td>"
    "{% endfor %}</tr>{% endfor %}</table>{% endfor %}"
)


def _setup(database_url: str) -> None:
    """Django as production runs it (docker-compose, benchmarks.load): DEBUG off, so no
    query log and no template debug information, static files from their manifest,
    behind the TLS proxy; a throwaway secret key; two-factor off for the secretariat's
    bench user, who has no authenticator."""
    var_dir = ROOT / "var" / "bench" / "lists"
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "BEHIND_TLS_PROXY": "1",
            "MFA_REQUIRED_FOR_STAFF": "0",
            "VAR_DIR": str(var_dir),
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.setdefault("API_THROTTLE_USER", "1000000/minute")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("collectstatic", interactive=False, verbosity=0)


def medians_ms(pairs: list[tuple[Callable, Callable, Callable]]) -> list[tuple[float, float]]:
    """Median wall times of each (prepare, measured, floor) of `pairs`, all run in
    turns (prepare untimed, then the request, then its floor) so that all see the same
    load. The first turn warms up (connection, caches, compiled templates) and is
    dropped, unless it took seconds, where warming up is lost in the noise and more
    turns would only stretch the run; then MIN_RUNS turns, more while within BUDGET_S
    per pair, fewer for slow requests."""
    times = [([], []) for _ in pairs]

    def turn() -> float:
        took = 0.0
        for (prepare, measured, floor), taken in zip(pairs, times, strict=True):
            prepare()
            for function, kept in zip((measured, floor), taken, strict=True):
                start = time.perf_counter()
                function()
                kept.append(time.perf_counter() - start)
                took += kept[-1]
        return took

    first = turn()
    if first < SLOW_S:
        for taken in times:
            taken[0].clear()
            taken[1].clear()
        runs = MIN_RUNS if first < BUDGET_S * len(pairs) / MIN_RUNS else SLOW_RUNS
        deadline = time.perf_counter() + BUDGET_S * len(pairs)
        while len(times[0][0]) < runs or (
            len(times[0][0]) < MAX_RUNS and time.perf_counter() < deadline
        ):
            turn()
    return [
        (statistics.median(measured) * 1000, statistics.median(floor) * 1000)
        for measured, floor in times
    ]


def _patterns(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _patterns(pattern.url_patterns)
        else:
            yield pattern


def api_lists() -> list[tuple[str, type]]:
    """(path, viewset) of every list the API's routers serve."""
    from django.urls import get_resolver, reverse

    from portal.api.views import FunnelViewSet

    found = {}
    for pattern in _patterns(get_resolver().url_patterns):
        callback = pattern.callback
        viewset = getattr(callback, "cls", None)
        if (
            viewset is not None
            and issubclass(viewset, FunnelViewSet)
            and getattr(callback, "actions", {}).get("get") == "list"
            and pattern.name.endswith("-list")
        ):
            found[reverse(f"api:{pattern.name}")] = viewset
    return sorted(found.items())


def _model_field(model, path: list[str]):
    for index, part in enumerate(path):
        field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        if index < len(path) - 1:
            model = field.related_model
    return field


def columns(serializer, model, prefix: str = "") -> list[str]:
    """The `.values()` columns behind a serializer's fields: its model's own, and those
    of the objects it nests (a join each); methods, annotations and many-valued
    relations are left out."""
    from django.core.exceptions import FieldDoesNotExist
    from rest_framework.serializers import BaseSerializer, ListSerializer

    found = []
    for field in serializer.fields.values():
        if field.write_only or field.source == "*" or isinstance(field, ListSerializer):
            continue
        path = field.source.split(".")
        try:
            model_field = _model_field(model, path)
        except (FieldDoesNotExist, AttributeError):
            continue
        if model_field.many_to_many or model_field.one_to_many:
            continue
        name = prefix + "__".join(path)
        if isinstance(field, BaseSerializer) and model_field.is_relation:
            found += columns(field, model_field.related_model, name + "__")
        elif model_field.concrete:
            found.append(name)
    return found


def api_floor(viewset, user):
    """The API list's floor, as the module's docstring says."""
    from types import SimpleNamespace

    from meetings.api.serializers import ActionPointListSerializer, MeetingListSerializer
    from meetings.api.views import ActionPointViewSet, MeetingViewSet
    from meetings.selectors import action_point_list, meeting_summaries
    from portal.api.renderers import dumps

    visible = viewset.visible(user)
    if viewset is MeetingViewSet:
        rows = MeetingListSerializer.rows(
            meeting_summaries(queryset=visible)
            .order_by("-start_at", "-id")
            .values(*MeetingListSerializer.VALUES)[: PAGE + 1]
        )
    elif viewset is ActionPointViewSet:
        rows = ActionPointListSerializer.rows(
            action_point_list(queryset=visible)
            .order_by("due_on", "id")
            .values(*ActionPointListSerializer.VALUES)[: PAGE + 1]
        )
    else:
        # The list's own query (its filters and order: papers leave out the withdrawn
        # ones, minutes are read down the meetings' index) reading the serializer's
        # columns: the same rows, without the instances.
        view = viewset(request=SimpleNamespace(user=user), action="list", kwargs={})
        selected = view.select(visible).select_related(None).prefetch_related(None)
        ordering = selected.query.order_by or visible.model._meta.ordering
        names = _serializer_columns(viewset, visible.model)
        # As the list reads it (FunnelViewSet.listed: the delivery log in parts).
        listed = view.listed(selected.order_by(*ordering))
        rows = list(listed.values(*names)[: PAGE + 1])
    return dumps(rows)


@functools.cache
def _serializer_columns(viewset, model) -> tuple[str, ...]:
    """The floor's columns, worked out once: which columns a serializer reads is the
    benchmark's question, not work a list does (until commit aa05582 each floor made a
    serializer and DRF read the model for its fields, 0.1-1 ms of the floor)."""
    return tuple(columns(viewset.output_serializer_class(), model))


def page_floors(user, meeting_id: int, group_id: int):
    """(label, path, the rows each list of the page shows) for every page that lists."""
    from django.db.models import Count, OuterRef, Subquery
    from django.utils import timezone

    from documents.permissions import documents_visible_to
    from groups.models import CoordinationGroup
    from groups.permissions import (
        groups_visible_to,
        memberships_visible_to,
        organisations_visible_to,
    )
    from meetings.models import ActionPoint, MeetingSeries
    from meetings.permissions import (
        action_points_visible_to,
        agenda_items_visible_to,
        attendance_visible_to,
        decisions_visible_to,
        invitations_unanswered_by,
        invitations_visible_to,
        meetings_managed_by,
        meetings_visible_to,
        series_visible_to,
    )
    from meetings.selectors import (
        LATEST_LOOK_BACK,
        NotOver,
        action_point_filter,
        action_points_of_group_tree,
        action_points_overdue,
        invitations_awaiting_answer,
        meeting_filter,
        meeting_list,
        meetings_awaiting_answers,
        meetings_of_group_tree,
        meetings_starting_between,
        meetings_upcoming,
    )
    from members.selectors import organisation_search
    from portal.pages import PAGE_SIZE

    now = timezone.now()
    meeting_columns = ("pk", "title", "reference", "start_at", "status", "venue", "group__name")
    action_columns = (
        "pk",
        "title",
        "due_on",
        "status",
        "meeting__title",
        "meeting__group__name",
        "owner_organisation__name",
    )
    invitee_columns = ("pk", "person__full_name", "organisation__name", "response")
    meetings = meetings_visible_to(user)
    invitations = invitations_visible_to(user).filter(meeting_id=meeting_id)
    invitations = invitations.order_by("person__full_name").values(*invitee_columns)
    month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)

    def dashboard():
        overdue = action_points_overdue(queryset=action_points_visible_to(user))
        not_over = NotOver.at(now)
        return [
            meetings_upcoming(queryset=meetings, not_over=not_over).values(*meeting_columns)[:10],
            invitations_awaiting_answer(
                queryset=invitations_unanswered_by(user), not_over=not_over
            ).values("pk", "meeting__title", "meeting__start_at", "person__full_name")[:15],
            meetings_awaiting_answers(
                queryset=meetings_upcoming(queryset=meetings_managed_by(user), not_over=not_over)
            ).values("pk", "title", "start_at", "invited_count", "pending_count")[:10],
            overdue.order_by("due_on", "pk").values(*action_columns)[:15],
            [{"overdue": overdue.order_by().values("pk")[:101].count()}],
        ]

    def meeting():
        return [
            meetings.filter(pk=meeting_id).values(*meeting_columns),
            invitations_visible_to(user)
            .filter(meeting_id=meeting_id)
            .values("response")
            .annotate(count=Count("pk"))
            .order_by("response"),
            agenda_items_visible_to(user)
            .filter(meeting_id=meeting_id)
            .order_by("position")
            .values("pk", "position", "title", "duration_minutes"),
            invitations,
            decisions_visible_to(user)
            .filter(meeting_id=meeting_id)
            .values("pk", "number", "text", "status"),
            action_points_visible_to(user).filter(meeting_id=meeting_id).values(*action_columns),
            documents_visible_to(user)
            .filter(meeting_id=meeting_id)
            .values("pk", "title", "agenda_item_id"),
        ]

    def group():
        return [
            memberships_visible_to(user)
            .filter(group_id=group_id, end_on=None)
            .values("pk", "role", "organisation__name", "seat_holder__full_name"),
            groups_visible_to(user).filter(parent_id=group_id).values("pk", "name"),
            # The year's meetings hold the page's ten (meetings_latest_of_group_tree).
            meetings_of_group_tree(queryset=meetings, group_id=group_id)
            .filter(start_at__gte=now - LATEST_LOOK_BACK)
            .order_by("-start_at", "-pk")
            .values(*meeting_columns)[:10],
            action_points_of_group_tree(
                queryset=action_points_visible_to(user).filter(status=ActionPoint.Status.OPEN),
                group_id=group_id,
            )
            .order_by("due_on", "pk")
            .values(*action_columns)[:20],
            series_visible_to(user)
            .filter(group_id=group_id, status=MeetingSeries.Status.ACTIVE)
            .values("pk", "title"),
        ]

    return [
        ("dashboard", "/", dashboard),
        (
            "meetings page",
            "/meetings/",
            lambda: [
                # The group's name read for the page's rows: joined for that one column,
                # SQLite read the groups by their name index and every meeting of each,
                # counting the answers of all of them (93 ms at 10x data as the
                # secretariat, 543 ms as the member), where the page walks the meetings'
                # start index (at about 14 ms, it looked 0.02x its floor).
                meeting_list(queryset=meeting_filter(queryset=meetings)).values(
                    *(column for column in meeting_columns if column != "group__name"),
                    "invited_count",
                    "accepted_count",
                    "pending_count",
                    group_name=Subquery(
                        CoordinationGroup.objects.filter(pk=OuterRef("group_id")).values("name")
                    ),
                )[:PAGE_SIZE],
                groups_visible_to(user).order_by("name").values("pk", "name"),
            ],
        ),
        (
            "action points page",
            "/action-points/",
            lambda: [
                action_point_filter(queryset=action_points_visible_to(user)).values(
                    *action_columns
                )[:PAGE_SIZE],
                groups_visible_to(user).order_by("name").values("pk", "name"),
            ],
        ),
        (
            "calendar month",
            "/calendar/",
            lambda: [
                meetings_starting_between(
                    queryset=meetings,
                    start=month - dt.timedelta(days=8),
                    end=month + dt.timedelta(days=45),
                ).values(*meeting_columns)
            ],
        ),
        (
            "directory",
            "/directory/",
            lambda: [
                organisation_search(queryset=organisations_visible_to(user), text="")
                .order_by("name")
                .values("pk", "name", "acronym", "kind")[:PAGE_SIZE]
            ],
        ),
        (
            "group page",
            f"/groups/{group_id}/",
            group,
        ),
        ("meeting page, 200 invitees", f"/meetings/{meeting_id}/", meeting),
        (
            "meeting invitations tab, 200 invitees",
            f"/meetings/{meeting_id}/invitations/",
            lambda: [invitations],
        ),
        (
            "meeting attendance tab, 200 invitees",
            f"/meetings/{meeting_id}/attendance/",
            lambda: [
                invitations,
                attendance_visible_to(user)
                .filter(meeting_id=meeting_id)
                .values("pk", "person__full_name", "organisation__name", "mode"),
            ],
        ),
    ]


def _prepared(url: str, scale: int) -> None:
    """The database behind "default" migrated, seeded at `scale` if empty, and with
    the planner's statistics taken."""
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.seed import holds_other_data, is_seeded, seed

    call_command("migrate", verbosity=0)
    if holds_other_data():
        print(
            f"{url} holds benchmark data of an earlier shape: "
            "drop it (or delete var/bench/) and run again.",
            file=sys.stderr,
        )
        sys.exit(2)
    if not is_seeded():
        started = time.perf_counter()
        print(f"Seeding the benchmark database at {scale}x (once)…", file=sys.stderr)
        seed(scale)
        print(f"Seeded in {time.perf_counter() - started:.0f} s.", file=sys.stderr, flush=True)
    # Statistics and visibility as production keeps them, taken before the timing
    # starts: autovacuum on PostgreSQL (without statistics the planner takes freshly
    # loaded tables for nearly empty; without the visibility map no index is read
    # alone), PRAGMA optimize on SQLite (portal/sqlite3, a full analysis).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _content_types() -> list[tuple]:
    from django.contrib.contenttypes.models import ContentType

    return list(ContentType.objects.order_by("pk").values_list("pk", "app_label", "model"))


def _read(table) -> list:
    """A floor's table, read anew at every turn: a queryset made once (the plenary's
    invitations, in three pages' floors) would answer from its cache after the first."""
    from django.db.models import QuerySet

    return list(table.all() if isinstance(table, QuerySet) else table)


class ServerRequests:
    """`requests(path, params)`: the body of a GET as a WSGI server gets it (Django's
    WSGI handler, the response read and closed), with the session of the test `client`
    (signed in with force_login) and, as a browser, the `cookies` the answers set (the
    CSRF cookie: without it every page with a form makes a new secret); anything but a
    200 fails the benchmark."""

    def __init__(self, client) -> None:
        from django.conf import settings
        from django.core.handlers.wsgi import WSGIHandler

        session = settings.SESSION_COOKIE_NAME
        self.cookies = {session: client.cookies[session].value}
        self.handler = WSGIHandler()

    def __call__(self, path: str, params: dict | None = None) -> bytes:
        environ = {
            "REQUEST_METHOD": "GET",
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": urlencode(params or {}),
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_COOKIE": "; ".join(f"{name}={value}" for name, value in self.cookies.items()),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        status: list[str] = []

        def start_response(line, headers, exc_info=None):
            status.append(line)
            for name, value in headers:
                if name.lower() == "set-cookie":
                    for morsel in SimpleCookie(value).values():
                        self.cookies[morsel.key] = morsel.value

        response = self.handler(environ, start_response)
        try:
            body = b"".join(response)
        finally:
            response.close()  # the request's end, as the server ends it
        assert status[0].startswith("200 "), (path, status[0])
        return body


def _rows(user, template) -> list[tuple[str, Callable, Callable]]:
    """(label, request, floor) of every figure, for `user` on the database behind
    "default" now."""
    from django.test import Client

    from benchmarks.seed import plenary

    meeting = plenary()
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    request = ServerRequests(client)

    rows = [
        (
            f"{path} list, page {PAGE}",
            lambda path=path: request(path, {"page_size": PAGE}),
            lambda viewset=viewset: api_floor(viewset, user),
        )
        for path, viewset in api_lists()
        if path != "/api/v1/search/"  # benchmarks.search times it against its own floor
    ]
    rows += [
        (
            label,
            lambda path=path: request(path),
            lambda tables=tables: template.render({"tables": [_read(t) for t in tables()]}),
        )
        for label, path, tables in page_floors(user, meeting.pk, meeting.group_id)
    ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True, help="the 1x data")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--large", required=True, help="the 10x data")
    parser.add_argument("--large-scale", type=int, default=10)
    arguments = parser.parse_args()
    _setup(arguments.database)
    import dj_database_url
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.template import engines

    # The 10x database is opened with the same options as the 1x one (portal.settings),
    # and put behind "default" in turn: the product's code asks for no other.
    large = dj_database_url.parse(arguments.large)
    if large["ENGINE"] != dj_database_url.parse(arguments.database)["ENGINE"]:
        print("Both benchmark databases must be of one kind.", file=sys.stderr)
        sys.exit(2)
    where = ("NAME", "USER", "PASSWORD", "HOST", "PORT")
    settings.DATABASES["large"] = {
        **settings.DATABASES["default"],
        **{key: large[key] for key in where if key in large},
    }
    behind = {"1x": connections["default"], "10x": connections["large"]}
    scales = {
        "1x": (arguments.database, arguments.scale),
        "10x": (arguments.large, arguments.large_scale),
    }

    def use(size: str) -> None:
        connections["default"] = behind[size]

    template = engines["django"].from_string(MINIMAL)
    users = get_user_model().objects
    rows: dict[tuple[str, str], list] = {}
    kinds: dict[str, list[tuple]] = {}
    for size, (url, scale) in scales.items():
        use(size)
        _prepared(url, scale)
        kinds[size] = _content_types()
        for persona, username in PERSONAS.items():
            rows[size, persona] = _rows(users.get(username=username), template)
    # Content types are cached per process by alias ("default" for both): the two
    # databases must number them alike.
    if kinds["1x"] != kinds["10x"]:
        print(
            "The two benchmark databases number their content types differently: "
            "delete var/bench/ (or drop both databases) and run again.",
            file=sys.stderr,
        )
        sys.exit(2)

    figures: dict[str, dict[str, dict[str, dict[str, float]]]] = {"1x": {}, "10x": {}}
    combinations = list(rows)
    for index, (label, _request, _floor) in enumerate(rows[combinations[0]]):
        pairs = []
        for size, persona in combinations:
            row_label, measured, floor = rows[size, persona][index]
            assert row_label == label, (row_label, label)
            pairs.append((lambda size=size: use(size), measured, floor))
        for (size, persona), (ms, floor_ms) in zip(combinations, medians_ms(pairs), strict=True):
            figures[size].setdefault(label, {})[persona] = {"ms": ms, "floor_ms": floor_ms}
        print(f"{label}: done", file=sys.stderr, flush=True)
    use("1x")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
