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


def test_first_sign_in_creates_the_account_with_the_mapped_roles(city, oidc, desktop, phone):
    GroupRoleMapping.objects.create(group="SOC-Norr-Sakerhet", role=Role.SECURITY_COORDINATOR, node=city.north)
    anna(oidc)
    desktop.goto("/konto/logga-in/")
    assert desktop.locator("a.button", has_text="Logga in med Stockholms stad").is_visible()
    # The password form is the break-glass login: off unless configured.
    assert desktop.locator("#id_password").count() == 0
    screenshot(desktop, "signin-login-desktop")
    assert_accessible(desktop)

    phone.goto("/konto/logga-in/")
    screenshot(phone, "signin-login-phone")
    assert_accessible(phone)

    sign_in_at_provider(desktop, "anna")
    assert desktop.url == desktop.url.split("/konto/")[0].rstrip("/") + "/"
    assert "Logga ut" in desktop.content() and "Inloggad som Anna Lindqvist" in desktop.content()
    screenshot(desktop, "signin-home-desktop")
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


def test_roles_follow_the_groups_at_the_next_sign_in(city, oidc, desktop):
    security = GroupRoleMapping.objects.create(group="SOC-Norr-Sakerhet", role=Role.SECURITY_COORDINATOR,
                                               node=city.north)
    GroupRoleMapping.objects.create(group="SOC-Syd-HR", role=Role.HR, node=city.south)
    anna(oidc)
    sign_in_at_provider(desktop, "anna")
    user = User.objects.get(employee_number="100234")
    # An administrator gave a role by hand: no sign-in takes it away.
    RoleAssignment.objects.create(user=user, role=Role.SAFETY_REP, node=city.north_b)
    desktop.click("button:has-text('Logga ut')")
    desktop.wait_for_load_state()

    # At the provider Anna moved from Norr's security group to Syd's HR, and
    # to another unit; her name changed.
    anna(oidc, groups=["SOC-Syd-HR"], unit_code="SYD-EB", family_name="Berg")
    sign_in_at_provider(desktop, "anna")
    user.refresh_from_db()
    assert user.last_name == "Berg"
    assert set(user.assignments.filter(active=True).values_list("role", "node__code")) == {
        (Role.HR, "SYD"), (Role.EMPLOYEE, "SYD-EB"), (Role.SAFETY_REP, "NORR-BU")}
    removed = user.assignments.get(role=Role.SECURITY_COORDINATOR)
    assert not removed.active  # deactivated, kept for history
    entry = AuditEntry.objects.get(action="roleassignment.change", object_id=str(removed.pk))
    assert entry.changes == {"active": [True, False]}
    assert AuditEntry.objects.filter(action="user.change", object_id=str(user.pk),
                                     changes__last_name=["Lindqvist", "Berg"]).exists()
    assert desktop.goto(f"/arenden/{city.named.pk}/").status == 404
    assert desktop.goto(f"/arenden/{city.south_case.pk}/").status == 200

    # The administrator ends the mapping itself: the role goes at the next sign-in.
    security.delete()
    hr = GroupRoleMapping.objects.get(group="SOC-Syd-HR")
    hr.active = False
    hr.save()
    desktop.click("button:has-text('Logga ut')")
    sign_in_at_provider(desktop, "anna")
    assert set(User.objects.get(pk=user.pk).assignments.filter(active=True).values_list("role", "node__code")) == {
        (Role.EMPLOYEE, "SYD-EB"), (Role.SAFETY_REP, "NORR-BU")}


def test_a_deactivated_account_is_refused_even_with_a_valid_token(city, oidc, desktop, phone):
    GroupRoleMapping.objects.create(group="SOC-Norr-Sakerhet", role=Role.SECURITY_COORDINATOR, node=city.north)
    anna(oidc)
    sign_in_at_provider(desktop, "anna")
    user = User.objects.get(employee_number="100234")
    # HR ends the employment (import_people or the admin deactivates).
    user.is_active = False
    user.save()
    # The open session ends at its next request.
    desktop.goto(f"/arenden/{city.named.pk}/")
    assert "/konto/logga-in/" in desktop.url
    # And a new sign-in with a perfectly valid token is refused.
    sign_in_at_provider(desktop, "anna")
    assert "Ditt konto är inaktiverat" in desktop.content()
    assert "Logga ut" not in desktop.content()
    assert desktop.goto(f"/arenden/{city.named.pk}/").url.endswith(f"/konto/logga-in/?next=/arenden/{city.named.pk}/")
    sign_in_at_provider(phone, "anna")
    assert "Ditt konto är inaktiverat" in phone.content()
    screenshot(phone, "signin-inactive-phone")
    assert_accessible(phone)


def test_logout_ends_the_provider_session_too(city, oidc, desktop):
    anna(oidc)
    sign_in_at_provider(desktop, "anna")
    assert "Logga ut" in desktop.content()
    desktop.click("button:has-text('Logga ut')")
    desktop.wait_for_url("**/konto/logga-in/")
    assert "Logga ut" not in desktop.content()
    # The provider asks for the password again: its session ended with Värn's.
    desktop.click("a.button:has-text('Logga in med')")
    desktop.wait_for_load_state()
    assert desktop.locator("#idp-password").is_visible()


def test_an_ended_provider_session_ends_the_varn_session(city, oidc, desktop, settings):
    settings.OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS = 2
    GroupRoleMapping.objects.create(group="SOC-Norr-Sakerhet", role=Role.SECURITY_COORDINATOR, node=city.north)
    anna(oidc)
    sign_in_at_provider(desktop, "anna")
    desktop.wait_for_timeout(2500)
    # Still signed in at the provider: the silent re-check signs Anna in again
    # and brings her roles up to date (she left the security group).
    anna(oidc, groups=[])
    desktop.goto(f"/arenden/{city.named.pk}/")
    assert "Logga ut" in desktop.content()
    assert not User.objects.get(employee_number="100234").has_role(Role.SECURITY_COORDINATOR)
    # The provider's session ends (revoked): the next check ends Värn's.
    desktop.context.clear_cookies(name="idp_session")
    desktop.wait_for_timeout(2500)
    desktop.goto("/")
    assert "Du har loggats ut" in desktop.content()
    assert "Logga ut" not in desktop.content()
    assert "/konto/logga-in/" in desktop.goto("/").url


def _no_secret_in(page, caplog, oidc):
    from tests.signin.conftest import CLIENT_SECRET, IDP_PASSWORD

    text = page.content() + caplog.text + oidc.log()
    assert CLIENT_SECRET not in text and IDP_PASSWORD not in page.content() + caplog.text
    assert "eyJ" not in page.content() + caplog.text  # no token (a JWT starts so)


@pytest.mark.parametrize("fault", ["issuer", "audience", "signature", "nonce", "expired"])
def test_a_bad_token_is_refused_with_a_page_that_says_what_to_do(city, oidc, desktop, fault, caplog):
    GroupRoleMapping.objects.create(group="SOC-Norr-Sakerhet", role=Role.SECURITY_COORDINATOR, node=city.north)
    anna(oidc)
    oidc.misbehave(fault)
    responses = []
    desktop.on("response", lambda r: responses.append((r.url, r.status)))
    sign_in_at_provider(desktop, "anna")
    assert "Inloggningen kunde inte bekräftas" in desktop.content()
    assert f"Felkod: token-{fault}" in desktop.content()
    assert "Försök logga in igen" in desktop.content()
    assert "Logga ut" not in desktop.content()
    assert [s for u, s in responses if "/konto/oidc/tillbaka/" in u] == [400]
    assert not User.objects.filter(employee_number="100234").exists()
    _no_secret_in(desktop, caplog, oidc)
    if fault == "signature":
        screenshot(desktop, "signin-bad-token-desktop")
        assert_accessible(desktop)
    # The provider behaves again: the same person signs in.
    oidc.misbehave("")
    sign_in_at_provider(desktop, "anna")
    assert "Logga ut" in desktop.content()


def test_a_missing_claim_is_named_on_the_page(city, oidc, phone, caplog):
    GroupRoleMapping.objects.create(group="SOC-Norr-Sakerhet", role=Role.SECURITY_COORDINATOR, node=city.north)
    anna(oidc, employee_number=None)
    sign_in_at_provider(phone, "anna")
    assert "Uppgifter saknas från inloggningstjänsten" in phone.content()
    assert "employee_number" in phone.locator("code").inner_text()
    assert not User.objects.filter(first_name="Anna").exists()
    _no_secret_in(phone, caplog, oidc)
    screenshot(phone, "signin-missing-claim-phone")
    assert_accessible(phone)


def test_groups_that_map_to_nothing_give_no_account(city, oidc, desktop):
    GroupRoleMapping.objects.create(group="SOC-Norr-Sakerhet", role=Role.SECURITY_COORDINATOR, node=city.north)
    anna(oidc, groups=["Okand-grupp", "Alla-anstallda"], unit_code=None)
    sign_in_at_provider(desktop, "anna")
    assert "Du har ingen behörighet i Värn ännu" in desktop.content()
    assert "Logga ut" not in desktop.content()
    assert not User.objects.filter(employee_number="100234").exists()


def test_a_provider_that_is_down_gets_a_clear_page(city, oidc, desktop, settings, caplog):
    from tests.servers import free_port
    from tests.signin.conftest import use_provider

    use_provider(settings, f"http://127.0.0.1:{free_port()}/o")
    desktop.goto("/konto/logga-in/")
    response = None
    with desktop.expect_navigation() as navigation:
        desktop.click("a.button:has-text('Logga in med')")
    response = navigation.value
    assert response.status == 503
    assert "Inloggningstjänsten svarar inte" in desktop.content()
    assert "Försök igen om några minuter" in desktop.content()
    _no_secret_in(desktop, caplog, oidc)
    screenshot(desktop, "signin-provider-down-desktop")
    assert_accessible(desktop)


def test_break_glass_login_is_for_administrators_only(city, oidc, desktop, settings):
    from tests.conftest import browser_login

    # Off: no password form, and a posted password signs no one in.
    assert desktop.goto("/konto/logga-in/").status == 200
    assert desktop.locator("#id_password").count() == 0
    settings.BREAK_GLASS_LOGIN = True
    browser_login(desktop, city.manager.username)
    # Refused, and in the same words as a wrong password (no oracle for passwords).
    assert "Kontrollera användarnamn och lösenord" in desktop.content()
    assert "Logga ut" not in desktop.content()
    screenshot(desktop, "signin-break-glass-desktop")
    assert_accessible(desktop)
    browser_login(desktop, city.admin.username)
    assert "Logga ut" in desktop.content()
    assert desktop.goto("/admin/").status == 200


def test_a_replayed_callback_signs_no_one_in(city, oidc, desktop, browser, live_server):
    anna(oidc)
    callbacks = []
    desktop.on("request", lambda r: callbacks.append(r.url) if "/konto/oidc/tillbaka/?code=" in r.url else None)
    sign_in_at_provider(desktop, "anna")
    assert "Logga ut" in desktop.content() and len(callbacks) == 1
    # The same code and state in another browser: its session never started a sign-in.
    other = browser.new_context(base_url=live_server.url, locale="sv-SE").new_page()
    response = other.goto(callbacks[0])
    assert response.status == 400
    assert "Inloggningen hann gå ut" in other.content() and "Logga ut" not in other.content()
    # And again in the first browser: the state was used up.
    assert desktop.goto(callbacks[0]).status == 400
    other.context.close()


@pytest.mark.parametrize("fault,status,title", [
    ("token_down", 503, "Inloggningstjänsten svarar inte"),
    ("token_refused", 400, "Inloggningen godtogs inte"),
])
def test_a_token_endpoint_that_fails_gets_a_clear_page(city, oidc, desktop, caplog, fault, status, title):
    anna(oidc)
    oidc.misbehave(fault)
    responses = []
    desktop.on("response", lambda r: responses.append((r.url, r.status)))
    sign_in_at_provider(desktop, "anna")
    assert title in desktop.content() and "Logga ut" not in desktop.content()
    assert [s for u, s in responses if "/konto/oidc/tillbaka/" in u] == [status]
    _no_secret_in(desktop, caplog, oidc)
    assert "invalid_grant" not in caplog.text  # the provider's own words are not logged
