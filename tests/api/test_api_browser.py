"""The pages of the API in a real browser: the administrator's token pages
pass axe-core at desktop and phone size, and the docs page (Swagger UI from
our own static files) shows every operation under the strict CSP, with no
inline script or style refused and nothing loaded from elsewhere."""
import re

import pytest

from api.models import ApiToken
from tests.api.conftest import integration_account, issue
from tests.conftest import assert_accessible, browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_administrator_issues_and_revokes_a_token(city, desktop, phone, size):
    from organisation.models import Role
    page = desktop if size == "desktop" else phone
    account = integration_account("hr-systemet", (Role.ADMIN, city.city))
    old = issue(account, "Gammal import")[0]
    browser_login(page, city.admin.username)
    failures = []
    for url, name in (("/admin/api/integrationaccount/", "accounts"),
                      (f"/admin/api/integrationaccount/{account.pk}/change/", "account"),
                      ("/admin/api/integrationaccount/add/", "account-add"),
                      ("/admin/api/apitoken/", "tokens"),
                      (f"/admin/api/apitoken/{old.pk}/change/", "token")):
        assert page.goto(url).status == 200, url
        try:
            assert_accessible(page)
        except AssertionError as error:
            failures.append(str(error))
        screenshot(page, f"api-admin-{name}-{size}")
    page.goto("/admin/api/apitoken/add/")
    page.select_option("#id_account", str(account.pk))
    page.fill("#id_name", "Nattlig import")
    page.click("input[name=_save]")
    page.wait_for_load_state()
    token = page.input_value("#api-token")
    assert re.fullmatch(r"varn_[A-Za-z0-9_-]{43}", token)
    assert page.locator("text=visas bara den här gången").count() == 1
    try:
        assert_accessible(page)
    except AssertionError as error:
        failures.append(str(error))
    screenshot(page, f"api-admin-token-created-{size}")
    # Revoke it from the list.
    row = ApiToken.objects.get(name="Nattlig import")
    page.goto("/admin/api/apitoken/")
    page.check(f"input[name=_selected_action][value='{row.pk}']")
    page.select_option("select[name=action]", "revoke")
    page.click("button[name=index]")
    page.wait_for_load_state()
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_docs_page_works_under_the_strict_csp(live_server, desktop, phone, size):
    page = desktop if size == "desktop" else phone
    refused, foreign = [], []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(live_server.url) else None)
    response = page.goto("/api/docs/")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock-summary", timeout=20000)
    operations = page.locator(".opblock-summary").count()
    assert operations >= 15
    assert page.locator("text=/api/v1/incidents/").first.is_visible()
    screenshot(page, f"api-docs-{size}")
    assert not refused, refused
    assert not foreign, foreign
