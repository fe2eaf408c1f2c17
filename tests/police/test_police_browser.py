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
