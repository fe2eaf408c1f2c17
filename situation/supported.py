"""The share of employees who felt supported (issue 17): the answers to
"Fick du det stöd du behövde?" (support.SupportAnswer) per district and
year, in the situation picture.

The answers come from the incidents that enter the reader's statistics
(incidents.access through the lens: node, filters), answered within the
period. For aggregate-only readers every count is a protected figure (the
cell key method, situation.cellkey, with the record keys of the answers'
incidents) and then suppressed like the picture's other small counts
(situation.suppression: "<5", and the second step within each row); the
share is shown only when its counts are.
"""
from collections import defaultdict

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents import access
from organisation.models import OrgUnit
from situation.cellkey import perturb
from situation.figures import Suppressor
from situation.stats import PERCENT, Display, Row, StatTable, count_display, fmt_percent
from support.models import SupportAnswer


def rows(user, lens, terms):
    """(district id, year) → [yes, no, yes key sum, no key sum]."""
    incidents = lens.filter_terms(access.countable_incidents(user).filter(unit__path__startswith=lens.node.path),
                                  terms=terms)
    answers = (access.rows_of(SupportAnswer, incidents)
               .filter(answered_at__gte=lens.start_dt, answered_at__lt=lens.end_dt)
               .values_list(F("incident__unit__path"), "answered_at", "felt_supported", F("incident__record_key")))
    grouped = defaultdict(lambda: [0, 0, 0, 0])
    for path, answered_at, yes, key in answers:
        parts = path.strip("/").split("/")
        district = int(parts[1]) if len(parts) > 1 else int(parts[0])
        cell = grouped[(district, timezone.localtime(answered_at).year)]
        cell[0 if yes else 1] += 1
        cell[2 if yes else 3] += key
    return grouped


def table(user, lens, terms, *, suppress: bool) -> StatTable | None:
    """The table, or None when nobody in the picture has answered."""
    grouped = rows(user, lens, terms)
    if not grouped:
        return None
    names = dict(OrgUnit.objects.filter(pk__in={d for d, _y in grouped}).values_list("pk", "name"))
    hide = Suppressor(suppress)
    shown = []
    for (district, year), (yes, no, key_yes, key_no) in sorted(grouped.items(),
                                                                 key=lambda i: (names.get(i[0][0], ""), i[0][1])):
        total = yes + no
        if suppress:
            yes, no, total = perturb(yes, key_yes), perturb(no, key_no), perturb(total, key_yes + key_no)
        (yes_cell, no_cell), total_cell = hide.group([yes, no], total)
        share = (yes_cell.value / total_cell.value * 100
                 if total_cell.value and not (yes_cell.hidden or no_cell.hidden or total_cell.hidden) else None)
        shown.append(Row(names.get(district, str(district)), [
            Display(str(year), year), count_display(total_cell), count_display(yes_cell),
            Display(fmt_percent(share), share, hidden=share is None and total_cell.value > 0, kind=PERCENT)]))
    return StatTable(
        key="stod", caption=_("Andel som fick det stöd de behövde, per förvaltning och år"), sheet=_("Stöd"),
        columns=[_("Förvaltning"), _("År"), _("Svar"), _("Fick det stöd de behövde"), _("Andel")],
        rows=shown,
        note=_("Medarbetarnas svar på frågan ”Fick du det stöd du behövde?” efter stödsamtal, uppföljningar och "
               "när ärendet avslutades, besvarade under perioden. Antal under fem döljs för läsare som bara ser "
               "statistik, och andelen visas bara när antalen visas."),
    )
