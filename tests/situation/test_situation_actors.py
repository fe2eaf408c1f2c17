"""Repeated actors: identifiers are validated, only a keyed pseudonym is
stored, every change is audited without the number, and only coordinators
and HR learn where else an actor appears."""
import hashlib
import hmac
from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from audit.log import text_digest
from audit.models import AuditEntry
from incidents.models import Incident
from situation import actors
from tests.factories import incident

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize("raw,normalised", [
    ("19811218-9876", "198112189876"),
    ("811218-9876", "198112189876"),
    ("8112189876", "198112189876"),
    ("198112189876", "198112189876"),
    (" 811218 - 9876 ", "198112189876"),
    ("121212+1212", "191212121212"),     # a hundred years or older
    ("701063-2391", "197010632391"),     # samordningsnummer: day 63 = 3 + 60
    ("556036-0793", "5560360793"),       # organisationsnummer
    ("5560360793", "5560360793"),
    ("16556036-0793", "5560360793"),
])
def test_valid_identifiers_are_normalised(raw, normalised):
    assert actors.parse_identifier(raw, today=TODAY).normalised == normalised


@pytest.mark.parametrize("raw,code,text", [
    ("", "required", "Ange ett personnummer"),
    ("abc", "format", "Skriv numret som"),
    ("12345", "format", "Skriv numret som"),
    ("811218-98765", "format", "Skriv numret som"),
    ("811218-9877", "checksum", "Kontrollsiffran"),
    ("556036-0794", "checksum", "Kontrollsiffran"),
    ("811318-9876", "date", "Datumet i personnumret finns inte"),
    ("20301218-9876", "date", "framtiden"),
    ("19811218+9876", "format", "Plustecknet"),
    ("<script>alert(1)</script>", "format", "Skriv numret som"),
])
def test_invalid_identifiers_get_a_clear_swedish_message(raw, code, text):
    with pytest.raises(ValidationError) as err:
        actors.parse_identifier(raw, today=TODAY)
    assert err.value.code == code
    assert text in err.value.messages[0]


def kept(text):
    """What the log keeps of a text (audit.log.protect)."""
    return {"hmac": text_digest(text), "len": len(text)}


def test_a_person_and_an_organisation_never_share_a_pseudonym():
    person = actors.parse_identifier("811218-9876", today=TODAY)
    org = actors.parse_identifier("556036-0793", today=TODAY)
    assert len(person.normalised) == 12 and len(org.normalised) == 10


def test_the_pseudonym_is_hmac_sha256_with_the_server_key():
    expected = hmac.new(settings.PSEUDONYM_KEY.encode(), b"198112189876", hashlib.sha256).hexdigest()
    assert actors.pseudonym("198112189876") == expected
    assert len(expected) == 64


def dump_database() -> str:
    """Every value in every table, as text."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            parts.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(parts)


def test_a_handler_records_an_actor_and_the_number_is_stored_nowhere(city, client):
    client.force_login(city.manager)
    url = reverse("situation:actor", args=[city.named.pk])
    response = client.post(url, {"identifierare": "19811218-9876", "atgard": "spara"})
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:detail", args=[city.named.pk])
    city.named.refresh_from_db()
    assert city.named.actor_pseudonym == actors.pseudonym("198112189876")

    everything = dump_database()
    for form in ("19811218-9876", "198112189876", "811218-9876", "8112189876"):
        assert form not in everything
    for cookie in response.cookies.values():
        assert "9876" not in cookie.value

    entry = AuditEntry.objects.filter(action="incident.actor").get()
    assert entry.actor == city.manager and entry.incident_id == city.named.pk
    # Even the pseudonym's prefix is kept as a keyed hash: gallring removes pseudonyms on their own rule.
    assert entry.changes == {"actor_pseudonym": ["", kept(city.named.actor_pseudonym[:8])]}


def test_changing_and_removing_an_actor_is_audited_with_old_and_new_prefixes(city, client):
    client.force_login(city.manager)
    url = reverse("situation:actor", args=[city.named.pk])
    client.post(url, {"identifierare": "811218-9876", "atgard": "spara"})
    first = actors.pseudonym("198112189876")
    client.post(url, {"identifierare": "556036-0793", "atgard": "spara"})
    second = actors.pseudonym("5560360793")
    client.post(url, {"atgard": "ta-bort"})
    changes = [e.changes["actor_pseudonym"] for e in AuditEntry.objects.filter(action="incident.actor").order_by("id")]
    assert changes == [["", kept(first[:8])], [kept(first[:8]), kept(second[:8])], [kept(second[:8]), ""]]
    city.named.refresh_from_db()
    assert city.named.actor_pseudonym == ""


def test_a_bad_number_shows_the_error_next_to_the_field_and_in_the_summary(city, client):
    client.force_login(city.manager)
    response = client.post(reverse("situation:actor", args=[city.named.pk]),
                           {"identifierare": "811218-9877", "atgard": "spara"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html and 'href="#id_identifierare"' in html
    assert html.count("Kontrollsiffran (den sista siffran) stämmer inte") == 2
    city.named.refresh_from_db()
    assert city.named.actor_pseudonym == ""
    assert not AuditEntry.objects.filter(action="incident.actor").exists()


def test_only_handlers_may_record_an_actor(city, client):
    url = reverse("situation:actor", args=[city.named.pk])
    # The safety representative may read the case but not handle it.
    client.force_login(city.safety)
    assert client.post(url, {"identifierare": "811218-9876", "atgard": "spara"}).status_code == 403
    # A manager elsewhere does not even learn the case exists.
    client.force_login(city.manager_south)
    assert client.post(url, {"identifierare": "811218-9876", "atgard": "spara"}).status_code == 404
    assert client.get(url).status_code == 404
    # The analyst has no case access at all.
    client.force_login(city.analyst)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    city.named.refresh_from_db()
    assert city.named.actor_pseudonym == ""


def test_the_reporter_cannot_record_an_actor_on_their_own_report(city, client):
    client.force_login(city.employee)
    url = reverse("situation:actor", args=[city.named.pk])
    assert client.post(url, {"identifierare": "811218-9876", "atgard": "spara"}).status_code == 403


def plant_actor(unit, code, **kwargs):
    inc = incident(unit, description="Hemligt innehåll om aktören", **kwargs)
    Incident.unscoped.filter(pk=inc.pk).update(actor_pseudonym=code)
    inc.refresh_from_db()
    return inc


def test_coordinators_learn_where_else_an_actor_appears_without_the_content(city, client):
    code = actors.pseudonym("198112189876")
    here = plant_actor(city.north_a, code)
    plant_actor(city.south_a, code)
    plant_actor(city.south_a, code)
    found = actors.other_occurrences(city.security, here)
    assert found.count == 2
    assert found.units == ["Ekonomiskt bistånd Syd"]
    assert found.districts == ["Södra stadsdelsförvaltningen"]

    client.force_login(city.security)
    html = client.get(reverse("situation:actor", args=[here.pk])).content.decode()
    assert "Samma aktör finns i 2 andra ärenden" in html
    assert "Ekonomiskt bistånd Syd" in html and "Södra stadsdelsförvaltningen" in html
    assert "Hemligt innehåll" not in html


def test_managers_record_actors_but_are_not_told_about_other_districts(city, client):
    code = actors.pseudonym("198112189876")
    here = plant_actor(city.north_a, code)
    plant_actor(city.south_a, code)
    assert actors.other_occurrences(city.manager, here) is None
    client.force_login(city.manager)
    html = client.get(reverse("situation:actor", args=[here.pk])).content.decode()
    assert "Samma aktör finns" not in html and "Ekonomiskt bistånd Syd" not in html
    assert 'name="identifierare"' in html


def test_the_case_page_partial_shows_the_form_and_the_matches(city, rf):
    from django.template.loader import render_to_string

    code = actors.pseudonym("5560360793")
    here = plant_actor(city.north_a, code)
    plant_actor(city.south_a, code)
    request = rf.get("/")
    request.user = city.security
    html = render_to_string("situation/_actor_form.html", {"incident": here}, request=request)
    assert 'name="identifierare"' in html and "Samma aktör finns i 1 annat ärende" in html
    request.user = city.safety  # may read the case, not handle it, not know matches
    assert render_to_string("situation/_actor_form.html", {"incident": here}, request=request).strip() == ""
