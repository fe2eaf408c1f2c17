"""The running totals of the situation picture: kept in step with every
write of an incident, rebuilt and checked from the raw rows.

What is counted (situation.models): each incident has a Skeleton, its
statistical columns as the totals count them. Every ORM write of an incident
(Model.save, QuerySet.update and bulk_create, deletion, the forms of
influence, a reporter's gender, a move in the organisation tree) calls
sync() in the same transaction, through the signals connected in
connect(). sync() computes the skeleton again from the row, compares it
with the stored one and, when they differ, appends the old one with -1 and
the new one with +1 to the outbox (PendingChange) and stores the new one.
That is idempotent: a second sync of an unchanged row finds nothing to do,
so nothing is ever counted twice, whichever path wrote the row.

The outbox is folded into the Tally (counts per city and administration,
bypass flag, month (and for the city day), dimension and value) by compact(): under a lock that
only compaction takes (pg_try_advisory_xact_lock: a writer that finds it
taken leaves the work to the next), the pending rows are read, added to the
tally and deleted in one transaction, so a change moves from the outbox to
the tally exactly once and readers (situation.totals) always see each
change in exactly one of them. Reporters never wait for each other on a
shared counter: they append rows. Every COMPACT_EVERY-th pending row, the
writer that appends it tries to compact.

Times to acknowledgement and to closure are counted in steps of the
precision the page shows them in (six minutes, a tenth of an hour, below
48 hours; a tenth of a day from there): see step(). The median and the 90th
percentile are computed over those steps in the totals and in the raw rows
alike, so both give the same figure. The tally counts them in tens of steps
(whole hours, whole days); the steps inside the one or two tens that hold
the median and the 90th percentile are read from the skeletons.

Gallring: freeze() keeps an incident's skeleton as it is (and counted) when
its personal data is removed or its row deleted afterwards; rebuild() keeps
frozen skeletons.

Writes that bypass the ORM (the benchmark's COPY) must call rebuild(), or
run inside paused(), which rebuilds at its end.
"""
import contextlib
import threading
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Exists, Func, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save

from incidents.models import Incident, InfluenceForm, PoliceStatus
from incidents.signals import defer, rows_changed
from organisation.models import OrgUnit, User, subtree_moved
from situation.models import PendingChange, Skeleton, Tally

THREATS_AND_VIOLENCE = ("hot", "vald")
# The places the tally counts for: the city (depth 0) and its
# administrations (1), by month; the city also by day, so that a period that
# begins or ends inside a month reads counts, not thousands of skeletons.
# An administration's few days at the edges of a period, and deeper nodes,
# are small enough to count from their skeletons (situation.totals).
TALLY_DEPTH = 1
DAY_DEPTH = 0
MONTH, DAY = 0, 1  # Tally.grain
# Bits of the forms' bit set: a form's bit is its id modulo this, so ids may
# grow (a database whose taxonomy was recreated) as long as the few forms'
# positions stay distinct, which form_bits() checks.
FORM_BITS = 63


def form_bit(pk: int) -> int:
    return 1 << (pk % FORM_BITS)
COMPACT_EVERY = 32
COMPACT_BATCH = 2000
LOCK_KEY = 0x56524E01  # pg advisory lock of compaction and rebuild

FormThrough = Incident.forms.through
IDENTITIES = list(Incident.IdentityMode.values)
GENDERS = list(User.Gender.values)
COUNTED = ["unit", "path", "a0", "a1", "a2", "bypass", "day", "month", "forms", "source", "area", "channel",
           "identity", "gender", "tv", "reported", "ack", "close", "ack_c", "close_c", "key"]
SKELETON = COUNTED + ["actor"]
# Incident fields that the skeleton reads (QuerySet.update of others is ignored).
WATCHED = {"unit", "occurred_at", "reported_at", "acknowledged_at", "closed_at", "source", "operation_area",
           "channel", "identity_mode", "reporter", "bypasses_management", "police_status",
           "police_reference", "actor_pseudonym"}


# --- the dimensions -----------------------------------------------------------------

class Dim:
    TOTAL, UNIT, SOURCE, AREA, CHANNEL, IDENTITY, GENDER, FORM, TV, REPORTED, ACK, CLOSE = range(12)


# (dimension, value in SQL over a Counted row `s`, condition); FORM also joins `f`.
DIMENSIONS = [
    (Dim.TOTAL, "0", ""),
    (Dim.UNIT, "s.unit", ""),
    (Dim.SOURCE, "s.source", ""),
    (Dim.AREA, "s.area", ""),
    (Dim.CHANNEL, "s.channel", ""),
    (Dim.IDENTITY, "s.identity", ""),
    (Dim.GENDER, "s.gender", "s.gender IS NOT NULL"),
    (Dim.FORM, "f.id", ""),
    (Dim.TV, "0", "s.tv"),
    (Dim.REPORTED, "0", "s.tv AND s.reported"),
    # Times in tens of steps; the steps within the ten come from the skeletons.
    (Dim.ACK, "s.ack_c", "s.ack_c IS NOT NULL"),
    (Dim.CLOSE, "s.close_c", "s.close_c IS NOT NULL"),
]


# --- times in steps ----------------------------------------------------------------

SHORT_STEP = 360  # seconds: 0.1 hour
LONG_STEP = 8640  # seconds: 0.1 day
LONG_FROM = 48 * 3600
LONG_FIRST = LONG_FROM // SHORT_STEP  # the first long step's number (480)
MICRO = 1_000_000
STEPS_PER_COARSE = 10  # LONG_FIRST is a multiple of it


def step(delta: timedelta) -> int:
    """The step a duration falls in: whole tenths of an hour below 48 hours
    (stats.fmt_duration shows hours with one decimal there), whole tenths of
    a day from 48 hours (shown as days with one decimal)."""
    us = delta // timedelta(microseconds=1)  # exact, in integers
    if us < LONG_FROM * MICRO:
        return us // (SHORT_STEP * MICRO)
    return LONG_FIRST + (us - LONG_FROM * MICRO) // (LONG_STEP * MICRO)


def coarse(k: int | None) -> int | None:
    """Ten steps: a whole hour below 48 hours, a whole day from there."""
    return None if k is None else k // STEPS_PER_COARSE


def step_value(k: int) -> timedelta:
    """The duration a step stands for: its start."""
    if k < LONG_FIRST:
        return timedelta(seconds=k * SHORT_STEP)
    return timedelta(seconds=LONG_FROM + (k - LONG_FIRST) * LONG_STEP)


# --- the skeleton of an incident ---------------------------------------------------------

def local_zone():
    return ZoneInfo(settings.TIME_ZONE)


def month_of(d: date) -> int:
    return d.replace(day=1).toordinal()


def ancestors(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


class _Bit(Func):
    """1 << (form id mod FORM_BITS), as a 64-bit integer on both databases."""
    output_field = models.BigIntegerField()
    template = f"(CAST(1 AS BIGINT) << CAST((%(expressions)s) %%%% {FORM_BITS} AS INTEGER))"


def _rows(qs):
    mask = (FormThrough.objects.filter(incident_id=OuterRef("pk")).order_by().values("incident_id")
            .annotate(m=Sum(_Bit("influenceform_id"))).values("m"))
    tv = FormThrough.objects.filter(incident_id=OuterRef("pk"), influenceform__code__in=THREATS_AND_VIOLENCE)
    # A thinned report keeps its reporter's gender without the reporter (gallring).
    gender = Coalesce("reporter__gender", "reporter_gender")
    return qs.annotate(form_mask=Subquery(mask), is_tv=Exists(tv), reporter_g=gender).values_list(
        "pk", "unit_id", "unit__path", "bypasses_management", "occurred_at", "reported_at", "acknowledged_at",
        "closed_at", "source_id", "operation_area_id", "channel_id", "identity_mode", "reporter_g",
        "police_status", "police_reference", "actor_pseudonym", "record_key", "form_mask", "is_tv")


def skeleton_values(row, zone) -> dict:
    (_pk, unit_id, path, bypass, occurred, reported, acknowledged, closed, source, area, channel, identity,
     gender, police_status, police_reference, actor, record_key, mask, tv) = row
    day = occurred.astimezone(zone).date()
    ack = step(acknowledged - reported) if acknowledged else None
    close = step(closed - reported) if closed else None
    ids = ancestors(path)
    counted_gender = identity in (Incident.IdentityMode.NAMED, Incident.IdentityMode.CONFIDENTIAL)
    return {
        "unit": unit_id, "path": path,
        "a0": ids[0] if len(ids) > 0 else None, "a1": ids[1] if len(ids) > 1 else None,
        "a2": ids[2] if len(ids) > 2 else None,
        "bypass": bool(bypass), "day": day.toordinal(), "month": month_of(day), "forms": int(mask or 0),
        "source": source or 0, "area": area or 0, "channel": channel or 0,
        "identity": IDENTITIES.index(identity) + 1 if identity in IDENTITIES else 0,
        "gender": (GENDERS.index(gender or "") if (gender or "") in GENDERS else len(GENDERS))
        if counted_gender else None,
        "tv": bool(tv), "reported": police_status == PoliceStatus.REPORTED or bool(police_reference),
        "ack": ack, "close": close, "ack_c": coarse(ack), "close_c": coarse(close),
        "key": record_key or 0, "actor": actor or "",
    }


def _row_in_memory(incident, forms) -> tuple:
    """What _rows() reads for an incident that was just inserted with these
    forms, from the objects in hand: the same values in the same order
    (form_mask as SQL sums it, None without forms). Only the reporter's
    gender is read, as it stands in the database now (the user object in
    hand may be older than a change made meanwhile)."""
    mask = sum(1 << (form.pk % FORM_BITS) for form in forms) if forms else None
    gender = incident.reporter_gender
    if incident.reporter_id is not None:
        gender = User.objects.filter(pk=incident.reporter_id).values_list("gender", flat=True).first()
    return (incident.pk, incident.unit_id, incident.unit.path, incident.bypasses_management,
            incident.occurred_at, incident.reported_at, incident.acknowledged_at, incident.closed_at,
            incident.source_id, incident.operation_area_id, incident.channel_id, incident.identity_mode,
            gender,
            incident.police_status, incident.police_reference, incident.actor_pseudonym,
            incident.record_key, mask, any(form.code in THREATS_AND_VIOLENCE for form in forms))


def computed(ids, inserted=None) -> dict[int, dict]:
    """The skeletons of these incidents as their rows stand now. `inserted`:
    pk -> (incident, forms) of rows just inserted (incidents.signals.inserted),
    read from memory instead of the database."""
    zone = local_zone()
    inserted = inserted or {}
    rows = [_row_in_memory(*inserted[pk]) for pk in ids if pk in inserted]
    rest = [pk for pk in ids if pk not in inserted]
    if rest:
        # Unscoped: the totals count every incident; readers apply the scope.
        rows += list(_rows(Incident.unscoped.filter(pk__in=rest).order_by()))
    return {row[0]: skeleton_values(row, zone) for row in rows}


def stored_values(skeleton: Skeleton) -> dict:
    return {name: getattr(skeleton, name) for name in SKELETON}


def counted(values: dict) -> dict:
    return {name: values[name] for name in COUNTED}


# --- keeping them in step ----------------------------------------------------------------

_state = threading.local()


def _paused() -> bool:
    return getattr(_state, "paused", 0) > 0


@contextlib.contextmanager
def paused():
    """Writes inside are not followed one by one; everything is rebuilt at
    the end (bulk loads: the demo and the benchmark)."""
    _state.paused = getattr(_state, "paused", 0) + 1
    try:
        yield
    finally:
        _state.paused -= 1
    if not _paused():
        rebuild()


def sync(ids, *, created: bool = False, inserted=None) -> int:
    """Bring the skeletons of these incidents in step with their rows, in the
    caller's transaction; returns the number of pending changes appended.
    created: the rows were just inserted, so they have no skeleton yet;
    inserted: those of them whose rows are in memory (computed())."""
    ids = {int(pk) for pk in ids if pk is not None}
    if not ids or _paused():
        return 0
    # No savepoint: a failure here fails the caller's whole write, as it must
    # (the totals and the rows never disagree), so there is nothing to keep.
    with transaction.atomic(savepoint=False):
        new = computed(ids, inserted if created else None)
        old = {} if created else {s.incident_id: s for s in Skeleton.objects.filter(incident_id__in=ids)}
        changes, upserts, gone = [], [], []
        for pk in sorted(ids):
            stored = old.get(pk)
            if stored is not None and stored.frozen:
                continue
            before = stored_values(stored) if stored is not None else None
            after = new.get(pk)
            if before == after:
                continue
            if before is not None and (after is None or counted(before) != counted(after)):
                changes.append(PendingChange(sign=-1, **counted(before)))
            if after is not None:
                if before is None or counted(before) != counted(after):
                    changes.append(PendingChange(sign=1, **counted(after)))
                upserts.append(Skeleton(incident_id=pk, **after))
            else:
                gone.append(pk)
        if upserts:
            Skeleton.objects.bulk_create(upserts, update_conflicts=True, unique_fields=["incident"],
                                         update_fields=SKELETON)
        if gone:
            Skeleton.objects.filter(incident_id__in=gone, frozen=False).delete()
        _append(changes)
    return len(changes)


def forget(ids) -> int:
    """Incidents about to be deleted (a withdrawn report): they count no more,
    unless their skeleton is frozen (gallring), which stays."""
    ids = [int(pk) for pk in ids]
    if not ids or _paused():
        return 0
    with transaction.atomic():
        doomed = list(Skeleton.objects.filter(incident_id__in=ids, frozen=False))
        _append([PendingChange(sign=-1, **counted(stored_values(s))) for s in doomed])
        Skeleton.objects.filter(pk__in=[s.pk for s in doomed]).delete()
    return len(doomed)


def freeze(ids) -> int:
    """Gallring: keep these incidents' skeletons as they are now, counted,
    whatever later happens to their rows (personal data removed, the row
    deleted). Call it before removing anything."""
    ids = [int(pk) for pk in ids]
    with transaction.atomic():
        sync(ids)
        return Skeleton.objects.filter(incident_id__in=ids).update(frozen=True)


def move(old_path: str, new_path: str) -> int:
    """A node moved in the tree: its subtree's skeletons, frozen ones too,
    now count at the new ancestors."""
    if _paused():
        return 0
    with transaction.atomic():
        moved = list(Skeleton.objects.filter(path__startswith=old_path))
        changes = []
        for s in moved:
            changes.append(PendingChange(sign=-1, **counted(stored_values(s))))
            s.path = new_path + s.path[len(old_path):]
            ids = ancestors(s.path)
            s.a0, s.a1, s.a2 = (ids + [None, None, None])[:3]
            changes.append(PendingChange(sign=1, **counted(stored_values(s))))
        Skeleton.objects.bulk_update(moved, ["path", "a0", "a1", "a2"], batch_size=2000)
        _append(changes)
    return len(moved)


def _append(changes: list[PendingChange]) -> None:
    if not changes:
        return
    made = PendingChange.objects.bulk_create(changes)
    every = getattr(settings, "ROLLUP_COMPACT_EVERY", COMPACT_EVERY)
    ids = [c.pk for c in made if c.pk is not None]
    if every and ids and (every == 1 or max(ids) // every != (min(ids) - 1) // every):
        compact()


# --- folding the outbox into the tally ----------------------------------------------------

def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def form_bits() -> list[tuple[int, int]]:
    ids = list(InfluenceForm.objects.values_list("pk", flat=True))
    if len({pk % FORM_BITS for pk in ids}) != len(ids):
        raise ValueError(f"influence form ids {ids} share a position in the totals' bit set")
    return [(pk, form_bit(pk)) for pk in ids]


def forms_cte(bits) -> tuple[str, list]:
    """The CTE `forms(id, bit)` the FORM dimension joins."""
    bits = bits or [(0, 0)]
    rows = ", ".join(["(CAST(%s AS BIGINT), CAST(%s AS BIGINT))"] * len(bits))
    return f"forms(id, bit) AS (VALUES {rows})", [x for pair in bits for x in pair]


NODE = "CASE l.k " + " ".join(f"WHEN {k} THEN s.a{k}" for k in range(TALLY_DEPTH + 1)) + " END"
BUCKET = f"CASE l.g WHEN {MONTH} THEN s.month ELSE s.day END"
# What each Counted row adds to a cell: its count and its record key (the
# cell key method sums the keys); from the outbox with the change's sign.
MEASURES = ("n", "keysum")
OF_SKELETON = {"n": "1", "keysum": "s.key"}
OF_PENDING = {"n": "s.sign", "keysum": "s.sign * s.key"}


def expansion(source: str, *, measures: dict, where: str = "", keys: list[str], levels: bool = False,
              dims=None, per_dim: dict | None = None, grouped: bool = False) -> str:
    """SQL: every (keys..., dim, value, measures...) that the Counted rows of
    `source` (aliased s) add to the totals: one row per row and dimension,
    and with `levels` per tally level and grain too ({node} and {bucket}
    in a key are then the ancestor at that level and the month or day).
    Needs the CTE forms (forms_cte) and, with levels, levels (levels_cte). per_dim: a further condition for some
    dimensions (SQL without parameters). grouped: each dimension summed by
    its keys and value (keys are then plain columns, without AS)."""
    parts = []
    for dim, value, condition in DIMENSIONS:
        if dims is not None and dim not in dims:
            continue
        frm = f"{source} s"
        if dim == Dim.FORM:
            frm += " JOIN forms f ON (s.forms & f.bit) <> 0"
        conditions = [c for c in (where, condition, (per_dim or {}).get(dim, "")) if c]
        if levels:
            frm += " CROSS JOIN levels l"
            conditions.append(f"({NODE}) IS NOT NULL")
        cols = [k.format(node=NODE, bucket=BUCKET) for k in keys] + [f"{dim} AS dim", f"{value} AS value"]
        if grouped:
            cols += [f"SUM({measures[m]}) AS {m}" for m in MEASURES]
        else:
            cols += [f"{measures[m]} AS {m}" for m in MEASURES]
        sql = f"SELECT {', '.join(cols)} FROM {frm}"
        if conditions:
            sql += " WHERE " + " AND ".join(f"({c})" for c in conditions)
        if grouped:
            sql += f" GROUP BY {', '.join(keys + ([] if value.isdigit() else [value]))}"
        parts.append(sql)
    return " UNION ALL ".join(parts)


def levels_cte() -> str:
    """The tally's levels (k: depth) and grains (g)."""
    rows = [(k, MONTH) for k in range(TALLY_DEPTH + 1)] + [(k, DAY) for k in range(DAY_DEPTH + 1)]
    return "levels(k, g) AS (VALUES " + ", ".join(f"({k}, {g})" for k, g in rows) + ")"


TALLY_KEY = "node, bypass, grain, bucket, dim, value"
SUMS = ", ".join(f"SUM({m}) AS {m}" for m in MEASURES)
NONZERO = " OR ".join(f"{m} <> 0" for m in MEASURES)


def _aggregate_sql(source: str, *, measures: dict, where: str = "") -> str:
    """(node, bypass, grain, bucket, dim, value, measures...) summed over the Counted rows of `source`."""
    inner = expansion(source, where=where, measures=measures, levels=True,
                      keys=["{node} AS node", "s.bypass AS bypass", "l.g AS grain", "{bucket} AS bucket"])
    return f"SELECT {TALLY_KEY}, {SUMS} FROM ({inner}) x GROUP BY {TALLY_KEY}"


def _fold(ids: list[int]) -> None:
    forms, params = forms_cte(form_bits())
    picked = "picked(id) AS (VALUES " + ", ".join(["(CAST(%s AS BIGINT))"] * len(ids)) + ")"
    tally = _table(Tally)
    agg = _aggregate_sql(_table(PendingChange), where="s.id IN (SELECT id FROM picked)", measures=OF_PENDING)
    columns = f"{TALLY_KEY}, {', '.join(MEASURES)}"
    add = ", ".join(f"{m} = {tally}.{m} + excluded.{m}" for m in MEASURES)
    sql = (f"WITH {forms}, {levels_cte()}, {picked} INSERT INTO {tally} ({columns}) SELECT {columns} "
           f"FROM ({agg}) g WHERE {NONZERO} ON CONFLICT ({TALLY_KEY}) DO UPDATE SET {add}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *ids])
    PendingChange.objects.filter(pk__in=ids).delete()


def _lock(wait: bool) -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite: one writer at a time (IMMEDIATE transactions)
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        return bool(cursor.fetchone()[0])


def compact(*, drain: bool = False, wait: bool = False) -> int:
    """Move pending changes into the tally (at most COMPACT_BATCH, or all with
    drain); returns how many. Does nothing when another compaction holds the
    lock, unless wait."""
    done = 0
    with transaction.atomic():
        if not _lock(wait or drain):
            return 0
        while True:
            ids = list(PendingChange.objects.order_by("pk").values_list("pk", flat=True)[:COMPACT_BATCH])
            if not ids:
                break
            _fold(ids)
            done += len(ids)
            if not drain:
                break
    return done


# --- rebuilding and checking --------------------------------------------------------------

REBUILD_CHUNK = 5000


def _chunks(chunk: int = REBUILD_CHUNK):
    """The skeletons of all incidents, computed from their rows, in id order."""
    zone = local_zone()
    last = 0
    while True:
        rows = list(_rows(Incident.unscoped.filter(pk__gt=last).order_by("pk"))[:chunk])
        if not rows:
            return
        yield [(row[0], skeleton_values(row, zone)) for row in rows]
        last = rows[-1][0]


def rebuild(log=None, chunk: int = REBUILD_CHUNK) -> dict:
    """Recompute every skeleton from the raw rows (frozen ones stay) and the
    tally from the skeletons. On PostgreSQL incident writes wait meanwhile."""
    with transaction.atomic():
        _lock(wait=True)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {_table(Incident)} IN SHARE MODE")
        Skeleton.objects.filter(frozen=False).delete()
        PendingChange.objects.all().delete()
        if connection.vendor == "postgresql":
            _skeletons_in_sql()
        else:
            frozen = set(Skeleton.objects.filter(incident__isnull=False).values_list("incident_id", flat=True))
            count = 0
            for rows in _chunks(chunk):
                Skeleton.objects.bulk_create(
                    [Skeleton(incident_id=pk, **values) for pk, values in rows if pk not in frozen],
                    batch_size=5000)
                count += len(rows)
                if log:
                    log(f"{count} skeletons")
        Tally.objects.all().delete()
        forms, params = forms_cte(form_bits())
        agg = _aggregate_sql(_table(Skeleton), measures=OF_SKELETON)
        columns = f"{TALLY_KEY}, {', '.join(MEASURES)}"
        with connection.cursor() as cursor:
            # In key order: the rows a picture reads together lie together.
            cursor.execute(f"WITH {forms}, {levels_cte()} INSERT INTO {_table(Tally)} ({columns}) "
                           f"SELECT {columns} FROM ({agg}) g WHERE {NONZERO} ORDER BY {TALLY_KEY}", params)
    return {"skeletons": Skeleton.objects.count(), "tally": Tally.objects.count()}


def _case(column: str, codes: list[str], first: int, other: int) -> str:
    whens = " ".join(f"WHEN '{code}' THEN {first + i}" for i, code in enumerate(codes))
    return f"CASE {column} {whens} ELSE {other} END"


# The reporter's gender, or the one a thinned report kept (gallring).
GENDER_SQL = "COALESCE(r.gender, i.reporter_gender, '')"


def _skeletons_in_sql() -> None:
    """PostgreSQL: the skeletons of every incident without a frozen one, in
    one INSERT ... SELECT (skeleton_values in SQL, for a million rows in
    seconds; check() compares them with skeleton_values)."""
    zone = settings.TIME_ZONE.replace("'", "")
    local = f"(i.occurred_at AT TIME ZONE '{zone}')::date"
    epoch = "'0001-01-01'::date"

    def steps(end):
        us = f"(EXTRACT(EPOCH FROM (i.{end} - i.reported_at)) * {MICRO})"
        return (f"CASE WHEN i.{end} IS NULL THEN NULL WHEN {us} < {LONG_FROM * MICRO} "
                f"THEN floor({us} / {SHORT_STEP * MICRO}) "
                f"ELSE {LONG_FIRST} + floor(({us} - {LONG_FROM * MICRO}) / {LONG_STEP * MICRO}) END")

    named = ", ".join(f"'{m}'" for m in (Incident.IdentityMode.NAMED, Incident.IdentityMode.CONFIDENTIAL))
    through = _table(FormThrough)
    codes = ", ".join(f"'{c}'" for c in THREATS_AND_VIOLENCE)
    columns = {
        "incident_id": "i.id", "frozen": "false", "unit": "i.unit_id", "path": "u.path",
        "a0": "NULLIF(split_part(u.path, '/', 2), '')::int", "a1": "NULLIF(split_part(u.path, '/', 3), '')::int",
        "a2": "NULLIF(split_part(u.path, '/', 4), '')::int", "bypass": "i.bypasses_management",
        "day": f"{local} - {epoch} + 1", "month": f"date_trunc('month', {local})::date - {epoch} + 1",
        "forms": f"COALESCE((SELECT SUM(CAST(1 AS BIGINT) << CAST(f.influenceform_id % {FORM_BITS} AS INTEGER)) FROM {through} f "
                 f"WHERE f.incident_id = i.id), 0)",
        "source": "COALESCE(i.source_id, 0)", "area": "COALESCE(i.operation_area_id, 0)",
        "channel": "COALESCE(i.channel_id, 0)",
        "identity": _case("i.identity_mode", IDENTITIES, 1, 0),
        "gender": f"CASE WHEN i.identity_mode IN ({named}) THEN {_case(GENDER_SQL, GENDERS, 0, len(GENDERS))} END",
        "tv": f"EXISTS (SELECT 1 FROM {through} f JOIN {_table(InfluenceForm)} c ON c.id = f.influenceform_id "
              f"WHERE f.incident_id = i.id AND c.code IN ({codes}))",
        "reported": f"(i.police_status = '{PoliceStatus.REPORTED}' OR i.police_reference <> '')",
        "ack": steps("acknowledged_at"), "close": steps("closed_at"),
        "ack_c": f"floor(({steps('acknowledged_at')}) / {STEPS_PER_COARSE})",
        "close_c": f"floor(({steps('closed_at')}) / {STEPS_PER_COARSE})", "key": "i.record_key",
        "actor": "i.actor_pseudonym",
    }
    sql = (f"INSERT INTO {_table(Skeleton)} ({', '.join(columns)}) SELECT {', '.join(columns.values())} "
           f"FROM {_table(Incident)} i JOIN {_table(OrgUnit)} u ON u.id = i.unit_id "
           f"LEFT JOIN {_table(User)} r ON r.id = i.reporter_id "
           f"WHERE NOT EXISTS (SELECT 1 FROM {_table(Skeleton)} k WHERE k.incident_id = i.id)")
    with connection.cursor() as cursor:
        cursor.execute(sql)


def check(limit: int | None = None, chunk: int = REBUILD_CHUNK) -> list[str]:
    """Every difference between the totals and what the raw rows give: the
    skeletons against the incidents, and the tally (with the pending
    changes) against the skeletons. Empty when they agree."""
    differences = []

    def note(text):
        differences.append(text)
        return limit is not None and len(differences) >= limit

    with transaction.atomic():
        seen = set()
        for rows in _chunks(chunk):
            ids = [pk for pk, _v in rows]
            stored = {s.incident_id: s for s in Skeleton.objects.filter(incident_id__in=ids)}
            for pk, expected in rows:
                seen.add(pk)
                s = stored.get(pk)
                if s is None:
                    if note(f"händelse {pk}: räknas inte"):
                        return differences
                    continue
                if s.frozen:
                    continue
                actual = stored_values(s)
                for name in SKELETON:
                    if actual[name] != expected[name] and note(
                            f"händelse {pk}: {name} är {actual[name]!r} i summorna, {expected[name]!r} i raden"):
                        return differences
        for s in Skeleton.objects.filter(frozen=False).exclude(incident_id__in=seen).only("pk", "incident_id"):
            if note(f"skelett {s.pk}: räknar händelse {s.incident_id}, som inte finns"):
                return differences
        forms, params = forms_cte(form_bits())
        expected = _aggregate_sql(_table(Skeleton), measures=OF_SKELETON)
        pending = _aggregate_sql(_table(PendingChange), measures=OF_PENDING)
        columns = f"{TALLY_KEY}, {', '.join(MEASURES)}"
        actual = (f"SELECT {TALLY_KEY}, {SUMS} FROM (SELECT {columns} FROM {_table(Tally)} "
                  f"UNION ALL {pending}) t GROUP BY {TALLY_KEY}")
        keys = ["node", "bypass", "grain", "bucket", "dim", "value"]
        join = " AND ".join(f"e.{k} = a.{k}" for k in keys)
        differ = " OR ".join(f"COALESCE(e.{m}, 0) <> COALESCE(a.{m}, 0)" for m in MEASURES)
        sql = (f"WITH {forms}, {levels_cte()}, e AS ({expected}), a AS ({actual}) SELECT "
               + ", ".join(f"COALESCE(e.{k}, a.{k})" for k in keys) + ", "
               + ", ".join(f"COALESCE(e.{m}, 0), COALESCE(a.{m}, 0)" for m in MEASURES)
               + f" FROM e FULL OUTER JOIN a ON {join} WHERE {differ} ORDER BY 1, 2, 3, 4, 5, 6")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for node, bypass, grain, bucket, dim, value, want_n, have_n, want_k, have_k in cursor.fetchall():
                when = f"dag {date.fromordinal(bucket)}" if grain == DAY else f"månad {date.fromordinal(bucket):%Y-%m}"
                if note(f"summa nod {node} förbi chef {'ja' if bypass else 'nej'} {when} "
                        f"dimension {dim} värde {value}: {have_n} räknade (nyckelsumma {have_k}), "
                        f"{want_n} i skeletten (nyckelsumma {want_k})"):
                    return differences
    return differences


# --- the signals ----------------------------------------------------------------------

def _watched(fields) -> bool:
    if fields is None:
        return True
    return any((name[:-3] if name.endswith("_id") else name) in WATCHED for name in fields)


def _on_save(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw or not (created or update_fields is None or _watched(update_fields)):
        return
    if not defer([instance.pk], created=created):
        sync([instance.pk], created=created)


def _on_delete(sender, instance, **kwargs):
    forget([instance.pk])


def _on_forms(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear") and not defer([instance.pk]):
            sync([instance.pk])
        return
    # From the form's side: form.incidents.add(...), .clear().
    if action == "pre_clear":
        instance._rollup_incidents = list(FormThrough.objects.filter(influenceform_id=instance.pk)
                                          .values_list("incident_id", flat=True))
    elif action in ("post_add", "post_remove"):
        sync(pk_set or [])
    elif action == "post_clear":
        sync(getattr(instance, "_rollup_incidents", []))


def _on_rows(sender, ids, fields, created=(), inserted=None, **kwargs):
    if _watched(fields):
        new = set(created)
        if new:
            # Inserted in the same block: no skeleton to read, and the rows of
            # those announced with their forms are in memory.
            sync(new, created=True, inserted=inserted)
        sync(set(ids) - new)


def _before_user_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None or (update_fields is not None and "gender" not in update_fields):
        return
    instance._rollup_gender = User.objects.filter(pk=instance.pk).values_list("gender", flat=True).first()


def _after_user_save(sender, instance, created, raw=False, **kwargs):
    old = getattr(instance, "_rollup_gender", instance.gender)
    if raw or created or old == instance.gender:
        return
    # Unscoped: the reporter's reports, to count their gender anew; nothing is shown.
    sync(Incident.unscoped.filter(reporter_id=instance.pk).values_list("pk", flat=True))


def _on_move(sender, old_path, new_path, **kwargs):
    move(old_path, new_path)


def connect():
    post_save.connect(_on_save, sender=Incident, dispatch_uid="rollups-save")
    pre_delete.connect(_on_delete, sender=Incident, dispatch_uid="rollups-delete")
    m2m_changed.connect(_on_forms, sender=FormThrough, dispatch_uid="rollups-forms")
    rows_changed.connect(_on_rows, sender=Incident, dispatch_uid="rollups-rows")
    pre_save.connect(_before_user_save, sender=User, dispatch_uid="rollups-user-before")
    post_save.connect(_after_user_save, sender=User, dispatch_uid="rollups-user-after")
    subtree_moved.connect(_on_move, sender=OrgUnit, dispatch_uid="rollups-move")
