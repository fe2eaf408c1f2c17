"""Health endpoints for the load balancer, answered before anything else runs.

/healthz/  the process is up and answers: 200 "ok", touches nothing else.
/readyz/   it can serve: the database answers and every migration of this
           code is applied (200 "ok"), otherwise 503 "unavailable".

Both need no login and tell nothing: no versions, no error text (the reason
a probe failed is logged on the server). HealthMiddleware, first in
MIDDLEWARE, answers them before the host check, the HTTPS redirect, the
session and CSRF, because load balancers probe a backend by its address over
plain HTTP; the URL map names them too (for reverse() and for a middleware
stack without it)."""
import logging

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpResponse, HttpResponseNotAllowed
from django.utils.cache import patch_cache_control

logger = logging.getLogger(__name__)

_expected_migrations: frozenset | None = None


def _answer(text: str, status: int) -> HttpResponse:
    response = HttpResponse(f"{text}\n", content_type="text/plain; charset=utf-8", status=status)
    patch_cache_control(response, no_store=True, private=True)
    return response


def expected_migrations() -> frozenset:
    """Every migration of the code this process runs (read from disk once)."""
    global _expected_migrations
    if _expected_migrations is None:
        _expected_migrations = frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)
    return _expected_migrations


def healthz(request):
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return _answer("ok", 200)


def readyz(request):
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    try:
        applied = MigrationRecorder(connections[DEFAULT_DB_ALIAS]).applied_migrations()
    except DatabaseError as exc:
        logger.warning("readyz: the database does not answer (%s)", type(exc).__name__)
        return _answer("unavailable", 503)
    missing = expected_migrations() - set(applied)
    if missing:
        logger.warning("readyz: %d migrations are not applied, e.g. %s", len(missing), ".".join(min(missing)))
        return _answer("unavailable", 503)
    return _answer("ok", 200)


PROBES = {"/healthz/": healthz, "/readyz/": readyz}


class HealthMiddleware:
    """Answers the probes before any other middleware (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is not None:
            return probe(request)
        return self.get_response(request)
