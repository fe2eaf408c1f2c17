"""The underreporting estimate: how many employees the survey says were
exposed, scaled to the headcount, against the reports Värn received.

For a group of units and a form of influence:

- the share exposed among those who answered, p, with its 95 % Wilson
  interval [lo, hi] (surveys.results.wilson);
- the employees of the group (organisation.Headcount for the year the period
  ends; the number invited when no headcount is registered), N;
- the estimated number of exposed employees, p·N, between lo·N and hi·N;
- the reports of that form Värn received about events in the period and
  the group's units, R, counted through incidents.access.countable_incidents
  (the reader's own scope);
- reports per exposed employee, R / (p·N), between R / (hi·N) and R / (lo·N).
  A person exposed several times may report several times, so it can exceed
  one; well below one means most exposure never reaches Värn;
- the share of the exposed who did not report every time, and why.

Groups are those of the survey's results (at least the minimum answers).
Readers with case access see every group; aggregate-only readers (analyst,
committee) see the survey's whole node only, with the report counts
suppressed like the situation picture's (situation.suppression).
"""
from collections import Counter
from dataclasses import dataclass

from incidents import access
from organisation.models import Headcount, OrgUnit
from situation.suppression import Cell, suppress_group, visible
from surveys import results
from surveys.models import Answer, Survey


@dataclass
class Estimate:
    form: object
    exposed_share: float
    low: float
    high: float
    employees: int
    exposed: float
    exposed_low: float
    exposed_high: float
    reports: Cell
    not_always: int
    exposed_answers: int
    top_reasons: list

    @property
    def ratio(self):
        if self.reports.hidden or not self.exposed:
            return None
        return self.reports.value / self.exposed

    @property
    def ratio_range(self):
        if self.reports.hidden or not self.exposed_high:
            return None
        high = self.reports.value / self.exposed_low if self.exposed_low else None
        return (self.reports.value / self.exposed_high, high)

    @property
    def not_always_share(self):
        return self.not_always / self.exposed_answers if self.exposed_answers else None


@dataclass
class GroupEstimate:
    label: str
    depth: int
    answers: int
    employees: int
    estimates: list


@dataclass
class Underreporting:
    survey: Survey
    answers: int
    invited: int
    groups: list
    aggregate_only: bool

    @property
    def response_percent(self):
        return round(100 * self.answers / self.invited) if self.invited else None


def _headcounts(node_ids, year: int) -> dict:
    return dict(Headcount.objects.filter(unit_id__in=node_ids, year=year).values_list("unit_id", "employees"))


def _report_rows(user, survey, node_ids) -> list:
    """(unit, form code, incident) of the reports in the period, in the
    reader's scope, one query; counted per group in Python."""
    scoped = access.countable_incidents(user).filter(
        unit_id__in=node_ids, occurred_at__date__gte=survey.period_start, occurred_at__date__lte=survey.period_end)
    return list(scoped.values_list("unit_id", "forms__code", "pk").distinct())


def _reports(rows, members, forms) -> list[int]:
    """Reports per form in a group (a report with two forms counts in both)."""
    seen = {(code, pk) for unit, code, pk in rows if unit in members}
    counts = Counter(code for code, _pk in seen)
    return [counts.get(f.code, 0) for f in forms]


def _estimates(forms, figures, employees, reports: list[Cell]):
    out = []
    for f, fig, rep in zip(forms, figures, reports, strict=True):
        ranked = sorted(((count, label) for label, count in fig.reasons if count), reverse=True)[:2]
        out.append(Estimate(
            form=f, exposed_share=fig.share, low=fig.low, high=fig.high, employees=employees,
            exposed=fig.share * employees, exposed_low=fig.low * employees, exposed_high=fig.high * employees,
            reports=rep, not_always=fig.not_always, exposed_answers=fig.exposed,
            top_reasons=[label for _count, label in ranked]))
    return out


def build(user, survey, built=None) -> Underreporting | None:
    """The estimate for one survey as `user` may see it; None when the
    survey's results are not shown (too few answers). `built`: the survey's
    results.build(), when the caller has it. Reads only."""
    built = built or results.build(survey)
    if not built.shown:
        return None
    aggregate_only = access.is_aggregate_only(user) and not user.has_role(*access.CASE_ROLES)
    forms = [f.form for f in built.overall]
    nodes = {n.pk: n for n in OrgUnit.objects.subtree_of(survey.node)}
    answers = list(Answer.objects.filter(survey=survey).values_list("unit_id", "exposure"))
    year = survey.period_end.year
    groups = []
    per_node = Counter(u for u, _e in answers)
    shown = results.plan(survey.node_id, {pk: (n.parent_id if pk != survey.node_id else None)
                                          for pk, n in nodes.items()},
                         {pk: per_node.get(pk, 0) for pk in nodes}, survey.min_answers)
    headcounts = _headcounts(list(nodes), year)
    report_rows = _report_rows(user, survey, list(nodes))
    for node_id, depth, total, residual_ids, residual_count in shown:
        if aggregate_only and depth > 0:
            continue
        node = nodes[node_id]
        ids = [pk for pk, n in nodes.items() if n.path.startswith(node.path)]
        members = set(ids)
        employees = (sum(headcounts.get(pk, 0) for pk in ids)
                     or (survey.invited if node_id == survey.node_id else 0))
        group_answers = [e for u, e in answers if u in members]
        counts = _reports(report_rows, members, forms)
        if aggregate_only:
            cells, _total = suppress_group(counts, sum(counts))
        else:
            cells = [visible(c) for c in counts]
        groups.append(GroupEstimate(node.name, depth, total, employees,
                                    _estimates(forms, results.figures(forms, group_answers), employees, cells)))
    return Underreporting(survey, len(answers), survey.invited, groups, aggregate_only)


def latest_for(user, node) -> Underreporting | None:
    """The newest survey of `node` or its administration whose results are
    shown, as `user` may see it: the situation picture's section. Reads only."""
    from surveys.services import VIEW_ROLES

    if not user.has_role(*VIEW_ROLES):
        return None
    covered = access.covered_nodes(user, roles=VIEW_ROLES)
    candidates = (Survey.objects.filter(kind=Survey.Kind.PREVALENCE, node__in=covered, node__path__in=_paths_up(node))
                  .select_related("node").order_by("-node__path", "-closes_on"))
    for survey in candidates[:5]:
        found = build(user, survey)
        if found is not None:
            return found
    return None


def _paths_up(node) -> list[str]:
    parts = node.path.strip("/").split("/")
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
