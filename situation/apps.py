from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SituationConfig(AppConfig):
    name = "situation"
    verbose_name = _("Lägesbild")

    def ready(self):
        # The running totals follow every write of an incident (situation.rollups).
        from situation import rollups

        rollups.connect()
