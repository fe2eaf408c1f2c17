"""Writing to the audit log. Call these from domain functions, never from templates.

record(...)        any action, with optional {"field": [old, new]} changes
record_view(...)   a read of a case's details
snapshot(...)      the values of some fields, to diff before and after a change
diff(...)          {"field": [old, new]} for the fields that changed
"""
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEntry, ChainHead

ANONYMOUS_REPORTER = "anonym rapportör"
SYSTEM = "system"


def _plain(value):
    if hasattr(value, "pk") and hasattr(value, "_meta"):
        return str(value.pk)
    if isinstance(value, (list, tuple, set)):
        return sorted(_plain(v) for v in value)
    return value


def snapshot(instance, fields) -> dict:
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(str(pk) for pk in getattr(instance, name).values_list("pk", flat=True))
        elif field.is_relation:
            values[name] = None if getattr(instance, field.attname) is None else str(getattr(instance, field.attname))
        else:
            values[name] = _plain(getattr(instance, name))
    return values


def diff(old: dict, new: dict) -> dict:
    return {k: [old.get(k), new.get(k)] for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)}


def record(actor, action: str, obj=None, *, incident=None, changes=None, actor_label: str = "") -> AuditEntry:
    """Append one entry. `actor` is a user or None (then actor_label says who)."""
    user = actor if (actor is not None and getattr(actor, "is_authenticated", False)) else None
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            at=timezone.now(),
            actor=user,
            actor_label=actor_label or (str(user) if user else SYSTEM),
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            incident=incident,
            changes=changes or {},
            prev_hash=head.last_hash,
        )
        entry.hash = entry.compute_hash()
        entry.save()
        head.last_hash = entry.hash
        head.save(update_fields=["last_hash"])
    return entry


def record_view(actor, incident, *, actor_label: str = "") -> AuditEntry:
    return record(actor, "incident.view", incident, incident=incident, actor_label=actor_label)


def verify_chain() -> tuple[int, list[str]]:
    """Walk the chain in order; return (entries checked, problems found)."""
    problems = []
    expected_prev = None
    count = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        if expected_prev is None:
            expected_prev = entry.prev_hash  # first entry starts the chain
            if entry.prev_hash != "0" * 64:
                problems.append(f"post {entry.id}: kedjan börjar inte från början (poster saknas före)")
        if entry.prev_hash != expected_prev:
            problems.append(f"post {entry.id}: länken till föregående post stämmer inte (post saknas eller har lagts till)")
        if entry.compute_hash() != entry.hash:
            problems.append(f"post {entry.id}: innehållet har ändrats")
        expected_prev = entry.hash
    head = ChainHead.objects.filter(pk=1).first()
    if head and count and head.last_hash != expected_prev:
        problems.append("den senaste posten saknas (kedjans slut stämmer inte)")
    return count, problems
