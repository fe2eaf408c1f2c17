"""The protective measures' part of the case page (casework's detail view). Reads only."""
from datetime import timedelta

from django.utils import timezone

from protection.forms import MeasureForm
from protection.services import applies_to, measures_of

# The review date a new measure's form suggests.
DEFAULT_REVIEW = timedelta(days=91)


def panel_context(user, incident, *, can_handle: bool, bound=None) -> dict:
    """The case's measures the user sees, and the form to record one for a
    handler of a case whose source is a client or a relative."""
    can_add = can_handle and applies_to(incident)
    form = bound if bound is not None else (
        MeasureForm(initial={"review_on": timezone.localdate() + DEFAULT_REVIEW}) if can_add else None)
    return {"protection": {"measures": list(measures_of(user, incident)), "form": form, "can_add": can_add,
                           "applies": applies_to(incident), "today": timezone.localdate(),
                           "open_form": bound is not None}}
