"""Results of a survey, only for groups of at least `min_answers` people.

Groups follow the organisation tree. A unit with fewer answers than the
minimum is not shown by itself: its answers go into "Övriga i <parent>" (the
parent's residual). Second step, against recovery by difference: a parent's
total minus its shown children is its residual, so a residual of 1 to
min_answers − 1 would point at few people. Then the smallest shown child is
folded into the residual too, until the residual is 0 or at least the
minimum. The shown groups nest (each lies inside another or apart), so every
figure a reader can work out from them, by adding and subtracting, is a sum
over residuals, and every residual is empty or holds at least the minimum
number of answers. A survey with fewer answers in all is not shown at all.
"""
import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from incidents.models import InfluenceForm
from organisation.models import OrgUnit
from surveys import questions
from surveys.models import Answer


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval (95 %) for a share: better than ± 1.96·SE
    when the share is near 0 or 1 or the group is small."""
    if n == 0:
        return (0.0, 0.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def plan(root_id, parent_of: dict, counts: dict, minimum: int):
    """parent_of: node id -> parent id (root's is None); counts: node id ->
    answers given for it. Returns [(node_id, depth, total, residual ids,
    residual count)] in tree order, or [] when the root has too few."""
    children = defaultdict(list)
    for node, parent in parent_of.items():
        if parent is not None:
            children[parent].append(node)
    for kids in children.values():
        kids.sort()
    totals = {}

    def total(node):
        if node not in totals:
            totals[node] = counts.get(node, 0) + sum(total(k) for k in children[node])
        return totals[node]

    def subtree(node):
        out = {node}
        for k in children[node]:
            out |= subtree(k)
        return out

    out = []

    def walk(node, depth):
        shown = [k for k in children[node] if total(k) >= minimum]
        residual = counts.get(node, 0) + sum(total(k) for k in children[node] if k not in shown)
        while 0 < residual < minimum and shown:
            smallest = min(shown, key=lambda k: (total(k), k))
            shown.remove(smallest)
            residual += total(smallest)
        ids = {node}
        for k in children[node]:
            if k not in shown:
                ids |= subtree(k)
        out.append((node, depth, total(node), frozenset(ids), residual))
        for k in shown:
            walk(k, depth + 1)

    if total(root_id) >= minimum:
        walk(root_id, 0)
    return out


@dataclass
class FormFigures:
    form: InfluenceForm
    exposed: int
    share: float
    low: float
    high: float
    reported: dict  # all/some/none -> count, among the exposed
    reasons: list  # [(label, count)], among those who did not always report
    not_always: int


@dataclass
class Row:
    label: str
    depth: int
    count: int
    residual: bool
    shares: list  # one FormFigures per form


@dataclass
class Results:
    survey: object
    answers: int
    invited: int
    rows: list
    overall: list  # FormFigures over all answers
    shown: bool
    # Answers through a unit's shared link (once per device, not per person).
    shared: int = 0

    @property
    def personal(self):
        return self.answers - self.shared

    @property
    def response_rate(self):
        """Answers through personal links per person invited: answers through
        a shared link have no known denominator."""
        return self.personal / self.invited if self.invited else None

    @property
    def response_percent(self):
        rate = self.response_rate
        return None if rate is None else round(100 * rate)

    @property
    def reason_rows(self):
        """[(reason label, [count per form])] over all answers."""
        labels = [label for label, _count in self.overall[0].reasons] if self.overall else []
        return [(label, [f.reasons[i][1] for f in self.overall]) for i, label in enumerate(labels)]


def figures(forms, answers) -> list[FormFigures]:
    n = len(answers)
    out = []
    labels = dict(questions.REASONS)
    for f in forms:
        exposed = [a[f.code] for a in answers if a.get(f.code, {}).get("exposed")]
        reported = Counter(e.get("reported") for e in exposed)
        reasons = Counter(r for e in exposed if e.get("reported") != "all" for r in e.get("reasons", ()))
        low, high = wilson(len(exposed), n)
        out.append(FormFigures(f, len(exposed), len(exposed) / n if n else 0.0, low, high,
                               {k: reported.get(k, 0) for k, _label in questions.REPORTED},
                               [(labels[k], reasons.get(k, 0)) for k, _label in questions.REASONS],
                               reported.get("some", 0) + reported.get("none", 0)))
    return out


def build(survey) -> Results:
    """The survey's results as a reader may see them. Reads only."""
    from django.utils.translation import gettext as _

    forms = list(InfluenceForm.objects.filter(active=True))
    rows = list(Answer.objects.filter(survey=survey).values_list("unit_id", "exposure", "shared"))
    shared = sum(1 for _u, _e, s in rows if s)
    rows = [(u, e) for u, e, _s in rows]
    nodes = {n.pk: n for n in OrgUnit.objects.subtree_of(survey.node)}
    parent_of = {pk: (n.parent_id if pk != survey.node_id else None) for pk, n in nodes.items()}
    counts = Counter(unit for unit, _e in rows if unit in nodes)
    by_node = defaultdict(list)
    for unit, exposure in rows:
        by_node[unit].append(exposure)
    shown = plan(survey.node_id, parent_of, counts, survey.min_answers)
    out_rows = []
    for node_id, depth, total_, residual_ids, residual_count in shown:
        node = nodes[node_id]
        subtree = [e for pk, n in nodes.items() if n.path.startswith(node.path) for e in by_node.get(pk, ())]
        out_rows.append(Row(node.name, depth, total_, False, figures(forms, subtree)))
        if residual_count and residual_count != total_:
            residual = [e for pk in residual_ids for e in by_node.get(pk, ())]
            out_rows.append(Row(_("Övriga i %(node)s") % {"node": node.name}, depth + 1, residual_count, True,
                                figures(forms, residual)))
    everything = [e for _u, e in rows]
    return Results(survey, len(rows), survey.invited, out_rows,
                   figures(forms, everything) if shown else [], bool(shown), shared)
