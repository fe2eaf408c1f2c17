"""The support track (support/): started by the report's "I want support" or
by a handler, its steps and offers with their checks, and that it outlives
the case. Real database, no mocks; negative cases have data that could leak."""
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from audit.log import ANONYMOUS_REPORTER
from audit.models import AuditEntry, PendingAnonymousEntry
from casework import workflow
from casework.workflow import Conflict, WorkflowError
from incidents.models import ChecklistItem, Incident, InfluenceForm, Source
from incidents.workdays import add_months, add_working_days
from reporting import services as reporting
from support import services
from support.models import SupportAnswer, SupportOffer, SupportStep, SupportTrack
from support.schedule import due_dates

pytestmark = pytest.mark.django_db
Kind = SupportStep.Kind


def report(city, reporter=None, **overrides):
    values = {
        "unit": city.north_a,
        "occurred_at": timezone.now() - timedelta(hours=2),
        "description": "Brukaren hotade att vänta utanför min bostad.",
        "forms": InfluenceForm.objects.filter(code="hot"),
        "identity_mode": Incident.IdentityMode.NAMED,
        "source": Source.objects.get(code="brukare"),
        "wants_support": True,
    }
    values.update(overrides)
    return reporting.create_report(reporter=reporter or city.employee, data=values, token=uuid.uuid4()).incident


def track(incident) -> SupportTrack:
    return SupportTrack.unscoped.get(incident=incident)


def steps(incident) -> dict:
    return {s.kind: s for s in SupportStep.unscoped.filter(track__incident=incident)}


# --- starting ------------------------------------------------------------------------

def test_i_want_support_in_the_report_starts_the_track(city, settings):
    incident = report(city)
    started = track(incident)
    assert started.origin == SupportTrack.Origin.REPORT and started.status == SupportTrack.Status.OPEN
    planned = steps(incident)
    assert set(planned) == set(Kind.values)
    assert all(s.state == SupportStep.State.PLANNED for s in planned.values())
    first = timezone.localdate(add_working_days(incident.reported_at, settings.SUPPORT_FIRST_TALK_WORKING_DAYS))
    assert planned[Kind.FIRST_TALK].due_on == first
    assert planned[Kind.WEEK].due_on >= timezone.localdate(incident.reported_at) + timedelta(days=7)
    assert AuditEntry.objects.filter(incident=incident, action="support.start").exists()


def test_a_report_without_the_wish_starts_no_track(city):
    incident = report(city, wants_support=False)
    assert not SupportTrack.unscoped.filter(incident=incident).exists()


def test_the_first_talk_deadline_is_configurable(city, settings):
    settings.SUPPORT_FIRST_TALK_WORKING_DAYS = 5
    incident = report(city)
    assert steps(incident)[Kind.FIRST_TALK].due_on == timezone.localdate(add_working_days(incident.reported_at, 5))


def test_check_ins_fall_on_working_days():
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    dates = due_dates(datetime(2026, 11, 20, 15, tzinfo=ZoneInfo("Europe/Stockholm")))  # a Friday
    assert dates[Kind.FIRST_TALK] == date(2026, 11, 24)    # two working days: Monday, Tuesday
    assert dates[Kind.WEEK] == date(2026, 11, 27)
    assert dates[Kind.MONTH] == date(2026, 12, 21)          # 20 December is a Sunday
    assert dates[Kind.QUARTER] == date(2027, 2, 22)         # 20 February 2027 is a Saturday
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_an_anonymous_reporters_wish_starts_a_track_linked_to_nobody(city):
    incident = report(city, reporter=city.employee, identity_mode=Incident.IdentityMode.ANONYMOUS)
    started = track(incident)
    assert incident.reporter_id is None and started.started_by_id is None
    assert started.started_at == incident.reported_at  # the hour only, like the report
    # The start is the anonymous reporter's own entry: held to the hour, no user.
    assert not AuditEntry.objects.filter(incident=incident, action="support.start").exists()
    held = PendingAnonymousEntry.objects.get(incident=incident, action="support.start")
    assert held.at.minute == 0 and held.at.second == 0
    assert held.actor_label == ANONYMOUS_REPORTER


def test_a_handler_starts_a_track_by_own_judgement(city):
    started = services.start(city.manager, city.named.pk)
    assert started.origin == SupportTrack.Origin.HANDLER and started.started_by == city.manager
    with pytest.raises(WorkflowError, match="redan ett stödspår"):
        services.start(city.manager, city.named.pk)


def test_only_handlers_in_scope_may_start_a_track(city):
    with pytest.raises(PermissionDenied):
        services.start(city.safety, city.named.pk)      # may read the case, not act on it
    for stranger in (city.manager_south, city.security_south, city.employee_south):
        with pytest.raises(Http404):
            services.start(stranger, city.named.pk)
    with pytest.raises(Http404):
        services.start(city.manager, city.bypassed.pk)  # the report went past the unit's managers
    assert not SupportTrack.unscoped.exists()


# --- steps ---------------------------------------------------------------------------

@pytest.fixture
def started(city):
    return services.start(city.manager, city.named.pk)


def test_holding_the_first_talk_marks_the_checklist_item(city, started):
    today = timezone.localdate()
    services.update_step(city.manager, city.named.pk, Kind.FIRST_TALK, version=started.version, action="done",
                         day=today, note="Samtal på kontoret, erbjöd företagshälsovård.")
    step = steps(city.named)[Kind.FIRST_TALK]
    assert step.state == SupportStep.State.DONE and step.done_on == today
    item = ChecklistItem.unscoped.get(incident=city.named, code=ChecklistItem.Code.SUPPORT_TALK)
    assert item.state == ChecklistItem.State.DONE and item.done_on == today
    entry = AuditEntry.objects.get(incident=city.named, action="support.step.first_talk")
    assert entry.changes["state"] == ["planned", "done"]
    assert "företagshälsovård" not in str(entry.changes)  # free text as a keyed hash


@pytest.mark.parametrize("action,day,note,field,message", [
    ("done", -30, "", "day", "före händelsen"),
    ("done", 3, "", "day", "i framtiden"),
    ("done", None, "", "day", "Ange datum"),
    ("reschedule", -30, "", "day", "före händelsen"),
    ("reschedule", -1, "", "day", "från och med i dag"),
    ("skip", None, "", "note", "varför"),
])
def test_bad_step_input_is_refused_with_a_clear_message(city, started, action, day, note, field, message):
    day = None if day is None else timezone.localdate() + timedelta(days=day)
    with pytest.raises(services.SupportInvalid) as refused:
        services.update_step(city.manager, city.named.pk, Kind.WEEK, version=started.version, action=action,
                             day=day, note=note)
    assert message in refused.value.errors[field]
    assert steps(city.named)[Kind.WEEK].state == SupportStep.State.PLANNED
    assert track(city.named).version == started.version


def test_a_check_in_can_be_moved_and_skipped(city, started):
    later = timezone.localdate() + timedelta(days=10)
    services.update_step(city.manager, city.named.pk, Kind.WEEK, version=1, action="reschedule", day=later)
    assert steps(city.named)[Kind.WEEK].due_on == later
    services.update_step(city.manager, city.named.pk, Kind.WEEK, version=2, action="skip",
                         note="Medarbetaren är föräldraledig.")
    step = steps(city.named)[Kind.WEEK]
    assert step.state == SupportStep.State.SKIPPED and step.note == "Medarbetaren är föräldraledig."
    with pytest.raises(WorkflowError, match="redan"):
        services.update_step(city.manager, city.named.pk, Kind.WEEK, version=3, action="done",
                             day=timezone.localdate())


def test_a_second_concurrent_edit_is_a_conflict(city, started):
    services.update_step(city.manager, city.named.pk, Kind.FIRST_TALK, version=1, action="done",
                         day=timezone.localdate())
    with pytest.raises(Conflict):
        services.update_step(city.security, city.named.pk, Kind.WEEK, version=1, action="skip", note="Dubbel")
    assert steps(city.named)[Kind.WEEK].state == SupportStep.State.PLANNED


def test_the_track_ends_when_its_last_step_is_done(city, started):
    today = timezone.localdate()
    for version, kind in enumerate(Kind.values, start=1):
        services.update_step(city.manager, city.named.pk, kind, version=version, action="done", day=today)
    assert track(city.named).status == SupportTrack.Status.DONE
    assert AuditEntry.objects.filter(incident=city.named, action="support.done").count() == 1


def test_ending_early_skips_what_is_left_with_the_reason(city, started):
    with pytest.raises(services.SupportInvalid):
        services.end_early(city.manager, city.named.pk, version=1, reason="  ")
    services.end_early(city.manager, city.named.pk, version=1, reason="Får stöd via företagshälsovården.")
    ended = track(city.named)
    assert ended.status == SupportTrack.Status.DONE and ended.end_reason == "Får stöd via företagshälsovården."
    assert {s.state for s in steps(city.named).values()} == {SupportStep.State.SKIPPED}
    with pytest.raises(WorkflowError, match="redan avslutat"):
        services.end_early(city.manager, city.named.pk, version=2, reason="igen")


# --- offers --------------------------------------------------------------------------

def test_offered_support_is_recorded_as_coded_choices(city, started):
    offer = services.add_offer(city.manager, city.named.pk, version=1, code=SupportOffer.Code.OCCUPATIONAL_HEALTH,
                               offered_on=timezone.localdate(), answer=SupportOffer.Answer.PENDING)
    services.answer_offer(city.manager, city.named.pk, offer.pk, version=2, answer=SupportOffer.Answer.ACCEPTED)
    offer.refresh_from_db()
    assert offer.answer == SupportOffer.Answer.ACCEPTED
    assert AuditEntry.objects.filter(incident=city.named, action="support.offer").count() == 2


@pytest.mark.parametrize("code,day,note,field", [
    (SupportOffer.Code.CRISIS, None, "", "offered_on"),                 # a support choice with no date
    (SupportOffer.Code.CRISIS, -30, "", "offered_on"),                  # before the event
    (SupportOffer.Code.OTHER, 0, "", "note"),                           # "annat" needs a description
    ("vapen", 0, "", "code"),
])
def test_a_bad_offer_is_refused(city, started, code, day, note, field):
    day = None if day is None else timezone.localdate() + timedelta(days=day)
    with pytest.raises(services.SupportInvalid) as refused:
        services.add_offer(city.manager, city.named.pk, version=1, code=code, offered_on=day,
                           answer=SupportOffer.Answer.PENDING, note=note)
    assert field in refused.value.errors
    assert not SupportOffer.unscoped.exists()


# --- after the case ----------------------------------------------------------------------

def test_a_closed_case_keeps_its_track_and_it_can_be_worked_on(city):
    incident = report(city)
    today = timezone.localdate()
    services.update_step(city.manager, incident.pk, Kind.FIRST_TALK, version=1, action="done", day=today)
    incident = Incident.unscoped.get(pk=incident.pk)
    workflow.acknowledge(city.manager, incident.pk, incident.version)
    for item in workflow.checklist(incident):
        if item.state == ChecklistItem.State.OPEN:
            workflow.update_checklist_item(city.manager, incident.pk, item.code,
                                           state=ChecklistItem.State.NOT_APPLICABLE, note="Ej aktuellt här")
    incident = Incident.unscoped.get(pk=incident.pk)
    workflow.resolve(city.manager, incident.pk, incident.version)
    workflow.close(city.manager, incident.pk, incident.version + 1, "Samtal hållet, stöd pågår.")
    assert Incident.unscoped.get(pk=incident.pk).status == Incident.Status.CLOSED
    assert track(incident).status == SupportTrack.Status.OPEN
    services.update_step(city.manager, incident.pk, Kind.WEEK, version=2, action="done", day=today)
    assert steps(incident)[Kind.WEEK].state == SupportStep.State.DONE


# --- the case page -------------------------------------------------------------------------

def test_the_case_page_shows_the_track_to_handlers_only(login, city, started):
    page = login(city.manager).get(reverse("casework:detail", args=[city.named.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Stöd till medarbetaren" in body and "Första stödsamtalet" in body
    safety = login(city.safety).get(reverse("casework:detail", args=[city.named.pk])).content.decode()
    assert "Första stödsamtalet" not in safety


def test_a_refused_step_shows_the_page_again_with_what_was_typed(login, city, started):
    client = login(city.manager)
    url = reverse("support:step", args=[city.named.pk, Kind.WEEK])
    early = (timezone.localdate() - timedelta(days=60)).isoformat()
    response = client.post(url, {"steg-week-version": 1, "steg-week-action": "done", "steg-week-day": early,
                                 "steg-week-note": "Ringde och stämde av läget"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "kan inte ligga före händelsen" in body and "Ringde och stämde av läget" in body
    response = client.post(url, {"steg-week-version": 1, "steg-week-action": "done", "steg-week-day": "igår"})
    assert response.status_code == 400 and "ÅÅÅÅ-MM-DD" in response.content.decode()


def test_a_conflicting_step_keeps_the_text_and_the_new_version(login, city, started):
    services.update_step(city.security, city.named.pk, Kind.FIRST_TALK, version=1, action="done",
                         day=timezone.localdate())
    client = login(city.manager)
    response = client.post(reverse("support:step", args=[city.named.pk, Kind.WEEK]), {
        "steg-week-version": 1, "steg-week-action": "skip", "steg-week-note": "Vill inte ha fler samtal"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Vill inte ha fler samtal" in body and 'name="steg-week-version" value="2"' in body


def test_an_offer_without_a_date_is_refused_on_the_page(login, city, started):
    response = login(city.manager).post(reverse("support:add_offer", args=[city.named.pk]), {
        "erbjudande-version": 1, "erbjudande-code": "krisstod", "erbjudande-answer": "pending",
        "erbjudande-note": "Krisstöd via företagshälsovården"})
    assert response.status_code == 400
    assert "Ange när stödet erbjöds." in response.content.decode()
    assert not SupportOffer.unscoped.exists()


# --- the employee's voice -------------------------------------------------------------

def test_the_employee_answers_after_a_check_in_on_their_own_page(login, city, started):
    services.update_step(city.manager, city.named.pk, Kind.FIRST_TALK, version=1, action="done",
                         day=timezone.localdate())
    client = login(city.employee)
    page = client.get(reverse("reporting:mine_detail", args=[city.named.pk])).content.decode()
    assert "Fick du det stöd du behövde?" in page and "Efter första stödsamtalet" in page
    url = reverse("reporting:support_answer", args=[city.named.pk])
    refused = client.post(url, {"stod-occasion": "first_talk", "stod-comment": "Bra samtal men kort"})
    assert refused.status_code == 400
    assert "Svara ja eller nej." in refused.content.decode() and "Bra samtal men kort" in refused.content.decode()
    response = client.post(url, {"stod-occasion": "first_talk", "stod-felt_supported": "ja",
                                 "stod-comment": "Bra samtal men kort"})
    assert response.status_code == 302
    saved = SupportAnswer.unscoped.get(incident=city.named)
    assert saved.felt_supported and saved.occasion == "first_talk" and saved.comment == "Bra samtal men kort"
    again = client.post(url, {"stod-occasion": "first_talk", "stod-felt_supported": "nej"})
    assert again.status_code == 400 and SupportAnswer.unscoped.filter(incident=city.named).count() == 1
    entry = AuditEntry.objects.get(incident=city.named, action="support.answer")
    assert entry.actor == city.employee and "Bra samtal" not in str(entry.changes)
    case_page = login(city.manager).get(reverse("casework:detail", args=[city.named.pk])).content.decode()
    assert "Bra samtal men kort" in case_page


def test_only_the_reporter_may_answer(login, city, started):
    services.update_step(city.manager, city.named.pk, Kind.FIRST_TALK, version=1, action="done",
                         day=timezone.localdate())
    url = reverse("reporting:support_answer", args=[city.named.pk])
    for other in (city.colleague, city.manager, city.employee_south):
        assert login(other).post(url, {"stod-occasion": "first_talk", "stod-felt_supported": "nej"}).status_code == 404
    assert not SupportAnswer.unscoped.exists()


def test_the_anonymous_reporter_answers_at_closing_by_code_and_stays_unlinked(client, city):
    receipt = reporting.create_report(reporter=city.employee, token=uuid.uuid4(), data={
        "unit": city.north_a, "occurred_at": timezone.now() - timedelta(hours=3),
        "description": "Anonym rapport om hot", "forms": InfluenceForm.objects.filter(code="hot"),
        "identity_mode": Incident.IdentityMode.ANONYMOUS, "source": Source.objects.get(code="brukare")})
    inc = receipt.incident
    Incident.unscoped.filter(pk=inc.pk).update(status=Incident.Status.CLOSED, closed_at=timezone.now())
    page = client.post(reverse("reporting:followup"), {"code": receipt.code}).content.decode()
    assert "När ärendet avslutades" in page
    response = client.post(reverse("reporting:followup"), {
        "code": receipt.code, "stod-occasion": "closing", "stod-felt_supported": "nej",
        "stod-comment": "Ingen hörde av sig"})
    assert response.status_code == 200 and "Tack för ditt svar." in response.content.decode()
    saved = SupportAnswer.unscoped.get(incident=inc)
    assert not saved.felt_supported and saved.answered_at.minute == 0 and saved.answered_at.second == 0
    # Nothing ties the answer to the employee who filed it anonymously.
    assert not AuditEntry.objects.filter(actor=city.employee, incident=inc).exists()
    held = PendingAnonymousEntry.objects.get(incident=inc, action="support.answer")
    assert held.actor_label == ANONYMOUS_REPORTER
    with pytest.raises(PermissionDenied):
        services.answer(Incident.unscoped.get(pk=inc.pk), reporter=city.employee, occasion="closing",
                        felt_supported=True)
