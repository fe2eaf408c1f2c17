"""One police-report fact (issue 11, item 2): the K-number entered on the
checklist is the case's police report, shown on the case page, in the
employee's Mina rapporter and counted by the situation picture; written any
common way, it is stored one way."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.log import text_digest
from audit.models import AuditEntry
from casework import workflow
from incidents.models import ChecklistItem, Incident
from incidents.police import normalise_k_number
from situation import stats
from situation.forms import load_terms
from situation.lens import Lens

pytestmark = pytest.mark.django_db
Code, State = ChecklistItem.Code, ChecklistItem.State


def fresh(inc):
    return Incident.unscoped.get(pk=inc.pk)


def police_done(user, inc, reference, **kwargs):
    return workflow.update_checklist_item(user, inc.pk, Code.POLICE, state=State.DONE, reference=reference,
                                          done_on=timezone.localdate(), **kwargs)


@pytest.mark.parametrize("typed, stored", [
    ("K123456-26", "K123456-26"),
    ("K-123456-26", "K123456-26"),
    ("k123456-26", "K123456-26"),
    ("K 123456-26", "K123456-26"),
    ("  k 123 456 - 26 ", "K123456-26"),
    ("K123456\u201326", "K123456-26"),       # an en dash from a phone keyboard
    ("5000-K1234567-25", "5000-K1234567-25"),  # the police region's code in front is kept
    ("", ""),
])
def test_k_numbers_written_the_common_ways_are_stored_one_way(typed, stored):
    assert normalise_k_number(typed) == stored


@pytest.mark.parametrize("typed", ["123456-26", "K123456", "K12-3456", "X123456-26", "K123456-2026", "K"])
def test_what_is_not_a_k_number_is_refused(typed):
    assert normalise_k_number(typed) is None


def test_the_k_number_on_the_police_item_is_the_cases_police_report(city):
    item = police_done(city.manager, city.named, "k-123456 - 26")
    inc = fresh(city.named)
    assert item.reference == "K123456-26"
    assert (inc.police_status, inc.police_reference) == (Incident.PoliceStatus.REPORTED, "K123456-26")
    entry = AuditEntry.objects.get(action="incident.police", incident=inc)
    assert entry.actor == city.manager
    # The K-number identifies a police case, so the log keeps its keyed hash; the status stays readable.
    assert entry.changes == {"police_reference": ["", {"hmac": text_digest("K123456-26"), "len": 10}],
                             "police_status": ["undecided", "reported"]}


def test_a_wrong_k_number_changes_neither_item_nor_case_and_says_how_to_write_it(city):
    with pytest.raises(workflow.ChecklistInvalid) as err:
        police_done(city.manager, city.named, "123456")
    assert "K123456-26" in err.value.errors["reference"]
    assert fresh(city.named).police_reference == ""
    assert not city.named.checklist.filter(code=Code.POLICE, state=State.DONE).exists()


def test_correcting_and_withdrawing_the_k_number_keeps_the_case_in_step(city):
    police_done(city.manager, city.named, "K123456-26")
    police_done(city.manager, city.named, "K654321-26")
    assert fresh(city.named).police_reference == "K654321-26"
    workflow.update_checklist_item(city.manager, city.named.pk, Code.POLICE, state=State.OPEN)
    inc = fresh(city.named)
    assert (inc.police_status, inc.police_reference) == (Incident.PoliceStatus.UNDECIDED, "")
    assert city.named.checklist.get(code=Code.POLICE).reference == ""


def test_a_decision_without_k_number_leaves_the_reporters_police_status(city):
    Incident.unscoped.filter(pk=city.named.pk).update(police_status=Incident.PoliceStatus.EMPLOYER)
    workflow.update_checklist_item(city.manager, city.named.pk, Code.POLICE, state=State.DONE,
                                   note="Medarbetaren vill inte, vi har pratat om stadens linje.")
    assert fresh(city.named).police_status == Incident.PoliceStatus.EMPLOYER
    assert not AuditEntry.objects.filter(action="incident.police").exists()


def test_changing_the_cases_k_number_elsewhere_keeps_the_checklist_item_in_step(city):
    workflow.set_police_reference(city.manager, city.named.pk, "K 777777-26")
    item = city.named.checklist.get(code=Code.POLICE)
    assert (item.state, item.reference, item.done_on) == (State.DONE, "K777777-26", timezone.localdate())
    assert fresh(city.named).police_reference == "K777777-26"
    workflow.set_police_reference(city.manager, city.named.pk, "")
    item.refresh_from_db()
    assert (item.state, item.reference) == (State.OPEN, "")
    assert fresh(city.named).police_reference == ""


def test_the_k_number_reaches_the_case_page_and_the_employees_own_page(city, client):
    police_done(city.manager, city.named, "K123456-26")
    client.force_login(city.manager)
    html = client.get(reverse("casework:detail", args=[city.named.pk])).content.decode()
    assert "Redan polisanmäld (K123456-26)" in html
    client.force_login(city.employee)
    html = client.get(reverse("reporting:mine_detail", args=[city.named.pk])).content.decode()
    assert "K123456-26" in html


def test_the_situation_picture_counts_the_threat_as_police_reported(city):
    today = timezone.localdate()
    lens = Lens(node=city.north, start=today - timedelta(days=30), end=today, period="intervall")

    def reported():
        return stats.build(city.security, lens, load_terms()).police_reported.value

    before = reported()
    police_done(city.security, city.named, "K123456-26")
    assert reported() == before + 1

