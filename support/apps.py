from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    """Support to the exposed employee (AFS 2023:2): the support track of a
    case, its first support conversation and check-ins, the support offered
    and accepted, and the reminders that keep it on time."""

    name = "support"
    verbose_name = _("Stöd till medarbetaren")

    def ready(self):
        from incidents import texts
        from support.models import SupportAnswer, SupportOffer, SupportStep, SupportTrack

        # Gallring removes these with the case's own free texts (retention.thinning).
        texts.register(SupportTrack, "incident_id", ["end_reason"])
        texts.register(SupportStep, "track__incident_id", ["note"])
        texts.register(SupportOffer, "track__incident_id", ["note"])
        texts.register(SupportAnswer, "incident_id", ["comment"])
