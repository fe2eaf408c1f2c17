"""Seed the annual cycle: the standard duties of every district administration
and the city, with owners from role assignments, and their occurrences.

    manage.py seed_cycle                       standard duties from today on
    manage.py seed_cycle --since 2025-01-01    ... with occurrences back to that day
    manage.py seed_cycle --since 2025-01-01 --demo
                                               ... and demo history: most past
                                               occurrences done, training sessions

Idempotent: running it again creates nothing that exists. The demo seed calls
it with call_command("seed_cycle", since=..., demo=True).
"""
import random
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cycle import permissions, services
from cycle.models import Duty, DutyOccurrence, TrainingSession
from organisation.models import OrgUnit

DEMO_NOTES = {
    Duty.Kind.ACTION_PLAN_REVIEW: "Handlingsplanen genomgången med HR, säkerhetssamordnare och huvudskyddsombud. "
                                  "Kontaktlistan och stödet efter en händelse uppdaterade.",
    Duty.Kind.COMMITTEE_REREPORTING: "Återrapporterat till nämnden som informationsärende, med lägesbilden som bilaga.",
    Duty.Kind.RISK_ANALYSIS_INPUT: "Underlag lämnat till ekonomi- och kvalitetsenheten för risk- och "
                                   "väsentlighetsanalysen.",
    Duty.Kind.TRAINING: "Genomfört. Deltagarna finns i utbildningsloggen.",
    Duty.Kind.PREVALENCE_SURVEY: "Exponeringsenkäten skickad till förvaltningens medarbetare; resultatet under Enkäter.",
    Duty.Kind.EXIT_SURVEY_REVIEW: "Avgångsenkätens svar genomgångna med HR, skyddsombud och chefer.",
}
# A few past occurrences stay open so the demo shows what "overdue" looks like.
DEMO_DONE_SHARE = 0.85


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since: {value!r} är inte ett datum (ÅÅÅÅ-MM-DD).") from None


class Command(BaseCommand):
    help = "Skapar årshjulets standarduppgifter för varje förvaltning och staden (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="år att skapa tillfällen för (standard: i år)")
        parser.add_argument("--since", type=_date, help="nya uppgifter gäller från detta datum (ÅÅÅÅ-MM-DD)")
        parser.add_argument("--demo", action="store_true", help="fyll i demohistorik och utbildningar")
        parser.add_argument("--seed", type=int, default=2026, help="slumpfrö för demohistoriken")

    def handle(self, *args, year=None, since=None, demo=False, seed=2026, **options):
        today = timezone.localdate()
        year = year or today.year
        if isinstance(since, str):  # call_command(since="2025-01-01") skips argparse
            since = _date(since)
        with transaction.atomic():
            created = services.ensure_standard_duties(year, starts_on=since)
            first = min(since.year if since else year, year)
            generated = services.ensure_occurrences(Duty.objects.filter(active=True),
                                                    list(range(first, max(year, today.year) + 2)))
            done = sessions = 0
            if demo:
                done = self._demo_history(today, seed)
                sessions = self._demo_training(today, since or date(today.year, 1, 1), seed)
        self.stdout.write(f"cycle: {created} uppgifter, {generated} tillfällen skapade"
                          + (f", {done} markerade klara, {sessions} utbildningstillfällen" if demo else ""))

    def _demo_history(self, today: date, seed: int) -> int:
        done = 0
        past = (DutyOccurrence.objects.filter(status=DutyOccurrence.Status.OPEN, due_date__lt=today)
                .exclude(duty__standard_key="").select_related("duty__node", "duty__owner"))
        for occ in past:
            rng = random.Random(f"{seed}-{occ.duty.node.code}-{occ.duty.standard_key}-{occ.period_start}")
            if rng.random() > DEMO_DONE_SHARE or occ.duty.owner is None or not occ.duty.owner.is_active:
                continue
            services.mark_done(occ.duty.owner, occ, done_at=occ.due_date - timedelta(days=rng.randint(0, 12)),
                               result_note=DEMO_NOTES[occ.duty.kind])
            done += 1
        return done

    def _demo_training(self, today: date, since: date, seed: int) -> int:
        created = 0
        for admin in OrgUnit.objects.filter(kind=OrgUnit.Kind.ADMINISTRATION, active=True):
            if TrainingSession.objects.filter(unit__path__startswith=admin.path).exists():
                continue
            rng = random.Random(f"{seed}-{admin.code}-training")
            units = list(OrgUnit.objects.subtree_of(admin).filter(kind=OrgUnit.Kind.UNIT, active=True))
            owner = admin.cycle_duties.filter(kind=Duty.Kind.TRAINING).exclude(owner=None).first()
            # The training duty's owner logs the sessions if they may; otherwise the system does.
            actor = owner.owner if owner and permissions.can_edit_node(owner.owner, admin) else None
            for year in range(since.year, today.year + 1):
                for unit in units:
                    if rng.random() < 0.7:  # most units get an APT visit each year
                        day = date(year, rng.randint(1, 11), rng.randint(1, 28))
                        if since <= day <= today:
                            created += self._session(actor, unit, day, TrainingSession.Kind.APT,
                                                     rng.randint(6, 24))
                    for month, last in ((3, 31), (10, 31)):  # lärstudio spring and autumn
                        day = date(year, month, last)
                        if rng.random() < 0.35 and since <= day <= today:
                            created += self._session(actor, unit, day, TrainingSession.Kind.LARSTUDIO,
                                                     rng.randint(2, 8))
        return created

    def _session(self, actor, unit, day, kind, participants) -> int:
        services.create_training(actor, TrainingSession(
            unit=unit, date=day, kind=kind, participants=participants,
            note="Handlingsplanen och hur händelser rapporteras i Värn." if kind == TrainingSession.Kind.APT
            else "Fallövningar: hot i telefon och gåvor från utförare."))
        return 1
