"""Every rate limit of Värn, and the helpers that apply them.

The rates themselves are settings (environment variables, see README.md);
this module names each limit once, says what it counts and what it is keyed
on, and applies it through django-ratelimit's public `get_usage`.

Keys are keyed hashes (HMAC with SECRET_KEY) of the client's address or of
the typed user name. They exist only inside cache keys, never in the
database, the logs or a report: anonymous reporting promises that no IP
address is stored.

The limits of the paths that work without logging in (the anonymous report
form and the follow-up with a receipt code) are counted in this process's
memory only, never in the shared cache (which is a database table unless
REDIS_URL is set), and their keys are also salted with a random value that
this process draws each day and never writes anywhere: someone who later
holds the database, a backup or SECRET_KEY cannot confirm that a guessed
address used them. The cost: each worker process counts on its own, so with
N workers an address may reach up to N times the rate, and a restart
forgets the counts (docs/disclosure.md, "Anonymous reports").

The client's address is REMOTE_ADDR unless Värn runs behind reverse proxies
and TRUSTED_PROXY_HEADER says which header they set (see `client_ip`).
"""
import ipaddress
import math
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Callable

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
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


# --- the anonymous path: counted in memory, salted daily ---------------------------

# This process's counters of the anonymous path; never the shared cache.
MEMORY = LocMemCache("varn-anonymous-ratelimits", {"MAX_ENTRIES": 100_000, "CULL_FREQUENCY": 3})
_salt_lock = threading.Lock()
_salt: tuple = (None, b"")


def daily_salt() -> bytes:
    """A random salt for today (local date), drawn by this process when first
    needed and replaced the next day; held only in this variable."""
    global _salt
    today = timezone.localdate()
    with _salt_lock:
        if _salt[0] != today:
            _salt = (today, secrets.token_bytes(32))
        return _salt[1]


def reset_memory() -> None:
    """Forget every in-memory count (tests; a new day's salt makes old keys unreachable anyway)."""
    MEMORY.clear()


def _parse_rate(rate: str) -> tuple[int, int]:
    count, period = rate.split("/")
    unit = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[-1].lower()]
    return int(count), int(period[:-1] or 1) * unit


def _memory_usage(request, group: str, rate: str, key: Callable, increment: bool):
    """The same answer as django-ratelimit's get_usage, for a fixed window
    counted in MEMORY under a key salted with today's salt."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return None
    limit, period = _parse_rate(rate)
    now = int(time.time())
    window_end = now - now % period + period
    digest = salted_hmac("varn.ratelimits.memory", f"{group}:{key(group, request)}:{window_end}",
                         secret=daily_salt() + settings.SECRET_KEY.encode(), algorithm="sha256").hexdigest()
    if increment:
        if MEMORY.add(digest, 1, window_end - now + 1):
            count = 1
        else:
            try:
                count = MEMORY.incr(digest)
            except ValueError:  # expired between add and incr
                MEMORY.add(digest, 1, window_end - now + 1)
                count = 1
    else:
        count = MEMORY.get(digest, 0)
    return {"count": count, "limit": limit, "should_limit": count > limit,
            "time_left": window_end - now}


def counted_in_memory(request, group: str, rate: str, key: Callable = ip_key) -> bool:
    """Count this request in memory (daily salt, never a store) and say
    whether it is over `rate`: for limits on the way to an anonymous report
    that are not named below, e.g. the form's recipients preview."""
    used = _memory_usage(request, group, rate, key, increment=True)
    return used is not None and used["should_limit"]


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
    # Counted only in this process's memory with a daily salt (the anonymous path).
    memory: bool = False

    @property
    def rate(self) -> str:
        return getattr(settings, self.setting)

    def usage(self, request, increment=False):
        if self.memory:
            return _memory_usage(request, self.group, self.rate, self.key, increment)
        return usage(request, self.group, self.rate, self.key, increment=increment)

    def reached(self, request) -> bool:
        used = self.usage(request)
        return used is not None and (used["should_limit"] or used["count"] >= used["limit"])

    def count(self, request) -> None:
        self.usage(request, increment=True)

    def seconds_left(self, request) -> int | None:
        used = self.usage(request)
        if used is None or used["time_left"] < 0:
            return None
        return max(used["time_left"], 1)


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
# public address, so the submission limit is generous. Counted in memory only
# (see the module's docstring): no trace of who used them reaches a store.
ANONYMOUS_REPORTS = Limit("report-anonymous", "ANONYMOUS_REPORT_RATE", ip_key, memory=True)
# Every follow-up attempt counts towards a generous limit; wrong receipt codes
# towards a strict one (guessing a code).
FOLLOWUP_ATTEMPTS = Limit("followup", "FOLLOWUP_RATE", ip_key, memory=True)
FOLLOWUP_FAILURES = Limit("followup-failures", "FOLLOWUP_FAILURE_RATE", ip_key, memory=True)

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
