"""The OpenAPI 3 document (/api/schema/, drf-spectacular): the token scheme,
and the problem document (RFC 9457) as the answer of every error an
operation can give, so that a generated client knows each of them."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema

DESCRIPTION = """\
The REST API of Värn, for the municipality's other systems (HR, BI, the
work-environment system, document archives). An integration account is a
user with role assignments at organisation nodes, like a person: it reaches
over the API exactly what a person with the same roles reaches on the pages,
no more. The administrator creates the account and issues its tokens in the
admin (Integrationer → API-token); a token is shown once.

Send the token as `Authorization: Bearer <token>`. Every read of a case and
every change is written to the audit log with the token's name. Each token
has a rate limit; over it the answer is 429 with Retry-After.

A case outside the caller's scope answers 404, exactly as one that does not
exist; one the caller may read but not handle answers 403. Errors are
problem details (RFC 9457, `application/problem+json`) in Swedish, or in
English with `Accept-Language: en`; bad input is a 400 whose `errors` name
each field. Changes of a case carry the version read (`version`, or a
checklist item's `stamp`): a stale one changes nothing and answers 409 with
the current state in `current`.
"""

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "example": "urn:varn:problem:invalid"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "detail": {"type": "string"}}, "required": ["field", "detail"]}},
        "current": {"type": "object", "additionalProperties": True,
                    "description": "For 409: the case (or checklist item) as it is now."},
    },
    "required": ["type", "title", "status", "detail"],
}
WORDS = {"400": "Bad input; `errors` names each field.", "401": "No token, or it is unknown, expired or revoked.",
         "403": "The caller may read this but not do what was asked.",
         "404": "Not found, or outside the caller's scope (the same answer).",
         "406": "Ask for application/json or application/problem+json.",
         "409": "Someone else changed it first; `current` holds it now.",
         "415": "Send the body as application/json.", "429": "Too many requests for this token."}
BODY_METHODS = {"post", "put", "patch"}


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An integration account's API token."}


class AutoSchema(BaseAutoSchema):
    pass


def only_the_api(endpoints, **kwargs):
    return [e for e in endpoints if e[0].startswith("/api/v1/")]


def describe(result, generator, request, public):
    """Every operation may answer with a problem document."""
    result["info"]["description"] = DESCRIPTION
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    ref = {"$ref": "#/components/schemas/Problem"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            codes = ["400", "401", "404", "406", "429"]
            if method in BODY_METHODS:
                codes += ["403", "409", "415"]
            elif "{pk}" in path:
                codes += ["403"]
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses[code] = {"description": WORDS[code], "content": {"application/problem+json": {"schema": ref}}}
            if not any(r.get("content") for c, r in responses.items() if c.startswith("2")):
                continue
    return result
