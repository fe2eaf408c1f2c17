from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtectionConfig(AppConfig):
    """Protective measures for future visits (issue 17): after an event with
    a client or a relative, what the unit does at its next contacts with
    that household, with a review date."""

    name = "protection"
    verbose_name = _("Skyddsåtgärder")

    def ready(self):
        from incidents import texts
        from protection.models import ProtectiveMeasure

        # Gallring removes the measure's free texts with the case's own (retention.thinning).
        texts.register(ProtectiveMeasure, "incident_id", ["note", "end_reason"])
