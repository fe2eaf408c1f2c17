"""Every rate limit of Värn, and the helpers that apply them.

The rates themselves are settings (environment variables, see README.md);
this module names each limit once, says what it counts and what it is keyed
on, and applies it through django-ratelimit's public `get_usage`.

Keys are keyed hashes (HMAC with SECRET_KEY) of the client's address or of
the typed user name. They exist only inside cache keys, never in the
database, the logs or a report: anonymous reporting promises that no IP
address is stored.

The client's address is REMOTE_ADDR unless Värn runs behind reverse proxies
and TRUSTED_PROXY_HEADER says which header they set (see `client_ip`).
"""
import ipaddress
import math
from dataclasses import dataclass
from typing import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

# One IPv6 host usually owns a whole /64, so addresses in one /64 share a count.
IPV6_PREFIX = 64


# --- the client's address --------------------------------------------------------

def _parse_ip(value: str) -> str | None:
    """The address in `value`, or None. Accepts what proxies write: a bare
    address, "1.2.3.4:port" and "[v6]:port"."""
    value = value.strip().strip('"')
    if value.startswith("[") and "]" in value:
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # IPv4 with a port; a bare IPv6 has several colons
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The address of the client, as the trusted proxies saw it.

    Without TRUSTED_PROXY_HEADER, REMOTE_ADDR. With it (e.g.
    HTTP_X_FORWARDED_FOR), each of the TRUSTED_PROXY_COUNT proxies appends the
    address it received the connection from, so the client's address is the
    TRUSTED_PROXY_COUNT-th entry from the right. Entries further left were
    written by the client and are never used. A header with too few entries or
    an unreadable entry at that place means the request did not come through
    the proxies as configured: then REMOTE_ADDR counts, which a client cannot
    choose.
    """
    header = settings.TRUSTED_PROXY_HEADER
    if header:
        count = settings.TRUSTED_PROXY_COUNT
        entries = [e for e in (part.strip() for part in request.META.get(header, "").split(",")) if e]
        if len(entries) >= count:
            ip = _parse_ip(entries[-count])
            if ip:
                return ip
    ip = _parse_ip(request.META.get("REMOTE_ADDR") or "")
    if ip is None:
        raise ImproperlyConfigured(
            "The client's address is unknown (REMOTE_ADDR is empty or unreadable). Behind a "
            "reverse proxy, set VARN_TRUSTED_PROXY_HEADER and VARN_TRUSTED_PROXY_COUNT.")
    return ip


def _network(ip: str) -> str:
    address = ipaddress.ip_address(ip)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{ip}/{IPV6_PREFIX}", strict=False).network_address)
    return ip


# --- keys -----------------------------------------------------------------------

def _digest(purpose: str, value: str) -> str:
    return salted_hmac(f"varn.ratelimits.{purpose}", value, algorithm="sha256").hexdigest()


def ip_key(group, request) -> str:
    """Key on the client's address (a whole IPv6 /64), as a keyed hash."""
    return _digest("ip", _network(client_ip(request)))


def typed_username(request) -> str:
    return (request.POST.get("username") or "").strip().lower()


def account_key(group, request) -> str:
    """Key on the user name typed into the login form, as a keyed hash. It
    counts whether or not such an account exists, so a lockout says nothing
    about which user names are real."""
    return _digest("account", typed_username(request))


# --- applying a limit -------------------------------------------------------------

def usage(request, group: str, rate: str, key: Callable = ip_key, *, increment: bool = False):
    return get_usage(request, group=group, key=key, rate=rate, increment=increment)


def limit_reached(request, group: str, rate: str, key: Callable = ip_key) -> bool:
    """Whether `rate` in `group` is used up for this request's key, without
    counting this request (count_attempt does that, e.g. only for failures)."""
    used = usage(request, group, rate, key)
    return used is not None and (used["should_limit"] or used["count"] >= used["limit"])


def count_attempt(request, group: str, rate: str, key: Callable = ip_key) -> None:
    usage(request, group, rate, key, increment=True)


def seconds_left(request, group: str, rate: str, key: Callable = ip_key) -> int | None:
    """Seconds until the current window of the limit ends, or None when unknown
    (rate limiting off, or the cache failed)."""
    used = usage(request, group, rate, key)
    if used is None or used["time_left"] < 0:
        return None
    return max(used["time_left"], 1)


def minutes(seconds: int) -> int:
    """Whole minutes to wait, rounded up: never tell someone to wait 0 minutes."""
    return max(1, math.ceil(seconds / 60))


@dataclass(frozen=True)
class Limit:
    """One named limit: its cache group, the setting that holds its rate
    ("20/h", "10/15m") and what it is keyed on. The rate is read when used,
    so a changed setting (and a test's override) takes effect at once."""
    group: str
    setting: str
    key: Callable = ip_key

    @property
    def rate(self) -> str:
        return getattr(settings, self.setting)

    def reached(self, request) -> bool:
        return limit_reached(request, self.group, self.rate, self.key)

    def count(self, request) -> None:
        count_attempt(request, self.group, self.rate, self.key)

    def seconds_left(self, request) -> int | None:
        return seconds_left(request, self.group, self.rate, self.key)


def wait_for(request, *limits: Limit) -> tuple[bool, int | None]:
    """(blocked, seconds): whether any of `limits` is used up, and how long
    until all of those that are have a new window (None when unknown)."""
    reached = [limit for limit in limits if limit.reached(request)]
    if not reached:
        return False, None
    waits = [limit.seconds_left(request) for limit in reached]
    return True, (None if None in waits else max(waits))


# --- the limits -------------------------------------------------------------------

# Logins count failures only, never successes: a whole office behind one NAT
# address signs in at 08:00. Per account strictly (guessing one password) and
# per address generously (trying many accounts).
LOGIN_FAILURES_PER_ACCOUNT = Limit("login-failures-account", "LOGIN_ACCOUNT_FAILURE_RATE", account_key)
LOGIN_FAILURES_PER_ADDRESS = Limit("login-failures-address", "LOGIN_ADDRESS_FAILURE_RATE", ip_key)

# The paths that work without logging in. A whole workplace may share one
# public address, so the submission limit is generous.
ANONYMOUS_REPORTS = Limit("report-anonymous", "ANONYMOUS_REPORT_RATE", ip_key)
# Every follow-up attempt counts towards a generous limit; wrong receipt codes
# towards a strict one (guessing a code).
FOLLOWUP_ATTEMPTS = Limit("followup", "FOLLOWUP_RATE", ip_key)
FOLLOWUP_FAILURES = Limit("followup-failures", "FOLLOWUP_FAILURE_RATE", ip_key)

ALL_LIMITS = (LOGIN_FAILURES_PER_ACCOUNT, LOGIN_FAILURES_PER_ADDRESS,
              ANONYMOUS_REPORTS, FOLLOWUP_ATTEMPTS, FOLLOWUP_FAILURES)


def rate_limited(request, exception=None, *, wait_seconds=None, message=None,
                 back_url=None, back_label=None):
    """The 429 page: what happened, how many minutes to wait when known, and a
    link back (to the login page unless the caller names another page). Also
    django-ratelimit's RATELIMIT_VIEW for limits applied by decorator."""
    wait = minutes(wait_seconds) if wait_seconds else None
    response = render(request, "errors/429.html", {
        "message": message or _("Du har gjort för många försök på kort tid."),
        "minutes": wait,
        "back_url": back_url or reverse("login"),
        "back_label": back_label or _("Till inloggningen"),
    }, status=429)
    if wait_seconds:
        response["Retry-After"] = str(wait_seconds)
    return response
