"""Seed the action plans of the demo: the city's plan from Värn's template,
approved early last year; Skärholmen's plan in two approved versions (the
second after this year's review, with a changed follow-up) and a draft of the
next one that the security coordinator is working on.

    manage.py seed_plans

Idempotent: a node that already has a plan is left alone. Uses the domain
functions (governance.plan), so every step is audited; the approval dates
are then set back to when the demo says they happened.
"""
from datetime import datetime, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from governance import plan
from governance.models import ActionPlan, PlanVersion
from incidents.models import ChecklistItem
from organisation.models import OrgUnit, Role, User

Code = ChecklistItem.Code


def _holder(node, role):
    return (User.objects.filter(is_active=True, assignments__node=node, assignments__role=role,
                                assignments__active=True).order_by("pk").first())


def _backdate(version, when):
    PlanVersion.objects.filter(pk=version.pk).update(approved_at=when)


def _at(year, month, day):
    return timezone.make_aware(datetime(year, month, day, 10, 0))


class Command(BaseCommand):
    help = "Skapar demons handlingsplaner: stadens och Skärholmens (idempotent)."

    def handle(self, *args, **options):
        now = timezone.now()
        year = timezone.localdate().year
        city = OrgUnit.objects.filter(kind=OrgUnit.Kind.CITY).first()
        district = OrgUnit.objects.filter(code="SKARHOLMEN").first()
        made = []
        with transaction.atomic():
            city_hr = _holder(city, Role.HR) if city else None
            if city and city_hr and not ActionPlan.objects.filter(node=city).exists():
                draft = plan.start_draft(city_hr, city)
                version = plan.approve(city_hr, draft.pk, revision=draft.revision,
                                       decision="Stadens mall för handlingsplan mot otillåten påverkan fastställd "
                                                "av HR-direktören.")
                _backdate(version, min(_at(year - 1, 2, 1), now - timedelta(days=2)))
                made.append(str(city))
            hr, security = (_holder(district, Role.HR), _holder(district, Role.SECURITY_COORDINATOR)) \
                if district else (None, None)
            if district and hr and not ActionPlan.objects.filter(node=district).exists():
                self._district(district, hr, security or hr, year, now)
                made.append(str(district))
        self.stdout.write(f"Handlingsplaner: {', '.join(made) if made else 'fanns redan'}.")

    def _district(self, district, hr, security, year, now):
        v1 = plan.start_draft(hr, district)  # from the city's plan in force
        plan.update_header(hr, v1.pk, revision=v1.revision, title="Handlingsplan mot otillåten påverkan – Skärholmen",
                           introduction=v1.introduction + " Planen gäller alla enheter i Skärholmens "
                           "stadsdelsförvaltning och tas fram tillsammans med säkerhetssamordnaren och "
                           "huvudskyddsombudet.")
        v1.refresh_from_db()
        v1 = plan.approve(hr, v1.pk, revision=v1.revision,
                          decision="HR-chefen fastställer förvaltningens handlingsplan efter samverkan med "
                                   "huvudskyddsombudet.")
        _backdate(v1, min(_at(year - 1, 3, 15), now - timedelta(days=1, hours=12)))

        # This year's review: a call the day after, and risk assessment of home visits first.
        v2 = plan.start_draft(hr, district)
        plan.add_measure(hr, v2.pk, revision=v2.revision, values={
            "section": "after", "position": 2, "owner_role": Role.MANAGER, "article": None,
            "checklist_code": "", "operation_areas": [],
            "text": "Ring upp medarbetaren dagen efter händelsen och stäm av hur hen mår och om stödet räcker."})
        v2.refresh_from_db()
        before = v2.measures.filter(section="before").order_by("position").first()
        plan.update_measure(hr, before.pk, revision=v2.revision, values={
            "section": "before", "position": before.position, "owner_role": before.owner_role,
            "article": before.article, "checklist_code": "", "operation_areas": [],
            "text": before.text + " Hembesök i ärenden med känd hotbild görs alltid två och två."})
        v2.refresh_from_db()
        v2 = plan.approve(hr, v2.pk, revision=v2.revision,
                          decision="Årlig översyn genomförd. Planen revideras: uppringning dagen efter en "
                                   "händelse och hembesök två och två i ärenden med känd hotbild.")
        _backdate(v2, min(_at(year, 2, 20), now - timedelta(days=1)))

        # Next version, being drafted by the security coordinator.
        v3 = plan.start_draft(security, district)
        plan.add_measure(security, v3.pk, revision=v3.revision, values={
            "section": "before", "position": 9, "owner_role": Role.SECURITY_COORDINATOR, "article": None,
            "checklist_code": "", "operation_areas": [],
            "text": "Gå igenom den lokala lägesbilden med lokalpolisområdet varje tertial enligt "
                    "samverkansöverenskommelsen."})
