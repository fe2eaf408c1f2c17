"""The coordinator's inbox (issue 11, items 14 and 18): a report that went
past the unit's managers is marked; cases are found by reference, K-number
or words, within what the user may see; the start page's count and list agree."""
import pytest
from django.urls import reverse

from incidents.models import Incident
from tests.factories import incident

pytestmark = pytest.mark.django_db
INBOX = reverse("casework:list")


def rows(html):
    """The references listed in the inbox table."""
    body = html.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in html else ""
    return [part.split("</a>")[0].rsplit(">", 1)[1] for part in body.split('<th scope="row">')[1:]]


def test_a_bypassed_report_is_tagged_in_the_inbox_and_on_the_case_page(login, city):
    client = login(city.security)
    html = client.get(INBOX, {"vy": "alla"}).content.decode()
    row = html.split(city.bypassed.reference + "</a>")[1].split("</tr>")[0]
    assert "Förbi chef: rapporten gäller chef eller kollega" in row
    other = html.split(city.named.reference + "</a>")[1].split("</tr>")[0]
    assert "Förbi chef" not in other
    page = client.get(reverse("casework:detail", args=[city.bypassed.pk])).content.decode()
    head = page.split('id="next-heading"')[0]
    assert "Förbi chef: rapporten gäller chef eller kollega" in head
    assert "Enhetens chefer har inte fått rapporten" in head


def test_a_report_bypassed_for_another_reason_is_tagged_too(login, city):
    unknown = incident(city.north_a, reporter=city.employee, source="okand", bypass=True, description="Okänd källa")
    html = login(city.security).get(INBOX, {"vy": "alla"}).content.decode()
    row = html.split(unknown.reference + "</a>")[1].split("</tr>")[0]
    assert "Förbi chef: enhetens chefer har inte fått rapporten" in row


@pytest.mark.parametrize("typed", ["V-{pk:06d}", "v-{pk:06d}", "{pk}", "V{pk}", " 0000{pk} "])
def test_a_case_is_found_by_its_reference_written_any_way(login, city, typed):
    wanted = city.north_b_case
    html = login(city.security).get(INBOX, {"vy": "alla", "sok": typed.format(pk=wanted.pk)}).content.decode()
    assert rows(html) == [wanted.reference]


def test_a_case_is_found_by_words_in_its_description_and_by_its_k_number(login, city):
    client = login(city.security)
    assert rows(client.get(INBOX, {"vy": "alla", "sok": "våld barn"}).content.decode()) == [
        city.north_b_case.reference]
    Incident.unscoped.filter(pk=city.named.pk).update(police_reference="K424242-26")
    assert rows(client.get(INBOX, {"vy": "alla", "sok": "k424242"}).content.decode()) == [city.named.reference]
    html = client.get(INBOX, {"vy": "alla", "sok": "ordsomintefinns"}).content.decode()
    assert rows(html) == [] and "Inga ärenden matchar sökningen." in html


def test_the_search_stays_within_what_the_user_may_handle(login, city):
    # The southern case exists, but the northern coordinator may not know it.
    client = login(city.security)
    assert rows(client.get(INBOX, {"vy": "alla", "sok": "Mutförsök"}).content.decode()) == []
    assert rows(client.get(INBOX, {"vy": "alla", "sok": str(city.south_case.pk)}).content.decode()) == []
    # The unit's manager does not find the report about a manager or colleague.
    manager = login(city.manager)
    assert rows(manager.get(INBOX, {"vy": "alla", "sok": "egen chef"}).content.decode()) == []
    assert rows(manager.get(INBOX, {"vy": "alla", "sok": city.bypassed.reference}).content.decode()) == []


def test_the_reporters_name_is_not_searchable(login, city):
    html = login(city.security).get(INBOX, {"vy": "alla", "sok": city.employee.first_name}).content.decode()
    assert rows(html) == []


def test_a_search_on_a_narrower_tab_offers_all_cases(login, city):
    html = login(city.security).get(INBOX, {"vy": "forsenade", "sok": "Mutförsök"}).content.decode()
    assert "Sök bland alla ärenden" in html


def test_the_search_field_is_outside_the_folded_filters_and_they_stay_folded(login, city):
    html = login(city.security).get(INBOX, {"vy": "alla", "sok": "våld"}).content.decode()
    assert html.index('id="id_sok"') < html.index('<details class="filter-box"')
    assert '<details class="filter-box">' in html
    assert 'aria-describedby="id_sok_helptext"' in html
    html = login(city.security).get(INBOX, {"vy": "alla", "status": "new"}).content.decode()
    assert '<details class="filter-box" open>' in html
