"""The provider's directory: a JSON file the tests write and the provider
reads on every request.

{"users": {"anna": {"password": "…", "claims": {"given_name": "Anna", …}}},
 "misbehave": ""}
"""
import json
import os

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User


def read() -> dict:
    with open(os.environ["IDP_DIRECTORY"], encoding="utf-8") as f:
        return json.load(f)


def person(username: str) -> dict:
    return read()["users"].get(username) or {}


class DirectoryBackend(ModelBackend):
    """A password login checked against the directory; the Django user (whose
    id is the stable subject) is created at the first login."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        entry = person(username or "")
        if not entry or entry.get("password") != password:
            return None
        user, _created = User.objects.get_or_create(username=username)
        return user
