"""What `make run` (the demo and the development server) gives: the product's
own error pages, never Django's debug 404 that lists every URL; static files
still served; and e-mail links that point at the port the server runs on."""
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings

from tests.conftest import assert_accessible, browser_login, screenshot


def _settings_with(monkeypatch, **env):
    """varn.settings evaluated afresh with exactly these VARN_ variables."""
    for name in list(os.environ):
        if name.startswith("VARN_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.find_spec("varn.settings")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return vars(module)


@pytest.mark.unit
def test_make_run_shows_the_products_error_pages_not_djangos(monkeypatch):
    # VARN_DEBUG=1 is what `make run` sets: development conveniences, but
    # Django's technical 404 (which lists every URL) stays off.
    ns = _settings_with(monkeypatch, VARN_DEBUG="1")
    assert ns["DEBUG"] is False
    assert ns["DEVELOPMENT"] is True
    assert ns["SECRET_KEY"]  # the fixed development key
    assert ns["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert ns["WHITENOISE_USE_FINDERS"] is True  # static files from the source folders
    assert "SECURE_SSL_REDIRECT" not in ns  # plain HTTP on the laptop


@pytest.mark.unit
def test_technical_pages_are_for_a_developer_who_asks_and_never_in_production(monkeypatch):
    assert _settings_with(monkeypatch, VARN_DEBUG="1", VARN_TECHNICAL_PAGES="1")["DEBUG"] is True
    production = _settings_with(monkeypatch, VARN_SECRET_KEY="k" * 50, VARN_TECHNICAL_PAGES="1")
    assert production["DEBUG"] is False
    assert production["SECURE_SSL_REDIRECT"] is True


@pytest.mark.unit
def test_base_url_for_email_links_is_read_from_the_environment(monkeypatch):
    ns = _settings_with(monkeypatch, VARN_DEBUG="1", VARN_BASE_URL="http://127.0.0.1:8001")
    assert ns["BASE_URL"] == "http://127.0.0.1:8001"


@pytest.mark.unit
def test_make_run_on_another_port_gives_email_links_that_port(monkeypatch):
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    monkeypatch.delenv("VARN_BASE_URL", raising=False)

    def runserver_line(*args):
        out = subprocess.run(["make", "-n", "run", *args], cwd=settings.BASE_DIR, check=True,
                             capture_output=True, text=True).stdout
        return next(line for line in out.splitlines() if "runserver" in line)

    line = runserver_line("PORT=8001")
    assert "VARN_BASE_URL='http://127.0.0.1:8001'" in line and line.endswith("runserver 127.0.0.1:8001")
    monkeypatch.setenv("VARN_BASE_URL", "https://varn.example.se")
    assert "VARN_BASE_URL='https://varn.example.se'" in runserver_line("PORT=8001")


SEED_CITY = """
from django.test import override_settings
from tests.factories import PASSWORD, City
with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
    city = City()
city.manager_south.set_password(PASSWORD)
city.manager_south.save()
print(city.named.pk)
"""


@pytest.fixture
def make_run_server(tmp_path):
    """`make run`'s server (VARN_DEBUG=1, manage.py runserver) in a process of
    its own, on a database of its own holding the miniature city. Yields its
    URL and the pk of a case in the northern district."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("VARN_") and name not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(VARN_DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite3'}",
               VARN_BASE_URL=f"http://127.0.0.1:{port}")
    manage = [sys.executable, "manage.py"]

    def run(*args):
        return subprocess.run(manage + list(args), env=env, cwd=settings.BASE_DIR, check=True,
                              capture_output=True, text=True).stdout

    run("migrate", "--noinput", "-v0")
    run("createcachetable")
    named_pk = int(run("shell", "-c", SEED_CITY).split()[-1])
    with open(tmp_path / "server.log", "w") as log:
        server = subprocess.Popen(manage + ["runserver", "--noreload", f"127.0.0.1:{port}"], env=env,
                                  cwd=settings.BASE_DIR, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError((tmp_path / "server.log").read_text())
                    time.sleep(0.2)
            yield f"http://127.0.0.1:{port}", named_pk
        finally:
            server.terminate()
            server.wait(timeout=10)


@pytest.mark.browser
def test_make_run_answers_a_hidden_case_with_the_products_404_page(make_run_server, browser):
    url, named_pk = make_run_server
    for size, viewport in (("desktop", {"width": 1280, "height": 900}),
                           ("phone", {"width": 390, "height": 844})):
        context = browser.new_context(viewport=viewport, locale="sv-SE", base_url=url)
        page = context.new_page()
        styles = []
        page.on("response", lambda r: styles.append(r.status) if r.url.endswith("app.css") else None)
        browser_login(page, "manager_south")
        # A case in another district: the product's page, never Django's list of URLs.
        response = page.goto(f"/arenden/{named_pk}/")
        assert response.status == 404
        assert page.get_by_role("heading", name="Sidan finns inte").is_visible()
        body = page.content()
        assert "URLconf" not in body and "DEBUG = True" not in body and "arenden/" not in page.inner_text("main")
        assert styles and set(styles) == {200}  # static files are still served
        assert_accessible(page)
        screenshot(page, f"make-run-404-{size}")
        response = page.goto("/finns-inte/")
        assert response.status == 404
        assert page.get_by_role("heading", name="Sidan finns inte").is_visible()
        assert "URLconf" not in page.content()
        context.close()
