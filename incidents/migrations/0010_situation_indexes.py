"""A covering index for the situation picture (lägesbild), PostgreSQL only.

Every figure of the situation picture reads the incidents of a period: the
date range leads, and the columns the figures group and count by are
included, so PostgreSQL answers from the index alone (an index-only scan)
instead of visiting roughly 400-byte table rows one by one. On 1,000,000
incidents this is the difference between reading about 140 MB of narrow
index and 380 MB of table. The description and other long texts are left out.

Built CONCURRENTLY so that an existing installation keeps taking reports
while it is built. SQLite (development) has no INCLUDE and needs nothing.
Only an index: the model and its state are unchanged.
"""
from django.db import migrations

NAME = "incidents_situation_cover"
COLUMNS = ("id", "unit_id", "source_id", "operation_area_id", "channel_id", "identity_mode",
           "bypasses_management", "police_status", "police_reference", "reported_at", "acknowledged_at",
           "closed_at", "reporter_id", "actor_pseudonym")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON incidents_incident (occurred_at) "
        f"INCLUDE ({', '.join(COLUMNS)})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("incidents", "0006_case_handling")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
