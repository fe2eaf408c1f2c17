"""Sign-in with the organisation's identity provider: the start (to the
provider), the callback (back from it), the page that says why a sign-in was
refused, and the provider's logout address for varn.views.logout_view."""
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from signin import config
from signin.backend import OIDCBackend
from signin.errors import SignInError

LOGGER = logging.getLogger(__name__)
BACKEND_PATH = f"{OIDCBackend.__module__}.{OIDCBackend.__qualname__}"
# The provider's answers to a silent re-check (prompt=none) when its session has ended.
SESSION_ENDED_ERRORS = {"login_required", "interaction_required", "consent_required", "account_selection_required"}


def _pages():
    contact = _("Kontakta din administratör eller IT-support och berätta vad som står här.")
    return {
        "provider_down": (503, _("Inloggningstjänsten svarar inte"),
                          _("Värn når inte inloggningstjänsten hos %(name)s just nu. Ingenting är fel med ditt "
                            "konto. Försök igen om några minuter."), contact),
        "token": (400, _("Inloggningen kunde inte bekräftas"),
                  _("Svaret från inloggningstjänsten gick inte att lita på, så du har inte loggats in. "
                    "Försök logga in igen."),
                  _("Händer det igen: kontakta administratören och ange felkoden.")),
        "rejected": (400, _("Inloggningen godtogs inte"),
                     _("Inloggningstjänsten godtog inte inloggningen, till exempel för att den tog för lång tid. "
                       "Försök logga in igen."), contact),
        "state": (400, _("Inloggningen hann gå ut"),
                  _("Inloggningen påbörjades i en annan flik eller för länge sedan. Börja om från början."), ""),
        "cancelled": (403, _("Inloggningen avbröts"),
                      _("Du loggades inte in. Försök igen när du vill."), ""),
        "session_ended": (403, _("Du har loggats ut"),
                          _("Din inloggning hos %(name)s har upphört, så du är utloggad från Värn också. "
                            "Logga in igen för att fortsätta."), ""),
        "missing_claim": (403, _("Uppgifter saknas från inloggningstjänsten"),
                          _("Inloggningstjänsten skickade inte uppgiften som Värn behöver för att känna igen dig."),
                          _("Kontakta administratören: inloggningstjänsten behöver skicka uppgiften "
                            "som står nedan.")),
        "no_role": (403, _("Du har ingen behörighet i Värn ännu"),
                    _("Ditt konto är inte kopplat till någon enhet eller roll i Värn."),
                    _("Kontakta administratören och be om att din grupp eller enhet kopplas till Värn. "
                      "Du kan ändå rapportera anonymt utan att logga in.")),
        "inactive": (403, _("Ditt konto är inaktiverat"),
                     _("Ditt konto i Värn är avslutat, till exempel för att anställningen har upphört."),
                     _("Kontakta HR eller administratören om det är fel.")),
        "conflict": (403, _("Kontot kan inte kopplas"),
                     _("Ditt anställningsnummer hör redan till ett annat konto i Värn."),
                     _("Kontakta administratören och ange felkoden.")),
    }


def failure(request, reason: str, detail: str = ""):
    """The page for a refused sign-in: what happened, and what to do."""
    pages = _pages()
    status, title, text, advice = pages.get(reason, pages["token"])
    LOGGER.warning("signin: refused (%s%s)", reason, f": {detail}" if detail else "")
    name = config.provider_name() or _("din organisation")
    ctx = {"title": title, "text": text % {"name": name} if "%(name)s" in text else text,
           "advice": advice, "detail": detail, "reason": reason,
           "code": f"{reason}-{detail}" if detail and reason == "token" else reason,
           "retry": reason not in {"inactive", "conflict", "no_role", "missing_claim"}}
    return render(request, "signin/failed.html", ctx, status=status)


class StartView(OIDCAuthenticationRequestView):
    """To the provider's sign-in page, with state, nonce and a PKCE challenge."""

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the library reads its settings here; see get()

    def get(self, request):
        if not config.enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = config.endpoint("authorization_endpoint")
        except config.ProviderUnavailable:
            return failure(request, "provider_down")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """Back from the provider: check everything, sign in, or say why not."""

    @property
    def failure_url(self):
        return reverse("login")

    def get(self, request):
        if not config.enabled():
            raise Http404
        error = request.GET.get("error", "")
        if error:
            was_signed_in = request.user.is_authenticated
            auth.logout(request)
            return failure(request, "session_ended" if was_signed_in or error in SESSION_ENDED_ERRORS
                           else "cancelled")
        state = request.GET.get("state", "")
        if not request.GET.get("code") or state not in (request.session.get("oidc_states") or {}):
            return failure(request, "state")
        try:
            response = super().get(request)
        except SignInError as exc:
            auth.logout(request)
            return failure(request, exc.reason, exc.detail)
        if not request.user.is_authenticated:
            return failure(request, "rejected")
        return response


def provider_logout_url(request) -> str:
    """Where the browser goes after Värn's own logout so that the provider's
    session ends too (RP-initiated logout), or "" when there is nowhere."""
    if not config.enabled() or request.session.get(auth.BACKEND_SESSION_KEY) != BACKEND_PATH:
        return ""
    try:
        end_session = config.endpoint("end_session_endpoint", required=False)
    except config.ProviderUnavailable:
        return ""
    if not end_session:
        return ""
    params = {"client_id": settings.OIDC_RP_CLIENT_ID,
              "post_logout_redirect_uri": request.build_absolute_uri(reverse("login"))}
    if request.session.get("oidc_id_token"):
        params["id_token_hint"] = request.session["oidc_id_token"]
    return f"{end_session}{'&' if '?' in end_session else '?'}{urlencode(params)}"
