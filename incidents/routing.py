"""Who a report goes to: its handlers and who is informed.

Routing picks candidate people from role assignments (organisation.tree) and
keeps those that incidents.access lets reach the case, so access is still
decided in one place.
"""
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy

from incidents import access
from incidents.models import Incident
from organisation.models import OrgUnit, Role
from organisation.tree import nearest_holders

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


def route(incident: Incident) -> Routing:
    """Recipients of a report.

    Normally the unit's nearest managers and the district's security
    coordinator handle it and the safety representative is informed. When the
    source is inside the organisation or its governance (manager, colleague,
    elected official) the unit's management is bypassed: the security
    coordinator and HR of the district receive it instead. Everyone returned
    can open the case according to incidents.access, and the reporter is
    never among them."""
    unit, reporter = incident.unit, incident.reporter_id
    if incident.bypasses_management:
        handler_roles, informed_roles = (Role.SECURITY_COORDINATOR, Role.HR), ()
    else:
        handler_roles, informed_roles = (Role.MANAGER, Role.SECURITY_COORDINATOR), (Role.SAFETY_REP,)
    routing = Routing(bypass=incident.bypasses_management)
    for role in handler_roles:
        for user in nearest_holders(unit, role, reporter):
            if user not in routing.handlers and access.can_handle(user, incident):
                routing.handlers.append(user)
                routing.roles.setdefault(user.pk, ROLE_NOUNS[role])
    for role in informed_roles:
        for user in nearest_holders(unit, role, reporter):
            if (user not in routing.handlers and user not in routing.informed
                    and access.visible_incidents(user).filter(pk=incident.pk).exists()):
                routing.informed.append(user)
                routing.roles.setdefault(user.pk, ROLE_NOUNS[role])
    return routing


def support_contacts(unit: OrgUnit) -> list[tuple[str, object]]:
    """People an exposed employee can turn to right now: the district's
    security coordinator(s) and HR, as (role label, user)."""
    contacts = []
    for role in (Role.SECURITY_COORDINATOR, Role.HR):
        for user in nearest_holders(unit, role):
            contacts.append((ROLE_NOUNS[role], user))
    return contacts
