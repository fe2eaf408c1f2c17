"""WSGI entry point for gunicorn: `gunicorn varn.wsgi`."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "varn.settings")
application = get_wsgi_application()

# A deploy without collectstatic would answer every page with a 500, the
# error pages included: refuse to start and say why (varn/checks).
from varn.checks import refuse_to_start_on_errors  # noqa: E402

refuse_to_start_on_errors()
