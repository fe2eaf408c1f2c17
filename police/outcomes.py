"""What became of each police report: the dated steps a handler records on
a case with a K-number, the employee's part in the police case, and the
figures per district and year of how police-reported threats and violence
ended.

Domain functions check the permission (incidents.access: 404 outside the
user's scope, 403 for one they may read but not handle), save and audit
("police.outcome", "police.followup" with old and new values).

The figures count from access.countable_incidents. For aggregate-only
readers every cell is the protected figure of the cell key method
(situation.cellkey, from the incidents' record keys) and small counts are
suppressed with situation.suppression, primary and secondary, per row."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.log import record, record_view
from incidents import access
from incidents.models import ChecklistItem, Incident
from organisation.models import OrgUnit
from police.models import CourtSupport, EmployeeRole, OutcomeStep, PoliceFollowUp, PoliceOutcome
from situation.cellkey import perturb
from situation.lens import FormThrough
from situation.suppression import Cell, suppress_table, visible

THREATS_AND_VIOLENCE = ("hot", "vald")


class OutcomeInvalid(Exception):
    """Input that cannot be saved; errors per field ("__all__" for the form)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def has_police_report(incident) -> bool:
    return bool(incident.police_reference)


def report_date(incident) -> date:
    """The day the police report was made: the police item's date on the
    follow-up checklist, or else the day of the event (a report cannot be
    made before it)."""
    done_on = (incident.checklist.filter(code=ChecklistItem.Code.POLICE, done_on__isnull=False)
               .values_list("done_on", flat=True).first())
    return done_on or timezone.localtime(incident.occurred_at).date()


def steps_of(incident) -> list[PoliceOutcome]:
    return list(PoliceOutcome.objects.filter(incident=incident).select_related("recorded_by"))


def followup_of(incident) -> PoliceFollowUp | None:
    return PoliceFollowUp.objects.filter(incident=incident).first()


@dataclass
class CaseView:
    incident: Incident
    steps: list
    followup: PoliceFollowUp | None
    reported_on: date
    can_handle: bool


def open_case(user, pk) -> CaseView:
    """A case's police report as its reader sees it (404 outside the
    user's scope). The read of the case is logged."""
    incident = access.get_visible_incident(user, pk)
    record_view(user, incident)
    return CaseView(incident, steps_of(incident), followup_of(incident), report_date(incident),
                    access.can_handle(user, incident))


def record_outcome(user, pk, *, step: str, on: date) -> PoliceOutcome:
    """Record one step of the police report's outcome. Refused with
    OutcomeInvalid for a case without a K-number, a date before the police
    report or after today. Audits "police.outcome"."""
    with transaction.atomic():
        incident = access.get_handleable_incident(user, pk)
        if not has_police_report(incident):
            raise OutcomeInvalid({"__all__": _(
                "Ärendet har inget K-nummer. Skriv in polisanmälans K-nummer under Polisanmälan i "
                "uppföljningen först; sedan kan du registrera vad som blev av anmälan.")})
        reported_on = report_date(incident)
        if on < reported_on:
            raise OutcomeInvalid({"on": _(
                "Datumet är före polisanmälan (%(date)s). Ange datumet då polisen eller åklagaren beslutade, "
                "det kan inte vara före anmälan.") % {"date": reported_on.isoformat()}})
        if on > timezone.localdate():
            raise OutcomeInvalid({"on": _("Datumet har inte kommit ännu. Registrera steget när det har skett.")})
        outcome = PoliceOutcome.objects.create(incident=incident, step=step, on=on, recorded_by=user)
        record(user, "police.outcome", incident=incident,
               changes={"step": [None, step], "on": [None, on.isoformat()]})
    return outcome


def remove_outcome(user, pk, outcome_pk) -> None:
    """Remove a step recorded by mistake. Audits "police.outcome.remove"."""
    with transaction.atomic():
        incident = access.get_handleable_incident(user, pk)
        outcome = PoliceOutcome.objects.filter(incident=incident, pk=outcome_pk).first()
        if outcome is None:
            raise Http404
        record(user, "police.outcome.remove", incident=incident,
               changes={"step": [outcome.step, None], "on": [outcome.on.isoformat(), None]})
        outcome.delete()


def set_followup(user, pk, *, employee_role: str, court_support: str) -> bool:
    """The employee's part in the police case and the employer's support in
    court. Returns whether anything changed. Audits "police.followup"."""
    with transaction.atomic():
        incident = access.get_handleable_incident(user, pk)
        if not has_police_report(incident):
            raise OutcomeInvalid({"__all__": _(
                "Ärendet har inget K-nummer. Skriv in polisanmälans K-nummer under Polisanmälan i "
                "uppföljningen först; sedan kan du registrera vad som blev av anmälan.")})
        current = followup_of(incident)
        old = {"employee_role": current.employee_role, "court_support": current.court_support} if current else {
            "employee_role": "", "court_support": ""}
        new = {"employee_role": employee_role, "court_support": court_support}
        changes = {k: [old[k], new[k]] for k in new if old[k] != new[k]}
        if not changes:
            return False
        PoliceFollowUp.objects.update_or_create(incident=incident, defaults={**new, "updated_by": user})
        record(user, "police.followup", incident=incident, changes=changes)
    return True


# --- the figures ------------------------------------------------------------------------

NO_WORD = "inget_besked"
# How a report ended, in the table's order: its latest step, or no word yet.
ENDINGS = [
    (NO_WORD, gettext_lazy("Inget besked ännu")),
    (OutcomeStep.INVESTIGATION, gettext_lazy("Förundersökning pågår")),
    (OutcomeStep.NO_CRIME, OutcomeStep.NO_CRIME.label),
    (OutcomeStep.NO_SUSPECT, OutcomeStep.NO_SUSPECT.label),
    (OutcomeStep.INSUFFICIENT, OutcomeStep.INSUFFICIENT.label),
    (OutcomeStep.PROSECUTION, gettext_lazy("Åtal väckt, ingen dom ännu")),
    (OutcomeStep.JUDGMENT, OutcomeStep.JUDGMENT.label),
    (OutcomeStep.WITHDRAWN, OutcomeStep.WITHDRAWN.label),
]


@dataclass
class OutcomeRow:
    district: str
    year: int
    total: Cell           # threats and violence
    reported: Cell        # of them police-reported
    share: float | None   # per cent police-reported
    endings: list[Cell]   # how the reported ones ended, as ENDINGS
    withheld: bool = False

    @property
    def labelled(self) -> list[tuple[Cell, str]]:
        return [(cell, str(label)) for cell, (_code, label) in zip(self.endings, ENDINGS)]


@dataclass
class OutcomeFigures:
    rows: list[OutcomeRow]
    suppressed: bool
    endings: list[str]
    years: list[int]


def _threats_and_violence(qs):
    return qs.filter(Exists(FormThrough.objects.filter(
        incident_id=OuterRef("pk"), influenceform__code__in=THREATS_AND_VIOLENCE)))


def _district_of(path: str) -> int:
    """The district (the child of the city) that holds the path."""
    parts = [int(p) for p in path.strip("/").split("/")]
    return parts[1] if len(parts) > 1 else parts[0]


def outcome_figures(user, node, years: list[int], *, suppress: bool | None = None) -> OutcomeFigures:
    """Per district and year: threats and violence, how many were
    police-reported and how those ended (their latest step)."""
    if suppress is None:
        suppress = access.is_aggregate_only(user)
    first, last = min(years), max(years)
    start = timezone.make_aware(datetime.combine(date(first, 1, 1), time.min))
    end = timezone.make_aware(datetime.combine(date(last + 1, 1, 1), time.min))
    scoped = _threats_and_violence(access.countable_incidents(user).filter(
        unit__path__startswith=node.path, occurred_at__gte=start, occurred_at__lt=end))
    rows = list(scoped.values_list("pk", "unit__path", "occurred_at", "police_status", "police_reference",
                                   "record_key"))
    reported_q = Q(police_status=Incident.PoliceStatus.REPORTED) | ~Q(police_reference="")
    reported_ids = set(scoped.filter(reported_q).values_list("pk", flat=True))
    latest: dict[int, str] = {}
    for incident_id, step in (PoliceOutcome.objects.filter(incident_id__in=reported_ids)
                              .order_by("incident_id", "on", "pk").values_list("incident_id", "step")):
        latest[incident_id] = step
    codes = [code for code, _label in ENDINGS]
    counts = defaultdict(lambda: {"total": [0, 0], "not": [0, 0], **{c: [0, 0] for c in codes}})
    for pk, path, occurred_at, _status, _ref, key in rows:
        cell = counts[(_district_of(path), timezone.localtime(occurred_at).year)]
        cell["total"][0] += 1
        cell["total"][1] += key
        bucket = latest.get(pk, NO_WORD) if pk in reported_ids else "not"
        cell[bucket][0] += 1
        cell[bucket][1] += key
    names = dict(OrgUnit.objects.filter(pk__in={d for d, _y in counts}).values_list("pk", "name"))
    result = []
    for (district, year) in sorted(counts, key=lambda k: (names.get(k[0], ""), k[1])):
        c = counts[(district, year)]

        def value(name):
            n, keysum = c[name]
            return perturb(n, keysum) if suppress else n
        endings = [value(code) for code in codes]
        not_reported = value("not")
        total = value("total")
        reported = sum(endings)
        if suppress:
            table = suppress_table([endings, [0] * (len(codes) - 1) + [not_reported]],
                                   row_totals=[reported, not_reported], grand_total=total)
            ending_cells, (reported_cell, _not), total_cell = table.cells[0], table.row_totals, table.grand_total
            withheld = table.withheld
        else:
            ending_cells, reported_cell, total_cell = [visible(v) for v in endings], visible(reported), visible(total)
            withheld = False
        share = (reported_cell.value / total_cell.value * 100
                 if total_cell.value and not reported_cell.hidden and not total_cell.hidden else None)
        result.append(OutcomeRow(names.get(district, ""), year, total_cell, reported_cell, share, ending_cells,
                                 withheld))
    return OutcomeFigures(result, suppress, [str(label) for _code, label in ENDINGS], list(years))


ROLE_CHOICES = EmployeeRole.choices
SUPPORT_CHOICES = CourtSupport.choices
