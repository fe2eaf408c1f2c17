"""Rate limits (varn/ratelimits.py): the client's address behind trusted
proxies, logins that count failures only (per account and per address), the
429 page with the wait and a way back, and every rate being a documented
setting."""
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import PASSWORD
from varn import ratelimits

LOGIN = "/konto/logga-in/"
README = Path(django_settings.BASE_DIR) / "README.md"
SETTINGS = Path(django_settings.BASE_DIR) / "varn" / "settings.py"


def request(remote="192.0.2.10", **meta):
    return RequestFactory().get("/", REMOTE_ADDR=remote, **meta)


def fail(client, username="employee_north", **extra):
    return client.post(LOGIN, {"username": username, "password": "fel-lösenord"}, **extra)


def succeed(client, username="employee_north", **extra):
    return client.post(LOGIN, {"username": username, "password": PASSWORD}, **extra)


# --- the client's address -----------------------------------------------------------

def test_without_a_trusted_proxy_the_address_is_remote_addr_and_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_HEADER = ""
    req = request("192.0.2.10", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert ratelimits.client_ip(req) == "192.0.2.10"


def test_behind_one_proxy_the_address_is_the_one_the_proxy_appended(settings):
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_COUNT = 1
    # The client sent "X-Forwarded-For: 6.6.6.6"; nginx appended the peer it saw.
    req = request("10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert ratelimits.client_ip(req) == "203.0.113.5"
    assert ratelimits.client_ip(request("10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")) == "203.0.113.5"


def test_behind_two_proxies_the_address_is_the_second_from_the_right(settings):
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_COUNT = 2
    req = request("10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 7.7.7.7, 203.0.113.5, 10.0.0.1")
    assert ratelimits.client_ip(req) == "203.0.113.5"


def test_a_header_that_did_not_pass_all_proxies_falls_back_to_remote_addr(settings):
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_COUNT = 2
    assert ratelimits.client_ip(request("10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6")) == "10.0.0.2"
    assert ratelimits.client_ip(request("10.0.0.2")) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert ratelimits.client_ip(request("10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, unknown")) == "10.0.0.2"


def test_addresses_with_ports_are_read(settings):
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_COUNT = 1
    assert ratelimits.client_ip(request(HTTP_X_FORWARDED_FOR="203.0.113.5:51234")) == "203.0.113.5"
    assert ratelimits.client_ip(request(HTTP_X_FORWARDED_FOR="[2001:db8::1]:443")) == "2001:db8::1"
    assert ratelimits.client_ip(request(HTTP_X_FORWARDED_FOR="2001:db8::1")) == "2001:db8::1"


def test_no_address_at_all_is_a_configuration_error(settings):
    settings.TRUSTED_PROXY_HEADER = ""
    with pytest.raises(ImproperlyConfigured, match="VARN_TRUSTED_PROXY_HEADER"):
        ratelimits.client_ip(request(""))


def test_the_address_key_is_a_keyed_hash_and_one_ipv6_64_shares_it():
    a = ratelimits.ip_key("g", request("2001:db8:1:2::1"))
    b = ratelimits.ip_key("g", request("2001:db8:1:2:ffff::9"))
    c = ratelimits.ip_key("g", request("2001:db8:1:3::1"))
    assert a == b != c
    assert "2001" not in a and "192.0.2.10" not in ratelimits.ip_key("g", request())


def test_django_ratelimit_ip_keys_use_the_same_address(settings):
    from django.utils.module_loading import import_string

    assert import_string(settings.RATELIMIT_IP_META_KEY) is ratelimits.client_ip


# --- logins -----------------------------------------------------------------------

def test_twenty_successful_logins_from_one_address_all_succeed(client, city):
    """A whole office behind one NAT address signs in at 08:00."""
    people = [city.employee, city.colleague, city.manager, city.security, city.hr]
    for i in range(20):
        response = succeed(client, people[i % len(people)].username)
        assert response.status_code == 302, i
        client.logout()


def test_failures_lock_the_account_but_not_another_account_from_the_same_address(client, city):
    limit = int(django_settings.LOGIN_ACCOUNT_FAILURE_RATE.split("/")[0])
    for i in range(limit - 1):
        assert fail(client).status_code == 200, i
    # The failure that uses up the limit already shows the wait.
    locked = fail(client)
    assert locked.status_code == 429
    # Now even the right password is refused for this account ...
    assert succeed(client).status_code == 429
    # ... also from another address, since the limit is per account ...
    assert succeed(client, REMOTE_ADDR="198.51.100.7").status_code == 429
    # ... while a colleague at the same address signs in.
    assert succeed(client, city.colleague.username).status_code == 302


def test_the_account_limit_ignores_case_and_spaces_in_the_user_name(client, city, settings):
    settings.LOGIN_ACCOUNT_FAILURE_RATE = "3/15m"
    fail(client, "employee_north")
    fail(client, " Employee_North")
    assert fail(client, "EMPLOYEE_NORTH ").status_code == 429


def test_a_login_without_a_user_name_locks_no_account(client, city, settings):
    settings.LOGIN_ACCOUNT_FAILURE_RATE = "2/15m"
    for _ in range(3):
        assert client.post(LOGIN, {"username": "", "password": "x"}).status_code == 200
    assert succeed(client).status_code == 302


def test_failures_on_many_accounts_lock_the_address_generously(client, city, settings):
    settings.LOGIN_ADDRESS_FAILURE_RATE = "5/15m"
    for i in range(4):
        assert fail(client, f"guess_{i}").status_code == 200
    assert fail(client, "guess_4").status_code == 429
    assert succeed(client).status_code == 429
    # Another address is not affected.
    assert succeed(client, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_the_default_address_limit_is_more_generous_than_the_account_limit():
    account = int(django_settings.LOGIN_ACCOUNT_FAILURE_RATE.split("/")[0])
    address = int(django_settings.LOGIN_ADDRESS_FAILURE_RATE.split("/")[0])
    assert address >= 5 * account


def test_behind_a_proxy_each_client_is_counted_and_a_spoofed_leftmost_entry_changes_nothing(
        client, city, settings):
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_ADDRESS_FAILURE_RATE = "3/15m"
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for i in range(3):
        # An attacker varies the leftmost entry to look like a new client each time.
        fail(client, f"guess_{i}", HTTP_X_FORWARDED_FOR=f"6.6.6.{i}, 203.0.113.5", **proxy)
    assert succeed(client, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy).status_code == 429
    # Another client behind the same proxy is not locked out.
    assert succeed(client, HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy).status_code == 302


# --- the 429 page -----------------------------------------------------------------

def test_the_429_page_says_how_many_minutes_to_wait_and_links_back_to_login(client, city, settings):
    settings.LOGIN_ACCOUNT_FAILURE_RATE = "2/15m"
    fail(client)
    response = fail(client)
    text = response.content.decode()
    assert response.status_code == 429
    assert "Inloggningen är tillfälligt spärrad efter för många misslyckade försök." in text
    match = re.search(r"Vänta (\d+) minut(?:er)? och försök sedan igen\.", text)
    assert match and 1 <= int(match.group(1)) <= 15, text
    assert f'href="{LOGIN}"' in text and "Tillbaka till inloggningen" in text
    assert 0 < int(response["Retry-After"]) <= 15 * 60


def test_the_link_back_keeps_where_the_user_was_going(client, city, settings):
    settings.LOGIN_ACCOUNT_FAILURE_RATE = "1/15m"
    response = fail(client, QUERY_STRING="next=/arenden/")
    assert response.status_code == 429
    assert f'href="{LOGIN}?next=/arenden/"' in response.content.decode()


def test_the_generic_429_page_links_to_login_without_a_known_wait(rf, city):
    from varn.ratelimits import rate_limited

    response = rate_limited(rf.get("/"))
    text = response.content.decode()
    assert response.status_code == 429 and "Retry-After" not in response
    assert "Vänta några minuter och försök sedan igen." in text
    assert f'href="{reverse("login")}"' in text


def test_one_minute_is_singular_and_a_wait_is_never_zero_minutes(rf, city):
    from varn.ratelimits import rate_limited

    assert "Vänta 1 minut och" in rate_limited(rf.get("/"), wait_seconds=5).content.decode()
    assert "Vänta 2 minuter och" in rate_limited(rf.get("/"), wait_seconds=61).content.decode()
    assert ratelimits.minutes(1) == 1 and ratelimits.minutes(900) == 15


# --- the house: every limit is a documented setting ---------------------------------

def test_every_limit_reads_its_rate_from_a_documented_setting(settings):
    readme, source = README.read_text(), SETTINGS.read_text()
    for limit in ratelimits.ALL_LIMITS:
        assert re.fullmatch(r"\d+/\d*[smhd]", limit.rate), limit
        variable = f"VARN_{limit.setting}"
        assert f'{limit.setting} = _env_rate("{variable}"' in source, variable
        assert f"| `{variable}` |" in readme, variable
        setattr(settings, limit.setting, "7/h")
        assert limit.rate == "7/h"
    for variable in ("VARN_TRUSTED_PROXY_HEADER", "VARN_TRUSTED_PROXY_COUNT"):
        assert variable in source and f"| `{variable}` |" in readme, variable


def test_a_malformed_rate_is_refused_at_start(monkeypatch):
    import varn.settings

    monkeypatch.setenv("VARN_ANONYMOUS_REPORT_RATE", "tjugo i timmen")
    with pytest.raises(ImproperlyConfigured, match="VARN_ANONYMOUS_REPORT_RATE"):
        varn.settings._env_rate("VARN_ANONYMOUS_REPORT_RATE", "20/h")
    monkeypatch.setenv("VARN_ANONYMOUS_REPORT_RATE", "30/2h")
    assert varn.settings._env_rate("VARN_ANONYMOUS_REPORT_RATE", "20/h") == "30/2h"


def test_varn_uses_no_private_api_of_django_ratelimit():
    source = Path(ratelimits.__file__).read_text()
    assert "_get_ip" not in source and "_make_cache_key" not in source and "_split_rate" not in source
