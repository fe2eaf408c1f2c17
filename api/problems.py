"""Errors as problem details (RFC 9457, application/problem+json), in the
caller's language (Accept-Language: Swedish unless English is asked for).

Every error of the API goes through exception_handler: a problem document
with a type (urn:varn:problem:<kind>), a title, the status and a detail;
bad input also lists each field with its message (errors: [{field,
detail}]), a conflict carries the current state (current). A 404 says
nothing about the case it was asked for, so a case outside the caller's
scope and one that does not exist get the same bytes.
"""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

PROBLEM = "application/problem+json"


class ProblemRenderer(JSONRenderer):
    """Lets a client ask for application/problem+json only."""
    media_type = PROBLEM


class Problem(exceptions.APIException):
    """An error with its own kind, title and extra members."""

    def __init__(self, status_code: int, kind: str, title: str, detail: str, **extra):
        self.status_code = status_code
        self.kind, self.title, self.extra = kind, title, extra
        super().__init__(detail)


class Conflict(Problem):
    def __init__(self, detail: str, current: dict):
        super().__init__(status.HTTP_409_CONFLICT, "conflict", _("Någon annan har ändrat ärendet"), detail,
                         current=current)


def field_errors(detail, prefix: str = "") -> list[dict]:
    """A serializer's nested errors as a flat list naming each field
    ("rows[2].code", "page_size"; "" for the body as a whole)."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            out += field_errors(value, f"{prefix}.{name}" if prefix and name else (prefix or name))
        return out
    if isinstance(detail, list):
        if detail and all(isinstance(d, str) for d in detail):
            return [{"field": prefix, "detail": str(d)} for d in detail]
        out = []
        for i, value in enumerate(detail):
            if value:
                out += field_errors(value, f"{prefix}[{i}]")
        return out
    return [{"field": prefix, "detail": str(detail)}]


def invalid(errors: list[dict]) -> Problem:
    """400 for bad input: the fields and what is wrong with each."""
    first = errors[0] if errors else {"field": "", "detail": ""}
    where = _("Fältet %(field)s: %(detail)s") % first if first["field"] else first["detail"]
    return Problem(400, "invalid", _("Uppgifterna kunde inte tas emot"), where, errors=errors)


def problem_response(kind: str, status_code: int, title: str, detail: str, headers=None, **extra) -> Response:
    body = {"type": f"urn:varn:problem:{kind}", "title": title, "status": status_code, "detail": detail, **extra}
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM)


def _as_problem(exc):
    """(kind, status, title, detail, extra) for an exception the API answers."""
    if isinstance(exc, Problem):
        return exc.kind, exc.status_code, exc.title, str(exc.detail), exc.extra
    if isinstance(exc, exceptions.ValidationError):
        p = invalid(field_errors(exc.detail))
        return p.kind, 400, p.title, str(p.detail), p.extra
    if isinstance(exc, exceptions.ParseError):
        return ("invalid", 400, _("Uppgifterna kunde inte tas emot"),
                _("Kroppen är inte giltig JSON. Skicka ett JSON-objekt med Content-Type: application/json."),
                {"errors": [{"field": "", "detail": _("Kroppen är inte giltig JSON.")}]})
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        detail = (str(exc.detail) if isinstance(exc, exceptions.AuthenticationFailed)
                  else _("Skicka en token i huvudet Authorization: Bearer <token>."))
        return "unauthenticated", 401, _("Token saknas eller gäller inte"), detail, {}
    if isinstance(exc, (exceptions.PermissionDenied, DjangoPermissionDenied)):
        return ("forbidden", 403, _("Inte tillåtet"),
                _("Kontot får läsa det här men inte göra det du bad om."), {})
    if isinstance(exc, (exceptions.NotFound, Http404)):
        return "not-found", 404, _("Finns inte"), _("Det du frågade efter finns inte, eller så når kontot det inte."), {}
    if isinstance(exc, exceptions.MethodNotAllowed):
        return ("method-not-allowed", 405, _("Metoden stöds inte"),
                _("Adressen tar inte emot metoden %(method)s.") % {"method": exc.args[0] if exc.args else ""}, {})
    if isinstance(exc, exceptions.NotAcceptable):
        return ("not-acceptable", 406, _("Svaret kan inte ges i det formatet"),
                _("Svaren är JSON: be om application/json eller application/problem+json."), {})
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return ("unsupported-media-type", 415, _("Fel innehållstyp"),
                _("Skicka kroppen som JSON med Content-Type: application/json."), {})
    if isinstance(exc, exceptions.Throttled):
        return ("rate-limited", 429, _("För många anrop"),
                _("Token har gjort för många anrop på kort tid. Vänta %(seconds)s sekunder.") % {
                    "seconds": exc.wait or 1}, {})
    return None


def exception_handler(exc, context):
    found = _as_problem(exc)
    if found is None:
        return None  # not an error of the caller's: Django's 500 (logged)
    kind, status_code, title, detail, extra = found
    headers = {}
    if status_code == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="varn"'
    if status_code == 429 and getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    return problem_response(kind, status_code, title, detail, headers=headers, **extra)
