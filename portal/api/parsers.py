"""A JSON parser that refuses oversized bodies before reading them.

DRF reads the request stream directly, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE check,
so the limit is enforced here and answered with a 413 in the API's error shape.
"""

import orjson
from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from portal.api.exceptions import PayloadTooLarge


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        try:
            if declared and int(declared) > limit:
                raise PayloadTooLarge(
                    _("The request body is larger than %(limit)s bytes.") % {"limit": limit}
                )
        except ValueError:
            raise ParseError(_("Content-Length is not a number.")) from None
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise PayloadTooLarge(
                _("The request body is larger than %(limit)s bytes.") % {"limit": limit}
            )
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError as error:
            # Only the frame is translated: where the body breaks is orjson's English.
            raise ParseError(
                _("The body is not valid JSON: %(error)s") % {"error": error}
            ) from None
