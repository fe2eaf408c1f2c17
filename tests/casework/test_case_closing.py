"""Closing (issue 11, item 5): one rule for "åtgärdad" and for closing,
stated where the buttons are; refusals are told there; the next step on an
actioned case leads to closing, never back."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casework import workflow
from incidents.models import ChecklistItem, Incident
from tests.casework.test_case_handling import complete_checklist, fresh

pytestmark = pytest.mark.django_db
Code, State = ChecklistItem.Code, ChecklistItem.State
RULE = "Ett ärende markeras som åtgärdat och avslutas när alla punkter i uppföljningen är klara"


def next_step_box(html):
    return html.split('id="next-heading"')[1].split("</section>")[0]


def page(client, inc):
    return client.get(reverse("casework:detail", args=[inc.pk])).content.decode()


def resolved(city):
    workflow.acknowledge(city.manager, city.named.pk, 1)
    complete_checklist(city.manager, city.named)
    workflow.resolve(city.manager, city.named.pk, fresh(city.named).version)
    return fresh(city.named)


def test_the_rule_and_what_remains_stand_where_the_button_is(login, city):
    workflow.acknowledge(city.manager, city.named.pk, 1)
    box = next_step_box(page(login(city.manager), city.named))
    assert RULE in box
    assert "Kvar innan ärendet kan markeras som åtgärdat:" in box
    assert '<a href="#punkt-support_talk">Stödsamtal med medarbetaren hållet</a>' in box
    # The button that would be refused is not offered.
    assert "Markera som åtgärdad" not in box and "Påbörja utredning" in box


def test_marking_actioned_with_something_open_is_refused_at_the_button(login, city):
    workflow.acknowledge(city.manager, city.named.pk, 1)
    response = login(city.manager).post(reverse("casework:status", args=[city.named.pk]),
                                        {"version": 2, "to": "resolved"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Ärendet kan markeras som åtgärdat när uppföljningen är klar" in next_step_box(html)
    assert "uppföljningen är klar" not in html.split('id="next-heading"')[0]  # not at the top of the page
    assert fresh(city.named).status == "acknowledged"


def test_an_actioned_case_leads_to_closing_not_back_to_investigation(login, city):
    inc = resolved(city)
    assert workflow.next_step(inc) == "Skriv en sammanfattning och avsluta ärendet."
    box = next_step_box(page(login(city.manager), inc))
    assert box.index("Avsluta ärendet") < box.index("Tillbaka till utredning")
    assert 'class="button button-primary" type="submit">Avsluta ärendet' in box
    assert "Påbörja utredning" not in box
    assert "Rapportören ser sammanfattningen" in box


def test_closing_refused_because_of_a_new_action_is_told_at_the_close_button_and_keeps_the_summary(login, city):
    inc = resolved(city)
    workflow.add_action(city.manager, inc.pk, title="Nytt larm", owner=city.manager,
                        due_date=timezone.localdate() + timedelta(days=3))
    client = login(city.manager)
    box = next_step_box(page(client, inc))
    assert "Kvar innan ärendet kan avslutas:" in box and '<a href="#atgarder">Åtgärd: Nytt larm</a>' in box
    response = client.post(reverse("casework:close", args=[inc.pk]),
                           {"version": fresh(inc).version, "summary": "Min sammanfattning"})
    box = next_step_box(response.content.decode())
    assert response.status_code == 400
    assert "Kvar: Åtgärd: Nytt larm" in box and "Min sammanfattning" in box
    assert fresh(inc).status == "resolved"


def test_a_missing_summary_is_told_at_the_field(login, city):
    inc = resolved(city)
    response = login(city.manager).post(reverse("casework:close", args=[inc.pk]),
                                        {"version": fresh(inc).version, "summary": ""})
    html = response.content.decode()
    field = html.split('id="id_summary"')[0].rsplit('<div class="field', 1)[1]
    assert "Skriv en kort sammanfattning" in field


@pytest.mark.parametrize("status", ["new", "acknowledged", "investigating", "resolved"])
def test_the_offered_status_steps_only_go_forward(city, status):
    Incident.unscoped.filter(pk=city.named.pk).update(status=status)
    inc = fresh(city.named)
    for blockers in ([], [workflow.Blocker("x", "y")]):
        steps = workflow.forward_steps(inc, blockers)
        assert all(workflow.ORDER.index(to) > workflow.ORDER.index(status) for to in steps)
        assert "closed" not in steps
        if blockers:
            assert "resolved" not in steps
