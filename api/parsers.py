"""The API's one body format: a JSON object. A body that is not JSON, or
holds a control character that no text in Värn can hold (NUL and the other
C0 controls except tab and newlines: varn.middleware), is a 400 naming the
field, before any view sees it."""
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

from api.problems import invalid
from varn.middleware import FORBIDDEN


def _forbidden_at(value, path=""):
    if isinstance(value, str):
        return path if any(ch in FORBIDDEN for ch in value) else None
    if isinstance(value, dict):
        for key, inner in value.items():
            where = f"{path}.{key}" if path else str(key)
            if any(ch in FORBIDDEN for ch in str(key)):
                return where
            found = _forbidden_at(inner, where)
            if found is not None:
                return found
    if isinstance(value, list):
        for i, inner in enumerate(value):
            found = _forbidden_at(inner, f"{path}[{i}]")
            if found is not None:
                return found
    return None


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except exceptions.ParseError:
            raise
        except (ValueError, RecursionError) as exc:  # e.g. a number too large to read
            raise exceptions.ParseError() from exc
        where = _forbidden_at(data)
        if where is not None:
            raise invalid([{"field": where, "detail": _(
                "Texten innehåller ett osynligt styrtecken (till exempel NUL) som inte kan sparas.")}])
        return data
