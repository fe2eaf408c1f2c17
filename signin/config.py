"""The identity provider's configuration: settings from the environment, and
the endpoints read from its discovery document.

The discovery document is fetched when first needed (not at start-up, so
that Värn and its break-glass login start while the provider is down) and
kept for DISCOVERY_SECONDS."""
import logging
import time
from urllib.parse import urlsplit

import requests
from django.conf import settings

from organisation.models import OrgUnit

LOGGER = logging.getLogger(__name__)
DISCOVERY_SECONDS = 3600
_discovered: dict[str, tuple[float, dict]] = {}


class ProviderUnavailable(Exception):
    """The provider did not answer, or answered with something unusable."""


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_ENABLED", False))


def discovery_url() -> str:
    return settings.OIDC_DISCOVERY_URL or settings.OIDC_ISSUER.rstrip("/") + "/.well-known/openid-configuration"


def document() -> dict:
    url = discovery_url()
    now = time.monotonic()
    cached = _discovered.get(url)
    if cached and now - cached[0] < DISCOVERY_SECONDS:
        return cached[1]
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT, verify=settings.OIDC_VERIFY_SSL)
        response.raise_for_status()
        doc = response.json()
    except (requests.RequestException, ValueError) as exc:
        # The exception's class only: a message could carry a URL with parameters.
        LOGGER.warning("signin: discovery document not reachable (%s)", type(exc).__name__)
        raise ProviderUnavailable from None
    if not isinstance(doc, dict) or "authorization_endpoint" not in doc or "token_endpoint" not in doc:
        LOGGER.warning("signin: the discovery document lacks the authorization or token endpoint")
        raise ProviderUnavailable
    _discovered[url] = (now, doc)
    return doc


def endpoint(name: str, required: bool = True) -> str | None:
    value = document().get(name)
    if required and not value:
        LOGGER.warning("signin: the discovery document has no %s", name)
        raise ProviderUnavailable
    return value


def forget():
    """Drop the cached discovery documents (a changed provider, tests)."""
    _discovered.clear()


def claim_name(key: str) -> str:
    return settings.OIDC_CLAIMS.get(key, "")


def provider_name() -> str:
    """The organisation named on the sign-in button: the setting, else the
    root of the organisation tree."""
    if settings.OIDC_PROVIDER_NAME:
        return settings.OIDC_PROVIDER_NAME
    root = OrgUnit.objects.filter(parent__isnull=True, active=True).order_by("pk").first()
    return root.name if root else ""


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
