"""A stamp of what the pages show to everyone alike and what a report's
path reads on every request (the taxonomies' labels and texts, the knowledge
bank's article titles, the organisation tree with its role holders, the
action plans' checklist steps), so that parts of a page built only from them
can be kept rendered between requests (the report form's fixed parts:
`{% cache %}` with `using="fragments"`, a cache in each process's memory)
and values computed from them kept (kept(): routing's role holders above a
unit, the units a reporter can choose, the plan's steps, the article titles).

The stamp lives in the shared cache ("default"), so every process sees a
change at once: saving or deleting any taxonomy term (organisation's and
incidents' TaxonomyTerm subclasses), a unit, a role assignment, a user (but
for the day of their last login) or a knowledge article sets a new random
stamp (other apps connect their own models with bump_on(): knowledge,
governance). The new shared stamp is set when the transaction commits, once
however many rows it changed, so that no request keeps the old rows under
it; inside the writing transaction, until then, each change gives the thread
a stamp of its own (bump()), so that it reads its own changes and keeps
nothing another request could use. A random stamp,
not a counter: a shared cache that was emptied or restarted starts a new
one, and no process can serve a fragment kept under a stamp that came back.
Writes that send no signal (QuerySet.update in a shell) are seen when the
fragments expire (FRAGMENT_SECONDS). A shared cache that does not answer
(the cache table not created, Redis down) breaks nothing: stamp() is then
"" and the pages render everything, and a change is logged and seen when
the kept fragments expire.
"""
import functools
import logging
import threading
import uuid

from django.core.cache import cache, caches
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

KEY = "catalogue-stamp"
FRAGMENT_SECONDS = 600

logger = logging.getLogger(__name__)

# The stamp as the request in hand read it: asked of the shared cache once
# per request (forgotten when it ends and when this process sets a new one);
# outside a request (commands, the timer) asked every time.
_read = threading.local()


def stamp() -> str:
    """The current stamp; a new one when the shared cache has none; ""
    (keep nothing) when the shared cache does not answer. Inside a
    transaction that changed something under the stamp, a stamp of this
    thread's own (bump()), until it ends: committed, the shared stamp is new;
    rolled back, the shared one holds (a long-running command must not keep
    its own stamp past a rollback and miss every later change)."""
    own = getattr(_read, "own", None)
    if own is not None:
        if transaction.get_connection().in_atomic_block:
            return own
        _read.own = None
    value = getattr(_read, "stamp", None)
    if value is not None and getattr(_read, "in_request", False):
        return value
    try:
        value = cache.get(KEY)
        if value is None:
            cache.add(KEY, uuid.uuid4().hex, timeout=None)
            value = cache.get(KEY) or ""
    except Exception:
        logger.warning("The shared cache did not answer; the page is rendered in full", exc_info=True)
        value = ""
    _read.stamp = value
    return value


def _forget(**kwargs) -> None:
    _read.stamp = None


def _request_started(**kwargs) -> None:
    _read.stamp, _read.own, _read.in_request = None, None, True


def _request_finished(**kwargs) -> None:
    _read.stamp, _read.own, _read.in_request = None, None, False


request_started.connect(_request_started, dispatch_uid="catalogue-stamp-request-started")
request_finished.connect(_request_finished, dispatch_uid="catalogue-stamp-request-finished")


def kept(name: str, compute):
    """compute(), kept in this process's memory (the "fragments" cache)
    under the current stamp: for values built only from the vocabularies
    (the knowledge bank's article titles). Computed each time when the
    shared cache does not answer."""
    current = stamp()
    if not current:
        return compute()
    key = f"{name}:{current}"
    value = caches["fragments"].get(key)
    if value is None:
        value = compute()
        caches["fragments"].set(key, value, FRAGMENT_SECONDS)
    return value


def _new_stamp() -> None:
    _forget()
    _read.own = None
    try:
        cache.set(KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.warning("The shared cache did not answer; kept fragments are used until they expire",
                       exc_info=True)


def bump() -> None:
    """Something under the stamp changed: every kept fragment and value is
    stale. For every process a new shared stamp after commit, so that no
    request renders or keeps the old rows under it; until then this thread
    uses a new stamp of its own at each change, so that the writing
    transaction reads its own changes and keeps nothing any other request
    uses (stamp() forgets it once the transaction has ended). One shared
    stamp per commit, however many rows the transaction changed."""
    _read.own = uuid.uuid4().hex
    _read.changes = getattr(_read, "changes", 0) + 1
    transaction.on_commit(functools.partial(_committed, _read.changes))


def _committed(change: int) -> None:
    """After commit: the first of the transaction's hooks sets the new shared
    stamp for every change made so far; the others have nothing left to do.
    (Any of them may be the first: a savepoint rolled back drops its own.)"""
    if change <= getattr(_read, "committed", 0):
        return
    _read.committed = _read.changes
    _new_stamp()


# Saves of a user that change nothing kept (sign-in records the day).
_UNKEPT_USER_FIELDS = frozenset({"last_login"})


def _changed(sender, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if update_fields is not None and frozenset(update_fields) <= _UNKEPT_USER_FIELDS:
        return
    bump()


def _relations_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        bump()


def bump_on(*models) -> None:
    """Saving or deleting a row of these models renews the stamp; for a
    many-to-many relation's through model, adding or removing a link."""
    for model in models:
        uid = f"catalogue-{model._meta.label_lower}"
        if model._meta.auto_created:
            m2m_changed.connect(_relations_changed, sender=model, dispatch_uid=uid + "-m2m")
            continue
        post_save.connect(_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + "-delete")


def connect_organisation() -> None:
    """The tree, the role assignments and the users: routing's role holders
    and the report form's units are kept under the stamp."""
    from organisation.models import OrgUnit, RoleAssignment, User

    bump_on(OrgUnit, RoleAssignment, User)


def connect_taxonomies() -> None:
    """Every concrete TaxonomyTerm, whichever app defines it."""
    from django.apps import apps

    from organisation.models import TaxonomyTerm

    bump_on(*[m for m in apps.get_models() if issubclass(m, TaxonomyTerm)])
