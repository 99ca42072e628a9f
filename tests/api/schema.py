"""Every API response the tests receive is checked against the OpenAPI schema.

The schema is generated once (OpenAPI 3.1, whose schemas are JSON Schema 2020-12) and
each response body is validated against the operation's declared answer for its
status code. An undeclared status code fails too.
"""

import functools
import json
import re

import jsonschema
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer


@functools.cache
def openapi() -> dict:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))


@functools.cache
def _routes() -> list[tuple[re.Pattern, str]]:
    routes = []
    for template in openapi()["paths"]:
        pattern = re.sub(
            r"\{[^}]+\}", "[^/]+", re.escape(template).replace(r"\{", "{").replace(r"\}", "}")
        )
        routes.append((re.compile(f"^{pattern}$"), template))
    # Literal paths (people/me/) before templated ones (people/{id}/).
    return sorted(routes, key=lambda route: route[1].count("{"))


def operation_for(method: str, path: str) -> dict:
    for pattern, template in _routes():
        if pattern.match(path):
            operations = openapi()["paths"][template]
            assert method.lower() in operations, f"{method} {template} is not in the schema"
            return operations[method.lower()]
    raise AssertionError(f"{path} is not in the schema")


def check_response(method: str, path: str, response) -> None:
    operation = operation_for(method, path)
    code = str(response.status_code)
    declared = operation["responses"]
    assert code in declared, f"{method} {path} answered {code}, schema declares {sorted(declared)}"
    content = declared[code].get("content")
    if content is None:
        assert not response.content, f"{method} {path} {code} has a body the schema does not"
        return
    if "application/json" not in content:
        # A file (a paper's download): declared as binary of any type, streamed.
        assert "*/*" in content, f"{method} {path} {code} declares {sorted(content)}"
        assert content["*/*"]["schema"] == {"type": "string", "format": "binary"}
        assert response.streaming, f"{method} {path} {code} should stream its file"
        return
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    schema = {**content["application/json"]["schema"], "components": openapi()["components"]}
    jsonschema.validate(body, schema, cls=jsonschema.Draft202012Validator)
