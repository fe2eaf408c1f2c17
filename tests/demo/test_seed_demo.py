"""The demo generator (manage.py seed_demo): Stockholm's real shape, logins for
every role, a realistic incident history, idempotence and the benchmark mode."""
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from demo import data
from demo.builder import fake_personnummer, luhn_digit
from incidents import access
from incidents.models import Action, Incident, InfluenceForm
from organisation.models import Headcount, OperationArea, OrgUnit, Role, RoleAssignment, User

pytestmark = pytest.mark.django_db

DISTRICT_NAMES = {
    "Rinkeby-Kista stadsdelsförvaltning", "Spånga-Tensta stadsdelsförvaltning",
    "Hässelby-Vällingby stadsdelsförvaltning", "Bromma stadsdelsförvaltning",
    "Kungsholmens stadsdelsförvaltning", "Norrmalms stadsdelsförvaltning",
    "Östermalms stadsdelsförvaltning", "Södermalms stadsdelsförvaltning",
    "Enskede-Årsta-Vantörs stadsdelsförvaltning", "Skarpnäcks stadsdelsförvaltning",
    "Farsta stadsdelsförvaltning", "Hägersten-Älvsjö stadsdelsförvaltning",
    "Skärholmens stadsdelsförvaltning",
}
OPEN = [Incident.Status.NEW, Incident.Status.ACKNOWLEDGED, Incident.Status.INVESTIGATING]


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    """The full demo, built once for the class inside a transaction that is
    rolled back at the end; each test runs in its own savepoint within it."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = seed()
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db):
    return seeded


def login_users():
    return User.objects.exclude(password__startswith="!")


class TestTheDemo:
    """Tests that read (or add to) the full demo, seeded once for the class."""

    def test_it_builds_the_13_districts_by_their_real_names_under_stockholms_stad(self, demo):
        city = OrgUnit.objects.get(code="STHLM")
        assert city.name == "Stockholms stad" and city.kind == OrgUnit.Kind.CITY
        districts = OrgUnit.objects.filter(parent=city, kind=OrgUnit.Kind.ADMINISTRATION)
        names = set(districts.values_list("name", flat=True))
        assert names == DISTRICT_NAMES | {"Socialförvaltningen"}
        sof_units = set(OrgUnit.objects.get(name="Socialförvaltningen").children.values_list(
            "children__name", flat=True))
        assert {"Socialjouren", "Enheten för hemlösa"} <= sof_units

    def test_every_district_has_departments_and_six_to_nine_units_across_the_operation_areas(self, demo):
        for district in OrgUnit.objects.filter(name__in=DISTRICT_NAMES):
            departments = district.children.filter(kind=OrgUnit.Kind.DEPARTMENT)
            assert "Avdelningen för äldreomsorg och funktionsnedsättning" in set(
                departments.values_list("name", flat=True))
            units = OrgUnit.objects.subtree_of(district).filter(kind=OrgUnit.Kind.UNIT)
            assert 6 <= units.count() <= 9, district.name
            assert units.filter(operation_area__isnull=True).count() == 0
        used = set(OrgUnit.objects.filter(kind=OrgUnit.Kind.UNIT).values_list("operation_area__code", flat=True))
        assert used == set(OperationArea.objects.values_list("code", flat=True))
        assert OrgUnit.objects.filter(name="Mottagningsenheten barn och unga").count() == 13
        assert OrgUnit.objects.get(code="SKARHOLMEN-IFO").name == "Avdelningen för socialtjänst"

    def test_it_creates_about_60_login_users_covering_every_role(self, demo):
        users = login_users()
        assert 55 <= users.count() <= 65
        roles = set(RoleAssignment.objects.filter(user__in=users).values_list("role", flat=True))
        assert roles == set(Role.values)
        assert not users.filter(gender="").exists()
        # Roles sit at different levels: units, departments, districts and the city.
        kinds = set(RoleAssignment.objects.filter(user__in=users, role=Role.MANAGER)
                    .values_list("node__kind", flat=True))
        assert kinds == {OrgUnit.Kind.UNIT, OrgUnit.Kind.DEPARTMENT, OrgUnit.Kind.ADMINISTRATION}
        security_nodes = RoleAssignment.objects.filter(user__in=users, role=Role.SECURITY_COORDINATOR)
        assert security_nodes.filter(node__kind=OrgUnit.Kind.CITY).count() == 1
        assert security_nodes.filter(node__kind=OrgUnit.Kind.ADMINISTRATION).count() >= 3

    def test_every_persona_logs_in_with_the_demo_password_at_its_documented_node(self, demo):
        for username, _first, _last, _gender, role, code, _what in data.PERSONAS:
            user = authenticate(username=username, password=data.DEMO_PASSWORD)
            assert user is not None, username
            assert user.assignments.filter(role=role, node__code=code, active=True).exists()
        assert authenticate(username="chef", password="fel-lösenord") is None

    def test_staff_without_login_cannot_log_in_and_report_from_many_units(self, demo):
        staff = User.objects.filter(password__startswith="!")
        assert staff.count() > 300
        assert not any(u.has_usable_password() for u in staff[:20])
        units_with_reporters = Incident.unscoped.filter(reporter__in=staff).values("unit").distinct().count()
        assert units_with_reporters > 80

    def test_incidents_cover_three_years_with_all_five_forms_and_a_realistic_mix(self, demo):
        now = timezone.now()
        # Besides the history: a thin year of old cases, due for gallring (below).
        incidents = Incident.unscoped.filter(occurred_at__gte=now - timedelta(days=5 * 365))
        assert 1000 < incidents.count() < 4000
        first = incidents.order_by("occurred_at").first().occurred_at
        assert now - timedelta(days=3 * 366) < first < now - timedelta(days=3 * 365 - 30)
        forms = Counter(Incident.forms.through.objects.values_list("influenceform__code", flat=True))
        assert set(forms) == set(InfluenceForm.objects.values_list("code", flat=True))
        assert forms.most_common(1)[0][0] == "hot"
        multi = incidents.annotate(n=Count("forms")).filter(n__gt=1).count() / incidents.count()
        assert 0.1 < multi < 0.2
        sources = Counter(incidents.values_list("source__code", flat=True))
        assert sources.most_common(1)[0][0] == "brukare" and len(sources) == 9
        assert len(set(incidents.values_list("channel__code", flat=True))) == 7
        modes = Counter(incidents.values_list("identity_mode", flat=True))
        assert 0.74 < modes["named"] / incidents.count() < 0.86
        assert not incidents.filter(identity_mode="anonymous", reporter__isnull=False).exists()
        for inc in incidents.select_related("source")[:300]:
            assert inc.bypasses_management == inc.source.bypasses_management

    def test_the_first_gallring_has_old_cases_to_thin_and_the_picture_keeps_them(self, demo):
        from retention import thinning

        assert "Gamla ärenden att gallra:" in demo
        now = timezone.now()
        old = Incident.unscoped.filter(occurred_at__lt=now - timedelta(days=6 * 365 - 5))
        assert 20 < old.count() < 300 and not old.exclude(status=Incident.Status.CLOSED).exists()
        preview = thinning.preview()
        assert preview.cases == old.count() and sum(preview.by_kind["messages"].values()) == old.count()
        outcome = thinning.run()
        assert outcome.run.incidents == old.count()
        assert set(old.values_list("description", flat=True)) == {""}
        assert thinning.preview().cases == 0

    def test_seasonality_has_fewer_incidents_in_july_than_in_october(self, demo):
        months = Counter(d.month for d in Incident.unscoped.values_list("occurred_at", flat=True))
        assert months[7] < 0.6 * months[10]

    def test_old_cases_are_closed_with_realistic_delays_and_recent_ones_are_open(self, demo):
        old = Incident.unscoped.filter(reported_at__lt=timezone.now() - timedelta(days=180))
        closed = old.filter(status=Incident.Status.CLOSED)
        assert closed.count() > 0.8 * old.count()
        assert not closed.filter(acknowledged_at__isnull=True).exists()
        assert not closed.filter(closed_at__isnull=True).exists()
        ack_hours = sorted((i.acknowledged_at - i.reported_at).total_seconds() / 3600 for i in closed)
        close_days = sorted((i.closed_at - i.reported_at).days for i in closed)
        assert 8 < ack_hours[len(ack_hours) // 2] < 48
        assert 12 < close_days[len(close_days) // 2] < 30
        recent = Incident.unscoped.filter(reported_at__gt=timezone.now() - timedelta(days=7))
        assert recent.filter(status__in=OPEN).exists()

    def test_threats_and_violence_are_often_police_reported_with_a_k_number(self, demo):
        violent = Incident.unscoped.filter(forms__code__in=["hot", "vald"]).distinct()
        reported = violent.filter(police_status=Incident.PoliceStatus.REPORTED)
        assert 0.35 < reported.count() / violent.count() < 0.65
        assert all(ref.startswith("K") and "-" in ref for ref in reported.values_list("police_reference", flat=True))
        assert Incident.unscoped.filter(someone_hurt=True, forms__code="vald").exists()

    def test_cases_have_actions_owned_by_people_who_can_handle_them_some_overdue(self, demo):
        actions = Action.unscoped.select_related("incident", "owner")
        assert actions.count() > 500
        assert any(a.is_overdue for a in actions.filter(status=Action.Status.OPEN))
        for action in actions.order_by("?")[:40]:
            assert action.incident in access.handleable_incidents(action.owner)

    def test_a_few_actors_come_back_across_units(self, demo):
        repeated = (Incident.unscoped.exclude(actor_pseudonym="").values("actor_pseudonym")
                    .annotate(n=Count("id"), units=Count("unit", distinct=True)).filter(n__gte=3))
        assert len(repeated) >= 5
        assert any(r["units"] >= 2 for r in repeated)
        assert all(len(r["actor_pseudonym"]) == 64 for r in repeated)

    def test_headcount_exists_for_every_unit_and_year_with_incidents_and_is_mostly_women(self, demo):
        years = {d.year for d in Incident.unscoped.values_list("occurred_at", flat=True)}
        for unit in OrgUnit.objects.filter(kind=OrgUnit.Kind.UNIT):
            assert set(unit.headcounts.values_list("year", flat=True)) >= years, unit.code
        for hc in Headcount.objects.all()[:200]:
            assert hc.women + hc.men == hc.employees
            assert 0.65 < hc.women / hc.employees <= 0.95

    def test_skarholmen_has_open_cases_waiting_for_the_demo_manager_and_coordinator(self, demo):
        chef = User.objects.get(username="chef")
        security = User.objects.get(username="sakerhet")
        employee = User.objects.get(username="medarbetare")
        waiting_for_chef = access.handleable_incidents(chef).filter(status__in=OPEN)
        assert waiting_for_chef.filter(status=Incident.Status.NEW).exists()
        # The report about a manager bypasses the unit's managers and waits for the coordinator.
        bypassed = access.handleable_incidents(security).filter(status__in=OPEN, bypasses_management=True)
        assert bypassed.exists()
        assert not waiting_for_chef.filter(pk__in=bypassed).exists()
        assert access.visible_incidents(employee).filter(status=Incident.Status.NEW).exists()

    def test_the_annual_cycle_has_duties_for_every_district_mostly_done_some_overdue(self, demo):
        from cycle.models import Duty, DutyOccurrence, TrainingSession

        today = timezone.localdate()
        for district in OrgUnit.objects.filter(name__in=DISTRICT_NAMES):
            kinds = set(Duty.objects.filter(node=district).values_list("kind", flat=True))
            assert Duty.Kind.ACTION_PLAN_REVIEW in kinds and Duty.Kind.COMMITTEE_REREPORTING in kinds
        past = DutyOccurrence.objects.filter(due_date__lt=today)
        done = past.filter(status=DutyOccurrence.Status.DONE).count()
        assert 0.6 < done / past.count() < 1
        assert TrainingSession.objects.filter(unit__name__isnull=False).count() > 100

    def test_the_city_and_skarholmen_have_action_plans_with_history_and_a_draft(self, demo):
        from governance import plan
        from incidents.checklist import checklist

        city = OrgUnit.objects.get(kind=OrgUnit.Kind.CITY)
        skarholmen = OrgUnit.objects.get(code="SKARHOLMEN")
        assert plan.current_version(city).number == 1
        versions = plan.history(skarholmen)
        assert [(v.number, v.status) for v in versions] == [(3, "draft"), (2, "approved"), (1, "approved")]
        assert versions[2].approved_at < versions[1].approved_at < timezone.now()
        assert dict(plan.compare(versions[2], versions[1]))["Efter en händelse"]
        # Cases follow the plan in force when they were reported.
        case = Incident.unscoped.filter(unit__path__startswith=skarholmen.path,
                                        reported_at__gt=versions[1].approved_at).first()
        if case is not None:
            assert plan.effective_version(case.unit, case.reported_at).pk == versions[1].pk
            assert [i.code for i in checklist(case)]

    def test_skarholmen_has_a_risk_register_and_an_approved_tertial_report(self, demo):
        from governance.models import RiskAction, RiskRegister, TertialReport

        skarholmen = OrgUnit.objects.get(code="SKARHOLMEN")
        register = RiskRegister.objects.get(node=skarholmen, year=timezone.localdate().year)
        scored = [r for r in register.risks.all() if r.score]
        assert len(scored) == 4 and all(r.evidence for r in scored)
        assert RiskAction.objects.filter(risk__register=register).count() == 3
        report = TertialReport.objects.get(node=skarholmen)
        assert report.status == "approved" and report.frozen["key"] and report.reference.startswith("SKHLM")

    def test_it_prints_the_logins_table_with_one_persona_per_role(self, demo):
        assert data.DEMO_PASSWORD in demo
        for username in ("medarbetare", "chef", "sakerhet", "hr", "skyddsombud", "analytiker",
                         "namnd", "revisor", "admin"):
            assert f" {username} " in demo
        only_table = seed("--print-logins")
        assert "Skärholmens stadsdelsförvaltning" in only_table and "Händelser" not in only_table

    def test_running_it_twice_does_not_duplicate_anything(self, demo):
        counts = (OrgUnit.objects.count(), User.objects.count(), Incident.unscoped.count(), Action.unscoped.count())
        out = seed()
        assert "redan en organisation" in out
        assert counts == (OrgUnit.objects.count(), User.objects.count(), Incident.unscoped.count(),
                          Action.unscoped.count())

    def test_force_incidents_adds_a_history_to_an_existing_organisation(self, demo):
        units, users, before = OrgUnit.objects.count(), User.objects.count(), Incident.unscoped.count()
        seed("--force-incidents", "--scale", "0.2", "--seed", "7")
        assert OrgUnit.objects.count() == units and User.objects.count() == users
        assert Incident.unscoped.count() > before + 100

    def test_bench_mode_adds_exactly_n_incidents_to_a_seeded_database(self, demo):
        before = Incident.unscoped.count()
        through_before = Incident.forms.through.objects.count()
        out = seed("--incidents", "1500", "--years", "2")
        assert Incident.unscoped.count() == before + 1500
        added = Incident.unscoped.order_by("-id")[:1500]
        assert Incident.forms.through.objects.count() - through_before >= 1500
        assert not Incident.unscoped.annotate(n=Count("forms")).filter(n=0).exists()
        oldest = min(i.occurred_at for i in added)
        assert oldest > timezone.now() - timedelta(days=2 * 366)
        assert "1 500" in out and " s" in out
        # The rows are complete: deadlines and references work like those saved by the ORM.
        sample = Incident.unscoped.get(pk=added[0].pk)
        assert sample.reference.startswith("V-") and sample.unit.kind == OrgUnit.Kind.UNIT
        # Each bulk-inserted incident has its own random record key (cell key method).
        assert len(set(Incident.unscoped.filter(pk__in=[i.pk for i in added]).values_list("record_key", flat=True))) > 200
        if hasattr(sample, "ack_due_at"):
            from incidents.models import ack_deadline

            assert not Incident.unscoped.filter(ack_due_at__isnull=True).exists()
            for incident in added[:100]:
                assert incident.ack_due_at == ack_deadline(incident.reported_at)

    def test_the_same_seed_gives_the_same_incidents(self, demo):
        seed("--incidents", "200", "--years", "1", "--seed", "42")
        first = list(Incident.unscoped.order_by("-id")[:200].values_list("description", "unit_id", "status"))
        seed("--incidents", "200", "--years", "1", "--seed", "42")
        second = list(Incident.unscoped.order_by("-id")[:200].values_list("description", "unit_id", "status"))
        assert first == second and len(set(first)) > 150


def test_bench_mode_on_an_empty_database_builds_the_organisation_first():
    seed("--incidents", "300", "--years", "1")
    assert OrgUnit.objects.filter(kind=OrgUnit.Kind.ADMINISTRATION).count() == 14
    assert Incident.unscoped.count() == 300
    assert login_users().filter(username="chef").exists()


def test_absurd_options_are_refused_with_a_message():
    for args in (["--incidents", "-5"], ["--years", "0"], ["--years", "1000"], ["--scale", "-1"]):
        with pytest.raises(CommandError):
            seed(*args)
    assert not OrgUnit.objects.exists()


def test_print_logins_on_an_empty_database_says_how_to_seed():
    assert "seed_demo" in seed("--print-logins")


def test_fake_personnummer_has_a_valid_check_digit():
    import random

    rng = random.Random(1)
    for _ in range(50):
        number = fake_personnummer(rng)
        assert len(number) == 12 and number.isdigit()
        assert luhn_digit(number[2:11]) == int(number[11])
    assert luhn_digit("811218987") == 6  # Skatteverket's example 811218-9876
