"""The audit log: append-only, hash-chained, verifiable."""
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.log import diff, record, record_view, seal, snapshot, verify_chain
from audit.models import AuditEntry, AuditLogImmutable

pytestmark = pytest.mark.django_db


def test_record_view_stores_actor_action_and_case(city):
    entry = record_view(city.manager, city.named)
    assert (entry.actor, entry.action, entry.incident) == (city.manager, "incident.view", city.named)
    assert entry.actor_label == str(city.manager)


def test_change_keeps_old_and_new_values(city):
    before = snapshot(city.named, ["status", "unit", "forms"])
    city.named.status = "acknowledged"
    city.named.unit = city.north_b
    city.named.save()
    city.named.forms.add(*type(city.named.forms.first()).objects.filter(code="vald"))
    changes = diff(before, snapshot(city.named, ["status", "unit", "forms"]))
    entry = record(city.manager, "incident.change", city.named, incident=city.named, changes=changes)
    stored = AuditEntry.objects.get(pk=entry.pk).changes
    assert stored["status"] == ["new", "acknowledged"]
    assert stored["unit"] == [str(city.north_a.pk), str(city.north_b.pk)]
    assert len(stored["forms"][1]) == 2


def test_entries_cannot_be_changed_or_deleted(city):
    entry = record_view(city.manager, city.named)
    entry.action = "something.else"
    with pytest.raises(AuditLogImmutable):
        entry.save()
    with pytest.raises(AuditLogImmutable):
        entry.delete()
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "incident.view"


def test_chain_verifies_when_intact(city):
    for _ in range(5):
        record_view(city.manager, city.named)
    seal()
    count, problems = verify_chain()
    assert (count, problems) == (5, [])
    call_command("verify_audit")


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_chain_detects_a_changed_entry(city):
    entries = [record_view(city.manager, city.named) for _ in range(3)]
    seal()
    _raw("UPDATE audit_auditentry SET actor_label = %s WHERE id = %s", ["someone else", entries[1].pk])
    count, problems = verify_chain()
    assert any(f"post {entries[1].pk}: innehållet har ändrats" in p for p in problems)
    with pytest.raises(CommandError):
        call_command("verify_audit")


def test_chain_detects_a_removed_entry(city):
    entries = [record_view(city.manager, city.named) for _ in range(3)]
    seal()
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    assert any("länken" in p for p in verify_chain()[1])


def test_chain_detects_a_removed_last_entry(city):
    entries = [record_view(city.manager, city.named) for _ in range(3)]
    seal()
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[2].pk])
    assert any("senaste posten saknas" in p for p in verify_chain()[1])


def test_system_actor_is_labelled(city):
    entry = record(None, "reminder.sent", city.named, incident=city.named)
    assert entry.actor is None and entry.actor_label == "system"
