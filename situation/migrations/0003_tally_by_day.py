from django.db import migrations, models


def count_again(apps, schema_editor):
    """The tally counts times in whole hours and days, and the city by day as
    well as by month: count every incident again (as rebuild_rollups does).
    Nothing to do on an empty database."""
    Incident = apps.get_model("incidents", "Incident")
    if not Incident.objects.exists():
        return
    from situation import rollups

    rollups.rebuild()


class Migration(migrations.Migration):

    dependencies = [
        ('situation', '0002_rollup_hours_and_days'),
    ]

    operations = [
        migrations.RemoveConstraint(model_name='tally', name='tally_key'),
        migrations.RenameField(model_name='tally', old_name='month', new_name='bucket'),
        migrations.AddField(
            model_name='tally',
            name='grain',
            field=models.SmallIntegerField(default=0),
        ),
        migrations.AddConstraint(
            model_name='tally',
            constraint=models.UniqueConstraint(fields=('node', 'bypass', 'grain', 'bucket', 'dim', 'value'),
                                               name='tally_key_grain'),
        ),
        migrations.RemoveIndex(model_name='skeleton', name='skeleton_ack_day'),
        migrations.RemoveIndex(model_name='skeleton', name='skeleton_close_day'),
        migrations.AddIndex(
            model_name='skeleton',
            index=models.Index(fields=['ack_c', 'day', 'ack', 'a1'], name='skeleton_ack_steps'),
        ),
        migrations.AddIndex(
            model_name='skeleton',
            index=models.Index(fields=['close_c', 'day', 'close', 'a1'], name='skeleton_close_steps'),
        ),
        migrations.RunPython(count_again, migrations.RunPython.noop),
    ]
