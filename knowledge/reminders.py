"""Review reminders: when an article's next-review date has come, its owner
gets one e-mail (title and link only) per due date. Articles that have no
owner (a new installation's seeded articles) are not forgotten: the
administrators get one e-mail listing them, so that someone takes them on.

due_review_reminders(today)  articles whose review is due and not yet reminded
send_due(now)                send those e-mails, record them, return the count

Idempotent: a ReminderSent row per (article, due date) is written in the same
transaction as the send, so running the job twice sends nothing twice. Moving
the next-review date gives a new due date and so a new reminder later.
"""
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from knowledge.models import Article, ReminderSent
from organisation.models import Role, User

logger = logging.getLogger(__name__)


def due_review_reminders(today):
    """Articles whose next_review is today or earlier, with an active owner who
    has an e-mail address, and no reminder sent yet for that due date."""
    return (
        Article.objects.filter(next_review__lte=today, owner__isnull=False, owner__is_active=True)
        .exclude(owner__email="")
        .exclude(reminders__due_date=F("next_review"))
        .select_related("owner")
        .order_by("next_review", "pk")
    )


def _message(article) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        url = settings.BASE_URL.rstrip("/") + article.get_absolute_url()
        subject = _("Dags att se över artikeln ”%(title)s”") % {"title": article.title}
        body = _("Artikeln ”%(title)s” i Värns kunskapsbank ska ses över.\n\n%(url)s\n") % {
            "title": article.title, "url": url}
    return subject, body


def unowned_due(today):
    """Articles whose review is due and whose owner cannot be reached (none,
    deactivated or without an e-mail address), not yet reminded."""
    return (
        Article.objects.filter(next_review__lte=today)
        .exclude(owner__is_active=True, owner__email__gt="")
        .exclude(reminders__due_date=F("next_review"))
        .order_by("next_review", "title")
    )


def _send_unowned(today, now) -> int:
    articles = list(unowned_due(today))
    admins = list(User.objects.filter(is_active=True, assignments__active=True, assignments__role=Role.ADMIN)
                  .exclude(email="").distinct().order_by("pk"))
    if not articles or not admins:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        base = settings.BASE_URL.rstrip("/")
        subject = _("%(n)s artiklar i kunskapsbanken ska ses över och saknar ansvarig") % {"n": len(articles)}
        body = "\n".join(
            [_("De här artiklarna i Värns kunskapsbank ska ses över men har ingen ansvarig. "
               "Ge dem en ansvarig, eller se över dem själv:"), ""]
            + [f"- {a.title}\n  {base}{a.get_absolute_url()}" for a in articles])
    try:
        with transaction.atomic():
            for article in articles:
                ReminderSent.objects.create(article=article, due_date=article.next_review,
                                            recipient=admins[0], sent_at=now)
            for admin in admins:  # one e-mail each: recipients never see each other
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [admin.email])
    except IntegrityError:
        return 0  # another run sent it a moment ago
    except OSError:
        logger.exception("Review reminder for articles without an owner could not be sent")
        return 0
    return len(admins)


def send_due(now=None) -> int:
    """Send every due reminder; return how many e-mails went out."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    for article in due_review_reminders(today):
        subject, body = _message(article)
        try:
            with transaction.atomic():
                ReminderSent.objects.create(article=article, due_date=article.next_review,
                                            recipient=article.owner, sent_at=now)
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [article.owner.email])
        except IntegrityError:
            continue  # another run sent this one a moment ago
        except OSError:
            # Mail server down: the row was rolled back, so the next run retries.
            logger.exception("Review reminder for article %s could not be sent", article.pk)
            continue
        sent += 1
    return sent + _send_unowned(today, now)
