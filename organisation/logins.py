"""What Värn stores about a login: the day, not the time.

Django's own receiver (update_last_login) writes the exact moment of every
login into the user row. Replaced by record_login_day: `last_login` is the
login's local day at midnight, written only when the day changes, so it
cannot be set against the hour of an anonymous report (docs/disclosure.md,
"Anonymous reports"). The admin still sees on which day someone last logged in.
"""
from django.utils import timezone


def login_day(moment=None):
    local = timezone.localtime(moment or timezone.now())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def record_login_day(sender, user, **kwargs):
    day = login_day()
    if user.last_login != day:
        user.last_login = day
        user.save(update_fields=["last_login"])
