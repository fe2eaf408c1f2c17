"""The log stops being a second copy of the cases: in every entry the free
texts (descriptions, messages, locations, reasons, notes, action wording,
file names, K-numbers, actor pseudonyms) are replaced by a keyed hash and
their length, as audit.log.protect now writes them.

That changes the entries' content, so the chain is computed again from the
start, and one signed checkpoint entry re-anchors it: it records the old
chain's head (NUMMER:HASH, as seal_audit printed it), whether the old chain
verified when it was rewritten (and how many problems it had), and how many
entries were converted. verify_audit checks the signature (SECRET_KEY: not
in the database), reports for ever an old chain that did not verify, and
accepts the recorded old head as a kept head (`--expect`). docs/audit.md,
"Re-anchoring".

Backwards it does nothing: the texts are gone (that is the point).
"""
import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models
from django.utils import timezone
from django.utils.crypto import salted_hmac

GENESIS = "0" * 64
BATCH = 2000

# Frozen copies of audit.log's rule (TEXT_FIELDS, TEXT_KEYS, protect) and
# of AuditEntry.payload() as they were when this migration was written.
TEXT_FIELDS = {
    "incidents.incident": {"location", "police_reference", "actor_pseudonym"},
    "incidents.action": {"title"},
    "incidents.attachment": {"original_name"},
    "incidents.checklistitem": {"reference"},
}
TEXT_KEYS = {"reason", "attachments", "body", "description", "note"}


def _payload(entry) -> str:
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


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _protected(value):
    if value is None or value == "" or value == []:
        return value
    if isinstance(value, (list, tuple)):
        return [_protected(v) for v in value]
    if isinstance(value, dict) and set(value) == {"hmac", "len"}:
        return value
    text = value if isinstance(value, str) else str(value)
    return {"hmac": salted_hmac("varn.audit.text", text, algorithm="sha256").hexdigest(), "len": len(text)}


def _text_fields(apps, object_type, cache):
    """(text field names, all field names) of the entry's object's model."""
    if object_type not in cache:
        names, fields = set(TEXT_FIELDS.get(object_type, ())), set()
        try:
            model = apps.get_model(object_type) if object_type else None
        except (LookupError, ValueError):
            model = None
        if model is not None:
            fields = {f.name for f in model._meta.get_fields()}
            names |= {f.name for f in model._meta.get_fields() if isinstance(f, models.TextField)}
        cache[object_type] = (names & fields if fields else set(), fields)
    return cache[object_type]


def _protect(apps, object_type, changes, cache):
    if not isinstance(changes, dict):
        return changes
    text_fields, fields = _text_fields(apps, object_type, cache)
    texts = text_fields | (TEXT_KEYS - fields)
    return {name: ([_protected(v) for v in pair] if name in texts and isinstance(pair, (list, tuple)) else pair)
            for name, pair in changes.items()}


def _keep_reason(entry, reasons):
    """The case page showed a reopening's reason from the log; the case keeps it now."""
    pair = entry.changes.get("reason") if isinstance(entry.changes, dict) else None
    if entry.action == "incident.reopen_reason" and entry.incident_id and isinstance(pair, list) \
            and len(pair) == 2 and isinstance(pair[1], str):
        reasons[entry.incident_id] = pair[1]


def _signature(at, changes) -> str:
    # The formula of audit.log.checkpoint_signature.
    body = json.dumps({k: v for k, v in changes.items() if k != "signature"}, sort_keys=True, ensure_ascii=False)
    return salted_hmac("varn.audit.checkpoint", f"{at.isoformat(timespec='microseconds')}|{body}",
                       algorithm="sha256").hexdigest()


def protect_texts(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    ChainHead = apps.get_model("audit", "ChainHead")
    Pending = apps.get_model("audit", "PendingAnonymousEntry")
    Incident = apps.get_model("incidents", "Incident")
    cache = {}
    converted = problems = 0
    reasons = {}  # incident -> the latest reason it was reopened with (the case keeps it now)
    # 1. The sealed entries in chain order: check the old chain as it was,
    # convert, and chain again from the start.
    old_prev, new_prev, expected_seq, last_seq, last_id = GENESIS, GENESIS, 1, 0, None
    while True:
        batch = list(AuditEntry._base_manager.filter(seq__isnull=False, seq__gt=last_seq).order_by("seq")[:BATCH])
        if not batch:
            break
        for entry in batch:
            old_payload = _payload(entry)
            if (entry.seq != expected_seq or entry.prev_hash != old_prev
                    or _sha(entry.prev_hash + old_payload) != entry.hash or _sha(old_payload) != entry.content_hash):
                problems += 1
            old_prev, expected_seq, last_seq, last_id = entry.hash, entry.seq + 1, entry.seq, entry.id
            _keep_reason(entry, reasons)
            changes = _protect(apps, entry.object_type, entry.changes, cache)
            if changes != entry.changes:
                converted += 1
                entry.changes = changes
            payload = _payload(entry)
            entry.content_hash = _sha(payload)
            entry.prev_hash = new_prev
            entry.hash = new_prev = _sha(new_prev + payload)
        # Two steps: the new hashes may equal old ones of other rows (unique).
        AuditEntry._base_manager.filter(pk__in=[e.pk for e in batch]).update(hash=None)
        AuditEntry._base_manager.bulk_update(batch, ["changes", "content_hash", "prev_hash", "hash"])
    head = ChainHead._base_manager.filter(pk=1).first()
    old_head = f"{head.last_seq}:{head.last_hash}" if head else f"0:{GENESIS}"
    if head is not None and (head.last_seq != last_seq or head.last_hash != old_prev):
        problems += 1  # the chain's end had been cut off or the head moved
    # 2. Entries waiting for their seal, and the anonymous reporter's held ones.
    for model in (AuditEntry, Pending):
        rows = model._base_manager.filter(seq__isnull=True) if model is AuditEntry else model._base_manager.all()
        for entry in rows.order_by("id").iterator(chunk_size=BATCH):
            _keep_reason(entry, reasons)
            changes = _protect(apps, entry.object_type, entry.changes, cache)
            if changes == entry.changes:
                continue
            converted += 1
            entry.changes = changes
            if model is AuditEntry:
                entry.content_hash = _sha(_payload(entry))
            else:
                entry.actor_id = None
                entry.content_hash = _sha(_payload(entry))
            model._base_manager.filter(pk=entry.pk).update(changes=changes, content_hash=entry.content_hash)
    for incident_id, reason in reasons.items():
        Incident._base_manager.filter(pk=incident_id).update(reopen_reason=reason)
    if last_id is None and not converted:
        return  # an empty log (a new database): nothing to re-anchor
    # 3. The checkpoint, sealed at once as the chain's next entry.
    now = timezone.now()
    changes = {
        "old_head": [None, old_head],
        "old_chain_intact": [None, problems == 0],
        "old_problems": [None, problems],
        "converted": [None, converted],
        "purpose": [None, "protect-texts"],
    }
    changes["signature"] = [None, _signature(now, changes)]
    entry = AuditEntry(at=now, actor_id=None, actor_label="system", action="audit.checkpoint",
                       object_type="", object_id="", incident_id=None, changes=changes)
    payload = _payload(entry)
    entry.content_hash = _sha(payload)
    entry.seq = last_seq + 1
    entry.prev_hash = new_prev
    entry.hash = _sha(new_prev + payload)
    entry.sealed_at = now
    entry.save()
    if head is None:
        ChainHead._base_manager.create(pk=1, last_hash=entry.hash, last_seq=entry.seq, sealed_at=now)
    else:
        ChainHead._base_manager.filter(pk=1).update(last_hash=entry.hash, last_seq=entry.seq, sealed_at=now)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0005_pending_anonymous"),
        ("incidents", "0014_gallring"),
        ("knowledge", "__first__"),
        ("cycle", "__first__"),
    ]

    operations = [
        migrations.RunPython(protect_texts, migrations.RunPython.noop),
    ]
