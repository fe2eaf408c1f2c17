"""The operation area now lives in organisation (see organisation 0002);
state only, the rows stay where they are."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0010_situation_indexes"),
        ("organisation", "0002_operationarea"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="incident",
                    name="operation_area",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                            to="organisation.operationarea", verbose_name="verksamhetsområde"),
                ),
                migrations.DeleteModel(name="OperationArea"),
            ],
            database_operations=[],
        ),
    ]
