from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    """Handling cases: the inbox, the case page, workflow, checklist, actions
    and the reminders that keep cases moving."""

    name = "casework"
    verbose_name = _("Ärendehantering")
