"""Sign-in through the real browser against a real OpenID Connect provider
(tests/oidc_provider in its own process): the button, the provider's login,
and back into Värn with the roles the groups map to; the roles follow the
groups at the next sign-in; a deactivated account, a logout and every bad
token."""
import pytest

from audit.models import AuditEntry
from organisation.models import GroupRoleMapping, Role, RoleAssignment, User
from tests.conftest import assert_accessible, screenshot
from tests.signin.conftest import sign_in_at_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def anna(oidc, **changes):
    claims = {"given_name": "Anna", "family_name": "Lindqvist", "email": "anna.lindqvist@example.se",
              "employee_number": "100234", "unit_code": "NORR-EB", "gender": "Kvinna",
              "groups": ["SOC-Norr-Sakerhet", "Alla-anstallda"]}
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    oidc.person("anna", **claims)


def test_first_sign_in_creates_the_account_with_the_mapped_roles(city, oidc, desktop):
    GroupRoleMapping.objects.create(group="SOC-Norr-Sakerhet", role=Role.SECURITY_COORDINATOR, node=city.north)
    anna(oidc)
    desktop.goto("/konto/logga-in/")
    assert desktop.locator("a.button", has_text="Logga in med Stockholms stad").is_visible()
    # The password form is the break-glass login: off unless configured.
    assert desktop.locator("#id_password").count() == 0
    screenshot(desktop, "signin-login-desktop")
    assert_accessible(desktop)

    sign_in_at_provider(desktop, "anna")
    assert desktop.url == desktop.url.split("/konto/")[0].rstrip("/") + "/"
    assert "Logga ut" in desktop.content()
    user = User.objects.get(employee_number="100234")
    assert (user.first_name, user.last_name, user.email, user.gender) == (
        "Anna", "Lindqvist", "anna.lindqvist@example.se", "woman")
    assert user.oidc_subject and not user.has_usable_password()
    assert set(user.assignments.filter(active=True).values_list("role", "node__code", "source")) == {
        (Role.SECURITY_COORDINATOR, "NORR", "idp"), (Role.EMPLOYEE, "NORR-EB", "hr")}
    # A security coordinator at Norr: the cases of Norr, not those of Syd.
    assert desktop.goto(f"/arenden/{city.named.pk}/").status == 200
    assert "Namngiven rapport i norr" in desktop.content()
    assert desktop.goto(f"/arenden/{city.south_case.pk}/").status == 404
    created = AuditEntry.objects.filter(action="roleassignment.create", object_id=str(
        user.assignments.get(role=Role.SECURITY_COORDINATOR).pk)).get()
    assert created.changes["role"] == [None, Role.SECURITY_COORDINATOR]
    screenshot(desktop, "signin-home-desktop")
