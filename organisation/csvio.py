"""CSV import and export of the organisation tree and of headcount per year.

Used by the management commands export_org / import_org and meant to be reused
by a web upload. An import is all or nothing: every row is checked first, and
the database is written (in one transaction) only when no row has an error.
Errors are Swedish sentences that name the row (as in a spreadsheet: the
header is row 1) and the column.

Tree columns:      code,name,kind,parent_code,operation_area,active
Headcount columns: unit_code,year,employees,women,men
"""
import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.log import diff, record, snapshot
from organisation.models import Headcount, OperationArea, OrgUnit, code_validator

TREE_COLUMNS = ["code", "name", "kind", "parent_code", "operation_area", "active"]
TREE_REQUIRED = ["code", "name", "kind", "parent_code"]
HEADCOUNT_COLUMNS = ["unit_code", "year", "employees", "women", "men"]
HEADCOUNT_REQUIRED = ["unit_code", "year", "employees"]

TRUE_WORDS = {"1", "true", "ja", "yes", "aktiv", "sant", "x"}
FALSE_WORDS = {"0", "false", "nej", "no", "inaktiv", "falskt"}
MAX_EMPLOYEES = 1_000_000
YEARS = (1900, 2200)
AUDIT_FIELDS = ["code", "name", "kind", "parent", "operation_area", "active"]


class CsvImportError(Exception):
    """The file was rejected; `errors` lists every problem found."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    codes: list[str] = field(default_factory=list)


# --- export ----------------------------------------------------------------------

def _tree_order(nodes: list[OrgUnit]) -> list[OrgUnit]:
    """Parents before children, siblings by code: the same file for the same
    tree whatever the database ids are."""
    children: dict[int | None, list[OrgUnit]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    ordered = []
    stack = sorted(children.get(None, []), key=lambda n: n.code, reverse=True)
    while stack:
        node = stack.pop()
        ordered.append(node)
        stack.extend(sorted(children.get(node.pk, []), key=lambda n: n.code, reverse=True))
    return ordered


def export_tree(out) -> int:
    """Write the whole tree as CSV to the text stream `out`; returns rows written."""
    nodes = list(OrgUnit.objects.select_related("parent", "operation_area"))
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TREE_COLUMNS)
    ordered = _tree_order(nodes)
    for node in ordered:
        writer.writerow([
            node.code, node.name, node.kind, node.parent.code if node.parent else "",
            node.operation_area.code if node.operation_area else "", "1" if node.active else "0",
        ])
    return len(ordered)


def export_headcount(out) -> int:
    rows = Headcount.objects.select_related("unit")
    position = {node.pk: i for i, node in enumerate(_tree_order(list(OrgUnit.objects.all())))}
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADCOUNT_COLUMNS)
    ordered = sorted(rows, key=lambda h: (position.get(h.unit_id, 0), h.year))
    for h in ordered:
        writer.writerow([h.unit.code, h.year, h.employees,
                         "" if h.women is None else h.women, "" if h.men is None else h.men])
    return len(ordered)


# --- reading ------------------------------------------------------------------------

@dataclass
class Row:
    number: int  # as in a spreadsheet: the header is row 1
    values: dict[str, str]


def read_csv(data: bytes, columns: list[str], required: list[str]) -> list[Row]:
    """Decode (UTF-8, with or without BOM), find the delimiter (; or ,) and
    check the header. Raises CsvImportError naming rows and columns."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    errors = []
    lines = data.splitlines(keepends=True)
    for number, line in enumerate(lines, start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            errors.append(
                f"Rad {number}: tecknet på position {exc.start + 1} är inte giltig UTF-8. "
                "Spara filen som ”CSV UTF-8” och försök igen.")
    if errors:
        raise CsvImportError(errors)
    text = data.decode("utf-8")
    if not text.strip():
        raise CsvImportError(["Filen är tom. Första raden ska vara rubrikraden: " + ",".join(columns) + "."])

    header_line = text.splitlines()[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        raise CsvImportError([f"Rad 1: rubrikraden kan inte läsas ({exc})."]) from exc
    for position, name in enumerate(header, start=1):
        if name not in columns:
            errors.append(f"Rad 1, kolumn {position}: okänd kolumn ”{name}”. "
                          f"Tillåtna kolumner är {', '.join(columns)}.")
        elif header.index(name) != position - 1:
            errors.append(f"Rad 1, kolumn {position}: kolumnen ”{name}” finns två gånger.")
    for name in required:
        if name not in header:
            errors.append(f"Rad 1: kolumnen ”{name}” saknas i rubrikraden.")
    if errors:
        raise CsvImportError(errors)

    rows = []
    number = 1
    try:
        for cells in reader:
            number = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                errors.append(f"Rad {number}: raden har {len(cells)} fält men rubrikraden har {len(header)}. "
                              f"Kontrollera avgränsare och citattecken.")
                continue
            values = {name: "" for name in columns}
            values.update({name: cell.strip() for name, cell in zip(header, cells)})
            rows.append(Row(number, values))
    except csv.Error as exc:
        errors.append(f"Rad {number + 1}: raden kan inte läsas ({exc}).")
    if errors:
        raise CsvImportError(errors)
    return rows


def _where(row: Row, column: str) -> str:
    return f"Rad {row.number}, kolumn {column}"


# --- tree import ------------------------------------------------------------------

def validate_tree(data: bytes) -> list[Row]:
    """Check every row of a tree file against the file itself and the database.
    Returns the rows in an order where every parent comes before its children."""
    rows = read_csv(data, TREE_COLUMNS, TREE_REQUIRED)
    errors: list[str] = []
    kinds = {k.value: k for k in OrgUnit.Kind}
    areas = set(OperationArea.objects.values_list("code", flat=True))
    existing = {n.code: n for n in OrgUnit.objects.select_related("parent")}

    first_row: dict[str, Row] = {}
    valid: list[Row] = []
    for row in rows:
        v = row.values
        ok = True
        code = v["code"]
        if not code:
            errors.append(f"{_where(row, 'code')}: koden saknas.")
            ok = False
        else:
            try:
                code_validator(code)
            except ValidationError as exc:
                errors.append(f"{_where(row, 'code')}: ”{code}” är inte en giltig kod. {exc.messages[0]}")
                ok = False
            if len(code) > 40:
                errors.append(f"{_where(row, 'code')}: koden får vara högst 40 tecken.")
                ok = False
            if code in first_row:
                errors.append(f"{_where(row, 'code')}: koden ”{code}” finns redan på rad "
                              f"{first_row[code].number}. Varje kod får bara förekomma en gång "
                              f"(rad {first_row[code].number} och rad {row.number}).")
                ok = False
            else:
                first_row[code] = row
        if not v["name"]:
            errors.append(f"{_where(row, 'name')}: namnet saknas.")
            ok = False
        elif len(v["name"]) > 200:
            errors.append(f"{_where(row, 'name')}: namnet får vara högst 200 tecken.")
            ok = False
        if v["kind"].lower() not in kinds:
            errors.append(f"{_where(row, 'kind')}: okänd typ ”{v['kind']}”. "
                          f"Tillåtna typer är {', '.join(kinds)}.")
            ok = False
        else:
            v["kind"] = v["kind"].lower()
        if v["operation_area"] and v["operation_area"] not in areas:
            errors.append(f"{_where(row, 'operation_area')}: okänt verksamhetsområde ”{v['operation_area']}”. "
                          f"Tillåtna koder är {', '.join(sorted(areas))}.")
            ok = False
        active = v["active"].lower()
        if active and active not in TRUE_WORDS | FALSE_WORDS:
            errors.append(f"{_where(row, 'active')}: ”{v['active']}” ska vara 1 (aktiv) eller 0 (inaktiv).")
            ok = False
        if v["parent_code"] == code and code:
            errors.append(f"{_where(row, 'parent_code')}: en enhet kan inte ligga under sig själv.")
            ok = False
        if ok:
            valid.append(row)

    # The tree after the import: the database, with the file's rows on top.
    kind_of = {code: node.kind for code, node in existing.items()}
    parent_of = {code: (node.parent.code if node.parent else "") for code, node in existing.items()}
    for row in valid:
        kind_of[row.values["code"]] = row.values["kind"]
        parent_of[row.values["code"]] = row.values["parent_code"]
    file_codes = {row.values["code"] for row in valid}
    depth = OrgUnit.KIND_DEPTH

    for row in valid:
        v = row.values
        parent = v["parent_code"]
        kind_label = OrgUnit.Kind(v["kind"]).label.lower()
        if not parent:
            if v["kind"] != OrgUnit.Kind.CITY:
                errors.append(f"{_where(row, 'parent_code')}: överordnad kod saknas. "
                              f"Bara staden/kommunen (typ city) saknar överordnad.")
            continue
        if parent not in kind_of:
            if parent in first_row:  # the parent's own row has an error, reported above
                continue
            errors.append(f"{_where(row, 'parent_code')}: det finns ingen enhet med koden ”{parent}”, "
                          f"varken i filen eller i databasen.")
            continue
        if depth[v["kind"]] <= depth[kind_of[parent]]:
            errors.append(f"{_where(row, 'kind')}: en {kind_label} kan inte ligga under en "
                          f"{OrgUnit.Kind(kind_of[parent]).label.lower()} (”{parent}”).")
    # Nodes already in the database whose parent the file changes to a kind they cannot sit under.
    for code, node in existing.items():
        parent = parent_of.get(code)
        if code in file_codes or parent not in file_codes:
            continue
        if depth[node.kind] <= depth[kind_of[parent]]:
            row = first_row[parent]
            errors.append(f"{_where(row, 'kind')}: ”{parent}” kan inte bli en "
                          f"{OrgUnit.Kind(kind_of[parent]).label.lower()} eftersom ”{code}” "
                          f"({node.get_kind_display().lower()}) ligger under den.")

    # Cycles: follow each file row's parents up to the root.
    reported: set[str] = set()
    for row in valid:
        seen = [row.values["code"]]
        current = parent_of.get(seen[0], "")
        while current and current in parent_of:
            if current in seen:
                cycle = seen[seen.index(current):] + [current]
                if not reported & set(cycle):
                    errors.append(f"{_where(row, 'parent_code')}: koderna bildar en cirkel: "
                                  f"{' → '.join(cycle)}.")
                    reported.update(cycle)
                break
            seen.append(current)
            current = parent_of.get(current, "")

    if errors:
        raise CsvImportError(errors)

    # Parents first: order file rows by their depth in the tree after the import.
    def level(code):
        n, current = 0, parent_of.get(code, "")
        while current:
            n += 1
            current = parent_of.get(current, "")
        return n

    return sorted(valid, key=lambda r: (level(r.values["code"]), r.number))


def import_tree(data: bytes, *, actor=None, actor_label: str = "import_org") -> ImportResult:
    """Validate, then create or update every node by code in one transaction.
    Each change is written to the audit log with old and new values."""
    rows = validate_tree(data)
    areas = {a.code: a for a in OperationArea.objects.all()}
    result = ImportResult()
    with transaction.atomic():
        for row in rows:
            v = row.values
            # Fetched fresh: an earlier row may have moved this node and changed its path.
            node = OrgUnit.objects.filter(code=v["code"]).first()
            old = snapshot(node, AUDIT_FIELDS) if node else {}
            node = node or OrgUnit(code=v["code"])
            node.name = v["name"]
            node.kind = v["kind"]
            node.parent = OrgUnit.objects.get(code=v["parent_code"]) if v["parent_code"] else None
            node.operation_area = areas.get(v["operation_area"])
            node.active = v["active"].lower() not in FALSE_WORDS
            new = snapshot(node, AUDIT_FIELDS)
            changes = diff(old, new)
            if old and not changes:
                result.unchanged += 1
                continue
            node.save()
            record(actor, "orgunit.change" if old else "orgunit.create", node,
                   changes=diff(old, snapshot(node, AUDIT_FIELDS)), actor_label=actor_label)
            if old:
                result.updated += 1
            else:
                result.created += 1
            result.codes.append(node.code)
    return result


# --- headcount import -------------------------------------------------------------

def _number(row: Row, column: str, errors: list[str], *, low: int, high: int, required: bool) -> int | None:
    raw = row.values[column].replace(" ", "").replace("\u00a0", "")
    if not raw:
        if required:
            errors.append(f"{_where(row, column)}: värdet saknas.")
        return None
    if not raw.isdigit() or not raw.isascii():
        errors.append(f"{_where(row, column)}: ”{row.values[column]}” är inte ett heltal.")
        return None
    value = int(raw)
    if not low <= value <= high:
        errors.append(f"{_where(row, column)}: {value} ligger utanför det tillåtna intervallet {low}–{high}.")
        return None
    return value


def validate_headcount(data: bytes) -> list[tuple[Row, dict]]:
    rows = read_csv(data, HEADCOUNT_COLUMNS, HEADCOUNT_REQUIRED)
    units = dict(OrgUnit.objects.values_list("code", "id"))
    errors: list[str] = []
    seen: dict[tuple[str, int], Row] = {}
    parsed = []
    for row in rows:
        v = row.values
        row_errors: list[str] = []
        if not v["unit_code"]:
            row_errors.append(f"{_where(row, 'unit_code')}: enhetens kod saknas.")
        elif v["unit_code"] not in units:
            row_errors.append(f"{_where(row, 'unit_code')}: det finns ingen enhet med koden ”{v['unit_code']}”. "
                              f"Importera organisationen först.")
        year = _number(row, "year", row_errors, low=YEARS[0], high=YEARS[1], required=True)
        employees = _number(row, "employees", row_errors, low=0, high=MAX_EMPLOYEES, required=True)
        women = _number(row, "women", row_errors, low=0, high=MAX_EMPLOYEES, required=False)
        men = _number(row, "men", row_errors, low=0, high=MAX_EMPLOYEES, required=False)
        if employees is not None and (women or 0) + (men or 0) > employees:
            row_errors.append(f"{_where(row, 'women')}: kvinnor och män ({(women or 0) + (men or 0)}) kan inte "
                              f"vara fler än antalet anställda ({employees}).")
        if year is not None and v["unit_code"]:
            key = (v["unit_code"], year)
            if key in seen:
                row_errors.append(f"{_where(row, 'year')}: {v['unit_code']} {year} finns redan på rad "
                                  f"{seen[key].number} (rad {seen[key].number} och rad {row.number}).")
            else:
                seen[key] = row
        errors += row_errors
        if not row_errors:
            parsed.append((row, {"unit_id": units[v["unit_code"]], "year": year, "employees": employees,
                                 "women": women, "men": men}))
    if errors:
        raise CsvImportError(errors)
    return parsed


def import_headcount(data: bytes, *, actor=None, actor_label: str = "import_org") -> ImportResult:
    parsed = validate_headcount(data)
    result = ImportResult()
    fields = ["employees", "women", "men"]
    with transaction.atomic():
        for row, values in parsed:
            hc = Headcount.objects.filter(unit_id=values["unit_id"], year=values["year"]).first()
            old = snapshot(hc, fields) if hc else {}
            hc = hc or Headcount(unit_id=values["unit_id"], year=values["year"])
            for name in fields:
                setattr(hc, name, values[name])
            changes = diff(old, snapshot(hc, fields))
            if old and not changes:
                result.unchanged += 1
                continue
            hc.save()
            record(actor, "headcount.change" if old else "headcount.create", hc,
                   changes=changes if old else {"unit": [None, str(values["unit_id"])],
                                                "year": [None, values["year"]], **changes},
                   actor_label=actor_label)
            result.updated += bool(old)
            result.created += not old
            result.codes.append(row.values["unit_code"])
    return result
