"""`manage.py seed_demo`: the demo city (Stockholm's social services) with
people, roles and three years of incidents (and a thin year of cases six
to seven years old, due for gallring); or, with --incidents N, N
incidents generated quickly for benchmarks.

Seeds only an empty database: if an organisation already exists it does
nothing unless --force-incidents (add a history) or --incidents (bench) is given.
The situation picture's running totals are rebuilt after the bulk inserts.
"""
import random
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from demo import builder, data
from organisation.models import OrgUnit
from situation import rollups
from surveys import demo as demo_survey


class Command(BaseCommand):
    help = "Bygger demodata: Stockholms socialtjänst, demokonton och tre års händelser."

    def add_arguments(self, parser):
        parser.add_argument("--incidents", type=int, metavar="N",
                            help="Benchmarkläge: skapa N händelser snabbt (lägger till i befintlig organisation).")
        parser.add_argument("--years", type=float, default=3,
                            help="Antal år bakåt som händelserna sprids över (standard 3).")
        parser.add_argument("--seed", type=int, default=2026, help="Slumpfrö, för samma data varje gång.")
        parser.add_argument("--scale", type=float, default=1.0,
                            help="Skala antalet händelser i demohistoriken (t.ex. 0.1 i tester).")
        parser.add_argument("--force-incidents", action="store_true",
                            help="Lägg till en händelsehistorik även om organisationen redan finns.")
        parser.add_argument("--print-logins", action="store_true",
                            help="Skriv bara ut tabellen med demokonton.")

    def handle(self, *args, incidents=None, years=3, seed=2026, scale=1.0, force_incidents=False,
               print_logins=False, **options):
        if print_logins:
            self.print_logins()
            return
        if incidents is not None and incidents < 0:
            raise CommandError("--incidents måste vara 0 eller större.")
        if not 0 < years <= 50:
            raise CommandError("--years måste vara större än 0 och högst 50.")
        if not 0 < scale <= 100:
            raise CommandError("--scale måste vara större än 0 och högst 100.")
        rng = random.Random(seed)
        now = timezone.now()
        began = time.monotonic()
        org_exists = OrgUnit.objects.exists()

        if incidents is not None:
            if not org_exists:
                with transaction.atomic():
                    base = builder.build_base(rng)
                self.stdout.write(f"Organisation: {base['nodes']} enheter, {base['login']} demokonton, "
                                  f"{base['staff']} medarbetare utan inloggning.")
            if not OrgUnit.objects.filter(kind=OrgUnit.Kind.UNIT, active=True).exists():
                raise CommandError("Det finns inga aktiva enheter att lägga händelser på.")
            self.stdout.write(f"Skapar {incidents:,} händelser över {years:g} år …".replace(",", " "))
            # Rows go in by COPY: the situation picture's totals are rebuilt at the end.
            with rollups.paused():
                result = builder.seed_bench(rng, now, incidents, years, log=self.stdout.write)
            self.stdout.write(self.style.SUCCESS(
                f"Klart: {result['incidents']:,} händelser ({result['from']} – {result['to']}) på "
                f"{result['seconds']:.1f} s.".replace(",", " ")))
            return

        if org_exists and not force_incidents:
            self.stdout.write("Databasen har redan en organisation; inga demodata skapas. "
                              "(Använd --force-incidents för att ändå lägga till händelser.)")
            self.print_logins()
            return
        with transaction.atomic():
            if not org_exists:
                base = builder.build_base(rng)
                self.stdout.write(f"Organisation: {base['nodes']} enheter, {base['login']} demokonton, "
                                  f"{base['staff']} medarbetare utan inloggning.")
            # Bulk inserts: the situation picture's totals are rebuilt at the end.
            with rollups.paused():
                result = builder.seed_history(rng, now, years=years, scale=scale, with_story=not org_exists)
                old = builder.seed_old_cases(rng, now, scale=scale) if not org_exists else None
            if not org_exists:
                # The annual cycle from the start of last year: duties done
                # and a few left overdue, and the training log.
                call_command("seed_cycle", since=f"{timezone.localdate().year - 1}-01-01", demo=True,
                             seed=seed, stdout=self.stdout)
                # Each district's agreement with its local police area, and
                # the demo district's meetings and measures.
                builder.seed_police_cooperation(now)
                # The action plans: the city's and Skärholmen's with its history and a draft.
                call_command("seed_plans", stdout=self.stdout)
                survey = demo_survey.seed(rng, timezone.localdate())
                if survey:
                    self.stdout.write(f"Enkät: {survey.title}, {survey.answers.count()} svar av "
                                      f"{survey.invited} inbjudna.")
                leaving = demo_survey.seed_exit(rng, timezone.localdate())
                if leaving:
                    self.stdout.write(f"Avgångsenkät: {leaving.title}, {leaving.exit_answers.count()} svar av "
                                      f"{leaving.invited} inbjudna.")
        self.stdout.write(
            f"Händelser: {result['incidents']} i {result['units']} enheter ({result['from']} – {result['to']}), "
            f"{result['actions']} åtgärder, {result['actors']} återkommande aktörer.")
        if old:
            self.stdout.write(f"Gamla ärenden att gallra: {old['incidents']} ({old['from']} – {old['to']}); "
                              "`manage.py gallra --dry-run` visar vad den första gallringen tar bort.")
        self.stdout.write(self.style.SUCCESS(f"Demodata klara på {time.monotonic() - began:.1f} s."))
        self.print_logins()

    def print_logins(self):
        rows = builder.logins()
        if not rows:
            self.stdout.write("Det finns inga demokonton. Kör `python manage.py seed_demo` på en tom databas.")
            return
        headers = {"role": "Roll", "username": "Användarnamn", "name": "Namn", "scope": "Gäller för"}
        widths = {k: max(len(h), *(len(r[k]) for r in rows)) for k, h in headers.items()}
        line = "  ".join("{%s:<%d}" % (k, widths[k]) for k in headers)
        line_of = lambda values: line.format(**values).rstrip()  # noqa: E731
        self.stdout.write("")
        self.stdout.write(f"Demokonton – lösenord för alla: {data.DEMO_PASSWORD}")
        self.stdout.write(line_of(headers))
        self.stdout.write("  ".join("-" * widths[k] for k in headers))
        for row in rows:
            self.stdout.write(line_of({k: row[k] for k in headers}))
        self.stdout.write("")
