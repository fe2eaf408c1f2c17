"""Scope leaks: incidents planted outside a viewer's scope must not change a
single figure they see — page, tables, exports, PDF text or drill-down.
A control viewer whose scope does include the planted incidents proves
that the planted data would have shown."""
import io
import re
import subprocess
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Action, Incident
from situation import actors
from tests.factories import incident

pytestmark = pytest.mark.django_db


def plant(unit, owner, reporter=None, bypass=None, n=6):
    """Reports with every attribute a figure could pick up."""
    code = actors.pseudonym("198112189876")
    for i in range(n):
        inc = incident(unit, forms=("hot", "vald", "korruption"), reporter=reporter, source="natverk",
                       channel="sociala_medier", days_ago=2 + i * 30, bypass=bypass,
                       identity=Incident.IdentityMode.CONFIDENTIAL if reporter else Incident.IdentityMode.ANONYMOUS)
        Incident.unscoped.filter(pk=inc.pk).update(
            police_status="reported", police_reference="K-99", actor_pseudonym=code,
            acknowledged_at=inc.reported_at + timedelta(hours=1), closed_at=inc.reported_at + timedelta(days=3))
        Action.objects.create(incident=inc, title="Planterad", owner=owner,
                              due_date=timezone.localdate() - timedelta(days=1))


def csrf_free(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def xlsx_sheets(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return "\n".join(book.read(n).decode() for n in sorted(book.namelist())
                         if n.startswith("xl/worksheets/") or n == "xl/sharedStrings.xml")


def pdf_text(data: bytes) -> str:
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()
    return "\n".join(line for line in text.splitlines() if "Skapad" not in line)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def everything(client, user, node, *, cases: bool):
    """Every figure the user can get for the node, as comparable text."""
    client.force_login(user)
    query = "?period=12-man"
    seen = {
        "page": csrf_free(client.get(reverse("situation:picture", args=[node.pk]) + query).content.decode()),
        "tables.csv": body(client.get(reverse("situation:export_tables", args=[node.pk, "csv"]) + query)),
        "tables.xlsx": xlsx_sheets(body(client.get(reverse("situation:export_tables", args=[node.pk, "xlsx"])
                                               + query))),
        "police.xlsx": xlsx_sheets(body(client.get(reverse("situation:export_police", args=[node.pk]) + query))),
        "report.pdf": pdf_text(client.post(reverse("situation:report", args=[node.pk]) + query,
                                           {"mottagare": "namnd", "analys": "Text"}).content),
    }
    if cases:
        seen["drill"] = csrf_free(client.get(reverse("situation:drill", args=[node.pk]) + query).content.decode())
        seen["cases.csv"] = body(client.get(reverse("situation:export_cases", args=[node.pk, "csv"]) + query))
        seen["cases.xlsx"] = xlsx_sheets(body(client.get(reverse("situation:export_cases", args=[node.pk, "xlsx"])
                                                        + query)))
    return seen


def assert_same(before, after):
    for key in before:
        assert before[key] == after[key], f"{key} changed after incidents outside the scope were added"


def test_a_district_coordinator_sees_nothing_of_another_district(city, client):
    before = everything(client, city.security, city.north, cases=True)
    control = everything(client, city.analyst, city.city, cases=False)
    plant(city.south_a, city.manager_south, reporter=city.employee_south)
    assert_same(before, everything(client, city.security, city.north, cases=True))
    after = everything(client, city.analyst, city.city, cases=False)
    assert before and control["tables.csv"] != after["tables.csv"]


def test_a_unit_manager_sees_nothing_of_a_sibling_unit_or_of_reports_about_management(city, client):
    before = everything(client, city.manager, city.north_a, cases=True)
    plant(city.north_b, city.manager_b, reporter=city.employee)
    plant(city.north_a, city.security, reporter=city.colleague, bypass=True)  # bypasses the unit's managers
    assert_same(before, everything(client, city.manager, city.north_a, cases=True))
    # The coordinator of the district does see them.
    client.force_login(city.security)
    html = client.get(reverse("situation:picture", args=[city.north.pk])).content.decode()
    assert "Kriminellt nätverk" in html


def test_a_district_committee_sees_nothing_of_another_district(city, client):
    before = everything(client, city.committee, city.north, cases=False)
    plant(city.south_a, city.manager_south)
    assert_same(before, everything(client, city.committee, city.north, cases=False))


def test_a_safety_representative_sees_nothing_of_another_unit(city, client):
    before = everything(client, city.safety, city.north_a, cases=True)
    plant(city.north_b, city.manager_b, reporter=city.employee)
    plant(city.south_a, city.manager_south)
    assert_same(before, everything(client, city.safety, city.north_a, cases=True))


def test_the_planted_incidents_would_show_for_a_viewer_whose_scope_holds_them(city, client):
    client.force_login(city.security_south)
    url = reverse("situation:picture", args=[city.south.pk])
    before = csrf_free(client.get(url).content.decode())
    plant(city.south_a, city.manager_south, reporter=city.employee_south)
    after = csrf_free(client.get(url).content.decode())
    assert before != after
    assert "Kriminellt nätverk" in after
