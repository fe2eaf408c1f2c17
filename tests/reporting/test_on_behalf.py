"""A report registered on behalf of an employee (issue 17): only for people
in the registrar's scope, only with the employee's consent, routed exactly
as the employee's own report (the manager bypass included), the employee's
own afterwards (Mina rapporter, the thread, the receipt e-mail), and the
audit log names the registrar. Anonymous means no stored link to the
employee. Real database, real SMTP server."""
import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from incidents import access, routing
from incidents.models import Incident, InfluenceForm, Message, ReportDraft, Source
from reporting import services
from tests.reporting.test_reveal import linked_to

pytestmark = pytest.mark.django_db

FOR = reverse("reporting:report_for")
RECIPIENTS = reverse("reporting:recipients")
SECRET = "HEMLIG-TEXT: brukaren hotade medarbetaren i telefon."


def values(city, person, **overrides):
    now = timezone.localtime() - timedelta(hours=1)
    data = {
        "employee": person.pk, "registered_channel": "phone", "consent": "on",
        "description": SECRET, "forms": [InfluenceForm.objects.get(code="hot").pk],
        "occurred_date": now.date().isoformat(), "occurred_time": now.strftime("%H:%M"),
        "unit": city.north_a.pk, "identity_mode": "named", "source": Source.objects.get(code="brukare").pk,
        "police_status": "undecided", "token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def register(client, city, employee, **overrides):
    """Post the on-behalf form as a browser with the script does: with the
    fingerprint of the recipients the page showed."""
    data = values(city, employee, **overrides)
    data["recipients_seen"] = client.post(RECIPIENTS, data).json()["seen"]
    return client.post(FOR, data)


def own_routing(city, employee, source_code, identity="named", may_see=False):
    """Who would receive the employee's own report with these answers."""
    incident = Incident(unit=city.north_a, identity_mode=identity,
                        reporter=None if identity == "anonymous" else employee,
                        bypasses_management=routing.decide_bypass(Source.objects.get(code=source_code), may_see))
    return routing.route(incident)


def names(result):
    return sorted(u.username for u in result.everyone)


@pytest.mark.parametrize("source_code", ["brukare", "intern", "okand"])
@pytest.mark.parametrize("registrar_name", ["security", "manager", "safety"])
def test_an_on_behalf_report_routes_exactly_as_the_employees_own(login, city, source_code, registrar_name):
    registrar = getattr(city, registrar_name)
    client = login(registrar)
    response = register(client, city, city.employee, source=Source.objects.get(code=source_code).pk)
    assert response.status_code == 200, response.content.decode()[:2000]
    incident = Incident.unscoped.get(registered_by=registrar)
    expected = own_routing(city, city.employee, source_code)
    assert names(routing.route(incident)) == names(expected)
    assert incident.reporter == city.employee and incident.bypasses_management == expected.bypass
    if source_code != "brukare":
        # About the employee's own manager (or "vet inte"): the unit's manager never gets it,
        # even when the manager is the one who registered it.
        assert city.manager not in routing.route(incident).everyone
        assert not access.can_see(city.manager, incident)
    else:
        # The coordinator who registered it is among the recipients, as for the employee's own report.
        assert city.security in routing.route(incident).everyone


def test_the_forms_preview_is_for_the_employee_not_the_registrar(login, city):
    """The coordinator receives the employee's report; the preview computed
    for the coordinator as reporter would leave the coordinator out."""
    employee_seen = login(city.employee).post(RECIPIENTS, values(city, city.employee, employee=None)).json()["seen"]
    registrar_seen = login(city.security).post(RECIPIENTS, values(city, city.employee)).json()["seen"]
    own_as_coordinator = login(city.security).post(RECIPIENTS, values(city, city.employee, employee=None)).json()["seen"]
    assert registrar_seen == employee_seen
    assert own_as_coordinator != employee_seen
    assert routing.signature(own_routing(city, city.employee, "brukare")) == registrar_seen
    # The page without the script shows the same recipients as the employee's own form.
    own_page = login(city.employee).get(reverse("reporting:report")).content.decode()
    page = login(city.security).get(FOR, {"medarbetare": city.employee.pk}).content.decode()
    shown = re.search(r'name="recipients_seen" value="([^"]*)"', page).group(1)
    assert shown and shown == re.search(r'name="recipients_seen" value="([^"]*)"', own_page).group(1)


def test_consent_is_required_and_nothing_typed_is_lost(login, city):
    client = login(city.security)
    response = register(client, city, city.employee, consent=None, location="Telefon, receptionen")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Kryssa i att medarbetaren samtycker" in page
    assert SECRET.split(":")[1].strip() in page and "Telefon, receptionen" in page
    assert 'name="employee" value="%d"' % city.employee.pk in page
    assert not Incident.unscoped.filter(registered_by=city.security).exists()
    # The service refuses it too, whatever calls it.
    with pytest.raises(services.OnBehalfRefused):
        services.create_report(reporter=city.employee, registrar=city.security, token=uuid.uuid4(), data={
            "unit": city.north_a, "occurred_at": timezone.now(), "description": SECRET,
            "forms": InfluenceForm.objects.filter(code="hot"), "source": Source.objects.get(code="brukare")})
    assert not Incident.unscoped.filter(description=SECRET).exists()


def test_a_registrar_outside_the_employees_scope_is_refused(login, city):
    # A coordinator of another district: the employee is not theirs to pick.
    client = login(city.security_south)
    assert client.get(FOR, {"medarbetare": city.employee.pk}).status_code == 404
    assert client.post(FOR, values(city, city.employee)).status_code == 404
    assert client.post(RECIPIENTS, values(city, city.employee)).status_code == 404
    assert "?medarbetare=%d\"" % city.employee.pk not in client.get(FOR, {"q": "employee"}).content.decode()
    # An employee, or an analyst, may not register for anyone.
    for person in (city.colleague, city.analyst, city.hr):
        assert login(person).get(FOR).status_code == 404
    with pytest.raises(services.OnBehalfRefused):
        services.create_report(reporter=city.employee, registrar=city.security_south, token=uuid.uuid4(), data={
            "unit": city.north_a, "occurred_at": timezone.now(), "description": SECRET, "consent": True,
            "forms": InfluenceForm.objects.filter(code="hot"), "source": Source.objects.get(code="brukare")})
    assert not Incident.unscoped.filter(description=SECRET).exists()


def test_the_search_finds_only_people_in_the_registrars_scope(login, city):
    city.employee.employee_number = "4711"
    city.employee.save()
    page = login(city.manager).get(FOR, {"q": "testsson"}).content.decode()
    assert "Employee Testsson" in page and "Colleague Testsson" in page
    assert "?medarbetare=%d" % city.employee_south.pk not in page
    assert "?medarbetare=%d" % city.manager.pk not in page   # not themselves
    assert "?medarbetare=%d" % city.employee.pk in login(city.manager).get(FOR, {"q": "4711"}).content.decode()


def test_the_employee_has_it_in_their_list_and_can_add_to_it(login, city, client):
    response = register(login(city.security), city, city.employee, identity_mode="confidential")
    assert "Tack – rapporten är registrerad" in response.content.decode()
    incident = Incident.unscoped.get(registered_by=city.security)
    client.logout()
    employee = login(city.employee)
    assert incident.reference in employee.get(reverse("reporting:mine")).content.decode()
    detail = employee.get(reverse("reporting:mine_detail", args=[incident.pk])).content.decode()
    assert "Registrerad åt dig av" in detail and str(city.security) in detail and "telefonsamtal" in detail
    employee.post(reverse("reporting:mine_detail", args=[incident.pk]), {"body": "Jag vill lägga till en sak."})
    assert Message.unscoped.filter(incident=incident, author=city.employee, by_reporter=True).count() == 1
    # The manager sees "konfidentiell", never the employee, and who registered it.
    case = login(city.manager).get(reverse("casework:detail", args=[incident.pk])).content.decode()
    assert "Konfidentiell" in case and "Employee Testsson" not in case
    assert "Registrerad åt medarbetaren av" in case and str(city.security) in case


def test_the_audit_entry_names_the_registrar_and_the_employee(login, city):
    register(login(city.manager), city, city.employee)
    incident = Incident.unscoped.get(registered_by=city.manager)
    entry = AuditEntry.objects.get(incident=incident, action="incident.create")
    assert entry.actor == city.manager
    assert entry.changes["registered_by"] == [None, str(city.manager.pk)]
    assert entry.changes["reporter"] == [None, str(city.employee.pk)]
    assert entry.changes["consent_recorded"] == [None, True]
    assert entry.changes["registered_channel"] == [None, "phone"]
    assert incident.registered_as == "manager" and incident.consent_recorded
    # Neither person's draft is touched.
    assert not ReportDraft.objects.exists()


def test_an_anonymous_on_behalf_report_stores_no_link_to_the_employee(login, city, client):
    response = register(login(city.security), city, city.employee, identity_mode="anonymous", wants_support="on")
    page = response.content.decode()
    assert response.status_code == 200 and "Medarbetarens kvittokod" in page
    incident = Incident.unscoped.get(registered_by=city.security)
    assert incident.reporter is None and incident.identity_mode == "anonymous"
    # (linked_to's "audit changes" matches any number in the entry: the person fields are checked below.)
    assert [trace for trace in linked_to(city.employee, incident.pk) if trace != "audit changes"] == []
    entry = AuditEntry.objects.get(incident=incident, action="incident.create")
    assert entry.actor == city.security and "reporter" not in entry.changes
    assert entry.changes["registered_by"] == [None, str(city.security.pk)]
    assert city.employee.username not in str(entry.changes) and city.employee.email not in str(entry.changes)
    client.logout()
    assert incident.reference not in login(city.employee).get(reverse("reporting:mine")).content.decode()


def test_the_employee_is_told_by_e_mail_without_content(login, city, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        register(login(city.safety), city, city.employee)
    to_employee = smtp_server.to(city.employee.email)
    assert len(to_employee) == 1
    assert "en rapport har registrerats åt dig" in to_employee[0]["subject"]
    assert "Någon har registrerat rapporten åt dig" in to_employee[0]["body"]
    for message in smtp_server.messages:
        assert "HEMLIG" not in message["raw"] and "Safety" not in message["raw"]
    # The registrar (here the safety representative) is informed as for the employee's own report, no receipt.
    assert [m["subject"] for m in smtp_server.to(city.safety.email)] == ["Värn: en ny rapport i ditt skyddsområde"]


def test_a_double_submission_files_one_report_and_the_retry_shows_the_receipt(login, city):
    client = login(city.security)
    data = values(city, city.employee)
    data["recipients_seen"] = client.post(RECIPIENTS, data).json()["seen"]
    first, second = client.post(FOR, data), client.post(FOR, data)
    assert first.status_code == second.status_code == 200
    assert Incident.unscoped.filter(registered_by=city.security).count() == 1
    assert "Tack – rapporten är registrerad" in second.content.decode()
    # Someone else replaying the token gets nothing.
    assert login(city.manager).post(FOR, data).status_code == 404


def test_changed_answers_are_shown_before_sending(login, city):
    """Without the script (no fingerprint) the server shows who receives it
    and asks for one more press; nothing is filed and nothing is lost."""
    client = login(city.security)
    response = client.post(FOR, values(city, city.employee, source=Source.objects.get(code="intern").pk))
    page = response.content.decode()
    assert "Kontrollera vem som får den" in page and SECRET.split(":")[1].strip() in page
    assert not Incident.unscoped.filter(registered_by=city.security).exists()


def test_after_gallring_the_log_still_hides_the_confidential_employee_not_the_registrar(login, city, client):
    register(login(city.security), city, city.employee, identity_mode="confidential")
    incident = Incident.unscoped.get(registered_by=city.security)
    client.logout()
    login(city.employee).post(reverse("reporting:mine_detail", args=[incident.pk]), {"body": "Ett tillägg."})
    created = AuditEntry.objects.get(incident=incident, action="incident.create")
    written = AuditEntry.objects.get(incident=incident, action="message.create")
    assert access.masked_actor(written, city.auditor) == "konfidentiell rapportör"
    assert access.masked_actor(created, city.auditor) == created.actor_label   # the registrar is not hidden
    # Gallring removes the reporter (and the registrar): the log goes on hiding the employee.
    Incident.unscoped.filter(pk=incident.pk).update(reporter=None, registered_by=None, thinned_at=timezone.now())
    for entry in (created, written):
        entry.refresh_from_db()
    assert access.masked_actor(written, city.auditor) == "konfidentiell rapportör"
    assert access.masked_actor(created, city.auditor) == created.actor_label
    hidden = set(AuditEntry.objects.filter(access.hidden_reporter_entries(city.auditor)).values_list("pk", flat=True))
    assert written.pk in hidden and created.pk not in hidden


def test_the_auditor_reads_who_registered_it_and_not_the_confidential_employee(login, city):
    from audit.describe import describe

    register(login(city.manager), city, city.employee, identity_mode="confidential")
    entry = AuditEntry.objects.get(action="incident.create", actor=city.manager)
    line = describe([entry], city.auditor)[0]
    assert line.actor == str(city.manager) or city.manager.get_full_name() in line.actor
    assert "registrerade rapporten" in line.sentence and "åt en medarbetare" in line.sentence
    text = " ".join([line.sentence, *line.details])
    assert "konfidentiell rapportör" in text and "Employee Testsson" not in text
    # The coordinator of the district may know who it is.
    assert "Employee Testsson" in " ".join(describe([entry], city.security)[0].details)


@pytest.mark.parametrize("value", ["9" * 40, "-1", "abc", ""])
def test_a_nonsense_employee_is_not_found_never_a_500(login, city, value):
    client = login(city.security)
    assert client.get(FOR, {"medarbetare": value}).status_code in (200, 404)
    assert client.post(FOR, values(city, city.employee, employee=value)).status_code == 404
    assert client.post(RECIPIENTS, values(city, city.employee, employee=value)).status_code == 404
