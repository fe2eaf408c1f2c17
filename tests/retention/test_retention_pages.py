"""The gallring pages: rules with floors and reasons, holds by the security
coordinator and HR only, runs for the auditor, the register extract."""
import json

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from incidents.models import Incident, Message, ReportDraft
from notifications.reminders import send_from
from retention import thinning
from retention.models import Hold, RetentionRule
from tests.retention.planting import YEAR, case, draft

pytestmark = pytest.mark.django_db


def test_the_overview_shows_the_preview_and_is_the_administrators_only(city, client, login):
    case(city.north_a, reporter=city.employee, closed_days_ago=6 * YEAR, label="a")
    for person in (city.security, city.hr, city.auditor, city.employee):
        login(person)
        assert client.get(reverse("retention:overview")).status_code == 404
    login(city.admin)
    page = client.get(reverse("retention:overview")).content.decode()
    assert "Rapportörens identitet" in page and "1 ärende gallras." in page
    assert "Beskrivning a" not in page


@pytest.mark.parametrize("data,message", [
    ({"period": "1"}, "får inte gallras tidigare än 2 år efter avslut"),
    ({"keep_forever": "on", "reason": "  "}, "Att bevara för alltid kräver ett skäl"),
    ({"period": "12"}, "Ärendets uppgifter ska gallras före granskningsloggen"),
    ({"period": "tre"}, "Skriv ett heltal."),
    ({"period": ""}, "Ange en tid, eller välj att bevara för alltid med ett skäl."),
])
def test_a_rule_below_the_floor_or_forever_without_reason_is_refused_and_keeps_the_input(
        city, client, login, data, message):
    login(city.admin)
    response = client.post(reverse("retention:rule", args=["texts"]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    if data.get("period"):
        assert f'value="{data["period"]}"' in page
    assert not RetentionRule.objects.exists()


def test_a_rule_is_saved_audited_and_used_by_the_next_run(city, client, login):
    inc = case(city.north_a, reporter=city.employee, closed_days_ago=3 * YEAR, label="r")
    login(city.admin)
    response = client.post(reverse("retention:rule", args=["texts"]), {"period": "2"})
    assert response.status_code == 302
    assert RetentionRule.objects.get(kind="texts").period == 2
    entry = AuditEntry.objects.get(action="retention.rule.change")
    assert entry.changes["period"] == [5, 2]
    thinning.run()
    row = Incident.unscoped.get(pk=inc.pk)
    assert row.description == "" and row.reporter == city.employee  # identity: still 5 years
    client.post(reverse("retention:rule", args=["audit"]), {"period": "4"})
    assert "ska sparas längre än ärendenas uppgifter" in client.post(
        reverse("retention:rule", args=["audit"]), {"period": "4"}).content.decode()
    response = client.post(reverse("retention:rule", args=["drafts"]),
                           {"keep_forever": "on", "reason": "Arkivmyndighetens beslut 2026:4"})
    assert response.status_code == 302 and RetentionRule.objects.get(kind="drafts").keep_forever


def test_holds_are_placed_and_lifted_by_coordinator_and_hr_in_scope_only(city, client, login):
    inc = case(city.north_a, reporter=city.employee, closed_days_ago=6 * YEAR, label="h")
    south = case(city.south_a, reporter=city.employee_south, closed_days_ago=6 * YEAR, label="s")
    for person in (city.manager, city.admin, city.employee, city.auditor):
        login(person)
        assert client.get(reverse("retention:holds")).status_code == 404
    login(city.security)
    response = client.post(reverse("retention:holds"), {"case": south.reference, "reason": "police"})
    assert "Det finns inget ärende med det numret som du kan bevara" in response.content.decode()
    assert f'value="{south.reference}"' in response.content.decode()
    assert not Hold.objects.exists()
    response = client.post(reverse("retention:holds"), {"case": inc.reference.lower(), "reason": "police"})
    assert response.status_code == 302
    hold = Hold.objects.get()
    assert hold.incident == inc and hold.placed_by == city.security
    page = client.get(reverse("retention:holds")).content.decode()
    assert inc.reference in page and "Polisutredning" in page
    thinning.run()
    assert Incident.unscoped.get(pk=inc.pk).description == "Beskrivning h"
    login(city.security_south)
    assert client.post(reverse("retention:lift", args=[hold.pk])).status_code == 404
    login(city.hr)
    assert client.post(reverse("retention:lift", args=[hold.pk])).status_code == 302
    assert Hold.objects.get().lifted_by == city.hr
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="retention.hold").order_by("id")] == [
        "retention.hold.place", "retention.hold.lift"]
    thinning.run()
    assert Incident.unscoped.get(pk=inc.pk).description == ""


def test_a_hold_is_reminded_once_a_year(city, settings):
    inc = case(city.north_a, reporter=city.employee, closed_days_ago=6 * YEAR, label="y")
    hold = Hold.objects.create(incident=inc, reason=Hold.Reason.LEGAL, placed_by=city.hr)
    assert send_from("retention") == 0
    Hold.objects.filter(pk=hold.pk).update(placed_at=timezone.now() - timezone.timedelta(days=370))
    assert send_from("retention") == 1
    assert send_from("retention") == 0
    message = mail.outbox[-1]
    assert message.to == [city.hr.email] and inc.reference in message.body and "rättslig tvist" in message.body
    assert "Beskrivning" not in message.body
    Hold.objects.filter(pk=hold.pk).update(placed_at=timezone.now() - timezone.timedelta(days=2 * 365 + 5))
    assert send_from("retention") == 1


def test_the_auditor_lists_runs_and_reads_the_thinning_in_words(city, client, login):
    inc = case(city.north_a, reporter=city.employee, closed_days_ago=6 * YEAR, label="w")
    thinning.run()
    login(city.employee)
    assert client.get(reverse("retention:runs")).status_code == 404
    login(city.auditor)
    page = client.get(reverse("retention:runs")).content.decode()
    assert "Rapportörens identitet: 1" in page
    log = client.get(reverse("audit:list")).content.decode()
    assert "Gallringen tog bort" in log and inc.reference in log and "Beskrivning w" not in log
    assert "Gallringskörning" in log


def test_the_extract_has_the_reporters_data_and_nobody_elses_and_no_anonymous_report(city, client, login):
    mine = case(city.north_a, reporter=city.employee, closed_days_ago=10, label="mine")
    conf = case(city.north_a, reporter=city.employee, identity=Incident.IdentityMode.CONFIDENTIAL,
                closed_days_ago=10, label="conf")
    case(city.north_a, identity=Incident.IdentityMode.ANONYMOUS, closed_days_ago=10, label="anon")
    case(city.north_a, reporter=city.colleague, closed_days_ago=10, label="other")
    draft(city.employee, 1)
    login(city.employee)
    assert "Anonyma rapporter finns inte med" in client.get(reverse("retention:my_extract")).content.decode()
    response = client.post(reverse("retention:my_extract"))
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    refs = {r["ärende"] for r in data["rapporter"]}
    assert {mine.reference, conf.reference} <= refs
    assert refs == {r.reference for r in Incident.unscoped.filter(reporter=city.employee)}
    text = response.content.decode()
    assert "Beskrivning mine" in text and "Meddelande conf" in text and "bild-mine-0.pdf" in text
    assert "Utkast employee_north" in text
    assert "anon" not in text.replace("Anonyma", "") and "Beskrivning other" not in text
    assert "Anonym rapport i norr" not in text
    assert AuditEntry.objects.filter(action="retention.extract", actor=city.employee).count() == 1


def test_the_extract_reads_threads_and_attachments_once_however_many_reports(city):
    """The extract asks the same number of queries for one report as for
    six, each with its message and attachment (no query per report)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from retention import extract

    def count():
        with CaptureQueriesContext(connection) as queries:
            data = extract.build(city.employee)
        return len(queries), data

    before, few = count()
    for n in range(5):
        case(city.north_a, reporter=city.employee, closed_days_ago=10, label=f"many{n}", files=1)
    after, many = count()
    assert after == before
    assert len(many["rapporter"]) == len(few["rapporter"]) + 5
    assert {"Meddelande many4"} <= {m["text"] for r in many["rapporter"] for m in r["meddelanden"]}
    assert "bild-many0-0.pdf" in {a["filnamn"] for r in many["rapporter"] for a in r["bilagor"]}


def test_hr_produces_an_extract_for_a_person_on_request(city, client, login):
    case(city.north_a, reporter=city.colleague, closed_days_ago=10, label="col")
    login(city.manager)
    assert client.get(reverse("retention:hr_extract")).status_code == 404
    login(city.hr)
    response = client.post(reverse("retention:hr_extract"), {"person": "okänd@example.se"})
    assert "Det finns ingen användare" in response.content.decode()
    assert 'value="okänd@example.se"' in response.content.decode()
    response = client.post(reverse("retention:hr_extract"), {"person": city.colleague.email})
    data = json.loads(response.content)
    assert sorted(r["vad som hände"] for r in data["rapporter"]) == ["Beskrivning col", "Rapport om egen chef i norr"]
    entry = AuditEntry.objects.get(action="retention.extract")
    assert entry.actor == city.hr and entry.changes["subject"] == [None, str(city.colleague.pk)]


def test_a_thinned_reports_messages_are_not_in_the_extract_any_more(city, client, login):
    inc = case(city.north_a, reporter=city.employee, closed_days_ago=6 * YEAR, label="gone")
    thinning.run()
    login(city.employee)
    data = json.loads(client.post(reverse("retention:my_extract")).content)
    assert inc.reference not in {r["ärende"] for r in data["rapporter"]}
    assert not Message.unscoped.filter(incident=inc).exists() and not ReportDraft.objects.exists()


def test_hr_produces_extracts_only_for_people_in_their_own_subtree(city, client, login):
    """HR in the north may not produce the extract of someone in the south,
    who has a report with a description, a message and an attachment
    that would leak; the answer is the same 404 as for nobody at all."""
    from django.http import Http404

    from retention import extract

    case(city.south_a, reporter=city.employee_south, closed_days_ago=10, label="syd")
    for person in (city.security, city.admin, city.manager):
        login(person)
        assert client.get(reverse("retention:hr_extract")).status_code == 404
    login(city.hr)
    for typed in (city.employee_south.username, city.employee_south.email, "finns-inte"):
        response = client.post(reverse("retention:hr_extract"), {"person": typed})
        page = response.content.decode()
        assert response.status_code == 404 and "i det område där du är HR" in page, typed
        assert f'value="{typed}"' in page  # what was typed stays
        assert "Beskrivning syd" not in page and "Mutförsök i syd" not in page
    assert not AuditEntry.objects.filter(action="retention.extract").exists()
    with pytest.raises(Http404):
        extract.for_person(city.hr, city.employee_south)
    # The south's own HR may.
    from organisation.models import Role, RoleAssignment

    RoleAssignment.objects.create(user=city.security_south, role=Role.HR, node=city.south)
    login(city.security_south)
    data = json.loads(client.post(reverse("retention:hr_extract"), {"person": city.employee_south.email}).content)
    assert "Beskrivning syd" in {r["vad som hände"] for r in data["rapporter"]}


def test_the_archivist_sets_the_schedule_and_sees_preview_and_runs_but_reads_no_case(city, client, login):
    inc = case(city.north_a, reporter=city.employee, closed_days_ago=6 * YEAR, label="ark")
    login(city.archivist)
    page = client.get(reverse("retention:overview")).content.decode()
    assert "1 ärende gallras." in page and "Beskrivning ark" not in page
    assert client.post(reverse("retention:rule", args=["texts"]), {"period": "6"}).status_code == 302
    assert RetentionRule.objects.get(kind="texts").period == 6
    assert AuditEntry.objects.get(action="retention.rule.change").actor == city.archivist
    assert client.get(reverse("retention:runs")).status_code == 200
    # No case, no hold, no extract, no admin, no audit log.
    for url in (reverse("casework:detail", args=[inc.pk]), reverse("casework:list"),
                reverse("retention:holds"), reverse("retention:hr_extract"), reverse("audit:list")):
        assert client.get(url).status_code == 404, url
    assert client.get("/admin/").status_code in (302, 403, 404)
    assert not AuditEntry.objects.filter(action="incident.view", actor=city.archivist).exists()
