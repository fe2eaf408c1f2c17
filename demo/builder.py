"""Builds the demo city in the database: the organisation tree with headcount,
the people and their roles, and a realistic incident history.

Everything is drawn from one seeded random.Random, so a given seed and date
give the same demo. Rows are written with bulk_create and lookups are loaded
once up front, so that the same incident generator also produces a million
incidents for benchmarks without per-row queries.
"""
import hmac
import math
import random
import time
import unicodedata
from bisect import bisect
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, connections, transaction
from django.utils import timezone

from demo import data, texts
from demo.fastinsert import FastInserter, insert_pairs
from incidents import models as incident_models
from incidents.models import Action, Channel, Incident, InfluenceForm, Message, Source
from organisation.models import Headcount, OperationArea, OrgUnit, Role, RoleAssignment, User
from police.areas import area_of as areas_area_of
from police.areas import import_csv as import_police_areas
from police.models import CourtSupport, EmployeeRole, OutcomeStep, PoliceFollowUp, PoliceOutcome

TZ = ZoneInfo(settings.TIME_ZONE)
ack_deadline = getattr(incident_models, "ack_deadline", None)
Kind = OrgUnit.Kind
Status = Incident.Status
Mode = Incident.IdentityMode
Police = Incident.PoliceStatus

# --- how incidents are distributed -----------------------------------------

FORM_WEIGHTS = {"hot": 50, "trakasserier": 22, "vald": 13, "skadegorelse": 8, "korruption": 7}
AREA_FORM_FACTORS = {
    "ekonomiskt_bistand": {"hot": 1.2},
    "barn_unga": {"trakasserier": 1.5},
    "socialpsykiatri": {"vald": 2.0},
    "missbruk": {"vald": 1.6},
    "funktionsnedsattning": {"vald": 2.2, "korruption": 1.6},
    "aldreomsorg": {"korruption": 2.2, "vald": 1.3},
}
SECOND_FORM_SHARE = 0.15
SECOND_FORM_WEIGHTS = {
    "hot": {"trakasserier": 4, "vald": 3, "skadegorelse": 2, "korruption": 1},
    "vald": {"hot": 6, "skadegorelse": 2, "trakasserier": 1},
    "trakasserier": {"hot": 6, "skadegorelse": 1, "korruption": 1},
    "skadegorelse": {"hot": 5, "vald": 2, "trakasserier": 1},
    "korruption": {"hot": 3, "trakasserier": 2},
}
SOURCE_WEIGHTS = {"brukare": 48, "anhorig": 17, "ombud": 4, "natverk": 5, "intern": 3,
                  "fortroendevald": 1.2, "utforare": 4, "okand": 6, "annan": 3}
AREA_SOURCE_FACTORS = {
    "barn_unga": {"anhorig": 2.2, "natverk": 1.6, "ombud": 1.5},
    "aldreomsorg": {"anhorig": 2.0, "utforare": 2.5, "natverk": 0.2},
    "funktionsnedsattning": {"anhorig": 1.6, "utforare": 2.5, "natverk": 0.3},
    "ekonomiskt_bistand": {"natverk": 1.8},
    "missbruk": {"natverk": 1.5},
}
FORM_SOURCE_FACTORS = {"korruption": {"utforare": 8, "intern": 3, "fortroendevald": 3, "brukare": 0.6}}
CHANNEL_WEIGHTS = {
    "": {"mote": 30, "hembesok": 10, "telefon": 22, "brev_epost": 12, "sociala_medier": 10,
         "utanfor_arbetet": 10, "tredje_part": 6},
    "ekonomiskt_bistand": {"mote": 40, "hembesok": 3, "telefon": 25, "brev_epost": 15,
                           "sociala_medier": 8, "utanfor_arbetet": 9, "tredje_part": 5},
    "barn_unga": {"mote": 24, "hembesok": 22, "telefon": 18, "brev_epost": 10, "sociala_medier": 16,
                  "utanfor_arbetet": 6, "tredje_part": 6},
    "aldreomsorg": {"mote": 8, "hembesok": 42, "telefon": 26, "brev_epost": 12, "sociala_medier": 3,
                    "utanfor_arbetet": 5, "tredje_part": 4},
    "funktionsnedsattning": {"mote": 12, "hembesok": 38, "telefon": 22, "brev_epost": 14,
                             "sociala_medier": 4, "utanfor_arbetet": 5, "tredje_part": 5},
    "socialpsykiatri": {"mote": 18, "hembesok": 34, "telefon": 22, "brev_epost": 8,
                        "sociala_medier": 6, "utanfor_arbetet": 8, "tredje_part": 4},
    "missbruk": {"mote": 32, "hembesok": 12, "telefon": 22, "brev_epost": 8, "sociala_medier": 8,
                 "utanfor_arbetet": 12, "tredje_part": 6},
}
# Share of incidents the police get to know about, by primary form.
POLICE_SHARE = {"hot": 0.5, "vald": 0.55, "skadegorelse": 0.4, "korruption": 0.3, "trakasserier": 0.2}
IDENTITY = [(Mode.NAMED, 0.80), (Mode.CONFIDENTIAL, 0.12), (Mode.ANONYMOUS, 0.08)]
# Scales the catalogue rates so that the city averages about 30 incidents
# per 100 employees and year (SKR 2023: about 3 in 10 employees exposed).
RATE_LEVEL = 0.8
# Incidents per 100 employees and year for units not in the demo catalogue.
AREA_RATES = {"ekonomiskt_bistand": 58, "barn_unga": 48, "missbruk": 42, "socialpsykiatri": 32,
              "funktionsnedsattning": 24, "aldreomsorg": 16, "ovrigt": 22, "": 25}
# Fewer incidents in July and around Christmas, peaks in autumn and spring.
MONTH_WEIGHTS = {1: 0.95, 2: 1.05, 3: 1.15, 4: 1.1, 5: 1.1, 6: 0.85, 7: 0.45, 8: 0.85,
                 9: 1.2, 10: 1.25, 11: 1.15, 12: 0.9}
WEEKDAY_WEIGHTS = (1.0, 1.0, 1.0, 1.0, 0.95, 0.2, 0.15)
AFTER_HOURS_CHANNELS = {"sociala_medier", "utanfor_arbetet", "brev_epost"}

# People who come back: (source, preferred areas, districts or units they
# turn up in, number of incidents).
REPEATED_ACTORS = [
    ("brukare", ("ekonomiskt_bistand",), ("SKARHOLMEN", "HAGERSTEN-ALVSJO", "SOF-EB-HEMLOSA"), 6),
    ("anhorig", ("barn_unga",), ("RINKEBY-KISTA", "SPANGA-TENSTA"), 5),
    ("natverk", ("ekonomiskt_bistand", "barn_unga"),
     ("RINKEBY-KISTA", "SKARHOLMEN", "SPANGA-TENSTA", "FARSTA"), 7),
    ("utforare", ("aldreomsorg", "funktionsnedsattning"), ("FARSTA", "SKARPNACK", "ENSKEDE-ARSTA-VANTOR"), 4),
    ("brukare", ("missbruk",), ("SODERMALM", "SOF-HEMLOSA", "SOF-UPPSOK"), 5),
    ("ombud", ("barn_unga",), ("BROMMA", "HASSELBY-VALLINGBY", "KUNGSHOLMEN"), 4),
    ("anhorig", ("aldreomsorg",), ("OSTERMALM", "NORRMALM"), 3),
    ("brukare", ("socialpsykiatri", "missbruk"), ("SKARHOLMEN",), 4),
]


def pseudonym(identifier: str) -> str:
    """The keyed pseudonym Värn stores for an actor instead of the identifier."""
    return hmac.new(settings.PSEUDONYM_KEY.encode(), identifier.encode(), "sha256").hexdigest()


def luhn_digit(digits: str) -> int:
    total = 0
    for i, d in enumerate(int(c) for c in digits):
        d = d * 2 if i % 2 == 0 else d
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


def fake_personnummer(rng: random.Random) -> str:
    """A made-up personnummer with a valid check digit, normalised to 12 digits
    as situation.actors stores it, so that a handler who types it in the demo
    finds the actor's other cases."""
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 50))
    nine = f"{born:%y%m%d}{rng.randrange(1000):03d}"
    return f"{born.year // 100}{nine}{luhn_digit(nine)}"


def ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


def weighted(items: dict) -> tuple[list, list]:
    keys = [k for k, w in items.items() if w > 0]
    return keys, list(accumulate(items[k] for k in keys))


def pick(rng: random.Random, table: tuple[list, list]):
    keys, cum = table
    return keys[bisect(cum, rng.random() * cum[-1])]


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def day_weight(day: date) -> float:
    weight = MONTH_WEIGHTS[day.month] * WEEKDAY_WEIGHTS[day.weekday()]
    if (day.month == 12 and day.day >= 20) or (day.month == 1 and day.day <= 6):
        weight *= 0.45
    return weight


def window_days(start: date, end: date) -> tuple[list, list]:
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return days, list(accumulate(day_weight(d) for d in days))


# --- the organisation ----------------------------------------------------------

def build_organisation(rng: random.Random) -> dict[str, OrgUnit]:
    """The city, the 13 districts and Socialförvaltningen; returns nodes by code."""
    areas = {a.code: a for a in OperationArea.objects.all()}
    nodes: dict[str, OrgUnit] = {}

    def add(code, name, kind, parent=None, area=""):
        nodes[code] = OrgUnit.objects.create(code=code, name=name, kind=kind, parent=parent,
                                             operation_area=areas.get(area))
        return nodes[code]

    city = add(data.CITY_CODE, data.CITY_NAME, Kind.CITY)
    for code, name, _factor in data.DISTRICTS:
        district = add(code, name, Kind.ADMINISTRATION, city)
        if code == data.DEMO_DISTRICT:
            chosen = data.DEMO_DISTRICT_UNITS
        else:
            extra = rng.sample(data.OPTIONAL_UNITS, rng.randint(0, 3))
            chosen = data.CORE_UNITS + extra
        departments = {}
        for suffix in sorted(chosen, key=list(data.UNITS).index):
            dept_key, unit_name, area, _size, _rate = data.UNITS[suffix]
            if dept_key not in departments:
                dept_name = data.DEPARTMENT_NAME_OVERRIDES.get((code, dept_key), data.DEPARTMENTS[dept_key])
                departments[dept_key] = add(f"{code}-{dept_key}", dept_name, Kind.DEPARTMENT, district)
            add(f"{code}-{suffix}", unit_name, Kind.UNIT, departments[dept_key], area)
    sof_code, sof_name = data.SOCIAL_ADMIN
    sof = add(sof_code, sof_name, Kind.ADMINISTRATION, city)
    for dept_code, dept_name, units in data.SOCIAL_DEPARTMENTS:
        dept = add(dept_code, dept_name, Kind.DEPARTMENT, sof)
        for unit_code, unit_name, area, _size, _rate in units:
            add(unit_code, unit_name, Kind.UNIT, dept, area)
    return nodes


def catalogue_entry(code: str):
    """(size range, base rate) for a demo unit code, or None for other units."""
    for unit_code, _name, _area, size, rate in (u for _c, _n, us in data.SOCIAL_DEPARTMENTS for u in us):
        if unit_code == code:
            return size, rate
    for district, _name, _factor in data.DISTRICTS:
        suffix = code[len(district) + 1:] if code.startswith(district + "-") else None
        if suffix in data.UNITS:
            return data.UNITS[suffix][3], data.UNITS[suffix][4]
    return None


def headcount_row(rng: random.Random, unit_id: int, year: int, base: int) -> Headcount:
    employees = max(3, round(base * rng.uniform(0.92, 1.08)))
    women = round(employees * rng.uniform(*data.WOMEN_SHARE))
    return Headcount(unit_id=unit_id, year=year, employees=employees, women=women, men=employees - women)


def ensure_headcount(rng: random.Random, years: range) -> int:
    """Give every unit a headcount for each year that will have incidents.
    Demo units get one from the catalogue; other units only when they already
    have a headcount for some year (we never invent staff for a real org)."""
    existing: dict[int, dict[int, int]] = {}
    for unit_id, year, employees in Headcount.objects.values_list("unit_id", "year", "employees"):
        existing.setdefault(unit_id, {})[year] = employees
    rows = []
    for unit_id, code in OrgUnit.objects.filter(kind=Kind.UNIT).values_list("id", "code"):
        known = existing.get(unit_id, {})
        entry = catalogue_entry(code)
        if known:
            base = known[max(known)]
        elif entry:
            base = rng.randint(*entry[0])
        else:
            continue
        rows += [headcount_row(rng, unit_id, year, base) for year in years if year not in known]
    Headcount.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# --- people ----------------------------------------------------------------------

class NamePool:
    def __init__(self, rng: random.Random, taken=()):
        self.rng = rng
        self.taken = set(taken)

    def person(self, gender: str, first: str = "", last: str = "", username: str = "") -> User:
        first = first or self.rng.choice(data.WOMEN if gender == "woman" else data.MEN)
        last = last or self.rng.choice(data.SURNAMES)
        if not username:
            stem = f"{ascii_slug(first)}.{ascii_slug(last)}"
            username, n = stem, 1
            while username in self.taken:
                n += 1
                username = f"{stem}{n}"
        self.taken.add(username)
        return User(username=username, first_name=first, last_name=last, gender=gender,
                    email=f"{username}@varn-demo.example")


def build_people(rng: random.Random, nodes: dict[str, OrgUnit]) -> dict:
    """~60 login users (one fixed persona per role plus colleagues at other
    levels) and non-login staff: a manager for every unit and department, a
    director, security coordinator and HR for every administration, and
    employees in every unit so that reports have reporters spread over units."""
    names = NamePool(rng, User.objects.values_list("username", flat=True))
    demo_hash = make_password(data.DEMO_PASSWORD)  # hashing once keeps seeding fast
    login: list[tuple[User, str, str]] = []
    for username, first, last, gender, role, code, _what in data.PERSONAS:
        login.append((names.person(gender, first, last, username), role, code))
    for role, code, gender in data.LOGIN_STAFF:
        login.append((names.person(gender), role, code))
    for user, _role, _code in login:
        user.password = demo_hash
    User.objects.bulk_create([u for u, _r, _c in login])
    assignments = [RoleAssignment(user=u, role=role, node=nodes[code]) for u, role, code in login]
    for first_code, role, extra_code in data.SECOND_ASSIGNMENTS:
        user = next(u for u, r, c in login if c == first_code and r == role)
        assignments.append(RoleAssignment(user=user, role=role, node=nodes[extra_code]))
    covered = {(a.role, a.node.code) for a in assignments}

    staff: list[tuple[User, str, str]] = []

    def woman() -> str:
        return "woman" if rng.random() < 0.8 else "man"

    for code, node in nodes.items():
        if node.kind in (Kind.UNIT, Kind.DEPARTMENT) and (Role.MANAGER, code) not in covered:
            staff.append((names.person(woman()), Role.MANAGER, code))
        if node.kind == Kind.ADMINISTRATION:
            for role in (Role.MANAGER, Role.SECURITY_COORDINATOR, Role.HR):
                if (role, code) not in covered:
                    staff.append((names.person(woman()), role, code))
        if node.kind == Kind.UNIT:
            hc = node.headcounts.order_by("-year").values_list("employees", flat=True).first() or 20
            for _ in range(min(10, max(3, hc // 4))):
                staff.append((names.person(woman()), Role.EMPLOYEE, code))
    for user, _role, _code in staff:
        user.set_unusable_password()
    User.objects.bulk_create([u for u, _r, _c in staff], batch_size=500)
    assignments += [RoleAssignment(user=u, role=role, node=nodes[code]) for u, role, code in staff]
    RoleAssignment.objects.bulk_create(assignments, batch_size=500)
    return {"login": len(login), "staff": len(staff)}


# --- incidents ---------------------------------------------------------------------

@dataclass
class UnitInfo:
    id: int
    code: str
    area: str
    area_id: int | None
    district: str
    rate: float
    headcount: dict[int, int]
    staff: list[int] = field(default_factory=list)
    handler: int | None = None  # nearest manager
    bypass_handler: int | None = None  # nearest security coordinator or HR
    hr: int | None = None

    def employees(self, year: int) -> int:
        if year in self.headcount:
            return self.headcount[year]
        if self.headcount:
            return self.headcount[min(self.headcount, key=lambda y: abs(y - year))]
        return 25


def load_units(rng: random.Random) -> list[UnitInfo]:
    """Everything the generator needs about every active unit, in a few queries."""
    nodes = {n["id"]: n for n in OrgUnit.objects.filter(active=True).values(
        "id", "code", "kind", "path", "operation_area_id", "operation_area__code")}
    factors = {code: factor for code, _name, factor in data.DISTRICTS}
    by_role: dict[str, dict[int, list[int]]] = {}
    for role, node_id, user_id in RoleAssignment.objects.filter(
            active=True, user__is_active=True).values_list("role", "node_id", "user_id").order_by("id"):
        by_role.setdefault(role, {}).setdefault(node_id, []).append(user_id)

    def nearest(role, chain):
        for node_id in chain:
            users = by_role.get(role, {}).get(node_id)
            if users:
                return users[0]
        return None

    units = []
    for node in nodes.values():
        if node["kind"] != Kind.UNIT:
            continue
        chain = [int(p) for p in node["path"].strip("/").split("/")][::-1]  # self first
        admin = next((nodes[i]["code"] for i in chain
                      if i in nodes and nodes[i]["kind"] == Kind.ADMINISTRATION), "")
        area = node["operation_area__code"] or ""
        entry = catalogue_entry(node["code"])
        base_rate = entry[1] if entry else AREA_RATES.get(area, AREA_RATES[""])
        # Units differ much more than districts: a log-normal factor per unit
        # (capped, so that no unit gets an absurd rate).
        unit_factor = min(2.2, max(0.3, rng.lognormvariate(0, 0.45)))
        rate = RATE_LEVEL * base_rate * factors.get(admin, 1.0) * unit_factor
        security = nearest(Role.SECURITY_COORDINATOR, chain)
        hr = nearest(Role.HR, chain)
        units.append(UnitInfo(
            id=node["id"], code=node["code"], area=area, area_id=node["operation_area_id"],
            district=admin, rate=rate, headcount={},
            staff=by_role.get(Role.EMPLOYEE, {}).get(node["id"], []),
            handler=nearest(Role.MANAGER, chain), bypass_handler=security or hr, hr=hr or security,
        ))
    hc = {}
    for unit_id, year, employees in Headcount.objects.values_list("unit_id", "year", "employees"):
        hc.setdefault(unit_id, {})[year] = employees
    for unit in units:
        unit.headcount = hc.get(unit.id, {})
    units.sort(key=lambda u: u.code)
    return units


class IncidentMaker:
    """Makes the column values of one incident (see COLUMNS) for a unit and a
    day. All tables are precomputed so that a row costs no query."""

    def __init__(self, rng: random.Random, now: datetime):
        self.rng = rng
        self.now = now
        self.form_ids = dict(InfluenceForm.objects.values_list("code", "id"))
        self.source_ids = dict(Source.objects.values_list("code", "id"))
        self.source_bypass = dict(Source.objects.values_list("code", "bypasses_management"))
        self.channel_ids = dict(Channel.objects.values_list("code", "id"))
        self.forms = {}
        self.sources = {}
        self.templates = {}
        for area in list(CHANNEL_WEIGHTS) + ["ovrigt"]:
            form_w = {f: w * AREA_FORM_FACTORS.get(area, {}).get(f, 1) for f, w in FORM_WEIGHTS.items()}
            self.forms[area] = weighted(form_w)
            channel_w = CHANNEL_WEIGHTS.get(area, CHANNEL_WEIGHTS[""])
            for form in FORM_WEIGHTS:
                source_w = {}
                for source, w in SOURCE_WEIGHTS.items():
                    fitting = [t for t in texts.TEMPLATES if t[0] == form and source in t[2]]
                    if not fitting:
                        continue
                    source_w[source] = (w * AREA_SOURCE_FACTORS.get(area, {}).get(source, 1)
                                        * FORM_SOURCE_FACTORS.get(form, {}).get(source, 1))
                    self.templates[area, form, source] = weighted(
                        {t: channel_w.get(t[1], 1) for t in fitting})
                self.sources[area, form] = weighted(source_w)
        self.second = {f: weighted(w) for f, w in SECOND_FORM_WEIGHTS.items()}
        self.identity = weighted(dict(IDENTITY))
        self.due_dates: dict[date, date] = {}

    def ack_due(self, reported: datetime) -> datetime:
        """incidents.models.ack_deadline, computed once per calendar day: it
        gives the same local time a number of working days later."""
        local = reported.astimezone(TZ)
        target = self.due_dates.get(local.date())
        if target is None:
            target = self.due_dates[local.date()] = ack_deadline(local).astimezone(TZ).date()
        return local.replace(year=target.year, month=target.month, day=target.day)

    def _area(self, area: str) -> str:
        return area if area in CHANNEL_WEIGHTS or area == "ovrigt" else ""

    def describe(self, area: str, template: str, source: str) -> str:
        rng = self.rng
        actors = texts.ACTORS[source]
        actor = rng.choice(actors.get(area) or actors[""])
        if "{provider}" in actor:
            actor = actor.format(provider=rng.choice(texts.PROVIDERS.get(area) or texts.PROVIDERS[""]))
        decision = rng.choice(texts.DECISIONS.get(area) or texts.DECISIONS[""])
        return template.format(actor=actor, Actor=actor[0].upper() + actor[1:], decision=decision,
                               service=texts.SERVICES.get(area, texts.SERVICES[""]))

    def make(self, unit: UnitInfo, day: date, *, source: str = "", actor: str = ""):
        """Returns (values in COLUMNS order, [form ids], primary form code).
        `source` and `actor` (a pseudonym) are given for a repeated actor."""
        rng = self.rng
        area = self._area(unit.area)
        form = pick(rng, self.forms[area])
        if source and (area, form, source) not in self.templates:
            # The repeated actor decides the source; pick a form that fits it.
            form = next(f for f in FORM_WEIGHTS if (area, f, source) in self.templates)
        source = source or pick(rng, self.sources[area, form])
        template = pick(rng, self.templates[area, form, source])
        channel = template[1]
        description = self.describe(area, template[3], source)
        forms = [form]
        if rng.random() < SECOND_FORM_SHARE:
            second = pick(rng, self.second[form])
            forms.append(second)
            description += " " + rng.choice(texts.SECOND_FORM_SENTENCES[second])
        if rng.random() < 0.45:
            description += " " + rng.choice(texts.FOLLOW_UPS)

        if channel in AFTER_HOURS_CHANNELS:
            hour = rng.randint(7, 22)
        else:
            hour = rng.randint(8, 16)
        occurred = datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=TZ)
        if occurred > self.now - timedelta(minutes=15):
            occurred = self.now - timedelta(minutes=rng.randint(15, 300))
        r = rng.random()
        if r < 0.65:
            delay = timedelta(hours=rng.uniform(0.3, 6))
        elif r < 0.9:
            delay = timedelta(days=rng.uniform(1, 3))
        else:
            delay = timedelta(days=rng.uniform(4, 20))
        reported = min(occurred + delay, self.now - timedelta(minutes=1))

        mode = pick(rng, self.identity)
        reporter = rng.choice(unit.staff) if unit.staff and mode != Mode.ANONYMOUS else None
        if reporter is None:
            mode = Mode.ANONYMOUS
        bypass = self.source_bypass[source]
        handler = unit.bypass_handler if bypass else unit.handler

        # Status from realistic delays: acknowledged after about a day,
        # closed about three weeks later; a few cases stay open for long.
        ack = reported + timedelta(minutes=max(10.0, rng.lognormvariate(math.log(20 * 60), 1.0)))
        close = ack + timedelta(days=rng.lognormvariate(math.log(19), 0.75))
        if close < self.now and rng.random() > 0.03:
            # Recently finished cases may still wait for the formal close.
            recent = self.now - close < timedelta(days=14)
            status = Status.RESOLVED if recent and rng.random() < 0.4 else Status.CLOSED
            closed_at = close if status == Status.CLOSED else None
        elif ack < self.now:
            status = Status.INVESTIGATING if (self.now - ack > timedelta(days=2) and rng.random() < 0.7) \
                else Status.ACKNOWLEDGED
            closed_at = None
        else:
            status, ack, closed_at = Status.NEW, None, None

        police_reference = police_reason = ""
        if rng.random() < POLICE_SHARE[form]:
            if status == Status.NEW and rng.random() < 0.6:
                police = Police.EMPLOYER
            else:
                police = Police.REPORTED
                police_reference = f"K{rng.randint(100000, 9999999)}-{reported.year % 100:02d}"
        elif status in (Status.CLOSED, Status.RESOLVED) or rng.random() < 0.3:
            police = Police.DECLINED
            police_reason = rng.choice(texts.POLICE_DECLINED_REASONS)
        else:
            police = Police.UNDECIDED

        hurt = "vald" in forms and rng.random() < 0.3
        locations = texts.LOCATIONS.get(channel)
        values = (
            unit.id, occurred, reported, self.source_ids[source], unit.area_id, self.channel_ids[channel],
            description, reporter, str(mode), str(status), bypass,
            rng.choice(locations) if locations and rng.random() < 0.6 else "",
            hurt, "skadegorelse" in forms or ("vald" in forms and rng.random() < 0.1),
            rng.random() < (0.3 if form in ("hot", "vald") else 0.1),
            str(police), police_reference, police_reason,
            handler if status != Status.NEW else None, ack, closed_at, actor,
        )
        if HAS_ACK_DUE:
            values += (self.ack_due(reported),)
        if HAS_SUMMARY:
            values += (rng.choice(texts.CLOSING_SUMMARIES) if status == Status.CLOSED else "",)
        return values, [self.form_ids[f] for f in forms], form


# The Incident columns IncidentMaker.make fills, in order. Fields that
# bulk inserts skip (Incident.save fills ack_due_at) are filled here when the
# model has them.
_FIELDS = {f.name for f in Incident._meta.get_fields()}
HAS_ACK_DUE = "ack_due_at" in _FIELDS and ack_deadline is not None
HAS_SUMMARY = "closing_summary" in _FIELDS
COLUMNS = [
    "unit_id", "occurred_at", "reported_at", "source_id", "operation_area_id", "channel_id",
    "description", "reporter_id", "identity_mode", "status", "bypasses_management",
    "location", "someone_hurt", "property_damaged", "wants_support",
    "police_status", "police_reference", "police_reason",
    "assigned_to_id", "acknowledged_at", "closed_at", "actor_pseudonym",
] + (["ack_due_at"] if HAS_ACK_DUE else []) + (["closing_summary"] if HAS_SUMMARY else [])


def save_incidents(batch: list) -> list[Incident]:
    """bulk_create incidents, then the rows of the forms through-table."""
    incidents = Incident.objects.bulk_create(
        [Incident(**dict(zip(COLUMNS, values))) for values, _forms, _form in batch], batch_size=2000)
    Through = Incident.forms.through
    Through.objects.bulk_create(
        [Through(incident_id=inc.pk, influenceform_id=form_id)
         for inc, (_v, form_ids, _f) in zip(incidents, batch) for form_id in form_ids],
        batch_size=5000,
    )
    return incidents


def insert_fast(inserter: FastInserter, batch: list) -> None:
    """The benchmark path: the same rows without the ORM's per-value work."""
    ids = inserter.insert([values for values, _forms, _form in batch])
    insert_pairs(Incident.forms.through, ("incident_id", "influenceform_id"),
                 [(pk, form_id) for pk, (_v, form_ids, _f) in zip(ids, batch) for form_id in form_ids])


def make_actions(rng: random.Random, saved: list[tuple[Incident, str, UnitInfo]]) -> list:
    actions = []
    for incident, form, unit in saved:
        if incident.status not in (Status.INVESTIGATING, Status.RESOLVED, Status.CLOSED):
            continue
        if rng.random() > 0.7 or not (incident.assigned_to_id or unit.hr):
            continue
        titles = list(texts.ACTIONS_GENERAL) + texts.ACTIONS_BY_FORM[form] * 2
        if incident.someone_hurt:
            titles = texts.ACTION_HURT + titles
        if incident.police_status == Police.REPORTED:
            titles.append(texts.ACTION_POLICE)
        start = incident.acknowledged_at
        for title in dict.fromkeys(rng.sample(titles, rng.choice((1, 1, 2, 2, 3)))):
            created = start + timedelta(hours=rng.uniform(1, 48))
            if incident.closed_at:
                created = min(created, incident.closed_at)
            due = (created + timedelta(days=rng.randint(7, 30))).astimezone(TZ).date()
            # HR holds the support talks; the case's handler owns the rest.
            if title.startswith("Stödsamtal") and unit.hr:
                owner = unit.hr
            else:
                owner = incident.assigned_to_id or unit.hr
            status, done_at = Action.Status.OPEN, None
            if incident.status == Status.CLOSED:
                status = Action.Status.DONE if rng.random() < 0.9 else Action.Status.CANCELLED
                done_at = created + (incident.closed_at - created) * rng.uniform(0.3, 1.0)
            elif incident.status == Status.RESOLVED or rng.random() < 0.3:
                status = Action.Status.DONE
                done_at = min(created + timedelta(days=rng.uniform(1, 20)), timezone.now())
            actions.append(Action(incident_id=incident.pk, title=title, owner_id=owner, due_date=due,
                                  status=status, created_at=created,
                                  done_at=done_at if status == Action.Status.DONE else None))
    return actions


# --- the demo story in Skärholmen ----------------------------------------------------

# Recent open cases so that the demo manager and coordinator have work waiting.
# reporter: a username, ("employee", unit code) for a login colleague, "staff"
# for a non-login employee of the unit, or None (anonymous).
STORY = [
    dict(unit="SKARHOLMEN-EB", reporter="medarbetare", mode=Mode.NAMED, forms=["hot"], source="brukare",
         channel="mote", hours=3, status=Status.NEW, location="Receptionen", police=Police.EMPLOYER,
         support=True, track="planned",
         measures=[("office_only", "Möten med den sökande hålls i besöksrummet med larmknapp, aldrig ensam.", 30,
                    "chef", "")],
         text="En sökande som fått avslag på försörjningsstöd blev högljudd i receptionen och sa: ”Jag vet "
              "var du bor, jag har sett dig i centrum.” Väktare följde ut honom. Han sa att han kommer "
              "tillbaka i morgon."),
    dict(unit="SKARHOLMEN-EB", reporter=("employee", "SKARHOLMEN-EB"), mode=Mode.CONFIDENTIAL,
         forms=["trakasserier"], source="brukare", channel="sociala_medier", hours=50,
         status=Status.ACKNOWLEDGED, track="overdue",
         text="Jag har hängts ut med namn och bild i en Facebookgrupp för boende i området. Inlägget "
              "påstår att jag ”stänger av folk för att få bonus”. Jag har fått flera privata meddelanden.",
         actions=[("Begäran om borttagning av inlägg hos plattformen", "chef", -1)]),
    dict(unit="SKARHOLMEN-EB", reporter=None, mode=Mode.ANONYMOUS, forms=["korruption"], source="utforare",
         channel="brev_epost", hours=96, status=Status.NEW,
         text="En hyresvärd som hyr ut tillfälliga lägenheter till oss mejlade och erbjöd presentkort ”som "
              "tack för samarbetet” om vi fortsätter att anvisa klienter dit."),
    dict(unit="SKARHOLMEN-BU-UTR", reporter=("employee", "SKARHOLMEN-BU-UTR"), mode=Mode.NAMED,
         forms=["vald", "hot"], source="anhorig", channel="hembesok", hours=26, status=Status.NEW,
         location="Klientens bostad", police=Police.EMPLOYER, support=True, track="planned", actor=True,
         measures=[("two_staff", "Två socialsekreterare vid varje hembesök i familjen; i övrigt möten på kontoret.",
                    0, "sakerhet", "")],
         text="Vid hembesöket i en pågående utredning blev pappan arg när vi tog upp skolfrånvaron. Han "
              "knuffade min kollega mot dörrkarmen och sa att vi ”inte ska komma tillbaka om vi vill vara "
              "hela”."),
    dict(unit="SKARHOLMEN-EB", reporter="staff", mode=Mode.NAMED, forms=["trakasserier"], source="intern",
         channel="mote", hours=75, status=Status.NEW,
         text="Min chef har vid flera tillfällen pressat mig att ändra min bedömning i ett ärende där en "
              "bekant till hen har sökt bistånd. Jag vill inte att ärendet går till enhetens chefer."),
    dict(unit="SKARHOLMEN-VUX", reporter="staff", mode=Mode.NAMED, forms=["hot"], source="natverk",
         channel="telefon", hours=9 * 24, status=Status.INVESTIGATING, police=Police.REPORTED,
         support=True, track="in_progress",
         text="En man som sa att han ringde för en klients räkning sa att ”vi vet vilken tunnelbana du tar” "
              "och att anmälan om LVM ska dras tillbaka.",
         actions=[("Spärrmarkering av medarbetarens adress hos Skatteverket", "sakerhet", -2),
                  ("Stödsamtal med medarbetaren", "handler", 5)]),
    dict(unit="SKARHOLMEN-AO-BIS", reporter=("employee", "SKARHOLMEN-AO-BIS"), mode=Mode.NAMED,
         forms=["hot"], source="anhorig", channel="telefon", hours=6 * 24, status=Status.ACKNOWLEDGED,
         track="first_done",
         text="Sonen till en brukare ringde efter avslaget på särskilt boende och sa att han ”vet var "
              "handläggarna parkerar” och att det ”kan hända saker med bilar”."),
    dict(unit="SKARHOLMEN-BU-MOT", reporter=None, mode=Mode.ANONYMOUS, forms=["trakasserier"],
         source="brukare", channel="utanfor_arbetet", hours=20, status=Status.NEW,
         location="Entrén till kontoret",
         text="Samma förälder har ringt enheten ett tjugotal gånger i veckan och står utanför entrén vid "
              "lunch och filmar personalen som går ut."),
    # Closed cases whose support went on after closing (support tracks in every state).
    dict(unit="SKARHOLMEN-EB", reporter=("employee", "SKARHOLMEN-EB"), mode=Mode.NAMED, forms=["hot", "vald"],
         source="brukare", channel="mote", hours=70 * 24, status=Status.CLOSED, police=Police.REPORTED,
         support=True, track="after_closing", location="Besöksrummet",
         summary="Polisanmält. Besöksrummet har fått larmknapp och möten med den sökande hålls med två "
                 "handläggare. Stödsamtal hållet, företagshälsovården anlitad; uppföljningen fortsätter.",
         measures=[("guard", "Väktare i närheten när den sökande har besökstid.", 45, "chef", ""),
                   ("other_handler", "", -10, "chef", "Den sökande har flyttat till en annan stadsdel.")],
         text="Under ett planeringsmöte kastade den sökande en stol mot mig och hotade att ”ta mig efter "
              "jobbet”. Jag tog mig ut ur rummet och larmade väktaren."),
    dict(unit="SKARHOLMEN-BU-UTR", reporter=("employee", "SKARHOLMEN-BU-UTR"), mode=Mode.CONFIDENTIAL,
         forms=["trakasserier"], source="anhorig", channel="utanfor_arbetet", hours=140 * 24,
         status=Status.CLOSED, support=True, track="done",
         summary="Mamman har fått en kontaktväg via enhetschefen. Trakasserierna har upphört.",
         text="En mamma i en pågående utredning har följt efter mig från tunnelbanan två gånger och "
              "ropat mitt namn utanför min port."),
    dict(unit="SKARHOLMEN-EB", reporter="staff", mode=Mode.NAMED, forms=["hot"], source="brukare",
         channel="telefon", hours=40 * 24, status=Status.CLOSED, support=True, track="ended_early",
         summary="Den sökande har fått en ny handläggare. Inga fler samtal har kommit.",
         text="En sökande ringde och sa att han ”kommer att hälsa på” om beslutet inte ändras."),
]

# Reports registered on an employee's behalf (reporting.onbehalf): the
# registrar's username and the contact.
STORY += [
    dict(unit="SKARHOLMEN-EB", reporter="medarbetare", mode=Mode.NAMED, forms=["hot"], source="anhorig",
         channel="telefon", hours=28, status=Status.NEW, registered=("chef", "phone"), support=True,
         text="Sara ringde mig efter ett hembesök: brukarens bror stod i trapphuset och sa att han ”vet vilken "
              "bil hon kör”. Hon ville att jag registrerar det åt henne medan hon tar sig tillbaka till kontoret."),
    dict(unit="SKARHOLMEN-BU-UTR", reporter=("employee", "SKARHOLMEN-BU-UTR"), mode=Mode.CONFIDENTIAL,
         forms=["trakasserier"], source="brukare", channel="sociala_medier", hours=4 * 24,
         status=Status.ACKNOWLEDGED, registered=("skyddsombud", "conversation"),
         text="Berättade på skyddsronden att en förälder i en avslutad utredning skriver om hen med namn i "
              "ett öppet forum. Vill vara konfidentiell."),
    dict(unit="SKARHOLMEN-EB", reporter=None, mode=Mode.ANONYMOUS, forms=["korruption"], source="intern",
         channel="mote", hours=8 * 24, status=Status.ACKNOWLEDGED, registered=("sakerhet", "phone"),
         text="En medarbetare ringde och berättade att en kollega har tagit emot presentkort från en "
              "hyresvärd som enheten anvisar till. Medarbetaren vill vara anonym och har fått kvittokoden."),
]

# The demo's support tracks: what has been done on each (support/).
DEMO_OFFERS = {
    "in_progress": [("foretagshalsovard", "accepted"), ("kollega_vid_besok", "accepted"),
                    ("skyddade_personuppgifter", "pending")],
    "first_done": [("stodsamtal", "accepted")],
    "after_closing": [("stodsamtal", "accepted"), ("krisstod", "accepted"), ("malsagandebitrade", "accepted"),
                      ("andrade_uppgifter", "declined")],
    "done": [("stodsamtal", "accepted"), ("sakerhet_bostad", "accepted")],
    "ended_early": [("foretagshalsovard", "declined")],
}
STEP_NOTES = {
    "first_talk": "Samtal på kontoret. Medarbetaren sover dåligt men vill fortsätta arbeta.",
    "week": "Telefonsamtal. Mår bättre, vill inte träffa den sökande ensam.",
    "month": "Uppföljning på kontoret. Tillbaka i vanliga arbetsuppgifter.",
    "quarter": "Avslutande samtal. Medarbetaren känner sig trygg igen.",
}


# What employees said when asked "Fick du det stöd du behövde?" (support/).
ANSWER_COMMENTS_YES = ["Chefen ringde samma dag, det betydde mycket.", "Bra att företagshälsovården hörde av sig.",
                       "Skönt att slippa möta personen ensam igen."]
ANSWER_COMMENTS_NO = ["Ingen hörde av sig efter samtalet.", "Jag hade behövt prata med någon tidigare.",
                      "Det tog tre veckor innan någon frågade hur jag mådde."]
STORY_ANSWERS = {
    "in_progress": [("first_talk", True, ""), ("week", False, "Jag hade behövt prata med någon tidigare.")],
    "first_done": [("first_talk", True, "")],
    "after_closing": [("first_talk", True, "Chefen ringde samma dag, det betydde mycket."), ("week", True, ""),
                      ("month", True, "")],
    "done": [("first_talk", True, ""), ("closing", True, "")],
    "ended_early": [("closing", False, "Ingen hörde av sig efter samtalet.")],
}


def add_support_answers(rng: random.Random, closed: list) -> int:
    """The history's answers at closing: about a third of the closed cases
    answered, three in four of them felt supported."""
    from support.models import SupportAnswer

    rows = []
    for incident in closed:
        if rng.random() > 0.35:
            continue
        yes = rng.random() < 0.75
        comment = rng.choice(ANSWER_COMMENTS_YES if yes else ANSWER_COMMENTS_NO) if rng.random() < 0.3 else ""
        at = incident.closed_at + timedelta(days=rng.uniform(0.2, 10))
        if incident.identity_mode == Mode.ANONYMOUS:
            at = at.replace(minute=0, second=0, microsecond=0)
        rows.append(SupportAnswer(incident_id=incident.pk, occasion="closing", felt_supported=yes,
                                  comment=comment, answered_at=min(at, timezone.now())))
    SupportAnswer.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def add_support_track(incident: Incident, spec: str, handler_id, now: datetime) -> None:
    """A support track on a story case in the state `spec` names."""
    from support.models import SupportOffer, SupportStep, SupportTrack
    from support.schedule import due_dates

    origin = SupportTrack.Origin.REPORT if incident.wants_support else SupportTrack.Origin.HANDLER
    started = incident.reported_at if incident.wants_support else (incident.acknowledged_at or incident.reported_at)
    track = SupportTrack.objects.create(incident=incident, origin=origin, started_at=started,
                                        started_by_id=None if incident.wants_support else handler_id)
    dates = due_dates(started)
    today = now.astimezone(TZ).date()
    done = {"planned": 0, "overdue": 0, "first_done": 1, "in_progress": 2, "after_closing": 3, "done": 4,
            "ended_early": 1}[spec]
    for index, (kind, due) in enumerate(dates.items()):
        step = SupportStep(track=track, kind=kind, due_on=due, updated_by_id=handler_id)
        if index < done:
            step.state, step.done_on, step.note = SupportStep.State.DONE, min(due, today), STEP_NOTES[kind]
            step.updated_at = datetime.combine(step.done_on, datetime.min.time(), TZ) + timedelta(hours=10)
        elif spec == "ended_early":
            step.state, step.note = SupportStep.State.SKIPPED, "Medarbetaren har bytt enhet och får stöd där."
        if spec == "overdue" and kind == SupportStep.Kind.FIRST_TALK:
            step.due_on = today - timedelta(days=1)
        step.save()
    if spec in ("done", "ended_early"):
        track.status, track.ended_at = SupportTrack.Status.DONE, now - timedelta(days=3)
        if spec == "ended_early":
            track.end_reason = "Medarbetaren har bytt enhet och får stöd där."
        track.save()
    from support.models import SupportAnswer

    for occasion, yes, comment in STORY_ANSWERS.get(spec, []):
        SupportAnswer.objects.create(incident=incident, occasion=occasion, felt_supported=yes, comment=comment,
                                     answered_at=min(now, started + timedelta(days=40)))
    offered = min(today, dates[SupportStep.Kind.FIRST_TALK])
    for code, answer in DEMO_OFFERS.get(spec, []):
        SupportOffer.objects.create(track=track, code=code, offered_on=offered, answer=answer,
                                    recorded_by_id=handler_id)


def add_registration(incident: Incident, users: dict, registrar: str, channel: str) -> None:
    """Mark a story case as registered on the employee's behalf by a demo persona."""
    registrar_id = users.get(registrar)
    role = {"chef": Role.MANAGER, "skyddsombud": Role.SAFETY_REP, "sakerhet": Role.SECURITY_COORDINATOR}[registrar]
    if registrar_id is not None:
        Incident.unscoped.filter(pk=incident.pk).update(
            registered_by_id=registrar_id, registered_as=role, registered_channel=channel, consent_recorded=True)


def add_measure(incident: Incident, kind: str, note: str, review_in: int, author_id, ended: str,
                now: datetime) -> None:
    """A protective measure for the unit's future visits on a story case (protection/)."""
    from protection.models import ProtectiveMeasure

    if author_id is None:
        return
    ProtectiveMeasure.objects.create(
        incident=incident, unit_id=incident.unit_id, kind=kind, note=note, created_by_id=author_id,
        created_at=incident.reported_at + timedelta(hours=2),
        review_on=timezone.localdate() + timedelta(days=review_in),
        status=ProtectiveMeasure.Status.ENDED if ended else ProtectiveMeasure.Status.ACTIVE,
        end_reason=ended, ended_at=now - timedelta(days=2) if ended else None)


def add_story(rng: random.Random, units: dict[str, UnitInfo], now: datetime) -> int:
    personas = [p[0] for p in data.PERSONAS]
    users = dict(User.objects.filter(username__in=personas).values_list("username", "id"))
    if "medarbetare" not in users:
        return 0
    login_ids = set(User.objects.exclude(password__startswith="!").values_list("id", flat=True))
    login_employees = {}
    for code, user_id in RoleAssignment.objects.filter(role=Role.EMPLOYEE, user_id__in=login_ids).exclude(
            user_id__in=users.values()).values_list("node__code", "user_id").order_by("id"):
        login_employees.setdefault(code, user_id)
    forms = dict(InfluenceForm.objects.values_list("code", "id"))
    sources = {s.code: s for s in Source.objects.all()}
    channels = dict(Channel.objects.values_list("code", "id"))
    count = 0
    for case in STORY:
        unit = units.get(case["unit"])
        if unit is None:
            continue
        reporter = case["reporter"]
        if reporter == "staff":
            reporter_id = next((s for s in unit.staff if s not in login_ids), None)
        elif isinstance(reporter, tuple):
            reporter_id = login_employees.get(reporter[1])
        elif reporter:
            reporter_id = users.get(reporter)
        else:
            reporter_id = None
        source = sources[case["source"]]
        reported = now - timedelta(hours=case["hours"])
        status = case["status"]
        handler = unit.bypass_handler if source.bypasses_management else unit.handler
        ack = reported + timedelta(hours=min(20, case["hours"] / 3)) if status != Status.NEW else None
        police = case.get("police", Police.UNDECIDED)
        incident = Incident.objects.create(
            unit_id=unit.id, occurred_at=reported - timedelta(minutes=40), reported_at=reported,
            source=source, operation_area_id=unit.area_id, channel_id=channels[case["channel"]],
            description=case["text"], reporter_id=reporter_id,
            identity_mode=case["mode"] if reporter_id or case["mode"] == Mode.ANONYMOUS else Mode.ANONYMOUS,
            status=status, bypasses_management=source.bypasses_management,
            location=case.get("location", ""), wants_support=case.get("support", False),
            police_status=police,
            police_reference=f"K{rng.randint(100000, 9999999)}-{reported.year % 100:02d}"
            if police == Police.REPORTED else "",
            assigned_to_id=handler if status != Status.NEW else None, acknowledged_at=ack,
            closed_at=reported + timedelta(days=20) if status == Status.CLOSED else None,
            closing_summary=case.get("summary", ""),
        )
        incident.forms.set([forms[f] for f in case["forms"]])
        if case.get("registered"):
            add_registration(incident, users, *case["registered"])
        if case.get("actor"):
            Incident.unscoped.filter(pk=incident.pk).update(actor_pseudonym=pseudonym(fake_personnummer(rng)))
        for kind, note, review_in, author, ended in case.get("measures", []):
            add_measure(incident, kind, note, review_in, users.get(author) or handler, ended, now)
        if case.get("track"):
            add_support_track(incident, case["track"], handler, now)
        for title, owner_key, due_in in case.get("actions", []):
            owner = handler if owner_key == "handler" else users.get(owner_key)
            Action.objects.create(incident=incident, title=title, owner_id=owner or handler,
                                  due_date=timezone.localdate() + timedelta(days=due_in),
                                  created_at=ack or reported)
        count += 1
    return count


# --- the two modes ---------------------------------------------------------------

def window(now: datetime, years: float) -> tuple[date, date]:
    end = now.astimezone(TZ).date()
    return end - timedelta(days=round(365 * years)), end


def seed_history(rng: random.Random, now: datetime, *, years: float = 3, scale: float = 1.0,
                 with_story: bool = True) -> dict:
    """The realistic history: per unit and year a Poisson number of incidents
    from the unit's rate and headcount, with actions and repeated actors."""
    start, end = window(now, years)
    ensure_headcount(rng, range(start.year, end.year + 1))
    units = load_units(rng)
    maker = IncidentMaker(rng, now)
    batch = []
    owners = []
    for year in range(start.year, end.year + 1):
        days, cum = window_days(max(start, date(year, 1, 1)), min(end, date(year, 12, 31)))
        share = len(days) / 365
        # More reporting each year: the city works against underreporting.
        trend = 1 + 0.08 * (year - end.year)
        for unit in units:
            lam = unit.rate * unit.employees(year) / 100 * share * trend * scale
            for day in rng.choices(days, cum_weights=cum, k=poisson(rng, lam)):
                batch.append(maker.make(unit, day))
                owners.append(unit)
    all_days = window_days(start, end)
    by_code = {u.code: u for u in units}
    actors = 0
    for source, areas, places, count in REPEATED_ACTORS:
        candidates = [u for u in units if (u.district in places or u.code in places) and u.area in areas]
        if not candidates:
            continue
        actor = pseudonym(fake_personnummer(rng))
        actors += 1
        for _ in range(max(2, round(count * min(1.0, scale * 4)))):
            unit = rng.choice(candidates)
            day = rng.choices(all_days[0], cum_weights=all_days[1])[0]
            batch.append(maker.make(unit, day, source=source, actor=actor))
            owners.append(unit)
    # Saved in the order they were reported, so that references grow with time.
    order = sorted(range(len(batch)), key=lambda i: batch[i][0][2])
    batch, owners = [batch[i] for i in order], [owners[i] for i in order]
    saved = save_incidents(batch)
    actions = make_actions(rng, [(inc, b[2], unit) for inc, b, unit in zip(saved, batch, owners)])
    Action.objects.bulk_create(actions, batch_size=2000)
    seed_police_outcomes(rng, saved, now)
    story = add_story(rng, by_code, now) if with_story else 0
    add_support_answers(rng, [inc for inc in saved if inc.status == Status.CLOSED and inc.closed_at])
    return {"incidents": len(saved) + story, "actions": len(actions), "actors": actors,
            "units": len(units), "from": start, "to": end}


# What became of the demo's police reports: (steps in order, weight). Most
# threats against officials are closed without anyone charged; about one in
# six goes to court (Brå's figures for crimes against public officials).
POLICE_PATHS = [
    ((OutcomeStep.INVESTIGATION, OutcomeStep.NO_SUSPECT), 30),
    ((OutcomeStep.INVESTIGATION, OutcomeStep.INSUFFICIENT), 22),
    ((OutcomeStep.NO_CRIME,), 8),
    ((OutcomeStep.INVESTIGATION, OutcomeStep.PROSECUTION, OutcomeStep.JUDGMENT), 14),
    ((OutcomeStep.INVESTIGATION, OutcomeStep.PROSECUTION), 4),
    ((OutcomeStep.INVESTIGATION,), 7),
    ((OutcomeStep.WITHDRAWN,), 3),
    ((), 12),  # nothing recorded yet: the reminder asks the handler
]


def seed_police_outcomes(rng: random.Random, saved: list[Incident], now: datetime) -> int:
    """Dated steps for the police-reported cases (police.models), each step
    some weeks after the one before and never after today; the employee's
    part when the case went to court."""
    paths, weights = zip(*POLICE_PATHS)
    today = now.astimezone(TZ).date()
    steps, followups = [], []
    for incident in saved:
        if not incident.police_reference:
            continue
        day = incident.reported_at.astimezone(TZ).date()
        path = rng.choices(paths, weights=weights)[0]
        for step in path:
            day += timedelta(days=rng.randint(10, 120))
            if day > today:
                break
            steps.append(PoliceOutcome(incident=incident, step=step, on=day))
        if OutcomeStep.PROSECUTION in path and day <= today:
            followups.append(PoliceFollowUp(
                incident=incident, employee_role=EmployeeRole.INJURED_PARTY if rng.random() < 0.85
                else EmployeeRole.WITNESS,
                court_support=CourtSupport.YES if rng.random() < 0.7 else CourtSupport.NO))
    PoliceOutcome.objects.bulk_create(steps, batch_size=2000)
    PoliceFollowUp.objects.bulk_create(followups, batch_size=2000)
    return len(steps)


# The demo's old cases: so many per 100 employees, six to seven years ago.
OLD_CASES_PER_100 = 2.0
OLD_YEARS = (6, 7)


def seed_old_cases(rng: random.Random, now: datetime, *, scale: float = 1.0) -> dict:
    """A thin year of cases from six to seven years ago, closed within weeks
    and with a message from the reporter each: under the default retention
    rules (5 years after closing, docs/retention.md) they are due, so the
    first `manage.py gallra` has something to remove."""
    end = (now - timedelta(days=365 * OLD_YEARS[0])).astimezone(TZ).date()
    start = (now - timedelta(days=365 * OLD_YEARS[1])).astimezone(TZ).date()
    ensure_headcount(rng, range(start.year, end.year + 1))
    units = load_units(rng)
    maker = IncidentMaker(rng, now)
    days, cum = window_days(start, end)
    batch, owners = [], []
    for unit in units:
        lam = OLD_CASES_PER_100 * unit.employees(end.year) / 100 * scale
        for day in rng.choices(days, cum_weights=cum, k=poisson(rng, lam)):
            values, forms, form = maker.make(unit, day)
            row = dict(zip(COLUMNS, values))
            if row["closed_at"] is None:  # six years on, every case is closed
                row["status"], row["closed_at"] = str(Status.CLOSED), row["reported_at"] + timedelta(days=21)
                row["acknowledged_at"] = row["acknowledged_at"] or row["reported_at"] + timedelta(hours=20)
            batch.append((tuple(row[c] for c in COLUMNS), forms, form))
            owners.append(unit)
    order = sorted(range(len(batch)), key=lambda i: batch[i][0][2])
    batch, owners = [batch[i] for i in order], [owners[i] for i in order]
    saved = save_incidents(batch)
    actions = make_actions(rng, [(inc, b[2], unit) for inc, b, unit in zip(saved, batch, owners)])
    Action.objects.bulk_create(actions, batch_size=2000)
    Message.objects.bulk_create([
        Message(incident_id=inc.pk, author_id=inc.reporter_id, by_reporter=True,
                body=rng.choice(texts.FOLLOW_UPS), created_at=inc.reported_at + timedelta(days=2))
        for inc in saved], batch_size=2000)
    return {"incidents": len(saved), "from": start, "to": end}


def seed_bench(rng: random.Random, now: datetime, count: int, years: float, *, chunk: int = 20000,
               log=print) -> dict:
    """N incidents over Y years, spread over units by headcount and rate, in
    chunks of bulk inserts (incidents, then the forms through-table)."""
    start, end = window(now, years)
    ensure_headcount(rng, range(start.year, end.year + 1))
    units = load_units(rng)
    if not units:
        raise ValueError("no units")
    maker = IncidentMaker(rng, now)
    unit_cum = list(accumulate(max(0.01, u.rate * u.employees(end.year)) for u in units))
    days, day_cum = window_days(start, end)
    pool = [pseudonym(f"bench-{rng.random()}") for _ in range(max(10, count // 200))]
    inserter = FastInserter(Incident, COLUMNS)
    # In date order, as real reports arrive: ids follow time, and the date
    # indexes grow at their end instead of being split all over.
    all_days = sorted(rng.choices(days, cum_weights=day_cum, k=count))

    def write(batch):
        with transaction.atomic():
            insert_fast(inserter, batch)

    # On PostgreSQL a second thread (with its own connection) writes one chunk
    # while the next is generated, so the database and Python work in
    # parallel. Not inside a caller's transaction: that one must see the rows.
    writer = (ThreadPoolExecutor(max_workers=1)
              if connection.vendor == "postgresql" and not connection.in_atomic_block else None)
    pending = None
    began = time.monotonic()
    done = 0
    try:
        while done < count:
            n = min(chunk, count - done)
            chosen_units = rng.choices(units, cum_weights=unit_cum, k=n)
            chosen_days = all_days[done:done + n]
            batch = [maker.make(unit, day, actor=rng.choice(pool) if rng.random() < 0.03 else "")
                     for unit, day in zip(chosen_units, chosen_days)]
            if writer:
                if pending:
                    pending.result()
                pending = writer.submit(write, batch)
            else:
                write(batch)
            done += n
            elapsed = time.monotonic() - began
            log(f"  {done:>9,} / {count:,} händelser  ({elapsed:5.1f} s; {done / elapsed:,.0f}/s)"
                .replace(",", " "))
        if pending:
            pending.result()
    finally:
        if writer:
            writer.submit(connections.close_all).result()
            writer.shutdown()
    return {"incidents": count, "seconds": time.monotonic() - began, "from": start, "to": end}


def build_base(rng: random.Random) -> dict:
    """Organisation, headcount for the current year and people (no incidents)."""
    nodes = build_organisation(rng)
    this_year = timezone.localdate().year
    ensure_headcount(rng, range(this_year, this_year + 1))
    people = build_people(rng, nodes)
    # Stockholm's districts and their local police areas, read as an
    # administrator would read them in (police.areas).
    import_police_areas((Path(__file__).parent / "police_areas.csv").read_bytes(), actor_label="seed_demo")
    return {"nodes": len(nodes), **people}


def logins() -> list[dict]:
    """The persona table: one fixed login per role."""
    users = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in data.PERSONAS])
             .prefetch_related("assignments__node")}
    rows = []
    for username, _first, _last, _gender, role, _code, what in data.PERSONAS:
        user = users.get(username)
        if not user:
            continue
        assignment = next((a for a in user.assignments.all() if a.role == role), None)
        node = assignment.node if assignment else None
        scope = node.name if node else ""
        if node and node.kind in (Kind.UNIT, Kind.DEPARTMENT):
            administration = node.administration()
            scope = f"{scope}, {administration.name}" if administration else scope
        rows.append({"role": str(Role(role).label), "username": username, "name": user.get_full_name(),
                     "scope": scope, "what": what})
    return rows


# --- police cooperation ------------------------------------------------------------------

POLICE_MEASURES = [
    ("Gemensam trygghetsvandring kring tunnelbanestationen", "police", "Kommunpolisen", 30, "done"),
    ("Larmknapp och säkerhetsdörr i receptionen på försörjningsstödet", "city", "Enhetschef för försörjningsstöd",
     300, "open"),
    ("Kontaktväg till polisen för handläggare som hotas i sociala medier", "police", "Lokalpolisområdets "
     "brottssamordnare", 200, "open"),
    ("Information om polisanmälan på APT i alla enheter", "city", "Säkerhetssamordnaren", 330, "open"),
    ("Återkoppling till staden om utfall av anmälda hot mot tjänsteman", "police", "Kommunpolisen", 20,
     "cancelled"),
]


def seed_police_cooperation(now: datetime) -> int:
    """Every district's agreement with its local police area (from the
    mapping), recorded by its security coordinator; in the demo district
    three meetings with notes and measures."""
    from cycle import services as cycle_services
    from cycle.models import Duty, DutyOccurrence
    from police import cooperation
    from police.models import Agreement, Measure
    from situation.lens import add_months

    today = now.astimezone(TZ).date()
    made = 0
    for code, _name, _factor in data.DISTRICTS:
        district = OrgUnit.objects.get(code=code)
        coordinator = User.objects.filter(assignments__node=district, assignments__active=True,
                                          assignments__role=Role.SECURITY_COORDINATOR, is_active=True).first()
        area = areas_area_of(district)
        if coordinator is None or area is None or Agreement.objects.filter(node=district).exists():
            continue
        agreement = Agreement(
            node=district, area=area, city_party=district.name.replace("stadsdelsförvaltning", "stadsdelsnämnd"),
            police_party=f"Lokalpolisområde {area.name}, {area.region.name}",
            valid_from=date(today.year, 1, 1), valid_to=date(today.year + 1, 12, 31),
            city_contact="Säkerhetssamordnare", police_contact="Kommunpolis",
            rhythm="tertial" if code != data.DEMO_DISTRICT else "quarterly", meeting_day=12)
        cooperation.save_agreement(coordinator, agreement)
        made += 1
        if code != data.DEMO_DISTRICT:
            # The other districts' meetings so far were held (without notes in Värn).
            for occurrence in DutyOccurrence.objects.filter(duty_id=agreement.duty_id, due_date__lt=today):
                cycle_services.mark_done(coordinator, occurrence, done_at=occurrence.due_date)
            continue
        for months_ago, notes in ((9, "Genomgång av lägesbilden. Polisen ser fler hot i sociala medier mot "
                                       "handläggare inom barn och unga."),
                                  (6, "Uppföljning av trygghetsvandringen. Larmknappen är beställd."),
                                  (3, "")):
            held = add_months(today, -months_ago).replace(day=12)
            meeting = cooperation.create_meeting(coordinator, agreement.pk, held_on=held,
                                                 period_start=add_months(held.replace(day=1), -4),
                                                 period_end=held.replace(day=1) - timedelta(days=1))
            if notes:
                cooperation.save_notes(coordinator, meeting.pk, notes)
            if months_ago == 9:
                for title, side, owner, days, status in POLICE_MEASURES:
                    measure = cooperation.add_measure(coordinator, meeting.pk, title=title, side=side, owner=owner,
                                                      due_date=held + timedelta(days=days))
                    if status != Measure.Status.OPEN:
                        cooperation.set_measure_status(coordinator, measure.pk, status)
        Duty.objects.filter(pk=agreement.duty_id).update(owner=coordinator)
    return made
