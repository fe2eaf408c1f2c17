"""The data layer enforces access: a query on incidents, or on what hangs off
one, that forgets the scope raises instead of leaking; the unscoped manager is
used only on the system paths that say why."""
import pathlib
import re

import pytest

from incidents import access
from incidents.models import Action, Attachment, ChecklistItem, Incident, Message, ScopeRequired

pytestmark = pytest.mark.django_db
ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("model", [Incident, Action, Attachment, ChecklistItem, Message])
@pytest.mark.parametrize("query", [
    lambda m: list(m.objects.all()),
    lambda m: m.objects.filter(pk=1).exists(),
    lambda m: m.objects.count(),
    lambda m: m.objects.get(pk=1),
    lambda m: list(m.objects.values_list("pk")),
])
def test_a_query_without_scope_raises(city, model, query):
    with pytest.raises(ScopeRequired):
        query(model)


def test_reverse_relations_from_outside_an_incident_raise(city):
    """unit.incidents would list every case of a unit to whoever holds the unit."""
    with pytest.raises(ScopeRequired):
        list(city.north_a.incidents.all())
    with pytest.raises(ScopeRequired):
        list(city.employee.reported_incidents.all())


def test_what_hangs_off_an_incident_one_holds_is_reachable(city):
    incident = access.get_visible_incident(city.manager, city.named.pk)
    assert list(incident.messages.all()) == []
    assert list(incident.checklist.all()) == []
    assert incident.unit == city.north_a


def test_writing_needs_no_scope(city):
    created = Incident.objects.create(unit=city.north_a, occurred_at=city.named.occurred_at,
                                      description="Ny rapport")
    assert access.visible_incidents(city.security).filter(pk=created.pk).exists()
    assert not access.visible_incidents(city.manager_south).filter(pk=created.pk).exists()


# Modules that may use the unscoped managers, each for a reason stated where it
# does: access applies the scope; the reminder pass and the optimistic-lock
# update are the system itself; the statistics' running totals count every
# incident (readers apply the scope); the demo and benchmarks build data.
UNSCOPED_ALLOWED = {
    "incidents/access.py", "incidents/models.py", "casework/workflow.py", "casework/reminders.py",
    "casework/inbox.py", "situation/rollups.py",
    # The support track's reminder pass, like the cases'; its lock update,
    # like casework.workflow's (the track was loaded through access).
    "support/reminders.py", "support/services.py",
    # Protective measures: their review reminders, and the lock update after
    # the measure was loaded through access.measures_in_scope.
    "protection/reminders.py", "protection/services.py",
    # Gallring is the system removing due data from every case in the city;
    # it shows no case to anyone (its page shows counts only).
    "retention/thinning.py",
    # Other apps' free texts about a case, for gallring only (rows() is
    # called by retention.thinning).
    "incidents/texts.py",
    # The outbox's follow-up once a new report's e-mail reached the safety
    # representative: the system marks the checklist item; nothing is shown.
    "incidents/notify.py",
    # The reminder to ask what became of a police report: the system itself,
    # to the case's handlers, without content.
    "police/reminders.py",
}


def test_only_system_paths_use_the_unscoped_managers():
    users = set()
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith((".venv/", "tests/", "demo/", "bench/")) or "/migrations/" in rel:
            continue
        if re.search(r"\.unscoped\b", path.read_text(encoding="utf-8")):
            users.add(rel)
    assert users <= UNSCOPED_ALLOWED, sorted(users - UNSCOPED_ALLOWED)
