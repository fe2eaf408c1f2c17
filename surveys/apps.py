from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Enkäter")

    def ready(self):
        from organisation.people import people_imported
        from surveys.exit import invite_due_leavers

        # An import of the people file invites the leavers of each open exit survey.
        people_imported.connect(invite_due_leavers, dispatch_uid="surveys-exit-invite-leavers")
