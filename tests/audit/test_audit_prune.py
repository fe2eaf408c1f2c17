"""The audit log's own retention rule (audit.log.prune): the chain's oldest
segment leaves the log, the entries the caller keeps stay inside it, one
signed checkpoint says where the chain now starts, and verify_audit still
finds a changed, removed or forged entry before and after it."""
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from audit.log import PRUNE, head, prunable, prune, record_many, seal, verify
from audit.models import AuditEntry, AuditLogImmutable
from incidents.models import Incident

pytestmark = pytest.mark.django_db

YEARS = timedelta(days=365)


def plant(at, action="user.login", incident=None, actor=None):
    """An entry dated `at`, written as record() writes one (real model, real table)."""
    entry = AuditEntry(at=at, actor=actor, actor_label=str(actor) if actor else "system", action=action,
                       object_type="incidents.incident" if incident else "",
                       object_id=str(incident.pk) if incident else "", incident=incident, changes={})
    entry.content_hash = entry.compute_content_hash()
    entry.save()
    return entry


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def exists(entry):
    return AuditEntry.objects.filter(pk=entry.pk).exists()


def _planted(city):
    """A log that starts with old entries: the city's own (young) entries are
    removed from the picture by planting on an empty log."""
    _raw(f"DELETE FROM {AuditEntry._meta.db_table}")
    _raw("DELETE FROM audit_chainhead")
    old = timezone.now() - 12 * YEARS
    p = type("Log", (), {})()
    p.cutoff = timezone.now() - 10 * YEARS
    p.plain = [plant(old + timedelta(minutes=i)) for i in range(3)]
    p.open_case = [plant(old + timedelta(minutes=10 + i), "incident.view", city.named, city.manager)
                   for i in range(2)]
    p.report = plant(old + timedelta(minutes=20), "incident.create", city.confidential, city.employee)
    seal()
    p.young = [plant(timezone.now() - timedelta(days=1), "incident.view", city.confidential, city.employee),
               plant(timezone.now(), "incident.view", city.named, city.manager)]
    seal()
    return p


def test_the_oldest_segment_goes_kept_entries_stay_and_the_log_still_verifies(city):
    p = _planted(city)
    assert verify().intact
    keep = [Q(incident_id__in=Incident.unscoped.filter(pk=city.named.pk).values("pk"))]
    assert set(prunable(p.cutoff, keep=keep).values_list("pk", flat=True)) == {e.pk for e in p.plain}
    result = prune(p.cutoff, keep=keep, run=7)
    assert (result.removed, result.kept, result.through, result.refused) == (3, 3, 6, "")
    assert not any(exists(e) for e in p.plain)
    # The open case's entries stay, and so does the report entry of a case
    # that has later entries (it keeps hiding a confidential reporter).
    assert all(exists(e) for e in p.open_case + [p.report] + p.young)
    checkpoint = AuditEntry.objects.get(action=PRUNE)
    assert checkpoint.seq == head()[0] == 9 and checkpoint.changes["removed"] == [None, 3]
    assert checkpoint.changes["run"] == [None, 7] and checkpoint.changes["through"] == [None, 6]
    result = verify()
    assert result.intact, result.problems
    out = StringIO()
    call_command("verify_audit", stdout=out)  # exit status 1 (CommandError) on any problem
    # The model still refuses deletes: this one path is the only one.
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.filter(pk=p.young[0].pk).delete()


def test_nothing_goes_when_no_entry_is_older_than_the_rule(city):
    p = _planted(city)
    result = prune(timezone.now() - 20 * YEARS)
    assert result.removed == 0 and not AuditEntry.objects.filter(action=PRUNE).exists()
    assert all(exists(e) for e in p.plain)


def test_a_tampered_entry_after_the_checkpoint_is_still_found(city):
    p = _planted(city)
    prune(p.cutoff, keep=[Q(incident_id=city.named.pk)])
    young = p.young[1]
    _raw(f"UPDATE {AuditEntry._meta.db_table} SET action = %s WHERE id = %s", ["incident.export", young.pk])
    problems = verify().problems
    assert any(f"post {young.pk}: innehållet har ändrats" in problem for problem in problems), problems


def test_a_kept_entry_inside_the_removed_segment_changed_with_its_hashes_recomputed_is_found(city):
    p = _planted(city)
    prune(p.cutoff, keep=[Q(incident_id=city.named.pk)])
    kept = AuditEntry.objects.get(pk=p.open_case[0].pk)
    kept.actor_label = "någon annan"
    kept.content_hash = kept.compute_content_hash()
    kept.hash = kept.compute_hash()
    _raw(f"UPDATE {AuditEntry._meta.db_table} SET actor_label = %s, content_hash = %s, hash = %s WHERE id = %s",
         [kept.actor_label, kept.content_hash, kept.hash, kept.pk])
    problems = verify().problems
    assert any("gallringen av loggen lämnade kvar" in problem for problem in problems), problems
    # Removing a kept entry is found the same way.
    _raw(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [p.open_case[1].pk])
    assert any("gallringen av loggen lämnade kvar" in problem for problem in verify().problems)


def test_removing_entries_without_the_checkpoint_or_forging_one_is_found(city):
    p = _planted(city)
    prune(p.cutoff, keep=[Q(incident_id=city.named.pk)])
    checkpoint = AuditEntry.objects.get(action=PRUNE)
    # A forged checkpoint (the signature needs SECRET_KEY) is not believed.
    forged = dict(checkpoint.changes, through=[None, 8])
    _raw(f"UPDATE {AuditEntry._meta.db_table} SET changes = %s WHERE id = %s",
         [__import__("json").dumps(forged), checkpoint.pk])
    problems = verify().problems
    assert any("gallringen av loggen är inte signerad" in problem for problem in problems), problems
    assert any("poster saknas" in problem or "börjar inte" in problem for problem in problems), problems
    # Without the checkpoint the removed segment shows as missing entries.
    _raw(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [checkpoint.pk])
    problems = verify().problems
    assert problems and any("saknas" in problem for problem in problems), problems


def test_a_segment_that_does_not_verify_is_not_removed(city):
    p = _planted(city)
    _raw(f"UPDATE {AuditEntry._meta.db_table} SET action = %s WHERE id = %s", ["user.logout", p.plain[1].pk])
    result = prune(p.cutoff)
    assert result.removed == 0 and f"post {p.plain[1].pk}" in result.refused
    assert all(exists(e) for e in p.plain) and not AuditEntry.objects.filter(action=PRUNE).exists()


def test_a_second_pruning_continues_from_the_first_checkpoint(city):
    p = _planted(city)
    prune(p.cutoff, keep=[Q(incident_id=city.named.pk)])
    record_many("reminder.sent", [(city.named, city.named, {})], actor_label="påminnelser")
    seal()
    # Later, everything up to now is older than the rule, the open case too.
    second = prune(timezone.now() + timedelta(minutes=1))
    assert second.removed == 7 and second.kept == 0
    assert AuditEntry.objects.filter(seq__isnull=False).count() == 1
    assert verify().intact, verify().problems
    later = record_many("reminder.sent", [(city.named, city.named, {})], actor_label="påminnelser")
    assert later == 1 and seal() == 1 and verify().intact


def test_record_many_writes_what_record_writes_in_one_insert(city):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        n = record_many("retention.thin", [(city.named, city.named, {"kinds": [None, ["texts"]], "note": ["a", "b"]}),
                                           (city.confidential, city.confidential.pk, {})], actor_label="gallring")
    assert n == 2 and [q["sql"].split()[0].upper() for q in queries.captured_queries] == ["INSERT"]
    entry = AuditEntry.objects.filter(action="retention.thin").order_by("pk").first()
    assert entry.incident_id == city.named.pk and entry.object_type == "incidents.incident"
    assert entry.changes["kinds"] == [None, ["texts"]] and entry.changes["note"][0]["len"] == 1  # protected
    assert entry.content_hash == entry.compute_content_hash() and entry.actor_label == "gallring"
    with pytest.raises(ValueError):
        record_many("x", [], actor_label="anonym rapportör")
    assert seal() >= 2 and verify().intact
