"""The annual cycle's schedule: tertials, yearly dates, custom dates, leap
years, idempotent generation and the seeding of the standard duties."""
from datetime import date

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from cycle import schedule, services
from cycle.models import Duty, DutyOccurrence
from organisation.models import OrgUnit
from tests.factories import node


def test_the_three_tertials_cover_the_year_without_gaps_or_overlaps():
    bounds = [schedule.tertial_bounds(2026, n) for n in (1, 2, 3)]
    assert bounds == [
        (date(2026, 1, 1), date(2026, 4, 30)),
        (date(2026, 5, 1), date(2026, 8, 31)),
        (date(2026, 9, 1), date(2026, 12, 31)),
    ]
    assert [schedule.tertial_of(date(2026, m, 15)) for m in range(1, 13)] == [1] * 4 + [2] * 4 + [3] * 4


def test_re_reporting_is_due_in_the_month_after_each_tertial_so_january_reports_on_last_autumn():
    slots = schedule.tertial_slots(2026, 15)
    assert [(s.period_start, s.period_end, s.due_date) for s in slots] == [
        (date(2025, 9, 1), date(2025, 12, 31), date(2026, 1, 15)),
        (date(2026, 1, 1), date(2026, 4, 30), date(2026, 5, 15)),
        (date(2026, 5, 1), date(2026, 8, 31), date(2026, 9, 15)),
    ]


def test_a_day_that_a_month_lacks_falls_on_the_last_day_of_that_month():
    assert [s.due_date for s in schedule.tertial_slots(2026, 31)] == [
        date(2026, 1, 31), date(2026, 5, 31), date(2026, 9, 30)]
    assert schedule.yearly_slots(2026, 4, 31)[0].due_date == date(2026, 4, 30)


def test_29_february_is_kept_in_leap_years_and_becomes_28_february_in_common_years():
    assert schedule.yearly_slots(2028, 2, 29)[0].due_date == date(2028, 2, 29)
    assert schedule.yearly_slots(2027, 2, 29)[0].due_date == date(2027, 2, 28)
    assert schedule.yearly_slots(2100, 2, 29)[0].due_date == date(2100, 2, 28)  # not a leap year
    assert schedule.yearly_slots(2000, 2, 29)[0].due_date == date(2000, 2, 29)  # but this one is
    assert [s.due_date for s in schedule.custom_slots(2027, ["02-29", "10-31"])] == [
        date(2027, 2, 28), date(2027, 10, 31)]


def test_custom_dates_are_sorted_and_counted_once():
    slots = schedule.custom_slots(2026, ["10-31", "03-31", "10-31"])
    assert [(s.period_start, s.due_date) for s in slots] == [
        (date(2026, 3, 31), date(2026, 3, 31)), (date(2026, 10, 31), date(2026, 10, 31))]


@pytest.mark.parametrize("value", ["13-01", "02-30", "00-10", "3-31", "", "x"])
def test_impossible_month_days_are_refused(value):
    with pytest.raises(ValueError):
        schedule.parse_month_day(value)


def test_period_codes_name_years_tertials_and_days():
    assert schedule.period_code(date(2026, 1, 1), date(2026, 12, 31)) == "2026"
    assert schedule.period_code(date(2026, 5, 1), date(2026, 8, 31)) == "T2-2026"
    assert schedule.period_code(date(2026, 3, 31), date(2026, 3, 31)) == "2026-03-31"
    assert schedule.period_code(date(2026, 2, 1), date(2026, 3, 31)) == "2026-02-01--2026-03-31"


def _duty(at, **fields):
    values = {"title": "Testuppgift", "kind": Duty.Kind.TRAINING, "node": at,
              "schedule": Duty.Schedule.YEARLY, "month": 3, "day": 31, "starts_on": date(2020, 1, 1)}
    values.update(fields)
    return Duty.objects.create(**values)


def test_generating_a_year_twice_creates_each_occurrence_once(city):
    duties = [_duty(city.north, schedule=Duty.Schedule.TERTIAL, month=None, day=15),
              _duty(city.north, title="Årlig", month=2, day=29),
              _duty(city.north, title="Egna", schedule=Duty.Schedule.CUSTOM, month=None, day=None,
                    custom_days=["03-31", "10-31"])]
    assert services.ensure_occurrences(duties, [2026]) == 6
    assert services.ensure_occurrences(duties, [2026]) == 0
    assert services.ensure_occurrences(duties, [2026, 2027]) == 6
    assert DutyOccurrence.objects.count() == 12
    yearly = DutyOccurrence.objects.filter(duty=duties[1]).order_by("due_date")
    assert [o.due_date for o in yearly] == [date(2026, 2, 28), date(2027, 2, 28)]


def test_a_leap_year_gives_the_29_february_occurrence(city):
    duty = _duty(city.north, month=2, day=29)
    services.ensure_occurrences([duty], [2028])
    assert duty.occurrences.get().due_date == date(2028, 2, 29)


def test_no_occurrence_is_generated_before_the_duty_starts(city):
    duty = _duty(city.north, schedule=Duty.Schedule.TERTIAL, month=None, day=15, starts_on=date(2026, 6, 20))
    services.ensure_occurrences([duty], [2026])
    assert [o.due_date for o in duty.occurrences.all()] == [date(2026, 9, 15)]


def test_an_inactive_duty_generates_nothing(city):
    duty = _duty(city.north, active=False)
    assert services.ensure_occurrences([duty], [2026, 2027]) == 0
    assert not duty.occurrences.exists()


def test_standard_duties_are_seeded_once_per_district_and_city_with_owners_from_roles(city):
    created = services.ensure_standard_duties(2026, starts_on=date(2026, 1, 1))
    # The city gets three, each district administration seven (with the two surveys).
    assert created == 3 + 7 + 7
    assert services.ensure_standard_duties(2026, starts_on=date(2026, 1, 1)) == 0
    assert Duty.objects.count() == 17
    north = {d.standard_key: d for d in Duty.objects.filter(node=city.north)}
    assert north["action_plan_review"].owner == city.hr
    assert north["action_plan_review"].schedule == Duty.Schedule.YEARLY
    assert north["committee_rereporting"].owner == city.security
    assert north["committee_rereporting"].schedule == Duty.Schedule.TERTIAL
    assert north["risk_analysis_input"].owner == city.security
    assert north["training_larstudio"].owner == city.hr
    # Södra has no HR: its security coordinator is next in line for the action plan.
    south_review = Duty.objects.get(node=city.south, standard_key="action_plan_review")
    assert south_review.owner == city.security_south
    # Nobody at the city level holds HR, security or manager roles in the test city.
    assert Duty.objects.get(node=city.city, standard_key="action_plan_review").owner is None
    # Departments and units get no standard duties.
    assert not Duty.objects.exclude(node__kind__in=[OrgUnit.Kind.CITY, OrgUnit.Kind.ADMINISTRATION]).exists()
    entries = AuditEntry.objects.filter(action="cycle.duty.created")
    assert entries.count() == 17
    assert entries.first().changes["title"][0] is None


def test_a_new_district_gets_its_standard_duties_on_the_next_run(city):
    services.ensure_standard_duties(2026)
    west = node("VAST", "Västra stadsdelsförvaltningen", OrgUnit.Kind.ADMINISTRATION, city.city)
    assert services.ensure_standard_duties(2026) == 7
    assert Duty.objects.filter(node=west).count() == 7


def test_a_deactivated_standard_duty_is_not_seeded_again(city):
    services.ensure_standard_duties(2026)
    Duty.objects.filter(node=city.north, standard_key="training_apt").update(active=False)
    assert services.ensure_standard_duties(2026) == 0
    assert Duty.objects.filter(node=city.north, standard_key="training_apt").count() == 1


def test_the_standard_tertial_duty_puts_last_years_third_tertial_in_january(city):
    services.ensure_standard_duties(2026, starts_on=date(2025, 1, 1))
    duty = Duty.objects.get(node=city.north, standard_key="committee_rereporting")
    january = duty.occurrences.get(due_date__year=2026, due_date__month=1)
    assert (january.period_start, january.period_end) == (date(2025, 9, 1), date(2025, 12, 31))
    assert january.period_code == "T3-2025"


def test_changing_the_schedule_moves_open_occurrences_and_keeps_done_ones(city):
    today = timezone.localdate()
    duty = _duty(city.north, schedule=Duty.Schedule.CUSTOM, month=None, day=None,
                 custom_days=["01-01", "12-31"], starts_on=date(today.year - 1, 1, 1))
    services.ensure_occurrences([duty], [today.year - 1, today.year, today.year + 1])
    last_year = duty.occurrences.get(due_date=date(today.year - 1, 12, 31))
    services.mark_done(city.hr, last_year, done_at=date(today.year - 1, 12, 30), result_note="Klart")
    open_last_year = duty.occurrences.get(due_date=date(today.year - 1, 1, 1))

    services.update_duty(city.hr, duty, {"custom_days": ["06-15"]})

    remaining = set(duty.occurrences.values_list("due_date", flat=True))
    # Last year's history stays, done or not; this and next year follow the new schedule.
    assert remaining == {date(today.year - 1, 12, 31), date(today.year - 1, 1, 1),
                         date(today.year, 6, 15), date(today.year + 1, 6, 15)}
    assert DutyOccurrence.objects.filter(pk=open_last_year.pk).exists()
    entry = AuditEntry.objects.get(action="cycle.duty.changed")
    assert entry.changes == {"custom_days": [["01-01", "12-31"], ["06-15"]]}


def test_a_moved_due_date_updates_the_open_occurrence_in_place(city):
    today = timezone.localdate()
    duty = _duty(city.north, month=12, day=31, starts_on=date(today.year, 1, 1))
    services.ensure_occurrences([duty], [today.year])
    occurrence = duty.occurrences.get()
    services.update_duty(city.hr, duty, {"day": 30})
    occurrence.refresh_from_db()
    assert occurrence.due_date == date(today.year, 12, 30)
