"""Real-browser checks of the auditor's log: entries as readable blocks on a
desktop and a phone, the filter with and without errors, following a case
and a person, the export, each page with zero axe-core violations."""
import pytest

from tests.audit.test_audit_views import SECRETS, Story
from tests.conftest import assert_accessible, browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def entries_without_a_case(city):
    """What only an auditor of the whole city reads: the knowledge bank, the
    annual cycle, the admin, an export of the situation picture."""
    from audit.log import diff, record, snapshot
    from cycle import services as cycle
    from cycle.models import TrainingSession
    from knowledge import services as knowledge
    from knowledge.models import Article
    from organisation.models import Role, RoleAssignment

    article = Article(slug="stod-efter-hot", topic="stod", title="Stöd efter hot", body="Text")
    knowledge.save_article(article, city.admin)
    cycle.create_training(city.hr, TrainingSession(unit=city.north_a, date=city.named.reported_at.date(),
                                                   kind="larstudio", participants=12))
    grant = RoleAssignment.objects.create(user=city.colleague, role=Role.SAFETY_REP, node=city.north_b)
    record(city.admin, "roleassignment.create", grant,
           changes=diff({}, snapshot(grant, ["user", "role", "node", "active"])))
    record(city.security, "situation.export", city.north,
           changes={"export": [None, "arenden.xlsx"], "lens": [None, "period=12m"]})


def test_the_log_reads_in_words_and_filters_on_desktop_and_phone(city, desktop, phone):
    story = Story(city)
    entries_without_a_case(city)
    ref = story.case.reference
    for page, size in ((desktop, "desktop"), (phone, "phone")):
        browser_login(page, city.auditor.username)
        page.goto("/granskning/")
        for said in ("Admin Testsson skrev artikeln ”Stöd efter hot” i kunskapsbanken.",
                     "Hr Testsson registrerade ett utbildningstillfälle",
                     "Admin Testsson skapade rolltilldelning ”Colleague Testsson – Skyddsombud – Barn och unga Norr”.",
                     "Security Testsson exporterade ärendelistan i lägesbilden för Norra stadsdelsförvaltningen som Excel."):
            assert page.get_by_text(said).is_visible(), said
        entry = page.locator(".audit-entry", has_text="kvitterade att rapporten " + ref)
        assert entry.is_visible()
        assert "Ändrade status från Inkommen till Mottagen" in entry.inner_text()
        body = page.locator("main").inner_text()
        assert [s for s in SECRETS if s in body] == []
        assert no_horizontal_scroll(page)
        assert_accessible(page)
        screenshot(page, f"audit-log-{size}")

        # Follow one case, then one person, from an entry.
        entry.get_by_role("link", name=f"Alla poster om {ref}").click()
        page.wait_for_load_state()
        assert page.input_value("#id_arende") == ref
        refs = set(page.locator(".audit-sentence").all_inner_texts())
        assert refs and all(ref in text for text in refs)
        page.locator(".audit-entry", has_text="kvitterade").get_by_role("link", name="Allt som Johan Ekström gjort").click()
        page.wait_for_load_state()
        assert page.input_value("#id_person") == "Johan Ekström"
        assert page.input_value("#id_arende") == ""
        assert all(t.startswith("Johan Ekström") for t in page.locator(".audit-sentence").all_inner_texts())

        # A kind from the grouped list, with dates.
        page.goto("/granskning/")
        page.select_option("#id_handelse", label="Alla: Uppföljning")
        page.get_by_role("button", name="Visa").click()
        page.wait_for_load_state()
        texts = page.locator(".audit-sentence").all_inner_texts()
        assert texts and all("uppföljningspunkten" in t for t in texts)
        assert_accessible(page)

        # Bad input: the error is beside the field and what was typed stays.
        page.goto("/granskning/?arende=ABC&fran=2026-03-10&till=2026-03-01&person=Johan")
        assert page.get_by_role("alert").is_visible()
        field = page.locator(".field", has=page.locator("#id_till"))
        assert "Till-datumet ligger före från-datumet" in field.inner_text()
        assert page.input_value("#id_person") == "Johan"
        assert page.input_value("#id_arende") == "ABC"
        assert page.locator(".audit-entry").count() == 0
        assert no_horizontal_scroll(page)
        assert_accessible(page)
        screenshot(page, f"audit-log-errors-{size}")

        # The export of what the filter shows.
        page.goto(f"/granskning/?arende={ref}")
        with page.expect_download() as download:
            page.get_by_role("link", name="CSV").click()
        content = open(download.value.path(), encoding="utf-8-sig").read()
        assert f"Johan Ekström kvitterade att rapporten {ref} är mottagen." in content
        assert [s for s in SECRETS if s in content] == []
        page.context.clear_cookies()
