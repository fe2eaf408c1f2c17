"""With English chosen, every page Värn shows is English, for every role.

Each demo persona logs in, switches to English, and GETs every page of the URL
walk (tests/varn/test_url_permissions.py) that answers 200. What users typed or an
administrator named (unit names, people, case texts, action titles) may stay
Swedish, and so may content marked lang="sv" (knowledge articles without an
English version, which say so in English). Everything else is the product's
own text, and no common Swedish word may be left in it."""
import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from incidents.models import Action, Incident, Message
from knowledge.models import Article
from organisation.models import OrgUnit
from tests.varn.test_url_permissions import ALL, url_for

pytestmark = pytest.mark.django_db

PERSONAS = ["employee", "manager", "security", "hr", "safety", "analyst", "committee", "auditor", "admin"]

# Frequent Swedish words of a user interface: words that are not English
# words as well, so an English page never contains them.
SWEDISH = {
    "och", "för", "är", "inte", "att", "som", "med", "på", "av", "det", "den", "har", "kan", "ska",
    "eller", "alla", "inga", "ingen", "från", "efter", "när", "här", "vad", "vem", "hur",
    "ärende", "ärendet", "ärenden", "rapport", "rapporten", "rapporter", "rapportera", "rapportör",
    "visa", "spara", "sök", "sök", "skicka", "ändra", "avsluta", "tillbaka", "logga", "inloggad",
    "enhet", "enheten", "enheter", "chef", "chefer", "åtgärd", "åtgärder", "uppföljning",
    "lägesbild", "lägesbilden", "kunskapsbank", "kunskapsbanken", "årshjul", "årshjulet",
    "granskningslogg", "granskningsloggen", "säkerhetssamordnare", "nämnd", "nämnden",
    "månad", "månader", "senaste", "datum", "frivilligt", "välj", "ny", "nytt", "nya", "mina",
    "mitt", "min", "dina", "din", "ditt", "läs", "mer", "öppna", "stäng", "klart", "klar",
    "försenad", "försenade", "idag", "igår", "i dag", "i går", "ja", "nej", "okänd", "övrigt",
    "övriga", "hot", "våld", "trakasserier", "skadegörelse", "anställda", "polisanmälan",
}
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Names that are Swedish in English too.
PROPER = {"värn", "försäkringskassan", "arbetsmiljöverket"}


def _data_strings():
    """What users and administrators typed: it may stay as typed."""
    strings = set()
    strings |= set(OrgUnit.objects.values_list("name", flat=True))
    for user in get_user_model().objects.all():
        strings |= {user.get_full_name(), user.username, user.first_name, user.last_name}
    strings |= set(Incident.unscoped.values_list("description", flat=True))
    strings |= set(Action.unscoped.values_list("title", flat=True))
    strings |= set(Message.unscoped.values_list("body", flat=True))
    # Knowledge article titles are not here: a Swedish-only title must be marked lang="sv".
    return sorted((s for s in strings if s), key=len, reverse=True)


def visible_text(content: str, data) -> str:
    """The page's own text: no scripts, styles, Swedish-marked parts, tags or data."""
    # The window title cannot mark a part as Swedish: an article's own title may stay there.
    titles = sorted(Article.objects.values_list("title", flat=True), key=len, reverse=True)
    head = re.search(r"<title>(.*?)</title>", content, flags=re.S)
    if head:
        window = head.group(1)
        for title in titles:
            window = window.replace(html.escape(title), " ")
        content = content[:head.start(1)] + window + content[head.end(1):]
    # Scripts, styles, and what a form holds (typed text is data).
    content = re.sub(r"<(script|style|svg|textarea)\b.*?</\1>", " ", content, flags=re.S | re.I)
    # Parts marked as Swedish (lang="sv"), with everything inside them.
    while True:
        match = re.search(r"<(\w+)\b[^>]*\blang=\"sv\"[^>]*>", content)
        if not match or match.group(0).startswith("<html"):
            break
        tag, start, depth, pos = match.group(1), match.start(), 1, match.end()
        pattern = re.compile(rf"<(/?){tag}\b[^>]*>", re.I)
        while depth:
            inner = pattern.search(content, pos)
            if not inner:
                break
            depth += -1 if inner.group(1) else 1
            pos = inner.end()
        content = content[:start] + " " + content[pos:]
    # Attribute values people read or hear: titles, labels, placeholders, alt
    # texts, and messages for the scripts in data-* (codes and addresses in
    # data-* and value are not read, so only values with a space count).
    attrs = " ".join(m.group(2) for m in re.finditer(
        r"\b(title|aria-label|placeholder|alt)=\"([^\"]*)\"", content))
    attrs += " " + " ".join(m.group(1) for m in re.finditer(r"\bdata-[\w-]+=\"([^\"/]* [^\"/]*)\"", content))
    text = re.sub(r"<[^>]+>", " ", content) + " " + attrs
    text = html.unescape(text)
    for value in data:
        text = text.replace(value, " ")
    text = re.sub(r"\S*/\S*", " ", text)  # addresses (/kunskap/hot-pa-skamt/) are not words
    return re.sub(r"\s+", " ", text)


def swedish_words(text: str) -> set[str]:
    words = {w.lower() for w in WORD.findall(text)}
    found = {w for w in words if w in SWEDISH}
    found |= {w for w in words if set(w) & set("åäö") and w not in PROPER}
    for phrase in ("i dag", "i går"):
        if phrase in text.lower():
            found.add(phrase)
    return found


def test_the_check_finds_swedish_and_passes_english():
    assert swedish_words("Spara ändringarna och gå tillbaka") >= {"spara", "och", "ändringarna"}
    assert not swedish_words("Save the changes and go back to the case list. Värn, 3 reports.")
    assert visible_text('<p lang="sv">Hot och våld <b>i</b> text</p><p>Reports</p>', []) .strip() == "Reports"


def english_client(client, user):
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_is_english_when_english_is_chosen(client, city, persona):
    user = getattr(city, persona)
    client = english_client(client, user)
    data = _data_strings()
    editing = sorted(Article.objects.values_list("title", flat=True), key=len, reverse=True)
    problems, pages = {}, 0
    for name, pattern in ALL:
        if name in ("logout",):
            continue
        # A case's pages take the case, the situation picture a unit: the first that answers.
        for pk in dict.fromkeys((city.named.pk, city.north.pk, city.north_a.pk, city.city.pk)):
            url = url_for(name, pattern, pk, action_pk=1, attachment_pk=1)
            response = client.get(url)
            if response.status_code == 200 or "pk" not in pattern.pattern.converters:
                break
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        pages += 1
        # An editor's pages name the article being edited, in its own language.
        page_data = data + (editing if name in ("knowledge:edit", "knowledge:history") else [])
        found = swedish_words(visible_text(response.content.decode(), page_data))
        if found:
            problems[name] = sorted(found)
    assert pages > 3, persona
    assert not problems, f"{persona}: Swedish left on {len(problems)} of {pages} pages: {problems}"


def _extra_pages(city):
    """Pages in states the plain walk does not reach: tabs, searches, every
    kind of case, a case with an action and a message, the audit log with
    entries in it, a form with errors, and the not-found and forbidden pages."""
    from casework import workflow
    workflow.add_action(city.security, city.named.pk, title="Byt lås i entrén", owner=city.manager,
                        due_date=city.named.reported_at.date())
    case = lambda incident: reverse("casework:detail", args=[incident.pk])  # noqa: E731
    return [
        ("get", "/"),
        *[("get", reverse("casework:list") + f"?vy={tab}") for tab in ("mina", "nya", "forsenade", "alla")],
        ("get", reverse("casework:list") + "?vy=alla&sok=finnsinte"),
        ("get", reverse("casework:list") + "?vy=alla&sok=V-000001"),
        *[("get", case(i)) for i in (city.named, city.confidential, city.anonymous, city.bypassed,
                                      city.north_b_case)],
        ("get", reverse("knowledge:search") + "?q=hot"),
        ("get", reverse("knowledge:search") + "?q=finnsintealls"),
        ("get", reverse("knowledge:article", args=["hot"])),
        ("get", reverse("situation:picture", args=[city.north.pk]) + "?period=i-ar"),
        ("get", reverse("situation:drill", args=[city.north.pk])),
        ("get", reverse("audit:list")),
        ("get", reverse("audit:list") + "?fran=2026-13-01"),
        ("post", reverse("reporting:report")),
        ("get", "/arenden/999999/"),
    ]


@pytest.mark.parametrize("persona", ["employee", "manager", "security", "auditor", "committee"])
def test_pages_in_other_states_are_english_too(client, city, persona):
    pages = _extra_pages(city)
    client = english_client(client, getattr(city, persona))
    data = _data_strings() + ["“hot”", "“finnsintealls”"]  # the search words, echoed
    problems, seen = {}, 0
    for method, url in pages:
        response = getattr(client, method)(url)
        if response.status_code not in (200, 403, 404) or not response.get("Content-Type", "").startswith("text/html"):
            continue
        seen += 1
        found = swedish_words(visible_text(response.content.decode(), data))
        if found:
            problems[f"{method} {url} ({response.status_code})"] = sorted(found)
    assert seen > 3
    assert not problems, f"{persona}: Swedish left: {problems}"


def test_the_admin_pages_are_english_too(client, city):
    """The administrator is a user too: the admin site's own titles follow the language."""
    client = english_client(client, city.admin)
    city.admin.is_staff = True
    city.admin.save()
    response = client.get(reverse("admin:index"))
    if response.status_code != 200:
        pytest.skip(f"the admin index answers {response.status_code} for the demo administrator")
    found = swedish_words(visible_text(response.content.decode(), _data_strings()))
    assert not found, found


def test_the_public_pages_are_english_too(client, city):
    """Without logging in: the login page, the anonymous report and follow-up."""
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    data = _data_strings()
    for url in (reverse("login"), reverse("reporting:report_anonymous"), reverse("reporting:followup"),
                reverse("knowledge:forms")):
        response = client.get(url)
        assert response.status_code == 200, url
        found = swedish_words(visible_text(response.content.decode(), data))
        assert not found, (url, found)
    response = client.post(reverse("reporting:followup"), {"code": "fel-kod"})
    assert not swedish_words(visible_text(response.content.decode(), data))
