"""Start page, login, errors, case pages and the audit log: each view with a
persona who may, one who may not (404) and an anonymous visitor (login)."""
import pytest
from django.urls import reverse

from audit.models import AuditEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_login(client, city):
    for url in [reverse("home"), reverse("casework:list"), reverse("casework:detail", args=[city.named.pk]),
                reverse("audit:list"), reverse("situation:overview"), reverse("knowledge:index")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_employee_start_page_offers_reporting_first(login, city):
    html = login(city.employee).get(reverse("home")).content.decode()
    assert "Rapportera en händelse" in html
    assert html.index("Rapportera en händelse") < html.index("Mina rapporter")
    assert "Rapporter som väntar på dig" not in html


def test_every_role_can_report_but_after_the_work_of_its_role(login, city):
    for persona, first in (("manager", "Rapporter som väntar på dig"), ("analyst", "Statistik"),
                           ("auditor", "Granskning"), ("admin", "Administration")):
        html = login(getattr(city, persona)).get(reverse("home")).content.decode()
        assert reverse("reporting:report") in html, persona
        assert html.index(first) < html.index("Har du blivit utsatt?"), persona


def test_manager_start_page_shows_waiting_reports_in_scope_only(login, city):
    html = login(city.manager).get(reverse("home")).content.decode()
    assert "Rapporter som väntar på dig" in html
    assert city.named.reference in html
    assert city.south_case.reference not in html
    assert city.north_b_case.reference not in html
    assert city.bypassed.reference not in html


def test_analyst_start_page_shows_statistics_without_cases(login, city):
    html = login(city.analyst).get(reverse("home")).content.decode()
    assert "Statistik" in html
    # The analyst can report too, but statistics come first.
    assert html.index("Statistik") < html.index("Rapportera en händelse")
    assert city.named.reference not in html
    # Six incidents in the city: hot appears in 4 of them, a small count.
    assert "&lt;5" in html


def test_auditor_and_admin_start_pages_point_to_their_tools(login, city):
    assert reverse("audit:list") in login(city.auditor).get(reverse("home")).content.decode()
    assert reverse("admin:index") in login(city.admin).get(reverse("home")).content.decode()


def test_case_page_opens_for_manager_in_scope_and_is_audited(login, city):
    response = login(city.manager).get(reverse("casework:detail", args=[city.named.pk]))
    assert response.status_code == 200
    assert "Namngiven rapport i norr" in response.content.decode()
    entry = AuditEntry.objects.filter(action="incident.view", incident=city.named).get()
    assert entry.actor == city.manager


@pytest.mark.parametrize("persona", ["manager_south", "manager_b", "employee_south", "analyst", "admin", "auditor"])
def test_case_page_is_404_outside_scope(login, city, persona):
    response = login(getattr(city, persona)).get(reverse("casework:detail", args=[city.named.pk]))
    assert response.status_code == 404
    assert "Sidan finns inte" in response.content.decode()
    assert "Namngiven rapport" not in response.content.decode()
    assert not AuditEntry.objects.filter(action="incident.view").exists()


def test_case_page_hides_confidential_reporter_from_manager(login, city):
    html = login(city.manager).get(reverse("casework:detail", args=[city.confidential.pk])).content.decode()
    assert "Konfidentiell" in html
    assert "Employee Testsson" not in html


def test_case_page_shows_confidential_reporter_to_security_coordinator(login, city):
    html = login(city.security).get(reverse("casework:detail", args=[city.confidential.pk])).content.decode()
    assert "Employee Testsson" in html


def test_case_list_is_404_for_roles_without_case_access(login, city):
    assert login(city.employee).get(reverse("casework:list")).status_code == 404
    assert login(city.analyst).get(reverse("casework:list")).status_code == 404


def test_case_list_shows_scope_only(login, city):
    html = login(city.manager).get(reverse("casework:list")).content.decode()
    assert city.named.reference in html and city.south_case.reference not in html


def test_audit_log_is_for_auditors_only(login, city):
    assert login(city.manager).get(reverse("audit:list")).status_code == 404
    assert login(city.auditor).get(reverse("audit:list")).status_code == 200


def test_audit_log_masks_confidential_reporter_for_auditor(login, city, client):
    client.force_login(city.employee)
    client.get(reverse("casework:detail", args=[city.confidential.pk]))  # reporter reads own case
    client.force_login(city.auditor)
    html = client.get(reverse("audit:list")).content.decode()
    assert "Konfidentiell rapportör öppnade ärendet" in html
    assert "Employee Testsson" not in html


def test_audit_log_filter_rejects_garbage_without_error(login, city):
    client = login(city.auditor)
    for value in ["V-abc", "99999999999999999999999", "<script>", "V-1"]:
        assert client.get(reverse("audit:list"), {"arende": value, "handelse": value}).status_code == 200


def test_unknown_url_is_swedish_404_in_layout(login, city):
    response = login(city.employee).get("/finns-inte/")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.content.decode()
    assert '<main id="main"' in response.content.decode()


def test_login_with_wrong_password_gives_clear_error_and_keeps_username(client, city):
    response = client.post(reverse("login"), {"username": "employee_north", "password": "fel"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Inloggningen misslyckades" in html
    assert 'value="employee_north"' in html


def test_login_is_throttled_after_repeated_failures(client, city):
    for _ in range(10):
        client.post(reverse("login"), {"username": "employee_north", "password": "fel"})
    response = client.post(reverse("login"), {"username": "employee_north", "password": PASSWORD})
    assert response.status_code == 429
    assert "För många försök" in response.content.decode()


def test_login_succeeds_and_lands_on_start_page(client, city):
    response = client.post(reverse("login"), {"username": "employee_north", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_logout_requires_post(login, city):
    client = login(city.employee)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302


def test_admin_is_for_administrators_only(login, city):
    assert login(city.admin).get("/admin/organisation/orgunit/").status_code == 200
    response = login(city.manager).get("/admin/organisation/orgunit/", follow=True)
    assert response.status_code == 404


def test_admin_sends_anonymous_visitor_to_login(client, city):
    response = client.get("/admin/organisation/orgunit/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))


def test_admin_is_in_swedish(login, city):
    html = login(city.admin).get("/admin/").content.decode()
    assert "Organisationsträd" in html or "organisationsträd" in html
    assert "Användare" in html


def test_admin_cannot_delete_users(login, city):
    client = login(city.admin)
    response = client.get(f"/admin/organisation/user/{city.employee.pk}/delete/")
    assert response.status_code in (403, 302)
    city.employee.refresh_from_db()


def test_admin_change_is_audited_with_old_and_new_values(login, city):
    client = login(city.admin)
    data = {
        "code": city.north_a.code, "name": "Ekonomiskt bistånd Norra", "kind": "unit",
        "parent": city.north_ifo.pk, "operation_area": city.north_a.operation_area_id, "active": "on",
        "headcounts-TOTAL_FORMS": "0", "headcounts-INITIAL_FORMS": "0",
        "headcounts-MIN_NUM_FORMS": "0", "headcounts-MAX_NUM_FORMS": "1000",
    }
    response = client.post(f"/admin/organisation/orgunit/{city.north_a.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="orgunit.change")
    assert entry.changes["name"] == ["Ekonomiskt bistånd Norr", "Ekonomiskt bistånd Norra"]


def test_security_headers_and_csp_are_strict(login, city):
    response = login(city.employee).get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_language_switch_sets_english(client, city):
    client.force_login(city.employee)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert "Report an incident" in html
    assert 'lang="en"' in html
