"""Benchmark of the report form: how much a new user has to do to report a
typical threat on a home visit, on a phone.

Starts its own server (manage.py runserver) on a throwaway SQLite database
with the taxonomies and the test city (tests.factories.City: an employee in
"Ekonomiskt bistånd Norr" with a manager, a security coordinator, HR and a
safety representative), logs in as the employee and drives the real form in
Chromium at 390×844 the way a first-time user would:

  1 type what happened          4 open "Mer information"
  2 tick "Hot"                   5 choose how: "Hembesök"
  3 answer who: "Brukare/klient" 6 press "Skicka rapporten"
    (the routing question, asked of everyone before sending)

Everything else (date, time, unit, identity) keeps its default. Prints:

  required_inputs  required answers still empty when the page opens (target <= 4)
  interactions     clicks and fields filled from opening the page to the receipt (target <= 8)
  seconds          wall time from requesting the page to the receipt being shown
  page_bytes       bytes transferred for the report page with its CSS, JS and icon,
                   browser cache off (target < 150 KB)

    .venv/bin/python bench/time_to_report.py
    .venv/bin/python bench/time_to_report.py --screenshots   also save PNGs in screenshots/
"""
import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "test-password-123"
DESCRIPTION = ("Brukaren blev arg över beslutet om försörjningsstöd och sa att hen vet var jag bor "
               "och att jag ska få se vad som händer om beslutet står fast.")

SEED = """
from tests.factories import City
City()
"""


def log(message: str):
    print(f"# {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workdir: Path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "varn.settings_test",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "VARN_MEDIA_ROOT": str(workdir / "uploads"),
        "VARN_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "VARN_DEBUG": "0",
        "PYTHONUNBUFFERED": "1",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    log("creating a throwaway database")
    subprocess.run(manage + ["migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run(manage + ["createcachetable"], env=env, check=True, cwd=ROOT)
    subprocess.run(manage + ["shell", "-c", SEED], env=env, check=True, cwd=ROOT)
    port = free_port()
    server = subprocess.Popen(manage + ["runserver", "--noreload", f"127.0.0.1:{port}"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        server.kill()
        raise SystemExit("the server did not start")
    return server, url


REQUIRED_EMPTY = """() => {
  const form = document.querySelector("form[data-report-form]");
  let n = 0;
  form.querySelectorAll("[required]").forEach(el => { if (!el.value) n += 1; });
  form.querySelectorAll("[data-required]").forEach(group => {
    if (!group.querySelector("input:checked")) n += 1;
  });
  return n;
}"""


def run(url: str, screenshots: bool) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                      locale="sv-SE", timezone_id="Europe/Stockholm", base_url=url)
        page = context.new_page()
        page.goto("/konto/logga-in/")
        page.fill("#id_username", "employee_north")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]:has-text('Logga in')")
        page.wait_for_load_state()

        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        transferred = {}
        cdp.on("Network.loadingFinished",
               lambda e: transferred.__setitem__(e["requestId"], e["encodedDataLength"]))

        interactions = 0
        began = time.perf_counter()
        page.goto("/rapportera/", wait_until="load")
        page.wait_for_load_state("networkidle")
        page_bytes = sum(transferred.values())
        required = page.evaluate(REQUIRED_EMPTY)
        if screenshots:
            page.screenshot(path=str(ROOT / "screenshots" / "bench-form-phone.png"), full_page=True)

        page.get_by_label("Vad hände?").fill(DESCRIPTION)
        interactions += 1
        page.locator(".choice-card", has_text="Hot").first.click()
        interactions += 1
        page.get_by_role("radio", name="Brukare/klient").check()
        interactions += 1
        page.get_by_text("Mer information (frivilligt)").click()
        interactions += 1
        page.get_by_label("Hur eller var skedde det?").select_option(label="Hembesök")
        interactions += 1
        page.get_by_role("button", name="Skicka rapporten").click()
        interactions += 1
        page.get_by_role("heading", name="Tack – rapporten är skickad").wait_for()
        seconds = time.perf_counter() - began
        if screenshots:
            page.screenshot(path=str(ROOT / "screenshots" / "bench-receipt-phone.png"), full_page=True)
        reference = page.locator(".receipt-number strong").inner_text()
        browser.close()
    log(f"filed {reference}")
    return {"required_inputs": required, "interactions": interactions,
            "seconds": f"{seconds:.2f}", "page_bytes": page_bytes}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--screenshots", action="store_true")
    args = parser.parse_args()
    if args.screenshots:
        (ROOT / "screenshots").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="varn-bench-") as tmp:
        server, url = start_server(Path(tmp))
        try:
            figures = run(url, args.screenshots)
        finally:
            server.terminate()
            server.wait(timeout=10)
    for name, value in figures.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
