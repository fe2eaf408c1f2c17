"""The HR system's people file (organisation.people, manage.py import_people):
real Swedish Excel files (XLSX written with openpyxl, semicolon CSV in
Windows-1252 as Excel saves "CSV"), people created, updated and
deactivated; every bad row named by row and column, and nothing changed."""
import datetime
from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook

from audit.models import AuditEntry
from organisation.models import Role, RoleAssignment, User

pytestmark = pytest.mark.django_db

SWEDISH_HEADER = ["Anställningsnummer", "Förnamn", "Efternamn", "E-post", "Enhet", "Chef", "Kön", "Slutdatum"]
PEOPLE = [
    ["200001", "Åsa", "Öberg", "asa.oberg@example.se", "NORR-EB", "", "Kvinna", ""],
    ["200002", "Jörgen", "Ängström", "jorgen.angstrom@example.se", "NORR-EB", "200001", "Man", ""],
    ["200003", "Mäja", "Lärka", "", "NORR-BU", "200001", "K", "2026-12-31"],
]


def xlsx(rows, header=SWEDISH_HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            if header[i] == "Slutdatum" and value and value[:4].isdigit() and len(value) == 10 and value[4] == "-":
                value = datetime.datetime.strptime(value, "%Y-%m-%d")  # a real Excel date cell
            elif header[i] == "Anställningsnummer" and value.isdigit():
                value = int(value)  # Excel keeps numbers as numbers
            cells.append(value)
        sheet.append(cells)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def excel_csv(rows, header=SWEDISH_HEADER) -> bytes:
    """What Swedish Excel writes as "CSV (semikolonavgränsad)": Windows-1252, ; and CRLF."""
    lines = [";".join(header)] + [";".join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def run(tmp_path, data, *args, name="personal.xlsx") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    out = StringIO()
    call_command("import_people", str(path), *args, stdout=out)
    return out.getvalue()


def state():
    return (sorted(User.objects.values_list("username", "first_name", "last_name", "email", "gender",
                                            "employee_number", "employment_end", "manager_id", "is_active")),
            sorted(RoleAssignment.objects.values_list("user_id", "role", "node_id", "active", "source")),
            AuditEntry.objects.count())


def rejected(tmp_path, data, name="personal.csv") -> str:
    before = state()
    with pytest.raises(CommandError) as error:
        run(tmp_path, data, name=name)
    assert state() == before
    assert str(error.value).startswith("Inget importerades")
    return str(error.value)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_swedish_excel_file_creates_people_at_their_units(city, tmp_path, fmt):
    data = xlsx(PEOPLE) if fmt == "xlsx" else excel_csv(PEOPLE)
    out = run(tmp_path, data, "--managers-get-role", name=f"personal.{fmt}")
    assert "3 nya" in out
    asa = User.objects.get(employee_number="200001")
    jorgen = User.objects.get(employee_number="200002")
    maja = User.objects.get(employee_number="200003")
    assert (asa.first_name, asa.last_name, asa.email, asa.gender) == ("Åsa", "Öberg", "asa.oberg@example.se", "woman")
    assert (jorgen.first_name, jorgen.last_name, jorgen.gender, jorgen.manager) == ("Jörgen", "Ängström", "man", asa)
    assert maja.employment_end == datetime.date(2026, 12, 31) and maja.gender == "woman"
    assert not asa.has_usable_password()
    assert set(jorgen.assignments.values_list("role", "node__code", "source", "active")) == {
        (Role.EMPLOYEE, "NORR-EB", "hr", True)}
    # Åsa leads people at two units: the manager role at both.
    assert set(asa.assignments.filter(role=Role.MANAGER).values_list("node__code", flat=True)) == {
        "NORR-EB", "NORR-BU"}
    assert AuditEntry.objects.filter(action="user.create", object_id=str(asa.pk)).exists()
    assert AuditEntry.objects.filter(action="roleassignment.create", actor_label="import_people").count() == 5

    # The same file again changes nothing.
    assert "3 oförändrade" in run(tmp_path, data, "--managers-get-role", name=f"personal.{fmt}")


def test_a_second_import_updates_moves_and_deactivates(city, tmp_path):
    run(tmp_path, xlsx(PEOPLE), "--managers-get-role")
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    changed = [
        ["200001", "Åsa", "Öberg-Lind", "asa.oberg@example.se", "NORR-EB", "", "Kvinna", ""],
        # Jörgen moved to Syd and to another manager; Mäja left yesterday.
        ["200002", "Jörgen", "Ängström", "jorgen.angstrom@example.se", "SYD-EB", "", "Man", ""],
        ["200003", "Mäja", "Lärka", "", "NORR-BU", "200001", "K", yesterday],
    ]
    out = run(tmp_path, xlsx(changed), "--managers-get-role")
    assert "1 inaktiverade" in out
    asa = User.objects.get(employee_number="200001")
    jorgen = User.objects.get(employee_number="200002")
    maja = User.objects.get(employee_number="200003")
    assert asa.last_name == "Öberg-Lind"
    assert set(jorgen.assignments.filter(active=True).values_list("role", "node__code")) == {
        (Role.EMPLOYEE, "SYD-EB")}
    assert jorgen.manager is None
    assert not maja.is_active  # deactivated, never deleted
    # Åsa leads only Mäja now (at Barn och unga): her role at Ekonomiskt bistånd went.
    assert set(asa.assignments.filter(role=Role.MANAGER, active=True).values_list("node__code", flat=True)) == {
        "NORR-BU"}
    entry = AuditEntry.objects.filter(action="user.change", object_id=str(maja.pk)).latest("pk")
    assert entry.changes["is_active"] == [True, False]


def test_complete_deactivates_who_is_no_longer_listed(city, tmp_path):
    run(tmp_path, xlsx(PEOPLE))
    out = run(tmp_path, xlsx(PEOPLE[:2]), "--complete")
    assert "1 inaktiverade" in out
    assert not User.objects.get(employee_number="200003").is_active
    # Accounts that no HR import made (the demo's, the break-glass admin's) are left alone.
    assert User.objects.get(pk=city.admin.pk).is_active


def test_every_fault_is_named_by_row_and_column_and_nothing_changes(city, tmp_path):
    run(tmp_path, xlsx(PEOPLE[:1]))
    bad = [
        ["300001", "Bo", "Ek", "bo@example.se", "NORR-EB", "300002", "Man", ""],
        ["300002", "Cia", "Al", "cia@example.se", "NORR-EB", "300003", "Kvinna", ""],
        ["300003", "Dan", "Björk", "dan@example.se", "NORR-EB", "300001", "Man", ""],  # cycle 1→2→3→1
        ["300001", "Eva", "Gran", "eva@example.se", "NORR-EB", "", "Kvinna", ""],  # duplicate number
        ["300005", "Fia", "Hägg", "fia@example.se", "OKAND", "", "Kvinna", ""],  # unknown unit
        ["300006", "Gun", "Ask", "gun@example.se", "NORR-EB", "", "Kvinna", "31/12/2026"],  # malformed date
        ["300007", "Hans", "Lönn", "inte-en-adress", "NORR-EB", "999999", "Hen?", ""],
    ]
    message = rejected(tmp_path, excel_csv(bad))
    assert "Rad 2, kolumn manager_number: cheferna bildar en cirkel: 300001 → 300002 → 300003 → 300001." in message
    assert "Rad 5, kolumn employee_number: anställningsnumret ”300001” finns redan på rad 2" in message
    assert "Rad 6, kolumn unit_code: det finns ingen enhet med koden ”OKAND”" in message
    assert "Rad 7, kolumn end_date: ”31/12/2026” är inte ett datum" in message
    assert "Rad 8, kolumn email: ”inte-en-adress” är inte en e-postadress." in message
    assert "Rad 8, kolumn gender: okänt kön ”Hen?”" in message
    assert "Rad 8, kolumn manager_number: det finns ingen person med anställningsnumret ”999999”" in message
    assert "Inget importerades: 7 fel" in message
    # The same faults in an Excel file.
    message = rejected(tmp_path, xlsx(bad), name="personal.xlsx")
    assert "Rad 6, kolumn unit_code" in message and "cirkel" in message


def test_a_cycle_through_people_already_in_varn_is_found(city, tmp_path):
    run(tmp_path, xlsx([["400001", "Ida", "Ros", "", "NORR-EB", "", "", ""],
                        ["400002", "Jan", "Ros", "", "NORR-EB", "400001", "", ""]]))
    # Ida's new manager is Jan, whose manager is Ida.
    message = rejected(tmp_path, xlsx([["400001", "Ida", "Ros", "", "NORR-EB", "400002", "", ""]]),
                       name="personal.xlsx")
    assert "Rad 2, kolumn manager_number: cheferna bildar en cirkel: 400001 → 400002 → 400001." in message


def test_encodings_bom_and_separators(city, tmp_path):
    header = "employee_number,name,unit_code,gender\n"
    # UTF-8 with BOM, commas, a name in one column.
    run(tmp_path, ("\ufeff" + header + "500001,Örjan Åkesson,NORR-EB,man\n").encode("utf-8"), name="a.csv")
    user = User.objects.get(employee_number="500001")
    assert (user.first_name, user.last_name) == ("Örjan", "Åkesson")
    # Windows-1252 with semicolons.
    run(tmp_path, "employee_number;first_name;last_name;unit_code\r\n500002;Ärla;Ödman;NORR-BU\r\n"
        .encode("cp1252"), name="b.csv")
    assert User.objects.get(employee_number="500002").first_name == "Ärla"
    # A file that is UTF-8 in one line and Windows-1252 in another is refused by row.
    mixed = ("employee_number;first_name;last_name;unit_code\n500003;Åke;Ek;NORR-EB\n".encode("utf-8")
             + "500004;Märta;Ek;NORR-EB\n".encode("cp1252"))
    message = rejected(tmp_path, mixed)
    assert "Rad 3: tecknet på position 9" in message
    # A header nobody knows.
    message = rejected(tmp_path, b"anstnr;skostorlek\n1;42\n")
    assert "Rad 1, kolumn 2: okänd kolumn ”skostorlek”" in message
    assert "kolumnen ”unit_code” saknas" in message


def test_a_file_that_is_not_excel_is_refused(city, tmp_path):
    message = rejected(tmp_path, b"PK\x03\x04 not really a zip", name="personal.xlsx")
    assert "kan inte läsas som en Excel-fil" in message


def test_the_file_never_reactivates_an_account(city, tmp_path):
    run(tmp_path, xlsx(PEOPLE))
    asa = User.objects.get(employee_number="200001")
    asa.is_active = False  # an administrator's decision
    asa.save()
    assert "3 oförändrade" in run(tmp_path, xlsx(PEOPLE))
    assert not User.objects.get(pk=asa.pk).is_active


def test_a_manager_only_change_counts_as_a_change(city, tmp_path):
    run(tmp_path, xlsx(PEOPLE))
    changed = [PEOPLE[0], PEOPLE[1][:5] + [""] + PEOPLE[1][6:], PEOPLE[2]]
    assert "1 ändrade och 2 oförändrade" in run(tmp_path, xlsx(changed))
    assert User.objects.get(employee_number="200002").manager is None


def test_a_partial_file_keeps_what_a_manager_leads_outside_it(city, tmp_path):
    run(tmp_path, xlsx(PEOPLE), "--managers-get-role")
    # A file with only Mäja: Åsa is not listed, and still leads Ekonomiskt bistånd.
    run(tmp_path, xlsx([PEOPLE[2]]), "--managers-get-role")
    asa = User.objects.get(employee_number="200001")
    assert set(asa.assignments.filter(role=Role.MANAGER, active=True).values_list("node__code", flat=True)) == {
        "NORR-EB", "NORR-BU"}
