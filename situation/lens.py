"""What a situation picture looks at: an organisation node, a period and
filters. The lens turns into a queryset from the shared access query, into
the query string of links, and into the words shown above every figure.

"Senaste 12 månaderna" (the default, and the start page's figure) is the
twelve months up to and including today: from the day after the same date
a year earlier through today, that is the last 365 days (366 when they hold
a 29 February). Every period is whole local days."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from incidents import access
from incidents.models import Incident

TERTIALS = {"t1": (1, 4), "t2": (5, 8), "t3": (9, 12)}
DEFAULT_PERIOD = "12-man"
FormThrough = Incident.forms.through


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, months: int) -> date:
    """The first day of the month `months` after d's month."""
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def year_earlier(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def local_start(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


def period_bounds(period: str, year: int | None, start: date | None, end: date | None,
                  today: date) -> tuple[date, date]:
    """First and last day (inclusive) of a period choice, not after today."""
    if period == "i-ar":
        return date(today.year, 1, 1), today
    if period in TERTIALS:
        first, last = TERTIALS[period]
        y = year or today.year
        return date(y, first, 1), min(add_months(date(y, last, 1), 1) - timedelta(days=1), today)
    if period == "ar":
        y = year or today.year
        return date(y, 1, 1), min(date(y, 12, 31), today)
    if period == "intervall":
        return start, min(end, today)
    return last_twelve_months(today)


def last_twelve_months(today: date) -> tuple[date, date]:
    """The twelve months up to and including today (see the module's text)."""
    return year_earlier(today) + timedelta(days=1), today


@dataclass
class Lens:
    node: object
    start: date
    end: date  # inclusive
    period: str = DEFAULT_PERIOD
    year: int | None = None
    forms: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    # Drill-down only: one month (first day) or one actor pseudonym.
    month: date | None = None
    actor: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_dt(self) -> datetime:
        return local_start(self.start)

    @property
    def end_dt(self) -> datetime:
        """Exclusive upper bound."""
        return local_start(self.end + timedelta(days=1))

    @property
    def previous_year(self) -> tuple[date, date]:
        return year_earlier(self.start), year_earlier(self.end)

    @property
    def label(self) -> str:
        fmt = "j F Y"
        return f"{formats.date_format(self.start, fmt)} – {formats.date_format(self.end, fmt)}"

    @property
    def has_filters(self) -> bool:
        return bool(self.forms or self.sources or self.areas or self.channels)

    def params(self, **override) -> list[tuple[str, str]]:
        values = {
            "period": self.period,
            "ar": str(self.year) if self.year and self.period in ("ar", *TERTIALS) else "",
            "fran": self.start.isoformat() if self.period == "intervall" else "",
            "till": self.end.isoformat() if self.period == "intervall" else "",
            "form": self.forms, "kalla": self.sources, "omrade": self.areas, "kanal": self.channels,
        }
        values.update(override)
        pairs = []
        for key, value in values.items():
            for item in (value if isinstance(value, (list, tuple)) else [value]):
                if item not in ("", None):
                    pairs.append((key, str(item)))
        return pairs

    def query(self, **override) -> str:
        return urlencode(self.params(**override))

    def filter_terms(self, qs, *, terms=None):
        """Apply the taxonomy filters. Several codes of one kind mean "any of"."""
        terms = terms or {}
        if self.forms:
            ids = [t.pk for t in terms.get("forms", []) if t.code in self.forms]
            qs = qs.filter(Exists(FormThrough.objects.filter(
                incident_id=OuterRef("pk"), influenceform_id__in=ids)))
        for codes, key, column in ((self.sources, "sources", "source_id"),
                                   (self.areas, "areas", "operation_area_id"),
                                   (self.channels, "channels", "channel_id")):
            if codes:
                ids = [t.pk for t in terms.get(key, []) if t.code in codes]
                qs = qs.filter(**{f"{column}__in": ids})
        return qs

    def countable(self, user, start: datetime, end: datetime, *, terms=None):
        """Incidents that enter the user's statistics for this node and
        filters between two instants (end exclusive)."""
        qs = access.countable_incidents(user).filter(
            unit__path__startswith=self.node.path, occurred_at__gte=start, occurred_at__lt=end)
        return self.filter_terms(qs, terms=terms)

    def visible(self, user, *, terms=None):
        """Cases the user may open, for drill-down lists and case exports."""
        start, end = self.start_dt, self.end_dt
        if self.month:
            start = max(start, local_start(self.month))
            end = min(end, local_start(add_months(self.month, 1)))
        qs = access.visible_incidents(user).filter(
            unit__path__startswith=self.node.path, occurred_at__gte=start, occurred_at__lt=end)
        if self.actor:
            qs = qs.filter(actor_pseudonym=self.actor)
        return self.filter_terms(qs, terms=terms)

    def describe_filters(self, terms) -> list[str]:
        parts = []
        for codes, key, title in ((self.forms, "forms", _("Form")), (self.sources, "sources", _("Vem")),
                                  (self.areas, "areas", _("Verksamhetsområde")),
                                  (self.channels, "channels", _("Kanal"))):
            if codes:
                names = [t.name for t in terms[key] if t.code in codes]
                parts.append(f"{title}: {', '.join(names)}")
        return parts
