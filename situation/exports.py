"""Exports of the situation picture: its tables (CSV, XLSX) and the list of
cases behind it (CSV, XLSX), streamed so that memory does not grow with the
number of rows.

The case list holds no personal data: no description, no reporter, no
actor. It comes from visible_incidents (cases the user may open), read in
chunks with values_list; XLSX is written by xlsxwriter in constant_memory
mode to a temporary file that is then streamed and deleted.

Spreadsheets hold what a spreadsheet user expects: numbers as numbers with a
number format (counts, rates with one decimal, percentages as percentages,
durations in hours or days), yes/no as Ja/Nej, dates and times as dates, a
frozen header row with filters on every table, and sheets named in whole
words (Excel allows 31 characters).
"""
import csv
import io
import tempfile
from datetime import datetime
from datetime import timezone as dt_timezone
from itertools import islice

import xlsxwriter
from django.db import connection
from django.db.models import CharField, Func
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.models import Channel, Incident, InfluenceForm, PoliceStatus, Source
from organisation.models import OperationArea, OrgUnit
from situation.lens import FormThrough
from situation.stats import CHANGE, COUNT, PERCENT, RATE, YES_NO

CHUNK = 5000
BLOCK = 1000  # rows per piece of a streamed CSV
SUPPRESSION_NOTE = gettext_lazy("Antal från 1 till 4 visas som <5. Några andra tal döljs också och visas som .. "
                         "så att de små inte kan räknas fram ur summorna.")
PROTECTION_NOTE = gettext_lazy("Siffrorna är skyddade så att ingen enskild kan räknas fram, och kan därför skilja "
                               "sig med några få från summan av sina delar (se Om siffrorna i Värns lägesbild).")
WITHHELD_NOTE = gettext_lazy("Tabellen visas inte: med så få rapporter skulle små antal kunna räknas fram ur summorna.")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    """A file-like object whose write returns the line, for csv.writer."""

    def write(self, value):
        return value


def _cell_value(display):
    """Numbers stay numbers; hidden cells read as on the page: "<5" for a
    small count, ".." for one hidden in the second step; yes/no as words."""
    if display.hidden or display.value is None or display.kind == YES_NO:
        return display.text
    return display.value


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


class _Formats:
    """The workbook's cell formats, made once per kind (and bold variant)."""
    NUMBER_FORMATS = {COUNT: "#,##0", RATE: "0.0", PERCENT: "0%", CHANGE: "+0%;-0%;0%",
                      "hours": '0.0 "tim"', "days": '0.0 "dagar"', "date": "yyyy-mm-dd",
                      "datetime": "yyyy-mm-dd hh:mm", "text": None, "hidden": None}

    def __init__(self, book):
        self.book = book
        self.made = {}

    def __call__(self, kind="text", bold=False):
        key = (kind, bold)
        if key not in self.made:
            spec = {"bold": True} if bold else {}
            if self.NUMBER_FORMATS.get(kind):
                spec["num_format"] = self.NUMBER_FORMATS[kind]
            if kind == "hidden":
                spec["align"] = "right"  # "<5" and ".." stand where the number would
            if kind == "title":
                spec.update({"bold": True, "font_size": 13})
            self.made[key] = self.book.add_format(spec)
        return self.made[key]


def _write_display(sheet, row, col, display, fmt, bold=False, kind=None):
    """One cell: a number in its format, a hidden count as its symbol, a
    missing value ("–") as an empty cell."""
    kind = kind or display.kind
    if display.hidden:
        sheet.write_string(row, col, display.text, fmt("hidden", bold))
    elif display.kind == YES_NO:
        sheet.write_string(row, col, display.text, fmt("text", bold))
    elif display.value is None:
        if display.text in ("", "–"):
            sheet.write_blank(row, col, None, fmt("text", bold))
        else:  # "ny", or a rate that hides with its count ("<5")
            sheet.write_string(row, col, display.text, fmt("hidden", bold))
    elif kind in (PERCENT, CHANGE):
        sheet.write_number(row, col, display.value / 100, fmt(kind, bold))
    else:
        sheet.write_number(row, col, display.value, fmt(kind, bold))


def _write_key_figure(sheet, row, col, figure, fmt):
    value, kind = figure.value, figure.kind
    if value is None:
        sheet.write_string(row, col, figure.text, fmt("hidden"))
    elif kind == "duration":
        hours = value.total_seconds() / 3600
        if hours < 48:
            sheet.write_number(row, col, hours, fmt("hours"))
        else:
            sheet.write_number(row, col, hours / 24, fmt("days"))
    elif kind in (PERCENT, CHANGE):
        sheet.write_number(row, col, value / 100, fmt(kind))
    else:
        sheet.write_number(row, col, value, fmt(kind))


def tables_xlsx(picture, filename: str, title: str):
    from situation.templatetags.situation_tags import key_figure_rows

    handle = tempfile.TemporaryFile()
    book = xlsxwriter.Workbook(handle, {"constant_memory": True, "strings_to_numbers": False})
    fmt = _Formats(book)
    used = set()
    sheet = book.add_worksheet(_sheet_name(_("Översikt"), used))
    lens = picture.lens
    sheet.write_string(0, 0, title, fmt("title"))
    sheet.write_row(1, 0, [_("Enhet"), lens.node.name])
    sheet.write_row(2, 0, [_("Period"), lens.label])
    sheet.write_string(3, 0, _("Från och med"))
    sheet.write_datetime(3, 1, datetime.combine(lens.start, datetime.min.time()), fmt("date"))
    sheet.write_string(4, 0, _("Till och med"))
    sheet.write_datetime(4, 1, datetime.combine(lens.end, datetime.min.time()), fmt("date"))
    r = 5
    for part in picture.filters:
        sheet.write_string(r, 0, part)
        r += 1
    if picture.suppressed:
        sheet.write_string(r, 0, str(SUPPRESSION_NOTE))
        r += 1
        sheet.write_string(r, 0, str(PROTECTION_NOTE))
        r += 1
    r += 1
    sheet.write_row(r, 0, [_("Nyckeltal"), _("Värde"), _("Förklaring")], fmt("text", True))
    header = r
    for figure in key_figure_rows(picture):
        r += 1
        sheet.write_string(r, 0, figure.label)
        _write_key_figure(sheet, r, 1, figure, fmt)
        sheet.write_string(r, 2, figure.note)
    sheet.freeze_panes(header + 1, 0)
    sheet.set_column(0, 0, 38)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 2, 44)
    for table in _all_tables(picture):
        sheet = book.add_worksheet(_sheet_name(table.sheet or table.caption, used))
        sheet.write_string(0, 0, table.caption, fmt("title"))
        r = 1
        if table.fallback:
            sheet.write_string(r, 0, table.fallback)
            r += 1
        if table.withheld:
            sheet.write_string(r, 0, str(WITHHELD_NOTE))
            continue
        header = r
        sheet.write_row(header, 0, table.columns, fmt("text", True))
        for row in table.rows:
            r += 1
            sheet.write_string(r, 0, row.label)
            for j, display in enumerate(row.cells, start=1):
                _write_display(sheet, r, j, display, fmt)
        last_data = r
        if table.foot:
            r += 1
            sheet.write_string(r, 0, table.foot.label, fmt("text", True))
            for j, display in enumerate(table.foot.cells, start=1):
                _write_display(sheet, r, j, display, fmt, bold=True)
        if table.note:
            sheet.write_string(r + 2, 0, table.note)
        sheet.freeze_panes(header + 1, 1)
        if last_data > header:
            sheet.autofilter(header, 0, last_data, len(table.columns) - 1)
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, len(table.columns) - 1, 16)
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
        yield [str(PROTECTION_NOTE)]
    yield []
    for label, value, _note in key_figures(picture):
        yield [label, value]


SHEET_NAME_MAX = 31  # Excel's limit


def _sheet_name(name: str, used: set) -> str:
    """A sheet name Excel accepts: no []:*?/\\, at most 31 characters cut at
    a word, unique in the workbook (case-insensitively) with a number."""
    clean = " ".join("".join(ch for ch in str(name) if ch not in "[]:*?/\\").split()).strip("'")

    def fit(text, room):
        if len(text) <= room:
            return text
        cut = text[:room + 1].rsplit(" ", 1)[0] if " " in text[:room + 1] else text[:room]
        return cut[:room].rstrip(" ,;–-")

    base = fit(clean, SHEET_NAME_MAX) or "Blad"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = fit(base, SHEET_NAME_MAX - len(suffix)) + suffix
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
            _("Verksamhetsområde"), _("Kanal"), _("Status"), _("Synlighet"), _("Polisanmälan"), _("K-nummer"),
            _("Mottagen"), _("Avslutad")]


# Columns of case_rows that hold a local time ("YYYY-MM-DD HH:MM").
CASE_TIME_COLUMNS = (1, 2, 13, 14)


def case_rows(qs, node):
    """Rows of the case list. The incidents are read with a server-side
    cursor in chunks of CHUNK rows, in id order; the forms of each chunk come
    in one query for its ids. Memory stays flat whatever the count."""
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
    local_text = connection.vendor == "postgresql"

    def when(value):
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            if local_text:
                return value
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            # SQLite hands the stored UTC time back without its time zone.
            value = value.replace(tzinfo=dt_timezone.utc)
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")

    rows = (qs.order_by("pk").annotate(**{f"{name}_text": _LocalMinute(name) for name in TIME_FIELDS})
            .values_list("pk", *(f"{name}_text" for name in TIME_FIELDS), "unit_id", "source_id",
                         "operation_area_id", "channel_id", "status", "identity_mode", "police_status",
                         "police_reference")
            .iterator(chunk_size=CHUNK))
    while True:
        chunk = list(islice(rows, CHUNK))
        if not chunk:
            return
        chunk_forms: dict[int, list[str]] = {}
        # The chunk's own ids (within its id range, an index range): ids need
        # not follow time, so the range alone could hold many other rows.
        for incident_id, form_id in FormThrough.objects.filter(
                incident_id__gte=chunk[0][0], incident_id__lte=chunk[-1][0],
                incident_id__in=[row[0] for row in chunk]).order_by(
                "incident_id", "influenceform_id").values_list("incident_id", "influenceform_id"):
            chunk_forms.setdefault(incident_id, []).append(forms.get(form_id, ""))
        for (pk, occurred, reported, ack, closed, unit_id, source_id, area_id, channel_id, st, mode,
             police_status, k_number) in chunk:
            yield [f"V-{pk:06d}", when(occurred), when(reported), units.get(unit_id, ("", ""))[1],
                   districts.get(unit_id, ""), ", ".join(chunk_forms.get(pk, ())), sources.get(source_id, ""),
                   areas.get(area_id, ""), channels.get(channel_id, ""), status.get(st, st),
                   identity.get(mode, mode), police.get(police_status, police_status), k_number,
                   when(ack), when(closed)]


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
    fmt = _Formats(book)
    when = fmt("datetime")
    header = case_header()
    sheet = book.add_worksheet(_sheet_name(_("Ärenden"), set()))
    sheet.set_column(0, 0, 11)
    sheet.set_column(1, 2, 17)
    sheet.set_column(3, 8, 26)
    sheet.set_column(9, 12, 16)
    sheet.set_column(13, 14, 17)
    sheet.write_row(0, 0, header, fmt("text", True))
    i = 0
    for i, row in enumerate(case_rows(qs, node), start=1):
        for j, value in enumerate(row):
            if j in CASE_TIME_COLUMNS:
                if value:
                    sheet.write_datetime(i, j, datetime.fromisoformat(value), when)
            elif value:
                sheet.write_string(i, j, value)
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, max(i, 1), len(header) - 1)
    book.close()
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def filename(kind: str, node, ext: str) -> str:
    stamp = datetime.now().strftime("%Y%m%d")
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in node.code)
    return f"lagesbild-{kind}-{safe}-{stamp}.{ext}"
