"""Benchmark of intake under a rush, on PostgreSQL behind gunicorn.

Sets up everything itself: a database of its own (varn_intake_bench, dropped
afterwards), migrated and seeded with the demo organisation and a small
history (manage.py seed_demo --incidents N: every demo login, few cases);
static files collected into a temporary folder; a local SMTP sink, so that
the e-mails a report sends go somewhere; and gunicorn started the way the
README starts it in production (the repository's gunicorn.conf.py, the
production settings: VARN_DEBUG off, a random VARN_SECRET_KEY, the manifest
static storage, requests arriving as HTTPS from a proxy on loopback): two
pools, the reporters' routes on one (VARN_POOL=intake) and everything else
on the other, as the README's proxy routes them (--pools 1: one gunicorn).
A checkout without gunicorn.conf.py is served the way its README said:
`gunicorn varn.wsgi --workers 4`.

Then --reporters demo employees (a fixed list, cycled; each reporter logs in
with a session of its own) report in a closed loop without pause: open the
form (GET /rapportera/), send it (POST) with a unique marker in the
description. Every report a reporter sends is retried with the same form
(the same token) when the answer is an error, up to three times, as a person
pressing "Skicka" again would. Meanwhile the district's security
coordinator opens a case page twice a second. At the end the markers are
reconciled with the database.

  concurrency              reporters
  reports_per_s            reports filed per second in the measured window
  get_p50_ms, get_p95_ms   the form page
  post_p50_ms ... p99_ms   sending it (every attempt)
  errors                   answers that were errors (5xx, a dropped connection)
  rejected                 the form shown again instead of a receipt (should be 0)
  lost                     a receipt was shown but the report is not stored
  duplicated               one marker stored more than once
  ghosts                   the reporter gave up on an error, yet the report is stored
  case_p50_ms_idle, case_p95_ms_idle   the coordinator's case page before the rush
  case_p95_ms_under_load   the same page, sampled during the rush
  server_cpu_ms_per_report, database_cpu_ms_per_report, client_cpu_ms_per_report
                           CPU per report (gunicorn, PostgreSQL's backends, this
                           load generator) from /proc: comparable on a shared
                           machine, where reports_per_s shows how much of it we got
  cpu_share_of_machine     all three, as a share of every core in the window
  floor_rps                requests/s of /healthz/ (process up, no database) with
                           4 clients before the rush: the machine's floor, to
                           compare figures across machines (the login page when
                           /healthz/ does not exist; floor_path says which)
  mail                     worker: VARN_MAIL_WORKER=1 and the outbox's sender (manage.py
                           send_queued_mail --loop, nice 15) as the README deploys it;
                           inline: each web worker sends after its response (--mail)
  mail_queued_at_end       e-mails still waiting in the outbox when the rush ended
  mail_drain_s             seconds after the rush until the sender had sent them all
  mail_left                e-mails still waiting after that (should be 0)
  mail_sender_cpu_ms_per_report   the sender's CPU, rush and catching up, per report
  audit_verified           manage.py seal_audit + verify_audit afterwards (yes/no)

--faults kills one gunicorn worker (SIGKILL) a third into the measured window
and terminates the bench database's backends (pg_terminate_backend) at two
thirds, then prints how many requests were in flight at each moment and how
many errors those faults caused; errors_outside_faults counts the rest.

Targets on a 2-core machine with this load generator on it: reports_per_s
>= 80 at 50 reporters, post_p99_ms <= 1000, case_p95_ms_under_load <= 300;
with --faults lost = duplicated = ghosts = 0 and no errors but requests in
flight when a fault hit.

    .venv/bin/python bench/intake.py                       50 reporters, 60 s
    .venv/bin/python bench/intake.py --faults
    .venv/bin/python bench/intake.py --reporters 100 --seconds 30
    .venv/bin/python bench/intake.py --root /tmp/old-checkout   measure another tree
    .venv/bin/python bench/intake.py --profile 40          cProfile of 40 reports in-process

Only loopback is used; every loop is bounded by the clock and a count.
"""
import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "varn-demo-2026"
# The demo employees with a login (seed_demo's personas and login staff,
# --seed 2026), cycled when there are more reporters than employees.
EMPLOYEES = [
    "medarbetare", "aisha.holmberg", "anneli.martensson", "anneli.nilsson", "axel.fredriksson",
    "caroline.sandberg", "dilan.magnusson", "johanna.karlsson", "jonas.berg", "lars.forsberg",
    "lena.lindgren", "marcus.nguyen", "mehmet.eriksson", "nour.haddad", "therese.jakobsson",
    "yasmin.abdullahi", "yasmin.lundgren",
]
COORDINATOR = "sakerhet"     # security coordinator of Skärholmen
COORDINATOR_DISTRICT = "SKARHOLMEN"
DESCRIPTION = "Brukaren höjde rösten och hotade mig vid besöket i receptionen. Markör {marker}."


def log(message: str):
    print(f"# {message}", file=sys.stderr, flush=True)


def admin(sql: str):
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


# --- a minimal SMTP sink (stdlib only), run as a child process ----------------

def smtp_sink(port: int, count_file: str):
    import asyncio

    received = 0

    async def handle(reader, writer):
        nonlocal received
        writer.write(b"220 sink ESMTP\r\n")
        data_mode = False
        while True:
            line = await reader.readline()
            if not line:
                break
            if data_mode:
                if line in (b".\r\n", b".\n"):
                    data_mode = False
                    received += 1
                    writer.write(b"250 OK\r\n")
                continue
            verb = line[:4].upper()
            if verb == b"EHLO":
                writer.write(b"250-sink\r\n250 8BITMIME\r\n")
            elif verb == b"DATA":
                data_mode = True
                writer.write(b"354 go ahead\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"250 OK\r\n")
            await writer.drain()
        writer.close()
        Path(count_file).write_text(str(received))

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", port)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


# --- HTTP: one session per person, cookies by hand -------------------------------

class Session:
    """A browser session over http.client: a new connection per request (as
    through a proxy), the cookies it was given, and the headers a TLS proxy
    in front of gunicorn would add."""

    def __init__(self, port: int, timeout: float = 60):
        self.port, self.timeout, self.cookies = port, timeout, {}

    def request(self, method, path, body=None, content_type=None):
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "Referer": f"https://127.0.0.1:{self.port}{path}",
            "User-Agent": "varn-bench-intake",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                if val in ("", '""') or "max-age=0" in value.lower():
                    self.cookies.pop(key.strip(), None)
                else:
                    self.cookies[key.strip()] = val.strip()
        return response.status, response.getheader("Location") or "", content.decode("utf-8", "replace")


def hidden(html: str, name: str) -> str:
    match = re.search(r'name="%s" value="([^"]*)"' % re.escape(name), html)
    return match.group(1) if match else ""


def multipart(fields: list[tuple[str, str]]) -> tuple[bytes, str]:
    boundary = "----varnbench" + uuid.uuid4().hex
    parts = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n')
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


def login(session: Session, username: str):
    for _attempt in range(5):
        status, _, html = session.request("GET", "/konto/logga-in/")
        if status == 200:
            body = "&".join([f"csrfmiddlewaretoken={hidden(html, 'csrfmiddlewaretoken')}",
                             f"username={username}", f"password={PASSWORD}"])
            status, location, _ = session.request("POST", "/konto/logga-in/", body.encode(),
                                                  "application/x-www-form-urlencoded")
            if status == 302 and "sessionid" in session.cookies:
                return
        time.sleep(0.5)
    raise SystemExit(f"could not log in as {username}")


# --- the run ------------------------------------------------------------------------

class Stats:
    """Everything the threads record, under one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.inflight = {}          # request id -> start time
        self.next_id = 0
        self.requests = []          # (kind, start, end, outcome)   outcome: ok / error / rejected
        self.reports = []           # (marker, start, end, outcome, attempts, error_attempts)
        self.case = []              # (start, ms, phase)
        self.faults = {}            # name -> (time, set of in-flight request ids)
        self.error_ids = []         # (request id, start, end)

    def begin(self):
        with self.lock:
            self.next_id += 1
            self.inflight[self.next_id] = time.monotonic()
            return self.next_id

    def end(self, rid, kind, start, outcome):
        now = time.monotonic()
        with self.lock:
            self.inflight.pop(rid, None)
            self.requests.append((kind, start, now, outcome))
            if outcome == "error":
                self.error_ids.append((rid, start, now))

    def fault(self, name):
        with self.lock:
            self.faults[name] = (time.monotonic(), set(self.inflight))


def timed(stats, session, kind, method, path, body=None, content_type=None):
    """One request; ("ok"|"error", status, location, html, ms)."""
    rid = stats.begin()
    start = time.monotonic()
    try:
        status, location, html = session.request(method, path, body, content_type)
    except (OSError, http.client.HTTPException):
        stats.end(rid, kind, start, "error")
        return "error", 0, "", "", (time.monotonic() - start) * 1000
    outcome = "error" if status >= 500 or status == 0 else "ok"
    stats.end(rid, kind, start, outcome)
    return outcome, status, location, html, (time.monotonic() - start) * 1000


def report_fields(html, marker, ids):
    unit_select = html.split('name="unit"', 1)[1].split("</select>", 1)[0] if 'name="unit"' in html else ""
    unit = re.search(r'<option value="(\d+)"[^>]*selected', unit_select)
    fields = [
        ("csrfmiddlewaretoken", hidden(html, "csrfmiddlewaretoken")),
        ("token", hidden(html, "token")),
        ("description", DESCRIPTION.format(marker=marker)),
        ("forms", ids["form"]),
        ("occurred_date", hidden(html, "occurred_date")),
        ("occurred_time", hidden(html, "occurred_time")),
        ("unit", unit.group(1) if unit else ""),
        ("source", ids["source"]),
        ("identity_mode", "named"),
        ("police_status", "undecided"),
        ("channel", ""),
        ("operation_area", ""),
        ("location", ""),
        ("police_reference", ""),
        ("police_reason", ""),
        ("recipients_seen", hidden(html, "recipients_seen")),
    ]
    return fields


def reporter(stats, session, index, run_id, ids, stop_at, max_reports):
    for k in range(max_reports):
        if time.monotonic() >= stop_at:
            return
        marker = f"bench-{run_id}-{index}-{k}"
        began = time.monotonic()
        html = None
        for _attempt in range(3):
            outcome, status, _, page, _ms = timed(stats, session, "get", "GET", "/rapportera/")
            if outcome == "ok" and status == 200 and 'name="token"' in page:
                html = page
                break
            time.sleep(0.2)
        if html is None:
            stats.reports.append((marker, began, time.monotonic(), "no-form", 0, 0))
            continue
        body, content_type = multipart(report_fields(html, marker, ids))
        result, attempts, errors = "error", 0, 0
        for _attempt in range(3):
            attempts += 1
            outcome, status, location, page, ms = timed(stats, session, "post", "POST", "/rapportera/",
                                                        body, content_type)
            if outcome == "error":
                errors += 1
                time.sleep(0.2)
                continue
            if status == 302 and "/kvitto/" in location:
                result = "ok"
            else:
                result = "rejected"
            break
        stats.reports.append((marker, began, time.monotonic(), result, attempts, errors))


def case_sampler(stats, session, path, stop_at, interval, phase, max_samples):
    for _ in range(max_samples):
        if time.monotonic() >= stop_at:
            return
        start = time.monotonic()
        outcome, status, _, _, ms = timed(stats, session, "case", "GET", path)
        if outcome == "ok" and status == 200:
            stats.case.append((start, ms, phase))
        time.sleep(max(0.0, interval - (time.monotonic() - start)))


def floor(port, seconds=5.0, clients=4):
    status, _, _ = Session(port).request("GET", "/healthz/")
    path = "/healthz/" if status == 200 else "/konto/logga-in/"
    counts = [0] * clients
    stop_at = time.monotonic() + seconds

    def run(i):
        s = Session(port)
        for _ in range(100_000):
            if time.monotonic() >= stop_at:
                return
            code, _, _ = s.request("GET", path)
            if code == 200:
                counts[i] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / seconds, path


def worker_pids(master_pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def cpu_seconds(pid: int, children: bool = False) -> float:
    """User + system CPU of a process (and, with children, of its reaped children)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def server_cpu(masters: list[int]) -> float:
    """CPU used so far by gunicorn: each master, its workers alive now and
    those it has reaped (replaced or killed)."""
    return sum(cpu_seconds(m, children=True) + sum(cpu_seconds(w) for w in worker_pids(m)) for m in masters)


class DatabaseCpu(threading.Thread):
    """CPU of the bench database's backends, sampled every half second, so
    that a backend that ends (a worker replaced, a connection recycled)
    still counts with its last sample."""

    def __init__(self, db):
        super().__init__(daemon=True)
        self.db, self.seen, self.marks, self.done = db, {}, {}, threading.Event()

    def sample(self):
        import psycopg

        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            pids = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s "
                                               "AND pid <> pg_backend_pid()", [self.db])]
        for pid in pids:
            value = cpu_seconds(pid)
            if value:
                self.seen[pid] = value

    def mark(self, name):
        self.sample()
        self.marks[name] = dict(self.seen)

    def run(self):
        for _ in range(100_000):
            if self.done.wait(0.5):
                return
            try:
                self.sample()
            except Exception:  # noqa: BLE001 - the database is being faulted; sample again
                pass

    def used(self, start, end) -> float:
        a, b = self.marks[start], self.marks[end]
        return sum(value - a.get(pid, 0.0) for pid, value in b.items())


def terminate_backends(db):
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        rows = conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = %s AND pid <> pg_backend_pid()", [db]).fetchall()
    return len(rows)


# --- setting up ------------------------------------------------------------------

def environment(args, tmp: Path, smtp_port: int) -> dict:
    settings_dir = tmp / "settings"
    settings_dir.mkdir()
    # The production settings, with static files collected into the
    # temporary folder instead of the checkout's staticfiles/.
    (settings_dir / "varn_intake_settings.py").write_text(
        "import os\nfrom varn.settings import *  # noqa: F401,F403\n"
        "STATIC_ROOT = os.environ['VARN_INTAKE_STATIC_ROOT']\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VARN_", "DJANGO_", "DATABASE_"))}
    env.update({
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{args.db}",
        "DJANGO_SETTINGS_MODULE": "varn_intake_settings",
        "PYTHONPATH": f"{settings_dir}{os.pathsep}{args.root}",
        "VARN_SECRET_KEY": "bench-" + uuid.uuid4().hex + uuid.uuid4().hex,
        "VARN_DEBUG": "0",
        "VARN_INTAKE_STATIC_ROOT": str(tmp / "static"),
        "VARN_MEDIA_ROOT": str(tmp / "uploads"),
        "VARN_BASE_URL": "https://127.0.0.1",
        "VARN_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "VARN_LOG_LEVEL": "WARNING",
    })
    return env


def build(args, env):
    admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{args.db}"')
    manage = [sys.executable, str(Path(args.root) / "manage.py")]
    for command in (["migrate", "-v0"], ["createcachetable"],
                    ["seed_demo", "--incidents", str(args.incidents), "--years", "3"],
                    ["collectstatic", "--noinput", "-v0"]):
        log("manage.py " + " ".join(command))
        subprocess.run(manage + command, env=env, check=True, cwd=args.root, stdout=subprocess.DEVNULL)


def ids_from_db(args):
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{args.db}", autocommit=True) as conn:
        source = conn.execute("SELECT id FROM incidents_source WHERE code = 'brukare'").fetchone()[0]
        form = conn.execute("SELECT id FROM incidents_influenceform WHERE code = 'hot'").fetchone()[0]
        case = conn.execute(
            "SELECT i.id FROM incidents_incident i JOIN organisation_orgunit u ON u.id = i.unit_id "
            "WHERE u.path LIKE (SELECT path FROM organisation_orgunit WHERE code = %s) || '%%' "
            "ORDER BY i.reported_at DESC LIMIT 1", [COORDINATOR_DISTRICT]).fetchone()[0]
    return {"source": str(source), "form": str(form), "case": case}


def start_gunicorn(args, env, tmp, port, pool="", extra=()):
    """gunicorn as the README starts it: the checkout's gunicorn.conf.py
    (before the repository had one, the README's command then)."""
    config = Path(args.root) / "gunicorn.conf.py"
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    if config.exists():
        command = [gunicorn, "-c", str(config), "varn.wsgi", "--bind", f"127.0.0.1:{port}"]
    else:
        command = [gunicorn, "varn.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "4"]
    command += list(extra)
    env = {**env, "VARN_POOL": pool} if pool else env
    log(("VARN_POOL=" + pool + " " if pool else "") + " ".join(command))
    out = open(tmp / f"gunicorn{'-' + pool if pool else ''}.log", "w")
    process = subprocess.Popen(command, env=env, cwd=args.root, stdout=out, stderr=subprocess.STDOUT,
                               start_new_session=True)
    for _ in range(300):
        try:
            status, _, _ = Session(port, timeout=5).request("GET", "/konto/logga-in/")
            if status == 200:
                return process, ("VARN_POOL=" + pool + " " if pool else "") + " ".join(command[1:])
        except OSError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.1)
    raise SystemExit(f"gunicorn did not start; see {out.name}")


class SENDER:
    """The outbox's sender (notifications/outbox.py), run as the README
    runs it: `nice -n 15 manage.py send_queued_mail --loop`."""

    @staticmethod
    def exists(root) -> bool:
        return (Path(root) / "notifications" / "management" / "commands" / "send_queued_mail.py").exists()

    @staticmethod
    def start(args, env, tmp):
        command = ["nice", "-n", "15", sys.executable, str(Path(args.root) / "manage.py"),
                   "send_queued_mail", "--loop"]
        log(" ".join(command[3:]) + " (nice 15)")
        out = open(tmp / "sender.log", "w")
        return subprocess.Popen(command, env=env, cwd=args.root, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def queued_mail(args) -> int:
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{args.db}", autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM notifications_queuedmail").fetchone()[0]


def reconcile(args, stats, run_id):
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{args.db}", autocommit=True) as conn:
        rows = conn.execute("SELECT substring(description from %s) FROM incidents_incident "
                            "WHERE description LIKE %s", [rf"bench-{run_id}-\d+-\d+", f"%bench-{run_id}-%"]).fetchall()
    stored = {}
    for (marker,) in rows:
        stored[marker] = stored.get(marker, 0) + 1
    outcomes = [(report[0], report[3]) for report in stats.reports]
    lost = sum(1 for marker, outcome in outcomes if outcome == "ok" and marker not in stored)
    ghosts = sum(1 for marker, outcome in outcomes if outcome in ("error", "no-form") and marker in stored)
    duplicated = sum(1 for n in stored.values() if n > 1)
    return lost, duplicated, ghosts, len(stored)


def audit_check(args, env):
    manage = [sys.executable, str(Path(args.root) / "manage.py")]
    if (Path(args.root) / "audit" / "management" / "commands" / "seal_audit.py").exists():
        subprocess.run(manage + ["seal_audit"], env=env, cwd=args.root, capture_output=True)
    result = subprocess.run(manage + ["verify_audit"], env=env, cwd=args.root, capture_output=True, text=True)
    if result.returncode:
        log("verify_audit: " + (result.stderr or result.stdout).strip()[-500:])
    return "yes" if result.returncode == 0 else "no"


def run(args):
    tmp = Path(tempfile.mkdtemp(prefix="varn_intake_"))
    smtp_port, port, intake_port = free_port(), free_port(), free_port()
    env = environment(args, tmp, smtp_port)
    sink = subprocess.Popen([sys.executable, __file__, "--smtp-sink", str(smtp_port), str(tmp / "mails")])
    servers, sender = [], None
    try:
        if args.reuse:
            # A database kept by an earlier --keep run: only the static files again.
            subprocess.run([sys.executable, str(Path(args.root) / "manage.py"), "collectstatic", "--noinput", "-v0"],
                           env=env, check=True, cwd=args.root, stdout=subprocess.DEVNULL)
        else:
            build(args, env)
        ids = ids_from_db(args)
        if args.mail == "worker":
            env["VARN_MAIL_WORKER"] = "1"
        if args.profile:
            profile(args, env, ids)
            return
        if args.mail == "worker":
            sender = SENDER.start(args, env, tmp)
        servers.append(start_gunicorn(args, env, tmp, port, extra=args.gunicorn_arg))
        if args.pools == 2:
            # The reporters' routes on a pool of their own, as the proxy in
            # front routes them (README): here the reporters simply talk
            # to that pool's port.
            intake_env = {**env, "VARN_NICE": str(args.intake_nice)} if args.intake_nice is not None else env
            servers.append(start_gunicorn(args, intake_env, tmp, intake_port, pool="intake",
                                          extra=args.intake_arg))
        masters = [process.pid for process, _ in servers]
        stats = Stats()
        run_id = uuid.uuid4().hex[:8]

        log(f"logging in {args.reporters} reporters and the coordinator")
        sessions = [Session(port) for _ in range(args.reporters)]
        coordinator = Session(port)
        pending = [(s, EMPLOYEES[i % len(EMPLOYEES)]) for i, s in enumerate(sessions)] + [(coordinator, COORDINATOR)]
        lock = threading.Lock()

        def login_worker():
            for _ in range(len(pending) + 1):
                with lock:
                    if not pending:
                        return
                    session, name = pending.pop()
                login(session, name)

        threads = [threading.Thread(target=login_worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if args.pools == 2:
            for session in sessions:
                session.port = intake_port
        case_path = f"/arenden/{ids['case']}/"
        status, _, _ = coordinator.request("GET", case_path)
        if status != 200:
            raise SystemExit(f"the coordinator's case page answered {status}")

        floor_rps, floor_path = floor(port)
        case_sampler(stats, coordinator, case_path, time.monotonic() + 10, 0.25, "idle", 40)

        log(f"rush: {args.reporters} reporters, {args.warmup:g} s warm-up + {args.seconds:g} s measured")
        t0 = time.monotonic()
        begin, stop_at = t0 + args.warmup, t0 + args.warmup + args.seconds
        threads = [threading.Thread(target=reporter, args=(stats, s, i, run_id, ids, stop_at, 100_000))
                   for i, s in enumerate(sessions)]
        for t in threads:
            t.start()
        database = DatabaseCpu(args.db)
        database.start()
        time.sleep(max(0.0, begin - time.monotonic()))
        database.mark("begin")
        cpu_before = (server_cpu(masters), time.process_time(), cpu_seconds(sender.pid) if sender else 0.0)
        sampler = threading.Thread(target=case_sampler,
                                   args=(stats, coordinator, case_path, stop_at, 0.5, "load", 100_000))
        sampler.start()
        notes = {}
        if args.faults:
            time.sleep(max(0.0, begin + args.seconds / 3 - time.monotonic()))
            victims = worker_pids(masters[-1])
            stats.fault("worker")
            if victims:
                os.kill(victims[0], signal.SIGKILL)
                notes["worker"] = victims[0]
            time.sleep(max(0.0, begin + 2 * args.seconds / 3 - time.monotonic()))
            stats.fault("database")
            notes["database"] = terminate_backends(args.db)
        time.sleep(max(0.0, stop_at - time.monotonic()))
        database.mark("end")
        database.done.set()
        cpu_after = (server_cpu(masters), time.process_time(), cpu_seconds(sender.pid) if sender else 0.0)
        for t in threads:
            t.join(timeout=120)
        sampler.join(timeout=60)
        if sender:
            # The e-mails the rush queued: how long the sender takes to catch
            # up once it ends, and its CPU for them, rush and catching up.
            notes["mail_queued_at_end"] = queued_mail(args)
            ended = time.monotonic()
            for _ in range(600):
                if not queued_mail(args):
                    break
                time.sleep(0.5)
            notes["mail_drain_s"] = time.monotonic() - ended
            notes["mail_left"] = queued_mail(args)
            notes["sender_cpu"] = cpu_seconds(sender.pid) - cpu_before[2]
        notes["cpu"] = (cpu_after[0] - cpu_before[0], database.used("begin", "end"), cpu_after[1] - cpu_before[1],
                        cpu_after[2] - cpu_before[2])
        notes["servers"] = [(command, len(worker_pids(process.pid))) for process, command in servers]
        log("reconciling with the database")
        time.sleep(1)
        lost, duplicated, ghosts, stored = reconcile(args, stats, run_id)
        notes["audit"] = audit_check(args, env)
        notes["emails"] = (tmp / "mails").read_text() if (tmp / "mails").exists() else "0"
        print_results(args, stats, begin, stop_at, lost, duplicated, ghosts, stored, floor_rps, floor_path, notes)
    finally:
        for process in [sender] if sender else []:
            process.terminate()
            process.wait(timeout=30)
        for process, _ in servers:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(process.pid, signal.SIGKILL)
        sink.terminate()
        sink.wait(timeout=10)
        if not args.keep:
            admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log(f"kept database {args.db} and {tmp}")


def print_results(args, stats, begin, stop_at, lost, duplicated, ghosts, stored, floor_rps, floor_path, notes):
    window = [r for r in stats.requests if begin <= r[1] < stop_at]
    gets = [(r[2] - r[1]) * 1000 for r in window if r[0] == "get" and r[3] == "ok"]
    posts = [(r[2] - r[1]) * 1000 for r in window if r[0] == "post"]
    filed = [r for r in stats.reports if r[3] == "ok" and begin <= r[2] < stop_at]
    idle = [ms for _, ms, phase in stats.case if phase == "idle"]
    load = [ms for _, ms, phase in stats.case if phase == "load"]
    errors = sum(1 for r in stats.requests if r[3] == "error")
    rejected = sum(1 for r in stats.reports if r[3] == "rejected")
    for command, workers in notes["servers"]:
        print(f"server: gunicorn {command} ({workers} workers)")
    print(f"concurrency: {args.reporters}")
    print(f"reports_per_s: {len(filed) / args.seconds:.1f}")
    print(f"reports_sent: {len(stats.reports)}")
    print(f"reports_stored: {stored}")
    print(f"get_p50_ms: {percentile(gets, 50):.0f}")
    print(f"get_p95_ms: {percentile(gets, 95):.0f}")
    print(f"post_p50_ms: {percentile(posts, 50):.0f}")
    print(f"post_p95_ms: {percentile(posts, 95):.0f}")
    print(f"post_p99_ms: {percentile(posts, 99):.0f}")
    print(f"errors: {errors}")
    print(f"rejected: {rejected}")
    print(f"lost: {lost}")
    print(f"duplicated: {duplicated}")
    print(f"ghosts: {ghosts}")
    print(f"case_p50_ms_idle: {percentile(idle, 50):.0f}")
    print(f"case_p95_ms_idle: {percentile(idle, 95):.0f}")
    print(f"case_p50_ms_under_load: {percentile(load, 50):.0f}")
    print(f"case_p95_ms_under_load: {percentile(load, 95):.0f}")
    print(f"case_samples_under_load: {len(load)}")
    print(f"floor_rps: {floor_rps:.0f}")
    print(f"floor_path: {floor_path}")
    app, db, client, mailer = notes["cpu"]
    if filed:
        # CPU per report, from /proc: what the figures would be on a machine
        # of our own (others' load on a shared machine shows here as less
        # CPU for us, not as more CPU per report).
        print(f"server_cpu_ms_per_report: {app * 1000 / len(filed):.0f}")
        print(f"database_cpu_ms_per_report: {db * 1000 / len(filed):.0f}")
        print(f"client_cpu_ms_per_report: {client * 1000 / len(filed):.0f}")
        print(f"cpu_share_of_machine: {(app + db + client + mailer) / (args.seconds * (os.cpu_count() or 1)) * 100:.0f}%")
    print(f"mail: {args.mail}")
    if "mail_drain_s" in notes:
        print(f"mail_queued_at_end: {notes['mail_queued_at_end']}")
        print(f"mail_drain_s: {notes['mail_drain_s']:.1f}")
        print(f"mail_left: {notes['mail_left']}")
        if filed:
            print(f"mail_sender_cpu_ms_per_report: {notes['sender_cpu'] * 1000 / len(filed):.0f}")
    print(f"emails_received: {notes['emails']}")
    print(f"audit_verified: {notes['audit']}")
    if args.faults:
        explained = set()
        for name in ("worker", "database"):
            if name not in stats.faults:
                continue
            _at, inflight = stats.faults[name]
            hit = {rid for rid, _s, _e in stats.error_ids if rid in inflight}
            explained |= hit
            print(f"fault_{name}_inflight: {len(inflight)}")
            print(f"fault_{name}_errors: {len(hit)}")
        print(f"fault_worker_killed_pid: {notes.get('worker', '-')}")
        print(f"fault_backends_terminated: {notes.get('database', '-')}")
        print(f"errors_outside_faults: {sum(1 for rid, _s, _e in stats.error_ids if rid not in explained)}")
    load_avg = os.getloadavg()
    print(f"load_average: {load_avg[0]:.2f} {load_avg[1]:.2f} {load_avg[2]:.2f}")


# --- the profile: where a report's time goes, in-process ---------------------------

def profile(args, env, ids):
    """Open the form and send it --profile times through Django's test
    client, under cProfile, and print the project's functions by their share
    of the time (cumulative) with the number of SQL queries per report."""
    os.environ.update(env)
    sys.path[:0] = env["PYTHONPATH"].split(os.pathsep)
    import cProfile
    import pstats

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from organisation.models import User

    setup_test_environment()
    from django.conf import settings

    # The test environment collects e-mail in memory; production talks SMTP
    # (to the bench's sink): inside the request with --mail inline; with
    # --mail worker the request only queues them (the sender's cost is not
    # the reporter's) and they are left in the outbox.
    settings.EMAIL_BACKEND = os.environ.get("VARN_INTAKE_PROFILE_MAIL", "django.core.mail.backends.smtp.EmailBackend")
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    client.force_login(User.objects.get(username=EMPLOYEES[0]))

    def one(n):
        response = client.get("/rapportera/", secure=True)
        html = response.content.decode()
        body, content_type = multipart(report_fields(html, f"profile-{n}", ids))
        response = client.generic("POST", "/rapportera/", body, content_type, secure=True)
        assert response.status_code == 302, response.status_code

    for n in range(3):
        one(-n - 1)
    with CaptureQueriesContext(connection) as queries:
        one(0)
    count = len(queries)
    tables = {}
    for query in queries.captured_queries:
        match = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', query["sql"])
        key = f"{query['sql'].split()[0].upper()} {match.group(1) if match else '?'}"
        tables[key] = tables.get(key, 0) + 1
    # Wall time of each half without the profiler.
    get_ms, post_ms, get_cpu, post_cpu = [], [], [], []
    for n in range(args.profile):
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.get("/rapportera/", secure=True)
        middle, middle_cpu = time.perf_counter(), time.process_time()
        body, content_type = multipart(report_fields(response.content.decode(), f"timed-{n}", ids))
        sent, sent_cpu = time.perf_counter(), time.process_time()
        response = client.generic("POST", "/rapportera/", body, content_type, secure=True)
        get_ms.append((middle - began) * 1000)
        post_ms.append((time.perf_counter() - sent) * 1000)
        get_cpu.append((middle_cpu - began_cpu) * 1000)
        post_cpu.append((time.process_time() - sent_cpu) * 1000)
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    for n in range(args.profile):
        one(n + 1)
    profiler.disable()
    elapsed = time.perf_counter() - began
    stats = pstats.Stats(profiler)
    if args.profile_dump:
        stats.dump_stats(args.profile_dump)
    root = str(Path(args.root).resolve()) + "/"
    rows = []
    for (filename, line, name), (_cc, calls, _tt, cumulative, _callers) in stats.stats.items():
        if filename.startswith(root) and "/.venv/" not in filename:
            rows.append((cumulative, calls, f"{filename[len(root):]}:{line}({name})"))
    rows.sort(reverse=True)
    print(f"profile_reports: {args.profile}")
    print(f"profile_get_median_ms: {statistics.median(get_ms):.1f}  (the form, without the profiler)")
    print(f"profile_post_median_ms: {statistics.median(post_ms):.1f}  (sending it)")
    print(f"profile_get_cpu_ms: {statistics.median(get_cpu):.1f}  (Python CPU of the form, median)")
    print(f"profile_post_cpu_ms: {statistics.median(post_cpu):.1f}  (Python CPU of sending it, median)")
    print(f"profile_ms_per_report: {elapsed * 1000 / args.profile:.1f}  (form + send, under cProfile)")
    print(f"profile_queries_per_report: {count}")
    print("profile_queries_by_table: " + ", ".join(
        f"{key} {n}" for key, n in sorted(tables.items(), key=lambda kv: -kv[1])))

    def share(test):
        return sum(v[3] for k, v in stats.stats.items() if test(*k)) / elapsed * 100

    print(f"profile_sql_share: {share(lambda f, _l, n: n in ('execute', 'executemany') and f.endswith('psycopg/cursor.py')):.0f}%"
          "  (inside psycopg's execute: the query's round trip)")
    print(f"profile_template_share: {share(lambda f, _l, n: n == 'render' and f.endswith('django/template/backends/django.py')):.0f}%"
          "  (rendering templates, their tags' queries included)")
    print(f"profile_smtp_share: {share(lambda f, _l, n: n == 'send_messages' and f.endswith('mail/backends/smtp.py')):.0f}%"
          "  (talking to the mail server inside the request)")
    for cumulative, calls, where in rows[:args.profile_top]:
        print(f"  {cumulative / elapsed * 100:5.1f}%  {cumulative * 1000 / args.profile:6.1f} ms  "
              f"{calls / args.profile:5.1f}x  {where}")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--smtp-sink":
        smtp_sink(int(sys.argv[2]), sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reporters", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60, help="measured window (default 60)")
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--faults", action="store_true")
    parser.add_argument("--incidents", type=int, default=2000, help="history seeded before the run")
    parser.add_argument("--db", default="varn_intake_bench")
    parser.add_argument("--root", default=str(ROOT), help="the checkout to serve (default: this one)")
    parser.add_argument("--pools", type=int, choices=(1, 2),
                        help="2 (the default with a gunicorn.conf.py): the reporters' routes on a second "
                             "gunicorn (VARN_POOL=intake), as the README deploys it; 1: one gunicorn for everything")
    parser.add_argument("--gunicorn-arg", action="append", default=[],
                        help="extra argument for the (main) gunicorn, e.g. --gunicorn-arg=--workers=3 (repeatable)")
    parser.add_argument("--intake-arg", action="append", default=[],
                        help="extra argument for the intake pool's gunicorn (repeatable)")
    parser.add_argument("--intake-nice", type=int, metavar="N",
                        help="VARN_NICE for the intake pool (default: the config's, 10)")
    parser.add_argument("--mail", choices=("worker", "inline"),
                        help="worker (the default when the checkout has the outbox's sender): "
                             "VARN_MAIL_WORKER=1 and `manage.py send_queued_mail --loop` under nice 15, as the "
                             "README deploys it; inline: each web worker sends its report's e-mails after the response")
    parser.add_argument("--keep", action="store_true", help="keep the database and the temporary folder")
    parser.add_argument("--reuse", action="store_true",
                        help="use the database an earlier --keep run left (with --db); do not rebuild it")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="instead of the rush: cProfile N reports in-process and print the top items")
    parser.add_argument("--profile-top", type=int, default=30)
    parser.add_argument("--profile-dump", metavar="FILE", help="also write the pstats file")
    args = parser.parse_args()
    args.root = str(Path(args.root).resolve())
    if args.pools is None:
        args.pools = 2 if (Path(args.root) / "gunicorn.conf.py").exists() else 1
    if args.mail is None:
        args.mail = "worker" if SENDER.exists(args.root) else "inline"
    if not 1 <= args.reporters <= 1000 or not 1 <= args.seconds <= 3600:
        parser.error("--reporters 1..1000 and --seconds 1..3600")
    run(args)


if __name__ == "__main__":
    main()
