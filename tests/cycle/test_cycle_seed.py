"""`manage.py seed_cycle`: standard duties for every district and the city,
idempotent, with optional demo history."""
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cycle.models import Duty, DutyOccurrence, TrainingSession

TODAY = timezone.localdate()


def seed(**options):
    out = StringIO()
    call_command("seed_cycle", stdout=out, **options)
    return out.getvalue()


def test_seed_cycle_creates_the_standard_duties_once(city):
    assert "17 uppgifter" in seed()
    assert "0 uppgifter, 0 tillfällen" in seed()
    assert Duty.objects.count() == 17
    # This year's and next year's occurrences exist, none before today's start.
    assert DutyOccurrence.objects.filter(due_date__year=TODAY.year + 1).exists()
    assert not DutyOccurrence.objects.filter(due_date__lt=TODAY).exists()


def test_seed_cycle_with_demo_history_marks_most_past_occurrences_done_and_logs_training(city):
    since = date(TODAY.year - 1, 1, 1)
    seed(since=since.isoformat(), demo=True)
    past = DutyOccurrence.objects.filter(due_date__lt=TODAY, duty__owner__isnull=False)
    done = past.filter(status=DutyOccurrence.Status.DONE)
    assert past.exists() and 0.6 < done.count() / past.count() < 1
    assert all(o.done_at <= TODAY for o in done)
    sessions = TrainingSession.objects.count()
    assert sessions > 0
    assert not TrainingSession.objects.filter(date__gt=TODAY).exists()
    assert not TrainingSession.objects.filter(date__lt=since).exists()
    # A second run changes nothing.
    seed(since=since, demo=True)
    assert past.filter(status=DutyOccurrence.Status.DONE).count() == done.count()
    assert TrainingSession.objects.count() == sessions


def test_seed_cycle_refuses_a_malformed_date(city):
    with pytest.raises(CommandError, match="inte ett datum"):
        seed(since="31/12")
