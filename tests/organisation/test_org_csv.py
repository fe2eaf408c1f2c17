"""CSV import and export of the organisation tree and headcount
(organisation.csvio, manage.py import_org / export_org): every bad input is
rejected with row and column named and leaves the database unchanged."""
import csv
import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEntry
from demo.builder import build_organisation, ensure_headcount
from organisation import csvio
from organisation.models import Headcount, OrgUnit

pytestmark = pytest.mark.django_db

HEADER = "code,name,kind,parent_code,operation_area,active\n"
TREE = (
    HEADER
    + "STHLM,Stockholms stad,city,,,1\n"
    + "SKH,Skärholmens stadsdelsförvaltning,administration,STHLM,,1\n"
    + "SKH-IFO,Avdelningen för socialtjänst,department,SKH,,1\n"
    + "SKH-EB,Försörjningsstöd,unit,SKH-IFO,ekonomiskt_bistand,1\n"
    + "SKH-BU,\"Barn och unga, mottagning\",unit,SKH-IFO,barn_unga,0\n"
)


def export(headcount=False) -> str:
    out = StringIO()
    call_command("export_org", *(["--headcount"] if headcount else []), stdout=out)
    return out.getvalue()


def import_file(tmp_path, content, *args, name="org.csv") -> str:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    out = StringIO()
    call_command("import_org", str(path), *args, stdout=out)
    return out.getvalue()


def rejected(tmp_path, content, *args) -> str:
    """Import a bad file; assert that nothing changed and return the error text."""
    before = (export(), export(headcount=True), OrgUnit.objects.count(), Headcount.objects.count(),
              AuditEntry.objects.count())
    with pytest.raises(CommandError) as error:
        import_file(tmp_path, content, *args)
    after = (export(), export(headcount=True), OrgUnit.objects.count(), Headcount.objects.count(),
             AuditEntry.objects.count())
    assert before == after
    assert str(error.value).startswith("Inget importerades")
    return str(error.value)


@pytest.fixture
def tree(tmp_path):
    import_file(tmp_path, TREE, name="tree.csv")


def delete_tree():
    Headcount.objects.all().delete()
    for node in OrgUnit.objects.order_by("-path"):  # children before parents
        node.delete()


# --- export --------------------------------------------------------------------

def test_export_writes_codes_with_parents_before_children(tree):
    text = export()
    lines = text.splitlines()
    assert lines[0] == HEADER.strip()
    assert lines[1] == "STHLM,Stockholms stad,city,,,1"
    rows = list(csv.reader(lines[1:]))
    codes = [row[0] for row in rows]
    assert len(codes) == 5
    for code, _name, _kind, parent, _area, _active in rows:
        if parent:
            assert codes.index(parent) < codes.index(code)
    assert '"Barn och unga, mottagning",unit,SKH-IFO,barn_unga,0' in text


def test_export_to_a_file_is_utf8(tree, tmp_path):
    target = tmp_path / "out.csv"
    call_command("export_org", "-o", str(target), stderr=StringIO())
    assert "Skärholmens stadsdelsförvaltning" in target.read_bytes().decode("utf-8")


def test_export_headcount_lists_unit_year_and_gender_split(tree):
    Headcount.objects.create(unit=OrgUnit.objects.get(code="SKH-EB"), year=2025, employees=30, women=24, men=6)
    Headcount.objects.create(unit=OrgUnit.objects.get(code="SKH-BU"), year=2025, employees=12)
    assert export(headcount=True) == ("unit_code,year,employees,women,men\n"
                                      "SKH-BU,2025,12,,\nSKH-EB,2025,30,24,6\n")


# --- round trip and upsert --------------------------------------------------------

def test_round_trip_of_the_demo_city_gives_an_identical_file(tmp_path):
    rng = random.Random(3)
    build_organisation(rng)
    ensure_headcount(rng, range(2024, 2027))
    tree_csv, headcount_csv = export(), export(headcount=True)
    assert tree_csv.count("\n") == OrgUnit.objects.count() + 1

    delete_tree()
    assert not OrgUnit.objects.exists()
    import_file(tmp_path, tree_csv, name="tree.csv")
    import_file(tmp_path, headcount_csv, "--headcount", name="hc.csv")
    assert export() == tree_csv
    assert export(headcount=True) == headcount_csv


def test_import_accepts_bom_semicolons_and_children_before_parents(tmp_path):
    content = ("\ufeffcode;name;kind;parent_code;operation_area;active\n"
               "SKH-EB;Försörjningsstöd;unit;SKH-IFO;ekonomiskt_bistand;1\n"
               "SKH-IFO;Avdelningen för socialtjänst;department;SKH;;1\n"
               "SKH;Skärholmens stadsdelsförvaltning;administration;STHLM;;1\n"
               "STHLM;Stockholms stad;city;;;1\n")
    out = import_file(tmp_path, content.encode("utf-8"))
    assert "4 nya" in out
    unit = OrgUnit.objects.get(code="SKH-EB")
    assert unit.is_within(OrgUnit.objects.get(code="STHLM"))
    assert [a.code for a in unit.ancestors()] == ["STHLM", "SKH", "SKH-IFO"]


def test_import_without_the_optional_columns_makes_active_nodes(tmp_path):
    import_file(tmp_path, "code,name,kind,parent_code\r\nSTHLM,Stockholms stad,city,\r\n")
    assert OrgUnit.objects.get(code="STHLM").active is True


def test_import_updates_names_by_code_and_logs_old_and_new_values(tree, tmp_path):
    ids = dict(OrgUnit.objects.values_list("code", "id"))
    out = import_file(tmp_path, TREE.replace("Försörjningsstöd", "Ekonomiskt bistånd vuxna"))
    assert "0 nya, 1 ändrade och 4 oförändrade" in out
    assert dict(OrgUnit.objects.values_list("code", "id")) == ids
    assert OrgUnit.objects.get(code="SKH-EB").name == "Ekonomiskt bistånd vuxna"
    entry = AuditEntry.objects.filter(action="orgunit.change").latest("id")
    assert entry.changes == {"name": ["Försörjningsstöd", "Ekonomiskt bistånd vuxna"]}


def test_import_can_move_a_department_and_its_units_to_another_district(tree, tmp_path):
    import_file(tmp_path, HEADER + "FAR,Farsta stadsdelsförvaltning,administration,STHLM,,1\n"
                + "SKH-IFO,Avdelningen för socialtjänst,department,FAR,,1\n")
    far = OrgUnit.objects.get(code="FAR")
    assert OrgUnit.objects.get(code="SKH-EB").is_within(far)
    assert OrgUnit.objects.get(code="SKH-BU").is_within(far)
    assert not OrgUnit.objects.get(code="SKH-EB").is_within(OrgUnit.objects.get(code="SKH"))


def test_headcount_import_creates_and_updates_by_unit_and_year(tree, tmp_path):
    content = "unit_code;year;employees;women;men\nSKH-EB;2025;30;24;6\nSKH-BU;2025;12;;\n"
    assert "2 nya" in import_file(tmp_path, content, "--headcount")
    import_file(tmp_path, "unit_code,year,employees,women,men\nSKH-EB,2025,32,26,6\n", "--headcount")
    hc = Headcount.objects.get(unit__code="SKH-EB", year=2025)
    assert (hc.employees, hc.women, hc.men) == (32, 26, 6)
    assert Headcount.objects.get(unit__code="SKH-BU").women is None


# --- bad input: nothing is written and the error names row and column -------------

def test_a_missing_column_is_named(tree, tmp_path):
    error = rejected(tmp_path, "code,name,kind\nX,Namn,unit\n")
    assert "Rad 1: kolumnen ”parent_code” saknas i rubrikraden." in error


def test_a_wrong_column_is_named_with_its_position(tree, tmp_path):
    error = rejected(tmp_path, "code,name,kind,parent,operation_area\nX,Namn,unit,SKH-IFO,\n")
    assert "Rad 1, kolumn 4: okänd kolumn ”parent”" in error
    assert "”parent_code” saknas" in error


def test_a_repeated_column_is_refused(tree, tmp_path):
    error = rejected(tmp_path, "code,name,name,kind,parent_code\nX,A,B,unit,SKH-IFO\n")
    assert "Rad 1, kolumn 3: kolumnen ”name” finns två gånger." in error


def test_a_file_that_is_not_utf8_names_the_bad_row(tree, tmp_path):
    content = (HEADER + "SKH-NY,Ny enhet,unit,SKH-IFO,,1\n"
               + "SKH-AO,Äldreomsorg,unit,SKH-IFO,aldreomsorg,1\n").encode("cp1252")
    error = rejected(tmp_path, content)
    assert "Rad 3: tecknet på position 8 är inte giltig UTF-8" in error
    assert "Rad 2" not in error


def test_a_missing_parent_names_row_and_column(tree, tmp_path):
    error = rejected(tmp_path, HEADER + "SKH-VUX,Vuxenenheten,unit,SKH-IFO,missbruk,1\n"
                     + "SKH-X,Okänd förälder,unit,FINNS-INTE,missbruk,1\n")
    assert ("Rad 3, kolumn parent_code: det finns ingen enhet med koden ”FINNS-INTE”, varken i filen "
            "eller i databasen.") in error


def test_a_duplicate_code_names_both_rows(tree, tmp_path):
    error = rejected(tmp_path, HEADER + "SKH-VUX,Vuxenenheten,unit,SKH-IFO,missbruk,1\n"
                     + "SKH-SP,Socialpsykiatri,unit,SKH-IFO,socialpsykiatri,1\n"
                     + "SKH-VUX,Vuxenenheten igen,unit,SKH-IFO,missbruk,1\n")
    assert "Rad 4, kolumn code: koden ”SKH-VUX” finns redan på rad 2." in error
    assert "(rad 2 och rad 4)" in error


def test_an_unknown_kind_or_operation_area_is_refused(tree, tmp_path):
    error = rejected(tmp_path, HEADER + "SKH-A,A,enhet,SKH-IFO,,1\nSKH-B,B,unit,SKH-IFO,skola,1\n")
    assert "Rad 2, kolumn kind: okänd typ ”enhet”" in error
    assert "Rad 3, kolumn operation_area: okänt verksamhetsområde ”skola”" in error


def test_a_kind_that_cannot_sit_under_its_parent_is_refused(tree, tmp_path):
    error = rejected(tmp_path, HEADER + "SKH-X,Avdelning under enhet,department,SKH-EB,,1\n")
    assert "Rad 2, kolumn kind: en avdelning kan inte ligga under en enhet (”SKH-EB”)." in error


def test_changing_a_kind_so_that_existing_children_no_longer_fit_is_refused(tree, tmp_path):
    error = rejected(tmp_path, HEADER + "SKH-IFO,Avdelningen för socialtjänst,unit,SKH,,1\n")
    assert "Rad 2, kolumn kind: ”SKH-IFO” kan inte bli en enhet eftersom ”SKH-EB” (enhet) ligger under den." \
        in error


def test_only_the_city_may_lack_a_parent(tree, tmp_path):
    error = rejected(tmp_path, HEADER + "SKH-X,Föräldralös,unit,,,1\n")
    assert "Rad 2, kolumn parent_code: överordnad kod saknas." in error


def test_a_cycle_is_refused(tree, tmp_path):
    error = rejected(tmp_path, HEADER + "SKH-IFO,Avdelningen för socialtjänst,department,SKH-EB,,1\n")
    assert "koderna bildar en cirkel: SKH-IFO → SKH-EB → SKH-IFO." in error
    error = rejected(tmp_path, HEADER + "A,A,department,A,,1\n")
    assert "Rad 2, kolumn parent_code: en enhet kan inte ligga under sig själv." in error


def test_bad_codes_names_and_flags_are_refused(tree, tmp_path):
    error = rejected(tmp_path, HEADER + "Ö/1,Namn,unit,SKH-IFO,,1\n"
                     + ",Utan kod,unit,SKH-IFO,,1\n"
                     + "SKH-Y,,unit,SKH-IFO,,1\n"
                     + "SKH-Z," + "x" * 201 + ",unit,SKH-IFO,,1\n"
                     + "SKH-W,<script>alert(1)</script>,unit,SKH-IFO,,kanske\n")
    assert "Rad 2, kolumn code: ”Ö/1” är inte en giltig kod." in error
    assert "Rad 3, kolumn code: koden saknas." in error
    assert "Rad 4, kolumn name: namnet saknas." in error
    assert "Rad 5, kolumn name: namnet får vara högst 200 tecken." in error
    assert "Rad 6, kolumn active: ”kanske” ska vara 1 (aktiv) eller 0 (inaktiv)." in error


def test_a_row_with_the_wrong_number_of_fields_is_named(tree, tmp_path):
    error = rejected(tmp_path, HEADER + "SKH-X,Namn,unit,SKH-IFO,,1,extra\n")
    assert "Rad 2: raden har 7 fält men rubrikraden har 6." in error


def test_an_empty_file_is_refused(tree, tmp_path):
    assert "Filen är tom." in rejected(tmp_path, b"")
    assert "Filen är tom." in rejected(tmp_path, b"\xef\xbb\xbf\n\n")


def test_valid_rows_are_not_written_when_a_later_row_is_wrong(tree, tmp_path):
    error = rejected(tmp_path, HEADER + "SKH-A,Ny enhet A,unit,SKH-IFO,,1\n"
                     + "SKH-EB,Nytt namn,unit,SKH-IFO,ekonomiskt_bistand,1\n"
                     + "SKH-B,Ny enhet B,unit,SAKNAS,,1\n")
    assert "Rad 4, kolumn parent_code" in error
    assert not OrgUnit.objects.filter(code="SKH-A").exists()
    assert OrgUnit.objects.get(code="SKH-EB").name == "Försörjningsstöd"


def test_every_error_is_listed_at_once(tree, tmp_path):
    error = rejected(tmp_path, HEADER + "SKH-A,A,enhet,SKH-IFO,,1\n" + "SKH-B,B,unit,SAKNAS,,1\n"
                     + "SKH-C,C,unit,SKH-IFO,skola,1\n")
    assert "3 fel" in error
    assert all(f"Rad {n}" in error for n in (2, 3, 4))


def test_an_unreadable_path_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="Kan inte läsa"):
        call_command("import_org", str(tmp_path / "finns-inte.csv"))


# --- bad headcount input --------------------------------------------------------------

HC_HEADER = "unit_code,year,employees,women,men\n"


def test_headcount_for_an_unknown_unit_is_refused(tree, tmp_path):
    error = rejected(tmp_path, HC_HEADER + "SKH-EB,2025,30,24,6\nOKAND,2025,10,,\n", "--headcount")
    assert "Rad 3, kolumn unit_code: det finns ingen enhet med koden ”OKAND”." in error


def test_bad_numbers_in_headcount_are_named(tree, tmp_path):
    error = rejected(tmp_path, HC_HEADER + "SKH-EB,2025,tolv,,\n"
                     + "SKH-EB,1066,10,,\n"
                     + "SKH-BU,2025,-3,,\n"
                     + "SKH-BU,2024,99999999999999999999,,\n"
                     + "SKH-EB,2024,10,8,5\n"
                     + "SKH-EB,2023,,,\n", "--headcount")
    assert "Rad 2, kolumn employees: ”tolv” är inte ett heltal." in error
    assert "Rad 3, kolumn year: 1066 ligger utanför det tillåtna intervallet 1900–2200." in error
    assert "Rad 4, kolumn employees: ”-3” är inte ett heltal." in error
    assert "Rad 5, kolumn employees: 99999999999999999999 ligger utanför" in error
    assert "Rad 6, kolumn women: kvinnor och män (13) kan inte vara fler än antalet anställda (10)." in error
    assert "Rad 7, kolumn employees: värdet saknas." in error


def test_duplicate_unit_and_year_in_headcount_names_both_rows(tree, tmp_path):
    error = rejected(tmp_path, HC_HEADER + "SKH-EB,2025,30,,\nSKH-BU,2025,12,,\nSKH-EB,2025,31,,\n",
                     "--headcount")
    assert "Rad 4, kolumn year: SKH-EB 2025 finns redan på rad 2 (rad 2 och rad 4)." in error


def test_a_tree_file_given_as_headcount_names_the_wrong_columns(tree, tmp_path):
    error = rejected(tmp_path, TREE, "--headcount")
    assert "okänd kolumn ”code”" in error and "kolumnen ”unit_code” saknas" in error


# --- the module API a web upload will use -------------------------------------------

def test_the_module_api_returns_all_errors_without_writing(tree):
    with pytest.raises(csvio.CsvImportError) as error:
        csvio.import_tree((HEADER + "SKH-A,A,unit,SAKNAS,,1\n").encode())
    assert error.value.errors == [
        "Rad 2, kolumn parent_code: det finns ingen enhet med koden ”SAKNAS”, varken i filen eller i databasen."]
    result = csvio.import_tree((HEADER + "SKH-A,A,unit,SKH-IFO,,1\n").encode())
    assert (result.created, result.updated, result.codes) == (1, 0, ["SKH-A"])
