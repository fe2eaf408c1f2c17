"""The survey pages: who reaches them, starting with bad input, answering
with a half-filled form, a used link and a double submit."""
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from surveys.models import Answer, Survey
from tests.surveys.helpers import form_post, secrets_from, staff, start

pytestmark = pytest.mark.django_db


def start_data(city, **extra):
    today = timezone.localdate()
    data = {"node": city.north.pk, "title": "Exponeringsenkät hösten", "period_start": str(today - timedelta(days=365)),
            "period_end": str(today), "closes_on": str(today + timedelta(days=14)), "min_answers": "5",
            "q0_text": "Vet du vem du ska vända dig till?", "q0_kind": "yes_no"}
    data.update(extra)
    return data


def test_the_coordinator_starts_a_survey(login, city, smtp_server):
    staff(city)
    client = login(city.security)
    assert client.get(reverse("surveys:start")).status_code == 200
    response = client.post(reverse("surveys:start"), start_data(city))
    survey = Survey.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("surveys:detail", args=[survey.pk])
    assert survey.own_questions.get().text == "Vet du vem du ska vända dig till?"
    page = client.get(reverse("surveys:detail", args=[survey.pk])).content.decode()
    assert "0 av 12 inbjudna" in page and "Resultat visas när minst 5 personer har svarat" in page


def test_bad_input_is_named_and_kept(login, city):
    staff(city)
    client = login(city.security)
    today = timezone.localdate()
    response = client.post(reverse("surveys:start"), start_data(
        city, period_end=str(today - timedelta(days=400)), closes_on="igår", min_answers="3"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Periodens slut kan inte ligga före dess början." in page
    assert "Skriv datumet som ÅÅÅÅ-MM-DD." in page
    assert "Minst 5 svar krävs" in page
    assert "Exponeringsenkät hösten" in page and "Vet du vem du ska vända dig till?" in page
    assert not Survey.objects.exists()


def test_too_few_people_is_said_on_the_form(login, city):
    client = login(city.security)
    response = client.post(reverse("surveys:start"), start_data(city))
    assert response.status_code == 200
    assert "har bara 2 medarbetare" in response.content.decode()
    assert not Survey.objects.exists()


def test_who_reaches_the_pages(login, city, smtp_server):
    staff(city)
    survey = start(city).survey
    detail = reverse("surveys:detail", args=[survey.pk])
    for outsider in (city.security_south, city.manager_south):
        client = login(outsider)
        status = client.get(detail).status_code
        assert status in (403, 404)
        assert client.post(reverse("surveys:close", args=[survey.pk])).status_code in (403, 404)
    assert login(city.security_south).get(detail).status_code == 404
    for reader in (city.employee, city.manager, city.safety):
        client = login(reader)
        assert client.get(reverse("surveys:list")).status_code == 403
        assert client.get(detail).status_code == 403
        assert client.get(reverse("surveys:start")).status_code == 403
    committee = login(city.committee)
    assert committee.get(detail).status_code == 200
    assert committee.post(reverse("surveys:close", args=[survey.pk])).status_code == 403
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN


def test_half_filled_answer_keeps_what_was_typed(city, smtp_server):
    staff(city)
    start(city)
    secret = next(iter(secrets_from(smtp_server).values()))
    data = form_post(secret, city.north_a, exposed=("hot",))
    del data["hot_times"], data["hot_reasons"], data["vald_exposed"]
    client = Client()
    response = client.post(reverse("surveys:answer"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Ange ungefär hur många gånger." in page
    assert "Välj minst ett skäl" in page and "Svara ja eller nej." in page
    assert 'value="none" id="id_hot_reported_2" checked' in page or 'value="none" checked' in page
    assert not Answer.objects.exists()
    ok = client.post(reverse("surveys:answer"), form_post(secret, city.north_a))
    assert ok.status_code == 200 and "Tack för ditt svar" in ok.content.decode()
    again = client.post(reverse("surveys:answer"), form_post(secret, city.north_a))
    assert again.status_code == 410 and "redan använd" in again.content.decode()
    assert Answer.objects.count() == 1
    assert "sessionid" not in client.cookies


def test_unknown_link_page(client):
    response = client.get(reverse("surveys:answer") + "?n=finnsinte")
    assert response.status_code == 404 and "Länken fungerar inte" in response.content.decode()
    assert client.get(reverse("surveys:answer")).status_code == 404
