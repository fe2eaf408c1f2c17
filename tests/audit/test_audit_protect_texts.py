"""The log keeps no text: new entries store free texts as keyed hash and
length, and the migration converts old entries and re-anchors the chain
with a signed checkpoint that verify_audit checks."""
import importlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit.log import CHECKPOINT, head, protect, record, seal, text_digest, verify
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db
migration = importlib.import_module("audit.migrations.0006_protect_texts")


def old_entry(incident, changes):
    """An entry as the log wrote it before December 2026: texts in clear."""
    entry = AuditEntry(at=incident.reported_at, actor=None, actor_label="system", action="incident.change",
                       object_type="incidents.incident", object_id=str(incident.pk), incident=incident,
                       changes=changes)
    entry.content_hash = entry.compute_content_hash()
    entry.save()
    return entry


def test_new_entries_keep_codes_readable_and_texts_as_keyed_hashes(city):
    entry = record(city.manager, "incident.change", city.named, incident=city.named, changes={
        "description": ["Gammal text", "Ny text"], "status": ["new", "acknowledged"],
        "location": ["", "Hornsgatan 1"], "reason": [None, "Fel ärende"]})
    assert entry.changes["status"] == ["new", "acknowledged"]
    assert entry.changes["description"] == [{"hmac": text_digest("Gammal text"), "len": 11},
                                            {"hmac": text_digest("Ny text"), "len": 7}]
    assert entry.changes["location"] == ["", {"hmac": text_digest("Hornsgatan 1"), "len": 12}]
    assert entry.changes["reason"][1]["len"] == 10
    assert "Hornsgatan" not in str(entry.changes) and text_digest("a") != text_digest("b")
    assert protect(entry.changes, type(city.named)) == entry.changes  # idempotent


def test_the_migration_converts_old_entries_and_re_anchors_a_chain_that_verifies(city):
    old_entry(city.named, {"description": ["Hemlig text", "Ännu hemligare"], "status": ["new", "closed"]})
    old_entry(city.named, {"police_reference": ["", "K123-45"]})
    seal()
    old_seq, old_hash = head()
    assert verify().intact
    migration.protect_texts(apps, connection.schema_editor())
    text = " ".join(str(e.changes) for e in AuditEntry.objects.all())
    assert "Hemlig" not in text and "K123-45" not in text and "closed" in text
    checkpoint = AuditEntry.objects.get(action=CHECKPOINT)
    assert checkpoint.changes["old_head"][1] == f"{old_seq}:{old_hash}"
    assert checkpoint.changes["old_chain_intact"][1] is True and checkpoint.changes["converted"][1] >= 2
    assert checkpoint.seq == head()[0]
    assert verify().intact
    call_command("verify_audit", "--expect", f"{old_seq}:{old_hash}")  # the old kept head is vouched for
    with pytest.raises(CommandError):
        call_command("verify_audit", "--expect", f"{old_seq}:{'0' * 64}")


def test_a_chain_broken_before_the_conversion_stays_reported(city):
    entry = old_entry(city.named, {"description": [None, "Text"]})
    seal()
    AuditEntry._base_manager.filter(pk=entry.pk).update(actor_label="någon annan")  # tampering
    migration.protect_texts(apps, connection.schema_editor())
    result = verify()
    assert any("var bruten redan när den förankrades om" in p for p in result.problems)


def test_a_forged_checkpoint_fails(city):
    old_entry(city.named, {"description": [None, "Text"]})
    seal()
    migration.protect_texts(apps, connection.schema_editor())
    checkpoint = AuditEntry.objects.get(action=CHECKPOINT)
    changes = dict(checkpoint.changes, old_chain_intact=[None, True], signature=[None, "0" * 64])
    forged = AuditEntry(at=checkpoint.at, actor=None, actor_label="system", action=CHECKPOINT, changes=changes)
    forged.content_hash = forged.compute_content_hash()
    forged.save()
    seal()
    assert any("inte signerad med nyckeln" in p for p in verify().problems)
