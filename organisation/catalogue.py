"""A stamp of the vocabularies the pages show to everyone alike (the
taxonomies' labels and texts, the knowledge bank's article titles), so that
parts of a page built only from them can be kept rendered between requests
(the report form's fixed parts: `{% cache %}` with `using="fragments"`,
a cache in each process's memory).

The stamp lives in the shared cache ("default"), so every process sees a
change at once: saving or deleting any taxonomy term (organisation's and
incidents' TaxonomyTerm subclasses) or a knowledge article sets a new random
stamp (knowledge connects its own models with bump_on()). A random stamp,
not a counter: a shared cache that was emptied or restarted starts a new
one, and no process can serve a fragment kept under a stamp that came back.
Writes that send no signal (QuerySet.update in a shell) are seen when the
fragments expire (FRAGMENT_SECONDS). A shared cache that does not answer
(the cache table not created, Redis down) breaks nothing: stamp() is then
"" and the pages render everything, and a change is logged and seen when
the kept fragments expire.
"""
import logging
import threading
import uuid

from django.core.cache import cache, caches
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save

KEY = "catalogue-stamp"
FRAGMENT_SECONDS = 600

logger = logging.getLogger(__name__)

# The stamp as the request in hand read it: asked of the shared cache once
# per request (forgotten when it ends and when this process sets a new one);
# outside a request (commands, the timer) asked every time.
_read = threading.local()


def stamp() -> str:
    """The current stamp; a new one when the shared cache has none; ""
    (keep nothing) when the shared cache does not answer."""
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
    _read.stamp, _read.in_request = None, True


def _request_finished(**kwargs) -> None:
    _read.stamp, _read.in_request = None, False


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
    try:
        cache.set(KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.warning("The shared cache did not answer; kept fragments are used until they expire",
                       exc_info=True)


def bump() -> None:
    """A vocabulary changed: every kept fragment is stale. After commit, so
    that no request renders the old rows under the new stamp."""
    transaction.on_commit(_new_stamp)


def _changed(sender, raw=False, **kwargs):
    if not raw:
        bump()


def bump_on(*models) -> None:
    for model in models:
        uid = f"catalogue-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + "-delete")


def connect_taxonomies() -> None:
    """Every concrete TaxonomyTerm, whichever app defines it."""
    from django.apps import apps

    from organisation.models import TaxonomyTerm

    bump_on(*[m for m in apps.get_models() if issubclass(m, TaxonomyTerm)])
