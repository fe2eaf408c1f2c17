"""Real-browser checks of the knowledge bank and the form guide: a reporter
answers the guide's questions and the boxes get ticked; a suggestion appears
while a description is typed and is only chosen on click; an editor changes
an article and sees the history; axe-core finds no violations on any page.

The guide and the suggestion are tested on a small page that stands in for
the report form (checkboxes name="forms", a description textarea), served by
this module's own URL map on top of the project's."""
import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.middleware.csrf import get_token
from django.template import engines
from django.urls import include, path

from incidents.models import InfluenceForm
from knowledge import search
from knowledge.models import Article
from tests.conftest import assert_accessible, browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAND_IN = """{% extends "base.html" %}{% load i18n %}
{% block title %}Testformulär{% endblock %}
{% block content %}
<h1>Testformulär</h1>
<form method="post" class="form" action="#">
  {% csrf_token %}
  <div class="field">
    <label for="id_description">Vad hände?</label>
    <textarea id="id_description" name="description" rows="4"></textarea>
    {% include "knowledge/_suggestion.html" %}
  </div>
  <fieldset class="field">
    <legend>Vilken form av påverkan?</legend>
    {% include "knowledge/_form_guide.html" %}
    {% for form in forms %}
      <div><input type="checkbox" name="forms" value="{{ form.value }}" id="f-{{ form.code }}">
      <label for="f-{{ form.code }}">{{ form.name }}</label></div>
    {% endfor %}
  </fieldset>
</form>
{% endblock %}"""


def stand_in_report_form(request, by):
    from django.http import HttpResponse

    get_token(request)
    forms = [{"code": f.code, "name": f.name, "value": f.code if by == "code" else f.pk}
             for f in InfluenceForm.objects.filter(active=True)]
    html = engines["django"].from_string(STAND_IN).render({"forms": forms}, request)
    return HttpResponse(html)


urlpatterns = [
    path("test-rapport/<str:by>/", stand_in_report_form),
    path("", include("varn.urls")),
]


@pytest.fixture
def seeded(db):
    """Live-server tests flush the database, data migrations included."""
    if not Article.objects.exists():
        migration = importlib.import_module("knowledge.migrations.0002_seed_articles")
        migration.create(django_apps, None)
        search.refresh()


@pytest.fixture
def stand_in(settings):
    settings.ROOT_URLCONF = __name__


def box(page, code):
    return page.locator(f"#f-{code}")


@pytest.mark.parametrize("by", ["code", "pk"])
def test_a_reporter_answers_the_guide_and_the_matching_boxes_get_ticked(city, seeded, stand_in, phone, by):
    browser_login(phone, city.employee.username)
    phone.goto(f"/test-rapport/{by}/")
    phone.get_by_text("Osäker? Hjälp mig välja").click()
    harm = phone.locator('[data-guide-question="harm"]')
    harm.get_by_text("Ja", exact=True).click()
    assert box(phone, "hot").is_checked()
    result = phone.locator("[data-guide-result]")
    assert "Vi har markerat:" in result.inner_text() and "Hot" in result.inner_text()
    phone.locator('[data-guide-question="touch"]').get_by_text("Ja", exact=True).click()
    assert box(phone, "vald").is_checked()
    # The reporter ticks corruption by hand; a "Nej" from the guide leaves it alone.
    box(phone, "korruption").check()
    phone.locator('[data-guide-question="offer"]').get_by_text("Nej", exact=True).click()
    assert box(phone, "korruption").is_checked()
    # Changing an answer to "Nej" unticks what the guide ticked.
    harm.get_by_text("Nej", exact=True).click()
    assert not box(phone, "hot").is_checked()
    assert "Hot" not in result.inner_text() and "Våld" in result.inner_text()
    assert_accessible(phone)
    screenshot(phone, f"knowledge-guide-on-form-{by}-phone")


def test_a_reporter_gets_a_suggestion_while_typing_and_chooses_it(city, seeded, stand_in, phone):
    browser_login(phone, city.employee.username)
    phone.goto("/test-rapport/code/")
    phone.fill("#id_description", "Han lutade sig fram och sa: jag vet var du bor. Sedan knuffade han mig.")
    suggestion = phone.locator("[data-form-suggest]")
    suggestion.get_by_text("Det låter som hot").wait_for()
    assert "du skrev ”vet var du bor”" in suggestion.inner_text()
    assert "Det låter som våld" in suggestion.inner_text()
    # Never chosen for the reporter.
    assert not box(phone, "hot").is_checked() and not box(phone, "vald").is_checked()
    assert_accessible(phone)
    screenshot(phone, "knowledge-suggestion-phone")
    suggestion.get_by_role("button", name="Välj hot").click()
    assert box(phone, "hot").is_checked()
    assert not box(phone, "vald").is_checked()
    assert "Hot är valt." in suggestion.inner_text()
    # Ticking by hand updates the suggestion too.
    box(phone, "vald").check()
    phone.wait_for_function(
        "() => document.querySelector('[data-form-suggest]').innerText.includes('Våld redan valt')")


def test_the_guide_on_the_forms_page_explains_which_form_it_is(city, seeded, desktop):
    browser_login(desktop, city.employee.username)
    desktop.goto("/kunskap/former/")
    # Collapsed at the top of the page, so the definitions come first.
    assert desktop.locator("details.guide").get_attribute("open") is None
    desktop.get_by_text("Osäker? Hjälp mig välja").click()
    desktop.locator('[data-guide-question="damage"]').get_by_text("Ja", exact=True).click()
    result = desktop.locator("[data-guide-result]")
    assert "Det låter som:" in result.inner_text() and "Skadegörelse" in result.inner_text()
    # The visually hidden part of the name says which form the link is about.
    result.get_by_role("link", name=re.compile(r"^Läs mer\s*: Skadegörelse$")).click()
    assert desktop.url.endswith("#skadegorelse")
    assert_accessible(desktop)
    screenshot(desktop, "knowledge-forms-guide-desktop")


def test_an_editor_changes_an_article_and_sees_the_history(city, seeded, desktop):
    browser_login(desktop, city.hr.username)
    desktop.goto("/kunskap/hot/")
    desktop.get_by_role("link", name="Redigera").click()
    desktop.wait_for_url("**/kunskap/hot/redigera/")
    assert_accessible(desktop)
    body = desktop.locator("#id_body")
    body.fill(body.input_value() + "\n\n## Ny rubrik om larm\n\nTryck på larmknappen under skrivbordet.")
    # The live preview follows the typing, rendered by the server.
    desktop.locator("[data-kb-preview-body] h2#ny-rubrik-om-larm").wait_for()
    desktop.select_option("#id_owner", label=f"{city.hr.get_full_name()} ({city.hr.email})")
    desktop.fill("#id_note", "Lade till larmknappen")
    screenshot(desktop, "knowledge-edit-desktop")
    desktop.get_by_role("button", name="Spara").click()
    desktop.wait_for_url("**/kunskap/hot/")
    assert desktop.get_by_text("Artikeln är sparad.").is_visible()
    assert desktop.get_by_role("heading", name="Ny rubrik om larm").is_visible()
    desktop.get_by_role("link", name="Versionshistorik").click()
    desktop.wait_for_url("**/kunskap/hot/historik/")
    assert desktop.get_by_role("heading", name="Version 2").is_visible()
    latest = desktop.locator(".kb-versions > li").first
    assert "Lade till larmknappen" in latest.inner_text()
    assert str(city.hr) in latest.inner_text()
    assert latest.locator("ins", has_text="Tryck på larmknappen under skrivbordet.").is_visible()
    assert_accessible(desktop)
    screenshot(desktop, "knowledge-history-after-edit-desktop")


def test_the_edit_form_shows_errors_in_a_summary_and_next_to_the_field(city, seeded, phone):
    browser_login(phone, city.security.username)
    phone.goto("/kunskap/vald/redigera/")
    phone.fill("#id_title", "")
    phone.get_by_role("button", name="Spara").click()
    summary = phone.get_by_role("alert")
    assert "Artikeln är inte sparad" in summary.inner_text()
    summary.get_by_role("link", name="Rubrik: Skriv en rubrik.").click()
    assert phone.evaluate("document.activeElement.id") == "id_title"
    assert_accessible(phone)
    screenshot(phone, "knowledge-edit-errors-phone")


PAGES = [
    ("/kunskap/", "index"),
    ("/kunskap/hot-pa-skamt/", "article"),
    ("/kunskap/former/", "forms"),
    ("/kunskap/sok/?q=hotade", "search"),
    ("/kunskap/sok/?q=qwertyuiop", "search-empty"),
    ("/kunskap/kontakter/", "contacts"),
    ("/kunskap/efter-en-handelse/", "checklist"),
    ("/kunskap/svara-fall/", "table"),
    ("/kunskap/rapportera-kalla/", "table-two-columns"),
    ("/kunskap/rapportera-synlighet/", "table-four-columns"),
]
EDITOR_PAGES = [
    ("/kunskap/hot/redigera/", "edit"),
    ("/kunskap/hot/historik/", "history"),
    ("/kunskap/ny/", "create"),
]


def test_every_knowledge_page_is_accessible_on_phone_and_desktop(city, seeded, phone, desktop):
    for page, size in ((phone, "phone"), (desktop, "desktop")):
        browser_login(page, city.hr.username)
        for url, name in PAGES + EDITOR_PAGES:
            response = page.goto(url)
            assert response.status == 200, url
            assert_accessible(page)
            screenshot(page, f"knowledge-{name}-{size}")


def test_the_english_interface_shows_the_english_article(city, seeded, desktop):
    browser_login(desktop, city.employee.username)
    desktop.get_by_role("button", name="English").click()
    desktop.wait_for_load_state()
    desktop.goto("/kunskap/gemensam-linje/")
    assert desktop.get_by_role("heading", name="The city’s common line").is_visible()
    assert_accessible(desktop)
    desktop.goto("/kunskap/hot-pa-skamt/")
    assert desktop.locator("article").get_attribute("lang") == "sv"
    assert_accessible(desktop)
    screenshot(desktop, "knowledge-article-en-fallback-desktop")
