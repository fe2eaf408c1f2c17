"""The spreadsheets, read back cell by cell (issue 11, item 10): numbers
are numbers with a number format, percentages are percentages, yes/no are
words, sheet names are whole words, dates are dates, every table has a
frozen header and filters, and the case list carries the K-number.

openpyxl is not a dependency: an .xlsx file is a zip of XML, read here with
the standard library."""
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone

from situation.exports import SHEET_NAME_MAX, _sheet_name
from situation.lens import last_twelve_months
from tests.factories import incident

pytestmark = pytest.mark.django_db

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
BUILTIN_FORMATS = {0: "General", 9: "0%", 14: "yyyy-mm-dd"}


@dataclass
class XCell:
    kind: str  # "n" number, "s" text
    value: object
    number_format: str


@dataclass
class XSheet:
    name: str
    cells: dict = field(default_factory=dict)  # "B3" -> XCell
    frozen: tuple | None = None  # (columns, rows) above and left of the split
    autofilter: str | None = None

    def row(self, n: int) -> list:
        cells = sorted(((ref, c) for ref, c in self.cells.items() if re.fullmatch(rf"[A-Z]+{n}", ref)),
                       key=lambda rc: (len(rc[0]), rc[0]))
        return [c for _ref, c in cells]

    def find(self, text: str) -> str:
        """The reference of the first cell holding `text`."""
        return next(ref for ref, c in self.cells.items() if c.value == text)

    def right_of(self, ref: str, steps: int = 1) -> XCell:
        column, row = re.fullmatch(r"([A-Z]+)(\d+)", ref).groups()
        return self.cells.get(f"{chr(ord(column) + steps)}{row}")


def read_xlsx(data: bytes) -> dict[str, XSheet]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        styles = ElementTree.fromstring(book.read("xl/styles.xml"))
        custom = {int(f.get("numFmtId")): f.get("formatCode") for f in styles.iterfind(".//m:numFmts/m:numFmt", NS)}
        formats = [custom.get(int(xf.get("numFmtId")), BUILTIN_FORMATS.get(int(xf.get("numFmtId")), "?"))
                   for xf in styles.find("m:cellXfs", NS)]
        shared = []
        if "xl/sharedStrings.xml" in book.namelist():
            shared = ["".join(t.text or "" for t in si.iterfind(".//m:t", NS))
                      for si in ElementTree.fromstring(book.read("xl/sharedStrings.xml"))]
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        sheets = {}
        for i, entry in enumerate(workbook.iterfind(".//m:sheet", NS), start=1):
            root = ElementTree.fromstring(book.read(f"xl/worksheets/sheet{i}.xml"))
            sheet = XSheet(entry.get("name"))
            for c in root.iterfind(".//m:sheetData/m:row/m:c", NS):
                t = c.get("t")
                number_format = formats[int(c.get("s", 0))]
                if t == "inlineStr":
                    sheet.cells[c.get("r")] = XCell("s", "".join(x.text or "" for x in c.iterfind(".//m:t", NS)),
                                                    number_format)
                elif t == "s":
                    sheet.cells[c.get("r")] = XCell("s", shared[int(c.find("m:v", NS).text)], number_format)
                elif t in (None, "n") and c.find("m:v", NS) is not None:
                    sheet.cells[c.get("r")] = XCell("n", float(c.find("m:v", NS).text), number_format)
                elif t in ("str", "b", "e"):
                    sheet.cells[c.get("r")] = XCell(t, c.find("m:v", NS).text, number_format)
            pane = root.find(".//m:sheetView/m:pane", NS)
            if pane is not None and pane.get("state") == "frozen":
                sheet.frozen = (int(pane.get("xSplit", 0)), int(pane.get("ySplit", 0)))
            autofilter = root.find("m:autoFilter", NS)
            sheet.autofilter = autofilter.get("ref") if autofilter is not None else None
            sheets[sheet.name] = sheet
        return sheets


def excel_date(serial: float) -> datetime:
    return datetime(1899, 12, 30) + timedelta(days=serial)


def get_xlsx(client, name, node, *args, query="") -> dict[str, XSheet]:
    response = client.get(reverse(f"situation:{name}", args=[node.pk, *args]) + query)
    assert response.status_code == 200
    return read_xlsx(b"".join(response.streaming_content))


@pytest.fixture
def busy(city):
    """Enough reports in the north that the coordinator's tables have
    numbers of every kind, one of them police-reported with a K-number."""
    for i in range(12):
        inc = incident(city.north_a if i % 3 else city.north_b, reporter=city.employee,
                       forms=("hot", "vald") if i % 2 else ("trakasserier",), days_ago=5 + i * 25)
        inc.acknowledged_at = inc.reported_at + timedelta(hours=3 + i)
        inc.save(update_fields=["acknowledged_at"])
    for days_ago in (400, 420, 500):  # a year earlier, for the comparison
        incident(city.north_a, reporter=city.employee, forms=("hot",), days_ago=days_ago)
    city.named.police_reference = "K123456-26"
    city.named.police_status = "reported"
    city.named.save(update_fields=["police_reference", "police_status"])
    return city


def test_the_tables_workbook_holds_numbers_percentages_dates_and_words(busy, client):
    client.force_login(busy.security)
    book = get_xlsx(client, "export_tables", busy.north, "xlsx")
    overview = book["Översikt"]
    # Key figures: numbers in their formats, not text.
    reports = overview.right_of(overview.find("Rapporter"))
    assert reports.kind == "n" and reports.value == 17 and reports.number_format == "#,##0"
    rate = overview.right_of(overview.find("Per 100 anställda"))
    assert rate.kind == "n" and rate.number_format == "0.0"
    police = overview.right_of(overview.find("Hot och våld som polisanmälts"))
    assert police.kind == "n" and 0 < police.value <= 1 and police.number_format == "0%"
    ack = overview.right_of(overview.find("Tid till mottagande, median"))
    assert ack.kind == "n" and ack.number_format == '0.0 "tim"'
    # The period as dates.
    start = overview.right_of(overview.find("Från och med"))
    end = overview.right_of(overview.find("Till och med"))
    assert start.kind == end.kind == "n" and start.number_format == end.number_format == "yyyy-mm-dd"
    assert (excel_date(start.value).date(), excel_date(end.value).date()) == last_twelve_months(
        timezone.localdate())
    # A table: counts are numbers.
    months = book["Per månad och form"]
    counts = [c for ref, c in months.cells.items() if ref[0] in "BCDEFG" and int(ref[1:]) > 2]
    assert counts and all(c.kind == "n" and c.number_format == "#,##0" for c in counts)
    # Percentages as percentages: 100 % is 1, shown as "0%".
    gender = book["Kön"]
    share = gender.right_of(gender.find("Totalt"), 2)
    assert share.kind == "n" and share.value == 1 and share.number_format == "0%"
    shares = [c for ref, c in gender.cells.items() if ref[0] in "CD" and int(ref[1:]) > 2]
    assert shares and all(c.kind == "n" and 0 <= c.value <= 1 and c.number_format == "0%" for c in shares)
    units = book["Enheter"]
    assert units.right_of(units.find("Avdelningen för socialtjänst"), 3).number_format == "0.0"
    # Yes and no as words.
    growth = book["Jämfört med året innan"]
    header = growth.row(2)
    assert header[-1].value == "Tydlig ökning"
    verdicts = [c for ref, c in growth.cells.items() if ref.startswith("E") and int(ref[1:]) > 2]
    assert verdicts and all(c.kind == "s" and c.value in ("Ja", "Nej") for c in verdicts)
    changes = [c for ref, c in growth.cells.items() if ref.startswith("D") and int(ref[1:]) > 2 and c.kind == "n"]
    assert all(c.number_format == "+0%;-0%;0%" for c in changes)


def test_every_table_sheet_has_a_whole_name_a_frozen_header_and_filters(busy, client):
    client.force_login(busy.security)
    book = get_xlsx(client, "export_tables", busy.north, "xlsx")
    assert list(book) == ["Översikt", "Per månad och form", "Vem", "Verksamhetsområde", "Kanal", "Enheter",
                          "Utbildning", "Kön", "Jämfört med året innan"]
    for name, sheet in book.items():
        assert len(name) <= SHEET_NAME_MAX
        if name == "Översikt":
            continue
        header_row = 2  # the caption above it
        assert sheet.frozen == (1, header_row), name
        first, last = sheet.autofilter.split(":")
        assert first == f"A{header_row}", name
        # The filter covers the rows up to, not including, the totals row.
        last_row = int(re.sub(r"[A-Z]+", "", last))
        labels = [sheet.cells[f"A{r}"].value for r in range(header_row + 1, last_row + 1)]
        assert "Hela perioden" not in labels and "Totalt" not in labels


def test_sheet_names_are_cut_at_a_word_and_kept_unique():
    used = set()
    long = "Former och vem som påverkar: perioden jämfört med samma period året innan"
    first = _sheet_name(long, used)
    second = _sheet_name(long, used)
    assert first == "Former och vem som påverkar"
    assert second == "Former och vem som påverkar (2)" and len(second) <= SHEET_NAME_MAX
    assert _sheet_name("Rapporter [per] månad/form?", used) == "Rapporter per månadform"
    assert _sheet_name("Enheterjämfördarapporterper100anställda", used) == "Enheterjämfördarapporterper100a"


def test_the_case_list_has_dates_as_dates_the_k_number_and_filters(busy, client):
    client.force_login(busy.security)
    sheet = get_xlsx(client, "export_cases", busy.north, "xlsx")["Ärenden"]
    header = [c.value for c in sheet.row(1)]
    assert header[:3] == ["Ärende", "Hände", "Rapporterad"]
    assert "K-nummer" in header and header.index("K-nummer") == header.index("Polisanmälan") + 1
    k_column = chr(ord("A") + header.index("K-nummer"))
    row = next(r for r in range(2, 40) if sheet.cells[f"A{r}"].value == busy.named.reference)
    assert sheet.cells[f"{k_column}{row}"].value == "K123456-26"
    occurred = sheet.cells[f"B{row}"]
    assert occurred.kind == "n" and occurred.number_format == "yyyy-mm-dd hh:mm"
    local = timezone.localtime(busy.named.occurred_at).replace(tzinfo=None, second=0, microsecond=0)
    assert abs(excel_date(occurred.value) - local) < timedelta(seconds=1)
    assert sheet.frozen == (1, 1)
    assert sheet.autofilter == f"A1:{chr(ord('A') + len(header) - 1)}{len([r for r in sheet.cells if r.startswith('A')])}"
    # The CSV has the K-number too.
    body = b"".join(client.get(reverse("situation:export_cases", args=[busy.north.pk, "csv"])).streaming_content)
    assert b"K123456-26" in body and "K-nummer".encode() in body


def test_hidden_cells_stay_symbols_in_the_spreadsheet(busy, client):
    client.force_login(busy.analyst)
    book = get_xlsx(client, "export_tables", busy.north, "xlsx")
    symbols = [c for sheet in book.values() for c in sheet.cells.values() if c.value in ("<5", "..")]
    assert symbols and all(c.kind == "s" for c in symbols)
    # No count from 1 to 4 is written as a number anywhere in a table.
    for name, sheet in book.items():
        if name in ("Översikt", "Enheter", "Utbildning", "Kön"):  # headcounts and shares
            continue
        assert not [ref for ref, c in sheet.cells.items() if c.kind == "n" and c.value in (1, 2, 3, 4)], name
