"""What became of each police report: recording the steps on a case with a
K-number, bad input, who may do it, the reminders to ask again, and the
figures per district and year with suppression."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from casework import workflow
from incidents.models import ChecklistItem, Incident
from notifications.models import SentReminder
from notifications.reminders import collect, send_from
from police import outcomes
from police.models import OutcomeStep, PoliceFollowUp, PoliceOutcome
from tests.factories import incident

pytestmark = pytest.mark.django_db
STOCKHOLM = ZoneInfo("Europe/Stockholm")
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _today():
    """Today as each test starts, not as the module was collected: a run
    that passes midnight keeps its dates right."""
    global TODAY
    TODAY = timezone.localdate()


def report_to_police(user, inc, k="K123456-26", on=None):
    workflow.update_checklist_item(user, inc.pk, ChecklistItem.Code.POLICE, state=ChecklistItem.State.DONE,
                                   reference=k, done_on=on or TODAY - timedelta(days=30))
    return Incident.unscoped.get(pk=inc.pk)


def test_the_handler_records_dated_steps_and_the_employees_part(city):
    inc = report_to_police(city.manager, city.named)
    outcomes.record_outcome(city.manager, inc.pk, step=OutcomeStep.INVESTIGATION, on=TODAY - timedelta(days=20))
    outcomes.record_outcome(city.manager, inc.pk, step=OutcomeStep.PROSECUTION, on=TODAY - timedelta(days=5))
    assert [o.step for o in PoliceOutcome.objects.filter(incident=inc)] == ["forundersokning", "atal"]
    entry = AuditEntry.objects.filter(action="police.outcome").order_by("pk").last()
    assert entry.changes == {"step": [None, "atal"], "on": [None, (TODAY - timedelta(days=5)).isoformat()]}
    assert entry.incident_id == inc.pk and entry.actor == city.manager
    assert outcomes.set_followup(city.manager, inc.pk, employee_role="malsagande", court_support="ja")
    assert not outcomes.set_followup(city.manager, inc.pk, employee_role="malsagande", court_support="ja")
    assert PoliceFollowUp.objects.get(incident=inc).court_support == "ja"
    entry = AuditEntry.objects.get(action="police.followup")
    assert entry.changes == {"employee_role": ["", "malsagande"], "court_support": ["", "ja"]}


def test_an_outcome_before_the_police_report_is_refused(city):
    inc = report_to_police(city.manager, city.named, on=TODAY - timedelta(days=10))
    with pytest.raises(outcomes.OutcomeInvalid) as caught:
        outcomes.record_outcome(city.manager, inc.pk, step=OutcomeStep.NO_SUSPECT, on=TODAY - timedelta(days=11))
    assert "före polisanmälan" in caught.value.errors["on"]
    with pytest.raises(outcomes.OutcomeInvalid) as caught:
        outcomes.record_outcome(city.manager, inc.pk, step=OutcomeStep.NO_SUSPECT, on=TODAY + timedelta(days=1))
    assert "inte kommit" in caught.value.errors["on"]
    assert not PoliceOutcome.objects.exists()


def test_an_outcome_on_a_case_without_k_number_is_refused(city):
    with pytest.raises(outcomes.OutcomeInvalid) as caught:
        outcomes.record_outcome(city.manager, city.named.pk, step=OutcomeStep.INVESTIGATION, on=TODAY)
    assert "inget K-nummer" in caught.value.errors["__all__"]
    assert not PoliceOutcome.objects.exists()


def test_the_page_keeps_what_was_typed_and_says_what_is_wrong(login, city):
    inc = report_to_police(city.manager, city.named, on=TODAY - timedelta(days=10))
    client = login(city.manager)
    early = (TODAY - timedelta(days=40)).isoformat()
    response = client.post(reverse("police:case_outcome", args=[inc.pk]), {"step": "dom", "on": early})
    assert response.status_code == 400
    text = response.content.decode()
    assert "före polisanmälan" in text
    # Nothing typed is lost: the date and the chosen step come back.
    assert f'name="on" value="{early}"' in text
    assert 'value="dom" required id="id_step_5" checked' in text
    response = client.post(reverse("police:case_outcome", args=[inc.pk]), {"step": "dom", "on": "31/12"})
    assert response.status_code == 400 and "ÅÅÅÅ-MM-DD" in response.content.decode()
    response = client.post(reverse("police:case_outcome", args=[inc.pk]), {"on": TODAY.isoformat()})
    assert response.status_code == 400 and "Välj vad som hände" in response.content.decode()
    response = client.post(reverse("police:case_outcome", args=[inc.pk]), {"step": "dom", "on": TODAY.isoformat()})
    assert response.status_code == 302
    page = client.get(reverse("police:case", args=[inc.pk])).content.decode()
    assert "Dom" in page and inc.police_reference in page
    assert AuditEntry.objects.filter(action="incident.view", incident=inc).exists()


def test_the_page_without_a_k_number_says_so_and_saves_nothing(login, city):
    client = login(city.manager)
    assert "inget K-nummer" in client.get(reverse("police:case", args=[city.named.pk])).content.decode()
    response = client.post(reverse("police:case_outcome", args=[city.named.pk]),
                           {"step": "dom", "on": TODAY.isoformat()})
    assert response.status_code == 400 and "inget K-nummer" in response.content.decode()
    response = client.post(reverse("police:case_followup", args=[city.named.pk]), {"employee_role": "vittne"})
    assert response.status_code == 400
    assert not PoliceOutcome.objects.exists() and not PoliceFollowUp.objects.exists()


def test_strangers_get_404_and_readers_403(login, city):
    inc = report_to_police(city.manager, city.named)
    outcomes.record_outcome(city.manager, inc.pk, step=OutcomeStep.INVESTIGATION, on=TODAY - timedelta(days=1))
    step = PoliceOutcome.objects.get()
    urls = [reverse("police:case_outcome", args=[inc.pk]), reverse("police:case_followup", args=[inc.pk]),
            reverse("police:case_outcome_remove", args=[inc.pk, step.pk])]
    data = {"step": "dom", "on": TODAY.isoformat(), "employee_role": "vittne"}
    for stranger in (city.manager_south, city.security_south, city.analyst):
        client = login(stranger)
        response = client.get(reverse("police:case", args=[inc.pk]))
        assert response.status_code == 404
        assert inc.police_reference not in response.content.decode()
        for url in urls:
            assert client.post(url, data).status_code == 404
    client = login(city.safety)  # informed: may read, not handle
    assert client.get(reverse("police:case", args=[inc.pk])).status_code == 200
    for url in urls:
        assert client.post(url, data).status_code == 403
    assert list(PoliceOutcome.objects.values_list("step", flat=True)) == ["forundersokning"]
    assert not PoliceFollowUp.objects.exists()


def test_a_step_recorded_by_mistake_is_removed_and_logged(login, city):
    inc = report_to_police(city.manager, city.named)
    outcomes.record_outcome(city.manager, inc.pk, step=OutcomeStep.WITHDRAWN, on=TODAY)
    step = PoliceOutcome.objects.get()
    response = login(city.manager).post(reverse("police:case_outcome_remove", args=[inc.pk, step.pk]))
    assert response.status_code == 302 and not PoliceOutcome.objects.exists()
    assert AuditEntry.objects.get(action="police.outcome.remove").changes == {
        "step": ["aterkallad", None], "on": [TODAY.isoformat(), None]}


def test_the_case_page_links_to_the_police_report(login, city):
    inc = report_to_police(city.manager, city.named)
    text = login(city.manager).get(reverse("casework:detail", args=[inc.pk])).content.decode()
    assert reverse("police:case", args=[inc.pk]) in text
    text = login(city.manager).get(reverse("casework:detail", args=[city.confidential.pk])).content.decode()
    assert reverse("police:case", args=[city.confidential.pk]) not in text


# --- reminders ------------------------------------------------------------------------

def at(day: date, hour=7):
    return datetime(day.year, day.month, day.day, hour, tzinfo=STOCKHOLM)


def test_the_handler_is_reminded_after_the_set_time_with_nothing_recorded(city, settings, smtp_server):
    settings.POLICE_FOLLOWUP_DAYS = 60
    reported = date(2026, 1, 10)
    inc = report_to_police(city.manager, city.named, on=reported)
    Incident.unscoped.filter(pk=inc.pk).update(assigned_to=city.manager)
    assert send_from("police", at(date(2026, 3, 10))) == 0    # 59 days
    assert send_from("police", at(date(2026, 3, 11))) == 1    # 60 days
    assert send_from("police", at(date(2026, 3, 11), 15)) == 0  # never twice
    mails = smtp_server.to(city.manager.email)
    assert len(mails) == 1
    assert mails[0]["subject"] == "Värn: vad blev det av polisanmälan?"
    assert reverse("police:case", args=[inc.pk]) in mails[0]["body"]
    assert "Namngiven rapport" not in mails[0]["body"] and "K123456" not in mails[0]["body"]
    # A step recorded restarts the count from the day it was recorded.
    step = outcomes.record_outcome(city.manager, inc.pk, step=OutcomeStep.INVESTIGATION, on=date(2026, 3, 1))
    PoliceOutcome.objects.filter(pk=step.pk).update(recorded_at=at(date(2026, 3, 12)))
    assert send_from("police", at(date(2026, 5, 10))) == 0
    assert send_from("police", at(date(2026, 5, 11))) == 1
    # A final step ends the reminders.
    done = outcomes.record_outcome(city.manager, inc.pk, step=OutcomeStep.NO_SUSPECT, on=date(2026, 5, 1))
    PoliceOutcome.objects.filter(pk=done.pk).update(recorded_at=at(date(2026, 5, 12)))
    assert send_from("police", at(date(2026, 12, 1))) == 0
    assert SentReminder.objects.filter(key__startswith="police-outcome:").count() == 2


def test_without_an_assigned_handler_everyone_who_may_handle_is_reminded(city, settings):
    settings.POLICE_FOLLOWUP_DAYS = 30
    inc = report_to_police(city.manager, city.named, on=date(2026, 1, 1))
    due = [d for d in collect(at(date(2026, 2, 1)), {"police": "police.reminders"})]
    people = {d.user for d in due}
    assert city.manager in people and city.security in people
    assert city.security_south not in people and city.employee not in people
    assert all(d.path == reverse("police:case", args=[inc.pk]) for d in due)


def test_a_case_without_k_number_is_never_reminded(city, settings):
    settings.POLICE_FOLLOWUP_DAYS = 1
    assert collect(at(date(2030, 1, 1)), {"police": "police.reminders"}) == []


# --- the figures per district and year ---------------------------------------------

def planted(city, unit, n, *, reported, step=None, forms=("hot",)):
    made = []
    for i in range(n):
        inc = incident(unit, forms=forms, days_ago=2 + i)
        if reported:
            Incident.unscoped.filter(pk=inc.pk).update(police_status="reported", police_reference=f"K{1000 + inc.pk}-26")
            if step:
                PoliceOutcome.objects.create(incident=inc, step=step, on=TODAY)
        made.append(inc)
    return made


def row_of(figures, district, year=TODAY.year):
    return next(r for r in figures.rows if r.district == district and r.year == year)


def test_the_figures_per_district_show_the_share_and_how_reports_ended(city):
    planted(city, city.north_a, 6, reported=True, step=OutcomeStep.NO_SUSPECT)
    planted(city, city.north_a, 5, reported=True, step=OutcomeStep.JUDGMENT)
    planted(city, city.north_b, 9, reported=False, forms=("vald",))
    planted(city, city.south_a, 7, reported=True)
    planted(city, city.north_a, 8, reported=True, forms=("korruption",))  # not threats or violence
    figures = outcomes.outcome_figures(city.security, city.city, [TODAY.year - 1, TODAY.year])
    north = row_of(figures, "Norra stadsdelsförvaltningen")
    # factories.City: five threats or violence in the north, none reported.
    assert (north.total.value, north.reported.value) == (5 + 6 + 5 + 9, 11)
    endings = dict(zip([c for c, _label in outcomes.ENDINGS], [c.value for c in north.endings]))
    assert endings["nedlagd_ingen_misstankt"] == 6 and endings["dom"] == 5 and endings["inget_besked"] == 0
    assert round(north.share) == round(11 / 25 * 100)
    assert not figures.suppressed
    # The coordinator's scope is the north: the south is not there.
    assert {r.district for r in figures.rows} == {"Norra stadsdelsförvaltningen"}


def test_aggregate_readers_see_small_counts_suppressed(city):
    planted(city, city.north_a, 6, reported=True, step=OutcomeStep.NO_SUSPECT)
    planted(city, city.north_a, 2, reported=True, step=OutcomeStep.JUDGMENT)
    planted(city, city.south_a, 3, reported=True, step=OutcomeStep.WITHDRAWN)
    figures = outcomes.outcome_figures(city.analyst, city.city, [TODAY.year])
    assert figures.suppressed
    north = row_of(figures, "Norra stadsdelsförvaltningen")
    labels = [c for c, _label in outcomes.ENDINGS]
    judgment = north.endings[labels.index("dom")]
    assert judgment.hidden and str(judgment) == "<5"
    # A second cell hides with it, so that the two cannot be worked out from the total.
    assert sum(c.hidden for c in north.endings) + north.reported.hidden >= 2
    south = row_of(figures, "Södra stadsdelsförvaltningen")
    assert south.total.hidden or south.withheld or all(
        c.hidden or c.value == 0 for c in south.endings)
    assert "3" not in [str(c) for c in south.endings]


def test_the_figures_page_is_scoped_and_suppressed(login, city):
    planted(city, city.south_a, 3, reported=True, step=OutcomeStep.WITHDRAWN)
    text = login(city.committee).get(reverse("police:outcomes")).content.decode()
    assert "Norra stadsdelsförvaltningen" in text and "Södra" not in text
    assert "&lt;5" in text or "visas som" in text
    assert login(city.committee).get(reverse("police:outcomes"), {"enhet": city.south.pk}).status_code == 404
    assert login(city.employee).get(reverse("police:outcomes")).status_code == 404
    assert login(city.analyst).get(reverse("police:outcomes"), {"enhet": "abc"}).status_code == 404
    text = login(city.analyst).get(reverse("police:outcomes")).content.decode()
    assert "Södra stadsdelsförvaltningen" in text


def test_the_auditor_reads_police_entries_in_words_without_their_text(city):
    from audit.describe import describe, group_of, kind_label
    inc = report_to_police(city.manager, city.named)
    outcomes.record_outcome(city.manager, inc.pk, step=OutcomeStep.JUDGMENT, on=TODAY)
    entry = AuditEntry.objects.filter(action="police.outcome").get()
    assert kind_label("police.outcome") == "Utfall av polisanmälan" and group_of("police.outcome") == "polis"
    line = describe([entry], city.auditor)[0]
    assert line.sentence == f"Manager Testsson registrerade ”Dom” den {TODAY.isoformat()} för polisanmälan i ärendet " \
                            f"{inc.reference}."
    outcomes.set_followup(city.manager, inc.pk, employee_role="vittne", court_support="nej")
    line = describe([AuditEntry.objects.get(action="police.followup")], city.auditor)[0]
    assert "police.followup" not in line.sentence and line.group == "Polissamverkan"
