"""Signals of the incidents layer.

rows_changed: sent after QuerySet.update() and QuerySet.bulk_create() on
incidents, inside the same transaction, with the ids of the rows the
statement touched (`ids`) and the names of the fields it wrote (`fields`;
None for bulk_create). Django's own post_save, pre_delete and m2m_changed
cover Model.save(), deletions and the forms of influence, which together
with this signal are every ORM write of an incident. Statistics kept beside
the rows (situation.rollups) listen to all of them; writes in raw SQL (the
benchmark's bulk insert) must rebuild them instead.
"""
from django.dispatch import Signal

rows_changed = Signal()
