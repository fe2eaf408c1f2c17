"""Reads that may come from a PostgreSQL streaming replica; everything else
from the primary.

With DATABASE_REPLICA_URL set there is a second database, "replica", and
nothing goes there unless a view asks: @replica_reads (or a block
`with on_replica():`) marks the pages that only read a picture of many
cases (the situation picture, its lists and exports, the PDF report, and
statistics). Routing every read would be unsafe: a page that reads what the
same user has just written (a receipt, a case after a change, a session
after logging in) would miss it while the replica lags.

Inside such a block reads go to the replica, except
- while the primary is in a transaction: a write and whatever it reads
  (select_for_update, get_or_create, the audit chain) stays on the primary;
- the models of PRIMARY_APPS (sessions, the database cache that holds the
  rate limits), which must read their own writes.
Writes always go to the primary, and the request's user is read there
before the block starts.

On entering a block the replica is asked how far behind it is. When it does
not answer, is not streaming from the primary, or is more than
REPLICA_MAX_LAG_SECONDS behind, the block reads the primary instead, so a
page is never an error and never older than that; after a failure the
replica rests for REPLICA_RETRY_SECONDS before it is tried again, so a
replica that is down costs one connect timeout, not one per page."""
import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
# "django_cache" is the app label of Django's database cache table.
PRIMARY_APPS = frozenset({"sessions", "django_cache"})

_reads_from: ContextVar[str] = ContextVar("varn_reads_from", default=PRIMARY)
_resting_until = 0.0

# Lag as the standby sees it: 0 when it has replayed all it received (or is
# not a standby at all), else the age of the last transaction it replayed.
# A standby whose WAL receiver is gone (the primary unreachable) is not
# streaming, however current it looks.
LAG_SQL = """
SELECT NOT pg_is_in_recovery() OR EXISTS (SELECT FROM pg_stat_wal_receiver),
       CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END
"""


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_lag() -> float | None:
    """Seconds the replica is behind, or None when it must not be read."""
    global _resting_until
    if not replica_configured() or time.monotonic() < _resting_until:
        return None
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            streaming, lag = cursor.fetchone()
    except DatabaseError as exc:
        _resting_until = time.monotonic() + settings.REPLICA_RETRY_SECONDS
        logger.warning("Reading the primary: the replica does not answer (%s)", type(exc).__name__)
        return None
    if not streaming:
        logger.warning("Reading the primary: the replica is not streaming from it")
        return None
    if lag > settings.REPLICA_MAX_LAG_SECONDS:
        logger.info("Reading the primary: the replica is %.1f s behind", lag)
        return None
    return float(lag)


@contextmanager
def reading_from(alias: str):
    """Reads in the block go to `alias` (subject to the rules above)."""
    token = _reads_from.set(alias)
    try:
        yield alias
    finally:
        _reads_from.reset(token)


@contextmanager
def on_replica():
    """Reads in the block go to the replica when it is usable; yields the
    alias chosen."""
    with reading_from(PRIMARY if replica_lag() is None else REPLICA) as alias:
        yield alias


def _each_chunk_from(alias, chunks):
    """A streamed response is produced after the view returned: read each
    chunk from the same database as the view."""
    iterator = iter(chunks)
    try:
        while True:
            with reading_from(alias):
                try:
                    chunk = next(iterator)
                except StopIteration:
                    return
            yield chunk
    finally:
        close = getattr(iterator, "close", None)
        if close:
            close()


def replica_reads(view):
    """The view only reads a picture of many cases: let it read the replica."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = getattr(request, "user", None)
        if user is not None:
            user.is_authenticated  # the session and the user come from the primary
        with on_replica() as alias:
            response = view(request, *args, **kwargs)
        if (alias != PRIMARY and getattr(response, "streaming", False) and not response.is_async
                and getattr(response, "file_to_stream", None) is None):  # a file needs no database
            response.streaming_content = _each_chunk_from(alias, response.streaming_content)
        return response
    return wrapped


class PrimaryReplicaRouter:
    """DATABASE_ROUTERS entry, installed when DATABASE_REPLICA_URL is set."""

    def db_for_read(self, model, **hints):
        alias = _reads_from.get()
        if (alias == PRIMARY or model._meta.app_label in PRIMARY_APPS
                or connections[PRIMARY].in_atomic_block):
            return PRIMARY
        return alias

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows: an object read there may point
        # to one read from the primary.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None
