from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Styrning"

    def ready(self):
        # The case checklist (incidents.checklist) asks the approved action
        # plan which follow-up steps a new case gets; incidents cannot import
        # this app (the layer rule), so the plan registers itself there.
        from governance import plan
        from incidents import checklist

        checklist.use_plan(plan.checklist_steps)

        # The plan's checklist steps are kept under the catalogue's stamp.
        from governance.models import Measure, PlanVersion
        from organisation import catalogue

        catalogue.bump_on(PlanVersion, Measure, Measure.operation_areas.through)
