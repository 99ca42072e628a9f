"""portal.trials: a write tried in a transaction and undone, or kept only if it says so."""

import pytest

from members.models import Organisation
from portal.trials import kept_if_true, rolled_back

pytestmark = pytest.mark.django_db


def _add(name: str) -> int:
    Organisation.objects.create(name=name, kind="other")
    return Organisation.objects.filter(name=name).count()


def test_rolled_back_returns_what_was_read_inside_and_keeps_nothing():
    assert rolled_back(lambda: _add("Tried")) == 1
    assert not Organisation.objects.filter(name="Tried").exists()


def test_rolled_back_undoes_and_raises_what_the_work_raises():
    def fails() -> None:
        _add("Failed")
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        rolled_back(fails)
    assert not Organisation.objects.filter(name="Failed").exists()


@pytest.mark.parametrize("keep", [True, False])
def test_kept_if_true_keeps_the_write_only_when_told(keep):
    def work() -> bool:
        _add("Maybe")
        return keep

    assert kept_if_true(work) is keep
    assert Organisation.objects.filter(name="Maybe").exists() is keep
