"""Recompute the stored full-text documents (PostgreSQL) with the analysis in
knowledge.search: folded (å, ä → a, ö → o) and stemmed in Python, so that
text typed without diacritics finds the articles. The current code is used on
purpose: the document is derived data and must match what search() queries."""
from django.db import migrations


def fill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from knowledge.search import refresh_documents

    Article = apps.get_model("knowledge", "Article")
    refresh_documents(Article.objects.using(schema_editor.connection.alias))


class Migration(migrations.Migration):

    dependencies = [
        ("knowledge", "0003_search_document"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
