"""Project-wide request and response rules."""
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _


class NoStoreMiddleware:
    """Nothing Värn renders is kept by a browser or a proxy: on a shared
    office computer, the back button after logging out must show nothing.
    Static files are served before this runs (WhiteNoise) and stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response


# Characters no text in Värn can hold: NUL (PostgreSQL refuses it in text and
# JSON, and no keyboard types it) and the other C0 controls except tab,
# newline and carriage return.
FORBIDDEN = {chr(c) for c in range(32)} - {"\t", "\n", "\r"}


def _has_forbidden(values) -> bool:
    return any(ch in FORBIDDEN for value in values for ch in value)


def _is_form_navigation(request) -> bool:
    """A browser submitting an HTML form as a page load: its Django form
    refuses NUL at the field (Django's CharField does) and keeps everything
    else the user typed, which is kinder than a 400 page."""
    return request.headers.get("Sec-Fetch-Mode") == "navigate"


def _control_message():
    return _("Texten innehåller ett osynligt styrtecken (till exempel NUL) som inte kan sparas.")


class ControlCharacterMiddleware:
    """Refuses, in one place, any request whose query parameters, or whose
    form fields and file names when it is not a form page load (a fetch, a
    script, a crafted request), hold a control character, with a clear
    message (400), so that no view or JSON endpoint meets one and fails. An
    HTML form's own submission reaches its form, which says it at the field."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            values = [v for key in request.GET for v in [key, *request.GET.getlist(key)]]
            if request.method == "POST" and not _is_form_navigation(request):
                values += [v for key in request.POST for v in [key, *request.POST.getlist(key)]]
                values += [f.name or "" for key in request.FILES for f in request.FILES.getlist(key)]
        except Exception:  # an unreadable body: Django's own 400 handling applies later
            return self.get_response(request)
        if _has_forbidden(values):
            if request.path.startswith("/api/"):
                # The API answers with a problem document (RFC 9457), like its other errors.
                return JsonResponse({
                    "type": "urn:varn:problem:invalid", "title": _("Uppgifterna kunde inte tas emot"),
                    "status": 400, "detail": _control_message(),
                    "errors": [{"field": key, "detail": _control_message()} for key in request.GET
                               if _has_forbidden([key, *request.GET.getlist(key)])]},
                    status=400, content_type="application/problem+json")
            return render(request, "errors/400.html", {
                "message": _("Det du skickade innehåller ett osynligt styrtecken (till exempel NUL) som inte "
                             "kan sparas. Det kommer oftast från inklistrad text: skriv eller klistra in "
                             "texten på nytt och försök igen."),
            }, status=400)
        return self.get_response(request)
