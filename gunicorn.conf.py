"""gunicorn's configuration for Värn in production.

gunicorn reads ./gunicorn.conf.py from the folder it starts in, so from the
repository's root `gunicorn varn.wsgi` uses this file (elsewhere: `-c
/srv/varn/gunicorn.conf.py`). Every figure below can be changed with an
environment variable, without editing the file; `gunicorn --print-config
varn.wsgi` shows what is in effect.

  VARN_BIND              address to listen on                127.0.0.1:8000
  VARN_WORKERS           worker processes                    2 × cores + 1
  VARN_THREADS           threads per worker (>1: gthread)    1 (sync workers)
  VARN_TIMEOUT           seconds before a silent worker is killed        60
  VARN_GRACEFUL_TIMEOUT  seconds a worker gets to finish on restart      30
  VARN_MAX_REQUESTS      requests before a worker is replaced          2000
  VARN_POOL              "intake" for the reporters' pool (README):
                         lower CPU priority, VARN_NICE (default 10)

Why these: Värn's requests are short and spend most of their time in
Python (CPU), so one process per core cannot use the time a request waits
for PostgreSQL; two per core plus one keeps the cores busy without queueing
inside a process. Sync workers each serve one request at a time, so a
worker that dies (killed, out of memory) takes one request with it, and
gunicorn's timeout bounds every request. Measured with bench/intake.py
(README: "Intake under a rush").

The access log says when, what path and how it went, never who: no client
address (anonymous reporting promises that none is kept), no query string,
referrer or user agent.
"""
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise SystemExit(f"{name} must be a whole number, not {value!r}")
    return int(value)


# The cores this process may run on (a container's CPU set, not the host's).
cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

wsgi_app = "varn.wsgi"
bind = os.environ.get("VARN_BIND", "127.0.0.1:8000")
workers = _int("VARN_WORKERS", 2 * cores + 1)
threads = _int("VARN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"

# A request that takes longer than this is cut off and its worker replaced
# (sync workers; gthread only notices a process that hangs as a whole). The
# longest legitimate requests are the streamed exports of the situation
# picture; everything a reporter or a handler does takes well under a second.
timeout = _int("VARN_TIMEOUT", 60)
# On a restart (HUP, deploy) or a replaced worker, requests in progress get
# this long to finish before the worker is stopped.
graceful_timeout = _int("VARN_GRACEFUL_TIMEOUT", 30)
# gthread workers keep a proxy's connection open this long between requests.
keepalive = 5

# Replace each worker after this many requests (plus up to 10 % jitter, so
# that the workers are not all replaced at once): bounds slow memory growth.
max_requests = _int("VARN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10

# The heartbeat file on memory, not disk: a slow disk cannot make a healthy
# worker look silent.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

accesslog = "-"
errorlog = "-"
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms %(p)s'

pool = os.environ.get("VARN_POOL", "").strip()
proc_name = f"varn-{pool}" if pool else "varn"


def post_fork(server, worker):
    """Workers of the intake pool yield the CPU to the handlers' pool: a rush
    of reports slows reports a little, not the case pages."""
    if pool == "intake":
        os.nice(_int("VARN_NICE", 10))
