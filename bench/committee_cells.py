"""What a committee member sees of the situation picture: for each district
(and the city), how many cells of the picture's tables are shown and how
many are hidden ("<5", "..", or a table withheld as a whole).

Runs on an existing database with the demo (manage.py seed_demo), read
only. The reader is the demo's city analyst looking at each district: an
aggregate-only reader, suppressed exactly as that district's committee is.
The period is the twelve months up to and including today, worked out here,
so that the same numbers can be measured on older code too.

  <node>.reports              reports in the period
  <node>.trend_rows           rows of the trend table ("Rapporter per månad ...")
  <node>.trend_shown          its cells shown (counts, not "<5"/"..")
  <node>.trend_hidden         its cells hidden
  <node>.trend_points_shown   points the trend chart draws (over all its lines)
  <node>.who_shown            cells shown in "Rapporter efter vem som utövade påverkan"
  <node>.who_hidden           cells hidden there
  <node>.cells_shown          cells shown in every table of the picture
  <node>.cells_shown_nonzero  of those, the ones that are not 0 (a zero is always shown)
  <node>.cells_hidden         cells hidden in every table of the picture
  all.*                       the same summed over the districts
and, as comments on standard error, each trend table's caption.

    DATABASE_URL=sqlite:////tmp/sit.sqlite3 VARN_DEBUG=1 .venv/bin/python bench/committee_cells.py
"""
import os
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "varn.settings")


def tables_of(picture):
    return [t for t in [*picture.tables, picture.gender, picture.growth] if t is not None]


def cells_of(table):
    rows = table.rows + ([table.foot] if table.foot else [])
    return [c for row in rows for c in row.cells]


def count(table) -> tuple[int, int, int]:
    """Cells shown, of them not zero, and hidden."""
    cells = cells_of(table)
    if table.withheld:
        return 0, 0, len(cells)
    hidden = sum(1 for c in cells if c.hidden)
    zeros = sum(1 for c in cells if not c.hidden and c.value == 0)
    return len(cells) - hidden, len(cells) - hidden - zeros, hidden


def main():
    import django

    django.setup()
    from django.utils import timezone

    from organisation.models import OrgUnit, User
    from situation import stats
    from situation.forms import load_terms
    from situation.lens import Lens, year_earlier

    today = timezone.localdate()
    start = year_earlier(today) + timedelta(days=1)
    reader = User.objects.get(username="analytiker")
    terms = load_terms()
    totals: dict[str, int] = {}
    nodes = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.ADMINISTRATION).order_by("name"))
    nodes.append(OrgUnit.objects.get(kind=OrgUnit.Kind.CITY))
    print(f"# period {start} – {today}, reader {reader.username}", file=sys.stderr)
    for node in nodes:
        picture = stats.build(reader, Lens(node=node, start=start, end=today), terms, drill=False)
        by_key = {t.key: t for t in picture.tables}
        trend, who = by_key["manad"], by_key["kalla"]
        values = {"reports": picture.total.value, "trend_rows": len(trend.rows)}
        values["trend_shown"], _nonzero, values["trend_hidden"] = count(trend)
        values["trend_points_shown"] = 0 if trend.withheld else sum(
            1 for d in trend.chart["datasets"] for v in d["data"] if v is not None)
        values["who_shown"], _nonzero, values["who_hidden"] = count(who)
        shown = nonzero = hidden = 0
        for table in tables_of(picture):
            s, n, h = count(table)
            shown, nonzero, hidden = shown + s, nonzero + n, hidden + h
        values["cells_shown"], values["cells_shown_nonzero"], values["cells_hidden"] = shown, nonzero, hidden
        print(f"# {node.code}: {trend.caption}{' (withheld)' if trend.withheld else ''}", file=sys.stderr)
        for name, value in values.items():
            print(f"{node.code}.{name}: {value}")
            if node.kind != OrgUnit.Kind.CITY:
                totals[name] = totals.get(name, 0) + value
    for name, value in totals.items():
        print(f"all.{name}: {value}")


if __name__ == "__main__":
    main()
