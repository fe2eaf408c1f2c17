"""The checklist on the case page (issue 11, item 6): the date is today's
unless the item has one, errors stand at the field with what was typed,
only items with another authority's number have a reference field, and the
safety representative's e-mail about a new report is recorded by itself."""
import re
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.log import SYSTEM
from audit.models import AuditEntry
from casework import workflow
from incidents.models import ChecklistItem, Incident, InfluenceForm, Source
from organisation.models import RoleAssignment
from reporting import services

pytestmark = pytest.mark.django_db
Code, State = ChecklistItem.Code, ChecklistItem.State


def case_page(client, inc):
    return client.get(reverse("casework:detail", args=[inc.pk])).content.decode()


def field_block(html, input_id):
    """The field's box up to its input: label, then any error."""
    return html.split(f'id="{input_id}"')[0].rsplit('<div class="field', 1)[1]


def post_item(client, inc, code, **fields):
    return client.post(reverse("casework:checklist", args=[inc.pk, code]),
                       {f"{code}-{name}": value for name, value in fields.items()})


def test_the_date_of_an_item_is_today_unless_it_has_one(login, city):
    html = case_page(login(city.manager), city.named)
    today = timezone.localdate().isoformat()
    assert re.search(rf'name="support_talk-done_on" value="{today}"', html)
    earlier = timezone.localdate() - timedelta(days=3)
    workflow.update_checklist_item(city.manager, city.named.pk, Code.SUPPORT_TALK, state=State.DONE,
                                   done_on=earlier)
    html = case_page(login(city.manager), city.named)
    assert re.search(rf'name="support_talk-done_on" value="{earlier.isoformat()}"', html)


def test_clicking_done_and_saving_with_the_prefilled_date_goes_through(login, city):
    response = post_item(login(city.manager), city.named, "support_talk", state="done",
                         done_on=timezone.localdate().isoformat(), note="Samtal i besöksrummet")
    assert response.status_code == 302 and response["Location"].endswith("#punkt-support_talk")
    item = city.named.checklist.get(code=Code.SUPPORT_TALK)
    assert (item.state, item.done_on) == (State.DONE, timezone.localdate())


def test_a_missing_date_is_told_at_the_date_field_and_the_text_is_kept(login, city):
    response = post_item(login(city.manager), city.named, "support_talk", state="done", done_on="",
                         note="Samtal hållet med Kim")
    html = response.content.decode()
    assert response.status_code == 400
    block = field_block(html, "id_support_talk-done_on")
    assert '<p class="field-error" id="id_support_talk-done_on_error">Ange datum.</p>' in block
    assert 'aria-describedby="id_support_talk-done_on_error"' in html
    assert "Samtal hållet med Kim" in html
    # Not at the top of the page, far from the field: in the item, which opens.
    top = html.split('id="next-heading"')[0]
    assert "Ange datum." not in top
    item = html.split('id="punkt-support_talk"')[1].split("</details>")[0]
    assert "<details open>" in item and "Punkten är inte sparad" in item
    # The form posts to the item's anchor, so the answer opens at the item.
    assert 'action="{}#punkt-support_talk"'.format(
        reverse("casework:checklist", args=[city.named.pk, "support_talk"])) in html


def test_a_wrong_k_number_is_told_at_the_k_number_and_kept(login, city):
    response = post_item(login(city.manager), city.named, "police", state="done",
                         done_on=timezone.localdate().isoformat(), reference="K12345626")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Det ser inte ut som ett K-nummer" in field_block(html, "id_police-reference")
    assert 'value="K12345626"' in html


def test_a_conflict_on_an_item_is_told_in_the_item(login, city):
    client = login(city.manager)
    workflow.update_checklist_item(city.security, city.named.pk, Code.RISK_ASSESSMENT, state=State.DONE,
                                   done_on=timezone.localdate())
    response = post_item(client, city.named, "risk_assessment", seen="2000-01-01T00:00:00+00:00",
                         state="not_applicable", note="Ingen risk kvar")
    html = response.content.decode()
    assert response.status_code == 409
    item = html.split('id="punkt-risk_assessment"')[1].split("</details>")[0]
    assert "Någon annan har ändrat den här punkten" in item and "Ingen risk kvar" in item


@pytest.mark.parametrize("code, label", [
    ("police", "K-nummer"),
    ("work_env_authority", "Arbetsmiljöverkets diarienummer"),
    ("work_injury", "Försäkringskassans ärendenummer"),
])
def test_items_with_another_authoritys_number_have_a_reference_field_named_for_it(login, city, code, label):
    html = case_page(login(city.manager), city.named)
    assert f'<label for="id_{code}-reference">{label}</label>' in html


@pytest.mark.parametrize("code", ["support_talk", "health_support", "risk_assessment", "safety_rep"])
def test_items_without_a_number_have_no_reference_field(login, city, code):
    html = case_page(login(city.manager), city.named)
    assert f'id_{code}-reference' not in html
    # A reference posted anyway (an old page) is not stored.
    post_item(login(city.manager), city.named, code, state="done", done_on=timezone.localdate().isoformat(),
              reference="ABC-1")
    assert city.named.checklist.get(code=code).reference == ""
    workflow.update_checklist_item(city.manager, city.named.pk, code, state=State.DONE,
                                   done_on=timezone.localdate(), reference="ABC-2")
    assert city.named.checklist.get(code=code).reference == ""


# --- the safety representative, informed by Värn ----------------------------------

def file_report(city, capture, **overrides):
    data = {"unit": city.north_a, "occurred_at": timezone.now() - timedelta(hours=1),
            "description": "Brukaren sa att hen vet var jag bor.",
            "forms": InfluenceForm.objects.filter(code="hot"),
            "identity_mode": Incident.IdentityMode.NAMED, "source": Source.objects.get(code="brukare"),
            **overrides}
    with capture(execute=True):
        return services.create_report(reporter=city.employee, data=data, token=uuid.uuid4()).incident


def test_the_e_mail_to_the_safety_representative_marks_the_item_done_by_the_system(
        city, login, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    inc = file_report(city, django_capture_on_commit_callbacks)
    assert city.safety.email in [a for m in mail.outbox for a in m.to]
    item = inc.checklist.get(code=Code.SAFETY_REP)
    assert (item.state, item.done_on, item.updated_by) == (State.DONE, timezone.localdate(), None)
    assert "automatiskt" in item.note
    entry = AuditEntry.objects.get(action="checklist.safety_rep", incident=inc)
    assert entry.actor is None and entry.actor_label == SYSTEM
    assert entry.changes["state"] == ["open", "done"]
    # The timeline says who: the system, not a handler.
    assert "Uppföljning: skyddsombud</strong>\n      – system" in case_page(login(city.manager), inc)


def test_without_a_safety_representative_the_item_stays_open(city, django_capture_on_commit_callbacks):
    RoleAssignment.objects.filter(user=city.safety).delete()
    inc = file_report(city, django_capture_on_commit_callbacks)
    assert inc.checklist.get(code=Code.SAFETY_REP).state == State.OPEN
    assert not AuditEntry.objects.filter(action="checklist.safety_rep").exists()


def test_a_bypassed_report_informs_no_safety_representative_and_the_item_stays_open(
        city, django_capture_on_commit_callbacks):
    inc = file_report(city, django_capture_on_commit_callbacks, source=Source.objects.get(code="intern"))
    assert inc.checklist.get(code=Code.SAFETY_REP).state == State.OPEN


def test_when_the_mail_does_not_go_out_the_item_stays_open(city, django_capture_on_commit_callbacks, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    inc = file_report(city, django_capture_on_commit_callbacks)
    assert inc.checklist.get(code=Code.SAFETY_REP).state == State.OPEN
