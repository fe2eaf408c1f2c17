"""The auditor's page and export: each entry in words (names, labels, Swedish
dates), no case text, masked confidential reporters, scope, filters, bad
input and the audited export. Entries are written by the real domain
functions; no mocks."""
import csv
import html
import io
import re
import uuid
import zipfile
from datetime import date, timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from audit.describe import describe
from audit.log import record
from audit.models import AuditEntry
from casework import workflow
from incidents import access
from incidents.models import Action, ChecklistItem, Incident, InfluenceForm, Source
from organisation.models import Role
from reporting import services, thread
from tests.factories import user

pytestmark = pytest.mark.django_db

SECRET_DESCRIPTION = "Klienten Zebulon Kvarnström hotade med kniv vid Gullmarsplan"
SECRET_MESSAGE = "Jag såg Zebulon igen utanför Spiralgatan 7"
SECRET_NOTE = "Gåtfullt skäl Blåbärsgrotta"
SECRET_NA = "Inte aktuellt enligt Ödmjukhetsgränd"
SECRET_ACTION = "Flytta Zebulons ärende till Vintergatan"
SECRET_CLOSING = "Sammanfattning Tallriksmodellen"
SECRET_REASON = "Nytt hot från Morotsvägen"
SECRET_LOCATION = "Hemma hos Zebulon, Pärlgatan 3"
SOUTH_DESCRIPTION = "Mutförsök Söderkåkens hemlighet"
SOUTH_MESSAGE = "Sydmeddelande Kantarellstigen"
SECRETS = [SECRET_DESCRIPTION, SECRET_MESSAGE, SECRET_NOTE, SECRET_NA, "Ödmjukhetsgränd", SECRET_ACTION, SECRET_CLOSING, SECRET_REASON,
           SECRET_LOCATION, "Zebulon", "Gullmarsplan", "Spiralgatan", "Blåbärsgrotta", "Vintergatan",
           "Tallriksmodellen", "Morotsvägen", "Pärlgatan"]


def report(city, reporter, unit, description, identity=Incident.IdentityMode.NAMED, **extra):
    data = {
        "unit": unit, "occurred_at": timezone.now() - timedelta(hours=2), "description": description,
        "forms": InfluenceForm.objects.filter(code__in=["hot", "vald"]), "identity_mode": identity,
        "source": Source.objects.get(code="brukare"), **extra,
    }
    return services.create_report(reporter=reporter, data=data, token=uuid.uuid4()).incident


class Story:
    """A case in the north handled from report to reopening, a confidential
    case, and a case in the south with text of its own."""

    def __init__(self, city):
        self.city = city
        city.manager.first_name, city.manager.last_name = "Johan", "Ekström"
        city.manager.save()
        city.employee.first_name, city.employee.last_name = "Elin", "Berg"
        city.employee.save()
        self.case = report(city, city.employee, city.north_a, SECRET_DESCRIPTION, location=SECRET_LOCATION)
        inc = self.case
        inc = workflow.acknowledge(city.manager, inc.pk, inc.version)
        inc = workflow.assign(city.manager, inc.pk, inc.version, city.head_north)
        inc = workflow.start_investigation(city.manager, inc.pk, inc.version)
        workflow.update_checklist_item(city.manager, inc.pk, ChecklistItem.Code.POLICE,
                                       state=ChecklistItem.State.DONE, done_on=timezone.localdate(),
                                       reference="K123456-26", note=SECRET_NOTE)
        inc = Incident.unscoped.get(pk=inc.pk)
        self.action = workflow.add_action(city.manager, inc.pk, title=SECRET_ACTION, owner=city.manager,
                                          due_date=date(2026, 12, 24))
        workflow.set_action_status(city.manager, self.action.pk, Action.Status.DONE)
        thread.post_message(inc, body=SECRET_MESSAGE, author=city.employee, by_reporter=True)
        for code in ChecklistItem.Code.values:
            item = ChecklistItem.unscoped.get(incident=inc, code=code)
            if item.state == ChecklistItem.State.OPEN:
                workflow.update_checklist_item(city.manager, inc.pk, code,
                                               state=ChecklistItem.State.NOT_APPLICABLE, note=SECRET_NA)
        inc = Incident.unscoped.get(pk=inc.pk)
        inc = workflow.resolve(city.manager, inc.pk, inc.version)
        inc = workflow.close(city.manager, inc.pk, inc.version, SECRET_CLOSING)
        inc = workflow.reopen(city.manager, inc.pk, inc.version, SECRET_REASON)
        self.viewed = inc

        self.confidential = report(city, city.employee, city.north_a, "Konfidentiellt i norr",
                                   identity=Incident.IdentityMode.CONFIDENTIAL)
        thread.post_message(self.confidential, body="Hej", author=city.employee, by_reporter=True)

        city.employee_south.first_name, city.employee_south.last_name = "Sune", "Söderlund"
        city.employee_south.save()
        city.manager_south.first_name, city.manager_south.last_name = "Sigrid", "Sydström"
        city.manager_south.save()
        self.south = report(city, city.employee_south, city.south_a, SOUTH_DESCRIPTION)
        s = workflow.acknowledge(city.manager_south, self.south.pk, self.south.version)
        thread.post_message(s, body=SOUTH_MESSAGE, author=city.manager_south, by_reporter=False)

        self.auditor_north = user("auditor_north", (Role.AUDITOR, city.north))


@pytest.fixture
def story(city):
    return Story(city)


def page_text(client, url="/granskning/", **params):
    response = client.get(url, params)
    return response, response.content.decode()


def results(text: str) -> str:
    """The page below the filter form."""
    return text.split('class="audit-filters"', 1)[1].split("</form>", 1)[1]


def sentences(city, viewer=None, **filters):
    entries = access.auditable_entries(viewer or city.auditor).filter(**filters).order_by("id")
    return [line.sentence for line in describe(entries, viewer or city.auditor)]


# --- in words -----------------------------------------------------------------------

def test_each_kind_of_entry_reads_as_a_swedish_sentence_with_names_and_labels(story, city):
    ref = story.case.reference
    said = sentences(city, incident=story.case)
    assert said[0] == f"Elin Berg skickade in rapporten {ref}."
    assert f"Johan Ekström kvitterade att rapporten {ref} är mottagen." in said
    assert f"Johan Ekström tilldelade ärendet {ref} till Head Testsson." in said
    assert f"Johan Ekström började utreda ärendet {ref}." in said
    assert (f"Johan Ekström satte uppföljningspunkten ”Beslut om polisanmälan” i ärendet {ref} till klart."
            in said)
    assert f"Johan Ekström lade till åtgärd nr {story.action.pk} i ärendet {ref}." in said
    assert f"Johan Ekström markerade åtgärd nr {story.action.pk} i ärendet {ref} som klar." in said
    assert (f"Elin Berg skrev ett meddelande till handläggarna i ärendet {ref} (texten visas inte)."
            in said)
    assert f"Johan Ekström markerade ärendet {ref} som åtgärdat." in said
    assert f"Johan Ekström avslutade ärendet {ref}." in said
    assert f"Johan Ekström öppnade ärendet {ref} igen." in said


def test_changes_show_old_and_new_values_as_labels_names_and_dates(story, city):
    lines = {line.action: line for line in describe(
        access.auditable_entries(city.auditor).filter(incident=story.case).order_by("id"), city.auditor)}
    ack = lines["incident.acknowledge"].details
    assert "Ändrade status från Inkommen till Mottagen" in ack
    assert "Satte handläggare till Johan Ekström" in ack
    assert any(d.startswith("Satte mottagen till ") and str(timezone.localdate().year) in d for d in ack)
    assign = lines["incident.assign"].details
    assert assign == ["Ändrade handläggare från Johan Ekström till Head Testsson"]
    created = lines["incident.create"].details
    assert "Enhet: Ekonomiskt bistånd Norr" in created
    assert "Former av påverkan: Hot, Våld" in created
    assert "Synlighet: Med namn" in created
    assert "Vad som hände: (texten visas inte)" in created
    assert "Plats: (texten visas inte)" in created
    action = lines["action.create"].details
    assert "Ansvarig: Johan Ekström" in action and "Klar senast: 24 december 2026" in action
    assert "Åtgärd: (texten visas inte)" in action


def test_a_single_change_of_a_case_is_the_sentence(story, city):
    inc = Incident.unscoped.get(pk=story.case.pk)
    record(city.manager, "incident.change", inc, incident=inc, changes={"status": ["new", "investigating"]})
    last = describe([AuditEntry.objects.order_by("-id").select_related("incident").first()], city.auditor)[0]
    assert last.sentence == (f"Johan Ekström ändrade status från Inkommen till Under utredning "
                             f"i ärendet {inc.reference}.")


def test_reads_admin_changes_and_unknown_kinds_read_as_sentences(story, city):
    from audit.log import record_view
    record_view(city.manager, story.case)
    record(city.admin, "user.change", city.employee, changes={"is_active": [True, False]})
    record(None, "reminder.sent", story.case, incident=story.case)
    said = [line.sentence for line in describe(
        AuditEntry.objects.order_by("-id").select_related("incident")[:3], city.auditor)]
    assert said[2] == f"Johan Ekström öppnade ärendet {story.case.reference}."
    assert said[1] == "Admin Testsson ändrade användare ”Elin Berg”."
    assert said[0] == f"Systemet gjorde något av slaget ”reminder.sent” i ärendet {story.case.reference}."


# --- no case text, masked reporters --------------------------------------------------

def test_no_case_text_reaches_the_auditor_on_the_page_or_in_the_export(story, city, client):
    client.force_login(city.auditor)
    body = ""
    for n in (1, 2):
        response, text = page_text(client, sida=n)
        assert response.status_code == 200
        body += text
    assert story.case.reference in body and "Johan Ekström" in body
    for fmt in ("csv", "xlsx"):
        body += export_text(client, fmt)
    leaked = [s for s in SECRETS + [SOUTH_DESCRIPTION, SOUTH_MESSAGE] if s in body]
    assert leaked == []
    # The texts are not even in the stored log: only their keyed hashes (audit.log.protect).
    assert not AuditEntry.objects.filter(changes__icontains="Zebulon").exists()


def test_a_confidential_reporter_stays_masked_and_cannot_be_found_by_name(story, city, client):
    client.force_login(city.auditor)
    _response, text = page_text(client, arende=story.confidential.reference)
    assert "Konfidentiell rapportör skickade in rapporten" in text
    assert "Elin Berg" not in text
    # Searching for her name finds her named report, never the confidential one.
    _response, text = page_text(client, person="Elin Berg")
    assert story.case.reference in text
    assert story.confidential.reference not in text
    assert "Konfidentiell" not in text
    assert story.confidential.reference not in export_text(client, "csv", person="Elin")


def test_a_security_coordinator_who_is_also_auditor_sees_the_confidential_reporter(story, city, client):
    from organisation.models import RoleAssignment
    RoleAssignment.objects.create(user=city.security, role=Role.AUDITOR, node=city.north)
    client.force_login(city.security)
    _response, text = page_text(client, arende=story.confidential.reference)
    assert "Elin Berg skickade in rapporten" in text


def test_an_anonymous_reporter_reads_as_anonymous(city, client):
    from django.contrib.auth.models import AnonymousUser

    from audit.log import release_anonymous
    inc = report(city, AnonymousUser(), city.north_a, "Anonymt", identity=Incident.IdentityMode.ANONYMOUS)
    release_anonymous(now=timezone.now() + timedelta(hours=1))  # the timer, once the hour has ended
    client.force_login(city.auditor)
    _response, text = page_text(client, arende=inc.reference)
    assert f"Anonym rapportör skickade in rapporten {inc.reference}." in text


# --- scope --------------------------------------------------------------------------

def test_an_auditor_of_the_north_sees_nothing_of_the_south(story, city, client):
    client.force_login(story.auditor_north)
    _response, text = page_text(client)
    assert story.case.reference in text
    south_words = [story.south.reference, "Sune Söderlund", "Sigrid Sydström",
                   "Ekonomiskt bistånd Syd", SOUTH_DESCRIPTION, SOUTH_MESSAGE]
    for params in ({}, {"arende": story.south.reference}, {"person": "Söderlund"}, {"person": "manager_south"}, {"person": "Sydström"},
                   {"handelse": "grupp:meddelande"}):
        _response, text = page_text(client, **params)
        text = results(text)  # what the auditor typed in the filter is theirs
        exported = export_text(client, "csv", **params)
        assert [w for w in south_words if w in text + exported] == [], params
    # Nor entries without a case (the admin's, the knowledge bank's): those are the city auditor's.
    record(city.admin, "user.change", city.employee_south, changes={"is_active": [True, False]})
    _response, text = page_text(client)
    assert "Sune Söderlund" not in text and "Admin Testsson" not in text


def test_only_auditors_reach_the_log_and_its_export(story, city, client):
    for persona in ("employee", "manager", "security", "analyst", "admin", "nobody"):
        client.force_login(getattr(city, persona))
        for url in ("/granskning/", "/granskning/export.csv", "/granskning/export.xlsx"):
            assert client.get(url).status_code == 404, (persona, url)
    assert not AuditEntry.objects.filter(action="audit.export").exists()


# --- filters ------------------------------------------------------------------------

def test_filters_by_case_person_kind_and_dates(story, city, client):
    client.force_login(city.auditor)
    ref = story.case.reference
    _r, text = page_text(client, arende=ref.lower().replace("-", " "))
    assert ref in text and story.south.reference not in text
    _r, text = page_text(client, arende=str(story.case.pk))
    assert ref in text and story.confidential.reference not in text
    _r, text = page_text(client, person="Sune")
    assert "Sune Söderlund skickade in rapporten" in text and "Johan Ekström" not in text
    _r, text = page_text(client, handelse="incident.acknowledge")
    assert text.count("kvitterade att rapporten") == 2 and "skickade in rapporten" not in text
    _r, text = page_text(client, handelse="grupp:uppfoljning")
    assert "uppföljningspunkten" in text and "kvitterade" not in text
    today = timezone.localdate()
    _r, text = page_text(client, fran=today.isoformat(), till=today.isoformat())
    assert ref in text
    _r, text = page_text(client, till=(today - timedelta(days=1)).isoformat())
    assert "Inga loggposter matchar." in text


def test_the_kind_filter_is_grouped_with_swedish_labels(story, city, client):
    client.force_login(city.auditor)
    _r, text = page_text(client)
    assert '<optgroup label="Handläggning">' in text
    assert '<option value="grupp:uppfoljning">Alla: Uppföljning</option>' in text
    assert ">Uppföljning: Beslut om polisanmälan</option>" in text
    assert ">Kvittens</option>" in text
    assert "incident.acknowledge</option>" not in text


def test_pagination_keeps_the_filter(story, city, client):
    inc = Incident.unscoped.get(pk=story.case.pk)
    from audit.log import record_view
    for _ in range(60):
        record_view(city.manager, inc)
    client.force_login(city.auditor)
    _r, text = page_text(client, arende=inc.reference, handelse="incident.view")
    assert "Sida 1 av 2" in text
    assert f"?arende={inc.reference}&amp;handelse=incident.view&amp;sida=2" in text
    _r, text = page_text(client, arende=inc.reference, handelse="incident.view", sida=2)
    assert "Sida 2 av 2" in text and "öppnade ärendet" in text


@pytest.mark.parametrize("params, field, message", [
    ({"fran": "igår"}, "fran", "Ange datumet som ÅÅÅÅ-MM-DD"),
    ({"till": "2026-02-30"}, "till", "Ange datumet som ÅÅÅÅ-MM-DD"),
    ({"fran": "2026-03-10", "till": "2026-03-01"}, "till", "Till-datumet ligger före från-datumet"),
    ({"fran": "1066-10-14"}, "fran", "Ange ett datum mellan år 2000 och 2099"),
    ({"till": "9999-12-31"}, "till", "Ange ett datum mellan år 2000 och 2099"),
    ({"fran": "99999999999999999999-01-01"}, "fran", "Ange datumet som ÅÅÅÅ-MM-DD"),
    ({"arende": "ABC-123"}, "arende", "Skriv ärendenumret som V-000123"),
    ({"arende": "V-99999999999999999999"}, "arende", "Ärendenumret är för långt"),
    ({"handelse": "grupp:finns-inte"}, "handelse", "Välj en händelse i listan"),
    ({"person": "x" * 500}, "person", "Skriv högst 100 tecken"),
])
def test_bad_filter_input_gets_a_swedish_error_beside_the_field_and_keeps_what_was_typed(
        story, city, client, params, field, message):
    client.force_login(city.auditor)
    for url in ("/granskning/", "/granskning/export.csv", "/granskning/export.xlsx"):
        response, text = page_text(client, url, **params)
        assert response.status_code == 200, url
        assert message in text
        assert f'id="id_{field}_error"' in text
        assert 'aria-invalid="true"' in text
        assert "loggposter" not in results(text)
    for name, value in params.items():
        if name != "handelse":
            assert f'name="{name}" value="{escape(value)}"' in text, name
    assert not AuditEntry.objects.filter(action="audit.export").exists()


@pytest.mark.parametrize("params", [{"arende": "V-\x00123"}, {"person": "Jo\x00han"},
                                    {"handelse": "incident.\x00view"}, {"fran": "2026-01-01\x00"},
                                    {"sida": "\x00"}])
def test_a_control_character_in_any_filter_is_refused_with_a_clear_message(story, city, client, params):
    """Refused in one place for all of Värn (varn.middleware), before any view runs."""
    client.force_login(city.auditor)
    for url in ("/granskning/", "/granskning/export.csv", "/granskning/export.xlsx"):
        response = client.get(url, params)
        assert response.status_code == 400, url
        assert "styrtecken" in response.content.decode()
    assert not AuditEntry.objects.filter(action="audit.export").exists()


@pytest.mark.parametrize("number", ["0", "-1", "99999999999999999999999999", "abc", "1e9", "2.0"])
def test_any_page_number_gives_a_page(story, city, client, number):
    client.force_login(city.auditor)
    response, _text = page_text(client, sida=number)
    assert response.status_code == 200


def test_the_page_reads_names_in_a_few_queries_however_many_entries(story, city, client,
                                                                    django_assert_max_num_queries):
    from audit.log import record_view
    for n in range(40):
        record_view(city.manager if n % 2 else city.security, story.confidential)
    client.force_login(city.auditor)
    with django_assert_max_num_queries(15):
        response, text = page_text(client)
    assert text.count('class="audit-entry"') == 50


def test_a_case_outside_the_scope_is_simply_not_found(story, city, client):
    client.force_login(story.auditor_north)
    response, text = page_text(client, arende=story.south.reference)
    assert response.status_code == 200 and "Inga loggposter matchar." in text


# --- export -------------------------------------------------------------------------

def export_text(client, fmt, **params) -> str:
    response = client.get(f"/granskning/export.{fmt}", params)
    assert response.status_code == 200, response.content[:500]
    content = b"".join(response.streaming_content)
    if fmt == "csv":
        return content.decode("utf-8-sig")
    return html.unescape(xlsx_xml(content))


def xlsx_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return "\n".join(book.read(n).decode() for n in sorted(book.namelist())
                         if n.startswith("xl/") and n.endswith(".xml"))


def test_the_csv_export_has_the_filtered_entries_in_the_same_words(story, city, client):
    client.force_login(city.auditor)
    response = client.get("/granskning/export.csv", {"arende": story.case.reference})
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="granskningslogg-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Post", "Tid", "Vem", "Händelse", "Ärende", "Vad som gjordes", "Ändringar"]
    body = rows[1:]
    assert {row[4] for row in body} == {story.case.reference}
    assert len(body) == AuditEntry.objects.filter(incident=story.case).count()
    ack = next(row for row in body if row[3] == "Kvittens")
    assert ack[2] == "Johan Ekström"
    assert ack[5] == f"Johan Ekström kvitterade att rapporten {story.case.reference} är mottagen."
    assert "Ändrade status från Inkommen till Mottagen" in ack[6]
    assert body[-1][5].startswith("Elin Berg skickade in rapporten")


def test_the_export_is_audited_with_its_filter_and_read_in_words(story, city, client):
    client.force_login(city.auditor)
    export_text(client, "xlsx", arende=story.case.reference, handelse="grupp:handlaggning", fran="2026-01-01")
    entry = AuditEntry.objects.get(action="audit.export")
    assert entry.actor == city.auditor
    assert entry.changes == {"format": [None, "xlsx"], "filter": [None, {
        "arende": story.case.reference, "handelse": "grupp:handlaggning", "fran": "2026-01-01"}]}
    line = describe([entry], city.auditor)[0]
    assert line.sentence == "Auditor Testsson exporterade granskningsloggen som Excel."
    assert line.details == [f"Urval: ärende {story.case.reference}, händelse Handläggning, från 1 januari 2026"]
    # An export holds the log as it was when asked for: the earlier export, not itself.
    rows = export_text(client, "csv", handelse="audit.export").strip().splitlines()[1:]
    assert len(rows) == 1 and "som Excel" in rows[0]
    assert AuditEntry.objects.filter(action="audit.export").count() == 2


def test_the_xlsx_export_has_dates_as_dates_and_a_frozen_filtered_header(story, city, client):
    client.force_login(city.auditor)
    response = client.get("/granskning/export.xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    xml = xlsx_xml(b"".join(response.streaming_content))
    assert 'name="Granskningslogg"' in xml
    assert re.search(r'<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>', xml)
    assert re.search(r'<autoFilter ref="A1:G\d+"/>', xml)
    assert 'formatCode="yyyy-mm-dd hh:mm:ss"' in xml
    # The entry number and the time are numbers (a date is a number with a date format), not text.
    assert re.search(r'<c r="A2"><v>\d+</v></c><c r="B2" s="\d+"><v>\d+\.\d+</v></c>', xml)


def test_a_cell_that_looks_like_a_formula_is_not_one(city, client):
    city.manager.first_name, city.manager.last_name = "=HYPERLINK(\"x\")", ""
    city.manager.save()
    from audit.log import record_view
    record_view(city.manager, city.named)
    client.force_login(city.auditor)
    text = export_text(client, "csv")
    assert ';"\'=HYPERLINK' in text
    xml = xlsx_xml(b"".join(client.get("/granskning/export.xlsx").streaming_content))
    assert "HYPERLINK" in xml and "<f>" not in xml
