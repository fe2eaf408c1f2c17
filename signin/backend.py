"""The OpenID Connect login (authorization code flow with PKCE) through
mozilla-django-oidc, with what Värn adds to it:

- endpoints from the provider's discovery document (signin.config), read
  when needed, so that nothing reaches the network while the provider is
  not in use (a password login, a start-up);
- the ID token checked in full: signature against the provider's keys, the
  algorithm, issuer, audience, expiry and nonce (the library checks only
  the signature and the nonce);
- the person matched and kept up to date by signin.identity;
- a deactivated account never signed in, and an existing session of one
  ended at its next request (get_user).

Every refusal is a SignInError with a reason; the callback view shows it."""
import logging

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from signin import config
from signin.errors import SignInError
from signin.identity import sign_in

LOGGER = logging.getLogger(__name__)
LEEWAY_SECONDS = 60


class OIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        # The library reads every setting here and would fail without them;
        # this backend is also asked about each password login.
        self.UserModel = get_user_model()

    OIDC_RP_IDP_SIGN_KEY = None

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self):
        return config.endpoint("token_endpoint")

    @property
    def OIDC_OP_USER_ENDPOINT(self):
        return config.endpoint("userinfo_endpoint", required=False)

    @property
    def OIDC_OP_JWKS_ENDPOINT(self):
        return config.endpoint("jwks_uri")

    @property
    def OIDC_RP_CLIENT_ID(self):
        return settings.OIDC_RP_CLIENT_ID

    @property
    def OIDC_RP_CLIENT_SECRET(self):
        return settings.OIDC_RP_CLIENT_SECRET

    @property
    def OIDC_RP_SIGN_ALGO(self):
        return settings.OIDC_RP_SIGN_ALGO

    def authenticate(self, request, **kwargs):
        if request is None or not config.enabled() or "username" in kwargs:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except config.ProviderUnavailable:
            raise SignInError("provider_down") from None
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else 0
            # The response body is not logged: it is the provider's to word.
            LOGGER.warning("signin: the provider answered %s to a token or userinfo request", status)
            raise SignInError("provider_down" if status >= 500 or not status else "rejected") from None
        except (requests.RequestException, ValueError) as exc:
            LOGGER.warning("signin: the provider could not be reached (%s)", type(exc).__name__)
            raise SignInError("provider_down") from None

    def verify_token(self, token, **kwargs):
        """The ID token's signature, algorithm, issuer, audience, expiry and nonce."""
        if not token:
            raise SignInError("token", "signature")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise SignInError("token", "signature") from None
        algorithm = self.OIDC_RP_SIGN_ALGO
        if header.get("alg") != algorithm:
            raise SignInError("token", "signature")
        if algorithm.startswith("HS"):
            key = self.OIDC_RP_CLIENT_SECRET
        else:
            try:
                key = self.retrieve_matching_jwk(token)
            except (SuspiciousOperation, KeyError, jwt.InvalidKeyError, jwt.PyJWKError):
                raise SignInError("token", "signature") from None
        try:
            payload = jwt.decode(
                token, key, algorithms=[algorithm], audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_ISSUER, leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]})
        except jwt.ExpiredSignatureError:
            raise SignInError("token", "expired") from None
        except jwt.InvalidIssuerError:
            raise SignInError("token", "issuer") from None
        except jwt.InvalidAudienceError:
            raise SignInError("token", "audience") from None
        except jwt.MissingRequiredClaimError as exc:
            raise SignInError("missing_claim", exc.claim) from None
        except jwt.InvalidTokenError:
            raise SignInError("token", "signature") from None
        if "nonce" in kwargs and payload.get("nonce") != kwargs["nonce"]:
            raise SignInError("token", "nonce")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, completed by the userinfo endpoint where the
        provider has one (its subject must be the token's)."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            info = super().get_userinfo(access_token, id_token, payload)
            if str(info.get("sub", "")) != str(payload.get("sub")):
                raise SignInError("token", "userinfo")
            claims.update(info)
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        return sign_in(self.get_userinfo(access_token, id_token, payload))

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None
