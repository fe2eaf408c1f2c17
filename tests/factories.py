"""Small builders for test data: a miniature city with two districts and a
persona for every role. Real models, real database; no mocks."""
import random
from datetime import timedelta

from django.utils import timezone

from incidents.models import Channel, Incident, InfluenceForm, Source
from incidents.taxonomy import ensure_terms
from organisation.models import Headcount, OperationArea, OrgUnit, Role, RoleAssignment, User

PASSWORD = "test-password-123"

# Record keys (the cell key method's, docs/disclosure.md) from a generator
# seeded when a City is built, so that the protected figures aggregate-only
# readers see are the same in every run, on every database and in every
# test order (a random key per incident made them differ between runs).
RECORD_KEYS = random.Random()
RECORD_KEY_SEED = 20


def node(code, name, kind, parent=None, area=None):
    return OrgUnit.objects.create(
        code=code, name=name, kind=kind, parent=parent,
        operation_area=OperationArea.objects.get(code=area) if area else None,
    )


def user(username, *assignments, gender="", email=None):
    """assignments: (role, node) pairs."""
    u = User.objects.create_user(
        username=username, password=PASSWORD, email=email or f"{username}@example.se",
        first_name=username.split("_")[0].title(), last_name="Testsson", gender=gender,
    )
    for role, at in assignments:
        RoleAssignment.objects.create(user=u, role=role, node=at)
    return u


def incident(unit, *, forms=("hot",), reporter=None, identity=Incident.IdentityMode.NAMED,
             source="brukare", channel="hembesok", description="Testbeskrivning", days_ago=3,
             status=Incident.Status.NEW, bypass=None):
    src = Source.objects.get(code=source) if source else None
    inc = Incident.objects.create(
        unit=unit,
        occurred_at=timezone.now() - timedelta(days=days_ago),
        reported_at=timezone.now() - timedelta(days=days_ago),
        description=description,
        reporter=None if identity == Incident.IdentityMode.ANONYMOUS else reporter,
        identity_mode=identity,
        source=src,
        channel=Channel.objects.get(code=channel) if channel else None,
        operation_area=unit.operation_area,
        status=status,
        bypasses_management=src.bypasses_management if bypass is None and src else bool(bypass),
        record_key=RECORD_KEYS.randrange(256),
    )
    inc.forms.set(InfluenceForm.objects.filter(code__in=forms))
    return inc


class City:
    """city → two districts (north, south) → department → units, with a
    persona for each role and one incident of each identity mode per unit."""

    def __init__(self):
        # Live-server tests flush the database, data migrations included.
        ensure_terms()
        RECORD_KEYS.seed(RECORD_KEY_SEED)
        self.city = node("STHLM", "Stockholms stad", OrgUnit.Kind.CITY)
        self.north = node("NORR", "Norra stadsdelsförvaltningen", OrgUnit.Kind.ADMINISTRATION, self.city)
        self.north_ifo = node("NORR-IFO", "Avdelningen för socialtjänst", OrgUnit.Kind.DEPARTMENT, self.north)
        self.north_a = node("NORR-EB", "Ekonomiskt bistånd Norr", OrgUnit.Kind.UNIT, self.north_ifo, "ekonomiskt_bistand")
        self.north_b = node("NORR-BU", "Barn och unga Norr", OrgUnit.Kind.UNIT, self.north_ifo, "barn_unga")
        self.south = node("SYD", "Södra stadsdelsförvaltningen", OrgUnit.Kind.ADMINISTRATION, self.city)
        self.south_a = node("SYD-EB", "Ekonomiskt bistånd Syd", OrgUnit.Kind.UNIT, self.south, "ekonomiskt_bistand")
        for unit, n in ((self.north_a, 40), (self.north_b, 25), (self.south_a, 30)):
            Headcount.objects.create(unit=unit, year=timezone.now().year, employees=n)

        self.employee = user("employee_north", (Role.EMPLOYEE, self.north_a), gender="woman")
        self.colleague = user("colleague_north", (Role.EMPLOYEE, self.north_a), gender="man")
        self.employee_south = user("employee_south", (Role.EMPLOYEE, self.south_a))
        self.manager = user("manager_north_a", (Role.MANAGER, self.north_a))
        self.manager_b = user("manager_north_b", (Role.MANAGER, self.north_b))
        self.head_north = user("head_north", (Role.MANAGER, self.north))
        self.security = user("security_north", (Role.SECURITY_COORDINATOR, self.north))
        self.hr = user("hr_north", (Role.HR, self.north))
        self.safety = user("safety_north", (Role.SAFETY_REP, self.north_a))
        self.analyst = user("analyst_city", (Role.ANALYST, self.city))
        self.committee = user("committee_north", (Role.COMMITTEE, self.north))
        self.auditor = user("auditor_city", (Role.AUDITOR, self.city))
        self.admin = user("admin_city", (Role.ADMIN, self.city))
        self.archivist = user("archivist_city", (Role.ARCHIVIST, self.city))
        self.manager_south = user("manager_south", (Role.MANAGER, self.south_a))
        self.security_south = user("security_south", (Role.SECURITY_COORDINATOR, self.south))
        self.nobody = user("nobody")

        self.named = incident(self.north_a, reporter=self.employee, description="Namngiven rapport i norr")
        self.confidential = incident(self.north_a, reporter=self.employee,
                                     identity=Incident.IdentityMode.CONFIDENTIAL,
                                     description="Konfidentiell rapport i norr")
        self.anonymous = incident(self.north_a, identity=Incident.IdentityMode.ANONYMOUS,
                                  description="Anonym rapport i norr")
        self.bypassed = incident(self.north_a, reporter=self.colleague, source="intern",
                                 description="Rapport om egen chef i norr")
        self.north_b_case = incident(self.north_b, reporter=self.employee, forms=("vald",),
                                     description="Våld i barn och unga norr")
        self.south_case = incident(self.south_a, reporter=self.employee_south, forms=("korruption",),
                                   description="Mutförsök i syd")
