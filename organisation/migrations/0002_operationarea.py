"""The operation area moves from incidents to organisation (units have one,
so organisation must not depend on incidents). State only: the table keeps
its data and is renamed in 0003."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0001_initial"),
        ("incidents", "0010_situation_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OperationArea",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("code", models.SlugField(max_length=40, unique=True, verbose_name="kod")),
                        ("label", models.CharField(max_length=120, verbose_name="benämning")),
                        ("label_en", models.CharField(blank=True, max_length=120, verbose_name="benämning (engelska)")),
                        ("description", models.TextField(blank=True, verbose_name="beskrivning")),
                        ("description_en", models.TextField(blank=True, verbose_name="beskrivning (engelska)")),
                        ("sort_order", models.PositiveSmallIntegerField(default=100, verbose_name="ordning")),
                        ("active", models.BooleanField(default=True, verbose_name="aktiv")),
                    ],
                    options={
                        "verbose_name": "verksamhetsområde",
                        "verbose_name_plural": "verksamhetsområden",
                        "ordering": ["sort_order", "code"],
                        "abstract": False,
                        "db_table": "incidents_operationarea",
                    },
                ),
                migrations.AlterField(
                    model_name="orgunit",
                    name="operation_area",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                            to="organisation.operationarea", verbose_name="verksamhetsområde"),
                ),
            ],
            database_operations=[],
        ),
    ]
