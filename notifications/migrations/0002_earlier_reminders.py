"""Carry the reminders already sent by the three earlier "sent once" tables
into the one SentReminder, under the keys the apps now use, so that nothing
is sent again after the upgrade. (Only the first recipient of a cycle
reminder to several people was stored then; the others may get it once.)"""
from django.db import migrations


def carry(apps, schema_editor):
    Sent = apps.get_model("notifications", "SentReminder")
    rows = []
    for old in apps.get_model("incidents", "SentReminder").objects.all():
        rows.append(Sent(key=old.key, recipient=old.recipient, sent_at=old.sent_at))
    for old in apps.get_model("cycle", "ReminderSent").objects.select_related("occurrence", "recipient"):
        if old.recipient_id:
            rows.append(Sent(key=f"cycle-{old.kind}:{old.occurrence_id}:{old.occurrence.due_date}:{old.recipient_id}",
                             recipient=old.recipient.email, sent_at=old.sent_at))
    for old in apps.get_model("knowledge", "ReminderSent").objects.select_related("recipient"):
        # Owned and unowned reviews were stored alike: keep both keys.
        rows.append(Sent(key=f"knowledge-review:{old.article_id}:{old.due_date}",
                         recipient=old.recipient.email, sent_at=old.sent_at))
        rows.append(Sent(key=f"knowledge-unowned:{old.article_id}:{old.due_date}:{old.recipient_id}",
                         recipient=old.recipient.email, sent_at=old.sent_at))
    Sent.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_sent_reminder"),
        ("incidents", "0011_operationarea_moved"),
        ("cycle", "0001_initial"),
        ("knowledge", "0004_search_document_folded"),
    ]
    operations = [migrations.RunPython(carry, migrations.RunPython.noop)]
