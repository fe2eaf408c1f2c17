"""Registers the project's system checks (see varn/checks/__init__.py)."""
from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "varn.checks"
    label = "varn_checks"
    verbose_name = "Värn: start-up checks"

    def ready(self):
        from django.core import checks

        from varn.checks import STARTUP, static_manifest

        checks.register(static_manifest, STARTUP, deploy=True)
