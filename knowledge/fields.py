"""A column for the precomputed full-text document of an article.

On PostgreSQL it is a tsvector (title weight A, body weight B, 'swedish'
configuration), kept up to date by knowledge.search.refresh() whenever an
article is saved, so that a search does not stem every article again. On
other databases it is an unused text column: the Python fallback in
knowledge.search keeps its own index.
"""
from django.contrib.postgres.search import SearchVectorField


class SearchDocumentField(SearchVectorField):
    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"
