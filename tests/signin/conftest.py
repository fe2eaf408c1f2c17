"""A real OpenID Connect provider (tests/oidc_provider: django-oauth-toolkit)
in its own process on 127.0.0.1, with an RSA key made at start, and Värn's
live server configured to sign in with it."""
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from signin import config
from tests.servers import ROOT, free_port

CLIENT_ID = "varn-test"
CLIENT_SECRET = "client-secret-" + "s" * 30
IDP_PASSWORD = "idp-password-1"


@dataclass
class Provider:
    issuer: str
    directory: Path
    process: subprocess.Popen
    log_path: Path

    def write(self, data: dict):
        tmp = self.directory.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, self.directory)

    def read(self) -> dict:
        return json.loads(self.directory.read_text(encoding="utf-8"))

    def person(self, username: str, **claims):
        """Add or change a person in the provider's directory."""
        data = self.read()
        data["users"][username] = {"password": IDP_PASSWORD, "claims": claims}
        self.write(data)

    def misbehave(self, fault: str):
        data = self.read()
        data["misbehave"] = fault
        self.write(data)

    def reset(self):
        self.write({"users": {}, "misbehave": ""})

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture(scope="session")
def oidc_provider(live_server):
    port = free_port()
    issuer = f"http://127.0.0.1:{port}/o"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    folder = Path(tempfile.mkdtemp(prefix="varn-idp-"))
    directory = folder / "directory.json"
    directory.write_text(json.dumps({"users": {}, "misbehave": ""}), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update({
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
        "IDP_ISSUER": issuer, "IDP_RSA_KEY": pem, "IDP_DIRECTORY": str(directory),
        "IDP_DB": str(folder / "provider.sqlite3"), "IDP_CLIENT_ID": CLIENT_ID,
        "IDP_CLIENT_SECRET": CLIENT_SECRET,
        "IDP_REDIRECT_URIS": f"{live_server.url}/konto/oidc/tillbaka/",
        "IDP_LOGOUT_URIS": f"{live_server.url}/konto/logga-in/",
    })
    log_path = folder / "provider.log"
    log = open(log_path, "wb")
    process = subprocess.Popen([sys.executable, "-m", "tests.oidc_provider.serve", str(port)],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    provider = Provider(issuer, directory, process, log_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the test provider exited:\n{provider.log()}")
            try:
                with urlopen(f"{issuer}/.well-known/openid-configuration", timeout=5) as response:
                    if response.status == 200:
                        break
            except (URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the test provider did not answer:\n{provider.log()}") from None
                time.sleep(0.2)
        yield provider
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def use_provider(settings, issuer: str):
    """Värn's settings as the environment variables would set them."""
    settings.OIDC_ISSUER = issuer
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_CLAIMS = {**settings.OIDC_CLAIMS, "employee_number": "employee_number",
                            "unit": "unit_code", "gender": "gender", "groups": "groups"}
    policy = json.loads(json.dumps(settings.CONTENT_SECURITY_POLICY))
    policy["DIRECTIVES"]["form-action"].append(config.origin(issuer))
    settings.CONTENT_SECURITY_POLICY = policy
    config.forget()


@pytest.fixture
def oidc(settings, oidc_provider):
    oidc_provider.reset()
    use_provider(settings, oidc_provider.issuer)
    yield oidc_provider
    oidc_provider.reset()
    config.forget()


def sign_in_at_provider(page, username, password=IDP_PASSWORD):
    """From Värn's login page: the button, the provider's form (unless the
    provider still has a session), and back to Värn."""
    page.goto("/konto/logga-in/")
    varn = page.url.split("/konto/")[0]
    page.click("a.button:has-text('Logga in med')")
    page.wait_for_url(lambda url: "/login/?" in url or (url.startswith(varn) and "/konto/oidc/" not in url)
                      or "/konto/oidc/tillbaka/" in url)
    if "/login/?" in page.url:
        page.fill("#idp-username", username)
        page.fill("#idp-password", password)
        page.click("button:has-text('Fortsätt')")
    page.wait_for_load_state()
