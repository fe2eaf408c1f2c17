"""Review reminders of the knowledge bank: which are due now.

When an article's next-review date has come, its owner gets one e-mail
(title and link only) per due date. Articles that have no reachable owner
(a new installation's seeded articles, an owner who left) are not forgotten:
each administrator gets one e-mail listing them, so that someone takes them on.

notifications.reminders sends these once, by key; a moved review date gives
a new key and so a new reminder later.
"""
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from knowledge.models import Article
from notifications.reminders import Due
from organisation.models import Role, User


def articles_due_for_review(today):
    """Articles whose next_review is today or earlier, with an active owner
    who has an e-mail address."""
    return (
        Article.objects.filter(next_review__lte=today, owner__isnull=False, owner__is_active=True)
        .exclude(owner__email="")
        .select_related("owner")
        .order_by("next_review", "pk")
    )


def unowned_due(today):
    """Articles whose review is due and whose owner cannot be reached (none,
    deactivated or without an e-mail address)."""
    return (
        Article.objects.filter(next_review__lte=today)
        .exclude(owner__is_active=True, owner__email__gt="")
        .order_by("next_review", "title")
    )


def due_reminders(now) -> list[Due]:
    today = timezone.localdate(now)
    due = []
    with translation.override(settings.LANGUAGE_CODE):
        for article in articles_due_for_review(today):
            due.append(Due(
                f"knowledge-review:{article.pk}:{article.next_review}", article.owner,
                _("Dags att se över artikeln ”%(title)s”") % {"title": article.title},
                _("Artikeln ”%(title)s” i Värns kunskapsbank ska ses över.") % {"title": article.title},
                article.get_absolute_url(), about_a_case=False))
        articles = list(unowned_due(today))
        admins = (User.objects.filter(is_active=True, assignments__active=True, assignments__role=Role.ADMIN)
                  .exclude(email="").distinct().order_by("pk")) if articles else []
        for admin in admins:
            for article in articles:
                due.append(Due(
                    f"knowledge-unowned:{article.pk}:{article.next_review}:{admin.pk}", admin,
                    "", article.title, article.get_absolute_url(), about_a_case=False,
                    bundle="knowledge-unowned",
                    bundle_subject=_("%(n)s artiklar i kunskapsbanken ska ses över och saknar ansvarig"),
                    bundle_intro=_("De här artiklarna i Värns kunskapsbank ska ses över men har ingen "
                                   "ansvarig. Ge dem en ansvarig, eller se över dem själv:")))
    return due
