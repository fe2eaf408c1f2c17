"""Working-day arithmetic for Swedish workplaces: weekends, public holidays
(from the `holidays` library) and the de facto days off (midsummer eve,
Christmas eve, New Year's eve)."""
import calendar
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone


@lru_cache(maxsize=64)
def _days_off(year: int) -> frozenset[date]:
    official = holidays.Sweden(years=year, include_sundays=False)
    extra = {date(year, 12, 24), date(year, 12, 31)}
    extra |= {day - timedelta(days=1) for day, name in official.items() if name == "Midsummer Day"}
    return frozenset(set(official) | extra)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _days_off(day.year)


def add_working_days(moment: datetime, days: int) -> datetime:
    """The same local time `days` working days later. A report on a Friday
    evening with a one-day target is due on Monday at that time."""
    local = timezone.localtime(moment)
    day = local.date()
    added = 0
    while added < days:
        day += timedelta(days=1)
        if is_working_day(day):
            added += 1
    return local.replace(year=day.year, month=day.month, day=day.day)



def add_months(day, months: int):
    """The same day (or moment) `months` later; the month's last day when it is shorter."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))
