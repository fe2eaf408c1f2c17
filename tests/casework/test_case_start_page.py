"""Issue 11, item 18: the start page's count and list of waiting cases
agree, and the employee sees the closing summary on their own case page."""
import pytest
from django.urls import reverse

from incidents.models import Incident
from tests.factories import incident

pytestmark = pytest.mark.django_db


def test_the_start_page_says_how_many_of_the_waiting_cases_it_lists(login, city):
    for n in range(8):
        incident(city.north_a, reporter=city.employee, description=f"Väntar {n}", days_ago=n + 1)
    client = login(city.manager)
    waiting = client.get(reverse("casework:list"), {"vy": "mina"}).content.decode()
    total = waiting.count('<th scope="row">')
    assert total == 11
    html = client.get(reverse("home")).content.decode()
    section = html.split('id="handler-heading"')[1].split("</section>")[0]
    assert "<strong>11</strong> väntar på mig" in section
    assert "visar 10 av 11" in section and section.count('<th scope="row">') == 10
    assert f'href="{reverse("casework:list")}?vy=mina">Visa alla 11 som väntar på dig</a>' in section


def test_the_start_page_shows_no_partial_note_when_everything_is_listed(login, city):
    html = login(city.manager).get(reverse("home")).content.decode()
    section = html.split('id="handler-heading"')[1].split("</section>")[0]
    assert "<strong>3</strong> väntar på mig" in section and section.count('<th scope="row">') == 3
    assert "visar" not in section


def test_the_employee_sees_the_closing_summary_on_their_own_page(login, city):
    Incident.unscoped.filter(pk=city.named.pk).update(
        status=Incident.Status.CLOSED, closing_summary="Stödsamtal hållet och larmet är lagat.")
    html = login(city.employee).get(reverse("reporting:mine_detail", args=[city.named.pk])).content.decode()
    assert "Så avslutades ärendet" in html and "Stödsamtal hållet och larmet är lagat." in html
    Incident.unscoped.filter(pk=city.named.pk).update(status=Incident.Status.INVESTIGATING)
    html = login(city.employee).get(reverse("reporting:mine_detail", args=[city.named.pk])).content.decode()
    assert "När ärendet senast avslutades" in html
