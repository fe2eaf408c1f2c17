from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "organisation"
    verbose_name = _("Organisation och personer")

    def ready(self):
        from django.contrib.auth import signals
        from django.contrib.auth.models import update_last_login

        from organisation.logins import record_login_day

        # last_login holds the day only: an exact login time could seat an
        # anonymous report beside its reporter (docs/disclosure.md).
        signals.user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        signals.user_logged_in.connect(record_login_day, dispatch_uid="varn_login_day")

        from organisation import catalogue

        catalogue.connect_taxonomies()
        catalogue.connect_organisation()
