from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CycleConfig(AppConfig):
    name = "cycle"
    verbose_name = _("Årshjul")
