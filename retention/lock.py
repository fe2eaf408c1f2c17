"""One gallring run at a time, on SQLite and PostgreSQL.

PostgreSQL: a session-level advisory lock (pg_try_advisory_lock), held by
the run's connection; SQLite: an exclusive flock on a file beside the
database. Both are released by the operating system or the server when the
process dies, so a killed run never leaves a stale lock behind.
"""
import contextlib
import fcntl
import os
import threading

from django.conf import settings
from django.db import connection

# "gallring" as a number: the key of the advisory lock.
PG_KEY = 0x67616C6C72696E67 & 0x7FFFFFFFFFFFFFFF


def lock_file_path() -> str:
    name = str(settings.DATABASES["default"]["NAME"])
    if name.startswith("file:") or name == ":memory:":
        # An in-memory database (the test runner): one per process.
        return os.path.join(str(settings.MEDIA_ROOT), f".gallring-{os.getpid()}.lock")
    return name + ".gallring.lock"


_local = threading.Lock()  # PostgreSQL's advisory locks are re-entrant within a session


@contextlib.contextmanager
def run_lock():
    """Yields True when this run holds the lock, False when another run does
    (in another process, or already in this one)."""
    if not _local.acquire(blocking=False):
        yield False
        return
    try:
        with _database_lock() as got:
            yield got
    finally:
        _local.release()


@contextlib.contextmanager
def _database_lock():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [PG_KEY])
            got = cursor.fetchone()[0]
        try:
            yield bool(got)
        finally:
            if got:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [PG_KEY])
        return
    path = lock_file_path()
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    handle = open(path, "a")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()
