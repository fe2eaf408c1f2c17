"""The auditor's export of the filtered log: CSV or XLSX, in the same words
and with the same masking as the page (audit.describe).

Both are streamed: entries are read and described in batches, so memory does
not grow with the log. The CSV goes out block by block; the XLSX is written
by xlsxwriter in constant_memory mode to a temporary file that is then
streamed and deleted.
"""
import csv
import io
import tempfile
from datetime import datetime
from itertools import islice

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.describe import describe

BATCH = 1000
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell starting with one of these is read as a formula by spreadsheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def header() -> list[str]:
    return [_("Post"), _("Tid"), _("Vem"), _("Händelse"), _("Ärende"), _("Vad som gjordes"), _("Ändringar")]


def lines(entries, viewer):
    """Described entries, newest first, read BATCH at a time."""
    iterator = entries.select_related("incident").order_by("-id").iterator(chunk_size=BATCH)
    while True:
        batch = list(islice(iterator, BATCH))
        if not batch:
            return
        yield from describe(batch, viewer)


def _row(line) -> list:
    return [line.id, timezone.localtime(line.at), line.actor, line.kind, line.case, line.sentence,
            "; ".join(line.details)]


def _safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def filename(ext: str) -> str:
    return f"granskningslogg-{datetime.now():%Y%m%d-%H%M}.{ext}"


def csv_response(entries, viewer):
    def blocks():
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        buffer.write("\ufeff")  # a byte order mark makes Excel read UTF-8
        writer.writerow(header())
        for n, line in enumerate(lines(entries, viewer), start=1):
            row = _row(line)
            row[1] = row[1].strftime("%Y-%m-%d %H:%M:%S")
            writer.writerow([_safe(v) for v in row])
            if n % BATCH == 0:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode()

    response = StreamingHttpResponse(blocks(), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename("csv")}"'
    response["Cache-Control"] = "private, no-store"
    return response


def xlsx_response(entries, viewer):
    handle = tempfile.TemporaryFile()
    book = xlsxwriter.Workbook(handle, {"constant_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet(_("Granskningslogg"))
    for col, width in enumerate([8, 20, 26, 28, 11, 60, 60]):
        sheet.set_column(col, col, width, wrap if col >= 5 else None)
    columns = header()
    sheet.write_row(0, 0, columns, bold)
    sheet.freeze_panes(1, 0)
    r = 0
    for r, line in enumerate(lines(entries, viewer), start=1):
        row = _row(line)
        sheet.write_number(r, 0, row[0])
        sheet.write_datetime(r, 1, row[1].replace(tzinfo=None), when)
        for col in range(2, len(row)):
            sheet.write_string(r, col, row[col], wrap if col >= 5 else None)
    sheet.autofilter(0, 0, max(r, 1), len(columns) - 1)
    book.close()
    handle.seek(0)
    response = FileResponse(handle, as_attachment=True, filename=filename("xlsx"), content_type=XLSX_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response
