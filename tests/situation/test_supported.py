""""Share who felt supported" in the situation picture (issue 17): the
employees' answers per district and year, exact for readers who may open
the cases, protected and suppressed like the other small counts for
aggregate-only readers, and never from outside the reader's scope."""
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident
from situation import stats
from situation.forms import load_terms
from situation.lens import Lens
from support.models import SupportAnswer
from tests.factories import incident

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def answers(unit, yes: int, no: int, reporter=None):
    """Cases in `unit` this year, each with an answer at its closing."""
    at = timezone.make_aware(datetime(YEAR, 1, 15, 12))
    for felt in [True] * yes + [False] * no:
        inc = incident(unit, reporter=reporter, status=Incident.Status.CLOSED, days_ago=0)
        Incident.unscoped.filter(pk=inc.pk).update(occurred_at=at, reported_at=at, closed_at=at)
        SupportAnswer.objects.create(incident=Incident.unscoped.get(pk=inc.pk), occasion="closing",
                                     felt_supported=felt, answered_at=at)


def table(user, node):
    lens = Lens(node=node, start=date(YEAR, 1, 1), end=date(YEAR, 12, 31), period="ar", year=YEAR)
    picture = stats.build(user, lens, load_terms())
    return next((t for t in picture.tables if t.key == "stod"), None)


def cells(t):
    return {row.label: [c.text for c in row.cells] for row in t.rows}


def test_a_handler_sees_the_exact_share_per_district_and_year(city):
    answers(city.north_a, yes=4, no=2, reporter=city.employee)
    answers(city.south_a, yes=1, no=0, reporter=city.employee_south)
    shown = cells(table(city.security, city.north))
    assert shown == {city.north.name: [str(YEAR), "6", "4", "67 %"]}  # the south is outside the scope


def test_small_counts_are_hidden_from_aggregate_readers(city):
    answers(city.north_a, yes=4, no=2, reporter=city.employee)
    for reader, node in ((city.committee, city.north), (city.analyst, city.city)):
        t = table(reader, node)
        row = cells(t)[city.north.name]
        # Two said no: hidden, so the yes beside it is hidden too (it would
        # give the no away from the total), and no share is shown.
        assert row[2] in ("<5", ".."), (reader.username, row)
        assert row[3] == "–", (reader.username, row)
        assert abs(int(row[1]) - 6) <= 2


def test_larger_counts_are_shown_protected_with_the_share(city):
    answers(city.north_a, yes=14, no=9, reporter=city.employee)
    row = cells(table(city.analyst, city.city))[city.north.name]
    total, yes = int(row[1]), int(row[2])
    assert abs(total - 23) <= 2 and abs(yes - 14) <= 2          # protected figures: within the table's noise
    assert row[3].endswith("%")
    assert row == cells(table(city.analyst, city.city))[city.north.name]  # the same every time


def test_no_answers_no_table(city):
    assert table(city.security, city.north) is None


def test_the_table_is_on_the_page_and_in_the_export(login, city):
    answers(city.north_a, yes=8, no=3, reporter=city.employee)
    client = login(city.committee)
    query = f"period=ar&ar={YEAR}"
    page = client.get(reverse("situation:picture", args=[city.north.pk]) + "?" + query).content.decode()
    assert "Andel som fick det stöd de behövde" in page
    export = client.get(reverse("situation:export_tables", args=[city.north.pk, "csv"]) + "?" + query)
    assert export.status_code == 200
    body = b"".join(export.streaming_content) if export.streaming else export.content
    assert "Andel som fick det stöd de behövde" in body.decode("utf-8-sig")
