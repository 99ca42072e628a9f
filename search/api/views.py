from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from portal.api.schema import AutoSchema
from portal.pages import local_name
from search.api.serializers import SearchQuerySerializer, SearchResponseSerializer
from search.selectors import search_for_user

DEFAULT_PAGE_SIZE = 25
# Parameters DRF itself reads (?format=json).
IGNORED_PARAMETERS = {"format"}


class SearchSchema(AutoSchema):
    # One object (results, counts and the links between pages), not a list of rows.
    def _is_list_view(self, serializer=None) -> bool:
        return False


class SearchViewSet(viewsets.ViewSet):
    """Search over what the caller may see. Not a resource of rows: each kind's own
    permission funnel decides which records are searched (search.selectors)."""

    schema = SearchSchema()

    def _query(self, request) -> dict:
        repeated = sorted(
            name
            for name, values in request.query_params.lists()
            if len(values) > 1 and name != "kind"
        )
        if repeated:
            raise ValidationError({name: [_("Give this parameter once.")] for name in repeated})
        data = request.query_params.copy()
        for name in IGNORED_PARAMETERS:
            data.pop(name, None)
        serializer = SearchQuerySerializer(data=data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _link(self, request, number: int) -> str:
        url = request.build_absolute_uri()
        if number == 1:
            return remove_query_param(url, "page")
        return replace_query_param(url, "page", number)

    @extend_schema(
        operation_id="search",
        parameters=[SearchQuerySerializer],
        responses=SearchResponseSerializer,
    )
    def list(self, request):
        """Meetings, agenda items, minutes, decisions, action points, papers, people and
        organisations matching `q`, best first, among those the caller may see."""
        query = self._query(request)
        number = query.get("page", 1)
        size = query.get("page_size", DEFAULT_PAGE_SIZE)
        group = query.get("group")
        results = search_for_user(
            user=request.user,
            query=query["q"],
            kinds=query.get("kind", ()),
            group_id=group.pk if group is not None else None,
            date_from=query.get("date_from"),
            date_to=query.get("date_to"),
            limit=size,
            offset=(number - 1) * size,
        )
        body = {
            "next": self._link(request, number + 1) if results.has_next else None,
            "previous": self._link(request, number - 1) if number > 1 else None,
            "results": [
                {
                    "kind": item.kind,
                    "object_id": item.object_id,
                    "title": item.title,
                    "snippet": str(item.snippet),
                    "url": request.build_absolute_uri(item.url),
                    "date": item.date,
                    "group": item.group.pk if item.group else None,
                    "group_name": local_name(item.group) if item.group else None,
                }
                for item in results.items
            ],
            "counts": results.counts,
            "counts_capped": results.counts_capped,
        }
        return Response(SearchResponseSerializer(body).data)
