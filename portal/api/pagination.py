"""Pagination on every list: ?page=2&page_size=100 (at most 100), newest links included.

No total count: under per-user permission filters a COUNT costs as much as the page
itself on large data, so a page fetches one row more than it shows to know whether a
next page exists. Follow `next` until it is null.
"""

from collections import OrderedDict

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

MAX_PAGE = 1_000_000


class PageNumberPagination(BasePagination):
    page_size = 25
    max_page_size = 100
    page_query_param = "page"
    page_size_query_param = "page_size"

    def _number(self, request, name: str, default: int, maximum: int) -> int:
        raw = request.query_params.get(name)
        if raw is None:
            return default
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:
            message = _("Give a whole number from 1 to %(maximum)s.") % {"maximum": maximum}
            raise ValidationError({name: [message]})
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None) -> list:
        self.request = request
        self.size = self._number(request, self.page_size_query_param, self.page_size, 100)
        self.number = self._number(request, self.page_query_param, 1, MAX_PAGE)
        start = (self.number - 1) * self.size
        rows = list(queryset[start : start + self.size + 1])
        self.has_next = len(rows) > self.size
        return rows[: self.size]

    def _link(self, number: int) -> str:
        url = self.request.build_absolute_uri()
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)

    def get_paginated_response(self, data) -> Response:
        return Response(
            OrderedDict(
                [
                    ("next", self._link(self.number + 1) if self.has_next else None),
                    ("previous", self._link(self.number - 1) if self.number > 1 else None),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        # OpenAPI 3.1 (JSON Schema) spells "may be null" as a type, not `nullable`.
        link = {"type": ["string", "null"], "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {**link, "example": "https://tansiq.example.org/api/v1/meetings/?page=3"},
                "previous": {
                    **link,
                    "example": "https://tansiq.example.org/api/v1/meetings/?page=1",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number, from 1.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (default {self.page_size}, at most 100).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
