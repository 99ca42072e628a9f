"""`make bench` (load): the portal served as docker-compose serves it, under 50 clients.

gunicorn runs `portal.wsgi:application` with 3 workers, as the compose file's web
service does, with the production settings that loopback allows: DEBUG off, a secret key
made for the run, whitenoise serving collected static files, Redis for the cache (a
redis-server of the run's own on a free port; without one, each worker's memory), and
BEHIND_TLS_PROXY=1, each request carrying what the TLS proxy adds (X-Forwarded-Proto:
https and the client's address in X-Forwarded-For), so the secure cookies, the HTTPS
redirect and the per-address throttles work as in production. Two settings differ, for
the run only: the secretariat's second factor is not required (it is asked once, at
sign-in; the session then remembers it, so the requests measured are the same), and the
API's per-user throttle is raised (the clients share two logins; production has one per
agency system).

The data are the demo's, loaded into a database of the benchmark's own with `manage.py
migrate` and `manage.py load_demo`: BENCH_LOAD_DATABASE_URL if set, else an SQLite file,
var/bench/load.sqlite3 (not BENCH_DATABASE_URL: the other benchmarks' datasets there would
be in the secretariat's lists).

Half the clients sign in as the secretariat, half as a member agency's representative,
each once through the sign-in page, and reuse their session for the pages; the API is
called with one token per login, from `POST /api/v1/auth/token/`, as an agency's system
would. Each client walks the same round of pages and lists (dashboard, meetings, action
points, calendar, directory, a group's page, a meeting's page, and the meetings,
invitations and action-points lists of the API), starting at a different place in it.

First one client alone (the round asked in turn by a secretariat and a member client),
then 50 at once, each for a bounded time; each request is timed from connecting to the
last byte. Every answer must be 200: any other status or a failed connection is an
error, and the run exits non-zero. The client is plain asyncio (one connection per
request, as gunicorn's sync workers close each one), so the driver takes as little of
the cores it shares with the server as it can.
"""

import asyncio
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from tests.servers import free_port, start_redis

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 50
WORKERS = 3
SINGLE_SECONDS = 12
LOAD_SECONDS = 40
WARM_UP_SECONDS = 4
REQUEST_TIMEOUT = 30
PASSWORD = "tansiq-demo"  # noqa: S105 - the demo's documented password, in a throwaway database
PERSONAS = {"secretariat": "secretariat", "member agency": "member"}
PAGES = ["/", "/meetings/", "/action-points/", "/calendar/", "/directory/"]
API_LISTS = ["/api/v1/meetings/", "/api/v1/invitations/", "/api/v1/action-points/"]


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class Client:
    """One browser (or agency system): its own address, session and the login's token."""

    persona: str
    address: str
    cookies: dict[str, str] = field(default_factory=dict)
    token: str = ""


@dataclass
class Sample:
    persona: str
    path: str
    seconds: float
    error: str = ""


class Server:
    def __init__(self, port: int) -> None:
        self.port = port
        self.host = f"127.0.0.1:{port}"

    async def fetch(
        self, client: Client, method: str, path: str, *, api: bool = False, form=None
    ) -> Answer:
        """One request on a connection of its own, as the TLS proxy would pass it on."""
        headers = {
            "Host": self.host,
            "Connection": "close",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": client.address,
            "Accept-Language": "en",
        }
        body = b""
        if api and client.token:
            headers["Authorization"] = f"Token {client.token}"
        elif client.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        if form is not None:
            body = (json.dumps(form) if api else urlencode(form)).encode()
            headers["Content-Type"] = (
                "application/json" if api else "application/x-www-form-urlencoded"
            )
            headers["Origin"] = f"https://{self.host}"
            headers["Content-Length"] = str(len(body))
        head = f"{method} {path} HTTP/1.1\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in headers.items()
        )
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            writer.write(head.encode("latin-1") + b"\r\n" + body)
            await writer.drain()
            raw = await reader.read()
        finally:
            writer.close()
        head_bytes, _, payload = raw.partition(b"\r\n\r\n")
        lines = head_bytes.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        answer_headers = [
            (name.strip().lower(), value.strip())
            for name, _, value in (line.partition(":") for line in lines[1:])
        ]
        for name, value in answer_headers:
            if name == "set-cookie":
                for key, morsel in SimpleCookie(value).items():
                    client.cookies[key] = morsel.value
        return Answer(status, answer_headers, payload)


async def _sign_in(server: Server, client: Client) -> None:
    """Through the sign-in page, as a browser does: its CSRF cookie, then the form."""
    username = PERSONAS[client.persona]
    answer = await server.fetch(client, "GET", "/accounts/login/")
    if answer.status != 200 or "csrftoken" not in client.cookies:
        raise RuntimeError(f"the sign-in page answered {answer.status}")
    form = {
        "csrfmiddlewaretoken": client.cookies["csrftoken"],
        "login": username,
        "password": PASSWORD,
    }
    answer = await server.fetch(client, "POST", "/accounts/login/", form=form)
    if answer.status != 302 or "sessionid" not in client.cookies:
        raise RuntimeError(f"signing in as {username} answered {answer.status}")


async def _token(server: Server, persona: str) -> str:
    client = Client(persona, "10.99.0.1")
    credentials = {"username": PERSONAS[persona], "password": PASSWORD}
    answer = await server.fetch(client, "POST", "/api/v1/auth/token/", api=True, form=credentials)
    if answer.status != 201:
        raise RuntimeError(f"the token endpoint answered {answer.status}: {answer.body[:300]!r}")
    return json.loads(answer.body)["token"]


async def _first_id(server: Server, client: Client, path: str) -> int:
    answer = await server.fetch(client, "GET", path, api=True)
    results = json.loads(answer.body)["results"] if answer.status == 200 else []
    if not results:
        raise RuntimeError(f"{path} lists nothing for the {client.persona} (is the demo loaded?)")
    return results[0]["id"]


async def _round(server: Server, member: Client) -> list[tuple[str, bool]]:
    """The pages and lists every client walks: a group and a meeting the member sees."""
    group = await _first_id(server, member, "/api/v1/groups/")
    meeting = await _first_id(server, member, "/api/v1/meetings/")
    pages = [*PAGES, f"/groups/{group}/", f"/meetings/{meeting}/"]
    return [(path, False) for path in pages] + [
        (f"{path}?page_size=100", True) for path in API_LISTS
    ]


async def _timed(server: Server, client: Client, path: str, api: bool) -> Sample:
    started = time.perf_counter()
    error = ""
    try:
        answer = await asyncio.wait_for(
            server.fetch(client, "GET", path, api=api), timeout=REQUEST_TIMEOUT
        )
        if answer.status != 200:
            error = f"{answer.status}"
    except (OSError, TimeoutError, ValueError, IndexError) as failure:
        error = type(failure).__name__
    return Sample(client.persona, path, time.perf_counter() - started, error)


async def _walk(server, clients, round_, start: int, until: float, samples: list) -> None:
    """Round after round from `start` until the deadline, each round as the next of
    `clients` (a list, so one walker can take turns as several logins)."""
    step = start
    while time.perf_counter() < until:
        client = clients[step // len(round_) % len(clients)]
        path, api = round_[step % len(round_)]
        samples.append(await _timed(server, client, path, api))
        step += 1


async def _phase(server, walkers: list[list[Client]], round_, seconds: float) -> list[Sample]:
    samples: list[Sample] = []
    until = time.perf_counter() + seconds
    await asyncio.gather(
        *(
            _walk(server, clients, round_, index * 3, until, samples)
            for index, clients in enumerate(walkers)
        )
    )
    return samples


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class Figures:
    rate: float
    p50_ms: float
    p95_ms: float
    errors: int

    @classmethod
    def of(cls, samples: list[Sample], seconds: float) -> "Figures":
        times = [sample.seconds * 1000 for sample in samples]
        return cls(
            rate=len(samples) / seconds,
            p50_ms=statistics.median(times),
            p95_ms=_percentile(times, 0.95),
            errors=sum(1 for sample in samples if sample.error),
        )


def _by_page(samples: list[Sample]) -> dict[tuple[str, str], list[float]]:
    pages: dict[tuple[str, str], list[float]] = defaultdict(list)
    for sample in samples:
        pages[(sample.path.split("?")[0], sample.persona)].append(sample.seconds * 1000)
    return pages


async def _run(server: Server, label: str) -> int:
    tokens = {persona: await _token(server, persona) for persona in PERSONAS}
    personas = list(PERSONAS)
    clients = [
        Client(personas[index % 2], f"10.77.{index // 250}.{index % 250 + 1}")
        for index in range(CLIENTS)
    ]
    # Signing in hashes the password (about half a core-second each): a few at a time.
    started = time.perf_counter()
    for batch in range(0, CLIENTS, WORKERS):
        await asyncio.gather(*(_sign_in(server, c) for c in clients[batch : batch + WORKERS]))
    for client in clients:
        client.token = tokens[client.persona]
    round_ = await _round(server, clients[1])
    print(
        f"load ({label}): {CLIENTS} clients signed in ({time.perf_counter() - started:.0f} s)",
        flush=True,
    )

    await _phase(server, [[clients[0], clients[1]]] * 6, round_, WARM_UP_SECONDS)
    single = await _phase(server, [[clients[0], clients[1]]], round_, SINGLE_SECONDS)
    loaded = await _phase(server, [[client] for client in clients], round_, LOAD_SECONDS)
    one, many = Figures.of(single, SINGLE_SECONDS), Figures.of(loaded, LOAD_SECONDS)

    # Where the time goes: each page's own cost is the single client's time; under load
    # every request also waits its turn in gunicorn's queue, so all come out alike.
    loaded_pages = _by_page(loaded)
    for (path, persona), times in sorted(
        _by_page(single).items(), key=lambda item: -statistics.median(item[1])
    ):
        print(
            f"load ({label}), 1 client, {path} as {persona}: p50 {statistics.median(times):.0f} "
            f"ms ({CLIENTS} clients: p50 {statistics.median(loaded_pages[(path, persona)]):.0f} "
            "ms)",
            flush=True,
        )
    print(
        f"load ({label}), {CLIENTS} clients, {LOAD_SECONDS} s: {many.rate:.0f} req/s, "
        f"p50 {many.p50_ms:.0f} ms, p95 {many.p95_ms:.0f} ms, {many.errors} errors "
        f"(1 client: {one.rate:.0f} req/s, p50 {one.p50_ms:.0f} ms, p95 {one.p95_ms:.0f} ms)",
        flush=True,
    )
    print(
        f"load ({label}), {CLIENTS} clients: p50 {many.p50_ms / one.p50_ms:.1f}x single-client p50",
        flush=True,
    )
    print(
        f"load ({label}), {CLIENTS} clients: {many.rate / one.rate:.1f}x single-client rate",
        flush=True,
    )
    errors = [sample for sample in single + loaded if sample.error]
    for (error, path), count in sorted(
        Counter((sample.error, sample.path) for sample in errors).items()
    ):
        print(f"load ({label}): {count} x {error} on {path}", file=sys.stderr, flush=True)
    return len(errors)


def _manage(env: dict, *arguments: str) -> None:
    subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, check=True
    )


def _wait_until_serving(process: subprocess.Popen, port: int, log: Path) -> None:
    import socket

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start within a minute")


def _stop(process: subprocess.Popen) -> None:
    """gunicorn's master stops its workers on TERM; its process group is killed only if
    it has not within 15 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def _label(database_url: str) -> str:
    scheme = urlsplit(database_url).scheme
    return {"postgres": "postgresql", "postgresql": "postgresql"}.get(scheme, scheme)


def main() -> None:
    bench_dir = ROOT / "var" / "bench"
    var_dir = bench_dir / "load"
    var_dir.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("BENCH_LOAD_DATABASE_URL") or (
        f"sqlite:///{bench_dir / 'load.sqlite3'}"
    )
    # A TERM (a CI timeout, kill) stops the run as Ctrl-C does, through the cleanup.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    redis = start_redis() if shutil.which("redis-server") else None
    gunicorn = None
    try:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "BEHIND_TLS_PROXY": "1",
            "DATABASE_URL": database_url,
            "VAR_DIR": str(var_dir),
            "DEMO_PASSWORD": PASSWORD,
            "MFA_REQUIRED_FOR_STAFF": "0",
            "API_THROTTLE_USER": "1000000/minute",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("REDIS_URL", None)
        if redis is not None:
            env["REDIS_URL"] = redis.url
        _manage(env, "migrate", "--noinput", "--verbosity", "0")
        _manage(env, "load_demo")
        _manage(env, "collectstatic", "--noinput", "--verbosity", "0")

        port = free_port()
        log = bench_dir / "load-gunicorn.log"
        gunicorn = subprocess.Popen(  # noqa: S603 - fixed interpreter and arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            # Its own process group: Ctrl-C reaches this script, whose cleanup stops it.
            start_new_session=True,
        )
        _wait_until_serving(gunicorn, port, log)
        cache = "Redis" if redis is not None else "per-process memory cache"
        label = _label(database_url)
        print(f"load ({label}): gunicorn, {WORKERS} workers, DEBUG off, {cache}", flush=True)
        errors = asyncio.run(_run(Server(port), label))
    finally:
        if gunicorn is not None:
            _stop(gunicorn)
        if redis is not None:
            redis.stop()
    if errors:
        raise SystemExit(f"load: {errors} requests failed (gunicorn's log: {log})")


if __name__ == "__main__":
    main()
