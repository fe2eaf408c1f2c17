"""The exit survey: starting it, invitations from the people register (by
hand, by import_people's end dates, a printed link), answering once with
every bad input, results per year with turnover and incidents per 100
employees, and the yearly review in the annual cycle."""
import logging
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.models import AuditEntry
from cycle import services as cycle_services
from cycle.models import Duty, DutyOccurrence
from organisation import people as people_file
from organisation.models import Headcount
from surveys import exit as exit_survey
from surveys import services
from surveys.models import ExitAnswer, Invitation, Survey, Token
from tests.factories import incident
from tests.surveys.exit_helpers import exit_data, exit_post, leavers, start_exit
from tests.surveys.helpers import secrets_from, staff
from tests.surveys.test_surveys_results import subtree, trees

pytestmark = pytest.mark.django_db


def test_starting_invites_the_people_who_leave_soon(city, smtp_server):
    going = leavers(city, count=3)
    leavers(city, count=1, days=90, prefix="later")
    survey = start_exit(city)
    assert survey.kind == Survey.Kind.EXIT and survey.closes_on is None and survey.invited == 3
    assert set(secrets_from(smtp_server)) == {p.email for p in going}
    assert set(Invitation.objects.filter(survey=survey).values_list("user_id", flat=True)) == {p.pk for p in going}
    entry = AuditEntry.objects.get(action="survey.invite")
    assert entry.changes["invited"] == [None, 3]
    # A second open exit survey of the node is refused with the reason.
    with pytest.raises(ValidationError, match="redan en öppen avgångsenkät"):
        exit_survey.start_exit_survey(city.hr, city.north, title="Igen")
    # Inviting again sends nothing to those already invited.
    assert exit_survey.invite(city.hr, survey, going) == 0


def test_a_node_with_too_few_people_cannot_start_one(city, client):
    client.force_login(city.hr)
    response = client.post(reverse("surveys:exit_start"), {"node": city.north_b.pk, "title": "Avgång BU",
                                                           "min_answers": 5})
    assert response.status_code == 200
    assert "En enkät kräver minst 5" in response.content.decode()
    assert 'value="Avgång BU"' in response.content.decode()
    assert not Survey.objects.exists()


def test_an_import_of_the_people_file_invites_whose_end_date_is_near(city, smtp_server):
    survey = start_exit(city)
    assert survey.invited == 0
    soon = (timezone.localdate() + timedelta(days=20)).isoformat()
    far = (timezone.localdate() + timedelta(days=200)).isoformat()
    data = ("employee_number,first_name,last_name,email,unit_code,end_date\n"
            f"9001,Anna,Avgång,anna@example.se,NORR-EB,{soon}\n"
            f"9002,Bo,Kvar,bo@example.se,NORR-BU,{far}\n"
            "9003,Cecilia,Stannar,cecilia@example.se,NORR-BU,\n").encode()
    people_file.import_people(data)
    survey.refresh_from_db()
    assert survey.invited == 1
    assert set(secrets_from(smtp_server)) == {"anna@example.se"}
    assert AuditEntry.objects.filter(action="survey.invite", actor_label="import_people").count() == 1
    # Importing the same file again invites nobody twice.
    people_file.import_people(data)
    survey.refresh_from_db()
    assert survey.invited == 1 and len(smtp_server.messages) == 1


def test_answering_once_with_every_bad_input(city, smtp_server):
    leavers(city, count=2)
    survey = start_exit(city)
    secret = next(iter(secrets_from(smtp_server).values()))
    browser = Client()
    url = reverse("surveys:answer")
    assert browser.get(url, {"n": "okänd"}).status_code == 404
    page = browser.get(url, {"n": secret})
    assert page.status_code == 200 and "Varför slutar du?" in page.content.decode()
    # Half filled: exposed, but no form and no answer to "did it matter": errors, nothing lost, nothing stored.
    half = {"n": secret, "unit": str(city.north_a.pk), "reasons": ["workload", "pay"], "exposed": "yes"}
    response = browser.post(url, half)
    body = response.content.decode()
    assert response.status_code == 400 and "Välj minst en form." in body
    assert 'value="pay" id="id_reasons_5" checked' in body or 'value="pay"' in body and "checked" in body
    assert not ExitAnswer.objects.exists()
    assert browser.post(url, exit_post(secret, city.north_a)).status_code == 200
    # The same form sent again (a double submit) stores nothing more.
    again = browser.post(url, exit_post(secret, city.north_a))
    assert again.status_code == 410 and "redan använd" in again.content.decode()
    answer = ExitAnswer.objects.get()
    assert (answer.unit, answer.year, answer.reasons, answer.exposed, answer.mattered) == (
        city.north_a, timezone.localdate().year, ["influence", "workload"], ["hot"], "much")
    # A closed survey: its links show that it is closed.
    other = list(secrets_from(smtp_server).values())[1]
    services.close_survey(city.hr, survey)
    closed = browser.post(url, exit_post(other, city.north_b))
    assert closed.status_code == 410 and "stängd" in closed.content.decode()
    assert ExitAnswer.objects.count() == 1


def test_a_printed_link_is_shown_once_and_works_once(city, client):
    survey = start_exit(city)
    client.force_login(city.hr)
    page = client.post(reverse("surveys:exit_print", args=[survey.pk]))
    secret = page.content.decode().split("?n=")[1].split("<")[0]
    survey.refresh_from_db()
    assert survey.invited == 1 and Token.objects.filter(survey=survey).count() == 1
    assert exit_survey.submit_exit_answer(secret, exit_data(city.north_a)).state == services.LinkState.OK
    assert exit_survey.submit_exit_answer(secret, exit_data(city.north_a)).state == services.LinkState.USED
    assert ExitAnswer.objects.count() == 1
    # Someone from the south cannot print links for the north.
    client.force_login(city.security_south)
    assert client.post(reverse("surveys:exit_print", args=[survey.pk])).status_code == 404


def every_row():
    for model in apps.get_models(include_auto_created=True):
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT * FROM "{model._meta.db_table}"')
            for row in cursor.fetchall():
                yield model._meta.db_table, " ".join(str(v) for v in row)


def test_no_table_log_or_email_links_a_leaver_to_an_answer(city, smtp_server, caplog):
    """Exit invitations come one at a time: the token table is rewritten in a
    random order each time, so the order of its rows is not the order of the
    invitations; nothing else holds a secret, a digest or an answer's key."""
    caplog.set_level(logging.DEBUG)
    survey = start_exit(city)
    going = leavers(city, count=8)
    for person in going:  # one at a time, as an exit survey's invitations come
        exit_survey.invite(city.hr, survey, [person])
    letters = secrets_from(smtp_server)
    assert len(letters) == 8
    invitation_order = list(Invitation.objects.filter(survey=survey).order_by("pk").values_list("user__email",
                                                                                                   flat=True))
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "digest" FROM "{Token._meta.db_table}"')
        token_order = [row[0] for row in cursor.fetchall()]
    assert token_order != [services.digest(letters[address]) for address in invitation_order]
    browser = Client()
    for i, address in enumerate(invitation_order[:6]):
        unit = city.north_a if i % 2 else city.north_b
        assert browser.post(reverse("surveys:answer"), exit_post(letters[address], unit)).status_code == 200
    answer_ids = {str(pk) for pk in ExitAnswer.objects.values_list("pk", flat=True)}
    assert len(answer_ids) == 6
    digests = set(Token.objects.values_list("digest", flat=True))
    secrets_ = set(letters.values())
    for table, text in every_row():
        assert not any(s in text for s in secrets_), table
        if table != Token._meta.db_table:
            assert not any(d in text for d in digests), table
        if table != ExitAnswer._meta.db_table:
            assert not any(a in text.split() for a in answer_ids), table
    # The answer has no column that could join it to a token, a person or a moment.
    assert {f.name for f in ExitAnswer._meta.get_fields()} == {"id", "survey", "unit", "year", "reasons", "exposed",
                                                               "mattered"}
    assert {f.name for f in Invitation._meta.get_fields()} == {"id", "survey", "user", "reminded"}
    marks = {str(p.pk) for p in going} | {p.email for p in going} | {p.username for p in going}
    for entry in AuditEntry.objects.all():
        text = f"{entry.object_type} {entry.object_id} {entry.changes} {entry.actor_label}"
        assert "surveys.exitanswer" not in text and "surveys.token" not in text
        assert not any(d in text for d in digests) and not any(s in text for s in secrets_)
        if entry.object_type.startswith("surveys"):
            assert not any(m in str(entry.changes) for m in marks if len(m) > 3)
    for message in smtp_server.messages:
        assert not any(a in message["raw"] for a in answer_ids)
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert not any(s in logged for s in secrets_) and not any(d in logged for d in digests)
    assert not any(a in logged for a in answer_ids)


@st.composite
def yearly_trees(draw):
    parent_of, counts, minimum = draw(trees())
    years = draw(st.lists(st.integers(min_value=2020, max_value=2026), min_size=1, max_size=4, unique=True))
    by_year = {y: {n: draw(st.integers(min_value=0, max_value=9)) for n in parent_of} for y in years}
    return parent_of, by_year, minimum


@settings(max_examples=300, deadline=None)
@given(yearly_trees())
def test_no_small_group_of_any_year_can_be_worked_out(tree):
    """Each year is published on its own: within a year the groups nest and
    each atom (a group minus the groups shown inside it) is empty or holds
    at least the minimum; a year with too few answers publishes nothing,
    and no figure spans years, so no difference across years recovers it."""
    parent_of, by_year, minimum = tree
    plans = exit_survey.year_plans(0, parent_of, by_year, minimum)
    assert set(plans) == set(by_year)
    for year, shown in plans.items():
        counts = by_year[year]
        if sum(counts.values()) < minimum:
            assert shown == []
            continue
        groups = {node: subtree(parent_of, node) for node, *_rest in shown}
        for node, _depth, count, residual_ids, residual_count in shown:
            assert count == sum(counts[n] for n in groups[node]) >= minimum
            inner = set().union(*(groups[k] for k in groups if k != node and groups[k] < groups[node]))
            atom = groups[node] - inner
            atom_count = sum(counts[n] for n in atom)
            assert atom_count == 0 or atom_count >= minimum, (year, node, atom, atom_count)
            assert atom == set(residual_ids) and atom_count == residual_count
        for a in groups.values():
            for b in groups.values():
                assert a <= b or b <= a or not (a & b)


def test_results_per_year_with_turnover_and_incidents(city, smtp_server):
    survey = start_exit(city)
    today = timezone.localdate()
    for i in range(7):
        secret = exit_survey.print_link(city.hr, survey)
        exit_survey.submit_exit_answer(secret, exit_data(city.north_a if i < 5 else city.north_b,
                                                         exposed=("hot",) if i % 2 else ()))
    # Three answers of last year: too few to show; nothing of them anywhere.
    for i in range(3):
        ExitAnswer.objects.create(survey=survey, unit=city.north_a, year=today.year - 1, reasons=["pay"])
    # Two people left this year (their last day is today), one leaves later.
    leavers(city, count=2, days=0, prefix="gone")
    leavers(city, count=1, days=40, prefix="later")
    Headcount.objects.create(unit=city.north_a, year=today.year - 1, employees=50)
    incident(city.north_b, days_ago=0)
    built = exit_survey.build(city.hr, survey, today)
    assert [y.year for y in built.years] == [today.year, today.year - 1]
    this, last = built.years
    assert this.shown and this.rows[0].label == "Norra stadsdelsförvaltningen" and this.rows[0].count == 7
    assert all(row.count >= 5 for row in this.rows)
    assert this.rows[0].figures.exposed == 3
    assert not last.shown and last.rows == []
    trend = {t.year: t for t in built.turnover}
    now = trend[today.year]
    assert now.employees == 65  # the headcount of the north's units this year (40 + 25)
    assert now.leavers.value == 2
    # The reports of this year in the north that HR counts in the situation picture.
    from incidents import access

    expected = access.countable_incidents(city.hr).filter(
        unit__path__startswith=city.north.path, occurred_at__year=today.year).count()
    assert now.incidents.value == expected >= 1
    assert round(now.leavers_per_100, 1) == round(100 * now.leavers.value / 65, 1)
    assert trend[today.year - 1].employees == 50 and trend[today.year - 2].employees is None
    assert trend[today.year - 2].leavers_per_100 is None
    assert "<svg" in built.chart and "Avgångar per 100 anställda" in built.chart
    # The analyst sees the node only and small counts hidden, with their rates.
    analyst_view = exit_survey.build(city.analyst, survey, today)
    assert all(row.depth == 0 for y in analyst_view.years for row in y.rows)
    small = {t.year: t for t in analyst_view.turnover}[today.year]
    assert small.leavers.hidden and small.leavers_per_100 is None


def test_the_results_page_for_hr_and_404_for_the_south(city, client):
    survey = start_exit(city)
    client.force_login(city.hr)
    body = client.get(reverse("surveys:detail", args=[survey.pk])).content.decode()
    assert "Omsättning och incidenter" in body and "Bjud in den som slutar" in body
    client.force_login(city.security_south)
    assert client.get(reverse("surveys:detail", args=[survey.pk])).status_code == 404


def test_the_yearly_review_marks_the_cycle_duty_done(city, client):
    today = timezone.localdate()
    cycle_services.ensure_standard_duties(today.year, starts_on=today.replace(month=1, day=1))
    survey = start_exit(city)
    occurrence = exit_survey.review_occurrence(survey, today)
    assert occurrence.duty.kind == Duty.Kind.EXIT_SURVEY_REVIEW and occurrence.duty.node == city.north
    client.force_login(city.hr)
    response = client.post(reverse("surveys:exit_review", args=[survey.pk]), {"note": "Arbetsbelastningen ses över."})
    assert response.status_code == 302
    occurrence.refresh_from_db()
    assert occurrence.status == DutyOccurrence.Status.DONE
    assert occurrence.result_url == reverse("surveys:detail", args=[survey.pk])
    assert AuditEntry.objects.filter(action="cycle.occurrence.done").exists()
    assert AuditEntry.objects.filter(action="survey.review").exists()
    # An analyst may read the results but not hold the review.
    client.force_login(city.analyst)
    assert client.post(reverse("surveys:exit_review", args=[survey.pk]), {"note": ""}).status_code == 403


def test_starting_a_prevalence_survey_marks_the_cycle_duty_done(city, smtp_server):
    from tests.surveys.helpers import start

    today = timezone.localdate()
    cycle_services.ensure_standard_duties(today.year, starts_on=today.replace(month=1, day=1))
    staff(city)
    survey = start(city).survey
    occurrence = DutyOccurrence.objects.get(duty__node=city.north, duty__kind=Duty.Kind.PREVALENCE_SURVEY,
                                            period_start__year=today.year)
    assert occurrence.status == DutyOccurrence.Status.DONE and occurrence.done_by == city.security
    assert occurrence.result_url == reverse("surveys:detail", args=[survey.pk])


def test_the_exit_pages_are_english_when_english_is_chosen(city, client, smtp_server):
    from tests.varn.test_english import _data_strings, english_client, swedish_words, visible_text

    leavers(city, count=2)
    survey = start_exit(city)
    secret = next(iter(secrets_from(smtp_server).values()))
    for i in range(5):
        exit_survey.submit_exit_answer(exit_survey.print_link(city.hr, survey), exit_data(city.north_a))
    cycle_services.ensure_standard_duties(timezone.localdate().year,
                                          starts_on=timezone.localdate().replace(month=1, day=1))
    english_client(client, city.hr)
    data = sorted(_data_strings() + [survey.title], key=len, reverse=True)  # the title is what HR typed
    for url in (reverse("surveys:detail", args=[survey.pk]), reverse("surveys:list"), reverse("surveys:exit_start"),
                f"{reverse('surveys:answer')}?n={secret}", f"{reverse('surveys:answer')}?n=unknown"):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert not swedish_words(visible_text(response.content.decode(), data)), (url, swedish_words(
            visible_text(response.content.decode(), data)))
    printed = client.post(reverse("surveys:exit_print", args=[survey.pk]))
    assert not swedish_words(visible_text(printed.content.decode(), data))


def test_the_situation_picture_shows_turnover_against_incidents(city, client):
    survey = start_exit(city)
    client.force_login(city.hr)
    body = client.get(reverse("situation:picture", args=[city.north_a.pk])).content.decode()
    assert 'id="h-turnover"' in body and reverse("surveys:detail", args=[survey.pk]) in body
    client.force_login(city.security_south)
    body = client.get(reverse("situation:picture", args=[city.south.pk])).content.decode()
    assert 'id="h-turnover"' not in body
