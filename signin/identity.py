"""Who a signed-in person is in Värn, from the identity provider's claims.

The account is found by the provider's stable subject, else by employee
number (never by e-mail), created if new, and brought up to date: name,
e-mail, gender, unit (an employee role at the unit the claim names) and the
roles its groups map to (GroupRoleMapping). A group that no longer maps
loses its role here, at the next sign-in. Every change is audited."""
import hashlib
import logging

from django.db import transaction
from django.utils import timezone

from organisation.models import GroupRoleMapping, OrgUnit, Role, RoleAssignment, User
from organisation.provisioning import parse_gender, sync_assignments, update_person
from signin.config import claim_name
from signin.errors import SignInError

LOGGER = logging.getLogger(__name__)
ACTOR = "Inloggningen"


def _text(claims: dict, key: str) -> str:
    name = claim_name(key)
    if not name:
        return ""
    value = claims.get(name)
    if value is None:
        return ""
    return str(value).strip()


def _required(claims: dict, key: str) -> str:
    value = _text(claims, key)
    if not value:
        raise SignInError("missing_claim", claim_name(key))
    return value


def _groups(claims: dict) -> list[str]:
    name = claim_name("groups")
    value = claims.get(name) if name else None
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    return [str(g).strip() for g in value if str(g).strip()]


def _username(number: str, subject: str) -> str:
    base = number or "oidc-" + hashlib.sha256(subject.encode()).hexdigest()[:16]
    username, n = base[:150], 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base[:140]}-{n}"
    return username


def mapped_roles(groups: list[str]) -> set[tuple[str, int]]:
    return set(GroupRoleMapping.objects.filter(group__in=groups, active=True, node__active=True)
               .values_list("role", "node_id"))


def sign_in(claims: dict) -> User:
    """The user these claims belong to, created or updated, with their roles
    synchronised. Raises SignInError when the person may not sign in."""
    subject = _required(claims, "subject")
    number = _required(claims, "employee_number") if claim_name("employee_number") else ""
    groups = _groups(claims)
    desired = mapped_roles(groups)
    unit = None
    unit_code = _text(claims, "unit")
    if unit_code:
        unit = OrgUnit.objects.filter(code=unit_code, active=True).first()
        if unit is None:
            LOGGER.info("signin: the unit claim names no active unit")

    with transaction.atomic():
        user = User.objects.select_for_update().filter(oidc_subject=subject).first()
        if user is None and number:
            user = User.objects.select_for_update().filter(employee_number=number).first()
            if user is not None and user.oidc_subject:
                # The number belongs to another identity at the provider.
                raise SignInError("conflict")
        if user is not None and number and User.objects.filter(employee_number=number).exclude(pk=user.pk).exists():
            raise SignInError("conflict")
        if user is not None and (not user.is_active or (
                user.employment_end and user.employment_end < timezone.localdate())):
            raise SignInError("inactive")
        if user is None and not desired and unit is None:
            LOGGER.info("signin: refused a new account with %d groups, none mapped", len(groups))
            raise SignInError("no_role")

        values = {"oidc_subject": subject}
        for key in ("first_name", "last_name", "email"):
            claim = {"first_name": "given_name", "last_name": "family_name"}.get(key, key)
            if claim_name(claim) and claim_name(claim) in claims:
                values[key] = _text(claims, claim)[:150 if key != "email" else 254]
        if number:
            values["employee_number"] = number
        if claim_name("gender") and claim_name("gender") in claims:
            gender = parse_gender(_text(claims, "gender"))
            if gender is not None:
                values["gender"] = gender
        if user is None:
            user = User(username=_username(number, subject))
            user.set_unusable_password()
        update_person(user, values, actor_label=ACTOR)
        sync_assignments(user, desired, RoleAssignment.Source.IDP, actor_label=ACTOR)
        if unit is not None:
            sync_assignments(user, {(Role.EMPLOYEE, unit.pk)}, RoleAssignment.Source.HR,
                             roles=[Role.EMPLOYEE], actor_label=ACTOR)
    # Outside the transaction: the roles taken away above stay taken away.
    if not user.roles():
        raise SignInError("no_role")
    return user
