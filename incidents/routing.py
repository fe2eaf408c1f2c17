"""Who a report goes to: its handlers and who is informed.

Routing picks candidate people from role assignments (organisation.tree) and
keeps those that incidents.access lets reach the case, so access is still
decided in one place.
"""
import hashlib
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents import access
from incidents.models import Incident
from organisation.models import OrgUnit, Role
from organisation.tree import nearest_holders_by_role

# The source a reporter picks when they do not know or will not say who it
# was (shown on the form as "Vet inte / vill inte säga"). Such a report does
# not reach the unit's managers unless the reporter says they may see it.
UNKNOWN_SOURCE = "okand"

# How a role reads inside a sentence on the receipt ("Anna Berg (chef)").
ROLE_NOUNS = {
    Role.MANAGER: gettext_lazy("chef"),
    Role.SECURITY_COORDINATOR: gettext_lazy("säkerhetssamordnare"),
    Role.HR: gettext_lazy("HR"),
    Role.SAFETY_REP: gettext_lazy("skyddsombud"),
}


@dataclass
class Routing:
    """Who a report goes to. handlers act on it; informed are told about it."""

    handlers: list = field(default_factory=list)
    informed: list = field(default_factory=list)
    bypass: bool = False
    roles: dict = field(default_factory=dict)   # user pk → role label, for the receipt

    def described(self, users) -> list[tuple[str, object]]:
        return [(self.roles.get(u.pk, ""), u) for u in users]

    @property
    def everyone(self) -> list:
        return self.handlers + [u for u in self.informed if u not in self.handlers]


def decide_bypass(source, manager_may_see: bool = False) -> bool:
    """Whether a report with this source goes past the unit's managers.

    Always for a source inside the organisation or its governance (manager,
    colleague, elected official: Source.bypasses_management), whatever else
    was said. For "vet inte / vill inte säga", or no source at all, too,
    unless the reporter said that their manager may see the report. A named
    outside source (a client, a relative …) goes the normal way."""
    if source is not None and source.bypasses_management:
        return True
    if source is None or source.code == UNKNOWN_SOURCE:
        return not manager_may_see
    return False


# Every role a report can be routed to, for candidates().
ROUTED_ROLES = (Role.MANAGER, Role.SECURITY_COORDINATOR, Role.HR, Role.SAFETY_REP)


def candidates(unit: OrgUnit, reporter_id=None) -> dict[str, list]:
    """The people nearest the unit in each routed role (the reporter left
    out), for route(). A page that previews several answers for the same
    unit (the report form before the routing question is answered) reads
    them once and passes them to each route() call."""
    return nearest_holders_by_role(unit, ROUTED_ROLES, reporter_id)


def route(incident: Incident, people: dict[str, list] | None = None) -> Routing:
    """Recipients of a report.

    Normally the unit's nearest managers and the district's security
    coordinator handle it and the safety representative is informed. When the
    source is inside the organisation or its governance (manager, colleague,
    elected official) the unit's management is bypassed: the security
    coordinator and HR of the district receive it instead. Everyone returned
    can open the case according to incidents.access (access.would_reach, the
    rules of handleable_incidents and visible_incidents read from the
    candidates' assignments, so routing asks the database nothing per
    person), and the reporter is never among them. The incident need not be
    saved: the report form shows the recipients of what has been typed
    before it is sent. `people` is candidates() for the incident's unit and
    reporter, when the caller has it already."""
    people = people if people is not None else candidates(incident.unit, incident.reporter_id)
    if incident.bypasses_management:
        handler_roles, informed_roles = (Role.SECURITY_COORDINATOR, Role.HR), ()
    else:
        handler_roles, informed_roles = (Role.MANAGER, Role.SECURITY_COORDINATOR), (Role.SAFETY_REP,)
    routing = Routing(bypass=incident.bypasses_management)
    for role in handler_roles:
        for user in people[role]:
            if user not in routing.handlers and access.would_reach(user, incident, handle=True):
                routing.handlers.append(user)
                routing.roles.setdefault(user.pk, ROLE_NOUNS[role])
    for role in informed_roles:
        for user in people[role]:
            if (user not in routing.handlers and user not in routing.informed
                    and access.would_reach(user, incident, handle=False)):
                routing.informed.append(user)
                routing.roles.setdefault(user.pk, ROLE_NOUNS[role])
    return routing


def signature(routing: Routing) -> str:
    """A short fingerprint of who receives a report. The report form carries
    the fingerprint of the recipients it showed, so that the server sends a
    report only to the people the reporter was shown (see reporting.views)."""
    ids = ",".join(str(u.pk) for u in routing.handlers) + "|" + ",".join(str(u.pk) for u in routing.informed)
    return hashlib.sha256(f"{int(routing.bypass)}|{ids}".encode()).hexdigest()[:16]


def describe(routing: Routing) -> dict:
    """The recipients in words, for the report form: "Anna Berg
    (säkerhetssamordnare), Maria Ek (HR)" and who is only informed."""
    def names(users):
        return ", ".join(f"{u} ({routing.roles[u.pk]})" if routing.roles.get(u.pk) else str(u) for u in users)
    return {
        "handlers": names(routing.handlers) or _("förvaltningens säkerhetssamordnare"),
        "informed": names(routing.informed),
        "bypass": routing.bypass,
    }


def support_contacts(unit: OrgUnit) -> list[tuple[str, object]]:
    """People an exposed employee can turn to right now: the district's
    security coordinator(s) and HR, as (role label, user)."""
    roles = (Role.SECURITY_COORDINATOR, Role.HR)
    people = nearest_holders_by_role(unit, roles)
    return [(ROLE_NOUNS[role], user) for role in roles for user in people[role]]
