"""The support track's part of the case page (casework's detail view):
what it shows and the forms it offers. Reads only."""
from django.utils import timezone

from support.forms import AnswerForm, EndForm, OfferForm, StepForm
from support.models import SupportAnswer, SupportStep
from support.services import current_occasion, track_of


def panel_context(incident, bound=None) -> dict:
    """`bound` maps a form's name ("steg-<kind>", "erbjudande", "avsluta-stod")
    to a bound form to show again with its errors and what was typed."""
    bound = bound or {}
    track = track_of(incident)
    answers = list(incident.support_answers.all())
    if track is None:
        return {"support": {"track": None, "wanted": incident.wants_support, "answers": answers}}
    today = timezone.localdate()
    initial = {"version": track.version}
    steps = []
    for step in track.steps.select_related("updated_by"):
        form = bound.get(f"steg-{step.kind}") if step.is_open else None
        if form is None and step.is_open:
            form = StepForm(kind=step.kind, initial={**initial, "day": today})
        steps.append({"step": step, "form": form, "overdue": step.is_overdue(today),
                      "due_today": step.is_open and step.due_on == today})
    return {"support": {
        "track": track,
        "steps": steps,
        "next": next((s for s in steps if s["step"].state == SupportStep.State.PLANNED), None),
        "offers": list(track.offers.all()),
        "offer_form": bound.get("erbjudande") or OfferForm(initial={**initial, "offered_on": today}),
        "end_form": bound.get("avsluta-stod") or EndForm(initial=initial),
        "open_form": bool(bound),
        "answers": answers,
    }}


def employee_context(incident, form=None) -> dict:
    """What the reporter sees of the support on their page or the receipt-code
    page: the track's steps (dates only, no notes), their answers, and the
    question "Fick du det stöd du behövde?" when one is asked now."""
    track = track_of(incident)
    occasion = current_occasion(incident)
    if form is None and occasion is not None:
        form = AnswerForm(initial={"occasion": occasion})
    return {"employee_support": {
        "track": track,
        "steps": list(track.steps.all()) if track is not None else [],
        "answers": list(incident.support_answers.all()),
        "occasion": occasion,
        "occasion_label": SupportAnswer.Occasion(occasion).label if occasion else "",
        "form": form if occasion is not None else None,
    }}
