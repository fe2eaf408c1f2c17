"""An expired or revoked session at the identity provider ends Värn's.

mozilla-django-oidc's SessionRefresh sends a signed-in user's browser back to
the provider without a prompt (prompt=none) once OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS
have passed since the last check; the provider either signs them in again
(and the callback brings their roles up to date) or answers that its session
has ended, and the callback logs them out. Accounts that signed in with a
password (the break-glass login) are not checked."""
from django.conf import settings
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin
from mozilla_django_oidc.middleware import SessionRefresh as LibrarySessionRefresh

from signin import config


class SessionRefresh(LibrarySessionRefresh):
    def __init__(self, get_response):
        # Settings are read per request (below): OIDC may be off.
        MiddlewareMixin.__init__(self, get_response)

    @property
    def exempt_urls(self):
        return {reverse(name) for name in ("oidc_authentication_init", "oidc_authentication_callback",
                                           *settings.OIDC_EXEMPT_URLS)}

    @property
    def exempt_url_patterns(self):
        return set()

    def process_request(self, request):
        if not config.enabled() or not self.is_refreshable_url(request):
            return None
        try:
            self.OIDC_OP_AUTHORIZATION_ENDPOINT = config.endpoint("authorization_endpoint")
        except config.ProviderUnavailable:
            # The provider is down: the session continues until it answers
            # again (or ends at VARN_SESSION_SECONDS).
            return None
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_STATE_SIZE = 32
        self.OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
        self.OIDC_RP_SCOPES = settings.OIDC_RP_SCOPES
        self.OIDC_USE_NONCE = True
        self.OIDC_NONCE_SIZE = 32
        return super().process_request(request)
