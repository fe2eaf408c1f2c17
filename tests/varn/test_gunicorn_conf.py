"""The repository's gunicorn.conf.py: workers from the core count, timeouts
and graceful restarts, an access log that names no one, and the reporters'
pool at a lower CPU priority. Checked through gunicorn itself."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.servers import ROOT, gunicorn

CONFIG = ROOT / "gunicorn.conf.py"


def printed_config(**env) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", str(CONFIG), "--print-config"],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    values = {}
    for line in result.stdout.splitlines():
        name, sep, value = line.partition("=")
        if sep:
            values[name.strip()] = value.strip()
    return values


def test_workers_come_from_the_cores_and_restarts_are_graceful():
    config = printed_config()
    cores = len(os.sched_getaffinity(0))
    assert config["workers"] == str(2 * cores + 1)
    assert config["worker_class"] == "sync"
    assert (config["timeout"], config["graceful_timeout"]) == ("60", "30")
    assert (config["max_requests"], config["max_requests_jitter"]) == ("2000", "200")
    assert config["wsgi_app"] == "varn.wsgi"


def test_every_figure_can_be_set_from_the_environment():
    config = printed_config(VARN_WORKERS="3", VARN_THREADS="4", VARN_TIMEOUT="90", VARN_BIND="127.0.0.1:8123")
    assert (config["workers"], config["threads"], config["worker_class"]) == ("3", "4", "gthread")
    assert config["timeout"] == "90" and "127.0.0.1:8123" in config["bind"]


def test_a_figure_that_is_not_a_number_stops_gunicorn_with_the_reason():
    result = subprocess.run([sys.executable, "-m", "gunicorn", "-c", str(CONFIG), "--print-config"],
                            cwd=ROOT, env={**os.environ, "VARN_WORKERS": "fem"}, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0
    assert "VARN_WORKERS must be a whole number" in result.stdout + result.stderr


def _access_lines(server, marker):
    for _ in range(50):
        lines = [line for line in server.log().splitlines() if marker in line]
        if lines:
            return lines
        time.sleep(0.1)
    return []


@pytest.mark.db  # a real server (gunicorn)
def test_the_access_log_says_what_and_how_but_not_who_or_the_query_string():
    with gunicorn({}) as server:
        response = server.client().get("/healthz/?kod=ABCD-EFGH-JKMN-PQRS")
        assert response.status == 200
        lines = _access_lines(server, '"GET /healthz/ HTTP/1.1" 200')
    assert lines, "no access log line"
    assert all("ABCD" not in line and "kod=" not in line and "127.0.0.1" not in line for line in lines), lines


@pytest.mark.db  # a real server (gunicorn)
def test_the_reporters_pool_runs_at_a_lower_cpu_priority():
    with gunicorn({"VARN_POOL": "intake"}) as server:
        master = server.process.pid
        workers = [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
        assert workers
        assert all(os.getpriority(os.PRIO_PROCESS, pid) == os.getpriority(os.PRIO_PROCESS, master) + 10
                   for pid in workers)
