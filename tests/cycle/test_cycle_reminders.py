"""Reminders of the annual cycle with a moving clock: 14 days before the due
date and once overdue, each sent once, with the title, due date and a link
and nothing else."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from cycle import services
from cycle.models import Duty
from notifications.models import SentReminder
from notifications.reminders import send_from

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(day: date, hour=7):
    return datetime(day.year, day.month, day.day, hour, tzinfo=STOCKHOLM)


@pytest.fixture
def review(city):
    """The north district's action-plan review, due 31 March each year, owned by HR."""
    return Duty.objects.create(
        title="Årlig översyn av handlingsplanen", kind=Duty.Kind.ACTION_PLAN_REVIEW, node=city.north,
        owner=city.hr, schedule=Duty.Schedule.YEARLY, month=3, day=31, starts_on=date(2026, 1, 1),
        description="Hemlig intern beskrivning som inte ska i e-post")


def test_the_clock_moves_through_due_soon_due_and_overdue_sending_each_reminder_once(review):
    assert send_from("cycle", at(date(2026, 3, 16))) == 0  # 15 days before: too early
    assert send_from("cycle", at(date(2026, 3, 17))) == 1  # 14 days before
    assert send_from("cycle", at(date(2026, 3, 17), 15)) == 0  # the same day again
    assert send_from("cycle", at(date(2026, 3, 31))) == 0  # due today: not yet overdue
    assert send_from("cycle", at(date(2026, 4, 1))) == 1  # the day after: overdue
    assert send_from("cycle", at(date(2026, 4, 2))) == 0
    assert send_from("cycle", at(date(2026, 9, 1))) == 0
    assert [m.subject for m in mail.outbox] == [
        "Värn: uppgift i årshjulet förfaller 31 mars 2026",
        "Värn: försenad uppgift i årshjulet – Årlig översyn av handlingsplanen",
    ]
    assert {k.split(":")[0] for k in SentReminder.objects.values_list("key", flat=True)} == {
        "cycle-due_soon", "cycle-overdue"}
    assert all(m.to == ["hr_north@example.se"] for m in mail.outbox)


def test_the_e_mail_holds_only_the_title_the_due_date_and_a_link(review, settings):
    settings.BASE_URL = "https://varn.example.se"
    send_from("cycle", at(date(2026, 3, 20)))
    occurrence = review.occurrences.get(due_date__year=2026)
    body = mail.outbox[0].body
    assert "Årlig översyn av handlingsplanen" in body
    assert "31 mars 2026" in body
    assert f"https://varn.example.se/arshjul/tillfalle/{occurrence.pk}/" in body
    assert "Hemlig" not in body and "Norra" not in body and "Testsson" not in body


def test_a_done_occurrence_gets_no_reminder(review, city):
    services.ensure_occurrences([review], [2026])
    services.mark_done(city.hr, review.occurrences.get(due_date__year=2026), done_at=date(2026, 3, 10), result_note="Klar")
    assert send_from("cycle", at(date(2026, 3, 20))) == 0
    assert send_from("cycle", at(date(2026, 4, 20))) == 0
    assert mail.outbox == []


def test_an_overdue_occurrence_first_seen_late_gets_only_the_overdue_reminder(review):
    assert send_from("cycle", at(date(2026, 5, 1))) == 1
    assert SentReminder.objects.get().key.startswith("cycle-overdue:")
    assert "försenad" in mail.outbox[0].subject


def test_when_the_owner_has_no_e_mail_the_districts_coordinator_is_told_instead(review, city):
    city.hr.email = ""
    city.hr.save()
    assert send_from("cycle", at(date(2026, 3, 20))) == 1
    [message] = mail.outbox
    assert message.to == [city.security.email]
    assert "ingen ansvarig som nås" in message.body
    assert "Hemlig intern beskrivning" not in message.body
    assert send_from("cycle", at(date(2026, 3, 21))) == 0  # still once per due event


def test_duties_without_a_reachable_owner_go_to_hr_and_security_and_inactive_ones_to_nobody(review, city):
    Duty.objects.create(title="Utan ansvarig", kind=Duty.Kind.TRAINING, node=city.north, owner=None,
                        schedule=Duty.Schedule.YEARLY, month=3, day=31, starts_on=date(2026, 1, 1))
    Duty.objects.create(title="Inaktiv", kind=Duty.Kind.TRAINING, node=city.north, owner=city.security,
                        schedule=Duty.Schedule.YEARLY, month=3, day=31, starts_on=date(2026, 1, 1), active=False)
    city.hr.is_active = False  # the review's owner leaves
    city.hr.save()
    assert send_from("cycle", at(date(2026, 3, 20))) == 2
    assert {tuple(m.to) for m in mail.outbox} == {(city.security.email,)}
    assert not [m for m in mail.outbox if "Inaktiv" in m.subject + m.body]
    assert {m.subject for m in mail.outbox} == {"Värn: uppgift i årshjulet förfaller 31 mars 2026"}


def test_reminders_find_next_years_january_re_reporting_without_anyone_opening_the_year_view(city):
    Duty.objects.create(title="Återrapportering till nämnden", kind=Duty.Kind.COMMITTEE_REREPORTING,
                        node=city.north, owner=city.security, schedule=Duty.Schedule.TERTIAL, day=15,
                        starts_on=date(2026, 12, 1))
    # 2 January 2027: the re-reporting of T3 2026 is due on 15 January.
    assert send_from("cycle", at(date(2027, 1, 2))) == 1
    assert "15 januari 2027" in mail.outbox[0].subject
    # On 31 December 2026 it is 15 days away, but its 2027 occurrence already exists.
    SentReminder.objects.all().delete()
    assert send_from("cycle", at(date(2026, 12, 31))) == 0
    assert send_from("cycle", at(date(2027, 1, 1))) == 1


def test_the_reminder_follows_a_change_of_owner(review, city):
    services.ensure_occurrences([review], [2026])
    review.owner = city.security
    review.save()
    send_from("cycle", at(date(2026, 3, 20)))
    assert mail.outbox[0].to == ["security_north@example.se"]
    assert SentReminder.objects.get().recipient == city.security.email


def test_a_moved_due_date_is_reminded_again(review, city):
    send_from("cycle", at(date(2026, 3, 20)))
    services.update_duty(city.hr, review, {"month": 4}, today=date(2026, 3, 20))
    assert review.occurrences.get(due_date__year=2026).due_date == date(2026, 4, 30)
    assert send_from("cycle", at(date(2026, 4, 20))) == 1
    assert len(mail.outbox) == 2 and "30 april 2026" in mail.outbox[1].subject
