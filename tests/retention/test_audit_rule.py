"""The audit log's own rule in a gallring run: entries older than the rule
leave the log, those about a case that is open, closed less than the rule
ago or on hold stay, the log still verifies, and the auditor sees the
removal as part of the run."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.log import PRUNE, seal, verify
from audit.models import AuditEntry
from retention import thinning
from tests.audit.test_audit_prune import plant
from tests.retention.planting import YEAR, case, hold

pytestmark = pytest.mark.django_db


def test_a_run_removes_the_log_entries_older_than_the_rule_and_keeps_those_of_cases_not_due(city, client, login):
    old = timezone.now() - timedelta(days=12 * YEAR)
    gone_case = case(city.north_a, reporter=city.employee, closed_days_ago=11 * YEAR, label="g")
    held_case = case(city.north_a, reporter=city.employee, closed_days_ago=11 * YEAR, label="h")
    hold(held_case, city.security)
    open_case = case(city.north_a, reporter=city.employee, closed_days_ago=None, occurred_days_ago=12 * YEAR,
                     label="o")
    young_case = case(city.north_a, reporter=city.employee, closed_days_ago=9 * YEAR, label="y")
    seal()
    # Entries leave only from the chain's oldest segment, so the planted
    # twelve-year-old ones must be its first (the city writes none of its own).
    assert not AuditEntry.objects.exists()
    gone = [plant(old, "incident.view", gone_case, city.manager), plant(old, "user.login")]
    kept = [plant(old, "incident.view", c, city.manager) for c in (held_case, open_case, young_case)]
    seal()
    preview = thinning.preview()
    assert sum(preview.by_kind["audit"].values()) == 2
    outcome = thinning.run()
    assert outcome.removed["audit"] == 2 and outcome.run.removed["audit"] == 2
    assert not AuditEntry.objects.filter(pk__in=[e.pk for e in gone]).exists()
    assert AuditEntry.objects.filter(pk__in=[e.pk for e in kept]).count() == 3
    assert AuditEntry.objects.filter(action=PRUNE).get().changes["run"] == [None, outcome.run.pk]
    seal()
    assert verify().intact, verify().problems
    again = thinning.run()
    assert again.removed.get("audit", 0) == 0
    login(city.auditor)
    assert "Granskningsloggen: 2" in client.get(reverse("retention:runs")).content.decode()
    page = client.get(reverse("audit:list")).content.decode()
    assert "tog bort 2 loggposter äldre än regeln" in page
