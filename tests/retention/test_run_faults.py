"""A second run while one is in progress does nothing and says so (a lock,
on SQLite and PostgreSQL); a run killed in the middle leaves no half-thinned
case and, after the next run, no file of a thinned case on disk."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

from retention import thinning
from retention.lock import PG_KEY, lock_file_path, run_lock
from retention.models import RetentionRun
from tests.retention.planting import YEAR, case

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_a_second_run_does_nothing_while_another_holds_the_lock(city, capsys):
    inc = case(city.north_a, reporter=city.employee, closed_days_ago=6 * YEAR, label="l")
    if connection.vendor == "postgresql":
        other = connections.create_connection("default")
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [PG_KEY])
            assert cursor.fetchone()[0]
        try:
            call_command("gallra")
        finally:
            other.close()  # the server releases a session's lock with it
    else:
        import fcntl

        with open(lock_file_path(), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            call_command("gallra")
    assert "Gallring pågår redan i en annan körning; den här gör ingenting." in capsys.readouterr().out
    assert not RetentionRun.objects.exists()
    from incidents.models import Incident

    assert Incident.unscoped.get(pk=inc.pk).description == "Beskrivning l"
    with run_lock() as held:
        assert held
        with pytest.raises(thinning.Busy):
            thinning.run()
    call_command("gallra")
    assert Incident.unscoped.get(pk=inc.pk).description == ""


def _env(db_url, media):
    env = dict(os.environ, DATABASE_URL=db_url, VARN_MEDIA_ROOT=str(media), DJANGO_SETTINGS_MODULE="varn.settings")
    return env


def _state(env) -> dict:
    import json

    out = _manage(env, "shell", "-c", CHECK)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def _manage(env, *args, **kwargs):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          **kwargs)


PLANT = """
from tests.factories import City
from tests.retention.planting import many
from incidents.taxonomy import ensure_terms
city = City()
many(240, city.north_a, city.employee, due_share=0.75)
print("planted")
"""

CHECK = """
from incidents.models import Incident, Attachment, Message
from retention.models import FileRemoval
from django.core.files.storage import default_storage
import os, json
half = 0
states = []
for inc in Incident.unscoped.filter(status="closed"):
    parts = [inc.description == "", inc.reporter_id is None, not Message.unscoped.filter(incident=inc).exists(),
             not Attachment.unscoped.filter(incident=inc).exists(), inc.actor_pseudonym == ""]
    if any(parts) and not all(parts):
        half += 1
    states.append(all(parts))
root = os.path.join(default_storage.location, "attachments")
on_disk = {os.path.relpath(os.path.join(d, f), default_storage.location) for d, _x, fs in os.walk(root) for f in fs}
named = set(Attachment.unscoped.values_list("file", flat=True))
print(json.dumps({"half": half, "thinned": sum(states), "orphans": len(on_disk - named),
                  "missing": len(named - on_disk), "pending": FileRemoval.objects.count()}))
"""


@pytest.mark.django_db(transaction=True)
def test_a_killed_run_leaves_no_half_thinned_case_and_no_orphaned_file(tmp_path):

    media = tmp_path / "media"
    if connection.vendor == "postgresql":
        db = settings.DATABASES["default"]
        url = f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    else:
        url = f"sqlite:///{tmp_path / 'kill.sqlite3'}"
        migrated = _manage(_env(url, media), "migrate", "--noinput")
        assert migrated.returncode == 0, migrated.stderr
    env = _env(url, media)
    planted = _manage(env, "shell", "-c", PLANT)
    assert "planted" in planted.stdout, planted.stderr
    run = subprocess.Popen([sys.executable, "manage.py", "gallra", "-v", "2", "--batch", "3"], cwd=ROOT, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Kill it once some cases are thinned and before it is done.
    deadline = time.monotonic() + 120
    killed = False
    while time.monotonic() < deadline and run.poll() is None:
        state = _state(env)
        if state["thinned"] >= 5:
            os.kill(run.pid, signal.SIGKILL)
            killed = True
            break
        time.sleep(0.2)
    run.wait()
    assert killed, "the run finished before it could be killed; plant more cases"
    state = _state(env)
    assert state["half"] == 0 and 5 <= state["thinned"] < 180, state
    assert state["missing"] == 0, state
    again = _manage(env, "gallra")
    assert "Gallring klar" in again.stdout, again.stderr
    state = _state(env)
    assert state == {"half": 0, "thinned": 180, "orphans": 0, "missing": 0, "pending": 0}, state
    verified = _manage(env, "verify_audit", "--window", "100000")
    assert "intakt" in verified.stdout, verified.stderr
