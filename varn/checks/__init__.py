"""System checks that a deployment can serve, run by `manage.py check
--deploy` and by the WSGI application when it starts (varn/wsgi.py), so that
gunicorn refuses to start with the reason instead of answering every page
with a 500.

They live in this small app (varn.checks, registered in apps.py) because the
project package varn/ is not an app: making it one would find its templates
and static files a second time, beside TEMPLATES["DIRS"] and STATICFILES_DIRS.
They are deployment checks, so `migrate` (which runs the ordinary checks)
does not wait for collectstatic."""
import os

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages

STARTUP = "varn_startup"
COLLECTSTATIC = "Run `manage.py collectstatic --noinput` with the same settings before starting Värn."


def static_manifest(app_configs=None, **kwargs):
    """With manifest storage (production), every page names its CSS and
    scripts by their hashed names from STATIC_ROOT/staticfiles.json; without
    that file, or with one from an older version, those pages fail."""
    try:
        storage = storages.create_storage(settings.STORAGES["staticfiles"])
    except ValueError as exc:  # the manifest is there but unreadable
        return [checks.Error(f"The static files manifest cannot be read: {exc}.", hint=COLLECTSTATIC,
                             id="varn.E002")]
    if not isinstance(storage, ManifestFilesMixin):
        return []
    where = os.path.join(str(settings.STATIC_ROOT), storage.manifest_name)
    if storage.read_manifest() is None:
        return [checks.Error(
            f"The static files manifest {where} is missing: collectstatic has not been run, so every "
            "page, error pages included, would fail.", hint=COLLECTSTATIC, id="varn.E001")]
    collected = set(storage.hashed_files)
    ignore = django_apps.get_app_config("staticfiles").ignore_patterns
    missing = sorted({
        os.path.join(getattr(source, "prefix", None) or "", path).replace(os.sep, "/")
        for finder in finders.get_finders() for path, source in finder.list(ignore)
    } - collected)
    if missing:
        return [checks.Error(
            f"{len(missing)} static files are not in the manifest {where} (for example {missing[0]}): "
            "collectstatic was run for another version, and pages that use them would fail.",
            hint=COLLECTSTATIC, id="varn.E003")]
    return []


def refuse_to_start_on_errors():
    """Raise ImproperlyConfigured with every failed start-up check."""
    errors = [message for message in checks.run_checks(tags=[STARTUP], include_deployment_checks=True)
              if message.is_serious() and not message.is_silenced()]
    if errors:
        raise ImproperlyConfigured("Värn cannot start:\n" + "\n".join(
            f"{error.id}: {error.msg}" + (f"\n    HINT: {error.hint}" if error.hint else "") for error in errors))
