"""Filing a report: creating the incident, routing it, the receipt, and the
units a reporter can choose from.

Views call these functions; they hold the business rules. Who may see a case
is decided in incidents.access only: routing (incidents.routing) picks
candidate people from role assignments and keeps those access.py lets reach
the case.
"""
import functools
import hashlib
import operator
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from audit.log import ANONYMOUS_REPORTER, record, snapshot
from incidents import access, notify, signals
from incidents.checklist import create_checklist
from incidents.models import Attachment, Incident, ReceiptCode, ReportDraft, Submission
from incidents.routing import Routing, decide_bypass, route
from organisation import catalogue
from organisation.models import OrgUnit, Role
from organisation.tree import tree_order
from reporting.attachments import store_attachment
from reporting.drafts import discard_draft
from reporting.receipts import _digest, receipt_code_for
from support.services import start_from_report as start_support_track

ANONYMOUS = Incident.IdentityMode.ANONYMOUS
NAMED = Incident.IdentityMode.NAMED

# Fields whose stored values go into the "incident.create" audit entry. The
# reporter is deliberately not among them: the entry's actor is the reporter,
# and the audit view masks that actor for confidential reports.
AUDITED_FIELDS = [
    "unit", "occurred_at", "forms", "source", "channel", "operation_area", "description",
    "identity_mode", "status", "bypasses_management", "location", "someone_hurt",
    "property_damaged", "wants_support", "police_status", "police_reference", "police_reason",
]

# What a report registered on an employee's behalf adds to that entry: the
# registrar (the entry's actor too), their role, the contact and the consent;
# and the employee, unless the employee chose anonymous.
ON_BEHALF_FIELDS = ["registered_by", "registered_as", "registered_channel", "consent_recorded"]

MAX_TEXT = 5000           # characters in a description or a message
OLDEST_YEARS = 5          # reports about older events go to the coordinator directly


def home_unit(user) -> OrgUnit | None:
    """Where the user works: their employee assignment, else any assignment."""
    if not (user and user.is_authenticated):
        return None
    assignments = [a for a in _assignments(user) if a.node.active]
    for a in assignments:
        if a.role == Role.EMPLOYEE:
            return a.node
    return assignments[0].node if assignments else None


def _assignments(user) -> list:
    """The user's active assignments with their nodes, in the order they
    were made, read once per request (the form asks for them twice)."""
    if not hasattr(user, "_reporting_assignments"):
        user._reporting_assignments = list(user.active_assignments().order_by("pk"))
        if not hasattr(user, "_assignment_rows"):
            # The same rows answer User.roles() (the page's navigation).
            user._assignment_rows = [(a.role, a.node.path) for a in user._reporting_assignments
                                     if a.node.active]
    return user._reporting_assignments


def reportable_units():
    """Every node a report may be filed against: any active part of the
    organisation below the city itself."""
    return OrgUnit.objects.filter(active=True).exclude(kind=OrgUnit.Kind.CITY)


def _valid_pk(value) -> set[int]:
    """{value} when it can be a primary key, else nothing (a re-shown form's
    unit may be any number the browser sent)."""
    return {value} if isinstance(value, int) and 0 < value < 2**63 else set()


def unit_groups(user, selected=None, everything=False) -> list[tuple[str, list[OrgUnit]]]:
    """Units for the report form's select, grouped by administration: for a
    logged-in employee the units of their own administration(s), for
    everyone else (or on request) the whole organisation. The selected unit
    is always included so that a re-shown form keeps it. Kept under
    organisation.catalogue's stamp (renewed by any change of a unit or an
    assignment) per scope; only the user's own assignments are read."""
    admins = catalogue.kept("report-administrations", lambda: {
        n.pk: n for n in reportable_units().filter(kind=OrgUnit.Kind.ADMINISTRATION)
        .only("pk", "name", "path", "kind")})
    assigned, scope = set(), []
    if user and user.is_authenticated:
        for a in _assignments(user):
            assigned.add(a.node_id)
            if not everything:
                # The administration above the node, read from its path (the
                # nodes listed above hold every administration).
                admin = next((admins[int(p)] for p in a.node.path.strip("/").split("/") if int(p) in admins), None)
                scope.append((admin or a.node).path)
    scope = sorted(set(scope))
    selected = selected if _valid_pk(selected) else None
    key = hashlib.sha256(repr((translation.get_language(), scope, sorted(assigned), selected)).encode()).hexdigest()
    return catalogue.kept(f"report-units:{key}", lambda: _unit_groups(admins, scope, assigned, selected))


def _unit_groups(admins, scope, assigned, selected):
    nodes = reportable_units().only("pk", "name", "path", "kind", "operation_area_id")
    if scope:
        nodes = nodes.filter(functools.reduce(operator.or_, (Q(path__startswith=p) for p in scope),
                                              Q(pk__in=assigned | _valid_pk(selected))))
    nodes = tree_order(nodes)

    def wanted(node):
        if node.pk == selected:
            return True
        if scope and not any(node.path.startswith(p) for p in scope):
            return False
        return node.kind == OrgUnit.Kind.UNIT or node.pk in assigned

    groups: dict[str, list[OrgUnit]] = {}
    for node in filter(wanted, nodes):
        admin = next((admins[int(p)] for p in node.path.strip("/").split("/") if int(p) in admins), None)
        groups.setdefault(admin.name if admin else _("Övrigt"), []).append(node)
    return list(groups.items())


@dataclass
class Receipt:
    incident: Incident
    created: bool
    code: str = ""          # the anonymous reporter's receipt code, shown once
    routing: Routing | None = None


def existing_receipt(token) -> Receipt | None:
    """The receipt of an already submitted form (a retry or a double tap)."""
    try:
        token = uuid.UUID(str(token))
    except (ValueError, TypeError):
        return None
    found = (Submission.objects.filter(token_digest=_digest("submission", str(token)))
             .select_related("incident").first())
    if found is None:
        return None
    incident = found.incident
    code = receipt_code_for(token) if incident.identity_mode == ANONYMOUS else ""
    return Receipt(incident=incident, created=False, code=code, routing=route(incident))


def preview_routing(*, reporter, unit, bypass: bool, identity_mode=NAMED, people=None) -> Routing:
    """Who would receive a report filed now against `unit`, before it exists:
    the same routing as create_report, on an incident that is not saved.
    `bypass` is routing.decide_bypass of the reporter's answers; `people`
    is routing.candidates(unit, reporter_id) when the caller has it."""
    named = identity_mode != ANONYMOUS and getattr(reporter, "is_authenticated", False)
    incident = Incident(unit=unit, identity_mode=identity_mode, reporter=reporter if named else None,
                        bypasses_management=bypass)
    return route(incident, people)


class OnBehalfRefused(Exception):
    """A report cannot be registered on this employee's behalf (the message is shown)."""


def _check_on_behalf(registrar, employee, data) -> dict:
    """The incident's registration fields for a report `registrar` files on
    `employee`'s behalf, after checking that the employee is in the
    registrar's scope (incidents.access.on_behalf_people) and consented."""
    if not access.on_behalf_people(registrar).filter(pk=getattr(employee, "pk", None)).exists():
        raise OnBehalfRefused(_("Du kan bara registrera rapporter åt medarbetare inom ditt ansvarsområde."))
    if not data.get("consent"):
        raise OnBehalfRefused(_("Medarbetaren måste ha samtyckt till att du registrerar rapporten."))
    return {"registered_by": registrar, "registered_as": access.on_behalf_role(registrar, data["unit"]),
            "registered_channel": data.get("registered_channel") or Incident.RegisteredChannel.OTHER,
            "consent_recorded": True}


def create_report(*, reporter, data: dict, files=(), token: uuid.UUID, people=None,
                  registrar=None) -> Receipt:
    """File a report. `data` is a report form's cleaned_data.

    Side effects, all in one transaction: the incident with its forms of
    influence; bypasses_management from the source and, for "vet inte /
    vill inte säga", from data["manager_may_see"] (routing.decide_bypass); the attachments, cleaned
    of metadata, under MEDIA_ROOT; the submission token's digest (a second call
    with the same token returns the first report instead); for an anonymous
    report a receipt code of which only a digest is stored; when the reporter
    asked for support, the case's support track (support.services.start_from_report); an
    "incident.create" audit entry with the stored values (actor "anonym
    rapportör" and no user for an anonymous report); the reporter's server
    draft removed; the notices queued (notifications.outbox, sent after
    commit): the recipients get an e-mail without any of the case's content,
    and a named or confidential reporter an e-mail that the report has come in. An anonymous report stores no user and no IP address.
    `people` is routing.candidates() of the unit and reporter when the
    caller has read them already (the form's preview of who receives it).

    `registrar`: a manager, safety representative or security coordinator
    registering the report on behalf of `reporter`, an employee in their
    scope (incidents.access.on_behalf_people), who consented (data["consent"])
    and chose the identity mode; OnBehalfRefused otherwise. The report is
    the employee's own in every other way: routed with the employee as
    reporter (the manager bypass included), in their Mina rapporter, their
    receipt e-mail. It also stores the registrar, their role and the contact
    (data["registered_channel"]); the audit entry's actor is the registrar
    and names the employee as reporter, unless anonymous: then no link to
    the employee is stored anywhere, and only the registrar knows who it is.
    Neither person's draft is touched.
    """
    identity = data.get("identity_mode") or NAMED
    anonymous = identity == ANONYMOUS
    if not anonymous and not (reporter and reporter.is_authenticated):
        raise ValueError("Only an anonymous report can be filed without a logged-in reporter.")
    source = data.get("source")
    registration = _check_on_behalf(registrar, reporter, data) if registrar is not None else {}
    written: list[str] = []
    try:
        with transaction.atomic():
            # A token sent before: the Submission below fails on its unique
            # digest and the first report's receipt is returned (except
            # IntegrityError), so the common case asks nothing beforehand.
            with signals.deferred():   # the statistics follow the new incident once, forms included
                incident = Incident.objects.create(
                    unit=data["unit"],
                    occurred_at=data["occurred_at"],
                    description=data["description"],
                    reporter=None if anonymous else reporter,
                    identity_mode=identity,
                    source=source,
                    channel=data.get("channel"),
                    operation_area_id=(getattr(data.get("operation_area"), "pk", None)
                                       or data["unit"].operation_area_id),
                    bypasses_management=decide_bypass(source, bool(data.get("manager_may_see"))),
                    location=data.get("location") or "",
                    someone_hurt=bool(data.get("someone_hurt")),
                    property_damaged=bool(data.get("property_damaged")),
                    wants_support=bool(data.get("wants_support")),
                    police_status=data.get("police_status") or Incident.PoliceStatus.UNDECIDED,
                    police_reference=data.get("police_reference") or "",
                    police_reason=data.get("police_reason") or "",
                    **registration,
                )
                forms = list(data["forms"])
                # A new incident has none, so no need to read them first (forms.add
                # would): the through rows are inserted, and deferred() tells the
                # statistics once, forms included.
                Incident.forms.through.objects.bulk_create(
                    [Incident.forms.through(incident_id=incident.pk, influenceform_id=f.pk) for f in forms])
                signals.inserted(incident, forms)   # the statistics read it from memory
            create_checklist(incident)
            if incident.wants_support:
                start_support_track(incident)
            Submission.objects.create(token_digest=_digest("submission", str(token)), incident=incident)
            names = []
            for upload in files:
                attachment = store_attachment(incident, upload)
                written.append(attachment.file.name)
                names.append(attachment.original_name)
            code = ""
            if anonymous:
                code = receipt_code_for(token)
                ReceiptCode.objects.create(incident=incident, digest=_digest("receipt-lookup", code))
            audited = AUDITED_FIELDS + (ON_BEHALF_FIELDS + ([] if anonymous else ["reporter"])
                                        if registrar is not None else [])
            values = snapshot(incident, [name for name in audited if name != "forms"])
            values["forms"] = sorted(str(form.pk) for form in forms)
            changes = {name: [None, values[name]] for name in audited}
            if names:
                changes["attachments"] = [None, names]
            if registrar is not None:
                record(registrar, "incident.create", incident, incident=incident, changes=changes)
            else:
                record(None if anonymous else reporter, "incident.create", incident, incident=incident,
                       changes=changes, actor_label=ANONYMOUS_REPORTER if anonymous else "")
            if anonymous:
                # A draft saved before the reporter switched to anonymous would
                # tie their account to this token; no copy may outlive the report.
                ReportDraft.objects.filter(data__token=str(token)).delete()
            if registrar is None and getattr(reporter, "is_authenticated", False):
                # Also for an anonymous report: the draft saved while the form
                # was still named holds the same text, with an older token.
                discard_draft(reporter)
            routing = route(incident, people)
            notify.filed(incident, routing)   # queued with the report, sent after it (notifications.outbox)
    except IntegrityError:
        # The same token was committed by a concurrent request (double tap).
        for name in written:
            Attachment.file.field.storage.delete(name)
        previous = existing_receipt(token)
        if previous is None:
            raise
        return previous
    except BaseException:
        for name in written:
            Attachment.file.field.storage.delete(name)
        raise
    return Receipt(incident=incident, created=True, code=code, routing=routing)


class RevealRefused(Exception):
    """The identity cannot be revealed (the message is shown to the reporter)."""


def reveal_identity(incident, person, *, confirmed: bool) -> Incident:
    """An anonymous reporter chooses to say who they are, from the receipt-code
    page (the caller checked the code), for example to get a support
    conversation. Nothing linked the report to anyone before this.

    Checks: the report is anonymous; `person` is logged in; `confirmed` (the
    second confirmation of the page). Saves: the report becomes confidential
    with `person` as its reporter: the district's security coordinator and HR
    see who it is, managers and everyone else see "konfidentiell", and the
    report is among the person's own (Mina rapporter). There is no way back
    on the page: the change is in the audit log. Audits: "incident.reveal"
    with identity_mode and reporter old → new, as `person`. Sends: nothing."""
    if incident.identity_mode != ANONYMOUS:
        raise RevealRefused(_("Rapporten är inte anonym längre."))
    if not (person and person.is_authenticated and person.is_active):
        raise RevealRefused(_("Logga in först. Öppna sedan rapporten med koden igen."))
    if not confirmed:
        raise RevealRefused(_("Bekräfta att du vill visa vem du är."))
    with transaction.atomic():
        incident.identity_mode, incident.reporter = Incident.IdentityMode.CONFIDENTIAL, person
        incident.version += 1
        incident.save(update_fields=["identity_mode", "reporter", "version"])
        record(person, "incident.reveal", incident, incident=incident, changes={
            "identity_mode": [ANONYMOUS, Incident.IdentityMode.CONFIDENTIAL], "reporter": [None, str(person.pk)]})
    return incident
