"""The production image carries every app the settings install."""

from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]


def test_the_image_copies_every_project_app():
    ours = {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if (ROOT / config.name.split(".")[0]).resolve() == Path(config.path).resolve()
    }
    copied = {
        line.split()[1]
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if line.startswith("COPY ") and len(line.split()) == 3
    }

    assert ours
    assert ours <= copied, f"Dockerfile does not copy {sorted(ours - copied)}"
