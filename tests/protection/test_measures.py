"""Protective measures for future visits (issue 17): recorded by a handler of
a case whose source is a client or a relative, shown to the unit's managers,
coordinators and HR and nobody else, tied to the actor's pseudonym and never
to the client's identity, reviewed on time through the reminder timer,
every change audited, bad input refused with nothing lost, and the texts
removed by gallring with the case's."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from incidents.models import Incident
from notifications.reminders import send_from
from protection import services
from protection.models import ProtectiveMeasure
from retention import thinning
from situation import actors
from tests.factories import incident
from tests.retention.planting import YEAR, case

pytestmark = pytest.mark.django_db
STHLM = ZoneInfo("Europe/Stockholm")
LIST = reverse("protection:list")
PERSONNUMMER = "19811218-9876"


@pytest.fixture
def client_case(city):
    return incident(city.north_a, reporter=city.employee, source="brukare", description="HEMLIG: hembesöket")


def add_url(inc):
    return reverse("protection_case:add", args=[inc.pk])


def post_new(client, inc, **overrides):
    data = {"skydd-kind": "two_staff", "skydd-note": "Alltid två vid hembesök i hushållet.",
            "skydd-review_on": (timezone.localdate() + timedelta(days=90)).isoformat()}
    data.update(overrides)
    return client.post(add_url(inc), {k: v for k, v in data.items() if v is not None})


def test_a_handler_records_a_measure_and_it_is_audited(login, city, client_case):
    response = post_new(login(city.manager), client_case)
    assert response.status_code == 302 and response["Location"].endswith("#skydd")
    measure = ProtectiveMeasure.unscoped.get()
    assert measure.unit == city.north_a and measure.created_by == city.manager and measure.is_active
    entry = AuditEntry.objects.get(action="protection.create")
    assert entry.actor == city.manager and entry.incident_id == client_case.pk
    assert entry.changes["kind"] == [None, "two_staff"]
    assert "Alltid två" not in str(entry.changes)   # free text as a keyed hash
    page = login(city.manager).get(reverse("casework:detail", args=[client_case.pk])).content.decode()
    assert "Två personal vid hembesök" in page and "Registrera en skyddsåtgärd" in page


def test_only_the_units_managers_coordinators_and_hr_see_it(login, city, client_case, client):
    measure = services.add(city.manager, client_case.pk, kind="office_only", note="Bara på kontoret.",
                           review_on=timezone.localdate() + timedelta(days=30))
    detail = reverse("protection:detail", args=[measure.pk])
    for person in (city.manager, city.head_north, city.security, city.hr):
        client.logout()
        c = login(person)
        assert "Möten bara på kontoret" in c.get(LIST).content.decode(), person
        assert "Bara på kontoret." in c.get(detail).content.decode(), person
    assert AuditEntry.objects.filter(action="protection.view", actor=city.hr, incident=client_case).exists()
    for person in (city.manager_south, city.security_south, city.manager_b):
        client.logout()
        c = login(person)
        assert c.get(detail).status_code == 404, person
        assert "Möten bara på kontoret" not in c.get(LIST).content.decode(), person
    for person in (city.employee, city.safety, city.analyst):
        client.logout()
        c = login(person)
        assert c.get(LIST).status_code == 404 and c.get(detail).status_code == 404, person


def test_only_a_case_about_a_client_or_relative_takes_a_measure(login, city):
    colleague_case = incident(city.north_a, reporter=city.employee, source="intern")
    response = post_new(login(city.security), colleague_case)
    assert response.status_code == 400 and "brukare eller anhörig" in response.content.decode()
    assert not ProtectiveMeasure.unscoped.exists()
    relative_case = incident(city.north_a, reporter=city.employee, source="anhorig")
    assert post_new(login(city.security), relative_case).status_code == 302
    # Someone who may not handle the case: 404, or 403 when they may see it.
    other = incident(city.south_a, reporter=city.employee_south, source="brukare")
    assert post_new(login(city.manager), other).status_code == 404
    assert post_new(login(city.safety), relative_case).status_code == 403


def test_a_review_date_in_the_past_is_refused_and_nothing_is_lost(login, city, client_case):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = post_new(login(city.manager), client_case, **{"skydd-review_on": yesterday,
                                                            "skydd-note": "Text som inte får försvinna"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Omprövningsdatumet har redan varit" in page and "Text som inte får försvinna" in page
    assert not ProtectiveMeasure.unscoped.exists()
    nonsense = post_new(login(city.manager), client_case, **{"skydd-review_on": "31/02/2027"})
    assert nonsense.status_code == 400 and "Ange datum som ÅÅÅÅ-MM-DD" in nonsense.content.decode()


def test_the_clients_identity_number_is_refused(login, city, client_case):
    response = post_new(login(city.manager), client_case, **{"skydd-note": f"Gäller {PERSONNUMMER} och familjen"})
    assert response.status_code == 400 and "Skriv inte personnummer" in response.content.decode()
    assert not ProtectiveMeasure.unscoped.exists()


def test_the_measure_shows_the_actors_pseudonym_never_the_identity(login, city, client_case):
    assert actors.set_actor(city.security, client_case, actors.pseudonym(
        actors.parse_identifier(PERSONNUMMER).normalised))
    again = incident(city.north_b, reporter=city.employee, source="anhorig")
    Incident.unscoped.filter(pk=again.pk).update(actor_pseudonym=Incident.unscoped.get(pk=client_case.pk).actor_pseudonym)
    review = timezone.localdate() + timedelta(days=60)
    first = services.add(city.security, client_case.pk, kind="two_staff", review_on=review)
    services.add(city.security, again.pk, kind="guard", review_on=review)
    page = login(city.security).get(LIST).content.decode()
    prefix = Incident.unscoped.get(pk=client_case.pk).actor_pseudonym[:8]
    assert prefix in page and "1 åtgärd till för samma aktör" in page
    assert PERSONNUMMER not in page and "198112189876" not in page and "811218" not in page
    detail = login(city.security).get(reverse("protection:detail", args=[first.pk])).content.decode()
    assert prefix in detail and "811218" not in detail


def test_a_second_concurrent_edit_is_refused_and_keeps_what_was_typed(login, city, client_case, client):
    measure = services.add(city.manager, client_case.pk, kind="two_staff", review_on=timezone.localdate() + timedelta(days=30))
    url = reverse("protection:detail", args=[measure.pk])
    later = (timezone.localdate() + timedelta(days=60)).isoformat()
    first = {"skydd-kind": "two_staff", "skydd-note": "Första", "skydd-review_on": later, "skydd-version": "1"}
    second = {"skydd-kind": "office_only", "skydd-note": "Andras text", "skydd-review_on": later, "skydd-version": "1"}
    assert login(city.manager).post(url, first).status_code == 302
    client.logout()
    response = login(city.security).post(url, second)
    page = response.content.decode()
    assert response.status_code == 409 and "ändrats av någon annan" in page and "Andras text" in page
    assert 'name="skydd-version" value="2"' in page
    assert ProtectiveMeasure.unscoped.get().note == "Första"
    # Having seen the change, saving again goes through.
    assert login(city.security).post(url, {**second, "skydd-version": "2"}).status_code == 302
    changes = [e.changes for e in AuditEntry.objects.filter(action="protection.change").order_by("pk")]
    assert changes[0]["review_on"][1] == later and changes[1]["kind"] == ["two_staff", "office_only"]


def test_ending_needs_a_reason_and_is_audited(login, city, client_case):
    measure = services.add(city.manager, client_case.pk, kind="two_staff", review_on=timezone.localdate() + timedelta(days=30))
    url = reverse("protection:detail", args=[measure.pk])
    refused = login(city.manager).post(url, {"avsluta-reason": " ", "avsluta-version": "1"})
    assert refused.status_code == 400 and "Skriv kort varför åtgärden inte behövs längre." in refused.content.decode()
    assert login(city.manager).post(url, {"avsluta-reason": "Ärendet är avslutat hos oss.", "avsluta-version": "1"}).status_code == 302
    measure.refresh_from_db()
    assert measure.status == "ended" and measure.ended_at
    entry = AuditEntry.objects.get(action="protection.change")
    assert entry.changes["status"] == ["active", "ended"]


def test_the_review_reminds_on_the_day_once_overdue_and_escalates_once(city, client_case, smtp_server):
    measure = services.add(city.manager, client_case.pk, kind="two_staff", review_on=timezone.localdate() + timedelta(days=1))
    ProtectiveMeasure.unscoped.filter(pk=measure.pk).update(review_on=date(2026, 11, 24))
    assert send_from("protection", datetime(2026, 11, 23, 16, tzinfo=STHLM)) == 0
    assert send_from("protection", datetime(2026, 11, 24, 8, tzinfo=STHLM)) > 0
    on_the_day = {a for m in smtp_server.messages for a in m["to"]}
    assert city.manager.email in on_the_day and city.head_north.email not in on_the_day
    assert send_from("protection", datetime(2026, 11, 24, 9, tzinfo=STHLM)) == 0   # once
    smtp_server.messages.clear()
    assert send_from("protection", datetime(2026, 11, 26, 8, tzinfo=STHLM)) > 0
    overdue = {a for m in smtp_server.messages for a in m["to"]}
    assert city.manager.email in overdue and city.head_north.email in overdue   # escalated
    assert send_from("protection", datetime(2026, 11, 27, 8, tzinfo=STHLM)) == 0
    for message in smtp_server.messages:
        assert "HEMLIG" not in message["raw"] and "Två personal" not in message["raw"]
    # Reviewed (a new date): nothing until that day.
    ProtectiveMeasure.unscoped.filter(pk=measure.pk).update(review_on=date(2027, 2, 24))
    assert send_from("protection", datetime(2026, 11, 28, 8, tzinfo=STHLM)) == 0


def test_gallring_removes_the_measures_texts_with_the_cases(city):
    due = case(city.north_a, reporter=city.employee, closed_days_ago=6 * YEAR, label="d")
    young = case(city.north_a, reporter=city.employee, closed_days_ago=YEAR, label="y")
    for inc in (due, young):
        ProtectiveMeasure.unscoped.create(incident=inc, unit=inc.unit, kind="other", note=f"Text {inc.pk}",
                                          review_on=date(2020, 1, 1), status="ended", end_reason="Slut",
                                          created_by=city.manager)
    thinning.run()
    gone = ProtectiveMeasure.unscoped.get(incident=due)
    assert (gone.note, gone.end_reason, gone.kind) == ("", "", "other")
    assert ProtectiveMeasure.unscoped.get(incident=young).note == f"Text {young.pk}"
