"""Lists of districts and units read in Swedish alphabetical order (å, ä, ö
after z), however the organisation was built: the report form's unit groups,
the situation picture's picker, the annual cycle's picker, the contacts in
the knowledge bank and the organisation tree in the admin."""
import re

import pytest

from organisation.models import OrgUnit, Role
from organisation.tree import collation_key, tree_order
from tests.factories import node, user


@pytest.mark.unit
def test_swedish_collation_puts_a_ring_a_umlaut_o_umlaut_after_z():
    names = ["Östermalm", "Älvsjö", "Årsta", "Zinkensdamm", "bromma", "Farsta", "Émile", "Enskede"]
    assert sorted(names, key=collation_key) == [
        "bromma", "Émile", "Enskede", "Farsta", "Zinkensdamm", "Årsta", "Älvsjö", "Östermalm"]


@pytest.mark.unit
def test_tree_order_keeps_parents_first_and_sorts_siblings_by_name():
    rows = [(1, "/1/", "Stad"), (2, "/1/2/", "Södra"), (3, "/1/2/3/", "Ö-enheten"),
            (4, "/1/2/4/", "A-enheten"), (5, "/1/5/", "Bromma"), (6, "/1/6/", "Älvsjö")]
    ordered = tree_order(rows, path=lambda r: r[1], name=lambda r: r[2])
    assert [r[2] for r in ordered] == ["Stad", "Bromma", "Södra", "A-enheten", "Ö-enheten", "Älvsjö"]


@pytest.fixture
def late_districts(city):
    """Districts created after the others, whose names come first and last."""
    area = city.north_a.operation_area.code
    aby = node("ABY", "Aby stadsdelsförvaltning", OrgUnit.Kind.ADMINISTRATION, city.city)
    node("ABY-EB", "Ekonomiskt bistånd Aby", OrgUnit.Kind.UNIT, aby, area)
    alv = node("ALV", "Älvsjö stadsdelsförvaltning", OrgUnit.Kind.ADMINISTRATION, city.city)
    node("ALV-EB", "Ekonomiskt bistånd Älvsjö", OrgUnit.Kind.UNIT, alv, area)
    arsta = node("ARSTA", "Årsta stadsdelsförvaltning", OrgUnit.Kind.ADMINISTRATION, city.city)
    node("ARSTA-EB", "Ekonomiskt bistånd Årsta", OrgUnit.Kind.UNIT, arsta, area)
    return aby, alv, arsta


DISTRICT_ORDER = ["Aby stadsdelsförvaltning", "Norra stadsdelsförvaltningen",
                  "Södra stadsdelsförvaltningen", "Årsta stadsdelsförvaltning", "Älvsjö stadsdelsförvaltning"]


def _in_order(html, names):
    positions = [html.index(n) for n in names]
    return positions == sorted(positions)


@pytest.mark.django_db
def test_report_form_groups_units_by_district_in_alphabetical_order(client, city, late_districts):
    from reporting.services import unit_groups

    groups = [name for name, _units in unit_groups(None)]
    assert groups == DISTRICT_ORDER
    html = client.get("/rapportera/anonymt/").content.decode()
    labels = re.findall(r'<optgroup label="([^"]+)"', html)
    assert labels == DISTRICT_ORDER


@pytest.mark.django_db
def test_situation_picker_lists_districts_in_alphabetical_order(login, city, late_districts):
    html = login(city.analyst).get(f"/lagesbild/{city.city.pk}/").content.decode()
    picker = html[html.index('name="enhet"'):]
    picker = picker[:picker.index("</select>")]
    assert _in_order(picker, DISTRICT_ORDER)
    assert _in_order(picker, ["Norra stadsdelsförvaltningen", "Avdelningen för socialtjänst",
                              "Barn och unga Norr", "Ekonomiskt bistånd Norr", "Södra stadsdelsförvaltningen"])


@pytest.mark.django_db
def test_cycle_picker_lists_districts_in_alphabetical_order(login, city, late_districts):
    coordinator = user("security_city", (Role.SECURITY_COORDINATOR, city.city))
    html = login(coordinator).get(f"/arshjul/?enhet={city.city.pk}").content.decode()
    picker = html[html.index('id="f-enhet"'):]
    picker = picker[:picker.index("</select>")]
    assert _in_order(picker, ["Stockholms stad"] + DISTRICT_ORDER)


@pytest.mark.django_db
def test_admin_tree_lists_districts_in_alphabetical_order(login, city, late_districts):
    html = login(city.admin).get("/admin/organisation/orgunit/?kind=administration").content.decode()
    assert _in_order(html, DISTRICT_ORDER)
    html = login(city.admin).get("/admin/organisation/orgunit/").content.decode()
    assert _in_order(html, ["Stockholms stad", "Aby stadsdelsförvaltning", "Ekonomiskt bistånd Aby",
                            "Norra stadsdelsförvaltningen", "Avdelningen för socialtjänst",
                            "Södra stadsdelsförvaltningen", "Årsta stadsdelsförvaltning", "Älvsjö stadsdelsförvaltning"])


@pytest.mark.django_db
def test_knowledge_contacts_list_districts_in_alphabetical_order(city, late_districts):
    from knowledge.contacts import district_contacts

    names = [d.unit.name for d in district_contacts(city.analyst)]
    assert names == DISTRICT_ORDER
    # One's own district first, the others in order.
    assert [d.unit.name for d in district_contacts(city.employee_south)][:2] == [
        "Södra stadsdelsförvaltningen", "Aby stadsdelsförvaltning"]
