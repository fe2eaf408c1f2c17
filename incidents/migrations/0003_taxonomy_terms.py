"""The taxonomies every installation starts with (see incidents.taxonomy)."""
from django.db import migrations

from incidents.taxonomy import ensure_terms


def create_terms(apps, schema_editor):
    ensure_terms(lambda name: apps.get_model("incidents", name))


class Migration(migrations.Migration):
    dependencies = [("incidents", "0002_initial")]
    operations = [migrations.RunPython(create_terms, migrations.RunPython.noop)]
