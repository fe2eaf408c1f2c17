"""The yearly review of the action plan (the annual cycle's duty "Översyn av
handlingsplanen"): the plan in force beside the year's figures, and HR's
decision, which closes the cycle's occurrence.

The figures are the situation picture of the duty's node and year, as the
reader sees it there (suppressed for aggregate-only readers): reports,
police-reported share, times to acknowledge and close, repeated actors and
training coverage; and the newest prevalence survey of the node (or its
administration) whose period overlaps the year, with its underreporting
estimate as the situation picture shows it (surveys.underreporting).

record_decision() checks that the user is HR at the node (HR owns the
plan), closes the occurrence through cycle.services.mark_done (which checks
and audits it as the cycle does) and audits "plan.review" with the decision.
"""
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import record
from cycle import permissions as cycle_permissions
from cycle import services as cycle_services
from cycle.models import Duty
from governance import permissions, plan
from governance.models import PlanVersion
from situation import stats
from situation.forms import load_terms
from situation.lens import Lens
from surveys import underreporting

UNCHANGED, NEW_VERSION = "unchanged", "new_version"
KEY_LABELS = 6  # reports, per 100, against last year, police share, times to acknowledge and close


class ReviewError(Exception):
    pass


def get_review(user, occurrence_pk):
    """The occurrence if it is a review of the action plan the user may
    see (404 otherwise)."""
    occurrence = cycle_permissions.get_visible_occurrence(user, occurrence_pk)
    if occurrence.duty.kind != Duty.Kind.ACTION_PLAN_REVIEW or \
            occurrence.duty.node.kind not in permissions.PLAN_KINDS:
        raise Http404
    return occurrence


def approved_in_period(node, occurrence) -> list[PlanVersion]:
    start = timezone.make_aware(timezone.datetime.combine(occurrence.period_start, timezone.datetime.min.time()))
    return list(PlanVersion.objects.filter(plan__node=node, status=PlanVersion.Status.APPROVED,
                                           approved_at__gte=start).order_by("-number"))


def figures(user, occurrence):
    """The year's figures for the review: (lens, key figure rows, repeated
    actors, training table or None). Side effects: none."""
    from situation.templatetags.situation_tags import key_figure_rows

    today = timezone.localdate()
    node = occurrence.duty.node
    lens = Lens(node=node, start=occurrence.period_start, end=min(occurrence.period_end, today),
                period="intervall")
    picture = stats.build(user, lens, load_terms(), drill=False)
    training = next((t for t in picture.tables if t.key == "utbildning"), None)
    # Handlers see the actors themselves (a list); aggregate readers a suppressed count.
    repeated = len(picture.repeated) if picture.repeated is not None else picture.repeated_count
    return lens, key_figure_rows(picture)[:KEY_LABELS], repeated, training


def survey(user, occurrence):
    """The newest survey of the review's node whose period overlaps the
    review's, as `user` may see it (None when there is none or its results
    are not shown). Side effects: none."""
    found = underreporting.latest_for(user, occurrence.duty.node)
    if found is None or found.survey.period_start > occurrence.period_end \
            or found.survey.period_end < occurrence.period_start:
        return None
    return found


def record_decision(user, occurrence_pk, *, decision: str, version_pk=None, note: str = ""):
    """HR's decision after the review: the plan stays unchanged, or a new
    version approved during the period replaces it. Checks: HR at the node
    (PermissionDenied); a known decision; for a new version, one approved
    in the period. Saves: the occurrence done today, linking to the plan or
    the version (cycle.services.mark_done audits it). Audits "plan.review"."""
    occurrence = get_review(user, occurrence_pk)
    node = occurrence.duty.node
    if not permissions.may_approve(user, node):
        raise PermissionDenied
    if decision not in (UNCHANGED, NEW_VERSION):
        raise ReviewError(_("Välj vad översynen ledde till."))
    current = plan.current_version(node)
    with transaction.atomic():
        if decision == UNCHANGED:
            if current is None:
                raise ReviewError(_("Det finns ingen godkänd plan att lämna oförändrad. Godkänn en version först."))
            url = reverse("governance:version", args=[current.pk])
            text = _("Översyn gjord: handlingsplanen (version %(n)s) gäller oförändrad.") % {"n": current.number}
            version = current
        else:
            version = next((v for v in approved_in_period(node, occurrence) if str(v.pk) == str(version_pk)), None)
            if version is None:
                raise ReviewError(_("Välj en version som godkänts under perioden, eller börja en ny version."))
            url = reverse("governance:version", args=[version.pk])
            text = _("Översyn gjord: ny version %(n)s av handlingsplanen godkänd.") % {"n": version.number}
        if note.strip():
            text = f"{text} {note.strip()}"
        cycle_services.mark_done(user, occurrence.pk, done_at=timezone.localdate(), result_url=url,
                                 result_note=text[:2000])
        record(user, "plan.review", version, changes={"decision": [None, decision],
                                                     "occurrence": [None, str(occurrence.pk)],
                                                     "note": [None, note.strip() or None]})
    return occurrence
