"""Every page of the reporting flow: who may use it (the persona who may, one
who may not → 404, a visitor without login → login page), bad input, the
anonymous paths and their rate limits, and the confidential reporter kept
from the handler."""
import re
import time
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from incidents.models import Incident, InfluenceForm, Message, ReportDraft, Source
from reporting import receipts, services, thread

pytestmark = pytest.mark.django_db

REPORT = reverse("reporting:report")
PUBLIC = reverse("reporting:report_anonymous")
FOLLOWUP = reverse("reporting:followup")
RECIPIENTS = reverse("reporting:recipients")


def form_data(city, **overrides):
    now = timezone.localtime()
    values = {
        "description": "Brukaren sa: ”Jag vet var du bor.”",
        "forms": [InfluenceForm.objects.get(code="hot").pk],
        "occurred_date": now.date().isoformat(),
        "occurred_time": (now - timedelta(minutes=30)).strftime("%H:%M") if now.hour else "00:00",
        "unit": city.north_a.pk,
        "identity_mode": "named",
        "source": Source.objects.get(code="brukare").pk,
        "police_status": "undecided",
        "token": str(uuid.uuid4()),
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def seen(client, values, url=REPORT, **extra):
    """The recipients fingerprint the form's script puts in the form after
    showing who will receive the report (the recipients endpoint)."""
    body = {**values, **({"anonymous_only": "1"} if url == PUBLIC else {})}
    return client.post(RECIPIENTS, body, **extra).json()["seen"]


def shown(client, city, url=REPORT, **overrides):
    """The form's values with the fingerprint of the recipients shown, as a
    browser with the script sends them."""
    values = form_data(city, **overrides)
    if "recipients_seen" not in overrides:
        values["recipients_seen"] = seen(client, values, url)
    return values


def html(response):
    return response.content.decode()


def no_csrf(text):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def send(client, city, url=REPORT, **overrides):
    return client.post(url, shown(client, city, url, **overrides))


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
    assert len(mail.outbox) == 4  # manager, coordinator, safety representative, and the reporter's receipt
    assert [m.to for m in mail.outbox if "har kommit in" in m.subject] == [[city.employee.email]]


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
    values = shown(client, city)
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
    code = re.search(r"<strong[^>]*>([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})</strong>", html(response)).group(1)
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


def test_a_nul_pasted_into_the_description_is_refused_at_the_field_and_the_rest_kept(login, city):
    """A browser's form submission (Sec-Fetch-Mode: navigate) reaches the form,
    which says it at the field; scripts and crafted requests get a 400."""
    client = login(city.employee)
    values = form_data(city, description="Hot\x00 i telefon", location="Receptionen")
    values["recipients_seen"] = seen(client, form_data(city, location="Receptionen"))
    response = client.post(REPORT, values, HTTP_SEC_FETCH_MODE="navigate")
    text = html(response)
    assert response.status_code == 200 and 'class="error-summary"' in text
    assert not Incident.unscoped.filter(description__contains="i telefon").exists()
    assert 'value="Receptionen"' in text
    refused = client.post(REPORT, values)
    assert refused.status_code == 400 and "styrtecken" in html(refused)


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
    other = shown(client, city, PUBLIC)
    assert client.post(PUBLIC, other, REMOTE_ADDR="198.51.100.9").status_code == 200
    assert Incident.unscoped.filter(description__startswith="Brukaren sa").count() == 3


def test_no_ip_address_is_stored_anywhere_for_an_anonymous_report(client, city, caplog):
    caplog.set_level("DEBUG")
    ip = "203.0.113.77"
    values = form_data(city)
    values["recipients_seen"] = seen(client, values, PUBLIC, REMOTE_ADDR=ip)
    response = client.post(PUBLIC, values, REMOTE_ADDR=ip)
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
    from audit.log import release_anonymous
    release_anonymous(now=timezone.now() + timedelta(hours=1))  # the timer, once the hour has ended
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
    assert "Konfidentiell rapportör" in text


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


# --- the routing question: who it was, and who receives the report -----------------

ABOUT_MANAGER = "Min chef pressade mig att bevilja bistånd till hans släkting, trots att han inte hade rätt till det."


def source_pk(code):
    return Source.objects.get(code=code).pk


def the_report(text=ABOUT_MANAGER):
    return Incident.unscoped.get(description=text)


def mailed(django_capture_on_commit_callbacks, client, url, values):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, values)
    # The report's recipients; the reporter's own receipt is not routing.
    return response, sorted(a for m in mail.outbox for a in m.to if m.subject != "Värn: din rapport har kommit in")


def test_the_routing_question_is_asked_before_sending_not_among_the_optional_fields(login, city):
    text = html(login(city.employee).get(REPORT))
    question = text.index('name="source"')
    assert text.index("Vem utövade påverkan?") < question < text.index('<details class="more"')
    assert question > text.index('name="unit"')
    # One "don't know" answer: the empty choice and "Okänd" were the same thing.
    fieldset = text[text.index("data-source-question"):text.index("</fieldset>", question)]
    assert fieldset.count("Vet inte / vill inte säga") >= 1
    assert "Vet inte / vill inte ange" not in fieldset and "Okänd" not in fieldset
    assert fieldset.count('name="source"') == Source.objects.filter(active=True).count()
    assert "checked" not in re.sub(r'name="manager_may_see"[^>]*>', "", fieldset)  # nothing answered for them
    # The answers that pass the managers say so.
    assert "Rapporten går förbi enhetens chefer, till säkerhetssamordnare och HR." in text
    # Who receives it, before sending, for the pre-filled unit.
    assert "Vem får rapporten?" in text
    assert f"{city.manager} (chef)" in text and f"{city.hr} (HR)" in text


def test_the_routing_question_must_be_answered(login, city):
    response = send(login(city.employee), city, source="")
    assert "Välj vem som utövade påverkan" in html(response) and 'href="#id_source_0"' in html(response)
    assert not Incident.unscoped.filter(description__startswith="Brukaren sa").exists()


def test_vet_inte_keeps_a_report_about_ones_own_manager_from_the_manager(
        login, city, django_capture_on_commit_callbacks):
    """The issue's report: about the manager, sent with the quickest answer."""
    client = login(city.employee)
    values = shown(client, city, description=ABOUT_MANAGER, forms=[InfluenceForm.objects.get(code="korruption").pk],
                   source=source_pk("okand"))
    response, to = mailed(django_capture_on_commit_callbacks, client, REPORT, values)
    assert response.status_code == 302
    incident = the_report()
    assert incident.bypasses_management and incident.source.code == "okand"
    assert to == sorted([city.security.email, city.hr.email])
    assert login(city.manager).get(reverse("casework:detail", args=[incident.pk])).status_code == 404


def test_vet_inte_reaches_the_manager_when_the_reporter_says_they_may_see_it(login, city):
    send(login(city.employee), city, source=source_pk("okand"), manager_may_see="on")
    incident = Incident.unscoped.get(description__startswith="Brukaren sa")
    assert not incident.bypasses_management
    assert login(city.manager).get(reverse("casework:detail", args=[incident.pk])).status_code == 200


def test_a_text_about_the_manager_with_another_answer_is_asked_about_before_sending(
        login, city, django_capture_on_commit_callbacks):
    client = login(city.employee)
    values = shown(client, city, description=ABOUT_MANAGER, source=source_pk("brukare"), location="Kontoret")
    response = client.post(REPORT, values)
    text = html(response)
    assert response.status_code == 200 and not Incident.unscoped.filter(description=ABOUT_MANAGER).exists()
    assert "Du skrev ”Min chef pressade”. Gäller det din chef eller en kollega? Välj då ”Chef eller kollega”" in text
    assert 'href="#id_source_0"' in text
    # Everything typed is kept, and the confirmation box is there.
    assert ABOUT_MANAGER in text and 'value="Kontoret"' in text
    assert 'name="source_confirmed"' in text and "data-source-confirm hidden" not in text
    # Both possible sets of recipients are shown, so either answer can be sent at once.
    assert f"{city.manager} (chef)" in text and f"{city.hr} (HR)" in text
    seen_now = re.search(r'name="recipients_seen" value="([^"]*)"', text).group(1)

    # The reporter picks "Chef eller kollega": sent past the managers.
    values.update(source=source_pk("intern"), recipients_seen=seen_now)
    response, to = mailed(django_capture_on_commit_callbacks, client, REPORT, values)
    assert response.status_code == 302
    assert the_report().bypasses_management and to == sorted([city.security.email, city.hr.email])


def test_the_reporter_may_confirm_that_the_answer_stands(login, city):
    client = login(city.employee)
    text = "Brukaren skrek att min chef är korrupt och hotade att anmäla mig."
    values = shown(client, city, description=text, source=source_pk("brukare"))
    assert client.post(REPORT, values).status_code == 200
    values["source_confirmed"] = "on"
    assert client.post(REPORT, values).status_code == 302
    assert not Incident.unscoped.get(description=text).bypasses_management


def test_no_question_when_the_answer_already_passes_the_managers(login, city):
    for code in ("intern", "okand"):
        response = send(login(city.employee), city, description=f"{ABOUT_MANAGER} {code}", source=source_pk(code))
        assert response.status_code == 302, code


def test_without_the_script_the_server_shows_the_recipients_before_sending(login, city):
    """The page without its script cannot update who receives the report when
    the unit changes: the server shows them and asks for one more press."""
    client = login(city.employee)
    page = html(client.get(REPORT))
    seen_on_page = re.search(r'name="recipients_seen" value="([^"]*)"', page).group(1)
    assert len(seen_on_page.split()) == 2     # both answers' recipients, for the pre-filled unit
    # The pre-filled unit: sent at once, to the people the page showed.
    assert client.post(REPORT, form_data(city, recipients_seen=seen_on_page)).status_code == 302

    # Another unit: not sent; the recipients of that unit are shown.
    values = form_data(city, unit=city.south_a.pk, recipients_seen=seen_on_page,
                       description="Hände på södra enheten.")
    response = client.post(REPORT, values)
    text = html(response)
    assert response.status_code == 200 and not Incident.unscoped.filter(description="Hände på södra enheten.").exists()
    assert "Rapporten är inte skickad än" in text and "data-confirm-step" in text
    assert f"Går till:</strong> {city.manager_south} (chef), {city.security_south} (säkerhetssamordnare)" in text
    assert 'class="error-summary"' not in text
    values["recipients_seen"] = re.search(r'name="recipients_seen" value="([^"]*)"', text).group(1)
    assert client.post(REPORT, values).status_code == 302


def test_a_report_is_never_sent_to_recipients_the_page_did_not_show(login, city):
    client = login(city.employee)
    # What was shown for "Chef eller kollega" does not send a report for a client.
    values = shown(client, city, source=source_pk("intern"))
    values["source"] = source_pk("brukare")
    assert client.post(REPORT, values).status_code == 200
    assert not Incident.unscoped.filter(description__startswith="Brukaren sa").exists()
    values["recipients_seen"] = "forged"
    assert client.post(REPORT, values).status_code == 200
    assert not Incident.unscoped.filter(description__startswith="Brukaren sa").exists()


@pytest.mark.parametrize("url, identity", [(REPORT, "named"), (REPORT, "confidential"), (REPORT, "anonymous"),
                                           (PUBLIC, "anonymous")])
@pytest.mark.parametrize("code", ["intern", "fortroendevald", "okand"])
@pytest.mark.parametrize("script", [True, False])
def test_no_internal_report_reaches_the_units_managers_on_any_path(
        login, client, city, django_capture_on_commit_callbacks, url, identity, code, script):
    """Named, confidential and anonymous, logged in or on the public form, with
    the script (the recipients previewed) or without (the server's
    confirmation step), and a retried submission."""
    browser = login(city.employee) if url == REPORT else client
    values = form_data(city, description=ABOUT_MANAGER, identity_mode=identity, source=source_pk(code))
    if script:
        values["recipients_seen"] = seen(browser, values, url)
    else:
        page = html(browser.post(url, values))
        assert "Rapporten är inte skickad än" in page or not Incident.unscoped.filter(description=ABOUT_MANAGER).exists()
        values["recipients_seen"] = re.search(r'name="recipients_seen" value="([^"]*)"', page).group(1)
    response, to = mailed(django_capture_on_commit_callbacks, browser, url, values)
    assert response.status_code in (200, 302) and "Tack" in html(browser.get(response["Location"])
                                                                  if response.status_code == 302 else response)
    incident = the_report()
    assert incident.bypasses_management
    assert to == sorted([city.security.email, city.hr.email])
    for manager in (city.manager, city.head_north):
        assert not access_visible(manager, incident)
    # A retry of the same submission returns the same report and sends nothing.
    response, to = mailed(django_capture_on_commit_callbacks, browser, url, values)
    assert Incident.unscoped.filter(description=ABOUT_MANAGER).count() == 1 and to == []


def access_visible(user, incident):
    from incidents import access
    return access.visible_incidents(user).filter(pk=incident.pk).exists()


def test_a_restored_draft_keeps_the_answer_and_its_recipients(login, city, django_capture_on_commit_callbacks):
    client = login(city.employee)
    client.post(reverse("reporting:draft_save"), form_data(city, description=ABOUT_MANAGER, source=source_pk("intern"),
                                                           token=str(uuid.uuid4())))
    page = html(client.get(REPORT))
    intern = re.search(r'<input type="radio" name="source" value="%d"[^>]*>' % source_pk("intern"), page).group(0)
    assert "checked" in intern and ABOUT_MANAGER in page
    assert f"Går till:</strong> {city.security} (säkerhetssamordnare), {city.hr} (HR)" in page
    assert f"{city.manager} (chef)" not in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    seen_on_page = re.search(r'name="recipients_seen" value="([^"]*)"', page).group(1)
    values = form_data(city, description=ABOUT_MANAGER, source=source_pk("intern"), token=token,
                       recipients_seen=seen_on_page)
    response, to = mailed(django_capture_on_commit_callbacks, client, REPORT, values)
    assert response.status_code == 302 and the_report().bypasses_management
    assert to == sorted([city.security.email, city.hr.email])


def test_the_recipients_endpoint_says_who_receives_it_and_asks_about_the_text(client, login, city):
    employee = login(city.employee)
    answer = employee.post(RECIPIENTS, {"unit": city.north_a.pk, "source": source_pk("brukare")})
    assert answer.status_code == 200 and "no-store" in answer["Cache-Control"]
    body = answer.json()
    assert f"{city.manager} (chef), {city.security} (säkerhetssamordnare)" in body["html"]
    assert f"{city.safety} (skyddsombud)" in body["html"] and body["hint"] is None
    assert len(body["seen"].split()) == 1

    bypassed = employee.post(RECIPIENTS, {"unit": city.north_a.pk, "source": source_pk("okand")}).json()
    assert str(city.manager) not in bypassed["html"] and f"{city.hr} (HR)" in bypassed["html"]
    allowed = employee.post(RECIPIENTS, {"unit": city.north_a.pk, "source": source_pk("okand"),
                                         "manager_may_see": "on"}).json()
    assert f"{city.manager} (chef)" in allowed["html"]

    asked = employee.post(RECIPIENTS, {"unit": city.north_a.pk, "source": source_pk("brukare"),
                                       "description": ABOUT_MANAGER}).json()
    assert asked["hint"]["pk"] == source_pk("intern") and asked["hint"]["button"] == "Välj ”Chef eller kollega”"
    assert "Du skrev ”Min chef pressade”" in asked["hint"]["text"] and asked["hint"]["confirm_text"]
    not_yet = employee.post(RECIPIENTS, {"unit": city.north_a.pk, "description": ABOUT_MANAGER}).json()
    assert not_yet["hint"]["confirm_text"] == "" and len(not_yet["seen"].split()) == 2
    assert employee.post(RECIPIENTS, {"unit": city.north_a.pk, "source": source_pk("intern"),
                                      "description": ABOUT_MANAGER}).json()["hint"] is None

    # The public anonymous form uses it without logging in.
    public = client.post(RECIPIENTS, {"unit": city.north_a.pk, "source": source_pk("intern"), "anonymous_only": "1"})
    assert public.status_code == 200 and f"{city.hr} (HR)" in public.json()["html"]


@pytest.mark.parametrize("values", [{}, {"unit": "abc"}, {"unit": "9" * 30}, {"source": "<b>"},
                                    {"unit": "1", "source": "-1", "identity_mode": "x"}, {"description": "x" * 100_000}])
def test_the_recipients_endpoint_survives_absurd_input(client, city, values):
    response = client.post(RECIPIENTS, values)
    assert response.status_code == 200 and "html" in response.json()


def test_the_recipients_endpoint_needs_post_and_is_rate_limited(client, city):
    from reporting import views

    assert client.get(RECIPIENTS).status_code == 405
    limit = int(views.RECIPIENTS_RATE.split("/")[0])
    # The limit counts in fixed windows on the minute (varn.ratelimits): a
    # burst that crosses one starts again from nothing, so it begins early
    # in a window, with time for the 61 requests on a loaded machine.
    left = 60 - time.time() % 60
    if left < 25:
        time.sleep(left + 0.05)
    statuses = [client.post(RECIPIENTS, {"unit": city.north_a.pk}).status_code for _ in range(limit + 1)]
    assert statuses[:limit] == [200] * limit and statuses[-1] == 429


# --- the receipt and one's own pages ----------------------------------------------------

def test_the_receipt_of_a_report_about_the_manager_does_not_send_the_reporter_to_the_manager(login, city):
    client = login(city.employee)
    response = send(client, city, description=ABOUT_MANAGER, source=source_pk("intern"))
    text = html(client.get(response["Location"]))
    assert "gått förbi enhetens chefer" in text
    assert "HR hjälper dig att boka" in text and "din chef hjälper" not in text
    normal = send(client, city, description="Brukaren sa att hen vet var jag bor.")
    assert "HR eller din chef hjälper dig att boka" in html(client.get(normal["Location"]))


def test_the_anonymous_receipt_has_a_copy_button_for_the_code(client, city):
    text = html(send(client, city, url=PUBLIC))
    code = re.search(r'<strong id="receipt-code">([0-9A-Z-]{19})</strong>', text).group(1)
    assert receipts.normalise_code(code) == code
    assert 'data-copy="receipt-code"' in text and "Kopiera koden" in text
    # Without the script the button stays hidden and the code is plain text to write down.
    assert re.search(r'<button[^>]*data-copy="receipt-code"[^>]*hidden', text)
    assert "Skriv ned eller fotografera koden nu." in text


def test_a_report_just_sent_has_a_calm_badge_on_the_reporters_own_pages(login, city):
    client = login(city.employee)
    for url in (reverse("reporting:mine"), reverse("reporting:mine_detail", args=[city.named.pk]), reverse("home")):
        assert 'class="status status-own status-new"' in html(client.get(url)), url
