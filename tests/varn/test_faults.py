"""Faults give a clear answer, never a false one: a dropped database
connection costs no request, the error pages render without the database,
the session or the static manifest, a deploy without collectstatic is caught
at start-up, and a report stored just before its response failed is found
again by the retry."""
import pytest
from django.db import connection

from tests.servers import database_url, gunicorn

PUBLIC_FORM = "/rapportera/anonymt/"


def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no server whose connection can drop "
                    "(CI runs this in its PostgreSQL pass; set DATABASE_URL=postgresql://…)")


def terminate_other_backends() -> int:
    """pg_terminate_backend for every other session on the test database, as
    a PostgreSQL restart, a failover or a firewall dropping idle connections
    does. Returns how many were ended."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.fixture
def server(transactional_db):
    """One gunicorn sync worker on the test database, keeping its connection
    for a minute as in production (VARN_DB_CONN_MAX_AGE)."""
    postgres_only()
    with gunicorn({"DATABASE_URL": database_url(connection.settings_dict), "VARN_DB_CONN_MAX_AGE": "60"}) as srv:
        yield srv


def test_a_dropped_database_connection_costs_no_request(server):
    client = server.client()
    assert client.get(PUBLIC_FORM).status == 200
    assert terminate_other_backends() >= 1, "the worker should have kept its connection open"
    response = client.get(PUBLIC_FORM)
    assert response.status == 200, server.log()
    # And the worker is back to one healthy, persistent connection.
    assert client.get(PUBLIC_FORM).status == 200


# --- the load balancer's probes ------------------------------------------------

def test_healthz_answers_ok_without_touching_the_database():
    # No database fixture: pytest-django refuses any query in this test.
    from django.test import Client

    response = Client().get("/healthz/")
    assert (response.status_code, response.content) == (200, b"ok\n")
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]
    assert "Set-Cookie" not in response


@pytest.mark.django_db
def test_the_probes_answer_a_load_balancer_on_plain_http_by_address(client, settings):
    """Probes come over plain HTTP to the backend's address: no HTTPS
    redirect, no refusal of the unknown host."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["varn.example.se"]
    for path in ("/healthz/", "/readyz/"):
        response = client.get(path, HTTP_HOST="10.0.0.7:8000")
        assert (response.status_code, response.content) == (200, b"ok\n"), path


@pytest.mark.django_db
def test_readyz_is_ok_with_every_migration_applied_and_needs_no_login(client):
    response = client.get("/readyz/")
    assert (response.status_code, response.content) == (200, b"ok\n")


@pytest.mark.django_db
def test_the_probes_accept_only_get_and_head(client):
    assert client.post("/healthz/").status_code == 405
    assert client.post("/readyz/").status_code == 405
    assert client.head("/readyz/").status_code == 200


@pytest.mark.django_db
def test_readyz_says_unavailable_while_a_migration_is_not_applied(client):
    from django.db.migrations.recorder import MigrationRecorder

    from varn.health import expected_migrations

    app, name = max(m for m in expected_migrations() if m[0] == "incidents")
    MigrationRecorder(connection).record_unapplied(app, name)
    response = client.get("/readyz/")
    assert (response.status_code, response.content) == (503, b"unavailable\n")


@pytest.mark.db  # a real server (gunicorn)
def test_with_the_database_down_the_probes_and_pages_say_so_and_nothing_more():
    """A real server whose PostgreSQL is not there (a closed port): the
    process is up, it is not ready, the answers name no error, and a page
    that needs the database (here: the session behind a login cookie)
    answers with the 503 page and when to try again."""
    from tests.servers import free_port

    down = f"postgresql://postgres@127.0.0.1:{free_port()}/varn"
    with gunicorn({"DATABASE_URL": down, "VARN_DB_CONNECT_TIMEOUT": "2"}) as srv:
        client = srv.client()
        assert (client.get("/healthz/").status, client.get("/healthz/").text) == (200, "ok\n")
        ready = client.get("/readyz/")
        assert (ready.status, ready.text) == (503, "unavailable\n")
        assert "Server" not in ready.headers or "/" not in ready.headers["Server"]  # no version

        client.set_cookie("sessionid", "x" * 32)
        page = client.get("/")
        assert page.status == 503, srv.log()
        assert page.headers["Retry-After"] == "30"
        assert "Värn är tillfälligt otillgängligt" in page.text
        assert "Operational" not in page.text and "5432" not in page.text and "psycopg" not in page.text
        assert "Traceback" not in page.text

        client.set_cookie("csrftoken", "c" * 32)
        sent = client.post(PUBLIC_FORM, {"description": "Hot i telefon"})
        assert sent.status == 503, srv.log()
        assert "rapporten sparas bara en gång" in sent.text


# --- the error pages and the static manifest -----------------------------------

MANIFEST_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}


def failing_client():
    """A browser's view of errors: the handler's page, not the exception."""
    from django.test import Client

    return Client(raise_request_exception=False)


def test_the_500_page_renders_without_the_database_or_the_session():
    # No database fixture: every query raises, in the page and in the handler.
    client = failing_client()
    client.cookies["sessionid"] = "x" * 32
    response = client.get("/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "Något gick fel hos oss" in text and "Ring 112" in text
    assert 'href="/static/varn/css/app.css"' in text


def test_after_a_failed_report_the_500_page_says_how_to_get_the_receipt():
    response = failing_client().post(PUBLIC_FORM, {"description": "Hot i telefon"})
    assert response.status_code == 500
    assert "Ladda om sidan och låt webbläsaren skicka formuläret igen" in response.content.decode()


@pytest.mark.django_db
def test_the_500_page_renders_without_the_static_manifest(settings, tmp_path):
    """Manifest storage and no collectstatic: every ordinary page fails on
    its stylesheet; the 500 page still renders, with the plain path."""
    settings.STORAGES = MANIFEST_STORAGES
    settings.STATIC_ROOT = tmp_path
    response = failing_client().get("/konto/logga-in/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "Något gick fel hos oss" in text and 'href="/static/varn/css/app.css"' in text


def test_when_even_the_error_template_fails_a_plain_page_is_sent(settings, tmp_path):
    broken = tmp_path / "errors"
    broken.mkdir()
    (broken / "500.html").write_text("{% if %}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    client = failing_client()
    client.cookies["sessionid"] = "x" * 32  # the session needs the database, which this test has not
    response = client.get("/")
    assert response.status_code == 500
    assert "Något gick fel hos oss" in response.content.decode()


def test_a_deploy_without_collectstatic_is_caught_by_a_system_check(settings, tmp_path):
    from django.core import checks

    from varn.checks import STARTUP

    settings.STORAGES = MANIFEST_STORAGES
    settings.STATIC_ROOT = tmp_path
    [error] = checks.run_checks(tags=[STARTUP], include_deployment_checks=True)
    assert error.id == "varn.E001" and error.level == checks.ERROR
    assert "staticfiles.json is missing" in error.msg
    assert "manage.py collectstatic" in error.hint


def test_a_manifest_of_another_version_is_caught_and_a_current_one_passes(settings, tmp_path):
    from django.core import checks
    from django.core.management import call_command

    from varn.checks import STARTUP

    settings.STORAGES = MANIFEST_STORAGES
    settings.STATIC_ROOT = tmp_path / "collected"
    call_command("collectstatic", "--noinput", verbosity=0)
    assert checks.run_checks(tags=[STARTUP], include_deployment_checks=True) == []

    added = tmp_path / "new-version"
    added.mkdir()
    (added / "new.js").write_text("// a file added by an upgrade\n")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, added]
    [error] = checks.run_checks(tags=[STARTUP], include_deployment_checks=True)
    assert error.id == "varn.E003" and "new.js" in error.msg and "collectstatic" in error.hint


@pytest.mark.db  # a real server (gunicorn)
def test_gunicorn_refuses_to_start_without_collectstatic_and_says_why(tmp_path):
    with pytest.raises(RuntimeError) as failed:
        with gunicorn({"VARN_STATIC_MANIFEST": "1", "VARN_STATIC_FINDERS": "0",
                       "VARN_STATIC_ROOT": str(tmp_path)}):
            pass
    assert "varn.E001" in str(failed.value) and "manage.py collectstatic" in str(failed.value)


# --- a report stored, its response lost ----------------------------------------

def _report_values(city, client, marker):
    """The anonymous form as a browser with the script sends it: its own
    submission token and the fingerprint of the recipients it showed."""
    import json
    import uuid
    from datetime import timedelta

    from django.utils import timezone

    from incidents.models import InfluenceForm, Source

    now = timezone.localtime() - timedelta(minutes=30)
    values = {
        "description": marker, "forms": [InfluenceForm.objects.get(code="hot").pk],
        "occurred_date": now.date().isoformat(), "occurred_time": now.strftime("%H:%M"),
        "unit": city.north_a.pk, "identity_mode": "anonymous",
        "source": Source.objects.get(code="brukare").pk, "police_status": "undecided",
        "token": str(uuid.uuid4()),
    }
    shown = client.post("/rapportera/mottagare/", {**values, "anonymous_only": "1"})
    assert shown.status == 200, shown.text
    values["recipients_seen"] = json.loads(shown.text)["seen"]
    return values


def test_a_report_stored_before_its_response_failed_answers_with_its_receipt_on_retry(live_server):
    """The database goes away right after the report's transaction committed,
    before the receipt page is rendered (its connection is terminated and
    new ones are refused, as during a failover): the reporter gets the 503
    page, which tells them to resend; once the database is back, resending
    the same form gives the receipt of the stored report, which exists once."""
    import uuid

    import psycopg
    from django.db import transaction
    from django.db.models.signals import post_save

    from incidents.models import Incident
    from reporting.receipts import receipt_code_for
    from tests.factories import City
    from tests.servers import Client

    postgres_only()
    city = City()
    client = Client(live_server.url)
    assert client.get(PUBLIC_FORM).status == 200
    marker = f"Hotad i receptionen {uuid.uuid4()}"
    values = _report_values(city, client, marker)
    db = connection.settings_dict
    name = psycopg.sql.Identifier(db["NAME"])

    def admin():
        return psycopg.connect(dbname="postgres", user=db["USER"], password=db["PASSWORD"] or None,
                               host=db["HOST"] or None, port=db["PORT"] or None, autocommit=True)

    killed = []

    def database_goes_away_after_commit(sender, instance, created, **kwargs):
        # Runs in the live server's thread, inside create_report's transaction.
        pid = transaction.get_connection().connection.info.backend_pid

        def goes_away():
            with admin() as conn:
                conn.execute(psycopg.sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(name))
                conn.execute("SELECT pg_terminate_backend(%s)", [pid])
            killed.append(pid)
        transaction.on_commit(goes_away)

    post_save.connect(database_goes_away_after_commit, sender=Incident, dispatch_uid="test-faults-goes-away")
    try:
        first = client.post(PUBLIC_FORM, values)
    finally:
        post_save.disconnect(dispatch_uid="test-faults-goes-away", sender=Incident)
        with admin() as conn:
            conn.execute(psycopg.sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(name))
    assert killed, "the report was not committed"
    assert first.status == 503, first.text
    assert "Ladda om sidan och låt webbläsaren skicka formuläret igen" in first.text
    code = receipt_code_for(uuid.UUID(values["token"]))
    assert code not in first.text

    retry = client.post(PUBLIC_FORM, values)
    assert retry.status == 200, retry.text
    assert code in retry.text
    assert Incident.unscoped.filter(description=marker).count() == 1
