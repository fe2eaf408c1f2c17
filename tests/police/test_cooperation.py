"""The cooperation agreement, its meetings and measures: who may record
them, the meeting rhythm as duties in the annual cycle, the document stored
like an attachment, bad input, and the meeting's pack for the police as a
PDF whose text holds no personal data."""
import io
import re
import subprocess
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from audit.models import AuditEntry
from cycle.models import Duty, DutyOccurrence
from incidents.models import Incident
from police import areas, cooperation
from police.models import Agreement, Measure, Meeting, PoliceArea
from tests.factories import incident

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _today():
    """Today as each test starts, not as the module was collected: a run
    that passes midnight keeps its dates right."""
    global TODAY
    TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def area(city):
    areas.import_csv("enhet;lokalpolisomrade;polisregion\nNORR;Järva;Polisregion Stockholm\n"
                     "SYD;Järva;Polisregion Stockholm\n".encode())
    return PoliceArea.objects.get(name="Järva")


def agreement_data(city, area, **override):
    data = {"node": city.north.pk, "area": area.pk, "city_party": "Norra stadsdelsnämnden",
            "police_party": "Lokalpolisområde Järva, Polisregion Stockholm",
            "valid_from": date(TODAY.year, 1, 1).isoformat(), "valid_to": date(TODAY.year + 2, 12, 31).isoformat(),
            "city_contact": "Säkerhetssamordnare", "police_contact": "Kommunpolis", "rhythm": "quarterly",
            "meeting_day": "15"}
    data.update(override)
    return data


def make_agreement(city, area, user=None):
    agreement = Agreement(node=city.north, area=area, city_party="Norra stadsdelsnämnden",
                          police_party="Lokalpolisområde Järva", valid_from=date(TODAY.year, 1, 1),
                          valid_to=date(TODAY.year + 2, 12, 31), city_contact="Säkerhetssamordnare",
                          police_contact="Kommunpolis", rhythm="tertial", meeting_day=10)
    return cooperation.save_agreement(user or city.security, agreement)


def test_the_coordinator_records_the_agreement_and_its_rhythm_becomes_duties(login, city, area):
    client = login(city.security)
    document = SimpleUploadedFile("overenskommelse.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("police:agreement_create"), {**agreement_data(city, area), "document": document})
    assert response.status_code == 302, response.content.decode()[:3000]
    agreement = Agreement.objects.get()
    assert agreement.document.name.startswith("agreements/") and "overenskommelse" not in agreement.document.name
    assert agreement.document_name == "overenskommelse.pdf"
    duty = agreement.duty
    assert duty.kind == Duty.Kind.POLICE_MEETING and duty.node == city.north and duty.owner == city.security
    assert duty.custom_days == ["03-15", "06-15", "09-15", "12-15"]
    dues = set(DutyOccurrence.objects.filter(duty=duty, due_date__year=TODAY.year).values_list("due_date", flat=True))
    assert dues == {date(TODAY.year, m, 15) for m in (3, 6, 9, 12)}
    assert AuditEntry.objects.filter(action="police.agreement.create").exists()
    # The rhythm changes: so do the duty's dates.
    response = client.post(reverse("police:agreement_edit", args=[agreement.pk]),
                           agreement_data(city, area, rhythm="half_yearly", meeting_day="20"))
    assert response.status_code == 302
    duty.refresh_from_db()
    assert duty.custom_days == ["05-20", "11-20"]
    entry = AuditEntry.objects.get(action="police.agreement.change")
    assert entry.changes["rhythm"] == ["quarterly", "half_yearly"]
    # The document is downloaded as the file it was, and the download is logged.
    response = client.get(reverse("police:agreement_document", args=[agreement.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert AuditEntry.objects.filter(action="police.agreement.download").exists()


def test_a_replaced_document_leaves_no_file_behind(city, area, django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage
    agreement = make_agreement(city, area)
    with django_capture_on_commit_callbacks(execute=True):
        cooperation.save_agreement(city.security, agreement,
                                   SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"))
    first = Agreement.objects.get().document.name
    agreement = Agreement.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        cooperation.save_agreement(city.security, agreement,
                                   SimpleUploadedFile("b.pdf", PDF, content_type="application/pdf"))
    assert not default_storage.exists(first)
    assert default_storage.exists(Agreement.objects.get().document.name)


def test_an_image_of_the_signed_agreement_loses_its_metadata(city, area):
    buffer = io.BytesIO()
    image = Image.new("RGB", (40, 30), "white")
    exif = Image.Exif()
    exif[0x010F] = "Telefonens tillverkare"  # Make
    image.save(buffer, format="JPEG", exif=exif)
    agreement = make_agreement(city, area)
    cooperation.save_agreement(city.security, agreement,
                               SimpleUploadedFile("signerad.jpg", buffer.getvalue(), content_type="image/jpeg"))
    stored = Agreement.objects.get()
    with stored.document.open("rb") as handle:
        data = handle.read()
    assert b"Telefonens" not in data and stored.document_type == "image/jpeg"


def test_bad_agreement_input_is_refused_and_kept(login, city, area):
    client = login(city.security)
    response = client.post(reverse("police:agreement_create"), {
        **agreement_data(city, area, valid_to=date(TODAY.year - 1, 1, 1).isoformat(), meeting_day="31"),
        "document": SimpleUploadedFile("avtal.docx", b"PK\x03\x04 not a pdf", content_type="application/msword")})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Slutdatumet är före startdatumet" in text and "mellan 1 och 28" in text
    assert 'value="Norra stadsdelsnämnden"' in text
    assert not Agreement.objects.exists() and not Duty.objects.exists()
    response = client.post(reverse("police:agreement_create"), {
        **agreement_data(city, area), "document": SimpleUploadedFile("avtal.docx", b"PK\x03\x04 x" * 20)})
    assert response.status_code == 400 and "inte en bild" in response.content.decode()
    assert not Agreement.objects.exists()


def test_only_the_districts_coordinator_and_hr_reach_its_cooperation(login, city, area):
    agreement = make_agreement(city, area)
    meeting = cooperation.create_meeting(city.security, agreement.pk, held_on=TODAY,
                                         period_start=TODAY - timedelta(days=90), period_end=TODAY)
    measure = cooperation.add_measure(city.security, meeting.pk, title="Gemensam trygghetsvandring i centrum",
                                      side="police", owner="Kommunpolisen", due_date=TODAY + timedelta(days=30))
    assert login(city.hr).get(reverse("police:agreement", args=[agreement.pk])).status_code == 200
    urls = [reverse("police:agreement", args=[agreement.pk]), reverse("police:agreement_edit", args=[agreement.pk]),
            reverse("police:agreement_document", args=[agreement.pk]), reverse("police:meeting", args=[meeting.pk]),
            reverse("police:meeting_pack", args=[meeting.pk])]
    posts = [reverse("police:meeting_create", args=[agreement.pk]), reverse("police:meeting_notes", args=[meeting.pk]),
             reverse("police:measure_create", args=[meeting.pk]), reverse("police:measure_status", args=[measure.pk])]
    for stranger in (city.security_south, city.manager, city.analyst, city.committee, city.employee):
        client = login(stranger)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 404, (stranger.username, url)
            assert "trygghetsvandring" not in response.content.decode()
        for url in posts:
            assert client.post(url, {"status": "done", "notes": "x", "title": "x", "side": "city", "owner": "x",
                                     "due_date": TODAY.isoformat(), "held_on": TODAY.isoformat(),
                                     "period_start": TODAY.isoformat(),
                                     "period_end": TODAY.isoformat()}).status_code == 404
    measure.refresh_from_db()
    assert measure.status == "open" and Meeting.objects.count() == 1 and Measure.objects.count() == 1
    assert login(city.security_south).get(reverse("police:agreements")).content.decode().count("Järva") == 0


def test_a_measure_without_owner_or_deadline_is_refused_clearly(login, city, area):
    agreement = make_agreement(city, area)
    meeting = cooperation.create_meeting(city.security, agreement.pk, held_on=TODAY,
                                         period_start=TODAY - timedelta(days=90), period_end=TODAY)
    client = login(city.security)
    url = reverse("police:measure_create", args=[meeting.pk])
    response = client.post(url, {"title": "Fler kontroller vid entrén", "side": "city", "owner": " "})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Ange vem som ansvarar" in text and "En åtgärd utan slutdatum följs inte upp" in text
    assert 'value="Fler kontroller vid entrén"' in text
    response = client.post(url, {"title": "Fler kontroller", "owner": "Kommunpolisen",
                                 "due_date": (TODAY - timedelta(days=1)).isoformat()})
    text = response.content.decode()
    assert response.status_code == 400 and "Välj om staden eller polisen" in text and "före mötet" in text
    assert not Measure.objects.exists()
    with pytest.raises(cooperation.Invalid) as caught:
        cooperation.add_measure(city.security, meeting.pk, title="x", side="city", owner="", due_date=None)
    assert set(caught.value.errors) == {"owner", "due_date"}
    response = client.post(url, {"title": "Fler kontroller", "side": "police", "owner": "Kommunpolisen",
                                 "due_date": (TODAY + timedelta(days=14)).isoformat()})
    assert response.status_code == 302
    measure = Measure.objects.get()
    response = client.post(reverse("police:measure_status", args=[measure.pk]), {"status": "done"})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.status, measure.done_on) == ("done", TODAY)
    assert AuditEntry.objects.get(action="police.measure.change").changes["status"] == ["open", "done"]


def test_the_meeting_page_carries_open_measures_and_notes(login, city, area):
    agreement = make_agreement(city, area)
    first = cooperation.create_meeting(city.security, agreement.pk, held_on=TODAY - timedelta(days=60),
                                       period_start=TODAY - timedelta(days=150), period_end=TODAY - timedelta(days=61))
    cooperation.add_measure(city.security, first.pk, title="Larmknapp i receptionen", side="city",
                            owner="Enhetschef", due_date=TODAY + timedelta(days=5))
    second = cooperation.create_meeting(city.security, agreement.pk, held_on=TODAY,
                                        period_start=TODAY - timedelta(days=60), period_end=TODAY)
    client = login(city.security)
    text = client.get(reverse("police:meeting", args=[second.pk])).content.decode()
    assert "Larmknapp i receptionen" in text
    response = client.post(reverse("police:meeting_notes", args=[second.pk]), {"notes": "Polisen tar upp frågan."})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.notes == "Polisen tar upp frågan."
    entry = AuditEntry.objects.get(action="police.meeting.notes")
    assert "Polisen tar upp" not in str(entry.changes)  # free text as a keyed hash


# --- the pack contains no personal data -------------------------------------------------

def pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


PERSONAL = {
    "description": "Klienten Kalle Karlsson hotade att bränna ned kontoret",
    "location": "Storgatan 12, lägenhet 1102",
    "police_reference": "K7654321-26",
    "police_reason": "Vill inte peka ut sin granne Olle",
    "closing_summary": "Kalle fick besöksförbud",
    "reopen_reason": "Ny uppgift från Agnes",
}


def test_the_pack_holds_only_suppressed_aggregates_and_the_measures(login, city, area):
    """Every field of an incident that could name a person is planted with
    a recognisable value; none of them, and no reporter, handler or unit
    below the district, reaches the pack's text."""
    reporters = [city.employee, city.colleague]
    for i in range(12):
        inc = incident(city.north_a if i % 2 else city.north_b, forms=("hot", "vald"), reporter=reporters[i % 2],
                       days_ago=5 + i * 3)
        Incident.unscoped.filter(pk=inc.pk).update(assigned_to=city.manager, actor_pseudonym="a" * 64,
                                                   police_status="reported", **PERSONAL)
    for i in range(3):
        incident(city.south_a, forms=("trakasserier",), days_ago=4 + i, description="Hemligt i syd")
    agreement = make_agreement(city, area)
    meeting = cooperation.create_meeting(city.security, agreement.pk, held_on=TODAY,
                                         period_start=TODAY - timedelta(days=120), period_end=TODAY)
    cooperation.add_measure(city.security, meeting.pk, title="Trygghetsvandring kring tunnelbanan",
                            side="police", owner="Kommunpolisen", due_date=TODAY + timedelta(days=30))
    cooperation.save_notes(city.security, meeting.pk, "Anteckning om Kalle Karlsson")
    response = login(city.security).get(reverse("police:meeting_pack", args=[meeting.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    flat = re.sub(r"\s+", " ", text)
    assert "Underlag till samverkansmöte" in flat and "Järva" in flat
    assert "Trygghetsvandring kring tunnelbanan" in flat and "Kommunpolisen" in flat
    assert "Norra stadsdelsförvaltningen" in flat
    forbidden = list(PERSONAL.values()) + ["Kalle", "Karlsson", "Olle", "Agnes", "Storgatan", "K7654321",
                                           "Anteckning", "Hemligt i syd", "Södra", "a" * 12]
    for person in reporters + [city.manager, city.security]:
        forbidden += [person.get_full_name(), person.username, person.email, person.last_name]
    forbidden += [inc.reference for inc in Incident.unscoped.all()]
    for value in forbidden:
        assert value not in flat, value
    # Counts are suppressed: the police pack never shows an exact small count.
    assert not re.search(r"(?<![\d,.])[1-4](?![\d,.%])\s+(?:rapporter|Rapporter)", flat)
    entry = AuditEntry.objects.get(action="police.meeting.pack")
    assert entry.actor == city.security


def test_a_held_meeting_marks_its_duty_in_the_annual_cycle_done(city, area):
    """The cycle stops reminding of a meeting that took place: the latest
    period that had begun by the meeting is done on the meeting's day, a
    missed earlier one stays open, and a meeting in the future marks nothing."""
    agreement = make_agreement(city, area)   # tertial, on the 10th: Apr, Aug, Dec
    occurrences = list(DutyOccurrence.objects.filter(duty=agreement.duty, due_date__year=TODAY.year)
                       .order_by("period_start"))
    assert len(occurrences) == 3
    latest = max((o for o in occurrences if o.period_start <= TODAY), key=lambda o: o.period_start)
    cooperation.create_meeting(city.security, agreement.pk, held_on=TODAY,
                               period_start=TODAY - timedelta(days=120), period_end=TODAY - timedelta(days=1))
    latest.refresh_from_db()
    assert latest.status == DutyOccurrence.Status.DONE and latest.done_at == TODAY
    assert latest.done_by == city.security
    assert AuditEntry.objects.filter(action="cycle.occurrence.done", object_id=str(latest.pk)).exists()
    others = DutyOccurrence.objects.filter(duty=agreement.duty).exclude(pk=latest.pk)
    assert not others.filter(status=DutyOccurrence.Status.DONE).exists()

    # A meeting planned for later marks nothing yet.
    cooperation.create_meeting(city.security, agreement.pk, held_on=TODAY + timedelta(days=30),
                               period_start=TODAY - timedelta(days=30), period_end=TODAY)
    assert not others.filter(status=DutyOccurrence.Status.DONE).exists()
