"""Sign-in pages without a provider in the way: what an odd or forged
request to the callback gets (a Swedish page, never a 500), and the
password login while the identity provider is configured."""
import pytest

from tests.factories import PASSWORD
from tests.signin.conftest import use_provider

pytestmark = pytest.mark.django_db


def test_without_a_provider_the_sign_in_paths_do_not_exist(client, city):
    assert client.get("/konto/oidc/start/").status_code == 404
    assert client.get("/konto/oidc/tillbaka/?code=x&state=y").status_code == 404
    # And the password login is everyone's, as in the demo.
    page = client.get("/konto/logga-in/").content.decode()
    assert 'name="password"' in page and "Logga in med" not in page
    response = client.post("/konto/logga-in/", {"username": city.manager.username, "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(city.manager.pk)


@pytest.fixture
def configured(settings):
    # A provider nobody needs to reach for these requests.
    use_provider(settings, "http://127.0.0.1:9/o")
    return settings


@pytest.mark.parametrize("query", ["", "?code=abc", "?state=forged", "?code=abc&state=forged"])
def test_a_callback_without_a_matching_state_gets_a_page_not_an_error(client, city, configured, query):
    response = client.get("/konto/oidc/tillbaka/" + query)
    assert response.status_code == 400
    assert "Inloggningen hann gå ut" in response.content.decode()


def test_an_error_from_the_provider_gets_its_page(client, city, configured):
    response = client.get("/konto/oidc/tillbaka/?error=access_denied&state=x")
    assert response.status_code == 403
    assert "Inloggningen avbröts" in response.content.decode()


def test_with_a_provider_a_password_signs_no_one_in_unless_break_glass(client, city, configured):
    page = client.get("/konto/logga-in/").content.decode()
    assert "Logga in med Stockholms stad" in page and 'name="password"' not in page
    for user in (city.manager, city.admin):
        client.post("/konto/logga-in/", {"username": user.username, "password": PASSWORD})
        assert "_auth_user_id" not in client.session
    configured.BREAK_GLASS_LOGIN = True
    response = client.post("/konto/logga-in/", {"username": city.manager.username, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post("/konto/logga-in/", {"username": city.admin.username, "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(city.admin.pk)
    # Logging out of a password session goes nowhere near the provider.
    response = client.post("/konto/logga-ut/")
    assert response.status_code == 302 and response["Location"] == "/konto/logga-in/"


def test_the_button_names_the_organisation_from_the_setting(client, city, configured):
    configured.OIDC_PROVIDER_NAME = "Exempelby kommun"
    assert "Logga in med Exempelby kommun" in client.get("/konto/logga-in/").content.decode()
