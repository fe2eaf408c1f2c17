"""The admin works for an administrator by role: the role table on a user's
page and the headcount table on a unit's page are there and save (audited),
and inputs that the admin draws without a <label> are named."""
import pytest

from audit.models import AuditEntry
from organisation.models import Role, RoleAssignment

pytestmark = pytest.mark.django_db


def _management(prefix, total, initial):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def test_administrator_gives_a_role_on_the_users_page_and_it_is_audited(login, city):
    client = login(city.admin)
    url = f"/admin/organisation/user/{city.nobody.pk}/change/"
    html = client.get(url).content.decode()
    assert 'name="assignments-TOTAL_FORMS"' in html
    assert 'aria-label="Roll"' in html and 'aria-label="Gäller för"' in html
    data = {
        "username": "nobody", "first_name": "Nobody", "last_name": "Testsson",
        "email": "nobody@example.se", "phone": "", "gender": "", "is_active": "on",
        **_management("assignments", 1, 0),
        "assignments-0-role": Role.EMPLOYEE, "assignments-0-node": city.south_a.pk,
        "assignments-0-active": "on", "assignments-0-user": city.nobody.pk,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assignment = RoleAssignment.objects.get(user=city.nobody)
    assert (assignment.role, assignment.node) == (Role.EMPLOYEE, city.south_a)
    assert AuditEntry.objects.filter(action="roleassignment.create").exists()


def test_unit_page_shows_the_headcount_table(login, city):
    html = login(city.admin).get(f"/admin/organisation/orgunit/{city.north_a.pk}/change/").content.decode()
    assert 'name="headcounts-TOTAL_FORMS"' in html
    assert 'aria-label="År"' in html and 'aria-label="Antal anställda"' in html


@pytest.mark.parametrize("url", ["/admin/incidents/influenceform/", "/admin/incidents/source/",
                                 "/admin/incidents/channel/", "/admin/organisation/operationarea/"])
def test_editable_columns_of_a_taxonomy_list_are_named_by_column_and_row(login, city, url):
    html = login(city.admin).get(url).content.decode()
    assert 'name="form-0-sort_order"' in html
    assert html.count('aria-label="Ordning för ') >= 2
    assert html.count('aria-label="Aktiv för ') >= 2


def test_taxonomy_row_names_follow_the_row(login, city):
    html = login(city.admin).get("/admin/incidents/influenceform/").content.decode()
    assert 'aria-label="Ordning för Hot"' in html and 'aria-label="Aktiv för Våld"' in html
