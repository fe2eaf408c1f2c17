from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """E-mail from Värn: one way to send a notice, and one way to send a
    reminder exactly once, for every app."""

    name = "notifications"
    verbose_name = _("Aviseringar")
