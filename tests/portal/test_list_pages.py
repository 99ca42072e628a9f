"""Pages of a list found without counting it (portal.pages.paginate)."""

import pytest
from django.test import RequestFactory

from members.models import Organisation
from portal.pages import paginate

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisations():
    Organisation.objects.bulk_create(
        Organisation(name=f"Organisation {n:02}", kind="ministry") for n in range(7)
    )
    return Organisation.objects.filter(name__startswith="Organisation ").order_by("name")


def _page(rows, page=None):
    request = RequestFactory().get("/", {} if page is None else {"page": page})
    return paginate(request, rows, per_page=3)


def test_pages_read_one_row_ahead_and_never_count(organisations, django_assert_num_queries):
    with django_assert_num_queries(1) as context:
        first = _page(organisations)
    assert "COUNT(" not in context.captured_queries[0]["sql"].upper()
    assert [o.name for o in first] == ["Organisation 00", "Organisation 01", "Organisation 02"]
    assert (first.number, first.has_previous, first.has_next) == (1, False, True)
    last = _page(organisations, "3")
    assert [o.name for o in last] == ["Organisation 06"]
    assert (last.has_previous, last.has_next, last.previous_page_number) == (True, False, 2)


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "٢", "1e3", "99999999999"])
def test_a_page_number_that_is_not_one_reads_as_the_first(organisations, raw):
    page = _page(organisations, raw)
    assert page.number == 1
    assert len(page) == 3


def test_a_page_past_the_end_is_empty_and_links_back(organisations):
    page = _page(organisations, "9")
    assert (len(page), page.has_next, page.has_previous) == (0, False, True)
