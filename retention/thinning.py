"""A gallring run: what is due (preview) and removing it (run).

A case's data of a kind is due when the case was closed longer ago than the
kind's rule (retention.schedule), it still holds data of that kind, and it
is not on hold. The run thins the due cases in transactions of BATCH
cases (`gallra --batch`), each case fully or not at all: its statistical skeleton is frozen first (situation.rollups:
every figure of earlier years stays as it was), then every due kind is
removed, and one audit entry names the kinds (never the content). The
attachment files are removed from disk after the commits (each chunk's); their names are
written as FileRemoval rows in the same transaction, so a run killed
between commit and unlink leaves the rows and the next run removes the
files. A lock (retention.lock) keeps a second run from starting meanwhile.

This is a system path: it reads every incident through the unscoped
managers (tests/incidents/test_scoped_managers.py), as the reminders do.
"""
import logging
import os
import time
from collections import Counter
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from audit.log import prunable, prune, record, record_many
from incidents import texts as case_texts
from incidents.models import (
    Action,
    Attachment,
    ChecklistItem,
    Incident,
    IncidentQuerySet,
    Message,
    ReceiptCode,
    ReportDraft,
    Submission,
)
from organisation.models import User
from retention import schedule
from retention.lock import run_lock
from retention.models import FileRemoval, Hold, RetentionRun
from situation import rollups

logger = logging.getLogger(__name__)

ACTOR = "gallring"
# What a thinned case shows where its K-number was, so that "police-reported"
# (a K-number was given) stays true for the statistics.
REMOVED_REFERENCE = "[gallrat]"
CLOSED = Incident.Status.CLOSED
CHUNK = 500
# Cases thinned per transaction (manage.py gallra --batch): each case of a
# batch is thinned fully or, with the whole batch, not at all.
BATCH = 500
# Files under attachments/ that no attachment row names and that are older
# than this are removed by the sweep (an upload in progress is younger).
ORPHAN_AGE_SECONDS = 24 * 3600


def _not_held():
    return ~Exists(Hold.objects.filter(incident_id=OuterRef("pk"), lifted_at__isnull=True))


def _any_text(fields) -> Q:
    q = Q()
    for name in fields:
        q |= ~Q(**{name: ""})
    return q


def _has(kind: str) -> Q:
    """Incidents that still hold data of `kind`."""
    if kind == "identity":
        # The registrar of a report made on an employee's behalf knows who it
        # is (also of an anonymous one): removed with the reporter.
        return Q(reporter__isnull=False) | Q(registered_by__isnull=False)
    if kind == "texts":
        # Unscoped: gallring looks at every case's rows (a system path).
        actions = Action.unscoped.filter(incident_id=OuterRef("pk")).exclude(title="")
        notes = ChecklistItem.unscoped.filter(incident_id=OuterRef("pk")).filter(~Q(note="") | ~Q(reference=""))
        held = (~Q(description="") | ~Q(location="") | ~Q(police_reason="") | ~Q(closing_summary="")
                | ~Q(reopen_reason="")
                | (~Q(police_reference="") & ~Q(police_reference=REMOVED_REFERENCE))
                | Exists(actions) | Exists(notes))
        for other in case_texts.registered():   # other apps' texts about the case
            held |= Exists(other.rows().filter(**{other.to_incident: OuterRef("pk")})
                           .filter(_any_text(other.fields)))
        return held
    if kind == "messages":
        return Exists(Message.unscoped.filter(incident_id=OuterRef("pk")))
    if kind == "attachments":
        return Exists(Attachment.unscoped.filter(incident_id=OuterRef("pk")))
    if kind == "pseudonyms":
        return ~Q(actor_pseudonym="")
    if kind == "receipts":
        return Exists(ReceiptCode.objects.filter(incident_id=OuterRef("pk")))
    raise ValueError(kind)


def cutoffs(now, rules=None) -> dict:
    """For each kind of a case's data, the latest closing time whose data is
    due now (None: kept for ever)."""
    rules = rules or schedule.rules()
    out = {}
    for code in schedule.CASE_KINDS:
        age = rules[code].age()
        out[code] = None if age is None else now - age
    return out


def _due(kind: str, cutoff) -> Q:
    return Q(status=CLOSED, closed_at__isnull=False, closed_at__lte=cutoff) & _has(kind)


def due_kinds_q(cuts: dict) -> Q | None:
    parts = [_due(kind, cut) for kind, cut in cuts.items() if cut is not None]
    if not parts:
        return None
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


def _draft_cutoff(now, rules):
    age = rules["drafts"].age()
    return None if age is None else now - age


def _audit_cutoff(now, rules):
    age = rules["audit"].age()
    return None if age is None else now - age


def _audit_keep(cutoff) -> list[Q]:
    """The log's entries that stay though they are older than its rule: those
    about a case that is open, was closed less than the rule ago, or is on hold
    (the log is kept longer than the cases it describes)."""
    # Unscoped: ids only, of every case (a system path).
    young = Incident.unscoped.filter(~Q(status=CLOSED) | Q(closed_at__isnull=True) | Q(closed_at__gt=cutoff))
    held = Hold.objects.filter(lifted_at__isnull=True)
    return [Q(incident_id__in=young.values("pk")), Q(incident_id__in=held.values("incident_id"))]


# --- preview ------------------------------------------------------------------

@dataclass
class Preview:
    by_kind: dict = field(default_factory=dict)   # kind -> {year: cases}
    cases: int = 0                                # cases the run would thin
    held: int = 0                                 # due cases on hold (left alone)
    drafts: dict = field(default_factory=dict)    # year saved -> drafts

    def years(self) -> list[int]:
        years = {y for counts in self.by_kind.values() for y in counts} | set(self.drafts)
        return sorted(years)

    def total(self, kind) -> int:
        return sum((self.drafts if kind == "drafts" else self.by_kind.get(kind, {})).values())


def preview(now=None) -> Preview:
    """What the next run would remove, counted by kind and by the year the
    event happened (drafts: the year they were saved). Reads only."""
    now = now or timezone.now()
    rules = schedule.rules()
    cuts = cutoffs(now, rules)
    result = Preview()
    # Unscoped: counts only, of every case (a system path; the page shows no case).
    base = Incident.unscoped.order_by()
    for kind, cut in cuts.items():
        if cut is None:
            result.by_kind[kind] = {}
            continue
        rows = (base.filter(_due(kind, cut)).filter(_not_held())
                .annotate(year=ExtractYear("occurred_at")).values("year").annotate(n=Count("id")))
        result.by_kind[kind] = {row["year"]: row["n"] for row in rows}
    any_due = due_kinds_q(cuts)
    if any_due is not None:
        result.cases = base.filter(any_due).filter(_not_held()).count()
        result.held = base.filter(any_due).exclude(_not_held()).count()
    draft_cut = _draft_cutoff(now, rules)
    if draft_cut is not None:
        rows = (ReportDraft.objects.filter(updated_at__lt=draft_cut).order_by()
                .annotate(year=ExtractYear("updated_at")).values("year").annotate(n=Count("id")))
        result.drafts = {row["year"]: row["n"] for row in rows}
    audit_cut = _audit_cutoff(now, rules)
    result.by_kind["audit"] = {}
    if audit_cut is not None:
        rows = (prunable(audit_cut, keep=_audit_keep(audit_cut)).order_by()
                .annotate(year=ExtractYear("at")).values("year").annotate(n=Count("id")))
        result.by_kind["audit"] = {row["year"]: row["n"] for row in rows}
    return result


# --- the run ------------------------------------------------------------------

class Busy(RuntimeError):
    """Another gallring run holds the lock."""


@dataclass
class Outcome:
    run: RetentionRun
    removed: Counter
    seconds: float


def remove_files() -> int:
    """Remove the files that committed thinnings left to remove (also those
    of a run killed before it got to them); return how many rows were done."""
    done = 0
    for removal in FileRemoval.objects.order_by("pk").iterator(chunk_size=1000):
        try:
            default_storage.delete(removal.name)
        except OSError:
            logger.warning("Could not remove %s; the next run tries again.", removal.name, exc_info=True)
            continue
        FileRemoval.objects.filter(pk=removal.pk).delete()
        done += 1
    return done


def sweep_orphans(now_ts: float | None = None) -> int:
    """Remove files under attachments/ that no attachment names and that are
    older than ORPHAN_AGE_SECONDS (left by an upload that failed after
    writing its file). Return how many."""
    root = os.path.join(default_storage.location, "attachments")
    if not os.path.isdir(root):
        return 0
    now_ts = now_ts or time.time()
    # Unscoped: file names only, to compare with the disk (a system path).
    known = set(Attachment.unscoped.values_list("file", flat=True))
    removed = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            full = os.path.join(folder, name)
            rel = os.path.relpath(full, default_storage.location).replace(os.sep, "/")
            try:
                if rel not in known and now_ts - os.path.getmtime(full) > ORPHAN_AGE_SECONDS:
                    os.remove(full)
                    removed += 1
            except FileNotFoundError:
                continue
    return removed


def _update(qs, **values):
    """UPDATE without IncidentQuerySet's rows_changed: the cases' skeletons
    are frozen first, so the running totals have nothing to follow."""
    return super(IncidentQuerySet, qs).update(**values)


def _when(pks, value, name):
    """The column `name` set to `value` for the cases `pks`, kept for the others."""
    return Case(When(pk__in=pks, then=value), default=F(name), output_field=Incident._meta.get_field(name))


def _thin_batch(ids: list[int], cuts: dict, run: RetentionRun, now) -> tuple[Counter, int]:
    """Thin these cases in one transaction: for each, every due kind, or
    (on any failure) nothing of any of them. Returns (what was removed,
    cases thinned); cases no longer due or now on hold are left as they are."""
    removed = Counter()
    active = {kind: cut for kind, cut in cuts.items() if cut is not None}
    with transaction.atomic():
        # Unscoped: the cases are taken by the system, locked against a
        # concurrent change; due and hold are checked again under the lock.
        locked = list(Incident.unscoped.select_for_update().filter(pk__in=ids).order_by("pk")
                      .values_list("pk", flat=True))
        flags = (Incident.unscoped.filter(pk__in=locked).filter(_not_held()).annotate(**{
            f"due_{kind}": ExpressionWrapper(_due(kind, cut), output_field=BooleanField())
            for kind, cut in active.items()}).values("pk", "reporter_id", *[f"due_{k}" for k in active]))
        kinds_of = {row["pk"]: sorted(k for k in active if row[f"due_{k}"]) for row in flags}
        kinds_of = {pk: kinds for pk, kinds in kinds_of.items() if kinds}
        if not kinds_of:
            return removed, 0
        pks = sorted(kinds_of)
        of = {kind: [pk for pk in pks if kind in kinds_of[pk]] for kind in active}
        rollups.freeze(pks)
        # One UPDATE of the cases for every kind: each column keeps its
        # value unless its kind is due for the case.
        values = {"thinned_at": Coalesce(F("thinned_at"), Value(now)), "version": F("version") + 1}
        if of.get("identity"):
            gender = Subquery(User.objects.filter(pk=OuterRef("reporter_id")).values("gender")[:1])
            values["reporter_gender"] = _when(of["identity"], Coalesce(gender, Value("")), "reporter_gender")
            values["reporter"] = _when(of["identity"], Value(None), "reporter")
            values["registered_by"] = _when(of["identity"], Value(None), "registered_by")
            removed["identity"] += len(of["identity"])
        if of.get("texts"):
            for name in ("description", "location", "police_reason", "closing_summary", "reopen_reason"):
                values[name] = _when(of["texts"], Value(""), name)
            values["police_reference"] = Case(
                When(Q(pk__in=of["texts"]) & ~Q(police_reference=""), then=Value(REMOVED_REFERENCE)),
                default=F("police_reference"), output_field=Incident._meta.get_field("police_reference"))
            removed["texts"] += len(of["texts"])
        if of.get("pseudonyms"):
            values["actor_pseudonym"] = _when(of["pseudonyms"], Value(""), "actor_pseudonym")
            removed["pseudonyms"] += len(of["pseudonyms"])
        _update(Incident.unscoped.filter(pk__in=pks), **values)
        if of.get("texts"):
            Action.unscoped.filter(incident_id__in=of["texts"]).exclude(title="").update(title="")
            ChecklistItem.unscoped.filter(incident_id__in=of["texts"]).filter(
                ~Q(note="") | ~Q(reference="")).update(note="", reference="")
            for other in case_texts.registered():
                other.rows().filter(**{f"{other.to_incident}__in": of["texts"]}).filter(
                    _any_text(other.fields)).update(**{name: "" for name in other.fields})
        messages = Counter()
        if of.get("messages"):
            rows = Message.unscoped.filter(incident_id__in=of["messages"])
            messages.update(rows.values_list("incident_id", flat=True))
            rows._raw_delete(rows.db)
            removed["messages"] += sum(messages.values())
        attachments = Counter()
        if of.get("attachments"):
            rows = Attachment.unscoped.filter(incident_id__in=of["attachments"])
            found = list(rows.values_list("incident_id", "file"))
            attachments.update(pk for pk, _name in found)
            FileRemoval.objects.bulk_create([FileRemoval(name=name) for _pk, name in found if name])
            rows._raw_delete(rows.db)
            removed["attachments"] += len(found)
        if of.get("receipts"):
            for model in (ReceiptCode, Submission):
                rows = model.objects.filter(incident_id__in=of["receipts"])
                rows._raw_delete(rows.db)
            removed["receipts"] += len(of["receipts"])
        proof = []
        for pk in pks:
            changes = {"kinds": [None, kinds_of[pk]], "run": [None, run.pk]}
            if "messages" in kinds_of[pk]:
                changes["messages_removed"] = [None, messages[pk]]
            if "attachments" in kinds_of[pk]:
                changes["attachments_removed"] = [None, attachments[pk]]
            proof.append((Incident(pk=pk), pk, changes))
        # One entry per case, written in bulk through the log's own API.
        record_many("retention.thin", proof, actor_label=ACTOR, model=Incident)
    return removed, len(pks)


def _thin_drafts(cutoff, run) -> int:
    n = 0
    while True:
        ids = list(ReportDraft.objects.filter(updated_at__lt=cutoff).order_by("pk").values_list("pk", flat=True)[:CHUNK])
        if not ids:
            return n
        with transaction.atomic():
            n += ReportDraft.objects.filter(pk__in=ids, updated_at__lt=cutoff).delete()[0]


def run(now=None, log=None, limit: int | None = None, batch: int = BATCH) -> Outcome:
    """Remove everything due (Busy if another run holds the lock).

    Side effects: per batch of `batch` due cases, in one transaction: their
    skeletons frozen, the due kinds removed, one audit entry
    "retention.thin" per case; the files removed after the commit; old drafts deleted; one RetentionRun and one
    audit entry "retention.run" with the counts. `limit`: thin at most this
    many cases (a test of an interrupted run)."""
    started = time.monotonic()
    with run_lock() as held:
        if not held:
            raise Busy
        now = now or timezone.now()
        remove_files()
        rules = schedule.rules()
        cuts = cutoffs(now, rules)
        run_row = RetentionRun.objects.create(started_at=now)
        removed = Counter()
        thinned = 0
        any_due = due_kinds_q(cuts)
        if any_due is not None:
            # Unscoped: the work list of a system path (ids only).
            due = Incident.unscoped.order_by("pk").filter(any_due)
            held_count = due.exclude(_not_held()).count()
            last = 0
            while limit is None or thinned < limit:
                size = batch if limit is None else min(batch, limit - thinned)
                ids = list(due.filter(_not_held(), pk__gt=last).values_list("pk", flat=True)[:size])
                if not ids:
                    break
                last = ids[-1]
                got, n = _thin_batch(ids, cuts, run_row, now)
                thinned += n
                removed.update(got)
                # After the chunk's commits: the files of its cases leave the disk.
                remove_files()
                if log:
                    log(f"{thinned} ärenden gallrade")
        else:
            held_count = 0
        draft_cut = _draft_cutoff(now, rules)
        if draft_cut is not None:
            removed["drafts"] += _thin_drafts(draft_cut, run_row)
        remove_files()
        swept = sweep_orphans()
        audit_cut = _audit_cutoff(now, rules)
        refused = ""
        if audit_cut is not None:
            pruned = prune(audit_cut, keep=_audit_keep(audit_cut), actor_label=ACTOR, run=run_row.pk)
            if pruned.removed:
                removed["audit"] += pruned.removed
            refused = pruned.refused
        with transaction.atomic():
            run_row.finished_at = timezone.now()
            run_row.incidents = thinned
            run_row.removed = dict(removed)
            run_row.held = held_count
            run_row.save()
            summary = {"cases": [None, thinned], "removed": [None, dict(sorted(removed.items()))],
                       "held": [None, held_count], "orphans": [None, swept]}
            if refused:
                summary["audit_refused"] = [None, refused]
            record(None, "retention.run", run_row, actor_label=ACTOR, changes=summary)
    return Outcome(run=run_row, removed=removed, seconds=time.monotonic() - started)
