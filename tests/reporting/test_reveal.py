"""An anonymous reporter chooses to reveal who they are from the receipt-code
page (issue 17): nothing links the report to them before, the choice is
asked twice, and afterwards only the district's security coordinator and HR
see who it is."""
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry, PendingAnonymousEntry
from incidents import access
from incidents.models import Incident, InfluenceForm, Source
from notifications.models import SentReminder
from reporting import services

pytestmark = pytest.mark.django_db
FOLLOWUP = reverse("reporting:followup")


@pytest.fixture
def anonymous(city):
    """Filed anonymously by the logged-in employee (the hardest case: the
    account was at hand and must not have been used)."""
    return services.create_report(reporter=city.employee, token=uuid.uuid4(), data={
        "unit": city.north_a, "occurred_at": timezone.now() - timedelta(hours=5),
        "description": "HEMLIG: en anhörig hotade mig på hembesöket.", "identity_mode": "anonymous",
        "forms": InfluenceForm.objects.filter(code="hot"), "source": Source.objects.get(code="anhorig"),
        "wants_support": True})


def linked_to(person, incident_pk) -> list[str]:
    """Every stored trace that ties `person` to the incident."""
    traces = []
    inc = Incident.unscoped.get(pk=incident_pk)
    if inc.reporter_id == person.pk:
        traces.append("incident.reporter")
    if AuditEntry.objects.filter(incident_id=incident_pk, actor=person).exists():
        traces.append("audit")
    if any(str(person.pk) in str(e.changes) or person.username in str(e.changes)
           for e in AuditEntry.objects.filter(incident_id=incident_pk)):
        traces.append("audit changes")
    if PendingAnonymousEntry.objects.filter(incident_id=incident_pk, actor_label__icontains=person.username).exists():
        traces.append("pending audit")
    if SentReminder.objects.filter(recipient=person.email, key__contains=f":{incident_pk}:").exists():
        traces.append("reminders")
    if access.own_reports(person).filter(pk=incident_pk).exists():
        traces.append("own reports")
    return traces


def test_nothing_links_an_anonymous_report_before_the_reveal(login, city, anonymous):
    client = login(city.employee)
    page = client.post(FOLLOWUP, {"code": anonymous.code})
    assert "Vill du berätta vem du är?" in page.content.decode()
    step1 = client.post(FOLLOWUP, {"code": anonymous.code, "reveal": "1"})
    assert "Ja, visa vem jag är" in step1.content.decode()
    # The second step without the tick: refused, nothing changes.
    refused = client.post(FOLLOWUP, {"code": anonymous.code, "reveal": "2"})
    assert refused.status_code == 400 and "Bekräfta att du vill visa vem du är." in refused.content.decode()
    assert linked_to(city.employee, anonymous.incident.pk) == []
    assert Incident.unscoped.get(pk=anonymous.incident.pk).identity_mode == "anonymous"
    for reader in (city.security, city.hr, city.manager, city.safety):
        assert not access.can_identify(reader, Incident.unscoped.get(pk=anonymous.incident.pk))


def test_after_the_reveal_only_the_coordinator_and_hr_know(login, city, anonymous):
    client = login(city.employee)
    done = client.post(FOLLOWUP, {"code": anonymous.code, "reveal": "2", "forstar": "ja"})
    assert done.status_code == 200 and "ser nu att det är du" in done.content.decode()
    inc = Incident.unscoped.get(pk=anonymous.incident.pk)
    assert inc.identity_mode == "confidential" and inc.reporter == city.employee
    assert access.can_identify(city.security, inc) and access.can_identify(city.hr, inc)
    assert not access.can_identify(city.manager, inc) and not access.can_identify(city.safety, inc)
    assert not access.can_identify(city.security_south, inc)
    assert AuditEntry.objects.get(incident=inc, action="incident.reveal").actor == city.employee
    manager_page = login(city.manager).get(reverse("casework:detail", args=[inc.pk])).content.decode()
    assert "Konfidentiell" in manager_page and str(city.employee) not in manager_page
    coordinator_page = login(city.security).get(reverse("casework:detail", args=[inc.pk])).content.decode()
    assert str(city.employee) in coordinator_page
    assert access.own_reports(city.employee).filter(pk=inc.pk).exists()  # now in Mina rapporter


def test_the_reveal_needs_a_login_and_an_anonymous_report(client, city, anonymous):
    page = client.post(FOLLOWUP, {"code": anonymous.code, "reveal": "2", "forstar": "ja"})
    assert page.status_code == 400 and "Logga in först" in page.content.decode()
    assert Incident.unscoped.get(pk=anonymous.incident.pk).identity_mode == "anonymous"
    with pytest.raises(services.RevealRefused):
        services.reveal_identity(city.named, city.employee, confirmed=True)


def test_a_wrong_code_gets_the_same_answer_as_today(client, city, anonymous):
    response = client.post(FOLLOWUP, {"code": "ABCD-EFGH-JKMN-PQRS", "reveal": "2", "forstar": "ja"})
    assert "Koden öppnar ingen rapport" in response.content.decode()
    assert Incident.unscoped.get(pk=anonymous.incident.pk).identity_mode == "anonymous"
