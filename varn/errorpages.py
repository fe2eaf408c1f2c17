"""The 500 and 503 pages: what a user sees when something below the page
failed. They render with nothing that may be the cause: no database, no
session or user, no context processors, no static manifest (the stylesheet's
URL is looked up here and falls back to its plain path), and when even the
template fails, a plain HTML string.

A database that does not answer (down, restarting, failing over, a dropped
connection: Django's OperationalError and InterfaceError) gets 503 with
Retry-After, because trying again shortly is the right advice; anything
else is a 500. After a POST the page never claims that nothing was saved:
the reporter is told to reload, which sends the same form with the same
submission token, so a report stored before the failure answers with its
receipt and is never stored twice (reporting.services.existing_receipt)."""
import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse

logger = logging.getLogger(__name__)

UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30

# The last resort, when the templates themselves cannot be rendered.
FALLBACK = {
    500: "<!doctype html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>Tekniskt fel – Värn</title>"
         "</head><body><h1>Något gick fel hos oss</h1><p>Försök igen om en stund.</p>"
         "<p>Akut fara? Ring 112.</p></body></html>",
    503: "<!doctype html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>Tillfälligt otillgängligt – Värn"
         "</title></head><body><h1>Värn är tillfälligt otillgängligt</h1><p>Försök igen om en minut.</p>"
         "<p>Akut fara? Ring 112.</p></body></html>",
}


def _static(path: str) -> str:
    try:
        return static(path)
    except Exception:  # no manifest, or a manifest without the file
        return settings.STATIC_URL + path


def _sent(request) -> str:
    """What the user had sent: "report" (a report form), "other" (another
    form) or "" (nothing)."""
    if getattr(request, "method", "GET") != "POST":
        return ""
    try:
        reports = {reverse("reporting:report"), reverse("reporting:report_anonymous")}
    except Exception:
        reports = set()
    return "report" if request.path in reports else "other"


def server_error(request, *args, **kwargs):
    """handler500, also for the database being unavailable (503)."""
    status = 503 if isinstance(sys.exc_info()[1], UNAVAILABLE) else 500
    try:
        html = loader.get_template(f"errors/{status}.html").render({
            "stylesheet": _static("varn/css/app.css"),
            "favicon": _static("varn/favicon.svg"),
            "sent": _sent(request),
        })
    except Exception:
        logger.exception("The %s page could not be rendered; sent the plain one", status)
        html = FALLBACK[status]
    response = HttpResponse(html, status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
