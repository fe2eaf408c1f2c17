"""Integration accounts for the API tests: one per role, each holding the
same role assignment as the miniature city's persona (tests/factories.py),
with a token issued as the admin issues it."""
from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiToken, IntegrationProfile
from organisation.models import Role, RoleAssignment, User

# role key → (role, the city's node attribute)
ROLES = {
    "employee": (Role.EMPLOYEE, "north_a"),
    "manager": (Role.MANAGER, "north_a"),
    "security": (Role.SECURITY_COORDINATOR, "north"),
    "hr": (Role.HR, "north"),
    "safety": (Role.SAFETY_REP, "north_a"),
    "analyst": (Role.ANALYST, "city"),
    "committee": (Role.COMMITTEE, "north"),
    "auditor": (Role.AUDITOR, "city"),
    "admin": (Role.ADMIN, "city"),
}


def integration_account(username, *assignments):
    user = User.objects.create(username=username, first_name=username.replace("-", " ").title())
    user.set_unusable_password()
    user.save()
    IntegrationProfile.objects.create(user=user, purpose="Test")
    for role, node in assignments:
        RoleAssignment.objects.create(user=user, role=role, node=node)
    return user


def issue(account, name="Testtoken", days=30):
    return ApiToken.issue(account, name, timezone.now() + timedelta(days=days))


@pytest.fixture
def tokens(city):
    """role key → (account, token) for every role in ROLES."""
    out = {}
    for key, (role, attr) in ROLES.items():
        account = integration_account(f"api-{key}", (role, getattr(city, attr)))
        out[key] = (account, issue(account, f"Token för {key}")[1])
    return out


class Api:
    """The Django test client with a token, speaking JSON."""

    def __init__(self, client, token, language="sv"):
        self.client, self.token, self.language = client, token, language

    def _headers(self, extra):
        headers = {"HTTP_ACCEPT_LANGUAGE": self.language}
        if self.token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        return {**headers, **extra}

    def get(self, url, data=None, **extra):
        return self.client.get(url, data, **self._headers(extra))

    def send(self, method, url, body=None, raw=None, content_type="application/json", **extra):
        import json
        payload = raw if raw is not None else json.dumps(body if body is not None else {}, default=str)
        return getattr(self.client, method)(url, payload, content_type=content_type, **self._headers(extra))

    def post(self, url, body=None, **kw):
        return self.send("post", url, body, **kw)

    def put(self, url, body=None, **kw):
        return self.send("put", url, body, **kw)

    def patch(self, url, body=None, **kw):
        return self.send("patch", url, body, **kw)


@pytest.fixture
def api(client, tokens):
    def _api(role, language="sv"):
        return Api(client, tokens[role][1] if role else None, language)
    return _api
