"""Repeated actors: who exerted the influence, kept only as a keyed pseudonym.

A handler may record the actor's Swedish personal identity number
(personnummer, or samordningsnummer) or organisation number. The number is
validated, normalised (12 digits for a person, 10 for an organisation) and
replaced by HMAC-SHA256 with settings.PSEUDONYM_KEY. The number itself is
never stored, logged or shown again; the audit log gets the first eight
characters of the old and new pseudonym.

Security coordinators and HR of the case's district may learn that the same
actor appears in other cases of other units or districts: how many, and
where, never what those cases say. That lookup deliberately reaches outside
their own scope (it is the point of the feature), so it returns only counts
and the names of units and districts.
"""
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.log import record
from incidents import access
from organisation.models import OrgUnit

PATTERN = re.compile(r"^(\d{6}|\d{8})([-+]?)(\d{4})$")
PREFIX = 8


@dataclass(frozen=True)
class Identifier:
    kind: str  # "person" or "organisation"
    normalised: str


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def parse_identifier(raw: str, today: date | None = None) -> Identifier:
    """Validate a personnummer, samordningsnummer or organisationsnummer."""
    today = today or timezone.localdate()
    text = re.sub(r"\s+", "", raw or "")
    if not text:
        raise ValidationError(_("Ange ett personnummer, samordningsnummer eller organisationsnummer."),
                              code="required")
    match = PATTERN.match(text)
    if not match:
        raise ValidationError(
            _("Skriv numret som ÅÅMMDD-NNNN eller ÅÅÅÅMMDD-NNNN (personnummer) eller "
              "NNNNNN-NNNN (organisationsnummer)."), code="format")
    head, sep, tail = match.groups()
    if len(head) == 8:
        if sep == "+":
            raise ValidationError(_("Plustecknet används bara i den tiosiffriga formen (ÅÅMMDD+NNNN)."),
                                  code="format")
        ten = head[2:] + tail
        if head[:2] == "16" and int(ten[2]) >= 2:
            return _organisation(ten)
        return _person(int(head[:4]), ten, today)
    ten = head + tail
    if int(ten[2]) >= 2:
        # A month of 20 or more cannot be a person: organisation numbers
        # have a third digit of at least 2.
        if sep == "+":
            raise ValidationError(_("Ett organisationsnummer skrivs med bindestreck, inte plustecken."),
                                  code="format")
        return _organisation(ten)
    century = today.year // 100 * 100
    year = century + int(ten[:2])
    if _birth_date(year, ten) is None or _birth_date(year, ten) > today:
        year -= 100
    if sep == "+":  # a hundred years or older
        year -= 100
    return _person(year, ten, today)


def _birth_date(year: int, ten: str) -> date | None:
    month, day = int(ten[2:4]), int(ten[4:6])
    if day > 60:  # samordningsnummer: the day plus 60
        day -= 60
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _person(year: int, ten: str, today: date) -> Identifier:
    born = _birth_date(year, ten)
    if born is None:
        raise ValidationError(_("Datumet i personnumret finns inte. Kontrollera år, månad och dag."),
                              code="date")
    if born > today:
        raise ValidationError(_("Datumet i personnumret ligger i framtiden."), code="date")
    if not luhn_ok(ten):
        raise ValidationError(_("Kontrollsiffran (den sista siffran) stämmer inte. Kontrollera att numret "
                                "är rätt skrivet."), code="checksum")
    return Identifier("person", f"{year:04d}{ten[2:]}")


def _organisation(ten: str) -> Identifier:
    if not luhn_ok(ten):
        raise ValidationError(_("Kontrollsiffran (den sista siffran) stämmer inte. Kontrollera att numret "
                                "är rätt skrivet."), code="checksum")
    return Identifier("organisation", ten)


def pseudonym(normalised: str) -> str:
    return hmac.new(settings.PSEUDONYM_KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()


def set_actor(user, incident, new_pseudonym: str) -> bool:
    """Record (or clear, with "") the actor's pseudonym on a case.

    Side effects: checks that the user may handle the case (PermissionError
    otherwise), saves the field, and writes an audit entry with the first
    eight characters of the old and new pseudonym. Returns False when
    nothing changed (no entry is written then)."""
    if not access.can_handle(user, incident):
        raise PermissionError("user may not handle this case")
    old = incident.actor_pseudonym or ""
    if old == new_pseudonym:
        return False
    incident.actor_pseudonym = new_pseudonym
    incident.save(update_fields=["actor_pseudonym"])
    record(user, "incident.actor", incident, incident=incident,
           changes={"actor_pseudonym": [old[:PREFIX], new_pseudonym[:PREFIX]]})
    return True


@dataclass
class Occurrences:
    count: int
    units: list[str]
    districts: list[str]


def _district_names(paths: list[str]) -> dict[str, str]:
    """Path -> name of the administration (district) on that path."""
    ids = {int(p.strip("/").split("/")[1]) for p in paths if p.count("/") >= 3}
    names = dict(OrgUnit.objects.filter(pk__in=ids, kind=OrgUnit.Kind.ADMINISTRATION)
                 .values_list("pk", "name"))
    result = {}
    for p in paths:
        parts = p.strip("/").split("/")
        result[p] = names.get(int(parts[1])) if len(parts) > 1 else None
    return result


def other_occurrences(user, incident) -> Occurrences | None:
    """Where else the case's actor appears, for those who may know; None
    for everyone else. Counts and place names only."""
    if not incident.actor_pseudonym or not access.may_know_matches(user, incident):
        return None
    rows = list(
        access.actor_matches(user, incident.unit, [incident.actor_pseudonym]).exclude(pk=incident.pk)
        .values("unit__name", "unit__path").annotate(n=Count("id")).order_by("unit__path")
    )
    districts = _district_names([r["unit__path"] for r in rows])
    return Occurrences(
        count=sum(r["n"] for r in rows),
        units=sorted({r["unit__name"] for r in rows}),
        districts=sorted({d for d in districts.values() if d}),
    )


@dataclass
class RepeatedActor:
    pseudonym: str
    here: int
    elsewhere: int
    units: list[str]
    districts: list[str]

    @property
    def short(self) -> str:
        return self.pseudonym[:PREFIX]


def repeated_actors(user, node, scoped_qs, limit: int = 20) -> list[RepeatedActor] | None:
    """Actors in the user's cases of the period that appear more than once
    in the city, for coordinators and HR covering the node; None otherwise."""
    if not access.may_know_matches_at(user, node):
        return None
    with_actor = scoped_qs.exclude(actor_pseudonym="").order_by()
    here = {r["actor_pseudonym"]: r["n"]
            for r in with_actor.values("actor_pseudonym").annotate(n=Count("id"))}
    if not here:
        return []
    rows = list(
        access.actor_matches(user, node, here).exclude(pk__in=with_actor.values("pk"))
        .values("actor_pseudonym", "unit__name", "unit__path").annotate(n=Count("id")).order_by()
    )
    districts = _district_names([r["unit__path"] for r in rows])
    result = []
    for p, n in here.items():
        others = [r for r in rows if r["actor_pseudonym"] == p]
        elsewhere = sum(r["n"] for r in others)
        if n + elsewhere < 2:
            continue
        result.append(RepeatedActor(
            pseudonym=p, here=n, elsewhere=elsewhere,
            units=sorted({r["unit__name"] for r in others}),
            districts=sorted({districts[r["unit__path"]] for r in others if districts.get(r["unit__path"])}),
        ))
    result.sort(key=lambda a: (-(a.here + a.elsewhere), a.pseudonym))
    return result[:limit]
