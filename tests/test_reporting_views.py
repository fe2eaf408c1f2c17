"""Every page of the reporting flow: who may use it (the persona who may, one
who may not → 404, a visitor without login → login page), bad input, the
anonymous paths and their rate limits, and the confidential reporter kept
from the handler."""
import re
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from reporting import receipts, services, thread
from incidents.models import Incident, InfluenceForm, Message, ReportDraft, Source

pytestmark = pytest.mark.django_db

REPORT = reverse("reporting:report")
PUBLIC = reverse("reporting:report_anonymous")
FOLLOWUP = reverse("reporting:followup")


def form_data(city, **overrides):
    now = timezone.localtime()
    values = {
        "description": "Brukaren sa: ”Jag vet var du bor.”",
        "forms": [InfluenceForm.objects.get(code="hot").pk],
        "occurred_date": now.date().isoformat(),
        "occurred_time": (now - timedelta(minutes=30)).strftime("%H:%M") if now.hour else "00:00",
        "unit": city.north_a.pk,
        "identity_mode": "named",
        "police_status": "undecided",
        "token": str(uuid.uuid4()),
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def html(response):
    return response.content.decode()


def no_csrf(text):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def send(client, city, url=REPORT, **overrides):
    return client.post(url, form_data(city, **overrides))


# --- the form --------------------------------------------------------------------

def test_the_form_asks_a_visitor_to_log_in(client, city):
    response = client.get(REPORT)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_form_is_pre_filled_with_now_and_the_employees_unit(login, city):
    response = login(city.employee).get(REPORT)
    text = html(response)
    assert response.status_code == 200
    assert f'<option value="{city.north_a.pk}" data-area="{city.north_a.operation_area_id}" selected>' in text
    assert f'value="{timezone.localdate().isoformat()}"' in text
    assert 'value="named" id="id_identity_mode_0"' in text and "checked" in text
    for term in InfluenceForm.objects.filter(active=True):
        assert term.label in text and term.description in text
    assert reverse("knowledge:forms") in text
    assert city.south_a.name not in text


def test_no_text_field_cuts_a_pasted_text_silently(login, city):
    """A maxlength would make the browser drop the end of a pasted text without
    a word; the server says how long it may be instead."""
    html = login(city.employee).get(reverse("reporting:report")).content.decode()
    for name in ("description", "location", "police_reason"):
        tag = html[html.index(f'name="{name}"') - 300:html.index(f'name="{name}"') + 300]
        tag = tag[tag.rindex("<", 0, 300):tag.index(">", 300)]
        assert "maxlength" not in tag, (name, tag)


def test_the_form_offers_every_unit_on_request(login, city):
    text = html(login(city.employee).get(REPORT + "?alla-enheter=1"))
    assert city.south_a.name in text


def test_the_form_refuses_other_methods(login, city):
    assert login(city.employee).put(REPORT).status_code == 405


def test_a_valid_named_report_leads_to_its_receipt(login, city, django_capture_on_commit_callbacks):
    client = login(city.employee)
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, city)
    incident = Incident.unscoped.get(description__startswith="Brukaren sa")
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:receipt", args=[incident.pk])
    receipt = html(client.get(response["Location"]))
    assert incident.reference in receipt
    assert "inom en arbetsdag" in receipt
    assert str(city.security) in receipt and str(city.hr) in receipt  # support contacts
    assert "polisanmälas" in receipt
    assert len(mail.outbox) == 3


def test_the_receipt_is_only_for_the_reporter(login, city, client):
    incident = services.create_report(reporter=city.employee, token=uuid.uuid4(), data={
        "unit": city.north_a, "occurred_at": timezone.now(), "description": "x",
        "forms": InfluenceForm.objects.filter(code="hot")}).incident
    url = reverse("reporting:receipt", args=[incident.pk])
    assert client.get(url).status_code == 302
    assert login(city.colleague).get(url).status_code == 404
    assert login(city.manager).get(url).status_code == 404  # may handle the case, but it is not their receipt
    assert login(city.employee).get(url).status_code == 200


def test_a_double_submission_creates_one_report(login, city):
    client = login(city.employee)
    values = form_data(city)
    first = client.post(REPORT, values)
    second = client.post(REPORT, values)
    assert first["Location"] == second["Location"]
    assert Incident.unscoped.filter(description__startswith="Brukaren sa").count() == 1


def test_a_confidential_report_is_stored_with_its_reporter(login, city):
    send(login(city.employee), city, identity_mode="confidential")
    incident = Incident.unscoped.get(description__startswith="Brukaren sa")
    assert incident.identity_mode == "confidential" and incident.reporter == city.employee


def test_a_logged_in_employee_can_report_anonymously_and_sees_the_code_once(login, city):
    client = login(city.employee)
    response = send(client, city, identity_mode="anonymous")
    incident = Incident.unscoped.get(description__startswith="Brukaren sa")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    code = re.search(r"<strong>([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})</strong>", html(response)).group(1)
    assert receipts.incident_for_code(code) == incident
    assert incident.reporter is None
    # It does not appear among the employee's own reports.
    assert incident.reference not in html(client.get(reverse("reporting:mine")))


def test_the_manager_bypass_is_set_from_the_source(login, city):
    send(login(city.employee), city, source=Source.objects.get(code="intern").pk)
    incident = Incident.unscoped.get(description__startswith="Brukaren sa")
    assert incident.bypasses_management
    assert login(city.manager).get(reverse("casework:detail", args=[incident.pk])).status_code == 404
    assert login(city.security).get(reverse("casework:detail", args=[incident.pk])).status_code == 200


# --- bad input ---------------------------------------------------------------------

def test_an_empty_form_explains_each_missing_answer_and_keeps_the_rest(login, city):
    response = send(login(city.employee), city, description="", forms=None, location="Besöksrummet")
    text = html(response)
    assert response.status_code == 200
    assert 'role="alert"' in text and 'href="#id_description"' in text and 'href="#id_forms_0"' in text
    assert "Beskriv kort vad som hände." in text and "Välj minst en form av påverkan" in text
    assert 'value="Besöksrummet"' in text
    assert Incident.unscoped.filter(location="Besöksrummet").count() == 0


@pytest.mark.parametrize("overrides, field, message", [
    ({"occurred_date": "2999-01-01"}, "occurred_date", "Datumet har inte varit än"),
    ({"occurred_date": "1900-01-01"}, "occurred_date", "mer än fem år tillbaka"),
    ({"occurred_date": "14 mars"}, "occurred_date", "Skriv datumet som ÅÅÅÅ-MM-DD"),
    ({"occurred_date": "99999-99-99"}, "occurred_date", "Skriv datumet som ÅÅÅÅ-MM-DD"),
    ({"occurred_time": "25:99"}, "occurred_time", "Skriv klockslaget som TT:MM"),
    ({"police_status": "reported", "police_reference": "123"}, "police_reference", "inte ut som ett K-nummer"),
    ({"police_status": "reported"}, "police_reference", "Skriv K-numret"),
    ({"police_status": "declined"}, "police_reason", "Skriv kort varför"),
    ({"police_status": "maybe"}, "police_status", "Välj ett av alternativen"),
    ({"description": "å" * 5001}, "description", "högst 5000 tecken, du har skrivit 5001"),
    ({"description": "\x00"}, "description", ""),
    ({"unit": "99999999999999999999999"}, "unit", "Välj en enhet i listan"),
    ({"unit": "abc"}, "unit", "Välj en enhet i listan"),
    ({"unit": ""}, "unit", "Välj den enhet"),
    ({"forms": ["99999999999999999999"]}, "forms", "Välj bland formerna"),
    ({"forms": ["<b>"]}, "forms", "Välj bland formerna"),
    ({"identity_mode": "everyone"}, "identity_mode", "Välj ett av alternativen"),
    ({"source": "-1"}, "source", "Välj ett alternativ i listan"),
    ({"location": "x" * 201}, "location", "Platsen får vara högst 200 tecken"),
    ({"token": "not-a-uuid"}, "token", "Ladda om sidan"),
])
def test_each_invalid_answer_gets_its_own_message(login, city, overrides, field, message):
    response = send(login(city.employee), city, **overrides)
    text = html(response)
    assert response.status_code == 200
    assert 'class="error-summary"' in text
    assert message in text
    assert not Incident.unscoped.filter(description__startswith="Brukaren sa").exists()
    # Everything else typed is kept.
    if field != "description":
        assert "Brukaren sa: ”Jag vet var du bor.”" in text


def test_a_moment_in_the_future_is_rejected(login, city):
    later = timezone.localtime() + timedelta(minutes=15)
    text = html(send(login(city.employee), city, occurred_date=later.date().isoformat(),
                     occurred_time=later.strftime("%H:%M")))
    # Just before midnight "later" is tomorrow, and the date is what is wrong.
    assert "Klockslaget har inte varit än i dag" in text or "Datumet har inte varit än" in text
    assert not Incident.unscoped.filter(description__startswith="Brukaren sa").exists()


def test_a_k_number_is_tidied_and_implies_reported(login, city):
    send(login(city.employee), city, police_reference=" k 123456 - 24 ")
    incident = Incident.unscoped.get(description__startswith="Brukaren sa")
    assert incident.police_reference == "K123456-24" and incident.police_status == "reported"


def test_a_k_number_with_region_prefix_is_accepted(login, city):
    send(login(city.employee), city, police_status="reported", police_reference="5000-K1234567-25")
    assert Incident.unscoped.get(description__startswith="Brukaren sa").police_reference == "5000-K1234567-25"


def test_line_breaks_count_as_one_character_like_the_counter(login, city):
    text = ("a" * 99 + "\r\n") * 50  # 5000 characters with \n, 5050 with \r\n
    send(login(city.employee), city, description=text)
    assert Incident.unscoped.filter(description__startswith="aaa").count() == 1


def test_html_script_and_emoji_are_stored_as_text_and_shown_escaped(login, city):
    hostile = "<script>alert('x')</script><b>fet</b> 😡🔥 Ω مرحبا 你好 \u202e"
    client = login(city.employee)
    send(client, city, description=hostile, location="<img src=x onerror=alert(1)>")
    incident = Incident.unscoped.get(location__startswith="<img")
    assert incident.description == hostile
    for url, viewer in ((reverse("reporting:mine_detail", args=[incident.pk]), city.employee),
                        (reverse("casework:detail", args=[incident.pk]), city.manager)):
        text = html(login(viewer).get(url))
        assert "<script>alert" not in text and "<b>fet</b>" not in text
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text and "😡🔥" in text


# --- the public anonymous path -----------------------------------------------------

def test_the_public_form_works_without_login_and_is_always_anonymous(client, city):
    assert client.get(PUBLIC).status_code == 200
    response = send(client, city, url=PUBLIC, identity_mode="named")
    incident = Incident.unscoped.get(description__startswith="Brukaren sa")
    assert incident.identity_mode == "anonymous" and incident.reporter is None
    assert re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", html(response))


def test_the_public_form_stays_anonymous_for_a_logged_in_employee(login, city):
    send(login(city.employee), city, url=PUBLIC)
    assert Incident.unscoped.get(description__startswith="Brukaren sa").reporter is None


def test_anonymous_submissions_are_rate_limited(client, city, settings):
    settings.ANONYMOUS_REPORT_RATE = "2/h"
    for _ in range(2):
        assert send(client, city, url=PUBLIC).status_code == 200
    response = send(client, city, url=PUBLIC)
    assert response.status_code == 429 and "För många försök" in html(response)
    assert Incident.unscoped.filter(description__startswith="Brukaren sa").count() == 2
    # Another address is not affected.
    assert client.post(PUBLIC, form_data(city), REMOTE_ADDR="198.51.100.9").status_code == 200


def test_no_ip_address_is_stored_anywhere_for_an_anonymous_report(client, city, caplog):
    caplog.set_level("DEBUG")
    ip = "203.0.113.77"
    response = client.post(PUBLIC, form_data(city), REMOTE_ADDR=ip)
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", html(response)).group(0)
    client.post(FOLLOWUP, {"code": code, "body": "Ett svar"}, REMOTE_ADDR=ip)
    client.post(FOLLOWUP, {"code": "AAAA-AAAA-AAAA-AAAA"}, REMOTE_ADDR=ip)
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            assert ip not in repr(cursor.fetchall()), table
    assert ip not in caplog.text


# --- follow-up by receipt code -----------------------------------------------------

def anonymous_report(client, city):
    response = send(client, city, url=PUBLIC)
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", html(response)).group(0)
    return Incident.unscoped.get(description__startswith="Brukaren sa"), code


def test_the_follow_up_page_is_public(client, city):
    assert client.get(FOLLOWUP).status_code == 200


def test_the_receipt_code_opens_the_thread_and_a_reply_reaches_the_handlers(
        client, city, django_capture_on_commit_callbacks):
    incident, code = anonymous_report(client, city)
    thread.post_message(incident, body="Vilken tid var det?", author=city.security, by_reporter=False)
    response = client.post(FOLLOWUP, {"code": code.lower()})
    text = html(response)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert incident.reference in text and "Vilken tid var det?" in text
    assert AuditEntry.objects.filter(action="incident.view", incident=incident, actor=None,
                                     actor_label="anonym rapportör").exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FOLLOWUP, {"code": code, "body": "Runt klockan tre."})
    assert "Meddelandet är skickat" in html(response) and "Runt klockan tre." in html(response)
    message = Message.unscoped.get(body="Runt klockan tre.")
    assert message.by_reporter and message.author is None
    assert {a for m in mail.outbox for a in m.to} == {city.manager.email, city.security.email}


def test_a_wrong_code_and_a_code_that_never_existed_look_the_same(client, city):
    incident, code = anonymous_report(client, city)
    near_miss = code[:-1] + ("A" if code[-1] != "A" else "B")
    never = "ZZZZ-ZZZZ-ZZZZ-ZZZZ"
    first = client.post(FOLLOWUP, {"code": near_miss})
    second = client.post(FOLLOWUP, {"code": never})
    assert first.status_code == second.status_code == 200
    assert no_csrf(html(first)) == no_csrf(html(second))
    assert incident.reference not in html(first)


def test_a_malformed_code_gives_the_same_answer_too(client, city):
    anonymous_report(client, city)
    a = client.post(FOLLOWUP, {"code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"})
    b = client.post(FOLLOWUP, {"code": "<script>" * 3})
    assert no_csrf(html(a)) == no_csrf(html(b))


def test_an_empty_reply_keeps_the_thread_and_says_what_is_wrong(client, city):
    incident, code = anonymous_report(client, city)
    response = client.post(FOLLOWUP, {"code": code, "body": "   "})
    assert "Skriv något innan du skickar." in html(response) and incident.reference in html(response)
    assert not Message.unscoped.exists()


def test_code_guessing_is_rate_limited(client, city, monkeypatch):
    incident, code = anonymous_report(client, city)
    for i in range(10):
        client.post(FOLLOWUP, {"code": f"ZZZZ-ZZZZ-ZZZZ-ZZ{i:02d}"})
    blocked = client.post(FOLLOWUP, {"code": code})
    assert blocked.status_code == 429 and incident.reference not in html(blocked)


def test_a_code_does_not_open_a_named_report(client, city, login):
    send(login(city.employee), city)
    assert not receipts.incident_for_code("0000-0000-0000-0000")


# --- Mina rapporter ------------------------------------------------------------------

def test_my_reports_lists_only_my_own(login, city):
    text = html(login(city.employee).get(reverse("reporting:mine")))
    assert city.named.reference in text and city.confidential.reference in text
    assert city.bypassed.reference not in text      # the colleague's report
    assert city.anonymous.reference not in text     # nobody's
    assert city.south_case.reference not in text


def test_my_reports_asks_a_visitor_to_log_in(client, city):
    assert client.get(reverse("reporting:mine")).status_code == 302
    assert client.get(reverse("reporting:mine_detail", args=[city.named.pk])).status_code == 302


def test_my_report_opens_for_the_reporter_only(login, city):
    url = reverse("reporting:mine_detail", args=[city.named.pk])
    response = login(city.employee).get(url)
    assert response.status_code == 200 and "Namngiven rapport i norr" in html(response)
    assert AuditEntry.objects.filter(action="incident.view", incident=city.named, actor=city.employee).exists()
    assert login(city.colleague).get(url).status_code == 404
    assert login(city.manager).get(url).status_code == 404
    assert login(city.employee).get(reverse("reporting:mine_detail", args=[city.bypassed.pk])).status_code == 404


def test_the_reporter_writes_to_the_handler(login, city, django_capture_on_commit_callbacks):
    client = login(city.employee)
    url = reverse("reporting:mine_detail", args=[city.named.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"body": "Jag vill lägga till en sak."})
    assert response.status_code == 302
    message = Message.unscoped.get(incident=city.named)
    assert message.by_reporter and message.author == city.employee
    assert "Jag vill lägga till en sak." in html(client.get(url))


def test_a_too_long_message_is_kept_with_its_error(login, city):
    response = login(city.employee).post(reverse("reporting:mine_detail", args=[city.named.pk]),
                                         {"body": "x" * 5001})
    assert response.status_code == 200 and "Meddelandet är för långt" in html(response)
    assert "x" * 5001 in html(response)


# --- the handler's side --------------------------------------------------------------

def test_a_handler_replies_from_the_case_page(login, city, django_capture_on_commit_callbacks):
    client = login(city.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("casework:message_post", args=[city.named.pk]), {"body": "Hur mår du?"})
    assert response.status_code == 302 and response["Location"].endswith("#meddelanden")
    assert Message.unscoped.get(body="Hur mår du?").author == city.manager
    assert [m.to for m in mail.outbox] == [[city.employee.email]]
    assert "Hur mår du?" not in mail.outbox[0].body
    case = html(client.get(reverse("casework:detail", args=[city.named.pk])))
    assert "Hur mår du?" in case and 'id="meddelanden"' in case


def test_a_handlers_empty_message_is_shown_on_the_case_page_with_its_error(login, city):
    response = login(city.manager).post(reverse("casework:message_post", args=[city.named.pk]), {"body": ""})
    assert response.status_code == 200 and "Skriv något innan du skickar." in html(response)
    assert "Namngiven rapport i norr" in html(response)


def test_the_safety_rep_reads_but_may_not_write(login, city):
    response = login(city.safety).post(reverse("casework:message_post", args=[city.named.pk]), {"body": "Hej"})
    assert response.status_code == 403 and not Message.unscoped.exists()


def test_someone_outside_the_case_gets_404_when_writing(login, city, client):
    url = reverse("casework:message_post", args=[city.named.pk])
    assert login(city.manager_south).post(url, {"body": "Hej"}).status_code == 404
    assert login(city.manager).post(reverse("casework:message_post", args=[city.bypassed.pk]),
                                    {"body": "Hej"}).status_code == 404
    client.logout()
    assert client.post(url, {"body": "Hej"}).status_code == 302
    assert not Message.unscoped.exists()


def test_writing_to_a_case_requires_post(login, city):
    assert login(city.manager).get(reverse("casework:message_post", args=[city.named.pk])).status_code == 405


# --- the confidential reporter -----------------------------------------------------

def test_the_confidential_reporter_is_hidden_from_the_manager_but_not_the_coordinator(login, city):
    incident = city.confidential
    thread.post_message(incident, body="Meddelande från rapportören", author=city.employee, by_reporter=True)
    name = str(city.employee)
    manager_view = html(login(city.manager).get(reverse("casework:detail", args=[incident.pk])))
    assert "Meddelande från rapportören" in manager_view and "Rapportören" in manager_view
    assert name not in manager_view and city.employee.username not in manager_view
    coordinator_view = html(login(city.security).get(reverse("casework:detail", args=[incident.pk])))
    assert name in coordinator_view
    listing = html(login(city.manager).get(reverse("casework:list")))
    assert incident.reference in listing and name not in listing


def test_the_audit_log_masks_the_confidential_reporter(login, client, city):
    send(login(city.employee), city, identity_mode="confidential")
    incident = Incident.unscoped.get(description__startswith="Brukaren sa")
    thread.post_message(incident, body="Tillägg", author=city.employee, by_reporter=True)
    text = html(login(city.auditor).get(reverse("audit:list"), {"arende": incident.reference}))
    assert "incident.create" in text and "message.create" in text
    assert str(city.employee) not in text and city.employee.username not in text
    assert "konfidentiell rapportör" in text


# --- drafts ------------------------------------------------------------------------

def test_the_server_keeps_a_draft_and_the_form_restores_it(login, city):
    client = login(city.employee)
    token = str(uuid.uuid4())
    response = client.post(reverse("reporting:draft_save"),
                           {"description": "Påbörjad text", "forms": [1], "token": token, "identity_mode": "named"})
    assert response.status_code == 204
    text = html(client.get(REPORT))
    assert "Påbörjad text" in text and token in text and "Vi har fyllt i det du började skriva" in text


def test_an_anonymous_choice_deletes_the_server_draft(login, city):
    client = login(city.employee)
    client.post(reverse("reporting:draft_save"), {"description": "Påbörjad", "identity_mode": "named"})
    client.post(reverse("reporting:draft_save"), {"description": "Hemlig", "identity_mode": "anonymous"})
    assert not ReportDraft.objects.exists()


def test_discarding_the_draft_gives_an_empty_form(login, city):
    client = login(city.employee)
    client.post(reverse("reporting:draft_save"), {"description": "Påbörjad", "identity_mode": "named"})
    assert client.post(reverse("reporting:draft_discard"))["Location"] == REPORT
    assert "Påbörjad" not in html(client.get(REPORT))


def test_drafts_need_a_login_and_post(client, login, city):
    assert client.post(reverse("reporting:draft_save"), {"description": "x"}).status_code == 302
    assert not ReportDraft.objects.exists()
    assert login(city.employee).get(reverse("reporting:draft_save")).status_code == 405


def test_one_users_draft_never_reaches_another(login, city):
    login(city.employee).post(reverse("reporting:draft_save"), {"description": "Min text", "identity_mode": "named"})
    assert "Min text" not in html(login(city.colleague).get(REPORT))
