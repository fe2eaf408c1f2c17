"""The action plan's pages: what each role sees, 404 outside scope and 403
for read-only users, bad input answered with a Swedish message and nothing
typed lost, and the second editor told."""
import pytest
from django.urls import reverse

from governance import plan
from governance.models import Measure, PlanVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(city):
    return plan.start_draft(city.hr, city.north)


def approve(city, draft):
    return plan.approve(city.hr, draft.pk, revision=draft.revision, decision="Godkänd av HR-chefen.")


def measure_data(version, **overrides):
    return {"revision": version.revision, "section": "after", "text": "Följ upp med medarbetaren efter två veckor.",
            "owner_role": "manager", "article": "", "checklist_code": "", "position": "3", **overrides}


def test_staff_see_the_approved_plan_and_not_the_draft(login, city, draft):
    client = login(city.employee)
    assert client.get(reverse("governance:version", args=[draft.pk])).status_code == 404
    approve(city, draft)
    page = client.get(reverse("governance:plan", args=[city.north.pk])).content.decode()
    assert "Handlingsplan mot otillåten påverkan" in page and "Före en händelse" in page
    assert "godkänd" in page and str(city.hr) in page
    assert "Börja en ny version" not in page
    index = client.get(reverse("governance:index")).content.decode()
    assert "Läs planen som gäller för dig: Norra stadsdelsförvaltningen" in index


def test_a_plan_outside_ones_district_is_404(login, city, draft):
    version = approve(city, draft)
    client = login(city.manager_south)
    for url in (reverse("governance:plan", args=[city.north.pk]), reverse("governance:version", args=[version.pk]),
                reverse("governance:compare", args=[version.pk])):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Godkänd av HR-chefen" not in response.content.decode()


def test_the_committee_reads_the_draft_but_may_not_change_it(login, city, draft):
    client = login(city.committee)
    assert client.get(reverse("governance:version", args=[draft.pk])).status_code == 200
    assert client.get(reverse("governance:draft", args=[draft.pk])).status_code == 403
    measure = draft.measures.first()
    for url, data in ((reverse("governance:measure_create", args=[draft.pk]), measure_data(draft)),
                      (reverse("governance:measure_edit", args=[measure.pk]), measure_data(draft)),
                      (reverse("governance:measure_delete", args=[measure.pk]), {"revision": draft.revision}),
                      (reverse("governance:approve", args=[draft.pk]), {"revision": draft.revision, "decision": "x"}),
                      (reverse("governance:discard", args=[draft.pk]), {"revision": draft.revision})):
        assert client.post(url, data).status_code == 403, url
    draft.refresh_from_db()
    assert draft.is_draft and draft.measures.count() == Measure.objects.filter(version=draft).count()


def test_hr_adds_a_measure_and_bad_input_keeps_what_was_typed(login, city, draft):
    client = login(city.hr)
    url = reverse("governance:measure_create", args=[draft.pk])
    response = client.post(url, measure_data(draft, text="", owner_role="", position="noll"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Skriv vad åtgärden går ut på." in page
    assert "Välj vilken roll som ansvarar för åtgärden." in page
    assert "Platsen ska vara ett heltal" in page
    response = client.post(url, measure_data(draft, section="before", checklist_code="police"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "hör till avsnittet Efter en händelse" in page and "Följ upp med medarbetaren" in page
    response = client.post(url, measure_data(draft))
    assert response.status_code == 302
    assert draft.measures.filter(text__startswith="Följ upp med medarbetaren").exists()


def test_the_second_editor_is_told_and_keeps_the_text(login, city, draft):
    stale = draft.revision
    plan.add_measure(city.hr, draft.pk, revision=stale,
                     values={"section": "before", "position": 1, "text": "Ny APT-rutin.", "owner_role": "hr",
                             "article": None, "checklist_code": "", "operation_areas": []})
    client = login(city.security)
    response = client.post(reverse("governance:measure_create", args=[draft.pk]),
                           {**measure_data(draft, text="Säkerhetssamordnarens förslag."), "revision": stale})
    page = response.content.decode()
    assert response.status_code == 409
    assert "Någon annan har sparat utkastet" in page and "Säkerhetssamordnarens förslag." in page
    draft.refresh_from_db()
    assert f'name="revision" value="{draft.revision}"' in page
    assert not draft.measures.filter(text="Säkerhetssamordnarens förslag.").exists()


def test_approval_without_a_decision_is_refused_with_a_message(login, city, draft):
    client = login(city.hr)
    response = client.post(reverse("governance:approve", args=[draft.pk]), {"revision": draft.revision, "decision": ""})
    assert response.status_code == 400
    assert "Skriv beslutet" in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft
    response = client.post(reverse("governance:approve", args=[draft.pk]),
                           {"revision": draft.revision, "decision": "Godkänd efter årlig översyn."})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == PlanVersion.Status.APPROVED and draft.approved_by == city.hr


def test_the_security_coordinator_edits_but_does_not_approve(login, city, draft):
    client = login(city.security)
    page = client.get(reverse("governance:draft", args=[draft.pk])).content.decode()
    assert "HR godkänner handlingsplanen" in page and "Godkänn version" not in page
    assert client.post(reverse("governance:approve", args=[draft.pk]),
                       {"revision": draft.revision, "decision": "Ok"}).status_code == 403


def test_the_history_and_the_diff_are_readable(login, city, draft):
    v1 = approve(city, draft)
    v2 = plan.start_draft(city.hr, city.north)
    measure = v2.measures.get(checklist_code="safety_rep")
    plan.delete_measure(city.hr, measure.pk, revision=v2.revision)
    v2.refresh_from_db()
    approve(city, v2)
    client = login(city.manager)
    page = client.get(reverse("governance:plan", args=[city.north.pk])).content.decode()
    assert "Version 1" in page and "Version 2" in page and "Vad ändrades i version 2" in page
    diff = client.get(reverse("governance:compare", args=[v2.pk])).content.decode()
    assert "Ändringar från version 1 till 2" in diff and "Informera skyddsombudet." in diff and "<del" in diff
    old = client.get(reverse("governance:version", args=[v1.pk])).content.decode()
    assert "Det här är inte planen som gäller" in old


def test_get_requests_write_nothing(login, city, draft):
    from audit.models import AuditEntry
    before = AuditEntry.objects.count()
    client = login(city.hr)
    for url in (reverse("governance:index"), reverse("governance:plan", args=[city.north.pk]),
                reverse("governance:draft", args=[draft.pk]), reverse("governance:measure_create", args=[draft.pk])):
        assert client.get(url).status_code == 200
    assert AuditEntry.objects.count() == before
    # Starting a draft is a POST: a GET is refused.
    assert client.get(reverse("governance:start_draft", args=[city.north.pk])).status_code == 405
