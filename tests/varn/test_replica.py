"""Beyond one database server: with DATABASE_REPLICA_URL, the pages that only
read a picture of many cases (the situation picture, its lists, exports and
report) read a PostgreSQL streaming replica, and everything that writes or
must read its own write uses the primary (varn/dbrouter.py).

The router's rules are tested in-process; the routing itself against a real
standby: the `standby` fixture starts its own primary cluster in /tmp
(initdb, wal_level=replica, a replication line in pg_hba.conf), makes a
standby of it with `pg_basebackup -R`, starts both and tears them down.
Pausing the standby's replay is replication lag on demand: what the pages
show then says which server they read. As root (CI) the clusters run as the
postgres user through runuser, because initdb refuses to run as root.
Without PostgreSQL's server binaries these tests are skipped, saying so."""
import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from tests.servers import ROOT, free_port, gunicorn

# --- the router's rules, in-process ------------------------------------------------


def test_reads_go_to_the_primary_unless_a_view_asks_for_the_replica():
    from incidents.models import Incident
    from varn.dbrouter import PRIMARY, REPLICA, PrimaryReplicaRouter, reading_from

    router = PrimaryReplicaRouter()
    assert router.db_for_read(Incident) == PRIMARY
    with reading_from(REPLICA):
        assert router.db_for_read(Incident) == REPLICA
        assert router.db_for_write(Incident) == PRIMARY
    assert router.db_for_read(Incident) == PRIMARY


def test_sessions_and_the_cache_read_their_own_writes_on_the_primary():
    from django.contrib.sessions.models import Session
    from django.core.cache.backends.db import DatabaseCache

    from varn.dbrouter import PRIMARY, REPLICA, PrimaryReplicaRouter, reading_from

    cache_model = DatabaseCache("varn_cache", {}).cache_model_class
    with reading_from(REPLICA):
        assert PrimaryReplicaRouter().db_for_read(Session) == PRIMARY
        assert PrimaryReplicaRouter().db_for_read(cache_model) == PRIMARY


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_on_the_primary_reads_stay_there():
    """What a write reads (the audit chain, select_for_update) is read
    where it is written."""
    from django.db import transaction

    from audit.models import AuditEntry
    from varn.dbrouter import PRIMARY, REPLICA, PrimaryReplicaRouter, reading_from

    with reading_from(REPLICA):
        assert PrimaryReplicaRouter().db_for_read(AuditEntry) == REPLICA
        with transaction.atomic():
            assert PrimaryReplicaRouter().db_for_read(AuditEntry) == PRIMARY


def test_without_a_replica_the_views_read_the_primary(settings):
    from varn.dbrouter import PRIMARY, on_replica

    assert "replica" not in settings.DATABASES
    with on_replica() as alias:
        assert alias == PRIMARY


def test_a_streamed_export_reads_each_chunk_where_its_view_did():
    from varn.dbrouter import PRIMARY, REPLICA, _each_chunk_from, _reads_from

    seen = []

    def chunks():
        for n in range(3):
            seen.append(_reads_from.get())
            yield b"%d" % n

    stream = _each_chunk_from(REPLICA, chunks())
    for _ in stream:
        assert _reads_from.get() == PRIMARY  # nothing leaks to the code that sends the chunks
    assert seen == [REPLICA] * 3


def test_a_replica_url_needs_postgresql_on_both_sides():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "varn.settings_test",
           "DATABASE_URL": "sqlite:////tmp/varn-replica-check.sqlite3",
           "DATABASE_REPLICA_URL": "postgresql://127.0.0.1:5/varn"}
    done = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert done.returncode != 0
    assert "DATABASE_REPLICA_URL is a PostgreSQL streaming replica" in done.stderr


# --- a real standby ---------------------------------------------------------------

def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class Cluster:
    data: Path
    port: int

    def url(self, db="varn") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def query(self, sql, params=(), db="postgres"):
        import psycopg

        with psycopg.connect(self.url(db), autocommit=True, connect_timeout=5) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchone() if cursor.description else None


class Clusters:
    """A primary and its streaming standby, each on a free port."""

    def __init__(self, bin_dir: Path, base: Path, as_postgres: bool):
        self.bin, self.base, self.as_postgres = bin_dir, base, as_postgres
        self.sockets = base / "sockets"
        self.primary = Cluster(base / "primary", free_port())
        self.standby = Cluster(base / "standby", free_port())

    def run(self, tool, *args):
        command = [str(self.bin / tool), *map(str, args)]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed:\n{done.stdout}\n{done.stderr}")

    def configure(self, cluster: Cluster):
        with open(cluster.data / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {cluster.port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.sockets}'\nfsync = off\n"
                       "wal_level = replica\nmax_wal_senders = 5\nhot_standby = on\n")

    def start(self, cluster: Cluster):
        log = self.base / f"{cluster.data.name}.log"
        try:
            self.run("pg_ctl", "-D", cluster.data, "-l", log, "-w", "-t", "60", "start")
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n{log.read_text(errors='replace') if log.exists() else ''}") from None

    def stop(self, cluster: Cluster, mode="fast"):
        self.run("pg_ctl", "-D", cluster.data, "-m", mode, "-w", "stop")

    def up(self):
        self.sockets.mkdir()
        shutil.copystat(self.base, self.sockets)
        stat = self.base.stat()
        os.chown(self.sockets, stat.st_uid, stat.st_gid)  # the owner of base: postgres under root
        self.run("initdb", "-D", self.primary.data, "-U", "postgres", "--auth=trust", "--no-sync")
        self.configure(self.primary)
        with open(self.primary.data / "pg_hba.conf", "a") as hba:
            hba.write("\nhost replication postgres 127.0.0.1/32 trust\n")
        self.start(self.primary)
        self.primary.query("CREATE DATABASE varn")
        self.run("pg_basebackup", "-h", "127.0.0.1", "-p", self.primary.port, "-U", "postgres",
                 "-D", self.standby.data, "-R", "-X", "stream", "-c", "fast")
        self.configure(self.standby)  # the later port line wins
        self.start(self.standby)

    def down(self):
        for cluster in (self.standby, self.primary):
            try:
                self.stop(cluster, "immediate")
            except RuntimeError:
                pass

    # Replication lag on demand.
    def pause_replay(self):
        self.standby.query("SELECT pg_wal_replay_pause()")
        deadline = time.monotonic() + 20
        while self.standby.query("SELECT pg_get_wal_replay_pause_state()")[0] != "paused":
            assert time.monotonic() < deadline, "the standby did not pause"
            time.sleep(0.05)

    def resume_replay(self):
        self.standby.query("SELECT pg_wal_replay_resume()")
        self.caught_up()

    def caught_up(self, timeout=30):
        lsn = self.primary.query("SELECT pg_current_wal_lsn()::text")[0]
        deadline = time.monotonic() + timeout
        while not self.standby.query("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])[0]:
            assert time.monotonic() < deadline, "the standby did not catch up"
            time.sleep(0.05)


@pytest.fixture(scope="module")
def standby():
    bin_dir = _pg_bin()
    if bin_dir is None or not all((bin_dir / tool).exists() for tool in ("initdb", "pg_ctl", "pg_basebackup")):
        pytest.skip("PostgreSQL's server binaries (initdb, pg_ctl, pg_basebackup) are not installed, so no "
                    "standby can be made: apt-get install postgresql (bash scripts/system-deps.sh postgres)")
    as_postgres = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="varn-replica-"))
    if as_postgres:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(base)
            pytest.skip("running as root, and initdb refuses root: there is no postgres user to run it as")
        if not shutil.which("runuser"):
            shutil.rmtree(base)
            pytest.skip("running as root, and initdb refuses root: runuser is missing to run it as postgres")
        os.chown(base, owner.pw_uid, owner.pw_gid)
    clusters = Clusters(bin_dir, base, as_postgres)
    try:
        clusters.up()
        yield clusters
    finally:
        clusters.down()
        shutil.rmtree(base, ignore_errors=True)


SEED = """
import json
from django.test import Client
from incidents.models import InfluenceForm, Source
from tests.factories import City

city = City()


def session(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


print(json.dumps({
    "employee": session(city.employee), "security": session(city.security),
    "north": city.north.pk, "north_a": city.north_a.pk,
    "hot": InfluenceForm.objects.get(code="hot").pk, "brukare": Source.objects.get(code="brukare").pk,
}))
"""


@pytest.fixture(scope="module")
def site(standby):
    """Värn migrated and seeded on the primary, served by gunicorn with both
    URLs; this server reads the replica however far behind it is."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "varn.settings_test",
           "DATABASE_URL": standby.primary.url(), "DATABASE_REPLICA_URL": standby.standby.url()}
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "-v0"], ["shell", "-c", SEED]):
        seeded = subprocess.run(manage + command, cwd=ROOT, env=env, timeout=300, capture_output=True, text=True)
        assert seeded.returncode == 0, f"manage.py {command[0]} failed:\n{seeded.stdout}\n{seeded.stderr}"
    people = json.loads(seeded.stdout.strip().splitlines()[-1])
    standby.caught_up()
    server_env = {"DATABASE_URL": env["DATABASE_URL"], "DATABASE_REPLICA_URL": env["DATABASE_REPLICA_URL"],
                  "VARN_REPLICA_MAX_LAG_SECONDS": "3600", "VARN_REPLICA_RETRY_SECONDS": "1"}
    with gunicorn(server_env) as server:
        yield Site(server, people, server_env)


@dataclass
class Site:
    server: object
    people: dict
    env: dict

    def as_(self, who, server=None):
        client = (server or self.server).client()
        client.set_cookie("sessionid", self.people[who])
        client.set_cookie("csrftoken", "c" * 32)
        return client

    def report(self, marker) -> int:
        """The employee files a named report; returns its case number."""
        from django.utils import timezone

        client = self.as_("employee")
        when = timezone.localtime() - timedelta(minutes=30)
        values = {"description": marker, "forms": self.people["hot"], "unit": self.people["north_a"],
                  "occurred_date": when.date().isoformat(), "occurred_time": when.strftime("%H:%M"),
                  "identity_mode": "named", "source": self.people["brukare"], "police_status": "undecided",
                  "token": str(uuid.uuid4())}
        shown = client.post("/rapportera/mottagare/", values)
        assert shown.status == 200, shown.text
        values["recipients_seen"] = json.loads(shown.text)["seen"]
        receipt = client.post("/rapportera/", values)
        # The receipt is read right after the write: from the primary.
        assert receipt.status == 200 and "/kvitto/" in receipt.url, (receipt.status, receipt.url)
        return int(re.search(r"/mina-rapporter/(\d+)/kvitto/", receipt.url).group(1))

    def cases_csv(self, server=None) -> str:
        response = self.as_("security", server).get(f"/lagesbild/{self.people['north']}/export/arenden.csv")
        assert response.status == 200, response.text
        return response.text


def case_number(pk):
    return f"V-{pk:06d}"


@pytest.mark.db
def test_the_situation_picture_reads_the_replica_and_everything_written_reads_the_primary(site, standby):
    before = site.cases_csv()
    picture_before = site.as_("security").get(f"/lagesbild/{site.people['north']}/")
    assert picture_before.status == 200
    exports_logged = standby.primary.query(
        "SELECT count(*) FROM audit_auditentry WHERE action = 'situation.export'", db="varn")[0]
    standby.pause_replay()
    try:
        marker = f"Hot vid hembesök {uuid.uuid4()}"
        pk = site.report(marker)  # a write: only the primary takes it, the standby is read-only

        # What its writer and the handlers read next comes from the primary.
        mine = site.as_("employee").get("/mina-rapporter/")
        assert mine.status == 200 and f"/mina-rapporter/{pk}/" in mine.text
        case = site.as_("security").get(f"/arenden/{pk}/")
        assert case.status == 200 and marker in case.text

        # The picture of many cases comes from the replica, which has not
        # replayed the report yet: the export and the list of cases lack it.
        during = site.cases_csv()
        assert case_number(pk) not in during and during == before
        drill = site.as_("security").get(f"/lagesbild/{site.people['north']}/arenden/")
        assert drill.status == 200 and f"/arenden/{pk}/" not in drill.text
        # ... while the export's audit line was written to the primary.
        assert standby.primary.query(
            "SELECT count(*) FROM audit_auditentry WHERE action = 'situation.export'", db="varn")[0] == exports_logged + 1
    finally:
        standby.resume_replay()

    after = site.cases_csv()
    assert case_number(pk) in after
    drill = site.as_("security").get(f"/lagesbild/{site.people['north']}/arenden/")
    assert f"/arenden/{pk}/" in drill.text


@pytest.mark.db
def test_a_replica_too_far_behind_or_down_is_not_read(site, standby):
    """With VARN_REPLICA_MAX_LAG_SECONDS=1 a server reads the primary while
    the replica is more than a second behind and while it is down, and
    the replica again once it is back."""
    strict_env = {**site.env, "VARN_REPLICA_MAX_LAG_SECONDS": "1"}
    with gunicorn(strict_env) as strict:
        standby.pause_replay()
        try:
            pk = site.report(f"Hot i telefon {uuid.uuid4()}")
            time.sleep(1.5)  # the standby has received the report's WAL and not replayed it for a while
            assert case_number(pk) not in site.cases_csv()  # the patient server still reads the replica
            assert case_number(pk) in site.cases_csv(strict)  # the strict one reads the primary
        finally:
            standby.resume_replay()

        assert case_number(pk) in site.cases_csv(strict)
        standby.stop(standby.standby)
        try:
            assert case_number(pk) in site.cases_csv(strict)  # from the primary, no error
        finally:
            standby.start(standby.standby)
        standby.caught_up()
        time.sleep(1.2)  # VARN_REPLICA_RETRY_SECONDS
        assert case_number(pk) in site.cases_csv(strict)
        readers = standby.standby.query(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'varn' AND backend_type = 'client backend'")[0]
        assert readers >= 1, "the strict server should read the replica again"
