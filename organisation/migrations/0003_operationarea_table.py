"""Rename the operation areas' table after its app (organisation_operationarea)."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0002_operationarea"),
        ("incidents", "0011_operationarea_moved"),
    ]

    operations = [migrations.AlterModelTable(name="operationarea", table=None)]
