"""Dates that read right without a second thought: "27 december" this year,
"27 december 2025" any other year, in the active language.

Templates: ``{% load dates %}{{ action.due_date|short_date }}``, with a time
``{{ message.created_at|short_datetime }}``, or with another day-month format
``{{ deadline|short_date:"l j F" }}``. Python (mails, messages):
``from varn.templatetags.dates import short_date``.

The library is registered in TEMPLATES["OPTIONS"]["libraries"] (settings),
since the project package is not an app.
"""
from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format, time_format

register = template.Library()

DAY_MONTH = "j F"


def _local(value):
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter(expects_localtime=True)
def short_date(value, day_month=DAY_MONTH):
    """The day and month, and the year whenever it is not the current one.
    ``day_month`` is a date format without the year ("j F", "l j F"); the
    year follows it. Empty for no date."""
    if not isinstance(value, date):
        return ""
    value = _local(value)
    if value.year != timezone.localdate().year:
        return date_format(value, f"{day_month} Y")
    return date_format(value, day_month)


@register.filter(expects_localtime=True)
def short_datetime(value):
    """short_date followed by the time: "27 december 14:05", "27 december
    2025 14:05"."""
    if not isinstance(value, datetime):
        return short_date(value)
    value = _local(value)
    return f"{short_date(value)} {time_format(value, 'H:i')}"
