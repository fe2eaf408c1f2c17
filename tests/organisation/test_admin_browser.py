"""The administrator is a user too: the admin pages they work in pass axe-core
(WCAG 2.1 A/AA and best practice) with zero violations, at desktop and phone
size."""
import pytest

from tests.conftest import assert_accessible, browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def admin_pages(city):
    from organisation.models import RoleAssignment

    assignment = RoleAssignment.objects.filter(user=city.manager).first()
    return [
        ("/admin/", "index"),
        ("/admin/incidents/influenceform/", "influenceform-list"),
        ("/admin/incidents/source/", "source-list"),
        ("/admin/incidents/channel/", "channel-list"),
        ("/admin/organisation/operationarea/", "operationarea-list"),
        ("/admin/organisation/orgunit/", "orgunit-list"),
        (f"/admin/organisation/orgunit/{city.north_a.pk}/change/", "orgunit-change"),
        ("/admin/organisation/user/", "user-list"),
        ("/admin/organisation/user/add/", "user-add"),
        (f"/admin/organisation/user/{city.manager.pk}/change/", "user-change"),
        ("/admin/organisation/roleassignment/add/", "roleassignment-add"),
        (f"/admin/organisation/roleassignment/{assignment.pk}/change/", "roleassignment-change"),
        ("/admin/organisation/grouprolemapping/", "grouprolemapping-list"),
        ("/admin/organisation/grouprolemapping/add/", "grouprolemapping-add"),
    ]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_admin_pages_have_no_accessibility_violations(city, desktop, phone, size):
    page = desktop if size == "desktop" else phone
    browser_login(page, city.admin.username)
    failures = []
    for url, name in admin_pages(city):
        response = page.goto(url)
        assert response.status == 200, url
        try:
            assert_accessible(page)
        except AssertionError as error:
            failures.append(str(error))
        screenshot(page, f"admin-{name}-{size}")
    assert not failures, "\n".join(failures)


def test_admin_inputs_are_named_by_their_field_and_row(city, desktop):
    browser_login(desktop, city.admin.username)
    # The taxonomy list: each editable cell says which column and which row.
    desktop.goto("/admin/incidents/influenceform/")
    assert desktop.get_by_role("spinbutton", name="Ordning för Hot").is_visible()
    assert desktop.get_by_role("checkbox", name="Aktiv för Hot").is_visible()
    # A new role assignment: the autocomplete boxes carry their field's name.
    desktop.goto("/admin/organisation/roleassignment/add/")
    assert desktop.get_by_role("combobox", name="Användare").is_visible()
    assert desktop.get_by_role("combobox", name="Gäller för").is_visible()
    # A chosen value is read after the name.
    desktop.get_by_role("combobox", name="Gäller för").click()
    search = desktop.get_by_role("searchbox", name="Gäller för")
    search.fill("Ekonomiskt bistånd Norr")
    desktop.get_by_role("option", name="Ekonomiskt bistånd Norr").click()
    assert desktop.get_by_role("combobox", name="Gäller för: Ekonomiskt bistånd Norr").is_visible()
    assert_accessible(desktop)


def test_role_table_on_the_user_page_names_rows_added_later(city, desktop):
    browser_login(desktop, city.admin.username)
    desktop.goto(f"/admin/organisation/user/{city.employee.pk}/change/")
    table = desktop.locator("#assignments-group")
    assert table.get_by_role("combobox", name="Roll").first.is_visible()
    before = table.get_by_role("combobox", name="Gäller för").count()
    desktop.get_by_role("button", name="Lägg till ytterligare").or_(
        desktop.get_by_role("link", name="Lägg till ytterligare")).first.click()
    assert table.get_by_role("combobox", name="Gäller för").count() == before + 1
    assert_accessible(desktop)
    screenshot(desktop, "admin-user-change-added-row-desktop")


def test_the_administrator_maps_a_group_to_a_role(city, desktop):
    from audit.models import AuditEntry
    from organisation.models import GroupRoleMapping

    browser_login(desktop, city.admin.username)
    desktop.goto("/admin/organisation/grouprolemapping/add/")
    desktop.fill("#id_group", "SOC-Norr-Sakerhet")
    desktop.select_option("#id_role", "security")
    desktop.get_by_role("combobox", name="Gäller för").click()
    desktop.get_by_role("searchbox", name="Gäller för").fill("Norra")
    desktop.get_by_role("option", name="Norra stadsdelsförvaltningen").click()
    desktop.click("input[name=_save]")
    desktop.wait_for_load_state()
    mapping = GroupRoleMapping.objects.get(group="SOC-Norr-Sakerhet")
    assert (mapping.role, mapping.node, mapping.active) == ("security", city.north, True)
    entry = AuditEntry.objects.get(action="grouprolemapping.create", object_id=str(mapping.pk))
    assert entry.changes["group"] == [None, "SOC-Norr-Sakerhet"]
    assert "SOC-Norr-Sakerhet" in desktop.content()
    screenshot(desktop, "admin-grouprolemapping-saved-desktop")
    assert_accessible(desktop)
