from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Filing a report and following it as its reporter: the form, drafts,
    receipts, attachments and the thread (anonymous by receipt code)."""

    name = "reporting"
    verbose_name = _("Rapportering")
