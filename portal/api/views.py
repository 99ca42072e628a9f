"""The base viewset: every read and write goes through the resource's access funnel.

A subclass names its funnel (`visible`, e.g. `meetings_visible_to`; `get_for_user`,
e.g. `meeting_get_for_user`) and its selector (`select`, the joins). It cannot set
`queryset` or override `get_queryset`, so no list can skip the permission filter, and
lists are filtered in the database before they are paginated.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from portal.api.rows import RowPlan, plan_for


class FunnelViewSet(viewsets.GenericViewSet):
    visible: Callable[..., QuerySet]
    get_for_user: Callable[..., object]
    # Every resource names the serializer its responses use.
    output_serializer_class: type[serializers.BaseSerializer]
    lookup_value_regex = "[^/]+"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for forbidden in ("queryset", "get_queryset"):
            if forbidden in cls.__dict__:
                raise TypeError(
                    f"{cls.__name__} must not define {forbidden}: name its funnel in "
                    "`visible` and its joins in `select`."
                )

    def select(self, queryset: QuerySet) -> QuerySet:
        """The selector that does the joins; override per resource."""
        return queryset

    def get_queryset(self) -> QuerySet:
        return self.select(type(self).visible(self.request.user))

    def get_serializer_class(self):
        return self.output_serializer_class

    def object_id(self) -> int | str:
        raw = str(self.kwargs[self.lookup_url_kwarg or self.lookup_field])
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
            raise Http404(_("No such object."))
        return int(raw)

    def get_object(self, **flags):
        """The object through the resource's funnel: 404 hidden, 403 not allowed."""
        return type(self).get_for_user(self.request.user, self.object_id(), **flags)

    def get_visible_object(self):
        """The object with the list's joins, for reads."""
        try:
            return self.get_queryset().get(pk=self.object_id())
        except self.get_queryset().model.DoesNotExist:
            raise Http404(_("No such object.")) from None

    def validated(self, serializer_class, *, instance=None) -> dict:
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context(), instance=instance
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def context_for(self, instances: Sequence) -> dict:
        """The serializer context for the rows of one response (instances, or a planned
        list's `.values()` rows). A resource adds what it works out once for all of them
        (which people's contact details the caller may see), so no serializer asks per
        row."""
        return self.get_serializer_context()

    def context_columns(self, queryset: QuerySet) -> Sequence[str]:
        """The columns a planned list's rows carry besides its serializer's, for
        `context_for` to read (the database's answer on contact details)."""
        return ()

    def render(self, instance, serializer_class=None, *, code=status.HTTP_200_OK) -> Response:
        serializer_class = serializer_class or self.output_serializer_class
        data = serializer_class(instance, context=self.context_for([instance])).data
        return Response(data, status=code)

    def paginated(self, queryset, serializer_class=None) -> Response:
        serializer_class = serializer_class or self.output_serializer_class
        plan = plan_for(serializer_class)
        # A plan reads a queryset; a list some selector already made keeps DRF's path.
        if plan is not None and isinstance(queryset, QuerySet) and plan.model is queryset.model:
            extra = self.context_columns(queryset) if plan.reads_context else ()
            return self.paginated_rows(plan, plan.values(queryset, *extra))
        page = list(self.paginate_queryset(queryset) or [])
        data = serializer_class(page, many=True, context=self.context_for(page)).data
        return self.get_paginated_response(data)

    def paginated_rows(self, plan: RowPlan, values: Any) -> Response:
        """The page of `values` (a plan's `.values()` queryset, or anything the
        pagination can slice into such rows), shaped by the plan."""
        rows = self.paginate_queryset(values) or []
        context = self.context_for(rows) if plan.reads_context else None
        return self.get_paginated_response(plan.rows(rows, context))

    def listed(self, queryset: QuerySet) -> QuerySet:
        """The list as read: the funnel filtered and ordered, or, for a resource that
        says so, another query of the same rows in the same order (the delivery log in
        parts, merged: notices.api.views)."""
        return queryset

    def list(self, request, *args, **kwargs):
        return self.paginated(self.listed(self.filter_queryset(self.get_queryset())))

    def retrieve(self, request, *args, **kwargs):
        return self.render(self.get_visible_object())
