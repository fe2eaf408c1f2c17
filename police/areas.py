"""Which local police area serves which part of the organisation, and the
CSV import of that mapping.

A mapping at a node covers its subtree; a mapping further down takes
precedence there (area_of). The part of the tree an area covers is a signed
list of nodes (area_terms): each node mapped to the area counts with its
subtree (+1), less the subtrees below it mapped elsewhere (-1). Counts over
disjoint subtrees add up, so the area's figures are sums of the nodes'
figures (police.picture).

The import (columns enhet, lokalpolisomrade, polisregion) checks every row
before it changes anything: any bad row and nothing changes, and each
problem is named with its row. Areas and regions are created by name when
they do not exist yet. Every change goes to the audit log."""
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from audit.log import diff, record
from incidents import access
from organisation.csvio import CsvImportError, Row, read_csv
from organisation.models import OrgUnit, Role
from police.models import AreaMapping, PoliceArea, PoliceRegion

COLUMNS = ["enhet", "lokalpolisomrade", "polisregion"]
MAX_NAME = 120


def area_of(unit: OrgUnit) -> PoliceArea | None:
    """The local police area serving the unit: the mapping at the unit or
    its nearest mapped ancestor."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    found = {m.unit_id: m.area for m in AreaMapping.objects.filter(unit_id__in=ids).select_related("area__region")}
    for pk in reversed(ids):
        if pk in found:
            return found[pk]
    return None


def area_terms(area: PoliceArea) -> list[tuple[int, OrgUnit]]:
    """The area's part of the tree as (sign, node) pairs: its mapped nodes
    (+1), less the nearest nodes below each that are mapped to another area
    (-1). Nodes below those that are mapped back to this area come again with
    +1 among its own mappings."""
    mine = list(OrgUnit.objects.filter(police_mapping__area=area).order_by("path"))
    terms = [(1, node) for node in mine]
    for node in mine:
        below = list(OrgUnit.objects.filter(path__startswith=node.path, police_mapping__isnull=False)
                     .exclude(pk=node.pk).select_related("police_mapping").order_by("path"))
        nearest = [b for b in below if not any(o.path != b.path and b.path.startswith(o.path) for o in below)]
        terms += [(-1, b) for b in nearest if b.police_mapping.area_id != area.pk]
    return terms


def reachable_terms(user, area: PoliceArea) -> list[tuple[int, OrgUnit]]:
    """The area's terms clipped to what the user may count: a mapped node
    outside the user's scope is left out; one partly inside (a manager of a
    unit in a mapped district) is kept, and the scope clips its figures."""
    paths = [p for p, _with_bypassed in access.countable_scope(user)]
    return [(sign, node) for sign, node in area_terms(area)
            if any(node.path.startswith(p) or p.startswith(node.path) for p in paths)]


def areas_for(user):
    """Police areas whose mapped nodes reach into what the user may count."""
    paths = [p for p, _with_bypassed in access.countable_scope(user)]
    if not paths:
        return []
    mappings = AreaMapping.objects.select_related("unit", "area__region")
    found = {}
    for m in mappings:
        if any(m.unit.path.startswith(p) or p.startswith(m.unit.path) for p in paths):
            found[m.area.pk] = m.area
    return sorted(found.values(), key=lambda a: (a.region.name, a.name))


def get_area_for(user, pk) -> PoliceArea:
    """The area if the user may see its picture; 404 otherwise (Http404)."""
    from django.http import Http404

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    for area in areas_for(user):
        if area.pk == pk:
            return area
    raise Http404


def mapped_nodes(area: PoliceArea) -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(police_mapping__area=area).order_by("path"))


# --- the CSV import --------------------------------------------------------------------

@dataclass
class ImportResult:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    new_areas: list[str] = field(default_factory=list)


def validate(data: bytes) -> list[tuple[Row, OrgUnit, str, str]]:
    """Every row checked; CsvImportError lists every problem with its row."""
    rows = read_csv(data, COLUMNS, COLUMNS)
    errors = []
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=[r.values["enhet"] for r in rows])}
    seen: dict[str, int] = {}
    checked = []
    for row in rows:
        v = row.values
        code, area, region = v["enhet"], v["lokalpolisomrade"], v["polisregion"]
        if not code:
            errors.append(_("Rad %(row)s: kolumnen enhet är tom. Ange enhetens kod.") % {"row": row.number})
        elif code not in units:
            errors.append(_("Rad %(row)s: enheten ”%(code)s” finns inte i organisationsträdet. "
                            "Kontrollera koden eller lägg in enheten först.") % {"row": row.number, "code": code})
        elif code in seen:
            errors.append(_("Rad %(row)s: enheten ”%(code)s” finns redan på rad %(first)s. "
                            "Ange varje enhet bara en gång.") % {"row": row.number, "code": code,
                                                                  "first": seen[code]})
        else:
            seen[code] = row.number
        for value, column in ((area, "lokalpolisomrade"), (region, "polisregion")):
            if not value:
                errors.append(_("Rad %(row)s: kolumnen %(column)s är tom.") % {"row": row.number,
                                                                             "column": column})
            elif len(value) > MAX_NAME:
                errors.append(_("Rad %(row)s: %(column)s får vara högst %(n)s tecken.") % {
                    "row": row.number, "column": column, "n": MAX_NAME})
        if code in units and area and region and len(area) <= MAX_NAME and len(region) <= MAX_NAME:
            checked.append((row, units[code], area, region))
    if not rows:
        errors.append(_("Filen har bara en rubrikrad. Lägg till en rad per enhet."))
    if errors:
        raise CsvImportError(errors)
    return checked


def import_csv(data: bytes, *, actor=None, actor_label: str = "import_police_areas") -> ImportResult:
    """Validate every row, then write the whole file in one transaction."""
    checked = validate(data)
    result = ImportResult()
    with transaction.atomic():
        for _row, unit, area_name, region_name in checked:
            region, _made = PoliceRegion.objects.get_or_create(name=region_name)
            area, made = PoliceArea.objects.get_or_create(region=region, name=area_name)
            if made:
                result.new_areas.append(f"{area.name} ({region.name})")
                record(actor, "policearea.create", area, changes={"name": [None, area.name],
                                                                  "region": [None, region.name]},
                       actor_label=actor_label)
            result_kind = set_mapping(actor, unit, area, actor_label=actor_label)
            setattr(result, result_kind, getattr(result, result_kind) + 1)
    return result


def set_mapping(actor, unit: OrgUnit, area: PoliceArea, *, actor_label: str = "") -> str:
    """Map the unit to the area, audited. Returns created, changed or unchanged."""
    mapping = AreaMapping.objects.filter(unit=unit).select_related("area").first()
    if mapping is not None and mapping.area_id == area.pk:
        return "unchanged"
    old = {"area": mapping.area.name} if mapping else {}
    if mapping is None:
        mapping = AreaMapping(unit=unit)
    mapping.area = area
    mapping.save()
    record(actor, "areamapping.change" if old else "areamapping.create", mapping,
           changes=diff(old, {"area": area.name, **({} if old else {"unit": unit.code})}), actor_label=actor_label)
    return "changed" if old else "created"


def may_import(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_role(Role.ADMIN))
