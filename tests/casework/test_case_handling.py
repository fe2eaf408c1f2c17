"""Case handling: every transition and permission, the checklist, actions,
closing rules, concurrent edits and the views that drive them."""
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from casework import workflow
from incidents.models import Action, ChecklistItem, Incident
from tests.factories import incident

pytestmark = pytest.mark.django_db
Code, State = ChecklistItem.Code, ChecklistItem.State


def fresh(inc):
    return Incident.unscoped.get(pk=inc.pk)


def version(inc):
    """The case's current version (a K-number on the checklist changes the case too)."""
    return fresh(inc).version


def complete_checklist(user, inc):
    for item in workflow.checklist(inc):
        if item.state == State.OPEN:
            if item.code == Code.POLICE:
                workflow.update_checklist_item(user, inc.pk, item.code, state=State.DONE, reference="K123456-26")
            else:
                workflow.update_checklist_item(user, inc.pk, item.code, state=State.NOT_APPLICABLE,
                                               note="Gäller inte i detta fall")


def test_acknowledge_records_time_assigns_and_audits_old_and_new(city):
    inc = workflow.acknowledge(city.manager, city.named.pk, 1)
    assert inc.status == "acknowledged" and inc.acknowledged_at and inc.assigned_to == city.manager
    entry = AuditEntry.objects.get(action="incident.acknowledge")
    assert entry.changes["status"] == ["new", "acknowledged"]
    assert entry.changes["assigned_to"] == [None, str(city.manager.pk)]


def test_acknowledging_twice_is_refused_and_changes_nothing(city):
    workflow.acknowledge(city.manager, city.named.pk, 1)
    with pytest.raises(workflow.WorkflowError, match="redan markerat som mottagen"):
        workflow.acknowledge(city.manager, city.named.pk, 2)
    assert fresh(city.named).version == 2


@pytest.mark.parametrize("persona", ["manager_south", "manager_b", "analyst", "nobody"])
def test_acting_outside_ones_scope_is_404(city, persona):
    with pytest.raises(Http404):
        workflow.acknowledge(getattr(city, persona), city.named.pk, 1)
    assert fresh(city.named).status == "new"


@pytest.mark.parametrize("persona", ["safety", "employee"])
def test_acting_on_a_case_one_may_only_read_is_403(city, persona):
    """The safety representative is informed and the employee reported it:
    both know the case exists, so the answer is "not allowed", not "missing"."""
    with pytest.raises(PermissionDenied):
        workflow.acknowledge(getattr(city, persona), city.named.pk, 1)
    assert fresh(city.named).status == "new"


def test_manager_cannot_act_on_a_case_that_bypasses_management(city):
    with pytest.raises(Http404):
        workflow.acknowledge(city.manager, city.bypassed.pk, 1)
    assert workflow.acknowledge(city.security, city.bypassed.pk, 1).status == "acknowledged"


def test_full_path_to_closed(city):
    pk = city.named.pk
    workflow.acknowledge(city.manager, pk, 1)
    workflow.start_investigation(city.manager, pk, 2)
    complete_checklist(city.manager, city.named)
    workflow.resolve(city.manager, pk, version(city.named))
    inc = workflow.close(city.manager, pk, version(city.named), "Stödsamtal hållet, polisanmält.")
    assert inc.status == "closed" and inc.closed_at and inc.closing_summary


def test_skipping_acknowledgement_is_refused(city):
    with pytest.raises(workflow.WorkflowError):
        workflow.resolve(city.manager, city.named.pk, 1)


def test_closing_requires_the_checklist(city):
    """One rule: a case is actioned, and closed, when the checklist is settled."""
    pk = city.named.pk
    workflow.acknowledge(city.manager, pk, 1)
    with pytest.raises(workflow.WorkflowError, match="uppföljningen är klar"):
        workflow.resolve(city.manager, pk, 2)
    assert fresh(city.named).status == "acknowledged"
    complete_checklist(city.manager, city.named)
    workflow.resolve(city.manager, pk, version(city.named))
    # An item opened again after "åtgärdad" keeps the case from closing, and says which.
    workflow.update_checklist_item(city.manager, pk, Code.RISK_ASSESSMENT, state=State.OPEN)
    with pytest.raises(workflow.WorkflowError, match="Kvar: Riskbedömning"):
        workflow.close(city.manager, pk, version(city.named), "Sammanfattning")
    assert fresh(city.named).status == "resolved"


def test_closing_requires_a_summary(city):
    pk = city.named.pk
    workflow.acknowledge(city.manager, pk, 1)
    complete_checklist(city.manager, city.named)
    workflow.resolve(city.manager, pk, version(city.named))
    with pytest.raises(workflow.WorkflowError, match="sammanfattning"):
        workflow.close(city.manager, pk, version(city.named), "   ")


def test_closing_with_open_actions_is_refused(city):
    pk = city.named.pk
    workflow.acknowledge(city.manager, pk, 1)
    complete_checklist(city.manager, city.named)
    action = workflow.add_action(city.manager, pk, title="Larm i besöksrummet", owner=city.manager,
                                 due_date=timezone.localdate() + timedelta(days=7))
    with pytest.raises(workflow.WorkflowError, match="Kvar: Åtgärd: Larm i besöksrummet"):
        workflow.resolve(city.manager, pk, version(city.named))
    workflow.set_action_status(city.manager, action.pk, Action.Status.DONE)
    workflow.resolve(city.manager, pk, version(city.named))
    workflow.add_action(city.manager, pk, title="Uppföljande samtal", owner=city.manager,
                        due_date=timezone.localdate() + timedelta(days=7))
    with pytest.raises(workflow.WorkflowError, match="inga åtgärder pågår"):
        workflow.close(city.manager, pk, version(city.named), "Klart")


def test_reopen_needs_a_reason_and_is_audited(city):
    pk = city.named.pk
    workflow.acknowledge(city.manager, pk, 1)
    complete_checklist(city.manager, city.named)
    workflow.resolve(city.manager, pk, version(city.named))
    workflow.close(city.manager, pk, version(city.named), "Klart")
    with pytest.raises(workflow.WorkflowError, match="varför"):
        workflow.reopen(city.manager, pk, version(city.named), "")
    inc = workflow.reopen(city.manager, pk, version(city.named), "Klienten har hört av sig igen")
    assert inc.status == "investigating" and inc.closed_at is None
    assert AuditEntry.objects.filter(action="incident.reopen_reason").exists()


def test_the_case_page_shows_why_it_was_reopened_and_that_the_summary_is_the_last_ones(city, login):
    pk = city.named.pk
    workflow.acknowledge(city.manager, pk, 1)
    complete_checklist(city.manager, city.named)
    workflow.resolve(city.manager, pk, version(city.named))
    workflow.close(city.manager, pk, version(city.named), "Samtal hållet, larm installerat")
    workflow.reopen(city.manager, pk, version(city.named), "Klienten har hört av sig igen")
    html = login(city.security).get(reverse("casework:detail", args=[pk])).content.decode()
    assert "<q>Klienten har hört av sig igen</q>" in html
    assert "Sammanfattning när ärendet senast avslutades" in html


def test_a_stale_version_is_a_conflict_and_changes_nothing(city):
    workflow.acknowledge(city.manager, city.named.pk, 1)
    with pytest.raises(workflow.Conflict):
        workflow.start_investigation(city.security, city.named.pk, 1)
    assert fresh(city.named).status == "acknowledged"


def test_police_item_for_threat_needs_k_number_or_a_real_reason(city):
    pk = city.named.pk
    with pytest.raises(workflow.ChecklistInvalid) as err:
        workflow.update_checklist_item(city.manager, pk, Code.POLICE, state=State.DONE)
    assert "reference" in err.value.errors
    with pytest.raises(workflow.ChecklistInvalid) as err:
        workflow.update_checklist_item(city.manager, pk, Code.POLICE, state=State.DONE, reference="123")
    assert "K123456" in err.value.errors["reference"]
    with pytest.raises(workflow.ChecklistInvalid) as err:
        workflow.update_checklist_item(city.manager, pk, Code.POLICE, state=State.DONE, note="nej")
    assert "alla hot" in err.value.errors["note"]
    item = workflow.update_checklist_item(city.manager, pk, Code.POLICE, state=State.DONE,
                                          note="Medarbetaren vill inte, samtal hållet om stadens linje.")
    assert item.state == State.DONE


def test_marking_the_police_item_not_applicable_does_not_get_round_the_citys_line(city):
    with pytest.raises(workflow.ChecklistInvalid) as err:
        workflow.update_checklist_item(city.manager, city.named.pk, Code.POLICE, state=State.NOT_APPLICABLE,
                                       note="nej")
    assert "alla hot" in err.value.errors["note"]
    # For corruption the ordinary rule applies: any reason.
    item = workflow.update_checklist_item(city.security_south, city.south_case.pk, Code.POLICE,
                                          state=State.NOT_APPLICABLE, note="Internt")
    assert item.state == State.NOT_APPLICABLE


def test_not_applicable_needs_a_reason(city):
    with pytest.raises(workflow.ChecklistInvalid):
        workflow.update_checklist_item(city.manager, city.named.pk, Code.SAFETY_REP, state=State.NOT_APPLICABLE)


def test_arbetsmiljoverket_item_needs_date_and_reference(city):
    with pytest.raises(workflow.ChecklistInvalid) as err:
        workflow.update_checklist_item(city.manager, city.named.pk, Code.WORK_ENV_AUTHORITY, state=State.DONE)
    assert set(err.value.errors) == {"done_on", "reference"}


def test_future_dates_are_refused_in_the_checklist(city):
    with pytest.raises(workflow.ChecklistInvalid):
        workflow.update_checklist_item(city.manager, city.named.pk, Code.SUPPORT_TALK, state=State.DONE,
                                       done_on=timezone.localdate() + timedelta(days=2))


def test_work_injury_is_not_applicable_when_nobody_was_hurt(city):
    items = {i.code: i for i in workflow.checklist(city.named)}
    assert items[Code.WORK_INJURY].state == State.NOT_APPLICABLE
    hurt = incident(city.north_a, forms=("vald",), reporter=city.employee)
    hurt.someone_hurt = True
    hurt.save()
    assert {i.code: i for i in workflow.checklist(hurt)}[Code.WORK_INJURY].state == State.OPEN


def test_possibly_serious_by_facts(city):
    assert workflow.possibly_serious(city.north_b_case)  # violence
    assert not workflow.possibly_serious(city.named)
    city.named.description = "Han sa att han hade en kniv i väskan"
    assert workflow.possibly_serious(city.named)


def test_assignment_only_to_someone_who_may_handle(city):
    with pytest.raises(workflow.WorkflowError):
        workflow.assign(city.manager, city.named.pk, 1, city.manager_south)
    inc = workflow.assign(city.manager, city.named.pk, 1, city.security)
    assert inc.assigned_to == city.security


def test_possible_handlers_exclude_bypassed_managers(city):
    assert city.manager in workflow.possible_handlers(city.named)
    assert city.manager not in workflow.possible_handlers(city.bypassed)
    assert city.security in workflow.possible_handlers(city.bypassed)


def test_actions_and_their_status(city):
    action = workflow.add_action(city.manager, city.named.pk, title="Ny rutin", owner=city.security,
                                 due_date=timezone.localdate())
    workflow.set_action_status(city.security, action.pk, Action.Status.DONE)
    action.refresh_from_db()
    assert action.status == "done" and action.done_at
    with pytest.raises(Http404):
        workflow.set_action_status(city.manager_south, action.pk, Action.Status.OPEN)


# --- views -------------------------------------------------------------------

def post(client, name, pk, data):
    return client.post(reverse(f"casework:{name}", args=[pk]), data)


def test_acknowledge_button_works_and_redirects(login, city):
    client = login(city.manager)
    response = post(client, "status", city.named.pk, {"version": 1, "to": "acknowledged"})
    assert response.status_code == 302
    assert fresh(city.named).status == "acknowledged"


def test_forged_request_to_another_units_case_is_404(login, city):
    client = login(city.manager)
    for name, data in [("status", {"version": 1, "to": "acknowledged"}), ("close", {"version": 1, "summary": "x"}),
                       ("assign", {"version": 1}), ("add_action", {"title": "x"}),
                       ("reopen", {"version": 1, "reason": "x"})]:
        assert post(client, name, city.south_case.pk, data).status_code == 404, name
    response = client.post(reverse("casework:checklist", args=[city.south_case.pk, "police"]), {"state": "done"})
    assert response.status_code == 404
    assert fresh(city.south_case).status == "new"


def test_anonymous_visitor_cannot_post(client, city):
    response = post(client, "status", city.named.pk, {"version": 1, "to": "acknowledged"})
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_second_editor_is_told_and_keeps_what_they_typed(login, city):
    workflow.acknowledge(city.security, city.named.pk, 1)  # someone else saves first (version 2)
    client = login(city.manager)
    response = post(client, "close", city.named.pk, {"version": 1, "summary": "Min långa sammanfattning"})
    html = response.content.decode()
    assert response.status_code == 409
    assert "har ändrats av någon annan" in html
    assert "Min långa sammanfattning" in html
    # The kept form now carries the current version: saving again is not another conflict.
    assert 'name="version" value="2"' in html.split("Min långa sammanfattning")[0].rsplit("<form", 1)[1]


def test_invalid_checklist_input_is_kept_with_a_message(login, city):
    client = login(city.manager)
    response = client.post(reverse("casework:checklist", args=[city.named.pk, "police"]),
                           {"police-state": "done", "police-reference": "fel-nummer", "police-note": "min text"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "K123456-26" in html and "fel-nummer" in html and "min text" in html


def test_garbage_input_never_gives_500(login, city):
    client = login(city.manager)
    for data in [{"version": "abc", "to": "acknowledged"}, {"version": "99999999999999999999", "to": "x"},
                 {"to": "closed", "version": 1}, {}]:
        assert post(client, "status", city.named.pk, data).status_code in (302, 400)
    response = post(client, "add_action", city.named.pk, {"title": "<script>x</script>", "owner": "abc",
                                                         "due_date": "31/31/2026"})
    assert response.status_code == 400
    assert "<script>x</script>" not in response.content.decode()
    response = client.post(reverse("casework:checklist", args=[city.named.pk, "nonsense"]), {"nonsense-state": "x"})
    assert response.status_code == 400


def test_case_page_shows_next_step_checklist_and_timeline(login, city):
    workflow.acknowledge(city.manager, city.named.pk, 1)
    html = login(city.manager).get(reverse("casework:detail", args=[city.named.pk])).content.decode()
    assert "Nästa steg" in html
    assert "Stödsamtal med medarbetaren hållet" in html
    assert "Kvitterad som mottagen" in html


def test_safety_rep_sees_case_without_handling_controls(login, city):
    html = login(city.safety).get(reverse("casework:detail", args=[city.named.pk])).content.decode()
    assert "Nästa steg" not in html and "Avsluta ärendet" not in html


def test_inbox_tabs_and_counts(login, city):
    overdue = incident(city.north_a, reporter=city.employee, days_ago=10, description="Gammal")
    client = login(city.manager)
    html = client.get(reverse("casework:list"), {"vy": "forsenade"}).content.decode()
    assert overdue.reference in html
    assert city.south_case.reference not in html
    html = client.get(reverse("casework:list"), {"vy": "alla", "form": "vald"}).content.decode()
    assert "Inga ärenden matchar" in html


def test_inbox_filters_reject_bad_input_clearly(login, city):
    client = login(city.manager)
    response = client.get(reverse("casework:list"), {"fran": "2026-13-45", "form": "nope",
                                                     "enhet": str(city.south_a.pk), "till": "x"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Det finns ingen sådan form" in html and "ÅÅÅÅ-MM-DD" in html
    assert "Enheten finns inte i ditt ansvarsområde" in html


def test_inbox_sorts_by_age(login, city):
    old = incident(city.north_a, reporter=city.employee, days_ago=30, description="Äldst")
    html = login(city.manager).get(reverse("casework:list"), {"vy": "alla"}).content.decode()
    assert html.index(old.reference) < html.index(city.named.reference)
    html = login(city.manager).get(reverse("casework:list"), {"vy": "alla", "sortering": "nyast"}).content.decode()
    assert html.index(old.reference) > html.index(city.named.reference)


def test_my_actions_are_listed_in_the_owners_inbox(login, city):
    workflow.add_action(city.manager, city.named.pk, title="Ring företagshälsovården", owner=city.security,
                        due_date=timezone.localdate())
    html = login(city.security).get(reverse("casework:list")).content.decode()
    assert "Ring företagshälsovården" in html


def test_the_close_form_appears_once_the_case_is_actioned_and_the_next_step_leads(login, city):
    client = login(city.manager)
    close_url = reverse("casework:close", args=[city.named.pk])
    workflow.acknowledge(city.manager, city.named.pk, 1)
    complete_checklist(city.manager, city.named)
    html = client.get(reverse("casework:detail", args=[city.named.pk])).content.decode()
    assert close_url not in html
    assert html.index("Påbörja utredning") < html.index("Markera som åtgärdad")  # the usual step first
    workflow.resolve(city.manager, city.named.pk, version(city.named))
    assert close_url in client.get(reverse("casework:detail", args=[city.named.pk])).content.decode()


def test_two_handlers_on_one_checklist_item_the_second_is_told_and_keeps_the_text(login, city):
    pk = city.named.pk
    client = login(city.manager)
    page = client.get(reverse("casework:detail", args=[pk])).content.decode()
    seen = re.search(r'name="police-seen" value="([^"]*)"', page)
    seen = seen.group(1) if seen else ""
    # Someone else saves the item first.
    workflow.update_checklist_item(city.security, pk, Code.POLICE, state=State.DONE, reference="K123456-26")
    response = client.post(reverse("casework:checklist", args=[pk, "police"]), {
        "police-seen": seen, "police-state": "done", "police-note": "Medarbetaren vill inte, vi har pratat om det."})
    html = response.content.decode()
    assert response.status_code == 409
    assert "Någon annan har ändrat den här punkten" in html
    assert "Medarbetaren vill inte, vi har pratat om det." in html
    item = city.named.checklist.get(code="police")
    assert item.reference == "K123456-26" and item.note == ""
    # Saving again from the kept form goes through.
    fresh_seen = re.search(r'name="police-seen" value="([^"]*)"', html).group(1)
    again = client.post(reverse("casework:checklist", args=[pk, "police"]), {
        "police-seen": fresh_seen, "police-state": "done", "police-reference": "K123456-26",
        "police-note": "Medarbetaren vill inte, vi har pratat om det."})
    assert again.status_code == 302
