"""Gallring: exactly what is due goes, everything else stays, the situation
picture of every earlier year is unchanged, files leave the disk, and every
thinned case has one audit entry with the kinds removed (never content)."""
import os
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from audit.log import seal, verify
from audit.models import AuditEntry
from incidents.models import (
    Action,
    Attachment,
    ChecklistItem,
    Incident,
    Message,
    ReceiptCode,
    ReportDraft,
)
from retention import thinning
from retention.models import FileRemoval, RetentionRun
from situation import rollups
from situation.forms import load_terms
from tests.retention.planting import YEAR, case, draft, hold
from tests.situation.test_rollups import raw_counts, total_counts, year_lens

pytestmark = pytest.mark.django_db

ANON = Incident.IdentityMode.ANONYMOUS
CONF = Incident.IdentityMode.CONFIDENTIAL


def files_of(inc):
    return [a.file.name for a in Attachment.unscoped.filter(incident=inc)]


@pytest.fixture
def planted(city):
    p = type("Planted", (), {})()
    p.due_named = case(city.north_a, reporter=city.employee, closed_days_ago=6 * YEAR, label="dn", files=2)
    p.due_conf = case(city.north_b, reporter=city.employee, identity=CONF, closed_days_ago=6 * YEAR, label="dc")
    p.due_anon = case(city.south_a, identity=ANON, closed_days_ago=6 * YEAR, label="da")
    p.young = case(city.north_a, reporter=city.colleague, closed_days_ago=YEAR, label="y")
    p.young_anon = case(city.north_a, identity=ANON, closed_days_ago=YEAR, label="ya")
    p.fresh_anon = case(city.north_a, identity=ANON, closed_days_ago=10, label="fa")
    p.pseudo_only = case(city.north_a, reporter=city.colleague, closed_days_ago=4 * YEAR, label="p")
    p.open_old = case(city.north_a, reporter=city.employee, closed_days_ago=None, occurred_days_ago=8 * YEAR,
                      label="o")
    p.held = case(city.north_a, reporter=city.employee, closed_days_ago=7 * YEAR, label="h")
    p.hold = hold(p.held, city.security)
    p.old_draft = draft(city.colleague, 40)
    p.new_draft = draft(city.employee_south, 5)
    p.files = {inc.pk: files_of(inc) for inc in Incident.unscoped.all()}
    return p


def fresh(inc):
    return Incident.unscoped.get(pk=inc.pk)


def assert_untouched(inc, label, *, receipt=None):
    row = fresh(inc)
    assert row.description == f"Beskrivning {label}" and row.location == f"Plats {label}"
    assert row.police_reference == f"K{label}-1" and row.closing_summary == f"Sammanfattning {label}"
    assert row.actor_pseudonym == f"pseudo-{label}"
    assert Action.unscoped.get(incident=inc).title == f"Åtgärd {label}"
    item = ChecklistItem.unscoped.get(incident=inc)
    assert (item.note, item.reference) == (f"Not {label}", f"Ref {label}")
    assert Message.unscoped.filter(incident=inc).count() == 1
    assert Attachment.unscoped.filter(incident=inc).exists()
    for name in files_of(inc):
        assert default_storage.exists(name)
    if receipt is not None:
        assert ReceiptCode.objects.filter(incident=inc).exists() is receipt
    assert row.thinned_at is None or receipt is False
    return row


def assert_thinned(inc, planted_files, reporter_gender=""):
    row = fresh(inc)
    assert (row.description, row.location, row.police_reason, row.closing_summary) == ("", "", "", "")
    assert row.police_reference == thinning.REMOVED_REFERENCE
    assert row.reporter_id is None and row.reporter_gender == reporter_gender
    assert row.actor_pseudonym == "" and row.thinned_at is not None
    assert Action.unscoped.get(incident=inc).title == ""  # the action stays (counted), its wording goes
    item = ChecklistItem.unscoped.get(incident=inc)
    assert (item.note, item.reference, item.state) == ("", "", "done")
    assert not Message.unscoped.filter(incident=inc).exists()
    assert not Attachment.unscoped.filter(incident=inc).exists()
    assert not ReceiptCode.objects.filter(incident=inc).exists()
    for name in planted_files[inc.pk]:
        assert not os.path.exists(default_storage.path(name)), name
    # The statistical skeleton stays.
    assert row.status == Incident.Status.CLOSED and row.closed_at and row.acknowledged_at
    assert row.source.code == "brukare" and row.channel.code == "telefon" and row.unit_id == inc.unit_id
    assert [f.code for f in row.forms.all()] == ["hot"] and row.identity_mode == inc.identity_mode
    assert row.police_status == Incident.PoliceStatus.EMPLOYER and row.occurred_at == inc.occurred_at
    return row


def test_a_run_removes_exactly_what_is_due(city, planted):
    outcome = thinning.run()
    p = planted
    assert_thinned(p.due_named, p.files, reporter_gender="woman")
    assert_thinned(p.due_conf, p.files, reporter_gender="woman")
    assert_thinned(p.due_anon, p.files)
    # Closed a year ago: only the anonymous receipt code (90 days) is due.
    assert_untouched(p.young, "y")
    assert fresh(p.young).reporter == city.colleague
    assert_untouched(p.young_anon, "ya", receipt=False)
    assert_untouched(p.fresh_anon, "fa", receipt=True)
    # Closed four years ago: the pseudonym (3 years) goes, the rest (5 years) stays.
    row = fresh(p.pseudo_only)
    assert row.actor_pseudonym == "" and row.description == "Beskrivning p" and row.reporter == city.colleague
    assert Message.unscoped.filter(incident=p.pseudo_only).exists()
    # Open however old, and on hold: nothing goes.
    assert_untouched(p.open_old, "o")
    assert_untouched(p.held, "h")
    assert fresh(p.held).reporter == city.employee
    # Drafts: 40 days old gone, 5 days old kept.
    assert not ReportDraft.objects.filter(pk=p.old_draft.pk).exists()
    assert ReportDraft.objects.filter(pk=p.new_draft.pk).exists()
    assert outcome.run.incidents == 5 and outcome.run.held == 1
    assert outcome.removed["identity"] == 2 and outcome.removed["attachments"] == 4
    assert outcome.removed["drafts"] == 1 and not FileRemoval.objects.exists()


def test_the_proof_one_entry_per_case_with_kinds_and_never_content(city, planted):
    outcome = thinning.run()
    entries = AuditEntry.objects.filter(action="retention.thin")
    assert entries.count() == 5
    named = entries.get(incident=planted.due_named)
    assert named.changes["kinds"][1] == ["attachments", "identity", "messages", "pseudonyms", "texts"]
    assert named.changes["run"][1] == outcome.run.pk and named.changes["attachments_removed"][1] == 2
    young = entries.get(incident=planted.young_anon)
    assert young.changes["kinds"][1] == ["receipts"]
    summary = AuditEntry.objects.get(action="retention.run")
    assert summary.changes["cases"][1] == 5 and summary.changes["held"][1] == 1
    text = " ".join(str(e.changes) for e in AuditEntry.objects.all())
    for secret in ("Beskrivning", "Meddelande", "Plats", "bild-", "Åtgärd d", "pseudo-"):
        assert secret not in text
    seal()
    assert verify().intact


def test_a_second_run_removes_nothing_and_a_lifted_hold_lets_the_case_go(city, planted):
    thinning.run()
    again = thinning.run()
    assert again.run.incidents == 0 and sum(again.removed.values()) == 0
    assert AuditEntry.objects.filter(action="retention.thin").count() == 5
    planted.hold.lifted_at = timezone.now()
    planted.hold.lifted_by = city.hr
    planted.hold.save()
    third = thinning.run()
    assert third.run.incidents == 1
    assert_thinned(planted.held, planted.files, reporter_gender="woman")


def test_the_picture_of_every_earlier_year_is_unchanged(city, planted):
    terms = load_terms()
    years = range(timezone.localdate().year - 8, timezone.localdate().year)
    people = [city.analyst, city.security, city.head_north]
    nodes = [city.city, city.north, city.south]

    def pictures():
        return {(u.username, n.code, y): (total_counts(u, year_lens(n, y), terms),
                                          raw_counts(u, year_lens(n, y), terms))
                for u in people for n in nodes for y in years}

    before = pictures()
    assert any(kept.total_now for kept, _raw in before.values())
    thinning.run()
    after = pictures()
    for key, (kept, raw) in after.items():
        assert kept == before[key][0], key
        # The raw rows give the same figures, gender included (kept on the
        # thinned case); only the pseudonyms' repeated actors are gone there.
        old_raw = before[key][1]
        assert raw.gender_now == old_raw.gender_now and raw.total_now == old_raw.total_now, key
        assert raw.month_form == old_raw.month_form and raw.police_reported == old_raw.police_reported, key
        assert raw.timing == old_raw.timing and raw.identity_now == old_raw.identity_now, key
    assert rollups.check() == []
    call_command("rebuild_rollups", "--check")


def test_the_dry_run_counts_by_kind_and_year_and_removes_nothing(city, planted, capsys):
    result = thinning.preview()
    year = timezone.localtime(planted.due_named.occurred_at).year
    assert result.by_kind["identity"] == {year: 2}  # named and confidential; the held one is left
    assert sum(result.by_kind["receipts"].values()) == 2
    assert result.cases == 5 and result.held == 1 and sum(result.drafts.values()) == 1
    call_command("gallra", "--dry-run")
    out = capsys.readouterr().out
    assert "Nästa gallring: 5 ärenden, 1 bevarade lämnas." in out
    assert f"Rapportörens identitet: 2 ({year}: 2)" in out
    assert_untouched(planted.due_named, "dn")
    assert not RetentionRun.objects.exists()


def test_a_file_left_by_a_run_killed_after_its_commit_is_removed_by_the_next(city, planted, settings):
    """The row is committed with the thinning; the unlink after it never ran."""
    name = planted.files[planted.young.pk][0]
    FileRemoval.objects.create(name=name)  # what a killed run leaves behind
    thinning.run()
    assert not default_storage.exists(name) and not FileRemoval.objects.exists()


def test_the_sweep_removes_old_files_that_no_attachment_names(city, planted):
    orphan = default_storage.save("attachments/zz/orphan", __import__("io").BytesIO(b"x"))
    recent = default_storage.save("attachments/zz/recent", __import__("io").BytesIO(b"x"))
    old = timezone.now().timestamp() - thinning.ORPHAN_AGE_SECONDS - 60
    os.utime(default_storage.path(orphan), (old, old))
    kept = planted.files[planted.young.pk][0]
    os.utime(default_storage.path(kept), (old, old))
    assert thinning.sweep_orphans() == 1
    assert not default_storage.exists(orphan) and default_storage.exists(recent) and default_storage.exists(kept)
    default_storage.delete(recent)


def test_a_case_reopened_after_the_preview_is_not_thinned(city, planted):
    Incident.unscoped.filter(pk=planted.due_named.pk).update(status=Incident.Status.INVESTIGATING)
    thinning.run()
    assert_untouched(planted.due_named, "dn")


def test_the_command_reports_what_it_did(city, planted, capsys):
    call_command("gallra")
    out = capsys.readouterr().out
    assert "Gallring klar" in out and "5 ärenden gallrade, 1 bevarade lämnades" in out
    call_command("gallra", "--daily")
    assert "redan körd i dag" in capsys.readouterr().out
    assert RetentionRun.objects.count() == 1
    assert timezone.now() - RetentionRun.objects.get().finished_at < timedelta(minutes=5)
