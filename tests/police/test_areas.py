"""Police areas: the mapping, its CSV import and the joint situation picture
per local police area, across districts and within each user's scope."""
from dataclasses import replace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from organisation.csvio import CsvImportError
from police import areas, picture
from police.models import AreaMapping, PoliceArea, PoliceRegion
from situation import figures, stats, totals
from situation.forms import load_terms
from situation.lens import Lens, last_twelve_months
from tests.factories import incident

pytestmark = pytest.mark.django_db

GOOD = ("enhet;lokalpolisomrade;polisregion\n"
        "NORR;Järva;Polisregion Stockholm\n"
        "SYD;Järva;Polisregion Stockholm\n"
        "NORR-BU;Västerort;Polisregion Stockholm\n").encode()


@pytest.fixture
def mapped(city):
    areas.import_csv(GOOD)
    return PoliceArea.objects.get(name="Järva"), PoliceArea.objects.get(name="Västerort")


def lens_for(node):
    start, end = last_twelve_months(timezone.localdate())
    return Lens(node=node, start=start, end=end)


def test_a_unit_belongs_to_the_nearest_mapped_node(city, mapped):
    jarva, vasterort = mapped
    assert areas.area_of(city.north_a) == jarva  # inherited from the district
    assert areas.area_of(city.north_b) == vasterort  # its own mapping wins
    assert areas.area_of(city.south_a) == jarva
    assert areas.area_of(city.city) is None
    signs = {(sign, node.code) for sign, node in areas.area_terms(jarva)}
    assert signs == {(1, "NORR"), (1, "SYD"), (-1, "NORR-BU")}
    assert {(s, n.code) for s, n in areas.area_terms(vasterort)} == {(1, "NORR-BU")}


def test_the_import_creates_regions_areas_and_audited_mappings(city):
    result = areas.import_csv(GOOD)
    assert (result.created, result.changed, result.unchanged) == (3, 0, 0)
    assert PoliceRegion.objects.get().name == "Polisregion Stockholm"
    assert sorted(result.new_areas) == ["Järva (Polisregion Stockholm)", "Västerort (Polisregion Stockholm)"]
    assert AuditEntry.objects.filter(action="areamapping.create").count() == 3
    again = areas.import_csv(GOOD.replace(b"NORR-BU;V\xc3\xa4sterort", b"NORR-BU;J\xc3\xa4rva"))
    assert (again.created, again.changed, again.unchanged) == (0, 1, 2)
    assert AreaMapping.objects.get(unit=city.north_b).area.name == "Järva"
    entry = AuditEntry.objects.filter(action="areamapping.change").get()
    assert entry.changes == {"area": ["Västerort", "Järva"]}


def test_any_bad_row_changes_nothing_and_every_problem_is_named(city, mapped):
    before = list(AreaMapping.objects.values_list("unit__code", "area__name").order_by("unit__code"))
    bad = ("enhet;lokalpolisomrade;polisregion\n"
           "SYD;Södermalm;Polisregion Stockholm\n"        # good, but must not be applied
           "OKAND-ENHET;Järva;Polisregion Stockholm\n"
           "NORR;;Polisregion Stockholm\n"
           "SYD;Farsta;Polisregion Stockholm\n").encode()
    with pytest.raises(CsvImportError) as caught:
        areas.import_csv(bad)
    errors = caught.value.errors
    assert any("Rad 3" in e and "OKAND-ENHET" in e and "finns inte" in e for e in errors), errors
    assert any("Rad 4" in e and "lokalpolisomrade är tom" in e for e in errors), errors
    assert any("Rad 5" in e and "redan på rad 2" in e for e in errors), errors
    after = list(AreaMapping.objects.values_list("unit__code", "area__name").order_by("unit__code"))
    assert after == before
    assert not PoliceArea.objects.filter(name__in=["Södermalm", "Farsta"]).exists()


def test_a_file_with_a_wrong_header_is_refused(city):
    with pytest.raises(CsvImportError) as caught:
        areas.import_csv(b"kod;omrade\nNORR;Jarva\n")
    assert any("okänd kolumn" in e for e in caught.value.errors)
    assert not AreaMapping.objects.exists()


def test_the_command_imports_and_refuses_like_the_page(city, tmp_path):
    good = tmp_path / "ok.csv"
    good.write_bytes(GOOD)
    call_command("import_police_areas", str(good))
    assert AreaMapping.objects.count() == 3
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"enhet;lokalpolisomrade;polisregion\nFINNS-EJ;X;Y\n")
    with pytest.raises(CommandError, match="FINNS-EJ"):
        call_command("import_police_areas", str(bad))


def test_the_administrator_imports_on_the_page_and_sees_row_errors(login, city):
    client = login(city.admin)
    url = reverse("police:import")
    assert client.get(url).status_code == 200
    response = client.post(url, {"fil": SimpleUploadedFile(
        "omraden.csv", b"enhet;lokalpolisomrade;polisregion\nNORR;J\xc3\xa4rva;Polisregion Stockholm\n"
                       b"SAKNAS;J\xc3\xa4rva;Polisregion Stockholm\n", content_type="text/csv")})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Inget har ändrats" in text and "SAKNAS" in text and "Rad 3" in text
    assert not AreaMapping.objects.exists()
    response = client.post(url, {})
    assert response.status_code == 400 and "Välj en CSV-fil" in response.content.decode()
    response = client.post(url, {"fil": SimpleUploadedFile("omraden.csv", GOOD, content_type="text/csv")})
    assert response.status_code == 302
    assert AreaMapping.objects.count() == 3


def test_only_the_administrator_may_import(login, city):
    for user in (city.security, city.analyst, city.manager):
        response = login(user).post(reverse("police:import"), {
            "fil": SimpleUploadedFile("omraden.csv", GOOD, content_type="text/csv")})
        assert response.status_code == 404
    assert not AreaMapping.objects.exists()


def test_the_administrator_edits_a_mapping_in_the_admin(login, city, mapped):
    jarva, vasterort = mapped
    client = login(city.admin)
    mapping = AreaMapping.objects.get(unit=city.south)
    url = reverse("admin:police_areamapping_change", args=[mapping.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"unit": city.south.pk, "area": vasterort.pk})
    assert response.status_code == 302
    assert AreaMapping.objects.get(unit=city.south).area == vasterort
    assert AuditEntry.objects.filter(action="areamapping.change").exists()


# --- the joint picture per police area --------------------------------------------

def plant(unit, n, text):
    return [incident(unit, forms=("hot",), description=f"{text} {i}", days_ago=3 + i) for i in range(n)]


def test_the_area_counts_every_district_it_covers_and_nothing_mapped_elsewhere(city, mapped):
    """The exact counts before protection: the sum over the area's nodes
    (north less its unit served by Västerort, and south)."""
    jarva, _vasterort = mapped
    plant(city.north_a, 6, "Norr A")
    plant(city.north_b, 7, "Norr B")  # Västerort's
    plant(city.south_a, 5, "Syd")
    terms = load_terms()
    lens = lens_for(city.city)
    win = figures.window(lens)
    parts = [(sign, totals.gather(city.analyst, replace(lens, node=node), terms, pieces=win.pieces,
                                  history_start=win.history_start, with_history=False, today=lens.end))
             for sign, node in areas.reachable_terms(city.analyst, jarva)]
    combined = picture.combine(parts)
    # The city's own incidents: north_a has 4 and north_b 1, south 1 (factories.City).
    assert combined.total_now == (4 + 6) + (1 + 5)
    assert city.north_b.pk not in combined.unit_now
    assert set(combined.unit_now) == {city.north_a.pk, city.south_a.pk}


def test_a_coordinator_sees_only_their_own_district_in_a_cross_district_area(city, mapped):
    jarva, _ = mapped
    AreaMapping.objects.filter(unit=city.north_b).delete()  # the whole north is Järva's here
    plant(city.north_a, 6, "Norr A")
    plant(city.south_a, 9, "Hemligt i syd")
    terms = load_terms()
    lens = lens_for(city.city)
    north_view = picture.build(city.security, jarva, lens, terms)
    assert [n.code for n in north_view.nodes] == ["NORR"]
    own = stats.build(city.security, Lens(node=city.north, start=lens.start, end=lens.end), terms, police=True)
    # Exactly the north's joint picture: the south adds nothing.
    assert north_view.picture.total.value == own.total.value
    assert [t.rows for t in north_view.picture.tables if t.key == "kalla"] == [
        t.rows for t in own.tables if t.key == "kalla"]
    units = next(t for t in north_view.picture.tables if t.key == "enheter")
    assert [r.label for r in units.rows] == ["Norra stadsdelsförvaltningen"]
    south_view = picture.build(city.security_south, jarva, lens, terms)
    assert [n.code for n in south_view.nodes] == ["SYD"]
    city_view = picture.build(city.analyst, jarva, lens, terms)
    assert [n.code for n in city_view.nodes] == ["NORR", "SYD"]
    assert city_view.picture.suppressed


def test_the_area_page_is_scoped_and_suppressed(login, city, mapped):
    jarva, vasterort = mapped
    plant(city.south_a, 9, "Hemligt i syd")
    client = login(city.security)
    response = client.get(reverse("police:area", args=[jarva.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Norra stadsdelsförvaltningen" in text
    assert "Södra stadsdelsförvaltningen" not in text and "Ekonomiskt bistånd Syd" not in text
    assert "Hemligt i syd" not in text
    assert "har behörighet till" in text  # says the area is only partly counted
    assert "&lt;5" in text or "<5" in text
    # Västerort serves only north's Barn och unga: within the coordinator's district.
    assert client.get(reverse("police:area", args=[vasterort.pk])).status_code == 200
    # The south's coordinator does not reach Västerort at all.
    assert login(city.security_south).get(reverse("police:area", args=[vasterort.pk])).status_code == 404
    assert login(city.employee).get(reverse("police:area", args=[jarva.pk])).status_code == 404
    assert login(city.security).get(reverse("police:area", args=[999999])).status_code == 404


def test_the_area_page_answers_bad_period_input_with_messages(login, city, mapped):
    jarva, _ = mapped
    response = login(city.security).get(reverse("police:area", args=[jarva.pk]), {"period": "ar", "ar": "abc"})
    assert response.status_code == 400
    assert "Ange året med fyra siffror" in response.content.decode()


def test_the_overview_lists_the_areas_in_scope(login, city, mapped):
    text = login(city.security_south).get(reverse("police:overview")).content.decode()
    assert "Järva" in text and "Västerort" not in text
    text = login(city.analyst).get(reverse("police:overview")).content.decode()
    assert "Järva" in text and "Västerort" in text
    assert login(city.employee).get(reverse("police:overview")).status_code == 404
    assert "Läs in kopplingar" in login(city.admin).get(reverse("police:overview")).content.decode()
