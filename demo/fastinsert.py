"""Fast bulk inserts for the benchmark generator.

bulk_create prepares every value of every object through the ORM, which costs
about half a millisecond per incident; a million incidents would take many
minutes. Here rows are plain tuples: PostgreSQL gets them through COPY (ids
reserved from the table's sequence first, so the forms through-table can
refer to them), SQLite through executemany, any other database through
bulk_create. Columns the caller does not give get the model field's default,
so the generator keeps working when the Incident model grows.
"""
from django.db import connection, models


class FastInserter:
    def __init__(self, model, columns: list[str]):
        self.model = model
        self.table = model._meta.db_table
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
        unknown = set(columns) - set(fields)
        if unknown:
            raise ValueError(f"unknown columns: {sorted(unknown)}")
        self.columns = list(columns)
        self.fields = [fields[c] for c in columns]
        # Fields we do not fill: their default, once (or per row when it is computed).
        self.extra = [f for name, f in fields.items() if name not in columns]
        self.vendor = connection.vendor

    def _extra_values(self, count: int) -> list[list]:
        values = []
        for field in self.extra:
            if callable(field.default):  # a unique value, a random record key: per row
                values.append([self._db(field, field.get_default()) for _ in range(count)])
            else:
                values.append([self._db(field, field.get_default())] * count)
        return values

    def _db(self, field, value):
        return field.get_db_prep_save(value, connection)

    def insert(self, rows: list[tuple]) -> list[int]:
        """Insert rows (tuples in `columns` order); returns their ids in order."""
        if not rows:
            return []
        if self.vendor == "postgresql":
            return self._copy(rows)
        if self.vendor == "sqlite":
            return self._executemany(rows)
        objs = self.model.objects.bulk_create(
            [self.model(**dict(zip(self.columns, row))) for row in rows], batch_size=2000)
        return [obj.pk for obj in objs]

    def _names(self) -> list[str]:
        qn = connection.ops.quote_name
        return [qn(f.column) for f in self.fields + self.extra]

    def _copy(self, rows):
        qn = connection.ops.quote_name
        extra = self._extra_values(len(rows))
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [self.table, len(rows)])
            ids = [r[0] for r in cursor.fetchall()]
            sql = f"COPY {qn(self.table)} ({qn('id')}, {', '.join(self._names())}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for i, (pk, row) in enumerate(zip(ids, rows)):
                    copy.write_row((pk, *row, *(column[i] for column in extra)))
        return ids

    def _executemany(self, rows):
        qn = connection.ops.quote_name
        ops = connection.ops
        converters = []
        for field in self.fields:
            if isinstance(field, models.DateTimeField):
                converters.append(ops.adapt_datetimefield_value)
            elif isinstance(field, models.DateField):
                converters.append(ops.adapt_datefield_value)
            else:
                converters.append(None)
        extra = self._extra_values(len(rows))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {qn(self.table)}")
            first = cursor.fetchone()[0] + 1
            ids = list(range(first, first + len(rows)))
            names = self._names()
            sql = (f"INSERT INTO {qn(self.table)} ({qn('id')}, {', '.join(names)}) "
                   f"VALUES ({', '.join(['%s'] * (len(names) + 1))})")
            params = []
            for i, (pk, row) in enumerate(zip(ids, rows)):
                values = [pk]
                for value, convert in zip(row, converters):
                    values.append(convert(value) if convert and value is not None else value)
                values.extend(column[i] for column in extra)
                params.append(values)
            cursor.executemany(sql, params)
        return ids


def insert_pairs(model, columns: tuple[str, str], pairs: list[tuple]) -> None:
    """Rows of a through-table (two foreign keys, database-generated id)."""
    if not pairs:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    cols = ", ".join(qn(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for pair in pairs:
                    copy.write_row(pair)
        else:
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES (%s, %s)", pairs)
