"""Handling a case over the API: the same steps, rules and optimistic
locking as the case page (casework.workflow)."""
import pytest
from django.utils import timezone

from audit.models import AuditEntry
from incidents.models import Action, ChecklistItem, Incident
from organisation.models import OrgUnit

pytestmark = pytest.mark.django_db


def url(case, suffix=""):
    return f"/api/v1/incidents/{case.pk}/{suffix}"


def test_a_stale_version_is_409_with_the_current_case_and_changes_nothing(city, api):
    handler = api("security")
    first = handler.post(url(city.named, "status/"), {"to": "acknowledged", "version": 1})
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = handler.post(url(city.named, "status/"), {"to": "investigating", "version": 1})
    assert stale.status_code == 409
    assert stale["Content-Type"] == "application/problem+json"
    problem = stale.json()
    assert problem["status"] == 409 and problem["type"] == "urn:varn:problem:conflict"
    assert problem["current"]["version"] == 2 and problem["current"]["status"] == "acknowledged"
    city.named.refresh_from_db()
    assert (city.named.status, city.named.version) == (Incident.Status.ACKNOWLEDGED, 2)
    assert handler.post(url(city.named, "status/"), {"to": "investigating", "version": 2}).status_code == 200
    stale_assign = handler.put(url(city.named, "assignee/"), {"version": 2, "handler": city.hr.pk})
    assert stale_assign.status_code == 409 and stale_assign.json()["current"]["version"] == 3


def test_a_stale_checklist_stamp_is_409_with_the_item_as_it_is(city, api):
    handler = api("security")
    handler.post(url(city.named, "status/"), {"to": "acknowledged", "version": 1})
    items = {i["code"]: i for i in handler.get(url(city.named, "checklist/")).json()}
    stamp = items["support_talk"]["stamp"]
    today = timezone.localdate().isoformat()
    saved = handler.put(url(city.named, "checklist/support_talk/"),
                        {"state": "done", "done_on": today, "note": "Hållet", "stamp": stamp})
    assert saved.status_code == 200, saved.json()
    assert saved.json()["state"] == "done" and saved.json()["stamp"] != stamp
    again = handler.put(url(city.named, "checklist/support_talk/"),
                        {"state": "not_applicable", "note": "Ändrat", "stamp": stamp})
    assert again.status_code == 409
    assert again.json()["current"]["state"] == "done" and again.json()["current"]["note"] == "Hållet"
    item = ChecklistItem.unscoped.get(incident=city.named, code="support_talk")
    assert item.note == "Hållet"


def test_the_checklists_rules_name_the_field(city, api):
    handler = api("security")
    handler.post(url(city.named, "status/"), {"to": "acknowledged", "version": 1})
    wrong = handler.put(url(city.named, "checklist/police/"), {"state": "done", "reference": "inte ett nummer"})
    assert wrong.status_code == 400
    assert [e["field"] for e in wrong.json()["errors"]] == ["reference"]
    assert "K-nummer" in wrong.json()["errors"][0]["detail"]
    right = handler.put(url(city.named, "checklist/police/"), {"state": "done", "reference": "k 123456-26",
                                                               "done_on": timezone.localdate().isoformat()})
    assert right.status_code == 200 and right.json()["reference"] == "K123456-26"
    city.named.refresh_from_db()
    assert city.named.police_reference == "K123456-26"
    assert handler.put(url(city.named, "checklist/okand/"), {"state": "done"}).status_code == 404


def test_a_step_not_allowed_now_is_refused_with_its_reason(city, api):
    handler = api("security")
    refused = handler.post(url(city.named, "status/"), {"to": "closed", "version": 1, "summary": "Klart"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "to"
    city.named.refresh_from_db()
    assert city.named.status == Incident.Status.NEW


def test_actions_are_decided_and_followed_up(city, api):
    handler = api("security")
    created = handler.post(url(city.named, "actions/"), {"title": "Byt lås i entrén", "owner": city.hr.pk,
                                                         "due_date": "2030-01-31"})
    assert created.status_code == 201, created.json()
    action = created.json()
    assert action["owner"]["id"] == city.hr.pk and action["status"] == "open"
    assert [a["id"] for a in handler.get(url(city.named, "actions/")).json()] == [action["id"]]
    outsider = handler.post(url(city.named, "actions/"), {"title": "x", "owner": city.manager_south.pk,
                                                          "due_date": "2030-01-31"})
    assert outsider.status_code == 400 and outsider.json()["errors"][0]["field"] == "owner"
    done = handler.patch(url(city.named, f"actions/{action['id']}/"), {"status": "done"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert Action.unscoped.get(pk=action["id"]).status == "done"
    # An action addressed under another case is not found.
    assert handler.patch(url(city.north_b_case, f"actions/{action['id']}/"), {"status": "open"}).status_code == 404
    assert AuditEntry.objects.filter(action="action.change", incident=city.named).exists()


def test_the_administrators_token_provisions_the_tree_with_import_orgs_rules(city, api):
    admin = api("admin")
    created = admin.post("/api/v1/organisation/units/", {"rows": [
        {"code": "NORR-ALD", "name": "Äldreomsorg Norr", "kind": "unit", "parent_code": "NORR-IFO"}]})
    assert created.status_code == 200, created.json()
    assert created.json()["created"] == 1
    node = OrgUnit.objects.get(code="NORR-ALD")
    assert node.parent == city.north_ifo
    entry = AuditEntry.objects.filter(action="orgunit.create", object_id=str(node.pk)).get()
    assert "token" in entry.actor_label
    wrong = admin.post("/api/v1/organisation/units/", {"rows": [
        {"code": "NY-1", "name": "Ny", "kind": "unit", "parent_code": "NORR-IFO"},
        {"code": "NY-2", "name": "Ny", "kind": "planet", "parent_code": "FINNS-INTE"}]})
    assert wrong.status_code == 400
    fields = {e["field"] for e in wrong.json()["errors"]}
    assert "rows[1].kind" in fields
    assert not OrgUnit.objects.filter(code="NY-1").exists()  # all or nothing
    headcount = admin.post("/api/v1/organisation/headcount/", {"rows": [
        {"unit_code": "NORR-ALD", "year": 2026, "employees": 10, "women": 6, "men": 5}]})
    assert headcount.status_code == 400 and headcount.json()["errors"][0]["field"] == "rows[0].women"
    ok = admin.post("/api/v1/organisation/headcount/", {"rows": [
        {"unit_code": "NORR-ALD", "year": 2026, "employees": 10, "women": 6, "men": 4}]})
    assert ok.status_code == 200 and ok.json()["created"] == 1
    # Only the administrator's token writes; every token reads.
    refused = api("security").post("/api/v1/organisation/units/", {"rows": [
        {"code": "X", "name": "X", "kind": "unit", "parent_code": "NORR-IFO"}]})
    assert refused.status_code == 403 and not OrgUnit.objects.filter(code="X").exists()
    codes = [u["code"] for u in api("analyst").get("/api/v1/organisation/units/").json()]
    assert "NORR-ALD" in codes
