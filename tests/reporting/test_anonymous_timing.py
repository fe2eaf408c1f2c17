"""An anonymous report filed by a logged-in employee leaves nothing in the
database that ties it to them by time (issue 20, "The smaller leaks"), and the
anonymous path's rate limits leave no key that could confirm a guessed
address. docs/disclosure.md, "Anonymous reports"."""
import uuid
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.log import release_anonymous, seal
from audit.models import AuditEntry, PendingAnonymousEntry
from incidents.models import Incident, InfluenceForm, ReportDraft, Source
from organisation import catalogue
from tests.factories import PASSWORD
from varn import ratelimits

REPORT = reverse("reporting:report")
PUBLIC = reverse("reporting:report_anonymous")
RECIPIENTS = reverse("reporting:recipients")
FOLLOWUP = reverse("reporting:followup")


def values(city, **overrides):
    now = timezone.localtime()
    data = {
        "description": "Brukaren sa: ”Jag vet var du bor.”",
        "forms": [InfluenceForm.objects.get(code="hot").pk],
        "occurred_date": now.date().isoformat(),
        "occurred_time": "00:00",
        "unit": city.north_a.pk,
        "identity_mode": "anonymous",
        "source": Source.objects.get(code="brukare").pk,
        "police_status": "undecided",
        "token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def send(client, data, url=REPORT, forget_preview=False):
    body = {**data, **({"anonymous_only": "1"} if url == PUBLIC else {})}
    data["recipients_seen"] = client.post(RECIPIENTS, body).json()["seen"]
    if forget_preview:
        cache.clear()  # the recipients preview's own limit (see the test below)
    response = client.post(url, data)
    assert response.status_code in (200, 302)
    return response


def dump():
    """Every row of every table, as {table: [row dicts]} (raw SELECTs)."""
    rows = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            names = [c[0] for c in cursor.description]
            rows[table] = [dict(zip(names, row)) for row in cursor.fetchall()]
    return rows


def as_datetime(value):
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value, dt_timezone.utc)
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] in " T":
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, dt_timezone.utc)
    return None


def rows_of_user(rows, user):
    """(table, row) for every row tied to `user`: the user row, rows with a
    foreign key to it, and sessions logged in as them."""
    user_model = get_user_model()
    columns = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.local_fields:
            if field.is_relation and field.related_model is user_model:
                columns.setdefault(model._meta.db_table, []).append(field.column)
    for table, table_rows in rows.items():
        for row in table_rows:
            if table == user_model._meta.db_table and row["id"] == user.pk:
                yield table, row
            elif any(row.get(column) == user.pk for column in columns.get(table, ())):
                yield table, row
            elif table == Session._meta.db_table:
                data = Session(session_key=row["session_key"], session_data=row["session_data"]).get_decoded()
                if str(data.get("_auth_user_id")) == str(user.pk):
                    yield table, row


def test_an_anonymous_report_by_a_logged_in_employee_leaves_no_timing_link(client, city):
    user = city.employee
    before = {table: table_rows for table, table_rows in dump().items()}
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    session_before = Session.objects.get().expire_date
    client.get(REPORT)
    # The form autosaved a draft while it was still named.
    assert client.post(reverse("reporting:draft_save"),
                       values(city, identity_mode="named")).status_code == 204
    send(client, values(city))
    incident = Incident.unscoped.get(identity_mode="anonymous", description__startswith="Brukaren sa")

    # The report's own times are the hour only.
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    assert incident.reported_at == hour
    assert incident.submission.created_at == hour
    stored = {incident.reported_at, incident.submission.created_at}
    # Its audit entry waits, dated to the hour, outside the log, until the hour has ended.
    assert not AuditEntry.objects.filter(incident=incident).exists()
    assert PendingAnonymousEntry.objects.get(incident=incident).at == hour

    assert not ReportDraft.objects.filter(user=user).exists()
    assert Session.objects.get().expire_date == session_before  # the submission did not touch it

    user.refresh_from_db()
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    assert user.last_login == midnight  # the day, never the time

    rows = dump()
    # Every time stored with the report itself, in any table, is an hour.
    for table, table_rows in rows.items():
        for row in table_rows:
            if (table == Incident._meta.db_table and row["id"] == incident.pk) or row.get("incident_id") == incident.pk:
                for column, value in row.items():
                    moment = as_datetime(value)
                    if moment is not None:
                        assert moment == moment.replace(minute=0, second=0, microsecond=0), (table, column, value)
    # Only what was written or changed since the test's data was set up.
    written = {table: [row for row in table_rows if row not in before.get(table, [])]
               for table, table_rows in rows.items()}
    found = list(rows_of_user(written, user))
    assert found, "the dump should see the employee's own rows"
    for table, row in found:
        earlier = next((old for old in before.get(table, []) if "id" in row and old.get("id") == row["id"]), {})
        for column, value in row.items():
            if earlier and earlier.get(column) == value:
                continue  # set up before the test, not by it
            moment = as_datetime(value)
            if moment is None or (table == get_user_model()._meta.db_table and column == "last_login"):
                continue
            for report_time in stored:
                assert abs(moment - report_time) >= timedelta(hours=1), (table, column, value)


def test_the_anonymous_entry_is_appended_later_in_random_order_and_shows_the_hour(client, city):
    user = city.employee
    client.force_login(user)
    send(client, values(city, identity_mode="named", description="Första, med namn."))
    send(client, values(city, description="Anonym rapport."))
    send(client, values(city, identity_mode="named", description="Andra, med namn."))
    anonymous = Incident.unscoped.get(description="Anonym rapport.")
    assert anonymous.reporter is None
    # The timer runs; the entry waits until the hour has ended.
    seal()
    assert PendingAnonymousEntry.objects.filter(incident=anonymous).exists()  # the hour is not over
    assert release_anonymous(now=timezone.now() + timedelta(hours=1)) == 1
    seal()

    entry = AuditEntry.objects.get(incident=anonymous, action="incident.create")
    assert entry.seq is not None and entry.actor is None
    assert entry.at == anonymous.reported_at == entry.at.replace(minute=0, second=0, microsecond=0)
    own = list(AuditEntry.objects.filter(actor=user).order_by("id").values_list("id", flat=True))
    assert own and not (own[0] < entry.id < own[-1])      # not seated between their actions by id
    by_time = list(AuditEntry.objects.order_by("at", "id").values_list("id", flat=True))
    own_at = [by_time.index(i) for i in own]
    assert not (min(own_at) < by_time.index(entry.id) < max(own_at))  # nor by time
    from audit.log import verify
    assert verify().intact
    # The auditor sees the hour, the same as the stored time.
    auditor = client.__class__()
    auditor.force_login(city.auditor)
    page = auditor.get(reverse("audit:list")).content.decode()
    local = timezone.localtime(entry.at)
    assert f'<time datetime="{local.isoformat()}">' in page and f"{local:%H}:00:00" in page


def shared_cache_rows() -> list[str]:
    """The shared cache's keys but the stamp of what every page shows alike
    (organisation.catalogue: one random value for everyone, renewed only
    when the organisation or a vocabulary changes)."""
    return [key for key in cache._cache if not key.endswith(":" + catalogue.KEY)]


def test_the_anonymous_paths_rate_limits_store_nothing_and_rotate_their_salt(client, city, settings):
    settings.ANONYMOUS_REPORT_RATE = "1/h"
    send(client, values(city), url=PUBLIC, forget_preview=True)
    client.post(FOLLOWUP, {"code": "AAAA-BBBB-CCCC-DDDD"})
    # The shared cache (in production a table of this database) holds no count.
    assert shared_cache_rows() == []
    # The limit still holds (in this process's memory).
    assert client.post(PUBLIC, {**values(city), "anonymous_only": "1"}).status_code == 429
    # A new salt (the next day's) makes the old counts unreachable.
    ratelimits._salt = (None, b"")
    assert client.post(PUBLIC, {**values(city), "anonymous_only": "1"}).status_code != 429


def test_the_recipients_preview_before_an_anonymous_report_counts_nothing_in_the_shared_cache(login, city):
    client = login(city.employee)
    send(client, values(city))
    assert shared_cache_rows() == []


def test_a_limit_counted_in_memory_holds_and_leaves_no_trace_in_the_shared_cache(rf, city):
    request = rf.post("/", REMOTE_ADDR="192.0.2.44")
    assert [ratelimits.counted_in_memory(request, "preview", "3/m") for _ in range(4)] == [False] * 3 + [True]
    assert shared_cache_rows() == []
