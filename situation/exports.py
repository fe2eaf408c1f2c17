"""Exports of the situation picture: its tables (CSV, XLSX) and the list of
cases behind it (CSV, XLSX), streamed so that memory does not grow with the
number of rows.

The case list holds no personal data: no description, no reporter, no
actor. It comes from visible_incidents (cases the user may open), read in
chunks with values_list; XLSX is written by xlsxwriter in constant_memory
mode to a temporary file that is then streamed and deleted.
"""
import csv
import io
import tempfile
from datetime import datetime
from itertools import islice

import xlsxwriter
from django.db.models import CharField, Func
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.models import Channel, Incident, InfluenceForm, PoliceStatus, Source
from organisation.models import OperationArea, OrgUnit
from situation.lens import FormThrough

CHUNK = 5000
BLOCK = 1000  # rows per piece of a streamed CSV
SUPPRESSION_NOTE = gettext_lazy("Antal från 1 till 4 visas som <5. Några andra tal döljs också och visas som .. "
                         "så att de små inte kan räknas fram ur summorna.")
WITHHELD_NOTE = gettext_lazy("Tabellen visas inte: med så få rapporter skulle små antal kunna räknas fram ur summorna.")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    """A file-like object whose write returns the line, for csv.writer."""

    def write(self, value):
        return value


def _cell_value(display):
    """Numbers stay numbers (for the spreadsheet); hidden cells read as on
    the page: "<5" for a small count, ".." for one hidden in the second step."""
    return display.text if display.hidden or display.value is None else display.value


def _csv_value(display):
    value = _cell_value(display)
    if isinstance(value, float):
        # Swedish spreadsheets read a decimal comma.
        return f"{value:.1f}".replace(".", ",")
    return value


def _table_lines(picture, title: str):
    """The CSV: what the page shows, key figures first, then every table."""
    yield from _overview_lines(picture, title)
    for table in _all_tables(picture):
        yield []
        yield [table.caption]
        if table.fallback:
            yield [table.fallback]
        if table.withheld:
            yield [str(WITHHELD_NOTE)]
            continue
        yield table.columns
        for row in table.rows:
            yield [row.label] + [_csv_value(c) for c in row.cells]
        if table.foot:
            yield [table.foot.label] + [_csv_value(c) for c in table.foot.cells]


def _all_tables(picture):
    tables = list(picture.tables)
    if picture.gender:
        tables.append(picture.gender)
    if picture.growth:
        tables.append(picture.growth)
    return tables


def tables_csv(picture, filename: str, title: str):
    writer = csv.writer(_Echo(), delimiter=";")
    # A byte order mark makes Excel read the file as UTF-8.
    rows = (writer.writerow(line) for line in _table_lines(picture, title))
    response = StreamingHttpResponse(_with_bom(rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _with_bom(lines):
    yield "\ufeff"
    yield from lines


def tables_xlsx(picture, filename: str, title: str):
    handle = tempfile.TemporaryFile()
    book = xlsxwriter.Workbook(handle, {"constant_memory": True, "strings_to_numbers": False})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(_("Översikt"))
    r = 0
    for line in _overview_lines(picture, title):
        sheet.write_row(r, 0, line, bold if r == 0 else None)
        r += 1
    used = set()
    for table in _all_tables(picture):
        name = _sheet_name(table.caption, used)
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, [table.caption], bold)
        if table.withheld:
            sheet.write_row(1, 0, [str(WITHHELD_NOTE)])
            continue
        sheet.write_row(1, 0, table.columns, bold)
        row_i = 2
        for row in table.rows:
            sheet.write_row(row_i, 0, [row.label] + [_cell_value(c) for c in row.cells])
            row_i += 1
        if table.foot:
            sheet.write_row(row_i, 0, [table.foot.label] + [_cell_value(c) for c in table.foot.cells], bold)
            row_i += 1
        if table.note:
            sheet.write_row(row_i + 1, 0, [table.note])
        sheet.set_column(0, 0, 40)
    book.close()
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def _overview_lines(picture, title):
    from situation.templatetags.situation_tags import key_figures
    yield [title]
    yield [_("Enhet"), picture.lens.node.name]
    yield [_("Period"), picture.lens.label]
    for part in picture.filters:
        yield [part]
    if picture.suppressed:
        yield [str(SUPPRESSION_NOTE)]
    yield []
    for label, value, _note in key_figures(picture):
        yield [label, value]


def _sheet_name(caption: str, used: set) -> str:
    base = "".join(ch for ch in caption if ch not in "[]:*?/\\")[:28].strip()
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:25]} {n}"
        n += 1
    used.add(name.lower())
    return name


# --- the list of cases ------------------------------------------------------

class _LocalMinute(Func):
    """A timestamp as local "YYYY-MM-DD HH:MM" text, made by PostgreSQL:
    formatting a million timestamps in Python is the slow part of an export."""
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return (f"to_char({sql} AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI')",
                (*params, timezone.get_current_timezone_name()))

    def as_sql(self, compiler, connection, **extra):
        # Other databases hand back the timestamp; case_rows formats it.
        return compiler.compile(self.source_expressions[0])


TIME_FIELDS = ("occurred_at", "reported_at", "acknowledged_at", "closed_at")


def case_header():
    return [_("Ärende"), _("Hände"), _("Rapporterad"), _("Enhet"), _("Förvaltning"), _("Former"), _("Vem"),
            _("Verksamhetsområde"), _("Kanal"), _("Status"), _("Synlighet"), _("Polisanmälan"),
            _("Mottagen"), _("Avslutad")]


def case_rows(qs, node):
    """Rows of the case list. The incidents are read with a server-side
    cursor in chunks of CHUNK rows, in id order; the forms of each chunk come
    in one query over its id range. Memory stays flat whatever the count."""
    labels = {model: {pk: str(label) for pk, label in model.objects.values_list("pk", "label")}
              for model in (InfluenceForm, Source, OperationArea, Channel)}
    forms, sources = labels[InfluenceForm], labels[Source]
    areas, channels = labels[OperationArea], labels[Channel]
    units = {pk: (path, name) for pk, path, name in
             OrgUnit.objects.filter(path__startswith=node.path).values_list("pk", "path", "name")}
    admin_names = dict(OrgUnit.objects.filter(kind=OrgUnit.Kind.ADMINISTRATION).values_list("pk", "name"))
    districts = {}
    for pk, (path, _name) in units.items():
        parts = path.strip("/").split("/")
        districts[pk] = admin_names.get(int(parts[1]), "") if len(parts) > 1 else ""
    status = {k: str(v) for k, v in Incident.Status.choices}
    identity = {k: str(v) for k, v in Incident.IdentityMode.choices}
    police = {k: str(v) for k, v in PoliceStatus.choices}
    tz = timezone.get_current_timezone()

    def when(value):
        if value is None:
            return ""
        return value if isinstance(value, str) else value.astimezone(tz).strftime("%Y-%m-%d %H:%M")

    rows = (qs.order_by("pk").annotate(**{f"{name}_text": _LocalMinute(name) for name in TIME_FIELDS})
            .values_list("pk", *(f"{name}_text" for name in TIME_FIELDS), "unit_id", "source_id",
                         "operation_area_id", "channel_id", "status", "identity_mode", "police_status")
            .iterator(chunk_size=CHUNK))
    while True:
        chunk = list(islice(rows, CHUNK))
        if not chunk:
            return
        chunk_forms: dict[int, list[str]] = {}
        for incident_id, form_id in FormThrough.objects.filter(
                incident_id__gte=chunk[0][0], incident_id__lte=chunk[-1][0]).order_by(
                "incident_id", "influenceform_id").values_list("incident_id", "influenceform_id"):
            chunk_forms.setdefault(incident_id, []).append(forms.get(form_id, ""))
        for (pk, occurred, reported, ack, closed, unit_id, source_id, area_id, channel_id, st, mode,
             police_status) in chunk:
            yield [f"V-{pk:06d}", when(occurred), when(reported), units.get(unit_id, ("", ""))[1],
                   districts.get(unit_id, ""), ", ".join(chunk_forms.get(pk, ())), sources.get(source_id, ""),
                   areas.get(area_id, ""), channels.get(channel_id, ""), status.get(st, st),
                   identity.get(mode, mode), police.get(police_status, police_status), when(ack), when(closed)]


def cases_csv(qs, node, filename: str):
    def lines():
        # Rows go out in blocks: one write per row would cost more than the row.
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        buffer.write("\ufeff")  # a byte order mark makes Excel read UTF-8
        writer.writerow(case_header())
        for n, row in enumerate(case_rows(qs, node), start=1):
            writer.writerow(row)
            if n % BLOCK == 0:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode()

    response = StreamingHttpResponse(lines(), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def cases_xlsx(qs, node, filename: str):
    handle = tempfile.TemporaryFile()
    book = xlsxwriter.Workbook(handle, {"constant_memory": True, "strings_to_numbers": False})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(_("Ärenden"))
    sheet.write_row(0, 0, case_header(), bold)
    for i, row in enumerate(case_rows(qs, node), start=1):
        sheet.write_row(i, 0, row)
    sheet.set_column(0, 2, 17)
    sheet.set_column(3, 5, 30)
    book.close()
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def filename(kind: str, node, ext: str) -> str:
    stamp = datetime.now().strftime("%Y%m%d")
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in node.code)
    return f"lagesbild-{kind}-{safe}-{stamp}.{ext}"
