"""Signals of the incidents layer.

rows_changed: sent after QuerySet.update() and QuerySet.bulk_create() on
incidents, inside the same transaction, with the ids of the rows the
statement touched (`ids`) and the names of the fields it wrote (`fields`;
None for bulk_create). Django's own post_save, pre_delete and m2m_changed
cover Model.save(), deletions and the forms of influence, which together
with this signal are every ORM write of an incident. Statistics kept beside
the rows (situation.rollups) listen to all of them; writes in raw SQL (the
benchmark's bulk insert) must rebuild them instead.

deferred(): a block of incident writes (filing: the incident, then its
forms) announced once at its end as one rows_changed; listeners of post_save
and m2m_changed ask defer() whether to wait for it. A block that inserted an
incident and its forms says so with inserted(), and the announcement then
carries them (`inserted`: pk -> (incident, forms)), so that listeners can
read the new rows from memory instead of asking the database again.
"""
import contextlib
import threading

from django.dispatch import Signal

rows_changed = Signal()

_pending = threading.local()


@contextlib.contextmanager
def deferred():
    """Incident writes inside the block are announced once, at its end, as
    one rows_changed (fields=None) with every incident touched, instead of
    one signal per save and per change of the forms: filing a report saves
    the incident and then sets its forms, and the statistics beside the rows
    need to follow it once. Use it inside the caller's transaction, so the
    announcement is part of it. Nothing is announced when the block raises
    (its transaction rolls back)."""
    if getattr(_pending, "ids", None) is not None:
        yield
        return
    _pending.ids, _pending.created, _pending.inserted = set(), set(), {}
    try:
        yield
        ids, created, inserted = _pending.ids, _pending.created, _pending.inserted
    finally:
        _pending.ids = _pending.created = _pending.inserted = None
    if ids:
        from incidents.models import Incident

        created = created & ids
        rows_changed.send(sender=Incident, ids=sorted(ids), fields=None, created=sorted(created),
                          inserted={pk: row for pk, row in inserted.items() if pk in created})


def inserted(incident, forms) -> None:
    """Inside deferred(): `incident` was just inserted, and its forms of
    influence are exactly `forms` (InfluenceForm objects); nothing else in the
    block changes it after this. Outside deferred(), nothing."""
    pending = getattr(_pending, "inserted", None)
    if pending is not None:
        pending[incident.pk] = (incident, list(forms))


def defer(ids, *, created: bool = False) -> bool:
    """For listeners of post_save and m2m_changed: inside deferred(), note
    these incident ids (created: inserted inside the block) and return True
    (the listener's work comes with the block's rows_changed, whose
    `created` lists the new ones); outside, return False."""
    pending = getattr(_pending, "ids", None)
    if pending is None:
        return False
    ids = {int(pk) for pk in ids if pk is not None}
    pending.update(ids)
    if created:
        _pending.created.update(ids)
    return True
