"""Writing to the audit log. Call these from domain functions, never from templates.

record(...)        any action, with optional {"field": [old, new]} changes
record_view(...)   a read of a case's details
record_many(...)   many entries of one system job at once (gallring: one per case)
via(...)           name the channel (an API token) in every entry written meanwhile
snapshot(...)      the values of some fields, to diff before and after a change
diff(...)          {"field": [old, new]} for the fields that changed
protect(...)       what record() stores of the changes: free text as keyed hash and length
seal(...)          chain the committed entries that are not sealed yet
verify(...)        check the chain and the entries waiting for the seal
prune(...)         remove the chain's oldest segment by the log's retention rule (the one delete)

Writing an entry is one INSERT without a lock: the request that reads or
changes a case never waits for another one's audit entry. The entries are
chained afterwards by seal(), which alone takes a lock (on the chain head):
after a commit, at most once a second per process (seal_soon), and from the
timer (`manage.py seal_audit`, also run by `run_reminders`). An entry is
sealed within SEAL_WINDOW; verify() reports any entry left unsealed for
longer. docs/audit.md says what the window means for an attacker.
"""
import contextvars
import hashlib
import json
import logging
import random
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from audit.models import GENESIS, AuditEntry, ChainHead, PendingAnonymousEntry

ANONYMOUS_REPORTER = "anonym rapportör"
SYSTEM = "system"

logger = logging.getLogger(__name__)

# How long an entry may wait for its seal before verify() reports it: two
# periods of the five-minute timer, so that one late run is no alarm.
SEAL_WINDOW = timedelta(seconds=getattr(settings, "AUDIT_SEAL_WINDOW_SECONDS", 600))
# After a commit a process seals at most this often (seconds).
SEAL_EVERY = 1.0
# Entries chained per transaction of the sealer.
SEAL_BATCH = 2000


def _plain(value):
    if hasattr(value, "pk") and hasattr(value, "_meta"):
        return str(value.pk)
    if isinstance(value, (list, tuple, set)):
        return sorted(_plain(v) for v in value)
    return value


def snapshot(instance, fields) -> dict:
    values = {}
    for name in fields:
        field_ = instance._meta.get_field(name)
        if field_.many_to_many:
            values[name] = sorted(str(pk) for pk in getattr(instance, name).values_list("pk", flat=True))
        elif field_.is_relation:
            values[name] = None if getattr(instance, field_.attname) is None else str(getattr(instance, field_.attname))
        else:
            values[name] = _plain(getattr(instance, name))
    return values


def diff(old: dict, new: dict) -> dict:
    return {k: [old.get(k), new.get(k)] for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)}


_via = contextvars.ContextVar("audit_via", default="")


@contextmanager
def via(label: str):
    """Entries written inside this block name `label` beside the user, e.g.
    an integration account's API token: "HR-systemet (token Nattlig import)".
    The domain functions write their entries as usual and need not know."""
    token = _via.set(label)
    try:
        yield
    finally:
        _via.reset(token)


def _actor_text(user) -> str:
    label = _via.get()
    text = f"{user} ({label})" if label else str(user)
    return text[:AuditEntry._meta.get_field("actor_label").max_length]
# --- what an entry keeps of a change ------------------------------------------

# The log proves *that* a text changed and who changed it, never what it
# says: it is kept longer than the cases (gallring, docs/retention.md) and
# must not be a second copy of them. Every TextField is such a text, and so
# are these short fields that people type or that identify someone, and the
# keys entries write that are not fields.
TEXT_FIELDS = {
    "incidents.incident": {"location", "police_reference", "actor_pseudonym"},
    "incidents.action": {"title"},
    "incidents.attachment": {"original_name"},
    "incidents.checklistitem": {"reference"},
}
TEXT_KEYS = {"reason", "attachments", "body", "description", "note"}
PROTECTED = "hmac"  # the key of a protected value: {"hmac": …, "len": …}


def text_digest(value: str) -> str:
    """HMAC-SHA256 of a text keyed with SECRET_KEY (the pattern of
    reporting.receipts._digest): equal texts give equal digests, so the log
    shows whether a text changed; without the key it says nothing, with it
    one can only check a guess."""
    return salted_hmac("varn.audit.text", value, algorithm="sha256").hexdigest()


def _protected(value):
    if value is None or value == "" or value == []:
        return value
    if isinstance(value, (list, tuple)):
        return [_protected(v) for v in value]
    if is_protected(value):
        return value
    text = value if isinstance(value, str) else str(value)
    return {PROTECTED: text_digest(text), "len": len(text)}


def is_protected(value) -> bool:
    return isinstance(value, dict) and set(value) == {PROTECTED, "len"}


def _is_text(model, name: str) -> bool:
    try:
        model_field = model._meta.get_field(name) if model is not None else None
    except Exception:  # not a field of the model (FieldDoesNotExist)
        model_field = None
    if model_field is None:
        return name in TEXT_KEYS
    return (isinstance(model_field, models.TextField)
            or name in TEXT_FIELDS.get(model._meta.label_lower, ()))


def protect(changes: dict, model=None) -> dict:
    """The changes as the log keeps them: for a free-text field (any
    TextField, TEXT_FIELDS, TEXT_KEYS) old and new become
    {"hmac": keyed hash, "len": length} (a list of them for a list of
    names; TEXT_KEYS are the keys that are not fields of the entry's
    object); an empty value stays empty. Coded values (state, form codes,
    unit, dates, booleans) are kept as they are."""
    return {name: ([_protected(v) for v in pair] if _is_text(model, name) and isinstance(pair, (list, tuple))
                   else pair)
            for name, pair in (changes or {}).items()}


def to_the_hour(moment):
    """`moment` truncated to its hour: the only time stored for what the
    anonymous reporter does (docs/disclosure.md, "Anonymous reports")."""
    return moment.replace(minute=0, second=0, microsecond=0)


def record(actor, action: str, obj=None, *, incident=None, changes=None, actor_label: str = "") -> AuditEntry:
    """Append one entry. `actor` is a user or None (then actor_label says who).
    Free texts in `changes` are stored as keyed hash and length (protect()).

    One INSERT, inside the caller's transaction, with the entry's content
    hash; no lock. The entry is chained by seal() once it is committed.

    An entry of the anonymous reporter (no user, actor_label
    ANONYMOUS_REPORTER) is dated to the hour and held back as a
    PendingAnonymousEntry until that hour has ended; the timer's sealer then
    appends it (release_anonymous). The returned entry is not saved then."""
    user = actor if (actor is not None and getattr(actor, "is_authenticated", False)) else None
    anonymous = user is None and actor_label == ANONYMOUS_REPORTER
    entry = AuditEntry(
        at=to_the_hour(timezone.now()) if anonymous else timezone.now(),
        actor=user,
        actor_label=actor_label or (_actor_text(user) if user else SYSTEM),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        incident=incident,
        changes=protect(changes, obj._meta.model if obj is not None else None),
    )
    entry.content_hash = entry.compute_content_hash()
    if anonymous:
        PendingAnonymousEntry.objects.create(
            at=entry.at, actor_label=entry.actor_label, action=entry.action,
            object_type=entry.object_type, object_id=entry.object_id, incident=incident,
            changes=entry.changes, content_hash=entry.content_hash)
        return entry
    entry.save()
    transaction.on_commit(seal_soon)
    return entry


def record_many(action: str, rows, *, actor_label: str = SYSTEM, model=None) -> int:
    """Append one entry per (obj, incident, changes) in `rows`, written by
    a system job (no user; `actor_label` says which, never the anonymous
    reporter), in one INSERT per thousand entries inside the caller's
    transaction; return how many. Each entry is exactly what record(None,
    action, obj, incident=incident, changes=changes, actor_label=…) writes:
    the same protected changes, its own time and content hash, chained by
    seal() once committed. `model`: the objects' model when `rows` hold
    bare primary keys as objects (they must have .pk)."""
    if actor_label == ANONYMOUS_REPORTER or not actor_label:
        raise ValueError("record_many is for system jobs; the anonymous reporter's entries go through record().")
    entries = []
    for obj, incident, changes in rows:
        kind = model or (obj._meta.model if obj is not None else None)
        entry = AuditEntry(
            at=timezone.now(), actor=None, actor_label=actor_label[:AuditEntry._meta.get_field("actor_label").max_length],
            action=action,
            object_type=kind._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            incident_id=incident.pk if hasattr(incident, "pk") else incident,
            changes=protect(changes, kind),
        )
        entry.content_hash = entry.compute_content_hash()
        entries.append(entry)
    if not entries:
        return 0
    # The log's own bulk path: AuditEntry.objects refuses bulk_create so
    # that nothing else appends behind audit.log's back.
    models.QuerySet(AuditEntry).bulk_create(entries, batch_size=1000)
    transaction.on_commit(seal_soon)
    return len(entries)


def release_anonymous(now=None) -> int:
    """Append the anonymous reporter's held entries whose hour has ended, in
    random order, and remove them from the waiting list; return how many.
    Run by the timer's sealer (seal with wait=True), never after a request,
    so that no one's request writes its entries right beside them."""
    now = now or timezone.now()
    with transaction.atomic():
        waiting = list(PendingAnonymousEntry.objects.select_for_update()
                       .filter(at__lte=to_the_hour(now) - timedelta(hours=1)))
        random.SystemRandom().shuffle(waiting)
        for held in waiting:
            entry = AuditEntry(at=held.at, actor=None, actor_label=held.actor_label,
                               action=held.action, object_type=held.object_type,
                               object_id=held.object_id, incident_id=held.incident_id,
                               changes=held.changes, content_hash=held.content_hash)
            if entry.compute_content_hash() != entry.content_hash:
                # Appended as it is; verify() reports the mismatch.
                logger.error("Held anonymous audit entry %s does not match its content hash.", held.pk)
            entry.save()
        PendingAnonymousEntry.objects.filter(pk__in=[held.pk for held in waiting]).delete()
    return len(waiting)


def record_view(actor, incident, *, actor_label: str = "") -> AuditEntry:
    return record(actor, "incident.view", incident, incident=incident, actor_label=actor_label)


# --- the seal -------------------------------------------------------------------

_soon = threading.Lock()
_last_seal = 0.0


def seal_soon() -> None:
    """After a commit: seal what is waiting, unless this process sealed less
    than SEAL_EVERY seconds ago or another sealer holds the head (it takes
    these entries, or the next one does). Never fails the request: the
    entry is committed, and the timer seals it if this does not."""
    global _last_seal
    if time.monotonic() - _last_seal < SEAL_EVERY or not _soon.acquire(blocking=False):
        return
    try:
        _last_seal = time.monotonic()
        seal(wait=False)
    except Exception:  # the database went away, say: the entry is safe, the timer seals it
        logger.warning("Could not seal the audit log now; the timer will.", exc_info=True)
    finally:
        _soon.release()


def _locked_head(wait: bool):
    """The chain head, locked for this transaction; None when another sealer
    holds it and `wait` is false. A missing head (a database emptied by the
    test runner) is made again from the last sealed entry, by a sealer that
    may wait."""
    skip = not wait and connection.features.has_select_for_update_skip_locked
    head = ChainHead.objects.select_for_update(skip_locked=skip).filter(pk=1).first()
    if head is not None:
        return head
    if not wait or ChainHead.objects.filter(pk=1).exists():
        # Held by another sealer; or missing, which the waiting sealer (the
        # timer) repairs, so that a request never waits for it.
        return None
    last = AuditEntry.objects.filter(seq__isnull=False).order_by("-seq").first()
    ChainHead.objects.get_or_create(pk=1, defaults={
        "last_hash": last.hash if last else GENESIS, "last_seq": last.seq if last else 0})
    return ChainHead.objects.select_for_update().get(pk=1)


def seal(*, wait: bool = True) -> int:
    """Chain every committed entry that is not sealed yet; return how many.

    Side effects, per batch of SEAL_BATCH entries in one transaction under
    the chain head's row lock: each entry gets the next sequence number,
    the previous entry's hash and its chain hash (sealed_at now), in the
    order the sealer sees them (committed entries, by id); the head moves
    to the last one. With wait=False it returns 0 at once when another
    sealer holds the head."""
    sealed = 0
    if wait:
        release_anonymous()
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    sql = (f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s, sealed_at = %s "
           "WHERE id = %s AND seq IS NULL")
    for _batch in range(10_000):
        with transaction.atomic():
            head = _locked_head(wait)
            if head is None:
                return sealed
            entries = list(AuditEntry.objects.filter(seq__isnull=True).order_by("id")[:SEAL_BATCH])
            if not entries:
                return sealed
            now = timezone.now()
            stamp = connection.ops.adapt_datetimefield_value(now)
            prev, seq, rows = head.last_hash, head.last_seq, []
            for entry in entries:
                if entry.compute_content_hash() != entry.content_hash:
                    # Chained as it is; verify() keeps reporting the mismatch.
                    logger.error("Audit entry %s does not match its content hash.", entry.pk)
                seq += 1
                entry.prev_hash = prev
                prev = entry.compute_hash()
                rows.append((seq, entry.prev_hash, prev, stamp, entry.pk))
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)
            head.last_hash, head.last_seq, head.sealed_at = prev, seq, now
            head.save(update_fields=["last_hash", "last_seq", "sealed_at"])
            sealed += len(rows)
            logger.debug("Audit log sealed to %s (%s)", seq, prev)
        if len(entries) < SEAL_BATCH:
            return sealed
    return sealed


def head() -> tuple[int, str]:
    """(sequence number, hash) of the chain's last sealed entry."""
    row = ChainHead.objects.filter(pk=1).first()
    return (row.last_seq, row.last_hash) if row else (0, GENESIS)


# --- checkpoints ------------------------------------------------------------------

# An entry that re-anchors the chain after the log's entries were rewritten
# once on purpose (audit/migrations/0006_protect_texts: free texts replaced
# by keyed hashes). It records the old chain's head and whether the old
# chain verified when it was rewritten, and is signed with SECRET_KEY, so
# that someone with only the database can neither forge one nor change
# what it says. docs/audit.md, "Re-anchoring".
CHECKPOINT = "audit.checkpoint"


def checkpoint_signature(at, changes: dict) -> str:
    body = json.dumps({k: v for k, v in changes.items() if k != "signature"}, sort_keys=True, ensure_ascii=False)
    return salted_hmac("varn.audit.checkpoint", f"{at.isoformat(timespec='microseconds')}|{body}",
                       algorithm="sha256").hexdigest()


def _new(changes, key):
    pair = changes.get(key) if isinstance(changes, dict) else None
    return pair[1] if isinstance(pair, list) and len(pair) == 2 else None


def _check_checkpoint(entry, problems, anchors):
    signature = _new(entry.changes, "signature")
    if not isinstance(signature, str) or signature != checkpoint_signature(entry.at, entry.changes):
        problems.append(f"post {entry.id}: omförankringen är inte signerad med nyckeln (förfalskad eller ändrad)")
        return
    old_head = _new(entry.changes, "old_head")
    if isinstance(old_head, str) and ":" in old_head:
        seq, _colon, digest = old_head.partition(":")
        if seq.isdigit():
            anchors.append((int(seq), digest))
    if _new(entry.changes, "old_chain_intact") is False:
        problems.append(f"post {entry.id}: kedjan var bruten redan när den förankrades om "
                        f"({_new(entry.changes, 'old_problems')} fel före omförankringen)")


# --- pruning: the log's own retention rule --------------------------------------------

# The only way entries leave the log (docs/audit.md, "Gallring of the log").
# The oldest segment of the chain, numbers 1 … N, every entry of it older
# than the rule, is removed, except the entries the caller keeps (those
# about a case that is not due yet); one signed checkpoint, appended and
# sealed at once, records N and the hash of entry N (verification starts
# from there), how many were removed, and the numbers and hashes of the
# entries kept inside the segment (a digest), so that changing or removing
# a kept entry is still found.
PRUNE = "audit.prune"


@dataclass
class Pruned:
    removed: int = 0
    kept: int = 0
    through: int = 0                 # the segment's last number (0: nothing pruned)
    refused: str = ""                # why nothing was removed, when the segment did not verify


def kept_digest(pairs) -> str:
    """The digest a prune checkpoint records of the entries it kept: over
    "NUMMER:HASH" lines in chain order."""
    digest = hashlib.sha256()
    for seq, entry_hash in pairs:
        digest.update(f"{seq}:{entry_hash}\n".encode())
    return digest.hexdigest()


def _base():
    """The latest prune checkpoint whose signature holds: (through, hash of
    entry `through`, kept count, kept digest), or None."""
    for entry in (AuditEntry.objects.filter(action=PRUNE, actor__isnull=True, seq__isnull=False)
                  .order_by("-seq").iterator(chunk_size=50)):
        signature = _new(entry.changes, "signature")
        if isinstance(signature, str) and signature == checkpoint_signature(entry.at, entry.changes):
            return (_new(entry.changes, "through"), _new(entry.changes, "through_hash"),
                    _new(entry.changes, "kept"), _new(entry.changes, "kept_digest"))
    return None


def _segment_end(before, last_seq: int) -> int:
    """The last number of the oldest segment whose every entry is older than `before`."""
    first_young = (AuditEntry.objects.filter(seq__isnull=False, at__gte=before)
                   .order_by("seq").values_list("seq", flat=True).first())
    return (first_young - 1) if first_young is not None else last_seq


def _kept(through: int, keep) -> Q:
    # A case's report entry stays while later entries about the case do,
    # so that a thinned confidential case keeps hiding its reporter
    # (incidents.access.masked_actor).
    later = AuditEntry.objects.filter(seq__gt=through, incident__isnull=False).values("incident_id")
    kept_q = Q(action="incident.create", incident_id__in=later)
    for q in keep:
        kept_q |= q
    return kept_q


def prunable(before, *, keep=()):
    """The sealed entries prune(before, keep=keep) would remove now (a
    queryset; reads only)."""
    through = _segment_end(before, head()[0])
    return AuditEntry.objects.filter(seq__isnull=False, seq__lte=through).exclude(_kept(through, keep))


def prune(before, *, keep=(), actor_label: str = "gallring", run=None) -> Pruned:
    """Remove the sealed entries of the chain's oldest segment (numbers 1 …
    N, N the last number before the first entry dated `before` or later),
    except those matching a Q in `keep`; append a signed, sealed checkpoint
    (PRUNE) recording N, entry N's hash, the count removed and the kept
    entries' digest. The segment is checked first (content and links from
    the previous checkpoint); if it does not verify nothing is removed and
    `refused` says why. Under the chain head's lock, in one transaction.
    `run`: the retention run's id, named in the checkpoint."""
    result = Pruned()
    model_qs = models.QuerySet(AuditEntry)  # the log's own path: AuditEntry.objects refuses deletes
    with transaction.atomic():
        chain = _locked_head(wait=True)
        base = _base()
        start, start_hash = (base[0], base[1]) if base else (0, GENESIS)
        through = _segment_end(before, chain.last_seq)
        if through <= start:
            return result
        sealed = model_qs.filter(seq__isnull=False, seq__lte=through)
        kept_q = _kept(through, keep)
        # Check the segment before removing it: a tampered entry must not
        # leave the log unnoticed.
        prev, expected = start_hash, start + 1
        for entry in sealed.order_by("seq").iterator(chunk_size=2000):
            own = entry.compute_hash() == entry.hash and entry.compute_content_hash() == entry.content_hash
            if entry.seq <= start:
                ok = own  # kept by an earlier pruning: vouched for by its digest
            else:
                ok = own and entry.seq == expected and entry.prev_hash == prev
                prev, expected = entry.hash, entry.seq + 1
            if not ok:
                result.refused = f"post {entry.id} (nummer {entry.seq}) stämmer inte"
                logger.error("Audit log not pruned: entry %s does not verify.", entry.pk)
                return result
        through_hash = prev
        result.removed = sealed.exclude(kept_q)._raw_delete(AuditEntry.objects.db)
        kept = list(sealed.order_by("seq").values_list("seq", "hash"))
        result.kept, result.through = len(kept), through
        now = timezone.now()
        changes = {
            "through": [None, through], "through_hash": [None, through_hash],
            "removed": [None, result.removed], "kept": [None, len(kept)], "kept_digest": [None, kept_digest(kept)],
            "before": [None, before.isoformat()], "run": [None, run],
        }
        changes["signature"] = [None, checkpoint_signature(now, changes)]
        entry = AuditEntry(at=now, actor=None, actor_label=actor_label, action=PRUNE, object_type="",
                           object_id="", incident=None, changes=changes)
        entry.content_hash = entry.compute_content_hash()
        entry.seq, entry.prev_hash, entry.sealed_at = chain.last_seq + 1, chain.last_hash, now
        entry.hash = entry.compute_hash()
        entry.save()
        chain.last_hash, chain.last_seq, chain.sealed_at = entry.hash, entry.seq, now
        chain.save(update_fields=["last_hash", "last_seq", "sealed_at"])
    return result


# --- verification ------------------------------------------------------------------

@dataclass
class Verification:
    checked: int = 0                 # entries looked at
    sealed: int = 0
    waiting: int = 0                 # unsealed, younger than the window
    problems: list = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(now=None, window: timedelta | None = None, expect: tuple[int, str] | None = None) -> Verification:
    """Check the log: every sealed entry in chain order (its content, its
    link to the one before, no sequence number missing, the head at the
    last one), every unsealed entry's content hash, and that none has waited
    longer than `window` (SEAL_WINDOW) for its seal. `expect` is a
    (sequence number, hash) kept outside the database, for example a line
    that seal_audit printed: the chain must hold that hash at that place."""
    now = now or timezone.now()
    window = SEAL_WINDOW if window is None else window
    result = Verification()
    problems = result.problems
    expected_prev, expected_seq, last = GENESIS, 1, None
    anchors = []  # (seq, hash) of old chain heads that checkpoints vouch for
    expect_seen = None  # the hash at the expected place, to compare at the end
    # After a pruning (prune()) the chain starts after the segment its
    # latest checkpoint removed; the entries it kept are checked against its digest.
    base = _base()
    kept = []
    if base is not None:
        expected_seq, expected_prev = base[0] + 1, base[1]
        anchors.append((base[0], base[1]))
    for entry in AuditEntry.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=2000):
        result.checked += 1
        result.sealed += 1
        if base is not None and entry.seq <= base[0]:
            kept.append((entry.seq, entry.hash))
            if entry.compute_hash() != entry.hash or entry.compute_content_hash() != entry.content_hash:
                problems.append(f"post {entry.id}: innehållet har ändrats")
            if expect and entry.seq == expect[0]:
                expect_seen = entry.hash
            continue
        if entry.seq == 1 and entry.prev_hash != GENESIS:
            problems.append(f"post {entry.id}: kedjan börjar inte från början (poster saknas före)")
        elif entry.seq != expected_seq:
            missing = (f"nummer {expected_seq}" if entry.seq == expected_seq + 1
                       else f"nummer {expected_seq}–{entry.seq - 1}")
            problems.append(f"post {entry.id}: poster saknas i kedjan före den ({missing})")
        if entry.seq != 1 and entry.prev_hash != expected_prev:
            problems.append(f"post {entry.id}: länken till föregående post stämmer inte (post saknas eller har lagts till)")
        if entry.compute_hash() != entry.hash or entry.compute_content_hash() != entry.content_hash:
            problems.append(f"post {entry.id}: innehållet har ändrats")
        if entry.action == CHECKPOINT and entry.actor_id is None:
            _check_checkpoint(entry, problems, anchors)
        elif entry.action == PRUNE and entry.actor_id is None:
            signature = _new(entry.changes, "signature")
            if not isinstance(signature, str) or signature != checkpoint_signature(entry.at, entry.changes):
                problems.append(f"post {entry.id}: gallringen av loggen är inte signerad med nyckeln "
                                "(förfalskad eller ändrad)")
        if expect and entry.seq == expect[0]:
            expect_seen = entry.hash
        expected_prev, expected_seq, last = entry.hash, entry.seq + 1, entry
    if base is not None and (len(kept) != base[2] or kept_digest(kept) != base[3]):
        problems.append(f"poster som gallringen av loggen lämnade kvar (före nummer {base[0] + 1}) "
                        "har ändrats eller tagits bort")
    chain_head = ChainHead.objects.filter(pk=1).first()
    if last is None and chain_head is not None and chain_head.last_seq > 0:
        problems.append("kedjans poster saknas (kedjans slut stämmer inte)")
    if last is not None and (chain_head is None or chain_head.last_hash != last.hash
                             or chain_head.last_seq != last.seq):
        problems.append("den senaste posten saknas (kedjans slut stämmer inte)")
    if expect and (last is None or last.seq < expect[0]):
        problems.append(f"kedjan är kortare än väntat: nummer {expect[0]} saknas (poster har tagits bort)")
    elif expect and expect_seen != expect[1] and tuple(expect) not in anchors:
        later = [seq for seq, _digest in anchors if seq >= expect[0]]
        if later:
            problems.append(f"nummer {expect[0]} är från före omförankringen och kan inte jämföras; "
                            f"jämför med det gamla huvud som omförankringen intygar "
                            f"({', '.join(f'{s}:{d}' for s, d in anchors)})")
        else:
            problems.append(f"kedjan har skrivits om (nummer {expect[0]} har inte den väntade hashen)")
    for entry in AuditEntry.objects.filter(seq__isnull=True).order_by("id").iterator(chunk_size=2000):
        result.checked += 1
        if entry.compute_content_hash() != entry.content_hash:
            problems.append(f"post {entry.id}: innehållet har ändrats")
        if entry.at < now - window:
            problems.append(f"post {entry.id}: inte förseglad i tid (skriven {timezone.localtime(entry.at):%Y-%m-%d %H:%M:%S}, "
                            f"ska förseglas inom {_minutes(window)})")
        else:
            result.waiting += 1
    return result


def _minutes(window: timedelta) -> str:
    seconds = int(window.total_seconds())
    if seconds % 60:
        return f"{seconds} sekunder"
    return f"{seconds // 60} minut" + ("er" if seconds // 60 != 1 else "")


def verify_chain() -> tuple[int, list[str]]:
    """(entries checked, problems found): verify() in short."""
    result = verify()
    return result.checked, result.problems
