"""Service functions of the reporting flow (reporting.services and its neighbours): creating a
report, routing, receipt codes, drafts and messages. Real database, no mocks;
each negative case has data that could leak."""
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from audit.log import text_digest, verify_chain
from audit.models import AuditEntry
from incidents import routing
from incidents.models import (
    Incident,
    InfluenceForm,
    Message,
    ReceiptCode,
    ReportDraft,
    Source,
    Submission,
    ack_deadline,
)
from organisation.models import Role, RoleAssignment
from reporting import drafts, receipts, services, thread
from tests.factories import user

pytestmark = pytest.mark.django_db


RECEIPT_SUBJECT = "Värn: din rapport har kommit in"  # the reporter's own receipt (issue 17)


def routed():
    """The e-mails sent but the reporter's own receipt: where the report went."""
    return [m for m in mail.outbox if m.subject != RECEIPT_SUBJECT]


def data(city, **overrides):
    values = {
        "unit": city.north_a,
        "occurred_at": timezone.now() - timedelta(hours=1),
        "description": "Brukaren sa att hen vet var jag bor.",
        "forms": InfluenceForm.objects.filter(code="hot"),
        "identity_mode": Incident.IdentityMode.NAMED,
        "source": Source.objects.get(code="brukare"),
    }
    values.update(overrides)
    return values


def file_report(city, reporter=None, capture=None, **overrides):
    reporter = reporter or city.employee
    if capture is None:
        return services.create_report(reporter=reporter, data=data(city, **overrides), token=uuid.uuid4())
    with capture(execute=True):
        return services.create_report(reporter=reporter, data=data(city, **overrides), token=uuid.uuid4())


# --- creating a report -------------------------------------------------------------

def test_a_named_report_is_stored_with_the_reporter_and_the_units_area(city):
    receipt = file_report(city)
    incident = receipt.incident
    assert receipt.created and receipt.code == ""
    assert incident.reporter == city.employee
    assert incident.operation_area == city.north_a.operation_area
    assert list(incident.forms.values_list("code", flat=True)) == ["hot"]
    assert incident.bypasses_management is False
    assert incident.status == Incident.Status.NEW


def test_creation_is_audited_with_the_stored_values_but_not_the_reporter(city):
    incident = file_report(city, identity_mode=Incident.IdentityMode.CONFIDENTIAL).incident
    entry = AuditEntry.objects.get(action="incident.create", incident=incident)
    assert entry.actor == city.employee
    # The log proves that the text was written, never what it says (audit.log.protect).
    text = "Brukaren sa att hen vet var jag bor."
    assert entry.changes["description"] == [None, {"hmac": text_digest(text), "len": len(text)}]
    assert text not in str(entry.changes)
    assert entry.changes["identity_mode"] == [None, "confidential"]
    assert entry.changes["unit"] == [None, str(city.north_a.pk)]
    assert "reporter" not in entry.changes
    assert verify_chain()[1] == []


def test_an_anonymous_report_links_to_nobody_even_when_sent_while_logged_in(city):
    receipt = file_report(city, identity_mode=Incident.IdentityMode.ANONYMOUS)
    incident = receipt.incident
    assert incident.reporter is None
    from audit.log import release_anonymous
    release_anonymous(now=timezone.now() + timedelta(hours=1))  # the timer, once the hour has ended
    entry = AuditEntry.objects.get(action="incident.create", incident=incident)
    assert entry.actor is None and entry.actor_label == "anonym rapportör"
    # Nothing in the audit entry names the employee who was logged in.
    assert city.employee.username not in str(entry.changes)
    assert set(entry.changes) == set(services.AUDITED_FIELDS)


def test_an_anonymous_report_leaves_no_named_draft_of_its_text_behind(city):
    from django.http import QueryDict

    named = QueryDict(mutable=True)
    named.update({"description": "Texten som blir anonym", "identity_mode": "named", "token": str(uuid.uuid4())})
    drafts.save_draft(city.employee, named)
    assert ReportDraft.objects.filter(user=city.employee).exists()
    file_report(city, identity_mode=Incident.IdentityMode.ANONYMOUS, description="Texten som blir anonym")
    assert not ReportDraft.objects.filter(user=city.employee).exists()


def test_an_anonymous_report_without_a_login_is_accepted(city):
    from django.contrib.auth.models import AnonymousUser
    receipt = services.create_report(reporter=AnonymousUser(), token=uuid.uuid4(),
                                      data=data(city, identity_mode=Incident.IdentityMode.ANONYMOUS))
    assert receipt.incident.reporter is None and receipt.code


def test_a_named_report_requires_a_logged_in_reporter(city):
    from django.contrib.auth.models import AnonymousUser
    with pytest.raises(ValueError):
        services.create_report(reporter=AnonymousUser(), token=uuid.uuid4(), data=data(city))
    assert not Incident.unscoped.filter(description=data(city)["description"]).exists()


def test_the_same_token_twice_gives_one_report(city):
    token = uuid.uuid4()
    first = services.create_report(reporter=city.employee, data=data(city), token=token)
    second = services.create_report(reporter=city.employee, data=data(city), token=token)
    assert first.created and not second.created
    assert second.incident.pk == first.incident.pk
    assert Incident.unscoped.filter(description=data(city)["description"]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_submissions_of_one_form_give_one_report(city):
    """Four threads file the same form at once (a double tap racing a retry).
    On PostgreSQL they really run together and the unique token decides. The
    in-memory SQLite of the test suite cannot take concurrent writers (its
    shared cache locks whole tables), so there they queue, as the IMMEDIATE
    transactions of a file database make them do in production."""
    import threading

    from django.db import connection as conn

    token = uuid.uuid4()
    barrier = threading.Barrier(4)
    queue = threading.Lock() if conn.vendor == "sqlite" else None
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            if queue:
                with queue:
                    receipt = services.create_report(reporter=city.employee, data=data(city), token=token)
            else:
                receipt = services.create_report(reporter=city.employee, data=data(city), token=token)
            results.append((receipt.incident.pk, receipt.created))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            conn.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({pk for pk, _ in results}) == 1 and sum(created for _, created in results) == 1
    assert Incident.unscoped.filter(description=data(city)["description"]).count() == 1


def test_the_same_anonymous_token_twice_shows_the_same_code(city):
    token = uuid.uuid4()
    values = data(city, identity_mode=Incident.IdentityMode.ANONYMOUS)
    first = services.create_report(reporter=city.employee, data=values, token=token)
    second = services.create_report(reporter=city.employee, data=values, token=token)
    assert second.incident == first.incident and second.code == first.code


def test_the_token_is_stored_only_as_a_keyed_hash(city):
    token = uuid.uuid4()
    services.create_report(reporter=city.employee, data=data(city), token=token)
    stored = Submission.objects.get().token_digest
    assert str(token) not in stored and token.hex not in stored and len(stored) == 64


def test_an_anonymous_report_leaves_no_draft_that_shares_its_token(city):
    token = uuid.uuid4()
    ReportDraft.objects.create(user=city.employee, data={"description": "x", "token": str(token)})
    ReportDraft.objects.create(user=city.colleague, data={"description": "y", "token": str(uuid.uuid4())})
    services.create_report(reporter=city.employee, token=token,
                            data=data(city, identity_mode=Incident.IdentityMode.ANONYMOUS))
    assert list(ReportDraft.objects.values_list("user", flat=True)) == [city.colleague.pk]


def test_sending_the_report_removes_the_server_draft(city):
    ReportDraft.objects.create(user=city.employee, data={"description": "utkast"})
    file_report(city)
    assert not ReportDraft.objects.filter(user=city.employee).exists()


# --- receipt codes -----------------------------------------------------------------

def test_a_receipt_code_is_four_groups_of_four_from_an_unambiguous_alphabet(city):
    code = file_report(city, identity_mode=Incident.IdentityMode.ANONYMOUS).code
    groups = code.split("-")
    assert len(groups) == 4 and all(len(g) == 4 for g in groups)
    assert set("".join(groups)) <= set(receipts.CODE_ALPHABET)
    assert not set("ILOU") & set(code)


def test_codes_differ_between_reports():
    codes = {receipts.receipt_code_for(uuid.uuid4()) for _ in range(200)}
    assert len(codes) == 200


def test_the_database_holds_no_receipt_code_only_its_hash(city):
    receipt = file_report(city, identity_mode=Incident.IdentityMode.ANONYMOUS)
    compact = receipt.code.replace("-", "")
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            dump = repr(cursor.fetchall())
            assert receipt.code not in dump and compact not in dump, table
    assert ReceiptCode.objects.get(incident=receipt.incident).digest != receipt.code


def test_a_code_opens_its_report_however_it_is_typed(city):
    receipt = file_report(city, identity_mode=Incident.IdentityMode.ANONYMOUS)
    typed = " " + receipt.code.lower().replace("-", " ").replace("0", "o").replace("1", "l") + " "
    assert receipts.incident_for_code(typed) == receipt.incident
    assert receipts.incident_for_code(receipt.code.replace("-", "")) == receipt.incident


@pytest.mark.parametrize("typed", ["", "ABCD", "ABCD-EFGH-JKMN-PQRS", "x" * 10_000, "ÅÄÖÅ-ÅÄÖÅ-ÅÄÖÅ-ÅÄÖÅ",
                                   "<script>", None, 12345])
def test_a_wrong_code_opens_nothing(city, typed):
    file_report(city, identity_mode=Incident.IdentityMode.ANONYMOUS)
    assert receipts.incident_for_code(typed) is None


# --- routing -----------------------------------------------------------------------

def test_a_report_goes_to_the_units_manager_and_the_district_coordinator(city):
    routing = file_report(city).routing
    assert routing.handlers == [city.manager, city.security]
    assert routing.informed == [city.safety]
    assert not routing.bypass


def test_the_nearest_managers_receive_it_not_the_head_of_the_district(city):
    routing = file_report(city).routing
    assert city.head_north not in routing.handlers


def test_without_a_unit_manager_the_next_manager_up_receives_it(city):
    RoleAssignment.objects.filter(user=city.manager).update(active=False)
    routing = file_report(city).routing
    assert city.head_north in routing.handlers and city.manager not in routing.handlers


def test_a_report_about_a_colleague_or_manager_bypasses_the_units_management(city):
    receipt = file_report(city, source=Source.objects.get(code="intern"))
    assert receipt.incident.bypasses_management
    assert receipt.routing.handlers == [city.security, city.hr]
    assert receipt.routing.informed == []
    assert city.manager not in receipt.routing.everyone and city.head_north not in receipt.routing.everyone


def test_a_report_about_an_elected_official_bypasses_management_too(city):
    receipt = file_report(city, source=Source.objects.get(code="fortroendevald"))
    assert receipt.incident.bypasses_management and city.manager not in receipt.routing.everyone


def test_vet_inte_means_not_to_the_managers_unless_the_reporter_says_they_may_see_it(
        city, django_capture_on_commit_callbacks):
    unknown = Source.objects.get(code="okand")
    mail.outbox.clear()
    receipt = file_report(city, capture=django_capture_on_commit_callbacks, source=unknown)
    assert receipt.incident.bypasses_management
    assert receipt.routing.handlers == [city.security, city.hr]
    assert sorted(a for m in routed() for a in m.to) == sorted([city.security.email, city.hr.email])
    allowed = file_report(city, source=unknown, manager_may_see=True)
    assert not allowed.incident.bypasses_management and city.manager in allowed.routing.handlers


def test_a_report_without_any_source_does_not_reach_the_managers(city):
    receipt = file_report(city, source=None)
    assert receipt.incident.bypasses_management and city.manager not in receipt.routing.everyone


@pytest.mark.parametrize("code", ["intern", "fortroendevald"])
def test_saying_the_manager_may_see_it_never_opens_an_internal_report_to_them(city, code):
    receipt = file_report(city, source=Source.objects.get(code=code), manager_may_see=True)
    assert receipt.incident.bypasses_management
    assert city.manager not in receipt.routing.everyone and city.head_north not in receipt.routing.everyone


@pytest.mark.parametrize("code, may_see", [("brukare", False), ("intern", False), ("okand", False),
                                           ("okand", True), ("fortroendevald", True)])
@pytest.mark.parametrize("identity", list(Incident.IdentityMode.values))
def test_the_recipients_shown_before_sending_are_those_the_report_goes_to(city, code, may_see, identity):
    source = Source.objects.get(code=code)
    for reporter in (city.employee, city.manager):
        shown = services.preview_routing(reporter=reporter, unit=city.north_a, identity_mode=identity,
                                         bypass=routing.decide_bypass(source, may_see))
        sent = file_report(city, reporter=reporter, source=source, manager_may_see=may_see,
                           identity_mode=identity).routing
        assert (shown.handlers, shown.informed, shown.bypass) == (sent.handlers, sent.informed, sent.bypass)
        assert routing.signature(shown) == routing.signature(sent)
        assert routing.describe(shown) == routing.describe(sent)


def test_the_recipients_in_words_name_each_person_and_role(city):
    normal = services.preview_routing(reporter=city.employee, unit=city.north_a, bypass=False)
    bypassed = services.preview_routing(reporter=city.employee, unit=city.north_a, bypass=True)
    assert routing.describe(normal)["handlers"] == f"{city.manager} (chef), {city.security} (säkerhetssamordnare)"
    assert routing.describe(normal)["informed"] == f"{city.safety} (skyddsombud)"
    assert routing.describe(bypassed) == {
        "handlers": f"{city.security} (säkerhetssamordnare), {city.hr} (HR)", "informed": "", "bypass": True}
    assert routing.signature(normal) != routing.signature(bypassed)


def test_who_would_reach_an_unsaved_case_agrees_with_the_access_querysets(city):
    """access.would_reach reads the rules of visible_incidents and
    handleable_incidents in Python for a report not yet sent; the two must
    never drift apart."""
    from incidents import access
    from organisation.models import User

    cases = [city.named, city.confidential, city.anonymous, city.bypassed, city.north_b_case, city.south_case]
    for person in User.objects.all():
        for case in cases:
            assert access.would_reach(person, case, handle=False) == \
                access.visible_incidents(person).filter(pk=case.pk).exists(), (person, case)
            assert access.would_reach(person, case, handle=True) == \
                access.handleable_incidents(person).filter(pk=case.pk).exists(), (person, case)


def test_a_reporting_manager_is_not_sent_their_own_report(city):
    receipt = file_report(city, reporter=city.manager)
    assert city.manager not in receipt.routing.everyone


def test_everyone_routed_to_can_open_the_case(city):
    from incidents import access
    for source in ("brukare", "intern"):
        receipt = file_report(city, source=Source.objects.get(code=source))
        for person in receipt.routing.everyone:
            assert access.visible_incidents(person).filter(pk=receipt.incident.pk).exists()


def test_routing_asks_the_same_few_queries_however_many_hold_the_roles(city):
    """Who receives a report is read in a few queries (the assignments on
    the chain above the unit, the holders' own assignments), not one or
    more per person: the report form asks it while the reporter waits. Then
    it is kept (organisation.catalogue) and asks nothing, until a role
    changes."""
    from django.core.cache import caches
    from django.test.utils import CaptureQueriesContext

    case = file_report(city).incident

    def count(cold=True):
        case.unit.refresh_from_db()
        if cold:
            caches["fragments"].clear()
        with CaptureQueriesContext(connection) as queries:
            found = routing.route(case)
        return len(queries), found

    before, few = count()
    assert count(cold=False)[0] == 0
    for n in range(6):
        user(f"chef{n}_norr", (Role.MANAGER, city.north_a), (Role.SAFETY_REP, city.north))
        user(f"samordnare{n}_norr", (Role.SECURITY_COORDINATOR, city.north))
    kept, many = count(cold=False)     # the new holders renewed the stamp
    after, _ = count()
    assert before == after <= 4 and kept == after
    assert len(many.handlers) == len(few.handlers) + 12
    assert {u.username for u in many.handlers} >= {"chef0_norr", "samordnare5_norr"}


def test_routing_e_mails_say_nothing_about_the_case(city, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    incident = file_report(city, capture=django_capture_on_commit_callbacks,
                           identity_mode=Incident.IdentityMode.CONFIDENTIAL).incident
    recipients = sorted(a for m in routed() for a in m.to)
    assert recipients == sorted([city.manager.email, city.security.email, city.safety.email])
    for message in routed():
        text = message.subject + message.body
        assert incident.reference in text and f"/arenden/{incident.pk}/" in text
        for secret in ("hen vet var jag bor", city.employee.first_name, city.employee.username,
                       "Hot", "Brukare", city.north_a.name):
            assert secret not in text


def test_bypass_e_mails_go_to_coordinator_and_hr_only(city, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    file_report(city, capture=django_capture_on_commit_callbacks, source=Source.objects.get(code="intern"))
    assert sorted(a for m in routed() for a in m.to) == sorted([city.security.email, city.hr.email])


def test_a_mail_server_failure_does_not_lose_the_report(city, django_capture_on_commit_callbacks, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    receipt = file_report(city, capture=django_capture_on_commit_callbacks)
    assert Incident.unscoped.filter(pk=receipt.incident.pk).exists()


def test_support_contacts_are_the_districts_coordinator_and_hr(city):
    contacts = routing.support_contacts(city.north_a)
    assert [person for _, person in contacts] == [city.security, city.hr]


def test_acknowledgement_is_due_one_working_day_later(city):
    incident = file_report(city).incident
    # Friday 10:00 → Monday 10:00.
    incident.reported_at = timezone.make_aware(timezone.datetime(2025, 3, 14, 10, 0))
    deadline = ack_deadline(incident.reported_at)
    assert (deadline.weekday(), deadline.hour) == (0, 10)


# --- the reporter's unit -----------------------------------------------------------

def test_the_home_unit_is_the_employee_assignment(city):
    assert services.home_unit(city.employee) == city.north_a
    assert services.home_unit(city.manager_b) == city.north_b
    assert services.home_unit(city.nobody) is None


def test_the_unit_list_is_the_employees_own_administration(city):
    groups = services.unit_groups(city.employee)
    units = [u for _, us in groups for u in us]
    assert city.north_a in units and city.north_b in units
    assert city.south_a not in units and city.north not in units


def test_the_whole_organisation_is_listed_for_the_public_form_or_on_request(city):
    for groups in (services.unit_groups(None), services.unit_groups(city.employee, everything=True)):
        units = [u for _, us in groups for u in us]
        assert city.south_a in units and city.north_a in units


# --- drafts ------------------------------------------------------------------------

def test_a_draft_keeps_what_was_typed(city):
    from django.http import QueryDict
    q = QueryDict(mutable=True)
    q.update({"description": "Halvfärdig text", "identity_mode": "named", "token": str(uuid.uuid4())})
    q.setlist("forms", ["1", "2"])
    drafts.save_draft(city.employee, q)
    draft = ReportDraft.objects.get(user=city.employee)
    assert draft.data["description"] == "Halvfärdig text" and draft.data["forms"] == ["1", "2"]


def test_an_anonymous_draft_is_never_stored_on_the_server(city):
    from django.http import QueryDict
    ReportDraft.objects.create(user=city.employee, data={"description": "tidigare"})
    q = QueryDict("description=Hemligt&identity_mode=anonymous")
    assert drafts.save_draft(city.employee, q) is None
    assert not ReportDraft.objects.filter(user=city.employee).exists()
    assert "Hemligt" not in repr(list(ReportDraft.objects.values()))


def test_a_draft_of_an_already_sent_form_is_dropped(city):
    from django.http import QueryDict
    token = uuid.uuid4()
    services.create_report(reporter=city.employee, data=data(city), token=token)
    drafts.save_draft(city.employee, QueryDict(f"description=sent&token={token}"))
    assert not ReportDraft.objects.filter(user=city.employee).exists()


# --- messages ----------------------------------------------------------------------

def test_a_handlers_message_is_audited_and_e_mailed_to_the_reporter_without_content(
        city, django_capture_on_commit_callbacks):
    incident = file_report(city).incident
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message = thread.post_message(incident, body="Kan du berätta mer?", author=city.manager,
                                         by_reporter=False)
    entry = AuditEntry.objects.get(action="message.create", object_id=str(message.pk))
    assert entry.actor == city.manager and entry.changes["body"] == [
        None, {"hmac": text_digest("Kan du berätta mer?"), "len": 19}]
    assert [m.to for m in mail.outbox] == [[city.employee.email]]
    assert "Kan du berätta mer" not in mail.outbox[0].body
    assert f"/mina-rapporter/{incident.pk}/" in mail.outbox[0].body


def test_an_anonymous_reporters_message_has_no_author(city, django_capture_on_commit_callbacks):
    incident = file_report(city, identity_mode=Incident.IdentityMode.ANONYMOUS).incident
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message = thread.post_message(incident, body="Svar", author=city.employee, by_reporter=True)
    assert message.author is None
    from audit.log import release_anonymous
    release_anonymous(now=timezone.now() + timedelta(hours=1))  # the timer, once the hour has ended
    entry = AuditEntry.objects.get(action="message.create", object_id=str(message.pk))
    assert entry.actor is None and entry.actor_label == "anonym rapportör"
    assert sorted(a for m in mail.outbox for a in m.to) == sorted([city.manager.email, city.security.email])


def test_the_reporters_message_goes_to_the_assigned_handler_only(city, django_capture_on_commit_callbacks):
    incident = file_report(city).incident
    Incident.unscoped.filter(pk=incident.pk).update(assigned_to=city.security)
    incident.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        thread.post_message(incident, body="Tillägg", author=city.employee, by_reporter=True)
    assert [m.to for m in mail.outbox] == [[city.security.email]]


def test_the_confidential_reporter_is_rapportoren_to_the_manager_but_named_to_the_coordinator(city):
    incident = file_report(city, identity_mode=Incident.IdentityMode.CONFIDENTIAL).incident
    message = thread.post_message(incident, body="Hej", author=city.employee, by_reporter=True)
    assert thread.message_label(message, city.manager, incident, viewer_is_reporter=False) == "Rapportören"
    assert str(city.employee) in thread.message_label(message, city.security, incident, viewer_is_reporter=False)
    assert thread.message_label(message, city.employee, incident, viewer_is_reporter=True) == "Du"


def test_a_handler_message_must_have_an_author(city):
    from django.db import IntegrityError, transaction
    incident = file_report(city).incident
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(incident=incident, body="x", by_reporter=False, author=None)


def test_a_user_without_an_email_address_is_simply_not_mailed(city, django_capture_on_commit_callbacks):
    city.manager.email = ""
    city.manager.save()
    mail.outbox.clear()
    file_report(city, capture=django_capture_on_commit_callbacks)
    assert city.manager.email not in [a for m in mail.outbox for a in m.to]
    assert len(routed()) == 2


def test_the_nearest_coordinator_can_be_at_city_level(city):
    RoleAssignment.objects.filter(user=city.security).update(active=False)
    citywide = user("security_city", (Role.SECURITY_COORDINATOR, city.city))
    routing = file_report(city).routing
    assert citywide in routing.handlers
