"""`make run HOST=…` serves where it says and the demo's notices link there too."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_make_run_passes_its_host_on_to_the_links():
    result = subprocess.run(
        ["make", "-n", "--always-make", "run", "HOST=10.9.8.7:9001"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = result.stdout.splitlines()

    for command in ("manage.py load_demo", "manage.py runserver 10.9.8.7:9001"):
        (line,) = [line for line in lines if command in line]
        environment = subprocess.run(  # noqa: S603 - the line make would run, echoing it
            ["/bin/bash", "-c", line.split(" .venv")[0] + " env"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
            env={"PATH": "/usr/bin:/bin"},
        ).stdout
        assert "SITE_URL=http://10.9.8.7:9001" in environment.splitlines()
