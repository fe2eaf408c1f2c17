"""The risk and materiality analysis: the register with Värn's standard
risks, scoring with a reason, evidence from the situation picture (always
suppressed: a committee document), decisions, actions, the matrix, and the
PDF and XLSX."""
import io
import subprocess
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEntry
from governance import risks
from governance.models import Risk, RiskAction
from tests.factories import incident

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def register(city):
    return risks.create_register(city.hr, city.north, YEAR)


def scored(**overrides):
    return {"title": "Hot och våld vid hembesök", "description": "", "likelihood": 3, "consequence": 4,
            "reason": "Flera hot vid hembesök det senaste året.", "controls": "Hembesök två och två.",
            "decision": "", "decision_note": "", "control_what": "", "control_how": "", "control_who": "",
            "control_when": "", **overrides}


def test_a_new_register_proposes_the_standard_risks_unscored(city, register):
    titles = list(register.risks.values_list("title", flat=True))
    assert len(titles) == len(risks.STANDARD)
    assert "Korruptionsförsök från utförare och leverantörer" in titles
    assert "Påverkan genom förtroendevalda" in titles
    assert all(r.score is None for r in register.risks.all())
    assert risks.create_register(city.security, city.north, YEAR).pk == register.pk
    assert AuditEntry.objects.filter(action="risk.register", object_id=str(register.pk)).exists()


def test_only_editors_at_the_node_create_a_register(city):
    for user in (city.committee, city.manager, city.security_south):
        with pytest.raises(PermissionDenied):
            risks.create_register(user, city.north, YEAR)
    with pytest.raises(risks.RiskError, match="Året måste vara"):
        risks.create_register(city.hr, city.north, YEAR + 7)


def test_scores_outside_the_scale_or_without_a_reason_are_refused(city, register):
    risk = register.risks.first()
    for values, field in ((scored(likelihood=5), "likelihood"), (scored(consequence=0), "consequence"),
                          (scored(reason=""), "reason"), (scored(consequence=None), "consequence"),
                          (scored(likelihood=None, consequence=None, decision="accept"), "decision"),
                          (scored(decision="control"), "control_what"),
                          (scored(decision="accept"), "decision_note")):
        with pytest.raises(risks.RiskError) as caught:
            risks.assess(city.hr, risk.pk, revision=risk.revision, values=values)
        assert field in caught.value.errors, values
    risk.refresh_from_db()
    assert risk.score is None


def test_an_assessment_is_saved_audited_and_locked(city, register):
    risk = register.risks.first()
    seen = risk.revision
    changes = risks.assess(city.hr, risk.pk, revision=seen, values=scored(decision="act"))
    assert changes["likelihood"] == [None, 3]
    risk.refresh_from_db()
    assert (risk.score, risk.level) == (12, "very_high")
    entry = AuditEntry.objects.get(action="risk.assess", object_id=str(risk.pk))
    assert entry.changes["consequence"] == [None, 4] and "Flera hot" not in str(entry.changes)
    with pytest.raises(risks.RiskConflict):
        risks.assess(city.security, risk.pk, revision=seen, values=scored(likelihood=1))
    risk.refresh_from_db()
    assert risk.likelihood == 3


def test_actions_need_owner_deadline_and_the_act_decision(city, register):
    risk = register.risks.first()
    today = timezone.localdate()
    with pytest.raises(risks.RiskError) as caught:
        risks.add_action(city.hr, risk.pk, title="Larm till alla", owner=city.security, due_date=today)
    assert "title" in caught.value.errors  # the decision is not "act"
    risks.assess(city.hr, risk.pk, revision=risk.revision, values=scored(decision="act"))
    with pytest.raises(risks.RiskError) as caught:
        risks.add_action(city.hr, risk.pk, title="", owner=None, due_date=None)
    assert set(caught.value.errors) == {"title", "owner", "due_date"}
    with pytest.raises(risks.RiskError) as caught:
        risks.add_action(city.hr, risk.pk, title="Larm", owner=city.security_south, due_date=today)
    assert "owner" in caught.value.errors  # not of this district
    action = risks.add_action(city.hr, risk.pk, title="Personlarm till alla som gör hembesök",
                              owner=city.manager, due_date=today + timedelta(days=30))
    assert not action.is_overdue()
    # The owner follows it up; a stranger cannot.
    with pytest.raises(Http404):
        risks.set_action_status(city.manager_south, action.pk, "done")
    risks.set_action_status(city.manager, action.pk, "done")
    action.refresh_from_db()
    assert action.status == RiskAction.Status.DONE and action.done_on == today
    assert AuditEntry.objects.filter(action="risk.action.status", object_id=str(action.pk)).exists()


def test_the_evidence_is_suppressed_for_the_committee_even_when_hr_attaches_it(city, register):
    risk = register.risks.get(standard_key="korruption_utforare")
    for _ in range(2):  # two bribe attempts by contractors in north: a small count
        incident(city.north_a, forms=("korruption",), source="utforare", days_ago=10,
                 description="Utföraren erbjöd presentkort")
    risks.attach_evidence(city.hr, risk.pk)
    risk.refresh_from_db()
    texts = {row["label"]: row["text"] for row in risk.evidence}
    assert texts["Rapporter"] == "<5"
    assert "Urval" in texts and "Näringsidkare" in texts["Urval"]
    assert risk.evidence_period
    assert AuditEntry.objects.filter(action="risk.evidence", object_id=str(risk.pk)).exists()


def test_the_matrix_places_each_risk_by_number(city, register):
    rows = risks.register_rows(register)
    risks.assess(city.hr, rows[1].pk, revision=rows[1].revision, values=scored(likelihood=2, consequence=3))
    matrix = risks.matrix(risks.register_rows(register))
    cell = next(c for row in matrix for c in row if (c["likelihood"], c["consequence"]) == (2, 3))
    assert cell["risks"] == [2] and cell["level"] == "medium"
    assert [row[0]["consequence"] for row in matrix] == [4, 3, 2, 1]


def test_who_reads_the_register(login, city, register):
    url = reverse("risks:register", args=[register.pk])
    for user in (city.hr, city.security, city.committee, city.head_north, city.analyst):
        assert login(user).get(url).status_code == 200, user.username
    for user in (city.employee, city.manager, city.safety, city.security_south, city.nobody):
        assert login(user).get(url).status_code == 404, user.username
    risk = register.risks.first()
    client = login(city.committee)
    assert client.get(reverse("risks:risk", args=[risk.pk])).status_code == 200
    assert client.post(reverse("risks:risk", args=[risk.pk]), {"revision": risk.revision, **{
        k: v for k, v in scored().items() if v is not None}}).status_code == 403
    assert client.post(reverse("risks:evidence", args=[risk.pk])).status_code == 403


def test_the_risk_page_keeps_what_was_typed_on_bad_input(login, city, register):
    risk = register.risks.first()
    client = login(city.hr)
    response = client.post(reverse("risks:risk", args=[risk.pk]), {
        "revision": risk.revision, "title": risk.title, "likelihood": "7", "consequence": "2",
        "reason": "Mitt resonemang om risken", "decision": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Välj ett värde på skalan 1–4." in page and "Mitt resonemang om risken" in page
    response = client.post(reverse("risks:risk", args=[risk.pk]), {
        "revision": risk.revision, "title": risk.title, "likelihood": "3", "consequence": "2",
        "reason": "", "decision": ""})
    assert response.status_code == 400 and "Motivera bedömningen" in response.content.decode()
    response = client.post(reverse("risks:risk", args=[risk.pk]), {
        "revision": risk.revision, "title": risk.title, "likelihood": "3", "consequence": "2",
        "reason": "Ofta", "decision": "act"})
    assert response.status_code == 302
    response = client.post(reverse("risks:action_add", args=[risk.pk]), {"atgard-title": "Larm", "atgard-owner": "",
                                                                             "atgard-due_date": "31/12"})
    page = response.content.decode()
    assert response.status_code == 400 and "Välj vem som ansvarar" in page and "Ange datumet som" in page


def test_the_pdf_and_the_xlsx_carry_the_register(login, city, register):
    risk = register.risks.first()
    risks.assess(city.hr, risk.pk, revision=risk.revision,
                 values=scored(decision="control", control_what="Att hembesök görs två och två",
                               control_how="Stickprov i verksamhetssystemet", control_who="Enhetschef",
                               control_when="Varje tertial"))
    client = login(city.committee)
    pdf = client.get(reverse("risks:register_pdf", args=[register.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "Riskregister" in text and "Hot och våld vid hembesök" in text and "Stickprov" in text
    xlsx = client.get(reverse("risks:register_xlsx", args=[register.pk]))
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    sheet = book.worksheets[0]
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "Hot och våld vid hembesök" in values and 12 in values and "Varje tertial" in values


def pdf_text(data: bytes) -> str:
    result = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())


def test_risk_is_ordered_and_levels_have_labels():
    assert Risk(likelihood=1, consequence=3).level == "low"
    assert Risk(likelihood=2, consequence=2).level == "medium"
    assert Risk(likelihood=3, consequence=3).level == "high"
    assert set(risks.LEVEL_LABELS) == {"low", "medium", "high", "very_high"}


def test_a_units_manager_finds_the_pages_empty_not_missing(login, city, register):
    client = login(city.manager)
    for name in ("risks:index", "tertial:index"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert "Norra stadsdelsförvaltningen" not in response.content.decode()
