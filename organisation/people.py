"""The HR system's people file (`manage.py import_people FILE`): accounts
created, updated and deactivated by employee number, each at their unit.

CSV (UTF-8 with or without BOM, or Windows-1252 as Excel saves "CSV";
comma or semicolon) or XLSX, with a header row:

    employee_number,first_name,last_name,email,unit_code,manager_number,gender,end_date

(`name` may stand for first_name and last_name; Swedish column names such as
anställningsnummer, förnamn, efternamn, e-post, enhet, chef, kön and slutdatum
are read too.) Like import_org, all or nothing: every row is checked against
the file and the database first, and every fault is named by row and column.

A person whose end date has passed is deactivated, never deleted; with
`complete` every account from an earlier import that the file no longer
lists is deactivated too. With `managers_get_role` each manager holds the
manager role at the units of the people who report to them.
"""
import datetime
import io
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from organisation.csvio import CsvImportError, Row, read_csv
from organisation.models import OrgUnit, Role, RoleAssignment, User
from organisation.provisioning import GENDER_WORDS, parse_gender, sync_assignments, update_person

COLUMNS = ["employee_number", "first_name", "last_name", "name", "email", "unit_code", "manager_number",
           "gender", "end_date"]
REQUIRED = ["employee_number", "unit_code"]
# Column names as Swedish HR exports write them (lower case, as read).
ALIASES = {
    "anställningsnummer": "employee_number", "anstallningsnummer": "employee_number",
    "anst.nr": "employee_number", "anstnr": "employee_number",
    "förnamn": "first_name", "fornamn": "first_name", "efternamn": "last_name", "namn": "name",
    "e-post": "email", "epost": "email", "mejl": "email",
    "enhet": "unit_code", "enhetskod": "unit_code",
    "chef": "manager_number", "chefens anställningsnummer": "manager_number",
    "kön": "gender", "kon": "gender", "slutdatum": "end_date", "anställningen upphör": "end_date",
}
ACTOR = "import_people"
# Sent after an import has been saved (sender: this module's name; today: the
# import's date). Apps above the base layer listen: the exit survey invites
# the people whose end of employment is near (surveys/exit.py).
people_imported = Signal()
DATE_FORMATS = ["%Y-%m-%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]


@dataclass
class PeopleResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    numbers: list[str] = field(default_factory=list)


def _where(row: Row, column: str) -> str:
    return f"Rad {row.number}, kolumn {column}"


# --- reading ------------------------------------------------------------------

def _decode(data: bytes) -> bytes:
    """UTF-8 as it is; Windows-1252 (what Swedish Excel writes as "CSV")
    re-encoded as UTF-8. A file that is both (some lines each) is refused
    with the lines that are not UTF-8."""
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        body.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    lines = body.splitlines()
    utf8_non_ascii = []
    for line in lines:
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if not text.isascii():
            utf8_non_ascii.append(line)
    if utf8_non_ascii:
        errors = []
        for number, line in enumerate(lines, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                errors.append(f"Rad {number}: tecknet på position {exc.start + 1} är varken UTF-8 som resten "
                              f"av filen eller giltigt. Spara filen som ”CSV UTF-8” och försök igen.")
        raise CsvImportError(errors)
    errors = []
    for number, line in enumerate(lines, start=1):
        try:
            line.decode("cp1252")
        except UnicodeDecodeError as exc:
            errors.append(f"Rad {number}: tecknet på position {exc.start + 1} kan inte läsas "
                          f"(varken UTF-8 eller Windows-1252). Spara filen som ”CSV UTF-8” och försök igen.")
    if errors:
        raise CsvImportError(errors)
    return body.decode("cp1252").encode("utf-8")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise CsvImportError([f"Filen kan inte läsas som en Excel-fil (.xlsx): {type(exc).__name__}."]) from None
    sheet = book.worksheets[0]
    rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def read_people(data: bytes) -> list[Row]:
    """The file's rows under canonical column names; raises CsvImportError."""
    if data.startswith(b"PK\x03\x04"):
        table = _read_xlsx(data)
        while table and not any(table[-1]):
            table.pop()
        if not table:
            raise CsvImportError(["Filen är tom. Första raden ska vara rubrikraden."])
        # Through the CSV reader, so that the header checks are the same.
        import csv

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        width = len(table[0])
        while width and not table[0][width - 1]:
            width -= 1
        for row in table:
            writer.writerow((row + [""] * width)[:width])
        data = out.getvalue().encode("utf-8")
    else:
        data = _decode(data)
    # Header aliases: rewrite the first line to canonical names.
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    text = body.decode("utf-8")
    first, _newline, rest = text.partition("\n")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    names = [c.strip().strip('"').strip().lower() for c in first.rstrip("\r").split(delimiter)]
    header = delimiter.join(ALIASES.get(n, n) for n in names)
    return read_csv((header + "\n" + rest).encode("utf-8"), COLUMNS, REQUIRED)


# --- checking -----------------------------------------------------------------

def _date(row: Row, column: str, errors: list[str]):
    raw = row.values[column]
    if not raw:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    errors.append(f"{_where(row, column)}: ”{raw}” är inte ett datum. Skriv datumet som 2026-12-31 (år-månad-dag).")
    return None


@dataclass
class Person:
    row: Row
    number: str
    first_name: str
    last_name: str
    email: str
    unit_id: int
    manager: str
    gender: str | None
    end: datetime.date | None


def validate_people(data: bytes) -> list[Person]:
    rows = read_people(data)
    errors: list[str] = []
    units = {u.code: u for u in OrgUnit.objects.all()}
    known_numbers = set(User.objects.exclude(employee_number=None).values_list("employee_number", flat=True))
    first_row: dict[str, Row] = {}
    people: list[Person] = []
    header_has_name = any(r.values["name"] for r in rows)
    for row in rows:
        v = row.values
        row_errors: list[str] = []
        number = v["employee_number"]
        if not number:
            row_errors.append(f"{_where(row, 'employee_number')}: anställningsnumret saknas.")
        elif len(number) > 40:
            row_errors.append(f"{_where(row, 'employee_number')}: anställningsnumret får vara högst 40 tecken.")
        elif number in first_row:
            row_errors.append(f"{_where(row, 'employee_number')}: anställningsnumret ”{number}” finns redan på rad "
                              f"{first_row[number].number} (rad {first_row[number].number} och rad {row.number}).")
        else:
            first_row[number] = row
        first, last = v["first_name"], v["last_name"]
        if not first and not last and v["name"]:
            first, _space, last = v["name"].rpartition(" ")
            if not first:
                first, last = last, ""
        if not first and not last:
            column = "name" if header_has_name else "first_name"
            row_errors.append(f"{_where(row, column)}: namnet saknas.")
        elif len(first) > 150 or len(last) > 150:
            row_errors.append(f"{_where(row, 'first_name')}: för- och efternamn får vara högst 150 tecken var.")
        if v["email"]:
            try:
                validate_email(v["email"])
            except ValidationError:
                row_errors.append(f"{_where(row, 'email')}: ”{v['email']}” är inte en e-postadress.")
        unit = units.get(v["unit_code"])
        if not v["unit_code"]:
            row_errors.append(f"{_where(row, 'unit_code')}: enhetens kod saknas.")
        elif unit is None:
            row_errors.append(f"{_where(row, 'unit_code')}: det finns ingen enhet med koden ”{v['unit_code']}”. "
                              f"Importera organisationen först (import_org).")
        elif not unit.active:
            row_errors.append(f"{_where(row, 'unit_code')}: enheten ”{v['unit_code']}” är inaktiverad.")
        gender = parse_gender(v["gender"])
        if gender is None:
            allowed = ", ".join(sorted(w for w in GENDER_WORDS if w))
            row_errors.append(f"{_where(row, 'gender')}: okänt kön ”{v['gender']}”. Tillåtna värden är {allowed} "
                              f"eller tomt.")
        end = _date(row, "end_date", row_errors)
        if v["manager_number"] and v["manager_number"] == number:
            row_errors.append(f"{_where(row, 'manager_number')}: en person kan inte vara sin egen chef.")
        errors += row_errors
        if not row_errors:
            people.append(Person(row, number, first, last, v["email"], unit.pk, v["manager_number"], gender, end))

    for row in rows:
        manager = row.values["manager_number"]
        if manager and manager not in first_row and manager not in known_numbers:
            errors.append(f"{_where(row, 'manager_number')}: det finns ingen person med anställningsnumret "
                          f"”{manager}”, varken i filen eller i Värn.")

    # Cycles of managers, in the organisation after the import.
    manager_of = dict(User.objects.exclude(employee_number=None).filter(manager__isnull=False)
                      .values_list("employee_number", "manager__employee_number"))
    manager_of.update({p.number: p.manager for p in people})
    reported: set[str] = set()
    for person in people:
        seen = [person.number]
        current = manager_of.get(person.number) or ""
        while current:
            if current in seen:
                cycle = seen[seen.index(current):] + [current]
                if not reported & set(cycle):
                    errors.append(f"{_where(person.row, 'manager_number')}: cheferna bildar en cirkel: "
                                  f"{' → '.join(cycle)}.")
                    reported.update(cycle)
                break
            seen.append(current)
            current = manager_of.get(current) or ""
    if errors:
        raise CsvImportError(errors)
    return people


# --- writing ------------------------------------------------------------------

def import_people(data: bytes, *, complete: bool = False, managers_get_role: bool = False,
                  actor=None, actor_label: str = ACTOR) -> PeopleResult:
    """Validate, then create or update every person in one transaction; every
    change (person and role) goes to the audit log with old and new value."""
    people = validate_people(data)
    today = timezone.localdate()
    result = PeopleResult()
    untouched: set[str] = set()
    with transaction.atomic():
        users: dict[str, User] = {u.employee_number: u for u in
                                  User.objects.filter(employee_number__in=[p.number for p in people])}
        for person in people:
            user = users.get(person.number)
            if user is None:
                username = person.number
                n = 1
                while User.objects.filter(username=username).exists():
                    n += 1
                    username = f"{person.number}-{n}"
                user = User(username=username)
                user.set_unusable_password()
            values = {"employee_number": person.number, "first_name": person.first_name,
                      "last_name": person.last_name, "employment_end": person.end}
            # The file deactivates who has left; it never reactivates an account
            # (one an administrator deactivated stays so; a rehire is the admin's step).
            if person.end and person.end < today:
                values["is_active"] = False
            if person.email:
                values["email"] = person.email
            if person.row.values["gender"]:
                values["gender"] = person.gender
            new = user.pk is None
            changes = update_person(user, values, actor=actor, actor_label=actor_label)
            users[person.number] = user
            roles = sync_assignments(user, {(Role.EMPLOYEE, person.unit_id)}, RoleAssignment.Source.HR,
                                     roles=[Role.EMPLOYEE], actor=actor, actor_label=actor_label)
            if new:
                result.created += 1
            elif changes or roles:
                result.updated += 1
                if changes.get("is_active") == [True, False]:
                    result.deactivated += 1
            else:
                untouched.add(person.number)
            result.numbers.append(person.number)

        # Managers, once everyone exists.
        missing = {p.manager for p in people if p.manager and p.manager not in users}
        users.update({u.employee_number: u for u in User.objects.filter(employee_number__in=missing)})
        for person in people:
            user = users[person.number]
            manager = users.get(person.manager) if person.manager else None
            if update_person(user, {"manager": manager}, actor=actor, actor_label=actor_label) and \
                    person.number in untouched:
                untouched.discard(person.number)
                result.updated += 1
        if managers_get_role:
            leads: dict[str, set] = {p.number: set() for p in people}
            for person in people:
                if person.manager and person.manager in users:
                    leads.setdefault(person.manager, set()).add((Role.MANAGER, person.unit_id))
            for number, desired in leads.items():
                if number not in untouched and number not in result.numbers:
                    # A manager the file does not list: what they lead outside the file stays.
                    desired |= set(users[number].assignments.filter(
                        role=Role.MANAGER, source=RoleAssignment.Source.HR, active=True).values_list("role", "node_id"))
                if sync_assignments(users[number], desired, RoleAssignment.Source.HR, roles=[Role.MANAGER],
                                    actor=actor, actor_label=actor_label) and number in untouched:
                    untouched.discard(number)
                    result.updated += 1
        result.unchanged = len(untouched)

        if complete:
            listed = {p.number for p in people}
            for user in User.objects.exclude(employee_number=None).exclude(employee_number__in=listed).filter(
                    is_active=True):
                update_person(user, {"is_active": False}, actor=actor, actor_label=actor_label)
                result.deactivated += 1
    people_imported.send(sender=__name__, today=today)
    return result
