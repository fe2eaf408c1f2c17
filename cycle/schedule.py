"""Dates of the annual cycle (årshjul): tertials, yearly dates and custom dates.

Pure functions without database access, so the schedule can be tested on its
own. A year's occurrences are the ones *due* in that year: the re-reporting of
the third tertial of 2025 is due in January 2026 and belongs to the 2026 cycle,
which is how a district's årshjul reads (January: report on last autumn).

A day that does not exist in a month (29 February in 2027, 31 April) falls on
the last day of that month, so a duty is never silently skipped.
"""
import calendar
import re
from dataclasses import dataclass
from datetime import date

# Stockholm's tertials: T1 January–April, T2 May–August, T3 September–December.
TERTIALS = {1: (1, 4), 2: (5, 8), 3: (9, 12)}

MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class Slot:
    """One occurrence of a duty: the period it concerns and when it is due."""

    period_start: date
    period_end: date
    due_date: date


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def clamp_date(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, days_in_month(year, month)))


def tertial_of(day: date) -> int:
    return (day.month - 1) // 4 + 1


def tertial_bounds(year: int, number: int) -> tuple[date, date]:
    first, last = TERTIALS[number]
    return date(year, first, 1), date(year, last, days_in_month(year, last))


def tertial_number(start: date, end: date) -> int | None:
    """The tertial that exactly spans start..end, or None."""
    number = tertial_of(start)
    return number if (start, end) == tertial_bounds(start.year, number) else None


def yearly_slots(year: int, month: int, day: int) -> list[Slot]:
    return [Slot(date(year, 1, 1), date(year, 12, 31), clamp_date(year, month, day))]


def tertial_slots(year: int, day: int) -> list[Slot]:
    """The re-reporting of a tertial falls on `day` of the month after it ends,
    so the slots due in `year` are T3 of the year before, T1 and T2."""
    slots = []
    for period_year, number in ((year - 1, 3), (year, 1), (year, 2)):
        start, end = tertial_bounds(period_year, number)
        due_year, due_month = (period_year + 1, 1) if end.month == 12 else (period_year, end.month + 1)
        slots.append(Slot(start, end, clamp_date(due_year, due_month, day)))
    return slots


def custom_slots(year: int, month_days: list[str]) -> list[Slot]:
    """One slot per "MM-DD" entry; the period is the day itself."""
    days = sorted({clamp_date(year, *parse_month_day(md)) for md in month_days})
    return [Slot(d, d, d) for d in days]


def parse_month_day(value: str) -> tuple[int, int]:
    match = MONTH_DAY.match(value or "")
    if not match:
        raise ValueError(f"not a MM-DD value: {value!r}")
    month, day = int(match.group(1)), int(match.group(2))
    # 2024 is a leap year: 29 February is a valid yearly day.
    if not (1 <= month <= 12 and 1 <= day <= days_in_month(2024, month)):
        raise ValueError(f"no such day: {value!r}")
    return month, day


def is_whole_year(start: date, end: date) -> bool:
    return start == date(start.year, 1, 1) and end == date(start.year, 12, 31)


def period_code(start: date, end: date) -> str:
    """A short machine-readable period: "2026", "T1-2026" or "2026-03-31"."""
    if is_whole_year(start, end):
        return str(start.year)
    number = tertial_number(start, end)
    if number:
        return f"T{number}-{start.year}"
    if start == end:
        return start.isoformat()
    return f"{start.isoformat()}--{end.isoformat()}"


def format_month_days(month_days: list[str], pattern: str = "j F") -> str:
    """ "03-31", "10-31" → "31 mars, 31 oktober" in the active language."""
    from django.utils.formats import date_format

    days = []
    for md in month_days:
        try:
            days.append(clamp_date(2024, *parse_month_day(md)))
        except ValueError:
            continue
    return ", ".join(date_format(d, pattern) for d in sorted(days))
