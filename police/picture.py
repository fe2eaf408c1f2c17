"""The joint situation picture of a local police area, across districts.

An area covers a signed list of organisation nodes (police.areas.
area_terms). The counts of each node come from the situation picture's
running totals (situation.totals.gather), clipped to what the user may count
(access.countable_scope, as every picture is), and add up: the subtrees are
disjoint, and a subtree mapped to another area is subtracted from its
ancestor. The record-key sums add up the same way, so the cell key method
(situation.disclosure) and the suppression of small counts (situation.
suppression, through situation.figures) apply exactly as on the district
picture. The picture is always suppressed: it is the one the city shares
with the police, like situation's police export.

A coordinator of one district in a police area that spans two districts
counts only their own district: the other district's node is outside their
scope, so it adds nothing and is not listed."""
from collections import Counter
from dataclasses import dataclass, fields, replace

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from incidents import access
from organisation.models import Headcount, OrgUnit
from police.areas import reachable_terms
from situation import disclosure, figures, stats, totals
from situation.lens import Lens
from situation.queries import Counts

NOT_ADDED = {"timing"}


def combine(signed: list[tuple[int, Counts]]) -> Counts:
    """The sum of the signed counts (every Counter, number and key sum);
    the times to acknowledgement and closure do not add up and are left out."""
    out = Counts()
    for sign, counts in signed:
        for f in fields(Counts):
            if f.name in NOT_ADDED:
                continue
            value = getattr(counts, f.name)
            if isinstance(value, Counter):
                getattr(out, f.name).update({k: sign * n for k, n in value.items()})
            elif f.name == "keysums":
                for k, n in value.items():
                    out.keysums[k] = out.keysums.get(k, 0) + sign * n
            else:
                setattr(out, f.name, getattr(out, f.name) + sign * value)
    for f in fields(Counts):
        value = getattr(out, f.name)
        if isinstance(value, Counter):
            setattr(out, f.name, Counter({k: n for k, n in value.items() if n}))
    out.timing = totals.timing(totals.Times({}), totals.Times({}))
    return out


class AreaTree(figures.Tree):
    """The area's mapped nodes as the "children" the units table compares."""

    def __init__(self, nodes: list[OrgUnit], plus: list[OrgUnit], minus: list[OrgUnit]):
        self.plus, self.minus = plus, minus
        by_id = {pk: (path, name) for pk, path, name in OrgUnit.objects.filter(
            pk__in=[n.pk for n in nodes]).values_list("pk", "path", "name")}
        super().__init__(node=nodes[0], by_id=by_id, children=[(n.pk, n.path, n.name) for n in plus], units=[])
        # Every node in the area's subtrees, read once: the units table asks for each.
        within = Q()
        for n in plus:
            within |= Q(path__startswith=n.path)
        self._paths = {}
        for pk, path in OrgUnit.objects.filter(within).values_list("pk", "path"):
            node = self.covers(path)
            self._paths[pk] = node.pk if node else None

    def covers(self, path: str) -> OrgUnit | None:
        """The mapped node whose part of the area holds the path: the deepest
        of the area's nodes above it, unless that one is mapped elsewhere."""
        above = [(n, True) for n in self.plus if path.startswith(n.path)]
        above += [(n, False) for n in self.minus if path.startswith(n.path)]
        if not above:
            return None
        node, counted = max(above, key=lambda item: len(item[0].path))
        return node if counted else None

    def child_of(self, unit_id) -> int | None:
        if unit_id not in self._paths:
            path = OrgUnit.objects.filter(pk=unit_id).values_list("path", flat=True).first() or ""
            node = self.covers(path)
            self._paths[unit_id] = node.pk if node else None
        return self._paths[unit_id]


def area_staff(user, tree: AreaTree, win: figures.Window) -> figures.Staff:
    """Headcounts of the units in the area that the user may count."""
    year = win.lens.end.year
    first_year = min(win.ext_start.year, year) - 2
    scope = [p for p, _with_bypassed in access.countable_scope(user)]
    heads: dict[int, dict[int, tuple]] = {}
    for node in tree.plus:
        for unit_id, path, y, employees, women, men in Headcount.objects.filter(
                unit__path__startswith=node.path, year__lte=year, year__gte=first_year
        ).values_list("unit_id", "unit__path", "year", "employees", "women", "men"):
            if tree.covers(path) is node and any(path.startswith(p) for p in scope):
                heads.setdefault(unit_id, {})[y] = (employees, women, men)
    return figures.Staff(heads, year)


@dataclass
class AreaPicture:
    picture: stats.Picture
    nodes: list[OrgUnit]  # the mapped nodes counted (those the user reaches)


def build(user, area, lens: Lens, terms: dict) -> AreaPicture | None:
    """The area's picture for the user, suppressed; None when none of the
    area's nodes is within what the user may count."""
    signed = reachable_terms(user, area)
    plus = [n for s, n in signed if s > 0]
    if not plus:
        return None
    minus = [n for s, n in signed if s < 0]
    win = figures.window(replace(lens, node=plus[0]))
    today = timezone.localdate()
    parts = []
    for sign, node in signed:
        at = replace(lens, node=node)
        parts.append((sign, totals.gather(user, at, terms, pieces=win.pieces, history_start=win.history_start,
                                          with_history=False, today=today)))
    counts = disclosure.protect(combine(parts), win.pieces)
    hide = figures.Suppressor(True)
    places = AreaTree(plus + minus, plus, minus)
    people = area_staff(user, places, win)
    months = figures.trend(counts, terms["forms"], win, hide)
    fig = figures.Figures(
        suppressed=True, months=months,
        sources=figures.category(terms["sources"], counts.source_now, counts.total_now, hide),
        areas=figures.category(terms["areas"], counts.area_now, counts.total_now, hide),
        channels=figures.category(terms["channels"], counts.channel_now, counts.total_now, hide),
        units=figures.unit_comparison(counts, places, people, hide),
        key=figures.key_figures(counts, people, hide),
        gender=None, has_history=False, total_hist=0, rising=[], growth=None, repeated=None,
        repeated_count=None, training=None,
    )
    area_lens = replace(lens, node=plus[0])
    picture = stats.present(fig, area_lens, terms, stats.Links(area_lens, False))
    covered = set(access.covered_nodes(user).filter(pk__in=[n.pk for n in plus]).values_list("pk", flat=True))
    for table in picture.tables:
        if table.key == "enheter":
            for row, pk in zip(table.rows, [n.pk for n in plus]):
                row.link = (f"{reverse('situation:picture', args=[pk])}?{lens.query()}" if pk in covered
                            else None)
    return AreaPicture(picture, plus)
