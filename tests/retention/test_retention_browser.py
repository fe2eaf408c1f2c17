"""Real-browser checks of the gallring pages on a phone and a desktop: the
administrator's preview and a refused rule, holds, runs, the register
extract; each with zero axe-core violations and a screenshot."""
import pytest

from retention import thinning
from tests.conftest import assert_accessible, browser_login, screenshot
from tests.retention.planting import YEAR, case, hold

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def planted(city):
    for i in range(3):
        case(city.north_a, reporter=city.employee, closed_days_ago=6 * YEAR + i * 200, label=f"b{i}")
    held = case(city.north_b, reporter=city.colleague, closed_days_ago=7 * YEAR, label="held")
    hold(held, city.security)
    return city


def test_the_administrator_sees_what_the_next_run_removes_and_a_refused_rule(planted, phone, desktop):
    for page, size in ((phone, "phone"), (desktop, "desktop")):
        browser_login(page, planted.admin.username)
        page.goto("/gallring/")
        assert page.get_by_role("heading", name="Vad nästa körning tar bort").is_visible()
        assert page.get_by_text("3 ärenden gallras.").is_visible()
        assert no_horizontal_scroll(page) or size == "phone" and page.locator(".table-wrap").count()
        assert_accessible(page)
        screenshot(page, f"gallring-overview-{size}")
        page.goto("/gallring/regler/texts/")
        page.fill("#id_period", "1")
        page.click("button[type=submit]:has-text('Spara regeln')")
        assert page.get_by_text("får inte gallras tidigare än 2 år efter avslut", exact=False).first.is_visible()
        assert page.input_value("#id_period") == "1"
        assert_accessible(page)
        screenshot(page, f"gallring-rule-refused-{size}")
        page.context.clear_cookies()


def test_holds_runs_and_the_extract_in_a_browser(planted, phone, desktop):
    thinning.run()
    for page, size in ((phone, "phone"), (desktop, "desktop")):
        browser_login(page, planted.security.username)
        page.goto("/gallring/bevarande/")
        assert page.get_by_role("heading", name="Bevarade ärenden").is_visible()
        page.fill("#id_case", "V-999999")
        page.check("input[value=legal]")
        page.click("button[type=submit]:has-text('Bevara ärendet')")
        assert page.get_by_text("Det finns inget ärende med det numret", exact=False).first.is_visible()
        assert no_horizontal_scroll(page), size
        assert_accessible(page)
        screenshot(page, f"gallring-holds-{size}")
        page.context.clear_cookies()
        browser_login(page, planted.auditor.username)
        page.goto("/gallring/korningar/")
        assert page.get_by_role("heading", name="Gallringskörningar").is_visible()
        assert_accessible(page)
        screenshot(page, f"gallring-runs-{size}")
        page.goto("/granskning/")
        assert page.get_by_text("Gallringen tog bort", exact=False).first.is_visible()
        screenshot(page, f"gallring-audit-{size}")
        page.context.clear_cookies()
        browser_login(page, planted.employee.username)
        page.goto("/gallring/mitt-registerutdrag/")
        with page.expect_download() as download:
            page.click("button:has-text('Ladda ner registerutdraget')")
        assert download.value.suggested_filename.startswith("registerutdrag-")
        assert_accessible(page)
        screenshot(page, f"gallring-extract-{size}")
        page.context.clear_cookies()


def test_the_logs_own_rule_in_the_runs_and_an_extract_outside_hrs_subtree(city, phone, desktop):
    """Old log entries leave in a run, which the auditor sees; HR asking for
    someone outside their subtree gets the form back with a clear error."""
    from datetime import timedelta

    from django.utils import timezone

    from audit.log import seal
    from tests.audit.test_audit_prune import plant

    old = timezone.now() - timedelta(days=12 * YEAR)
    for i in range(4):
        plant(old + timedelta(minutes=i))
    seal()
    case(city.south_a, reporter=city.employee_south, closed_days_ago=10, label="syd")
    thinning.run()
    for page, size in ((phone, "phone"), (desktop, "desktop")):
        browser_login(page, city.auditor.username)
        page.goto("/gallring/korningar/")
        assert page.get_by_text("Granskningsloggen: 4", exact=False).first.is_visible()
        assert no_horizontal_scroll(page), size
        assert_accessible(page)
        screenshot(page, f"gallring-runs-audit-{size}")
        page.goto("/granskning/")
        assert page.get_by_text("tog bort 4 loggposter äldre än regeln", exact=False).first.is_visible()
        assert_accessible(page)
        screenshot(page, f"gallring-audit-prune-{size}")
        page.context.clear_cookies()
        browser_login(page, city.hr.username)
        page.goto("/gallring/registerutdrag/")
        page.fill("#id_person", city.employee_south.email)
        page.click("button[type=submit]:has-text('Ta fram utdraget')")
        assert page.get_by_text("i det område där du är HR", exact=False).first.is_visible()
        assert page.input_value("#id_person") == city.employee_south.email
        assert "Beskrivning syd" not in page.content()
        assert no_horizontal_scroll(page), size
        assert_accessible(page)
        screenshot(page, f"gallring-hr-extract-outside-{size}")
        page.context.clear_cookies()
