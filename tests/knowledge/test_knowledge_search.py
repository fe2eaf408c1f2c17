"""Knowledge-bank search as people type on a phone: without å, ä and ö, and
with the words staff use for what the articles spell out (issue 11). Runs on
SQLite and on PostgreSQL (DATABASE_URL); the Swedish word forms are tested in
test_knowledge.py."""
import pytest
from django.urls import reverse

from knowledge import search
from knowledge.models import Article

pytestmark = pytest.mark.django_db


def slugs(query):
    return [r.article.slug for r in search.search(query)]


def test_folding_and_stemming_treat_typed_and_phone_spellings_alike():
    assert search.fold("Polisanmälan FÖRETAGSHÄLSOVÅRD café") == "polisanmalan foretagshalsovard cafe"
    assert search.stem("polisanmälan") == search.stem("polisanmalan")
    assert search.analyse("K-numret") == ["numret", "knumret"]  # parts, then written together


@pytest.mark.parametrize("query,expected", [
    ("polisanmalan", "polisanmalan"), ("polisanmala", "polisanmalan"),
    ("skadegorelse", "skadegorelse"), ("stodsamtal", "stodsamtal"),
    ("visselblasare", "visselblasning"), ("riskbedomning", "riskbedomning"),
    ("foretagshalsovard", "foretagshalsovard-och-krisstod"), ("skarmdump", "rapportera-bilagor"),
])
def test_search_finds_words_typed_without_diacritics(query, expected):
    assert slugs(query)[:1] == [expected], (query, slugs(query)[:5])


def test_a_phone_typed_stop_word_is_ignored_like_the_real_one():
    assert slugs("hot pa skamt")[0] == "hot-pa-skamt"
    assert slugs("hot pa skamt") == slugs("hot på skämt")


@pytest.mark.parametrize("query,expected", [
    ("k-nummer", "polisanmalan"), ("K-nummer", "polisanmalan"), ("knummer", "polisanmalan"),
    ("k nummer", "polisanmalan"), ("AMV", "allvarligt-tillbud"), ("fk", "arbetsskadeanmalan"),
    ("FHV", "foretagshalsovard-och-krisstod"), ("avlastningssamtal", "stodsamtal"),
    ("arbetsmiljöombud", "skyddsombudet"), ("bestickning", "korruption"), ("näthat", "sociala-medier"),
])
def test_search_knows_the_words_staff_use(query, expected):
    assert slugs(query)[:1] == [expected], (query, slugs(query)[:5])


def test_a_synonym_widens_a_word_without_changing_the_other_words():
    assert "allvarligt-tillbud" in slugs("incident")[:3]
    # AMV is one word of two: both must still match.
    assert slugs("AMV anmälan")[0] == "allvarligt-tillbud"
    assert slugs("amv qwertyuiop") == slugs("amv")


def test_the_excerpt_marks_what_a_folded_or_synonym_query_matched():
    marked = [text for text, hit in search.search("k-nummer")[0].excerpt if hit]
    assert marked and all("polisanmälan" in text.lower() for text in marked), marked
    marked = [text for text, hit in search.search("polisanmald")[0].excerpt if hit]
    assert any("polisanmäld" in text for text in marked), marked


def test_the_search_page_finds_a_phone_typed_query(login, city):
    html = login(city.employee).get(reverse("knowledge:search"), {"q": "polisanmalan"}).content.decode()
    assert 'href="/kunskap/polisanmalan/"' in html and "<mark>" in html


def test_an_article_without_a_stored_document_is_still_found():
    Article.objects.filter(slug="polisanmalan").update(search_document=None)
    assert slugs("polisanmalan")[0] == "polisanmalan"
    assert "polisanmalan" in slugs("k-nummer")


def test_an_edited_article_is_found_by_its_new_words_typed_without_diacritics(login, city):
    article = Article.objects.get(slug="kontakter")
    data = {
        "title": article.title, "topic": article.topic,
        "body": article.body + "\nTrygghetsvärdarna nås via receptionen.\n",
        "title_en": article.title_en, "body_en": article.body_en, "owner": "",
        "next_review": article.next_review.isoformat(), "sort_order": article.sort_order,
        "note": "", "base_version": article.versions.count(),
    }
    login(city.hr).post(reverse("knowledge:edit", args=["kontakter"]), data)
    assert slugs("trygghetsvardar") == ["kontakter"]
