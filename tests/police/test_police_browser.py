"""Real-browser checks of police cooperation: the police areas, an area's
joint situation picture and the mapping import with its row errors, on a
phone and a desktop, each page with zero axe-core violations."""
import pytest

from police import areas
from tests.conftest import assert_accessible, browser_login, screenshot
from tests.factories import incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAPPING = ("enhet;lokalpolisomrade;polisregion\n"
           "NORR;Järva;Polisregion Stockholm\n"
           "SYD;Järva;Polisregion Stockholm\n").encode()


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def mapped(city):
    areas.import_csv(MAPPING)
    for i in range(12):
        incident(city.north_a if i % 3 else city.north_b, forms=("hot",) if i % 2 else ("vald", "hot"),
                 days_ago=5 + i * 20)
    for i in range(8):
        incident(city.south_a, forms=("trakasserier",), days_ago=4 + i * 30)
    return city


def test_the_area_picture_on_a_phone_and_a_desktop(mapped, phone, desktop):
    for page, size in ((phone, "phone"), (desktop, "desktop")):
        browser_login(page, mapped.security.username)
        page.goto("/polissamverkan/")
        assert page.get_by_role("heading", name="Polissamverkan").is_visible()
        assert no_horizontal_scroll(page), size
        assert_accessible(page)
        screenshot(page, f"polis-omraden-{size}")
        page.get_by_role("link", name="Järva").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="Gemensam lägesbild", exact=False).is_visible()
        assert "Södra stadsdelsförvaltningen" not in page.content()
        assert no_horizontal_scroll(page), size
        assert_accessible(page)
        screenshot(page, f"polis-omrade-{size}")
        page.context.clear_cookies()


def test_the_import_shows_each_bad_row(mapped, phone, desktop, tmp_path):
    bad = tmp_path / "omraden.csv"
    bad.write_bytes(b"enhet;lokalpolisomrade;polisregion\nNORR;V\xc3\xa4sterort;Polisregion Stockholm\n"
                    b"FINNS-INTE;V\xc3\xa4sterort;Polisregion Stockholm\n")
    for page, size in ((phone, "phone"), (desktop, "desktop")):
        browser_login(page, mapped.admin.username)
        page.goto("/polissamverkan/omraden/importera/")
        assert_accessible(page)
        screenshot(page, f"polis-import-{size}")
        page.set_input_files("#id_fil", str(bad))
        page.get_by_role("button", name="Läs in filen").click()
        page.wait_for_load_state()
        assert page.get_by_text("Inget har ändrats", exact=False).is_visible()
        assert page.get_by_text("FINNS-INTE", exact=False).first.is_visible()
        assert no_horizontal_scroll(page), size
        assert_accessible(page)
        screenshot(page, f"polis-import-fel-{size}")
        page.context.clear_cookies()
    assert areas.area_of(mapped.north_a).name == "Järva"


@pytest.fixture
def cooperating(mapped):
    from datetime import timedelta

    from django.utils import timezone

    from casework import workflow
    from incidents.models import ChecklistItem
    from police import cooperation, outcomes
    from police.models import Agreement
    city = mapped
    today = timezone.localdate()
    workflow.update_checklist_item(city.security, city.named.pk, ChecklistItem.Code.POLICE,
                                   state=ChecklistItem.State.DONE, reference="K123456-26",
                                   done_on=today - timedelta(days=40))
    outcomes.record_outcome(city.security, city.named.pk, step="forundersokning", on=today - timedelta(days=20))
    agreement = cooperation.save_agreement(city.security, Agreement(
        node=city.north, area=areas.area_of(city.north), city_party="Norra stadsdelsnämnden",
        police_party="Lokalpolisområde Järva", valid_from=today.replace(month=1, day=1),
        valid_to=today.replace(year=today.year + 1), city_contact="Säkerhetssamordnare",
        police_contact="Kommunpolis", rhythm="quarterly", meeting_day=15))
    meeting = cooperation.create_meeting(city.security, agreement.pk, held_on=today,
                                         period_start=today - timedelta(days=120), period_end=today)
    cooperation.add_measure(city.security, meeting.pk, title="Trygghetsvandring vid torget", side="police",
                            owner="Kommunpolisen", due_date=today + timedelta(days=30))
    city.agreement, city.meeting = agreement, meeting
    return city


def test_the_police_report_outcome_and_the_cooperation_pages(cooperating, phone, desktop):
    city = cooperating
    pages = [("polis-arende", f"/polissamverkan/arende/{city.named.pk}/"),
             ("polis-utfall", "/polissamverkan/utfall/"),
             ("polis-avtal-lista", "/polissamverkan/overenskommelser/"),
             ("polis-avtal", f"/polissamverkan/overenskommelser/{city.agreement.pk}/"),
             ("polis-avtal-ny", "/polissamverkan/overenskommelser/ny/"),
             ("polis-mote", f"/polissamverkan/moten/{city.meeting.pk}/")]
    for page, size in ((phone, "phone"), (desktop, "desktop")):
        browser_login(page, city.security.username)
        for name, path in pages:
            page.goto(path)
            assert page.locator("h1").is_visible()
            assert no_horizontal_scroll(page), (name, size)
            assert_accessible(page)
            screenshot(page, f"{name}-{size}")
        # A measure without owner or deadline: the errors are shown, the text kept.
        page.goto(f"/polissamverkan/moten/{city.meeting.pk}/")
        page.fill("#id_title", "Bättre belysning vid entrén")
        page.get_by_role("button", name="Lägg till åtgärden").click()
        page.wait_for_load_state()
        assert page.get_by_text("En åtgärd utan slutdatum följs inte upp", exact=False).first.is_visible()
        assert page.input_value("#id_title") == "Bättre belysning vid entrén"
        assert_accessible(page)
        screenshot(page, f"polis-atgard-fel-{size}")
        # An outcome dated before the police report.
        page.goto(f"/polissamverkan/arende/{city.named.pk}/")
        page.check("#id_step_2")
        page.fill("#id_on", "2001-01-01")
        page.get_by_role("button", name="Registrera steget").click()
        page.wait_for_load_state()
        assert page.get_by_text("före polisanmälan", exact=False).first.is_visible()
        assert_accessible(page)
        screenshot(page, f"polis-arende-fel-{size}")
        page.context.clear_cookies()
