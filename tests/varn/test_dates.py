"""One date filter for every day-month date: the year shows whenever it is
not the current one ("klar senast 27 december" read as this year for a 2025
deadline)."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from varn.templatetags.dates import short_date, short_datetime

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def this_year():
    return timezone.localdate().year


def render(source, **context):
    return Template("{% load dates %}" + source).render(Context(context))


def test_a_date_this_year_has_no_year():
    assert short_date(date(this_year(), 12, 27)) == "27 december"


def test_a_date_of_another_year_has_its_year():
    year = this_year() - 1
    assert short_date(date(year, 12, 27)) == f"27 december {year}"
    assert short_date(date(this_year() + 1, 1, 3)) == f"3 januari {this_year() + 1}"


def test_no_date_is_empty():
    assert short_date(None) == ""
    assert short_datetime(None) == ""
    assert short_date("") == ""
    assert render("{{ d|short_date }}", d=None) == ""


def test_english_dates_follow_the_same_rule():
    with translation.override("en"):
        assert short_date(date(this_year(), 12, 27)) == "27 December"
        assert short_date(date(this_year() - 1, 12, 27)) == f"27 December {this_year() - 1}"
        assert render("{{ d|short_date }}", d=date(this_year() - 2, 5, 1)) == f"1 May {this_year() - 2}"


def test_another_day_month_format_gets_the_year_after_it():
    day = date(this_year() - 1, 12, 27)
    assert short_date(day, "l j F") == f"{date_format_weekday(day)} 27 december {this_year() - 1}"
    assert render('{{ d|short_date:"l j F" }}', d=date(this_year(), 3, 2)).endswith(" 2 mars")


def date_format_weekday(day):
    from django.utils.formats import date_format
    return date_format(day, "l")


def test_datetime_is_shown_in_local_time_with_the_year_when_needed():
    # 23:30 UTC on New Year's Eve is already the next year in Stockholm.
    moment = datetime(this_year() - 1, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert short_datetime(moment) == "1 januari 00:30"
    assert render("{{ t|short_datetime }}", t=moment) == "1 januari 00:30"
    earlier = timezone.now().astimezone(STOCKHOLM).replace(year=this_year() - 1, month=6, day=15, hour=9, minute=5)
    assert short_datetime(earlier) == f"15 juni {this_year() - 1} 09:05"
    with translation.override("en"):
        assert short_datetime(earlier) == f"15 June {this_year() - 1} 09:05"


@pytest.mark.django_db
def test_the_case_list_shows_the_year_of_a_deadline_from_another_year(login, city):
    from casework import workflow

    workflow.add_action(city.manager, city.named.pk, title="Ring tillbaka", owner=city.manager,
                        due_date=date(this_year() - 1, 12, 27))
    soon = timezone.localdate() + timedelta(days=1)
    workflow.add_action(city.manager, city.named.pk, title="Boka möte", owner=city.manager, due_date=soon)
    html = login(city.manager).get("/arenden/").content.decode()
    assert f"Ring tillbaka – klar senast 27 december {this_year() - 1}" in html
    assert f"Boka möte – klar senast {short_date(soon)}\n" in html
    if soon.year == this_year():
        assert str(soon.year) not in short_date(soon)


@pytest.mark.django_db
def test_the_report_form_writes_today_and_yesterday_as_two_words(client, city):
    html = client.get("/rapportera/anonymt/").content.decode()
    assert 'data-days="0">I dag</button>' in html and 'data-days="1">I går</button>' in html
    assert "Idag" not in html and "Igår" not in html
