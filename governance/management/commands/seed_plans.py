"""Seed the governance instruments of the demo: the city's action plan from
Värn's template, approved early last year; Skärholmen's plan in two approved
versions (the second after this year's review, with a changed follow-up) and
a draft of the next one that the security coordinator is working on;
Skärholmen's risk register for this year with assessed risks, evidence and
actions; and its tertial report for the last whole tertial, approved.

    manage.py seed_plans

Idempotent: a node that already has a plan is left alone. Uses the domain
functions (governance.plan), so every step is audited; the approval dates
are then set back to when the demo says they happened.
"""
from datetime import datetime, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from governance import plan, risks, tertial
from governance.models import ActionPlan, PlanVersion, RiskRegister, TertialReport
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
            if district and hr and not RiskRegister.objects.filter(node=district).exists():
                self._risks(district, hr, year)
                made.append(f"riskregister {year}")
            previous = self._last_whole_tertial(timezone.localdate())
            if district and hr and previous and not TertialReport.objects.filter(node=district).exists():
                self._tertial(district, hr, *previous)
                made.append(f"tertialrapport T{previous[1]} {previous[0]}")
        self.stdout.write(f"Styrning: {', '.join(made) if made else 'fanns redan'}.")

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

    ASSESSMENTS = {
        "hot_hembesok": (3, 4, "act", "Hot vid hembesök rapporteras varje tertial, flest inom ekonomiskt bistånd "
                         "och barn och unga. En händelse kan ge allvarlig skada.",
                         "Hembesök två och två i ärenden med känd hotbild; personlarm finns på två av sex enheter."),
        "korruption_utforare": (2, 4, "control", "Få rapporter, men varje försök är allvarligt och kan leda till "
                                "felaktiga beslut och mutbrott.", "Jävsrutin och gåvopolicy; attest i två led."),
        "fortroendevalda": (2, 3, "accept", "Enstaka rapporter; kontakterna går via förvaltningsledningen.",
                            "Rutin för kontakter med förtroendevalda i enskilda ärenden."),
        "underrapportering": (4, 3, "act", "Bara en av fem händelser polisanmäls enligt Vision; andelen "
                              "polisanmälda hot och våld i lägesbilden ligger under målet.",
                              "Värn gör det enkelt att rapportera; APT-besök en gång per år."),
    }

    def _risks(self, district, hr, year):
        register = risks.create_register(hr, district, year)
        today = timezone.localdate()
        owners = risks.owners(register)
        for risk in register.risks.all():
            if risk.standard_key not in self.ASSESSMENTS:
                continue
            likelihood, consequence, decision, reason, controls = self.ASSESSMENTS[risk.standard_key]
            risks.attach_evidence(hr, risk.pk)
            risk.refresh_from_db()
            values = {"title": risk.title, "description": risk.description, "likelihood": likelihood,
                      "consequence": consequence, "reason": reason, "controls": controls, "decision": decision,
                      "decision_note": "Risken bedöms som låg och hanteras inom befintliga rutiner."
                      if decision == "accept" else "",
                      "control_what": "Att gåvopolicyn och jävsrutinen följs vid upphandlade insatser"
                      if decision == "control" else "",
                      "control_how": "Stickprov på tio beslut per tertial" if decision == "control" else "",
                      "control_who": "Kvalitetsenheten" if decision == "control" else "",
                      "control_when": "Varje tertial" if decision == "control" else ""}
            risks.assess(hr, risk.pk, revision=risk.revision, values=values)
            if decision == "act" and owners:
                title = ("Personlarm till alla som gör hembesök" if risk.standard_key == "hot_hembesok"
                         else "Polisanmälan som standard: chefen gör anmälan samma dag om inte medarbetaren avböjer")
                action = risks.add_action(hr, risk.pk, title=title, owner=owners[0],
                                          due_date=today + timedelta(days=75))
                if risk.standard_key == "underrapportering":
                    risks.add_action(hr, risk.pk, title="Lärstudio om att rapportera för alla nya medarbetare",
                                     owner=owners[-1], due_date=today + timedelta(days=30))
                    risks.set_action_status(hr, action.pk, "done")

    @staticmethod
    def _last_whole_tertial(today):
        number = (today.month - 1) // 4 + 1
        return (today.year, number - 1) if number > 1 else (today.year - 1, 3)

    def _tertial(self, district, hr, year, number):
        report = tertial.create_report(hr, district, year, number)
        values = {name: getattr(report, name) for name in tertial.TEXT_FIELDS}
        values.update(reference=f"SKHLM {year}/{80 + number}", analysis=(
            "Rapporterna om hot och våld ligger på ungefär samma nivå som samma tertial i fjol. Flest händelser "
            "rapporteras från ekonomiskt bistånd och barn och unga, oftast vid möten på kontoret och hembesök.\n\n"
            "Andelen hot och våld som polisanmäls behöver öka. Förvaltningen inför polisanmälan som standard och "
            "fortsätter med informationsbesök på enheternas arbetsplatsträffar och lärstudioträffar."))
        tertial.update_report(hr, report.pk, revision=report.revision, values=values)
        report.refresh_from_db()
        tertial.approve(hr, report.pk, revision=report.revision)
