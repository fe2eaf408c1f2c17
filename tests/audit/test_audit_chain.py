"""The audit log's seal: entries are appended without a lock and chained
afterwards (audit.log.seal); verify_audit checks every sealed entry and
reports an entry left unsealed for longer than the window.

The tests marked "PostgreSQL" need real concurrent transactions: they run
when the suite runs on PostgreSQL (DATABASE_URL=postgresql://…) and are
skipped on the in-memory SQLite of the default run, which cannot hold two
writers open at once."""
import threading
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from audit import log
from audit.log import SEAL_WINDOW, head, record, record_view, seal, verify
from audit.models import GENESIS, AuditEntry, ChainHead

pytestmark = pytest.mark.django_db


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _fresh(pk):
    return AuditEntry.objects.get(pk=pk)


def _needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions: run the suite on PostgreSQL (DATABASE_URL=postgresql://…)")


# --- writing -------------------------------------------------------------------

def test_writing_an_entry_is_one_insert_and_takes_no_lock(city):
    with CaptureQueriesContext(connection) as queries:
        entry = record_view(city.manager, city.named)
    sql = [q["sql"] for q in queries.captured_queries]
    assert not any("chainhead" in s.lower() for s in sql), sql
    assert not any("for update" in s.lower() for s in sql), sql
    assert [s.split()[0].upper() for s in sql] == ["INSERT"]
    stored = _fresh(entry.pk)
    assert stored.content_hash == stored.compute_content_hash() and len(stored.content_hash) == 64
    assert (stored.seq, stored.prev_hash, stored.hash) == (None, None, None)


# --- sealing and verifying --------------------------------------------------------

def test_sealed_entries_form_a_chain_that_verifies(city):
    entries = [record_view(city.manager, city.named) for _ in range(4)]
    assert seal() == 4
    stored = [_fresh(e.pk) for e in entries]
    assert [e.seq for e in stored] == [1, 2, 3, 4]
    assert stored[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(stored, stored[1:]))
    assert head() == (4, stored[-1].hash)
    result = verify()
    assert (result.intact, result.sealed, result.waiting) == (True, 4, 0)
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "4 förseglade" in out.getvalue()


def test_sealing_again_seals_only_what_is_new_and_continues_the_chain(city):
    first = record_view(city.manager, city.named)
    seal()
    assert seal() == 0
    second = record(None, "reminder.sent", city.named, incident=city.named)
    assert seal() == 1
    assert _fresh(second.pk).seq == 2 and _fresh(second.pk).prev_hash == _fresh(first.pk).hash
    assert verify().intact


def test_an_unsealed_entry_inside_the_window_is_fine(city):
    record_view(city.manager, city.named)
    seal()
    waiting = record_view(city.manager, city.named)
    result = verify(now=waiting.at + SEAL_WINDOW - timedelta(seconds=1))
    assert (result.intact, result.sealed, result.waiting) == (True, 1, 1)
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "1 väntar på försegling" in out.getvalue()


def test_an_unsealed_entry_older_than_the_window_is_reported(city):
    record_view(city.manager, city.named)
    seal()
    late = record_view(city.manager, city.named)
    result = verify(now=late.at + SEAL_WINDOW + timedelta(seconds=1))
    assert not result.intact
    assert any(p.startswith(f"post {late.pk}: inte förseglad i tid") for p in result.problems)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit", "--window", "0", stderr=err)
    assert f"post {late.pk}: inte förseglad i tid" in err.getvalue()
    seal()
    call_command("verify_audit", "--window", "0")


def test_a_sealed_entry_changed_in_the_database_is_detected(city):
    entries = [record_view(city.manager, city.named) for _ in range(3)]
    seal()
    _raw("UPDATE audit_auditentry SET changes = %s WHERE id = %s", ['{"status": ["new", "closed"]}', entries[1].pk])
    problems = verify().problems
    assert problems == [f"post {entries[1].pk}: innehållet har ändrats"]
    with pytest.raises(CommandError):
        call_command("verify_audit", stderr=StringIO())


def test_a_changed_entry_with_its_hashes_recomputed_breaks_the_next_link(city):
    entries = [record_view(city.manager, city.named) for _ in range(3)]
    seal()
    forged = _fresh(entries[1].pk)
    forged.actor_label = "någon annan"
    _raw("UPDATE audit_auditentry SET actor_label = %s, content_hash = %s, hash = %s WHERE id = %s",
         [forged.actor_label, forged.compute_content_hash(), forged.compute_hash(), forged.pk])
    problems = verify().problems
    assert any(p.startswith(f"post {entries[2].pk}: länken") for p in problems), problems


def test_an_unsealed_entry_changed_in_the_database_is_detected_by_its_content_hash(city):
    entry = record_view(city.manager, city.named)
    _raw("UPDATE audit_auditentry SET action = %s WHERE id = %s", ["incident.change", entry.pk])
    assert verify().problems == [f"post {entry.pk}: innehållet har ändrats"]


def test_removed_sealed_entries_are_detected(city):
    entries = [record_view(city.manager, city.named) for _ in range(4)]
    seal()
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    problems = verify().problems
    assert any(p.startswith(f"post {entries[2].pk}: poster saknas i kedjan") for p in problems)
    assert any(p.startswith(f"post {entries[2].pk}: länken") for p in problems)


def test_a_rewritten_chain_is_found_with_a_head_kept_outside_the_database(city):
    entries = [record_view(city.manager, city.named) for _ in range(3)]
    out = StringIO()
    call_command("seal_audit", stdout=out)
    kept = out.getvalue().strip().rsplit(" ", 1)[1]
    assert kept == f"3:{_fresh(entries[2].pk).hash}"
    call_command("verify_audit", "--expect", kept)
    # Someone with write access changes the first entry and recomputes the
    # whole chain and the head: the chain alone cannot tell.
    prev = GENESIS
    for pk in [e.pk for e in entries]:
        entry = _fresh(pk)
        if pk == entries[0].pk:
            entry.actor_label = "någon annan"
        entry.prev_hash = prev
        _raw("UPDATE audit_auditentry SET actor_label = %s, content_hash = %s, prev_hash = %s, hash = %s WHERE id = %s",
             [entry.actor_label, entry.compute_content_hash(), prev, entry.compute_hash(), pk])
        prev = entry.compute_hash()
    _raw("UPDATE audit_chainhead SET last_hash = %s", [prev])
    assert verify().intact
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit", "--expect", kept, stderr=err)
    assert "kedjan har skrivits om" in err.getvalue()


def test_a_cut_off_end_is_found_with_a_kept_head(city):
    entries = [record_view(city.manager, city.named) for _ in range(3)]
    seal()
    kept = head()
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[2].pk])
    assert any("senaste posten saknas" in p for p in verify().problems)
    _raw("UPDATE audit_chainhead SET last_seq = 2, last_hash = %s", [_fresh(entries[1].pk).hash])
    assert verify().intact
    assert any("kedjan är kortare än väntat" in p for p in verify(expect=kept).problems)


def test_verify_audit_refuses_a_malformed_head(city):
    with pytest.raises(CommandError, match="NUMMER:HASH"):
        call_command("verify_audit", "--expect", "tre:abc")


def test_a_commit_seals_its_entries(city, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(log, "SEAL_EVERY", 0)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            entry = record_view(city.manager, city.named)
    assert _fresh(entry.pk).seq == 1
    assert verify(window=timedelta(0)).intact


def test_the_timer_seals_the_log(city):
    entry = record_view(city.manager, city.named)
    out = StringIO()
    call_command("run_reminders", stdout=out)
    assert _fresh(entry.pk).seq == 1
    assert f"kedjans huvud 1:{_fresh(entry.pk).hash}" in out.getvalue()


def test_a_missing_head_is_made_again_from_the_last_sealed_entry(city):
    record_view(city.manager, city.named)
    seal()
    ChainHead.objects.all().delete()
    second = record_view(city.manager, city.named)
    assert seal() == 1
    assert _fresh(second.pk).seq == 2 and verify().intact


# --- the entries written before the seal existed -------------------------------------

def _old_payload(entry):
    """What the entries were hashed with before the seal (the migration's frozen copy)."""
    from importlib import import_module

    return import_module("audit.migrations.0004_seal_existing")._payload(entry)


@pytest.mark.django_db(transaction=True)
def test_entries_chained_before_the_seal_still_verify_and_tampering_still_shows(city):
    import hashlib

    from django.utils import timezone

    executor = MigrationExecutor(connection)
    executor.migrate([("audit", "0002_initial")])
    old = executor.loader.project_state([("audit", "0002_initial")]).apps
    Entry, Head = old.get_model("audit", "AuditEntry"), old.get_model("audit", "ChainHead")
    prev, ids = GENESIS, []
    for n in range(5):
        entry = Entry(at=timezone.now(), actor_id=city.manager.pk, actor_label=str(city.manager),
                      action="incident.view", object_type="incidents.incident", object_id=str(city.named.pk),
                      incident_id=city.named.pk, changes={"n": [None, n]}, prev_hash=prev)
        entry.hash = hashlib.sha256((prev + _old_payload(entry)).encode()).hexdigest()
        entry.save()
        ids.append(entry.pk)
        prev = entry.hash
    Head.objects.update_or_create(pk=1, defaults={"last_hash": prev})
    # One old entry had been altered behind the application's back.
    _raw("UPDATE audit_auditentry SET actor_label = %s WHERE id = %s", ["någon annan", ids[3]])

    executor = MigrationExecutor(connection)
    executor.migrate([("audit", "0005_pending_anonymous")])

    assert [_fresh(pk).seq for pk in ids] == [1, 2, 3, 4, 5]
    assert head() == (5, prev)
    # The untouched entries verify; the altered one is still found.
    assert verify().problems == [f"post {ids[3]}: innehållet har ändrats"]
    new = record_view(city.manager, city.named)
    seal()
    assert _fresh(new.pk).seq == 6 and _fresh(new.pk).prev_hash == prev
    assert verify().problems == [f"post {ids[3]}: innehållet har ändrats"]
    # Re-anchored without text (0006): the tampering is still reported, by the checkpoint.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("audit"))
    assert len(verify().problems) == 1 and "var bruten redan när den förankrades om" in verify().problems[0]


# --- concurrency (PostgreSQL) ------------------------------------------------------------

def _in_thread(target, results, key):
    def run():
        try:
            results[key] = target()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            results[key] = exc
        finally:
            connection.close()
    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_two_open_transactions_writing_entries_do_not_wait_for_each_other(city):
    """A holds its transaction open after writing an entry (a slow request);
    B writes one and commits meanwhile. B must not wait for A (before the
    seal both queued on the chain head's row lock)."""
    _needs_postgresql()
    seal()  # the head exists
    a_written, b_done = threading.Event(), threading.Event()
    results = {}

    def slow_writer():
        with transaction.atomic():
            entry = record_view(city.manager, city.named)
            a_written.set()
            b_done.wait(timeout=15)
            still_open = b_done.is_set()
        return entry.pk, still_open

    def quick_writer():
        a_written.wait(timeout=15)
        began = time.monotonic()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '3s'")
            entry = record_view(city.manager, city.named)
        # The sealer (after the commit, or this one) takes what is
        # committed, without waiting for A either.
        seal()
        elapsed = time.monotonic() - began
        sealed = _fresh(entry.pk).seq is not None
        b_done.set()
        return entry.pk, elapsed, sealed

    threads = [_in_thread(slow_writer, results, "a"), _in_thread(quick_writer, results, "b")]
    for thread in threads:
        thread.join(timeout=30)
    assert not isinstance(results.get("b"), Exception), results
    assert not isinstance(results.get("a"), Exception), results
    a_pk, a_was_open = results["a"]
    b_pk, b_seconds, sealed_by_b = results["b"]
    assert a_was_open and b_seconds < 2 and sealed_by_b, results
    # Sealed in the order they were committed: B first, though A's id is lower.
    assert seal() == 1
    assert a_pk < b_pk and _fresh(b_pk).seq < _fresh(a_pk).seq
    assert verify(window=timedelta(0)).intact


@pytest.mark.django_db(transaction=True)
def test_a_writer_does_not_wait_for_the_sealer(city):
    """The sealer holds the chain head (a long seal); a request writing an
    entry and sealing after its commit goes on at once."""
    _needs_postgresql()
    locked, release = threading.Event(), threading.Event()
    results = {}

    seal()  # the head exists
    assert ChainHead.objects.filter(pk=1).exists()

    def sealer():
        with transaction.atomic():
            list(ChainHead.objects.select_for_update().filter(pk=1))
            locked.set()
            release.wait(timeout=15)

    def writer():
        locked.wait(timeout=15)
        began = time.monotonic()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '3s'")
            record_view(city.manager, city.named)
        log.seal_soon()
        return time.monotonic() - began

    threads = [_in_thread(sealer, results, "sealer"), _in_thread(writer, results, "writer")]
    threads[1].join(timeout=30)
    release.set()
    threads[0].join(timeout=30)
    assert not isinstance(results.get("writer"), Exception), results
    assert results["writer"] < 2
