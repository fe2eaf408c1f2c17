"""The README's path for a new municipality, on the example in demo/exempelby:
an empty database to a working installation with commands only."""
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from cycle.models import Duty
from knowledge.models import Article
from organisation.models import Headcount, OrgUnit, Role, User

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "demo" / "exempelby"


def test_exempelby_from_an_empty_database(tmp_path):
    assert not OrgUnit.objects.exists()
    out = StringIO()
    call_command("import_org", str(EXAMPLE / "organisation.csv"), stdout=out)
    call_command("import_org", str(EXAMPLE / "headcount.csv"), "--headcount", stdout=out)
    call_command("import_people", str(EXAMPLE / "personal.csv"), "--managers-get-role", stdout=out)
    call_command("seed_cycle", stdout=out)
    assert OrgUnit.objects.filter(code__startswith="EXB").count() == 6
    assert Headcount.objects.filter(unit__code="EXB-AO", employees=61).exists()
    linnea = User.objects.get(employee_number="7003")
    assert (linnea.first_name, linnea.last_name, linnea.gender) == ("Linnéa", "Åström", "woman")
    assert linnea.has_role(Role.EMPLOYEE) and linnea.manager.employee_number == "7002"
    goran = User.objects.get(employee_number="7002")
    assert set(goran.assignments.filter(role=Role.MANAGER).values_list("node__code", flat=True)) == {"EXB-FS"}
    assert Duty.objects.filter(node__code="EXB-SOC").exists()
    # The knowledge bank's standard articles come with `migrate`.
    assert Article.objects.filter(slug="hot").exists()
