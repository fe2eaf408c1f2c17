"""Integration accounts and their tokens, as the administrator makes them in
the admin: the token is shown once, only its digest is stored, an expired
or revoked token (or one of a deactivated account, or of a person) is
refused, its last use is recorded, and what it does is audited under its name."""
import hashlib
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiToken, IntegrationAccount
from audit.models import AuditEntry
from organisation.models import Role, RoleAssignment
from tests.api.conftest import Api, integration_account, issue

pytestmark = pytest.mark.django_db
INCIDENTS = "/api/v1/incidents/"


def _create_account_in_admin(client, city):
    response = client.post("/admin/api/integrationaccount/add/", {
        "username": "hr-systemet", "first_name": "HR-systemet", "email": "", "purpose": "Nattlig import",
        "is_active": "on",
        "assignments-TOTAL_FORMS": "1", "assignments-INITIAL_FORMS": "0",
        "assignments-MIN_NUM_FORMS": "0", "assignments-MAX_NUM_FORMS": "1000",
        "assignments-0-role": Role.SECURITY_COORDINATOR, "assignments-0-node": city.north.pk,
        "assignments-0-active": "on",
        "api_tokens-TOTAL_FORMS": "0", "api_tokens-INITIAL_FORMS": "0",
        "api_tokens-MIN_NUM_FORMS": "0", "api_tokens-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    return IntegrationAccount.objects.get(username="hr-systemet")


def test_the_administrator_issues_a_token_that_is_shown_once_and_stored_hashed(client, city):
    client.force_login(city.admin)
    account = _create_account_in_admin(client, city)
    assert not account.has_usable_password()
    assert RoleAssignment.objects.filter(user=account, role=Role.SECURITY_COORDINATOR, node=city.north).exists()
    expires = (timezone.localtime() + timedelta(days=90)).replace(microsecond=0)
    response = client.post("/admin/api/apitoken/add/", {
        "account": account.pk, "name": "Nattlig import",
        "expires_at_0": expires.strftime("%Y-%m-%d"), "expires_at_1": expires.strftime("%H:%M:%S")})
    assert response.status_code == 200
    page = response.content.decode()
    token = re.search(r'id="api-token"[^>]*>(varn_[A-Za-z0-9_-]+)</textarea>', page).group(1)
    assert "visas bara den här gången" in page
    row = ApiToken.objects.get(account=account)
    # Only the digest is kept: the token is nowhere in the database.
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(ApiToken.objects.values_list()))
    assert not AuditEntry.objects.filter(changes__icontains=token).exists()
    assert row.hint and token.startswith(row.hint) and len(row.hint) < 12
    # Never shown again: not on the token's page, the list or the account's page.
    for url in (f"/admin/api/apitoken/{row.pk}/change/", "/admin/api/apitoken/",
                f"/admin/api/integrationaccount/{account.pk}/change/"):
        shown = client.get(url)
        assert shown.status_code == 200 and token not in shown.content.decode(), url
    assert AuditEntry.objects.filter(action="api_token.create", object_id=str(row.pk)).exists()
    # The token works, for what the account's role reaches.
    client.logout()
    listed = Api(client, token).get(INCIDENTS)
    assert listed.status_code == 200
    assert city.named.pk in {i["id"] for i in listed.json()["results"]}


def test_a_token_records_its_last_use(client, city):
    account = integration_account("bi", (Role.ANALYST, city.city))
    row, token = issue(account)
    assert row.last_used_at is None
    before = timezone.now()
    assert Api(client, token).get("/api/v1/organisation/units/").status_code == 200
    row.refresh_from_db()
    assert row.last_used_at is not None and row.last_used_at >= before


@pytest.mark.parametrize("how", ["expired", "revoked", "account deactivated", "unknown", "a person's account",
                                 "malformed"])
def test_a_token_that_no_longer_holds_is_refused(client, city, how):
    account = integration_account("bi", (Role.SECURITY_COORDINATOR, city.north))
    row, token = issue(account)
    if how == "expired":
        ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif how == "revoked":
        client.force_login(city.admin)
        response = client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [row.pk]})
        assert response.status_code == 302
        row.refresh_from_db()
        assert row.revoked_at is not None
        assert AuditEntry.objects.filter(action="api_token.revoke", object_id=str(row.pk)).exists()
        client.logout()
    elif how == "account deactivated":
        account.is_active = False
        account.save()
    elif how == "unknown":
        token = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    elif how == "a person's account":
        token = ApiToken.issue(city.security, "Personlig", timezone.now() + timedelta(days=1))[1]
    else:
        token = "inte en token"
    response = Api(client, token).get(INCIDENTS)
    assert response.status_code == 401, how
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Namngiven rapport" not in response.content.decode()


def test_every_read_and_change_is_audited_with_the_tokens_name(client, city):
    account = integration_account("arkivet", (Role.SECURITY_COORDINATOR, city.north))
    token = issue(account, "Dokumentarkivet")[1]
    api = Api(client, token)
    assert api.get(f"{INCIDENTS}{city.named.pk}/").status_code == 200
    view = AuditEntry.objects.filter(action="incident.view", incident=city.named).latest("id")
    assert view.actor_id == account.pk and "Dokumentarkivet" in view.actor_label
    response = api.post(f"{INCIDENTS}{city.named.pk}/status/", {"to": "acknowledged", "version": 1})
    assert response.status_code == 200, response.json()
    change = AuditEntry.objects.filter(action="incident.acknowledge", incident=city.named).latest("id")
    assert change.actor_id == account.pk and "Dokumentarkivet" in change.actor_label
    assert change.changes["status"] == ["new", "acknowledged"]
    # The same user on the pages is not labelled with a token afterwards.
    from audit.log import record_view
    entry = record_view(account, city.named)
    assert "Dokumentarkivet" not in entry.actor_label


def test_each_token_has_its_own_rate_limit(client, city, settings):
    settings.API_TOKEN_RATE = "3/m"
    account = integration_account("bi", (Role.ANALYST, city.city))
    first, second = issue(account, "Ett")[1], issue(account, "Två")[1]
    for _ in range(3):
        assert Api(client, first).get("/api/v1/organisation/units/").status_code == 200
    limited = Api(client, first).get("/api/v1/organisation/units/")
    assert limited.status_code == 429
    assert limited["Content-Type"] == "application/problem+json"
    assert int(limited["Retry-After"]) >= 1
    assert limited.json()["title"] == "För många anrop"
    assert Api(client, second).get("/api/v1/organisation/units/").status_code == 200
