from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = _("Kunskapsbank")

    def ready(self):
        from knowledge.models import Article
        from organisation import catalogue

        # The report form keeps its help links rendered (organisation.catalogue).
        catalogue.bump_on(Article)
