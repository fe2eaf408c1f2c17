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
