"""A unit's shared link: answered once per device (a cookie), one answer per
filled form, the answers counted apart and shown on the results page."""
import re

import pytest
from django.test import Client
from django.urls import reverse

from surveys import services
from surveys.models import Answer, SharedLink
from tests.surveys.helpers import form_post, staff, start

pytestmark = pytest.mark.django_db


def _shared(city, client):
    staff(city)
    survey = start(city).survey
    client.force_login(city.security)
    page = client.post(reverse("surveys:shared_link", args=[survey.pk]), {"unit": city.north_a.pk})
    assert page.status_code == 200
    secret = re.search(r"\?n=([A-Za-z0-9_-]+)", page.content.decode()).group(1)
    return survey, secret


def test_a_shared_link_answers_once_per_device_and_is_counted_apart(city, client, smtp_server):
    survey, secret = _shared(city, client)
    assert SharedLink.objects.get().unit == city.north_a
    phone = Client()
    url = reverse("surveys:answer")
    form = phone.get(url, {"n": secret})
    assert form.status_code == 200 and "gemensamma länk" in form.content.decode()
    nonce = re.search(r'name="k" value="([^"]+)"', form.content.decode()).group(1)
    data = form_post(secret, city.north_b) | {"k": nonce}  # the unit is the link's, whatever is sent
    # Half filled: errors, the choices kept, nothing stored.
    half = dict(data)
    del half["hot_reported"]
    again = phone.post(url, half)
    assert again.status_code == 400 and f'value="{nonce}"' in again.content.decode()
    assert not Answer.objects.exists()
    assert phone.post(url, data).status_code == 200
    # The same filled form sent twice stores one answer, even without the cookie.
    other_browser = Client()
    assert other_browser.post(url, data).status_code == 410
    # The device that answered is told so.
    assert "redan svarat från den här telefonen eller datorn" in phone.get(url, {"n": secret}).content.decode()
    # Another device may answer.
    second = other_browser.get(url, {"n": secret})
    nonce2 = re.search(r'name="k" value="([^"]+)"', second.content.decode()).group(1)
    assert other_browser.post(url, form_post(secret, city.north_a, exposed=()) | {"k": nonce2}).status_code == 200
    answers = list(Answer.objects.all())
    assert len(answers) == 2 and all(a.shared and a.unit == city.north_a for a in answers)
    body = client.get(reverse("surveys:detail", args=[survey.pk])).content.decode()
    import html
    text = " ".join(html.unescape(body).split())
    assert "2 svar kom via enheters delade länkar" in text and "0 av 12 inbjudna" in text, text[text.find("<main"):][:3000]


def test_a_new_shared_link_replaces_the_old_and_a_closed_survey_takes_none(city, client, smtp_server):
    survey, old = _shared(city, client)
    page = client.post(reverse("surveys:shared_link", args=[survey.pk]), {"unit": city.north_a.pk})
    assert page.status_code == 200 and SharedLink.objects.count() == 1
    assert Client().get(reverse("surveys:answer"), {"n": old}).status_code == 404
    bad = client.post(reverse("surveys:shared_link", args=[survey.pk]), {"unit": "999999"})
    assert bad.status_code == 400 and "Välj en enhet i listan" in bad.content.decode()
    services.close_survey(city.security, survey)
    new = re.search(r"\?n=([A-Za-z0-9_-]+)", page.content.decode()).group(1)
    assert Client().get(reverse("surveys:answer"), {"n": new}).status_code == 410
    client.force_login(city.analyst)
    assert client.post(reverse("surveys:shared_link", args=[survey.pk]), {"unit": city.north_a.pk}).status_code == 403


def test_the_shared_link_pages_are_english_when_english_is_chosen(city, client, smtp_server):
    from tests.varn.test_english import _data_strings, english_client, swedish_words, visible_text

    staff(city)
    survey = start(city).survey
    english_client(client, city.security)
    data = sorted(_data_strings() + [survey.title], key=len, reverse=True)
    page = client.post(reverse("surveys:shared_link", args=[survey.pk]), {"unit": city.north_a.pk})
    secret = re.search(r"\?n=([A-Za-z0-9_-]+)", page.content.decode()).group(1)
    form = client.get(reverse("surveys:answer"), {"n": secret})
    nonce = re.search(r'name="k" value="([^"]+)"', form.content.decode()).group(1)
    thanks = client.post(reverse("surveys:answer"), form_post(secret, city.north_a) | {"k": nonce})
    device = client.get(reverse("surveys:answer"), {"n": secret})
    detail = client.get(reverse("surveys:detail", args=[survey.pk]))
    for response in (page, form, thanks, device, detail):
        text = visible_text(response.content.decode(), data)
        assert not swedish_words(text), (response.request["PATH_INFO"], swedish_words(text))
