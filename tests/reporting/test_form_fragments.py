"""The report form keeps its fixed parts rendered (reporting.views._fixed_key,
organisation.catalogue): a kept part is the page a render would give, a
changed label or text shows at once, and nothing a reporter typed or drafted
is ever served from the kept parts."""
import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.models import Channel, InfluenceForm, ReportDraft
from knowledge.models import Article
from organisation import catalogue

pytestmark = pytest.mark.django_db

REPORT = reverse("reporting:report")


def page(client) -> str:
    """The form without what differs on every request (the CSRF token, the
    submission token, the pre-filled time of day)."""
    html = client.get(REPORT).content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r'name="token" value="[^"]*"', "", html)
    return re.sub(r'name="occurred_time" value="[^"]*"', "", html)


def kept() -> int:
    """Parts of the page kept rendered (the fragments cache also keeps the
    article titles, organisation.catalogue.kept)."""
    return sum(1 for key in caches["fragments"]._cache if "template.cache." in key)


def test_a_kept_form_is_the_form_a_render_gives(client, login, city):
    login(city.employee)
    first = page(client)
    assert kept() == 3        # forms of influence, the routing and identity questions, the rest
    with CaptureQueriesContext(connection) as second_queries:
        second = page(client)
    assert second == first
    caches["fragments"].clear()
    with CaptureQueriesContext(connection) as rendered_queries:
        third = page(client)
    assert third == first
    # Kept: the taxonomies and the help links are not read again.
    assert len(second_queries) < len(rendered_queries)
    read = " ".join(q["sql"] for q in second_queries.captured_queries)
    assert "incidents_influenceform" not in read, read


def test_the_optional_part_is_kept_per_operation_area(client, login, city):
    """Each reporter's own unit pre-fills the operation area in the kept part."""
    login(city.employee)               # Ekonomiskt bistånd Norr
    client.get(REPORT)
    login(city.manager_b)               # Barn och unga Norr
    html = client.get(REPORT).content.decode()
    select = html.split('name="operation_area"', 1)[1].split("</select>", 1)[0]
    chosen = re.search(r'<option value="(\d+)" selected', select)
    assert chosen and int(chosen.group(1)) == city.north_b.operation_area_id


def test_a_changed_label_shows_at_once(client, login, city, django_capture_on_commit_callbacks):
    login(city.employee)
    assert "Hot och trakasserier i ny form" not in page(client)
    term = InfluenceForm.objects.get(code="hot")
    term.label = "Hot och trakasserier i ny form"
    with django_capture_on_commit_callbacks(execute=True):
        term.save()
    assert "Hot och trakasserier i ny form" in page(client)

    channel = Channel.objects.filter(active=True).first()
    channel.label = "Via en helt ny kanal"
    with django_capture_on_commit_callbacks(execute=True):
        channel.save()
    assert "Via en helt ny kanal" in page(client)


def test_a_changed_article_title_shows_at_once(client, login, city, django_capture_on_commit_callbacks):
    login(city.employee)
    client.get(REPORT)
    before = catalogue.stamp()
    article = Article.objects.first()
    if article is None:
        pytest.fail("the knowledge bank's seed articles are missing")
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "En helt ny rubrik på artikeln"
        article.save()
    assert catalogue.stamp() != before


def test_an_emptied_shared_cache_starts_a_new_stamp(client, login, city):
    """A stamp that came back could serve an old part: an emptied cache
    (Redis restarted) gives a new random one instead."""
    login(city.employee)
    client.get(REPORT)                  # as a request has read it
    first = catalogue.stamp()
    caches["default"].clear()
    assert catalogue.stamp() not in ("", first)


def test_what_the_reporter_typed_is_never_served_from_the_kept_parts(client, login, city):
    login(city.employee)
    client.get(REPORT)                           # the fresh form is kept
    violence = InfluenceForm.objects.get(code="vald")
    # A form shown again with an error keeps the reporter's answers.
    response = client.post(REPORT, {"forms": [violence.pk], "description": ""})
    html = response.content.decode()
    assert re.search(r'name="forms" value="%d"[^>]*checked' % violence.pk, html)
    # A draft fills the form from the server, not from the kept parts.
    ReportDraft.objects.create(user=city.employee, data={"forms": [str(violence.pk)], "description": "utkast"})
    html = client.get(REPORT).content.decode()
    assert re.search(r'name="forms" value="%d"[^>]*checked' % violence.pk, html)


def test_english_is_kept_apart(client, login, city):
    login(city.employee)
    swedish = client.get(REPORT).content.decode()
    english = client.get(REPORT, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Vilken form av påverkan?" in swedish
    assert "Vilken form av påverkan?" not in english


@pytest.mark.django_db(transaction=True)
def test_a_shared_cache_that_does_not_answer_breaks_nothing(client, login, city, settings,
                                                           django_capture_on_commit_callbacks):
    """A database cache whose table was never created: the form renders in
    full and a changed label is saved; nothing is kept. (Requests run in
    autocommit, as in production: PostgreSQL would abort a surrounding
    transaction at the failed cache query.)"""
    settings.CACHES = {**settings.CACHES, "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "no_such_cache_table"}}
    login(city.employee)
    term = InfluenceForm.objects.get(code="hot")
    term.label = "Hot, utan cache"
    with django_capture_on_commit_callbacks(execute=True):
        term.save()
    assert "Hot, utan cache" in page(client)
    assert kept() == 0


def test_the_article_titles_are_read_once_per_stamp_and_a_new_article_is_linked_at_once(
        client, login, city, django_capture_on_commit_callbacks):
    """The help links' titles are kept under the stamp: a second form asks
    the database nothing for them, and a saved article sets a new stamp."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from knowledge.models import Article

    login(city.employee)
    caches["fragments"].clear()
    page(client)
    with CaptureQueriesContext(connection) as second:
        page(client)
    assert not [q for q in second.captured_queries if "knowledge_article" in q["sql"]]
    # The stamp is asked of the shared cache once per request.
    assert len([q for q in second.captured_queries if "varn_cache" in q["sql"]]) <= 1
    article = Article.objects.filter(slug__isnull=False).first()
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Så fyller du i när det hände"
        article.save()
    from knowledge.templatetags.knowledge import _read_titles

    assert catalogue.kept("knowledge-titles", _read_titles)[article.slug][0] == "Så fyller du i när det hände"


@pytest.mark.django_db(transaction=True)
def test_a_change_of_the_organisation_renews_the_stamp_at_commit_and_a_rollback_keeps_it(city):
    """Routing's role holders and the form's units are kept under the stamp:
    a committed change of a unit gives every process a new one; inside the
    writing transaction the writer has a stamp of its own, and after a
    rollback the shared stamp holds again (a long-running command must not
    keep its own and miss later changes)."""
    from django.db import transaction

    from organisation.tree import nearest_holders_by_role

    shared = catalogue.stamp()
    with transaction.atomic():
        city.north_a.name = "Ekonomiskt bistånd Norr, ny"
        city.north_a.save()
        inside = catalogue.stamp()
        assert inside not in ("", shared)
        assert caches["default"].get(catalogue.KEY) == shared     # others see it at commit
    after = catalogue.stamp()
    assert after not in ("", shared, inside) and caches["default"].get(catalogue.KEY) == after

    try:
        with transaction.atomic():
            city.north_a.name = "Återställs"
            city.north_a.save()
            assert catalogue.stamp() != after
            raise RuntimeError
    except RuntimeError:
        pass
    assert catalogue.stamp() == after
    # A new role holder committed elsewhere is seen by the next read.
    before = nearest_holders_by_role(city.north_a, ["manager"])["manager"]
    from organisation.models import Role
    from tests.factories import user as make_user

    make_user("ny_chef_norr", (Role.MANAGER, city.north_a))
    assert len(nearest_holders_by_role(city.north_a, ["manager"])["manager"]) == len(before) + 1
