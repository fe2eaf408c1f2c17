"""Reminders, sent exactly once, for every app.

Each app that reminds people has a module with `due_reminders(now)`, which
returns the reminders that are due now as `Due` items (SOURCES lists them).
`deliver` claims each one by its key (SentReminder), sends it, and releases
the claim when the mail server did not take it, so the next run tries again.
Running the timer twice, or every five minutes, never sends anything twice.

The digest rule lives here, once: a person gets at most DIGEST_AFTER separate
reminders a day; beyond that, what a run finds comes as one digest instead
of a flood. Items with the same `bundle` always go to a person as one
e-mail (e.g. every article without an owner, to an administrator).
"""
from collections import Counter, defaultdict
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.mail import absolute, send_notice
from notifications.models import SentReminder

DIGEST_AFTER = 3
# The apps that remind, in the order their reminders are collected.
SOURCES = {
    "cases": "casework.reminders",
    "support": "support.reminders",
    "protection": "protection.reminders",
    "knowledge": "knowledge.reminders",
    "cycle": "cycle.reminders",
    "retention": "retention.reminders",
    "police": "police.reminders",
}


@dataclass
class Due:
    key: str            # what the reminder is about and to whom; sent once per key
    user: object
    subject: str
    line: str           # one sentence, without case content
    path: str           # where in Värn to act
    about_a_case: bool = True
    bundle: str = ""    # items with the same bundle go to a person as one e-mail
    bundle_subject: str = ""
    bundle_intro: str = ""
    source: str = ""    # set by send_all, for the counts per app


def claim(key: str, recipient: str, now) -> bool:
    """Reserve a reminder key; False if it was already sent."""
    try:
        with transaction.atomic():
            SentReminder.objects.create(key=key, recipient=recipient, sent_at=now)
        return True
    except IntegrityError:
        return False


def release(items) -> None:
    """Forget claims whose e-mail did not go out, so the next run retries."""
    SentReminder.objects.filter(key__in=[i.key for i in items]).delete()


def _listing(intro: str, items) -> str:
    return "\n".join([intro, ""] + [f"- {i.line}\n  {absolute(i.path)}" for i in items])


def _send_bundle(user, items) -> int:
    first = items[0]
    subject = first.bundle_subject % {"n": len(items)} if "%(n)" in first.bundle_subject else first.bundle_subject
    text = _listing(first.bundle_intro, items)
    return send_notice([user], subject, text, "", about_a_case=first.about_a_case)


def _send_digest(user, items) -> int:
    text = _listing(_("Du har %(n)s saker i Värn som behöver din uppmärksamhet:") % {"n": len(items)}, items)
    return send_notice([user], _("Värn: sammanställning av det som väntar på dig"), text,
                       reverse("casework:list"), about_a_case=any(i.about_a_case for i in items))


def deliver(due: list[Due], now=None) -> Counter:
    """Send every due reminder not sent before. Returns e-mails sent per source.

    Side effects: a SentReminder row per reminder that went out (claimed
    before sending, released if the mail server refused it); e-mails."""
    now = now or timezone.now()
    sent: Counter = Counter()
    with translation.override(settings.LANGUAGE_CODE):
        pending = [d for d in due if d.user.is_active and d.user.email]
        already = set(SentReminder.objects.filter(key__in=[d.key for d in pending]).values_list("key", flat=True))
        by_user = defaultdict(list)
        for item in pending:
            if item.key not in already:
                by_user[item.user].append(item)
        day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        earlier_today = Counter(SentReminder.objects.filter(
            recipient__in=[u.email for u in by_user], sent_at__gte=day_start, sent_at__lt=now,
        ).values_list("recipient", flat=True))
        for user, items in by_user.items():
            items = [i for i in items if claim(i.key, user.email, now)]
            bundles = defaultdict(list)
            singles = []
            for item in items:
                (bundles[item.bundle] if item.bundle else singles).append(item)
            for group in bundles.values():
                if _send_bundle(user, group):
                    sent[group[0].source] += 1
                else:
                    release(group)
            if not singles:
                continue
            if earlier_today[user.email] + len(singles) > DIGEST_AFTER:
                if _send_digest(user, singles):
                    sent[singles[0].source] += 1
                else:
                    release(singles)
                continue
            failed = []
            for item in singles:
                if send_notice([user], item.subject, item.line, item.path, about_a_case=item.about_a_case):
                    sent[item.source] += 1
                else:
                    failed.append(item)
            release(failed)
    return sent


def collect(now, sources=None) -> list[Due]:
    """Every app's due reminders, each marked with its source."""
    due = []
    for name, module in (sources or SOURCES).items():
        for item in import_module(module).due_reminders(now):
            item.source = name
            due.append(item)
    return due


def send_all(now=None) -> dict[str, int]:
    """Every kind of reminder in Värn, for the timer: e-mails sent per app."""
    now = now or timezone.now()
    sent = deliver(collect(now), now)
    return {name: sent.get(name, 0) for name in SOURCES}


def send_from(name: str, now=None) -> int:
    """One app's reminders only (its own command, and its tests)."""
    now = now or timezone.now()
    return sum(deliver(collect(now, {name: SOURCES[name]}), now).values())
