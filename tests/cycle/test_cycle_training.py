"""The training log: who may see and log sessions, validation of the number
of participants and the date (no future dates: a session is logged once it
has been held), the audit trail, and trained_units for the situation picture."""
from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from cycle import services
from cycle.models import TrainingSession

TODAY = timezone.localdate()


def session(unit, day, participants=10, kind=TrainingSession.Kind.APT, note=""):
    return TrainingSession.objects.create(unit=unit, date=day, kind=kind, participants=participants, note=note)


def form_data(unit, **changes):
    data = {"unit": unit.pk, "date": TODAY.isoformat(), "kind": "apt", "participants": "12", "note": ""}
    data.update(changes)
    return data


def new_url(at):
    return f"/arshjul/utbildning/ny/?enhet={at.pk}"


def test_hr_logs_an_apt_visit_and_the_audit_log_has_the_new_values(city, login):
    response = login(city.hr).post(new_url(city.north), form_data(city.north_a, note="Genomgång av handlingsplanen"))
    assert response.status_code == 302
    assert response["Location"] == f"/arshjul/utbildning/?enhet={city.north.pk}&ar={TODAY.year}"
    saved = TrainingSession.objects.get()
    assert (saved.unit, saved.date, saved.kind, saved.participants, saved.created_by) == (
        city.north_a, TODAY, "apt", 12, city.hr)
    entry = AuditEntry.objects.get(action="cycle.training.created")
    assert entry.actor == city.hr
    assert entry.changes["participants"] == [None, 12]
    assert entry.changes["unit"] == [None, str(city.north_a.pk)]


def test_changing_a_session_logs_old_and_new_values(city, login):
    saved = session(city.north_a, TODAY - timedelta(days=3), participants=8)
    response = login(city.security).post(f"/arshjul/utbildning/{saved.pk}/", form_data(
        city.north_a, date=saved.date.isoformat(), participants="9", kind="larstudio"))
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="cycle.training.changed")
    assert entry.changes == {"participants": [8, 9], "kind": ["apt", "larstudio"]}


@pytest.mark.parametrize("participants, message", [
    ("", "Ange hur många som deltog."),
    ("-3", "Antalet deltagare måste vara minst 1."),
    ("0", "Antalet deltagare måste vara minst 1."),
    ("501", "Högst 500 deltagare per tillfälle."),
    ("99999999999999999999999999999999", "Högst 500 deltagare per tillfälle."),
    ("9" * 5000, "Skriv antalet deltagare med siffror"),
    ("tolv", "Skriv antalet deltagare med siffror, till exempel 12."),
    ("12.5", "Skriv antalet deltagare med siffror"),
    ("1e3", "Skriv antalet deltagare med siffror"),
    ("<b>12</b>", "Skriv antalet deltagare med siffror"),
])
def test_an_impossible_number_of_participants_is_explained_in_swedish(city, login, participants, message):
    response = login(city.hr).post(new_url(city.north), form_data(city.north_a, participants=participants))
    assert response.status_code == 200
    errors = response.context["form"].errors["participants"]
    assert any(message in e for e in errors), errors
    body = response.content.decode()
    assert 'class="error-summary"' in body and 'href="#id_participants"' in body
    assert not TrainingSession.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="cycle.training").exists()


def test_the_largest_allowed_session_is_accepted(city, login):
    assert login(city.hr).post(new_url(city.north), form_data(city.north_a, participants="500")).status_code == 302


@pytest.mark.parametrize("day, message", [
    ((TODAY + timedelta(days=1)).isoformat(), "Datumet kan inte ligga i framtiden."),
    ("1999-12-31", "Datumet är orimligt tidigt."),
    ("2026-13-01", "Skriv datumet som ÅÅÅÅ-MM-DD"),
    ("", "Ange ett datum."),
])
def test_future_and_impossible_dates_are_refused(city, login, day, message):
    response = login(city.hr).post(new_url(city.north), form_data(city.north_a, date=day))
    assert any(message in e for e in response.context["form"].errors["date"])
    assert not TrainingSession.objects.exists()


def test_only_units_in_the_editors_scope_can_be_chosen(city, login):
    client = login(city.hr)
    for outside in (city.south_a, city.north, city.north_ifo):  # another district; not units
        response = client.post(new_url(city.north), form_data(outside))
        assert "Välj en enhet i listan." in response.context["form"].errors["unit"]
    response = client.post(new_url(city.north), form_data(city.north_b, kind="webinar"))
    assert "Välj en av typerna i listan." in response.context["form"].errors["kind"]
    assert not TrainingSession.objects.exists()


def test_a_note_with_html_is_shown_as_text(city, login):
    session(city.north_a, TODAY, note="<img src=x onerror=alert(1)> fallövning")
    body = login(city.hr).get(f"/arshjul/utbildning/?enhet={city.north.pk}").content.decode()
    assert "<img src=x" not in body and "&lt;img src=x" in body


@pytest.mark.parametrize("persona", ["committee", "head_north", "hr", "security"])
def test_the_districts_viewers_see_the_training_log(city, login, persona):
    session(city.north_a, TODAY, participants=17)
    body = login(getattr(city, persona)).get(f"/arshjul/utbildning/?enhet={city.north.pk}").content.decode()
    assert "Ekonomiskt bistånd Norr" in body and ">17<" in body


@pytest.mark.parametrize("persona", ["committee", "head_north"])
def test_viewers_who_are_not_hr_or_security_may_not_log_training(city, login, persona):
    saved = session(city.north_a, TODAY)
    client = login(getattr(city, persona))
    assert client.get(new_url(city.north)).status_code == 403
    assert client.post(new_url(city.north), form_data(city.north_a)).status_code == 403
    response = client.post(f"/arshjul/utbildning/{saved.pk}/", form_data(city.north_a, participants="99"))
    assert response.status_code == 403
    saved.refresh_from_db()
    assert saved.participants == 10


@pytest.mark.parametrize("persona", ["employee", "safety", "analyst", "nobody", "security_south", "manager_south"])
def test_others_get_404_for_the_districts_training_log(city, login, persona):
    saved = session(city.north_a, TODAY, note="Anteckning som inte får läcka")
    client = login(getattr(city, persona))
    for url in [f"/arshjul/utbildning/?enhet={city.north.pk}", new_url(city.north), f"/arshjul/utbildning/{saved.pk}/"]:
        response = client.get(url)
        assert response.status_code == 404, (persona, url)
        assert "Anteckning som inte får läcka" not in response.content.decode()


def test_a_unit_manager_sees_their_own_units_sessions_but_not_the_districts_log(city, login):
    own = session(city.north_a, TODAY, note="Besök på vår APT")
    session(city.north_b, TODAY, note="Grannenhetens besök")
    client = login(city.manager)
    assert client.get(f"/arshjul/utbildning/?enhet={city.north.pk}").status_code == 404
    body = client.get(f"/arshjul/utbildning/?enhet={city.north_a.pk}").content.decode()
    assert "Besök på vår APT" in body and "Grannenhetens besök" not in body
    assert client.get(f"/arshjul/utbildning/{own.pk}/").status_code == 403


def test_the_overview_counts_sessions_participants_and_units_without_training(city, login):
    session(city.north_a, date(TODAY.year, 1, 10), participants=12)
    session(city.north_a, date(TODAY.year, 1, 20), participants=5, kind=TrainingSession.Kind.LARSTUDIO)
    session(city.south_a, date(TODAY.year, 1, 10), participants=30)
    session(city.north_b, date(TODAY.year - 1, 6, 1), participants=9)  # last year
    context = login(city.hr).get(f"/arshjul/utbildning/?enhet={city.north.pk}&ar={TODAY.year}").context
    training = context["training"]
    assert len(training["sessions"]) == 2 and training["participants"] == 17
    assert training["trained_count"] == 1 and training["untrained"] == [city.north_b]


def test_trained_units_returns_units_with_sessions_in_the_period_inclusive_and_within_the_node(city):
    session(city.north_a, date(2026, 1, 1))
    session(city.north_b, date(2026, 5, 1))
    session(city.south_a, date(2026, 2, 1))
    assert services.trained_units(city.north, date(2026, 1, 1), date(2026, 4, 30)) == {city.north_a.pk}
    assert services.trained_units(city.north, date(2026, 1, 2), date(2026, 4, 30)) == set()
    assert services.trained_units(city.north, date(2026, 1, 1), date(2026, 5, 1)) == {city.north_a.pk, city.north_b.pk}
    assert services.trained_units(city.city, date(2026, 1, 1), date(2026, 12, 31)) == {
        city.north_a.pk, city.north_b.pk, city.south_a.pk}
    assert services.trained_units(city.south, date(2025, 1, 1), date(2025, 12, 31)) == set()
