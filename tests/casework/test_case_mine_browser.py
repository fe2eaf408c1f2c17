"""The employee's own case page in a browser (issue 11, items 2 and 18): the
K-number from the checklist and the closing summary; axe-core on it."""
import pytest
from django.utils import timezone

from incidents.models import Incident
from tests.conftest import assert_accessible, browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_employee_sees_k_number_and_closing_summary_on_their_own_page(city, desktop, phone):
    from casework import workflow
    from incidents.models import ChecklistItem

    pk = city.named.pk
    workflow.acknowledge(city.manager, pk, 1)
    for item in workflow.checklist(city.named):
        if item.code == ChecklistItem.Code.POLICE:
            workflow.update_checklist_item(city.manager, pk, item.code, state="done", reference="K-654321-26",
                                           done_on=timezone.localdate())
        elif item.state == "open":
            workflow.update_checklist_item(city.manager, pk, item.code, state="not_applicable", note="Inte här")
    workflow.resolve(city.manager, pk, Incident.unscoped.get(pk=pk).version)
    workflow.close(city.manager, pk, Incident.unscoped.get(pk=pk).version,
                   "Vi har haft stödsamtal, polisanmält hotet och bytt lås i besöksrummet.")
    for page, size in ((desktop, "desktop"), (phone, "phone")):
        browser_login(page, city.employee.username)
        page.goto(f"/mina-rapporter/{pk}/")
        assert page.get_by_text("K654321-26").is_visible()
        assert page.get_by_role("heading", name="Så avslutades ärendet").is_visible()
        assert page.get_by_text("bytt lås i besöksrummet").is_visible()
        assert_accessible(page)
        screenshot(page, f"issue11-mine-{size}")
