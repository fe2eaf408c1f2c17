"""No role reaches over the API more than it reaches on the pages. For each
role, incidents are planted outside its scope (with text that could leak);
no endpoint returns them or counts them, and the 404 for such a case is the
same, byte for byte, as for a case that does not exist."""
import pytest
from django.utils import timezone

from casework import inbox, workflow
from incidents import access
from incidents.models import Incident
from situation import stats
from situation.forms import load_terms
from situation.lens import Lens, last_twelve_months
from tests.api.conftest import ROLES
from tests.factories import incident

pytestmark = pytest.mark.django_db
SECRET = "HEMLIG-TEXT-UTANFOR"


def _plant(city):
    """Cases outside the scope of every north role (and a bypassed one that
    the north's managers and safety representative must not reach)."""
    return [
        incident(city.south_a, reporter=city.employee_south, description=SECRET, forms=("hot",)),
        incident(city.south_a, identity=Incident.IdentityMode.ANONYMOUS, description=SECRET, forms=("vald",)),
        incident(city.south_a, reporter=city.employee_south, identity=Incident.IdentityMode.CONFIDENTIAL,
                 description=SECRET, source="intern"),
    ]


def _all_pages(api):
    ids, cursor = [], None
    for _ in range(50):
        response = api.get("/api/v1/incidents/", {"page_size": 2, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.content
        body = response.json()
        assert SECRET not in response.content.decode()
        ids += [i["id"] for i in body["results"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return ids
    raise AssertionError("the cursor never ended")


def _expected(user):
    if not user.has_role(*access.CASE_ROLES):
        return set()
    return set(inbox.base_queryset(user).values_list("pk", flat=True))


@pytest.mark.parametrize("role", list(ROLES))
def test_no_endpoint_returns_or_counts_what_is_outside_the_scope(client, city, tokens, api, role):
    planted = _plant(city)
    account = tokens[role][0]
    caller = api(role)
    ids = _all_pages(caller)
    assert len(ids) == len(set(ids)), "a case appeared on two pages"
    assert set(ids) == _expected(account)
    assert not set(ids) & {p.pk for p in planted}
    if role in ("manager", "safety"):
        assert city.bypassed.pk not in ids
    # Outside the scope: the same bytes as a case that does not exist, on every case endpoint.
    missing = max(Incident.unscoped.values_list("pk", flat=True)) + 1000
    for case in planted:
        for suffix in ("", "checklist/", "actions/"):
            out = caller.get(f"/api/v1/incidents/{case.pk}/{suffix}")
            gone = caller.get(f"/api/v1/incidents/{missing}/{suffix}")
            assert out.status_code == gone.status_code == 404
            assert out.content == gone.content and out["Content-Type"] == gone["Content-Type"]
            assert SECRET not in out.content.decode()
        for method, suffix, body in (("post", "status/", {"to": "acknowledged", "version": 1}),
                                     ("put", "assignee/", {"version": 1, "handler": None}),
                                     ("post", "actions/", {"title": "x", "owner": account.pk,
                                                           "due_date": "2030-01-01"}),
                                     ("put", "checklist/police/", {"state": "done", "reference": "K1-26"})):
            out = getattr(caller, method)(f"/api/v1/incidents/{case.pk}/{suffix}", body)
            gone = getattr(caller, method)(f"/api/v1/incidents/{missing}/{suffix}", body)
            assert out.status_code == gone.status_code == 404, (suffix, out.status_code)
            assert out.content == gone.content
        case.refresh_from_db()
        assert case.status == Incident.Status.NEW and case.version == 1
    # The situation picture: only covered nodes, counting only the scope.
    covered = set(access.covered_nodes(account).values_list("pk", flat=True))
    outside = caller.get(f"/api/v1/situation/{city.south.pk}/")
    nowhere = caller.get("/api/v1/situation/999999/")
    if city.south.pk not in covered:
        assert outside.status_code == nowhere.status_code == 404 and outside.content == nowhere.content
    for node_pk in covered:
        response = caller.get(f"/api/v1/situation/{node_pk}/")
        assert response.status_code == 200
        node = access.covered_nodes(account).get(pk=node_pk)
        exact = access.countable_incidents(account).filter(unit__path__startswith=node.path).count()
        total = response.json()["key_figures"]["total"]
        if not response.json()["suppressed"]:
            assert total["value"] == exact


def test_the_reporter_is_named_only_where_the_caller_may_identify(city, api):
    def reporter(role, case):
        return {i["id"]: i["reporter"] for i in api(role).get("/api/v1/incidents/").json()["results"]}.get(case.pk)

    assert reporter("manager", city.named)["name"] == str(city.employee)
    assert reporter("manager", city.confidential) is None
    assert reporter("security", city.confidential)["name"] == str(city.employee)
    assert reporter("hr", city.confidential)["name"] == str(city.employee)
    assert reporter("safety", city.confidential) is None
    for role in ("manager", "security", "safety"):
        assert reporter(role, city.anonymous) is None
    detail = api("manager").get(f"/api/v1/incidents/{city.confidential.pk}/").json()
    assert detail["reporter"] is None and detail["identity_mode"] == "confidential"
    assert str(city.employee) not in api("manager").get(f"/api/v1/incidents/{city.confidential.pk}/").content.decode()


def test_aggregate_only_callers_see_the_pictures_protected_figures(city, tokens, api):
    """The analyst's account gets the figures the analyst persona sees on the
    page: suppressed and protected (same scope, same record keys)."""
    response = api("analyst").get(f"/api/v1/situation/{city.city.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["suppressed"] is True
    start, end = last_twelve_months(timezone.localdate())
    page = stats.build(city.analyst, Lens(node=city.city, start=start, end=end), load_terms())
    assert body["key_figures"]["total"] == {"value": page.total.shown, "text": str(page.total),
                                            "hidden": page.total.hidden}
    page_tables = {t.key: t for t in page.tables}
    for table in body["tables"]:
        shown = page_tables[table["key"]]
        assert [[c["text"] for c in r["cells"]] for r in table["rows"]] == \
            [[c.text for c in r.cells] for r in shown.rows]
    # No case list for aggregate-only callers.
    assert api("analyst").get("/api/v1/incidents/").json()["results"] == []
    assert api("committee").get(f"/api/v1/incidents/{city.named.pk}/").status_code == 404


def test_the_police_picture_is_always_suppressed_and_audited(city, api):
    from audit.models import AuditEntry
    response = api("security").get(f"/api/v1/situation/{city.north.pk}/police/")
    assert response.status_code == 200
    # The figures of the page's police export for the same scope (the coordinator persona).
    start, end = last_twelve_months(timezone.localdate())
    page = stats.build(city.security, Lens(node=city.north, start=start, end=end), load_terms(), police=True)
    assert response.json()["key_figures"]["total"]["text"] == str(page.total)
    assert [t["key"] for t in response.json()["tables"]] == [t.key for t in page.tables]
    # The police export never carries small exact counts of a table.
    for table in response.json()["tables"]:
        for row in table["rows"]:
            for cell in row["cells"]:
                if cell["kind"] == "count" and cell["value"] is not None:
                    assert not 0 < cell["value"] < 5, (table["key"], row)
    entry = AuditEntry.objects.filter(action="situation.export").latest("id")
    assert entry.changes["export"] == [None, "polisen.api"] and "token" in entry.actor_label
    workbook = api("security").get(f"/api/v1/situation/{city.north.pk}/police.xlsx")
    assert workbook.status_code == 200
    assert workbook["Content-Type"].startswith("application/vnd.openxmlformats")
    content = b"".join(workbook.streaming_content) if workbook.streaming else workbook.content
    assert content[:2] == b"PK"
    entry = AuditEntry.objects.filter(action="situation.export").latest("id")
    assert entry.changes["export"] == [None, "polisen.xlsx"]
    assert api("security").get(f"/api/v1/situation/{city.south.pk}/police.xlsx").status_code == 404


def test_handling_needs_the_right_to_handle(city, api):
    """The safety representative may read the case (200) but not act (403);
    nothing changes."""
    safety = api("safety")
    assert safety.get(f"/api/v1/incidents/{city.named.pk}/").status_code == 200
    for method, suffix, body in (("post", "status/", {"to": "acknowledged", "version": 1}),
                                 ("get", "checklist/", None), ("get", "actions/", None)):
        response = getattr(safety, method)(f"/api/v1/incidents/{city.named.pk}/{suffix}",
                                           **({"body": body} if body else {}))
        assert response.status_code == 403, suffix
    city.named.refresh_from_db()
    assert city.named.status == Incident.Status.NEW
    assert workflow.load_for_handling(city.manager, city.named.pk).version == 1
