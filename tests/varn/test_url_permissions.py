"""Every URL of Värn, walked from the URL map itself, so that a new page cannot
slip past these checks: an anonymous visitor is sent to the login page (only
the deliberately public pages answer), and a user from another district gets
404 for every page and action of a case that exists in the north."""
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from casework import workflow

pytestmark = pytest.mark.django_db

# Pages that answer without a login, on purpose: logging in, the language
# switch, the anonymous reporting path (report, who will receive it, and
# follow-up by code) and the five forms of influence that the anonymous form
# links to. (The articles on
# the five forms are public too; knowledge:article is walked here with an
# article that is not, and test_knowledge covers both.)
PUBLIC = {"login", "logout", "set_language", "reporting:report_anonymous", "reporting:followup",
          "reporting:recipients",
          "knowledge:forms",
          # The survey's answer page: its single-use link is the only
          # permission, and it works without an account (tests/surveys/).
          "surveys:answer",
          # Sign-in with the identity provider: the way to the provider and
          # back (404 while VARN_OIDC_ISSUER is unset; tests/signin/).
          "oidc_authentication_init", "oidc_authentication_callback",
          # The load balancer's probes: "ok" or "unavailable", nothing more
          # (tests/varn/test_faults.py).
          "healthz", "readyz"}


def named_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            if item.app_name == "admin":
                continue  # Django's admin has its own login (tested in test_views_foundation)
            if item.app_name == "api":
                continue  # the API answers tokens, not logins, with problem documents (tests/api/)
            inner = f"{namespace}{item.namespace}:" if item.namespace else namespace
            yield from named_patterns(item, inner)
        elif isinstance(item, URLPattern) and item.name:
            yield f"{namespace}{item.name}", item


def url_for(name, pattern, pk, slug="polisanmalan", fmt="csv", **extra):
    kwargs = {}
    for key, converter in pattern.pattern.converters.items():
        if key in extra:
            kwargs[key] = extra[key]
        elif key == "slug":
            kwargs[key] = slug
        elif key == "fmt":
            kwargs[key] = fmt
        else:
            kwargs[key] = pk
    return reverse(name, kwargs=kwargs)


ALL = sorted(named_patterns(), key=lambda p: p[0])


def test_the_walk_finds_every_app():
    names = {name.split(":")[0] for name, _ in ALL if ":" in name}
    assert {"reporting", "casework", "situation", "knowledge", "cycle", "audit"} <= names
    assert len(ALL) > 40


@pytest.mark.parametrize("name,pattern", [p for p in ALL if p[0] not in PUBLIC], ids=lambda v: str(v))
def test_an_anonymous_visitor_is_sent_to_login(client, city, name, pattern):
    url = url_for(name, pattern, city.named.pk)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, (name, method.__name__, response.status_code)
        assert response["Location"].startswith(reverse("login")), name


CASE_URLS = [p for p in ALL if p[0].startswith(("reporting:", "casework:", "support:")) and "pk" in p[1].pattern.converters
             or p[0] in ("situation:actor", "casework:action_status")]


@pytest.mark.parametrize("name,pattern", CASE_URLS, ids=lambda v: str(v))
def test_a_north_case_is_404_for_the_south(login, city, name, pattern):
    """The case exists and holds text that could leak; the south's manager and
    coordinator must not learn even that."""
    action = workflow.add_action(city.manager, city.named.pk, title="Byt lås i entrén",
                                 owner=city.manager, due_date=city.named.reported_at.date())
    for stranger in (city.manager_south, city.security_south):
        client = login(stranger)
        url = url_for(name, pattern, city.named.pk, action_pk=action.pk, attachment_pk=1)
        missing = url_for(name, pattern, 999999, action_pk=999999, attachment_pk=1)
        data = {"version": city.named.version, "body": "hej", "to": "acknowledged"}
        # POST-only actions answer GET with 405 whatever the case: the same as
        # for a case that does not exist, so nothing is learnt from it.
        for method, expected in ((client.get, {404, 405}), (client.post, {404})):
            response = method(url, data)
            assert response.status_code in expected, (stranger.username, name, method.__name__,
                                                       response.status_code)
            assert response.status_code == method(missing, data).status_code, name
            assert b"Namngiven rapport i norr" not in response.content
            assert "Byt lås" not in response.content.decode()
    before = (city.named.status, city.named.version)
    city.named.refresh_from_db()
    assert (city.named.status, city.named.version) == before
    assert not city.named.messages.exists()


# Every handling action of a case: what a safety representative (informed, may
# read the case) may not do. Reading pages and the reporter's own paths are not
# among them.
ACTION_URLS = [p for p in ALL if p[0].startswith(("casework:", "support:"))
               and p[0] not in ("casework:list", "casework:detail")]


def test_the_walk_finds_the_case_actions():
    assert {"casework:status", "casework:assign", "casework:checklist", "casework:add_action",
            "casework:action_status", "casework:close", "casework:reopen",
            "casework:message_post", "support:start", "support:step", "support:add_offer",
            "support:end"} <= {name for name, _ in ACTION_URLS}


@pytest.mark.parametrize("name,pattern", ACTION_URLS, ids=lambda v: str(v))
def test_a_case_one_may_read_but_not_handle_answers_403(login, city, name, pattern):
    """The safety representative may know the case exists, so "not allowed"
    (403) is the honest answer, never a pretended 404; nothing changes."""
    action = workflow.add_action(city.manager, city.named.pk, title="Byt lås i entrén",
                                 owner=city.manager, due_date=city.named.reported_at.date())
    client = login(city.safety)
    assert client.get(reverse("casework:detail", args=[city.named.pk])).status_code == 200
    url = url_for(name, pattern, city.named.pk, slug="police", action_pk=action.pk)
    data = {"version": city.named.version, "body": "hej", "to": "acknowledged", "state": "done",
            "summary": "klart", "reason": "fel", "title": "x", "owner": city.safety.pk,
            "due_date": "2030-01-01", "status": "done", "handler": city.safety.pk}
    response = client.post(url, data)
    assert response.status_code == 403, (name, response.status_code)
    before = (city.named.status, city.named.version)
    city.named.refresh_from_db()
    assert (city.named.status, city.named.version) == before
    assert not city.named.messages.exists()


@pytest.mark.parametrize("name,pattern", ALL, ids=lambda v: str(v))
def test_no_page_or_export_may_be_kept_by_the_browser(login, city, name, pattern):
    """A shared office computer: after logging out, the back button must show
    nothing, so every response says no-store, whoever asks and whatever the
    answer (the security coordinator reaches the most pages)."""
    url = url_for(name, pattern, city.named.pk, action_pk=1, attachment_pk=1)
    for client in (login(city.security), login(city.admin)):
        response = client.get(url)
        cache = response.get("Cache-Control", "")
        assert "no-store" in cache and "private" in cache, (name, response.status_code, cache)
