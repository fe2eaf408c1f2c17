"""cycle.services on its own: every change checks the actor's permission and
takes its own snapshot for the audit log; reads write nothing; the dated
occurrences are created when a duty is created and when a year starts; and
overdue means overdue, whatever year the occurrence belongs to."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from cycle import services
from cycle.models import Duty, DutyOccurrence, TrainingSession
from notifications.reminders import send_from
from organisation.models import OrgUnit
from tests.factories import node

TODAY = timezone.localdate()
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@pytest.fixture
def cycle(city):
    """The standard duties since 1 January last year, none done: last year's
    occurrences are all overdue."""
    services.ensure_standard_duties(TODAY.year, starts_on=date(TODAY.year - 1, 1, 1))
    services.ensure_occurrences(Duty.objects.all(), [TODAY.year - 1, TODAY.year])
    return city


def standard(city_node, key):
    return Duty.objects.get(node=city_node, standard_key=key)


def an_occurrence(city_node, key="action_plan_review", year=TODAY.year):
    return standard(city_node, key).occurrences.get(due_date__year=year)


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


# --- reads do not write ------------------------------------------------------------

def test_the_year_page_and_the_start_page_write_nothing(cycle, client):
    # A district added since the standard duties were seeded, and a duty
    # whose occurrences nobody has generated (added straight to the database).
    node("VAST", "Västra stadsdelsförvaltningen", OrgUnit.Kind.ADMINISTRATION, cycle.city)
    Duty.objects.create(title="Samverkansmöte", kind=Duty.Kind.RISK_ANALYSIS_INPUT, node=cycle.north,
                        owner=cycle.hr, schedule=Duty.Schedule.YEARLY, month=12, day=31,
                        starts_on=date(TODAY.year - 1, 1, 1))
    counts = (Duty.objects.count(), DutyOccurrence.objects.count(), AuditEntry.objects.count())
    for user, urls in [
        (cycle.admin, [f"/arshjul/?enhet={cycle.city.pk}&ar={y}" for y in (TODAY.year - 1, TODAY.year,
                                                                           TODAY.year + 1)]),
        (cycle.hr, [f"/arshjul/?enhet={cycle.north.pk}", "/arshjul/?visa=forsenade", reverse("home")]),
        (cycle.head_north, [reverse("home")]),
    ]:
        client.force_login(user)
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, url
            assert writes(queries.captured_queries) == [], url
    with CaptureQueriesContext(connection) as queries:
        services.duties_for(cycle.hr)
        services.year_overview(cycle.city, TODAY.year, cycle.admin)
    assert writes(queries.captured_queries) == []
    assert (Duty.objects.count(), DutyOccurrence.objects.count(), AuditEntry.objects.count()) == counts


def test_a_new_duty_gets_its_occurrences_from_the_year_it_starts_through_next_year(cycle):
    duty = services.create_duty(cycle.security, Duty(
        title="Samverkansmöte med lokalpolisområdet", kind=Duty.Kind.RISK_ANALYSIS_INPUT, node=cycle.north,
        owner=cycle.security, schedule=Duty.Schedule.CUSTOM, custom_days=["02-15", "10-15"],
        starts_on=date(TODAY.year - 1, 1, 1)))
    years = sorted({o.due_date.year for o in duty.occurrences.all()})
    assert years == [TODAY.year - 1, TODAY.year, TODAY.year + 1]
    assert duty.occurrences.count() == 6


def test_the_reminder_pass_starts_next_year_before_it_sends(city):
    duty = Duty.objects.create(title="Översyn", kind=Duty.Kind.ACTION_PLAN_REVIEW, node=city.north,
                               owner=city.hr, schedule=Duty.Schedule.YEARLY, month=3, day=31,
                               starts_on=date(2026, 1, 1))
    send_from("cycle", datetime(2026, 6, 1, 7, tzinfo=ZoneInfo("Europe/Stockholm")))
    assert sorted(duty.occurrences.values_list("due_date", flat=True)) == [date(2026, 3, 31), date(2027, 3, 31)]
    assert services.prepare_years(date(2026, 6, 2)) == 0


def test_the_year_view_goes_no_further_than_the_years_that_exist(cycle, login):
    services.prepare_years()  # as the reminder timer does
    client = login(cycle.hr)
    response = client.get(f"/arshjul/?enhet={cycle.north.pk}&ar={TODAY.year + 1}")
    assert response.context["year"] == TODAY.year + 1 and response.context["next_url"] is None
    assert response.context["overview"].counts["upcoming"] + response.context["overview"].counts["due_soon"] > 0
    response = client.get(f"/arshjul/?enhet={cycle.north.pk}&ar={TODAY.year + 2}")
    assert response.context["year"] == TODAY.year
    assert f"Året måste vara mellan 2000 och {TODAY.year + 1}" in response.content.decode()


# --- overdue means overdue, whatever the year (issue 11, item 12) -------------------

def test_this_years_page_counts_and_shows_last_years_overdue_duties(cycle, login):
    last_year = DutyOccurrence.objects.filter(duty__node=cycle.north, due_date__year=TODAY.year - 1)
    this_year_overdue = DutyOccurrence.objects.filter(duty__node=cycle.north, due_date__year=TODAY.year,
                                                      due_date__lt=TODAY).count()
    done = last_year.order_by("due_date").first()
    services.mark_done(cycle.hr, done, done_at=done.due_date, result_note="Klart")
    carried = list(last_year.filter(status=DutyOccurrence.Status.OPEN))
    assert carried

    response = login(cycle.hr).get(f"/arshjul/?enhet={cycle.north.pk}&ar={TODAY.year}")
    overview = response.context["overview"]
    assert overview.counts["overdue"] == this_year_overdue + len(carried)
    assert {o.pk for o in overview.carried} == {o.pk for o in carried}
    assert all(o.current_state == DutyOccurrence.State.OVERDUE and o.can_edit for o in overview.carried)
    assert {o.pk for o in carried} <= {o.pk for o in overview.overdue}
    body = response.content.decode()
    assert "Försenade från tidigare år" in body
    assert f"varav {len(carried)} från tidigare år" in body
    for occ in carried:
        assert f'href="/arshjul/tillfalle/{occ.pk}/"' in body
    assert f'href="/arshjul/tillfalle/{done.pk}/"' not in body

    # The city's table counts them per district too.
    city_view = login(cycle.admin).get(f"/arshjul/?enhet={cycle.city.pk}&ar={TODAY.year}&visa=forsenade")
    rows = {unit.code: counts["overdue"] for unit, counts, _ in city_view.context["overview"].by_node}
    assert rows["NORR"] == this_year_overdue + len(carried)
    assert city_view.context["overview"].counts["overdue"] == sum(rows.values())


def test_last_years_page_keeps_its_own_occurrences_and_an_inactive_duty_is_not_carried(cycle, login):
    client = login(cycle.hr)
    overview = client.get(f"/arshjul/?enhet={cycle.north.pk}&ar={TODAY.year - 1}").context["overview"]
    assert overview.carried == []
    Duty.objects.filter(node=cycle.north).update(active=False)
    overview = client.get(f"/arshjul/?enhet={cycle.north.pk}&ar={TODAY.year}").context["overview"]
    assert overview.carried == [] and overview.counts["overdue"] == 0


def test_the_owners_start_page_lists_last_years_overdue_duties(cycle, client):
    mine = services.duties_for(cycle.hr)
    old = [o for o in mine.own if o.due_date.year == TODAY.year - 1]
    assert old and all(o.current_state == DutyOccurrence.State.OVERDUE for o in old)
    assert mine.own_count == DutyOccurrence.objects.filter(
        duty__owner=cycle.hr, status="open", due_date__lte=TODAY + timedelta(days=14)).count()
    client.force_login(cycle.hr)
    html = client.get(reverse("home")).content.decode()
    assert reverse("cycle:occurrence", args=[old[0].pk]) in html
    if mine.own_count > len(mine.own):
        assert f"Totalt {mine.own_count} av dina uppgifter" in html


# --- every change checks the permission itself ----------------------------------

@pytest.mark.parametrize("persona, error", [("committee", PermissionDenied), ("head_north", PermissionDenied),
                                            ("security_south", Http404), ("employee", Http404)])
def test_marking_done_and_reopening_check_the_actor(cycle, persona, error):
    occ = an_occurrence(cycle.north)
    with pytest.raises(error):
        services.mark_done(getattr(cycle, persona), occ, done_at=TODAY, result_note="x")
    services.mark_done(cycle.hr, occ.pk, done_at=TODAY, result_note="Klart")
    with pytest.raises(error):
        services.reopen(getattr(cycle, persona), occ.pk)
    occ.refresh_from_db()
    assert occ.is_done and occ.done_by == cycle.hr
    assert AuditEntry.objects.filter(action__startswith="cycle.occurrence").count() == 1


def test_changing_a_duty_checks_the_actor_and_an_owner_changes_only_the_text(cycle):
    duty = standard(cycle.north, "training_larstudio")
    with pytest.raises(PermissionDenied):
        services.update_duty(cycle.committee, duty, {"title": "Ny titel"})
    with pytest.raises(Http404):
        services.update_duty(cycle.security_south, duty.pk, {"title": "Ny titel"})
    Duty.objects.filter(pk=duty.pk).update(owner=cycle.employee)
    assert services.update_duty(cycle.employee, duty.pk, {"title": "Lärstudio om hot"}) == {
        "title": [duty.title, "Lärstudio om hot"]}
    for change in ({"active": False}, {"custom_days": ["12-31"]}, {"owner": cycle.head_north}):
        with pytest.raises(PermissionDenied):
            services.update_duty(cycle.employee, duty.pk, {"title": "Tyst", **change})
    duty.refresh_from_db()
    assert (duty.title, duty.active, duty.custom_days, duty.owner) == (
        "Lärstudio om hot", True, ["03-31", "10-31"], cycle.employee)
    with pytest.raises(ValueError):
        services.update_duty(cycle.hr, duty.pk, {"node": cycle.south})


def test_the_service_takes_its_own_before_snapshot(cycle):
    """A caller's object that a form has already changed in memory does not
    hide the old values from the audit log."""
    duty = standard(cycle.north, "action_plan_review")
    old_title = duty.title
    duty.title, duty.month = "Översyn av handlingsplanen", 4  # as a ModelForm leaves the instance
    changes = services.update_duty(cycle.hr, duty, {"title": duty.title, "month": 4})
    assert changes == {"title": [old_title, "Översyn av handlingsplanen"], "month": [3, 4]}
    entry = AuditEntry.objects.get(action="cycle.duty.changed")
    assert entry.actor == cycle.hr and entry.changes == changes
    assert duty.occurrences.get(due_date__year=TODAY.year).due_date == date(TODAY.year, 4, 30)
    assert services.update_duty(cycle.hr, duty, {"title": duty.title}) == {}
    assert AuditEntry.objects.filter(action="cycle.duty.changed").count() == 1


def test_adding_a_duty_and_logging_training_check_the_actor(cycle):
    def new_duty():
        return Duty(title="Extra", kind=Duty.Kind.TRAINING, node=cycle.north, schedule=Duty.Schedule.YEARLY,
                    month=6, day=1)
    for persona in ("committee", "head_north", "security_south", "employee"):
        with pytest.raises(PermissionDenied):
            services.create_duty(getattr(cycle, persona), new_duty())
        with pytest.raises(PermissionDenied):
            services.create_training(getattr(cycle, persona), TrainingSession(
                unit=cycle.north_a, date=TODAY, kind="apt", participants=5))
    assert not Duty.objects.filter(title="Extra").exists() and not TrainingSession.objects.exists()

    session = services.create_training(cycle.hr, TrainingSession(unit=cycle.north_a, date=TODAY, kind="apt",
                                                                 participants=5))
    assert session.created_by == cycle.hr
    with pytest.raises(PermissionDenied):  # HR in the north may not move it to the south
        services.update_training(cycle.hr, session.pk, {"unit": cycle.south_a})
    with pytest.raises(PermissionDenied):
        services.update_training(cycle.committee, session.pk, {"participants": 6})
    with pytest.raises(Http404):
        services.update_training(cycle.security_south, session.pk, {"participants": 6})
    assert services.update_training(cycle.security, session.pk, {"participants": 6}) == {"participants": [5, 6]}
    assert AuditEntry.objects.get(action="cycle.training.changed").actor == cycle.security


# --- the standard duties of a new district --------------------------------------

def test_an_administrator_creates_a_new_districts_standard_duties_from_the_year_page(cycle, login):
    west = node("VAST", "Västra stadsdelsförvaltningen", OrgUnit.Kind.ADMINISTRATION, cycle.city)
    client = login(cycle.admin)
    body = client.get(f"/arshjul/?enhet={cycle.city.pk}").content.decode()
    assert "Standarduppgifterna saknas" in body and "Västra stadsdelsförvaltningen har ännu inte" in body
    assert "Skapa standarduppgifterna" in body
    url = f"/arshjul/standarduppgifter/?enhet={cycle.city.pk}"
    assert client.get(url).status_code == 405
    assert not Duty.objects.filter(node=west).exists()

    response = client.post(url)
    assert response.status_code == 302
    assert Duty.objects.filter(node=west).count() == 7
    assert DutyOccurrence.objects.filter(duty__node=west, due_date__year=TODAY.year + 1).exists()
    assert not DutyOccurrence.objects.filter(duty__node=west, due_date__lt=TODAY).exists()
    created = AuditEntry.objects.filter(action="cycle.duty.created", actor=cycle.admin)
    assert created.count() == 7
    assert "Standarduppgifterna saknas" not in client.get(f"/arshjul/?enhet={cycle.city.pk}").content.decode()
    assert client.post(url).status_code == 302  # nothing left to create
    assert Duty.objects.filter(node=west).count() == 7


def test_only_editors_of_the_new_district_may_create_its_standard_duties(cycle, login):
    west = node("VAST", "Västra stadsdelsförvaltningen", OrgUnit.Kind.ADMINISTRATION, cycle.city)
    with pytest.raises(PermissionDenied):
        services.seed_standard_duties(cycle.hr, cycle.city)  # HR in the north: not the west
    assert login(cycle.committee).post(f"/arshjul/standarduppgifter/?enhet={cycle.city.pk}").status_code == 404
    assert login(cycle.security_south).post(
        f"/arshjul/standarduppgifter/?enhet={cycle.north.pk}").status_code == 404
    assert not Duty.objects.filter(node=west).exists()
