"""The situation picture's running totals (situation.rollups, read by
situation.totals) against the raw rows (situation.queries): every write path
keeps them in step, in the same transaction; rebuild_rollups recomputes and
--check finds every difference; a property test edits random incidents in
every way the product can and compares the two for random lenses."""
from datetime import date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Q
from django.db.models.deletion import ProtectedError
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from casework import workflow
from incidents.models import Action, Channel, Incident, InfluenceForm, Source
from organisation.models import OperationArea, Role, User
from situation import queries, rollups, totals
from situation.forms import load_terms
from situation.lens import Lens, local_start
from situation.models import PendingChange, Skeleton, Tally
from tests.factories import user as make_user

Mode = Incident.IdentityMode


# --- the two ways of counting ------------------------------------------------------------

def window(lens):
    from situation import figures

    return figures.window(lens)


def raw_counts(user, lens, terms):
    win = window(lens)
    before = lens.countable(user, local_start(win.ext_start), max(lens.start_dt, win.prev_end_dt), terms=terms)
    current = lens.countable(user, lens.start_dt, lens.end_dt, terms=terms)
    previous = lens.countable(user, win.prev_start_dt, win.prev_end_dt, terms=terms)
    return queries.gather(
        before, current, previous=previous, terms=terms, today=timezone.localdate(), months=win.pieces,
        with_history=win.has_history,
        hist_q=Q(occurred_at__gte=local_start(win.history_start), occurred_at__lt=lens.start_dt),
        prev_q=Q(occurred_at__gte=win.prev_start_dt, occurred_at__lt=win.prev_end_dt))


def total_counts(user, lens, terms):
    win = window(lens)
    return totals.gather(user, lens, terms, pieces=win.pieces, history_start=win.history_start,
                         with_history=win.has_history, today=timezone.localdate())


def differences(a, b) -> dict:
    return {name: (getattr(a, name), getattr(b, name)) for name in a.__dataclass_fields__
            if name != "keysums" and getattr(a, name) != getattr(b, name)}


def assert_same(user, lens, terms=None):
    terms = terms or load_terms()
    raw, kept = raw_counts(user, lens, terms), total_counts(user, lens, terms)
    assert raw == kept, (user.username, lens.node.code, lens.start, lens.end, differences(raw, kept))
    return kept


def year_lens(node, year=None, **filters):
    today = timezone.localdate()
    year = year or today.year
    return Lens(node=node, start=date(year, 1, 1), end=min(date(year, 12, 31), today), period="ar", year=year,
                **filters)


def at(day: date, hour=12):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def report(unit, day, forms=("hot",), **fields):
    fields.setdefault("description", "Testdata")
    fields.setdefault("source", Source.objects.get(code="brukare"))
    inc = Incident.objects.create(unit=unit, occurred_at=at(day), reported_at=at(day), **fields)
    inc.forms.set(InfluenceForm.objects.filter(code__in=forms))
    return inc


def agree():
    assert rollups.check() == []


# --- pure parts --------------------------------------------------------------------------

@pytest.mark.parametrize("delta,k,value", [
    (timedelta(0), 0, timedelta(0)),
    (timedelta(minutes=5, seconds=59), 0, timedelta(0)),
    (timedelta(minutes=6), 1, timedelta(minutes=6)),
    (timedelta(hours=47, minutes=59), 479, timedelta(hours=47, minutes=54)),
    (timedelta(hours=48), 480, timedelta(hours=48)),
    (timedelta(days=2, hours=2, minutes=23), 480, timedelta(hours=48)),
    (timedelta(days=2, hours=2, minutes=24), 481, timedelta(days=2.1)),
    (timedelta(days=15), 610, timedelta(days=15)),
    (timedelta(minutes=-1), -1, timedelta(minutes=-6)),
])
def test_durations_are_counted_in_the_steps_the_page_shows(delta, k, value):
    assert rollups.step(delta) == k
    assert rollups.step_value(k) == value
    assert rollups.step(rollups.step_value(k)) == k


@pytest.mark.parametrize("first,last,today", [
    (date(2025, 12, 4), date(2026, 12, 3), date(2026, 12, 3)),
    (date(2024, 1, 1), date(2024, 12, 31), date(2026, 1, 1)),
    (date(2024, 2, 10), date(2024, 2, 20), date(2026, 1, 1)),
    (date(2024, 2, 2), date(2024, 3, 30), date(2024, 3, 15)),
    (date(2023, 3, 1), date(2024, 2, 29), date(2024, 2, 29)),
])
def test_a_span_is_whole_months_plus_or_minus_runs_of_days(first, last, today):
    months, days = totals.split(first, last, today)
    covered = {}
    for m in months:
        d = date.fromordinal(m)
        while d.month == date.fromordinal(m).month:
            covered[d] = covered.get(d, 0) + 1
            d += timedelta(days=1)
    for a, b, sign in days:
        for o in range(a, b + 1):
            covered[date.fromordinal(o)] = covered.get(date.fromordinal(o), 0) + sign
    assert {d for d, n in covered.items() if n} == {first + timedelta(days=i) for i in range((last - first).days + 1)}
    assert all(n in (0, 1) for n in covered.values())


# --- every write path ----------------------------------------------------------------------

@pytest.mark.django_db
def test_a_filed_report_counts_the_moment_it_is_filed(city):
    from reporting.services import create_report

    terms = load_terms()
    lens = year_lens(city.city)
    before = assert_same(city.analyst, lens, terms).total_now
    with transaction.atomic():
        create_report(reporter=city.employee, token=__import__("uuid").uuid4(), data={
            "unit": city.north_a, "occurred_at": timezone.now() - timedelta(hours=1), "description": "Hot i telefon",
            "identity_mode": Mode.NAMED, "source": Source.objects.get(code="brukare"),
            "channel": Channel.objects.get(code="telefon"), "forms": list(InfluenceForm.objects.filter(code="hot")),
        })
        # Inside the reporting transaction, before it commits.
        assert total_counts(city.analyst, lens, terms).total_now == before + 1
    assert assert_same(city.analyst, lens, terms).total_now == before + 1
    agree()


def test_a_report_is_followed_once_with_its_forms(city, settings):
    """Filing saves the incident and then sets its forms: the totals follow
    the finished incident once (incidents.signals.deferred), not once
    without its forms and again with them."""
    from reporting.services import create_report

    settings.ROLLUP_COMPACT_EVERY = 0
    last = PendingChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    forms = list(InfluenceForm.objects.filter(code__in=["hot", "trakasserier"]))
    receipt = create_report(reporter=city.employee, token=__import__("uuid").uuid4(), data={
        "unit": city.north_a, "occurred_at": timezone.now() - timedelta(hours=1), "description": "Hot och trakasserier",
        "identity_mode": Mode.NAMED, "source": Source.objects.get(code="brukare"),
        "channel": Channel.objects.get(code="telefon"), "forms": forms,
    })
    changes = list(PendingChange.objects.filter(pk__gt=last))
    assert [c.sign for c in changes] == [1]
    assert changes[0].forms == Skeleton.objects.get(incident=receipt.incident).forms != 0
    agree()


@pytest.mark.parametrize("mode", [Mode.NAMED, Mode.CONFIDENTIAL, Mode.ANONYMOUS])
def test_a_filed_reports_skeleton_from_memory_is_the_one_its_rows_give(city, mode):
    """Filing reads the new incident's skeleton from the objects in hand
    (incidents.signals.inserted), not from the database: it must be exactly
    what the stored rows give, the anonymous report's hour and the
    reporter's gender included."""
    from reporting.services import create_report

    city.employee.gender = User.Gender.WOMAN
    city.employee.save()
    forms = list(InfluenceForm.objects.filter(code__in=["hot", "vald", "trakasserier"]))
    receipt = create_report(reporter=city.employee, token=__import__("uuid").uuid4(), data={
        "unit": city.north_a, "occurred_at": timezone.now() - timedelta(days=3, minutes=17),
        "description": "Hot, våld och trakasserier", "identity_mode": mode,
        "source": Source.objects.get(code="brukare"), "channel": Channel.objects.get(code="telefon"),
        "police_reference": "K-123-26", "forms": forms,
    })
    stored = rollups.stored_values(Skeleton.objects.get(incident=receipt.incident))
    assert stored == rollups.computed([receipt.incident.pk])[receipt.incident.pk]
    assert stored["forms"] != 0 and stored["tv"] and stored["reported"]
    assert stored["gender"] == (None if mode == Mode.ANONYMOUS else User.Gender.values.index("woman"))
    agree()


@pytest.mark.django_db
@pytest.mark.parametrize("every", [0, 1, 3])
def test_pending_changes_count_before_and_after_they_are_folded_in(city, settings, every):
    """every=0: nothing is folded while writing (only the outbox holds the
    changes); 1: every change is folded at once; 3: some of each."""
    settings.ROLLUP_COMPACT_EVERY = every
    rollups.compact(drain=True)
    for i in range(7):
        report(city.north_b if i % 2 else city.south_a, timezone.localdate() - timedelta(days=40 * i),
               forms=("hot", "vald")[: 1 + i % 2], identity_mode=Mode.ANONYMOUS)
    if every == 0:
        assert PendingChange.objects.count() >= 7
    lens = Lens(node=city.city, start=timezone.localdate() - timedelta(days=400), end=timezone.localdate(),
                period="intervall")
    for user in (city.analyst, city.security, city.committee, city.manager):
        assert_same(user, lens)
    agree()
    rollups.compact(drain=True)
    assert PendingChange.objects.count() == 0
    for user in (city.analyst, city.security):
        assert_same(user, lens)
    agree()


@pytest.mark.django_db
def test_case_handling_moves_the_times_and_the_police_figures(city):
    case = report(city.north_a, timezone.localdate() - timedelta(days=3), forms=("hot",), reporter=city.employee)
    case = workflow.acknowledge(city.security, case.pk, case.version)
    workflow.set_police_reference(city.security, case.pk, "K123456-26")
    lens = year_lens(city.north) if case.occurred_at.year == timezone.localdate().year else None
    lens = lens or Lens(node=city.north, start=timezone.localdate() - timedelta(days=30),
                        end=timezone.localdate(), period="intervall")
    kept = assert_same(city.security, lens)
    assert kept.timing["ack_n"] >= 1 and kept.police_reported >= 1
    agree()


@pytest.mark.django_db
def test_reclassifying_moving_and_withdrawing_keep_the_totals_in_step(city):
    day = timezone.localdate() - timedelta(days=20)
    case = report(city.north_a, day, forms=("hot",), reporter=city.employee)
    case.forms.add(InfluenceForm.objects.get(code="vald"))
    case.forms.remove(InfluenceForm.objects.get(code="hot"))
    InfluenceForm.objects.get(code="trakasserier").incidents.add(case)
    agree()
    case.unit = city.south_a
    case.save()
    agree()
    Incident.unscoped.filter(pk=case.pk).update(unit=city.north_b, channel=Channel.objects.get(code="telefon"))
    agree()
    case.forms.clear()
    agree()
    lens = Lens(node=city.city, start=day - timedelta(days=5), end=timezone.localdate(), period="intervall")
    before = assert_same(city.analyst, lens).total_now
    Incident.unscoped.get(pk=case.pk).delete()
    assert assert_same(city.analyst, lens).total_now == before - 1
    agree()


@pytest.mark.django_db
def test_a_reporters_gender_and_a_move_in_the_tree_are_followed(city):
    city.employee.gender = User.Gender.MAN
    city.employee.save()
    agree()
    lens = Lens(node=city.city, start=timezone.localdate() - timedelta(days=30), end=timezone.localdate(),
                period="intervall")
    assert assert_same(city.analyst, lens).gender_now[User.Gender.MAN] >= 1
    north_before = assert_same(city.security, Lens(node=city.north, start=lens.start, end=lens.end,
                                                    period="intervall")).total_now
    # The department with both northern units moves to the south.
    city.north_ifo.parent = city.south
    city.north_ifo.save()
    agree()
    south = assert_same(city.security_south, Lens(node=city.south, start=lens.start, end=lens.end,
                                                   period="intervall"))
    assert south.total_now >= north_before
    assert_same(city.analyst, lens)


@pytest.mark.django_db
def test_a_thinned_incident_stays_counted_after_its_row_is_gone(city):
    day = timezone.localdate() - timedelta(days=10)
    case = report(city.north_a, day, forms=("hot",), reporter=city.employee)
    lens = Lens(node=city.city, start=day, end=timezone.localdate(), period="intervall")
    terms = load_terms()
    before = total_counts(city.analyst, lens, terms)
    rollups.freeze([case.pk])
    Incident.unscoped.filter(pk=case.pk).update(description="", location="")
    case.delete()
    after = total_counts(city.analyst, lens, terms)
    assert after.total_now == before.total_now and after.month_form == before.month_form
    assert Skeleton.objects.filter(frozen=True, incident__isnull=True).count() == 1
    agree()
    call_command("rebuild_rollups")
    assert total_counts(city.analyst, lens, terms) == after
    agree()


@pytest.mark.django_db
def test_rebuild_check_prints_every_difference_and_fails(city, capsys):
    call_command("rebuild_rollups", "--check")
    assert "stämmer" in capsys.readouterr().out
    rollups.compact(drain=True)
    row = Tally.objects.order_by("pk").first()
    Tally.objects.filter(pk=row.pk).update(n=row.n + 2)
    Skeleton.objects.filter(incident=city.south_case).update(channel=0)
    with pytest.raises(CommandError, match="skillnader mellan summorna och händelserna"):
        call_command("rebuild_rollups", "--check")
    out = capsys.readouterr().out
    assert f"händelse {city.south_case.pk}: channel" in out
    assert f"summa nod {row.node}" in out
    call_command("rebuild_rollups")
    call_command("rebuild_rollups", "--check")


@pytest.mark.django_db
def test_rebuild_and_check_read_the_rows_in_chunks_without_missing_one(city):
    for i in range(7):
        report(city.north_b, timezone.localdate() - timedelta(days=i * 11), forms=("hot",))
    Skeleton.objects.all().delete()
    rollups.rebuild(chunk=2)
    assert Skeleton.objects.count() == Incident.unscoped.count()
    assert rollups.check(chunk=3) == []
    Skeleton.objects.filter(pk=Skeleton.objects.order_by("-pk").first().pk).delete()
    assert len(rollups.check(chunk=3)) >= 1


@pytest.mark.django_db
def test_the_totals_carry_the_sum_of_record_keys_beside_each_count(city):
    lens = Lens(node=city.north, start=timezone.localdate() - timedelta(days=30), end=timezone.localdate(),
                period="intervall")
    kept = total_counts(city.security, lens, load_terms())
    keys = Incident.unscoped.filter(unit__path__startswith=city.north.path,
                                    occurred_at__gte=lens.start_dt).values_list("record_key", flat=True)
    assert kept.keysums[(totals.W_CURRENT, rollups.Dim.TOTAL, 0)] == sum(keys)


@pytest.mark.django_db
def test_countable_scope_is_the_rule_of_countable_incidents(city):
    from incidents import access

    mixed = make_user("mixed", (Role.MANAGER, city.north_ifo), (Role.COMMITTEE, city.south),
                      (Role.HR, city.north_a))
    for user in (city.analyst, city.security, city.manager, city.safety, city.committee, mixed, city.nobody,
                 city.employee):
        expected = set(access.countable_incidents(user).values_list("pk", flat=True))
        found = set()
        for path, with_bypassed in access.countable_scope(user):
            qs = Incident.unscoped.filter(unit__path__startswith=path)
            found |= set((qs if with_bypassed else qs.filter(bypasses_management=False)).values_list("pk", flat=True))
        assert found == expected, user.username


@pytest.mark.django_db
def test_every_edge_of_a_period_is_counted_once(city, settings):
    """A report every other day for two and a half years, and periods that
    begin and end on every kind of day of a month: the first, the second,
    the middle, the last but one, the last."""
    settings.ROLLUP_COMPACT_EVERY = 5
    today = timezone.localdate()
    units = [city.north_a, city.north_b, city.south_a, city.north_ifo]
    sources = list(Source.objects.all()[:4]) + [None]
    for i in range(0, 900, 2):
        report(units[i % 4], today - timedelta(days=i), forms=[("hot",), ("vald", "hot"), ("korruption",)][i % 3],
               source=sources[i % 5], identity_mode=[Mode.NAMED, Mode.ANONYMOUS, Mode.CONFIDENTIAL][i % 3],
               reporter=None if i % 3 == 1 else city.employee,
               acknowledged_at=at(today - timedelta(days=i)) + timedelta(hours=i % 70) if i % 4 else None)
    agree()
    terms = load_terms()
    days = []
    for back in (2, 9, 17, 26):
        first = (today.replace(day=1) - timedelta(days=back * 30)).replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        days += [first, first + timedelta(days=1), first + timedelta(days=14), last - timedelta(days=1), last]
    spans = [(a, b) for a in days for b in days if a <= b and (b - a).days < 800]
    for a, b in spans:
        for user in (city.analyst, city.security):
            node = city.city if user == city.analyst else city.north
            assert_same(user, Lens(node=node, start=a, end=b, period="intervall"), terms)
    assert_same(city.analyst, Lens(node=city.city, start=today - timedelta(days=364), end=today), terms)


# --- the property test -------------------------------------------------------------------

FORMS = ("hot", "vald", "trakasserier", "skadegorelse", "korruption")
SOURCES = ("brukare", "anhorig", "intern", "okand", None)
CHANNELS = ("hembesok", "mote", "telefon", None)

# Days back from today: mostly recent, so that reports and the edges of
# periods meet often; sometimes years back.
day_offset = st.one_of(st.integers(min_value=0, max_value=75), st.integers(min_value=0, max_value=900))
form_set = st.sets(st.sampled_from(FORMS), max_size=3)
operation = st.one_of(
    st.tuples(st.just("create"), st.integers(0, 3), day_offset, form_set, st.sampled_from(SOURCES),
              st.sampled_from(CHANNELS), st.sampled_from(list(Mode.values)), st.integers(0, 2),
              st.one_of(st.none(), st.integers(0, 400)), st.one_of(st.none(), st.integers(0, 60)),
              st.sampled_from(["", "aktor-1", "aktor-2"])),
    st.tuples(st.just("report"), st.integers(0, 3), st.sampled_from(list(Mode.values)), form_set),
    st.tuples(st.just("edit"), st.integers(0, 99), st.sampled_from(SOURCES), st.sampled_from(CHANNELS),
              st.booleans(), st.sampled_from(["", "K1-26"]), day_offset),
    st.tuples(st.just("update"), st.integers(0, 99), st.sampled_from(list(Mode.values)), st.integers(0, 400),
              st.booleans()),
    st.tuples(st.just("forms"), st.integers(0, 99), form_set, st.sampled_from(["set", "add", "remove", "clear"])),
    st.tuples(st.just("move"), st.integers(0, 99), st.integers(0, 3)),
    st.tuples(st.just("acknowledge"), st.integers(0, 99)),
    st.tuples(st.just("action"), st.integers(0, 99), st.integers(-20, 20)),
    st.tuples(st.just("withdraw"), st.integers(0, 99)),
    st.tuples(st.just("thin"), st.integers(0, 99)),
    st.tuples(st.just("gender"), st.sampled_from(list(User.Gender.values))),
    st.tuples(st.just("compact"),),
)
lens_spec = st.tuples(
    st.integers(0, 6), st.integers(0, 7), day_offset, st.one_of(st.integers(0, 45), st.integers(0, 500)),
    st.sets(st.sampled_from(FORMS), max_size=2), st.sets(st.sampled_from(SOURCES[:4]), max_size=2),
    st.sets(st.sampled_from(CHANNELS[:3]), max_size=1), st.booleans(),
)


class World:
    def __init__(self, city):
        self.city = city
        self.units = [city.north_a, city.north_b, city.south_a, city.north_ifo]
        self.nodes = [city.city, city.north, city.south, city.north_ifo, city.north_a, city.north_b, city.south_a]
        self.mixed = make_user("mixed_roles", (Role.MANAGER, city.north_ifo), (Role.COMMITTEE, city.south),
                               (Role.HR, city.north_a))
        self.users = [city.analyst, city.security, city.manager, city.safety, city.committee, city.head_north,
                      city.security_south, self.mixed]
        self.reporters = [city.employee, city.colleague, city.employee_south]
        self.form_terms = {f.code: f for f in InfluenceForm.objects.all()}
        self.sources = {s.code: s for s in Source.objects.all()}
        self.channels = {c.code: c for c in Channel.objects.all()}
        self.area = OperationArea.objects.first()
        self.today = timezone.localdate()
        self.frozen = set()

    def cases(self):
        return list(Incident.unscoped.exclude(pk__in=self.frozen).order_by("pk"))

    def pick(self, index):
        cases = self.cases()
        return cases[index % len(cases)] if cases else None

    def apply(self, op):
        kind, *args = op
        getattr(self, kind)(*args)

    def create(self, unit, offset, forms, source, channel, mode, reporter, ack_hours, close_days, actor):
        occurred = at(self.today - timedelta(days=offset), 9 + offset % 8)
        inc = Incident.objects.create(
            unit=self.units[unit], occurred_at=occurred, reported_at=occurred + timedelta(hours=1),
            description="Egenskapstest", source=self.sources.get(source), channel=self.channels.get(channel),
            operation_area=self.area if offset % 3 else None, identity_mode=mode,
            reporter=None if mode == Mode.ANONYMOUS else self.reporters[reporter],
            bypasses_management=source == "intern",
            acknowledged_at=occurred + timedelta(hours=ack_hours, minutes=7) if ack_hours is not None else None,
            closed_at=occurred + timedelta(days=close_days, hours=3) if close_days is not None else None,
            actor_pseudonym=actor, police_status="reported" if offset % 5 == 0 else "undecided")
        inc.forms.set([self.form_terms[f] for f in forms])

    def report(self, unit, mode, forms):
        import uuid

        from reporting.services import create_report

        create_report(reporter=self.city.employee, token=uuid.uuid4(), data={
            "unit": self.units[unit], "occurred_at": timezone.now() - timedelta(hours=2),
            "description": "Rapport", "identity_mode": mode, "source": self.sources["anhorig"],
            "channel": self.channels["telefon"], "forms": [self.form_terms[f] for f in forms or {"hot"}]})

    def edit(self, index, source, channel, hurt, k_number, offset):
        inc = self.pick(index)
        if inc is None:
            return
        inc.source, inc.channel = self.sources.get(source), self.channels.get(channel)
        inc.police_reference = k_number
        inc.occurred_at = at(self.today - timedelta(days=offset))
        inc.someone_hurt = hurt
        inc.save()

    def update(self, index, mode, hours, clear_close):
        inc = self.pick(index)
        if inc is None:
            return
        fields = {"identity_mode": mode, "acknowledged_at": inc.reported_at + timedelta(hours=hours)}
        if mode == Mode.ANONYMOUS:
            fields["reporter"] = None
        elif inc.reporter_id is None:
            fields["reporter"] = self.city.colleague
        if clear_close:
            fields["closed_at"] = None
        Incident.unscoped.filter(pk=inc.pk).update(**fields)

    def forms(self, index, forms, how):
        inc = self.pick(index)
        if inc is None:
            return
        chosen = [self.form_terms[f] for f in forms]
        if how == "set":
            inc.forms.set(chosen)
        elif how == "add":
            inc.forms.add(*chosen)
        elif how == "remove":
            inc.forms.remove(*chosen)
        else:
            inc.forms.clear()

    def move(self, index, unit):
        inc = self.pick(index)
        if inc is not None:
            inc.unit = self.units[unit]
            inc.save(update_fields=["unit"])

    def acknowledge(self, index):
        inc = self.pick(index)
        if inc is not None and inc.status == Incident.Status.NEW:
            coordinator = self.city.security if inc.unit.path.startswith(self.city.north.path) \
                else self.city.security_south
            if inc.reporter_id != coordinator.pk:
                workflow.acknowledge(coordinator, inc.pk, inc.version)

    def action(self, index, due_in):
        inc = self.pick(index)
        if inc is not None:
            Action.objects.create(incident=inc, title="Åtgärd", owner=self.city.security,
                                  due_date=self.today + timedelta(days=due_in),
                                  status=Action.Status.OPEN if due_in % 3 else Action.Status.DONE)

    def withdraw(self, index):
        """A report taken back (one that was handled has an audit trail, which
        keeps it)."""
        inc = self.pick(index)
        if inc is not None:
            try:
                with transaction.atomic():
                    inc.delete()
            except ProtectedError:
                pass

    def thin(self, index):
        """Gallring: the statistics are kept, the personal data goes."""
        inc = self.pick(index)
        if inc is not None:
            rollups.freeze([inc.pk])
            Incident.unscoped.filter(pk=inc.pk).update(description="(gallrad)", location="", police_reason="")
            self.frozen.add(inc.pk)

    def gender(self, gender):
        """A reporter's gender is corrected (not for a thinned report's reporter:
        its skeleton keeps the gender it was counted with)."""
        person = User.objects.get(pk=self.city.employee.pk)
        if Incident.unscoped.filter(pk__in=self.frozen, reporter=person).exists():
            return
        person.gender = gender
        person.save()

    def compact(self):
        rollups.compact(drain=True)

    def lens(self, spec):
        node, user, offset, length, forms, sources, channels, filtered = spec
        start = self.today - timedelta(days=offset)
        end = min(start + timedelta(days=length), self.today)
        kwargs = {}
        if filtered:
            kwargs = {"forms": sorted(forms), "sources": sorted(sources), "channels": sorted(channels)}
        return self.users[user], Lens(node=self.nodes[node], start=start, end=end, period="intervall", **kwargs)


class Rollback(Exception):
    pass


@pytest.mark.django_db
@pytest.mark.parametrize("every", [0, 4])
def test_the_picture_from_the_totals_is_the_picture_from_the_raw_rows(city, settings, every):
    settings.ROLLUP_COMPACT_EVERY = every
    world = World(city)
    terms = load_terms()

    @hsettings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(ops=st.lists(operation, min_size=1, max_size=25), lenses=st.lists(lens_spec, min_size=1, max_size=6))
    def check(ops, lenses):
        world.frozen = set()
        try:
            with transaction.atomic():
                for op in ops:
                    world.apply(op)
                for spec in lenses:
                    user, lens = world.lens(spec)
                    user = User.objects.get(pk=user.pk)  # roles read afresh
                    assert_same(user, lens, terms)
                assert rollups.check() == []
                raise Rollback
        except Rollback:
            pass

    check()


# --- writers at the same time ------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_reports_filed_at_the_same_time_are_each_counted_once(settings):
    """Several writers append to the outbox and fold it at the same time (on
    PostgreSQL; SQLite has one writer at a time): every report is counted
    exactly once, and the totals agree with the rows."""
    import threading

    from django.db import connection, connections

    from tests.factories import City

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    settings.ROLLUP_COMPACT_EVERY = 2
    city = City()
    before = Incident.unscoped.count()
    errors = []

    def writer(i):
        try:
            for j in range(12):
                with transaction.atomic():
                    report([city.north_a, city.north_b, city.south_a][(i + j) % 3],
                           timezone.localdate() - timedelta(days=j * 3), forms=("hot", "vald")[: 1 + j % 2])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert Incident.unscoped.count() == before + 48
    agree()
    lens = Lens(node=city.city, start=timezone.localdate() - timedelta(days=60), end=timezone.localdate(),
                period="intervall")
    assert_same(city.analyst, lens)
    rollups.compact(drain=True)
    agree()
