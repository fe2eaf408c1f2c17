"""Template helpers for the situation picture: key figures as label/value
pairs (shared by the page, the PDF and the spreadsheet) and the actor panel
that the case page includes."""
from dataclasses import dataclass

from django import template
from django.utils.translation import gettext as _

from incidents import access
from situation import actors
from situation.forms import ActorForm
from situation.stats import fmt_duration, fmt_number, fmt_percent
from situation.svg import chart_for

register = template.Library()


def _signed_percent(value):
    if value is None:
        return "–"
    return ("+" if value > 0 else "") + fmt_percent(value)


@register.simple_tag
def key_figures(picture) -> list[tuple[str, str, str]]:
    """(label, value, explanation) for each key figure."""
    return [(f.label, f.text, f.note) for f in key_figure_rows(picture)]


@dataclass
class KeyFigure:
    """A key figure as shown (text) and as a number for spreadsheets (value,
    None when hidden or missing) with its kind: count, rate, percent (25.0
    for 25 %), change (a signed percent) or duration (a timedelta)."""
    label: str
    text: str
    note: str
    value: object
    kind: str


def key_figure_rows(picture) -> list[KeyFigure]:
    p = picture
    return [
        KeyFigure(_("Rapporter"), str(p.total) if p.total.hidden else fmt_number(p.total.value),
                  _("under perioden"), p.total.shown, "count"),
        KeyFigure(_("Per 100 anställda"), fmt_number(p.rate, 1) if p.rate is not None else "–",
                  _("%(n)s anställda") % {"n": fmt_number(p.employees)} if p.employees
                  else _("antal anställda saknas"), p.rate, "rate"),
        KeyFigure(_("Jämfört med samma period året innan"), _signed_percent(p.change_percent),
                  _("%(n)s rapporter då") % {"n": p.previous_total if p.previous_total.hidden
                                             else fmt_number(p.previous_total.value)}, p.change_percent, "change"),
        KeyFigure(_("Hot och våld som polisanmälts"), fmt_percent(p.police_share),
                  _("%(a)s av %(b)s rapporter om hot eller våld") % {
                      "a": p.police_reported if p.police_reported.hidden else fmt_number(p.police_reported.value),
                      "b": p.police_total if p.police_total.hidden else fmt_number(p.police_total.value)},
                  p.police_share, "percent"),
        KeyFigure(_("Tid till mottagande, median"), fmt_duration(p.ack_median), _timing_note(p, p.ack_p90, p.ack_n),
                  p.ack_median, "duration"),
        KeyFigure(_("Tid till avslut, median"), fmt_duration(p.close_median),
                  _timing_note(p, p.close_p90, p.close_n), p.close_median, "duration"),
        KeyFigure(_("Öppna åtgärder"), str(p.actions_open), _("varav %(n)s försenade") % {"n": str(p.actions_overdue)},
                  p.actions_open.shown, "count"),
        KeyFigure(_("Konfidentiella eller anonyma"), fmt_percent(p.protected_share),
                  _("%(n)s rapporter") % {"n": str(p.protected)}, p.protected_share, "percent"),
    ]


def _timing_note(picture, p90, n):
    if n == 0:
        return _("inga ärenden ännu")
    if p90 is None:
        return _("för få ärenden för att visa")
    if picture.suppressed:
        # The exact number of cases timed, beside the total, would tell how
        # many are still waiting, which can be a small count.
        return _("90 %% inom %(t)s") % {"t": fmt_duration(p90)}
    return _("90 %% inom %(t)s (%(n)s ärenden)") % {"t": fmt_duration(p90), "n": fmt_number(n)}


@register.filter
def svg_chart(table):
    return chart_for(table)


@register.simple_tag(takes_context=True)
def actor_panel(context, incident):
    """What the case page shows about the actor: a form for handlers, and for
    coordinators and HR where else the same actor appears."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if incident is None or user is None or not user.is_authenticated:
        return {"show": False}
    can_record = access.can_handle(user, incident)
    matches = actors.other_occurrences(user, incident)
    return {
        "show": can_record or matches is not None,
        "can_record": can_record,
        "has_actor": bool(incident.actor_pseudonym),
        "short": incident.actor_pseudonym[:actors.PREFIX],
        "form": ActorForm(),
        "matches": matches,
        "may_know": access.may_know_matches(user, incident),
    }
