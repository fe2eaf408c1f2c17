"""When a support track's steps are due: pure date rules.

The first support conversation is due a configurable number of working days
after the track starts (settings.SUPPORT_FIRST_TALK_WORKING_DAYS, default 2);
the check-ins about a week, a month and three months after the start, moved
to the next working day when they fall on a weekend or holiday.
"""
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from incidents.workdays import add_months, add_working_days, is_working_day
from support.models import SupportStep

Kind = SupportStep.Kind


def next_working_day(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def due_dates(started_at) -> dict[str, date]:
    """Each step's date for a track started at `started_at` (an aware datetime)."""
    start = timezone.localdate(started_at)
    first = timezone.localdate(add_working_days(started_at, settings.SUPPORT_FIRST_TALK_WORKING_DAYS))
    return {
        Kind.FIRST_TALK: first,
        Kind.WEEK: next_working_day(start + timedelta(days=7)),
        Kind.MONTH: next_working_day(add_months(start, 1)),
        Kind.QUARTER: next_working_day(add_months(start, 3)),
    }
