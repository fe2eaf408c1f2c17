"""Real servers for the fault and replica tests: gunicorn in a subprocess, as
production runs it, and a small cookie-keeping HTTP client (the standard
library's urllib; the server is never called in-process).

A gunicorn worker keeps its database connection between requests, which is
what these tests need: Django's live server and test client open and close
connections per request and per test instead."""
import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict) -> str:
    """A DATABASE_URL for another process to reach the same PostgreSQL database."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgresql://{auth}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


@dataclass
class Response:
    status: int
    text: str
    headers: dict
    url: str


class Client:
    """One visitor: keeps its cookies and sends the CSRF token Django set."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.jar = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar))

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")

    def set_cookie(self, name: str, value: str):
        from http.cookiejar import Cookie

        host = self.base_url.split("//", 1)[1].split(":", 1)[0]
        self.jar.set_cookie(Cookie(0, name, value, None, False, host, False, False, "/", True,
                                   False, None, False, None, None, {}))

    def request(self, method: str, path: str, data=None, timeout=60) -> Response:
        body = None
        headers = {}
        if data is not None:
            pairs = data.items() if isinstance(data, dict) else data
            flat = [(k, v) for k, value in pairs for v in (value if isinstance(value, (list, tuple)) else [value])]
            body = urlencode(flat).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            if self.cookie("csrftoken"):
                headers["X-CSRFToken"] = self.cookie("csrftoken")
        req = Request(self.base_url + path, data=body, headers=headers, method=method)
        try:
            with self.opener.open(req, timeout=timeout) as resp:
                return Response(resp.status, resp.read().decode("utf-8", "replace"), dict(resp.headers), resp.url)
        except HTTPError as exc:
            return Response(exc.code, exc.read().decode("utf-8", "replace"), dict(exc.headers), exc.url)

    def get(self, path, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path, data, **kw) -> Response:
        return self.request("POST", path, data or {}, **kw)


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def client(self) -> Client:
        return Client(self.url)


@contextmanager
def gunicorn(env: dict, *, workers: int = 1, startup_seconds: float = 90):
    """Värn under gunicorn (sync workers) with the test settings and `env`
    on top; yields a Server once it answers HTTP."""
    port = free_port()
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "varn.settings_test", **env}
    full_env.pop("VARN_DEBUG", None)
    log = tempfile.NamedTemporaryFile(prefix="varn-gunicorn-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "varn.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--timeout", "120", "--graceful-timeout", "5", "--error-logfile", "-"],
        cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, Path(log.name))
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{server.log()}")
            try:
                Client(server.url).get("/healthz/", timeout=5)
                break
            except (URLError, ConnectionError, socket.timeout):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not answer in {startup_seconds} s:\n{server.log()}") from None
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        os.unlink(log.name)
