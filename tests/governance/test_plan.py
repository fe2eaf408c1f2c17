"""The action plan's rules: a draft from the city's template, measures,
the optimistic lock, approval, who may do what, the audit trail, the diff,
and the after-event checklist of new cases coming from the approved plan."""
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEntry
from governance import permissions, plan, template
from governance.models import Measure, PlanVersion
from incidents.checklist import checklist
from incidents.models import ChecklistItem, Incident, InfluenceForm, Source
from organisation.models import OperationArea
from reporting import services as reporting
from tests.factories import incident

pytestmark = pytest.mark.django_db
Code = ChecklistItem.Code


def values(**overrides):
    return {"section": "after", "position": 9, "text": "Boka uppföljningssamtal efter två veckor.",
            "owner_role": "manager", "article": None, "checklist_code": "", "operation_areas": [],
            **overrides}


def approved(city, node=None, user=None, at=None):
    """A draft from the template, approved (optionally back-dated)."""
    draft = plan.start_draft(user or city.hr, node or city.north)
    version = plan.approve(user or city.hr, draft.pk, revision=draft.revision, decision="Godkänd av HR-chefen.")
    if at is not None:
        PlanVersion.objects.filter(pk=version.pk).update(approved_at=at)
        version.refresh_from_db()
    return version


def file_report(city, unit=None):
    data = {"unit": unit or city.north_a, "occurred_at": timezone.now() - timedelta(hours=1),
            "description": "Brukaren sa att hen vet var jag bor.",
            "forms": InfluenceForm.objects.filter(code="hot"),
            "identity_mode": Incident.IdentityMode.NAMED, "source": Source.objects.get(code="brukare")}
    return reporting.create_report(reporter=city.employee, data=data, token=uuid.uuid4()).incident


def test_a_first_draft_starts_from_the_citys_template(city):
    draft = plan.start_draft(city.hr, city.north)
    assert (draft.number, draft.status, draft.title) == (1, "draft", template.TITLE)
    rows = list(draft.measures.order_by("section", "position").values_list("section", "text"))
    assert len(rows) == len(template.MEASURES)
    assert {section for section, _ in rows} == {"before", "during", "after"}
    codes = set(draft.measures.exclude(checklist_code="").values_list("checklist_code", flat=True))
    assert codes == set(Code.values)
    assert AuditEntry.objects.filter(action="plan.draft", object_id=str(draft.pk), actor=city.hr).exists()
    # Asking again gives the same draft: one draft per plan.
    assert plan.start_draft(city.security, city.north).pk == draft.pk


def test_the_citys_plan_is_written_at_the_city_and_plans_belong_to_districts(city):
    with pytest.raises(PermissionDenied):
        plan.start_draft(city.hr, city.city)  # north's HR
    with pytest.raises(plan.PlanError, match="förvaltningarna"):
        plan.start_draft(city.hr, city.north_a)  # a unit has no plan of its own


def test_a_new_version_copies_the_plan_in_force_and_the_diff_shows_the_change(city):
    v1 = approved(city)
    draft = plan.start_draft(city.hr, city.north)
    assert draft.number == 2 and draft.measures.count() == v1.measures.count()
    plan.add_measure(city.security, draft.pk, revision=draft.revision,
                     values=values(text="Ring den utsatta medarbetaren dagen efter."))
    draft.refresh_from_db()
    removed = draft.measures.get(checklist_code=Code.HEALTH_SUPPORT)
    plan.delete_measure(city.hr, removed.pk, revision=draft.revision)
    draft.refresh_from_db()
    v2 = plan.approve(city.hr, draft.pk, revision=draft.revision, decision="Reviderad efter årlig översyn.")
    changes = dict(plan.compare(v1, v2))
    after = changes["Efter en händelse"]
    assert any(line.kind == "added" and "Ring den utsatta" in line.text for line in after)
    assert any(line.kind == "removed" and "krisstöd" in line.text for line in after)
    assert "Före en händelse" not in changes
    assert plan.current_version(city.north).pk == v2.pk
    assert plan.previous_approved(v2).pk == v1.pk


def test_approval_records_date_approver_and_decision_and_is_audited(city):
    draft = plan.start_draft(city.hr, city.north)
    with pytest.raises(plan.PlanError, match="Skriv beslutet"):
        plan.approve(city.hr, draft.pk, revision=draft.revision, decision="   ")
    version = plan.approve(city.hr, draft.pk, revision=draft.revision, decision="Godkänd.")
    assert version.approved_by == city.hr and version.approved_at and version.decision == "Godkänd."
    entry = AuditEntry.objects.get(action="plan.approve", object_id=str(version.pk))
    assert entry.changes["status"] == ["draft", "approved"]
    assert entry.changes["approved_by"] == [None, str(city.hr.pk)]
    # The decision is a free text: the log keeps a keyed hash, not the words.
    assert "Godkänd." not in str(entry.changes)


def test_only_hr_approves_and_an_empty_plan_is_not_approved(city):
    draft = plan.start_draft(city.security, city.north)
    with pytest.raises(PermissionDenied):
        plan.approve(city.security, draft.pk, revision=draft.revision, decision="Ok")
    for measure in draft.measures.all():
        draft.refresh_from_db()
        plan.delete_measure(city.security, measure.pk, revision=draft.revision)
    draft.refresh_from_db()
    with pytest.raises(plan.PlanError, match="inga åtgärder"):
        plan.approve(city.hr, draft.pk, revision=draft.revision, decision="Ok")


def test_two_people_editing_the_same_draft_the_second_is_told(city):
    draft = plan.start_draft(city.hr, city.north)
    seen = draft.revision
    plan.add_measure(city.hr, draft.pk, revision=seen, values=values())
    with pytest.raises(plan.PlanConflict, match="Någon annan har sparat utkastet"):
        plan.add_measure(city.security, draft.pk, revision=seen, values=values(text="Annan text"))
    with pytest.raises(plan.PlanConflict):
        plan.approve(city.hr, draft.pk, revision=seen, decision="Ok")
    assert not draft.measures.filter(text="Annan text").exists()


def test_a_checklist_step_belongs_after_an_event_and_appears_once(city):
    draft = plan.start_draft(city.hr, city.north)
    with pytest.raises(plan.PlanError, match="Efter en händelse"):
        plan.add_measure(city.hr, draft.pk, revision=draft.revision,
                         values=values(section="before", checklist_code=Code.SAFETY_REP))
    with pytest.raises(plan.PlanError, match="finns redan"):
        plan.add_measure(city.hr, draft.pk, revision=draft.revision, values=values(checklist_code=Code.SAFETY_REP))


def test_measure_changes_are_audited_with_old_and_new_and_texts_hashed(city):
    draft = plan.start_draft(city.hr, city.north)
    measure = draft.measures.get(checklist_code=Code.SUPPORT_TALK)
    changes = plan.update_measure(city.hr, measure.pk, revision=draft.revision,
                                  values=values(text="Stödsamtal samma dag.", checklist_code=Code.SUPPORT_TALK,
                                                position=1, owner_role="hr"))
    assert changes["owner_role"] == ["manager", "hr"]
    entry = AuditEntry.objects.get(action="plan.measure.change", object_id=str(measure.pk))
    assert entry.changes["owner_role"] == ["manager", "hr"]
    assert "Stödsamtal samma dag." not in str(entry.changes) and "hmac" in str(entry.changes["text"])


def test_who_may_read_and_edit(city):
    draft = plan.start_draft(city.hr, city.north)
    # Drafts: editors and the district's management; not staff, not the south.
    for user in (city.hr, city.security, city.committee, city.head_north):
        assert permissions.get_readable_version(user, draft.pk) == draft
    for user in (city.employee, city.manager, city.safety, city.analyst, city.security_south, city.nobody):
        with pytest.raises(Http404):
            permissions.get_readable_version(user, draft.pk)
    with pytest.raises(PermissionDenied):
        permissions.get_editable_draft(city.committee, draft.pk)
    with pytest.raises(Http404):
        plan.add_measure(city.security_south, draft.pk, revision=draft.revision, values=values())
    version = plan.approve(city.hr, draft.pk, revision=draft.revision, decision="Ok")
    # The approved plan: everyone whose work it governs, and those who cover the node.
    for user in (city.employee, city.manager, city.safety, city.analyst, city.committee, city.auditor):
        assert permissions.get_readable_version(user, version.pk) == version
    for user in (city.employee_south, city.manager_south, city.security_south, city.nobody):
        with pytest.raises(Http404):
            permissions.get_readable_version(user, version.pk)
    with pytest.raises(PermissionDenied):
        permissions.get_editable_draft(city.hr, version.pk)  # approved is final


# --- the case checklist from the approved plan ----------------------------------

def test_without_a_plan_cases_get_the_standard_checklist(city):
    assert [item.code for item in checklist(city.named)] == list(Code.values)


def test_a_plan_change_alters_the_checklist_of_new_cases_and_not_of_old_ones(city):
    old_case = file_report(city)  # before any plan: the standard steps, saved at filing
    assert list(old_case.checklist.order_by("pk").values_list("code", flat=True)) == list(Code.values)
    v1 = approved(city, at=timezone.now() - timedelta(days=10))
    draft = plan.start_draft(city.hr, city.north)
    # Version 2: no separate health-support step, and the safety representative first.
    plan.delete_measure(city.hr, draft.measures.get(checklist_code=Code.HEALTH_SUPPORT).pk, revision=draft.revision)
    draft.refresh_from_db()
    safety = draft.measures.get(checklist_code=Code.SAFETY_REP)
    plan.update_measure(city.hr, safety.pk, revision=draft.revision,
                        values=values(text=safety.text, position=0, checklist_code=Code.SAFETY_REP))
    draft.refresh_from_db()
    # A case reported under version 1 whose rows were never made (an import).
    v1_case = incident(city.north_a, reporter=city.employee, days_ago=2)
    plan.approve(city.hr, draft.pk, revision=draft.revision, decision="Reviderad.")
    new_case = file_report(city)
    new_codes = [item.code for item in checklist(new_case)]
    assert new_codes[0] == Code.SAFETY_REP and Code.HEALTH_SUPPORT not in new_codes
    assert list(new_case.checklist.order_by("pk").values_list("code", flat=True)) == new_codes
    # Old cases keep what they started with.
    assert [item.code for item in checklist(Incident.unscoped.get(pk=old_case.pk))] == list(Code.values)
    v1_codes = [item.code for item in checklist(Incident.unscoped.get(pk=v1_case.pk))]
    assert Code.HEALTH_SUPPORT in v1_codes and v1_codes[0] != Code.SAFETY_REP
    assert v1.number == 1


def test_the_steps_the_law_requires_stay_whatever_the_plan_says(city):
    draft = plan.start_draft(city.hr, city.north)
    for code in (Code.POLICE, Code.WORK_ENV_AUTHORITY, Code.SUPPORT_TALK):
        plan.delete_measure(city.hr, draft.measures.get(checklist_code=code).pk, revision=draft.revision)
        draft.refresh_from_db()
    plan.approve(city.hr, draft.pk, revision=draft.revision, decision="Ok")
    codes = [item.code for item in checklist(file_report(city))]
    assert Code.SUPPORT_TALK not in codes
    assert {Code.POLICE, Code.WORK_ENV_AUTHORITY, Code.WORK_INJURY} <= set(codes)


def test_a_step_for_some_operation_areas_only_reaches_their_cases(city):
    draft = plan.start_draft(city.hr, city.north)
    risk = draft.measures.get(checklist_code=Code.RISK_ASSESSMENT)
    barn = OperationArea.objects.get(code="barn_unga")
    plan.update_measure(city.hr, risk.pk, revision=draft.revision,
                        values=values(text=risk.text, checklist_code=Code.RISK_ASSESSMENT, operation_areas=[barn]))
    draft.refresh_from_db()
    plan.approve(city.hr, draft.pk, revision=draft.revision, decision="Ok")
    assert Code.RISK_ASSESSMENT in [i.code for i in checklist(file_report(city, city.north_b))]
    assert Code.RISK_ASSESSMENT not in [i.code for i in checklist(file_report(city, city.north_a))]


def test_the_district_plan_wins_over_the_citys_and_the_city_plan_reaches_the_others(city):
    from organisation.models import Role, RoleAssignment, User
    RoleAssignment.objects.create(user=city.hr, role=Role.HR, node=city.city)
    city.hr = User.objects.get(pk=city.hr.pk)  # its roles read afresh
    draft = plan.start_draft(city.hr, city.city)
    plan.delete_measure(city.hr, draft.measures.get(checklist_code=Code.SUPPORT_TALK).pk, revision=draft.revision)
    draft.refresh_from_db()
    plan.approve(city.hr, draft.pk, revision=draft.revision, decision="Stadens plan.")
    south_case = file_report(city, city.south_a)
    assert Code.SUPPORT_TALK not in [i.code for i in checklist(south_case)]
    approved(city, city.north)  # north starts from the city's plan; add the step back
    north = plan.start_draft(city.hr, city.north)
    plan.add_measure(city.hr, north.pk, revision=north.revision,
                     values=values(text="Stödsamtal.", checklist_code=Code.SUPPORT_TALK, position=0))
    north.refresh_from_db()
    plan.approve(city.hr, north.pk, revision=north.revision, decision="Norr.")
    assert [i.code for i in checklist(file_report(city))][0] == Code.SUPPORT_TALK


def test_an_item_the_plan_did_not_give_a_case_cannot_be_posted(city):
    from casework import workflow
    draft = plan.start_draft(city.hr, city.north)
    plan.delete_measure(city.hr, draft.measures.get(checklist_code=Code.SAFETY_REP).pk, revision=draft.revision)
    draft.refresh_from_db()
    plan.approve(city.hr, draft.pk, revision=draft.revision, decision="Ok")
    case = file_report(city)
    with pytest.raises(workflow.WorkflowError, match="Okänd uppföljningspunkt"):
        workflow.update_checklist_item(city.manager, case.pk, Code.SAFETY_REP, state="done",
                                       done_on=timezone.localdate())


def test_measures_keep_their_order_and_sections(city):
    draft = plan.start_draft(city.hr, city.north)
    secs = plan.sections(draft)
    assert [s.code for s in secs] == ["before", "during", "after"]
    assert all(isinstance(m, Measure) for s in secs for m in s.measures)
    positions = [m.position for m in secs[2].measures]
    assert positions == sorted(positions)
