"""The entries written before the seal existed were chained one by one under
a lock: they are the chain's first sealed entries, in id order, with their
hashes unchanged (the chain formula is the same), so a chain that verified
before still verifies and one that had been tampered with still does not.
Each gets its content hash and sequence number; the head gets the count.

Backwards, every entry not sealed yet is sealed first, so that the old schema
(every entry chained) holds again.
"""
import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations

GENESIS = "0" * 64
BATCH = 2000


def _payload(entry) -> str:
    # A frozen copy of AuditEntry.payload(): this migration must keep
    # computing what the entries were hashed with when it was written.
    return json.dumps(
        {
            "at": entry.at.isoformat(timespec="microseconds"),
            "actor": entry.actor_id,
            "actor_label": entry.actor_label,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "incident": entry.incident_id,
            "changes": entry.changes,
        },
        sort_keys=True,
        ensure_ascii=False,
        cls=DjangoJSONEncoder,
    )


def seal_existing(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    ChainHead = apps.get_model("audit", "ChainHead")
    seq, last_hash, last_at = 0, GENESIS, None
    last_id = 0
    while True:
        batch = list(AuditEntry.objects.filter(id__gt=last_id, seq__isnull=True).order_by("id")[:BATCH])
        if not batch:
            break
        for entry in batch:
            seq += 1
            entry.seq = seq
            entry.content_hash = hashlib.sha256(_payload(entry).encode()).hexdigest()
            entry.sealed_at = entry.at
            last_hash, last_at, last_id = entry.hash, entry.at, entry.id
        AuditEntry.objects.bulk_update(batch, ["seq", "content_hash", "sealed_at"])
    head = ChainHead.objects.filter(pk=1).first()
    if head is None:
        ChainHead.objects.create(pk=1, last_hash=last_hash, last_seq=seq, sealed_at=last_at)
    else:
        # The head keeps the hash it had: if the chain's end was cut off
        # before this migration, verify_audit still says so.
        head.last_seq, head.sealed_at = seq, last_at
        head.save(update_fields=["last_seq", "sealed_at"])


def seal_the_rest(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    ChainHead = apps.get_model("audit", "ChainHead")
    head = ChainHead.objects.filter(pk=1).first() or ChainHead.objects.create(pk=1, last_hash=GENESIS)
    prev = head.last_hash
    for entry in AuditEntry.objects.filter(seq__isnull=True).order_by("id").iterator(chunk_size=BATCH):
        entry.prev_hash = prev
        entry.hash = hashlib.sha256((prev + _payload(entry)).encode()).hexdigest()
        entry.save(update_fields=["prev_hash", "hash"])
        prev = entry.hash
    head.last_hash = prev
    head.save(update_fields=["last_hash"])


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_seal"),
    ]

    operations = [
        migrations.RunPython(seal_existing, seal_the_rest),
    ]
