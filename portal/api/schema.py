"""drf-spectacular's AutoSchema, with the error answers every operation can give."""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse

from portal.api.filters import MAX_ID
from portal.api.serializers import ErrorSerializer

# Row ids in paths, as the id filters describe them: what the database can hold.
ID_SCHEMA = {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID}

ERRORS = {
    "400": "Invalid input: unknown or malformed field, filter or body; `errors` names them.",
    "401": "No valid credentials (send `Authorization: Token <token>`).",
    "403": "Visible to you, but you may not do this.",
    "404": "No such object, or not visible to you.",
    "413": "The request body is too large.",
    "415": "The body is not JSON (send `Content-Type: application/json`).",
    "429": "Too many requests; retry after the number of seconds in `Retry-After`.",
}
# Operations without a body cannot be too large or malformed in the body.
READ_ERRORS = ("400", "401", "403", "404", "429")


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = READ_ERRORS if self.method in {"GET", "DELETE"} else tuple(ERRORS)
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=ERRORS[code]), code
                )
        return responses

    def _resolve_path_parameters(self, variables):
        """Funnel viewsets look rows up by primary key (`pk`), which the schema would
        otherwise call a string (it cannot see their models): describe it as the id it is."""
        parameters = super()._resolve_path_parameters(variables)
        if getattr(self.view, "lookup_field", "pk") == "pk":
            for parameter in parameters:
                if parameter["name"] in {"id", "pk"}:
                    parameter["schema"] = dict(ID_SCHEMA)
        return parameters
