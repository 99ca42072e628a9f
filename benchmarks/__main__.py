"""`make bench`: API list times against the floor measured in the same run.

The floor for a list is the least work that produces the same JSON: one `.values()`
query for the page (same permission filter, joins and counts), the rows shaped into
the same nested dicts, serialised with orjson. The API's time covers everything the
server does: authentication, throttling, filter validation, the permission funnel,
the page and its count, rendering. Each figure is the median of several runs.

The dataset goes into its own database, never the portal's: BENCH_DATABASE_URL if set
(e.g. postgres://postgres@127.0.0.1:5432/tansiq_bench), else an SQLite file under
var/bench/. It is seeded once and reused after.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 15


def _setup() -> None:
    bench_dir = ROOT / "var" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    default = f"sqlite:///{bench_dir / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or default
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("API_THROTTLE_USER", "1000000/minute")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _median_ms(function) -> float:
    function()  # warm up
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    _setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from rest_framework.test import APIRequestFactory, force_authenticate

    from benchmarks.seed import is_seeded, seed
    from meetings.api.serializers import ActionPointListSerializer, MeetingListSerializer
    from meetings.api.views import ActionPointViewSet, MeetingViewSet
    from meetings.permissions import action_points_visible_to, meetings_visible_to
    from meetings.selectors import action_point_list, meeting_summaries
    from portal.api.renderers import dumps

    call_command("migrate", verbosity=0)
    if not is_seeded():
        started = time.perf_counter()
        print("Seeding the benchmark database (once)…", flush=True)
        seed()
        print(f"Seeded in {time.perf_counter() - started:.0f} s.", flush=True)

    factory = APIRequestFactory()
    users = get_user_model().objects
    personas = {
        "secretariat": users.get(username="bench-secretariat"),
        "member agency": users.get(username="agency"),
    }
    lists = [
        (
            "meetings list",
            "/api/v1/meetings/",
            MeetingViewSet.as_view({"get": "list"}),
            lambda user: MeetingListSerializer.rows(
                meeting_summaries(queryset=meetings_visible_to(user))
                .order_by("-start_at", "-id")
                .values(*MeetingListSerializer.VALUES)[:100]
            ),
        ),
        (
            "action-points list",
            "/api/v1/action-points/",
            ActionPointViewSet.as_view({"get": "list"}),
            lambda user: ActionPointListSerializer.rows(
                action_point_list(queryset=action_points_visible_to(user))
                .order_by("due_on", "id")
                .values(*ActionPointListSerializer.VALUES)[:100]
            ),
        ),
    ]
    for label, path, view, floor_rows in lists:
        for persona, user in personas.items():

            def api(user=user, view=view, path=path):
                request = factory.get(path, {"page_size": 100}, HTTP_HOST="127.0.0.1")
                force_authenticate(request, user=user)
                response = view(request)
                assert response.status_code == 200, response.data
                return response.render().content

            def floor(user=user, floor_rows=floor_rows):
                return dumps(floor_rows(user))

            assert len(floor()) > 1000
            api_ms, floor_ms = _median_ms(api), _median_ms(floor)
            print(
                f"{label}, page 100, as {persona}: {api_ms:.1f} ms, floor {floor_ms:.1f} ms: "
                f"{api_ms / floor_ms:.2f}x floor",
                flush=True,
            )


if __name__ == "__main__":
    main()
