"""The year view, an occurrence's page and a duty's settings: who may see
and change what, validation in Swedish, and the audit trail."""
from datetime import date, timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from audit.log import text_digest
from audit.models import AuditEntry
from cycle import services
from cycle.models import Duty, DutyOccurrence
from varn.context_processors import navigation

TODAY = timezone.localdate()


@pytest.fixture
def cycle(city):
    """The test city with its standard duties since 1 January last year, so
    that both done-able and overdue occurrences exist."""
    services.ensure_standard_duties(TODAY.year, starts_on=date(TODAY.year - 1, 1, 1))
    services.ensure_occurrences(Duty.objects.all(), [TODAY.year - 1, TODAY.year])
    return city


def standard(city_node, key):
    return Duty.objects.get(node=city_node, standard_key=key)


def an_occurrence(city_node, key="action_plan_review", year=TODAY.year):
    return standard(city_node, key).occurrences.get(due_date__year=year)


def year_url(at, year=TODAY.year):
    return f"/arshjul/?enhet={at.pk}&ar={year}"


# --- who may see ------------------------------------------------------------------

def test_anonymous_visitors_are_sent_to_login_from_every_page(cycle, client):
    occ = an_occurrence(cycle.north)
    for url in ["/arshjul/", year_url(cycle.north), f"/arshjul/tillfalle/{occ.pk}/",
                f"/arshjul/uppgift/{occ.duty.pk}/", f"/arshjul/uppgift/ny/?enhet={cycle.north.pk}",
                f"/arshjul/utbildning/?enhet={cycle.north.pk}", f"/arshjul/utbildning/ny/?enhet={cycle.north.pk}"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/konto/logga-in/"), url
    response = client.post(f"/arshjul/tillfalle/{occ.pk}/", {"done_at": TODAY.isoformat(), "result_note": "x"})
    assert response.status_code == 302
    occ.refresh_from_db()
    assert not occ.is_done


@pytest.mark.parametrize("persona", ["head_north", "security", "hr", "committee", "admin"])
def test_the_districts_management_committee_and_administrators_see_its_year_view(cycle, login, persona):
    response = login(getattr(cycle, persona)).get(year_url(cycle.north))
    assert response.status_code == 200
    assert "Årlig översyn av handlingsplanen mot otillåten påverkan" in response.content.decode()


@pytest.mark.parametrize("persona", ["employee", "manager", "safety", "analyst", "auditor", "nobody",
                                     "security_south", "manager_south"])
def test_everyone_else_gets_404_for_the_district_and_its_duties(cycle, login, persona):
    client = login(getattr(cycle, persona))
    occ = an_occurrence(cycle.north)
    for url in [year_url(cycle.north), f"/arshjul/tillfalle/{occ.pk}/", f"/arshjul/uppgift/{occ.duty.pk}/",
                f"/arshjul/utbildning/?enhet={cycle.north.pk}"]:
        response = client.get(url)
        assert response.status_code == 404, (persona, url)
        assert "handlingsplanen" not in response.content.decode(), (persona, url)
    response = client.post(f"/arshjul/tillfalle/{occ.pk}/", {"done_at": TODAY.isoformat(), "result_note": "x"})
    assert response.status_code == 404
    occ.refresh_from_db()
    assert not occ.is_done


def test_a_unit_manager_has_no_view_of_the_district_cycle_but_of_their_own_unit(cycle, login):
    client = login(cycle.manager)
    assert client.get(year_url(cycle.north)).status_code == 404
    response = client.get("/arshjul/")
    assert response.status_code == 200
    body = response.content.decode()
    assert cycle.north_a.name in body
    assert "Återrapportering av arbetsmiljöhändelser" not in body


def test_the_city_view_shows_the_duties_of_every_district_with_their_names(cycle, login):
    body = login(cycle.admin).get(year_url(cycle.city)).content.decode()
    assert "Stadsövergripande lägesbild till kommunstyrelsen" in body
    assert body.count("Norra stadsdelsförvaltningen") > 1
    assert body.count("Södra stadsdelsförvaltningen") > 1


def test_without_a_node_the_view_opens_the_widest_node_the_user_covers(cycle, login):
    assert login(cycle.admin).get("/arshjul/").context["node"] == cycle.city
    assert login(cycle.hr).get("/arshjul/").context["node"] == cycle.north


@pytest.mark.parametrize("year", ["abc", "99999999999999999999999", "1700", "-1", "2026.5", "<b>"])
def test_an_unusable_year_shows_this_year_with_a_message(cycle, login, year):
    response = login(cycle.hr).get(f"/arshjul/?enhet={cycle.north.pk}&ar={year}")
    assert response.status_code == 200
    assert response.context["year"] == TODAY.year
    assert "Året måste vara mellan 2000 och" in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999999", "1 OR 1=1"])
def test_a_malformed_node_answers_404(cycle, login, value):
    assert login(cycle.hr).get(f"/arshjul/?enhet={value}").status_code == 404


def test_the_year_view_puts_each_occurrence_in_its_month_with_its_state(cycle, login):
    response = login(cycle.hr).get(year_url(cycle.north, TODAY.year - 1))
    months = response.context["overview"].months
    rereporting = [o for m in months for o in m.occurrences if o.duty.standard_key == "committee_rereporting"]
    # January reports on the autumn before, May on T1 and September on T2.
    assert [(o.due_date.month, o.period_code) for o in rereporting] == [
        (1, f"T3-{TODAY.year - 2}"), (5, f"T1-{TODAY.year - 1}"), (9, f"T2-{TODAY.year - 1}")]
    assert all(o.current_state == DutyOccurrence.State.OVERDUE for o in rereporting)
    # Action plan 1, re-reporting 3, risk analysis 1, lärstudio 2, APT 1, the two surveys 2: all overdue, none done.
    assert response.context["overview"].counts == {"done": 0, "overdue": 10, "due_soon": 0, "upcoming": 0}
    assert "Försenad" in response.content.decode()


def test_the_show_filter_keeps_only_overdue_or_open_occurrences_but_counts_all(cycle, login):
    client = login(cycle.admin)
    done = an_occurrence(cycle.north, year=TODAY.year - 1)
    services.mark_done(cycle.hr, done, done_at=done.due_date, result_note="Klart")
    for show, states in [("forsenade", {"overdue"}), ("ej-klara", {"overdue", "due_soon", "upcoming"}),
                         ("alla", {"overdue", "done"}), ("<script>", {"overdue", "done"})]:
        overview = client.get(f"{year_url(cycle.city, TODAY.year - 1)}&visa={show}").context["overview"]
        listed = {o.current_state for m in overview.months for o in m.occurrences}
        assert listed <= states and "overdue" in listed, show
        assert overview.counts["done"] == 1
    overview = client.get(f"{year_url(cycle.city, TODAY.year - 1)}&visa=forsenade").context["overview"]
    rows = {unit.code: (counts["done"], counts["overdue"]) for unit, counts, _ in overview.by_node}
    assert rows["NORR"] == (1, 9) and rows["SYD"] == (0, 10) and rows["STHLM"] == (0, 5)


def test_a_done_occurrence_shows_its_date_and_link_in_the_year_view(cycle, login):
    occ = an_occurrence(cycle.north, year=TODAY.year - 1)
    services.mark_done(cycle.hr, occ, done_at=occ.due_date, result_url="https://intranat.example/plan.pdf")
    body = login(cycle.hr).get(year_url(cycle.north, TODAY.year - 1)).content.decode()
    assert 'href="https://intranat.example/plan.pdf"' in body
    assert occ.due_date.strftime("%Y-%m-%d") in body


# --- marking done ---------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["hr", "security", "admin"])
def test_hr_security_and_administrators_may_mark_an_occurrence_done(cycle, login, persona):
    occ = an_occurrence(cycle.north)
    response = login(getattr(cycle, persona)).post(
        f"/arshjul/tillfalle/{occ.pk}/",
        {"done_at": TODAY.isoformat(), "result_url": "https://intranat.example/handlingsplan-2026"})
    assert response.status_code == 302
    occ.refresh_from_db()
    assert occ.is_done and occ.done_at == TODAY and occ.done_by == getattr(cycle, persona)


@pytest.mark.parametrize("persona", ["committee", "head_north"])
def test_viewers_who_may_not_edit_see_the_occurrence_without_a_form_and_are_refused(cycle, login, persona):
    client = login(getattr(cycle, persona))
    occ = an_occurrence(cycle.north)
    response = client.get(f"/arshjul/tillfalle/{occ.pk}/")
    assert response.status_code == 200
    assert response.context["form"] is None
    assert client.post(f"/arshjul/tillfalle/{occ.pk}/",
                       {"done_at": TODAY.isoformat(), "result_note": "x"}).status_code == 403
    assert client.post(f"/arshjul/tillfalle/{occ.pk}/oppna-igen/").status_code == 403
    assert client.get(f"/arshjul/uppgift/{occ.duty.pk}/").status_code == 403
    occ.refresh_from_db()
    assert not occ.is_done


def test_an_owner_without_a_management_role_may_mark_their_own_duty_done(cycle, login):
    duty = standard(cycle.north, "training_larstudio")
    duty.owner = cycle.employee
    duty.save()
    occ = duty.occurrences.filter(due_date__year=TODAY.year).first()
    client = login(cycle.employee)
    assert client.get(year_url(cycle.north)).status_code == 404
    assert client.get(f"/arshjul/tillfalle/{occ.pk}/").status_code == 200
    response = client.post(f"/arshjul/tillfalle/{occ.pk}/",
                           {"done_at": TODAY.isoformat(), "result_note": "Lärstudio hölls för 14 personer"})
    assert response.status_code == 302
    assert response["Location"] == f"/arshjul/tillfalle/{occ.pk}/"
    # Another district duty of the same node stays out of reach.
    other = an_occurrence(cycle.north)
    assert client.get(f"/arshjul/tillfalle/{other.pk}/").status_code == 404


def test_marking_done_writes_the_audit_log_with_old_and_new_values(cycle, login):
    occ = an_occurrence(cycle.north)
    login(cycle.hr).post(f"/arshjul/tillfalle/{occ.pk}/",
                         {"done_at": TODAY.isoformat(), "result_url": "https://intranat.example/plan"})
    entry = AuditEntry.objects.get(action="cycle.occurrence.done")
    assert entry.actor == cycle.hr
    assert entry.object_type == "cycle.dutyoccurrence" and entry.object_id == str(occ.pk)
    assert entry.changes == {
        "status": ["open", "done"],
        "done_at": [None, TODAY.isoformat()],
        "done_by": [None, str(cycle.hr.pk)],
        "result_url": ["", "https://intranat.example/plan"],
    }


def test_changing_a_done_occurrence_and_reopening_it_are_logged(cycle, login):
    occ = an_occurrence(cycle.north)
    client = login(cycle.hr)
    client.post(f"/arshjul/tillfalle/{occ.pk}/", {"done_at": TODAY.isoformat(), "result_note": "Första"})
    client.post(f"/arshjul/tillfalle/{occ.pk}/", {"done_at": TODAY.isoformat(), "result_note": "Rättad"})
    changed = AuditEntry.objects.get(action="cycle.occurrence.changed")
    assert changed.changes == {"result_note": [{"hmac": text_digest("Första"), "len": 6},
                                               {"hmac": text_digest("Rättad"), "len": 6}]}
    assert client.get(f"/arshjul/tillfalle/{occ.pk}/oppna-igen/").status_code == 405
    assert client.post(f"/arshjul/tillfalle/{occ.pk}/oppna-igen/").status_code == 302
    occ.refresh_from_db()
    assert occ.status == DutyOccurrence.Status.OPEN and occ.done_at is None
    reopened = AuditEntry.objects.get(action="cycle.occurrence.reopened")
    assert reopened.changes["status"] == ["done", "open"]
    assert reopened.changes["result_note"] == [{"hmac": text_digest("Rättad"), "len": 6}, ""]


@pytest.mark.parametrize("data, field, message", [
    ({"done_at": "", "result_note": "x"}, "done_at", "Ange ett datum."),
    ({"done_at": "igår", "result_note": "x"}, "done_at", "Skriv datumet som ÅÅÅÅ-MM-DD"),
    ({"done_at": "2026-02-30", "result_note": "x"}, "done_at", "Skriv datumet som ÅÅÅÅ-MM-DD"),
    ({"done_at": (TODAY + timedelta(days=1)).isoformat(), "result_note": "x"}, "done_at",
     "Datumet kan inte ligga i framtiden"),
    ({"done_at": "1999-12-31", "result_note": "x"}, "done_at", "mer än ett år före förfallodagen"),
    ({"done_at": TODAY.isoformat()}, "result_url", "Ange en länk eller skriv en kort anteckning"),
    ({"done_at": TODAY.isoformat(), "result_note": "   "}, "result_url", "Ange en länk eller skriv"),
    ({"done_at": TODAY.isoformat(), "result_url": "javascript:alert(1)"}, "result_url",
     "Skriv en fullständig webbadress"),
    ({"done_at": TODAY.isoformat(), "result_url": "ftp://example.se/fil"}, "result_url",
     "Skriv en fullständig webbadress"),
    ({"done_at": TODAY.isoformat(), "result_url": "https://example.se/" + "a" * 600}, "result_url",
     "högst 500 tecken"),
    ({"done_at": TODAY.isoformat(), "result_note": "x" * 2001}, "result_note", "högst 2000 tecken"),
])
def test_bad_input_to_mark_done_is_explained_in_swedish_and_changes_nothing(cycle, login, data, field, message):
    occ = an_occurrence(cycle.north)
    response = login(cycle.hr).post(f"/arshjul/tillfalle/{occ.pk}/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in e for e in form.errors[field]), form.errors
    body = response.content.decode()
    assert 'class="error-summary"' in body and f'href="#id_{field}"' in body
    assert f'id="id_{field}_error"' in body
    occ.refresh_from_db()
    assert not occ.is_done
    assert not AuditEntry.objects.filter(action__startswith="cycle.occurrence").exists()


def test_a_link_without_scheme_is_taken_as_https_and_html_in_the_note_is_shown_as_text(cycle, login):
    occ = an_occurrence(cycle.north)
    client = login(cycle.hr)
    client.post(f"/arshjul/tillfalle/{occ.pk}/", {
        "done_at": TODAY.isoformat(), "result_url": "intranat.example/plan",
        "result_note": "<script>alert('x')</script> Klart"})
    occ.refresh_from_db()
    assert occ.result_url == "https://intranat.example/plan"
    body = client.get(f"/arshjul/tillfalle/{occ.pk}/").content.decode()
    assert "<script>alert" not in body and "&lt;script&gt;alert" in body


def test_the_re_reporting_occurrence_links_to_the_situation_picture_of_its_tertial(cycle, login):
    occ = standard(cycle.north, "committee_rereporting").occurrences.get(due_date=date(TODAY.year - 1, 5, 15))
    response = login(cycle.security).get(f"/arshjul/tillfalle/{occ.pk}/")
    assert f"/lagesbild/{cycle.north.pk}/?period=t1&amp;ar={TODAY.year - 1}" in response.content.decode()
    other = an_occurrence(cycle.north)
    assert f"/lagesbild/{cycle.north.pk}/?" not in login(cycle.security).get(
        f"/arshjul/tillfalle/{other.pk}/").content.decode()


def test_the_situation_picture_link_uses_its_period_choices():
    class Node:
        pk = 7
    assert services.lagesbild_url(Node, date(2026, 9, 1), date(2026, 12, 31)) == "/lagesbild/7/?period=t3&ar=2026"
    assert services.lagesbild_url(Node, date(2026, 1, 1), date(2026, 12, 31)) == "/lagesbild/7/?period=ar&ar=2026"
    assert services.lagesbild_url(Node, date(2026, 2, 1), date(2026, 2, 28)) == \
        "/lagesbild/7/?period=intervall&fran=2026-02-01&till=2026-02-28"


def test_the_prepared_picture_opens_for_the_re_reporting_occurrence_at_its_node(cycle, login):
    occ = standard(cycle.north, "committee_rereporting").occurrences.get(due_date=date(TODAY.year - 1, 5, 15))
    client = login(cycle.security)
    url = services.lagesbild_url(cycle.north, occ.period_start, occ.period_end)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["lens"].start == occ.period_start
    assert response.context["lens"].end == occ.period_end


def test_no_picture_is_offered_for_a_tertial_that_has_not_begun(cycle, login):
    duty = standard(cycle.north, "committee_rereporting")
    services.ensure_occurrences([duty], [TODAY.year + 1])
    future = duty.occurrences.filter(period_start__gt=TODAY).first()
    body = login(cycle.security).get(f"/arshjul/tillfalle/{future.pk}/").content.decode()
    assert f"/lagesbild/{cycle.north.pk}/?" not in body
    assert "Förberett utkast" not in body


# --- duties ---------------------------------------------------------------------------

def test_hr_changes_a_duty_and_the_change_is_logged(cycle, login):
    duty = standard(cycle.north, "action_plan_review")
    response = login(cycle.hr).post(f"/arshjul/uppgift/{duty.pk}/", {
        "title": duty.title, "kind": duty.kind, "description": duty.description, "owner": cycle.security.pk,
        "schedule": "yearly", "month": "4", "day": "30", "custom_text": "",
        "starts_on": duty.starts_on.isoformat(), "active": "on"})
    assert response.status_code == 302
    duty.refresh_from_db()
    assert (duty.owner, duty.month, duty.day) == (cycle.security, 4, 30)
    entry = AuditEntry.objects.get(action="cycle.duty.changed")
    assert entry.changes == {"owner": [str(cycle.hr.pk), str(cycle.security.pk)], "month": [3, 4],
                             "day": [31, 30]}
    assert duty.occurrences.get(due_date__year=TODAY.year).due_date == date(TODAY.year, 4, 30)


def test_an_owner_edits_the_text_of_a_duty_but_cannot_switch_it_off_or_move_it(cycle, login):
    duty = standard(cycle.north, "training_larstudio")
    duty.owner = cycle.employee
    duty.save()
    before = (duty.active, duty.schedule, duty.month, duty.day, duty.owner_id)
    response = login(cycle.employee).post(f"/arshjul/uppgift/{duty.pk}/", {
        "title": "Lärstudio om hot", "kind": duty.kind, "description": duty.description,
        "owner": "", "schedule": "yearly", "month": "12", "day": "31", "custom_text": "",
        "starts_on": TODAY.isoformat()})  # no "active": an attempt to switch it off
    assert response.status_code == 302
    duty.refresh_from_db()
    assert duty.title == "Lärstudio om hot"
    assert (duty.active, duty.schedule, duty.month, duty.day, duty.owner_id) == before


def test_a_new_duty_is_added_with_its_occurrences(cycle, login):
    response = login(cycle.security).post(f"/arshjul/uppgift/ny/?enhet={cycle.north.pk}", {
        "title": "Samverkansmöte med lokalpolisområdet", "kind": "risk_analysis_input", "description": "",
        "owner": cycle.security.pk, "schedule": "custom", "custom_text": "15/2, 15/6 ; 15/10",
        "starts_on": date(TODAY.year, 1, 1).isoformat(), "active": "on"})
    assert response.status_code == 302
    duty = Duty.objects.get(title="Samverkansmöte med lokalpolisområdet")
    assert duty.node == cycle.north and duty.custom_days == ["02-15", "06-15", "10-15"]
    assert duty.occurrences.filter(due_date__year=TODAY.year).count() == 3
    assert duty.occurrences.filter(due_date__year=TODAY.year + 1).count() == 3
    assert AuditEntry.objects.filter(action="cycle.duty.created", object_id=str(duty.pk)).exists()


def test_only_editors_of_the_node_may_add_duties(cycle, login):
    assert login(cycle.committee).get(f"/arshjul/uppgift/ny/?enhet={cycle.north.pk}").status_code == 403
    assert login(cycle.security_south).get(f"/arshjul/uppgift/ny/?enhet={cycle.north.pk}").status_code == 404


def test_the_owner_list_holds_managers_security_and_hr_of_the_district_not_other_districts(cycle, login):
    duty = standard(cycle.north, "action_plan_review")
    owners = set(login(cycle.hr).get(f"/arshjul/uppgift/{duty.pk}/").context["form"].fields["owner"].queryset)
    assert {cycle.hr, cycle.security, cycle.head_north, cycle.manager} <= owners
    assert not owners & {cycle.security_south, cycle.employee, cycle.analyst, cycle.manager_south}


@pytest.mark.parametrize("changes, field, message", [
    ({"title": "  "}, "title", "Skriv vad uppgiften gäller."),
    ({"month": ""}, "month", "Välj månad"),
    ({"month": "13"}, "month", "Välj ett giltigt alternativ"),
    ({"day": ""}, "day", "Ange vilken dag"),
    ({"day": "32"}, "day", "Dagen måste vara mellan 1 och 31."),
    ({"day": "tjugo"}, "day", "Skriv dagen som en siffra"),
    ({"day": "99999999999999999999999"}, "day", "Dagen måste vara mellan 1 och 31."),
    ({"month": "2", "day": "30"}, "day", "Februari har bara 29 dagar."),
    ({"month": "4", "day": "31"}, "day", "April har bara 30 dagar."),
    ({"schedule": "tertial", "day": ""}, "day", "månaden efter tertialen"),
    ({"schedule": "custom", "custom_text": ""}, "custom_text", "Ange minst ett datum"),
    ({"schedule": "custom", "custom_text": "31/2"}, "custom_text", "den dagen finns inte"),
    ({"schedule": "custom", "custom_text": "1/13"}, "custom_text", "månaden måste vara 1–12"),
    ({"schedule": "custom", "custom_text": "mars"}, "custom_text", "är inte ett datum"),
    ({"schedule": "weekly"}, "schedule", "Välj ett giltigt alternativ"),
    ({"starts_on": "1899-01-01"}, "starts_on", "mellan år 2000 och två år framåt"),
    ({"owner": "999999"}, "owner", "Välj en person i listan."),
])
def test_bad_input_to_a_duty_is_explained_in_swedish_and_changes_nothing(cycle, login, changes, field, message):
    duty = standard(cycle.north, "action_plan_review")
    data = {"title": duty.title, "kind": duty.kind, "description": "", "owner": cycle.hr.pk,
            "schedule": "yearly", "month": "3", "day": "31", "custom_text": "",
            "starts_on": duty.starts_on.isoformat(), "active": "on"}
    data.update(changes)
    response = login(cycle.hr).post(f"/arshjul/uppgift/{duty.pk}/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in e for e in errors[field]), errors
    assert 'class="error-summary"' in response.content.decode()
    assert not AuditEntry.objects.filter(action="cycle.duty.changed").exists()


def test_an_owner_from_another_district_cannot_be_forced_into_the_form(cycle, login):
    duty = standard(cycle.north, "action_plan_review")
    response = login(cycle.hr).post(f"/arshjul/uppgift/{duty.pk}/", {
        "title": duty.title, "kind": duty.kind, "owner": cycle.security_south.pk, "schedule": "yearly",
        "month": "3", "day": "31", "starts_on": duty.starts_on.isoformat(), "active": "on"})
    assert "owner" in response.context["form"].errors
    duty.refresh_from_db()
    assert duty.owner == cycle.hr


# --- start page and navigation ------------------------------------------------------

def test_duties_for_shows_owners_their_overdue_duties_and_management_the_districts(cycle):
    mine = services.duties_for(cycle.hr)
    assert mine.own and all(o.duty.owner == cycle.hr for o in mine.own)
    assert all(o.due_date <= TODAY + timedelta(days=14) for o in mine.own)
    assert mine.overdue and all(o.duty.owner != cycle.hr and o.due_date < TODAY for o in mine.overdue)
    assert {o.duty.node for o in mine.overdue} == {cycle.north}

    head = services.duties_for(cycle.head_north)
    assert not head.own and head.overdue and {o.duty.node for o in head.overdue} == {cycle.north}
    for outsider in (cycle.manager, cycle.committee, cycle.employee, cycle.security_south):
        assert not [o for o in services.duties_for(outsider).overdue if o.duty.node == cycle.north], outsider


def test_a_done_occurrence_leaves_the_start_page(cycle):
    first = services.duties_for(cycle.hr).own[0]
    services.mark_done(cycle.hr, first, done_at=TODAY, result_note="Klart")
    assert first.pk not in {o.pk for o in services.duties_for(cycle.hr).own}


def test_the_start_page_include_lists_the_duties_with_links(cycle, rf):
    request = rf.get("/")
    request.user = cycle.hr
    html = render_to_string("cycle/_my_duties.html", {"cycle_duties": services.duties_for(cycle.hr)},
                            request=request)
    assert "Dina uppgifter som är försenade eller förfaller snart" in html
    assert "/arshjul/tillfalle/" in html and 'href="/arshjul/"' in html
    assert render_to_string("cycle/_my_duties.html",
                            {"cycle_duties": services.duties_for(cycle.nobody)}).strip() == ""


def test_the_menu_shows_the_annual_cycle_to_those_who_may_see_it(cycle, rf):
    for persona, shown in [("hr", True), ("committee", True), ("admin", True), ("employee", False),
                           ("analyst", False), ("safety", False)]:
        request = rf.get("/")
        request.user = getattr(cycle, persona)
        urls = [item["url"] for item in navigation(request)["nav_items"]]
        assert ("/arshjul/" in urls) == shown, persona


def test_the_start_page_shows_hr_its_due_duties_and_the_district_heads_overdue_ones(cycle, client):
    client.force_login(cycle.hr)
    html = client.get(reverse("home")).content.decode()
    mine = services.duties_for(cycle.hr)
    assert "Årshjulet" in html
    assert reverse("cycle:occurrence", args=[mine.own[0].pk]) in html
    client.force_login(cycle.head_north)
    html = client.get(reverse("home")).content.decode()
    assert "Försenade uppgifter i ditt ansvarsområde" in html
    # An employee with no duties sees no annual-cycle section at all.
    client.force_login(cycle.employee)
    assert "Årshjulet" not in client.get(reverse("home")).content.decode()
