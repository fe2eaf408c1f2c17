"""Holds (bevarande) and the retention rules: the domain functions behind
the pages. Each checks the permission, saves, audits, and says so."""
import re

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from audit.log import record
from incidents import access
from organisation.models import Role
from retention import schedule
from retention.models import Hold, RetentionRule

HOLD_ROLES = (Role.SECURITY_COORDINATOR, Role.HR)


class RuleRefused(ValueError):
    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


RULE_ROLES = (Role.ADMIN, Role.ARCHIVIST)


def may_set_rules(user) -> bool:
    """The administrator and the archivist (arkivarie) set the schedule and
    see the preview and the runs: counts by kind and year, never a case."""
    return bool(user and user.is_authenticated and user.is_active and user.has_role(*RULE_ROLES))


def may_hold(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active
                and any(user.has_role(role) for role in HOLD_ROLES))


def set_rule(user, code: str, period, keep_forever: bool, reason: str) -> RetentionRule:
    """Save the administrator's rule for `code` (RuleRefused with the
    Swedish problems when it is below the floor, forever without a reason, or
    out of order with the audit log's rule). Audited with old and new."""
    if not may_set_rules(user):
        raise Http404
    current = schedule.rules()
    problems = schedule.problems(code, period, keep_forever, reason, current)
    if problems:
        raise RuleRefused(problems)
    old = current[code]
    with transaction.atomic():
        rule, _created = RetentionRule.objects.update_or_create(kind=code, defaults={
            "period": period if not keep_forever else (period or old.period), "keep_forever": keep_forever,
            "reason": (reason or "").strip() if keep_forever else (reason or "").strip(),
            "updated_by": user, "updated_at": timezone.now()})
        record(user, "retention.rule.change", rule, changes={
            "kind": [code, code], "period": [old.period, rule.period],
            "keep_forever": [old.keep_forever, rule.keep_forever], "reason": [old.reason, rule.reason]})
    return rule


_REFERENCE = re.compile(r"^\s*V?-?0*(\d{1,9})\s*$", re.IGNORECASE)


def find_case(user, text: str):
    """The case a coordinator or HR typed (V-000123 or 123) if they may hold it; None otherwise."""
    match = _REFERENCE.match(text or "")
    if not match:
        return None
    return access.holdable_incidents(user).filter(pk=int(match.group(1))).first()


def place_hold(user, incident, reason: str) -> Hold:
    """Put a case on hold (404 outside the user's scope). Audited."""
    if not access.holdable_incidents(user).filter(pk=incident.pk).exists():
        raise Http404
    try:
        with transaction.atomic():
            hold = Hold.objects.create(incident=incident, reason=reason, placed_by=user)
            record(user, "retention.hold.place", hold, incident=incident, changes={"reason": [None, reason]})
    except IntegrityError:
        return Hold.objects.get(incident=incident, lifted_at__isnull=True)
    return hold


def lift_hold(user, hold_id) -> Hold:
    """Lift a hold in the user's scope (404 otherwise). Audited."""
    with transaction.atomic():
        hold = (Hold.objects.select_for_update()
                .filter(pk=hold_id, lifted_at__isnull=True, incident__in=access.holdable_incidents(user)).first())
        if hold is None:
            raise Http404
        hold.lifted_at, hold.lifted_by = timezone.now(), user
        hold.save(update_fields=["lifted_at", "lifted_by"])
        record(user, "retention.hold.lift", hold, incident=hold.incident, changes={"lifted_at": [None, hold.lifted_at]})
    return hold


def holds_for(user):
    """Holds in force on the cases in the user's scope."""
    return (Hold.objects.filter(lifted_at__isnull=True, incident__in=access.holdable_incidents(user))
            .select_related("incident", "incident__unit", "placed_by").order_by("placed_at", "pk"))
