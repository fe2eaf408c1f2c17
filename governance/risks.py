"""The risk and materiality analysis: a committee's risk register for a year.

Värn proposes the standard risks of unlawful influence (STANDARD). Each risk
is scored for likelihood and consequence on the city's 1–4 scales with a
written reason, carries the evidence from the situation picture as figures,
the controls in place and the decision: accept, act (actions with owner and
deadline, followed up) or the internal control plan (what is checked, how,
by whom, when).

The evidence is computed through situation.stats.build for the register's
node, always suppressed as for the committee (small counts "<5", protected
figures): the register is a committee document. It is frozen on the risk
when attached, with its period; attaching again replaces it.

Every function that changes something checks the permission
(governance.permissions), saves and audits ("risk.*" with old → new), and
says so. A risk has an optimistic lock (Risk.revision).
"""
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.log import diff, record, snapshot
from governance import permissions
from governance.models import Risk, RiskAction, RiskRegister
from incidents import access
from organisation.models import OrgUnit, Role, User
from situation import stats
from situation.forms import load_terms
from situation.lens import Lens, last_twelve_months

# (key, title, description, evidence filters)
STANDARD = [
    ("hot_hembesok", gettext_lazy("Hot och våld vid hembesök"),
     gettext_lazy("Medarbetare som gör hembesök möter brukare eller anhöriga ensamma, utan larm och långt från "
                  "kollegor."),
     {"forms": ["hot", "vald"], "channels": ["hembesok"]}),
    ("hot_mote", gettext_lazy("Hot och våld i möten på kontoret"),
     gettext_lazy("Besked om beslut lämnas i möten där besökaren kan reagera med hot eller våld."),
     {"forms": ["hot", "vald"], "channels": ["mote"]}),
    ("korruption_utforare", gettext_lazy("Korruptionsförsök från utförare och leverantörer"),
     gettext_lazy("Näringsidkare och utförare med avtal erbjuder gåvor, tjänster eller förmåner för att påverka "
                  "beslut och uppföljning."),
     {"forms": ["korruption"], "sources": ["utforare"]}),
    ("fortroendevalda", gettext_lazy("Påverkan genom förtroendevalda"),
     gettext_lazy("Förtroendevalda försöker påverka handläggningen av enskilda ärenden."),
     {"sources": ["fortroendevald"]}),
    ("chef_kollega", gettext_lazy("Påverkan från chef eller kollega"),
     gettext_lazy("Påtryckningar inifrån organisationen att fatta eller ändra ett beslut."),
     {"sources": ["intern"]}),
    ("natverk", gettext_lazy("Påtryckningar från kriminella nätverk"),
     gettext_lazy("Kriminella nätverk försöker styra beslut, ofta genom hot mot medarbetaren eller familjen."),
     {"sources": ["natverk"]}),
    ("trakasserier_natet", gettext_lazy("Trakasserier och hängning i sociala medier"),
     gettext_lazy("Medarbetare hängs ut, filmas eller kartläggs på nätet för att sätta press på dem."),
     {"forms": ["trakasserier"], "channels": ["sociala_medier"]}),
    ("underrapportering", gettext_lazy("Underrapportering och normalisering"),
     gettext_lazy("Händelser rapporteras inte eller polisanmäls inte, så att påverkan blir normal och "
                  "lägesbilden ofullständig."),
     {}),
    ("omsattning", gettext_lazy("Hög personalomsättning och arbetsbelastning"),
     gettext_lazy("Risken för otillåten påverkan ökar med personalomsättning och hög arbetsbelastning, "
                  "enligt stadsrevisionens granskning."),
     {}),
]

LEVEL_LABELS = {"low": gettext_lazy("Låg"), "medium": gettext_lazy("Medel"), "high": gettext_lazy("Hög"),
                "very_high": gettext_lazy("Mycket hög")}
LIKELIHOOD_LABELS = {1: gettext_lazy("1 – Osannolik"), 2: gettext_lazy("2 – Mindre sannolik"),
                     3: gettext_lazy("3 – Möjlig"), 4: gettext_lazy("4 – Sannolik")}
CONSEQUENCE_LABELS = {1: gettext_lazy("1 – Försumbar"), 2: gettext_lazy("2 – Lindrig"),
                      3: gettext_lazy("3 – Kännbar"), 4: gettext_lazy("4 – Allvarlig")}
RISK_FIELDS = ["title", "description", "likelihood", "consequence", "reason", "controls", "decision",
               "decision_note", "control_what", "control_how", "control_who", "control_when"]


class RiskError(Exception):
    """Input the rules refuse; `errors` maps fields to Swedish messages."""

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.errors = errors or {}


class RiskConflict(RiskError):
    """Someone else saved the risk since the user loaded it."""


# --- who -------------------------------------------------------------------------

READ_ROLES = permissions.DRAFT_ROLES + (Role.ANALYST,)


def readable_nodes(user) -> list[OrgUnit]:
    """The city and districts whose registers the user may read."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    return list(access.covered_nodes(user, roles=READ_ROLES)
                .filter(kind__in=permissions.PLAN_KINDS, active=True).order_by("path"))


def get_register(user, pk) -> RiskRegister:
    """404 unless the user covers the register's node with a reading role."""
    try:
        register = RiskRegister.objects.select_related("node").get(pk=pk)
    except (RiskRegister.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not access.covered_nodes(user, roles=READ_ROLES).filter(pk=register.node_id).exists():
        raise Http404
    return register


def may_edit(user, register) -> bool:
    return permissions.may_edit(user, register.node)


def get_risk(user, pk, *, edit=False) -> Risk:
    """The risk if the user reads its register or owns one of its actions
    (404 otherwise); with edit, PermissionDenied unless they may edit."""
    try:
        risk = Risk.objects.select_related("register__node").get(pk=pk)
    except (Risk.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not risk.actions.filter(owner_id=getattr(user, "pk", None)).exists():
        get_register(user, risk.register_id)  # an action's owner reads the risk it belongs to
    if edit and not may_edit(user, risk.register):
        raise PermissionDenied
    return risk


def owners(register) -> list[User]:
    """Who may own an action: people with a role at the node or below (not
    staff-only accounts)."""
    roles = [Role.MANAGER, Role.SECURITY_COORDINATOR, Role.HR, Role.SAFETY_REP, Role.COMMITTEE]
    return list(User.objects.filter(is_active=True, assignments__active=True, assignments__role__in=roles,
                                    assignments__node__path__startswith=register.node.path)
                .distinct().order_by("first_name", "last_name", "username"))


# --- the evidence -------------------------------------------------------------------

@dataclass
class Figure:
    label: str
    text: str
    note: str = ""


def evidence_lens(register, risk, today: date) -> Lens:
    """The twelve months up to today, or the register's year before it when
    the register is for a year that has not begun."""
    start, end = last_twelve_months(today)
    if register.year < today.year:
        start, end = date(register.year, 1, 1), date(register.year, 12, 31)
    f = risk.filters or {}
    return Lens(node=register.node, start=start, end=end, period="intervall", forms=list(f.get("forms", [])),
                sources=list(f.get("sources", [])), channels=list(f.get("channels", [])))


def evidence_figures(user, register, risk, today: date) -> tuple[Lens, list[Figure]]:
    """The risk's figures from the situation picture, suppressed as for the
    committee. Side effects: none."""
    from situation.templatetags.situation_tags import key_figure_rows

    lens = evidence_lens(register, risk, today)
    picture = stats.build(user, lens, load_terms(), suppress=True, drill=False)
    # Reports, per 100 employees, against the year before, police-reported share.
    rows = [Figure(str(row.label), row.text, str(row.note)) for row in key_figure_rows(picture)[:4]]
    if lens.has_filters:
        rows.insert(0, Figure(_("Urval"), "; ".join(lens.describe_filters(load_terms()))))
    return lens, rows


# --- changes -------------------------------------------------------------------------

def create_register(user, node, year: int) -> RiskRegister:
    """The node's register for the year with Värn's standard risks proposed
    (unscored), or the existing one. Checks: HR or the security coordinator
    at the node or above; the city or a district; a sensible year. Audits
    "risk.register" and "risk.create" per proposed risk."""
    if node.kind not in permissions.PLAN_KINDS:
        raise RiskError(_("Riskregister finns för staden och för förvaltningarna."))
    if not permissions.may_edit(user, node):
        raise PermissionDenied
    today = timezone.localdate()
    if not today.year - 5 <= year <= today.year + 1:
        raise RiskError(_("Året måste vara mellan %(a)s och %(b)s.") % {"a": today.year - 5, "b": today.year + 1})
    with transaction.atomic():
        register, created = RiskRegister.objects.get_or_create(node=node, year=year,
                                                               defaults={"created_by": user})
        if not created:
            return register
        record(user, "risk.register", register, changes={"year": [None, year], "node": [None, str(node.pk)]})
        for position, (key, title, description, filters) in enumerate(STANDARD, start=1):
            risk = Risk.objects.create(register=register, standard_key=key, position=position, title=str(title),
                                       description=str(description), filters=filters)
            record(user, "risk.create", risk, changes={"title": [None, risk.title]})
    return register


def add_risk(user, register_pk, *, title, description) -> Risk:
    """A risk of the committee's own. Checks: may edit. Audits "risk.create"."""
    with transaction.atomic():
        register = get_register(user, register_pk)
        if not may_edit(user, register):
            raise PermissionDenied
        if not (title or "").strip():
            raise RiskError(_("Skriv vad risken är."), {"title": _("Skriv vad risken är.")})
        last = register.risks.order_by("-position").values_list("position", flat=True).first() or 0
        risk = Risk.objects.create(register=register, position=last + 1, title=title.strip(),
                                   description=description or "")
        record(user, "risk.create", risk, changes={"title": [None, risk.title]})
    return risk


def validate(values: dict) -> dict:
    """Field errors (field → Swedish message) of an assessment."""
    errors = {}
    for name, label in (("likelihood", _("Sannolikheten")), ("consequence", _("Konsekvensen"))):
        value = values.get(name)
        if value is not None and value not in (1, 2, 3, 4):
            errors[name] = _("%(what)s anges på skalan 1–4.") % {"what": label}
    scored = values.get("likelihood") is not None or values.get("consequence") is not None
    if scored and (values.get("likelihood") is None or values.get("consequence") is None):
        key = "consequence" if values.get("likelihood") is not None else "likelihood"
        errors.setdefault(key, _("Ange både sannolikhet och konsekvens, eller ingen av dem."))
    if scored and not (values.get("reason") or "").strip():
        errors["reason"] = _("Motivera bedömningen: varför just denna sannolikhet och konsekvens?")
    decision = values.get("decision") or ""
    if decision and not scored:
        errors["decision"] = _("Bedöm risken innan du beslutar om den.")
    if decision == Risk.Decision.CONTROL:
        for name, message in (("control_what", _("Skriv vad som kontrolleras.")),
                              ("control_how", _("Skriv hur kontrollen görs.")),
                              ("control_who", _("Skriv vem som gör kontrollen.")),
                              ("control_when", _("Skriv när kontrollen görs."))):
            if not (values.get(name) or "").strip():
                errors[name] = message
    if decision == Risk.Decision.ACCEPT and not (values.get("decision_note") or "").strip():
        errors["decision_note"] = _("Skriv varför risken kan accepteras.")
    return errors


def assess(user, risk_pk, *, revision, values: dict) -> dict:
    """Score, reason, controls and decision of a risk. Checks: may edit; the
    lock; validate(). Saves the risk. Audits "risk.assess" with old → new
    (texts as keyed hashes). Returns the changes."""
    errors = validate(values)
    if errors:
        raise RiskError(_("Bedömningen är inte sparad."), errors)
    with transaction.atomic():
        risk = get_risk(user, risk_pk, edit=True)
        risk = Risk.objects.select_for_update().get(pk=risk.pk)
        if revision != risk.revision:
            raise RiskConflict(_("Någon annan har sparat risken medan du skrev. Det du skrev finns kvar: "
                                 "se vad som ändrats och spara igen."))
        old = snapshot(risk, RISK_FIELDS)
        for name in RISK_FIELDS:
            setattr(risk, name, values.get(name) if values.get(name) is not None else
                    (None if name in ("likelihood", "consequence") else ""))
        if not risk.title.strip():
            raise RiskError(_("Bedömningen är inte sparad."), {"title": _("Skriv vad risken är.")})
        risk.save()
        changes = diff(old, snapshot(risk, RISK_FIELDS))
        if changes:
            Risk.objects.filter(pk=risk.pk).update(revision=F("revision") + 1)
            record(user, "risk.assess", risk, changes=changes)
    return changes


def attach_evidence(user, risk_pk, today: date | None = None) -> Risk:
    """Freeze the risk's figures from the situation picture on it (replacing
    earlier ones). Checks: may edit. Audits "risk.evidence" with the period."""
    today = today or timezone.localdate()
    with transaction.atomic():
        risk = get_risk(user, risk_pk, edit=True)
        lens, rows = evidence_figures(user, risk.register, risk, today)
        old_period = risk.evidence_period
        risk.evidence = [{"label": r.label, "text": r.text, "note": r.note} for r in rows]
        risk.evidence_period, risk.evidence_at = lens.label, timezone.now()
        risk.save(update_fields=["evidence", "evidence_period", "evidence_at", "updated_at"])
        record(user, "risk.evidence", risk, changes={"evidence_period": [old_period or None, lens.label]})
    return risk


def add_action(user, risk_pk, *, title, owner, due_date) -> RiskAction:
    """An action against a risk decided "act". Checks: may edit; a title,
    an owner who may own it (owners()), a deadline not in the past. Audits
    "risk.action.add"."""
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("Skriv vad som ska göras.")
    if owner is None:
        errors["owner"] = _("Välj vem som ansvarar för åtgärden.")
    if due_date is None:
        errors["due_date"] = _("Ange när åtgärden ska vara klar.")
    elif due_date < timezone.localdate():
        errors["due_date"] = _("Datumet har redan varit. Ange ett datum från och med i dag.")
    with transaction.atomic():
        risk = get_risk(user, risk_pk, edit=True)
        if owner is not None and owner.pk not in {u.pk for u in owners(risk.register)}:
            errors["owner"] = _("Välj en ansvarig i förvaltningen.")
        if risk.decision != Risk.Decision.ACT:
            errors.setdefault("title", _("Åtgärder läggs till när beslutet är Åtgärda."))
        if errors:
            raise RiskError(_("Åtgärden är inte sparad."), errors)
        action = RiskAction.objects.create(risk=risk, title=title.strip(), owner=owner, due_date=due_date,
                                           created_by=user)
        record(user, "risk.action.add", action,
               changes=diff({}, snapshot(action, ["title", "owner", "due_date", "status"])))
    return action


def set_action_status(user, action_pk, status: str) -> RiskAction:
    """Mark an action done or struck, or open again. Checks: may edit the
    register, or is the action's owner. Audits "risk.action.status"."""
    if status not in RiskAction.Status.values:
        raise RiskError(_("Okänt läge för åtgärden."))
    with transaction.atomic():
        try:
            action = RiskAction.objects.select_related("risk__register__node").select_for_update(of=("self",)) \
                .get(pk=action_pk)
        except (RiskAction.DoesNotExist, ValueError, TypeError):
            raise Http404 from None
        if action.owner_id != user.pk:
            get_register(user, action.risk.register_id)
        if action.owner_id != user.pk and not may_edit(user, action.risk.register):
            raise PermissionDenied
        old = snapshot(action, ["status", "done_on"])
        action.status = status
        action.done_on = timezone.localdate() if status == RiskAction.Status.DONE else None
        action.save()
        changes = diff(old, snapshot(action, ["status", "done_on"]))
        if changes:
            record(user, "risk.action.status", action, changes=changes)
    return action


# --- reading ----------------------------------------------------------------------

def matrix(risks) -> list[list[dict]]:
    """Rows from consequence 4 down to 1, columns likelihood 1 to 4; each
    cell its level and the numbers (position in the register) of its risks."""
    numbered = {(r.likelihood, r.consequence): [] for r in risks}
    for index, risk in enumerate(risks, start=1):
        if risk.score:
            numbered.setdefault((risk.likelihood, risk.consequence), []).append(index)
    rows = []
    for consequence in (4, 3, 2, 1):
        row = []
        for likelihood in (1, 2, 3, 4):
            probe = Risk(likelihood=likelihood, consequence=consequence)
            row.append({"likelihood": likelihood, "consequence": consequence, "level": probe.level,
                        "level_label": LEVEL_LABELS[probe.level],
                        "risks": numbered.get((likelihood, consequence), [])})
        rows.append(row)
    return rows


def register_rows(register) -> list[Risk]:
    return list(register.risks.prefetch_related("actions__owner").order_by("position", "pk"))
