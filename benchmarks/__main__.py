"""`make bench`: every API list and every page that lists, against its floor, as the
secretariat and as a member agency, at 1x and 10x data (benchmarks/lists.py says what
is timed and what each floor is). Each figure is one line ending in its ratio:

    <list or page>, as <persona>: X ms, floor Y ms: 1.12x floor
    <list or page>, member agency vs secretariat: 1.10x secretariat
    <list or page>, as <persona>: 1.05x at 10x data

The data go into the benchmarks' own databases, never the portal's, seeded once and
reused: BENCH_DATABASE_URL and BENCH10_DATABASE_URL if set (e.g.
postgres://postgres@127.0.0.1:5432/tansiq_bench), else SQLite files under var/bench/.
Both are timed in one process (benchmarks.lists), the sizes and personas taking turns
for each figure.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks.lists import PERSONAS

ROOT = Path(__file__).resolve().parent.parent
SIZES = {1: "BENCH_DATABASE_URL", 10: "BENCH10_DATABASE_URL"}


def _database(scale: int) -> str:
    bench_dir = ROOT / "var" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    name = "bench.sqlite3" if scale == 1 else f"bench{scale}.sqlite3"
    return os.environ.get(SIZES[scale]) or f"sqlite:///{bench_dir / name}"


def _figures() -> dict:
    print("Timing at 1x and 10x data…", file=sys.stderr, flush=True)
    output = subprocess.run(  # noqa: S603 - our own module, our own arguments
        [
            sys.executable,
            "-m",
            "benchmarks.lists",
            "--database",
            _database(1),
            "--large",
            _database(10),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        check=True,
        text=True,
    ).stdout
    return json.loads(output)


def report(small: dict, large: dict) -> None:
    """The lines, from the figures of benchmarks.lists at 1x and at 10x data."""
    for label, by_persona in small.items():
        for persona in PERSONAS:
            for at, figures in (("", by_persona), (", 10x data", large[label])):
                ms, floor_ms = figures[persona]["ms"], figures[persona]["floor_ms"]
                print(
                    f"{label}{at}, as {persona}: {ms:.1f} ms, floor {floor_ms:.1f} ms: "
                    f"{ms / floor_ms:.2f}x floor"
                )
        ratio = by_persona["member agency"]["ms"] / by_persona["secretariat"]["ms"]
        print(f"{label}, member agency vs secretariat: {ratio:.2f}x secretariat")
        for persona in PERSONAS:
            ratio = large[label][persona]["ms"] / by_persona[persona]["ms"]
            print(f"{label}, as {persona}: {ratio:.2f}x at 10x data", flush=True)


def main() -> None:
    figures = _figures()
    report(figures["1x"], figures["10x"])


if __name__ == "__main__":
    main()
