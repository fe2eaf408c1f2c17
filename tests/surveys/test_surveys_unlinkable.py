"""No way to join a person to an answer: after a survey has been sent,
answered through the real page and reminded, go through every table, the
audit log, the e-mails the SMTP server received and the log output."""
import logging

import pytest
from django.apps import apps
from django.db import connection, models
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from organisation.models import User
from surveys import services
from surveys.models import Answer, Invitation, Token
from tests.surveys.helpers import form_post, secrets_from, staff, start

pytestmark = pytest.mark.django_db


def every_row():
    """(table, row as text) for every row of every table Django knows."""
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                yield table, " ".join(str(v) for v in row)


def raw_order(model, column):
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{model._meta.db_table}"')
        return [row[0] for row in cursor.fetchall()]


def test_no_table_log_or_email_links_a_person_to_an_answer(city, smtp_server, caplog,
                                                           django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    staff(city, count_a=8, count_b=4)
    started = start(city)
    letters = secrets_from(smtp_server)
    assert len(letters) == 14
    order_sent = [services.digest(s) for s in letters.values()]
    # The tokens were written in a shuffled batch: their order in the table is
    # not the order of the people or of the e-mails.
    assert raw_order(Token, "digest") != order_sent

    respondents = list(letters.items())[:9]
    browser = Client()
    answered = []
    for i, (_address, secret) in enumerate(respondents):
        unit = city.north_a if i % 2 else city.north_b
        response = browser.post(reverse("surveys:answer"), form_post(secret, unit,
                                                                     exposed=("hot",) if i % 3 else ("vald",)))
        assert response.status_code == 200, response.content.decode()[:500]
        answered.append(secret)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminder(city.security, started.survey)
        services.close_survey(city.security, started.survey)

    answers = list(Answer.objects.all())
    assert len(answers) == 9
    answer_ids = {str(a.pk) for a in answers}
    digests = set(Token.objects.values_list("digest", flat=True))
    secrets_ = set(letters.values())
    people = User.objects.filter(email__in=letters)
    person_marks = ({str(p.pk) for p in people} | {p.email for p in people} | {p.username for p in people})

    # 1. No secret is stored anywhere; digests live only in the token table,
    #    answer keys only in the answer table.
    for table, text in every_row():
        assert not any(s in text for s in secrets_), table
        if table != Token._meta.db_table:
            assert not any(d in text for d in digests), table
        if table != Answer._meta.db_table:
            assert not any(a in text.split() for a in answer_ids), table

    # 2. The three tables have no column that could join them or date an answer.
    for model in (Token, Answer):
        for f in model._meta.get_fields():
            if f.is_relation:
                assert f.related_model not in (User, Token, Answer, Invitation), (model, f.name)
            assert not isinstance(f, (models.DateTimeField, models.TimeField)), (model, f.name)
            assert f.name not in ("ip", "user_agent", "created_at", "used_at"), (model, f.name)
    assert {f.name for f in Invitation._meta.get_fields()} == {"id", "survey", "user", "reminded"}
    # Every invitation looks the same: all reminded, none marked as answered.
    assert set(Invitation.objects.values_list("reminded", flat=True)) == {True}

    # 3. The order of rows does not follow the order of answering (the answers'
    #    keys are random; on PostgreSQL closing rewrote the tables in key order).
    answer_order = [str(pk) for pk in raw_order(Answer, "id")]
    assert answer_order == sorted(answer_order, key=int) or connection.vendor != "postgresql"
    assert len(set(answer_order)) == 9
    used_order = [d for d in raw_order(Token, "digest") if d in {services.digest(s) for s in answered}]
    assert used_order != [services.digest(s) for s in answered]

    # 4. The audit log names no token, no answer and no respondent for the survey.
    for entry in AuditEntry.objects.all():
        text = f"{entry.object_type} {entry.object_id} {entry.changes} {entry.actor_label}"
        assert "surveys.answer" not in text and "surveys.token" not in text
        assert not any(d in text for d in digests) and not any(s in text for s in secrets_)
        if entry.object_type.startswith("surveys"):
            assert not any(mark in str(entry.changes) for mark in person_marks if len(mark) > 3)

    # 5. The e-mails: each invitation holds its own link (the person's), none an
    #    answer; the reminders hold no link at all and went to every invited person.
    for message in smtp_server.messages:
        assert not any(a in message["raw"] for a in answer_ids)
    reminders = [m for m in smtp_server.messages if "Påminnelse" in m["subject"]]
    assert {m["to"][0] for m in reminders} == set(letters)
    assert not any(s in m["raw"] for m in reminders for s in secrets_)

    # 6. The log output says nothing of tokens or answers.
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert not any(s in logged for s in secrets_) and not any(d in logged for d in digests)
    assert not any(a in logged for a in answer_ids)
