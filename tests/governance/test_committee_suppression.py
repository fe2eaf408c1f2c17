"""No committee document shows an unsuppressed small count: whatever the
number of reports behind a risk, the evidence frozen on it (and so the
register's page, PDF and XLSX) shows counts of 1 to 4 only as "<5"."""
import re

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance import risks
from tests.factories import incident

pytestmark = pytest.mark.django_db
COUNT_LABELS = {"Rapporter"}
NOTE_LABELS = {"Jämfört med samma period året innan", "Hot och våld som polisanmälts"}


class Rollback(Exception):
    pass


def shown_counts(evidence) -> list[int]:
    numbers = []
    for row in evidence:
        if row["label"] in COUNT_LABELS:
            numbers += [int(n) for n in re.findall(r"(?<![<\d])\d+", row["text"].replace("\xa0", ""))]
        if row["label"] in NOTE_LABELS:
            numbers += [int(n) for n in re.findall(r"(?<![<\d])\d+", row["note"].replace("\xa0", ""))]
    return numbers


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(now=st.integers(0, 9), before=st.integers(0, 9), police=st.integers(0, 9))
def test_no_small_count_reaches_the_committee(city, now, before, police):
    try:
        with transaction.atomic():
            register = risks.create_register(city.hr, city.north, 2026)
            risk = register.risks.get(standard_key="hot_hembesok")
            for i in range(now):
                inc = incident(city.north_a, forms=("hot",), channel="hembesok", days_ago=5 + i)
                if i < police:
                    inc.police_status = inc.PoliceStatus.REPORTED
                    inc.save()
            for i in range(before):
                incident(city.north_b, forms=("vald",), channel="hembesok", days_ago=380 + i)
            risks.attach_evidence(city.hr, risk.pk)
            risk.refresh_from_db()
            for value in shown_counts(risk.evidence):
                assert value == 0 or value >= 5, (value, risk.evidence)
            raise Rollback
    except Rollback:
        pass
